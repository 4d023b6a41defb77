"""The geometry of a role's measured balance week by week since go-live: the
points of the screen's sparkline and the PDF's trend (each draws its own SVG
from them). Only what ``pulse.results`` allows to be shown: a week not shown
is a gap in the line, never a zero."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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
