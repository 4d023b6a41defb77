"""The messages as the pages around the plan show them: a role's next
messages (the role page, the ambassador's page, the one-pager), the whole
plan by date (the PDF), and each message's date for the health check.

A message reads as ``Planned``: its title and text as they read now (a
drafted one drafted from its role: ``comms.drafts.shown``), its date (typed,
or its kind's default following go-live: ``comms.dates``) and its sender by
name. Messages of a deleted role are not shown (they come back with it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery

from actionplan.models import Step
from comms.dates import OPEN_SESSION_STEP, date_of
from comms.drafts import shown
from comms.models import Message
from comms.selectors import visible
from core.accounts import display_name
from givegets.models import GiveGet
from playbooks.models import Playbook
from roles.models import Role

# How many of a role's next messages its pages show.
NEXT = 3


def step_five_due(step: Step | None) -> datetime.date | None:
    """Step 5's due date as the plan shows it, the open session's default
    date (``step.playbook`` loaded); None without the step or a date."""
    return step.due_date if step is not None else None


def _with_step_five(messages: QuerySet[Message]) -> QuerySet[Message]:
    """Each message with step 5's typed dates beside it, in the same query."""
    step = Step.objects.filter(playbook=OuterRef("playbook"), number=OPEN_SESSION_STEP)
    return messages.annotate(
        step_five_start=Subquery(step.values("start")[:1]),
        step_five_typed_due=Subquery(step.values("due")[:1]),
    )


def _annotated_step_five_due(message: Message) -> datetime.date | None:
    """Step 5's due date from ``_with_step_five``: typed, or (None) its default.
    A step whose start alone is typed shows no due date: the default then."""
    start = getattr(message, "step_five_start", None)
    due = getattr(message, "step_five_typed_due", None)
    return due if start is not None or due is not None else None


def sender_name(message: Message) -> str:
    """Who sends it, in words: the ambassador's or member's name, or as typed."""
    if message.sender_ambassador_id is not None and message.sender_ambassador is not None:
        return message.sender_ambassador.name
    if message.sender_member_id is not None and message.sender_member is not None:
        return display_name(message.sender_member)
    return message.sender_text


@dataclass(frozen=True)
class Planned:
    """A message as the pages around the plan show it."""

    message: Message
    title: str
    text: str
    date: datetime.date | None
    sender: str

    @property
    def date_is_default(self) -> bool:
        return self.message.date is None and self.date is not None

    @property
    def role(self) -> Role | None:
        return self.message.role

    @property
    def channel(self) -> str:
        return self.message.get_channel_display()

    @property
    def status(self) -> str:
        return self.message.status

    @property
    def status_label(self) -> str:
        return self.message.get_status_display()

    @property
    def drafted(self) -> bool:
        return self.message.drafted

    def sent_by(self, ambassador_id: int) -> bool:
        """Whether this ambassador sends it ("You send this")."""
        return self.message.sender_ambassador_id == ambassador_id


def planned(
    message: Message,
    givegets: Sequence[GiveGet] = (),
    *,
    step_five: datetime.date | None = None,
) -> Planned:
    """``message`` as it reads today. No query: ``message.playbook``, its
    role and sender loaded, ``givegets`` its role's."""
    drafted = shown(message, givegets)
    go_live = message.playbook.go_live
    return Planned(
        message=message,
        title=drafted.title,
        text=drafted.text,
        date=date_of(message.date, message.kind, go_live, step_five),
        sender=sender_name(message),
    )


def by_date(items: Iterable[Planned]) -> list[Planned]:
    """Earliest first; undated ones (no go-live yet) last; then the plan's order."""
    return sorted(
        items,
        key=lambda p: (
            p.date is None,
            p.date or datetime.date.min,
            p.message.order,
            p.message.pk,
        ),
    )


@dataclass(frozen=True)
class Upcoming:
    """A role's next messages and how many more come after them."""

    next: list[Planned]
    more: int
    # The ``more`` ones themselves, for what looks past the first few.
    later: tuple[Planned, ...] = ()

    def first_sent_by(self, ambassador_ids: Iterable[int]) -> Planned | None:
        """The earliest of them one of these ambassadors sends, or None."""
        senders = set(ambassador_ids)
        return next(
            (
                item
                for item in (*self.next, *self.later)
                if item.message.sender_ambassador_id in senders
            ),
            None,
        )


def upcoming(
    playbook: Playbook, role: Role, givegets: Sequence[GiveGet], today: datetime.date
) -> Upcoming:
    """The role's messages (its own and those to all roles) dated today or
    later, the next ``NEXT`` of them, earliest first; undated ones (no go-live
    yet, so no default date either) count as upcoming, after the dated ones.
    One query, whatever the number of messages."""
    messages = list(
        _with_step_five(visible(playbook))
        .filter(Q(role=role) | Q(role__isnull=True))
        .select_related("sender_ambassador", "sender_member")
    )
    items = []
    for message in messages:
        message.playbook = playbook
        if message.role_id is not None:
            message.role = role
        item = planned(message, givegets, step_five=_annotated_step_five_due(message))
        if item.date is None or item.date >= today:
            items.append(item)
    ordered = by_date(items)
    return Upcoming(
        next=ordered[:NEXT], more=max(0, len(ordered) - NEXT), later=tuple(ordered[NEXT:])
    )


def for_plan(playbook: Playbook) -> QuerySet[Message]:
    """Every message a page of the whole plan shows, with its sender; the
    caller sets ``playbook`` and ``role`` from what it read already."""
    return visible(playbook).select_related("sender_ambassador", "sender_member")


def plan(
    playbook: Playbook,
    messages: Iterable[Message],
    roles: Mapping[int, Role],
    step_five: datetime.date | None,
) -> list[Planned]:
    """The whole plan by date, from messages read already (``for_plan``) and
    the roles with their Give-Gets prefetched. No query."""
    items = []
    for message in messages:
        message.playbook = playbook
        role = roles.get(message.role_id) if message.role_id is not None else None
        if message.role_id is not None and role is None:
            continue  # a role deleted since
        message.role = role
        givegets = list(role.givegets.all()) if role is not None else []
        items.append(planned(message, givegets, step_five=step_five))
    return by_date(items)


def message_dates(
    messages: Iterable[Message], go_live: datetime.date | None, step_five: datetime.date | None
) -> dict[int, tuple[datetime.date | None, ...]]:
    """Each role's own messages' dates, for the health check (M2; a message to
    all roles is not a role's own). No query."""
    by_role: dict[int, list[datetime.date | None]] = {}
    for message in messages:
        if message.role_id is not None:
            day = date_of(message.date, message.kind, go_live, step_five)
            by_role.setdefault(message.role_id, []).append(day)
    return {pk: tuple(days) for pk, days in by_role.items()}
