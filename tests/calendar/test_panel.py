"""The plan page's Calendar panel: the download for members, and the secret
feed for editors (issue, copy, re-issue, revoke), with and without htmx."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from actionplan.services import create_default_plan
from core import versions
from playbooks.models import CalendarFeed, Playbook

HTMX = {"HX-Request": "true"}


@pytest.fixture
def plan(world: Any) -> None:
    create_default_plan(world.playbook)


def page(client: Client, playbook: Playbook) -> str:
    response = client.get(reverse("plan", args=[playbook.pk]))
    assert response.status_code == 200
    return response.content.decode()


def feed_url(token: str) -> str:
    return f"http://testserver/cal/{token}.ics"


def action(name: str, playbook: Playbook) -> str:
    return reverse(f"calendar_feed_{name}", args=[playbook.pk])


class TestPanel:
    @pytest.mark.parametrize("who", ["viewer", "editor", "owner"])
    def test_every_member_finds_the_download(
        self, world: Any, plan: None, client_for: Any, who: str
    ) -> None:
        html = page(client_for(who), world.playbook)
        assert 'id="calendar"' in html
        assert f'href="{reverse("calendar_ics", args=[world.playbook.pk])}"' in html
        assert "Download the calendar (.ics)" in html
        assert 'href="#calendar"' in html

    def test_a_viewer_learns_whether_a_feed_is_active_not_its_address(
        self, world: Any, plan: None, client_for: Any
    ) -> None:
        client = client_for("viewer")
        html = page(client, world.playbook)
        assert "No calendar feed yet. An editor can issue one." in html
        assert action("issue", world.playbook) not in html
        feed = CalendarFeed.objects.create(playbook=world.playbook)
        html = page(client, world.playbook)
        assert "A calendar feed is active." in html
        assert feed.token not in html
        assert action("revoke", world.playbook) not in html

    @pytest.mark.parametrize("who", ["editor", "owner"])
    def test_editors_see_the_full_address_to_copy_and_subscribe(
        self, world: Any, plan: None, client_for: Any, who: str
    ) -> None:
        client = client_for(who)
        html = page(client, world.playbook)
        assert f'action="{action("issue", world.playbook)}"' in html
        feed = CalendarFeed.objects.create(playbook=world.playbook)
        html = page(client, world.playbook)
        assert f'value="{feed_url(feed.token)}" readonly' in html
        assert 'for="calendar-url"' in html  # labelled
        assert 'data-copy="#calendar-url"' in html
        assert f'href="webcal://testserver/cal/{feed.token}.ics"' in html
        assert f'href="{action("reissue", world.playbook)}"' in html
        assert f'href="{action("revoke", world.playbook)}"' in html


class TestAccess:
    @pytest.mark.parametrize("name", ["issue", "reissue", "revoke"])
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_anonymous_goes_to_log_in(
        self, world: Any, client_for: Any, name: str, method: str
    ) -> None:
        response = getattr(client_for("anonymous"), method)(action(name, world.playbook))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize("name", ["issue", "reissue", "revoke"])
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_an_outsider_finds_nothing_and_a_viewer_may_not(
        self, world: Any, client_for: Any, name: str, method: str
    ) -> None:
        feed = CalendarFeed.objects.create(playbook=world.playbook)
        url = action(name, world.playbook)
        assert getattr(client_for("outsider"), method)(url).status_code == 404
        assert getattr(client_for("viewer"), method)(url).status_code == 403
        assert CalendarFeed.objects.get().token == feed.token

    def test_an_editor_of_another_playbook_changes_nothing_here(
        self, world: Any, client_for: Any
    ) -> None:
        feed = CalendarFeed.objects.create(playbook=world.playbook)
        client = client_for("outsider")  # owner of the other playbook
        for name in ("issue", "reissue", "revoke"):
            assert client.post(action(name, world.playbook)).status_code == 404
        client.post(action("issue", world.other_playbook))
        assert CalendarFeed.objects.get(playbook=world.playbook).token == feed.token
        other = CalendarFeed.objects.get(playbook=world.other_playbook)
        assert other.token != feed.token


class TestActions:
    @pytest.mark.parametrize("who", ["editor", "owner"])
    def test_issue_without_javascript(
        self, world: Any, plan: None, client_for: Any, who: str
    ) -> None:
        client = client_for(who)
        before = versions.version(world.playbook.pk)
        response = client.post(action("issue", world.playbook))
        assert response.status_code == 302
        assert response["Location"] == reverse("plan", args=[world.playbook.pk]) + "#calendar"
        feed = CalendarFeed.objects.get(playbook=world.playbook)
        assert versions.version(world.playbook.pk) != before
        html = page(client, world.playbook)
        assert "Calendar feed issued." in html
        assert feed_url(feed.token) in html
        assert Client().get(f"/cal/{feed.token}.ics").status_code == 200

    def test_issue_twice_keeps_the_address(self, world: Any, client_for: Any) -> None:
        client = client_for("editor")
        client.post(action("issue", world.playbook))
        token = CalendarFeed.objects.get().token
        response = client.post(action("issue", world.playbook), headers=HTMX)
        assert CalendarFeed.objects.get().token == token
        assert "active already" in response.content.decode()

    def test_issue_with_htmx_answers_the_panel(self, world: Any, client_for: Any) -> None:
        response = client_for("editor").post(action("issue", world.playbook), headers=HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="calendar"')
        token = CalendarFeed.objects.get().token
        assert feed_url(token) in html
        assert 'role="status"' in html and "Calendar feed issued." in html
        assert response["Cache-Control"] == "no-store"

    @pytest.mark.parametrize("name", ["reissue", "revoke"])
    def test_reissue_and_revoke_ask_first_without_javascript(
        self, world: Any, client_for: Any, name: str
    ) -> None:
        feed = CalendarFeed.objects.create(playbook=world.playbook)
        response = client_for("editor").get(action(name, world.playbook))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'<form method="post" action="{action(name, world.playbook)}"' in html
        assert "stops working at once" in html
        assert CalendarFeed.objects.get().token == feed.token

    def test_reissue_gives_a_new_address_and_the_old_one_404s(
        self, world: Any, client_for: Any
    ) -> None:
        old = CalendarFeed.objects.create(playbook=world.playbook).token
        assert Client().get(f"/cal/{old}.ics").status_code == 200
        before = versions.version(world.playbook.pk)
        response = client_for("editor").post(action("reissue", world.playbook), headers=HTMX)
        new = CalendarFeed.objects.get().token
        assert new != old
        assert versions.version(world.playbook.pk) != before
        assert feed_url(new) in response.content.decode()
        assert "the old one no longer works" in response.content.decode()
        assert Client().get(f"/cal/{old}.ics").status_code == 404
        assert Client().get(f"/cal/{new}.ics").status_code == 200

    def test_revoke_ends_the_feed(self, world: Any, plan: None, client_for: Any) -> None:
        token = CalendarFeed.objects.create(playbook=world.playbook).token
        client = client_for("owner")
        before = versions.version(world.playbook.pk)
        response = client.post(action("revoke", world.playbook))
        assert response.status_code == 302
        assert not CalendarFeed.objects.exists()
        assert versions.version(world.playbook.pk) != before
        assert Client().get(f"/cal/{token}.ics").status_code == 404
        html = page(client, world.playbook)
        assert "Calendar feed revoked" in html
        assert token not in html
        again = client.post(action("revoke", world.playbook), headers=HTMX)
        assert "no calendar feed to revoke" in again.content.decode()

    def test_reissue_after_a_revoke_in_another_tab_issues_one(
        self, world: Any, client_for: Any
    ) -> None:
        response = client_for("editor").post(action("reissue", world.playbook), headers=HTMX)
        assert CalendarFeed.objects.count() == 1
        assert "Calendar feed issued." in response.content.decode()

    def test_a_get_of_issue_goes_back_to_the_panel(self, world: Any, client_for: Any) -> None:
        response = client_for("editor").get(action("issue", world.playbook))
        assert response.status_code == 302
        assert not CalendarFeed.objects.exists()
