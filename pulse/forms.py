"""The pulse's four questions (DESIGN.md "The weekly pulse")."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pulse.models import MAX_COMMENT, MAX_MINUTES

GOT_BACK = [(score, str(score)) for score in range(1, 6)]  # the ends are named on the page


class MinutesField(forms.IntegerField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            min_value=0,
            max_value=MAX_MINUTES,
            error_messages={
                "required": _("Give a number of minutes; 0 is a fine answer."),
                "invalid": _("Give a whole number of minutes, such as 30."),
                "min_value": _("Give 0 or more minutes."),
                "max_value": _("Give at most 2,400 minutes (40 hours)."),
            },
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
            **kwargs,  # type: ignore[arg-type]
        )


class PulseForm(forms.Form):
    cost_minutes = MinutesField(
        label=_("About how many minutes did the CRM cost you in the last seven days?"),
        help_text=_("Typing, logging, searching: 0 to 2,400."),
    )
    saved_minutes = MinutesField(
        label=_("About how many minutes did it save you?"),
        help_text=_("Reports you did not build, answers you found faster: 0 to 2,400."),
    )
    got_back = forms.TypedChoiceField(
        label=_("Did you get something back from the CRM?"),
        choices=GOT_BACK,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pick one, from 1 (not at all) to 5 (a lot)."),
            "invalid_choice": _("Pick one, from 1 (not at all) to 5 (a lot)."),
        },
    )
    comment = forms.CharField(
        label=_("What would make it worth your time?"),
        help_text=_("Optional, at most 500 characters. Leave out names: yours and others'."),
        required=False,
        max_length=MAX_COMMENT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Keep it to 500 characters (you wrote %(show_value)d).")},
    )
