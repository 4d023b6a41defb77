"""An empty playbook's overview: first steps instead of counting nothing, and
"Start from the example roles" (issue 22)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplan.services import create_default_plan
from comms.models import Message
from comms.services import create_default_set
from playbooks.models import Playbook
from roles.models import Role
from tests.factories import make_role

pytestmark = pytest.mark.django_db
PEOPLE = ["anonymous", "outsider", "viewer", "editor", "owner"]
ENGLISH = ["Sales", "Customer service", "Marketing", "Management"]


@pytest.fixture
def empty(world: Any) -> Playbook:
    """A new playbook as "New playbook" makes it without examples: the plan
    and the open session, no roles."""
    playbook = world.playbook
    playbook.go_live = timezone.localdate() + datetime.timedelta(days=60)
    playbook.save()
    create_default_plan(playbook)
    create_default_set(playbook)
    return playbook


def overview(client: Any, playbook: Playbook) -> str:
    return client.get(reverse("playbook_detail", args=[playbook.pk])).content.decode()


def examples_url(playbook: Playbook) -> str:
    return reverse("playbook_start_from_examples", args=[playbook.pk])


def notices(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


class TestTheOverview:
    def test_an_empty_playbook_shows_first_steps_not_zero_figures(
        self, empty: Playbook, client_for: Any
    ) -> None:
        html = overview(client_for("editor"), empty)
        assert 'id="first-steps"' in html
        assert "0 ambassadors for 0 needed" not in html
        assert "0 of 0" not in html
        assert 'id="coverage-title"' not in html and 'id="totals-title"' not in html
        # 1) add roles, 2) or the examples, 3) what comes next, on their pages.
        assert reverse("role_create", args=[empty.pk]) in html
        assert reverse("matrix", args=[empty.pk]) + "#add-role" in html
        assert f'action="{examples_url(empty)}"' in html
        for name in ("roster", "plan"):
            assert reverse(name, args=[empty.pk]) in html
        # The plan is real already: its figures stay.
        assert "0 of 7 steps done" in html

    def test_viewers_read_the_steps_without_the_buttons(
        self, empty: Playbook, client_for: Any
    ) -> None:
        html = overview(client_for("viewer"), empty)
        assert 'id="first-steps"' in html
        assert "Or start from the example roles" in html
        assert examples_url(empty) not in html
        assert reverse("role_create", args=[empty.pk]) not in html
        assert "The playbook’s editors and owners add its roles." in html

    def test_in_danish(self, empty: Playbook, client_for: Any) -> None:
        client = client_for("editor")
        client.cookies["django_language"] = "da"
        html = overview(client, empty)
        assert 'id="first-steps"' in html
        assert "0 af 0" not in html

    def test_once_there_are_roles_the_figures_come_back(
        self, empty: Playbook, client_for: Any
    ) -> None:
        client = client_for("editor")
        assert 'id="first-steps"' in overview(client, empty)  # cached now
        make_role(empty, "Sales", headcount=30)  # the version stamp moves: a new fragment
        html = overview(client, empty)
        assert 'id="first-steps"' not in html
        assert "0 ambassadors for 1 needed" in html
        assert 'id="totals-title"' in html

    def test_the_health_check_neither_avoids_nor_finds_before_there_are_roles(
        self, empty: Playbook, client_for: Any
    ) -> None:
        """With no roles, M1 to M3 have nothing to fail: "3 of 5 avoided" would
        be praise for nothing, on the overview and in the list."""
        client = client_for("editor")
        html = overview(client, empty)
        assert "classic mistakes avoided" not in html and "mistake-chip" not in html
        assert "nothing can be avoided or found" in html
        listing = client.get(reverse("playbook_list")).content.decode()
        assert "no roles yet" in listing and "mistakes avoided" not in listing
        make_role(empty, "Sales", headcount=30)
        assert "classic mistakes avoided" in overview(client, empty)
        assert "of 5 mistakes avoided" in client.get(reverse("playbook_list")).content.decode()

    def test_live_already_and_empty_counts_no_results_either(
        self, empty: Playbook, client_for: Any
    ) -> None:
        empty.go_live = timezone.localdate() - datetime.timedelta(days=30)
        empty.save()
        html = overview(client_for("editor"), empty)
        assert 'id="first-steps"' in html
        assert 'id="since-title"' not in html and "0 of 0" not in html

    def test_a_playbook_whose_roles_are_all_deleted_starts_again(
        self, empty: Playbook, client_for: Any
    ) -> None:
        make_role(empty, "Sales", deleted_at=timezone.now())
        assert 'id="first-steps"' in overview(client_for("editor"), empty)

    def test_query_budget_of_an_empty_playbook(
        self, empty: Playbook, client_for: Any, django_assert_num_queries: Any
    ) -> None:
        client = client_for("viewer")
        # session, user, membership with playbook, roles (none: no Give-Gets
        # or ambassadors to read), steps, tasks, messages
        with django_assert_num_queries(7):
            html = overview(client, empty)
        assert 'id="first-steps"' in html
        # From the fragment cache: session, user, membership, then steps and
        # tasks (the reader's own "Yours" and the header's progress).
        with django_assert_num_queries(5):
            overview(client, empty)


class TestStartFromExamples:
    @pytest.mark.parametrize("who", PEOPLE)
    def test_access(self, empty: Playbook, client_for: Any, who: str) -> None:
        response = client_for(who).post(examples_url(empty))
        expected = {"anonymous": 302, "outsider": 404, "viewer": 403}.get(who)
        if expected:
            assert response.status_code == expected
            if who == "anonymous":
                assert response["Location"].startswith(reverse("login"))
            assert not empty.roles.exists()
        else:
            assert response.status_code == 302
            assert response["Location"] == reverse("matrix", args=[empty.pk])
            assert list(empty.roles.values_list("name", flat=True)) == ENGLISH

    @pytest.mark.parametrize("who", ["viewer", "editor", "owner"])
    def test_get_is_not_allowed(self, empty: Playbook, client_for: Any, who: str) -> None:
        assert client_for(who).get(examples_url(empty)).status_code == 405
        assert not empty.roles.exists()

    def test_each_role_with_its_give_gets_messages_and_history(
        self, empty: Playbook, world: Any, client_for: Any
    ) -> None:
        response = client_for("editor").post(examples_url(empty))
        assert notices(response) == [
            "Example roles added: Sales, Customer service, Marketing, Management. "
            "Change them to fit, or delete those you do not need."
        ]
        for role in empty.roles.all():
            assert role.givegets.count() >= 2
            kinds = set(Message.objects.filter(role=role).values_list("kind", flat=True))
            assert kinds == {"wiifm", "quick_win", "first_results"}
            created = role.history.get(history_type="+")
            assert created.history_user == world.editor  # as a role added by hand
            assert created.history_change_reason in {"", None}

    def test_in_the_playbooks_language_whatever_the_editors(
        self, empty: Playbook, client_for: Any
    ) -> None:
        empty.language = "da"
        empty.save()
        client_for("editor").post(examples_url(empty))  # an English page
        names = list(empty.roles.values_list("name", flat=True))
        assert names == ["Salg", "Kundeservice", "Marketing", "Ledelse"]

    def test_a_second_press_changes_nothing(self, empty: Playbook, client_for: Any) -> None:
        """A double click, a second tab, a second editor: the examples once."""
        client_for("editor").post(examples_url(empty))
        before = list(empty.roles.values_list("pk", "name", "version"))
        response = client_for("owner").post(examples_url(empty))
        assert response.status_code == 302
        assert response["Location"] == reverse("playbook_detail", args=[empty.pk])
        assert notices(response) == [
            "This playbook has roles already: the example roles were not added."
        ]
        assert list(empty.roles.values_list("pk", "name", "version")) == before
        assert Message.objects.filter(playbook=empty, role__isnull=False).count() == 12

    def test_refused_once_a_role_was_added_by_hand(self, empty: Playbook, client_for: Any) -> None:
        make_role(empty, "Field service")
        response = client_for("editor").post(examples_url(empty), follow=True)
        assert "the example roles were not added" in response.content.decode()
        assert list(empty.roles.values_list("name", flat=True)) == ["Field service"]

    def test_another_playbook_is_never_touched(
        self, empty: Playbook, world: Any, client_for: Any
    ) -> None:
        other = world.other_playbook
        response = client_for("editor").post(examples_url(other))
        assert response.status_code == 404
        client_for("editor").post(examples_url(empty))
        assert not other.roles.exists()
        assert not Role.all_objects.filter(playbook=other).exists()

    def test_the_playbook_is_read_under_a_lock(
        self, empty: Playbook, client_for: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Asked for on every database; PostgreSQL says FOR UPDATE (SQLite's
        IMMEDIATE transactions lock the whole database instead)."""
        asked: list[type] = []
        real = QuerySet.select_for_update

        def spy(self: QuerySet[Any], *args: Any, **kwargs: Any) -> QuerySet[Any]:
            asked.append(self.model)
            return real(self, *args, **kwargs)

        monkeypatch.setattr(QuerySet, "select_for_update", spy)
        with CaptureQueriesContext(connection) as queries:
            client_for("editor").post(examples_url(empty))
        assert asked == [Playbook]
        locked = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
        assert len(locked) == (1 if connection.features.has_select_for_update else 0)

    def test_the_overview_after_it_shows_the_roles(self, empty: Playbook, client_for: Any) -> None:
        client = client_for("editor")
        assert 'id="first-steps"' in overview(client, empty)  # cached now
        client.post(examples_url(empty))
        html = overview(client, empty)
        assert 'id="first-steps"' not in html
        for role in empty.roles.all():
            assert reverse("role_detail", args=[empty.pk, role.pk]) in html
