"""The timeline's rules (comms.timeline): weeks around go-live, the go-live
line, dates far from go-live; plain functions, without the web."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from comms.timeline import (
    build,
    far_from_go_live,
    format_number,
    format_range,
    week_dates,
    week_number,
)

GO_LIVE = datetime.date(2027, 3, 1)
day = datetime.date


@pytest.mark.parametrize(
    ("when", "number"),
    [
        (day(2027, 3, 1), 1),
        (day(2027, 3, 7), 1),
        (day(2027, 3, 8), 2),
        (day(2027, 2, 28), -1),
        (day(2027, 2, 22), -1),
        (day(2027, 2, 21), -2),
        (day(2027, 2, 15), -2),
        (day(2027, 2, 14), -3),
        (day(2028, 3, 1), 53),
    ],
)
def test_week_numbers_skip_zero(when: datetime.date, number: int) -> None:
    assert week_number(GO_LIVE, when) == number
    first, last = week_dates(GO_LIVE, number)
    assert first <= when <= last
    assert (last - first).days == 6


def test_every_day_of_a_year_lies_in_its_own_week() -> None:
    for offset in range(-370, 370):
        when = GO_LIVE + datetime.timedelta(days=offset)
        number = week_number(GO_LIVE, when)
        assert number != 0
        first, last = week_dates(GO_LIVE, number)
        assert first <= when <= last
        assert (number > 0) == (when >= GO_LIVE)


def test_there_is_no_week_zero() -> None:
    with pytest.raises(ValueError, match="no week 0"):
        week_dates(GO_LIVE, 0)


def test_numbers_before_go_live_have_a_minus_sign() -> None:
    assert format_number(-2) == "\N{MINUS SIGN}2"
    assert format_number(3) == "3"


@pytest.mark.parametrize(
    ("when", "far"),
    [
        (day(2026, 3, 1), False),  # a year before, to the day
        (day(2026, 2, 28), True),
        (day(2029, 3, 1), False),  # two years after, to the day
        (day(2029, 3, 2), True),
        (GO_LIVE, False),
        (None, False),
    ],
)
def test_far_from_go_live(when: datetime.date | None, far: bool) -> None:
    assert far_from_go_live(when, GO_LIVE) is far


def test_far_without_go_live_is_never_said() -> None:
    assert not far_from_go_live(day(1999, 1, 1), None)


def test_far_from_a_leap_day() -> None:
    leap = day(2028, 2, 29)
    assert not far_from_go_live(day(2027, 2, 28), leap)
    assert far_from_go_live(day(2027, 2, 27), leap)
    assert not far_from_go_live(day(2030, 2, 28), leap)
    assert far_from_go_live(day(2030, 3, 1), leap)


def test_ranges_in_english() -> None:
    with translation.override("en"):
        assert format_range(day(2027, 2, 15), day(2027, 2, 21), year=2027) == "Feb. 15–21"
        assert format_range(day(2027, 2, 26), day(2027, 3, 4), year=2027) == ("Feb. 26 – March 4")
        assert format_range(day(2027, 12, 28), day(2028, 1, 3), year=2027) == (
            "Dec. 28 – Jan. 3, 2028"
        )


def test_ranges_in_danish_use_danish_months() -> None:
    with translation.override("da"):
        text = format_range(day(2027, 2, 15), day(2027, 2, 21), year=2027)
    assert "feb." in text and "15" in text and "21" in text


class TestBuild:
    def test_weeks_in_order_with_the_go_live_line_between(self) -> None:
        items = [
            ("a", day(2027, 3, 3)),
            ("b", day(2027, 2, 15)),
            ("c", None),
            ("d", day(2027, 2, 16)),
            ("e", day(2027, 2, 15)),
        ]
        plan = build(items, lambda item: item[1], go_live=GO_LIVE, today=day(2027, 2, 17))
        assert [week.number for week in plan.weeks] == [-2, 1]
        assert [item[0] for item in plan.weeks[0].items] == ["b", "e", "d"]
        assert plan.go_live_at == 1
        assert plan.undated == [("c", None)]
        assert plan.count == 5
        assert plan.weeks[0].current and not plan.weeks[1].current
        with translation.override("en"):
            assert plan.weeks[0].heading.startswith("Week \N{MINUS SIGN}2 (Feb. 15")

    def test_the_line_after_every_week_when_all_come_before(self) -> None:
        plan = build([day(2027, 2, 1)], lambda item: item, go_live=GO_LIVE, today=day(2027, 1, 1))
        assert plan.go_live_at == 1

    def test_without_go_live_calendar_weeks_and_no_line(self) -> None:
        plan = build(
            [day(2027, 3, 3), day(2027, 3, 7), day(2027, 3, 8)],
            lambda item: item,
            go_live=None,
            today=day(2027, 3, 1),
        )
        assert [(week.start, week.end) for week in plan.weeks] == [
            (day(2027, 3, 1), day(2027, 3, 7)),
            (day(2027, 3, 8), day(2027, 3, 14)),
        ]
        assert plan.go_live_at is None
        assert all(week.number is None for week in plan.weeks)

    def test_nothing(self) -> None:
        plan = build([], lambda item: item, go_live=GO_LIVE, today=GO_LIVE)
        assert plan.weeks == [] and plan.undated == [] and plan.go_live_at == 0
