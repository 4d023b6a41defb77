"""A change lead creates a playbook and invites a member, in a real browser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def lead(transactional_db: Any) -> Any:
    return make_user("lead", first_name="Lea", email="lead@example.com")


def test_create_a_playbook_and_invite_a_member(
    page: Page, live_server: Any, lead: Any, problems: PageProblems
) -> None:
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url)
    expect(page.get_by_role("heading", name="Start your first playbook")).to_be_visible()
    screenshot(page, "playbooks-empty-en-desktop")

    page.get_by_role("link", name="Create a playbook").click()
    page.get_by_label("Name", exact=False).first.fill("Salesforce rollout 2027")
    page.get_by_label("Organisation").fill("Nordlys A/S")
    page.locator("#id_crm_system").select_option("salesforce")
    page.get_by_label("Go-live date").fill("2027-03-01")
    page.get_by_label("Value-gap pledge").fill(
        "We ask you for data. In return we commit to insight and efficiency."
    )
    page.get_by_label("Data is not used for").fill("Counting calls, ranking people.")
    assert serious_axe_violations(page) == []
    screenshot(page, "playbook-new-en-desktop")
    page.get_by_role("button", name="Create playbook").click()

    expect(page.get_by_role("heading", name="Salesforce rollout 2027", level=1)).to_be_visible()
    expect(page.get_by_text("March 1, 2027")).to_be_visible()
    assert serious_axe_violations(page) == []
    screenshot(page, "playbook-detail-en-desktop")

    page.get_by_role("link", name="Members").click()
    page.get_by_label("E-mail").fill("mette@example.com")
    page.locator("#id_level").select_option("editor")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("mette@example.com added and told by e-mail.")
    expect(page.get_by_text("invited, not signed in yet")).to_be_visible()
    assert len(mail.outbox) == 1
    assert serious_axe_violations(page) == []
    screenshot(page, "members-en-desktop")

    # Bad input: a message beside the field.
    page.get_by_label("E-mail").fill("not an address")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()

    page.get_by_role("link", name="My playbooks").click()
    expect(page.get_by_role("link", name="Salesforce rollout 2027")).to_be_visible()
    expect(page.get_by_text("You: Owner")).to_be_visible()
    screenshot(page, "playbooks-list-en-desktop")
    assert problems.csp_violations() == []


def test_playbook_pages_at_phone_width_in_danish(
    page: Page, live_server: Any, lead: Any, problems: PageProblems
) -> None:
    from tests.factories import add_member, make_playbook

    playbook = make_playbook(
        lead,
        name="HubSpot-udrulning",
        go_live="2027-03-01",
        language="da",
        pledge="Vi beder jer om data. Til gengæld leverer vi indsigt.",
    )
    add_member(playbook, make_user("manager", first_name="Magnus"), "viewer")
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url)
    page.get_by_role("button", name="Dansk").click()
    expect(page.get_by_role("heading", name="Mine playbooks")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_axe_violations(page) == []
    screenshot(page, "playbooks-list-da-phone")

    page.get_by_role("link", name="HubSpot-udrulning").click()
    expect(page.get_by_text("1. marts 2027")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_axe_violations(page) == []
    screenshot(page, "playbook-detail-da-phone")

    page.get_by_role("link", name="Medlemmer").click()
    expect(page.get_by_role("heading", name="Medlemmer", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_axe_violations(page) == []
    screenshot(page, "members-da-phone")
    assert re.search(r"2 personer", page.content())
    assert problems.csp_violations() == []
