"""Give-Gets: for every input a role is asked to give, what it gets back."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import limits
from core.concurrency import Versioned
from roles.equation import MAX_MINUTES_PER_WEEK, MAX_TIMES_PER_WEEK
from roles.models import Role


class GiveGetManager(models.Manager["GiveGet"]):
    """The Give-Gets of the roles not deleted (``role.givegets`` too)."""

    def get_queryset(self) -> models.QuerySet[GiveGet]:
        return super().get_queryset().filter(role__deleted_at__isnull=True)


class GiveGet(Versioned):
    class Kind(models.TextChoices):
        TIME_SAVED = "time_saved", _("Time saved")
        INSIGHT = "insight", _("Insight")
        RECOGNITION = "recognition", _("Recognition")
        AUTOMATION = "automation", _("Automation")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DELIVERED = "delivered", _("Delivered")

    role = models.ForeignKey(
        Role, on_delete=models.CASCADE, related_name="givegets", verbose_name=_("role")
    )
    give = models.CharField(
        _("give"),
        max_length=limits.LINE,
        help_text=_("What we ask the role to do, e.g. “Log each meeting”."),
    )
    minutes_each = models.PositiveIntegerField(
        _("minutes each time"),
        default=0,
        validators=[MaxValueValidator(MAX_MINUTES_PER_WEEK)],
    )
    times_per_week = models.DecimalField(
        _("times per week"),
        max_digits=7,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_TIMES_PER_WEEK)],
        help_text=_("0.25 is once a month."),
    )
    get = models.CharField(
        _("get"),
        max_length=limits.LINE,
        blank=True,
        help_text=_("What they receive in return, e.g. “An automatic weekly report”."),
    )
    get_kind = models.CharField(
        _("kind of get"), max_length=20, choices=Kind.choices, default=Kind.TIME_SAVED
    )
    minutes_saved_per_week = models.PositiveIntegerField(
        _("minutes saved per week"),
        default=0,
        validators=[MaxValueValidator(MAX_MINUTES_PER_WEEK)],
    )
    owner = models.CharField(
        _("who delivers the get"),
        max_length=limits.SHORT_NAME,
        blank=True,
        help_text=_("A person or a team."),
    )
    deliver_by = models.DateField(
        _("deliver by"), null=True, blank=True, validators=[limits.DateRange()]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    objects = GiveGetManager()
    # Those of deleted roles too: for restore and purge only.
    all_objects = models.Manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("Give-Get")
        verbose_name_plural = _("Give-Gets")
        constraints = [
            models.CheckConstraint(condition=~Q(give=""), name="givegets_giveget_give_not_blank"),
            models.CheckConstraint(
                condition=Q(minutes_each__gte=0, minutes_each__lte=MAX_MINUTES_PER_WEEK),
                name="givegets_giveget_minutes_each_range",
            ),
            models.CheckConstraint(
                condition=Q(times_per_week__gte=0, times_per_week__lte=MAX_TIMES_PER_WEEK),
                name="givegets_giveget_times_per_week_range",
            ),
            models.CheckConstraint(
                condition=Q(minutes_saved_per_week__gte=0)
                & Q(minutes_saved_per_week__lte=MAX_MINUTES_PER_WEEK),
                name="givegets_giveget_minutes_saved_range",
            ),
            # Neither side of one Give-Get may exceed 2,400 minutes a week.
            models.CheckConstraint(
                condition=LessThanOrEqual(
                    ExpressionWrapper(
                        F("minutes_each") * F("times_per_week"),
                        output_field=models.DecimalField(max_digits=12, decimal_places=2),
                    ),
                    MAX_MINUTES_PER_WEEK,
                ),
                name="givegets_giveget_given_per_week_cap",
            ),
            models.CheckConstraint(
                condition=Q(get_kind__in=["time_saved", "insight", "recognition", "automation"]),
                name="givegets_giveget_get_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress", "delivered"]),
                name="givegets_giveget_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.give} → {self.get}" if self.get else self.give

    @property
    def given_per_week(self) -> Decimal:
        return Decimal(self.minutes_each) * Decimal(self.times_per_week)
