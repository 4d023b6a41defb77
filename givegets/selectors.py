"""Reads: roles with their Give-Gets, always fetched through the playbook."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from givegets.models import GiveGet
from playbooks.models import Playbook
from roles.models import FACTORS, Role


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


@dataclass(frozen=True)
class RoleSums:
    """A role's numbers for the totals and the chart: its factors and the sums
    of its Give-Gets (minutes given and gained per person per week)."""

    pk: int
    name: str
    headcount: int
    factors: tuple[int | None, ...]
    given: Decimal  # exact: minutes x times has two decimals at most
    gained: Decimal
    count: int


@functools.cache
def _sums_sql(vendor: str) -> str:
    """One query, written once per process: building it with the ORM took
    about four times as long as running it, and a cell save runs it each time.
    Given minutes are summed in hundredths and rounded to a whole number, so
    SQLite's floating-point sum of decimals comes back exact."""
    quote = connection.ops.quote_name
    role, giveget = quote(Role._meta.db_table), quote(GiveGet._meta.db_table)
    factors = ", ".join(f"r.{quote(name)}" for name in FACTORS)
    return (
        f"SELECT r.id, r.name, r.headcount, {factors}, "  # noqa: S608 - model names, quoted; the id is a parameter
        "COALESCE(CAST(ROUND(SUM(g.minutes_each * g.times_per_week) * 100) AS BIGINT), 0), "
        "COALESCE(SUM(g.minutes_saved_per_week), 0), COUNT(g.id) "
        f"FROM {role} r LEFT JOIN {giveget} g ON g.role_id = r.id "
        "WHERE r.playbook_id = %s AND r.deleted_at IS NULL "
        f"GROUP BY r.id ORDER BY r.{quote('order')}, r.id"
    )


def role_sums(playbook: Playbook) -> list[RoleSums]:
    """The playbook's roles in order, each with the sums of its Give-Gets. One query."""
    with connection.cursor() as cursor:
        cursor.execute(_sums_sql(connection.vendor), [playbook.pk])
        rows = cursor.fetchall()
    width = len(FACTORS)
    return [
        RoleSums(
            pk=row[0],
            name=row[1],
            headcount=row[2],
            factors=tuple(row[3 : 3 + width]),
            given=Decimal(int(row[3 + width])) / 100,
            gained=Decimal(int(row[4 + width])),
            count=int(row[5 + width]),
        )
        for row in rows
    ]
