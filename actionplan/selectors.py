"""Reads for the action plan, always through the playbook."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from actionplan.defaults import default_dates
from actionplan.models import Step, Task
from actionplan.order import Dated, Problem, date_problems
from playbooks.models import Playbook


@dataclass(frozen=True)
class Progress:
    steps_done: int
    steps_total: int
    tasks_done: int
    tasks_total: int


def progress(playbook: Playbook) -> Progress:
    """Steps done of seven, tasks done of all. One query."""
    totals = Step.objects.filter(playbook=playbook).aggregate(
        steps_done=Count("pk", filter=Q(status=Step.Status.DONE), distinct=True),
        steps_total=Count("pk", distinct=True),
        tasks_done=Count("tasks", filter=Q(tasks__done=True)),
        tasks_total=Count("tasks"),
    )
    return Progress(**totals)


def progress_of(steps: list[Step]) -> Progress:
    """The same, from steps already loaded with their tasks. No query."""
    tasks = [task for step in steps for task in step.tasks.all()]
    return Progress(
        steps_done=sum(1 for step in steps if step.status == Step.Status.DONE),
        steps_total=len(steps),
        tasks_done=sum(1 for task in tasks if task.done),
        tasks_total=len(tasks),
    )


def steps_with_tasks(playbook: Playbook) -> list[Step]:
    """The playbook's steps in order with their tasks. Two queries."""
    steps = list(
        Step.objects.filter(playbook=playbook).prefetch_related(
            Prefetch("tasks", queryset=Task.objects.order_by("order", "pk"))
        )
    )
    for step in steps:
        step.playbook = playbook  # default dates need go-live, already loaded
    return steps


def get_step(playbook: Playbook, step_id: int) -> Step:
    step = get_object_or_404(Step.objects.filter(playbook=playbook), pk=step_id)
    step.playbook = playbook
    return step


def get_task(playbook: Playbook, task_id: int) -> Task:
    """A task of this playbook, or 404: another playbook's task id is not found."""
    task = get_object_or_404(
        Task.objects.filter(step__playbook=playbook).select_related("step"), pk=task_id
    )
    task.step.playbook = playbook
    return task


def tasks_of(step: Step) -> QuerySet[Task]:
    return Task.objects.filter(step=step).order_by("order", "pk")


def date_problems_of(playbook: Playbook) -> dict[int, list[Problem]]:
    """The steps' dates out of order (actionplan.order), as the plan shows
    them: typed, or the defaults. One query."""
    rows = Step.objects.filter(playbook=playbook).order_by("number")
    dated = [
        Dated(number, start, due)
        if start is not None or due is not None
        else Dated(number, *default_dates(number, playbook.go_live))
        for number, start, due in rows.values_list("number", "start", "due")
    ]
    return date_problems(dated, playbook.go_live)
