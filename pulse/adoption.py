"""What the adoption figures show (DESIGN.md "Adoption figures").

Per role and closed week: the active users, typed or imported, and the
adoption rate against the role's target. A role with fewer than 2k people
takes no figures and shows none (too few to report without pointing at
people), like its pulse. Every page, fragment and file that shows figures
reads them from ``adoption_for`` (one query whatever their number), so the
rule is kept in one place.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from playbooks.models import Playbook
from pulse.models import AdoptionFigure
from pulse.results import RoleResults
from pulse.weeks import last_closed_week
from roles.equation import Verdict
from roles.models import Role

FROM_WEEK = 4  # P2 counts weeks 4 and later: the first three are a start-up
WEEKS_BELOW = 3  # P2: below target in each of the last three weeks with figures


def rate(active: int, headcount: int) -> int | None:
    """active / headcount as a whole percent (half up); None for no people."""
    if headcount <= 0:
        return None
    exact = Decimal(active) * 100 / Decimal(headcount)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def takes_figures(headcount: int, k: int) -> bool:
    """A role with fewer than 2k people takes no adoption figures."""
    return headcount >= 2 * k


@dataclass(frozen=True)
class AdoptionWeek:
    """One closed week of a role: its active users, or None with no figure."""

    week: int
    active: int | None
    rate: int | None  # whole percent; None without a figure or without people
    target: int

    @property
    def has_figure(self) -> bool:
        return self.active is not None

    @property
    def below(self) -> bool:
        return self.rate is not None and self.rate < self.target

    @property
    def over(self) -> bool:
        """Above 100 %: the headcount may be out of date."""
        return self.rate is not None and self.rate > 100


def last_counted(weeks: Sequence[AdoptionWeek]) -> list[AdoptionWeek]:
    """The weeks finding P2 looks at: the last three closed weeks with
    figures, counting weeks 4 and later only (``weeks``: in order)."""
    counted = [w for w in weeks if w.has_figure and w.week >= FROM_WEEK]
    return counted[-WEEKS_BELOW:]


def below_three_times(weeks: Sequence[AdoptionWeek]) -> bool:
    """Finding P2's rule: below target in each of the last three closed weeks
    with figures, counting weeks 4 and later only (``weeks``: in order)."""
    counted = last_counted(weeks)
    return len(counted) >= WEEKS_BELOW and all(w.below for w in counted)


@dataclass(frozen=True)
class RoleAdoption:
    """A role's adoption since go-live, as anyone may see it."""

    role_id: int
    headcount: int
    target: int
    k: int
    too_small: bool  # fewer than 2k people: no figures, ever
    weeks: tuple[AdoptionWeek, ...]  # every closed week, 1 … the last closed one

    @property
    def with_figures(self) -> list[AdoptionWeek]:
        return [w for w in self.weeks if w.has_figure]

    @property
    def last(self) -> AdoptionWeek | None:
        """The last closed week with a figure."""
        figured = self.with_figures
        return figured[-1] if figured else None

    @property
    def needs_attention(self) -> bool:
        """Finding P2."""
        return not self.too_small and below_three_times(self.weeks)


def adoption_for(
    playbook: Playbook, roles: Iterable[Role], day: datetime.date
) -> dict[int, RoleAdoption]:
    """Each role's closed weeks with their figures: one query from week 1's
    close on, none before."""
    roles = list(roles)
    last = last_closed_week(playbook.pulse_go_live, day)
    k = playbook.pulse_k
    found: dict[tuple[int, int], int] = {}
    if last and roles:
        found = {
            (role_id, week): active
            for role_id, week, active in AdoptionFigure.objects.filter(
                role__in=[r.pk for r in roles], week__lte=last
            ).values_list("role_id", "week", "active_users")
        }
    results = {}
    for role in roles:
        too_small = not takes_figures(role.headcount, k)
        weeks = []
        for number in range(1, last + 1):
            active = None if too_small else found.get((role.pk, number))
            weeks.append(
                AdoptionWeek(
                    week=number,
                    active=active,
                    rate=None if active is None else rate(active, role.headcount),
                    target=role.adoption_target,
                )
            )
        results[role.pk] = RoleAdoption(
            role_id=role.pk,
            headcount=role.headcount,
            target=role.adoption_target,
            k=k,
            too_small=too_small,
            weeks=tuple(weeks),
        )
    return results


class Picture(StrEnum):
    """Adoption and the pulse together, each from its last week."""

    BOTH = "both"  # at target and a net beneficiary
    ADOPTING_NOT_FEELING = "adopting_not_feeling"
    FEELING_NOT_ADOPTING = "feeling_not_adopting"
    NEITHER = "neither"


def picture(pulse: RoleResults, adoption: RoleAdoption) -> Picture | None:
    """None until both the pulse and the figures have a week to show."""
    felt_week = pulse.last
    used_week = adoption.last
    if felt_week is None or used_week is None or used_week.rate is None:
        return None
    feeling = felt_week.verdict is Verdict.NET_BENEFICIARY
    adopting = not used_week.below
    if adopting and feeling:
        return Picture.BOTH
    if adopting:
        return Picture.ADOPTING_NOT_FEELING
    if feeling:
        return Picture.FEELING_NOT_ADOPTING
    return Picture.NEITHER
