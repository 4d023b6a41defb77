from __future__ import annotations

from django import template

from actionplan.selectors import Progress, progress
from playbooks.models import Playbook

register = template.Library()


@register.simple_tag
def plan_progress(playbook: Playbook) -> Progress:
    """The plan's progress for the playbook header. One query."""
    return progress(playbook)
