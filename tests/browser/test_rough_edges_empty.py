"""Issue 22: an empty new playbook's overview, as a new user meets it. No
"0 ambassadors for 0 needed", "0 of 0 trained": first steps instead, and a
button that starts from the example roles, in English and Danish."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from planner.services import create_playbook
from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = {
    "en": ["Sales", "Customer service", "Marketing", "Management"],
    "da": ["Salg", "Kundeservice", "Marketing", "Ledelse"],
}


@pytest.mark.parametrize("language", ["en", "da"])
def test_an_empty_playbook_shows_first_steps_and_starts_from_the_examples(
    page: Page, live_server: Any, problems: PageProblems, language: str
) -> None:
    lead = make_user("lead", first_name="Lea")
    playbook = create_playbook(
        owner=lead,
        name="HubSpot-udrulning" if language == "da" else "HubSpot rollout",
        crm_system="hubspot",
        language=language,
        go_live=datetime.date.today() + datetime.timedelta(days=60),
    )
    log_in(page, live_server.url)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    overview = f"{live_server.url}/playbooks/{playbook.pk}/"
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(overview)
        first_steps = page.locator("#first-steps")
        expect(first_steps).to_be_visible()
        expect(first_steps.locator("ol > li")).to_have_count(3)
        main = page.locator("main").inner_text()
        # Nothing counted out of nothing: "0 of 0", "0 af 0", "0 … for 0 needed".
        assert not re.search(r"\b0 (of|af) 0\b", main), main
        assert not re.search(r"\b0 \w+ (for|til) 0\b", main), main
        expect(page.locator("#coverage-title")).to_have_count(0)
        screenshot(page, f"empty-overview-{language}-{width}")
        assert serious_axe_violations(page) == []
    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator("#first-steps form.examples-form button[type=submit]").click()
    page.wait_for_url(f"**/playbooks/{playbook.pk}/matrix/")
    for name in EXAMPLES[language]:
        expect(page.locator("main")).to_contain_text(name)
    screenshot(page, f"empty-examples-added-matrix-{language}-1366")
    page.goto(overview)
    expect(page.locator("#first-steps")).to_have_count(0)
    expect(page.locator("#coverage-title")).to_be_visible()
    assert problems.csp_violations() == []
