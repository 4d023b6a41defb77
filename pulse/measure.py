"""The measured Net Beneficiary of a role's week (DESIGN.md "Measured Net
Beneficiary"), exact: the median of saved - cost, the mean of question 3, and
the plan's verdict rule on them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from roles.equation import Verdict, verdict

NEUTRAL = 3  # the middle of question 3's 1-5 scale


def median(values: Sequence[int]) -> Decimal:
    """The middle value; with an even count, the mean of the two middle ones
    (exact: at most half a minute)."""
    if not values:
        raise ValueError("the median of no values")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return Decimal(ordered[middle - 1] + ordered[middle]) / 2


def not_felt_twice(verdicts: Sequence[Verdict]) -> bool:
    """Finding P1's rule: the measured verdict was not "net beneficiary" in
    each of the last two shown weeks (``verdicts``: the shown weeks, in order)."""
    return len(verdicts) >= 2 and all(v is not Verdict.NET_BENEFICIARY for v in verdicts[-2:])


@dataclass(frozen=True)
class Measured:
    """One shown week of a role: what its people said, against the plan."""

    week: int
    answers: int
    balance: Decimal  # median of saved - cost, minutes per person per week
    got_back_total: int  # the sum of question 3
    planned: Decimal  # the plan's time balance of the role

    @property
    def got_back(self) -> Decimal:
        """The exact mean of question 3 (1 not at all … 5 a lot); shown with one decimal."""
        return Decimal(self.got_back_total) / self.answers

    @property
    def felt(self) -> Decimal:
        """got back - 3. Its sign is exact: (total - 3n) / n."""
        return Decimal(self.got_back_total - NEUTRAL * self.answers) / self.answers

    @property
    def verdict(self) -> Verdict:
        return verdict(self.balance, self.felt, assessed=True)

    @property
    def gap(self) -> Decimal:
        """measured balance - planned time balance."""
        return self.balance - self.planned


def summarise(answers: Iterable[tuple[int, int, int]]) -> tuple[int, Decimal, int]:
    """(cost, saved, got back) answers -> (count, median balance, got back total)."""
    rows = list(answers)
    balances = [saved - cost for cost, saved, _got_back in rows]
    return len(rows), median(balances), sum(got_back for _c, _s, got_back in rows)
