"""The overview: health check, countdown, charter in place, totals, what is due."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from actionplan.services import create_default_plan
from comms.services import create_default_set
from core import fragments
from playbooks.models import Playbook
from tests.factories import make_ambassador, make_giveget, make_role

pytestmark = pytest.mark.django_db
PEOPLE = ["anonymous", "outsider", "viewer", "editor", "owner"]


@pytest.fixture
def acceptance(world: Any) -> Any:
    """The issue's example: one net-loser role, no ambassador, blank charter."""
    playbook = world.playbook
    playbook.go_live = timezone.localdate() + datetime.timedelta(days=60)
    playbook.save()
    create_default_plan(playbook)
    role = make_role(
        playbook,
        "Sales",
        headcount=10,
        question="Q?",
        wiifm="A.",
        quick_win="Voice notes",
        unique_data=1,
    )
    make_giveget(role, minutes_each=10, times_per_week=8, minutes_saved_per_week=20)
    create_default_set(playbook)  # its WIIFM before go-live: no M2
    return playbook


def test_health_check_on_the_overview(acceptance: Any, client_for: Any) -> None:
    html = client_for("editor").get(reverse("playbook_detail", args=[acceptance.pk])).content
    html = html.decode()
    assert "2 of 5 classic mistakes avoided" in html
    for code in ("M1", "M4", "M5", "A1"):
        assert f'id="finding-{code}"' in html
    for code in ("M2", "M3", "A2", "L1"):
        assert f'id="finding-{code}"' not in html
    role = acceptance.roles.get()
    assert reverse("role_detail", args=[acceptance.pk, role.pk]) + "#givegets" in html
    assert reverse("charter_edit", args=[acceptance.pk]) in html
    assert reverse("roster", args=[acceptance.pk]) + "#add-ambassador" in html
    assert reverse("matrix", args=[acceptance.pk]) + "#add-role" in html
    assert "Go-live in 60 days" in html
    assert "The plan takes 10.0 hours a week from the organisation." in html
    further = html.index("Further findings")
    assert html.index('id="finding-M5"') < further < html.index('id="finding-A1"')
    assert "playbook in English" in html


def test_the_list_shows_n_of_5(acceptance: Any, client_for: Any) -> None:
    html = client_for("viewer").get(reverse("playbook_list")).content.decode()
    assert "2 of 5 mistakes avoided" in html


def test_countdown_after_go_live(world: Any, client_for: Any) -> None:
    world.playbook.go_live = timezone.localdate() - datetime.timedelta(days=1)
    world.playbook.save()
    html = client_for("viewer").get(reverse("playbook_detail", args=[world.playbook.pk]))
    assert "Live for 1 day" in html.content.decode()


def test_in_danish(acceptance: Any, client_for: Any) -> None:
    client = client_for("viewer")
    client.cookies["django_language"] = "da"
    html = client.get(reverse("playbook_detail", args=[acceptance.pk])).content.decode()
    assert "2 af 5 klassiske fejl undgået" in html
    assert "Go-live om 60 dage" in html


class TestCharter:
    def url(self, world: Any) -> str:
        return reverse("charter_edit", args=[world.playbook.pk])

    @pytest.mark.parametrize("who", PEOPLE)
    def test_access(self, world: Any, client_for: Any, who: str) -> None:
        client = client_for(who)
        data = {"charter-data_used_for": "Coaching."}
        for response in (client.get(self.url(world)), client.post(self.url(world), data)):
            expected = {"anonymous": 302, "outsider": 404, "viewer": 403}.get(who)
            if expected:
                assert response.status_code == expected
            else:
                assert response.status_code in {200, 302}
        world.playbook.refresh_from_db()
        assert (world.playbook.data_used_for == "Coaching.") == (who in {"editor", "owner"})

    def test_in_place_save_updates_the_health_check(
        self, acceptance: Any, world: Any, client_for: Any
    ) -> None:
        response = client_for("editor").post(
            self.url(world),
            {
                "charter-pledge": "We ask…",
                "charter-data_used_for": "Coaching.",
                "charter-data_not_used_for": "Ranking.",
            },
            headers={"HX-Request": "true"},
        )
        html = response.content.decode()
        assert html.strip().startswith('<section id="charter"')
        assert '<section id="health"' in html and 'hx-swap-oob="true"' in html
        assert "3 of 5 classic mistakes avoided" in html

    def test_viewer_sees_no_edit_controls(self, acceptance: Any, client_for: Any) -> None:
        html = client_for("viewer").get(reverse("playbook_detail", args=[acceptance.pk])).content
        html = html.decode()
        assert reverse("charter_edit", args=[acceptance.pk]) not in html
        assert "Edit playbook" not in html
        assert "Fix it" not in html and "See it" in html
        # Every link a viewer gets opens for a viewer.
        client = client_for("viewer")
        for url in re.findall(r'<a href="([^"]+)">See it', html):
            assert client.get(url).status_code == 200, url


def test_next_three_due(acceptance: Any, client_for: Any) -> None:
    html = client_for("viewer").get(reverse("playbook_detail", args=[acceptance.pk])).content
    assert "1. Acknowledge the value gap" in html.decode()


def test_query_budget_demo_and_large(
    world: Any, client_for: Any, django_assert_num_queries: Any
) -> None:
    call_command("seed_demo", "--force")
    from django.contrib.auth import get_user_model

    from tests.factories import add_member

    demo = Playbook.objects.get(name="Salesforce rollout")
    add_member(demo, world.viewer, "viewer")
    client = client_for("viewer")
    client.get(reverse("playbook_detail", args=[demo.pk]))  # sums up the demo's closed weeks, once
    cache.clear()
    # session, user, membership with playbook, roles, Give-Gets, ambassadors,
    # steps, tasks, messages; the demo is live: also the pulse's state, its
    # week summaries and the kept k, and the adoption figures
    with django_assert_num_queries(13):
        client.get(reverse("playbook_detail", args=[demo.pk]))
    large = world.playbook
    create_default_plan(large)
    for r in range(40):
        role = make_role(large, f"Role {r}", headcount=50)
        for g in range(8):
            make_giveget(role, f"Give {g}")
        for a in range(3):
            make_ambassador(role, f"Person {r}-{a}")
    create_default_set(large)  # 121 messages
    # no go-live: nothing of the pulse is read
    with django_assert_num_queries(9):
        response = client.get(reverse("playbook_detail", args=[large.pk]))
    assert response.status_code == 200
    # From the fragment cache: session, user, membership; the steps and their
    # tasks (the reader's own, "Yours", and the header's progress).
    with django_assert_num_queries(5):
        client.get(reverse("playbook_detail", args=[large.pk]))
    assert get_user_model().objects.filter(username="lead").exists()


def test_cached_overview_is_kept_apart_per_access_level(acceptance: Any, client_for: Any) -> None:
    """Owner, editor and viewer each get their own fragment: the owner's Delete
    and the editor's edit links never reach someone else from the cache."""
    url = reverse("playbook_detail", args=[acceptance.pk])
    delete = reverse("playbook_delete", args=[acceptance.pk])
    charter = reverse("charter_edit", args=[acceptance.pk])
    for order in (["editor", "owner", "viewer"], ["owner", "viewer", "editor"]):
        cache.clear()
        pages = {who: client_for(who).get(url).content.decode() for who in order}
        assert delete in pages["owner"]
        assert delete not in pages["editor"]
        assert charter in pages["editor"]
        assert delete not in pages["viewer"]
        assert f'href="{charter}"' not in pages["viewer"]


def test_a_new_release_does_not_serve_the_last_ones_fragments(
    world: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache outlives a deploy (Redis is shared): a fragment cached by the
    previous release's templates is not answered after the templates change."""
    client = client_for("viewer")
    url = reverse("playbook_detail", args=[world.playbook.pk])
    monkeypatch.setattr(fragments, "release", lambda: "release-1")
    client.get(url)  # cached by release 1
    monkeypatch.setattr(fragments, "render_to_string", lambda *a, **k: "<p>new templates</p>")
    assert "new templates" not in client.get(url).content.decode()  # the same release: cached
    monkeypatch.setattr(fragments, "release", lambda: "release-2")
    assert "new templates" in client.get(url).content.decode()


def test_a_pledge_holding_a_placeholder_shows_as_typed_not_a_token(
    world: Any, client_for: Any
) -> None:
    """Issue 24: the overview's cached fragment held the CSRF token as a fixed
    placeholder, and a pledge typed with that string showed each reader their
    own token in its place. The placeholder is now random per rendering, so
    no text a user types can produce it."""
    typed = (
        "csrf-token-placeholder-71e0c4 csrf-token-placeholder-4b8e1f "
        "csrf-placeholder-00000000000000000000000000000000"
    )
    world.playbook.pledge = typed
    world.playbook.save()
    cache.clear()
    url = reverse("playbook_detail", args=[world.playbook.pk])
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    for who in ("editor", "viewer", "owner"):  # the first fills the cache, the others read it
        response = client_for(who).get(url)
        html = response.content.decode()
        assert typed in html
        for value in token.findall(html):
            assert value not in typed
        assert html.count("csrf-token-placeholder-71e0c4") == 1
