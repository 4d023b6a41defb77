"""Issue 22, action plan: a step's owner is picked from the playbook's members
and ambassadors (free text still allowed), and the overview shows each member
the steps that are theirs ("Yours"), never another member's."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageProblems, log_in, screenshot, serious_axe_violations
from tests.factories import add_member, make_ambassador, make_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def playbook(planned_playbook: Any) -> Any:
    """Lea's planned playbook, with her surname (the owner field lists full
    names), two editors, an inactive viewer and an ambassador."""
    playbook = planned_playbook
    get_user_model().objects.filter(username="lead").update(last_name="Dahl")
    add_member(playbook, make_user("jonas", first_name="Jonas", last_name="Berg"), "editor")
    add_member(playbook, make_user("nora", first_name="Nora", last_name="Holm"), "editor")
    add_member(playbook, make_user("ghost", first_name="Gone", is_active=False), "viewer")
    make_ambassador(make_role(playbook, "Sales"), "Mette Sørensen")
    return playbook


@pytest.mark.parametrize("width", [1366, 390])
def test_owner_picked_from_people_and_yours_on_the_overview(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "jonas")
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/plan/")
    page.locator("#step-2").get_by_role("link", name="Edit step").click()
    owner = page.locator("#step-2").get_by_label("Owner")
    # The field offers the playbook's active members and ambassadors, sorted.
    options = page.locator("#step-2 datalist option")
    expect(options).to_have_count(4)
    values = [options.nth(i).get_attribute("value") for i in range(4)]
    assert values == ["Jonas Berg", "Lea Dahl", "Mette Sørensen", "Nora Holm"]
    assert owner.get_attribute("list") == page.locator("#step-2 datalist").get_attribute("id")
    owner.fill("Jonas Berg")  # what picking the option types
    assert serious_axe_violations(page) == []
    page.locator("#step-2").get_by_role("button", name="Save").click()
    expect(page.locator("#step-2")).to_contain_text("owner: Jonas Berg")

    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/")
    yours = page.locator("#yours")
    expect(yours.get_by_role("heading", name="Yours")).to_be_visible()
    expect(yours).to_contain_text("2. Answer WIIFM for every role")
    expect(yours.get_by_role("link", name="2. Answer WIIFM for every role")).to_have_attribute(
        "href", f"/playbooks/{playbook.pk}/plan/#step-2"
    )
    assert serious_axe_violations(page) == []
    screenshot(page, f"overview-yours-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert problems.csp_violations() == []

    # Nora, another editor, is answered from the same cached fragment, without
    # Jonas's steps.
    page.context.clear_cookies()
    log_in(page, live_server.url, "nora")
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/")
    expect(page.locator("h2", has_text="Action plan")).to_be_visible()
    expect(page.locator("#yours")).to_have_count(0)


def test_a_giveget_owner_is_suggested_on_the_role_page(
    page: Page, live_server: Any, playbook: Any, problems: PageProblems
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url, "jonas")
    role = playbook.roles.get()
    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/roles/{role.pk}/")
    form = page.locator("#add-giveget")
    owner = form.get_by_label("Who delivers the get")
    listed = page.locator(f"datalist#{owner.get_attribute('list')} option")
    expect(listed).to_have_count(4)
    assert "Mette Sørensen" in [listed.nth(i).get_attribute("value") for i in range(4)]
    form.get_by_label("Give").first.fill("Log each call")
    owner.fill("Mette Sørensen")
    form.get_by_role("button", name="Add Give-Get").click()
    expect(page.locator("#givegets")).to_contain_text("delivered by Mette Sørensen")
    assert serious_axe_violations(page) == []
    assert problems.csp_violations() == []
