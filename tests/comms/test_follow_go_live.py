"""A message's typed date can follow go-live again, when its kind has a
default (issue 22)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse

from comms.models import Message
from core.concurrency import read_token
from tests.comms.conftest import GO_LIVE, Plan
from tests.factories import make_message

pytestmark = pytest.mark.django_db
D = datetime.date
TYPED = D(2027, 2, 3)
DEFAULT = GO_LIVE - datetime.timedelta(days=14)  # "Your WIIFM": go-live − 14 days
BUTTON = "Follow go-live again (Feb. 15, 2027)"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def typed(plan: Plan) -> Message:
    plan.wiifm.date = TYPED
    plan.wiifm.save()
    return plan.wiifm


def url(message: Message, query: str = "") -> str:
    return reverse("message_follow_go_live", args=[message.playbook_id, message.pk]) + query


def token(message: Message) -> dict[str, str]:
    message.refresh_from_db()
    return {"read_as": read_token(message, ["date"])}


def date(message: Message) -> D | None:
    message.refresh_from_db()
    return message.date


def comms(plan: Plan) -> str:
    return reverse("comms", args=[plan.playbook.pk])


class TestFollowGoLiveAgain:
    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 302), ("owner", 302)],
    )
    def test_who_may(self, typed: Message, client_for: Any, who: str, status: int) -> None:
        response = client_for(who).post(url(typed), token(typed))
        assert response.status_code == status
        if who == "anonymous":
            assert response["Location"].startswith("/accounts/login/")
        assert date(typed) == (None if status == 302 and who != "anonymous" else TYPED)

    def test_without_javascript_back_to_the_filtered_page(
        self, plan: Plan, typed: Message, client_for: Any
    ) -> None:
        query = f"?role={plan.sales.pk}"
        client = client_for("editor")
        response = client.post(url(typed, query), token(typed))
        assert response["Location"] == f"{comms(plan)}{query}#message-{typed.pk}"
        html = client.get(response["Location"]).content.decode()
        assert "What’s in it for you: Sales and the CRM” follows go-live again." in html
        assert re.search(r"Feb\. 15, 2027</span> <span [^>]*>\(follows go-live\)", html)
        assert BUTTON not in html

    def test_with_htmx_the_list_and_a_status(
        self, plan: Plan, typed: Message, client_for: Any
    ) -> None:
        response = client_for("editor").post(url(typed), token(typed), headers=HTMX)
        html = response.content.decode()
        assert '<div id="messages"' in html
        assert "follows go-live again." in html  # in the live region, out of band
        assert BUTTON not in html
        assert date(typed) is None

    def test_recorded_in_the_history(self, world: Any, typed: Message, client_for: Any) -> None:
        client_for("editor").post(url(typed), token(typed))
        record = typed.history.order_by("-history_date").first()
        assert (record.history_user, record.date) == (world.editor, None)

    def test_someone_elses_date_since_is_kept(self, typed: Message, client_for: Any) -> None:
        read = token(typed)
        Message.objects.filter(pk=typed.pk).update(date=D(2027, 2, 5), version=typed.version + 1)
        client = client_for("editor")
        html = client.post(url(typed), read, follow=True).content.decode()
        assert "Someone else changed the date of “What’s in it for you: Sales and the CRM”" in html
        html = client.post(url(typed), read, headers=HTMX).content.decode()
        assert "Someone else changed the date" in html
        assert date(typed) == D(2027, 2, 5)

    def test_only_posted(self, typed: Message, client_for: Any) -> None:
        assert client_for("editor").get(url(typed)).status_code == 405

    def test_a_message_of_another_playbook_is_404(
        self, world: Any, typed: Message, client_for: Any
    ) -> None:
        foreign = make_message(world.other_playbook, None, "Oscar's", kind="wiifm", date=TYPED)
        response = client_for("editor").post(
            reverse("message_follow_go_live", args=[world.playbook.pk, foreign.pk])
        )
        assert response.status_code == 404
        assert date(foreign) == TYPED


class TestTheButton:
    def test_for_editors_on_typed_dates_with_a_default(
        self, plan: Plan, typed: Message, client_for: Any
    ) -> None:
        for who in ("editor", "owner"):
            html = client_for(who).get(comms(plan)).content.decode()
            # The kick-off was added by hand: its date has no default to go back to.
            assert html.count("text-start follow-go-live") == 1
            assert BUTTON in html
        assert "Follow go-live again" not in client_for("viewer").get(comms(plan)).content.decode()

    def test_not_on_a_date_that_follows_already(self, plan: Plan, client_for: Any) -> None:
        assert "Follow go-live again" not in client_for("editor").get(comms(plan)).content.decode()

    def test_the_query_budget_stays(
        self, plan: Plan, typed: Message, client_for: Any, django_assert_num_queries: Any
    ) -> None:
        client = client_for("editor")
        # session, user, membership with playbook, roles, messages with their
        # senders, ambassadors, members, step 5, the drafted roles' Give-Gets,
        # the plan's progress
        with django_assert_num_queries(10):
            assert BUTTON in client.get(comms(plan)).content.decode()


class TestNothingToFollow:
    def test_a_message_added_by_hand_keeps_its_date(self, plan: Plan, client_for: Any) -> None:
        custom = make_message(plan.playbook, title="Lunch and learn", date=TYPED)
        html = client_for("editor").post(url(custom), token(custom), follow=True).content.decode()
        assert date(custom) == TYPED
        assert "has no default date to follow" in html

    def test_without_go_live_the_typed_date_stays(
        self, plan: Plan, typed: Message, client_for: Any
    ) -> None:
        posted = token(typed)
        plan.playbook.go_live = None  # another editor, since the page was read
        plan.playbook.save()
        response = client_for("editor").post(url(typed), posted, headers=HTMX)
        assert date(typed) == TYPED
        assert "has no default date to follow" in response.content.decode()

    def test_a_posted_date_is_ignored(self, typed: Message, client_for: Any) -> None:
        client_for("editor").post(url(typed), {**token(typed), "date": "2030-01-01"})
        assert date(typed) is None

    def test_a_refused_post_is_not_called_someone_elses_change(
        self, typed: Message, client_for: Any
    ) -> None:
        html = (
            client_for("editor")
            .post(url(typed), {**token(typed), "date": "not a date"}, follow=True)
            .content.decode()
        )
        assert date(typed) == TYPED
        assert "The page was out of date" in html and "Someone else changed" not in html
