"""After go-live: each role's weekly pulse, answered anonymously.

DESIGN.md "The weekly pulse (anonymous)" and "Adoption figures". An answer is its random id, its
role, its week number and the four answers: nothing that says who gave it or
when (no date, no time, no address, no history record).
"""

from __future__ import annotations

import secrets
import uuid

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import limits
from core.concurrency import Versioned
from playbooks.models import Playbook
from roles.models import Role

MAX_MINUTES = 2400
MAX_COMMENT = limits.COMMENT


def new_token() -> str:
    """256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class PulseLink(models.Model):
    """A role's one pulse link. The token itself is kept (not only a hash, as
    for ambassadors' links): editors copy it at any time, and it opens
    nothing but the four questions. Revoking deletes the row."""

    role = models.OneToOneField(
        Role, on_delete=models.CASCADE, related_name="pulse_link", verbose_name=_("role")
    )
    token = models.CharField(_("token"), max_length=43, unique=True, default=new_token)

    class Meta:
        verbose_name = _("pulse link")
        verbose_name_plural = _("pulse links")

    def __str__(self) -> str:
        return f"pulse link of {self.role_id}"


class PulseAnswer(models.Model):
    """One anonymous answer. The id is random (a sequence would tell the order
    in which people answered); the week is week N after go-live."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    role = models.ForeignKey(
        Role, on_delete=models.CASCADE, related_name="pulse_answers", verbose_name=_("role")
    )
    week = models.PositiveSmallIntegerField(_("week"), validators=[MinValueValidator(1)])
    cost_minutes = models.PositiveSmallIntegerField(
        _("minutes the CRM cost"),
        validators=[MinValueValidator(0), MaxValueValidator(MAX_MINUTES)],
    )
    saved_minutes = models.PositiveSmallIntegerField(
        _("minutes the CRM saved"),
        validators=[MinValueValidator(0), MaxValueValidator(MAX_MINUTES)],
    )
    got_back = models.PositiveSmallIntegerField(
        _("got something back"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(
        _("what would make it worth your time"),
        blank=True,
        validators=[MaxLengthValidator(MAX_COMMENT)],
    )

    class Meta:
        verbose_name = _("pulse answer")
        verbose_name_plural = _("pulse answers")
        indexes = [models.Index(fields=["role", "week"], name="pulse_answer_role_week")]
        constraints = [
            models.CheckConstraint(condition=Q(week__gte=1), name="pulse_answer_week_from_1"),
            models.CheckConstraint(
                condition=Q(cost_minutes__lte=MAX_MINUTES, saved_minutes__lte=MAX_MINUTES),
                name="pulse_answer_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(got_back__gte=1, got_back__lte=5), name="pulse_answer_got_back_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"pulse answer, week {self.week}"


class HiddenComment(models.Model):
    """A comment an editor hid (abusive text, a name): shown nowhere, and not
    counted towards its week's k comments. Hiding and showing again are in
    the change history (who, when, which role and week); the answer itself
    never is, and neither is the comment's text."""

    answer = models.OneToOneField(
        PulseAnswer, on_delete=models.CASCADE, related_name="hidden", verbose_name=_("answer")
    )
    # Kept here too, so that the history names the role and week of a hide
    # even after the answer is gone (a role removed for good).
    role = models.ForeignKey(
        Role, on_delete=models.CASCADE, related_name="hidden_comments", verbose_name=_("role")
    )
    week = models.PositiveSmallIntegerField(_("week"))

    # Who hid it and when, on which role and week; not which answer: the
    # history keeps nothing that leads back to an answer.
    history = HistoricalRecords(excluded_fields=["answer"])

    class Meta:
        verbose_name = _("hidden comment")
        verbose_name_plural = _("hidden comments")
        ordering = ["role", "week", "id"]

    def __str__(self) -> str:
        return f"hidden comment, week {self.week} of {self.role_id}"


class WeekSummary(models.Model):
    """A closed week of one role, summed up once: a closed week takes no more
    answers, so the results page reads these instead of every answer.
    ``balances`` is the exact median of saved - cost (DESIGN.md's rule),
    ``got_back_total`` the sum of question 3 (the mean is total / answers)."""

    role = models.ForeignKey(
        Role, on_delete=models.CASCADE, related_name="pulse_weeks", verbose_name=_("role")
    )
    week = models.PositiveSmallIntegerField(_("week"))
    answers = models.PositiveIntegerField(_("answers"))
    median_balance = models.DecimalField(_("measured balance"), max_digits=7, decimal_places=1)
    got_back_total = models.PositiveIntegerField(_("got back, total"))

    class Meta:
        verbose_name = _("closed pulse week")
        verbose_name_plural = _("closed pulse weeks")
        constraints = [
            models.UniqueConstraint(fields=["role", "week"], name="pulse_weeksummary_role_week")
        ]

    def __str__(self) -> str:
        return f"week {self.week} of {self.role_id}"


class KeptThreshold(models.Model):
    """The k a closed week was judged with, kept when k changes: a change of k
    applies to weeks not closed yet (DESIGN.md). A week with no row here takes
    the playbook's current k."""

    playbook = models.ForeignKey(
        Playbook,
        on_delete=models.CASCADE,
        related_name="kept_thresholds",
        verbose_name=_("playbook"),
    )
    week = models.PositiveSmallIntegerField(_("week"))
    k = models.PositiveSmallIntegerField(_("privacy threshold (k)"))

    class Meta:
        verbose_name = _("kept threshold")
        verbose_name_plural = _("kept thresholds")
        constraints = [
            models.UniqueConstraint(fields=["playbook", "week"], name="pulse_keptthreshold_week")
        ]

    def __str__(self) -> str:
        return f"k={self.k} for week {self.week}"


class PulseState(models.Model):
    """Up to which week a playbook's closed weeks are summed up in ``WeekSummary``."""

    playbook = models.OneToOneField(
        Playbook, on_delete=models.CASCADE, related_name="pulse_state", verbose_name=_("playbook")
    )
    summarised_through = models.PositiveSmallIntegerField(_("summed up through week"), default=0)

    class Meta:
        verbose_name = _("pulse state")
        verbose_name_plural = _("pulse states")

    def __str__(self) -> str:
        return f"through week {self.summarised_through}"


# Adoption figures (DESIGN.md "Adoption figures"): how many of a role's people
# used the CRM in a closed week, typed or counted from the CRM's usage export.
# Only counts are kept: never a user identifier, not even between the steps of
# an import.

MAX_ACTIVE_USERS = 1_000_000
MAX_WEEK = 32_767  # a week number is a small whole number (PositiveSmallIntegerField)
MAX_COLUMN = 200  # a column's name or a value of the role column


class AdoptionFigure(Versioned):
    """Active users of a role in week N after go-live (``Playbook.pulse_go_live``,
    the anchor the pulse counts from: its weeks and the figures' are the same)."""

    role = models.ForeignKey(
        Role, on_delete=models.CASCADE, related_name="adoption_figures", verbose_name=_("role")
    )
    week = models.PositiveSmallIntegerField(_("week"), validators=[MinValueValidator(1)])
    active_users = models.PositiveIntegerField(
        _("active users"),
        validators=[MinValueValidator(0), MaxValueValidator(MAX_ACTIVE_USERS)],
        help_text=_("How many of the role’s people used the CRM that week."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("adoption figure")
        verbose_name_plural = _("adoption figures")
        ordering = ["role", "week"]
        constraints = [
            models.UniqueConstraint(fields=["role", "week"], name="pulse_adoption_role_week"),
            models.CheckConstraint(condition=Q(week__gte=1), name="pulse_adoption_week_from_1"),
            models.CheckConstraint(
                condition=Q(active_users__gte=0, active_users__lte=MAX_ACTIVE_USERS),
                name="pulse_adoption_active_range",
            ),
        ]

    def __str__(self) -> str:
        return f"week {self.week} of {self.role_id}: {self.active_users}"


class UsageColumns(models.Model):
    """The columns of a playbook's per-use export, picked on its first import
    and offered again on the next: names of columns, never their values."""

    class DateFormat(models.TextChoices):
        DETECT = "", _("Detect")
        ISO = "iso", _("ISO 8601 (2027-03-01 14:05, with or without a zone)")
        DAY_FIRST = "dmy", _("Day first (01-03-2027 14:05)")
        MONTH_FIRST = "mdy", _("Month first (03/01/2027 2:05 PM)")

    playbook = models.OneToOneField(
        Playbook, on_delete=models.CASCADE, related_name="usage_columns", verbose_name=_("playbook")
    )
    user_column = models.CharField(_("user column"), max_length=MAX_COLUMN)
    date_column = models.CharField(_("date column"), max_length=MAX_COLUMN)
    role_column = models.CharField(_("role column"), max_length=MAX_COLUMN)
    date_format = models.CharField(
        _("date format"), max_length=3, blank=True, choices=DateFormat.choices
    )

    class Meta:
        verbose_name = _("usage export columns")
        verbose_name_plural = _("usage export columns")

    def __str__(self) -> str:
        return f"usage columns of {self.playbook_id}"


class UsageValue(models.Model):
    """A value of the export's role column (a profile, a team) and the role it
    counts for; no role: ignored (admins, integration users)."""

    playbook = models.ForeignKey(
        Playbook, on_delete=models.CASCADE, related_name="usage_values", verbose_name=_("playbook")
    )
    value = models.CharField(_("value"), max_length=MAX_COLUMN)
    role = models.ForeignKey(
        Role,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="usage_values",
        verbose_name=_("role"),
    )

    class Meta:
        verbose_name = _("usage export value")
        verbose_name_plural = _("usage export values")
        ordering = ["value"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "value"], name="pulse_usagevalue_unique")
        ]

    def __str__(self) -> str:
        return self.value
