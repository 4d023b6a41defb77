"""Who may do what: every playbook view for anonymous, outsider, viewer, editor, owner."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from playbooks.access import get_playbook
from playbooks.models import Level, Membership, Playbook
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "outsider", "viewer", "editor", "owner"]


def login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def urls(world: Any) -> dict[str, str]:
    pk = world.playbook.pk
    viewer_membership = Membership.objects.get(playbook=world.playbook, user=world.viewer)
    return {
        "detail": reverse("playbook_detail", args=[pk]),
        "edit": reverse("playbook_edit", args=[pk]),
        "delete": reverse("playbook_delete", args=[pk]),
        "members": reverse("members", args=[pk]),
        "member_level": reverse("member_level", args=[pk, viewer_membership.pk]),
        "member_remove": reverse("member_remove", args=[pk, viewer_membership.pk]),
    }


GET_EXPECTED = {
    # page:          outsider, viewer, editor, owner
    "detail": (404, 200, 200, 200),
    "edit": (404, 403, 200, 200),
    "delete": (404, 403, 403, 200),
    "members": (404, 200, 200, 200),
    "member_remove": (404, 403, 403, 200),
    "member_level": (404, 403, 403, 302),
}


@pytest.mark.parametrize("page", GET_EXPECTED)
@pytest.mark.parametrize("who", PEOPLE)
def test_get(world: Any, client_for: Any, page: str, who: str) -> None:
    response = client_for(who).get(urls(world)[page])
    if who == "anonymous":
        assert login_redirect(response)
    else:
        assert response.status_code == GET_EXPECTED[page][PEOPLE.index(who) - 1]


VALID_EDIT = {"name": "Renamed", "crm_system": "hubspot", "language": "en"}

POST_CASES = {
    # action: (data, expected for outsider, viewer, editor, owner)
    "edit": (VALID_EDIT, (404, 403, 302, 302)),
    "members": ({"email": "new@example.com", "level": "viewer"}, (404, 403, 403, 302)),
    "member_level": ({"level": "editor"}, (404, 403, 403, 302)),
    "member_remove": ({}, (404, 403, 403, 302)),
    "delete": ({}, (404, 403, 403, 302)),
    "detail": ({}, (405, 405, 405, 405)),
}


@pytest.mark.parametrize("action", POST_CASES)
@pytest.mark.parametrize("who", PEOPLE)
def test_post(world: Any, client_for: Any, action: str, who: str) -> None:
    data, expected = POST_CASES[action]
    before = (Playbook.objects.count(), Membership.objects.count())
    world.playbook.refresh_from_db()
    name_before = world.playbook.name
    response = client_for(who).post(urls(world)[action], data)
    if who == "anonymous":
        assert login_redirect(response)
    else:
        assert response.status_code == expected[PEOPLE.index(who) - 1]
    if response.status_code != 302 or who == "anonymous":
        # Refused: nothing changed.
        assert (Playbook.objects.count(), Membership.objects.count()) == before
        world.playbook.refresh_from_db()
        assert world.playbook.name == name_before
        assert Membership.objects.get(playbook=world.playbook, user=world.viewer).level == "viewer"


def test_list_and_create_need_login(client_for: Any) -> None:
    anonymous = client_for("anonymous")
    assert login_redirect(anonymous.get(reverse("playbook_list")))
    assert login_redirect(anonymous.get(reverse("playbook_create")))
    assert login_redirect(anonymous.post(reverse("playbook_create"), VALID_EDIT))
    assert Playbook.objects.count() == 2


@pytest.mark.parametrize("who", ["outsider", "viewer", "editor", "owner"])
def test_list_shows_only_my_playbooks(world: Any, client_for: Any, who: str) -> None:
    html = client_for(who).get(reverse("playbook_list")).content.decode()
    assert ("Salesforce rollout 2027" in html) == (who != "outsider")
    assert ("Oscar&#x27;s own rollout" in html) == (who == "outsider")


def test_every_address_of_a_playbook_is_404_to_an_outsider(world: Any, client_for: Any) -> None:
    outsider = client_for("outsider")
    for url in urls(world).values():
        assert outsider.get(url).status_code == 404, url


def test_unknown_playbook_is_404(world: Any, client_for: Any) -> None:
    assert client_for("owner").get(reverse("playbook_detail", args=[999999])).status_code == 404


def test_a_membership_of_another_playbook_is_404(world: Any, client_for: Any) -> None:
    foreign = Membership.objects.get(playbook=world.other_playbook)
    owner = client_for("owner")
    url = reverse("member_level", args=[world.playbook.pk, foreign.pk])
    assert owner.post(url, {"level": "viewer"}).status_code == 404
    url = reverse("member_remove", args=[world.playbook.pk, foreign.pk])
    assert owner.post(url).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk, level="owner").exists()


def test_superuser_passes_as_owner(world: Any, client: Any) -> None:
    admin = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(reverse("playbook_delete", args=[world.playbook.pk])).status_code == 200
    html = client.get(reverse("playbook_list")).content.decode()
    assert "Salesforce rollout 2027" in html
    assert "Oscar&#x27;s own rollout" in html


def test_staff_without_membership_is_an_outsider(world: Any, client: Any) -> None:
    client.force_login(make_user("staffer", is_staff=True))
    assert client.get(reverse("playbook_detail", args=[world.playbook.pk])).status_code == 404


class TestHelper:
    def request(self, user: Any) -> Any:
        request = RequestFactory().get("/")
        request.user = user
        return request

    def test_returns_the_level(self, world: Any) -> None:
        access = get_playbook(self.request(world.editor), world.playbook.pk, Level.EDITOR)
        assert access.playbook == world.playbook
        assert access.level == Level.EDITOR
        assert access.can_edit
        assert not access.is_owner

    def test_levels_are_ordered(self) -> None:
        assert Level.OWNER.allows(Level.EDITOR)
        assert Level.EDITOR.allows(Level.VIEWER)
        assert not Level.VIEWER.allows(Level.EDITOR)
        assert not Level.EDITOR.allows(Level.OWNER)

    def test_costs_one_query(self, world: Any, django_assert_num_queries: Any) -> None:
        with django_assert_num_queries(1):
            get_playbook(self.request(world.viewer), world.playbook.pk)
