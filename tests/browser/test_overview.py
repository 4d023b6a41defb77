"""The overview's health check in a browser: every finding's link leads to its fix."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from comms.services import create_default_set
from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import make_giveget, make_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def playbook(planned_playbook: Any) -> Any:
    playbook = planned_playbook
    role = make_role(
        playbook,
        "Sales",
        headcount=10,
        question="Does it help me sell?",
        wiifm="Lead scoring puts the right customers first.",
        quick_win="Voice notes",
        unique_data=1,
    )
    make_giveget(
        role,
        "Log each meeting",
        minutes_each=10,
        times_per_week=8,
        get="Weekly report",
        minutes_saved_per_week=20,
    )
    create_default_set(playbook)  # as a new playbook has: each role hears its WIIFM (M2)
    return playbook


def findings(page: Page) -> list[str]:
    return page.locator(".finding-group").evaluate_all("els => els.map(e => e.id.slice(8))")


def test_each_finding_links_to_its_fix(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url)
    overview = f"{live_server.url}/playbooks/{playbook.pk}/"
    page.goto(overview)
    expect(page.get_by_role("heading", name="2 of 5 classic mistakes avoided")).to_be_visible()
    assert findings(page) == ["M1", "M4", "M5", "A1"]
    assert serious_axe_violations(page) == []
    screenshot(page, "overview-before-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert serious_axe_violations(page) == []
    screenshot(page, "overview-before-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # M1: the role gives more time than it gets.
    page.locator("#finding-M1").get_by_role("link", name="Fix it").click()
    page.locator(".giveget", has_text="Log each meeting").get_by_role("link", name="Edit").click()
    expect(page.locator(".giveget-editing :focus")).to_have_count(1)  # htmx has settled
    page.locator(".giveget-editing input[name$='-minutes_saved_per_week']").fill("90")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("balance")).to_contain_text("+10 min")
    page.goto(overview)
    assert findings(page) == ["M4", "M5", "A1"]

    # M5: the data charter, edited in place on the overview.
    page.locator("#finding-M5").get_by_role("link", name="Fix it").click()
    # htmx focuses the first empty field once the form has settled; wait for
    # it, or the focus can move while Playwright is typing.
    expect(page.locator("#id_charter-pledge")).to_be_focused()
    page.get_by_label("Data is used for").fill("Coaching conversations.")
    page.get_by_label("Data is not used for").fill("Ranking people.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="4 of 5 classic mistakes avoided")).to_be_visible()
    assert findings(page) == ["M4", "A1"]

    # A1: an ambassador for the role.
    page.locator("#finding-A1").get_by_role("link", name="Fix it").click()
    form = page.locator("#add-ambassador")
    form.get_by_label("Name").fill("Mette Sørensen")
    form.get_by_label("E-mail").fill("mette@example.com")
    form.get_by_role("button", name="Add ambassador").click()
    expect(page.locator(".ambassador", has_text="Mette Sørensen")).to_be_visible()
    page.goto(overview)
    assert findings(page) == ["M4"]

    # M4: a second role with an answer of its own, and its quick win.
    page.locator("#finding-M4").get_by_role("link", name="Fix it").click()
    page.locator("#id_add-name").fill("Service")
    page.locator("#id_add-question").fill("Will I see the customer's history?")
    page.locator("#id_add-wiifm").fill("The caller's history on screen when the phone rings.")
    page.get_by_role("button", name="Add role").click()
    expect(page.locator("#id_add-name")).to_be_focused()  # ready for the next role
    row = page.locator("tbody.matrix-role", has_text="Service")
    # The quick win and one perceived factor, each in its own cell (R1 otherwise).
    row.locator("a[data-cell][id$='-quick_win']").click()
    field = row.locator("form[data-cell-editor] textarea")
    expect(field).to_be_focused()  # htmx has settled
    field.fill("Caller history on screen")
    field.press("Enter")  # saves, and opens the next cell: the quick win's date
    expect(row.locator("a[data-cell][id$='-quick_win']")).to_contain_text("Caller history")
    due = row.locator("form[data-cell-editor] input[type=date]")
    expect(due).to_be_focused()
    due.press("Escape")
    expect(row.locator("form[data-cell-editor]")).to_have_count(0)
    row.locator("a[data-cell][id$='-speed']").click()
    factor = row.locator("form[data-cell-editor] select")
    expect(factor).to_be_focused()
    factor.select_option("3")
    row.locator("form[data-cell-editor]").get_by_role("button", name="Save").click()
    expect(row.locator("a[data-cell][id$='-speed']")).to_contain_text("3")
    page.goto(overview)
    expect(page.get_by_role("heading", name="5 of 5 classic mistakes avoided")).to_be_visible()
    assert findings(page) == []
    assert serious_axe_violations(page) == []
    screenshot(page, "overview-after-desktop")
    assert problems.csp_violations() == []
