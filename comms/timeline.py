"""The communications page's timeline: messages grouped by week around
go-live (DESIGN.md "Communications plan and calendar").

Weeks count from go-live as the pulse's do: week 1 is go-live and the six
days after it, week 2 the seven after those; before go-live, week −1 is the
seven days before it, week −2 the seven before those. There is no week 0:
go-live itself is the line between week −1 and week 1. Without go-live a
dated message is grouped by its calendar week (Monday to Sunday), and a
message without a date at all waits in "No date yet".

Plain functions over dates; the headings are written in the active language.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _

MINUS = "\N{MINUS SIGN}"


def week_number(go_live: datetime.date, day: datetime.date) -> int:
    """The week ``day`` falls in, counted from go-live: 1, 2, … from go-live
    on, −1, −2, … before it; never 0."""
    days = (day - go_live).days
    return days // 7 + 1 if days >= 0 else days // 7


def week_dates(go_live: datetime.date, number: int) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of week ``number`` (not 0)."""
    if number == 0:
        raise ValueError("there is no week 0")
    start = go_live + datetime.timedelta(days=7 * (number - 1 if number > 0 else number))
    # A week at the calendar's end (a far date typed through a file) ends there.
    return start, start + min(datetime.timedelta(days=6), datetime.date.max - start)


def _years(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved by whole years (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def far_from_go_live(day: datetime.date | None, go_live: datetime.date | None) -> bool:
    """A date more than a year before go-live or more than two years after
    it: saved as typed, and shown with a warning (a typo, most likely)."""
    if day is None or go_live is None:
        return False
    return day < _years(go_live, -1) or day > _years(go_live, 2)


def format_number(number: int) -> str:
    """A week's number as a heading shows it: a true minus sign before go-live."""
    return f"{MINUS}{-number}" if number < 0 else str(number)


def format_range(start: datetime.date, end: datetime.date, *, year: int | None) -> str:
    """A week's days in the active language ("Feb. 15–21", "15.–21. feb."),
    with the year when it is not ``year``."""
    first, last = formats.date_format(start, "j"), formats.date_format(end, "j")
    if start.month == end.month:
        dates = _("%(month)s %(first)s–%(last)s") % {
            "month": formats.date_format(start, "N"),
            "first": first,
            "last": last,
        }
    else:
        dates = _("%(first_month)s %(first)s – %(last_month)s %(last)s") % {
            "first_month": formats.date_format(start, "N"),
            "first": first,
            "last_month": formats.date_format(end, "N"),
            "last": last,
        }
    if year is not None and end.year != year:
        dates = _("%(dates)s, %(year)s") % {"dates": dates, "year": end.year}
    return dates


@dataclass
class Week[T]:
    """One week of the timeline and its items, in the order given."""

    start: datetime.date
    end: datetime.date
    number: int | None  # counted from go-live; None without go-live
    heading: str
    current: bool  # today falls in it
    items: list[T] = field(default_factory=list)

    @property
    def after_go_live(self) -> bool:
        return self.number is not None and self.number > 0


@dataclass
class Timeline[T]:
    weeks: list[Week[T]]
    undated: list[T]
    go_live: datetime.date | None
    # Where the go-live line goes: before ``weeks[go_live_at]`` (its length:
    # after the last week); None without go-live.
    go_live_at: int | None

    @property
    def count(self) -> int:
        return sum(len(week.items) for week in self.weeks) + len(self.undated)


def build[T](
    items: Sequence[T],
    date_of: Callable[[T], datetime.date | None],
    *,
    go_live: datetime.date | None,
    today: datetime.date,
) -> Timeline[T]:
    """``items`` (in the order they are shown within a day) grouped by week,
    weeks in date order, the items of a week by date; those without a date
    last, in their order."""
    dated = [(day, index, item) for index, item in enumerate(items) if (day := date_of(item))]
    dated.sort(key=lambda entry: (entry[0], entry[1]))
    year = (go_live or today).year
    weeks: dict[datetime.date, Week[T]] = {}
    for day, _index, item in dated:
        if go_live is not None:
            number: int | None = week_number(go_live, day)
            assert number is not None
            start, end = week_dates(go_live, number)
            heading = _("Week %(number)s (%(dates)s)") % {
                "number": format_number(number),
                "dates": format_range(start, end, year=year),
            }
        else:
            number = None
            start = day - datetime.timedelta(days=day.weekday())
            end = start + datetime.timedelta(days=6)
            heading = _("Week of %(dates)s") % {"dates": format_range(start, end, year=year)}
        week = weeks.get(start)
        if week is None:
            week = weeks[start] = Week(
                start=start,
                end=end,
                number=number,
                heading=heading,
                current=start <= today <= end,
            )
        week.items.append(item)
    ordered = list(weeks.values())
    go_live_at = None
    if go_live is not None:
        go_live_at = next(
            (index for index, week in enumerate(ordered) if week.after_go_live), len(ordered)
        )
    undated = [item for item in items if date_of(item) is None]
    return Timeline(weeks=ordered, undated=undated, go_live=go_live, go_live_at=go_live_at)
