"""Ambassadors in a browser: roster, a personal link opened on a phone, revoked."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import make_giveget, make_playbook, make_sales_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def playbook(transactional_db: Any) -> Any:
    lead = make_user("lead", first_name="Lea")
    playbook = make_playbook(
        lead,
        name="HubSpot-udrulning",
        organisation="Fjordsalg ApS",
        language="da",
        go_live=datetime.date(2027, 3, 1),
        pledge="Vi beder jer om data. Til gengæld leverer vi indsigt.",
        data_used_for="Prognoser og coaching.",
        data_not_used_for="Rangering af medarbejdere.",
        ambassador_contact=lead,
    )
    role = make_sales_role(
        playbook,
        "Salg",
        question="Hjælper det mig med at sælge?",
        wiifm="Lead scoring viser, hvem du skal ringe til.",
        quick_win="Stemmenoter i CRM",
    )
    make_giveget(
        role,
        "Registrér hvert møde",
        minutes_each=5,
        times_per_week=8,
        get="Automatisk ugerapport",
        minutes_saved_per_week=60,
    )
    from tests.factories import make_ambassador

    make_ambassador(role, "Jonas Holm", department="Salg Aarhus", email="jonas@example.dk")
    return playbook


def test_issue_a_link_open_it_on_a_phone_and_revoke_it(
    page: Page, browser: Any, live_server: Any, playbook: Any, problems: PageProblems
) -> None:
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/ambassadors/")

    form = page.locator("#add-ambassador")
    form.get_by_label("Name").fill("Mette Sørensen")
    form.get_by_label("E-mail").fill("mette@example.dk")
    form.get_by_label("Department").fill("Salg København")
    form.get_by_label("Influence").select_option("5")
    form.get_by_role("button", name="Add ambassador").click()
    mette = page.locator(".ambassador", has_text="Mette Sørensen")
    expect(mette).to_be_visible()
    assert serious_axe_violations(page) == []

    mette.get_by_role("button", name="Issue link").click()
    link_field = mette.locator("input[readonly]")
    expect(link_field).to_be_visible()
    url = link_field.input_value()
    assert "/a/" in url
    screenshot(page, "roster-link-issued-desktop")

    # Editors look at the role's page as an ambassador sees it, before any link.
    page.get_by_role("link", name="Preview as ambassador").first.click()
    expect(page.get_by_text("Preview: what an ambassador of Salg sees")).to_be_visible()
    expect(page.get_by_test_id("your-part")).to_be_visible()  # in the playbook's language
    assert serious_axe_violations(page) == []
    screenshot(page, "ambassador-preview-desktop")
    page.get_by_role("link", name="Ambassadors").click()

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    ambassador_page = phone.new_page()
    response = ambassador_page.goto(url)
    assert response.status == 200
    assert "set-cookie" not in response.headers
    assert phone.cookies() == []
    for text in [
        "HubSpot-udrulning",
        "Fjordsalg ApS",
        "Vi beder jer om data",
        "Hjælper det mig med at sælge?",
        "Lead scoring viser",
        "Registrér hvert møde",
        "Automatisk ugerapport",
        "+20 min",
        "nettomodtager",
        "Stemmenoter i CRM",
        "7. marts 2027",
        "Prognoser og coaching.",
        "Rangering af medarbejdere.",
        "Jonas Holm · Salg Aarhus",
        "Lea · lead@example.com",
    ]:
        expect(ambassador_page.get_by_text(text, exact=False).first).to_be_visible()
    assert ambassador_page.evaluate("document.documentElement.scrollWidth") <= 390
    assert ambassador_page.locator("a[href^='/playbooks']").count() == 0
    assert serious_axe_violations(ambassador_page) == []
    screenshot(ambassador_page, "ambassador-page-phone")

    page.reload()
    page.locator(".ambassador", has_text="Mette Sørensen").get_by_role(
        "button", name="Revoke link"
    ).click()
    expect(
        page.locator(".ambassador", has_text="Mette Sørensen").get_by_text("no link")
    ).to_be_visible()
    gone = ambassador_page.goto(url)
    assert gone.status == 404
    expect(ambassador_page.get_by_role("heading", name="This link does not work")).to_be_visible()
    screenshot(ambassador_page, "ambassador-page-revoked-phone")
    phone.close()
    assert problems.csp_violations() == []
