"""The ambassador form, and the roster file upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Ambassador
from core.concurrency import VersionedForm
from core.forms import DateInput
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
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the ambassador's name."))
        return name

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
        if cleaned.get("trained_on") and cleaned.get("training") == Ambassador.Training.NOT_STARTED:
            self.add_error(
                "trained_on", _("A training date goes with a scheduled or completed training.")
            )
        return cleaned

    def save(self, commit: bool = True) -> Ambassador:
        self.instance.playbook = self.playbook
        return super().save(commit=commit)


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (CSV)"),
        help_text=_(
            "Columns: name, email, department, role, influence, early_access, training, "
            "trained_on, notes. Separated by ; or ,. Ambassadors are matched by e-mail."
        ),
    )
