"""The action plan in a browser: ticking tasks updates the progress in place."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from planner.services import create_playbook
from tests.browser.conftest import (
    PageProblems,
    log_in,
    screenshot,
    serious_axe_violations,
    settled,
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


@pytest.mark.parametrize("width", [1280, 390])
def test_ticking_a_task_updates_step_and_header_progress(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/plan/")
    header = page.locator("#plan-progress")
    expect(header).to_have_text("Plan: 0 of 7 steps done · 0 of 21 tasks")
    assert serious_axe_violations(page) == []
    page.evaluate("window.__noReload = true")

    step_one = page.locator("#step-1")
    step_one.get_by_role("checkbox", name="Write the value-gap pledge with the sponsor").click()
    expect(page.locator("#step-1")).to_contain_text("1 of 3 tasks done")
    expect(header).to_have_text("Plan: 0 of 7 steps done · 1 of 21 tasks")
    settled(page)  # each click below lands on content htmx has just swapped in
    page.locator("#step-1").get_by_role("checkbox", name="Send the pledge to everyone").click()
    expect(page.locator("#step-1")).to_contain_text("2 of 3 tasks done")
    expect(header).to_have_text("Plan: 0 of 7 steps done · 2 of 21 tasks")
    settled(page)

    # Quick wins in step 6 are the roles' own.
    page.locator("#step-6").get_by_role("button", name="Mark done").click()
    expect(page.locator("#step-6").get_by_role("button", name="Done")).to_be_visible()
    settled(page)

    # Mark step 1 done in place.
    page.locator("#step-1").get_by_role("link", name="Edit step").click()
    expect(page.locator("#step-1 select[name$='-status']")).to_be_visible()
    settled(page)
    page.locator("#step-1 select[name$='-status']").select_option("done")
    page.locator("#step-1").get_by_role("button", name="Save").click()
    expect(header).to_have_text("Plan: 1 of 7 steps done · 2 of 21 tasks")
    assert page.evaluate("window.__noReload") is True, "the page reloaded"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_axe_violations(page) == []
    screenshot(page, f"plan-{'desktop' if width > 400 else 'phone'}")
    assert problems.csp_violations() == []
