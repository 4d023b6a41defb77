"""The role form: the role's question, answer, quick win and perceived factors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core.concurrency import FollowDefaultForm, VersionedForm
from core.forms import DateInput, DigitsField
from playbooks.models import Playbook
from roles.models import FACTORS, Role, week_one_end


def name_taken(playbook: Playbook, name: str, *, exclude_pk: int | None = None) -> bool:
    """Role names are unique within a playbook, ignoring case in every alphabet.

    Python's casefold() and the database's lower() (behind the unique
    constraint) disagree on a few letters (İ and I, say): a name is taken when
    either says so. One query.
    """
    folded = name.casefold()
    others = playbook.roles.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    rows = others.annotate(lowered=Lower("name"), candidate=Lower(Value(name))).values_list(
        "name", "lowered", "candidate"
    )
    return any(
        other.casefold() == folded or lowered == candidate for other, lowered, candidate in rows
    )


class RoleForm(VersionedForm):
    class Meta:
        model = Role
        fields = [
            "name",
            "headcount",
            "question",
            "wiifm",
            "concerns",
            "quick_win",
            "quick_win_due",
            "quick_win_done",
            *FACTORS,
        ]
        widgets = {
            "question": forms.Textarea(attrs={"rows": 2}),
            "wiifm": forms.Textarea(attrs={"rows": 3}),
            "concerns": forms.Textarea(attrs={"rows": 2}),
            "quick_win_due": DateInput(),
            **{
                factor: forms.NumberInput(attrs={"min": 0, "max": 5, "step": 1})
                for factor in FACTORS
            },
        }

    def __init__(self, *args: Any, playbook: Playbook, **kwargs: Any) -> None:
        self.playbook = playbook
        super().__init__(*args, **kwargs)
        self.fields["headcount"].widget.attrs.update({"min": 0, "step": 1})
        default = week_one_end(playbook.go_live)
        if "quick_win_due" not in self.fields:
            pass
        elif default:
            self.fields["quick_win_due"].help_text = _(
                "Leave empty for the end of week 1 (%(date)s); it then moves with go-live."
            ) % {"date": formats.date_format(default, "DATE_FORMAT")}
        else:
            self.fields["quick_win_due"].help_text = _(
                "Leave empty for the end of week 1, once the playbook has a go-live date."
            )
        for factor in FACTORS:
            if factor in self.fields:  # optional: empty is "not scored yet"
                self.fields[factor].help_text = _(
                    "%(help)s Leave it empty while not scored: it then counts 0."
                ) % {"help": self.fields[factor].help_text}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the role a name."))
        if name_taken(self.playbook, name, exclude_pk=self.instance.pk):
            raise forms.ValidationError(
                _("This playbook already has a role called “%(name)s” (ignoring case).")
                % {"name": name}
            )
        return name


class MatrixRoleForm(RoleForm):
    """A row of the matrix, edited in place: everything but the concerns."""

    class Meta(RoleForm.Meta):
        fields = [field for field in RoleForm.Meta.fields if field != "concerns"]
        widgets = {
            **RoleForm.Meta.widgets,
            "question": forms.Textarea(attrs={"rows": 2}),
            "wiifm": forms.Textarea(attrs={"rows": 2}),
        }


class AddRoleForm(RoleForm):
    """The matrix's last row: a new role, with the rest filled in later."""

    class Meta(RoleForm.Meta):
        fields = ["name", "headcount", "question", "wiifm"]
        widgets = {
            "question": forms.TextInput(),
            "wiifm": forms.TextInput(),
        }


class FactorForm(VersionedForm):
    """One perceived factor, scored on the role page: 0-5, or empty for not
    scored. One factor per form, so that two people scoring different factors
    do not overwrite each other's."""

    class Meta:
        model = Role
        fields = FACTORS

    def __init__(self, *args: Any, factor: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.factor = factor
        for other in FACTORS:
            if other != factor:
                del self.fields[other]


class AdoptionTargetForm(VersionedForm):
    """The role's adoption target, typed in the results page's grid: one field,
    so that it merges with any other change to the role made meanwhile."""

    adoption_target = DigitsField(
        label=Role._meta.get_field("adoption_target").verbose_name,
        min_value=1,
        max_value=100,
        message=_("Enter the target as a whole percent from 1 to 100, in digits."),
    )

    class Meta:
        model = Role
        fields = ["adoption_target"]

    def validate_constraints(self) -> None:
        """Left to the database, as for a matrix cell: the field's validators
        hold the same range (1-100), and checking the constraints here would
        cost a savepoint and a query on every save."""


class QuickWinFollowForm(FollowDefaultForm):
    """A role's quick win "follow go-live again": posts only the version
    token, so the typed date comes back empty, unless someone else changed it
    since the page was read (core.concurrency)."""

    class Meta:
        model = Role
        fields = ["quick_win_due"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quick_win_due"].widget = forms.HiddenInput()
