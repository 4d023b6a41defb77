"""The plan's timeline: each step as a bar from start to due, around go-live.

Geometry in plain Python; templates/includes/plan_timeline.html draws it as
inline SVG with presentation attributes, like the balance chart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

WIDTH = 400
LEFT = 8
RIGHT = WIDTH - 8
ROW = 42
TOP = 34  # keep ROW and TOP whole numbers; the markers' labels sit above


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
    width: int
    height: int

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
    width: int = WIDTH,
) -> Timeline | None:
    """None when no step has dates to place. ``width`` in the drawing's units:
    wider draws the same type smaller against the bars (the PDF's full page)."""
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
    right = width - (WIDTH - RIGHT)
    scale = (right - LEFT) / span

    def x_of(day: datetime.date) -> float:
        return round(LEFT + (day - first).days * scale, 1)

    bars = []
    x: float
    for index, step in enumerate(steps):
        top = TOP + index * ROW
        dates = step.span
        if dates is None:
            x, length = LEFT, 0.0
        else:
            x = x_of(dates[0])
            length = max(round(x_of(dates[1]) - x, 1), 3.0)
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
        anchor = "start" if x < width / 4 else ("end" if x > width * 3 / 4 else "middle")
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
