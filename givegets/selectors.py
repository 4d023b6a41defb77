"""Reads: roles with their Give-Gets, always fetched through the playbook."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
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


def giveget_of(role: Role, giveget_id: int) -> GiveGet:
    """One Give-Get of this role, from its prefetched Give-Gets (no query), or 404.

    The role came through the playbook, so another playbook's (or another
    role's) Give-Get is a 404.
    """
    giveget = next((gg for gg in role.givegets.all() if gg.pk == giveget_id), None)
    if giveget is None:
        raise Http404
    giveget.role = role
    return giveget


def get_giveget(playbook: Playbook, role_id: int, giveget_id: int) -> GiveGet:
    """One Give-Get of this playbook's role, with its role (one query), or 404:
    what a single cell needs, without the role's other Give-Gets."""
    giveget = get_object_or_404(
        GiveGet.objects.select_related("role"),
        pk=giveget_id,
        role_id=role_id,
        role__playbook=playbook,
    )
    giveget.role.playbook = playbook
    return giveget
