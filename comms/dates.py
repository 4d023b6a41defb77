"""When a message goes out: its typed date, or its kind's default, which
follows go-live like the plan's default dates (DESIGN.md: "Your WIIFM" at
go-live - 14 days, "Your week-1 quick win" at go-live + 1, "First results" at
go-live + 14, the open session on step 5's due date)."""

from __future__ import annotations

import datetime

from actionplan.defaults import default_dates

OFFSETS = {"wiifm": -14, "quick_win": 1, "first_results": 14}
OPEN_SESSION_STEP = 5


def default_date(
    kind: str, go_live: datetime.date | None, step_five_due: datetime.date | None = None
) -> datetime.date | None:
    """The default date of a message of ``kind``; None without go-live, or for
    a message added by hand (its date is typed). ``step_five_due``: step 5's
    due date as the plan shows it (typed or default); without it, step 5's
    default."""
    if go_live is None:
        return None
    if kind in OFFSETS:
        return go_live + datetime.timedelta(days=OFFSETS[kind])
    if kind == "open_session":
        return step_five_due or default_dates(OPEN_SESSION_STEP, go_live)[1]
    return None


def date_of(
    date: datetime.date | None,
    kind: str,
    go_live: datetime.date | None,
    step_five_due: datetime.date | None = None,
) -> datetime.date | None:
    """The date a message shows: typed, or its kind's default."""
    return date if date is not None else default_date(kind, go_live, step_five_due)
