"""Two editors on the same role at once (issue 17): nothing is silently
overwritten. Two browser contexts, each logged in as one editor."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from roles.models import Role
from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import add_member, make_playbook, make_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sales(transactional_db: Any) -> Role:
    lea = make_user("lead", first_name="Lea", last_name="Dahl")
    playbook = make_playbook(lea, name="Salesforce rollout 2027", go_live="2027-03-01")
    add_member(playbook, make_user("ben", first_name="Ben", last_name="Holm"), "editor")
    return make_role(playbook, "Sales", headcount=40, question="Does it help me sell?")


def open_headcount(page: Page, base: str, role: Role) -> None:
    page.goto(f"{base}/playbooks/{role.playbook_id}/matrix/")
    page.locator(f"#cell-{role.pk}-headcount").click()
    expect(page.locator(f"#id_c{role.pk}-headcount")).to_be_focused()


def test_the_second_save_sees_the_first_and_chooses(
    browser: Browser, live_server: Any, sales: Role
) -> None:
    contexts = [browser.new_context(viewport={"width": 1366, "height": 900}) for _ in "ab"]
    try:
        journey(*(context.new_page() for context in contexts), live_server, sales)
    finally:  # no connection of theirs left open to the live server
        for context in contexts:
            context.close()


def journey(a: Page, b: Page, live_server: Any, sales: Role) -> None:
    b.add_init_script("window.__cspViolations = [];")
    problems = PageProblems(b)
    log_in(a, live_server.url, "lead")
    log_in(b, live_server.url, "ben")
    open_headcount(a, live_server.url, sales)
    open_headcount(b, live_server.url, sales)  # opened before A saves

    a.keyboard.press("Control+A")
    a.keyboard.type("45")
    a.keyboard.press("Enter")
    expect(a.locator(f"#cell-{sales.pk}-headcount")).to_contain_text("45")

    b.keyboard.press("Control+A")
    b.keyboard.type("50")
    b.keyboard.press("Enter")
    conflict = b.locator(f"#cell-{sales.pk}-headcount .conflict")
    expect(conflict).to_contain_text("Changed by Lea Dahl at ")
    expect(conflict).to_contain_text("since you opened it. Nothing was saved.")
    expect(conflict).to_contain_text("Theirs: 45")
    expect(conflict).to_contain_text("Yours: 50")
    expect(b.locator(f"#id_c{sales.pk}-headcount")).to_have_value("50")
    screenshot(b, "two-editors-conflict", full_page=False)
    assert serious_axe_violations(b) == []
    sales.refresh_from_db()
    assert sales.headcount == 45

    conflict.get_by_role("button", name="Save mine over it").click()
    expect(b.locator(f"#cell-{sales.pk}-headcount")).to_contain_text("50")
    expect(b.locator(f"#cell-{sales.pk}-headcount .conflict")).to_have_count(0)
    sales.refresh_from_db()
    assert sales.headcount == 50

    b.goto(f"{live_server.url}/playbooks/{sales.playbook_id}/changes/")
    changes = b.locator("main")
    expect(changes).to_contain_text("Ben Holm changed the role “Sales”: headcount 45 → 50.")
    expect(changes).to_contain_text("Lea Dahl changed the role “Sales”: headcount 40 → 45.")
    screenshot(b, "two-editors-changes", full_page=False)
    assert problems.csp_violations() == []
