"""The downloads page and the PDF buttons in a browser: a click gives the
download, and the button says "Preparing PDF…" only until it has started."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import Locator, Page, expect

from planner import tasks
from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import make_giveget, make_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records every label a PDF button shows, so that a test can tell it did
# say "Preparing PDF…" before it came back.
LABELS = """
window.__labels = [];
new MutationObserver((records) => {
  for (const record of records) {
    const node = record.target.closest ? record.target : record.target.parentElement;
    const link = node && node.closest("a[data-preparing]");
    if (link) window.__labels.push(link.textContent.trim());
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


@pytest.fixture
def playbook(planned_playbook: Any) -> Any:
    playbook = planned_playbook
    for name in ("Sales", "Customer service"):
        role = make_role(playbook, name, headcount=12, question="Does it help me?", wiifm="Yes.")
        make_giveget(role, "Log each meeting", minutes_each=5, times_per_week=8, get="A report")
    return playbook


class Queue:
    """The renders the live server schedules, for the test to run as the
    worker would (the tasks' backend is per thread: the server's is not the
    test's)."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Any, tuple[Any, ...]]] = []

    def recorder(self, task: Any) -> Any:
        queue = self

        class Using:
            def enqueue(self, *args: Any) -> None:
                queue.jobs.append((task, args))

        class Recorded(Using):
            def using(self, **options: Any) -> Using:
                return Using()

        return Recorded()

    def run(self) -> None:
        """What the worker does: run the renders the page scheduled."""
        jobs, self.jobs = self.jobs, []
        for task, args in jobs:
            task.call(*args)


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Queue:
    queue = Queue()
    for name in ("render_playbook_pdf", "render_documents"):
        monkeypatch.setattr(tasks, name, queue.recorder(getattr(tasks, name)))
    return queue


def fresh_start() -> None:
    """Forget the fixture's own edits: no render pending."""
    cache.clear()


def download_resets(page: Page, button: Locator) -> None:
    """Click: a download comes, and the button has its label back within a
    second after it started, having said "Preparing PDF…" meanwhile."""
    label = button.inner_text().strip()
    page.evaluate("window.__labels = []")
    with page.expect_download(timeout=30_000) as download:
        button.click()
    started = time.monotonic()
    assert download.value.suggested_filename.endswith(".pdf")
    expect(button).to_have_text(label, timeout=1000)
    assert time.monotonic() - started < 1.0
    expect(button).not_to_have_attribute("aria-busy", "true")
    assert "Preparing PDF…" in page.evaluate("window.__labels")
    # And again: the next click works the same.
    with page.expect_download(timeout=30_000):
        button.click()
    expect(button).to_have_text(label, timeout=1000)


def test_the_downloads_page(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems, worker: Queue
) -> None:
    fresh_start()
    page.add_init_script(LABELS)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/")
    page.get_by_role("link", name="PDF", exact=True).click()
    page.wait_for_url(f"**/playbooks/{playbook.pk}/downloads/")
    expect(page.get_by_role("heading", name="Downloads", level=1)).to_be_visible()
    states = page.locator(".download-state")
    expect(states).to_have_text(["being prepared"] * 3)
    screenshot(page, "downloads-preparing-1366")

    worker.run()  # the worker renders; the page finds out by itself
    expect(states.nth(0)).to_contain_text("updated just now", timeout=6000)
    expect(states.nth(1)).to_have_text("1 page · updated just now")
    expect(states.nth(2)).to_have_text("1 page · updated just now")
    expect(page.locator("#downloads")).not_to_have_attribute("hx-trigger", "every 2s")
    assert page.get_by_role("link", name="PDF", exact=True).get_attribute("aria-current") == "page"
    assert serious_axe_violations(page) == []
    screenshot(page, "downloads-1366")

    download_resets(page, page.get_by_role("link", name="Download the playbook (PDF)"))
    download_resets(
        page, page.get_by_role("link", name="Download the one-pager of Customer service (PDF)")
    )
    assert problems.console == []
    assert problems.csp_violations() == []


def test_a_document_not_ready_downloads_too(
    page: Page, live_server: Any, playbook: Any, worker: Queue
) -> None:
    """Rendered on request while the worker has not got to it (here: never)."""
    page.add_init_script(LABELS)
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/downloads/")
    expect(page.locator(".download-state").first).to_have_text("being prepared")
    download_resets(page, page.get_by_role("link", name="Download the one-pager of Sales (PDF)"))


def test_the_other_pdf_buttons_reset_too(page: Page, live_server: Any, playbook: Any) -> None:
    page.add_init_script(LABELS)
    log_in(page, live_server.url)
    role = playbook.roles.get(name="Sales")
    for path, name in (
        (f"/playbooks/{playbook.pk}/", "PDF playbook"),
        (f"/playbooks/{playbook.pk}/matrix/", "PDF playbook"),
        (f"/playbooks/{playbook.pk}/roles/{role.pk}/", "One-pager (PDF)"),
    ):
        page.goto(live_server.url + path)
        download_resets(page, page.get_by_role("link", name=name, exact=True))


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("width", [1366, 390])
def test_screenshots(
    page: Page, live_server: Any, playbook: Any, worker: Queue, language: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    fresh_start()
    log_in(page, live_server.url)
    page.set_extra_http_headers({"Accept-Language": language})
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/downloads/")
    worker.run()
    expect(page.locator(".download-state").first).not_to_contain_text(
        "being prepared" if language == "en" else "forberedes", timeout=6000
    )
    screenshot(page, f"downloads-{language}-{width}")
    assert serious_axe_violations(page) == []
