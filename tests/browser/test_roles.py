"""The role page in a browser: the equation updates in place when a Give-Get changes."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    PageProblems,
    log_in,
    screenshot,
    serious_axe_violations,
    settled,
)
from tests.factories import (
    add_member,
    make_giveget,
    make_playbook,
    make_sales_role,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MINUS = "\u2212"


@pytest.fixture
def role(transactional_db: Any) -> Any:
    lead = make_user("lead", first_name="Lea")
    playbook = make_playbook(lead, name="Salesforce rollout 2027", go_live="2027-03-01")
    add_member(playbook, make_user("manager"), "viewer")
    role = make_sales_role(
        playbook,
        "Sales",
        question="Does it help me close deals faster?",
        wiifm="Lead scoring puts the right customers first.",
        quick_win="Voice notes",
    )
    make_giveget(
        role,
        "Log each customer meeting",
        minutes_each=5,
        times_per_week=8,
        minutes_saved_per_week=60,
    )
    return role


def check_role_page(page: Page, live_server: Any, role: Any, size: dict, name: str) -> None:
    page.set_viewport_size(size)
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{role.playbook_id}/roles/{role.pk}/")
    equation = page.locator("#equation")
    expect(equation.get_by_test_id("balance")).to_contain_text("+20 min")
    expect(equation.get_by_test_id("perceived")).to_contain_text("+6")
    expect(equation.locator(".verdict")).to_have_text("▲ net beneficiary")
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    assert serious_axe_violations(page) == []
    screenshot(page, f"role-before-{name}")

    page.evaluate("window.__noReload = true")
    page.locator(".giveget", has_text="Log each customer meeting").get_by_role(
        "link", name="Edit"
    ).click()
    minutes = page.locator(f"#id_gg{role.givegets.get().pk}-minutes_each")
    expect(minutes).to_be_visible()
    assert serious_axe_violations(page) == []
    screenshot(page, f"role-editing-{name}")
    minutes.fill("10")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(equation.get_by_test_id("balance")).to_contain_text(f"{MINUS}20 min")
    expect(equation.locator(".verdict")).to_have_text("◆ at risk")
    expect(equation.get_by_test_id("role-total")).to_contain_text(f"{MINUS}13.3 hours a week")
    assert page.evaluate("window.__noReload") is True, "the page reloaded"
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    assert serious_axe_violations(page) == []
    screenshot(page, f"role-after-{name}")


def test_changing_a_give_updates_the_verdict_in_place_desktop(
    page: Page, live_server: Any, role: Any, problems: PageProblems
) -> None:
    check_role_page(page, live_server, role, DESKTOP, "desktop")
    assert problems.csp_violations() == []


def test_changing_a_give_updates_the_verdict_in_place_phone(
    page: Page, live_server: Any, role: Any, problems: PageProblems
) -> None:
    check_role_page(page, live_server, role, PHONE, "phone")
    assert problems.csp_violations() == []


def test_add_and_delete_a_giveget_in_place(
    page: Page, live_server: Any, role: Any, problems: PageProblems
) -> None:
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{role.playbook_id}/roles/{role.pk}/")
    page.evaluate("window.__noReload = true")
    page.locator("#id_new-give").fill("Tag each deal")
    page.locator("#id_new-minutes_each").fill("-3")
    page.get_by_role("button", name="Add Give-Get").click()
    expect(page.get_by_text("Ensure this value is greater than or equal to 0.")).to_be_visible()
    settled(page)  # the refused form is swapped in: wired up before it is sent again
    page.locator("#id_new-minutes_each").fill("2")
    page.locator("#id_new-times_per_week").fill("10")
    page.locator("#id_new-get").fill("Deal alerts")
    page.locator("#id_new-minutes_saved_per_week").fill("0")
    page.get_by_role("button", name="Add Give-Get").click()
    expect(page.locator("#equation").get_by_test_id("balance")).to_contain_text("0 min")
    expect(page.locator(".giveget-list > li")).to_have_count(2)
    settled(page)

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".giveget", has_text="Tag each deal").get_by_role("link", name="Delete").click()
    expect(page.locator(".giveget-list > li")).to_have_count(1)
    expect(page.locator("#equation").get_by_test_id("balance")).to_contain_text("+20 min")
    assert page.evaluate("window.__noReload") is True
    assert problems.csp_violations() == []


def test_works_without_javascript(browser: Any, live_server: Any, role: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{role.playbook_id}/roles/{role.pk}/")
    page.locator(".giveget", has_text="Log each customer meeting").get_by_role(
        "link", name="Edit"
    ).click()
    expect(page.get_by_role("heading", name="Edit Give-Get")).to_be_visible()
    page.locator(f"#id_gg{role.givegets.get().pk}-minutes_each").fill("10")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("balance")).to_contain_text(f"{MINUS}20 min")
    page.locator(".giveget", has_text="Log each customer meeting").get_by_role(
        "link", name="Delete"
    ).click()
    expect(page.get_by_role("heading", name="Delete the Give-Get")).to_be_visible()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Give-Get deleted.")).to_be_visible()
    context.close()


def test_viewer_sees_no_controls(page: Page, live_server: Any, role: Any) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/playbooks/{role.playbook_id}/roles/{role.pk}/")
    expect(page.get_by_test_id("verdict")).to_contain_text("Net beneficiary")
    expect(page.locator(".giveget").get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("button", name="Add Give-Get")).to_have_count(0)
    screenshot(page, "role-viewer-phone")
