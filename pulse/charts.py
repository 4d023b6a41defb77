"""The geometry of a role's measured balance week by week since go-live: the
points of the screen's sparkline and the PDF's trend (each draws its own SVG
from them). Only what ``pulse.results`` allows to be shown: a week not shown
is a gap in the line, never a zero. Likewise its adoption rate (``rate_line``,
from ``pulse.adoption``): a week without a figure is a gap."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pulse.adoption import RoleAdoption
from pulse.results import RoleResults
from roles.equation import Verdict

PAD = 4


@dataclass(frozen=True)
class Point:
    week: int
    x: float
    y: float
    verdict: Verdict


@dataclass(frozen=True)
class Sparkline:
    """Coordinates only: plain numbers, the same in every language."""

    segments: tuple[tuple[Point, ...], ...]  # runs of weeks shown one after another
    planned_y: float
    zero_y: float | None  # only when drawn with zero in range
    last: Point | None


def sparkline(
    results: RoleResults, width: float, height: float, *, with_zero: bool = False
) -> Sparkline:
    """Weeks 1 … the last closed one across the width; the measured balances and
    the plan (and zero, ``with_zero``) between the top and the bottom (a flat
    line sits in the middle)."""
    weeks = results.weeks
    values = [w.measured.balance for w in weeks if w.measured is not None]
    if with_zero:
        values.append(Decimal(0))
    low = min([*values, results.planned])
    high = max([*values, results.planned])
    if high == low:
        low, high = low - 1, high + 1
    span = high - low

    def x(week: int) -> float:
        if len(weeks) < 2:
            return width / 2
        return PAD + (week - 1) * (width - 2 * PAD) / (len(weeks) - 1)

    def y(value: Decimal) -> float:
        return PAD + float(high - value) * (height - 2 * PAD) / float(span)

    segments: list[tuple[Point, ...]] = []
    run: list[Point] = []
    for week in weeks:
        if week.measured is None:
            if run:
                segments.append(tuple(run))
            run = []
            continue
        run.append(Point(week.week, x(week.week), y(week.measured.balance), week.measured.verdict))
    if run:
        segments.append(tuple(run))
    last = segments[-1][-1] if segments else None
    return Sparkline(
        segments=tuple(segments),
        planned_y=y(results.planned),
        zero_y=y(Decimal(0)) if with_zero else None,
        last=last,
    )


@dataclass(frozen=True)
class RatePoint:
    week: int
    x: float
    y: float
    below: bool  # under the role's target that week


@dataclass(frozen=True)
class RateLine:
    """A role's adoption rate week by week: coordinates only."""

    segments: tuple[tuple[RatePoint, ...], ...]  # runs of weeks with figures
    target_y: float
    last: RatePoint | None


def rate_line(adoption: RoleAdoption, width: float, height: float) -> RateLine:
    """Weeks 1 … the last closed one across the width; the rate from 0 % at
    the bottom to 100 % (or the highest rate, when above) at the top, so that
    every role's line reads on the same scale. A week without a figure is a
    gap, never a zero."""
    weeks = adoption.weeks
    high = max([100, adoption.target, *(w.rate for w in weeks if w.rate is not None)])

    def x(week: int) -> float:
        if len(weeks) < 2:
            return width / 2
        return PAD + (week - 1) * (width - 2 * PAD) / (len(weeks) - 1)

    def y(value: int) -> float:
        return PAD + (high - value) * (height - 2 * PAD) / high

    segments: list[tuple[RatePoint, ...]] = []
    run: list[RatePoint] = []
    for week in weeks:
        if week.rate is None:
            if run:
                segments.append(tuple(run))
            run = []
            continue
        run.append(RatePoint(week.week, x(week.week), y(week.rate), week.below))
    if run:
        segments.append(tuple(run))
    return RateLine(
        segments=tuple(segments),
        target_y=y(adoption.target),
        last=segments[-1][-1] if segments else None,
    )
