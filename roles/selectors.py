"""Reads: roles of a playbook, always fetched through the playbook."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from playbooks.models import Playbook
from roles.models import Role


def get_role(playbook: Playbook, role_id: int) -> Role:
    """One role of this playbook (one query), or 404.

    The playbook comes from ``access.get_playbook``, so a role of another
    playbook is a 404. The role's ``playbook`` is the one already loaded.
    """
    role = get_object_or_404(playbook.roles.all(), pk=role_id)
    role.playbook = playbook
    return role
