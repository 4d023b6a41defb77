"""Issue 22's rough edges in the layout: the plan's timeline fills its card at
every width with legible type, and at phone width the playbook's tabs say that
they scroll (the current tab in view) and the menu button lists the playbook's
sections too."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from actionplan.services import create_default_plan
from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import make_playbook, make_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTIONS = [
    "Overview",
    "WIIFM matrix",
    "Ambassadors",
    "Action plan",
    "Communications",
    "Results",
    "PDF",
    "Changes",
    "Members",
]


@pytest.fixture
def playbook(planned_playbook: Any) -> Any:
    playbook = planned_playbook
    make_role(playbook, "Sales", headcount=10, question="Does it help me sell?", wiifm="Yes.")
    return playbook


def timeline_geometry(page: Page) -> dict[str, float]:
    """The timeline's width against its card's content box, and the smallest
    label's rendered font size in CSS pixels (its type after any scaling), and
    how far the longest label reaches past the drawing's right edge."""
    return page.evaluate(
        """() => {
          const svg = document.querySelector("#timeline svg");
          const body = document.querySelector("#timeline .card-body");
          const style = getComputedStyle(body);
          const content = body.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
          const ctm = svg.getScreenCTM();
          const sizes = [...svg.querySelectorAll("text")].map(
            (t) => parseFloat(getComputedStyle(t).fontSize) * ctm.a);
          const box = svg.getBoundingClientRect();
          const overhang = Math.max(...[...svg.querySelectorAll("text")].map(
            (t) => t.getBoundingClientRect().right - box.right));
          return {svg: box.width, content, smallest: Math.min(...sizes), overhang,
                  page: document.documentElement.scrollWidth};
        }"""
    )


@pytest.mark.parametrize("width", [1366, 390])
def test_the_timeline_fills_its_card_with_legible_labels(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url)
    page.goto(live_server.url + reverse("plan", args=[playbook.pk]))
    geometry = timeline_geometry(page)
    assert geometry["svg"] >= 0.9 * geometry["content"], geometry
    assert geometry["svg"] <= geometry["content"] + 1, geometry
    # Neither blown up nor shrunk: the smallest label reads at 11-16 px.
    assert 11 <= geometry["smallest"] <= 16, geometry
    assert geometry["overhang"] <= 0, geometry  # no label cut off
    assert geometry["page"] <= width, geometry  # no sideways scrolling of the page
    screenshot(page, f"nav-plan-timeline-{width}")
    assert serious_axe_violations(page) == []
    assert problems.csp_violations() == []


def test_the_timeline_in_danish_fits_a_phone(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems
) -> None:
    playbook = make_playbook(
        playbook.memberships.get().user,
        name="HubSpot-udrulning",
        language="da",
        go_live=datetime.date.today() + datetime.timedelta(days=30),
    )
    create_default_plan(playbook)  # the seven steps' titles in Danish
    page.set_viewport_size({"width": 390, "height": 900})
    log_in(page, live_server.url)
    page.context.add_cookies([{"name": "django_language", "value": "da", "url": live_server.url}])
    page.goto(live_server.url + reverse("plan", args=[playbook.pk]))
    geometry = timeline_geometry(page)
    assert geometry["svg"] >= 0.9 * geometry["content"], geometry
    assert geometry["overhang"] <= 0, geometry
    assert geometry["page"] <= 390, geometry
    screenshot(page, "nav-plan-timeline-da-390")
    assert serious_axe_violations(page) == []


def test_at_phone_width_the_tabs_say_they_scroll_and_show_the_current_one(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url)
    page.goto(live_server.url + reverse("members", args=[playbook.pk]))
    tabs = page.get_by_role("navigation", name="Playbook sections")
    scroller = tabs.locator(".section-tabs")
    # Far more tabs than width: the edge that hides some fades, visibly.
    assert scroller.evaluate("(el) => el.scrollWidth > el.clientWidth")
    expect(scroller).to_have_class(re.compile(r"\bmore-before\b"))
    assert scroller.evaluate("(el) => getComputedStyle(el).maskImage") != "none"
    # The current tab, the last one, is scrolled into view.
    current = tabs.locator("[aria-current=page]")
    expect(current).to_have_text("Members")
    box = current.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    screenshot(page, "nav-tabs-members-390", full_page=False)
    assert serious_axe_violations(page) == []

    # On the first tab only the far edge fades.
    page.goto(live_server.url + reverse("playbook_detail", args=[playbook.pk]))
    scroller = page.get_by_role("navigation", name="Playbook sections").locator(".section-tabs")
    expect(scroller).to_have_class(re.compile(r"^(?!.*more-before).*\bmore-after\b"))
    screenshot(page, "nav-tabs-overview-390", full_page=False)
    # Scrolled to the end, the far edge no longer fades.
    scroller.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    expect(scroller).to_have_class(re.compile(r"^(?!.*more-after).*\bmore-before\b"))
    assert problems.csp_violations() == []


@pytest.mark.parametrize("language", ["en", "da"])
def test_at_phone_width_the_menu_lists_the_playbooks_sections(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems, language: str
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(live_server.url + reverse("plan", args=[playbook.pk]))
    toggler = page.locator(".navbar-toggler")
    toggler.click()
    menu = page.locator("#main-nav")
    expect(menu).to_be_visible()
    expect(menu.get_by_text("Salesforce rollout 2027")).to_be_visible()
    sections = menu.get_by_role("list", name="Salesforce rollout 2027")
    links = sections.get_by_role("link")
    expect(links).to_have_count(len(SECTIONS))
    if language == "en":
        expect(links).to_have_text(SECTIONS)
    # The same links as the tabs, the current one marked.
    tabs = page.locator("nav.section-nav .section-tabs a")  # its name is in Danish too
    assert [a.get_attribute("href") for a in links.all()] == [
        a.get_attribute("href") for a in tabs.all()
    ]
    expect(sections.locator("[aria-current]")).to_have_count(1)
    expect(links.nth(3)).to_have_attribute("aria-current", "page")  # the action plan
    # The global links stay.
    expect(
        menu.get_by_role("link", name="My playbooks" if language == "en" else "Mine playbooks")
    ).to_be_visible()
    screenshot(page, f"nav-menu-open-{language}-390", full_page=False)
    assert serious_axe_violations(page) == []
    links.nth(2).click()
    page.wait_for_url(f"**{reverse('roster', args=[playbook.pk])}")
    assert problems.csp_violations() == []


def test_at_desktop_width_the_menu_does_not_repeat_the_tabs(
    page: Page, live_server: Any, playbook: Any
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url)
    page.goto(live_server.url + reverse("plan", args=[playbook.pk]))
    expect(page.get_by_role("link", name="Action plan", exact=True)).to_have_count(1)
    scroller = page.get_by_role("navigation", name="Playbook sections").locator(".section-tabs")
    expect(scroller).not_to_have_class(re.compile(r"\bmore-"))
    screenshot(page, "nav-plan-1366")


@pytest.mark.parametrize("language", ["en", "da"])
def test_from_1280_every_tab_fits_with_no_fade_in_either_language(
    page: Page, live_server: Any, playbook: Any, language: str
) -> None:
    """The Danish tabs were 7 px wider than the bar at 1280 and 1366: the last
    one faded as if more were hidden."""
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(live_server.url + reverse("plan", args=[playbook.pk]))  # its tab is the widest
    scroller = page.get_by_role("navigation").locator(".section-tabs")
    widths = scroller.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert widths[0] <= widths[1], widths
    expect(scroller).not_to_have_class(re.compile(r"\bmore-"))


def test_without_javascript_the_tabs_still_fade_and_the_menu_stays_short(
    browser: Browser, live_server: Any, playbook: Any
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(live_server.url + reverse("plan", args=[playbook.pk]))
    scroller = page.get_by_role("navigation", name="Playbook sections").locator(".section-tabs")
    assert scroller.evaluate("(el) => getComputedStyle(el).maskImage") != "none"
    box = scroller.locator("[aria-current=page]").bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box  # scroll-initial-target
    # The menu is shown open without JavaScript (it cannot be toggled): the
    # tabs right below it are the playbook's sections, not repeated in it.
    expect(page.get_by_role("link", name="My playbooks")).to_be_visible()
    expect(page.get_by_role("link", name="Action plan", exact=True)).to_have_count(1)
    screenshot(page, "nav-no-js-390", full_page=False)
    context.close()
