"""Ambassadors: the most respected people of a role, and their personal links."""

from __future__ import annotations

import hashlib
import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import limits
from core.concurrency import Versioned
from playbooks.models import Playbook
from roles.models import Role


def hash_token(token: str) -> str:
    """Only this is stored: a database leak gives away no working link."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class AmbassadorQuerySet(models.QuerySet["Ambassador"]):
    def by_token(self, token: str) -> AmbassadorQuerySet:
        return self.filter(link_hash=hash_token(token))


class AmbassadorManager(models.Manager.from_queryset(AmbassadorQuerySet)):  # type: ignore[misc]
    """The ambassadors of the roles not deleted (``role.ambassadors`` and
    ``playbook.ambassadors`` too)."""

    def get_queryset(self) -> AmbassadorQuerySet:
        return super().get_queryset().filter(role__deleted_at__isnull=True)


class Ambassador(Versioned):
    class Training(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        SCHEDULED = "scheduled", _("Scheduled")
        COMPLETED = "completed", _("Completed")

    # The playbook is the role's; it is stored too, so that the database can
    # keep e-mails unique within a playbook.
    playbook = models.ForeignKey(
        Playbook, on_delete=models.CASCADE, related_name="ambassadors", verbose_name=_("playbook")
    )
    role = models.ForeignKey(
        Role, on_delete=models.CASCADE, related_name="ambassadors", verbose_name=_("role")
    )
    name = models.CharField(_("name"), max_length=limits.NAME)
    email = models.EmailField(_("e-mail"), max_length=limits.EMAIL)
    department = models.CharField(_("department"), max_length=limits.NAME, blank=True)
    influence = models.PositiveSmallIntegerField(
        _("influence"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1-5: the respect this person has among peers, not their rank."),
    )
    early_access = models.DateField(
        _("early access from"), null=True, blank=True, validators=[limits.DateRange()]
    )
    training = models.CharField(
        _("training"), max_length=20, choices=Training.choices, default=Training.NOT_STARTED
    )
    trained_on = models.DateField(
        _("training date"), null=True, blank=True, validators=[limits.DateRange()]
    )
    notes = models.TextField(
        _("notes"),
        blank=True,
        max_length=limits.TEXT,
        validators=[limits.TextLimit(limits.TEXT)],
    )
    link_hash = models.CharField(max_length=64, blank=True, editable=False)
    link_issued_at = models.DateTimeField(_("link issued"), null=True, blank=True, editable=False)
    link_last_opened_at = models.DateTimeField(
        _("link last opened"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AmbassadorManager()
    # Those of deleted roles too: for restore, purge and unique e-mails only.
    all_objects = AmbassadorQuerySet.as_manager()

    # Not a field: the roster marks the ambassadors it shows whose training is
    # due and not completed (ambassadors.views), for its template.
    flag_untrained: bool

    # Never the link: a restore must not bring back a revoked link (DESIGN.md).
    history = HistoricalRecords(
        excluded_fields=["link_hash", "link_issued_at", "link_last_opened_at"]
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("ambassador")
        verbose_name_plural = _("ambassadors")
        constraints = [
            models.UniqueConstraint(
                F("playbook"), Lower("email"), name="ambassadors_ambassador_unique_email"
            ),
            models.UniqueConstraint(
                fields=["link_hash"],
                condition=~Q(link_hash=""),
                name="ambassadors_ambassador_unique_link",
            ),
            models.CheckConstraint(
                condition=Q(influence__gte=1, influence__lte=5),
                name="ambassadors_ambassador_influence_range",
            ),
            models.CheckConstraint(
                condition=Q(training__in=["not_started", "scheduled", "completed"]),
                name="ambassadors_ambassador_training_valid",
            ),
            models.CheckConstraint(
                condition=~Q(name=""), name="ambassadors_ambassador_name_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_link(self) -> bool:
        return bool(self.link_hash)

    @property
    def is_trained(self) -> bool:
        return self.training == self.Training.COMPLETED
