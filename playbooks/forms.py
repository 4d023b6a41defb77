"""Forms for playbooks and their members."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import limits
from core.accounts import display_name
from core.concurrency import VersionedForm
from core.forms import DateInput
from playbooks.models import Level, Membership, Playbook


class MemberChoiceField(forms.ModelChoiceField):
    """A member by name and e-mail, as ambassadors would see them."""

    def label_from_instance(self, obj: Any) -> str:
        name = display_name(obj)
        return f"{name} <{obj.email}>" if obj.email else name


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
            "ambassador_contact",
        ]
        widgets = {
            "go_live": DateInput(),
            "pledge": forms.Textarea(attrs={"rows": 3}),
            "data_used_for": forms.Textarea(attrs={"rows": 3}),
            "data_not_used_for": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"ambassador_contact": MemberChoiceField}

    def __init__(self, *args: Any, can_choose_contact: bool = True, **kwargs: Any) -> None:
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

        if "ambassador_contact" in self.fields:
            contact = self.fields["ambassador_contact"]
            assert isinstance(contact, MemberChoiceField)
            # Active owners only: the select offers nobody else, and a crafted
            # post naming someone else is refused as any choice not offered.
            # Owners choose (a name and e-mail go on a page without login);
            # an editor sees the choice and cannot change it.
            contact.queryset = (
                get_user_model()
                .objects.filter(
                    memberships__playbook=self.instance,
                    memberships__level=Level.OWNER,
                    is_active=True,
                )
                .order_by("first_name", "last_name", "username")
            )
            contact.empty_label = _("Nobody (no contact shown)")
            contact.required = False
            contact.error_messages["invalid_choice"] = _(
                "Choose an owner of this playbook, or nobody."
            )
            if not can_choose_contact:
                contact.disabled = True
                contact.help_text = _("Chosen by the playbook’s owners.")

    def clean_ambassador_contact(self) -> Any:
        # Left out (a form drawn before this setting existed) keeps the contact;
        # chosen "nobody" posts an empty value and clears it.
        if self.add_prefix("ambassador_contact") not in self.data:
            return self.instance.ambassador_contact
        return self.cleaned_data.get("ambassador_contact")

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The playbook's language starts as the one its creator is using.
        language = (get_language() or "").split("-")[0]
        if language in dict(Playbook.Language.choices):
            self.initial.setdefault("language", language)

    class Meta(PlaybookForm.Meta):
        # The pulse's threshold is for later: Edit playbook has it.
        # Its contact is its creator (playbooks.services.create_playbook).
        fields = [
            *(f for f in PlaybookForm.Meta.fields if f not in {"pulse_k", "ambassador_contact"}),
            "with_examples",
        ]


class AddMemberForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=limits.EMAIL,
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
    name = forms.CharField(label=_("Name of the new playbook"), max_length=limits.NAME)
    go_live = forms.DateField(
        label=_("Its go-live date"),
        required=False,
        widget=DateInput(),
        validators=[limits.DateRange()],
        help_text=_("Dates in the plan and the Give-Gets move with it."),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the playbook a name."))
        return name
