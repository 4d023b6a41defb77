"""Steps whose dates are out of order: a plain function over plain dates.

Default dates are always in order (actionplan.defaults), but typed dates stay
where they were when go-live moves (DESIGN.md "Week 1"), so a typed step can
end up before the steps it follows, or a step meant to be done before go-live
due after it. The plan page says so on each step concerned, on both steps of
a pair out of order, so whichever one is looked at tells.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.utils import formats
from django.utils.translation import gettext

from actionplan.defaults import OFFSETS


class Kind(StrEnum):
    STARTS_BEFORE = "starts_before"  # starts before an earlier step starts
    STARTS_AFTER = "starts_after"  # starts after a later step starts
    DUE_BEFORE = "due_before"  # due before an earlier step is due
    DUE_AFTER = "due_after"  # due after a later step is due
    DUE_AFTER_GO_LIVE = "due_after_go_live"  # a step meant to be done before go-live


@dataclass(frozen=True)
class Dated:
    """A step's number and the dates the plan shows for it (typed or default)."""

    number: int
    start: datetime.date | None
    due: datetime.date | None


@dataclass(frozen=True)
class Problem:
    kind: Kind
    step: int | None = None  # the other step
    date: datetime.date | None = None  # go-live

    def __str__(self) -> str:
        """The problem in words, in the active language."""
        if self.kind == Kind.DUE_AFTER_GO_LIVE:
            shown = formats.date_format(self.date, "DATE_FORMAT") if self.date else ""
            return gettext("Due after go-live (%(date)s)") % {"date": shown}
        texts = {
            Kind.STARTS_BEFORE: gettext("Starts before step %(n)s"),
            Kind.STARTS_AFTER: gettext("Starts after step %(n)s"),
            Kind.DUE_BEFORE: gettext("Due before step %(n)s"),
            Kind.DUE_AFTER: gettext("Due after step %(n)s"),
        }
        return texts[self.kind] % {"n": self.step}


def before_go_live(number: int) -> bool:
    """Whether the default plan has the step done before go-live (steps 1-5)."""
    return number in OFFSETS and OFFSETS[number][1] < 0


def date_problems(
    steps: Sequence[Dated], go_live: datetime.date | None
) -> dict[int, list[Problem]]:
    """Per step number, what is wrong with its dates; steps without problems
    are left out. ``steps`` in number order.

    A step that starts (or is due) before an earlier step names the earliest
    such step; the earlier step names the latest step that starts (or is due)
    before it. A step of 1-5 due after go-live says so. Missing dates are
    not compared.
    """
    found: dict[int, list[Problem]] = {}

    def add(number: int, problem: Problem) -> None:
        found.setdefault(number, []).append(problem)

    for attribute, before, after in (
        ("start", Kind.STARTS_BEFORE, Kind.STARTS_AFTER),
        ("due", Kind.DUE_BEFORE, Kind.DUE_AFTER),
    ):
        for index, step in enumerate(steps):
            mine = getattr(step, attribute)
            if mine is None:
                continue
            earlier = [
                other.number
                for other in steps[:index]
                if getattr(other, attribute) is not None and getattr(other, attribute) > mine
            ]
            if earlier:
                add(step.number, Problem(before, step=earlier[0]))
            later = [
                other.number
                for other in steps[index + 1 :]
                if getattr(other, attribute) is not None and getattr(other, attribute) < mine
            ]
            if later:
                add(step.number, Problem(after, step=later[-1]))
    if go_live is not None:
        for step in steps:
            if before_go_live(step.number) and step.due is not None and step.due > go_live:
                add(step.number, Problem(Kind.DUE_AFTER_GO_LIVE, date=go_live))
    return {number: found[number] for number in sorted(found)}
