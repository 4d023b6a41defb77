"""Forms for a step of the plan and its tasks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from actionplan.defaults import default_dates
from actionplan.models import Step, Task
from core.concurrency import FollowDefaultForm, VersionedForm
from core.forms import OWNER_HELP, DateInput, SuggestingInput, one_line


class StepForm(VersionedForm):
    # The dates the form showed while they followed go-live: saving them
    # unchanged keeps them following go-live, even if go-live moved meanwhile.
    shown_start = forms.DateField(required=False, widget=forms.HiddenInput)
    shown_due = forms.DateField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Step
        fields = ["title", "description", "owner", "start", "due", "status"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "start": DateInput(),
            "due": DateInput(),
            "owner": SuggestingInput(),
        }
        help_texts = {"owner": OWNER_HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        step = self.instance
        self.was_default = step.dates_are_default
        self.fields["title"].error_messages["required"] = _("Give the step a title.")
        if self.was_default:
            defaults = default_dates(step.number, step.playbook.go_live)
            self.initial["start"], self.initial["due"] = defaults
            self.initial["shown_start"], self.initial["shown_due"] = defaults
            if step.playbook.go_live:
                self.fields["start"].help_text = _("Follows go-live until you change it.")
        else:
            start, due = default_dates(step.number, step.playbook.go_live)
            if start is not None and due is not None:
                self.fields["start"].help_text = _(
                    "Empty both dates to follow go-live again (%(start)s – %(due)s)."
                ) % {
                    "start": formats.date_format(start, "DATE_FORMAT"),
                    "due": formats.date_format(due, "DATE_FORMAT"),
                }

    def clean_title(self) -> str:
        return one_line(self.cleaned_data["title"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, due = cleaned.get("start"), cleaned.get("due")
        if start and due and due < start:
            self.add_error("due", _("The due date is before the start date."))
        return cleaned

    def save(self, commit: bool = True) -> Step:
        step = super().save(commit=False)
        # What the form showed, not the row now: someone may have typed dates
        # since this form was read (the save then merges or says so).
        shown = (self.cleaned_data.get("shown_start"), self.cleaned_data.get("shown_due"))
        if any(shown) and (step.start, step.due) == shown:
            # Unchanged: the dates keep following go-live.
            step.start = step.due = None
        if commit:
            step.save()
        return step


class FollowGoLiveForm(FollowDefaultForm):
    """A step's "follow go-live again": posts only the version token, so its
    typed dates come back empty, and the save says if someone else changed
    them since the page was read (core.concurrency)."""

    class Meta:
        model = Step
        fields = ["start", "due"]


class TaskForm(VersionedForm):
    class Meta:
        model = Task
        fields = ["text", "due"]
        widgets = {"due": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = _("Write what is to be done.")
