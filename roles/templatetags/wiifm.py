"""Numbers and verdicts of the Net Beneficiary equation, for the active language,
and the typography of the words the product writes around people's text."""

from __future__ import annotations

import re
from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.typography import quote
from roles import equation
from roles.chart import BAR_HEIGHT, Chart
from roles.equation import Verdict

register = template.Library()

VERDICT_LABELS = {
    Verdict.NET_BENEFICIARY: _("net beneficiary"),
    Verdict.AT_RISK: _("at risk"),
    Verdict.NET_LOSER: _("net loser"),
    Verdict.NOT_ASSESSED: _("not assessed"),
}
VERDICT_RULES = {
    Verdict.NET_BENEFICIARY: _("the time balance is 0 or more and the perceived score above 0"),
    Verdict.AT_RISK: _("the time balance and the perceived score disagree"),
    Verdict.NET_LOSER: _("the time balance is below 0 and the perceived score 0 or less"),
    Verdict.NOT_ASSESSED: _("no Give-Gets and no perceived factor scored yet"),
}


def _separator() -> str:
    return formats.get_format("DECIMAL_SEPARATOR")


@register.filter
def minutes(value: Decimal | int) -> str:
    """+20, −0.4 (or −0,4 in Danish)."""
    return equation.format_minutes(value, decimal_separator=_separator())


@register.filter
def minutes_unsigned(value: Decimal | int) -> str:
    return equation.format_minutes(value, decimal_separator=_separator(), sign=False)


@register.filter
def hours(value: Decimal | int) -> str:
    return equation.format_hours(value, decimal_separator=_separator())


@register.filter
def number(value: Decimal | int) -> str:
    return equation.format_number(value, decimal_separator=_separator())


@register.filter
def grouped(value: int) -> str:
    """A count with thousands grouped as the active language writes them (2,600; 2.600)."""
    return formats.number_format(value, force_grouping=True)


@register.filter
def signed(value: int) -> str:
    return equation.format_signed(value)


@register.filter
def score(value: int | None) -> str:
    """A perceived factor: its score, or an en dash while not scored (it counts 0)."""
    return "–" if value is None else str(value)


@register.filter
def verdict_label(value: str) -> str:
    return str(VERDICT_LABELS[Verdict(value)])


@register.filter
def verdict_rule(value: str) -> str:
    return str(VERDICT_RULES[Verdict(value)])


NUMBER_AFTER_WORD = re.compile(r"(?<=\w) (?=\d)")
HYPHENATED_NUMBER = re.compile(r"\w+-\d+")


@register.filter
def quoted(value: str) -> SafeString:
    """Someone's words (a role's question) in the active language's quotation
    marks; the words themselves as typed, escaped, without the spaces around
    them (a closing mark after a space would wrap onto a line of its own)."""
    return mark_safe(quote(str(conditional_escape(value))))  # noqa: S308 - escaped; quote() strips


@register.filter
def keep_numbers(value: str) -> SafeString:
    """A no-break space before each number that follows a word, and a word
    joined to a number by a hyphen kept on one line, so that a header never
    wraps as "week" / "1" ("uge" / "1" in Danish) nor "Week-" / "1". Escaped."""
    text = NUMBER_AFTER_WORD.sub("\u00a0", str(conditional_escape(value)))
    text = HYPHENATED_NUMBER.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', text)
    return mark_safe(text)  # noqa: S308 - escaped above


BAR_COLOURS = {
    Verdict.NET_BENEFICIARY: "#1e7a4c",
    Verdict.AT_RISK: "#b07d00",
    Verdict.NET_LOSER: "#a52834",
    Verdict.NOT_ASSESSED: "#6c757d",
}
SCREEN_FONTS = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


@register.simple_tag
def balance_svg(chart: Chart, chart_id: str = "", pdf: bool = False) -> SafeString:
    """The balance chart as inline SVG, written in Python: a cell save redraws it
    for 40 roles, which the template language took about 5 ms to do. Every name
    is escaped; coordinates are plain numbers (never "196,5") in any language."""
    chart_id = escape(chart_id or "chart")
    unit = escape(gettext("min"))
    separator = _separator()  # once: the bars are many
    values = [equation.format_minutes(bar.value, decimal_separator=separator) for bar in chart.bars]
    names = [escape(bar.name) for bar in chart.bars]

    fonts = "Source Sans 3" if pdf else SCREEN_FONTS
    # str() first: escape() keeps a lazy label lazy, and each use would translate it again.
    labels = {verdict: escape(str(label)) for verdict, label in VERDICT_LABELS.items()}
    desc = "; ".join(
        f"{name}: {value} {unit}, {labels[Verdict(bar.verdict)]}"
        for bar, name, value in zip(chart.bars, names, values, strict=True)
    ) or escape(gettext("No roles yet."))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width} {chart.height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{fonts}">',
        f'<title id="{chart_id}-title">'
        f"{escape(gettext('Time balance per person per week, by role'))}</title>",
        f'<desc id="{chart_id}-desc">{desc}</desc>',
    ]
    for bar, value in zip(chart.bars, values, strict=True):
        verdict = Verdict(bar.verdict)
        # As truncatechars:24 does: 23 characters and an ellipsis.
        name = escape(bar.name if len(bar.name) <= 24 else bar.name[:23] + "…")
        parts.append(
            f'<text x="{chart.centre}" y="{bar.name_y}" text-anchor="middle" font-size="15" '
            f'font-weight="600" fill="#102a35">{name} · {labels[verdict]}</text>'
            f'<line x1="{chart.centre}" y1="{bar.axis_y1}" x2="{chart.centre}" '
            f'y2="{bar.axis_y2}" stroke="#4a5d65" stroke-width="1.5"/>'
            f'<rect x="{bar.x}" y="{bar.bar_y}" width="{bar.width}" height="{BAR_HEIGHT}" '
            f'rx="3" fill="{BAR_COLOURS[verdict]}"/>'
            f'<text x="{bar.value_x}" y="{bar.value_y}" text-anchor="{bar.value_anchor}" '
            f'font-size="15" fill="#102a35">{value} {unit}</text>'
        )
    parts.append("</svg>")
    return mark_safe("\n".join(parts))  # noqa: S308 - every text above is escaped
