"""Since go-live: each role's measured Net Beneficiary beside its plan
(DESIGN.md "The results page and the health check").

The results page (``/playbooks/<id>/results/``), the role page's "Since
go-live" section and the overview's card all read the pulse here, and this
module reads it only through ``pulse.results.results_for``: the rules of what
may be shown (closed weeks only, at least k answers, at least 2k people) are
kept there, in one place.

"Today" is ``weeks.today()``, read through its module (so a test pins it
with one monkeypatch). A week closes on a date and k is the playbook's, so
the cached fragments that show results put the last closed week and k in
their keys (``cache_part``): a cached fragment never shows a week it should
not, nor misses one that closed.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.fragments import cached_fragment
from givegets.models import GiveGet
from playbooks.access import get_playbook
from playbooks.models import Playbook
from pulse import weeks
from pulse.measure import Measured
from pulse.results import RoleResults, results_for
from roles.equation import Balance
from roles.models import Role


class Stage(StrEnum):
    NO_GO_LIVE = "no_go_live"
    NOT_YET = "not_yet"  # go-live set, week 1 not closed yet
    OPEN = "open"  # at least one closed week


@dataclass(frozen=True)
class Since:
    """Where a playbook stands since go-live, on a given day."""

    stage: Stage
    go_live: datetime.date | None
    last_closed: int  # 0 while no week is closed
    k: int
    day: datetime.date

    @property
    def first_close(self) -> datetime.date | None:
        """The last day of week 1: results start once it is over."""
        return weeks.week_dates(self.go_live, 1)[1] if self.go_live else None

    @property
    def live(self) -> bool:
        """Go-live has come (the overview's card shows from then on)."""
        return self.go_live is not None and self.day >= self.go_live

    @property
    def two_k(self) -> int:
        return 2 * self.k


def since(playbook: Playbook, day: datetime.date) -> Since:
    last = weeks.last_closed_week(playbook.pulse_go_live, day)
    if playbook.pulse_go_live is None:
        stage = Stage.NO_GO_LIVE
    elif last == 0:
        stage = Stage.NOT_YET
    else:
        stage = Stage.OPEN
    return Since(stage, playbook.pulse_go_live, last, playbook.pulse_k, day)


def cache_part(playbook: Playbook, day: datetime.date) -> str:
    """What a cached fragment showing results varies with, beyond the playbook's
    version: the last closed week (a date closes it) and k."""
    return f"pulse-w{weeks.last_closed_week(playbook.pulse_go_live, day)}-k{playbook.pulse_k}"


def measured(
    playbook: Playbook, rows: Sequence[tuple[Role, Balance]], day: datetime.date
) -> dict[int, RoleResults]:
    """Each role's results, its plan beside them. No query before week 1 has
    closed; then three (``results_for``: the state, the summaries, the kept k),
    whatever the number of roles, weeks and answers."""
    return results_for(
        playbook, [role for role, _b in rows], {r.pk: b.time_balance for r, b in rows}, day
    )


@dataclass(frozen=True)
class ResultRow:
    """One role on the results page."""

    role: Role
    balance: Balance  # the plan
    results: RoleResults

    @property
    def last(self) -> Measured | None:
        return self.results.last

    @property
    def attention(self) -> bool:
        """Finding P1: not "net beneficiary" in each of its last two shown weeks."""
        return self.results.needs_attention

    @property
    def url(self) -> str:
        return reverse("role_detail", args=[self.role.playbook_id, self.role.pk]) + (
            "#since-go-live"
        )


def ordered(rows: Sequence[ResultRow]) -> list[ResultRow]:
    """Roles needing attention first (finding P1), then those whose last shown
    week fell furthest below the plan, each most negative gap first; then the
    rest in the matrix's order (the order ``rows`` come in)."""

    def key(item: tuple[int, ResultRow]) -> tuple[int, Decimal, int]:
        index, row = item
        gap = row.last.gap if row.last is not None else Decimal(0)
        if row.attention:
            return (0, gap, index)
        if gap < 0:
            return (1, gap, index)
        return (2, Decimal(0), index)

    return [row for _i, row in sorted(enumerate(rows), key=key)]


def roles_with_plan(playbook: Playbook) -> list[tuple[Role, Balance]]:
    """The playbook's roles in the matrix's order, each with its plan. Two
    queries: roles, Give-Gets."""
    roles = list(
        Role.objects.filter(playbook=playbook)
        .order_by("order", "id")
        .prefetch_related(Prefetch("givegets", queryset=GiveGet.objects.order_by("order", "id")))
    )
    for role in roles:
        role.playbook = playbook
    return [(role, role.balance()) for role in roles]


@dataclass(frozen=True)
class Card:
    """The overview's "Since go-live" card."""

    since: Since
    total: int  # roles
    shown: int  # roles with at least one shown week
    attention: tuple[tuple[str, str], ...]  # (name, address) of each role needing attention


def card(
    playbook: Playbook,
    rows: Sequence[tuple[Role, Balance]],
    results: dict[int, RoleResults],
    day: datetime.date,
) -> Card | None:
    """None before go-live (the overview shows no card then)."""
    state = since(playbook, day)
    if not state.live:
        return None
    attention = []
    shown = 0
    for role, _balance in rows:
        role_results = results.get(role.pk)
        if role_results is None or role_results.last is None:
            continue
        shown += 1
        if role_results.needs_attention:
            url = reverse("role_detail", args=[playbook.pk, role.pk]) + "#since-go-live"
            attention.append((role.name, url))
    return Card(state, len(rows), shown, tuple(attention))


class RolePulse:
    """The role page's "Since go-live", read only when the template shows it
    (the role page's htmx fragments do not, and cost nothing more)."""

    def __init__(self, playbook: Playbook, role: Role, balance: Balance, day: datetime.date):
        self.playbook = playbook
        self.role = role
        self.balance = balance
        self.since = since(playbook, day)

    @cached_property
    def results(self) -> RoleResults:
        return measured(self.playbook, [(self.role, self.balance)], self.since.day)[self.role.pk]

    @property
    def last(self) -> Measured | None:
        return self.results.last


@require_GET
def results_page(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """The results page, for every member. Queries: session, user, membership
    with playbook, the plan's progress for the header; on a fragment cache
    miss also the roles and their Give-Gets, and from the first closed week
    on the pulse's three (state, summaries, kept k).

    The body is a cached fragment (``core.fragments``): closed weeks take no
    more answers, so it changes only with the playbook's version (a headcount,
    a Give-Get, k, go-live), the last closed week and the reader's rights."""
    access = get_playbook(request, playbook_id)
    playbook = access.playbook
    day = weeks.today()

    def context() -> dict[str, object]:
        plan = roles_with_plan(playbook)
        found = measured(playbook, plan, day)
        rows = ordered([ResultRow(role, balance, found[role.pk]) for role, balance in plan])
        return {
            "access": access,
            "playbook": playbook,
            "since": since(playbook, day),
            "rows": rows,
            "attention_count": sum(1 for row in rows if row.attention),
            "shown_count": sum(1 for row in rows if row.last is not None),
        }

    fragment = cached_fragment(
        request,
        name="results",
        playbook_id=playbook.pk,
        template="planner/results.html#results_body",
        context=context,
        vary=["edit" if access.can_edit else "read", cache_part(playbook, day)],
    )
    return render(
        request,
        "planner/results.html",
        {
            "access": access,
            "playbook": playbook,
            "section": "results",
            "results_html": fragment.html,
        },
    )
