"""Browser helpers: logging in, CSP violation capture, axe scans and screenshots."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from actionplan.services import create_default_plan
from tests.factories import make_playbook, make_user

SCREENSHOTS = Path(os.environ.get("WIIFM_SCREENSHOTS", Path(__file__).parents[2] / "screenshots"))

# Recorded before any page script runs; Playwright's init scripts are not
# subject to the page's Content-Security-Policy.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const target = event.target && event.target.outerHTML ? event.target.outerHTML.slice(0, 120) : "";
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${target}`);
});
"""


def log_in(
    page: Page,
    base: str,
    username: str = "lead",
    password: str = "correct-horse-battery-staple",  # noqa: S107 (the factories' test password)
) -> None:
    """Log in through the login form (the factories' password by default)."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def settled(page: Page) -> None:
    """htmx has finished every swap: it wires up what it swapped in (and focuses
    its ``autofocus`` field) only when the swap settles, 20 ms after it, dropping
    ``htmx-added`` and ``htmx-settling``. A click or Enter on new content before
    that misses htmx and follows the plain link or form as a page. Call it once
    the new content is seen."""
    expect(page.locator(".htmx-added, .htmx-settling")).to_have_count(0)


class PageProblems:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    def _on_console(self, message: Any) -> None:
        if message.type in {"error", "warning"}:
            self.console.append(message.text)

    def csp_violations(self) -> list[str]:
        in_page = self.page.evaluate("window.__cspViolations || []")
        in_console = [text for text in self.console if "Content Security Policy" in text]
        return [*in_page, *in_console]


@pytest.fixture
def problems(page: Page) -> Iterator[PageProblems]:
    page.add_init_script(CSP_LISTENER)
    return PageProblems(page)


def serious_axe_violations(page: Page) -> list[str]:
    page.wait_for_load_state()  # a page still loading has no document to read
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(
            str(node["target"]) + " " + node.get("failureSummary", "")[:200]
            for node in violation["nodes"][:3]
        )
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """screenshots/<name>.png: the whole page, or with full_page=False what the viewport shows."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def planned_playbook(transactional_db: Any) -> Any:
    """Lea's playbook (she logs in as "lead"), 60 days before go-live, with
    the default plan and no roles yet: the modules' ``playbook`` fixtures add them."""
    lead = make_user("lead", first_name="Lea")
    playbook = make_playbook(
        lead,
        name="Salesforce rollout 2027",
        go_live=datetime.date.today() + datetime.timedelta(days=60),
    )
    create_default_plan(playbook)
    return playbook
