"""The Net Beneficiary equation: boundaries, rounding and invariants."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roles.equation import (
    Factors,
    GiveGetNumbers,
    Verdict,
    balance,
    balance_of_sums,
    format_hours,
    format_minutes,
    format_number,
    format_signed,
    total_hours,
    verdict,
)

D = Decimal
FACTORS_PLUS_6 = Factors(unique_data=4, speed=3, recognition=2, friction=2, rigidity=1)


def gg(minutes: int, times: str | int, saved: int) -> GiveGetNumbers:
    return GiveGetNumbers(minutes, D(times), saved)


class TestBalance:
    def test_design_example(self) -> None:
        result = balance([gg(5, 8, 60)], FACTORS_PLUS_6, headcount=40)
        assert result.given == 40
        assert result.gained == 60
        assert result.time_balance == 20
        assert result.perceived == 6
        assert result.verdict is Verdict.NET_BENEFICIARY
        assert result.weekly_minutes == 800
        assert format_hours(result.weekly_hours) == "13.3"

    def test_a_longer_give_makes_it_at_risk(self) -> None:
        result = balance([gg(10, 8, 60)], FACTORS_PLUS_6)
        assert result.time_balance == -20
        assert format_minutes(result.time_balance) == "\u221220"
        assert result.verdict is Verdict.AT_RISK

    def test_the_issue_example(self) -> None:
        result = balance([gg(5, 6, 60), gg(3, 4, 0)], FACTORS_PLUS_6, headcount=40)
        assert result.given == 42
        assert result.time_balance == 18
        assert format_hours(result.weekly_hours) == "12.0"

    def test_no_givegets(self) -> None:
        result = balance([], Factors(speed=0))
        assert (result.given, result.gained, result.time_balance, result.perceived) == (0, 0, 0, 0)
        assert result.verdict is Verdict.AT_RISK  # balance 0 but nothing perceived

    def test_nothing_entered_yet_is_not_assessed(self) -> None:
        result = balance([], Factors())
        assert (result.given, result.gained, result.time_balance, result.perceived) == (0, 0, 0, 0)
        assert result.verdict is Verdict.NOT_ASSESSED

    def test_once_a_month(self) -> None:
        result = balance([gg(30, "0.25", 0)], Factors(speed=1))
        assert result.given == D("7.5")
        assert format_minutes(result.time_balance) == "\u22127.5"


class TestVerdict:
    @pytest.mark.parametrize(
        ("time_balance", "perceived", "expected"),
        [
            (D(0), 1, Verdict.NET_BENEFICIARY),  # balance exactly 0 counts as not losing
            (D(0), 0, Verdict.AT_RISK),  # perceived exactly 0 is not a benefit
            (D("-0.01"), 0, Verdict.NET_LOSER),
            (D("-0.01"), 1, Verdict.AT_RISK),
            (D(5), -3, Verdict.AT_RISK),
            (D(-5), -3, Verdict.NET_LOSER),
            (D("0.01"), 1, Verdict.NET_BENEFICIARY),
        ],
    )
    def test_boundaries(self, time_balance: Decimal, perceived: int, expected: Verdict) -> None:
        assert verdict(time_balance, perceived) is expected


class TestDisplay:
    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (D(20), "+20"),
            (D(-20), "\u221220"),
            (D("-0.4"), "\u22120.4"),
            (D("-0.01"), "\u22120.01"),
            (D("0.04"), "+0.04"),
            (D("0.05"), "+0.1"),  # half away from zero
            (D("-0.05"), "\u22120.1"),
            (D("2.25"), "+2.3"),
            (D("-2.25"), "\u22122.3"),
            (D("12.0"), "+12"),
            (D(0), "0"),
        ],
    )
    def test_minutes(self, value: Decimal, text: str) -> None:
        assert format_minutes(value) == text

    def test_minutes_in_danish(self) -> None:
        assert format_minutes(D("-0.4"), decimal_separator=",") == "\u22120,4"

    @pytest.mark.parametrize(
        ("value", "text"),
        [(D(12), "12.0"), (D("-3.45"), "\u22123.5"), (D("-0.01"), "0.0"), (D("0.05"), "0.1")],
    )
    def test_hours(self, value: Decimal, text: str) -> None:
        assert format_hours(value) == text

    def test_numbers_and_signs(self) -> None:
        assert format_number(D("8.00")) == "8"
        assert format_number(D("0.25"), decimal_separator=",") == "0,25"
        assert format_number(D("1.50")) == "1.5"
        assert format_signed(6) == "+6"
        assert format_signed(-2) == "\u22122"
        assert format_signed(0) == "0"

    def test_total_in_hours(self) -> None:
        roles = [
            balance([gg(5, 8, 60)], FACTORS_PLUS_6, headcount=40),  # +800
            balance([gg(10, 8, 60)], FACTORS_PLUS_6, headcount=10),  # -200
        ]
        assert total_hours(roles) == 10
        assert format_hours(total_hours(roles)) == "10.0"


minutes = st.integers(min_value=0, max_value=300)
times = st.decimals(min_value=0, max_value=8, places=2)
saved = st.integers(min_value=0, max_value=2400)
factor = st.integers(min_value=0, max_value=5)
givegets = st.lists(st.builds(GiveGetNumbers, minutes, times, saved), max_size=8)
factors = st.builds(Factors, factor, factor, factor, factor, factor)


@given(givegets, factors, st.integers(min_value=0, max_value=5000))
def test_balance_is_gained_minus_given(items: list, f: Factors, headcount: int) -> None:
    result = balance(items, f, headcount)
    assert result.time_balance == result.gained - result.given
    assert result.given == sum((i.minutes_each * i.times_per_week for i in items), D(0))
    assert result.weekly_minutes == headcount * result.time_balance
    assert -10 <= result.perceived <= 15


@given(givegets, factors)
def test_the_verdict_follows_the_signs(items: list, f: Factors) -> None:
    result = balance(items, f)
    if result.verdict is Verdict.NET_BENEFICIARY:
        assert result.time_balance >= 0 and result.perceived > 0
    elif result.verdict is Verdict.NET_LOSER:
        assert result.time_balance < 0 and result.perceived <= 0
    else:
        assert (result.time_balance >= 0) == (result.perceived <= 0)


@given(givegets, factors, saved)
def test_more_gained_never_worsens_the_verdict(items: list, f: Factors, extra: int) -> None:
    rank = {Verdict.NET_LOSER: 0, Verdict.AT_RISK: 1, Verdict.NET_BENEFICIARY: 2}
    before = balance(items, f)
    after = balance([*items, GiveGetNumbers(0, D(0), extra)], f)
    assert rank[after.verdict] >= rank[before.verdict]


@given(st.decimals(min_value=-100000, max_value=100000, places=2))
def test_display_keeps_the_sign_and_is_close(value: Decimal) -> None:
    text = format_minutes(value)
    if value == 0:
        assert text == "0"
        return
    assert text[0] == ("+" if value > 0 else "\u2212")
    shown = D(text[1:]) * (1 if value > 0 else -1)
    assert shown != 0
    assert abs(shown - value) <= D("0.05")
    assert "." not in text or len(text.split(".")[1]) <= 2


class TestEdges:
    def test_one_minute_keeps_its_sign(self) -> None:
        assert (format_signed(1), format_signed(-1)) == ("+1", "\u22121")

    def test_minutes_without_a_plus(self) -> None:
        """As in "5 min × 600 = 3000 minutes a week": no plus, but still a minus."""
        assert format_minutes(D(3000), sign=False) == "3000"
        assert format_minutes(D("0.25"), sign=False) == "0.3"
        assert format_minutes(D(-5), sign=False) == "\u22125"

    def test_negative_numbers_get_the_minus_sign(self) -> None:
        assert format_number(D("-1.5"), decimal_separator=",") == "\u22121,5"

    def test_a_role_of_nobody_gives_back_nothing(self) -> None:
        result = balance([gg(5, 8, 60)], FACTORS_PLUS_6)
        assert result.time_balance == 20
        assert result.weekly_minutes == 0

    def test_nothing_to_sum_is_still_exact(self) -> None:
        """DESIGN: everything is computed exactly (Decimal), an empty role too."""
        result = balance([], Factors(), headcount=5)
        for value in (result.given, result.gained, result.time_balance, result.weekly_hours):
            assert type(value) is Decimal
        assert type(total_hours([])) is Decimal
        assert type(total_hours([result])) is Decimal


class TestBalanceOfSums:
    """The matrix's totals add a role's Give-Gets up in the database: the same
    balance and verdict as from the Give-Gets one by one."""

    def test_the_same_as_from_the_givegets(self) -> None:
        items = [GiveGetNumbers(7, Decimal("0.33"), 5), GiveGetNumbers(11, Decimal("2.25"), 17)]
        factors = Factors(speed=2, friction=3)
        one_by_one = balance(items, factors, 7)
        summed = balance_of_sums(Decimal("27.06"), Decimal(22), 2, factors, 7)
        assert one_by_one.given == Decimal("27.06")
        assert (summed.given, summed.gained, summed.time_balance, summed.verdict) == (
            one_by_one.given,
            one_by_one.gained,
            one_by_one.time_balance,
            one_by_one.verdict,
        )
        assert summed.weekly_minutes == one_by_one.weekly_minutes == Decimal("-35.42")

    def test_not_assessed_without_givegets_or_a_score(self) -> None:
        nothing = balance_of_sums(Decimal(0), Decimal(0), 0, Factors(), 5)
        assert nothing.verdict is Verdict.NOT_ASSESSED
        one = balance_of_sums(Decimal(0), Decimal(0), 1, Factors(), 5)
        assert one.verdict is Verdict.AT_RISK  # a Give-Get of 0 minutes is an assessment
        scored = balance_of_sums(Decimal(0), Decimal(0), 0, Factors(rigidity=0), 5)
        assert scored.verdict is Verdict.AT_RISK
