"""The playbook (one per CRM rollout) and who may see or change it."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import limits, versions
from core.concurrency import Versioned

PULSE_K_DEFAULT = 5
PULSE_K_MIN = 3
PULSE_K_MAX = 1000


class PlaybookQuerySet(models.QuerySet["Playbook"]):
    def for_user(self, user: Any) -> PlaybookQuerySet:
        """The playbooks this user may open: all of them for a superuser."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(memberships__user=user)


class Playbook(Versioned):
    class CRM(models.TextChoices):
        SALESFORCE = "salesforce", "Salesforce"
        HUBSPOT = "hubspot", "HubSpot"
        ZOHO = "zoho", "Zoho CRM"
        DYNAMICS = "dynamics", "Microsoft Dynamics 365"
        PIPEDRIVE = "pipedrive", "Pipedrive"
        OTHER = "other", _("Other")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        DANISH = "da", _("Danish")

    name = models.CharField(_("name"), max_length=limits.NAME)
    organisation = models.CharField(_("organisation"), max_length=limits.NAME, blank=True)
    crm_system = models.CharField(
        _("CRM system"), max_length=20, choices=CRM.choices, default=CRM.OTHER
    )
    crm_other = models.CharField(
        _("other CRM system"),
        max_length=limits.SHORT_NAME,
        blank=True,
        help_text=_("The system's name, when it is not in the list."),
    )
    go_live = models.DateField(
        _("go-live date"),
        null=True,
        blank=True,
        validators=[limits.DateRange()],
        help_text=_("The day users start working in the CRM. Week 1 is the seven days from it."),
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text=_("The language of the playbook's generated content and PDF."),
    )
    pledge = models.TextField(
        _("value-gap pledge"),
        blank=True,
        max_length=limits.TEXT,
        validators=[limits.TextLimit(limits.TEXT)],
        help_text=_(
            "Say it out loud: “We ask you for data. In return we commit to delivering "
            "insight and efficiency.”"
        ),
    )
    data_used_for = models.TextField(
        _("data is used for"),
        blank=True,
        max_length=limits.TEXT,
        validators=[limits.TextLimit(limits.TEXT)],
        help_text=_("What the data people enter will be used for."),
    )
    data_not_used_for = models.TextField(
        _("data is not used for"),
        blank=True,
        max_length=limits.TEXT,
        validators=[limits.TextLimit(limits.TEXT)],
        help_text=_("What it will never be used for: the answer to the Big Brother fear."),
    )
    # Whom ambassadors contact: shown with name and e-mail on their pages, so
    # only by a choice (null for playbooks made before this setting existed).
    # An owner, chosen by an owner; shown only while the person is an active
    # owner (``contact_is_owner``), and cleared when their membership ends
    # (``services.remove_member``).
    ambassador_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ambassadors’ contact person"),
        help_text=_(
            "Shown with name and e-mail on every ambassador’s page. "
            "An owner of this playbook, or nobody."
        ),
    )
    # The pulse's privacy threshold k (DESIGN.md "The privacy threshold k"): a
    # week with fewer answers is shown nowhere; a role under 2k people never.
    pulse_k = models.PositiveSmallIntegerField(
        _("privacy threshold (k)"),
        default=PULSE_K_DEFAULT,
        validators=[MinValueValidator(PULSE_K_MIN), MaxValueValidator(PULSE_K_MAX)],
        help_text=_(
            "Pulse results for a week are shown only from this many answers on, and a role "
            "with fewer than twice as many people shows none. At least 3; a change applies "
            "to weeks not closed yet."
        ),
    )
    # The go-live the pulse counts its weeks from, fixed by the first answer:
    # each answer keeps its week number, so a later move of go-live must not
    # turn an open week into a closed one (or reopen a shown one).
    pulse_weeks_from = models.DateField(
        _("pulse weeks counted from"),
        null=True,
        blank=True,
        editable=False,
        validators=[limits.DateRange()],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # When it was made by importing a playbook file (null: created here, or
    # from a template). A file exported from a playbook imports as a second
    # one of the same name: the list tells them apart by this. Never in the
    # file itself, whose round trip stays byte-identical.
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True, editable=False)
    # The version stamp of everything in the playbook (``core.versions``): a
    # new random value with every save of the playbook and every change in
    # it, in the same transaction. Cache keys and PDF ETags are made of it.
    # Shown nowhere (not in forms, nor in the history): no label to translate.
    content_stamp = models.BigIntegerField(default=versions.new_stamp, editable=False)

    objects = PlaybookQuerySet.as_manager()

    # The pulse's anchor is set by the first answer, not by a person: no
    # history. Nor has the content stamp: it is no content of its own.
    history = HistoricalRecords(excluded_fields=["pulse_weeks_from", "content_stamp"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    crm_system__in=[
                        "salesforce",
                        "hubspot",
                        "zoho",
                        "dynamics",
                        "pipedrive",
                        "other",
                    ]
                ),
                name="playbooks_playbook_crm_system_valid",
            ),
            models.CheckConstraint(
                condition=Q(language__in=["da", "en"]),
                name="playbooks_playbook_language_valid",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="playbooks_playbook_name_not_blank"),
            models.CheckConstraint(
                condition=Q(pulse_k__gte=PULSE_K_MIN, pulse_k__lte=PULSE_K_MAX),
                name="playbooks_playbook_pulse_k_range",
            ),
        ]

    @property
    def pulse_go_live(self) -> datetime.date | None:
        """Week 1 of the pulse starts here: go-live, or the go-live of its
        first answer if go-live has moved since."""
        return self.pulse_weeks_from or self.go_live

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Every save is a change of the playbook: a new content stamp in the
        same UPDATE (never the stamp this instance was loaded with, which a
        bump may have replaced since)."""
        if not self._state.adding and not kwargs.get("force_insert"):
            self.content_stamp = versions.new_stamp()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "content_stamp"}
        super().save(*args, **kwargs)
        versions.saved(self.pk, self.content_stamp)

    @property
    def crm_display(self) -> str:
        if self.crm_system == self.CRM.OTHER and self.crm_other:
            return self.crm_other
        return str(self.get_crm_system_display())


class Level(models.TextChoices):
    """Access levels, lowest first. A superuser counts as an owner everywhere."""

    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    OWNER = "owner", _("Owner")

    @property
    def rank(self) -> int:
        return list(Level).index(self)

    def allows(self, required: Level) -> bool:
        return self.rank >= Level(required).rank


class Membership(models.Model):
    playbook = models.ForeignKey(
        Playbook, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("playbook")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["playbook", "user__username"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["playbook", "user"], name="playbooks_membership_unique_user_per_playbook"
            ),
            models.CheckConstraint(
                condition=Q(level__in=["viewer", "editor", "owner"]),
                name="playbooks_membership_level_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.playbook} · {self.get_level_display()}"


def new_feed_token() -> str:
    """256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A playbook's secret calendar feed (``/cal/<token>.ics``, DESIGN.md
    "Communications plan and calendar"). The token is kept, as a pulse link's
    is: editors copy it at any time, and it opens nothing but the calendar.
    Revoking deletes the row; issuing again makes a new token."""

    playbook = models.OneToOneField(
        Playbook, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("playbook")
    )
    token = models.CharField(_("token"), max_length=43, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed of {self.playbook_id}"


def contact_is_owner(playbook_path: str = "") -> Exists:
    """Whether a playbook's ambassadors' contact is an active owner of it, as
    an annotation (no query of its own): for a query of playbooks (``""``) or
    of the rows below one (``"role__playbook__"``). A contact is shown only
    while this holds, whatever changed the membership or the account."""
    return Exists(
        Membership.objects.filter(
            playbook=OuterRef(f"{playbook_path}pk" if playbook_path else "pk"),
            user=OuterRef(f"{playbook_path}ambassador_contact"),
            level=Level.OWNER,
            user__is_active=True,
        )
    )
