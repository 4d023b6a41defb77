"""The balance chart: each role's time balance as a horizontal bar around zero.

Geometry only, computed here in plain Python; the template draws it as inline
SVG with presentation attributes (no style=, no JavaScript), so the same
drawing serves the matrix page and, later, the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 400  # viewBox units; the SVG scales to its container
CENTRE = WIDTH / 2
MAX_BAR = (
    CENTRE - 110
)  # room for the value text, such as −2400 min  # room for the value text beside the longest bar
ROW = 50  # per role: its name on one line, the bar below it
TOP = 8
BAR_HEIGHT = 18


@dataclass(frozen=True)
class Bar:
    name: str
    value: Decimal
    verdict: str
    name_y: float
    bar_y: float
    x: float
    width: float
    value_x: float
    value_y: float
    value_anchor: str
    negative: bool
    axis_y1: float
    axis_y2: float


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    centre: float
    axis_top: float
    axis_bottom: float


def balance_chart(rows: list[tuple[str, Decimal, str]]) -> Chart:
    """Bars for (role name, time balance per person per week, verdict), in order.

    The bar's side is the balance's sign; its colour, and the word beside the
    name, is the verdict, which also weighs the perceived factors.
    """
    largest = max((abs(value) for _name, value, _verdict in rows), default=Decimal(0))
    scale = Decimal(MAX_BAR) / largest if largest else Decimal(0)
    bars = []
    for index, (name, value, verdict) in enumerate(rows):
        top = TOP + index * ROW
        length = float(abs(value) * scale)
        if value and length < 2:
            length = 2  # a balance that is not zero stays visible
        negative = value < 0
        x = CENTRE - length if negative else CENTRE
        bar_y = top + 21
        bars.append(
            Bar(
                name=name,
                value=value,
                verdict=verdict,
                name_y=top + 14,
                bar_y=bar_y,
                x=x,
                width=length,
                value_x=(x - 6) if negative else (CENTRE + length + 6),
                value_y=bar_y + BAR_HEIGHT - 4,
                value_anchor="end" if negative else "start",
                negative=negative,
                # The zero line is drawn beside each bar, not across the names.
                axis_y1=bar_y - 4,
                axis_y2=bar_y + BAR_HEIGHT + 4,
            )
        )
    height = TOP + max(len(rows), 1) * ROW
    return Chart(
        bars=tuple(bars),
        width=WIDTH,
        height=height,
        centre=CENTRE,
        axis_top=TOP,
        axis_bottom=height,
    )
