"""Reads: roles with their Give-Gets, always fetched through the playbook."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from givegets.models import GiveGet
from playbooks.models import Playbook
from roles.models import Role


def roles_with_givegets(playbook: Playbook) -> QuerySet[Role]:
    """The playbook's roles in order, Give-Gets prefetched. Two queries."""
    return playbook.roles.prefetch_related(
        Prefetch("givegets", queryset=GiveGet.objects.order_by("order", "id"))
    )


def get_role_with_givegets(playbook: Playbook, role_id: int) -> Role:
    """One role of this playbook with its Give-Gets (two queries), or 404.

    The playbook comes from ``access.get_playbook``, so a role of another
    playbook is a 404. The role's ``playbook`` is the one already loaded.
    """
    role = get_object_or_404(roles_with_givegets(playbook), pk=role_id)
    role.playbook = playbook
    return role
