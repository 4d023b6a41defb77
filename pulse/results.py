"""What the pulse may show, and only that (DESIGN.md "The privacy threshold k").

Results exist only for closed weeks, never live. A closed week with fewer
than k answers is shown nowhere; a role with fewer than 2k people shows no
results at all. Every page, fragment and file that shows pulse results reads
them from ``results_for`` and nothing else, so the rule is kept in one place.

A closed week takes no more answers, so it is summed up once, the first time
it is read after it closed (``WeekSummary``); reading is then three queries
whatever the number of answers: the state, the summaries, the kept k.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from playbooks.models import Playbook
from pulse.measure import Measured, not_felt_twice, summarise
from pulse.models import KeptThreshold, PulseAnswer, PulseState, WeekSummary
from pulse.weeks import last_closed_week
from roles.models import Role


@dataclass(frozen=True)
class Week:
    """One closed week of a role: measured, or None when it had fewer than k answers."""

    week: int
    measured: Measured | None
    k: int

    @property
    def shown(self) -> bool:
        return self.measured is not None


@dataclass(frozen=True)
class RoleResults:
    """A role's pulse since go-live, as anyone may see it."""

    role_id: int
    k: int
    too_small: bool  # fewer than 2k people: nothing is shown, ever
    weeks: tuple[Week, ...]  # every closed week, 1 … the last closed one
    planned: Decimal

    @property
    def shown(self) -> list[Measured]:
        return [w.measured for w in self.weeks if w.measured is not None]

    @property
    def last(self) -> Measured | None:
        shown = self.shown
        return shown[-1] if shown else None

    @property
    def needs_attention(self) -> bool:
        """Finding P1: not "net beneficiary" in each of its last two shown weeks."""
        return not_felt_twice([m.verdict for m in self.shown])


def close_weeks(playbook: Playbook, day: datetime.date) -> None:
    """Sum up the weeks closed since the last look (at most once per week and
    playbook; two requests at once: the second waits on the lock and finds it done)."""
    last = last_closed_week(playbook.pulse_go_live, day)
    if last == 0:
        return
    state = PulseState.objects.filter(playbook=playbook).first()
    if state is not None and state.summarised_through >= last:
        return
    with transaction.atomic():
        state, _created = PulseState.objects.get_or_create(playbook=playbook)
        state = PulseState.objects.select_for_update().get(pk=state.pk)
        if state.summarised_through >= last:
            return
        grouped: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
        rows = PulseAnswer.objects.filter(
            role__playbook=playbook, week__gt=state.summarised_through, week__lte=last
        ).values_list("role_id", "week", "cost_minutes", "saved_minutes", "got_back")
        for role_id, week, cost, saved, got_back in rows.iterator(chunk_size=2000):
            grouped[role_id, week].append((cost, saved, got_back))
        summaries = []
        for (role_id, week), answers in grouped.items():
            count, balance, total = summarise(answers)
            summaries.append(
                WeekSummary(
                    role_id=role_id,
                    week=week,
                    answers=count,
                    median_balance=balance,
                    got_back_total=total,
                )
            )
        WeekSummary.objects.bulk_create(summaries, ignore_conflicts=True)
        state.summarised_through = last
        state.save(update_fields=["summarised_through"])


def thresholds(playbook: Playbook) -> dict[int, int]:
    """The k each closed week was judged with when it differs from today's."""
    return dict(KeptThreshold.objects.filter(playbook=playbook).values_list("week", "k"))


def results_for(
    playbook: Playbook,
    roles: Iterable[Role],
    planned: Mapping[int, Decimal],
    day: datetime.date,
) -> dict[int, RoleResults]:
    """Each role's closed weeks, with what may be shown of each. ``planned``
    is each role's planned time balance (per person per week)."""
    roles = list(roles)
    last = last_closed_week(playbook.pulse_go_live, day)
    k_now = playbook.pulse_k
    summaries: dict[tuple[int, int], WeekSummary] = {}
    kept: dict[int, int] = {}
    if last and roles:
        close_weeks(playbook, day)
        summaries = {
            (s.role_id, s.week): s
            for s in WeekSummary.objects.filter(role__in=[r.pk for r in roles], week__lte=last)
        }
        kept = thresholds(playbook)
    results = {}
    for role in roles:
        too_small = role.headcount < 2 * k_now
        plan = planned.get(role.pk, Decimal(0))
        weeks = []
        for number in range(1, last + 1):
            k = kept.get(number, k_now)
            summary = summaries.get((role.pk, number))
            measured = None
            # The week's own k for both of its rules: lowering k later must not
            # reveal a closed week of a team that was too small under its k.
            if (
                not too_small
                and role.headcount >= 2 * k
                and summary is not None
                and summary.answers >= k
            ):
                measured = Measured(
                    week=number,
                    answers=summary.answers,
                    balance=summary.median_balance,
                    got_back_total=summary.got_back_total,
                    planned=plan,
                )
            weeks.append(Week(week=number, measured=measured, k=k))
        results[role.pk] = RoleResults(
            role_id=role.pk, k=k_now, too_small=too_small, weeks=tuple(weeks), planned=plan
        )
    return results
