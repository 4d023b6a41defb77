"""Issue 22's rough edges, as a new user meets them in a browser (the items
done so far: the role page's tab, the health check's words, a new playbook's
language)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PageProblems, log_in, serious_axe_violations
from tests.factories import make_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def playbook(planned_playbook: Any) -> Any:
    playbook = planned_playbook
    make_role(playbook, "Sales", headcount=10, question="Does it help me sell?", wiifm="Yes.")
    return playbook


def test_the_role_page_highlights_the_matrix_tab(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems
) -> None:
    log_in(page, live_server.url)
    role = playbook.roles.get()
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/roles/{role.pk}/")
    tabs = page.get_by_role("navigation", name="Playbook sections")
    expect(tabs.locator(".nav-link.active")).to_have_text(["WIIFM matrix"])
    assert serious_axe_violations(page) == []


def test_the_health_check_says_avoided_and_found_in_words(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems
) -> None:
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/")
    chips = page.locator(".mistake-chip")
    expect(chips).to_have_count(5)
    texts = chips.all_inner_texts()  # what is seen, not what only a screen reader hears
    assert all(text.endswith(("avoided", "found")) for text in texts), texts
    expect(page.locator(".mistake-chip.found").first).to_contain_text("found")
    expect(page.locator(".mistake-chip.avoided").first).to_contain_text("avoided")
    assert serious_axe_violations(page) == []


def test_a_new_playbook_starts_in_the_language_its_creator_uses(
    browser: Browser, live_server: Any, playbook: Any
) -> None:
    for locale, language in (("da-DK", "da"), ("en-GB", "en")):
        context = browser.new_context(locale=locale)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")  # in the browser's language
        page.fill("input[name=username]", "lead")
        page.fill("input[name=password]", "correct-horse-battery-staple")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.goto(f"{live_server.url}/playbooks/new/")
        expect(page.locator("select[name=language]")).to_have_value(language)
        context.close()


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_overviews_title_and_buttons_each_keep_to_one_line_at_1366(
    page: Page, live_server: Any, playbook: Any, language: str
) -> None:
    playbook.name = "HubSpot-udrulning i Nordlys"
    playbook.save()
    page.set_viewport_size({"width": 1366, "height": 900})
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "lead")
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/")
    title = page.locator("h1.page-title")
    line = float(title.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    box = title.bounding_box()
    assert box is not None and box["height"] < 1.5 * line  # one line
    tops = {
        round(b["y"])
        for b in page.locator(".overview-actions .btn").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().toJSON())"
        )
    }
    assert len(tops) == 1, tops  # Delete is not alone on a second row


def test_the_timelines_legend_names_todays_line_only_when_it_is_drawn(
    page: Page, live_server: Any, playbook: Any
) -> None:
    log_in(page, live_server.url)
    plan = f"{live_server.url}/playbooks/{playbook.pk}/plan/"
    page.goto(plan)  # go-live in 60 days: today is on the timeline
    expect(page.locator(".timeline-wrap figcaption")).to_contain_text("Dashed line: today.")
    expect(page.locator(".timeline-wrap svg line[stroke='#b07d00']").first).to_be_attached()
    playbook.go_live = datetime.date.today() + datetime.timedelta(days=900)  # far away
    playbook.save()
    page.goto(plan)
    expect(page.locator(".timeline-wrap svg line[stroke='#b07d00']")).to_have_count(0)
    expect(page.locator(".timeline-wrap figcaption")).not_to_contain_text("today")


def test_overdue_steps_and_tasks_say_by_how_many_days(
    page: Page, live_server: Any, playbook: Any
) -> None:
    step = playbook.steps.get(number=2)
    step.start = datetime.date.today() - datetime.timedelta(days=10)
    step.due = datetime.date.today() - datetime.timedelta(days=3)
    step.save()
    task = step.tasks.first()
    task.due = datetime.date.today() - datetime.timedelta(days=1)
    task.save()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/plan/")
    expect(page.locator("#step-2 .badge.text-bg-danger").first).to_contain_text("3 days overdue")
    expect(page.locator("#step-2")).to_contain_text("1 day overdue")
