"""The seven-step action plan of a playbook, and each step's checklist."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.forms import ModelForm
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actionplan.defaults import default_dates
from core import limits
from core.concurrency import Versioned

if TYPE_CHECKING:
    from actionplan.order import Problem
from playbooks.models import Playbook


class Step(Versioned):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        BLOCKED = "blocked", _("Blocked")

    playbook = models.ForeignKey(
        Playbook, on_delete=models.CASCADE, related_name="steps", verbose_name=_("playbook")
    )
    number = models.PositiveSmallIntegerField(
        _("number"), validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    title = models.CharField(_("title"), max_length=limits.NAME)
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=limits.TEXT,
        validators=[limits.TextLimit(limits.TEXT)],
    )
    owner = models.CharField(
        _("owner"), max_length=limits.SHORT_NAME, blank=True, help_text=_("A person or a team.")
    )
    # Both empty means "the default dates": they follow go-live. Once someone
    # types either, both are stored and neither moves again.
    start = models.DateField(_("start"), null=True, blank=True, validators=[limits.DateRange()])
    due = models.DateField(_("due"), null=True, blank=True, validators=[limits.DateRange()])
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )

    # Not fields: the pages that show the plan (actionplan.views, planner.pdf)
    # set these on the steps they show, for their templates.
    overdue: bool
    overdue_days: int
    done_tasks: int
    add_form: ModelForm[Task]
    date_problems: list[Problem]
    follow_dates: tuple[datetime.date | None, datetime.date | None]  # the defaults, when typed
    follow_form: ModelForm[Step]

    history = HistoricalRecords()

    class Meta:
        ordering = ["playbook", "number"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.UniqueConstraint(
                fields=["playbook", "number"], name="actionplan_step_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=7), name="actionplan_step_number_range"
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(due__isnull=True) | Q(due__gte=F("start")),
                name="actionplan_step_due_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "done", "blocked"]),
                name="actionplan_step_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def dates_are_default(self) -> bool:
        return self.start is None and self.due is None

    @property
    def start_date(self) -> datetime.date | None:
        if not self.dates_are_default:
            return self.start
        return default_dates(self.number, self.playbook.go_live)[0]

    @property
    def due_date(self) -> datetime.date | None:
        if not self.dates_are_default:
            return self.due
        return default_dates(self.number, self.playbook.go_live)[1]

    def is_overdue(self, today: datetime.date) -> bool:
        due = self.due_date
        return due is not None and due < today and self.status != self.Status.DONE

    def days_overdue(self, today: datetime.date) -> int:
        """How many days past its due date, 0 when it is not overdue."""
        due = self.due_date
        return (today - due).days if due is not None and self.is_overdue(today) else 0


class Task(Versioned):
    step = models.ForeignKey(
        Step, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("step")
    )
    text = models.CharField(_("task"), max_length=limits.LINE)
    done = models.BooleanField(_("done"), default=False)
    due = models.DateField(_("due"), null=True, blank=True, validators=[limits.DateRange()])
    order = models.PositiveIntegerField(_("order"), default=0)

    # Not a field: the plan page sets it on the tasks it shows (actionplan.views).
    overdue: bool
    overdue_days: int

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="actionplan_task_text_not_blank"),
        ]

    def __str__(self) -> str:
        return self.text

    def is_overdue(self, today: datetime.date) -> bool:
        return self.due is not None and self.due < today and not self.done

    def days_overdue(self, today: datetime.date) -> int:
        """How many days past its due date, 0 when it is not overdue."""
        return (today - self.due).days if self.due is not None and self.is_overdue(today) else 0
