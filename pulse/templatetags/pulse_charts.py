"""The measured balance of a role, week by week since go-live, as a sparkline:
inline SVG written in Python (as ``balance_svg`` is), drawn only from what
``pulse.results`` allows to be shown. A week not shown is a gap in the line,
never a zero; the plan's time balance is the dashed reference line. The
adoption rate likewise (``adoption_sparkline``), its target dashed."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django import template
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from pulse.adoption import RoleAdoption
from pulse.charts import rate_line, sparkline
from pulse.results import RoleResults
from roles import equation
from roles.templatetags.wiifm import BAR_COLOURS

register = template.Library()

WIDTH = 160
HEIGHT = 40
LINE = "#0b5d78"  # the app's primary colour: 6.9:1 on white
PLANNED = "#4a5d65"


def _n(value: float) -> str:
    """A coordinate: a dot as separator in every language."""
    return f"{value:.1f}"


class _Point(Protocol):
    @property
    def x(self) -> float: ...

    @property
    def y(self) -> float: ...


def _svg(
    chart_id: str,
    width: int,
    height: int,
    title: str,
    desc: str,
    guide_y: float,
    segments: Sequence[Sequence[_Point]],
    last_colour: str,
) -> SafeString:
    """A sparkline: the dashed guide (the plan, the target), each run of weeks
    shown one after another as a line (a lone week as a dot), the last point
    marked in ``last_colour``; its title and description for screen readers."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<line x1="0" y1="{_n(guide_y)}" x2="{width}" y2="{_n(guide_y)}" '
        f'stroke="{PLANNED}" stroke-width="1" stroke-dasharray="3 3" '
        f'vector-effect="non-scaling-stroke"/>',
    ]
    for segment in segments:
        if len(segment) == 1:
            point = segment[0]
            parts.append(f'<circle cx="{_n(point.x)}" cy="{_n(point.y)}" r="2" fill="{LINE}"/>')
            continue
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{_n(p.x)} {_n(p.y)}" for i, p in enumerate(segment)
        )
        parts.append(
            f'<path d="{path}" fill="none" stroke="{LINE}" stroke-width="2" '
            f'stroke-linejoin="round" stroke-linecap="round" vector-effect="non-scaling-stroke"/>'
        )
    if segments:
        last = segments[-1][-1]
        parts.append(
            f'<circle cx="{_n(last.x)}" cy="{_n(last.y)}" r="3" '
            f'fill="{last_colour}" stroke="#fff" stroke-width="1"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


@register.simple_tag
def pulse_sparkline(results: RoleResults, prefix: str = "trend", width: int = WIDTH) -> SafeString:
    """The sparkline with its title and a description of every closed week
    (``role="img"``: a screen reader reads the description, not the lines).
    Its ids are ``prefix``, the role's id and -title / -desc."""
    chart_id = escape(f"{prefix}-{results.role_id}")
    height = HEIGHT
    line = sparkline(results, width, height)
    separator = formats.get_format("DECIMAL_SEPARATOR")
    unit = gettext("min")

    def minutes(value: Decimal) -> str:
        return equation.format_minutes(value, decimal_separator=separator)

    weeks = "; ".join(
        gettext("week %(week)s: %(balance)s %(unit)s")
        % {"week": w.week, "balance": minutes(w.measured.balance), "unit": unit}
        if w.measured is not None
        else gettext("week %(week)s: not shown") % {"week": w.week}
        for w in results.weeks
    )
    desc = (
        gettext("Planned %(planned)s %(unit)s.")
        % {"planned": minutes(results.planned), "unit": unit}
        + " "
        + weeks
        + "."
    )
    title = gettext("Measured balance per week since go-live")
    colour = BAR_COLOURS[line.last.verdict] if line.last is not None else LINE
    return _svg(chart_id, width, height, title, desc, line.planned_y, line.segments, colour)


@register.filter
def one_decimal(value: Decimal) -> str:
    """Got back, the exact mean of 1-5, with one decimal, half away from zero
    (``3.04`` shows ``3.0``; the verdict uses the exact value)."""
    rounded = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{rounded:f}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))


BELOW = "#a52834"  # under target: the net loser's red
AT_TARGET = "#1e7a4c"  # at or above: the net beneficiary's green
NBSP = "\u00a0"


@register.filter
def grouped(value: int) -> str:
    """A whole number with the language's thousands separator: "1,234" / "1.234"."""
    return formats.number_format(value, force_grouping=True)


@register.filter
def percent(value: int) -> str:
    """A whole percent, its sign kept with the number: "78 %"."""
    return f"{formats.number_format(value, force_grouping=True)}{NBSP}%"


@register.simple_tag
def adoption_sparkline(
    adoption: RoleAdoption, prefix: str = "rate", width: int = WIDTH
) -> SafeString:
    """The adoption rate of each closed week against the role's target (dashed),
    with its title and a description of every week (``role="img"``). A week
    without a figure is a gap. Its ids are ``prefix``, the role's id and
    -title / -desc."""
    chart_id = escape(f"{prefix}-{adoption.role_id}")
    height = HEIGHT
    line = rate_line(adoption, width, height)
    weeks = "; ".join(
        gettext("week %(week)s: %(rate)s") % {"week": w.week, "rate": percent(w.rate)}
        if w.rate is not None
        else gettext("week %(week)s: no figure") % {"week": w.week}
        for w in adoption.weeks
    )
    desc = gettext("Target %(target)s.") % {"target": percent(adoption.target)} + " " + weeks + "."
    title = gettext("Adoption rate per week since go-live")
    colour = BELOW if line.last is not None and line.last.below else AT_TARGET
    return _svg(chart_id, width, height, title, desc, line.target_y, line.segments, colour)
