"""The results page's grid of adoption figures in a browser: typed in place
from the keyboard as the matrix is (Enter and Tab save and move on, Shift+Tab
goes back, Escape cancels, a refused value keeps the focus), the role's row
following each save; many weeks scroll inside the grid with the latest in
view; without JavaScript each cell is a page of its own; axe finds nothing
serious; the page at 1366 and 390 px in English and Danish."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from playbooks.models import Playbook
from pulse.models import AdoptionFigure
from roles.models import Role
from tests.browser.conftest import (
    SCREENSHOTS,
    PageProblems,
    log_in,
    screenshot,
    serious_axe_violations,
    settled,
)
from tests.browser.test_matrix import editor_field, expect_refused, retype
from tests.factories import (
    add_member,
    make_answers,
    make_figures,
    make_giveget,
    make_playbook,
    make_role,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NBSP = "\u00a0"
NO_RELOAD = "window.__noReload = true"


def go_live(closed: int) -> datetime.date:
    """``closed`` weeks over today; today is in week ``closed + 1``."""
    return timezone.localdate() - datetime.timedelta(days=7 * closed + 3)


def playbook_with(closed: int, roles: int = 2) -> Playbook:
    """Sales (40 people), Service (25) and Legal (6, under 2k), with figures
    and pulse answers for the weeks closed; ``roles`` more for a long grid."""
    lead = make_user("lead", first_name="Lea")
    playbook = make_playbook(lead, name="Salesforce rollout 2027", go_live=go_live(closed))
    add_member(playbook, make_user("manager"), "viewer")
    sales = make_role(playbook, "Sales", headcount=40)
    make_giveget(sales)
    make_figures(sales, {w: 20 + w for w in range(1, closed + 1) if w != 3})
    make_answers(sales, closed, 5, cost=0, saved=60, got_back=5)
    service = make_role(playbook, "Service", headcount=25)
    make_giveget(service)
    make_figures(service, {w: 15 for w in range(1, closed + 1)})
    make_answers(service, closed, 6, cost=60, saved=0, got_back=2)
    make_role(playbook, "Legal", headcount=6)
    for number in range(roles - 2):
        make_role(playbook, f"Regional team {number}", headcount=30 + number)
    return playbook


def role(playbook: Playbook, name: str) -> Role:
    return playbook.roles.get(name=name)


def stored(role: Role, week: int) -> int | None:
    return (
        AdoptionFigure.objects.filter(role=role, week=week)
        .values_list("active_users", flat=True)
        .first()
    )


def open_cell(page: Page, cell_id: str) -> None:
    page.locator(f"a#{cell_id}").click()
    expect(editor_field(page, cell_id)).to_be_focused()
    settled(page)


def test_keys_in_the_grid(
    page: Page, live_server: Any, transactional_db: Any, problems: PageProblems
) -> None:
    playbook = playbook_with(closed=6)
    sales = role(playbook, "Sales")
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/results/#adoption")
    page.evaluate(NO_RELOAD)
    results_row = page.locator(f"#role-{sales.pk}")
    expect(results_row).to_contain_text(f"65{NBSP}% of 80{NBSP}%")  # 26 of 40 in week 6

    # Week 3 has no figure: click it, type, Enter saves and opens week 4.
    week3, week4 = f"fig-{sales.pk}-3", f"fig-{sales.pk}-4"
    open_cell(page, week3)
    expect(editor_field(page, week3)).to_have_value("")
    page.keyboard.type("31")
    page.keyboard.press("Enter")
    expect(editor_field(page, week4)).to_be_focused()
    expect(editor_field(page, week4)).to_have_value("24")
    expect(page.locator(f"a#{week3}")).to_have_text("Active users of Sales in week 3: 31")
    assert stored(sales, 3) == 31

    # A refused value: its message in the cell, the focus kept, nothing saved.
    # "1e" and "5-" are what a number input would have sent as nothing at all,
    # which reads as "clear the week": the grid's input is text, so they are said.
    refused = "a whole number from 0 to 1,000,000, in digits"
    for bad, key, message in [
        ("-1", "Enter", refused),
        ("1000001", "Tab", refused),
        ("1e", "Enter", refused),
        ("5-", "Tab", refused),
        ("3.000", "Enter", refused),
    ]:
        retype(page, bad)
        # Each refusal says the same words: wait for this one's answer, or the
        # next key races it.
        with page.expect_response(
            lambda r: r.request.method == "POST" and "/results/adoption/" in r.url
        ):
            page.keyboard.press(key)
        expect_refused(page, week4, message)
    assert stored(sales, 4) == 24

    # Escape cancels: the value as it was, the focus on it.
    page.keyboard.press("Escape")
    expect(page.locator(f"a#{week4}")).to_be_focused()
    expect(page.locator(f"a#{week4}")).to_contain_text("24")

    # Enter on the focused value opens it; Shift+Tab saves nothing and goes back.
    page.keyboard.press("Enter")
    expect(editor_field(page, week4)).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(editor_field(page, week3)).to_be_focused()
    expect(editor_field(page, week3)).to_have_value("31")
    page.keyboard.press("Escape")
    expect(page.locator(f"a#{week3}")).to_be_focused()

    # The last week: Tab saves it and goes on to the target; the row follows.
    week6 = f"fig-{sales.pk}-6"
    open_cell(page, week6)
    retype(page, "34")
    page.keyboard.press("Tab")
    target = f"target-{sales.pk}"
    expect(editor_field(page, target)).to_be_focused()
    expect(results_row).to_contain_text(f"85{NBSP}% of 80{NBSP}%")
    expect(page.locator("#results-status")).to_have_text(
        f"Sales saved: 85{NBSP}% of 80{NBSP}% in week 6."
    )
    retype(page, "90")
    page.keyboard.press("Enter")
    expect(results_row).to_contain_text(f"85{NBSP}% of 90{NBSP}%")
    sales.refresh_from_db()
    assert sales.adoption_target == 90
    # ... and Enter moved on to the next row's first week.
    service_week1 = f"fig-{role(playbook, 'Service').pk}-1"
    expect(editor_field(page, service_week1)).to_be_focused()
    settled(page)
    page.keyboard.press("Escape")
    expect(page.locator(f"a#{service_week1}")).to_be_focused()

    # An empty value clears the week.
    open_cell(page, week3)
    retype(page, "")
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    expect(page.locator(f"a#{week3}")).to_contain_text("–")
    assert stored(sales, 3) is None

    assert page.evaluate("window.__noReload") is True, "the page reloaded"
    assert problems.csp_violations() == []
    assert problems.console == []


def test_a_role_under_2k_and_a_viewer(page: Page, live_server: Any, transactional_db: Any) -> None:
    playbook = playbook_with(closed=4)
    legal = role(playbook, "Legal")
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/results/")
    grid = page.locator("#adoption")
    expect(grid.locator("[data-cell]")).to_have_count(0)
    expect(grid.locator(".cell-static").first).to_be_visible()
    expect(page.locator(f"#adoption-{legal.pk}")).to_contain_text(
        "Fewer than 10 people (2k): no figures, as they would point at people."
    )


def test_many_weeks_scroll_with_the_latest_in_view(
    page: Page, live_server: Any, transactional_db: Any
) -> None:
    playbook = playbook_with(closed=30, roles=12)
    sales = role(playbook, "Sales")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/playbooks/{playbook.pk}/results/#adoption")
        layout = page.evaluate(
            """() => {
              const box = (el) => el.getBoundingClientRect();
              const frame = document.querySelector(".adoption-scroll");
              const name = document.querySelector("#adoption tbody th");
              const weeks = document.querySelectorAll("#adoption thead th.adoption-week");
              const first = weeks[0];
              const last = weeks[weeks.length - 1];
              return {
                page: document.documentElement.scrollWidth <= document.documentElement.clientWidth,
                scrolls: frame.scrollWidth > frame.clientWidth,
                nameLeft: box(name).left - box(frame).left,
                lastInView: box(last).right <= box(frame).right + 1,
                firstHidden: box(first).right <= box(name).right,
              };
            }"""
        )
        assert layout == {
            "page": True,
            "scrolls": True,
            "nameLeft": pytest.approx(1, abs=1),
            "lastInView": True,
            "firstHidden": True,
        }, (width, layout)
        page.locator("#adoption").screenshot(
            path=str(SCREENSHOTS / f"adoption-grid-30-weeks-{width}.png")
        )
        # Scrolled back to week 1, the role column stays where it was.
        page.locator(".adoption-scroll").evaluate("el => { el.scrollLeft = -el.scrollWidth; }")
        name_box = page.locator("#adoption tbody th").first.bounding_box()
        frame_box = page.locator(".adoption-scroll").bounding_box()
        assert name_box and frame_box and abs(name_box["x"] - frame_box["x"]) <= 2
        expect(page.locator(f"a#fig-{sales.pk}-1")).to_be_visible()
        page.context.clear_cookies()


def test_without_javascript(browser: Browser, live_server: Any, transactional_db: Any) -> None:
    playbook = playbook_with(closed=5)
    sales = role(playbook, "Sales")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url)
    results = f"{live_server.url}/playbooks/{playbook.pk}/results/"
    page.goto(results)
    page.locator(f"#fig-{sales.pk}-3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Active users of Sales in week 3")
    page.get_by_label("Active users").fill("1.5")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("a whole number from 0 to 1,000,000, in digits")).to_be_visible()
    page.get_by_label("Active users").fill("31")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{results}#adoption")
    expect(page.locator(f"#fig-{sales.pk}-3")).to_contain_text("31")
    expect(page.get_by_text("Active users of Sales in week 3 saved.")).to_be_visible()
    assert stored(sales, 3) == 31
    page.locator(f"#target-{sales.pk}").click()
    page.get_by_label("Adoption target (%)").fill("75")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{results}#adoption")
    expect(page.locator(f"#role-{sales.pk}")).to_contain_text(f"of 75{NBSP}%")
    context.close()


@pytest.mark.parametrize("language", ["en", "da"])
def test_axe_and_screenshots(
    page: Page, live_server: Any, transactional_db: Any, language: str
) -> None:
    playbook = playbook_with(closed=8)
    sales = role(playbook, "Sales")
    # Weeks 6-8 under target: P2 (and Service is neither adopting nor feeling it).
    AdoptionFigure.objects.filter(role=sales, week__gte=6).update(active_users=25)
    log_in(page, live_server.url)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/playbooks/{playbook.pk}/results/")
        expect(page.locator("#adoption")).to_be_visible()
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        ), width
        screenshot(page, f"results-adoption-{language}-{width}")
        page.locator(f"a#fig-{sales.pk}-8").click()
        expect(editor_field(page, f"fig-{sales.pk}-8")).to_be_focused()
        assert serious_axe_violations(page) == []
        page.keyboard.press("Escape")
