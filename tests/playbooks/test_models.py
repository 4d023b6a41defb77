"""Database constraints back the forms up."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from playbooks.models import Membership, Playbook
from tests.factories import make_playbook, make_user

pytestmark = pytest.mark.django_db


def test_one_membership_per_user_and_playbook() -> None:
    user = make_user()
    playbook = make_playbook(user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(playbook=playbook, user=user, level="viewer")


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Playbook, {"name": "x", "language": "fr"}),
        (Playbook, {"name": "x", "crm_system": "oracle"}),
        (Playbook, {"name": ""}),
    ],
)
def test_playbook_check_constraints(model: Any, fields: dict) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**fields)


def test_membership_level_constraint() -> None:
    playbook = make_playbook()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(playbook=playbook, user=make_user(), level="boss")


def test_str_and_crm_display() -> None:
    playbook = make_playbook(name="Rollout", crm_system="other", crm_other="SuperOffice")
    assert str(playbook) == "Rollout"
    assert playbook.crm_display == "SuperOffice"
    playbook.crm_system = "pipedrive"
    assert playbook.crm_display == "Pipedrive"
    membership = Membership.objects.create(playbook=playbook, user=make_user("ann"), level="editor")
    assert str(membership) == "ann · Rollout · Editor"
