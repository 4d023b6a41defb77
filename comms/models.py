"""The communications plan (DESIGN.md "Communications plan and calendar"):
the messages that carry each role's WIIFM to its people. (The playbook's
secret calendar feed is ``playbooks.models.CalendarFeed``: the plan page
offers it, and reads nothing above its own layer.)"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ambassadors.models import Ambassador
from core import limits
from core.concurrency import Versioned
from playbooks.models import Playbook
from roles.models import Role

MAX_TITLE = limits.NAME
MAX_TEXT = limits.MESSAGE  # stated in the form
MAX_SENDER = limits.NAME


class Message(Versioned):
    """One message of the plan: to one role's people, or to all roles."""

    class Kind(models.TextChoices):
        """The default set's messages; a message someone added has none."""

        CUSTOM = "", _("Added by hand")
        WIIFM = "wiifm", _("Your WIIFM")
        QUICK_WIN = "quick_win", _("Your week-1 quick win")
        FIRST_RESULTS = "first_results", _("First results")
        OPEN_SESSION = "open_session", _("Open session on the data")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        MEETING = "meeting", _("Team meeting")
        INTRANET = "intranet", _("Intranet")
        CHAT = "chat", _("Chat")
        ONE_TO_ONE = "one_to_one", _("One-to-one")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")

    playbook = models.ForeignKey(
        Playbook, on_delete=models.CASCADE, related_name="messages", verbose_name=_("playbook")
    )
    # None: to every role.
    role = models.ForeignKey(
        Role,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("role"),
    )
    kind = models.CharField(_("kind"), max_length=20, blank=True, choices=Kind.choices)
    # While ``drafted``, the title and the text are drafted from the role on
    # each read (comms.drafts) and follow its edits; the first edit of either
    # stores both and ends it.
    drafted = models.BooleanField(_("drafted"), default=False)
    title = models.CharField(_("title"), max_length=MAX_TITLE, blank=True)
    text = models.TextField(
        _("text"),
        blank=True,
        max_length=MAX_TEXT,
        validators=[limits.TextLimit(MAX_TEXT)],
        help_text=_("At most 5,000 characters."),
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.EMAIL
    )
    # None: the default date of its kind, following go-live (comms.dates).
    date = models.DateField(_("date"), null=True, blank=True, validators=[limits.DateRange()])
    sender_ambassador = models.ForeignKey(
        Ambassador,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("sender (ambassador)"),
    )
    sender_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sender (member)"),
    )
    sender_text = models.CharField(_("sender"), max_length=MAX_SENDER, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    channel__in=["email", "meeting", "intranet", "chat", "one_to_one", "other"]
                ),
                name="comms_message_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "scheduled", "sent"]),
                name="comms_message_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["", "wiifm", "quick_win", "first_results", "open_session"]),
                name="comms_message_kind_valid",
            ),
            # One sender at most: an ambassador, a member, or a name typed.
            models.CheckConstraint(
                condition=Q(sender_ambassador__isnull=True, sender_member__isnull=True)
                | Q(sender_ambassador__isnull=True, sender_text="")
                | Q(sender_member__isnull=True, sender_text=""),
                name="comms_message_one_sender",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def date_is_default(self) -> bool:
        return self.date is None
