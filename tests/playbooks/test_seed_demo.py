"""The demo data: two users, two playbooks, idempotent, refused in production."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from ambassadors.models import Ambassador
from comms.dates import date_of
from planner.management.commands import seed_demo
from playbooks.models import Membership, Playbook
from pulse.weeks import today as site_today

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
    assert danish.roles.values_list("name", flat=True)[0] == "Salg"


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


def _story(playbook: Playbook) -> dict[str, Any]:
    steps = list(playbook.steps.order_by("number"))
    for step in steps:
        step.playbook = playbook
    return {
        "steps": [(s.number, s.status, s.start_date, s.due_date) for s in steps],
        "ambassadors": sorted(
            Ambassador.all_objects.filter(playbook=playbook).values_list(
                "name", "training", "early_access", "trained_on"
            )
        ),
    }


def seed_on(monkeypatch: pytest.MonkeyPatch, day: datetime.date) -> None:
    monkeypatch.setattr(seed_demo, "site_today", lambda: day)
    call_command("seed_demo", "--force", stdout=io.StringIO())


# Any day of the week: the Danish demo's go-live moves to a Monday.
DAYS = [site_today() + datetime.timedelta(days=n) for n in range(7)]


@pytest.mark.parametrize(
    ("name", "today"),
    [
        ("Salesforce rollout", DAYS[0]),
        *(pytest.param("HubSpot-udrulning", day, id=f"da-{day:%A}") for day in DAYS),
    ],
)
def test_the_demos_dates_tell_a_believable_story(
    name: str, today: datetime.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22: every ambassador's dates were today, and the Danish demo's
    step 1 was done with its dates still ahead."""
    seed_on(monkeypatch, today)
    playbook = Playbook.objects.get(name=name)
    assert playbook.go_live is not None
    story = _story(playbook)
    for number, status, start, due in story["steps"]:
        assert start is not None and due is not None
        if status == "done":  # done: its dates behind us
            assert due < today, (number, due)
        elif status == "in_progress":  # under way: today between its dates
            assert start <= today <= due, (number, start, due)
        else:  # ahead
            assert status == "not_started" and start > today, (number, start)
    statuses = [status for _n, status, _s, _d in story["steps"]]
    assert statuses[0] == "done" and "in_progress" in statuses
    people = story["ambassadors"]
    assert len({early for _n, _t, early, _d in people}) == len(people)  # a day each
    trained = [day for _n, _t, _e, day in people if day is not None]
    assert len(set(trained)) == len(trained)
    for person, training, early, day in people:
        assert early < playbook.go_live, person
        if training == "completed":
            assert day is not None and day <= today, person
        elif training == "scheduled":
            assert day is not None and day > today, person
        else:
            assert day is None, person
        if day is not None:  # trained two weeks before go-live at the latest
            assert early <= day <= playbook.go_live - datetime.timedelta(days=14), person
    five = next(due for number, _s, _start, due in story["steps"] if number == 5)
    for message in playbook.messages.all():
        day = date_of(message.date, message.kind, playbook.go_live, five)
        if message.status == "sent":
            assert day is not None and day < today, message
        elif message.status == "scheduled":
            assert day is not None and day >= today, message


@pytest.mark.parametrize("today", DAYS, ids=lambda day: day.strftime("%A"))
def test_the_danish_demo_is_partway_before_go_live(
    today: datetime.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_on(monkeypatch, today)
    danish = Playbook.objects.get(name="HubSpot-udrulning")
    assert danish.go_live is not None and danish.go_live.weekday() == 0  # a Monday
    assert 28 <= (danish.go_live - today).days <= 34
    steps = dict(danish.steps.values_list("number", "status"))
    assert steps == {
        1: "done",
        2: "done",
        3: "in_progress",
        4: "in_progress",
        5: "not_started",
        6: "not_started",
        7: "not_started",
    }
    training = set(
        Ambassador.all_objects.filter(playbook=danish).values_list("training", flat=True)
    )
    assert training == {"completed", "scheduled", "not_started"}


def test_seeding_again_keeps_the_dates() -> None:
    call_command("seed_demo", "--force")
    before = {p.pk: _story(p) for p in Playbook.objects.all()}
    call_command("seed_demo", "--force")
    assert {p.pk: _story(p) for p in Playbook.objects.all()} == before
