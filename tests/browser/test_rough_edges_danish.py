"""Issue 22, last items: one Danish verb per action (»Hent« for every
download, »Gendan« for bringing back what was deleted), and a demo whose
dates tell a believable story, as a Danish user reads them in the browser."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from actionplan.models import Step
from ambassadors.models import Ambassador
from playbooks.models import Playbook
from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def danish_demo(transactional_db: Any) -> Playbook:
    call_command("seed_demo", "--force", stdout=io.StringIO())
    return Playbook.objects.get(name="HubSpot-udrulning")


def in_danish(page: Page, base: str) -> None:
    log_in(page, base, "lead", "wiifm-demo")
    page.context.add_cookies([{"name": "django_language", "value": "da", "url": base}])


def test_every_download_says_hent_and_nothing_says_download(
    page: Page, live_server: Any, danish_demo: Playbook, problems: PageProblems
) -> None:
    in_danish(page, live_server.url)
    role = danish_demo.roles.first()
    assert role is not None
    pages = {
        "roster": reverse("roster", args=[danish_demo.pk]),
        "plan": reverse("plan", args=[danish_demo.pk]),  # the calendar panel
        "role": reverse("role_detail", args=[danish_demo.pk, role.pk]),
        "overview": reverse("playbook_detail", args=[danish_demo.pk]),
        "members": reverse("members", args=[danish_demo.pk]),
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        text = page.locator("main").inner_text()
        assert not re.search(r"[Dd]ownload", text), (name, re.findall(r".{30}ownload.{30}", text))
    page.goto(live_server.url + pages["roster"])
    expect(page.get_by_role("link", name="Hent ambassadørliste (CSV)")).to_be_visible()
    page.goto(live_server.url + pages["plan"])
    expect(page.get_by_role("link", name="Hent kalenderen (.ics)")).to_be_visible()
    assert problems.csp_violations() == []


def test_bringing_back_a_deleted_task_says_gendan_not_hent(
    page: Page, live_server: Any, danish_demo: Playbook
) -> None:
    in_danish(page, live_server.url)
    page.goto(live_server.url + reverse("plan", args=[danish_demo.pk]))
    step = page.locator("#step-5")
    task = step.locator("li").filter(has_text="Hold et åbent spørgemøde")
    page.once("dialog", lambda dialog: dialog.accept())  # »Slet opgaven …?«
    task.get_by_role("link", name=re.compile("^Slet")).click()
    undo = page.locator("#undo")
    expect(undo).to_contain_text("Gendan opgaven »Hold et åbent spørgemøde«")
    assert "tilbage" not in undo.inner_text()


def test_the_danish_demo_has_done_steps_in_the_past_and_ambassadors_on_days_of_their_own(
    page: Page, live_server: Any, danish_demo: Playbook
) -> None:
    today = timezone.localdate()
    in_danish(page, live_server.url)
    page.goto(live_server.url + reverse("plan", args=[danish_demo.pk]))
    done = [s for s in danish_demo.steps.order_by("number") if s.status == Step.Status.DONE]
    assert done, "the demo has at least one done step"
    for step in done:
        card = page.locator(f"#step-{step.number}")
        expect(card.locator(".step-status-done")).to_have_text("Færdig")
        assert step.due_date is not None and step.due_date < today
    in_progress = [s for s in danish_demo.steps.all() if s.status == Step.Status.IN_PROGRESS]
    assert all(s.start_date <= today <= s.due_date for s in in_progress)  # type: ignore[operator]
    screenshot(page, "demo-plan-da-1366")
    page.goto(live_server.url + reverse("roster", args=[danish_demo.pk]))
    shown = re.findall(r"tidlig adgang (\d+\. \w+ \d{4})", page.locator("main").inner_text())
    assert len(shown) >= 3 and len(set(shown)) == len(shown), shown
    early = [a.early_access for a in Ambassador.objects.filter(playbook=danish_demo)]
    assert danish_demo.go_live is not None
    assert all(day < danish_demo.go_live for day in early if day)
    assert serious_axe_violations(page) == []
