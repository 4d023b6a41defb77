"""The role's next messages on the role page and on the ambassador's phone:
readable at 390 px, the ambassador's own marked, a text opened without
JavaScript's help (a <details>), no accessibility problem."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from ambassadors.services import issue_link
from comms.models import Message
from comms.services import create_default_set
from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import make_ambassador, make_giveget, make_playbook, make_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date(2027, 2, 1)


def test_the_next_messages_on_the_role_page_and_the_ambassadors_phone(
    page: Page, browser: Any, live_server: Any, pulse_day: Any, problems: PageProblems
) -> None:
    pulse_day.set(TODAY)
    lead = make_user("lead", first_name="Lea", last_name="Dahl")
    playbook = make_playbook(lead, name="Salesforce rollout", go_live=datetime.date(2027, 3, 1))
    playbook.data_used_for = "Forecasting and coaching."
    playbook.save()
    sales = make_role(
        playbook,
        "Sales",
        headcount=40,
        question="Does it help me close deals faster?",
        wiifm="Lead scoring puts the right customers first.",
        quick_win="Meeting notes dictated on the phone",
    )
    make_giveget(sales)
    mette = make_ambassador(sales, "Mette Sørensen", influence=5)
    make_ambassador(sales, "Jonas Holm", influence=3)
    create_default_set(playbook)
    Message.objects.create(
        playbook=playbook,
        title="Kick-off: the CRM is coming, and what it means for your week",
        text="Hi all,\n\nin four weeks we start.",
        date=TODAY + datetime.timedelta(days=2),
        channel="intranet",
        sender_member=lead,
        status="scheduled",
    )

    log_in(page, live_server.url)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/playbooks/{playbook.pk}/roles/{sales.pk}/")
        section = page.locator("#messages")
        expect(section.get_by_role("heading", name="Next messages")).to_be_visible()
        expect(section.get_by_test_id("next-message")).to_have_count(3)
        expect(section.get_by_test_id("next-message").first).to_contain_text("From Lea Dahl")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        section.scroll_into_view_if_needed()
        screenshot(page, f"next-messages-role-page-{width}")
    assert serious_axe_violations(page) == []

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    mine = phone.new_page()
    mine.goto(f"{live_server.url}/a/{issue_link(mette)}/")
    items = mine.get_by_test_id("next-message")
    expect(items).to_have_count(3)
    expect(items.nth(1)).to_contain_text("You send this")
    expect(items.nth(1)).to_contain_text("What’s in it for you: Sales and the CRM")
    text = items.nth(1).locator(".message-text")
    expect(text).to_be_hidden()
    items.nth(1).get_by_text("Read the message").click()
    expect(text).to_be_visible()
    expect(text).to_contain_text("You asked us: “Does it help me close deals faster?”")
    assert mine.evaluate("document.documentElement.scrollWidth") <= 390
    assert serious_axe_violations(mine) == []
    screenshot(mine, "next-messages-ambassador-phone")
    assert problems.csp_violations() == []
    phone.close()
