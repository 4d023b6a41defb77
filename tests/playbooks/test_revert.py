"""Revert one field of one change from the changes page (planner.revert)."""

from __future__ import annotations

import datetime
import html
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplan.models import Step
from actionplan.services import create_default_plan
from ambassadors.models import Ambassador
from core import versions
from givegets.models import GiveGet
from planner import revert
from playbooks.models import Membership, Playbook
from roles.models import Role
from tests.factories import make_ambassador, make_giveget, make_role
from tests.playbooks.test_changes import sentences, url

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def revert_url(playbook: Playbook, kind: str, history_id: int, field: str) -> str:
    return reverse("changes_revert", args=[playbook.pk, kind, history_id, field])


def last_change(model: Any, pk: int) -> int:
    """The history id of the newest "changed" record of one row."""
    return model.history.filter(id=pk, history_type="~").latest("history_date").history_id


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def sales(world: Any) -> Role:
    return make_role(world.playbook, "Sales", headcount=40)


@pytest.fixture
def headcount_change(world: Any, sales: Role, client_for: Any) -> int:
    """Edith changed the headcount of Sales from 40 to 45 in the matrix."""
    client_for("editor").post(
        reverse("matrix_cell", args=[world.playbook.pk, sales.pk, "headcount"]),
        {f"c{sales.pk}-headcount": "45"},
        headers=HTMX,
    )
    sales.refresh_from_db()
    assert sales.headcount == 45
    return last_change(Role, sales.pk)


class TestAccess:
    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 302), ("owner", 302)],
    )
    def test_who_reverts(
        self,
        world: Any,
        sales: Role,
        headcount_change: int,
        client_for: Any,
        who: str,
        status: int,
    ) -> None:
        response = client_for(who).post(
            revert_url(world.playbook, "role", headcount_change, "headcount")
        )
        assert response.status_code == status
        if who == "anonymous":
            assert response["Location"].startswith(reverse("login"))
        sales.refresh_from_db()
        assert sales.headcount == (40 if who in ("editor", "owner") else 45)

    @pytest.mark.parametrize(
        ("who", "shown"), [("viewer", False), ("editor", True), ("owner", True)]
    )
    def test_the_button_is_for_editors_and_owners(
        self, world: Any, headcount_change: int, client_for: Any, who: str, shown: bool
    ) -> None:
        action = revert_url(world.playbook, "role", headcount_change, "headcount")
        page = client_for(who).get(url(world.playbook)).content.decode()
        assert (action in page) == shown
        if shown:
            assert "Revert headcount<span" in page

    def test_only_a_post(self, world: Any, headcount_change: int, client_for: Any) -> None:
        action = revert_url(world.playbook, "role", headcount_change, "headcount")
        assert client_for("editor").get(action).status_code == 405

    def test_the_button_costs_no_query(
        self, world: Any, sales: Role, headcount_change: int, client_for: Any
    ) -> None:
        """An editor, who sees the buttons, costs as many queries as a viewer
        (whose count tests/playbooks/test_changes.py pins)."""
        counts = {}
        for who in ("viewer", "editor"):
            client = client_for(who)
            client.get(url(world.playbook))  # the first page of a session costs more
            with CaptureQueriesContext(connection) as queries:
                page = client.get(url(world.playbook)).content.decode()
            counts[who] = len(queries)
        assert counts["editor"] == counts["viewer"]
        assert revert_url(world.playbook, "role", headcount_change, "headcount") in page


class TestRevert:
    def test_the_old_value_comes_back_and_the_history_says_who(
        self, world: Any, sales: Role, headcount_change: int, client_for: Any
    ) -> None:
        client = client_for("owner")
        response = client.post(
            revert_url(world.playbook, "role", headcount_change, "headcount"),
            {"query": "kind=role&x=1"},
        )
        assert response["Location"] == url(world.playbook, kind="role")
        sales.refresh_from_db()
        assert sales.headcount == 40
        page = client.get(response["Location"])
        assert "Reverted: the headcount of the role “Sales” is 40 again." in text(page)
        assert sentences(page)[:2] == [
            "Olivia changed the role “Sales”: headcount 45 → 40.",
            "Edith changed the role “Sales”: headcount 40 → 45.",
        ]

    def test_a_revert_is_a_save_like_any_other(
        self,
        world: Any,
        headcount_change: int,
        client_for: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        """The playbook's version stamp changes and a fresh PDF is scheduled."""
        from django.core.cache import cache
        from django.tasks import default_task_backend

        default_task_backend.clear()
        cache.clear()  # no render pending from the change itself
        stamp = versions.version(world.playbook.pk)
        with django_capture_on_commit_callbacks(execute=True):
            client_for("editor").post(
                revert_url(world.playbook, "role", headcount_change, "headcount")
            )
        assert versions.version(world.playbook.pk) != stamp
        renders = [r for r in default_task_backend.results if "pdf" in r.task.name]
        assert [r.args for r in renders] == [[world.playbook.pk]]

    def test_one_field_of_a_change_of_several(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        sales.name, sales.headcount, sales.quick_win = "Field sales", 45, "Voice notes"
        sales.save()
        history_id = last_change(Role, sales.pk)
        page = client_for("editor").get(url(world.playbook)).content.decode()
        for field in ("name", "headcount", "quick_win"):
            assert revert_url(world.playbook, "role", history_id, field) in page
        client_for("editor").post(revert_url(world.playbook, "role", history_id, "quick_win"))
        sales.refresh_from_db()
        assert (sales.name, sales.headcount, sales.quick_win) == ("Field sales", 45, "")

    def test_a_giveget_a_task_a_step_an_ambassador_and_the_playbook(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        giveget = make_giveget(sales, "Log each meeting", times_per_week=Decimal(8))
        giveget.times_per_week, giveget.status = Decimal("0.25"), GiveGet.Status.DELIVERED
        giveget.save()
        service = make_role(world.playbook, "Service")
        ambassador = make_ambassador(sales, "Mette Sørensen")
        ambassador.role = service
        ambassador.save()
        create_default_plan(world.playbook)
        step = Step.objects.get(playbook=world.playbook, number=3)
        step.status = Step.Status.BLOCKED
        step.save()
        task = step.tasks.first()
        assert task is not None
        task.done = True
        task.save()
        world.playbook.go_live = datetime.date(2027, 9, 1)
        world.playbook.save()
        client = client_for("editor")
        for kind, row, field in [
            ("giveget", giveget, "times_per_week"),
            ("ambassador", ambassador, "role"),
            ("step", step, "status"),
            ("task", task, "done"),
            ("playbook", world.playbook, "go_live"),
        ]:
            history_id = last_change(type(row), row.pk)
            response = client.post(revert_url(world.playbook, kind, history_id, field), follow=True)
            assert "Reverted: " in text(response), (kind, text(response))
        giveget.refresh_from_db()
        ambassador.refresh_from_db()
        step.refresh_from_db()
        task.refresh_from_db()
        world.playbook.refresh_from_db()
        assert (giveget.times_per_week, giveget.status) == (Decimal(8), "delivered")
        assert ambassador.role_id == sales.pk
        assert step.status == Step.Status.NOT_STARTED
        assert task.done is False
        assert world.playbook.go_live is None

    def test_in_danish(
        self, world: Any, sales: Role, headcount_change: int, client_for: Any
    ) -> None:
        client = client_for("editor")
        client.cookies["django_language"] = "da"
        page = client.get(url(world.playbook)).content.decode()
        assert "Sæt antal personer tilbage<span" in page
        response = client.post(
            revert_url(world.playbook, "role", headcount_change, "headcount"), follow=True
        )
        assert "Sat tilbage: antal personer for rollen »Sales« er 40 igen." in text(response)


class TestRefused:
    def test_changed_again_since(
        self, world: Any, sales: Role, headcount_change: int, client_for: Any
    ) -> None:
        sales.headcount = 50
        sales.save()
        records = Role.history.count()
        response = client_for("editor").post(
            revert_url(world.playbook, "role", headcount_change, "headcount"), follow=True
        )
        assert (
            "The headcount of the role “Sales” was changed again since (now 50); "
            "nothing reverted." in text(response)
        )
        sales.refresh_from_db()
        assert sales.headcount == 50 and Role.history.count() == records

    def test_the_same_revert_twice(
        self, world: Any, sales: Role, headcount_change: int, client_for: Any
    ) -> None:
        client = client_for("editor")
        action = revert_url(world.playbook, "role", headcount_change, "headcount")
        client.post(action)
        again = client.post(action, follow=True)
        assert "was changed again since (now 40); nothing reverted." in text(again)

    def test_deleted_restore_it_first(self, world: Any, sales: Role, client_for: Any) -> None:
        giveget = make_giveget(sales, "Log each meeting", minutes_each=5)
        giveget.minutes_each = 10
        giveget.save()
        history_id = last_change(GiveGet, giveget.pk)
        giveget.delete()
        response = client_for("editor").post(
            revert_url(world.playbook, "giveget", history_id, "minutes_each"), follow=True
        )
        assert "The Give-Get “Log each meeting” of Sales was deleted; restore it first." in text(
            response
        )

    def test_a_role_name_taken_since(self, world: Any, sales: Role, client_for: Any) -> None:
        sales.name = "Field sales"
        sales.save()
        history_id = last_change(Role, sales.pk)
        make_role(world.playbook, "SALES")
        response = client_for("editor").post(
            revert_url(world.playbook, "role", history_id, "name"), follow=True
        )
        assert response.status_code == 200
        assert (
            "Not reverted: This playbook already has a role called “Sales” (ignoring case)."
            in text(response)
        )
        sales.refresh_from_db()
        assert sales.name == "Field sales"

    def test_a_giveget_over_the_cap(self, world: Any, sales: Role, client_for: Any) -> None:
        giveget = make_giveget(sales, minutes_each=300, times_per_week=Decimal(1))
        giveget.minutes_each = 10
        giveget.save()
        minutes_change = last_change(GiveGet, giveget.pk)
        giveget.times_per_week = Decimal(100)
        giveget.save()
        response = client_for("editor").post(
            revert_url(world.playbook, "giveget", minutes_change, "minutes_each"), follow=True
        )
        assert response.status_code == 200
        assert (
            "Not reverted: 300 min × 100 = 30000 minutes a week. One Give-Get may ask at most "
            "2,400 minutes a week (a 40-hour week)." in text(response)
        )
        giveget.refresh_from_db()
        assert giveget.minutes_each == 10

    def test_an_email_taken_since(self, world: Any, sales: Role, client_for: Any) -> None:
        ambassador = make_ambassador(sales, "Mette Sørensen", email="mette@example.com")
        ambassador.email = "mette.s@example.com"
        ambassador.save()
        history_id = last_change(Ambassador, ambassador.pk)
        make_ambassador(sales, "Mette Hansen", email="Mette@example.com")
        response = client_for("editor").post(
            revert_url(world.playbook, "ambassador", history_id, "email"), follow=True
        )
        assert (
            "Not reverted: Another ambassador of this playbook now has the e-mail "
            "mette@example.com." in text(response)
        )

    def test_a_step_due_before_its_start(self, world: Any, client_for: Any) -> None:
        create_default_plan(world.playbook)
        step = Step.objects.get(playbook=world.playbook, number=2)
        step.start, step.due = datetime.date(2027, 1, 1), datetime.date(2027, 1, 10)
        step.save()
        step.due = datetime.date(2027, 1, 20)
        step.save()
        due_change = last_change(Step, step.pk)
        step.start = datetime.date(2027, 1, 15)
        step.save()
        client = client_for("editor")
        response = client.post(revert_url(world.playbook, "step", due_change, "due"), follow=True)
        assert "Not reverted: The due date is before the start date." in text(response)
        step.refresh_from_db()
        assert (step.start, step.due) == (datetime.date(2027, 1, 15), datetime.date(2027, 1, 20))

    def test_only_one_of_a_steps_dates_back_to_following_go_live(
        self, world: Any, client_for: Any
    ) -> None:
        create_default_plan(world.playbook)
        step = Step.objects.get(playbook=world.playbook, number=3)
        assert step.dates_are_default
        step.start, step.due = datetime.date(2027, 1, 1), datetime.date(2027, 1, 10)
        step.save()
        response = client_for("editor").post(
            revert_url(world.playbook, "step", last_change(Step, step.pk), "start"), follow=True
        )
        assert (
            "Not reverted: A step's start and due are set together: change them in the action plan."
            in text(response)
        )
        step.refresh_from_db()
        assert step.start == datetime.date(2027, 1, 1)

    def test_an_ambassador_back_to_a_role_deleted_since(
        self, world: Any, sales: Role, client_for: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Deleting a role deletes its ambassadors today; with soft-deleted
        roles an ambassador may outlive the role it was moved from."""
        service = make_role(world.playbook, "Service")
        ambassador = make_ambassador(sales, "Mette Sørensen")
        ambassador.role = service
        ambassador.save()
        history_id = last_change(Ambassador, ambassador.pk)
        monkeypatch.setattr(Role, "objects", Role.objects.exclude(pk=sales.pk), raising=False)
        response = client_for("editor").post(
            revert_url(world.playbook, "ambassador", history_id, "role"), follow=True
        )
        assert "Not reverted: Its former role was deleted since." in text(response)
        assert Ambassador.objects.get(pk=ambassador.pk).role_id == service.pk


class TestNotOffered:
    def test_what_is_never_reverted_is_a_404(
        self, world: Any, sales: Role, headcount_change: int, client_for: Any
    ) -> None:
        world.playbook.name = "Renamed"
        world.playbook.save()
        playbook_change = last_change(Playbook, world.playbook.pk)
        membership = world.playbook.memberships.get(user=world.viewer)
        client_for("owner").post(
            reverse("member_level", args=[world.playbook.pk, membership.pk]), {"level": "editor"}
        )
        member_change = last_change(Membership, membership.pk)
        created = Role.history.get(id=sales.pk, history_type="+").history_id
        client = client_for("owner")
        page = client.get(url(world.playbook)).content.decode()
        assert revert_url(world.playbook, "playbook", playbook_change, "name") in page
        for kind, history_id, field in [
            ("playbook", playbook_change, "updated_at"),  # a stamp the save sets
            ("member", member_change, "level"),  # the owners', on the members page
            ("role", headcount_change, "name"),  # not changed by this change
            ("role", headcount_change, "order"),
            ("role", headcount_change, "id"),
            ("role", headcount_change, "nonsense"),
            ("role", created, "headcount"),  # an addition, not a change
            ("giveget", headcount_change, "headcount"),  # another kind's record
            ("passwords", headcount_change, "headcount"),
        ]:
            assert revert_url(world.playbook, kind, history_id, field) not in page
            response = client.post(revert_url(world.playbook, kind, history_id, field))
            assert response.status_code == 404, (kind, field)
        membership.refresh_from_db()
        assert membership.level == "editor"

    def test_nothing_of_another_playbook(self, world: Any, client_for: Any) -> None:
        theirs = make_role(world.other_playbook, "Theirs", headcount=1)
        theirs.headcount = 2
        theirs.save()
        their_change = last_change(Role, theirs.pk)
        client = client_for("owner")  # Olivia is not a member of Oscar's playbook
        response = client.post(revert_url(world.playbook, "role", their_change, "headcount"))
        assert response.status_code == 404
        world.other_playbook.name = "Oscar's renamed rollout"
        world.other_playbook.save()
        playbook_change = last_change(Playbook, world.other_playbook.pk)
        response = client.post(revert_url(world.playbook, "playbook", playbook_change, "name"))
        assert response.status_code == 404
        theirs.refresh_from_db()
        world.other_playbook.refresh_from_db()
        assert theirs.headcount == 2 and world.other_playbook.name == "Oscar's renamed rollout"


class TestBack:
    def test_next_on_this_site(self, world: Any, headcount_change: int, client_for: Any) -> None:
        back = reverse("matrix", args=[world.playbook.pk])
        response = client_for("editor").post(
            revert_url(world.playbook, "role", headcount_change, "headcount"), {"next": back}
        )
        assert response["Location"] == back

    def test_never_off_the_site(self, world: Any, headcount_change: int, client_for: Any) -> None:
        response = client_for("editor").post(
            revert_url(world.playbook, "role", headcount_change, "headcount"),
            {"next": "https://evil.example/phish", "query": "page=2&next=//evil.example"},
        )
        assert response["Location"] == url(world.playbook, page=2)


class TestAtTheSameMoment:
    def test_the_row_is_read_under_a_lock(
        self,
        world: Any,
        headcount_change: int,
        client_for: Any,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Asked for on every database; PostgreSQL says FOR UPDATE (SQLite's
        IMMEDIATE transactions lock the whole database instead)."""
        asked: list[type] = []
        real = QuerySet.select_for_update

        def spy(self: QuerySet[Any], *args: Any, **kwargs: Any) -> QuerySet[Any]:
            asked.append(self.model)
            return real(self, *args, **kwargs)

        monkeypatch.setattr(QuerySet, "select_for_update", spy)
        with CaptureQueriesContext(connection) as queries:
            client_for("editor").post(
                revert_url(world.playbook, "role", headcount_change, "headcount")
            )
        assert asked == [Role]
        locked = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
        expected = 1 if connection.features.has_select_for_update else 0
        assert len(locked) == expected
        assert all('"roles_role"' in sql for sql in locked)

    def test_a_rule_broken_by_another_save_is_a_message_not_an_error(
        self, world: Any, sales: Role, client_for: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The checks passed before another save made the old value break a
        rule: the database refuses, and the page says why."""
        giveget = make_giveget(sales, minutes_each=300, times_per_week=Decimal(1))
        giveget.minutes_each = 10
        giveget.save()
        minutes_change = last_change(GiveGet, giveget.pk)
        giveget.times_per_week = Decimal(100)
        giveget.save()
        checks = iter(["", None])  # first: "it can" (as before the other save); then the truth
        real = revert._why_not

        def racing(*args: Any) -> str:
            answer = next(checks)
            return real(*args) if answer is None else answer

        monkeypatch.setattr(revert, "_why_not", racing)
        response = client_for("editor").post(
            revert_url(world.playbook, "giveget", minutes_change, "minutes_each"), follow=True
        )
        assert response.status_code == 200
        assert "Not reverted: 300 min × 100 = 30000 minutes a week." in text(response)
        giveget.refresh_from_db()
        assert giveget.minutes_each == 10
