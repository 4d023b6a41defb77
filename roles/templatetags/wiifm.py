"""Numbers and verdicts of the Net Beneficiary equation, for the active language."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from roles import equation
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
