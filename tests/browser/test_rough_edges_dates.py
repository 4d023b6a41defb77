"""Issue 22, action plan: typed dates that go-live left behind say so, and
each typed date that has a default can follow go-live again."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import formats, translation
from playwright.sync_api import Page, expect

from actionplan.defaults import default_dates
from actionplan.services import create_default_plan
from tests.browser.conftest import PageProblems, log_in, serious_axe_violations
from tests.factories import make_message, make_playbook, make_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GO_LIVE = datetime.date.today() + datetime.timedelta(days=90)


@pytest.fixture
def playbook(transactional_db: Any) -> Any:
    lead = make_user("lead", first_name="Lea")
    playbook = make_playbook(lead, name="Salesforce rollout 2027", go_live=GO_LIVE)
    create_default_plan(playbook)
    return playbook


def _shown(date: datetime.date) -> str:
    with translation.override("en"):
        return formats.date_format(date, "DATE_FORMAT")


def test_a_typed_step_before_step_1_is_flagged_and_follows_go_live_again(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems
) -> None:
    step_1_start, _ = default_dates(1, GO_LIVE)
    assert step_1_start is not None
    typed_start = step_1_start - datetime.timedelta(days=10)
    typed_due = GO_LIVE - datetime.timedelta(days=40)  # after step 1's due, before step 2's
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/plan/")
    step_3 = page.locator("#step-3")
    step_3.get_by_role("link", name="Edit step 3").click()
    page.locator("#step-3").get_by_label("Start").fill(typed_start.isoformat())
    page.locator("#step-3").get_by_label("Due").fill(typed_due.isoformat())
    page.locator("#step-3").get_by_role("button", name="Save").click()

    step_3 = page.locator("#step-3")
    expect(step_3.locator(".date-problem")).to_contain_text(["Starts before step 1"])
    expect(step_3).to_contain_text("Due before step 2")
    expect(page.locator("#step-1")).to_contain_text("Starts after step 3")
    assert serious_axe_violations(page) == []

    default_start, default_due = default_dates(3, GO_LIVE)
    assert default_start is not None and default_due is not None
    button = step_3.get_by_role("button", name=f"Follow go-live again ({_shown(default_start)}")
    button.click()
    step_3 = page.locator("#step-3")
    expect(step_3).to_contain_text(f"{_shown(default_start)} – {_shown(default_due)}")
    expect(step_3).to_contain_text("follows go-live")
    expect(page.locator(".date-problem")).to_have_count(0)
    expect(step_3.get_by_role("button", name="Follow go-live again")).to_have_count(0)
    assert problems.csp_violations() == []


def test_a_step_due_after_go_live_says_so_and_works_without_javascript(
    page: Page, live_server: Any, playbook: Any
) -> None:
    step = playbook.steps.get(number=5)
    step.start = GO_LIVE - datetime.timedelta(days=3)
    step.due = GO_LIVE + datetime.timedelta(days=4)
    step.save()
    page.context.route("**/*.js", lambda route: route.abort())  # no htmx
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/plan/")
    step_5 = page.locator("#step-5")
    expect(step_5).to_contain_text(f"Due after go-live ({_shown(GO_LIVE)})")
    step_5.get_by_role("button", name="Follow go-live again").click()
    page.wait_for_load_state()
    expect(page.locator("#step-5")).to_contain_text("follows go-live")
    expect(page.locator(".date-problem")).to_have_count(0)


def test_a_typed_quick_win_date_and_message_date_follow_go_live_again(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems
) -> None:
    role = make_role(
        playbook,
        "Sales",
        quick_win="Voice notes",
        quick_win_due=GO_LIVE + datetime.timedelta(days=2),
    )
    message = make_message(
        playbook, role, "Your WIIFM", kind="wiifm", date=GO_LIVE - datetime.timedelta(days=30)
    )
    week_one_end = GO_LIVE + datetime.timedelta(days=6)
    log_in(page, live_server.url)

    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/roles/{role.pk}/")
    page.get_by_role(
        "button", name=f"Follow go-live again (end of week 1, {_shown(week_one_end)})"
    ).click()
    expect(page.locator("#quickwin-title + p + p")).to_contain_text(
        f"due {_shown(week_one_end)} (end of week 1)"
    )
    expect(page.get_by_role("button", name="Follow go-live again")).to_have_count(0)

    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/comms/")
    row = page.locator(f"#message-{message.pk}")
    wiifm_default = GO_LIVE - datetime.timedelta(days=14)
    row.get_by_role("button", name=f"Follow go-live again ({_shown(wiifm_default)})").click()
    row = page.locator(f"#message-{message.pk}")
    expect(row).to_contain_text(f"{_shown(wiifm_default)} (follows go-live)")
    expect(page.locator("#comms-status")).to_contain_text("“Your WIIFM” follows go-live again.")
    assert serious_axe_violations(page) == []
    assert problems.csp_violations() == []
