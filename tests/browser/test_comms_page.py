"""The communications page in a browser: adding a message, editing one in
place with the keyboard, filtering, copying a text; at desk and phone width,
in English and Danish, with screenshots."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from comms.models import Message
from planner.services import create_playbook
from tests.browser.conftest import (
    PageProblems,
    log_in,
    screenshot,
    serious_axe_violations,
    settled,
)
from tests.factories import make_ambassador, make_giveget, make_message, make_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GO_LIVE = datetime.date(2027, 3, 1)


@pytest.fixture
def playbook(transactional_db: Any) -> Any:
    lead = make_user("lead", first_name="Lea", last_name="Dahl")
    playbook = create_playbook(owner=lead, name="Salesforce rollout 2027", go_live=GO_LIVE)
    sales = make_role(
        playbook,
        "Sales",
        headcount=40,
        question="Does it help me close deals faster?",
        wiifm="Lead scoring puts the customers most likely to buy at the top of your list, "
        "and the weekly pipeline report builds itself: more time selling.",
        quick_win="Voice notes",
    )
    make_giveget(sales, "Log each customer meeting", get="A weekly pipeline report")
    service = make_role(playbook, "Service", headcount=12)
    mette = make_ambassador(sales, "Mette Sørensen", email="mette@example.com", influence=5)
    make_ambassador(service, "Jonas Holm", email="jonas@example.com")
    make_message(playbook, sales, "", text="", kind="wiifm", drafted=True, sender_ambassador=mette)
    make_message(playbook, sales, "", text="", kind="quick_win", drafted=True)
    make_message(
        playbook,
        None,
        "Kick-off for everyone",
        text="We start on Monday.\nCoffee at nine.",
        date=datetime.date(2027, 2, 24),
        channel="meeting",
        sender_member=lead,
        status="scheduled",
    )
    make_message(playbook, service, "Newsletter item", text="To be written.", channel="intranet")
    return playbook


def comms_url(base: str, playbook: Any) -> str:
    return f"{base}/playbooks/{playbook.pk}/comms/"


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("language", ["en", "da"])
def test_add_edit_filter_copy(
    page: Page,
    live_server: Any,
    playbook: Any,
    problems: PageProblems,
    width: int,
    language: str,
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    # No transitions: axe reads a button's colours as they are, not halfway.
    page.emulate_media(reduced_motion="reduce")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server.url)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(comms_url(live_server.url, playbook))
    expect(page.locator("#messages")).to_contain_text("Kick-off for everyone")
    # Dates in the page's language.
    expect(page.locator("#messages")).to_contain_text(
        "24. februar 2027" if language == "da" else "Feb. 24, 2027"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_axe_violations(page) == []
    screenshot(page, f"comms-{language}-{width}")
    page.evaluate("window.__noReload = true")

    # Add a message: it appears in its week, and the form is ready for another.
    page.locator("#add-message > summary").click()
    page.locator("#id_add-role").select_option(label="Service")
    # The sender list offers the chosen role's ambassadors, and the members.
    expect(page.locator("#id_add-sender option", has_text="Mette Sørensen")).to_be_hidden()
    page.locator("#id_add-role").select_option(label="Sales")
    expect(page.locator("#id_add-sender option", has_text="Jonas Holm")).to_be_hidden()
    page.locator("#id_add-title").fill("Your new pipeline view")
    page.locator("#id_add-text").fill("From Monday the pipeline shows itself.")
    page.locator("#id_add-date").fill("2027-03-08")
    page.locator("#id_add-sender").select_option(label="Mette Sørensen")
    page.locator("#add-message button[type=submit]").click()
    added = Message.objects.filter(title="Your new pipeline view")
    expect(page.locator("#messages")).to_contain_text("Your new pipeline view")
    expect(page.locator("#id_add-title")).to_have_value("")
    # Ready for another: the fresh form's first field has the focus. htmx focuses it
    # again when the swap settles: waited for, or it takes the focus from the edit
    # link below (and the link is not wired up before that).
    expect(page.locator("#id_add-role")).to_be_focused()
    settled(page)
    assert added.count() == 1 and added.get().sender_ambassador.name == "Mette Sørensen"
    message = added.get()
    item = page.locator(f"#message-{message.pk}")
    expect(item).to_contain_text("Mette Sørensen")
    expect(item).to_contain_text("8. marts 2027" if language == "da" else "March 8, 2027")

    # Edit it in place, with the keyboard only: the link, then Enter in a field saves.
    item.locator(f"a[href$='/comms/{message.pk}/edit/']").focus()
    page.keyboard.press("Enter")
    title = page.locator(f"#id_m{message.pk}-title")
    expect(title).to_be_focused()
    settled(page)  # the field has the focus before its form is wired up
    screenshot(page, f"comms-edit-{language}-{width}", full_page=False)
    page.keyboard.press("Control+A")
    page.keyboard.type("Your pipeline view, live")
    page.keyboard.press("Enter")
    heading = page.locator(f"#message-title-{message.pk}")
    expect(heading).to_have_text("Your pipeline view, live")
    expect(heading).to_be_focused()
    message.refresh_from_db()
    assert message.title == "Your pipeline view, live"

    # Filter by status: only the scheduled one; the address says so.
    page.locator("#id_status").select_option("scheduled")
    expect(page.locator("#messages")).not_to_contain_text("Newsletter item")
    expect(page.locator("#messages")).to_contain_text("Kick-off for everyone")
    assert "status=scheduled" in page.url
    # And by role: Service's messages with those to all roles.
    page.locator("#id_status").select_option("")
    page.locator("#id_role").select_option(label="Service")
    expect(page.locator("#messages")).to_contain_text("Newsletter item")
    expect(page.locator("#messages")).to_contain_text("Kick-off for everyone")
    expect(page.locator("#messages")).not_to_contain_text("Your pipeline view, live")
    page.locator("#id_role").select_option("")
    expect(page.locator("#messages")).to_contain_text("Your pipeline view, live")

    # Copy text: the title and the text on the clipboard.
    kickoff = Message.objects.get(title="Kick-off for everyone")
    page.locator(f"#message-{kickoff.pk} [data-copy-text]").click()
    expect(page.locator(f"#copy-status-{kickoff.pk}")).not_to_be_empty()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "Kick-off for everyone\n\nWe start on Monday.\nCoffee at nine."
    # Open in e-mail: the members' message goes to every ambassador.
    href = page.locator(f"#message-{kickoff.pk} a[href^='mailto:']").get_attribute("href")
    assert href is not None and href.startswith("mailto:")
    assert "mette@example.com" in href and "jonas@example.com" in href
    assert "We%20start%20on%20Monday.%0D%0ACoffee%20at%20nine." in href

    # A long drafted text is clamped; its button shows it all.
    wiifm = Message.objects.get(kind="wiifm")
    text = page.locator(f"#message-text-{wiifm.pk}")
    clamped = text.bounding_box()
    page.locator(f"#message-{wiifm.pk} [data-expand]").click()
    expect(page.locator(f"#message-{wiifm.pk} [data-expand]")).to_have_attribute(
        "aria-expanded", "true"
    )
    opened = text.bounding_box()
    assert clamped is not None and opened is not None and opened["height"] > clamped["height"]

    assert page.evaluate("window.__noReload") is True, "the page reloaded"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_axe_violations(page) == []
    screenshot(page, f"comms-after-{language}-{width}")
    assert problems.csp_violations() == []


def test_without_javascript(browser: Any, live_server: Any, playbook: Any) -> None:
    """Every action is a form or a link: add, edit, copy (as a page), delete."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(comms_url(live_server.url, playbook))
    expect(page.locator("[data-copy-text]").first).to_be_hidden()
    kickoff = Message.objects.get(title="Kick-off for everyone")
    page.locator(f"#message-{kickoff.pk} a.no-js-only").click()
    expect(page.locator("#copy-text")).to_have_value(
        "Kick-off for everyone\n\nWe start on Monday.\nCoffee at nine."
    )
    page.go_back()
    page.locator("#add-message > summary").click()
    page.locator("#id_add-title").fill("Added without JavaScript")
    page.locator("#id_add-text").fill("x" * 5001)
    page.locator("#add-message button[type=submit]").click()
    expect(page.locator("#add-message")).to_contain_text("the limit is 5,000. Please shorten")
    page.locator("#id_add-text").fill("Short.")
    page.locator("#add-message button[type=submit]").click()
    expect(page.locator("#messages")).to_contain_text("Added without JavaScript")
    page.locator(f"#message-{kickoff.pk} a[href$='/edit/']").click()
    page.locator(f"#id_m{kickoff.pk}-status").select_option("sent")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(f"#message-{kickoff.pk}")).to_contain_text("Sent")
    page.locator(f"#message-{kickoff.pk} a[href$='/delete/']").click()
    page.locator("form button.btn-danger").click()
    expect(page.locator("#messages")).not_to_contain_text("Kick-off for everyone")
    page.locator("#undo button[type=submit]").click()
    expect(page.locator("#messages")).to_contain_text("Kick-off for everyone")
    screenshot(page, "comms-no-js-390")
    context.close()
