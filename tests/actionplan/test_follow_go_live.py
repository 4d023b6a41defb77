"""A step's typed dates out of order say so on the plan page, and "follow
go-live again" empties them (issue 22)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse

from actionplan.defaults import default_dates
from actionplan.models import Step, Task
from actionplan.services import create_default_plan
from core.concurrency import read_token
from tests.factories import make_role

pytestmark = pytest.mark.django_db
D = datetime.date
GO_LIVE = D(2027, 3, 1)


@pytest.fixture
def plan(world: Any) -> list[Step]:
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    steps = create_default_plan(world.playbook)
    three = steps[2]
    three.start, three.due = D(2026, 12, 1), D(2027, 1, 20)  # before step 1, due before step 2
    three.save()
    return steps


def url(world: Any, step: Step) -> str:
    return reverse("step_follow_go_live", args=[world.playbook.pk, step.pk])


def token(step: Step) -> dict[str, str]:
    step.refresh_from_db()
    return {f"follow{step.pk}-read_as": read_token(step, ["start", "due"])}


def dates(step: Step) -> tuple[D | None, D | None]:
    step.refresh_from_db()
    return step.start, step.due


class TestPlanPage:
    def test_the_warnings_in_words_with_an_icon(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        html = client_for("viewer").get(reverse("plan", args=[world.playbook.pk])).content.decode()
        problems = re.findall(r'<li class="date-problem">(.*?)</li>', html, re.S)
        assert [re.sub(r"<[^>]+>", "", p).split("Warning:")[1].strip() for p in problems] == [
            "Starts after step 3",  # step 1 (due before step 3: in order)
            "Starts after step 3",  # step 2
            "Due after step 3",
            "Starts before step 1",  # step 3
            "Due before step 2",
        ]
        assert all('<span aria-hidden="true">⚠</span>' in p for p in problems)

    def test_due_after_go_live(self, world: Any, plan: list, client_for: Any) -> None:
        Step.objects.filter(playbook=world.playbook, number=5).update(
            start=D(2027, 2, 20), due=D(2027, 3, 8)
        )
        html = client_for("viewer").get(reverse("plan", args=[world.playbook.pk])).content.decode()
        assert "Due after go-live (March 1, 2027)" in html

    def test_the_button_shows_the_defaults_to_editors_only_on_typed_dates(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        start, due = default_dates(3, GO_LIVE)
        for who in ("editor", "owner"):
            html = client_for(who).get(reverse("plan", args=[world.playbook.pk])).content.decode()
            # Step 3 only: the others follow go-live already.
            assert html.count("text-start follow-go-live") == 1
            assert "Follow go-live again (Jan. 18, 2027 – Feb. 1, 2027)" in html
            assert (start, due) == (D(2027, 1, 18), D(2027, 2, 1))
        html = client_for("viewer").get(reverse("plan", args=[world.playbook.pk])).content.decode()
        assert "Follow go-live again" not in html

    def test_no_button_without_go_live(self, world: Any, plan: list, client_for: Any) -> None:
        world.playbook.go_live = None
        world.playbook.save()
        html = client_for("editor").get(reverse("plan", args=[world.playbook.pk])).content.decode()
        assert "Follow go-live again" not in html

    def test_query_budget_with_typed_dates(
        self, world: Any, plan: list, client_for: Any, django_assert_num_queries: Any
    ) -> None:
        Step.objects.filter(playbook=world.playbook).update(start=D(2027, 1, 1), due=D(2027, 1, 2))
        make_role(world.playbook, "Sales")
        client = client_for("editor")
        # session, user, membership with playbook, steps, tasks, roles, calendar feed
        with django_assert_num_queries(7):
            response = client.get(reverse("plan", args=[world.playbook.pk]))
        assert response.content.decode().count("text-start follow-go-live") == 7


class TestFollowGoLiveAgain:
    @pytest.mark.parametrize("who", ["editor", "owner"])
    def test_without_javascript(self, world: Any, plan: list, client_for: Any, who: str) -> None:
        three = plan[2]
        client = client_for(who)
        response = client.post(url(world, three), token(three))
        assert response.status_code == 302
        assert response["Location"] == reverse("plan", args=[world.playbook.pk]) + "#step-3"
        assert dates(three) == (None, None)
        html = client.get(response["Location"]).content.decode()
        assert "Step 3 follows go-live again." in html
        assert "date-problem" not in html
        assert "Jan. 18, 2027 – Feb. 1, 2027 <span" in html

    def test_with_htmx_the_step_and_the_others_warnings(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        three = plan[2]
        response = client_for("editor").post(
            url(world, three), token(three), headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<li id="step-3"')
        for number in (1, 2, 4, 5, 6, 7):
            assert f'<div id="step-dates-{number}" hx-swap-oob="true">' in html
        assert "date-problem" not in html
        assert dates(three) == (None, None)

    def test_recorded_in_the_history_as_the_editors(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        three = plan[2]
        client_for("editor").post(url(world, three), token(three))
        record = three.history.order_by("-history_date").first()
        assert record.history_user == world.editor
        assert (record.start, record.due) == (None, None)

    def test_someone_elses_change_since_is_kept(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        three = plan[2]
        read = token(three)
        Step.objects.filter(pk=three.pk).update(start=D(2027, 1, 10), version=three.version + 1)
        client = client_for("editor")
        response = client.post(url(world, three), read, follow=True)
        assert dates(three) == (D(2027, 1, 10), D(2027, 1, 20))
        assert "Someone else changed the dates of step 3" in response.content.decode()
        response = client.post(url(world, three), read, headers={"HX-Request": "true"})
        assert response["HX-Redirect"] == reverse("plan", args=[world.playbook.pk]) + "#step-3"
        assert dates(three) == (D(2027, 1, 10), D(2027, 1, 20))

    def test_a_step_already_following_go_live_stays_so(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        one = plan[0]
        assert client_for("editor").post(url(world, one), token(one)).status_code == 302
        assert dates(one) == (None, None)

    @pytest.mark.parametrize("who", ["anonymous", "outsider", "viewer"])
    def test_refused(self, world: Any, plan: list, client_for: Any, who: str) -> None:
        three = plan[2]
        client = client_for(who)
        response = client.post(url(world, three), token(three))
        if who == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == (404 if who == "outsider" else 403)
        assert dates(three) == (D(2026, 12, 1), D(2027, 1, 20))

    def test_only_posted(self, world: Any, plan: list, client_for: Any) -> None:
        assert client_for("editor").get(url(world, plan[2])).status_code == 405

    def test_a_step_of_another_playbook_is_404(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        foreign = create_default_plan(world.other_playbook)[2]
        foreign.start, foreign.due = D(2027, 1, 1), D(2027, 1, 2)
        foreign.save()
        editor = client_for("editor")
        response = editor.post(reverse("step_follow_go_live", args=[world.playbook.pk, foreign.pk]))
        assert response.status_code == 404
        assert dates(foreign) == (D(2027, 1, 1), D(2027, 1, 2))
        assert Task.objects.filter(step=foreign).exists()


class TestTheEditForm:
    def test_says_what_is_wrong_and_how_to_follow_go_live_again(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        three = plan[2]
        client = client_for("editor")
        edit = reverse("step_edit", args=[world.playbook.pk, three.pk])
        for headers in ({}, {"HX-Request": "true"}):
            html = client.get(edit, headers=headers).content.decode()
            assert "Starts before step 1</li>" in html
            assert "Due before step 2</li>" in html
            assert (
                "Empty both dates to follow go-live again (Jan. 18, 2027 – Feb. 1, 2027)." in html
            )
        one = reverse("step_edit", args=[world.playbook.pk, plan[0].pk])
        html = client.get(one).content.decode()
        assert "Starts after step 3</li>" in html
        assert "Empty both dates" not in html  # it follows go-live already

    def test_emptying_both_dates_follows_go_live_again(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        three = plan[2]
        p = f"step{three.pk}-"
        response = client_for("editor").post(
            reverse("step_edit", args=[world.playbook.pk, three.pk]),
            {f"{p}title": three.title, f"{p}status": "not_started", f"{p}start": "", f"{p}due": ""},
        )
        assert response.status_code == 302
        assert dates(three) == (None, None)


class TestNothingToFollow:
    """The button shows only where there is a default; the server checks again,
    for a stale page (go-live emptied since) or a crafted post."""

    def test_without_go_live_the_typed_dates_stay(
        self, world: Any, plan: list[Step], client_for: Any
    ) -> None:
        three = plan[2]
        posted = token(three)
        world.playbook.go_live = None  # another editor, since the page was read
        world.playbook.save()
        response = client_for("editor").post(url(world, three), posted, follow=True)
        assert dates(three) == (D(2026, 12, 1), D(2027, 1, 20))
        assert "Step 3 has no date to follow: the playbook has no go-live date." in (
            response.content.decode()
        )

    def test_posted_dates_are_ignored(self, world: Any, plan: list[Step], client_for: Any) -> None:
        three = plan[2]
        client_for("editor").post(
            url(world, three), {**token(three), f"follow{three.pk}-start": "2030-01-01"}
        )
        assert dates(three) == (None, None)

    def test_a_refused_post_is_not_called_someone_elses_change(
        self, world: Any, plan: list[Step], client_for: Any
    ) -> None:
        three = plan[2]
        html = (
            client_for("editor")
            .post(
                url(world, three),
                {**token(three), f"follow{three.pk}-due": "not a date"},
                follow=True,
            )
            .content.decode()
        )
        assert dates(three) == (D(2026, 12, 1), D(2027, 1, 20))
        assert "The page was out of date, so the dates of step 3 were left as they are." in html
        assert "Someone else changed" not in html
