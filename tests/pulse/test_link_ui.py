"""The pulse link on the role page and in the matrix: issue, copy, QR,
re-issue, revoke (planner/pulse_links.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pulse import links
from pulse.models import PulseAnswer, PulseLink
from roles.models import Role
from tests.factories import make_role

HTMX = {"HX-Request": "true"}
ACTIONS = ["pulse_link_issue", "pulse_link_reissue", "pulse_link_revoke"]


@pytest.fixture
def role(world: Any) -> Role:
    return make_role(world.playbook, "Customer service", headcount=25)


def url(name: str, role: Role) -> str:
    return reverse(name, args=[role.playbook_id, role.pk])


def role_page(role: Role) -> str:
    return reverse("role_detail", args=[role.playbook_id, role.pk])


def token_in(html: str) -> str:
    found = re.search(r"/p/([A-Za-z0-9_-]{43})/", html)
    assert found, "no pulse address in the page"
    return found.group(1)


def answer(role: Role) -> PulseAnswer:
    return PulseAnswer.objects.create(
        role=role, week=1, cost_minutes=30, saved_minutes=60, got_back=4
    )


class TestAccess:
    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 302), ("owner", 302)],
    )
    @pytest.mark.parametrize("name", ACTIONS)
    def test_posts(self, role: Role, client_for: Any, who: str, status: int, name: str) -> None:
        if name != "pulse_link_issue":
            links.issue(role)
        before = PulseLink.objects.filter(role=role).values_list("token", flat=True).first()
        response = client_for(who).post(url(name, role))
        assert response.status_code == status
        if who == "anonymous":
            assert response["Location"].startswith("/accounts/login/")
        after = PulseLink.objects.filter(role=role).values_list("token", flat=True).first()
        if status != 302 or who == "anonymous":
            assert after == before  # nothing changed
        else:
            assert after != before  # issued, re-issued or revoked

    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 200), ("owner", 200)],
    )
    @pytest.mark.parametrize("name", ["pulse_link_reissue", "pulse_link_revoke", "pulse_link_qr"])
    def test_pages(self, role: Role, client_for: Any, who: str, status: int, name: str) -> None:
        links.issue(role)
        response = client_for(who).get(url(name, role))
        assert response.status_code == status

    def test_a_role_of_another_playbook_is_404_and_untouched(
        self, world: Any, client_for: Any
    ) -> None:
        theirs = make_role(world.other_playbook, "Their sales", headcount=30)
        link = links.issue(theirs)
        editor = client_for("editor")
        for name in ACTIONS:
            # Their role's id under our playbook's address.
            address = reverse(name, args=[world.playbook.pk, theirs.pk])
            assert editor.post(address).status_code == 404
            assert editor.post(address, headers=HTMX).status_code == 404
        qr = reverse("pulse_link_qr", args=[world.playbook.pk, theirs.pk])
        assert editor.get(qr).status_code == 404
        assert PulseLink.objects.get(role=theirs).token == link.token

    def test_the_issue_address_only_takes_a_post(self, role: Role, client_for: Any) -> None:
        response = client_for("editor").get(url("pulse_link_issue", role))
        assert response.status_code == 302
        assert response["Location"] == role_page(role) + "#pulse"
        assert not PulseLink.objects.exists()


class TestRolePage:
    def test_editor_without_a_link_is_offered_one(self, role: Role, client_for: Any) -> None:
        html = client_for("editor").get(role_page(role)).content.decode()
        assert 'id="pulse"' in html
        assert "No pulse link yet." in html
        assert f'action="{url("pulse_link_issue", role)}"' in html
        assert "/p/" not in html

    @pytest.mark.parametrize("who", ["editor", "owner"])
    def test_editors_and_owners_see_the_address_copy_and_qr(
        self, role: Role, client_for: Any, who: str
    ) -> None:
        link = links.issue(role)
        html = client_for(who).get(role_page(role)).content.decode()
        address = f"http://testserver/p/{link.token}/"
        assert f'value="{address}" readonly' in html  # selectable without JavaScript
        assert 'data-copy="#pulse-url-' in html
        assert 'role="status" aria-live="polite"' in html
        assert '<svg viewBox="0 0' in html and 'class="qr-code"' in html
        assert "Download QR (SVG)" in html
        assert f'href="{url("pulse_link_reissue", role)}"' in html  # the no-JS confirmation
        assert f'hx-post="{url("pulse_link_revoke", role)}"' in html
        assert "hx-confirm=" in html
        assert "Issue pulse link" not in html

    def test_viewers_learn_only_that_a_link_is_active(self, role: Role, client_for: Any) -> None:
        link = links.issue(role)
        html = client_for("viewer").get(role_page(role)).content.decode()
        assert "A pulse link is active." in html
        assert link.token not in html
        assert "qr-code" not in html
        assert "Re-issue" not in html and "Issue pulse link" not in html

    def test_viewers_without_a_link(self, role: Role, client_for: Any) -> None:
        html = client_for("viewer").get(role_page(role)).content.decode()
        assert "No pulse link yet. An editor can issue one." in html
        assert "Issue pulse link" not in html

    def test_the_cached_page_follows_the_link(self, role: Role, client_for: Any) -> None:
        editor = client_for("editor")
        assert "No pulse link yet." in editor.get(role_page(role)).content.decode()
        link = links.issue(role)  # from anywhere: the page is not served stale
        assert link.token in editor.get(role_page(role)).content.decode()
        links.issue(role)
        html = editor.get(role_page(role)).content.decode()
        assert link.token not in html
        links.revoke(role)
        assert "No pulse link yet." in editor.get(role_page(role)).content.decode()

    @pytest.mark.parametrize("with_link", [False, True])
    def test_query_budget_with_or_without_a_link(
        self, role: Role, client_for: Any, django_assert_num_queries: Any, with_link: bool
    ) -> None:
        if with_link:
            links.issue(role)
        client = client_for("editor")
        # session, user, membership with its playbook, the role with its pulse
        # link, its Give-Gets, its next messages, the plan's progress for the
        # header; an editor's add form suggests owners: members, ambassadors
        with django_assert_num_queries(9):
            response = client.get(role_page(role))
        assert ("/p/" in response.content.decode()) is with_link


class TestWithoutJavaScript:
    def test_issue_then_a_second_click_keeps_the_address(self, role: Role, client_for: Any) -> None:
        editor = client_for("editor")
        response = editor.post(url("pulse_link_issue", role), follow=True)
        assert response.redirect_chain == [(role_page(role) + "#pulse", 302)]
        html = response.content.decode()
        assert "Pulse link issued for “Customer service”." in html
        token = token_in(html)
        assert PulseLink.objects.get(role=role).token == token
        again = editor.post(url("pulse_link_issue", role), follow=True).content.decode()
        assert "“Customer service” already has a pulse link: it is unchanged." in again
        assert PulseLink.objects.get(role=role).token == token

    def test_reissue_asks_first_then_the_old_address_stops_and_answers_stay(
        self, role: Role, client_for: Any
    ) -> None:
        old = links.issue(role).token
        answer(role)
        editor = client_for("editor")
        ask = editor.get(url("pulse_link_reissue", role)).content.decode()
        assert "Re-issue the pulse link of “Customer service”?" in ask
        assert "the old one stops working at once" in ask
        assert f'<form method="post" action="{url("pulse_link_reissue", role)}"' in ask
        assert PulseLink.objects.get(role=role).token == old  # asking changes nothing
        response = editor.post(url("pulse_link_reissue", role), follow=True)
        assert response.redirect_chain == [(role_page(role) + "#pulse", 302)]
        assert "the old address no longer works" in response.content.decode()
        new = PulseLink.objects.get(role=role).token
        assert new != old and new == token_in(response.content.decode())
        assert Client().get(f"/p/{old}/").status_code == 404
        assert Client().get(f"/p/{new}/").status_code == 200
        assert PulseAnswer.objects.filter(role=role).count() == 1

    def test_revoke_asks_first_then_the_address_stops_and_answers_stay(
        self, role: Role, client_for: Any
    ) -> None:
        old = links.issue(role).token
        answer(role)
        editor = client_for("editor")
        ask = editor.get(url("pulse_link_revoke", role)).content.decode()
        assert "Revoke the pulse link of “Customer service”?" in ask
        assert PulseLink.objects.filter(role=role).exists()
        response = editor.post(url("pulse_link_revoke", role), follow=True)
        html = response.content.decode()
        assert "Pulse link of “Customer service” revoked" in html
        assert "No pulse link yet." in html
        assert not PulseLink.objects.filter(role=role).exists()
        assert Client().get(f"/p/{old}/").status_code == 404
        assert PulseAnswer.objects.filter(role=role).count() == 1
        twice = editor.post(url("pulse_link_revoke", role), follow=True).content.decode()
        assert "“Customer service” has no pulse link to revoke." in twice


class TestWithHtmx:
    def test_issue_answers_with_the_panel_and_a_status(self, role: Role, client_for: Any) -> None:
        response = client_for("editor").post(url("pulse_link_issue", role), headers=HTMX)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="pulse"')
        assert token_in(html) == PulseLink.objects.get(role=role).token
        assert 'id="role-status"' in html and 'hx-swap-oob="true"' in html
        assert "Pulse link issued for “Customer service”." in html
        assert "<html" not in html

    def test_reissue_and_revoke(self, role: Role, client_for: Any) -> None:
        old = links.issue(role).token
        answer(role)
        editor = client_for("editor")
        html = editor.post(url("pulse_link_reissue", role), headers=HTMX).content.decode()
        new = token_in(html)
        assert new != old
        assert "the old address no longer works" in html
        html = editor.post(url("pulse_link_revoke", role), headers=HTMX).content.decode()
        assert "/p/" not in html
        assert "Issue pulse link" in html
        assert "revoked: its address no longer works" in html
        assert Client().get(f"/p/{new}/").status_code == 404
        assert PulseAnswer.objects.filter(role=role).count() == 1


class TestQrDownload:
    def test_an_svg_file_of_the_address(self, world: Any, role: Role, client_for: Any) -> None:
        link = links.issue(role)
        response = client_for("editor").get(url("pulse_link_qr", role))
        assert response["Content-Type"] == "image/svg+xml"
        assert response["Content-Disposition"] == (
            'attachment; filename="salesforce-rollout-2027-customer-service-pulse-qr.svg"'
        )
        assert response["Cache-Control"] == "no-store"
        svg = response.content.decode()
        assert svg.startswith('<?xml version="1.0"')
        assert 'xmlns="http://www.w3.org/2000/svg"' in svg
        assert "Weekly pulse of Customer service" in svg
        assert link.token not in svg  # the address is in the code, not in plain text

    def test_no_link_no_file(self, role: Role, client_for: Any) -> None:
        assert client_for("editor").get(url("pulse_link_qr", role)).status_code == 404


class TestMatrix:
    def matrix(self, client: Client, world: Any) -> str:
        return client.get(reverse("matrix", args=[world.playbook.pk])).content.decode()

    @pytest.mark.parametrize("who", ["viewer", "editor"])
    def test_each_row_says_whether_the_role_has_a_link(
        self, world: Any, client_for: Any, who: str
    ) -> None:
        with_link = make_role(world.playbook, "Sales", headcount=40)
        without = make_role(world.playbook, "Marketing", headcount=6)
        links.issue(with_link)
        html = self.matrix(client_for(who), world)
        assert f'href="{role_page(with_link)}#pulse"' in html
        assert f'href="{role_page(without)}#pulse"' in html
        assert html.count("Pulse: active") == 1
        assert html.count("Pulse: none") == 1
        sales = html[html.index(f'id="role-{with_link.pk}"') :]
        assert sales.index("Pulse: active") < sales.index(f'id="role-{without.pk}"')

    def test_the_status_follows_the_link(self, world: Any, client_for: Any) -> None:
        sales = make_role(world.playbook, "Sales", headcount=40)
        client = client_for("viewer")
        assert "Pulse: none" in self.matrix(client, world)  # now cached
        links.issue(sales)
        assert "Pulse: active" in self.matrix(client, world)
        links.revoke(sales)
        assert "Pulse: none" in self.matrix(client, world)

    @pytest.mark.parametrize("roles", [1, 40])
    def test_links_cost_no_query(
        self, world: Any, client_for: Any, django_assert_num_queries: Any, roles: int
    ) -> None:
        for number in range(roles):
            links.issue(make_role(world.playbook, f"Role {number}", headcount=20))
        client = client_for("editor")
        # session, user, membership with its playbook, the roles with their pulse
        # links, their Give-Gets, their ambassadors, the plan's progress
        with django_assert_num_queries(7):
            html = self.matrix(client, world)
        assert html.count("Pulse: active") == roles
