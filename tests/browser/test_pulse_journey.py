"""The weekly pulse on a phone: open the link, answer, see the thank-you; once
the week has closed with k answers the role page shows it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pulse import links
from pulse.models import PulseAnswer
from tests.browser.conftest import (
    PageProblems,
    log_in,
    screenshot,
    serious_axe_violations,
)
from tests.factories import make_answers, make_playbook, make_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GO_LIVE = datetime.date(2027, 3, 1)


def test_answer_on_a_phone_then_the_role_page_counts_the_closed_week(
    page: Page, browser: Any, live_server: Any, pulse_day: Any, problems: PageProblems
) -> None:
    pulse_day.set(GO_LIVE + datetime.timedelta(days=16))  # week 3, weeks 1-2 closed
    lead = make_user("lead", first_name="Lea")
    playbook = make_playbook(lead, name="Salesforce rollout", go_live=GO_LIVE)
    sales = make_role(playbook, "Sales", headcount=40)
    link = links.issue(sales)
    make_answers(sales, 3, 4)  # four answers so far this week: fewer than k = 5

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    pulse = phone.new_page()
    response = pulse.goto(f"{live_server.url}/p/{link.token}/")
    assert response is not None and response.status == 200
    assert "set-cookie" not in response.headers
    expect(pulse.get_by_role("heading", name="How was the CRM for you")).to_be_visible()
    expect(pulse.get_by_text("Not stored: your name")).to_be_visible()
    assert serious_axe_violations(pulse) == []

    pulse.get_by_role("button", name="Send my answers").click()  # nothing filled in
    expect(pulse.get_by_text("Nothing was stored yet")).to_be_visible()
    expect(pulse.get_by_text("Give a number of minutes; 0 is a fine answer.").first).to_be_visible()
    assert PulseAnswer.objects.filter(week=3).count() == 4

    pulse.get_by_label("About how many minutes did the CRM cost you").fill("35")
    pulse.get_by_label("About how many minutes did it save you?").fill("80")
    pulse.locator("label[for=id_got_back_3]").click()  # 4
    pulse.get_by_label("What would make it worth your time?").fill("Fewer mandatory fields")
    assert pulse.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(pulse, "pulse-phone-filled")
    pulse.get_by_role("button", name="Send my answers").click()
    expect(pulse.get_by_role("heading", name="Thank you: your answers are in.")).to_be_visible()
    assert phone.cookies() == []
    shown = pulse.locator("body").inner_text()  # not a nonce or a static hash
    assert "35" not in shown and "Fewer mandatory" not in shown
    screenshot(pulse, "pulse-phone-thanks")
    phone.close()
    answer = PulseAnswer.objects.get(week=3, comment="Fewer mandatory fields")
    assert (answer.cost_minutes, answer.saved_minutes, answer.got_back) == (35, 80, 4)

    lead.set_password("correct-horse-battery-staple")
    lead.save()
    log_in(page, live_server.url)
    role_page = f"{live_server.url}/playbooks/{playbook.pk}/roles/{sales.pk}/"
    page.goto(role_page)
    expect(page.get_by_test_id("since-reason")).to_be_visible()  # week 3 still open
    assert "5 answers, week 3" not in page.content()

    pulse_day.set(GO_LIVE + datetime.timedelta(days=21))  # week 3 has closed
    page.goto(role_page)
    expect(page.get_by_test_id("since-line")).to_contain_text("5 answers, week 3")
    screenshot(page, "pulse-role-page-since-go-live")
    assert problems.csp_violations() == []
