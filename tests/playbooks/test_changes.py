"""History and the changes page: who changed what, and when, as sentences."""

from __future__ import annotations

import datetime
import html
import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from actionplan.models import Step
from actionplan.services import create_default_plan
from ambassadors.models import Ambassador
from ambassadors.services import issue_link
from givegets.models import GiveGet
from planner.changelog import PER_PAGE
from planner.playbook_file import dumps, export_playbook, import_playbook, loads
from playbooks.models import Playbook
from pulse import figures
from pulse.models import HiddenComment, PulseAnswer
from roles.models import Role
from tests.factories import (
    add_member,
    make_ambassador,
    make_giveget,
    make_message,
    make_playbook,
    make_role,
)

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def url(playbook: Playbook, **query: Any) -> str:
    base = reverse("changes", args=[playbook.pk])
    if query:
        base += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return base


def sentences(response: Any) -> list[str]:
    text = response.content.decode()
    return [
        html.unescape(found)
        for found in re.findall(r'<span class="change-sentence">(.*?)</span>', text, re.S)
    ]


@pytest.fixture
def sales(world: Any) -> Role:
    return make_role(world.playbook, "Sales", headcount=40)


class TestAccess:
    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 200), ("editor", 200), ("owner", 200)],
    )
    def test_who_reads_it(self, world: Any, client_for: Any, who: str, status: int) -> None:
        response = client_for(who).get(url(world.playbook))
        assert response.status_code == status
        if status == 302:
            assert response["Location"].startswith(reverse("login"))

    def test_it_is_read_only(self, world: Any, client_for: Any) -> None:
        assert client_for("owner").post(url(world.playbook)).status_code == 405

    def test_a_tab_beside_the_others(self, world: Any, client_for: Any) -> None:
        page = client_for("viewer").get(reverse("matrix", args=[world.playbook.pk]))
        assert f'href="{url(world.playbook)}">Changes</a>' in page.content.decode()
        here = client_for("viewer").get(url(world.playbook)).content.decode()
        assert f'aria-current="page" href="{url(world.playbook)}">Changes</a>' in here


class TestSentences:
    def test_a_cell_save_names_the_person_the_field_and_both_values(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        client_for("editor").post(
            reverse("matrix_cell", args=[world.playbook.pk, sales.pk, "headcount"]),
            {f"c{sales.pk}-headcount": "45"},
            headers=HTMX,
        )
        lines = sentences(client_for("viewer").get(url(world.playbook)))
        assert lines[0] == "Edith changed the role “Sales”: headcount 40 → 45."

    def test_added_and_deleted_with_their_role(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        client = client_for("editor")
        client.post(
            reverse("giveget_create", args=[world.playbook.pk, sales.pk]),
            {
                "new-give": "Log each meeting",
                "new-minutes_each": "5",
                "new-times_per_week": "8",
                "new-get": "A report",
                "new-get_kind": "time_saved",
                "new-minutes_saved_per_week": "60",
                "new-status": "planned",
            },
        )
        giveget = GiveGet.objects.get(give="Log each meeting")
        client.post(reverse("giveget_delete", args=[world.playbook.pk, sales.pk, giveget.pk]))
        assert not GiveGet.objects.filter(pk=giveget.pk).exists()
        lines = sentences(client_for("viewer").get(url(world.playbook)))
        assert lines[:2] == [
            "Edith deleted the Give-Get “Log each meeting” of Sales.",
            "Edith added the Give-Get “Log each meeting” of Sales.",
        ]

    def test_a_deleted_roles_things_keep_its_name(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        giveget = make_giveget(sales, "Log each meeting")
        client = client_for("owner")
        client.post(reverse("giveget_delete", args=[world.playbook.pk, sales.pk, giveget.pk]))
        client.post(reverse("role_delete", args=[world.playbook.pk, sales.pk]))
        assert not Role.objects.filter(pk=sales.pk).exists()
        lines = sentences(client_for("viewer").get(url(world.playbook)))
        assert lines[:2] == [
            "Olivia deleted the role “Sales”.",
            "Olivia deleted the Give-Get “Log each meeting” of Sales.",
        ]
        # And once the role is removed for good, 30 days later.
        month_ago = timezone.now() - datetime.timedelta(days=31)
        Role.all_objects.filter(pk=sales.pk).update(deleted_at=month_ago)
        call_command("purge_history", stdout=io.StringIO())
        lines = sentences(client_for("viewer").get(url(world.playbook)))
        assert "The role “Sales” was removed for good, 30 days after its deletion." in lines
        assert "Olivia deleted the Give-Get “Log each meeting” of Sales." in lines

    def test_values_as_a_person_reads_them_in_danish(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        giveget = make_giveget(sales, "Log each meeting", times_per_week="8")
        client = client_for("editor")
        client.post(
            reverse(
                "matrix_giveget_cell",
                args=[world.playbook.pk, sales.pk, giveget.pk, "times_per_week"],
            ),
            {f"g{giveget.pk}-times_per_week": "0.25"},
            headers=HTMX,
        )
        client.post(
            reverse(
                "matrix_giveget_cell", args=[world.playbook.pk, sales.pk, giveget.pk, "status"]
            ),
            {f"g{giveget.pk}-status": "delivered"},
            headers=HTMX,
        )
        viewer = client_for("viewer")
        viewer.cookies["django_language"] = "da"
        response = viewer.get(url(world.playbook))
        lines = sentences(response)
        assert lines[0] == (
            "Edith ændrede Give-Get’en »Log each meeting« under Sales: status Planlagt → Leveret."
        )
        assert lines[1] == (
            "Edith ændrede Give-Get’en »Log each meeting« under Sales: gange om ugen 8 → 0,25."
        )
        today = timezone.localdate()
        assert f"{today.day}. " in response.content.decode()

    def test_a_person_who_saves_without_a_change(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        sales.save()
        Role.history.filter(id=sales.pk).update(history_user=world.editor)
        lines = sentences(client_for("viewer").get(url(world.playbook)))
        assert lines[0] == "Edith saved the role “Sales”, changing nothing."

    def test_an_ambassador_moved_to_another_role_names_both(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        service = make_role(world.playbook, "Service")
        ambassador = make_ambassador(sales, "Mette Sørensen")
        ambassador.role = service
        ambassador.save()
        lines = sentences(client_for("viewer").get(url(world.playbook, kind="ambassador")))
        assert lines[0] == (
            "A management command changed the ambassador Mette Sørensen (Service): "
            "role Sales → Service."
        )

    def test_members(self, world: Any, client_for: Any) -> None:
        membership = world.playbook.memberships.get(user=world.viewer)
        client_for("owner").post(
            reverse("member_level", args=[world.playbook.pk, membership.pk]), {"level": "editor"}
        )
        lines = sentences(client_for("viewer").get(url(world.playbook)))
        assert lines[0] == "Olivia changed the member Victor (Editor): level Viewer → Editor."


class TestSources:
    def test_an_import_is_named_as_such(self, world: Any, client_for: Any) -> None:
        source = make_playbook(world.owner, name="Source")
        make_role(source, "Sales")
        document = loads(dumps(export_playbook(source)))
        imported = import_playbook(document, owner=world.owner)
        add_member(imported, world.viewer, "viewer")
        lines = sentences(client_for("viewer").get(url(imported)))
        assert "A playbook file import added the role “Sales”." in lines
        assert all(
            line.startswith(("A playbook file import", "A management command")) for line in lines
        ), lines

    def test_an_import_through_the_page_names_the_person_too(
        self, world: Any, client_for: Any
    ) -> None:
        source = make_playbook(world.owner, name="Source")
        make_role(source, "Sales")
        upload = io.BytesIO(dumps(export_playbook(source)).encode())
        upload.name = "source.json"
        client_for("editor").post(reverse("playbook_import"), {"file": upload})
        imported = Playbook.objects.exclude(pk__in=[source.pk, world.playbook.pk]).get(
            name="Source"
        )
        lines = sentences(client_for("editor").get(url(imported)))
        assert "Edith (playbook file import) added the role “Sales”." in lines

    def test_a_management_command(self, world: Any, client_for: Any) -> None:
        call_command("seed_demo", "--force", stdout=io.StringIO())
        demo = Playbook.objects.get(name="Salesforce rollout")
        add_member(demo, world.viewer, "viewer")
        lines = sentences(client_for("viewer").get(url(demo, kind="role")))
        assert "A management command added the role “Sales”." in lines

    def test_use_as_template_starts_a_new_history(self, world: Any, client_for: Any) -> None:
        sales = make_role(world.playbook, "Sales", headcount=40)
        sales.headcount = 45
        sales.save()
        client_for("editor").post(
            reverse("playbook_template", args=[world.playbook.pk]),
            {"name": "Next rollout", "go_live": "2027-06-01"},
        )
        copy = Playbook.objects.get(name="Next rollout")
        lines = sentences(client_for("editor").get(url(copy, kind="role")))
        assert lines == ["Edith (playbook file import) added the role “Sales”."]
        assert "history" not in dumps(export_playbook(copy))


class TestPrivacy:
    def test_no_link_is_ever_in_the_history(self, world: Any, sales: Role) -> None:
        ambassador = make_ambassador(sales, "Mette Sørensen")
        token = issue_link(ambassador)
        ambassador.refresh_from_db()
        assert ambassador.link_hash
        names = {field.name for field in Ambassador.history.model._meta.fields}
        assert not names & {"link_hash", "link_issued_at", "link_last_opened_at"}
        assert ambassador.link_hash not in str(list(Ambassador.history.values()))
        assert token not in str(list(Ambassador.history.values()))


class TestFilters:
    @pytest.fixture
    def history(self, world: Any, sales: Role) -> None:
        service = make_role(world.playbook, "Service")
        make_giveget(sales, "Log each meeting")
        make_giveget(service, "Close each case")
        make_ambassador(sales, "Mette Sørensen")
        create_default_plan(world.playbook)

    def test_one_role_with_its_givegets_and_ambassadors(
        self, world: Any, sales: Role, history: None, client_for: Any
    ) -> None:
        lines = sentences(client_for("viewer").get(url(world.playbook, role=sales.pk)))
        assert lines == [
            "A management command added the ambassador Mette Sørensen (Sales).",
            "A management command added the Give-Get “Log each meeting” of Sales.",
            "A management command added the role “Sales”.",
        ]

    def test_one_kind(self, world: Any, sales: Role, history: None, client_for: Any) -> None:
        lines = sentences(client_for("viewer").get(url(world.playbook, kind="giveget")))
        assert sorted(lines) == [
            "A management command added the Give-Get “Close each case” of Service.",
            "A management command added the Give-Get “Log each meeting” of Sales.",
        ]
        steps = sentences(client_for("viewer").get(url(world.playbook, kind="step")))
        assert len(steps) == 7

    def test_a_role_has_no_steps(
        self, world: Any, sales: Role, history: None, client_for: Any
    ) -> None:
        response = client_for("viewer").get(url(world.playbook, role=sales.pk, kind="step"))
        assert sentences(response) == []
        assert "No changes to show." in response.content.decode()

    @pytest.mark.parametrize(
        ("query", "field", "message"),
        [
            ({"kind": "passwords"}, "kind", "Select a valid choice."),
            ({"role": "abc"}, "role", "Select a valid choice."),
            ({"role": "99999"}, "role", "Select a valid choice."),
        ],
    )
    def test_a_value_not_offered_is_said_beside_its_field(
        self, world: Any, sales: Role, client_for: Any, query: dict, field: str, message: str
    ) -> None:
        response = client_for("viewer").get(url(world.playbook, **query))
        assert response.status_code == 200
        text = response.content.decode()
        assert re.search(rf'id="error_1_id_{field}"[^>]*>.*?{message}', text, re.S), text
        assert sentences(response)  # the list stays, unfiltered

    def test_nothing_crosses_between_playbooks(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        theirs = make_role(world.other_playbook, "Their secret role")
        make_giveget(theirs, "Their secret give")
        mine = client_for("owner").get(url(world.playbook)).content.decode()
        assert "secret" not in mine
        # Their role's id is not a role of this playbook.
        response = client_for("owner").get(url(world.playbook, role=theirs.pk))
        assert "secret" not in response.content.decode()
        assert "Select a valid choice." in response.content.decode()


class TestPages:
    def test_fifty_a_page_newest_first_and_the_filter_kept(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        for headcount in range(41, 41 + PER_PAGE + 5):
            sales.headcount = headcount
            sales.save()
        client = client_for("viewer")
        first = client.get(url(world.playbook, kind="role"))
        lines = sentences(first)
        assert len(lines) == PER_PAGE
        assert lines[0].endswith("headcount 94 → 95.")
        assert "56 changes · page 1 of 2" in first.content.decode()
        assert 'href="?kind=role&amp;page=2"' in first.content.decode()
        second = sentences(client.get(url(world.playbook, kind="role", page=2)))
        assert len(second) == 6
        assert second[-1] == "A management command added the role “Sales”."
        # A page that is not a page gives the first or the last.
        assert sentences(client.get(url(world.playbook, kind="role", page="x"))) == lines
        assert sentences(client.get(url(world.playbook, kind="role", page=99))) == second

    def test_a_fixed_number_of_queries_whatever_the_length(
        self, world: Any, sales: Role, client_for: Any, django_assert_num_queries: Any
    ) -> None:
        ambassador = make_ambassador(sales, "Mette Sørensen")
        giveget = make_giveget(sales)
        create_default_plan(world.playbook)
        client = client_for("viewer")

        def every_kind_on_the_first_page() -> None:
            for each in (world.playbook, sales, giveget, ambassador, Step.objects.first()):
                assert each is not None
                each.save()
            world.playbook.memberships.first().save()
            Step.objects.first().tasks.first().save()

        every_kind_on_the_first_page()
        # session, user, membership with playbook, the roles for the filter,
        # the plan's progress for the header, the count, the page; per kind
        # (seven) its records and their previous versions; the names of
        # roles, steps and members.
        with django_assert_num_queries(24):
            short = sentences(client.get(url(world.playbook)))
        history = Role.history.model
        when = timezone.now() - datetime.timedelta(days=30)
        history.objects.bulk_create(
            history(
                id=sales.pk,
                playbook_id=world.playbook.pk,
                name="Sales",
                headcount=n,
                history_date=when,
                history_type="~",
                order=0,
            )
            for n in range(10_000)
        )
        every_kind_on_the_first_page()
        with django_assert_num_queries(24):
            long = sentences(client.get(url(world.playbook)))
        assert len(long) == PER_PAGE and len(short) < PER_PAGE


def restore_url(playbook: Playbook, kind: str, history_id: int) -> str:
    return reverse("changes_restore", args=[playbook.pk, kind, history_id])


def deletion(model: Any, pk: int) -> int:
    return model.history.get(id=pk, history_type="-").history_id


class TestRestore:
    @pytest.fixture
    def deleted(self, world: Any, sales: Role) -> tuple[GiveGet, int]:
        giveget = make_giveget(sales, "Log each meeting", minutes_each=5)
        pk = giveget.pk
        giveget.delete()
        giveget.pk = pk
        return giveget, deletion(GiveGet, pk)

    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 302), ("owner", 302)],
    )
    def test_who_restores(
        self, world: Any, deleted: tuple, client_for: Any, who: str, status: int
    ) -> None:
        giveget, history_id = deleted
        response = client_for(who).post(restore_url(world.playbook, "giveget", history_id))
        assert response.status_code == status
        back = GiveGet.objects.filter(pk=giveget.pk).first()
        assert (back is not None) == (who in ("editor", "owner"))
        if back is not None:
            assert (back.give, back.minutes_each, back.role_id) == (
                "Log each meeting",
                5,
                giveget.role_id,
            )
            assert response["Location"] == url(world.playbook)

    def test_the_button_is_an_editors_beside_what_can_come_back(
        self, world: Any, deleted: tuple, client_for: Any
    ) -> None:
        _giveget, history_id = deleted
        action = restore_url(world.playbook, "giveget", history_id)
        assert action in client_for("editor").get(url(world.playbook)).content.decode()
        assert action not in client_for("viewer").get(url(world.playbook)).content.decode()

    def test_it_comes_back_as_it_was_and_the_history_says_who(
        self, world: Any, deleted: tuple, client_for: Any
    ) -> None:
        giveget, history_id = deleted
        client = client_for("editor")
        response = client.post(
            restore_url(world.playbook, "giveget", history_id), {"query": "kind=giveget&x=1"}
        )
        assert response["Location"] == url(world.playbook, kind="giveget")
        page = client.get(response["Location"])
        assert "Restored as it was." in page.content.decode()
        assert sentences(page)[0] == "Edith restored the Give-Get “Log each meeting” of Sales."
        # The deletion is no longer offered, and a second try says why.
        assert restore_url(world.playbook, "giveget", history_id) not in page.content.decode()
        again = client.post(restore_url(world.playbook, "giveget", history_id), follow=True)
        assert "Not restored: It is back already." in again.content.decode()
        assert GiveGet.objects.filter(pk=giveget.pk).count() == 1

    def test_an_ambassador_comes_back_without_a_link(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        ambassador = make_ambassador(sales, "Mette Sørensen", email="mette@example.com")
        issue_link(ambassador)
        pk = ambassador.pk
        client_for("editor").post(reverse("ambassador_delete", args=[world.playbook.pk, pk]))
        response = client_for("editor").post(
            restore_url(world.playbook, "ambassador", deletion(Ambassador, pk)), follow=True
        )
        assert "issue a new one on the roster" in response.content.decode()
        back = Ambassador.objects.get(pk=pk)
        assert back.email == "mette@example.com" and not back.has_link

    def test_an_email_taken_since_is_said_and_nothing_comes_back(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        ambassador = make_ambassador(sales, "Mette Sørensen", email="mette@example.com")
        pk = ambassador.pk
        ambassador.delete()
        make_ambassador(sales, "Mette S.", email="METTE@example.com")
        response = client_for("editor").post(
            restore_url(world.playbook, "ambassador", deletion(Ambassador, pk)), follow=True
        )
        assert (
            "Not restored: Another ambassador of this playbook now has the e-mail "
            "mette@example.com." in html.unescape(response.content.decode())
        )
        assert not Ambassador.objects.filter(pk=pk).exists()

    def test_a_task(self, world: Any, client_for: Any) -> None:
        create_default_plan(world.playbook)
        task = Step.objects.get(playbook=world.playbook, number=1).tasks.first()
        assert task is not None
        pk, text = task.pk, task.text
        client_for("editor").post(reverse("task_delete", args=[world.playbook.pk, pk]))
        client_for("editor").post(restore_url(world.playbook, "task", deletion(type(task), pk)))
        assert type(task).objects.get(pk=pk).text == text

    def test_not_while_its_role_is_deleted(
        self, world: Any, deleted: tuple, sales: Role, client_for: Any
    ) -> None:
        giveget, history_id = deleted
        sales.delete()
        client = client_for("editor")
        assert (
            restore_url(world.playbook, "giveget", history_id)
            not in client.get(url(world.playbook)).content.decode()
        )
        response = client.post(restore_url(world.playbook, "giveget", history_id), follow=True)
        assert "Its role was deleted: restore the role first." in response.content.decode()
        assert not GiveGet.objects.filter(pk=giveget.pk).exists()

    def test_only_this_playbooks_deletions_and_only_deletions(
        self, world: Any, deleted: tuple, sales: Role, client_for: Any
    ) -> None:
        theirs = make_giveget(make_role(world.other_playbook, "Theirs"), "Their give")
        their_pk = theirs.pk
        theirs.delete()
        client = client_for("owner")  # Olivia is not a member of Oscar's playbook
        their_deletion = deletion(GiveGet, their_pk)
        assert (
            client.post(restore_url(world.playbook, "giveget", their_deletion)).status_code == 404
        )
        assert not GiveGet.objects.filter(pk=their_pk).exists()
        created = GiveGet.history.filter(history_type="+").first()
        assert created is not None
        assert (
            client.post(restore_url(world.playbook, "giveget", created.history_id)).status_code
            == 404
        )
        role_record = Role.history.get(id=sales.pk)
        assert (
            client.post(restore_url(world.playbook, "role", role_record.history_id)).status_code
            == 404
        )
        assert client.get(restore_url(world.playbook, "giveget", deleted[1])).status_code == 405


class TestUndo:
    """After a delete, Undo: a plain form on the next page without JavaScript,
    out of band with htmx; it brings the thing back and returns to the page."""

    def undo_form(self, text: str) -> tuple[str, str]:
        found = re.search(
            r'<div id="undo"[^>]*>\s*<form method="post" action="([^"]+)".*?'
            r'name="next" value="([^"]+)"',
            text,
            re.S,
        )
        assert found, text
        return found.group(1), html.unescape(found.group(2))

    def test_a_giveget_on_the_role_page(self, world: Any, sales: Role, client_for: Any) -> None:
        giveget = make_giveget(sales, "Log each meeting")
        pk = giveget.pk
        client = client_for("editor")
        page = client.post(
            reverse("giveget_delete", args=[world.playbook.pk, sales.pk, pk]), follow=True
        ).content.decode()
        assert "Give-Get deleted." in page
        assert "Bring back the Give-Get “Log each meeting”." in page
        action, back = self.undo_form(page)
        assert action == restore_url(world.playbook, "giveget", deletion(GiveGet, pk))
        assert back == reverse("role_detail", args=[world.playbook.pk, sales.pk]) + "#givegets"
        # Shown once: the page after does not offer it again.
        assert "Bring back" not in client.get(url(world.playbook)).content.decode()
        response = client.post(action, {"next": back})
        assert response["Location"] == back
        assert GiveGet.objects.filter(pk=pk, give="Log each meeting").exists()
        assert "Restored as it was." in client.get(back).content.decode()

    def test_a_giveget_in_the_matrix_with_htmx(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        giveget = make_giveget(sales, "Log each meeting")
        pk = giveget.pk
        client = client_for("editor")
        response = client.post(
            reverse("matrix_giveget_delete", args=[world.playbook.pk, sales.pk, pk]),
            headers=HTMX,
        )
        text = response.content.decode()
        assert (
            '<template><div id="undo" class="undo-region" aria-live="polite" '
            'hx-swap-oob="true">' in text
        )
        action, back = self.undo_form(text)
        assert action == restore_url(world.playbook, "giveget", deletion(GiveGet, pk))
        assert back.startswith(reverse("matrix", args=[world.playbook.pk]))
        # Nothing left in the session for a later page.
        assert "Bring back" not in client.get(url(world.playbook)).content.decode()
        client.post(action, {"next": back})
        assert GiveGet.objects.filter(pk=pk).exists()

    @pytest.mark.parametrize("htmx", [False, True])
    def test_an_ambassador(self, world: Any, sales: Role, client_for: Any, htmx: bool) -> None:
        ambassador = make_ambassador(sales, "Mette Sørensen")
        pk = ambassador.pk
        client = client_for("editor")
        response = client.post(
            reverse("ambassador_delete", args=[world.playbook.pk, pk]),
            headers=HTMX if htmx else {},
            follow=not htmx,
        )
        text = response.content.decode()
        assert "Bring back Mette Sørensen (without the personal link)." in text
        action, back = self.undo_form(text)
        assert back == reverse("roster", args=[world.playbook.pk])
        client.post(action, {"next": back})
        assert Ambassador.objects.filter(pk=pk).exists()

    @pytest.mark.parametrize("htmx", [False, True])
    def test_a_task(self, world: Any, client_for: Any, htmx: bool) -> None:
        create_default_plan(world.playbook)
        task = Step.objects.get(playbook=world.playbook, number=2).tasks.first()
        assert task is not None
        pk = task.pk
        client = client_for("editor")
        response = client.post(
            reverse("task_delete", args=[world.playbook.pk, pk]),
            headers=HTMX if htmx else {},
            follow=not htmx,
        )
        action, back = self.undo_form(response.content.decode())
        assert back.startswith(reverse("plan", args=[world.playbook.pk]))
        client.post(action, {"next": back})
        assert type(task).objects.filter(pk=pk).exists()

    def test_undo_never_leaves_the_site(
        self, world: Any, deleted: tuple[GiveGet, int], client_for: Any
    ) -> None:
        giveget, history_id = deleted
        response = client_for("editor").post(
            restore_url(world.playbook, "giveget", history_id),
            {"next": "https://evil.example/phish"},
        )
        assert response["Location"] == url(world.playbook)
        assert GiveGet.objects.filter(pk=giveget.pk).exists()

    @pytest.fixture
    def deleted(self, world: Any, sales: Role) -> tuple[GiveGet, int]:
        giveget = make_giveget(sales, "Log each meeting")
        pk = giveget.pk
        giveget.delete()
        giveget.pk = pk
        return giveget, deletion(GiveGet, pk)


class TestErasure:
    def erase_url(self, world: Any, pk: int) -> str:
        return reverse("ambassador_erase", args=[world.playbook.pk, pk])

    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 403), ("owner", 302)],
    )
    def test_owners_only(
        self, world: Any, sales: Role, client_for: Any, who: str, status: int
    ) -> None:
        ambassador = make_ambassador(sales, "Mette Sørensen")
        client = client_for(who)
        if who == "owner":
            page = client.get(self.erase_url(world, ambassador.pk)).content.decode()
            assert "This cannot be undone." in page
        response = client.post(self.erase_url(world, ambassador.pk))
        assert response.status_code == status
        assert Ambassador.objects.filter(pk=ambassador.pk).exists() == (who != "owner")

    def test_the_history_keeps_nothing_of_the_person(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        ambassador = make_ambassador(
            sales, "Mette Sørensen", email="mette@example.com", notes="Prefers mornings"
        )
        ambassador.department = "Sales Copenhagen"
        ambassador.save()
        pk = ambassador.pk
        client_for("editor").post(reverse("ambassador_delete", args=[world.playbook.pk, pk]))
        response = client_for("owner").post(self.erase_url(world, pk), follow=True)
        assert "The person was removed for good." in response.content.decode()
        records = list(Ambassador.history.filter(id=pk).values("name", "email", "notes"))
        assert records and all(r == {"name": "", "email": "", "notes": ""} for r in records)

    def test_the_changes_page_speaks_of_a_removed_person_and_offers_no_restore(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        ambassador = make_ambassador(sales, "Mette Sørensen", email="mette@example.com")
        pk = ambassador.pk
        client_for("owner").post(self.erase_url(world, pk))
        response = client_for("editor").get(url(world.playbook, kind="ambassador"))
        text = response.content.decode()
        assert "Mette" not in text and "mette@" not in text
        assert sentences(response)[0] == ("Olivia deleted the ambassador a removed person (Sales).")
        history_id = deletion(Ambassador, pk)
        assert restore_url(world.playbook, "ambassador", history_id) not in text
        refused = client_for("editor").post(
            restore_url(world.playbook, "ambassador", history_id), follow=True
        )
        assert "This person was removed for good." in refused.content.decode()
        assert not Ambassador.objects.filter(pk=pk).exists()

    def test_an_owner_can_erase_a_person_deleted_before(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        ambassador = make_ambassador(sales, "Mette Sørensen")
        pk = ambassador.pk
        ambassador.delete()
        link = self.erase_url(world, pk)
        assert link in client_for("owner").get(url(world.playbook)).content.decode()
        assert link not in client_for("editor").get(url(world.playbook)).content.decode()
        confirm = client_for("owner").get(link).content.decode()
        assert "Remove Mette Sørensen for good?" in confirm
        client_for("owner").post(link)
        assert not Ambassador.history.filter(id=pk).exclude(name="").exists()
        assert client_for("owner").get(link).status_code == 404  # nothing left to erase


class TestPurge:
    """A deleted playbook's history stays 30 days (in the admin), then goes."""

    def fill(self, owner: Any, name: str) -> Playbook:
        playbook = make_playbook(owner, name=name)
        role = make_role(playbook, "Sales")
        make_giveget(role)
        make_ambassador(role, f"Person of {name}")
        create_default_plan(playbook)
        make_message(playbook, role, f"News from {name}")  # a message: in the history too
        # A hidden pulse comment: its hide is in the history too.
        answer = PulseAnswer.objects.create(
            role=role, week=1, cost_minutes=0, saved_minutes=0, got_back=3, comment="No"
        )
        HiddenComment.objects.create(answer=answer, role=role, week=1)
        # An adoption figure: in the history too.
        playbook.go_live = timezone.localdate() - datetime.timedelta(days=30)
        playbook.save()
        role.headcount = 40
        role.save()
        figures.replace(playbook, {(role.pk, 1): 30})
        return playbook

    def counts(self, playbook_id: int) -> dict[str, int]:
        from planner.changelog import histories

        return {kind: qs.count() for kind, qs in histories(playbook_id)}

    def test_the_command_purges_only_playbooks_deleted_over_30_days_ago(self, world: Any) -> None:
        old = self.fill(world.owner, "Old")
        recent = self.fill(world.owner, "Recent")
        kept = self.fill(world.owner, "Kept")
        old_pk, recent_pk = old.pk, recent.pk
        old.delete()
        recent.delete()
        month_ago = timezone.now() - datetime.timedelta(days=31)
        Playbook.history.filter(id=old_pk, history_type="-").update(history_date=month_ago)
        assert all(self.counts(old_pk).values())
        out = io.StringIO()
        call_command("purge_history", stdout=out)
        assert out.getvalue().splitlines() == [
            f"History removed for 1 deleted playbook(s): {old_pk}.",
            "Removed for good 0 role(s) deleted over 30 days ago.",
        ]
        assert set(self.counts(old_pk).values()) == {0}
        assert all(self.counts(recent_pk).values())
        assert all(self.counts(kept.pk).values())
        assert all(self.counts(world.playbook.pk)[kind] for kind in ("playbook", "member"))

    def test_a_deletion_schedules_its_purge_in_30_days(
        self, world: Any, client_for: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        from django.tasks import default_task_backend

        default_task_backend.clear()
        pk = world.playbook.pk
        with django_capture_on_commit_callbacks(execute=True):
            client_for("owner").post(reverse("playbook_delete", args=[pk]))
        purges = [
            r for r in default_task_backend.results if r.task.name == "purge_playbook_history_task"
        ]
        assert [r.args for r in purges] == [[pk]]
        run_after = purges[0].task.run_after
        assert run_after is not None
        assert abs(run_after - timezone.now() - datetime.timedelta(days=30)) < datetime.timedelta(
            minutes=1
        )
        # The task removes it when it runs (and leaves a living playbook alone).
        from planner.tasks import purge_playbook_history_task

        purge_playbook_history_task.call(pk)
        assert set(self.counts(pk).values()) == {0}

    def test_the_admin_lists_a_deleted_playbooks_versions_read_only(
        self, world: Any, client: Any
    ) -> None:
        from tests.factories import make_user

        name = world.playbook.name
        world.playbook.delete()
        client.force_login(make_user("root", is_superuser=True, is_staff=True))
        changelist = reverse("admin:playbooks_historicalplaybook_changelist")
        page = client.get(changelist, {"history_type": "-"})
        assert page.status_code == 200 and name in page.content.decode()
        assert client.get(reverse("admin:playbooks_historicalplaybook_add")).status_code == 403


class TestRestoreAtTheSameMoment:
    def test_two_editors_restoring_at_once_get_a_message_not_an_error(
        self, world: Any, sales: Role, client_for: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The second restore passed its checks before the first one saved:
        the database refuses it, and the page says why."""
        from planner import changelog

        giveget = make_giveget(sales, "Log each meeting")
        pk = giveget.pk
        giveget.delete()
        history_id = deletion(GiveGet, pk)
        client_for("owner").post(restore_url(world.playbook, "giveget", history_id))
        checks = iter(["", None])  # first: "it can" (as before the other save); then the truth
        real = changelog._why_not_restored

        def racing(*args: Any) -> str:
            answer = next(checks)
            return real(*args) if answer is None else answer

        monkeypatch.setattr(changelog, "_why_not_restored", racing)
        response = client_for("editor").post(
            restore_url(world.playbook, "giveget", history_id), follow=True
        )
        assert response.status_code == 200
        assert "Not restored: It is back already." in response.content.decode()
        assert GiveGet.objects.filter(pk=pk).count() == 1
