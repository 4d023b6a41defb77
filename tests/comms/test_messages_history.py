"""Messages in the history (issue 20 with issue 15): Undo after a delete,
restore and revert on the changes page, sentences a person reads, the purge."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from actionplan.models import Step
from comms.models import Message
from planner.changelog import histories, purge_playbook_history
from tests.comms.conftest import Plan
from tests.comms.test_messages_page import edit_form, edit_url
from tests.factories import make_message
from tests.playbooks.test_changes import TestUndo as ChangesUndo
from tests.playbooks.test_changes import deletion, restore_url, sentences, url

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
undo_form = ChangesUndo.undo_form


def delete_url(plan: Plan, message: Any) -> str:
    return reverse("message_delete", args=[plan.playbook.pk, message.pk])


class TestUndo:
    @pytest.mark.parametrize("htmx", [False, True])
    def test_a_drafted_message_comes_back_as_it_was(
        self, plan: Plan, client_for: Any, htmx: bool
    ) -> None:
        pk = plan.wiifm.pk
        client = client_for("editor")
        response = client.post(
            delete_url(plan, plan.wiifm), headers=HTMX if htmx else {}, follow=not htmx
        )
        text = response.content.decode()
        assert "Bring back the message “What’s in it for you: Sales and the CRM”." in text
        assert not Message.objects.filter(pk=pk).exists()
        if htmx:
            assert text.lstrip().startswith('<div id="messages"')
            assert 'id="messages-heading" class="h5 mb-0" tabindex="-1" autofocus' in text
        action, back = undo_form(None, text)  # type: ignore[arg-type]
        assert back == reverse("comms", args=[plan.playbook.pk])
        client.post(action, {"next": back})
        message = Message.objects.get(pk=pk)
        assert (message.kind, message.drafted, message.date, message.role) == (
            "wiifm",
            True,
            None,
            plan.sales,
        )
        assert message.sender_ambassador == plan.mette
        assert "What’s in it for you: Sales" in client.get(back).content.decode()

    def test_the_confirmation_page_without_javascript(self, plan: Plan, client_for: Any) -> None:
        html = client_for("editor").get(delete_url(plan, plan.kickoff)).content.decode()
        assert "Delete the message “Kick-off for everyone”?" in html
        assert Message.objects.filter(pk=plan.kickoff.pk).exists()

    def test_the_filter_comes_back_with_the_undo(self, plan: Plan, client_for: Any) -> None:
        client = client_for("editor")
        response = client.post(
            delete_url(plan, plan.kickoff) + f"?role={plan.sales.pk}", follow=True
        )
        _action, back = undo_form(None, response.content.decode())  # type: ignore[arg-type]
        assert back == reverse("comms", args=[plan.playbook.pk]) + f"?role={plan.sales.pk}"


class TestChangesPage:
    def test_sentences_a_person_reads(self, plan: Plan, client_for: Any) -> None:
        client = client_for("editor")
        client.post(
            reverse("message_add", args=[plan.playbook.pk]),
            {
                "add-role": "",
                "add-channel": "intranet",
                "add-status": "draft",
                "add-title": "Newsletter",
                "add-text": "Soon.",
                "add-date": "",
                "add-sender": f"ambassador:{plan.jonas.pk}",
            },
        )
        data = edit_form(client, plan, plan.wiifm, status="scheduled")
        data[f"m{plan.wiifm.pk}-text"] += "\n\nP.S. Coffee at nine."
        client.post(edit_url(plan, plan.wiifm), data)
        data = edit_form(client, plan, plan.kickoff, sender=f"ambassador:{plan.mette.pk}")
        data[f"m{plan.kickoff.pk}-role"] = str(plan.sales.pk)
        client.post(edit_url(plan, plan.kickoff), data)
        client.post(delete_url(plan, plan.kickoff))
        lines = sentences(client.get(url(plan.playbook, kind="message")))
        assert lines == [
            "Edith deleted the message “Kick-off for everyone” to Sales.",
            "Edith changed the message “Kick-off for everyone” to Sales: "
            "role all roles → Sales; sender (ambassador) (empty) → Mette Sørensen; "
            "sender (member) Olivia → (empty).",
            "Edith changed the message “What’s in it for you: Sales and the CRM” to Sales: "
            "its title and text written by hand, no longer drafted from the role; "
            "status Draft → Scheduled.",
            "Edith added the message “Newsletter” to all roles.",
            "A management command added the message “Kick-off for everyone” to all roles.",
            "A management command added the message “Your WIIFM” to Sales.",
        ]

    def test_a_roles_messages_with_the_role(self, plan: Plan, client_for: Any) -> None:
        lines = sentences(client_for("viewer").get(url(plan.playbook, role=plan.sales.pk)))
        assert "A management command added the message “Your WIIFM” to Sales." in lines
        assert not any("Kick-off" in line for line in lines)

    def test_messages_are_a_kind_of_the_filter(self, plan: Plan, client_for: Any) -> None:
        html = client_for("viewer").get(url(plan.playbook)).content.decode()
        assert '<option value="message">Messages</option>' in html

    def test_a_fixed_number_of_queries_with_messages(
        self, plan: Plan, client_for: Any, django_assert_num_queries: Any
    ) -> None:
        client = client_for("viewer")

        def every_kind_on_the_first_page() -> None:
            step = Step.objects.filter(playbook=plan.playbook).first()
            assert step is not None
            for each in (plan.playbook, plan.sales, plan.mette, step, step.tasks.first()):
                assert each is not None
                each.save()
            plan.sales.givegets.first().save()
            plan.playbook.memberships.first().save()
            plan.kickoff.save()

        every_kind_on_the_first_page()
        # session, user, membership with playbook, the roles for the filter,
        # the plan's progress, the count, the page; per kind (eight) its
        # records and their previous versions; the names of roles, steps,
        # members and of the ambassadors who send messages.
        with django_assert_num_queries(27):
            client.get(url(plan.playbook))
        for n in range(40):
            make_message(plan.playbook, plan.service, f"Extra {n}", sender_ambassador=plan.jonas)
        every_kind_on_the_first_page()
        with django_assert_num_queries(27):
            lines = sentences(client.get(url(plan.playbook)))
        assert len(lines) == 50
        assert "A management command added the message “Extra 39” to Service." in lines


class TestRestore:
    def test_only_editors(self, plan: Plan, client_for: Any) -> None:
        pk = plan.kickoff.pk
        plan.kickoff.delete()
        action = restore_url(plan.playbook, "message", deletion(Message, pk))
        assert client_for("viewer").post(action).status_code == 403
        assert client_for("outsider").post(action).status_code == 404
        assert not Message.objects.filter(pk=pk).exists()
        assert action in client_for("editor").get(url(plan.playbook)).content.decode()
        assert action not in client_for("viewer").get(url(plan.playbook)).content.decode()
        client_for("editor").post(action)
        assert Message.objects.get(pk=pk).title == "Kick-off for everyone"

    def test_not_while_its_role_is_deleted(self, plan: Plan, client_for: Any) -> None:
        from django.utils import timezone

        pk = plan.wiifm.pk
        plan.wiifm.delete()
        plan.sales.deleted_at = timezone.now()
        plan.sales.save()
        action = restore_url(plan.playbook, "message", deletion(Message, pk))
        assert action not in client_for("editor").get(url(plan.playbook)).content.decode()
        response = client_for("editor").post(action, follow=True)
        assert "Not restored: Its role was deleted: restore the role first." in (
            response.content.decode()
        )
        assert not Message.objects.filter(pk=pk).exists()

    def test_a_sender_gone_since_is_left_out(self, plan: Plan, client_for: Any) -> None:
        pk = plan.wiifm.pk
        plan.wiifm.delete()
        plan.mette.delete()
        client_for("editor").post(restore_url(plan.playbook, "message", deletion(Message, pk)))
        message = Message.objects.get(pk=pk)
        assert message.sender_ambassador is None and message.drafted

    def test_another_playbooks_deletion_is_not_found(
        self, plan: Plan, world: Any, client_for: Any
    ) -> None:
        theirs = make_message(world.other_playbook, None, "Theirs")
        pk = theirs.pk
        theirs.delete()
        action = restore_url(plan.playbook, "message", deletion(Message, pk))
        assert client_for("editor").post(action).status_code == 404
        assert not Message.objects.filter(pk=pk).exists()


class TestRevert:
    def revert_url(self, plan: Plan, history_id: int, field: str) -> str:
        return reverse("changes_revert", args=[plan.playbook.pk, "message", history_id, field])

    def test_a_status_set_back(self, plan: Plan, client_for: Any) -> None:
        client = client_for("editor")
        sent = edit_form(client, plan, plan.kickoff, status="sent")
        client.post(edit_url(plan, plan.kickoff), sent)
        change = plan.kickoff.history.filter(history_type="~").first()
        response = client.post(self.revert_url(plan, change.history_id, "status"), follow=True)
        assert (
            "Reverted: the status of the message “Kick-off for everyone” to all roles is Draft "
            "again." in response.content.decode()
        )
        plan.kickoff.refresh_from_db()
        assert plan.kickoff.status == "draft"

    def test_a_second_sender_is_refused(self, plan: Plan, client_for: Any) -> None:
        client = client_for("editor")
        data = edit_form(client, plan, plan.kickoff, sender="")
        client.post(edit_url(plan, plan.kickoff), data)  # the member taken away
        change = plan.kickoff.history.filter(history_type="~").first()
        client.post(
            edit_url(plan, plan.kickoff), edit_form(client, plan, plan.kickoff, sender_text="Bo")
        )
        response = client.post(
            self.revert_url(plan, change.history_id, "sender_member"), follow=True
        )
        assert "A message has one sender" in response.content.decode()
        plan.kickoff.refresh_from_db()
        assert plan.kickoff.sender_member is None and plan.kickoff.sender_text == "Bo"

    def test_the_title_of_an_ended_draft_is_not_offered(self, plan: Plan, client_for: Any) -> None:
        client = client_for("editor")
        data = edit_form(client, plan, plan.wiifm)
        data[f"m{plan.wiifm.pk}-title"] = "Sales: here is what you get"
        client.post(edit_url(plan, plan.wiifm), data)
        change = plan.wiifm.history.filter(history_type="~").first()
        assert client.post(self.revert_url(plan, change.history_id, "title")).status_code == 404
        plan.wiifm.refresh_from_db()
        assert plan.wiifm.title == "Sales: here is what you get"


def test_a_purge_takes_the_messages_history(plan: Plan) -> None:
    plan.kickoff.date = datetime.date(2027, 2, 25)
    plan.kickoff.save()
    assert dict(histories(plan.playbook.pk))["message"].count() == 3
    purge_playbook_history(plan.playbook.pk)
    assert Message.history.filter(playbook_id=plan.playbook.pk).count() == 0


def test_a_message_saved_bumps_the_playbooks_version(plan: Plan) -> None:
    from core import versions

    before = versions.version(plan.playbook.pk)
    plan.kickoff.status = "sent"
    plan.kickoff.save()
    assert versions.version(plan.playbook.pk) != before
