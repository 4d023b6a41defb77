"""The Calendar panel in a browser: an editor issues the secret feed, copies
its address, a calendar app reads it without a cookie, then the editor
revokes it (htmx's confirm, then without JavaScript the page that asks)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from planner.services import create_playbook
from playbooks.models import CalendarFeed
from tests.browser.conftest import (
    SCREENSHOTS,
    PageProblems,
    log_in,
    screenshot,
    serious_axe_violations,
)
from tests.factories import make_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def playbook(transactional_db: Any) -> Any:
    lead = make_user("lead", first_name="Lea")
    playbook = create_playbook(
        owner=lead,
        name="Salesforce rollout 2027",
        go_live=datetime.date.today() + datetime.timedelta(days=30),
    )
    make_role(playbook, "Sales", quick_win="Voice notes")
    return playbook


@pytest.mark.parametrize("width", [1366, 390])
def test_issue_copy_read_and_revoke_the_feed(
    page: Page,
    browser: Browser,
    live_server: Any,
    playbook: Any,
    problems: PageProblems,
    width: int,
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/plan/")
    page.get_by_role("link", name="Put the plan in your calendar").click()
    panel = page.locator("#calendar")
    expect(panel.get_by_role("heading", name="Calendar")).to_be_visible()
    expect(panel.get_by_role("link", name="Download the calendar (.ics)")).to_be_visible()
    page.evaluate("window.__noReload = true")

    panel.get_by_role("button", name="Issue calendar feed").click()
    address = page.get_by_label("Calendar feed address")
    expect(address).to_have_value(re.compile(r"/cal/[^/]+\.ics$"))  # issued: now read it
    expect(address).to_have_value(f"{live_server.url}/cal/{CalendarFeed.objects.get().token}.ics")
    expect(page.locator("#calendar-status")).to_contain_text("Calendar feed issued.")
    # Before the click: axe must not sample the button mid-way through its
    # pressed state's colour transition.
    assert serious_axe_violations(page) == []
    page.get_by_role("button", name="Copy the calendar feed address").click()
    expect(page.locator("#calendar-copy-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == address.input_value()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    panel.screenshot(path=str(SCREENSHOTS / f"calendar-panel-{width}.png"))

    # A calendar app: no login, no cookie, the plan's events.
    url = address.input_value()
    app = browser.new_context()
    feed = app.request.get(url)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "set-cookie" not in feed.headers
    assert "SUMMARY:Quick win due: Sales — Voice notes" in feed.text()

    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("link", name="Revoke the calendar feed").click()
    expect(page.locator("#calendar-status")).to_contain_text("Calendar feed revoked")
    expect(panel.get_by_role("button", name="Issue calendar feed")).to_be_visible()
    assert page.evaluate("window.__noReload") is True, "the page reloaded"
    assert app.request.get(url).status == 404
    app.close()
    assert problems.csp_violations() == []


def test_without_javascript_revoking_asks_on_a_page_of_its_own(
    browser: Browser, live_server: Any, playbook: Any
) -> None:
    CalendarFeed.objects.create(playbook=playbook)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/plan/#calendar")
    address = page.get_by_label("Calendar feed address")
    expect(address).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="Copy the calendar feed address")).to_be_hidden()
    page.get_by_role("link", name="Revoke the calendar feed").click()
    expect(page.get_by_role("heading", name="Revoke the calendar feed?")).to_be_visible()
    screenshot(page, "calendar-revoke-confirm-390")
    page.get_by_role("button", name="Revoke the feed").click()
    expect(page.get_by_text("Calendar feed revoked")).to_be_visible()
    assert not CalendarFeed.objects.exists()
    context.close()
