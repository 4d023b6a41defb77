"""The demo's communications plan: the default set in both demo playbooks,
statuses as the rollout stands, one message added by hand; idempotent."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from comms.models import Message
from playbooks.models import Playbook

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", "--force", stdout=io.StringIO())


def plan(playbook: Playbook) -> list[tuple[Any, ...]]:
    return list(
        Message.objects.filter(playbook=playbook)
        .order_by("order", "pk")
        .values_list(
            "role__name", "kind", "status", "sender_ambassador__name", "sender_member__username"
        )
    )


def test_both_demos_have_their_plan() -> None:
    seed()
    english = Playbook.objects.get(language="en")
    danish = Playbook.objects.get(language="da")
    for playbook in (english, danish):
        roles = playbook.roles.count()
        messages = plan(playbook)
        defaults = [m for m in messages if m[1]]
        assert len(defaults) == 3 * roles + 1
        # Each role's three from its most influential ambassador (all have one).
        assert all(m[3] for m in defaults if m[1] != "open_session")
        hand = [m for m in messages if not m[1]]
        assert hand == [(None, "", "scheduled", None, "lead")]
    # Live for eight weeks: everything of the default set has gone out.
    assert {m[2] for m in plan(english) if m[1]} == {"sent"}
    # Going live in four weeks: those before go-live scheduled, those after it drafts.
    statuses = {(m[1], m[2]) for m in plan(danish) if m[1]}
    assert statuses == {
        ("wiifm", "scheduled"),
        ("open_session", "scheduled"),
        ("quick_win", "draft"),
        ("first_results", "draft"),
    }
    sales = [m for m in plan(danish) if m[0] == "Salg"]
    assert {m[3] for m in sales} == {"Mette Sørensen"}  # influence 5 over Jonas's 4


def test_again_changes_nothing() -> None:
    seed()
    before = {p.pk: plan(p) for p in Playbook.objects.all()}
    seed()
    assert {p.pk: plan(p) for p in Playbook.objects.all()} == before


def test_statuses_people_changed_stay() -> None:
    seed()
    danish = Playbook.objects.get(language="da")
    Message.objects.filter(playbook=danish, kind="wiifm").update(status="sent")
    seed()
    assert set(
        Message.objects.filter(playbook=danish, kind="wiifm").values_list("status", flat=True)
    ) == {"sent"}


def test_a_demo_seeded_before_the_plan_gets_it() -> None:
    seed()
    Message.objects.all().delete()
    seed()
    for playbook in Playbook.objects.all():
        assert len(plan(playbook)) == 3 * playbook.roles.count() + 2
