"""Two people editing one message at once (core.concurrency): changes to
different fields merge; the same field changed by both is a conflict showing
both values, never a silent overwrite; a drafted message stays drafted
through it all unless someone edits its title or text."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from comms.models import Message
from tests.comms.conftest import Plan
from tests.comms.test_messages_page import edit_url
from tests.playbooks.test_no_silent_overwrite import form_on, opened

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def two(world: Any, client_for: Any) -> tuple[Client, Client]:
    """The owner Olivia Dahl and the editor Edith."""
    world.owner.last_name = "Dahl"
    world.owner.save()
    return client_for("owner"), client_for("editor")


def both_open(two: tuple[Client, Client], plan: Plan, message: Message) -> tuple[dict, dict]:
    a, b = two
    field = f"m{message.pk}-title"
    return opened(a, edit_url(plan, message), field), opened(b, edit_url(plan, message), field)


def key(message: Message, name: str) -> str:
    return f"m{message.pk}-{name}"


def test_different_fields_merge(two: tuple[Client, Client], plan: Plan) -> None:
    a, b = two
    seen_a, seen_b = both_open(two, plan, plan.kickoff)
    seen_a[key(plan.kickoff, "title")] = "Kick-off in the canteen"
    seen_b[key(plan.kickoff, "status")] = "scheduled"
    assert a.post(edit_url(plan, plan.kickoff), seen_a).status_code == 302
    assert b.post(edit_url(plan, plan.kickoff), seen_b).status_code == 302
    plan.kickoff.refresh_from_db()
    assert (plan.kickoff.title, plan.kickoff.status) == ("Kick-off in the canteen", "scheduled")


def test_the_same_field_shows_both_values_and_saves_nothing(
    two: tuple[Client, Client], plan: Plan
) -> None:
    a, b = two
    seen_a, seen_b = both_open(two, plan, plan.kickoff)
    seen_a[key(plan.kickoff, "title")] = "Theirs: the canteen"
    seen_b[key(plan.kickoff, "title")] = "Mine: the big hall"
    a.post(edit_url(plan, plan.kickoff), seen_a)
    response = b.post(edit_url(plan, plan.kickoff), seen_b, headers=HTMX)
    assert response.status_code == 409
    assert response["HX-Retarget"] == f"#message-{plan.kickoff.pk}"
    html = response.content.decode()
    assert "Changed by Olivia Dahl at" in html and "Nothing was saved." in html
    assert "Theirs: <strong>Theirs: the canteen</strong>" in html
    assert "Yours: <strong>Mine: the big hall</strong>" in html
    plan.kickoff.refresh_from_db()
    assert plan.kickoff.title == "Theirs: the canteen"
    # "Save mine over it" then saves it.
    again = form_on(html, key(plan.kickoff, "title"))
    again[key(plan.kickoff, "on_conflict")] = "mine"
    assert b.post(edit_url(plan, plan.kickoff), again, headers=HTMX).status_code == 200
    plan.kickoff.refresh_from_db()
    assert plan.kickoff.title == "Mine: the big hall"


def test_keep_theirs(two: tuple[Client, Client], plan: Plan) -> None:
    a, b = two
    seen_a, seen_b = both_open(two, plan, plan.kickoff)
    seen_a[key(plan.kickoff, "sender")] = f"ambassador:{plan.mette.pk}"
    seen_b[key(plan.kickoff, "sender")] = f"ambassador:{plan.jonas.pk}"
    seen_b[key(plan.kickoff, "channel")] = "chat"
    a.post(edit_url(plan, plan.kickoff), seen_a)
    response = b.post(edit_url(plan, plan.kickoff), seen_b)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Theirs: <strong>Mette Sørensen</strong>" in html
    assert "Yours: <strong>Jonas Holm</strong>" in html
    # The form shown again keeps mine for the disputed field.
    again = form_on(html, key(plan.kickoff, "title"))
    assert again[key(plan.kickoff, "sender")] == f"ambassador:{plan.jonas.pk}"
    again[key(plan.kickoff, "on_conflict")] = "theirs"
    assert b.post(edit_url(plan, plan.kickoff), again).status_code == 302
    plan.kickoff.refresh_from_db()
    assert plan.kickoff.sender_ambassador == plan.mette
    assert plan.kickoff.channel == "chat"


def test_a_draft_ended_by_one_and_a_status_by_the_other(
    two: tuple[Client, Client], plan: Plan
) -> None:
    a, b = two
    seen_a, seen_b = both_open(two, plan, plan.wiifm)
    seen_a[key(plan.wiifm, "text")] += "\n\nA's own words."
    seen_b[key(plan.wiifm, "status")] = "sent"
    assert a.post(edit_url(plan, plan.wiifm), seen_a).status_code == 302
    assert b.post(edit_url(plan, plan.wiifm), seen_b).status_code == 302
    plan.wiifm.refresh_from_db()
    assert not plan.wiifm.drafted
    assert plan.wiifm.text.endswith("A's own words.")
    assert plan.wiifm.status == "sent"


def test_both_writing_the_drafted_text_is_a_conflict(
    two: tuple[Client, Client], plan: Plan
) -> None:
    a, b = two
    seen_a, seen_b = both_open(two, plan, plan.wiifm)
    seen_a[key(plan.wiifm, "text")] = "A's version."
    seen_b[key(plan.wiifm, "text")] = "B's version."
    a.post(edit_url(plan, plan.wiifm), seen_a)
    response = b.post(edit_url(plan, plan.wiifm), seen_b)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Theirs: <strong>A&#x27;s version.</strong>" in html
    assert "Yours: <strong>B&#x27;s version.</strong>" in html
    plan.wiifm.refresh_from_db()
    assert plan.wiifm.text == "A's version."


def test_a_conflict_on_a_drafted_message_shows_its_draft_again(
    two: tuple[Client, Client], plan: Plan
) -> None:
    a, b = two
    seen_a, seen_b = both_open(two, plan, plan.wiifm)
    seen_a[key(plan.wiifm, "status")] = "scheduled"
    seen_b[key(plan.wiifm, "status")] = "sent"
    a.post(edit_url(plan, plan.wiifm), seen_a)
    response = b.post(edit_url(plan, plan.wiifm), seen_b)
    assert response.status_code == 409
    again = form_on(response.content.decode(), key(plan.wiifm, "title"))
    assert again[key(plan.wiifm, "title")] == "What’s in it for you: Sales and the CRM"
    again[key(plan.wiifm, "on_conflict")] = "mine"
    assert b.post(edit_url(plan, plan.wiifm), again).status_code == 302
    plan.wiifm.refresh_from_db()
    assert plan.wiifm.status == "sent"
    assert plan.wiifm.drafted and plan.wiifm.title == ""


def test_a_message_deleted_meanwhile_is_not_found(two: tuple[Client, Client], plan: Plan) -> None:
    _a, b = two
    _seen_a, seen_b = both_open(two, plan, plan.kickoff)
    url = edit_url(plan, plan.kickoff)
    plan.kickoff.delete()
    assert b.post(url, seen_b).status_code == 404
