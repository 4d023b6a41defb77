"""Forms for playbooks and their members."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.concurrency import VersionedForm
from core.forms import DateInput
from playbooks.models import Level, Membership, Playbook


class PlaybookForm(VersionedForm):
    class Meta:
        model = Playbook
        fields = [
            "name",
            "organisation",
            "crm_system",
            "crm_other",
            "go_live",
            "language",
            "pledge",
            "data_used_for",
            "data_not_used_for",
            "pulse_k",
        ]
        widgets = {
            "go_live": DateInput(),
            "pledge": forms.Textarea(attrs={"rows": 3}),
            "data_used_for": forms.Textarea(attrs={"rows": 3}),
            "data_not_used_for": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "pulse_k" in self.fields:
            k = self.fields["pulse_k"]
            # Left out (a form drawn before this setting existed) keeps the current k.
            k.required = False
            k.error_messages.update(
                {
                    "min_value": _(
                        "k is at least 3: a week with fewer answers could point at people."
                    ),
                    "max_value": _("k is at most 1000."),
                    "invalid": _("Give k as a whole number, such as 5."),
                }
            )

    def clean_pulse_k(self) -> int:
        k = self.cleaned_data.get("pulse_k")
        if k is None and self.add_prefix("pulse_k") in self.data:
            raise forms.ValidationError(_("Give k, at least 3 (5 unless you have a reason)."))
        return self.instance.pulse_k if k is None else k

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the playbook a name."))
        return name

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("crm_system") != Playbook.CRM.OTHER:
            cleaned["crm_other"] = ""
        return cleaned


class CharterForm(VersionedForm):
    """The pledge and the data charter, edited in place on the overview."""

    class Meta:
        model = Playbook
        fields = ["pledge", "data_used_for", "data_not_used_for"]
        widgets = {
            "pledge": forms.Textarea(attrs={"rows": 3}),
            "data_used_for": forms.Textarea(attrs={"rows": 3}),
            "data_not_used_for": forms.Textarea(attrs={"rows": 3}),
        }


class NewPlaybookForm(PlaybookForm):
    with_examples = forms.BooleanField(
        label=_("Start with four example roles"),
        required=False,
        initial=True,
        help_text=_(
            "Sales, customer service, marketing and management, each with its question, "
            "answer, quick win and Give-Gets, in the playbook's language. Edit or delete them."
        ),
    )

    class Meta(PlaybookForm.Meta):
        # The pulse's threshold is for later: Edit playbook has it.
        fields = [*(f for f in PlaybookForm.Meta.fields if f != "pulse_k"), "with_examples"]


class AddMemberForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("Someone without an account gets one, and an e-mail to set a password."),
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=Level.choices,
        initial=Level.VIEWER,
        help_text=_(
            "Viewers read and download; editors change the plan; owners also manage members."
        ),
    )

    def __init__(self, *args: Any, playbook: Playbook, **kwargs: Any) -> None:
        self.playbook = playbook
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(playbook=self.playbook, user__email__iexact=email).exists():
            raise forms.ValidationError(_("This person is already a member of this playbook."))
        return email


class ChangeLevelForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)


class PlaybookFileForm(forms.Form):
    file = forms.FileField(
        label=_("Playbook file (JSON)"),
        help_text=_("A file downloaded from WIIFM Planner, here or on another installation."),
    )


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name of the new playbook"), max_length=200)
    go_live = forms.DateField(
        label=_("Its go-live date"),
        required=False,
        widget=DateInput(),
        help_text=_("Dates in the plan and the Give-Gets move with it."),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the playbook a name."))
        return name
