"""Issue 22's rough edges in forms and files, in a browser: a roster file's
every error named by its column, and an imported playbook told apart from the
one it was exported from."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import Page, expect

from playbooks.models import Playbook
from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import make_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def playbook(planned_playbook: Playbook) -> Playbook:
    playbook = planned_playbook
    make_role(playbook, "Sales", headcount=10)
    make_role(playbook, "Service", headcount=8)
    return playbook


def test_a_roster_row_lists_every_error_by_its_column(
    page: Page, live_server: Any, playbook: Playbook, problems: PageProblems, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name;email;department;role;influence;early_access;training;trained_on;notes\r\n"
        "Anna;anna@example.dk;;Sales;3;;;;\r\n"
        "Bo;x@;;Sales ops;9;;maybe;;\r\n",
        encoding="utf-8",
    )
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/ambassadors/")
    page.get_by_role("link", name="Import roster").click()
    page.get_by_label("Roster file (CSV)").set_input_files(str(roster))
    page.get_by_role("button", name="Import").click()

    summary = page.locator("#roster-errors")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Nothing was imported")
    row = summary.locator("tr", has_text="Row 3")
    expect(row).to_contain_text("email: “x@” is not an e-mail address")
    expect(row).to_contain_text("role: “Sales ops” is not a role of this playbook")
    expect(row).to_contain_text("the roles are: Sales, Service")
    expect(row).to_contain_text("influence: “9” is not allowed; use a whole number from 1 to 5")
    expect(row).to_contain_text("training: “maybe” is not allowed")
    # No raw form text, and the field points at the list.
    expect(summary).not_to_contain_text("available choices")
    # The field says what is wrong with it: its description is the summary line.
    field = page.get_by_label("Roster file (CSV)")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile("^Nothing was imported"))
    assert playbook.ambassadors.count() == 0
    screenshot(page, "roster-import-errors-desktop")
    assert serious_axe_violations(page) == []
    assert problems.csp_violations() == []


def test_an_imported_playbook_is_told_apart_from_its_namesake(
    page: Page, live_server: Any, playbook: Playbook, problems: PageProblems, tmp_path: Path
) -> None:
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download file").click()
    saved = tmp_path / "playbook.json"
    download.value.save_as(saved)

    page.goto(f"{live_server.url}/playbooks/import/")
    page.get_by_label("Playbook file (JSON)").set_input_files(str(saved))
    page.get_by_role("button", name="Import").click()
    today = date_format(timezone.localtime(), "j M")
    expect(
        page.get_by_text(
            f"Imported as a new playbook “Salesforce rollout 2027” (imported {today}). "
            "Your other playbook with this name is unchanged."
        )
    ).to_be_visible()

    page.goto(f"{live_server.url}/playbooks/")
    cards = page.locator(".playbook-list > li", has_text="Salesforce rollout 2027")
    expect(cards).to_have_count(2)
    imported = Playbook.objects.exclude(pk=playbook.pk).get()
    new_card = page.locator(".playbook-list > li", has=page.locator(f"a[href$='/{imported.pk}/']"))
    old_card = page.locator(".playbook-list > li", has=page.locator(f"a[href$='/{playbook.pk}/']"))
    expect(new_card.locator(".imported-badge")).to_have_text(f"imported {today}")
    expect(old_card.locator(".imported-badge")).to_have_count(0)
    created = date_format(timezone.localtime(playbook.created_at), "j M")
    expect(old_card.locator(".created-badge")).to_have_text(f"created {created}")
    # Beside the name, not in it.
    expect(new_card.get_by_role("link", name="Salesforce rollout 2027", exact=True)).to_be_visible()
    screenshot(page, "playbook-list-imported-desktop")
    assert serious_axe_violations(page) == []
    assert problems.csp_violations() == []
