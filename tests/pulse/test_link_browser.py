"""The pulse link in a browser: issued, copied, re-issued and revoked on the
role page, with JavaScript and without; its status in the matrix; the
ambassador's page on a phone."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from ambassadors.services import issue_link
from playbooks.models import Playbook
from pulse.models import PulseLink
from tests.browser.conftest import (
    CSP_LISTENER,
    PageProblems,
    log_in,
    screenshot,
    serious_axe_violations,
)
from tests.factories import make_ambassador, make_giveget, make_playbook, make_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def playbook(transactional_db: Any) -> Playbook:
    lead = make_user("lead", first_name="Lea")
    playbook = make_playbook(
        lead, name="Salesforce rollout", language="en", go_live=datetime.date(2026, 10, 1)
    )
    role = make_role(playbook, "Customer service", headcount=25, question="Context?")
    make_giveget(role, "Log every case")
    make_role(playbook, "Marketing", headcount=6)
    return playbook


@pytest.fixture
def page_problems(page: Page) -> PageProblems:
    page.add_init_script(CSP_LISTENER)
    return PageProblems(page)


def test_issue_copy_reissue_and_revoke_with_javascript(
    browser: Browser, live_server: Any, playbook: Playbook
) -> None:
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    page.add_init_script(CSP_LISTENER)
    problems = PageProblems(page)
    role = playbook.roles.get(name="Customer service")
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/roles/{role.pk}/")
    panel = page.locator("#pulse")
    expect(panel.get_by_text("No pulse link yet.")).to_be_visible()

    panel.get_by_role("button", name="Issue pulse link").click()
    expect(page.locator("#role-status")).to_contain_text("Pulse link issued for")
    address = page.get_by_role("textbox", name="Pulse link")
    expect(address).to_have_value(f"{live_server.url}/p/{PulseLink.objects.get().token}/")
    assert serious_axe_violations(page) == []
    screenshot(page, "pulse-link-role-page-desktop")

    page.locator("#pulse").get_by_role("button", name="Copy the pulse link").click()
    status = page.locator(f"#pulse-copy-status-{role.pk}")
    expect(status).to_have_text("Copied")
    expect(status).to_have_attribute("aria-live", "polite")
    assert page.evaluate("navigator.clipboard.readText()") == address.input_value()

    first = address.input_value()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#pulse").get_by_role("link", name="Re-issue the pulse link").click()
    # Dismissed: unchanged.
    expect(page.get_by_role("textbox", name="Pulse link")).to_have_value(first)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#pulse").get_by_role("link", name="Re-issue the pulse link").click()
    expect(page.get_by_role("textbox", name="Pulse link")).not_to_have_value(first)
    expect(page.locator("#role-status")).to_contain_text("the old address no longer works")
    assert context.request.get(first).status == 404

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#pulse").get_by_role("link", name="Revoke the pulse link").click()
    expect(page.locator("#pulse").get_by_text("No pulse link yet.")).to_be_visible()
    expect(page.locator("#role-status")).to_contain_text("revoked")
    assert not PulseLink.objects.exists()
    assert problems.csp_violations() == []
    assert problems.console == []
    context.close()


def test_without_javascript(browser: Browser, live_server: Any, playbook: Playbook) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    role = playbook.roles.get(name="Customer service")
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/roles/{role.pk}/")
    page.get_by_role("button", name="Issue pulse link").click()
    expect(page.get_by_text("Pulse link issued for “Customer service”.")).to_be_visible()
    address = page.get_by_role("textbox", name="Pulse link")
    expect(address).to_have_value(f"{live_server.url}/p/{PulseLink.objects.get().token}/")
    # The field is there to select and copy by hand; the Copy button needs JavaScript.
    expect(page.locator("#pulse").get_by_role("button", name="Copy the pulse link")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "pulse-link-role-page-nojs-phone")

    page.locator("#pulse").get_by_role("link", name="Revoke the pulse link").click()
    expect(
        page.get_by_role("heading", name="Revoke the pulse link of “Customer service”?")
    ).to_be_visible()
    assert PulseLink.objects.exists()  # asked, not done
    page.get_by_role("button", name="Revoke the link").click()
    expect(page.get_by_text("Pulse link of “Customer service” revoked")).to_be_visible()
    expect(page.locator("#pulse").get_by_text("No pulse link yet.")).to_be_visible()
    assert not PulseLink.objects.exists()
    context.close()


def test_the_matrix_leads_to_the_panel(
    page: Page, live_server: Any, playbook: Playbook, page_problems: PageProblems
) -> None:
    role = playbook.roles.get(name="Customer service")
    PulseLink.objects.create(role=role)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/matrix/")
    expect(page.locator(f"#role-{role.pk}").get_by_text("Pulse: active")).to_be_visible()
    marketing = playbook.roles.get(name="Marketing")
    expect(page.locator(f"#role-{marketing.pk}").get_by_text("Pulse: none")).to_be_visible()
    scroll = page.locator(".matrix-scroll")
    assert scroll.evaluate("el => el.scrollWidth <= el.clientWidth")  # nothing cut or scrolled
    page.locator(f"#role-{role.pk}").get_by_role("link", name="Pulse: active").click()
    page.wait_for_url(f"**/roles/{role.pk}/#pulse")
    expect(page.locator("#pulse")).to_be_in_viewport()
    assert page_problems.csp_violations() == []


def test_the_ambassadors_page_on_a_phone(
    browser: Browser, live_server: Any, playbook: Playbook
) -> None:
    role = playbook.roles.get(name="Customer service")
    link = PulseLink.objects.create(role=role)
    token = issue_link(make_ambassador(role, "Aisha Rahman"))
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    response = page.goto(f"{live_server.url}/a/{token}/")
    assert response is not None and response.status == 200
    section = page.locator(
        "section", has=page.get_by_role("heading", name="Weekly pulse for your team")
    )
    expect(section.get_by_text(f"{live_server.url}/p/{link.token}/")).to_be_visible()
    expect(section.get_by_text("Send this to your team once a week")).to_be_visible()
    expect(section.locator("svg.qr-code")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert serious_axe_violations(page) == []
    screenshot(page, "pulse-link-ambassador-phone")
    phone.close()
