"""The Give-Get form: what a role gives, and what it gets back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core.concurrency import VersionedForm
from core.forms import OWNER_HELP, DateInput, SuggestingInput
from givegets.models import GiveGet
from roles.equation import (
    MAX_MINUTES_PER_WEEK,
    MAX_TIMES_PER_WEEK,
    format_minutes,
    format_number,
)


def over_the_cap(minutes: int, times: Decimal) -> str:
    """Why a Give-Get asking ``minutes`` × ``times`` a week is refused, in
    words ("" when it is within the 2,400-minute cap)."""
    given = Decimal(minutes) * Decimal(times)
    if given <= MAX_MINUTES_PER_WEEK:
        return ""
    separator = formats.get_format("DECIMAL_SEPARATOR")
    return _(
        "%(minutes)s min × %(times)s = %(given)s minutes a week. One Give-Get "
        "may ask at most 2,400 minutes a week (a 40-hour week)."
    ) % {
        "minutes": minutes,
        "times": format_number(times, decimal_separator=separator),
        "given": format_minutes(given, sign=False, decimal_separator=separator),
    }


class GiveGetForm(VersionedForm):
    times_per_week = forms.DecimalField(
        label=_("Times per week"),
        min_value=Decimal(0),
        max_value=Decimal(MAX_TIMES_PER_WEEK),
        max_digits=7,
        decimal_places=2,
        localize=True,
        initial=Decimal(1),
        help_text=_("0.25 is once a month."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    class Meta:
        model = GiveGet
        fields = [
            "give",
            "minutes_each",
            "times_per_week",
            "get",
            "get_kind",
            "minutes_saved_per_week",
            "owner",
            "deliver_by",
            "status",
        ]
        widgets = {"deliver_by": DateInput(), "owner": SuggestingInput()}
        help_texts = {"owner": OWNER_HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        times = self.initial.get("times_per_week")
        if isinstance(times, Decimal):
            # Show 8, not 8.00; 0.25 stays 0.25 (0,25 in Danish).
            integral = times == times.to_integral_value()
            self.initial["times_per_week"] = (
                times.quantize(Decimal(1)) if integral else times.normalize()
            )
        for name in ("minutes_each", "minutes_saved_per_week"):
            self.fields[name].widget.attrs.update(
                {"min": 0, "max": MAX_MINUTES_PER_WEEK, "step": 1}
            )

    def clean_give(self) -> str:
        give = self.cleaned_data["give"].strip()
        if not give:
            raise forms.ValidationError(_("Say what the role is asked to give."))
        return give

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # A form of one cell (the matrix) checks the cap with the other value as saved.
        minutes = (
            cleaned.get("minutes_each")
            if "minutes_each" in self.fields
            else self.instance.minutes_each
        )
        times = (
            cleaned.get("times_per_week")
            if "times_per_week" in self.fields
            else self.instance.times_per_week
        )
        checked = [name for name in ("times_per_week", "minutes_each") if name in self.fields]
        if minutes is None or times is None or not checked:
            return cleaned
        if minutes > MAX_MINUTES_PER_WEEK * MAX_TIMES_PER_WEEK:
            # Far past the cap whatever the times (a number of thousands of
            # digits is past what a Decimal can round): the field's own limit
            # ("at most 2400") says so beside it.
            return cleaned
        if refusal := over_the_cap(minutes, times):
            self.add_error(checked[0], refusal)
        return cleaned


class QuickGiveGetForm(GiveGetForm):
    """A Give-Get added in the matrix: the give, the get and their minutes.
    Its kind and status start at their defaults, edited in their cells."""

    class Meta(GiveGetForm.Meta):
        fields = ["give", "minutes_each", "times_per_week", "get", "minutes_saved_per_week"]
