"""Reads for the communications plan, always through the playbook.

A message is shown as ``Shown``: its title and text as they read now (a
drafted message's drafted from its role on each read, comms.drafts), its
date (typed, or its kind's default following go-live, comms.dates), its
sender by name, the warning of a date far from go-live, and its ``mailto:``.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from actionplan.models import Step
from ambassadors.models import Ambassador
from comms.dates import OPEN_SESSION_STEP, date_of, default_date
from comms.drafts import Draft, draft
from comms.mailto import mailto
from comms.models import Message
from comms.timeline import far_from_go_live
from core.accounts import display_name
from givegets.models import GiveGet
from playbooks.models import Membership, Playbook
from roles.models import Role

# A text longer than this, or of more lines, is shown clamped, expandable.
CLAMP_CHARACTERS = 320
CLAMP_LINES = 5


def visible(playbook: Playbook) -> QuerySet[Message]:
    """The playbook's messages, but those of a deleted role (they come back
    with it)."""
    return Message.objects.filter(playbook=playbook).filter(
        Q(role__isnull=True) | Q(role__deleted_at__isnull=True)
    )


def get_message(playbook: Playbook, message_id: int) -> Message:
    """A message of this playbook, or 404: another playbook's id is not found."""
    message = get_object_or_404(
        visible(playbook).select_related("sender_ambassador", "sender_member"), pk=message_id
    )
    message.playbook = playbook
    return message


def step_five_due(playbook: Playbook) -> datetime.date | None:
    """Step 5's due date as the plan shows it (the open session's default
    date). One query."""
    step = Step.objects.filter(playbook=playbook, number=OPEN_SESSION_STEP).first()
    if step is None:
        return None
    step.playbook = playbook
    return step.due_date


def givegets_by_role(role_ids: Iterable[int]) -> dict[int, list[GiveGet]]:
    """The Give-Gets of these roles, in order. One query (none for no role)."""
    by_role: dict[int, list[GiveGet]] = defaultdict(list)
    ids = set(role_ids)
    if ids:
        for giveget in GiveGet.objects.filter(role_id__in=ids).order_by("role_id", "order", "pk"):
            by_role[giveget.role_id].append(giveget)
    return by_role


def draft_digest(title: str, text: str) -> str:
    """What a drafted message's form showed, in a few characters: saved
    unchanged, it stays drafted."""
    shown = f"{title}\0{text}".replace("\r\n", "\n")
    return hashlib.sha256(shown.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Context:
    """What showing messages needs, read once for a page: the playbook's
    roles, ambassadors and members, step 5's due date, and the Give-Gets of
    the roles whose messages are drafted."""

    playbook: Playbook
    roles: dict[int, Role]
    ambassadors: list[Ambassador]
    members: list[Membership]
    step_five_due: datetime.date | None
    givegets: dict[int, list[GiveGet]]

    def role_ambassadors(self, role_id: int | None) -> list[Ambassador]:
        """A role's ambassadors; every ambassador for a message to all roles."""
        if role_id is None:
            return self.ambassadors
        return [a for a in self.ambassadors if a.role_id == role_id]

    def draft_of(self, message: Message) -> Draft:
        role = self.roles.get(message.role_id) if message.role_id else None
        return draft(
            message.kind,
            self.playbook,
            role,
            self.givegets.get(message.role_id or 0, []),
            quick_win_due=role.quick_win_due_date if role is not None else None,
        )

    def default_date_of(self, message: Message) -> datetime.date | None:
        return default_date(message.kind, self.playbook.go_live, self.step_five_due)


def roles_of(playbook: Playbook) -> list[Role]:
    """The playbook's roles (not deleted), in order. One query."""
    roles = list(playbook.roles.all())
    for role in roles:
        role.playbook = playbook  # the quick win's default due date reads go-live
    return roles


def read_context(
    playbook: Playbook, messages: Sequence[Message] = (), *, roles: Sequence[Role] | None = None
) -> Context:
    """Roles (unless given), ambassadors, members, step 5 and (for the
    drafted ``messages``) Give-Gets: five queries at most, whatever the
    number of messages."""
    roles_by_pk = {role.pk: role for role in (roles if roles is not None else roles_of(playbook))}
    ambassadors = list(
        Ambassador.objects.filter(playbook=playbook).order_by(
            "role__order", "role_id", "name", "pk"
        )
    )
    members = list(
        Membership.objects.filter(playbook=playbook)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    drafted = {m.role_id for m in messages if m.drafted and m.role_id is not None}
    return Context(
        playbook=playbook,
        roles=roles_by_pk,
        ambassadors=ambassadors,
        members=members,
        step_five_due=step_five_due(playbook),
        givegets=givegets_by_role(drafted),
    )


@dataclass
class Shown:
    """A message as every page shows it."""

    message: Message
    role: Role | None
    title: str
    text: str
    date: datetime.date | None
    date_is_default: bool
    far: bool
    sender: str
    sender_is_member: bool
    to: tuple[str, ...]  # the addresses "Open in e-mail" writes to
    # A typed date's default, which "follow go-live again" gives it back.
    follow_date: datetime.date | None = None
    # Set by the page: whether it can move within its day.
    can_move_up: bool = False
    can_move_down: bool = False
    focus: str = ""  # after a change: "title", "up" or "down" takes the focus
    follow_token: str = ""  # for editors: the version "follow go-live again" was read at

    @property
    def pk(self) -> int:
        return self.message.pk

    @property
    def long(self) -> bool:
        return len(self.text) > CLAMP_CHARACTERS or self.text.count("\n") >= CLAMP_LINES

    @property
    def copy_text(self) -> str:
        """Title and text, as "Copy text" puts them on the clipboard."""
        return f"{self.title}\n\n{self.text}" if self.text else self.title

    @property
    def mailto(self) -> str:
        return mailto(to=self.to, subject=self.title, body=self.text)


def shown(message: Message, context: Context) -> Shown:
    """``message`` as it reads now. No query: the context holds what it needs
    (its sender read with it)."""
    if message.drafted:
        drafted = context.draft_of(message)
        title, text = drafted.title, drafted.text
    else:
        title, text = message.title, message.text
    day = date_of(message.date, message.kind, context.playbook.go_live, context.step_five_due)
    sender, is_member = "", False
    if message.sender_ambassador_id is not None and message.sender_ambassador is not None:
        sender = message.sender_ambassador.name
    elif message.sender_member_id is not None and message.sender_member is not None:
        sender, is_member = display_name(message.sender_member), True
    else:
        sender = message.sender_text
    to = (
        tuple(a.email for a in context.role_ambassadors(message.role_id) if a.email)
        if is_member
        else ()
    )
    return Shown(
        message=message,
        role=context.roles.get(message.role_id) if message.role_id else None,
        title=title,
        text=text,
        date=day,
        date_is_default=message.date is None and day is not None,
        far=message.date is not None and far_from_go_live(message.date, context.playbook.go_live),
        sender=sender,
        sender_is_member=is_member,
        to=to,
        follow_date=(
            default_date(message.kind, context.playbook.go_live, context.step_five_due)
            if message.date is not None
            else None
        ),
    )


def messages_for_page(
    playbook: Playbook, *, role_id: int | None = None, status: str = ""
) -> list[Message]:
    """The messages the page shows: of one role (with those to all roles) and
    of one status when asked, with their senders. One query."""
    messages = visible(playbook).select_related("sender_ambassador", "sender_member")
    if role_id is not None:
        messages = messages.filter(Q(role_id=role_id) | Q(role__isnull=True))
    if status:
        messages = messages.filter(status=status)
    found = list(messages.order_by("order", "pk"))
    for message in found:
        message.playbook = playbook
    return found
