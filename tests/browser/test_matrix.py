"""The WIIFM matrix in a browser: a change lead's journey, at desktop and phone width."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import add_member, make_giveget, make_playbook, make_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINUS = "\u2212"


@pytest.fixture
def playbook(transactional_db: Any) -> Any:
    lead = make_user("lead", first_name="Lea")
    playbook = make_playbook(lead, name="Salesforce rollout 2027", go_live="2027-03-01")
    add_member(playbook, make_user("manager"), "viewer")
    sales = make_role(
        playbook,
        "Sales",
        headcount=40,
        question="Does it help me sell?",
        wiifm="Lead scoring.",
        unique_data=4,
        speed=3,
        recognition=2,
        friction=2,
        rigidity=1,
    )
    make_giveget(sales, minutes_each=5, times_per_week=8, minutes_saved_per_week=60)
    return playbook


@pytest.mark.parametrize("size", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_change_lead_journey(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems, size: tuple
) -> None:
    width, height = size
    name = "desktop" if width > 400 else "phone"
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server.url)
    matrix = f"{live_server.url}/playbooks/{playbook.pk}/matrix/"
    page.goto(matrix)

    # Add a role at the bottom of the matrix.
    page.locator("#id_add-name").fill("Service")
    page.locator("#id_add-headcount").fill("20")
    page.locator("#id_add-question").fill("Does it give me the customer's context?")
    page.get_by_role("button", name="Add role").click()
    service_row = page.locator(".matrix-row", has_text="Service")
    expect(service_row).to_be_visible()

    # Add two Give-Gets from the role page.
    service_row.get_by_role("link", name="Service", exact=True).click()
    for give, minutes, times, saved in [
        ("Log every case", "3", "20", "30"),
        ("Tag the reason", "1", "20", "10"),
    ]:
        page.locator("#id_new-give").fill(give)
        page.locator("#id_new-minutes_each").fill(minutes)
        page.locator("#id_new-times_per_week").fill(times)
        page.locator("#id_new-get").fill("Customer history")
        page.locator("#id_new-minutes_saved_per_week").fill(saved)
        page.get_by_role("button", name="Add Give-Get").click()
        expect(page.locator(".giveget", has_text=give)).to_be_visible()
    expect(page.get_by_test_id("balance")).to_contain_text(f"{MINUS}40 min")

    # Back on the matrix, edit the role's factors in place.
    page.goto(matrix)
    page.evaluate("window.__noReload = true")
    totals = page.locator("#matrix-totals")
    expect(totals).to_contain_text("gives back 0.0 hours a week")  # 40×20 − 20×40 = 0
    service_row = page.locator(".matrix-row", has_text="Service")
    expect(service_row.locator(".verdict")).to_have_text("▼ net loser")
    chart_before = page.locator("#balance-chart svg").inner_html()
    assert serious_axe_violations(page) == []
    screenshot(page, f"matrix-before-{name}")

    service_row.get_by_role("link", name="Edit").first.click()
    editing = page.locator("tr.editing")
    expect(editing).to_be_visible()
    assert serious_axe_violations(page) == []
    screenshot(page, f"matrix-editing-{name}")
    editing.get_by_label("Unique data").fill("6")  # invalid first
    editing.get_by_role("button", name="Save").click()
    expect(page.locator("tr.editing")).to_contain_text(
        "Ensure this value is less than or equal to 5."
    )
    expect(page.locator("tr.editing").get_by_label("Unique data")).to_be_focused()
    page.locator("tr.editing").get_by_label("Unique data").fill("5")
    page.locator("tr.editing").get_by_label("Speed").fill("2")
    page.locator("tr.editing").get_by_label("Headcount").fill("10")
    page.locator("tr.editing").get_by_role("button", name="Save").click()

    service_row = page.locator(".matrix-row", has_text="Service")
    expect(service_row.locator(".verdict")).to_have_text("◆ at risk")
    expect(totals).to_contain_text("gives back 6.7 hours a week")  # 800 − 400 = 400 min
    assert page.locator("#balance-chart svg").inner_html() != chart_before

    # Move the role up.
    service_row.get_by_role("button", name="Move Service up").click()
    expect(page.locator(".matrix-row").first).to_contain_text("Service")
    assert page.evaluate("window.__noReload") is True, "the page reloaded"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_axe_violations(page) == []
    screenshot(page, f"matrix-after-{name}")
    assert problems.csp_violations() == []


def test_viewer_reads_the_matrix(page: Page, live_server: Any, playbook: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    expect(page.locator(".matrix-row")).to_have_count(1)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("button", name="Add role")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "matrix-viewer-phone")


def test_the_matrix_without_javascript(browser: Any, live_server: Any, playbook: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    page.get_by_role("link", name="Edit").first.click()
    page.get_by_label("Friction").fill("5")
    page.get_by_label("Rigidity").fill("5")  # perceived (4+3+2) − (5+5) = −1
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".matrix-row", has_text="Sales").locator(".verdict")).to_have_text(
        "◆ at risk"
    )
    page.locator("#id_add-name").fill("Marketing")
    page.get_by_role("button", name="Add role").click()
    expect(page.locator(".matrix-row", has_text="Marketing")).to_be_visible()
    page.locator(".matrix-row", has_text="Marketing").get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete the role").click()
    expect(page.locator(".matrix-row", has_text="Marketing")).to_have_count(0)
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_long_names_never_make_the_page_scroll_sideways(
    page: Page, live_server: Any, playbook: Any, width: int
) -> None:
    make_role(
        playbook,
        "Kundeserviceafdelingsmedarbejderudviklingskonsulenterne",
        question="Hvad får jeg ud af det?" * 5,
        headcount=12,
    )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Editing a row puts the cursor in its first field.
    page.locator(".matrix-row", has_text="Sales").get_by_role("link", name="Edit").click()
    expect(page.locator("tr.editing input[name$='-name']")).to_be_focused()
