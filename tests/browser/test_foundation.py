"""The foundation in a real browser: log in, switch to Danish, htmx, CSP, axe."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def lena(transactional_db: Any) -> Any:
    return get_user_model().objects.create_user(
        "lena", "lena@example.com", "correct-horse-battery-staple", first_name="Lena"
    )


def test_log_in_switch_to_danish_with_htmx_and_no_csp_violation(
    page: Page, live_server: Any, lena: Any, problems: PageProblems
) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert serious_axe_violations(page) == []
    screenshot(page, "login-en-desktop")

    log_in(page, live_server.url, "lena")
    expect(page.get_by_role("heading", name="My playbooks")).to_be_visible()
    assert page.evaluate('typeof htmx === "object"')
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert serious_axe_violations(page) == []
    screenshot(page, "start-en-desktop")

    page.get_by_role("button", name="Dansk").click()
    expect(page.get_by_role("heading", name="Mine playbooks")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    assert serious_axe_violations(page) == []
    screenshot(page, "start-da-desktop")

    # The choice is remembered on the next page.
    page.goto(f"{live_server.url}/accounts/password_change/")
    expect(page.get_by_role("heading", name="Skift adgangskode")).to_be_visible()

    assert problems.csp_violations() == []
    assert problems.console == []


def test_phone_width_menu_and_language(
    page: Page, live_server: Any, lena: Any, problems: PageProblems
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Dansk").click()
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_axe_violations(page) == []
    screenshot(page, "login-da-phone")

    page.get_by_label("Brugernavn").fill("lena")
    page.get_by_label("Adgangskode").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Mine playbooks")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The menu collapses behind its toggler and opens with it.
    logout = page.get_by_role("button", name="Log ud")
    expect(logout).to_be_hidden()
    page.get_by_role("button", name="Vis eller skjul menuen").click()
    expect(logout).to_be_visible()
    page.wait_for_selector("#main-nav.collapse.show")  # the opening animation is over
    assert serious_axe_violations(page) == []
    screenshot(page, "start-da-phone")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="My playbooks")).to_be_visible()
    screenshot(page, "start-en-phone")
    page.goto(f"{live_server.url}/accounts/login/")  # logged in: still shows the form
    screenshot(page, "login-en-phone")

    assert problems.csp_violations() == []


def test_focus_is_visible_and_skip_link_works(page: Page, live_server: Any, lena: Any) -> None:
    log_in(page, live_server.url, "lena")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_lockout_page_in_a_browser(page: Page, live_server: Any, lena: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(5):
        page.get_by_label("Username").fill("lena")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Too many failed attempts")).to_be_visible()
    assert serious_axe_violations(page) == []
    screenshot(page, "lockout-en-desktop")
