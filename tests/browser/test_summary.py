"""The summary page in a browser: readable on a phone, printed on one A4 page
without navigation or buttons, a role not assessed without a verdict colour."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pypdf
import pytest
from playwright.sync_api import Page, expect

from actionplan.services import create_default_plan
from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import make_ambassador, make_giveget, make_playbook, make_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def playbook(transactional_db: Any) -> Any:
    lead = make_user("lead", first_name="Lea")
    playbook = make_playbook(
        lead, name="Salesforce rollout 2027", go_live=datetime.date.today() + datetime.timedelta(12)
    )
    create_default_plan(playbook)
    for n in range(40):  # two columns of roles, in the smaller type
        role = make_role(playbook, f"Customer service region {n}", headcount=45, unique_data=2)
        make_giveget(role, minutes_saved_per_week=60 if n % 2 else 20)
        make_ambassador(role, f"Person {n}")
    make_role(playbook, "Finance", headcount=3)  # not assessed
    return playbook


def test_on_a_phone_and_on_paper(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems
) -> None:
    log_in(page, live_server.url)
    url = f"{live_server.url}/playbooks/{playbook.pk}/summary/"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    expect(page.get_by_role("heading", name="Summary", exact=True)).to_be_visible()
    expect(page.get_by_text("in 12 days")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finance = page.get_by_role("rowheader", name="Finance").locator("xpath=..")
    badge = finance.locator(".verdict")
    expect(badge).to_have_text("○ not assessed")
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"
    assert serious_axe_violations(page) == []
    screenshot(page, "summary-390")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(url)
    assert serious_axe_violations(page) == []
    page.emulate_media(media="print")
    expect(page.locator(".section-nav")).to_be_hidden()
    expect(page.get_by_role("link", name="PDF playbook")).to_be_hidden()
    printed = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    assert len(printed.pages) == 1
    text = printed.pages[0].extract_text()
    # Every role on the page (a long name cut with an ellipsis in two columns).
    assert text.count("Customer service region") == 40 and "Finance 3" in text
    assert "Overview" not in text and "Log out" not in text
    assert problems.csp_violations() == []
