"""Importing the CRM's usage export in a browser: with htmx the column step
comes in beside the file, which the browser keeps; without JavaScript the
same steps work, the file chosen again. On a desktop and on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pulse.models import AdoptionFigure
from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import make_playbook, make_role, make_user
from tests.pulse.usage_files import GO_LIVE, TODAY, generate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROFILES = {
    "Sales User": ("Sales", 40),
    "Service Cloud User": ("Customer service", 25),
    "Executive": ("Management", 6),  # under 2k: not counted
}


@pytest.fixture
def setup(pulse_day: Any, tmp_path: Path) -> tuple[Any, Path]:
    pulse_day.set(TODAY)
    lead = make_user("lead", first_name="Lea")
    playbook = make_playbook(lead, name="Salesforce rollout", go_live=GO_LIVE)
    for name, people in PROFILES.values():
        make_role(playbook, name, headcount=people)
    made = generate(
        {"Sales User": 36, "Service Cloud User": 20, "Executive": 5, "System Administrator": 2},
        8,
        before_go_live=6,
    )
    path = tmp_path / "LoginHistory.csv"
    path.write_bytes(made.data)
    return playbook, path


def choose_roles(page: Page) -> None:
    for value, (role, _people) in PROFILES.items():
        page.get_by_label(value, exact=True).select_option(label=role)
    page.get_by_label("System Administrator", exact=True).select_option(value="ignore")


def test_import_a_login_history_with_htmx(
    page: Page, live_server: Any, setup: tuple[Any, Path], problems: PageProblems
) -> None:
    playbook, path = setup
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/results/import/")
    expect(page.get_by_role("heading", name="Import adoption figures")).to_be_visible()
    assert serious_axe_violations(page) == []
    screenshot(page, "usage-import-1366")

    page.get_by_label("Usage export (CSV)").set_input_files(path)
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_label("User column")).to_have_value("UserId")
    expect(page.get_by_label("Date column")).to_have_value("LoginTime")
    expect(page.get_by_label("Role column")).to_have_value("Profile")
    expect(page.get_by_label("User column")).to_be_focused()
    # The file input still holds the file: no need to choose it again.
    assert page.get_by_label("Usage export (CSV)").evaluate("input => input.files.length") == 1
    expect(page.get_by_text("Choose the file again")).to_have_count(0)
    assert serious_axe_violations(page) == []
    screenshot(page, "usage-import-columns-1366")

    page.get_by_role("button", name="Count with these columns").click()
    preview = page.get_by_role("heading", name="Preview: nothing is saved yet")
    expect(preview).to_be_focused()  # swapped in by htmx, and announced by its heading
    expect(page.get_by_text("6 rows before go-live")).to_be_visible()
    choose_roles(page)
    page.get_by_role("button", name="Update the preview").click()
    expect(page.get_by_text("Sales, week 1:")).to_be_visible()
    expect(page.get_by_text("Management has fewer than 10 people")).to_be_visible()
    assert serious_axe_violations(page) == []
    screenshot(page, "usage-import-preview-1366")

    page.get_by_role("button", name="Save the figures").click()
    page.wait_for_url(f"**/playbooks/{playbook.pk}/results/#adoption")
    expect(page.get_by_text("Adoption figures imported: 16 new")).to_be_visible()
    assert AdoptionFigure.objects.count() == 16
    assert problems.csp_violations() == []
    assert problems.console == []


def test_import_without_javascript_on_a_phone(
    browser: Any, live_server: Any, setup: tuple[Any, Path]
) -> None:
    playbook, path = setup
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/results/import/")
    page.get_by_label("Usage export (CSV)").set_input_files(path)
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_text("Choose the file again")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "usage-import-columns-390")
    page.get_by_label("Usage export (CSV)").set_input_files(path)
    page.get_by_role("button", name="Count with these columns").click()
    expect(page.get_by_role("heading", name="Preview: nothing is saved yet")).to_be_visible()
    choose_roles(page)
    page.get_by_role("button", name="Update the preview").click()
    expect(page.get_by_text("Customer service, week 8:")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "usage-import-preview-390")
    page.get_by_role("button", name="Save the figures").click()
    page.wait_for_url(f"**/playbooks/{playbook.pk}/results/#adoption")
    assert AdoptionFigure.objects.count() == 16
    context.close()


def test_a_failed_upload_with_htmx_takes_the_focus_to_what_went_wrong(
    page: Page, live_server: Any, setup: tuple[Any, Path], tmp_path: Path, problems: PageProblems
) -> None:
    """The error summary swapped in takes the focus (a screen reader reads it),
    on a phone as on a desktop; the preview's rates keep their % on the line."""
    playbook, _path = setup
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/results/import/")
    image = tmp_path / "usage.csv"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01")
    page.get_by_label("Usage export (CSV)").set_input_files(image)
    page.get_by_role("button", name="Read the file").click()
    summary = page.get_by_role("alert").filter(has_text="Nothing was imported")
    expect(summary).to_contain_text("This is not a CSV file")
    expect(summary).to_be_focused()
    assert serious_axe_violations(page) == []
    screenshot(page, "usage-import-not-csv-390")

    # Chosen again, a file whose rows are wrong: the new summary takes the focus.
    counts = tmp_path / "counts.csv"
    counts.write_bytes(b"week;role;active_users\r\n3;Finance;3\r\n3;Sales;\x00\r\n")
    page.get_by_label("Usage export (CSV)").set_input_files(counts)
    page.get_by_role("button", name="Read the file").click()
    expect(summary).to_contain_text("Row 3: contains a control character.")
    expect(summary).to_be_focused()

    # A missing file: its field takes the focus, with the message beside it.
    page.get_by_label("Usage export (CSV)").set_input_files([])
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_text("Choose the CRM’s usage export (a CSV file).")).to_be_visible()
    expect(page.get_by_label("Usage export (CSV)")).to_be_focused()

    # A good file: the preview's lines keep "(90 %)" whole at 390 px.
    counts.write_bytes(b"week;role;active_users\r\n3;Sales;36\r\n4;Customer service;18\r\n")
    page.get_by_label("Usage export (CSV)").set_input_files(counts)
    page.get_by_role("button", name="Read the file").click()
    line = page.locator(".usage-line").first
    expect(line).to_contain_text("Sales, week 3: 36 of 40 active (90\u00a0%)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "usage-import-counts-preview-390")
    assert problems.csp_violations() == []
    assert problems.console == []
