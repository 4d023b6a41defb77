"""The pulse link on the ambassador's page (/a/<token>/): the address, its QR
code and a line to pass it on, in the playbook's language; nothing without a link."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ambassadors.models import Ambassador
from ambassadors.services import issue_link
from pulse import links
from roles.models import Role
from tests.factories import make_ambassador, make_role

PASS_ON = "Send this to your team once a week: it is anonymous, four questions, a minute."


@pytest.fixture
def sales(world: Any) -> Role:
    return make_role(world.playbook, "Sales", headcount=40)


@pytest.fixture
def mette(sales: Role) -> Ambassador:
    return make_ambassador(sales, "Mette Sørensen")


def page(ambassador: Ambassador) -> Any:
    return Client().get(f"/a/{issue_link(ambassador)}/")


def test_with_a_link_the_address_qr_and_the_line_to_pass_it_on(
    sales: Role, mette: Ambassador
) -> None:
    link = links.issue(sales)
    response = page(mette)
    html = response.content.decode()
    assert f'<p class="pulse-address">http://testserver/p/{link.token}/</p>' in html
    assert 'class="qr-code"' in html
    assert "Weekly pulse for your team" in html
    assert PASS_ON in html
    # Still a page opened from a link: strict headers, no cookie, no form.
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in html


def test_without_a_link_nothing_at_all(sales: Role, mette: Ambassador) -> None:
    html = page(mette).content.decode()
    assert "Weekly pulse" not in html
    assert "/p/" not in html
    assert "qr-code" not in html


def test_a_revoked_or_reissued_link_is_gone_from_the_page(sales: Role, mette: Ambassador) -> None:
    old = links.issue(sales).token
    token = issue_link(mette)
    new = links.issue(sales).token
    html = Client().get(f"/a/{token}/").content.decode()
    assert new in html and old not in html
    links.revoke(sales)
    html = Client().get(f"/a/{token}/").content.decode()
    assert new not in html and "Weekly pulse" not in html


def test_in_the_playbooks_language(world: Any, sales: Role, mette: Ambassador) -> None:
    world.playbook.language = "da"
    world.playbook.save()
    links.issue(sales)
    response = page(mette)
    html = response.content.decode()
    assert response["Content-Language"] == "da"
    assert "Ugentlig puls til dit team" in html
    assert "Send dette link til dit team én gang om ugen: det er anonymt, fire spørgsmål" in html
    assert PASS_ON not in html


def test_only_the_roles_own_link(world: Any, sales: Role, mette: Ambassador) -> None:
    """An ambassador sees their own role's link: not another role's, not another playbook's."""
    service = make_role(world.playbook, "Customer service", headcount=25)
    theirs = make_role(world.other_playbook, "Their sales", headcount=30)
    aisha = make_ambassador(theirs, "Aisha Rahman", email="aisha@example.com")
    own = links.issue(sales).token
    other_role = links.issue(service).token
    other_playbook = links.issue(theirs).token
    html = page(mette).content.decode()
    assert own in html
    assert other_role not in html and other_playbook not in html
    html = page(aisha).content.decode()
    assert other_playbook in html
    assert own not in html and other_role not in html


@pytest.mark.parametrize("with_link", [False, True])
def test_the_link_costs_no_query(
    sales: Role, mette: Ambassador, django_assert_num_queries: Any, with_link: bool
) -> None:
    if with_link:
        links.issue(sales)
    token = issue_link(mette)
    # the ambassador with role, playbook and pulse link, the Give-Gets, the
    # fellow ambassadors, the role's next messages, "last opened" (at most
    # once an hour)
    with django_assert_num_queries(5):
        response = Client().get(f"/a/{token}/")
    assert ("Weekly pulse" in response.content.decode()) is with_link
