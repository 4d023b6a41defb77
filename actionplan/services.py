"""Writes for the action plan: the default plan, task order."""

from __future__ import annotations

from django.db import transaction

from actionplan.defaults import default_plan
from actionplan.models import Step, Task
from core import history
from playbooks.models import Playbook


@transaction.atomic
def create_default_plan(playbook: Playbook, *, skip: set[int] | None = None) -> list[Step]:
    """Add the default steps (all seven, or those not in ``skip``) with their tasks.

    Their dates stay empty: they follow go-live.
    """
    steps = []
    for spec in default_plan(playbook.language):
        if skip and spec["number"] in skip:
            continue
        step = Step.objects.create(
            playbook=playbook,
            number=spec["number"],
            title=spec["title"],
            description=spec["description"],
        )
        history.bulk_create(
            Task,
            (Task(step=step, text=text, order=order) for order, text in enumerate(spec["tasks"])),
        )
        steps.append(step)
    return steps
