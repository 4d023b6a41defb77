"""The ambassador form, and the roster file upload."""

from __future__ import annotations

import copy
import datetime
import functools
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Ambassador
from core.concurrency import VersionedForm
from core.forms import DateInput, limit_field
from playbooks.models import Playbook


def email_holder(
    playbook: Playbook, email: str, *, exclude_pk: int | None = None
) -> Ambassador | None:
    """The other ambassador of this playbook with this e-mail, if any: one of a
    deleted role too, since that role comes back with its ambassadors (the
    database keeps e-mails unique among all of them). One query."""
    others = Ambassador.all_objects.filter(playbook=playbook, email__iexact=email)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.select_related("role").first()


def clean_name(value: str) -> str:
    """The name as the form keeps it: stripped, not empty."""
    name = value.strip()
    if not name:
        raise forms.ValidationError(_("Give the ambassador's name."))
    return name


def training_date_clash(training: str | None, trained_on: datetime.date | None) -> bool:
    """A training date with a training not started: refused."""
    return bool(trained_on) and training == Ambassador.Training.NOT_STARTED


class AmbassadorForm(VersionedForm):
    class Meta:
        model = Ambassador
        fields = [
            "role",
            "name",
            "email",
            "department",
            "influence",
            "early_access",
            "training",
            "trained_on",
            "notes",
        ]
        widgets = {
            "influence": forms.Select(choices=[(n, f"{n} {'★' * n}") for n in range(1, 6)]),
            "early_access": DateInput(),
            "trained_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, playbook: Playbook, **kwargs: Any) -> None:
        self.playbook = playbook
        super().__init__(*args, **kwargs)
        self.limit_roles()
        self.fields["email"].help_text = _(
            "Unique within this playbook; the personal link goes here."
        )

    def limit_roles(self) -> None:
        """Only this playbook's roles: another playbook's role id is an invalid
        choice, whatever the browser sends."""
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ModelChoiceField)  # a ForeignKey's form field
        role_field.queryset = self.playbook.roles.all()
        role_field.empty_label = None

    def clean_name(self) -> str:
        return clean_name(self.cleaned_data["name"])

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        holder = email_holder(self.playbook, email, exclude_pk=self.instance.pk)
        if holder is not None and holder.role.deleted_at is not None:
            raise forms.ValidationError(
                _(
                    "%(name)s of the deleted role “%(role)s” has this e-mail. Restore the role "
                    "on the Changes page to have them back, or use another e-mail: a deleted "
                    "role is removed for good 30 days after its deletion."
                )
                % {"name": holder.name, "role": holder.role.name}
            )
        if holder is not None:
            raise forms.ValidationError(
                _("Another ambassador of this playbook already has this e-mail.")
            )
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        role = cleaned.get("role")
        if role is not None and role.playbook_id != self.playbook.pk:
            self.add_error("role", _("Choose one of this playbook's roles."))
        if training_date_clash(cleaned.get("training"), cleaned.get("trained_on")):
            self.add_error("trained_on", TRAINING_DATE_MESSAGE)
        return cleaned

    def save(self, commit: bool = True) -> Ambassador:
        self.instance.playbook = self.playbook
        return super().save(commit=commit)


TRAINING_DATE_MESSAGE = _("A training date goes with a scheduled or completed training.")
# The fields of a row that the roster file writes, as the form names them.
ROW_FIELDS = tuple(name for name in AmbassadorForm.Meta.fields if name != "role")


@functools.cache
def _model_checks(name: str) -> tuple[models.Field[Any, Any], list[Any]]:
    """The model field of a form field, and those of its validators that the
    form field has not run already (its range: 1 to 5 for influence), as the
    form's ``full_clean`` runs them."""
    model_field = Ambassador._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    ran = AmbassadorForm.base_fields[name].validators
    return model_field, [v for v in model_field.validators if v not in ran]


class RowCleaner:
    """The ambassador form's checks of rows' ``ROW_FIELDS`` (text, as a form
    posts them), without a form: for the many rows of a roster file.

    The same rules, from the same place: each of the form's fields cleans its
    value (``AmbassadorForm.base_fields``: its parsing, required, length),
    then the model's field checks it as the form's ``full_clean`` does
    (choices, range), then the form's own ``clean_name`` and training date.
    The role and the e-mail's uniqueness are the caller's. Each value is
    checked once (a department, a date, a training that many rows share: the
    checks depend on the value alone)."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, Any], Any] = {}
        # The form's fields as a form has them: with the lengths counted and
        # refused as every form's are (core.forms.limit_texts).
        self._fields = {
            name: limit_field(copy.deepcopy(AmbassadorForm.base_fields[name]))
            for name in ROW_FIELDS
        }

    def value(self, name: str, value: Any) -> Any:
        """One field's value cleaned, or ValidationError."""
        key = (name, value)
        if key not in self._known:
            try:
                self._known[key] = self._clean(name, value)
            except forms.ValidationError as error:
                self._known[key] = error
        found = self._known[key]
        if isinstance(found, forms.ValidationError):
            raise found
        return found

    def _clean(self, name: str, value: Any) -> Any:
        form_field = self._fields[name]
        cleaned = form_field.clean(value)
        model_field, extra = _model_checks(name)
        model_field.validate(cleaned, None)  # choices, blank
        if cleaned not in model_field.empty_values:
            errors: list[forms.ValidationError] = []
            for validator in extra:
                try:
                    validator(cleaned)
                except forms.ValidationError as error:
                    errors.extend(error.error_list)
            if errors:
                raise forms.ValidationError(errors)
        if name == "name":
            return clean_name(cleaned)
        if name == "email":
            return cleaned.strip().lower()
        return cleaned

    def row(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """The fields ``data`` has, cleaned, and the errors of each field
        (none when the row is valid)."""
        cleaned: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for name in ROW_FIELDS:
            if name not in data:
                continue
            try:
                cleaned[name] = self.value(name, data[name])
            except forms.ValidationError as error:
                errors[name] = list(error.messages)
        if "trained_on" in cleaned and training_date_clash(
            cleaned.get("training"), cleaned.get("trained_on")
        ):
            errors["trained_on"] = [str(TRAINING_DATE_MESSAGE)]
        return cleaned, errors


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (CSV)"),
        help_text=_(
            "Columns: name, email, department, role, influence, early_access, training, "
            "trained_on, notes. Separated by ; or ,. Ambassadors are matched by e-mail."
        ),
    )
