"""The Net Beneficiary equation (DESIGN.md), as plain arithmetic.

No Django here: plain numbers in, exact ``Decimal`` results out, so the rules
can be tested on their own and reused by every page, the PDF and the health
check. Per person in a role, per week::

    given_minutes  = sum of minutes_each x times_per_week
    gained_minutes = sum of minutes_saved_per_week
    time_balance   = gained_minutes - given_minutes
    perceived      = (unique_data + speed + recognition) - (friction + rigidity)

    not assessed     if no Give-Gets and no factor scored yet
    net beneficiary  if time_balance >= 0 and perceived > 0
    net loser        if time_balance < 0 and perceived <= 0
    at risk          otherwise

A factor not scored yet is ``None`` and counts 0 in ``perceived``; a factor
scored 0 is scored. A role not assessed yet has no Give-Gets, so its balance,
and its share of the totals, is 0.

``headcount x time_balance`` is what the plan gives back to (or takes from)
the role each week; the playbook's total is their sum, shown in hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

MINUS = "\u2212"  # the minus sign, not a hyphen
MAX_MINUTES_PER_WEEK = 2400
MAX_TIMES_PER_WEEK = 1000


class Verdict(StrEnum):
    NET_BENEFICIARY = "net_beneficiary"
    AT_RISK = "at_risk"
    NET_LOSER = "net_loser"
    NOT_ASSESSED = "not_assessed"


@dataclass(frozen=True)
class GiveGetNumbers:
    minutes_each: int
    times_per_week: Decimal
    minutes_saved_per_week: int

    @property
    def given(self) -> Decimal:
        return Decimal(self.minutes_each) * Decimal(self.times_per_week)


def _sum(*scores: int | None) -> int:
    """The scored ones; a factor not scored counts 0."""
    return sum(score for score in scores if score is not None)


@dataclass(frozen=True)
class Factors:
    """The five perceived factors, each 0-5, or None while not scored."""

    unique_data: int | None = None
    speed: int | None = None
    recognition: int | None = None
    friction: int | None = None
    rigidity: int | None = None

    @property
    def scored(self) -> bool:
        """Whether any factor is scored (0 is a score)."""
        return any(
            value is not None
            for value in (
                self.unique_data,
                self.speed,
                self.recognition,
                self.friction,
                self.rigidity,
            )
        )

    @property
    def plus(self) -> int:
        return _sum(self.unique_data, self.speed, self.recognition)

    @property
    def minus(self) -> int:
        return _sum(self.friction, self.rigidity)

    @property
    def perceived(self) -> int:
        return self.plus - self.minus


@dataclass(frozen=True)
class Balance:
    """One role's side of the equation, per person per week."""

    givegets: tuple[GiveGetNumbers, ...]
    factors: Factors
    headcount: int
    given: Decimal
    gained: Decimal
    time_balance: Decimal
    perceived: int
    verdict: Verdict

    @property
    def weekly_minutes(self) -> Decimal:
        """What the plan gives back to (or takes from) the whole role each week."""
        return self.headcount * self.time_balance

    @property
    def weekly_hours(self) -> Decimal:
        return self.weekly_minutes / 60


def verdict(time_balance: Decimal, perceived: int | Decimal, *, assessed: bool = True) -> Verdict:
    """``assessed`` is false for a role with no Give-Gets and no factor scored."""
    if not assessed:
        return Verdict.NOT_ASSESSED
    if time_balance >= 0 and perceived > 0:
        return Verdict.NET_BENEFICIARY
    if time_balance < 0 and perceived <= 0:
        return Verdict.NET_LOSER
    return Verdict.AT_RISK


def balance(givegets: Iterable[GiveGetNumbers], factors: Factors, headcount: int = 0) -> Balance:
    items = tuple(givegets)
    given = sum((item.given for item in items), Decimal(0))
    gained = sum((Decimal(item.minutes_saved_per_week) for item in items), Decimal(0))
    return balance_of_sums(given, gained, len(items), factors, headcount, givegets=items)


def balance_of_sums(
    given: Decimal,
    gained: Decimal,
    count: int,
    factors: Factors,
    headcount: int = 0,
    *,
    givegets: tuple[GiveGetNumbers, ...] = (),
) -> Balance:
    """The same from the sums of a role's ``count`` Give-Gets (minutes given and
    gained per person per week), as a database adds them up."""
    time_balance = gained - given
    return Balance(
        givegets=givegets,
        factors=factors,
        headcount=headcount,
        given=given,
        gained=gained,
        time_balance=time_balance,
        perceived=factors.perceived,
        verdict=verdict(time_balance, factors.perceived, assessed=count > 0 or factors.scored),
    )


def total_hours(balances: Iterable[Balance]) -> Decimal:
    """The playbook's total: the sum of headcount x balance, in hours.

    A role not assessed yet adds 0 (it has no Give-Gets, so its balance is 0
    anyway; said here so that the rule does not hang on that).
    """
    assessed = (b for b in balances if b.verdict is not Verdict.NOT_ASSESSED)
    return sum((b.weekly_minutes for b in assessed), Decimal(0)) / 60


# --- Display ----------------------------------------------------------------


def _round(value: Decimal, places: int) -> Decimal:
    # ROUND_HALF_UP on Decimal rounds half away from zero (-0.25 -> -0.3).
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _plain(value: Decimal, decimal_separator: str) -> str:
    text = f"{abs(value):f}"
    return text.replace(".", decimal_separator)


def format_minutes(value: Decimal | int, *, decimal_separator: str = ".", sign: bool = True) -> str:
    """Minutes with at most one decimal, half away from zero: ``+20``, ``−0.4``.

    A value that is not zero but rounds to zero keeps two decimals (``−0.01``).
    Zero has no sign. With ``sign`` false, positive numbers get no ``+``.
    """
    value = Decimal(value)
    if value == 0:
        return "0"
    rounded = _round(value, 1)
    if rounded == 0:
        rounded = _round(value, 2)
    if rounded == rounded.to_integral_value():
        rounded = rounded.quantize(Decimal(1))
    prefix = MINUS if value < 0 else ("+" if sign else "")
    return prefix + _plain(rounded, decimal_separator)


def format_hours(value: Decimal | int, *, decimal_separator: str = ".") -> str:
    """Hours, always with one decimal: ``12.0``, ``−3.5``."""
    rounded = _round(Decimal(value), 1)
    prefix = MINUS if rounded < 0 else ""
    return prefix + _plain(rounded, decimal_separator)


def format_number(value: Decimal | int, *, decimal_separator: str = ".") -> str:
    """A count such as times per week: ``8``, ``0.25``, no trailing zeros."""
    value = Decimal(value)
    integral = value == value.to_integral_value()
    text = str(int(value)) if integral else f"{value.normalize():f}"
    return text.replace("-", MINUS).replace(".", decimal_separator)


def format_signed(value: int) -> str:
    """A whole number with its sign: ``+6``, ``−2``, ``0``."""
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"{MINUS}{-value}"
    return "0"
