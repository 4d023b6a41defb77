"""The plan's timeline: each step as a bar from start to due, around go-live.

Geometry in plain Python; templates/includes/plan_timeline.html draws it as
inline SVG with presentation attributes, like the balance chart.

On screen the drawing has no viewBox: it is as wide as its card, its type in
CSS pixels (legible at 390 px as at 1366 px, never scaled), and only the
positions along the time axis are percentages of its width. The PDF gives a
``width`` and gets a viewBox of that many units, scaled to the page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

WIDTH = 400
LEFT = 8
RIGHT = WIDTH - 8
ROW = 42
TOP = 34  # keep ROW and TOP whole numbers; the markers' labels sit above
# On screen: the time axis from 1 % to 99 % of the width; a one-day bar is
# still a visible sliver.
PERCENT_LEFT = 1.0
PERCENT_RIGHT = 99.0
PERCENT_MIN_BAR = 0.6


@dataclass(frozen=True)
class TimelineBar:
    number: int
    label: str
    label_y: float
    bar_y: float
    x: float
    width: float
    status: str
    overdue: bool
    undated: bool
    marker_y1: float
    marker_y2: float


@dataclass(frozen=True)
class Marker:
    x: float
    label: str
    kind: str  # "go_live" or "today"
    anchor: str
    label_y: float


@dataclass(frozen=True)
class Timeline:
    bars: tuple[TimelineBar, ...]
    markers: tuple[Marker, ...]
    width: int | None  # None: as wide as its card, x and widths in percent
    height: int

    @property
    def unit(self) -> str:
        """What follows each x and width in the drawing: "%" on screen."""
        return "%" if self.width is None else ""

    @property
    def shows_today(self) -> bool:
        """Whether today's line is drawn (not when today is far from the plan)."""
        return any(marker.kind == "today" for marker in self.markers)


@dataclass(frozen=True)
class StepDates:
    number: int
    title: str
    start: datetime.date | None
    due: datetime.date | None
    status: str
    overdue: bool

    @property
    def span(self) -> tuple[datetime.date, datetime.date] | None:
        """First and last day; a single date stands for both. None when undated."""
        start = self.start or self.due
        due = self.due or self.start
        return None if start is None or due is None else (start, due)


def build_timeline(
    steps: list[StepDates],
    *,
    go_live: datetime.date | None,
    today: datetime.date,
    go_live_label: str,
    today_label: str,
    width: int | None = None,
) -> Timeline | None:
    """None when no step has dates to place. Without ``width`` the positions
    are percentages of the card's width (the screen). With it they are in the
    drawing's units, for a viewBox that wide: wider draws the same type
    smaller against the bars (the PDF's full page)."""
    dated = [dates for dates in (s.span for s in steps) if dates is not None]
    if not dated:
        return None
    first = min(start for start, _due in dated)
    last = max(due for _start, due in dated)
    if go_live:
        first, last = min(first, go_live), max(last, go_live)
    # Today widens the range only when it is near the plan, so that a plan far
    # in the future is not squeezed into a corner.
    show_today = first - datetime.timedelta(days=60) <= today <= last + datetime.timedelta(days=60)
    if show_today:
        first, last = min(first, today), max(last, today)
    span = max((last - first).days, 1)
    if width is None:
        left, right, full, min_bar = PERCENT_LEFT, PERCENT_RIGHT, 100.0, PERCENT_MIN_BAR
    else:
        left, right, full, min_bar = LEFT, width - (WIDTH - RIGHT), float(width), 3.0
    scale = (right - left) / span

    def x_of(day: datetime.date) -> float:
        return round(left + (day - first).days * scale, 1)

    bars = []
    x: float
    for index, step in enumerate(steps):
        top = TOP + index * ROW
        dates = step.span
        if dates is None:
            x, length = left, 0.0
        else:
            x = x_of(dates[0])
            length = max(round(x_of(dates[1]) - x, 1), min_bar)
        bars.append(
            TimelineBar(
                number=step.number,
                label=f"{step.number}. {step.title}",
                label_y=top + 13,
                bar_y=top + 19,
                x=x,
                width=length,
                status=step.status,
                overdue=step.overdue,
                undated=dates is None,
                marker_y1=top + 16,
                marker_y2=top + 33,
            )
        )
    markers = []
    for day, label, kind in ((go_live, go_live_label, "go_live"), (today, today_label, "today")):
        if day is None or (kind == "today" and not show_today):
            continue
        x = x_of(day)
        anchor = "start" if x < full / 4 else ("end" if x > full * 3 / 4 else "middle")
        # Go-live's label on the first line, today's on the second: they
        # never overlap, even when the two days are close.
        label_y = 12 if kind == "go_live" else 27
        markers.append(Marker(x=x, label=label, kind=kind, anchor=anchor, label_y=label_y))
    return Timeline(
        bars=tuple(bars),
        markers=tuple(markers),
        width=width,
        height=TOP + len(steps) * ROW + 4,
    )
