"""The seven-step action plan: defaults around go-live, the plan page, its checklists."""

from __future__ import annotations

import datetime
import importlib
import re
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from actionplan.models import Step, Task
from actionplan.services import create_default_plan
from planner.playbook_file import PlaybookFileError, dumps, export_playbook, import_playbook
from planner.services import create_playbook
from tests.factories import make_playbook, make_role, make_user

pytestmark = pytest.mark.django_db
D = datetime.date
PEOPLE = ["anonymous", "outsider", "viewer", "editor", "owner"]


@pytest.fixture
def plan(world: Any) -> list[Step]:
    world.playbook.go_live = D(2027, 3, 1)
    world.playbook.save()
    return create_default_plan(world.playbook)


def step(playbook: Any, number: int) -> Step:
    found = Step.objects.get(playbook=playbook, number=number)
    found.playbook = playbook
    return found


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="error_\d+_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)
    assert match, f"no error shown beside {field}"
    return match.group(1)


class TestDefaultPlan:
    @pytest.mark.parametrize(
        ("language", "first", "sixth"),
        [
            ("en", "Acknowledge the value gap", "Deliver quick wins in week 1"),
            ("da", "Anerkend værdigabet", "Lever hurtige gevinster i uge 1"),
        ],
    )
    def test_a_new_playbook_gets_seven_steps_in_its_language(
        self, language: str, first: str, sixth: str
    ) -> None:
        playbook = create_playbook(
            owner=make_user(), name="P", language=language, go_live=D(2027, 3, 1)
        )
        steps = list(Step.objects.filter(playbook=playbook))
        assert [s.number for s in steps] == [1, 2, 3, 4, 5, 6, 7]
        assert steps[0].title == first
        assert steps[5].title == sixth
        for s in steps:
            assert 2 <= s.tasks.count() <= 4

    def test_dates_sit_around_go_live(self) -> None:
        playbook = create_playbook(owner=make_user(), name="P", go_live=D(2027, 3, 1))
        for number in range(1, 6):
            s = step(playbook, number)
            assert s.start_date < s.due_date < D(2027, 3, 1), number
        six = step(playbook, 6)
        assert (six.start_date, six.due_date) == (D(2027, 3, 1), D(2027, 3, 7))
        seven = step(playbook, 7)
        assert seven.start_date == D(2027, 3, 1)
        assert seven.due_date == D(2027, 3, 1) + datetime.timedelta(weeks=12, days=-1)

    def test_moving_go_live_moves_untouched_steps_only(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        two = step(world.playbook, 2)
        start_before = two.start_date
        client_for("editor").post(
            reverse("step_edit", args=[world.playbook.pk, two.pk]),
            {
                f"step{two.pk}-title": two.title,
                f"step{two.pk}-status": "not_started",
                f"step{two.pk}-start": start_before.isoformat(),
                f"step{two.pk}-due": "2027-02-20",
            },
        )
        world.playbook.go_live = D(2027, 4, 1)
        world.playbook.save()
        six = step(world.playbook, 6)
        assert (six.start_date, six.due_date) == (D(2027, 4, 1), D(2027, 4, 7))
        two = step(world.playbook, 2)
        assert (two.start_date, two.due_date) == (start_before, D(2027, 2, 20))

    def test_saving_a_step_unchanged_keeps_it_following_go_live(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        three = step(world.playbook, 3)
        client_for("editor").post(
            reverse("step_edit", args=[world.playbook.pk, three.pk]),
            {
                f"step{three.pk}-title": three.title,
                f"step{three.pk}-owner": "Lea",
                f"step{three.pk}-status": "in_progress",
                f"step{three.pk}-start": three.start_date.isoformat(),
                f"step{three.pk}-due": three.due_date.isoformat(),
                f"step{three.pk}-shown_start": three.start_date.isoformat(),
                f"step{three.pk}-shown_due": three.due_date.isoformat(),
            },
        )
        three = step(world.playbook, 3)
        assert (three.owner, three.status, three.dates_are_default) == ("Lea", "in_progress", True)

    def test_a_form_opened_before_go_live_moved_keeps_following_it(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        three = step(world.playbook, 3)
        shown = (three.start_date.isoformat(), three.due_date.isoformat())
        world.playbook.go_live = D(2027, 4, 1)  # someone moves go-live meanwhile
        world.playbook.save()
        client_for("editor").post(
            reverse("step_edit", args=[world.playbook.pk, three.pk]),
            {
                f"step{three.pk}-title": three.title,
                f"step{three.pk}-status": "not_started",
                f"step{three.pk}-start": shown[0],
                f"step{three.pk}-due": shown[1],
                f"step{three.pk}-shown_start": shown[0],
                f"step{three.pk}-shown_due": shown[1],
            },
        )
        assert step(world.playbook, 3).dates_are_default

    def test_changing_one_date_pins_both(self, world: Any, plan: list, client_for: Any) -> None:
        three = step(world.playbook, 3)
        shown = (three.start_date.isoformat(), three.due_date.isoformat())
        client_for("editor").post(
            reverse("step_edit", args=[world.playbook.pk, three.pk]),
            {
                f"step{three.pk}-title": three.title,
                f"step{three.pk}-status": "not_started",
                f"step{three.pk}-start": shown[0],
                f"step{three.pk}-due": "2027-02-28",
                f"step{three.pk}-shown_start": shown[0],
                f"step{three.pk}-shown_due": shown[1],
            },
        )
        three = step(world.playbook, 3)
        assert (three.dates_are_default, str(three.start), str(three.due)) == (
            False,
            shown[0],
            "2027-02-28",
        )

    def test_existing_playbooks_get_a_plan_in_the_data_migration(self) -> None:
        playbook = make_playbook(language="da")
        assert not Step.objects.filter(playbook=playbook).exists()
        migration = importlib.import_module(
            "actionplan.migrations.0002_default_plan_for_existing_playbooks"
        )
        migration.add_default_plans(apps, None)
        assert Step.objects.filter(playbook=playbook).count() == 7
        assert Step.objects.get(playbook=playbook, number=1).title == "Anerkend værdigabet"


class TestAccess:
    def urls(self, world: Any, plan: list) -> dict[str, str]:
        pk = world.playbook.pk
        task = plan[0].tasks.first()
        role = make_role(world.playbook, "Sales", quick_win="Voice notes")
        return {
            "step_edit": reverse("step_edit", args=[pk, plan[0].pk]),
            "task_add": reverse("task_add", args=[pk, plan[0].pk]),
            "task_toggle": reverse("task_toggle", args=[pk, task.pk]),
            "task_edit": reverse("task_edit", args=[pk, task.pk]),
            "task_delete": reverse("task_delete", args=[pk, task.pk]),
            "task_move": reverse("task_move", args=[pk, task.pk]),
            "quick_win_toggle": reverse("quick_win_toggle", args=[pk, role.pk]),
        }

    @pytest.mark.parametrize("who", PEOPLE)
    def test_the_plan_page(self, world: Any, plan: list, client_for: Any, who: str) -> None:
        response = client_for(who).get(reverse("plan", args=[world.playbook.pk]))
        expected = {"anonymous": 302, "outsider": 404}.get(who, 200)
        assert response.status_code == expected
        if who == "viewer":
            html = response.content.decode()
            assert "Acknowledge the value gap" in html
            assert "hx-post" not in html
            assert "Add a task" not in html

    @pytest.mark.parametrize("who", ["anonymous", "outsider", "viewer"])
    def test_every_change_is_refused(
        self, world: Any, plan: list, client_for: Any, who: str
    ) -> None:
        before = list(Task.objects.order_by("pk").values_list("text", "done", "order"))
        client = client_for(who)
        for name, url in self.urls(world, plan).items():
            for response in (
                client.get(url),
                client.post(url, {"done": "on", "direction": "down", "text": "x"}),
            ):
                if who == "anonymous":
                    assert response.status_code == 302
                    assert response["Location"].startswith("/accounts/login/")
                else:
                    assert response.status_code == (404 if who == "outsider" else 403), name
        assert list(Task.objects.order_by("pk").values_list("text", "done", "order")) == before

    def test_a_task_of_another_playbook_is_404(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        foreign = create_default_plan(world.other_playbook)[0].tasks.first()
        editor = client_for("editor")
        for name in ("task_toggle", "task_edit", "task_delete", "task_move"):
            url = reverse(name, args=[world.playbook.pk, foreign.pk])
            assert editor.post(url, {"done": "on", "text": "hacked"}).status_code == 404
        foreign.refresh_from_db()
        assert (foreign.done, foreign.text) != (True, "hacked")
        other_step = Step.objects.get(playbook=world.other_playbook, number=2)
        url = reverse("task_add", args=[world.playbook.pk, other_step.pk])
        assert editor.post(url, {f"new{other_step.pk}-text": "x"}).status_code == 404


class TestPlanPage:
    def test_steps_dates_progress_and_quick_wins(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        make_role(world.playbook, "Sales", quick_win="Voice notes")
        html = client_for("viewer").get(reverse("plan", args=[world.playbook.pk])).content.decode()
        assert "March 1, 2027 – March 7, 2027" in html
        assert "Voice notes" in html and "due March 7, 2027" in html
        assert "Plan: 0 of 7 steps done · 0 of 21 tasks" in html
        assert "<svg" in html and "Go-live" in html

    def test_overdue_in_words(self, world: Any, plan: list, client_for: Any) -> None:
        world.playbook.go_live = datetime.date.today() - datetime.timedelta(days=10)
        world.playbook.save()
        html = client_for("viewer").get(reverse("plan", args=[world.playbook.pk])).content.decode()
        assert re.search(r"\d+ days? overdue, since ", html)

    @pytest.mark.parametrize("tasks_per_step", [1, 10])
    def test_query_budget(
        self, world: Any, client_for: Any, django_assert_num_queries: Any, tasks_per_step: int
    ) -> None:
        for number in range(1, 8):
            s = Step.objects.create(playbook=world.playbook, number=number, title=f"S{number}")
            Task.objects.bulk_create(
                Task(step=s, text=f"T{n}", order=n) for n in range(tasks_per_step)
            )
        make_role(world.playbook, "Sales")
        client = client_for("viewer")
        # session, user, membership with playbook, steps, tasks, roles, calendar feed
        with django_assert_num_queries(7):
            response = client.get(reverse("plan", args=[world.playbook.pk]))
        assert response.content.decode().count('class="task d-flex') == 7 * tasks_per_step


class TestEditing:
    def test_due_before_start_is_refused(self, world: Any, plan: list, client_for: Any) -> None:
        one = plan[0]
        response = client_for("editor").post(
            reverse("step_edit", args=[world.playbook.pk, one.pk]),
            {
                f"step{one.pk}-title": one.title,
                f"step{one.pk}-status": "done",
                f"step{one.pk}-start": "2027-02-10",
                f"step{one.pk}-due": "2027-02-01",
            },
            headers={"HX-Request": "true"},
        )
        assert "The due date is before the start date." in field_error(
            response.content.decode(), f"step{one.pk}-due"
        )
        assert response["HX-Retarget"] == "#step-1"
        one = step(world.playbook, 1)
        assert (one.status, one.dates_are_default) == ("not_started", True)

    def test_empty_task_text_is_refused(self, world: Any, plan: list, client_for: Any) -> None:
        one = plan[0]
        response = client_for("editor").post(
            reverse("task_add", args=[world.playbook.pk, one.pk]), {f"new{one.pk}-text": "  "}
        )
        assert "Write what is to be done." in field_error(
            response.content.decode(), f"new{one.pk}-text"
        )
        assert one.tasks.count() == 3

    def test_add_edit_move_delete_a_task(self, world: Any, plan: list, client_for: Any) -> None:
        one, editor = plan[0], client_for("editor")
        editor.post(
            reverse("task_add", args=[world.playbook.pk, one.pk]),
            {f"new{one.pk}-text": "Film a short video", f"new{one.pk}-due": "2027-01-10"},
        )
        task = one.tasks.get(text="Film a short video")
        assert task.order == 3
        editor.post(
            reverse("task_edit", args=[world.playbook.pk, task.pk]),
            {f"task{task.pk}-text": "Film a video"},
        )
        editor.post(reverse("task_move", args=[world.playbook.pk, task.pk]), {"direction": "up"})
        assert list(one.tasks.values_list("text", flat=True))[2] == "Film a video"
        editor.post(reverse("task_delete", args=[world.playbook.pk, task.pk]))
        assert not one.tasks.filter(pk=task.pk).exists()

    def test_a_task_deleted_meanwhile_moves_nothing(
        self, world: Any, plan: list, client_for: Any, monkeypatch: Any
    ) -> None:
        """Someone else deletes the task between this move's look-up of it and
        its reading of the step's tasks: no 500, the others keep their order."""
        import actionplan.views

        one = plan[0]
        before = list(one.tasks.values_list("text", flat=True))
        task = one.tasks.order_by("order")[1]
        looked_up = actionplan.views.get_task

        def deleted_meanwhile(playbook: Any, task_id: int) -> Task:
            found = looked_up(playbook, task_id)
            Task.objects.filter(pk=task_id).delete()
            return found

        monkeypatch.setattr(actionplan.views, "get_task", deleted_meanwhile)
        editor = client_for("editor")
        response = editor.post(
            reverse("task_move", args=[world.playbook.pk, task.pk]), {"direction": "up"}
        )
        said = "Someone else deleted this since you opened it, so nothing was saved."
        assert said in editor.get(response["Location"]).content.decode()
        assert list(one.tasks.values_list("text", flat=True)) == [
            text for text in before if text != task.text
        ]

    def test_ticking_a_task_updates_the_progress(
        self, world: Any, plan: list, client_for: Any
    ) -> None:
        task = plan[0].tasks.first()
        response = client_for("editor").post(
            reverse("task_toggle", args=[world.playbook.pk, task.pk]),
            {"done": "on"},
            headers={"HX-Request": "true"},
        )
        html = response.content.decode()
        assert html.strip().startswith('<li id="step-1"')
        assert "1 of 3 tasks done" in html
        assert '<section id="timeline"' in html  # the timeline follows too
        assert '<section id="timeline"' in html  # the timeline follows too
        assert 'id="plan-progress"' in html and 'hx-swap-oob="true"' in html
        assert "0 of 7 steps done · 1 of 21 tasks" in html
        task.refresh_from_db()
        assert task.done
        client_for("editor").post(
            reverse("task_toggle", args=[world.playbook.pk, task.pk]), {"done": "off"}
        )
        task.refresh_from_db()
        assert not task.done

    def test_quick_wins_are_the_roles_own(self, world: Any, plan: list, client_for: Any) -> None:
        role = make_role(world.playbook, "Sales", quick_win="Voice notes")
        client_for("editor").post(
            reverse("quick_win_toggle", args=[world.playbook.pk, role.pk]), {"done": "on"}
        )
        role.refresh_from_db()
        assert role.quick_win_done
        page = client_for("viewer").get(reverse("role_detail", args=[world.playbook.pk, role.pk]))
        assert "not done yet" not in page.content.decode()


class TestPlaybookFile:
    def test_some_steps_given_the_rest_default(self) -> None:
        owner = make_user()
        document = {
            "format": "wiifm-playbook",
            "version": 1,
            "playbook": {"name": "P", "go_live": "2027-03-01"},
            "action_plan": [
                {
                    "number": 6,
                    "owner": "Ops",
                    "status": "in_progress",
                    "tasks": [{"text": "Demo day"}],
                }
            ],
        }
        playbook = import_playbook(document, owner=owner)
        six = step(playbook, 6)
        assert (six.title, six.owner, six.dates_are_default) == (
            "Deliver quick wins in week 1",
            "Ops",
            True,
        )
        assert list(six.tasks.values_list("text", flat=True)) == ["Demo day"]
        assert Step.objects.filter(playbook=playbook).count() == 7
        first = dumps(export_playbook(playbook))
        again = import_playbook(__import__("json").loads(first), owner=owner)
        assert dumps(export_playbook(again)) == first
        again.go_live = D(2027, 5, 3)
        again.save()
        assert step(again, 6).start_date == D(2027, 5, 3)

    @pytest.mark.parametrize(
        ("plan", "error"),
        [
            ([{"title": "x"}], "action_plan[0].number: is required"),
            ([{"number": 8}], "action_plan[0].number: must be at most 7"),
            ([{"number": 1}, {"number": 1}], "action_plan[1].number: action_plan[0] is step 1"),
            (
                [{"number": 1, "start": "2027-02-10", "due": "2027-02-01"}],
                "action_plan[0].due: must not be before start",
            ),
            ([{"number": 1, "status": "finished"}], "action_plan[0].status: must be one of"),
            (
                [{"number": 1, "tasks": [{"done": True}]}],
                "action_plan[0].tasks[0].text: is required",
            ),
            (
                [{"number": 1, "tasks": [{"text": "x", "done": "yes"}]}],
                "action_plan[0].tasks[0].done: must be true or false",
            ),
            ({"number": 1}, "action_plan: must be a list"),
        ],
    )
    def test_refusals(self, plan: Any, error: str) -> None:
        document = {
            "format": "wiifm-playbook",
            "version": 1,
            "playbook": {"name": "P"},
            "action_plan": plan,
        }
        with pytest.raises(PlaybookFileError) as caught:
            import_playbook(document, owner=make_user())
        assert any(e.startswith(error) for e in caught.value.errors), caught.value.errors


# Each default step's (start, due) in days from go-live, as the plan uses them
# today. Changing one here is a deliberate change of the default plan.
DEFAULT_OFFSETS = [
    pytest.param(1, -56, -49, id="step-1-pledge"),
    pytest.param(2, -49, -35, id="step-2-wiifm"),
    pytest.param(3, -42, -28, id="step-3-give-gets"),
    pytest.param(4, -42, -21, id="step-4-ambassadors"),
    pytest.param(5, -21, -7, id="step-5-big-brother"),
    pytest.param(6, 0, 6, id="step-6-week-1"),
    pytest.param(7, 0, 83, id="step-7-feedback"),
]


@pytest.mark.parametrize(("number", "start", "due"), DEFAULT_OFFSETS)
def test_default_step_dates_from_go_live(number: int, start: int, due: int) -> None:
    go_live = D(2027, 3, 1)
    playbook = create_playbook(owner=make_user(), name="P", go_live=go_live)
    s = step(playbook, number)
    assert ((s.start_date - go_live).days, (s.due_date - go_live).days) == (start, due)
    assert s.dates_are_default
    # The offsets hold wherever go-live moves (here across a month and a year end).
    playbook.go_live = D(2028, 1, 3)
    playbook.save()
    s = step(playbook, number)
    assert (s.start_date, s.due_date) == (
        D(2028, 1, 3) + datetime.timedelta(days=start),
        D(2028, 1, 3) + datetime.timedelta(days=due),
    )


def test_no_go_live_no_default_dates() -> None:
    playbook = create_playbook(owner=make_user(), name="P", go_live=None)
    for number in range(1, 8):
        s = step(playbook, number)
        assert (s.start_date, s.due_date) == (None, None), number


def test_a_step_title_is_one_line_whatever_is_posted(
    world: Any, plan: list, client_for: Any
) -> None:
    two = step(world.playbook, 2)
    client_for("editor").post(
        reverse("step_edit", args=[world.playbook.pk, two.pk]),
        {
            f"step{two.pk}-title": "Step evil\r\nBEGIN:VEVENT",
            f"step{two.pk}-status": "not_started",
        },
    )
    assert step(world.playbook, 2).title == "Step evil BEGIN:VEVENT"
