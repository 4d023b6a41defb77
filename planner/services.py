"""Writes that span apps: a new playbook with its default plan and example roles."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from actionplan.services import create_default_plan
from planner.examples import add_example_roles
from playbooks import services as playbook_services
from playbooks.models import Playbook


@transaction.atomic
def create_playbook(*, owner: Any, with_examples: bool = False, **fields: Any) -> Playbook:
    """A new playbook owned by its creator, with the seven-step plan in its
    language and, when asked, the example roles."""
    playbook = playbook_services.create_playbook(owner=owner, **fields)
    create_default_plan(playbook)
    if with_examples:
        add_example_roles(playbook)
    return playbook
