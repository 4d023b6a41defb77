"""The demo data: two users, two playbooks, idempotent, refused in production."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from playbooks.models import Membership, Playbook

pytestmark = pytest.mark.django_db


def test_refused_with_debug_off() -> None:
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("seed_demo")
    assert Playbook.objects.count() == 0


def test_creates_users_and_playbooks_idempotently() -> None:
    call_command("seed_demo", "--force")
    call_command("seed_demo", "--force")
    assert get_user_model().objects.filter(username__in=["lead", "manager"]).count() == 2
    names = sorted(Playbook.objects.values_list("name", flat=True))
    assert names == ["HubSpot-udrulning", "Salesforce rollout"]
    assert Playbook.objects.get(name="HubSpot-udrulning").language == "da"
    for playbook in Playbook.objects.all():
        assert playbook.pledge
        assert playbook.data_used_for
        assert playbook.data_not_used_for
        levels = dict(
            Membership.objects.filter(playbook=playbook).values_list("user__username", "level")
        )
        assert levels == {"lead": "owner", "manager": "viewer"}
    # The four examples; the English demo has a fifth role of its own.
    english = Playbook.objects.get(name="Salesforce rollout")
    assert list(english.roles.values_list("name", flat=True)) == [
        "Sales",
        "Customer service",
        "Marketing",
        "Management",
        "Field service",
    ]
    danish = Playbook.objects.get(name="HubSpot-udrulning")
    assert danish.roles.count() == 4
    assert danish.roles.first().name == "Salg"


def test_demo_logins_work(settings: Any) -> None:
    call_command("seed_demo", "--force")
    for username in ("lead", "manager"):
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": "wiifm-demo"})
        assert response.status_code == 302, username
        html = client.get(reverse("playbook_list")).content.decode()
        assert "Salesforce rollout" in html
        assert "HubSpot-udrulning" in html


def test_manager_cannot_change_anything() -> None:
    call_command("seed_demo", "--force")
    client = Client()
    client.force_login(get_user_model().objects.get(username="manager"))
    playbook = Playbook.objects.get(name="Salesforce rollout")
    html = client.get(reverse("playbook_detail", args=[playbook.pk])).content.decode()
    assert "Edit playbook" not in html
    assert "Delete" not in html
    assert (
        client.post(reverse("playbook_edit", args=[playbook.pk]), {"name": "x"}).status_code == 403
    )
    assert (
        client.post(
            reverse("members", args=[playbook.pk]), {"email": "a@b.dk", "level": "owner"}
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_runs_again_after_a_demo_role_was_deleted() -> None:
    """The deleted role's ambassadors keep their e-mails (the role can come
    back with them): seeding again must not try to take them."""
    from django.utils import timezone

    from roles.models import Role

    call_command("seed_demo", "--force")
    sales = Role.objects.get(playbook__name="Salesforce rollout", name="Sales")
    sales.deleted_at = timezone.now()
    sales.save()
    call_command("seed_demo", "--force")  # no IntegrityError on Mette's e-mail
    assert not Role.objects.filter(pk=sales.pk).exists()  # still deleted, restorable
    assert Role.all_objects.filter(pk=sales.pk, ambassadors__isnull=False).exists()
