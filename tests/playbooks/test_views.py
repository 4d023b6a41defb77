"""Playbook pages: list, create, show, edit, delete; bad input saves nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from playbooks.models import Membership, Playbook
from tests.factories import make_playbook

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Dynamics go-live",
    "organisation": "Havn & Co",
    "crm_system": "other",
    "crm_other": "SuperOffice",
    "go_live": "2027-03-01",
    "language": "da",
    "pledge": "We ask you for data.",
    "data_used_for": "Coaching.",
    "data_not_used_for": "Ranking people.",
}


def field_error(html: str, field: str) -> str:
    """The error text shown beside a field (crispy's invalid-feedback for it)."""
    match = re.search(rf'id="error_\d+_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)
    assert match, f"no error shown beside {field}"
    return match.group(1)


class TestList:
    def test_empty_state_invites_the_first_playbook(self, user_client: Client) -> None:
        html = user_client.get(reverse("playbook_list")).content.decode()
        assert "Start your first playbook" in html
        assert reverse("playbook_create") in html

    def test_newest_first_with_crm_go_live_and_level(self, user: Any, user_client: Client) -> None:
        from tests.factories import add_member

        old = make_playbook(user, name="Older rollout")
        new = make_playbook(name="Newer rollout", crm_system="hubspot")
        add_member(new, user, "viewer")
        new.go_live = "2027-03-01"
        new.save()
        html = user_client.get(reverse("playbook_list")).content.decode()
        assert html.index("Newer rollout") < html.index("Older rollout")
        assert "HubSpot" in html
        assert "go-live March 1, 2027" in html
        assert "You: Viewer" in html
        assert "You: Owner" in html
        assert old.name in html

    def test_dates_in_danish(self, user: Any, user_client: Client) -> None:
        make_playbook(user, name="Udrulning", go_live="2027-03-01")
        user_client.cookies["django_language"] = "da"
        html = user_client.get(reverse("playbook_list")).content.decode()
        assert "go-live 1. marts 2027" in html
        assert "Dig: Ejer" in html

    def test_query_count_does_not_grow(
        self, user: Any, user_client: Client, django_assert_num_queries: Any
    ) -> None:
        from actionplan.services import create_default_plan
        from comms.services import create_default_set
        from tests.factories import make_ambassador, make_giveget, make_role

        def full_playbook() -> None:
            playbook = make_playbook(user)
            role = make_role(playbook, "Sales", headcount=3)
            make_giveget(role)
            make_ambassador(role)
            create_default_plan(playbook)
            create_default_set(playbook)

        full_playbook()
        # session, user, memberships with their playbooks; then for the health
        # check of all of them: playbooks, roles, Give-Gets, ambassadors,
        # steps, messages
        with django_assert_num_queries(9):
            user_client.get(reverse("playbook_list"))
        for _ in range(10):
            full_playbook()
        with django_assert_num_queries(9):
            user_client.get(reverse("playbook_list"))

    def test_root_sends_to_my_playbooks(self, user_client: Client) -> None:
        assert user_client.get("/")["Location"] == reverse("playbook_list")


class TestCreate:
    def test_the_creator_becomes_owner(self, user: Any, user_client: Client) -> None:
        response = user_client.post(reverse("playbook_create"), VALID)
        playbook = Playbook.objects.get(name="Dynamics go-live")
        assert response["Location"] == reverse("playbook_detail", args=[playbook.pk])
        assert Membership.objects.get(playbook=playbook).user == user
        assert Membership.objects.get(playbook=playbook).level == "owner"
        assert playbook.crm_display == "SuperOffice"
        assert str(playbook.go_live) == "2027-03-01"
        page = user_client.get(response["Location"]).content.decode()
        assert "Playbook “Dynamics go-live” created." in page

    def test_crm_other_is_dropped_for_a_listed_system(self, user_client: Client) -> None:
        user_client.post(reverse("playbook_create"), {**VALID, "crm_system": "hubspot"})
        assert Playbook.objects.get().crm_other == ""

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("name", "", "This field is required."),
            ("name", "   ", "This field is required."),
            (
                "name",
                "x" * 300,
                "This text is 300 characters; the limit is 200. Please shorten it.",
            ),
            ("go_live", "2027-02-30", "Enter a valid date."),
            ("go_live", "next spring", "Enter a valid date."),
            ("crm_system", "oracle", "Select a valid choice. oracle is not one of the available"),
            ("language", "fr", "Select a valid choice. fr is not one of the available choices."),
        ],
    )
    def test_bad_input_is_refused_beside_the_field(
        self, user_client: Client, field: str, value: str, message: str
    ) -> None:
        response = user_client.post(reverse("playbook_create"), {**VALID, field: value})
        assert response.status_code == 200
        assert message in field_error(response.content.decode(), field)
        assert Playbook.objects.count() == 0

    def test_bad_input_in_danish(self, user_client: Client) -> None:
        user_client.cookies["django_language"] = "da"
        response = user_client.post(reverse("playbook_create"), {**VALID, "go_live": "31-02-2027"})
        assert "Indtast en gyldig dato." in field_error(response.content.decode(), "go_live")

    def test_a_danish_date_is_understood(self, user_client: Client) -> None:
        user_client.cookies["django_language"] = "da"
        user_client.post(reverse("playbook_create"), {**VALID, "go_live": "01.03.2027"})
        assert str(Playbook.objects.get().go_live) == "2027-03-01"

    def test_every_field_has_a_label(self, user_client: Client) -> None:
        html = user_client.get(reverse("playbook_create")).content.decode()
        for field in VALID:
            assert re.search(rf'<label[^>]*for="id_{field}"', html), field


class TestDetailEditDelete:
    def test_detail_shows_the_fields(self, world: Any, client_for: Any) -> None:
        world.playbook.pledge = "We ask you for data."
        world.playbook.data_not_used_for = "Ranking people."
        world.playbook.save()
        html = client_for("viewer").get(reverse("playbook_detail", args=[world.playbook.pk]))
        html = html.content.decode()
        assert "We ask you for data." in html
        assert "Ranking people." in html
        assert reverse("members", args=[world.playbook.pk]) in html

    def test_viewer_sees_no_controls(self, world: Any, client_for: Any) -> None:
        pk = world.playbook.pk
        html = client_for("viewer").get(reverse("playbook_detail", args=[pk])).content.decode()
        assert reverse("playbook_edit", args=[pk]) not in html
        assert reverse("playbook_delete", args=[pk]) not in html
        members = client_for("viewer").get(reverse("members", args=[pk])).content.decode()
        assert "Add a person" not in members
        assert "/remove/" not in members
        assert 'name="level"' not in members

    def test_editor_edits_but_cannot_delete(self, world: Any, client_for: Any) -> None:
        pk = world.playbook.pk
        html = client_for("editor").get(reverse("playbook_detail", args=[pk])).content.decode()
        assert reverse("playbook_edit", args=[pk]) in html
        assert reverse("playbook_delete", args=[pk]) not in html
        response = client_for("editor").post(reverse("playbook_edit", args=[pk]), VALID)
        assert response["Location"] == reverse("playbook_detail", args=[pk])
        world.playbook.refresh_from_db()
        assert world.playbook.name == "Dynamics go-live"

    def test_bad_edit_saves_nothing(self, world: Any, client_for: Any) -> None:
        pk = world.playbook.pk
        response = client_for("owner").post(
            reverse("playbook_edit", args=[pk]), {**VALID, "name": "", "go_live": "2027-13-01"}
        )
        html = response.content.decode()
        assert "This field is required." in field_error(html, "name")
        assert "Enter a valid date." in field_error(html, "go_live")
        world.playbook.refresh_from_db()
        assert world.playbook.name == "Salesforce rollout 2027"

    def test_delete_confirmation_says_what_is_lost(self, world: Any, client_for: Any) -> None:
        pk = world.playbook.pk
        html = client_for("owner").get(reverse("playbook_delete", args=[pk])).content.decode()
        assert "This cannot be undone" in html
        assert "the access of its 3 members" in html
        response = client_for("owner").post(reverse("playbook_delete", args=[pk]))
        assert response["Location"] == reverse("playbook_list")
        assert not Playbook.objects.filter(pk=pk).exists()
        assert not Membership.objects.filter(playbook_id=pk).exists()
        assert Playbook.objects.filter(pk=world.other_playbook.pk).exists()
