"""Revert in a browser: change a value, open the changes page, Revert, and the
value is back; the button is reached from the keyboard and fits a phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from roles.models import Role
from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import make_playbook, make_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def role(transactional_db: Any) -> Role:
    lead = make_user("lead", first_name="Lea")
    playbook = make_playbook(lead, name="Salesforce rollout 2027", go_live="2027-03-01")
    return make_role(playbook, "Sales", headcount=40, quick_win="Voice notes")


@pytest.mark.parametrize("width", [1366, 390])
def test_change_a_value_then_revert_it(
    page: Page, live_server: Any, role: Role, problems: PageProblems, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    log_in(page, base)
    page.goto(f"{base}/playbooks/{role.playbook_id}/roles/{role.pk}/edit/")
    page.get_by_label("Headcount").fill("45")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(lambda url: "/edit/" not in url)
    role.refresh_from_db()
    assert role.headcount == 45

    page.goto(f"{base}/playbooks/{role.playbook_id}/changes/")
    line = page.locator(".change").first
    expect(line.locator(".change-sentence")).to_have_text(
        "Lea changed the role “Sales”: headcount 40 → 45."
    )
    button = line.get_by_role("button", name="Revert headcount")
    expect(button).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_axe_violations(page) == []
    screenshot(page, f"changes-revert-{width}", full_page=False)

    # From the keyboard: Tab reaches the button, Enter presses it.
    for _ in range(40):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the Revert button")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("alert").first).to_have_text(
        "Reverted: the headcount of the role “Sales” is 40 again."
    )
    expect(page.locator(".change-sentence").first).to_have_text(
        "Lea changed the role “Sales”: headcount 45 → 40."
    )
    role.refresh_from_db()
    assert role.headcount == 40
    page.goto(f"{base}/playbooks/{role.playbook_id}/roles/{role.pk}/edit/")
    expect(page.get_by_label("Headcount")).to_have_value("40")
    assert problems.csp_violations() == []
