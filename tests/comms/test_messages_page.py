"""The communications page (issue 20, items 1 and 3): the timeline by week,
the filter, add, edit in place, move, delete; who may do what; the bad input
a person types; and a fixed number of queries."""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from comms.models import MAX_TEXT, Message
from comms.timeline import format_range
from tests.ambassadors.test_roster import field_error, login_redirect
from tests.comms.conftest import GO_LIVE, Plan
from tests.factories import add_member, make_ambassador, make_message, make_role, make_user
from tests.playbooks.test_no_silent_overwrite import opened

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def page(plan: Plan, query: str = "") -> str:
    url = reverse("comms", args=[plan.playbook.pk])
    return f"{url}?{query}" if query else url


def edit_url(plan: Plan, message: Any) -> str:
    return reverse("message_edit", args=[plan.playbook.pk, message.pk])


def add_data(plan: Plan, **changes: str) -> dict[str, str]:
    values = {
        "role": str(plan.sales.pk),
        "channel": "email",
        "status": "draft",
        "title": "Your new pipeline view",
        "text": "From Monday the pipeline shows itself.",
        "date": "2027-03-08",
        "sender": "",
        "sender_text": "",
        **changes,
    }
    return {f"add-{key}": value for key, value in values.items()}


def edit_form(client: Client, plan: Plan, message: Any, **changes: str) -> dict[str, str]:
    """The edit form as the page shows it, with ``changes`` typed in."""
    data = opened(client, edit_url(plan, message), f"m{message.pk}-title")
    data.update({f"m{message.pk}-{key}": value for key, value in changes.items()})
    return data


def messages_html(response: Any) -> str:
    return response.content.decode()


class TestAccess:
    def urls(self, plan: Plan) -> dict[str, str]:
        pk, m = plan.playbook.pk, plan.kickoff.pk
        return {
            "page": reverse("comms", args=[pk]),
            "text": reverse("message_text", args=[pk, m]),
            "add": reverse("message_add", args=[pk]),
            "edit": reverse("message_edit", args=[pk, m]),
            "delete": reverse("message_delete", args=[pk, m]),
            "move": reverse("message_move", args=[pk, m]),
        }

    READ = {"page", "text"}

    @pytest.mark.parametrize("who", ["anonymous", "outsider", "viewer"])
    def test_no_one_below_editor_changes_anything(
        self, plan: Plan, client_for: Any, who: str
    ) -> None:
        client = client_for(who)
        before = list(Message.objects.values_list("pk", "title", "order", "version"))
        for name, url in self.urls(plan).items():
            responses = [client.get(url)]
            if name not in self.READ:
                responses.append(client.post(url, add_data(plan, title="Sneaky")))
            for response in responses:
                if who == "anonymous":
                    assert login_redirect(response), name
                elif who == "outsider":
                    assert response.status_code == 404, name
                elif name not in self.READ:
                    assert response.status_code == 403, name
                else:
                    assert response.status_code == 200, name
        assert list(Message.objects.values_list("pk", "title", "order", "version")) == before

    @pytest.mark.parametrize("who", ["viewer", "editor", "owner"])
    def test_members_read_the_page_and_the_text(
        self, plan: Plan, client_for: Any, who: str
    ) -> None:
        client = client_for(who)
        html = client.get(self.urls(plan)["page"]).content.decode()
        assert "Kick-off for everyone" in html
        assert "What’s in it for you: Sales and the CRM" in html
        text = client.get(self.urls(plan)["text"]).content.decode()
        assert "Kick-off for everyone\n\nWe start on Monday." in text

    @pytest.mark.parametrize("who", ["editor", "owner"])
    def test_editors_reach_every_address(self, plan: Plan, client_for: Any, who: str) -> None:
        client = client_for(who)
        for name, url in self.urls(plan).items():
            assert client.get(url).status_code in {200, 302}, name

    @pytest.mark.parametrize("who", ["editor", "owner"])
    def test_editors_write(self, plan: Plan, client_for: Any, who: str) -> None:
        client = client_for(who)
        assert client.post(self.urls(plan)["add"], add_data(plan)).status_code == 302
        data = edit_form(client, plan, plan.kickoff, title=f"Saved by {who}")
        assert client.post(self.urls(plan)["edit"], data).status_code == 302
        plan.kickoff.refresh_from_db()
        assert plan.kickoff.title == f"Saved by {who}"
        assert client.post(self.urls(plan)["delete"]).status_code == 302
        assert not Message.objects.filter(pk=plan.kickoff.pk).exists()

    def test_viewers_see_no_controls(self, plan: Plan, client_for: Any) -> None:
        html = client_for("viewer").get(page(plan)).content.decode()
        assert "Add a message" not in html
        assert "hx-post" not in html
        assert ">Edit<" not in html
        assert "Copy text" in html and "Open in e-mail" in html

    def test_the_tab_is_between_action_plan_and_results(self, plan: Plan, client_for: Any) -> None:
        html = client_for("viewer").get(page(plan)).content.decode()
        nav = html[html.index('aria-label="Playbook sections"') :]
        assert nav.index("Action plan") < nav.index("Communications") < nav.index("Results")
        assert 'aria-current="page" href="/playbooks/' in nav


class TestAcrossPlaybooks:
    """Playbook B's messages, roles and ambassadors, in playbook A's addresses."""

    @pytest.fixture
    def theirs(self, world: Any) -> dict[str, Any]:
        role = make_role(world.other_playbook, "Their sales")
        return {
            "role": role,
            "ambassador": make_ambassador(role, "Olga Other", email="olga@example.com"),
            "message": make_message(world.other_playbook, role, "Their secret plan"),
        }

    def test_their_message_is_not_found(
        self, plan: Plan, theirs: dict[str, Any], client_for: Any
    ) -> None:
        editor = client_for("editor")
        for name in ("message_edit", "message_delete", "message_move", "message_text"):
            url = reverse(name, args=[plan.playbook.pk, theirs["message"].pk])
            assert editor.get(url).status_code == 404, name
            if name != "message_text":  # read only
                assert editor.post(url, {"direction": "up"}).status_code == 404, name
        assert Message.objects.filter(pk=theirs["message"].pk, title="Their secret plan").exists()

    def test_their_role_in_the_filter_is_refused_beside_it(
        self, plan: Plan, theirs: dict[str, Any], client_for: Any
    ) -> None:
        html = client_for("viewer").get(page(plan, f"role={theirs['role'].pk}")).content.decode()
        assert "That is not one of this playbook’s roles: every role is shown." in html
        assert "Their secret plan" not in html
        assert "Kick-off for everyone" in html

    def test_their_role_in_the_form_is_refused(
        self, plan: Plan, theirs: dict[str, Any], client_for: Any
    ) -> None:
        response = client_for("editor").post(
            reverse("message_add", args=[plan.playbook.pk]),
            add_data(plan, role=str(theirs["role"].pk)),
        )
        assert response.status_code == 200
        assert field_error(response.content.decode(), "add-role") == (
            "Choose one of this playbook’s roles, or all roles."
        )
        assert Message.objects.filter(playbook=plan.playbook).count() == 2

    def test_their_ambassador_as_sender_is_refused(
        self, plan: Plan, theirs: dict[str, Any], client_for: Any
    ) -> None:
        response = client_for("editor").post(
            reverse("message_add", args=[plan.playbook.pk]),
            add_data(plan, sender=f"ambassador:{theirs['ambassador'].pk}"),
        )
        assert field_error(response.content.decode(), "add-sender") == (
            "That ambassador is not on this playbook’s roster: choose one from the list."
        )
        assert Message.objects.filter(playbook=plan.playbook).count() == 2

    def test_an_outsider_as_sender_is_refused(
        self, plan: Plan, world: Any, client_for: Any
    ) -> None:
        response = client_for("editor").post(
            reverse("message_add", args=[plan.playbook.pk]),
            add_data(plan, sender=f"member:{world.outsider.pk}"),
        )
        assert field_error(response.content.decode(), "add-sender") == (
            "That person is not a member of this playbook: choose one from the list."
        )
        assert Message.objects.filter(playbook=plan.playbook).count() == 2


class TestTimeline:
    def test_weeks_around_go_live_with_the_line_between(self, plan: Plan, client_for: Any) -> None:
        make_message(plan.playbook, plan.service, "First week", date=datetime.date(2027, 3, 3))
        make_message(plan.playbook, plan.service, "Undated one")
        html = client_for("viewer").get(page(plan)).content.decode()
        # Your WIIFM at go-live - 14 days (Feb. 15), the kick-off on Feb. 24.
        assert "Week −2 (Feb. 15–21)" in html
        assert "Week −1 (Feb. 22–28)" in html
        assert "Week 1 (March 1–7)" in html
        order = [
            html.index("Week −2"),
            html.index("What’s in it for you: Sales"),
            html.index("Week −1"),
            html.index("Kick-off for everyone"),
            html.index("Go-live, March 1, 2027"),
            html.index("Week 1 ("),
            html.index("First week"),
            html.index("No date yet"),
            html.index("Undated one"),
        ]
        assert order == sorted(order)

    def test_each_message_shows_role_channel_date_sender_status(
        self, plan: Plan, client_for: Any
    ) -> None:
        html = client_for("viewer").get(page(plan)).content.decode()
        wiifm = html[html.index('id="message-' + str(plan.wiifm.pk)) :]
        wiifm = wiifm[: wiifm.index("</li>")]
        assert ">Sales</span>" in wiifm
        assert "E-mail" in wiifm
        assert "Feb. 15, 2027" in wiifm and "(follows go-live)" in wiifm
        assert "From Mette Sørensen" in wiifm
        assert "Draft" in wiifm
        kickoff = html[html.index('id="message-' + str(plan.kickoff.pk)) :]
        kickoff = kickoff[: kickoff.index("</li>")]
        assert ">All roles</span>" in kickoff
        assert "Team meeting" in kickoff
        assert "Feb. 24, 2027" in kickoff and "follows go-live" not in kickoff
        assert "From Olivia" in kickoff

    def test_the_drafted_text_follows_the_role(self, plan: Plan, client_for: Any) -> None:
        client = client_for("viewer")
        html = client.get(page(plan)).content.decode()
        assert "You asked us: “Does it help me close deals faster?”" in html
        assert "- Log each meeting → A weekly pipeline report" in html
        plan.sales.question = "Will it find me leads?"
        plan.sales.save()
        html = client.get(page(plan)).content.decode()
        assert "You asked us: “Will it find me leads?”" in html

    def test_without_go_live(self, plan: Plan, client_for: Any) -> None:
        plan.playbook.go_live = None
        plan.playbook.save()
        html = client_for("editor").get(page(plan)).content.decode()
        assert "Set a go-live date for the playbook" in html
        assert "Week of Feb. 22–28" in html  # the typed date, by calendar week
        assert "Go-live," not in html
        undated = html[html.index("No date yet") :]
        assert "What’s in it for you: Sales" in undated

    def test_in_danish(self, plan: Plan, client_for: Any) -> None:
        client = client_for("viewer")
        client.cookies["django_language"] = "da"
        html = client.get(page(plan)).content.decode()
        assert "24. februar 2027" in html
        assert "1. marts 2027" in html
        with translation.override("da"):
            week = format_range(datetime.date(2027, 2, 15), datetime.date(2027, 2, 21), year=2027)
        assert "feb." in week and "Feb" not in week  # Danish month names
        assert week in html

    def test_a_date_far_from_go_live_is_saved_and_warned(self, plan: Plan, client_for: Any) -> None:
        client = client_for("editor")
        for typed in ("2026-02-28", "2029-03-02"):
            response = client.post(
                reverse("message_add", args=[plan.playbook.pk]),
                add_data(plan, title=f"Far {typed}", date=typed),
            )
            assert response.status_code == 302
            assert Message.objects.filter(title=f"Far {typed}").exists()
        near = ("2026-03-01", "2029-03-01")  # exactly a year before, two years after
        for typed in near:
            make_message(
                plan.playbook, None, f"Near {typed}", date=datetime.date.fromisoformat(typed)
            )
        html = client.get(page(plan)).content.decode()
        for message in Message.objects.filter(title__startswith="Far "):
            item = html[html.index(f'id="message-{message.pk}"') :].split("</li>")[0]
            assert "This date is far from go-live (March 1, 2027)" in item
        for message in Message.objects.filter(title__startswith="Near "):
            item = html[html.index(f'id="message-{message.pk}"') :].split("</li>")[0]
            assert "far from go-live" not in item

    def test_a_deleted_roles_messages_are_hidden(self, plan: Plan, client_for: Any) -> None:
        from django.utils import timezone

        plan.sales.deleted_at = timezone.now()
        plan.sales.save()
        html = client_for("viewer").get(page(plan)).content.decode()
        assert "What’s in it for you: Sales" not in html
        editor = client_for("editor")
        assert editor.get(edit_url(plan, plan.wiifm)).status_code == 404


class TestFilter:
    @pytest.fixture
    def more(self, plan: Plan) -> Plan:
        make_message(plan.playbook, plan.service, "Service only", status="sent")
        return plan

    def test_by_role_keeps_the_messages_to_all_roles(self, more: Plan, client_for: Any) -> None:
        html = client_for("viewer").get(page(more, f"role={more.service.pk}")).content.decode()
        assert "Service only" in html
        assert "Kick-off for everyone" in html
        assert "What’s in it for you: Sales" not in html
        assert "show every role and status" in html

    def test_by_status(self, more: Plan, client_for: Any) -> None:
        html = client_for("viewer").get(page(more, "status=sent")).content.decode()
        assert "Service only" in html
        assert "Kick-off for everyone" not in html

    def test_htmx_swaps_only_the_list(self, more: Plan, client_for: Any) -> None:
        response = client_for("viewer").get(
            page(more, "status=sent"), headers={**HTMX, "HX-Target": "messages"}
        )
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="messages"')
        assert "<html" not in html
        assert "Service only" in html and "Kick-off" not in html
        assert "HX-Request" in response["Vary"]

    def test_a_status_not_offered_is_said_beside_it(self, more: Plan, client_for: Any) -> None:
        html = client_for("viewer").get(page(more, "status=lost&role=abc")).content.decode()
        assert "That is not a status: every status is shown." in html
        assert "That is not one of this playbook’s roles: every role is shown." in html
        assert "Service only" in html and "Kick-off" in html

    def test_an_action_keeps_the_filter(self, more: Plan, client_for: Any) -> None:
        client = client_for("editor")
        html = client.get(page(more, f"role={more.service.pk}")).content.decode()
        assert f"/move/?role={more.service.pk}" in html or f"/edit/?role={more.service.pk}" in html
        url = reverse("message_delete", args=[more.playbook.pk, more.kickoff.pk])
        response = client.post(f"{url}?role={more.service.pk}")
        assert response["Location"] == page(more, f"role={more.service.pk}")
        response = client.post(f"{url}?role={more.sales.pk}", headers=HTMX)
        assert response.status_code == 404  # deleted already


class TestAdd:
    def url(self, plan: Plan) -> str:
        return reverse("message_add", args=[plan.playbook.pk])

    def test_added_by_hand(self, plan: Plan, client_for: Any) -> None:
        response = client_for("editor").post(
            self.url(plan), add_data(plan, sender=f"ambassador:{plan.mette.pk}")
        )
        message = Message.objects.get(title="Your new pipeline view")
        assert response["Location"] == f"{page(plan)}#message-{message.pk}"
        assert message.kind == "" and not message.drafted
        assert message.role == plan.sales
        assert message.sender_ambassador == plan.mette
        assert message.date == datetime.date(2027, 3, 8)
        assert message.order == 2  # after the two there were
        assert message.history.first().history_user.username == "edith"

    def test_to_all_roles_with_every_ambassador_offered(self, plan: Plan, client_for: Any) -> None:
        html = client_for("editor").get(page(plan)).content.decode()
        form = html[html.index('id="add-message"') :]
        assert "Ambassadors of Sales" in form and "Ambassadors of Service" in form
        assert "Members of the playbook" in form
        response = client_for("editor").post(
            self.url(plan), add_data(plan, role="", sender=f"ambassador:{plan.jonas.pk}")
        )
        assert response.status_code == 302
        message = Message.objects.get(title="Your new pipeline view")
        assert message.role is None and message.sender_ambassador == plan.jonas

    def test_a_member_or_a_typed_name(self, plan: Plan, world: Any, client_for: Any) -> None:
        client = client_for("editor")
        client.post(self.url(plan), add_data(plan, title="A", sender=f"member:{world.viewer.pk}"))
        client.post(self.url(plan), add_data(plan, title="B", sender_text="  The CEO  "))
        a, b = Message.objects.get(title="A"), Message.objects.get(title="B")
        assert a.sender_member == world.viewer and a.sender_text == ""
        assert b.sender_text == "The CEO" and b.sender_member is None

    def test_htmx_answers_a_fresh_form_and_the_list(self, plan: Plan, client_for: Any) -> None:
        response = client_for("editor").post(
            self.url(plan), {**add_data(plan), "status": "sent"}, headers=HTMX
        )
        html = response.content.decode()
        assert html.lstrip().startswith('<details id="add-message"')
        assert 'id="messages" class="comms-messages" hx-swap-oob="true"' in html
        assert "Message “Your new pipeline view” added." in html
        assert "The filter hides it" in html  # the filter posted with it: sent only
        assert 'value="Your new pipeline view"' not in html  # the form is empty again

    @pytest.mark.parametrize(
        ("changes", "field", "error"),
        [
            ({"title": "   "}, "title", "Give the message a title."),
            (
                {"title": "x" * 201},
                "title",
                "This text is 201 characters; the limit is 200. Please shorten it.",
            ),
            ({"channel": "pigeon"}, "channel", "Select a valid choice."),
            ({"status": "lost"}, "status", "Select a valid choice."),
            ({"date": "31/02/2027"}, "date", "Enter a valid date."),
            ({"date": "tomorrow"}, "date", "Enter a valid date."),
            ({"sender": "boss:1"}, "sender", "Choose a sender from the list, or type a name."),
            ({"sender": "ambassador:abc"}, "sender", "not on this playbook’s roster"),
            ({"sender": "member:999999"}, "sender", "not a member of this playbook"),
            ({"sender_text": "y" * 201}, "sender_text", "the limit is 200. Please shorten it."),
        ],
    )
    def test_bad_input_is_said_beside_its_field(
        self, plan: Plan, client_for: Any, changes: dict[str, str], field: str, error: str
    ) -> None:
        response = client_for("editor").post(self.url(plan), add_data(plan, **changes))
        assert response.status_code == 200
        assert error in field_error(response.content.decode(), f"add-{field}")
        assert Message.objects.count() == 2

    def test_an_ambassador_of_another_role_is_refused(self, plan: Plan, client_for: Any) -> None:
        response = client_for("editor").post(
            self.url(plan), add_data(plan, sender=f"ambassador:{plan.jonas.pk}")
        )
        assert field_error(response.content.decode(), "add-sender") == (
            "Jonas Holm is an ambassador of Service. Choose one of the ambassadors of Sales, "
            "a member, or type a name."
        )
        assert Message.objects.count() == 2

    def test_a_sender_chosen_and_typed(self, plan: Plan, client_for: Any) -> None:
        response = client_for("editor").post(
            self.url(plan), add_data(plan, sender=f"ambassador:{plan.mette.pk}", sender_text="Bo")
        )
        assert field_error(response.content.decode(), "add-sender_text") == (
            "Choose a sender from the list or type a name, not both."
        )

    def test_10000_characters_are_refused_with_the_limit_stated(
        self, plan: Plan, client_for: Any
    ) -> None:
        client = client_for("editor")
        html = client.get(page(plan)).content.decode()
        assert "At most 5,000 characters." in html  # stated in the form
        response = client.post(self.url(plan), add_data(plan, text="w" * 10_000))
        assert field_error(response.content.decode(), "add-text") == (
            "This text is 10,000 characters; the limit is 5,000. Please shorten it."
        )
        assert Message.objects.count() == 2
        exactly = "a" * (MAX_TEXT - 4) + "\r\nbcd"  # 5,000 once the browser's CR LF is one
        response = client.post(self.url(plan), add_data(plan, text=exactly))
        assert response.status_code == 302
        assert len(Message.objects.get(title="Your new pipeline view").text) == MAX_TEXT

    def test_in_danish_the_limit_is_written_the_danish_way(
        self, plan: Plan, client_for: Any
    ) -> None:
        client = client_for("editor")
        client.cookies["django_language"] = "da"
        response = client.post(self.url(plan), add_data(plan, text="w" * 10_000))
        assert "10.000" in field_error(response.content.decode(), "add-text")

    def test_htmx_errors_come_back_in_the_form(self, plan: Plan, client_for: Any) -> None:
        response = client_for("editor").post(self.url(plan), add_data(plan, title=""), headers=HTMX)
        html = response.content.decode()
        assert html.lstrip().startswith('<details id="add-message"')
        assert " open>" in html.lstrip().split("\n", 1)[0]
        assert "Give the message a title." in html

    def test_get_goes_to_the_form(self, plan: Plan, client_for: Any) -> None:
        response = client_for("editor").get(self.url(plan))
        assert response["Location"] == f"{page(plan)}#add-message"


class TestEdit:
    def test_in_place_with_htmx(self, plan: Plan, client_for: Any) -> None:
        client = client_for("editor")
        form = client.get(edit_url(plan, plan.kickoff), headers=HTMX).content.decode()
        assert form.lstrip().startswith(f'<li id="message-{plan.kickoff.pk}"')
        assert 'hx-target="#messages"' in form
        data = edit_form(client, plan, plan.kickoff, title="Kick-off, moved", date="2027-03-02")
        response = client.post(edit_url(plan, plan.kickoff), data, headers=HTMX)
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="messages"')
        assert "Kick-off, moved" in html
        # It moved to its new week, after go-live, and has the focus.
        assert html.index("Go-live,") < html.index("Kick-off, moved")
        assert f'id="message-title-{plan.kickoff.pk}" tabindex="-1" autofocus' in html

    def test_errors_replace_only_the_item(self, plan: Plan, client_for: Any) -> None:
        client = client_for("editor")
        data = edit_form(client, plan, plan.kickoff, title="")
        response = client.post(edit_url(plan, plan.kickoff), data, headers=HTMX)
        assert response["HX-Retarget"] == f"#message-{plan.kickoff.pk}"
        assert "Give the message a title." in response.content.decode()

    def test_without_javascript(self, plan: Plan, client_for: Any) -> None:
        client = client_for("editor")
        html = client.get(edit_url(plan, plan.kickoff)).content.decode()
        assert "<h1" in html and "Edit the message" in html
        data = edit_form(client, plan, plan.kickoff, status="sent")
        response = client.post(edit_url(plan, plan.kickoff) + "?status=sent", data)
        assert response["Location"] == f"{page(plan, 'status=sent')}#message-{plan.kickoff.pk}"
        plan.kickoff.refresh_from_db()
        assert plan.kickoff.status == "sent"

    def test_a_drafted_message_shows_its_draft_and_stays_drafted_unchanged(
        self, plan: Plan, client_for: Any
    ) -> None:
        client = client_for("editor")
        data = edit_form(client, plan, plan.wiifm, status="scheduled")
        assert data[f"m{plan.wiifm.pk}-title"] == "What’s in it for you: Sales and the CRM"
        assert "Lead scoring puts the best customers first." in data[f"m{plan.wiifm.pk}-text"]
        assert client.post(edit_url(plan, plan.wiifm), data).status_code == 302
        plan.wiifm.refresh_from_db()
        assert plan.wiifm.drafted and plan.wiifm.status == "scheduled"
        assert plan.wiifm.title == "" and plan.wiifm.text == ""  # nothing stored: still drafted

    def test_editing_a_drafted_text_stores_both_and_ends_the_draft(
        self, plan: Plan, client_for: Any
    ) -> None:
        client = client_for("editor")
        data = edit_form(client, plan, plan.wiifm)
        key = f"m{plan.wiifm.pk}-text"
        data[key] = data[key].replace("\n", "\r\n") + "\r\n\r\nSee you Monday."
        assert client.post(edit_url(plan, plan.wiifm), data).status_code == 302
        plan.wiifm.refresh_from_db()
        assert not plan.wiifm.drafted
        assert plan.wiifm.title == "What’s in it for you: Sales and the CRM"
        assert plan.wiifm.text.endswith("See you Monday.")
        plan.sales.question = "Something else?"
        plan.sales.save()
        html = client.get(page(plan)).content.decode()
        assert "See you Monday." in html and "Something else?" not in html

    def test_a_drafted_message_saved_after_the_role_changed_stays_drafted(
        self, plan: Plan, client_for: Any
    ) -> None:
        client = client_for("editor")
        data = edit_form(client, plan, plan.wiifm, channel="chat")
        plan.sales.wiifm = "A newer answer."
        plan.sales.save()
        client.post(edit_url(plan, plan.wiifm), data)
        plan.wiifm.refresh_from_db()
        assert plan.wiifm.drafted and plan.wiifm.channel == "chat"

    def test_emptying_a_drafted_title_is_refused(self, plan: Plan, client_for: Any) -> None:
        client = client_for("editor")
        data = edit_form(client, plan, plan.wiifm, title="")
        response = client.post(edit_url(plan, plan.wiifm), data)
        assert "Give the message a title." in field_error(
            response.content.decode(), f"m{plan.wiifm.pk}-title"
        )
        plan.wiifm.refresh_from_db()
        assert plan.wiifm.drafted

    def test_a_default_date_follows_go_live_until_typed(self, plan: Plan, client_for: Any) -> None:
        client = client_for("editor")
        key = f"m{plan.wiifm.pk}-date"
        data = edit_form(client, plan, plan.wiifm)
        assert data[key] == "2027-02-15"  # shown: go-live - 14 days
        assert f"m{plan.wiifm.pk}-follow_go_live" not in data
        client.post(edit_url(plan, plan.wiifm), data)
        plan.wiifm.refresh_from_db()
        assert plan.wiifm.date is None
        data = edit_form(client, plan, plan.wiifm, date="2027-02-10")
        client.post(edit_url(plan, plan.wiifm), data)
        plan.wiifm.refresh_from_db()
        assert plan.wiifm.date == datetime.date(2027, 2, 10)
        plan.playbook.go_live = GO_LIVE + datetime.timedelta(days=7)
        plan.playbook.save()
        html = client.get(page(plan)).content.decode()
        assert "Feb. 10, 2027" in html  # typed: it stays
        # "Follow go-live again" forgets it.
        data = edit_form(client, plan, plan.wiifm)
        data[f"m{plan.wiifm.pk}-follow_go_live"] = "on"
        client.post(edit_url(plan, plan.wiifm), data)
        plan.wiifm.refresh_from_db()
        assert plan.wiifm.date is None
        assert "Feb. 22, 2027" in client.get(page(plan)).content.decode()

    def test_a_hand_added_message_has_no_follow_go_live(self, plan: Plan, client_for: Any) -> None:
        data = edit_form(client_for("editor"), plan, plan.kickoff)
        assert f"m{plan.kickoff.pk}-follow_go_live" not in data
        assert f"m{plan.kickoff.pk}-shown_date" not in data

    def test_the_sender_list_shows_the_sender(self, plan: Plan, client_for: Any) -> None:
        html = client_for("editor").get(edit_url(plan, plan.wiifm)).content.decode()
        assert (
            f'<option value="ambassador:{plan.mette.pk}" selected data-role="{plan.sales.pk}">'
            "Mette Sørensen"
        ) in html
        assert f'data-sender-of="m{plan.wiifm.pk}-role"' in html
        data = edit_form(client_for("editor"), plan, plan.wiifm, sender="")
        client_for("editor").post(edit_url(plan, plan.wiifm), data)
        plan.wiifm.refresh_from_db()
        assert plan.wiifm.sender_ambassador is None

    def test_changing_the_role_to_another_ambassadors_role_is_refused(
        self, plan: Plan, client_for: Any
    ) -> None:
        client = client_for("editor")
        data = edit_form(client, plan, plan.wiifm, role=str(plan.service.pk))
        response = client.post(edit_url(plan, plan.wiifm), data)
        assert "Mette Sørensen is an ambassador of Sales" in field_error(
            response.content.decode(), f"m{plan.wiifm.pk}-sender"
        )


class TestMove:
    def test_up_and_down_within_a_day(self, plan: Plan, client_for: Any) -> None:
        day = datetime.date(2027, 3, 8)
        a = make_message(plan.playbook, plan.sales, "A", date=day)
        b = make_message(plan.playbook, plan.sales, "B", date=day)
        c = make_message(plan.playbook, plan.sales, "C", date=day + datetime.timedelta(days=1))
        client = client_for("editor")
        html = client.get(page(plan)).content.decode()
        assert f'id="down-{a.pk}"' in html and f'id="up-{a.pk}"' not in html
        assert f'id="up-{c.pk}"' not in html and f'id="down-{c.pk}"' not in html
        url = reverse("message_move", args=[plan.playbook.pk, b.pk])
        response = client.post(url, {"direction": "up"}, headers=HTMX)
        html = response.content.decode()
        assert html.index(">B<") < html.index(">A<") < html.index(">C<")
        assert f'id="down-{b.pk}" name="direction" value="down" class' in html
        assert "autofocus" in html.split(f'id="down-{b.pk}"')[1].split(">")[0]
        # Without JavaScript: back to the message.
        response = client.post(url, {"direction": "down"})
        assert response["Location"] == f"{page(plan)}#message-{b.pk}"
        html = client.get(page(plan)).content.decode()
        assert html.index(">A<") < html.index(">B<")

    def test_a_filtered_move_keeps_the_hidden_messages_in_their_places(
        self, plan: Plan, client_for: Any
    ) -> None:
        """Filtered by Service, Service's message moves past the all-roles
        one; Sales' message, hidden by the filter, stays where it was."""
        day = datetime.date(2027, 3, 8)
        everyone = make_message(plan.playbook, None, "Everyone", date=day)
        sales = make_message(plan.playbook, plan.sales, "Sales only", date=day)
        service = make_message(plan.playbook, plan.service, "Service only", date=day)
        client = client_for("editor")
        url = reverse("message_move", args=[plan.playbook.pk, service.pk])
        client.post(f"{url}?role={plan.service.pk}", {"direction": "up"})
        html = client.get(page(plan)).content.decode()
        assert html.index(">Service only<") < html.index(">Everyone<") < html.index(">Sales only<")
        assert {everyone.pk, sales.pk} <= set(Message.objects.values_list("pk", flat=True))

    def test_a_direction_not_offered_moves_nothing(self, plan: Plan, client_for: Any) -> None:
        url = reverse("message_move", args=[plan.playbook.pk, plan.kickoff.pk])
        before = list(Message.objects.values_list("pk", "order"))
        for direction in ("up", "sideways", ""):
            assert client_for("editor").post(url, {"direction": direction}).status_code == 302
        assert list(Message.objects.values_list("pk", "order")) == before


class TestCopyReady:
    PAYLOAD_TITLE = 'Q&A: "who?" <script>alert(1)</script> 100% #1'
    PAYLOAD_TEXT = "Line one & two?\nbody=evil&to=boss@example.com\r\n<img src=x onerror=alert(1)>"

    @pytest.fixture
    def payload(self, plan: Plan, world: Any) -> Any:
        return make_message(
            plan.playbook,
            plan.sales,
            self.PAYLOAD_TITLE,
            text=self.PAYLOAD_TEXT,
            sender_member=world.editor,
        )

    def mailto_of(self, html: str, message: Any) -> str:
        item = html[html.index(f'id="message-{message.pk}"') :]
        href = re.search(r'href="(mailto:[^"]*)"', item)
        assert href, "no mailto link"
        return href.group(1).replace("&amp;", "&")

    def test_payloads_survive_the_page_and_the_link(
        self, plan: Plan, payload: Any, client_for: Any
    ) -> None:
        html = client_for("viewer").get(page(plan)).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html
        assert "Q&amp;A: &quot;who?&quot; &lt;script&gt;" in html
        link = self.mailto_of(html, payload)
        parts = urlsplit(link)
        assert parts.scheme == "mailto"
        # To: the role's ambassadors, as the sender is a member; nothing else.
        assert unquote(parts.path) == "mette@example.com"
        query = parse_qs(parts.query, keep_blank_values=True)
        assert set(query) == {"subject", "body"}
        assert query["subject"] == [self.PAYLOAD_TITLE]
        assert query["body"] == [
            "Line one & two?\r\nbody=evil&to=boss@example.com\r\n<img src=x onerror=alert(1)>"
        ]
        assert "%0D%0A" in link and "\n" not in link and " " not in link

    def test_no_addresses_unless_the_sender_is_a_member(
        self, plan: Plan, payload: Any, client_for: Any
    ) -> None:
        html = client_for("viewer").get(page(plan)).content.decode()
        assert self.mailto_of(html, plan.wiifm).startswith("mailto:?subject=")  # an ambassador
        assert self.mailto_of(html, plan.kickoff).startswith(  # a member, to all roles
            "mailto:mette@example.com,jonas@example.com?subject="
        ) or self.mailto_of(html, plan.kickoff).startswith(
            "mailto:jonas@example.com,mette@example.com?subject="
        )
        typed = make_message(plan.playbook, plan.sales, "Typed", sender_text="The CEO")
        html = client_for("viewer").get(page(plan)).content.decode()
        assert self.mailto_of(html, typed).startswith("mailto:?subject=Typed")

    def test_copy_text_with_and_without_javascript(
        self, plan: Plan, payload: Any, client_for: Any
    ) -> None:
        html = client_for("viewer").get(page(plan)).content.decode()
        item = html[html.index(f'id="message-{payload.pk}"') :].split("</li>")[0]
        assert f'data-copy-text="#copy-{payload.pk}"' in item
        assert f'<textarea id="copy-{payload.pk}"' in item and "readonly hidden" in item
        text_url = reverse("message_text", args=[plan.playbook.pk, payload.pk])
        assert f'href="{text_url}"' in item
        plain = client_for("viewer").get(text_url).content.decode()
        assert "readonly autofocus>Q&amp;A: &quot;who?&quot; &lt;script&gt;" in plain
        assert "&lt;img src=x onerror=alert(1)&gt;</textarea>" in plain
        assert "<script>alert" not in plain


class TestQueries:
    def test_a_fixed_number_whatever_the_number_of_messages(
        self, plan: Plan, world: Any, client_for: Any, django_assert_num_queries: Any
    ) -> None:
        client = client_for("editor")
        url = page(plan)
        # session, user, membership with playbook, roles, messages with their
        # senders, ambassadors, members, step 5, the drafted roles' Give-Gets,
        # the plan's progress
        with django_assert_num_queries(10):
            assert client.get(url).status_code == 200
        roles = [make_role(plan.playbook, f"Role {n}") for n in range(8)]
        for n in range(48):
            role = roles[n % 8]
            kind = ("wiifm", "quick_win", "first_results", "")[n % 4]
            make_message(
                plan.playbook,
                role if n % 5 else None,
                f"Message {n}",
                kind=kind if n % 5 else "open_session",
                drafted=kind != "",
                sender_ambassador=make_ambassador(role, f"Amb {n}") if n % 3 == 0 else None,
                sender_member=world.viewer if n % 3 == 1 else None,
                date=GO_LIVE + datetime.timedelta(days=n) if n % 7 == 0 else None,
            )
        assert Message.objects.count() == 50
        with django_assert_num_queries(10):
            html = client.get(url).content.decode()
        assert html.count('class="comms-message card') == 50

    def test_one_message(self, world: Any, client_for: Any, django_assert_num_queries: Any) -> None:
        role = make_role(world.playbook, "Solo")
        make_message(world.playbook, role, "Only one", kind="wiifm", drafted=True)
        client = client_for("viewer")
        with django_assert_num_queries(10):
            html = client.get(reverse("comms", args=[world.playbook.pk])).content.decode()
        assert html.count('class="comms-message card') == 1
        assert "What’s in it for you: Solo and the CRM" in html

    def test_the_filtered_list_alone(
        self, plan: Plan, client_for: Any, django_assert_num_queries: Any
    ) -> None:
        client = client_for("viewer")
        # session, user, membership with playbook, roles, messages, ambassadors,
        # members, step 5, Give-Gets: no header
        with django_assert_num_queries(9):
            client.get(page(plan, "status=draft"), headers={**HTMX, "HX-Target": "messages"})


def test_a_new_member_is_offered_as_sender(plan: Plan, client_for: Any) -> None:
    add_member(plan.playbook, make_user("bo", first_name="Bo", last_name="Berg"), "viewer")
    html = client_for("editor").get(page(plan)).content.decode()
    assert ">Bo Berg</option>" in html


def test_a_title_is_one_line_whatever_is_posted(plan: Plan, client_for: Any) -> None:
    """No text input sends a line break; a crafted request's becomes a space
    (a title is a heading, a calendar SUMMARY and an e-mail's subject)."""
    client_for("editor").post(
        reverse("message_add", args=[plan.playbook.pk]),
        add_data(plan, title="Evil\r\nBEGIN:VEVENT\r\n  X"),
    )
    assert Message.objects.get(title__startswith="Evil").title == "Evil BEGIN:VEVENT X"


def test_a_date_no_calendar_holds_is_refused(plan: Plan, client_for: Any) -> None:
    response = client_for("editor").post(
        reverse("message_add", args=[plan.playbook.pk]), add_data(plan, date="9999-12-31")
    )
    assert field_error(response.content.decode(), "add-date") == (
        "Enter a date between the years 1900 and 2999."
    )
    assert not Message.objects.filter(title="Your new pipeline view").exists()


def test_a_drafted_message_moved_to_all_roles_keeps_what_it_showed(
    plan: Plan, client_for: Any
) -> None:
    client = client_for("editor")
    shown = client.get(edit_url(plan, plan.wiifm)).content.decode()
    assert "You asked us: “Does it help me close deals faster?”" in shown
    data = edit_form(client, plan, plan.wiifm, role="", sender="")
    client.post(edit_url(plan, plan.wiifm), data)
    plan.wiifm.refresh_from_db()
    assert plan.wiifm.role is None and not plan.wiifm.drafted
    assert plan.wiifm.kind == ""  # no longer Sales' own default message
    assert "You asked us: “Does it help me close deals faster?”" in plan.wiifm.text
    assert plan.wiifm.date == datetime.date(2027, 2, 15)  # the date it followed, typed now
