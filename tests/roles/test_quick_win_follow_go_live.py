"""A role's typed quick-win date can follow go-live again, from the role page
and from the plan's step 6 (issue 22)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from actionplan.services import create_default_plan
from core.concurrency import read_token
from roles.models import Role
from tests.factories import make_role

pytestmark = pytest.mark.django_db
D = datetime.date
TYPED = D(2027, 3, 3)
BUTTON = "Follow go-live again (end of week 1, March 7, 2027)"


@pytest.fixture
def role(world: Any) -> Role:
    world.playbook.go_live = D(2027, 3, 1)
    world.playbook.save()
    return make_role(world.playbook, "Sales", quick_win="Voice notes", quick_win_due=TYPED)


def url(role: Role) -> str:
    return reverse("quick_win_follow_go_live", args=[role.playbook_id, role.pk])


def token(role: Role) -> dict[str, str]:
    role.refresh_from_db()
    return {"read_as": read_token(role, ["quick_win_due"])}


def typed(role: Role) -> D | None:
    role.refresh_from_db()
    return role.quick_win_due


class TestFollowGoLiveAgain:
    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 302), ("owner", 302)],
    )
    def test_who_may(self, world: Any, role: Role, client_for: Any, who: str, status: int) -> None:
        response = client_for(who).post(url(role), token(role))
        assert response.status_code == status
        if who == "anonymous":
            assert response["Location"].startswith("/accounts/login/")
        if who in ("editor", "owner"):
            assert response["Location"] == reverse("role_detail", args=[world.playbook.pk, role.pk])
            assert typed(role) is None
        else:
            assert typed(role) == TYPED

    def test_back_to_the_role_page_which_says_so(
        self, world: Any, role: Role, client_for: Any
    ) -> None:
        client = client_for("editor")
        html = client.post(url(role), token(role), follow=True).content.decode()
        assert "The quick win of “Sales” is due at the end of week 1 again." in html
        assert "due March 7, 2027 (end of week 1)" in html
        assert "Follow go-live again" not in html

    def test_back_to_the_plan_from_step_6(self, world: Any, role: Role, client_for: Any) -> None:
        response = client_for("editor").post(url(role), {**token(role), "back": "plan"})
        assert response["Location"] == reverse("plan", args=[world.playbook.pk]) + "#step-6"
        assert typed(role) is None

    def test_recorded_in_the_history(self, world: Any, role: Role, client_for: Any) -> None:
        client_for("editor").post(url(role), token(role))
        record = role.history.order_by("-history_date").first()
        assert (record.history_user, record.quick_win_due) == (world.editor, None)

    def test_someone_elses_date_since_is_kept(
        self, world: Any, role: Role, client_for: Any
    ) -> None:
        read = token(role)
        Role.objects.filter(pk=role.pk).update(
            quick_win_due=D(2027, 3, 5), version=role.version + 1
        )
        html = client_for("editor").post(url(role), read, follow=True).content.decode()
        assert typed(role) == D(2027, 3, 5)
        assert "Someone else changed the quick win’s date of “Sales”" in html

    def test_only_posted(self, role: Role, client_for: Any) -> None:
        assert client_for("editor").get(url(role)).status_code == 405

    def test_a_role_of_another_playbook_is_404(self, world: Any, client_for: Any) -> None:
        foreign = make_role(world.other_playbook, "Oscar's sales", quick_win_due=TYPED)
        response = client_for("editor").post(
            reverse("quick_win_follow_go_live", args=[world.playbook.pk, foreign.pk])
        )
        assert response.status_code == 404
        assert typed(foreign) == TYPED


class TestTheButton:
    def test_on_the_role_page_for_editors_when_typed(
        self, world: Any, role: Role, client_for: Any
    ) -> None:
        page = reverse("role_detail", args=[world.playbook.pk, role.pk])
        for who in ("editor", "owner"):
            assert BUTTON in client_for(who).get(page).content.decode()
        assert "Follow go-live again" not in client_for("viewer").get(page).content.decode()
        role.quick_win_due = None
        role.save()  # a save, not update(): the page's cached body is keyed on it
        assert "Follow go-live again" not in client_for("editor").get(page).content.decode()

    def test_on_the_plans_step_6(self, world: Any, role: Role, client_for: Any) -> None:
        create_default_plan(world.playbook)
        make_role(world.playbook, "Service", quick_win="Case view")  # its date follows already
        page = reverse("plan", args=[world.playbook.pk])
        html = client_for("editor").get(page).content.decode()
        assert html.count(BUTTON) == 1
        assert '<input type="hidden" name="back" value="plan">' in html
        assert BUTTON not in client_for("viewer").get(page).content.decode()

    def test_not_without_go_live(self, world: Any, role: Role, client_for: Any) -> None:
        world.playbook.go_live = None
        world.playbook.save()
        create_default_plan(world.playbook)
        for page in (
            reverse("role_detail", args=[world.playbook.pk, role.pk]),
            reverse("plan", args=[world.playbook.pk]),
        ):
            assert "Follow go-live again" not in client_for("editor").get(page).content.decode()

    def test_the_plans_query_budget_with_typed_quick_wins(
        self, world: Any, role: Role, client_for: Any, django_assert_num_queries: Any
    ) -> None:
        create_default_plan(world.playbook)
        make_role(world.playbook, "Service", quick_win="Case view", quick_win_due=TYPED)
        client = client_for("editor")
        # session, user, membership with playbook, steps, tasks, roles, calendar feed
        with django_assert_num_queries(7):
            html = client.get(reverse("plan", args=[world.playbook.pk])).content.decode()
        assert html.count(BUTTON) == 2


class TestNothingToFollow:
    def test_without_go_live_the_typed_date_stays(
        self, world: Any, role: Role, client_for: Any
    ) -> None:
        posted = token(role)
        world.playbook.go_live = None  # another editor, since the page was read
        world.playbook.save()
        html = client_for("editor").post(url(role), posted, follow=True).content.decode()
        assert typed(role) == TYPED
        assert "The quick win of “Sales” has no date to follow" in html

    def test_a_posted_date_is_ignored(self, role: Role, client_for: Any) -> None:
        client_for("editor").post(url(role), {**token(role), "quick_win_due": "2030-01-01"})
        assert typed(role) is None

    def test_a_refused_post_is_not_called_someone_elses_change(
        self, role: Role, client_for: Any
    ) -> None:
        html = (
            client_for("editor")
            .post(url(role), {**token(role), "quick_win_due": "not a date"}, follow=True)
            .content.decode()
        )
        assert typed(role) == TYPED
        assert "The page was out of date" in html and "Someone else changed" not in html
