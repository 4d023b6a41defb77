"""Adoption figures on the changes page (issue 19): their history as
sentences a person reads, filtered, purged, in a fixed number of queries,
and neither restored nor reverted from there (the grid and the import are
where a figure is written)."""

from __future__ import annotations

import datetime
import html
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from simple_history.models import HistoricalRecords

from actionplan.models import Step
from actionplan.services import create_default_plan
from planner.changelog import histories, purge_deleted_role, purge_playbook_history
from planner.playbook_file import dumps, export_playbook, import_playbook, loads
from playbooks.models import Playbook
from pulse import figures
from pulse.models import AdoptionFigure
from roles.models import Role
from tests.factories import add_member, make_ambassador, make_giveget, make_role

pytestmark = pytest.mark.django_db

GO_LIVE = datetime.date(2027, 3, 1)
TODAY = GO_LIVE + datetime.timedelta(days=8 * 7 + 3)  # weeks 1-8 closed


@pytest.fixture(autouse=True)
def today(pulse_day: Any) -> None:
    pulse_day.set(TODAY)


@pytest.fixture
def sales(world: Any) -> Role:
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    return make_role(world.playbook, "Sales", headcount=40)


@contextmanager
def by(user: Any) -> Iterator[None]:
    """Writes made as ``user`` in a request (as the grid's and the import's are)."""
    request = RequestFactory().post("/")
    request.user = user
    HistoricalRecords.context.request = request
    try:
        yield
    finally:
        del HistoricalRecords.context.request


def url(playbook: Playbook, **query: Any) -> str:
    base = reverse("changes", args=[playbook.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def sentences(response: Any) -> list[str]:
    text = response.content.decode()
    return [
        html.unescape(found)
        for found in re.findall(r'<span class="change-sentence">(.*?)</span>', text, re.S)
    ]


def figure_history(role: Role, week: int) -> Any:
    return AdoptionFigure.history.filter(role_id=role.pk, week=week).order_by("-history_id")


class TestSentences:
    def test_added_changed_and_removed_with_who(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        with by(world.editor):
            figures.replace(world.playbook, {(sales.pk, 3): 29})
            figures.replace(world.playbook, {(sales.pk, 3): 31})
        with by(world.owner):
            figures.clear(world.playbook, sales, 3)
        lines = sentences(client_for("viewer").get(url(world.playbook, kind="adoption")))
        assert lines == [
            "Olivia removed the adoption figure of Sales, week 3 (it was 31 active users).",
            "Edith changed the adoption figure of Sales, week 3: active users 29 → 31.",
            "Edith added the adoption figure of Sales, week 3: 29 active users.",
        ]

    def test_one_active_user_and_thousands(self, world: Any, sales: Role, client_for: Any) -> None:
        sales.headcount = 5000
        sales.save()
        with by(world.editor):
            figures.replace(world.playbook, {(sales.pk, 1): 1, (sales.pk, 2): 1250})
            figures.replace(world.playbook, {(sales.pk, 2): 2400})
        lines = sentences(client_for("viewer").get(url(world.playbook, kind="adoption")))
        assert lines[0] == (
            "Edith changed the adoption figure of Sales, week 2: active users 1,250 → 2,400."
        )
        assert sorted(lines[1:]) == [
            "Edith added the adoption figure of Sales, week 1: 1 active user.",
            "Edith added the adoption figure of Sales, week 2: 1,250 active users.",
        ]

    def test_in_danish(self, world: Any, sales: Role, client_for: Any) -> None:
        sales.headcount = 5000
        sales.save()
        with by(world.editor):
            figures.replace(world.playbook, {(sales.pk, 2): 1250})
            figures.replace(world.playbook, {(sales.pk, 2): 2400})
        client = client_for("viewer")
        client.cookies["django_language"] = "da"
        with translation.override("da"):
            page = client.get(
                url(world.playbook, kind="adoption"), headers={"Accept-Language": "da"}
            )
        lines = sentences(page)
        assert "1.250" in lines[0] and "2.400" in lines[0], lines

    def test_a_playbook_file_import_is_named_as_such(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        create_default_plan(world.playbook)
        figures.replace(world.playbook, {(sales.pk, 3): 31})
        document = loads(dumps(export_playbook(world.playbook)))
        imported = import_playbook(document, owner=world.owner)
        add_member(imported, world.viewer, "viewer")
        lines = sentences(client_for("viewer").get(url(imported, kind="adoption")))
        assert lines == [
            "A playbook file import added the adoption figure of Sales, week 3: 31 active users."
        ]

    def test_an_import_through_the_page_names_the_person_too(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        create_default_plan(world.playbook)
        figures.replace(world.playbook, {(sales.pk, 3): 31})
        upload = io.BytesIO(dumps(export_playbook(world.playbook)).encode())
        upload.name = "rollout.json"
        client_for("editor").post(reverse("playbook_import"), {"file": upload})
        imported = Playbook.objects.exclude(pk__in=[world.playbook.pk, world.other_playbook.pk])
        lines = sentences(client_for("editor").get(url(imported.get(), kind="adoption")))
        assert lines == [
            "Edith (playbook file import) added the adoption figure of Sales, week 3: "
            "31 active users."
        ]

    def test_a_deleted_roles_figures_keep_its_name(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        figures.replace(world.playbook, {(sales.pk, 1): 20})
        client_for("owner").post(reverse("role_delete", args=[world.playbook.pk, sales.pk]))
        lines = sentences(client_for("viewer").get(url(world.playbook, kind="adoption")))
        assert lines == [
            "A management command added the adoption figure of Sales, week 1: 20 active users."
        ]


class TestAccess:
    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 200), ("editor", 200), ("owner", 200)],
    )
    def test_who_reads_the_figures_history(
        self, world: Any, sales: Role, client_for: Any, who: str, status: int
    ) -> None:
        figures.replace(world.playbook, {(sales.pk, 1): 20})
        response = client_for(who).get(url(world.playbook, kind="adoption"))
        assert response.status_code == status
        if status == 200:
            assert sentences(response) == [
                "A management command added the adoption figure of Sales, week 1: 20 active users."
            ]
        else:
            assert b"adoption figure" not in response.content


class TestFilters:
    def test_the_kind_is_offered_and_filters(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        figures.replace(world.playbook, {(sales.pk, 1): 20})
        response = client_for("viewer").get(url(world.playbook))
        assert '<option value="adoption">Adoption figures</option>' in response.content.decode()
        everything = sentences(response)
        assert everything[0].startswith("A management command added the adoption figure")
        only = sentences(client_for("viewer").get(url(world.playbook, kind="adoption")))
        assert len(only) == 1

    def test_a_role_with_its_figures_only(self, world: Any, sales: Role, client_for: Any) -> None:
        service = make_role(world.playbook, "Service", headcount=40)
        figures.replace(world.playbook, {(sales.pk, 1): 20, (service.pk, 1): 30})
        lines = sentences(client_for("viewer").get(url(world.playbook, role=service.pk)))
        assert lines == [
            "A management command added the adoption figure of Service, week 1: 30 active users.",
            "A management command added the role “Service”.",
        ]

    def test_nothing_crosses_between_playbooks(self, world: Any, client_for: Any) -> None:
        theirs = world.other_playbook
        theirs.go_live = GO_LIVE
        theirs.save()
        secret = make_role(theirs, "Their secret role", headcount=40)
        figures.replace(theirs, {(secret.pk, 2): 777})
        for who in ("viewer", "owner"):
            page = client_for(who).get(url(world.playbook, kind="adoption")).content.decode()
            text = re.sub(r"<[^>]+>", " ", page)  # not in a CSRF token
            assert "secret" not in page and "777" not in text
        record = figure_history(secret, 2).get()
        # Their figure's line is neither restorable nor revertible from our playbook.
        for action in (
            reverse("changes_restore", args=[world.playbook.pk, "adoption", record.history_id]),
            reverse(
                "changes_revert",
                args=[world.playbook.pk, "adoption", record.history_id, "active_users"],
            ),
        ):
            assert client_for("owner").post(action).status_code == 404


class TestNoRestoreNoRevert:
    """A figure is written by the grid or an import (pulse.figures: closed
    weeks, the 2k rule, the version and the PDF); the changes page shows its
    history and offers no button for it."""

    @pytest.mark.parametrize("who", ["viewer", "editor", "owner"])
    def test_no_button_on_a_figures_line(
        self, world: Any, sales: Role, client_for: Any, who: str
    ) -> None:
        figures.replace(world.playbook, {(sales.pk, 3): 29})
        figures.replace(world.playbook, {(sales.pk, 3): 31})
        figures.clear(world.playbook, sales, 3)
        text = client_for(who).get(url(world.playbook, kind="adoption")).content.decode()
        assert len(re.findall(r'class="change[^"]*change-adoption"', text)) == 3
        assert "/restore/" not in text and "/revert/" not in text

    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 404), ("owner", 404)],
    )
    def test_posting_anyway_is_refused_without_a_change(
        self, world: Any, sales: Role, client_for: Any, who: str, status: int
    ) -> None:
        figures.replace(world.playbook, {(sales.pk, 3): 29})
        figures.replace(world.playbook, {(sales.pk, 3): 31})
        changed = figure_history(sales, 3).first()
        figures.clear(world.playbook, sales, 3)
        deleted = figure_history(sales, 3).first()
        assert (changed.history_type, deleted.history_type) == ("~", "-")
        client = client_for(who)
        for action in (
            reverse("changes_restore", args=[world.playbook.pk, "adoption", deleted.history_id]),
            reverse(
                "changes_revert",
                args=[world.playbook.pk, "adoption", changed.history_id, "active_users"],
            ),
            reverse(
                "changes_revert", args=[world.playbook.pk, "adoption", changed.history_id, "week"]
            ),
        ):
            assert client.post(action).status_code == status
        assert not AdoptionFigure.objects.exists()


class TestPurge:
    def test_a_deleted_playbooks_figures_history_goes_with_it(
        self, world: Any, sales: Role
    ) -> None:
        figures.replace(world.playbook, {(sales.pk, week): 20 for week in (1, 2)})
        pk = world.playbook.pk
        counts = {kind: qs.count() for kind, qs in histories(pk)}
        assert counts["adoption"] == 2
        world.playbook.delete()
        assert AdoptionFigure.history.filter(role_id=sales.pk).count() == 4  # and their deletions
        purge_playbook_history(pk)
        assert not AdoptionFigure.history.filter(role_id=sales.pk).exists()
        assert set({kind: qs.count() for kind, qs in histories(pk)}.values()) == {0}

    def test_the_command_purges_them_too(self, world: Any, sales: Role) -> None:
        figures.replace(world.playbook, {(sales.pk, 1): 20})
        pk = world.playbook.pk
        world.playbook.delete()
        month_ago = timezone.now() - datetime.timedelta(days=31)
        Playbook.history.filter(id=pk, history_type="-").update(history_date=month_ago)
        call_command("purge_history", stdout=io.StringIO())
        assert not AdoptionFigure.history.exists()

    def test_a_role_removed_for_good_says_so_for_its_figures(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        figures.replace(world.playbook, {(sales.pk, 1): 20})
        client_for("owner").post(reverse("role_delete", args=[world.playbook.pk, sales.pk]))
        Role.all_objects.filter(pk=sales.pk).update(
            deleted_at=timezone.now() - datetime.timedelta(days=31)
        )
        assert purge_deleted_role(sales.pk)
        assert not AdoptionFigure.objects.exists()
        lines = sentences(client_for("viewer").get(url(world.playbook, kind="adoption")))
        assert lines[0] == (
            "The adoption figure of Sales, week 1 was removed for good, 30 days after its deletion."
        )


class TestQueries:
    def test_a_fixed_number_whatever_the_number_of_figures(
        self, world: Any, sales: Role, client_for: Any, django_assert_num_queries: Any
    ) -> None:
        ambassador = make_ambassador(sales, "Mette Sørensen")
        giveget = make_giveget(sales)
        create_default_plan(world.playbook)
        client = client_for("viewer")

        def every_kind_on_the_first_page(value: int) -> None:
            for each in (world.playbook, sales, giveget, ambassador, Step.objects.first()):
                assert each is not None
                each.save()
            world.playbook.memberships.first().save()
            Step.objects.first().tasks.first().save()
            figures.replace(world.playbook, {(sales.pk, 1): value})

        figures.replace(world.playbook, {(sales.pk, 1): 9})
        every_kind_on_the_first_page(10)  # each line on the page a change of a version before
        # session, user, membership with playbook, the roles for the filter,
        # the plan's progress for the header, the count, the page; per kind
        # (eight: every kind but hidden comments) its records and their previous
        # versions; the names of roles, steps and members.
        with django_assert_num_queries(26):
            short = sentences(client.get(url(world.playbook)))
        service = make_role(world.playbook, "Service", headcount=4000)
        history = AdoptionFigure.history.model
        when = timezone.now() - datetime.timedelta(days=30)
        history.objects.bulk_create(
            history(
                id=10_000 + n,
                role_id=service.pk,
                week=1 + n % 8,
                active_users=n,
                version=1,
                history_date=when,
                history_type="~",
            )
            for n in range(10_000)
        )
        every_kind_on_the_first_page(11)
        with django_assert_num_queries(26):
            long = sentences(client.get(url(world.playbook)))
        assert len(long) == 50 and len(short) < 50
        assert any("adoption figure" in line for line in short)
        # Only figures: session, user, membership with playbook, the roles for
        # the filter, the count, the page, the figures' records and their
        # previous versions, the roles' names, the plan's progress for the header.
        with django_assert_num_queries(10):
            only = sentences(client.get(url(world.playbook, kind="adoption")))
        assert len(only) == 50
        assert only[0] == "A management command changed the adoption figure of Sales, week 1: " + (
            "active users 10 → 11."
        )
