"""Forms for a step of the plan and its tasks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from actionplan.defaults import default_dates
from actionplan.models import Step, Task
from playbooks.forms import DateInput


class StepForm(forms.ModelForm):
    class Meta:
        model = Step
        fields = ["title", "description", "owner", "start", "due", "status"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "start": DateInput(),
            "due": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        step = self.instance
        self.defaults = default_dates(step.number, step.playbook.go_live)
        if step.dates_are_default:
            # Show the dates the step has now; saving them unchanged keeps them
            # following go-live.
            self.initial["start"], self.initial["due"] = self.defaults
            self.fields["start"].help_text = _("Follows go-live until you change it.")

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give the step a title."))
        return title

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, due = cleaned.get("start"), cleaned.get("due")
        if start and due and due < start:
            self.add_error("due", _("The due date is before the start date."))
        return cleaned

    def save(self, commit: bool = True) -> Step:
        step = super().save(commit=False)
        if (step.start, step.due) == self.defaults:
            # Unchanged: the dates keep following go-live.
            step.start = step.due = None
        if commit:
            step.save()
        return step


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["text", "due"]
        widgets = {"due": DateInput()}

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write what is to be done."))
        return text
