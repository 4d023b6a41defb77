"""Weeks after go-live (DESIGN.md "Weeks"): week N runs from go-live + 7(N-1)
days to go-live + 7N - 1 days, in the site's time zone; it is closed once its
last day is over."""

from __future__ import annotations

import datetime

from django.utils import timezone


def today() -> datetime.date:
    """Today in the site's time zone (TIME_ZONE), as the weeks count it."""
    return timezone.localdate()


def week_of(go_live: datetime.date | None, day: datetime.date) -> int | None:
    """The week ``day`` falls in; None before go-live or with no go-live."""
    if go_live is None or day < go_live:
        return None
    return (day - go_live).days // 7 + 1


def week_dates(go_live: datetime.date, week: int) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of week ``week``."""
    start = go_live + datetime.timedelta(days=7 * (week - 1))
    return start, start + datetime.timedelta(days=6)


def last_closed_week(go_live: datetime.date | None, day: datetime.date) -> int:
    """The last week whose last day is over on ``day``; 0 when none is."""
    if go_live is None or day < go_live:
        return 0
    return (day - go_live).days // 7
