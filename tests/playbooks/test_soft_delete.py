"""Roles are soft-deleted (DESIGN.md "History, undo and two people editing"):
hidden at once with everything under them, their ambassadors' links revoked;
Undo and Restore bring them back as they were for 30 days; then purged."""

from __future__ import annotations

import csv
import datetime
import html
import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from actionplan.services import create_default_plan
from ambassadors.models import Ambassador
from ambassadors.services import issue_link
from givegets.models import GiveGet
from planner import changelog
from planner.grid import matrix_summary
from planner.services import delete_role
from playbooks.models import Playbook
from roles.models import Role
from tests.factories import make_ambassador, make_giveget, make_role
from tests.playbooks.test_changes import restore_url, sentences, url

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
WHO = [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 302), ("owner", 302)]


@pytest.fixture
def sales(world: Any) -> Role:
    """Sales with three Give-Gets and two ambassadors, both with a link."""
    role = make_role(
        world.playbook,
        "Sales",
        headcount=40,
        question="Does it help me close deals faster?",
        quick_win="Pipeline on the phone",
        speed=4,
        friction=2,
    )
    make_giveget(role, "Log each meeting", minutes_each=5, times_per_week=8)
    make_giveget(role, "Update the forecast", minutes_each=10, times_per_week=1, order=1)
    make_giveget(role, "Tag each lead", minutes_each=1, times_per_week=20, order=2)
    for name in ("Mette Sørensen", "Jonas Holm"):
        issue_link(make_ambassador(role, name))
    return role


@pytest.fixture
def service(world: Any) -> Role:
    role = make_role(world.playbook, "Service", headcount=12)
    make_giveget(role, "Close each case")
    return role


def soft_deletion(role: Role) -> int:
    """The history record of the role's latest deletion."""
    record = (
        Role.history.filter(id=role.pk, deleted_at__isnull=False, history_type="~")
        .order_by("-history_date", "-history_id")
        .first()
    )
    assert record is not None
    return record.history_id


def deleted(role: Role) -> Role:
    delete_role(role=role)
    return role


def undo_form(text: str) -> tuple[str, str]:
    found = re.search(
        r'<div id="undo"[^>]*>\s*<form method="post" action="([^"]+)".*?'
        r'name="next" value="([^"]+)"',
        text,
        re.S,
    )
    assert found, text
    return found.group(1), html.unescape(found.group(2))


class TestHidden:
    """A deleted role is gone from every page at once, with what is under it."""

    def test_the_managers_hide_it_and_what_is_under_it(
        self, world: Any, sales: Role, service: Role
    ) -> None:
        deleted(sales)
        assert list(world.playbook.roles.all()) == [service]
        assert Role.all_objects.filter(pk=sales.pk).exists()
        assert not GiveGet.objects.filter(role=sales).exists()
        assert GiveGet.all_objects.filter(role=sales).count() == 3
        assert not Ambassador.objects.filter(role=sales).exists()
        assert not world.playbook.ambassadors.exists()
        assert Ambassador.all_objects.filter(role=sales).count() == 2

    def test_pages_and_files_show_nothing_of_it(
        self, world: Any, sales: Role, service: Role, client_for: Any
    ) -> None:
        create_default_plan(world.playbook)  # the plan lists the quick wins in its steps
        client = client_for("editor")
        pk = world.playbook.pk
        pages = {
            # What each shows of Sales while it is there.
            "playbook_detail": ["Sales", "2 ambassadors for"],
            "matrix": ["Sales", "Pipeline on the phone", "Mette Sørensen"],
            "roster": ["Sales", "Mette Sørensen", "Jonas Holm"],
            "roster_export": ["Sales", "Mette Sørensen"],
            "plan": [f'id="qw-{sales.pk}"'],
            "playbook_export": ["Sales", "Log each meeting", "Mette Sørensen"],
        }

        def shows(name: str) -> list[bool]:
            text = html.unescape(client.get(reverse(name, args=[pk])).content.decode())
            # Whole words: "Sales" but not "Salesforce".
            return [bool(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)) for p in pages[name]]

        assert all(all(shows(name)) for name in pages), {name: shows(name) for name in pages}
        deleted(sales)
        assert not any(any(shows(name)) for name in pages), {name: shows(name) for name in pages}
        for name in ("role_detail", "role_one_pager"):
            assert client.get(reverse(name, args=[pk, sales.pk])).status_code == 404
        summary = matrix_summary(world.playbook)
        assert set(summary.names) == {service.pk} and summary.total_people == 12
        out = io.StringIO()
        call_command("export_playbook", pk, stdout=out)
        assert '"name": "Sales"' not in out.getvalue() and '"name": "Service"' in out.getvalue()

    def test_the_pdf_leaves_it_out(
        self, world: Any, sales: Role, service: Role, client_for: Any
    ) -> None:
        from tests.playbooks.test_pdf import read, text_of

        deleted(sales)
        response = client_for("viewer").get(reverse("playbook_pdf", args=[world.playbook.pk]))
        text = text_of(read(response.content))
        assert "Service" in text and "Log each meeting" not in text and "Mette" not in text

    def test_its_ambassadors_pages_are_not_found_even_with_a_link(
        self, world: Any, sales: Role, client: Any
    ) -> None:
        ambassador = Ambassador.objects.get(role=sales, name="Mette Sørensen")
        token = issue_link(ambassador)
        assert client.get(reverse("ambassador_page", args=[token])).status_code == 200
        # Hidden by the role's mark alone, before the links are revoked.
        Role.objects.filter(pk=sales.pk).update(deleted_at=timezone.now())
        assert client.get(reverse("ambassador_page", args=[token])).status_code == 404
        assert client.get(reverse("ambassador_one_pager", args=[token])).status_code == 404

    def test_a_one_pager_whose_role_is_deleted_meanwhile_is_the_links_not_found_page(
        self, world: Any, sales: Role, client: Any, monkeypatch: Any
    ) -> None:
        """The link was read, then someone else deleted the role before its
        one-pager was built: the plain page of links that do not work (in the
        playbook's language, no cookie), never the app's 404 or a 500."""
        import planner.public

        token = issue_link(Ambassador.objects.get(role=sales, name="Mette Sørensen"))
        build = planner.public.one_pager_document

        def deleted_meanwhile(playbook: Any, role_id: int, **kwargs: Any) -> Any:
            delete_role(role=Role.objects.get(pk=role_id))
            return build(playbook, role_id, **kwargs)

        monkeypatch.setattr(planner.public, "one_pager_document", deleted_meanwhile)
        response = client.get(reverse("ambassador_one_pager", args=[token]))
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
        assert "Go to my playbooks" not in response.content.decode()
        assert not response.cookies

    def test_a_new_role_may_take_its_name(self, world: Any, sales: Role, client_for: Any) -> None:
        deleted(sales)
        client_for("editor").post(
            reverse("matrix_add", args=[world.playbook.pk]),
            {"add-name": "sales", "add-headcount": "3"},
        )
        assert world.playbook.roles.get().name == "sales"
        # Not two living ones: the database says so.
        with pytest.raises(IntegrityError):
            Role.objects.create(playbook=world.playbook, name="SALES")


class TestAnEmailUnderADeletedRole:
    """The database keeps an e-mail unique among all ambassadors of a playbook,
    those of deleted roles too (the role comes back with them): a new
    ambassador with such an e-mail is refused with a message saying why."""

    def test_the_form_says_whose_it_is(
        self, world: Any, sales: Role, service: Role, client_for: Any
    ) -> None:
        email = Ambassador.all_objects.get(role=sales, name="Mette Sørensen").email
        deleted(sales)
        response = client_for("editor").post(
            reverse("ambassador_add", args=[world.playbook.pk]),
            {
                "add-role": service.pk,
                "add-name": "Mette S.",
                "add-email": email.upper(),
                "add-influence": "3",
                "add-training": "not_started",
            },
        )
        assert response.status_code == 200
        text = html.unescape(response.content.decode())
        assert "Mette Sørensen of the deleted role “Sales” has this e-mail." in text
        assert Ambassador.all_objects.filter(email__iexact=email).count() == 1

    def test_the_roster_file_too(
        self, world: Any, sales: Role, service: Role, client_for: Any
    ) -> None:
        email = Ambassador.all_objects.get(role=sales, name="Mette Sørensen").email
        deleted(sales)
        rows = io.StringIO()
        csv.writer(rows).writerows([["name", "email", "role"], ["Mette S.", email, "Service"]])
        upload = io.BytesIO(rows.getvalue().encode())
        upload.name = "roster.csv"
        response = client_for("editor").post(
            reverse("roster_import", args=[world.playbook.pk]), {"file": upload}, follow=True
        )
        assert response.status_code == 200
        assert "of the deleted role “Sales” has this e-mail" in html.unescape(
            response.content.decode()
        )
        assert not Ambassador.objects.filter(role=service).exists()


class TestDelete:
    @pytest.mark.parametrize(("who", "status"), WHO)
    @pytest.mark.parametrize("view", ["role_delete", "matrix_delete"])
    def test_who_deletes(
        self, world: Any, sales: Role, client_for: Any, view: str, who: str, status: int
    ) -> None:
        response = client_for(who).post(reverse(view, args=[world.playbook.pk, sales.pk]))
        assert response.status_code == status
        assert Role.objects.filter(pk=sales.pk).exists() == (status != 302 or who == "anonymous")

    @pytest.mark.parametrize("view", ["role_delete", "matrix_delete"])
    def test_not_through_another_playbook(self, world: Any, client_for: Any, view: str) -> None:
        theirs = make_role(world.other_playbook, "Theirs")
        response = client_for("owner").post(reverse(view, args=[world.playbook.pk, theirs.pk]))
        assert response.status_code == 404
        assert Role.objects.filter(pk=theirs.pk).exists()

    def test_a_deleted_role_cannot_be_deleted_again(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        deleted(sales)
        for view in ("role_delete", "matrix_delete"):
            response = client_for("editor").post(reverse(view, args=[world.playbook.pk, sales.pk]))
            assert response.status_code == 404

    def test_the_confirmation_says_it_can_be_undone(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        page = client_for("editor").get(reverse("role_delete", args=[world.playbook.pk, sales.pk]))
        text = html.unescape(page.content.decode())
        assert "their personal links are revoked" in text
        assert "restore it from the Changes page within 30 days" in text

    @pytest.mark.parametrize("htmx", [False, True])
    def test_in_the_matrix(self, world: Any, sales: Role, client_for: Any, htmx: bool) -> None:
        client = client_for("editor")
        response = client.post(
            reverse("matrix_delete", args=[world.playbook.pk, sales.pk]),
            headers=HTMX if htmx else {},
            follow=not htmx,
        )
        text = response.content.decode()
        if htmx:
            assert '<template><div id="undo" class="undo-region"' in text
        assert "Bring back the role “Sales” with its Give-Gets and ambassadors." in text
        action, back = undo_form(text)
        assert action == restore_url(world.playbook, "role", soft_deletion(sales))
        assert back == reverse("matrix", args=[world.playbook.pk]) + f"#role-{sales.pk}"
        sales = Role.all_objects.get(pk=sales.pk)
        assert sales.deleted_at is not None
        assert not Ambassador.all_objects.filter(role=sales).exclude(link_hash="").exists()
        assert not Ambassador.all_objects.filter(link_issued_at__isnull=False).exists()
        after = client.post(action, {"next": back}, follow=True)
        assert Role.objects.filter(pk=sales.pk).exists()
        assert (
            "Its ambassadors’ personal links were revoked: issue new ones on the roster."
            in after.content.decode()
        )

    @pytest.mark.parametrize("htmx", [False, True])
    def test_on_the_role_page(self, world: Any, sales: Role, client_for: Any, htmx: bool) -> None:
        client = client_for("editor")
        response = client.post(
            reverse("role_delete", args=[world.playbook.pk, sales.pk]),
            headers=HTMX if htmx else {},
        )
        overview = reverse("playbook_detail", args=[world.playbook.pk])
        if htmx:
            assert response["HX-Redirect"] == overview
        else:
            assert response["Location"] == overview
        text = client.get(overview).content.decode()
        assert "Role “Sales” deleted." in html.unescape(text)
        action, back = undo_form(text)
        assert back == reverse("role_detail", args=[world.playbook.pk, sales.pk])
        assert client.post(action, {"next": back})["Location"] == back
        assert client.get(back).status_code == 200

    def test_the_links_stop_working_at_once_and_stay_revoked(
        self, world: Any, sales: Role, client: Any, client_for: Any
    ) -> None:
        token = issue_link(Ambassador.objects.get(role=sales, name="Jonas Holm"))
        client_for("editor").post(reverse("role_delete", args=[world.playbook.pk, sales.pk]))
        assert client.get(reverse("ambassador_page", args=[token])).status_code == 404
        changelog.restore(world.playbook.pk, "role", soft_deletion(sales))
        assert client.get(reverse("ambassador_page", args=[token])).status_code == 404
        assert not any(a.has_link for a in Ambassador.objects.filter(role=sales))


class TestChangesPage:
    def test_a_soft_delete_reads_as_a_deletion(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        client_for("editor").post(reverse("role_delete", args=[world.playbook.pk, sales.pk]))
        lines = sentences(client_for("viewer").get(url(world.playbook)))
        assert lines[0] == "Edith deleted the role “Sales”."
        assert not any("deleted_at" in line or "deleted (empty)" in line for line in lines)
        viewer = client_for("viewer")
        viewer.cookies["django_language"] = "da"
        lines = sentences(viewer.get(url(world.playbook)))
        assert lines[0] == "Edith slettede rollen »Sales«."

    def test_a_restore_reads_as_one(self, world: Any, sales: Role, client_for: Any) -> None:
        deleted(sales)
        client_for("editor").post(restore_url(world.playbook, "role", soft_deletion(sales)))
        lines = sentences(client_for("viewer").get(url(world.playbook)))
        assert lines[0] == "Edith restored the role “Sales”."

    @pytest.mark.parametrize(("who", "status"), WHO)
    def test_who_restores(
        self, world: Any, sales: Role, client_for: Any, who: str, status: int
    ) -> None:
        deleted(sales)
        action = restore_url(world.playbook, "role", soft_deletion(sales))
        if who in ("viewer", "editor", "owner"):
            page = client_for(who).get(url(world.playbook)).content.decode()
            assert (action in page) == (who != "viewer")
        response = client_for(who).post(action)
        assert response.status_code == status
        assert Role.objects.filter(pk=sales.pk).exists() == (who in ("editor", "owner"))

    def test_the_filter_offers_deleted_roles_marked(
        self, world: Any, sales: Role, service: Role, client_for: Any
    ) -> None:
        deleted(sales)
        page = client_for("viewer").get(url(world.playbook, role=sales.pk))
        text = html.unescape(page.content.decode())
        assert f'<option value="{sales.pk}" selected>Sales (deleted)</option>' in text
        lines = sentences(page)
        assert lines[0] == "A management command deleted the role “Sales”."
        assert all("Sales" in line for line in lines)

    def test_not_through_another_playbook(self, world: Any, client_for: Any) -> None:
        theirs = deleted(make_role(world.other_playbook, "Theirs"))
        history_id = soft_deletion(theirs)
        response = client_for("owner").post(restore_url(world.playbook, "role", history_id))
        assert response.status_code == 404
        assert not Role.objects.filter(pk=theirs.pk).exists()
        # Nor a record that is not a deletion.
        created = Role.history.get(id=theirs.pk, history_type="+").history_id
        outsider = client_for("outsider")
        assert outsider.post(restore_url(world.other_playbook, "role", created)).status_code == 404

    def test_back_as_it_was_with_its_things(self, world: Any, sales: Role, client_for: Any) -> None:
        # Its version counts the deletion and the restore (two saves): the
        # rest is as it was.
        before = (
            Role.objects.filter(pk=sales.pk).values(*VALUES).get(),
            list(GiveGet.objects.filter(role=sales).values()),
            list(Ambassador.objects.filter(role=sales).values("pk", "name", "email", "notes")),
        )
        deleted(sales)
        response = client_for("editor").post(
            restore_url(world.playbook, "role", soft_deletion(sales)), follow=True
        )
        text = html.unescape(response.content.decode())
        assert "Restored as it was. Its ambassadors’ personal links were revoked" in text
        after = (
            Role.objects.filter(pk=sales.pk).values(*VALUES).get(),
            list(GiveGet.objects.filter(role=sales).values()),
            list(Ambassador.objects.filter(role=sales).values("pk", "name", "email", "notes")),
        )
        assert after == before
        again = client_for("editor").post(
            restore_url(world.playbook, "role", soft_deletion(sales)), follow=True
        )
        assert "Not restored: It is back already." in again.content.decode()

    def test_over_30_days_it_is_not_offered_nor_restored(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        deleted(sales)
        history_id = soft_deletion(sales)
        Role.all_objects.filter(pk=sales.pk).update(
            deleted_at=timezone.now() - datetime.timedelta(days=31)
        )
        Role.history.filter(history_id=history_id).update(
            deleted_at=timezone.now() - datetime.timedelta(days=31)
        )
        action = restore_url(world.playbook, "role", history_id)
        assert action not in client_for("editor").get(url(world.playbook)).content.decode()
        response = client_for("editor").post(action, follow=True)
        assert "Not restored: It was deleted more than 30 days ago." in response.content.decode()
        assert not Role.objects.filter(pk=sales.pk).exists()


class TestNameTakenSince:
    """A new Sales meanwhile: the old one comes back under a name asked for."""

    @pytest.fixture
    def taken(self, world: Any, sales: Role) -> int:
        deleted(sales)
        make_role(world.playbook, "SALES")
        return soft_deletion(sales)

    def test_a_form_asks_for_a_new_name(
        self, world: Any, sales: Role, taken: int, client_for: Any
    ) -> None:
        client = client_for("editor")
        action = restore_url(world.playbook, "role", taken)
        back = reverse("matrix", args=[world.playbook.pk])
        response = client.post(action, {"next": back})
        assert response.status_code == 200
        text = html.unescape(response.content.decode())
        assert "Restore the role under a new name" in text
        assert f'action="{action}"' in text and f'name="next" value="{back}"' in text
        assert not Role.objects.filter(pk=sales.pk).exists()
        for bad, error in [
            ("  ", "This field is required."),
            ("sales", "Another role of this playbook is called “sales” now."),
        ]:
            again = client.post(action, {"name": bad, "next": back})
            assert again.status_code == 200
            assert error in html.unescape(again.content.decode())
        assert not Role.objects.filter(pk=sales.pk).exists()
        done = client.post(action, {"name": " Sales (old) ", "next": back})
        assert done["Location"] == back
        restored = Role.objects.get(pk=sales.pk)
        assert restored.name == "Sales (old)" and restored.givegets.count() == 3
        lines = sentences(client_for("viewer").get(url(world.playbook)))
        assert lines[0] == "Edith restored the role “Sales (old)”, renamed from “Sales”."

    def test_a_viewer_gets_no_form(
        self, world: Any, sales: Role, taken: int, client_for: Any
    ) -> None:
        action = restore_url(world.playbook, "role", taken)
        assert client_for("viewer").post(action, {"name": "Other"}).status_code == 403
        assert not Role.objects.filter(pk=sales.pk).exists()

    def test_a_name_taken_at_the_same_moment(
        self, world: Any, sales: Role, client_for: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The check passed, then someone else's new Sales was saved first:
        the database refuses, and the form asks for a name instead of a 500."""
        deleted(sales)
        history_id = soft_deletion(sales)
        make_role(world.playbook, "Sales")
        real = changelog._why_role_not_restored
        checks = iter([True, False])  # first: "it can" (as before the other save); then the truth

        def racing(playbook_id: int, role: Any, name: str) -> Any:
            return None if next(checks) else real(playbook_id, role, name)

        monkeypatch.setattr(changelog, "_why_role_not_restored", racing)
        response = client_for("editor").post(restore_url(world.playbook, "role", history_id))
        assert response.status_code == 200
        assert "Restore the role under a new name" in response.content.decode()
        assert not Role.objects.filter(pk=sales.pk).exists()


class TestPurge:
    def test_the_command_removes_only_roles_deleted_over_30_days_ago(
        self, world: Any, sales: Role, service: Role
    ) -> None:
        deleted(sales)
        deleted(service)
        Role.all_objects.filter(pk=sales.pk).update(
            deleted_at=timezone.now() - datetime.timedelta(days=31)
        )
        out = io.StringIO()
        call_command("purge_history", stdout=out)
        assert out.getvalue().splitlines()[-1] == (
            f"Removed for good 1 role(s) deleted over 30 days ago: {sales.pk}."
        )
        assert not Role.all_objects.filter(pk=sales.pk).exists()
        assert not GiveGet.all_objects.filter(role_id=sales.pk).exists()
        assert not Ambassador.all_objects.filter(role_id=sales.pk).exists()
        assert Role.all_objects.filter(pk=service.pk).exists()  # 30 days not over
        # Its deletion can no longer come back.
        with pytest.raises(changelog.RestoreRefused, match="removed for good"):
            changelog.restore(world.playbook.pk, "role", soft_deletion(sales))

    def test_a_deletion_schedules_its_purge_and_the_task_runs_it(
        self, world: Any, sales: Role, client_for: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        from django.tasks import default_task_backend

        from planner.tasks import purge_deleted_role_task

        default_task_backend.clear()
        with django_capture_on_commit_callbacks(execute=True):
            client_for("editor").post(reverse("role_delete", args=[world.playbook.pk, sales.pk]))
        purges = [
            r for r in default_task_backend.results if r.task.name == "purge_deleted_role_task"
        ]
        assert [r.args for r in purges] == [[sales.pk]]
        run_after = purges[0].task.run_after
        assert run_after is not None
        assert run_after - timezone.now() > datetime.timedelta(days=30)
        # Early, or after a restore: it leaves the role alone.
        purge_deleted_role_task.call(sales.pk)
        assert Role.all_objects.filter(pk=sales.pk).exists()
        Role.all_objects.filter(pk=sales.pk).update(
            deleted_at=timezone.now() - datetime.timedelta(days=31)
        )
        purge_deleted_role_task.call(sales.pk)
        assert not Role.all_objects.filter(pk=sales.pk).exists()

    def test_a_restored_role_is_not_purged(self, world: Any, sales: Role) -> None:
        deleted(sales)
        changelog.restore(world.playbook.pk, "role", soft_deletion(sales))
        later = timezone.now() + datetime.timedelta(days=40)
        assert changelog.purge_deleted_roles(now=later) == []
        assert Role.objects.filter(pk=sales.pk).exists()


VALUES = [field.attname for field in Role._meta.concrete_fields if field.name != "version"]


def _normalised(text: str) -> str:
    """A page without what differs from one request to the next anyway: the
    CSRF token (masked anew each time), the CSP nonce, and the forms' signed
    version-and-values (core.concurrency: signed with the time, and the
    role's version counts the deletion and the restore)."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", text)
    text = re.sub(r'name="([\w-]*)read_as" value="[^"]+"', r"\1read_as", text)
    text = re.sub(r'"x-csrftoken": "[^"]+"', "csrf", text)
    return re.sub(r'nonce="[^"]+"', "nonce", text)


class TestAcceptance:
    """Delete a role with three Give-Gets and two ambassadors, then Undo: the
    role page, the matrix totals, the PDF and the playbook file are byte for
    byte what they were (the ambassadors' links aside: revoked).

    The PDF carries two timestamps, both pinned here and nothing else: its
    creation date (``generated``, the metadata's CreationDate) and, in each
    embedded font, the subsetter's ``head.modified`` (with the checksums that
    follow from it; SOURCE_DATE_EPOCH pins it)."""

    def snapshot(self, world: Any, role: Role, client: Any) -> dict[str, Any]:
        pk = world.playbook.pk
        role_page = client.get(reverse("role_detail", args=[pk, role.pk]))
        matrix = client.get(reverse("matrix", args=[pk])).content.decode()
        totals = re.search(r'<[^>]+id="matrix-totals".*?</(section|div|table)>', matrix, re.S)
        pdf = client.get(reverse("playbook_pdf", args=[pk]))
        out = io.StringIO()
        call_command("export_playbook", pk, stdout=out)
        return {
            "role page": _normalised(role_page.content.decode()),
            "matrix totals": (matrix_summary(Playbook.objects.get(pk=pk)), bool(totals)),
            "matrix totals html": totals.group(0) if totals else "",
            "pdf": pdf.content,
            "playbook file": out.getvalue(),
        }

    @pytest.mark.parametrize("where", ["matrix_delete", "role_delete"])
    def test_undo_brings_back_every_byte(
        self,
        world: Any,
        sales: Role,
        service: Role,
        client_for: Any,
        where: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        from types import SimpleNamespace

        from planner import pdf

        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
        generated = timezone.localtime()
        monkeypatch.setattr(
            pdf,
            "timezone",
            SimpleNamespace(
                localtime=lambda: generated, localdate=timezone.localdate, now=timezone.now
            ),
        )
        client = client_for("editor")
        before = self.snapshot(world, sales, client)
        response = client.post(reverse(where, args=[world.playbook.pk, sales.pk]), follow=True)
        role_page = reverse("role_detail", args=[world.playbook.pk, sales.pk])
        assert client.get(role_page).status_code == 404
        action, back = undo_form(response.content.decode())
        client.post(action, {"next": back}, follow=True)  # the page with the message
        after = self.snapshot(world, sales, client)
        assert after.keys() == before.keys()
        for key in before:
            assert after[key] == before[key], key
