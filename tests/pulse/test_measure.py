"""The measured Net Beneficiary's arithmetic (DESIGN.md "Measured Net Beneficiary")."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from pulse.measure import Measured, median, summarise
from pulse.weeks import last_closed_week, week_dates, week_of
from roles.equation import Verdict, format_minutes

GO_LIVE = datetime.date(2027, 3, 1)  # a Monday


def test_the_median_of_an_odd_count_is_the_middle_value() -> None:
    assert median([30, -10, 5]) == Decimal(5)


def test_the_median_of_an_even_count_is_the_mean_of_the_two_middle_values() -> None:
    assert median([1, 2, 4, 100]) == Decimal("3")
    assert median([-15, -12, 10, 40]) == Decimal("-1")
    assert median([0, 1]) == Decimal("0.5")


def test_the_median_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="no values"):
        median([])


def test_a_week_is_summed_up_as_count_median_of_saved_minus_cost_and_got_back_total() -> None:
    # balances: 30, -20, 0, 45, -5 -> median 0
    answers = [(10, 40, 4), (30, 10, 2), (20, 20, 3), (15, 60, 5), (25, 20, 1)]
    assert summarise(answers) == (5, Decimal(0), 15)


def week(answers: int, balance: str, got_back_total: int, planned: str = "30") -> Measured:
    return Measured(
        week=3,
        answers=answers,
        balance=Decimal(balance),
        got_back_total=got_back_total,
        planned=Decimal(planned),
    )


def test_a_mean_of_3_04_shows_3_0_yet_counts_as_felt() -> None:
    measured = week(25, "5", 76)  # 76 / 25 = 3.04
    assert measured.got_back == Decimal("3.04")
    assert f"{measured.got_back:.1f}" == "3.0"
    assert measured.felt == Decimal("0.04")
    assert measured.verdict is Verdict.NET_BENEFICIARY


def test_a_mean_of_exactly_3_is_not_felt() -> None:
    measured = week(5, "5", 15)
    assert measured.felt == 0
    assert measured.verdict is Verdict.AT_RISK


def test_an_exact_mean_keeps_its_sign_where_a_rounded_one_would_not() -> None:
    measured = week(3, "0", 8)  # 8 / 3 = 2.666…: felt is negative, exactly
    assert measured.felt < 0
    assert measured.verdict is Verdict.AT_RISK  # balance >= 0, felt <= 0


def test_a_negative_balance_shows_the_minus_sign_and_a_negative_gap() -> None:
    measured = week(7, "-12", 14)  # got back 2.0: felt -1
    assert measured.verdict is Verdict.NET_LOSER
    assert measured.gap == Decimal(-42)
    assert format_minutes(measured.balance) == "\u221212"
    assert format_minutes(measured.gap) == "\u221242"
    assert format_minutes(Decimal("-0.5")) == "\u22120.5"


def test_weeks_count_from_go_live_in_sevens() -> None:
    assert week_of(GO_LIVE, GO_LIVE - datetime.timedelta(days=1)) is None
    assert week_of(None, GO_LIVE) is None
    assert week_of(GO_LIVE, GO_LIVE) == 1
    assert week_of(GO_LIVE, GO_LIVE + datetime.timedelta(days=6)) == 1
    assert week_of(GO_LIVE, GO_LIVE + datetime.timedelta(days=7)) == 2
    assert week_dates(GO_LIVE, 2) == (datetime.date(2027, 3, 8), datetime.date(2027, 3, 14))


def test_a_week_closes_once_its_last_day_is_over() -> None:
    assert last_closed_week(GO_LIVE, GO_LIVE + datetime.timedelta(days=6)) == 0
    assert last_closed_week(GO_LIVE, GO_LIVE + datetime.timedelta(days=7)) == 1
    assert last_closed_week(GO_LIVE, GO_LIVE + datetime.timedelta(days=13)) == 1
    assert last_closed_week(GO_LIVE, GO_LIVE + datetime.timedelta(days=14)) == 2
    assert last_closed_week(None, GO_LIVE) == 0
    assert last_closed_week(GO_LIVE, GO_LIVE - datetime.timedelta(days=30)) == 0
