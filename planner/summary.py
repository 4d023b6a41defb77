"""The summary: the playbook on one page, for managers who read one page
(page 2 of the PDF playbook, and ``/playbooks/<id>/summary/``).

Built from what ``planner.overview.overview`` has read already (the PDF's
context is the same dictionary), so it costs no query of its own and
recomputes no rule: the health check's report, the totals, the coverage
figures, what is due next, and what the pulse and the adoption figures may
show (``pulse.results`` and ``pulse.adoption`` decided that).

One page whatever the number of roles: up to ``ONE_COLUMN_MAX`` roles in one
column; more in two columns; more than ``SMALL_TYPE_ABOVE`` in smaller type;
more than ``MAX_ROWS`` are not listed one by one (the page says how many more
and where they are). The thresholds were measured on the PDF with 100-character
role names and the measured and adoption columns shown (tests/playbooks/test_summary.py).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from planner.health import MISTAKES, TITLES, Report
from planner.overview import DueItem
from pulse.adoption import AdoptionWeek, RoleAdoption
from pulse.measure import Measured
from pulse.results import RoleResults
from pulse.weeks import week_of
from roles.equation import Balance, Verdict
from roles.models import Role

ONE_COLUMN_MAX = 14  # roles in one column; more go into two
SMALL_TYPE_ABOVE = 30  # roles in two columns of the normal size; more in smaller type
MAX_ROWS = 60  # roles listed one by one; the rest are counted


class Stage(StrEnum):
    NOT_SET = "not_set"
    BEFORE = "before"  # go-live is ahead: "in 12 days"
    TODAY = "today"
    SINCE = "since"  # "week 3 since go-live"


@dataclass(frozen=True)
class Countdown:
    stage: Stage
    go_live: datetime.date | None = None
    days: int = 0  # days to go-live, while it is ahead
    week: int = 0  # the week since go-live, once it has passed


def countdown(go_live: datetime.date | None, today: datetime.date) -> Countdown:
    """Go-live ahead (in days), today, or behind (the week since go-live, as
    the pulse counts weeks: week 1 is go-live to go-live + 6 days)."""
    if go_live is None:
        return Countdown(Stage.NOT_SET)
    days = (go_live - today).days
    if days > 0:
        return Countdown(Stage.BEFORE, go_live, days=days)
    if days == 0:
        return Countdown(Stage.TODAY, go_live, week=1)
    return Countdown(Stage.SINCE, go_live, week=week_of(go_live, today) or 0)


@dataclass(frozen=True)
class Mistake:
    """One of the five classic mistakes the health check found, and how often."""

    code: str
    findings: int

    @property
    def title(self) -> str:
        return str(TITLES[self.code])  # in the language of the page that shows it


@dataclass(frozen=True)
class RoleRow:
    """One role on the summary: its plan and, when they may be shown, its
    last shown pulse week and its last closed week with adoption figures;
    the weeks the measured and adoption columns' headings name (``role_rows``)."""

    pk: int
    name: str
    headcount: int
    planned: Decimal  # minutes per person per week
    verdict: Verdict
    measured: Measured | None = None
    used: AdoptionWeek | None = None
    measured_column: int | None = None
    adoption_column: int | None = None

    @property
    def assessed(self) -> bool:
        return self.verdict is not Verdict.NOT_ASSESSED

    @property
    def measured_earlier(self) -> bool:
        """The measured balance is from another week than its column's (marked)."""
        return self.measured is not None and self.measured.week != self.measured_column

    @property
    def with_rate(self) -> bool:
        """An adoption rate to show (a closed week with a figure and people)."""
        return self.used is not None and self.used.rate is not None

    @property
    def used_earlier(self) -> bool:
        """The adoption rate is from another week than its column's (marked)."""
        return self.used is not None and self.used.week != self.adoption_column


@dataclass(frozen=True)
class Coverage:
    """The ambassadors against the roles' headcounts (one per 30 people)."""

    roles_covered: int
    roles_with_people: int
    have: int
    needed: int
    trained: int


@dataclass(frozen=True)
class Summary:
    countdown: Countdown
    avoided: int  # of the five classic mistakes
    found: tuple[Mistake, ...]
    total_hours: Decimal  # given back a week (negative: taken)
    roles: tuple[RoleRow, ...]  # every role, in the matrix's order
    next_due: tuple[DueItem, ...]
    coverage: Coverage

    @property
    def listed(self) -> tuple[RoleRow, ...]:
        return self.roles[:MAX_ROWS]

    @property
    def more(self) -> int:
        """Roles not listed one by one (past ``MAX_ROWS``)."""
        return max(len(self.roles) - MAX_ROWS, 0)

    @property
    def columns(self) -> tuple[tuple[RoleRow, ...], ...]:
        """The listed roles in one column, or split in two (the first one the longer)."""
        rows = self.listed
        if len(rows) <= ONE_COLUMN_MAX:
            return (rows,)
        half = (len(rows) + 1) // 2
        return (rows[:half], rows[half:])

    @property
    def density(self) -> str:
        """The layout's class: "one", "two" or "two small"."""
        count = len(self.roles)
        if count <= ONE_COLUMN_MAX:
            return "one"
        return "two" if count <= SMALL_TYPE_ABOVE else "two small"

    @property
    def with_measured(self) -> bool:
        return any(row.measured is not None for row in self.roles)

    @property
    def with_adoption(self) -> bool:
        return any(row.used is not None for row in self.roles)

    @property
    def measured_week(self) -> int | None:
        """The week most roles' measured balance is from (the column's heading
        names it; a role whose last shown week is another says which). Every
        row knows it (``role_rows``); no rows, no week."""
        return self.roles[0].measured_column if self.roles else None

    @property
    def adoption_week(self) -> int | None:
        """The week most roles' adoption figures are from, as every row knows it."""
        return self.roles[0].adoption_column if self.roles else None

    @property
    def earlier(self) -> bool:
        """Whether a role's measured balance or adoption rate is from another
        week than its column's (marked with an asterisk, said under the table)."""
        return any(row.measured_earlier or row.used_earlier for row in self.listed)

    @property
    def hours_back(self) -> Decimal:
        """The total without its sign: the words say "gives back" or "takes"."""
        return abs(self.total_hours)


def _most_common(weeks: Any) -> int | None:
    counts = Counter(weeks)
    if not counts:
        return None
    # The most frequent; on a tie the latest.
    return max(counts.items(), key=lambda item: (item[1], item[0]))[0]


def role_rows(
    rows: Sequence[tuple[Role, Balance]],
    pulse: Mapping[int, RoleResults],
    adoption: Mapping[int, RoleAdoption],
) -> tuple[RoleRow, ...]:
    """Each role's row: what the pulse and the adoption figures may show
    comes in already filtered (k, 2k, closed weeks). Each row knows the weeks
    its columns name: the week most roles' figures are from."""
    out = []
    for role, balance in rows:
        results = pulse.get(role.pk)
        used = adoption.get(role.pk)
        out.append(
            RoleRow(
                pk=role.pk,
                name=role.name,
                headcount=role.headcount,
                planned=balance.time_balance,
                verdict=balance.verdict,
                measured=results.last if results is not None else None,
                used=used.last if used is not None else None,
            )
        )
    measured_week = _most_common(row.measured.week for row in out if row.measured)
    adoption_week = _most_common(row.used.week for row in out if row.used)
    return tuple(
        replace(row, measured_column=measured_week, adoption_column=adoption_week) for row in out
    )


def found_mistakes(report: Report) -> tuple[Mistake, ...]:
    """The classic mistakes found, M1 to M5, each with its number of findings."""
    return tuple(
        Mistake(code, len(findings)) for code, findings in report.by_code() if code in MISTAKES
    )


def summary(
    data: Mapping[str, Any], *, go_live: datetime.date | None, today: datetime.date
) -> Summary:
    """The summary from ``overview()``'s dictionary (or the PDF's context,
    which holds it). No query."""
    report: Report = data["report"]
    return Summary(
        countdown=countdown(go_live, today),
        avoided=len(report.avoided),
        found=found_mistakes(report),
        total_hours=data["total_hours"],
        roles=role_rows(data["role_rows"], data.get("pulse") or {}, data.get("adoption") or {}),
        next_due=tuple(data["next_due"]),
        coverage=Coverage(
            roles_covered=data["roles_covered"],
            roles_with_people=data["roles_with_people"],
            have=data["ambassadors_have"],
            needed=data["ambassadors_needed"],
            trained=data["ambassadors_trained"],
        ),
    )
