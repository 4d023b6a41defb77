"""Adoption figures on the changes page, in a browser: pick the kind, read
the lines, no button on them; it fits a phone and passes axe."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pulse import figures
from roles.models import Role
from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import make_playbook, make_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def role(transactional_db: Any) -> Role:
    lead = make_user("lead", first_name="Lea")
    go_live = timezone.localdate() - datetime.timedelta(days=8 * 7 + 3)
    playbook = make_playbook(lead, name="Salesforce rollout 2027", go_live=go_live)
    sales = make_role(playbook, "Customer service and field sales, Jutland", headcount=4000)
    figures.replace(playbook, {(sales.pk, week): 1000 + 300 * week for week in range(1, 9)})
    figures.replace(playbook, {(sales.pk, 3): 1250})
    figures.clear(playbook, sales, 8)
    return sales


@pytest.mark.parametrize("width", [1366, 390])
def test_the_figures_history(
    page: Page, live_server: Any, role: Role, problems: PageProblems, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    log_in(page, base)
    page.goto(f"{base}/playbooks/{role.playbook_id}/changes/")
    page.get_by_label("Kind").select_option(label="Adoption figures")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url(lambda url: "kind=adoption" in url)
    lines = page.locator(".change-sentence")
    expect(lines).to_have_count(10)
    expect(lines.nth(0)).to_have_text(
        "A management command removed the adoption figure of Customer service and field "
        "sales, Jutland, week 8 (it was 3,400 active users)."
    )
    expect(lines.nth(1)).to_have_text(
        "A management command changed the adoption figure of Customer service and field "
        "sales, Jutland, week 3: active users 1,900 → 1,250."
    )
    assert page.locator(".change-adoption button").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_axe_violations(page) == []
    assert problems.csp_violations() == []
    screenshot(page, f"changes-adoption-{width}", full_page=False)
