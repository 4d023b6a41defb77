"""A role in a rollout (sales, service, ...) and what it asks: "What's in it for me?"."""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import limits
from core.concurrency import Versioned
from playbooks.models import Playbook
from roles.equation import Balance, Factors, GiveGetNumbers, balance

FACTOR_VALIDATORS = [MinValueValidator(0), MaxValueValidator(5)]
FACTORS = ["unique_data", "speed", "recognition", "friction", "rigidity"]
MAX_HEADCOUNT = 1_000_000
DEFAULT_ADOPTION_TARGET = 80


def week_one_end(go_live: datetime.date | None) -> datetime.date | None:
    """Week 1 is go-live to go-live + 6 days."""
    return go_live + datetime.timedelta(days=6) if go_live else None


class RoleManager(models.Manager["Role"]):
    """The roles not deleted: every page reads these (``playbook.roles`` too)."""

    def get_queryset(self) -> models.QuerySet[Role]:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Role(Versioned):
    playbook = models.ForeignKey(
        Playbook, on_delete=models.CASCADE, related_name="roles", verbose_name=_("playbook")
    )
    name = models.CharField(_("name"), max_length=limits.SHORT_NAME)
    headcount = models.PositiveIntegerField(
        _("headcount"),
        default=0,
        validators=[MaxValueValidator(MAX_HEADCOUNT)],
        help_text=_("How many people work in this role."),
    )
    question = models.TextField(
        _("the question the role asks"),
        blank=True,
        max_length=limits.LINE,
        validators=[limits.TextLimit(limits.LINE)],
        help_text=_("In their words, e.g. “Does it help me close deals faster?”"),
    )
    wiifm = models.TextField(
        _("WIIFM answer"),
        blank=True,
        max_length=limits.TEXT,
        validators=[limits.TextLimit(limits.TEXT)],
        help_text=_("What is in it for them: concrete, in their daily work."),
    )
    concerns = models.TextField(
        _("concerns"),
        blank=True,
        max_length=limits.TEXT,
        validators=[limits.TextLimit(limits.TEXT)],
        help_text=_("Their fears, the Big Brother fear among them."),
    )
    quick_win = models.CharField(
        _("week-1 quick win"),
        max_length=limits.LINE,
        blank=True,
        help_text=_("One feature with an immediate, noticeable improvement in the first week."),
    )
    # Null means "the default": the end of week 1, which moves with go-live.
    quick_win_due = models.DateField(
        _("quick win due"), null=True, blank=True, validators=[limits.DateRange()]
    )
    quick_win_done = models.BooleanField(_("quick win done"), default=False)
    unique_data = models.PositiveSmallIntegerField(
        _("unique data"),
        null=True,  # not scored yet (DESIGN.md, "Roles not assessed yet")
        blank=True,
        default=None,
        validators=FACTOR_VALIDATORS,
        help_text=_("0-5: data they get from the CRM and nowhere else."),
    )
    speed = models.PositiveSmallIntegerField(
        _("speed"),
        null=True,  # not scored yet (DESIGN.md, "Roles not assessed yet")
        blank=True,
        default=None,
        validators=FACTOR_VALIDATORS,
        help_text=_("0-5: how much faster their own tasks get."),
    )
    recognition = models.PositiveSmallIntegerField(
        _("recognition"),
        null=True,  # not scored yet (DESIGN.md, "Roles not assessed yet")
        blank=True,
        default=None,
        validators=FACTOR_VALIDATORS,
        help_text=_("0-5: how visible and valued their work becomes."),
    )
    friction = models.PositiveSmallIntegerField(
        _("friction"),
        null=True,  # not scored yet (DESIGN.md, "Roles not assessed yet")
        blank=True,
        default=None,
        validators=FACTOR_VALIDATORS,
        help_text=_("0-5: how unintuitive or slow the tool feels to them."),
    )
    rigidity = models.PositiveSmallIntegerField(
        _("rigidity"),
        null=True,  # not scored yet (DESIGN.md, "Roles not assessed yet")
        blank=True,
        default=None,
        validators=FACTOR_VALIDATORS,
        help_text=_("0-5: how rigid a process it forces on them."),
    )
    # After go-live (DESIGN.md "Adoption figures"): the share of the role's
    # people expected to use the CRM each week.
    adoption_target = models.PositiveSmallIntegerField(
        _("adoption target (%)"),
        default=DEFAULT_ADOPTION_TARGET,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The share of the role’s people who should use the CRM each week, 1-100 %."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    # Soft-deleted (DESIGN.md "History, undo and two people editing"): hidden
    # with everything under it, restorable for 30 days, then purged.
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    # Not a field: the plan page sets it on the roles whose typed quick-win
    # date can follow go-live again (actionplan.views).
    follow_token: str

    history = HistoricalRecords()

    objects = RoleManager()
    # Deleted roles too: for restore and purge only.
    all_objects = models.Manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            # Folds Æ, Ø, Å on PostgreSQL only (SQLite's lower() is ASCII): the
            # forms and the import compare with str.casefold() first. Among the
            # roles not deleted: a new role may take a deleted one's name.
            models.UniqueConstraint(
                F("playbook"),
                Lower("name"),
                condition=Q(deleted_at__isnull=True),
                name="roles_role_unique_name_per_playbook",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="roles_role_name_not_blank"),
            models.CheckConstraint(
                condition=Q(headcount__gte=0, headcount__lte=MAX_HEADCOUNT),
                name="roles_role_headcount_range",
            ),
            models.CheckConstraint(
                condition=Q(adoption_target__gte=1, adoption_target__lte=100),
                name="roles_role_adoption_target_range",
            ),
            *[
                models.CheckConstraint(
                    # NULL explicitly: not scored yet.
                    condition=Q(**{f"{factor}__isnull": True})
                    | Q(**{f"{factor}__gte": 0, f"{factor}__lte": 5}),
                    name=f"roles_role_{factor}_range",
                )
                for factor in FACTORS
            ],
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def factors(self) -> Factors:
        return Factors(**{factor: getattr(self, factor) for factor in FACTORS})

    @property
    def quick_win_due_is_default(self) -> bool:
        return self.quick_win_due is None

    @property
    def quick_win_due_default(self) -> datetime.date | None:
        """The end of week 1: the date a typed quick-win date gives way to."""
        return week_one_end(self.playbook.go_live)

    @property
    def quick_win_due_date(self) -> datetime.date | None:
        """The date the quick win is due: typed, or the end of week 1."""
        return self.quick_win_due or week_one_end(self.playbook.go_live)

    def balance(self) -> Balance:
        """The equation for this role. Uses ``givegets`` as prefetched, if it was."""
        return balance(
            (
                GiveGetNumbers(g.minutes_each, g.times_per_week, g.minutes_saved_per_week)
                for g in self.givegets.all()
            ),
            self.factors,
            self.headcount,
        )
