"""Writes for the communications plan: the default set of messages.

A new playbook (and one imported from a file without a ``communications``
key) gets the default set (DESIGN.md "Communications plan and calendar"):
per role "Your WIIFM", "Your week-1 quick win" and "First results", and for
all roles "Open session: what the data is and is not used for". A role added
later gets its three when it is created. The callers say so where they create
playbooks and roles (``planner.services``, the playbook file, the demo):
no signal creates messages behind anyone's back.

Each default message is stored ``drafted`` (its title and text are drafted
from the role on each read: ``comms.drafts.shown``), with no date (its kind's
default, following go-live: ``comms.dates``), as a draft, on the channel its
kind suits, from the role's most influential ambassador when it has one.

Idempotent: a role never gets a second message of a kind it has (deleted
messages aside: deleting one is a choice, and creating the set again brings
it back only when asked to create the set again).

The sender of a drafted message follows the ambassadors in one way only
(``ambassador_saved``): while a role's default message is still drafted,
still a draft, and has no sender at all, an ambassador added to the role (or
moved into it) makes the role's most influential ambassador its sender. A
sender once there, chosen or given, stays: nobody's choice is undone by
someone else adding a person. An ambassador moved to another role stops being
the sender of their old role's messages (a sender is an ambassador *of that
role*), and the rule above fills the gap from the old role's ambassadors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Q

from ambassadors.models import Ambassador
from comms.models import Message
from core import history, versions
from core.ordering import next_order
from playbooks.models import Playbook
from roles.models import Role

ROLE_KINDS = (Message.Kind.WIIFM, Message.Kind.QUICK_WIN, Message.Kind.FIRST_RESULTS)
# The channel each kind suits: the WIIFM is best said face to face (a team
# meeting, where questions come), the quick win is a how-to people keep (an
# e-mail), first results are discussed (a team meeting), the open session is
# a meeting.
CHANNELS = {
    Message.Kind.WIIFM: Message.Channel.MEETING,
    Message.Kind.QUICK_WIN: Message.Channel.EMAIL,
    Message.Kind.FIRST_RESULTS: Message.Channel.MEETING,
    Message.Kind.OPEN_SESSION: Message.Channel.MEETING,
}


def most_influential(ambassadors: Iterable[Ambassador]) -> Ambassador | None:
    """The ambassador with the most influence; on a tie the first by name,
    then the first added (the roster's order)."""
    ranked = sorted(ambassadors, key=lambda a: (-a.influence, a.name, a.pk or 0))
    return ranked[0] if ranked else None


def _default_message(
    playbook: Playbook, role: Role | None, kind: str, order: int, sender: Ambassador | None
) -> Message:
    message = Message(
        playbook=playbook,
        role=role,
        kind=kind,
        drafted=True,
        channel=CHANNELS[Message.Kind(kind)],
        status=Message.Status.DRAFT,
        sender_ambassador=sender,
        order=order,
    )
    message.full_clean(validate_constraints=False)
    return message


def _missing(playbook: Playbook, roles: Sequence[Role], *, open_session: bool) -> list[Message]:
    """The default messages the roles (and, when asked, the playbook) do not
    have yet. Two queries: the kinds they have, the roles' ambassadors."""
    have = set(
        Message.objects.filter(playbook=playbook)
        .filter(Q(role__in=roles) | Q(role__isnull=True))
        .exclude(kind=Message.Kind.CUSTOM)
        .values_list("role_id", "kind")
    )
    ambassadors: dict[int, list[Ambassador]] = {}
    for ambassador in Ambassador.all_objects.filter(role__in=roles):
        ambassadors.setdefault(ambassador.role_id, []).append(ambassador)
    order = next_order(playbook.messages.all())
    new: list[Message] = []
    for role in roles:
        sender = most_influential(ambassadors.get(role.pk, []))
        for kind in ROLE_KINDS:
            if (role.pk, kind) not in have:
                new.append(_default_message(playbook, role, kind, order + len(new), sender))
    if open_session and (None, Message.Kind.OPEN_SESSION) not in have:
        new.append(
            _default_message(playbook, None, Message.Kind.OPEN_SESSION, order + len(new), None)
        )
    return new


def _save(playbook: Playbook, messages: list[Message]) -> list[Message]:
    """One insert and its history records (the request's user, or the
    source named by ``core.history.recorded_as``); the playbook's pages and
    PDF follow its version stamp."""
    if not messages:
        return []
    saved = history.bulk_create(Message, messages)
    versions.bump(playbook)
    return saved


@transaction.atomic
def create_default_set(playbook: Playbook) -> list[Message]:
    """The default set for a playbook: each role's three messages and the
    open session, those it lacks. Four queries, and two to save."""
    roles = list(Role.all_objects.filter(playbook=playbook).order_by("order", "pk"))
    return _save(playbook, _missing(playbook, roles, open_session=True))


@transaction.atomic
def create_role_messages(role: Role) -> list[Message]:
    """A new role's three messages, those it lacks."""
    playbook = role.playbook
    return _save(playbook, _missing(playbook, [role], open_session=False))


def ambassador_saved(ambassador: Ambassador) -> int:
    """After an ambassador is added or changed: they stop sending messages of
    a role that is no longer theirs, and each drafted default message (still
    a draft) of the roles concerned with no sender gets its role's most
    influential ambassador. How many messages changed. Two reads when
    nothing changes."""
    return ambassadors_saved(ambassador.playbook_id, [ambassador])


def ambassadors_saved(playbook_id: int, ambassadors: list[Ambassador]) -> int:
    """``ambassador_saved`` for many ambassadors of a playbook at once (the
    roster import): one read for the messages they send, then two per role
    concerned, whatever the number of ambassadors. As if they were saved one
    by one in the list's order: a role's waiting messages go to the most
    influential of its ambassadors as they were when the first of the list
    came to it (the later ones of the list do not count)."""
    if not ambassadors:
        return 0
    role_of = {a.pk: a.role_id for a in ambassadors}
    moved = [
        (pk, role_id)
        for pk, role_id, sender_id in Message.objects.filter(
            sender_ambassador__in=list(role_of), role__isnull=False
        ).values_list("pk", "role_id", "sender_ambassador_id")
        if role_of[sender_id] != role_id
    ]
    changed = _set_sender([pk for pk, _role in moved], None) if moved else 0
    later: set[int] = set()
    seen_roles: set[int] = set()
    for ambassador in ambassadors:
        if ambassador.role_id in seen_roles:
            later.add(ambassador.pk)
        seen_roles.add(ambassador.role_id)
    for role_id in sorted({*role_of.values(), *(role_id for _pk, role_id in moved)}):
        changed += _fill_senders(role_id, later=later)
    if changed:
        versions.bump(playbook_id)
    return changed


def _fill_senders(role_id: int, *, later: set[int] | None = None) -> int:
    waiting = list(
        Message.objects.filter(
            role_id=role_id,
            kind__in=ROLE_KINDS,
            drafted=True,
            status=Message.Status.DRAFT,
            sender_ambassador__isnull=True,
            sender_member__isnull=True,
            sender_text="",
        ).values_list("pk", flat=True)
    )
    if not waiting:
        return 0
    candidates = Ambassador.objects.filter(role_id=role_id).exclude(pk__in=later or ())
    sender = most_influential(candidates)
    return _set_sender(waiting, sender) if sender is not None else 0


def _set_sender(pks: list[int], sender: Ambassador | None) -> int:
    """Each message saved on its own: its version rises (an editor who read
    it before sees the change) and its history records who sends it now."""
    with transaction.atomic():
        messages = list(Message.objects.select_for_update().filter(pk__in=pks))
        for message in messages:
            message.sender_ambassador = sender
            message.save(update_fields=["sender_ambassador"])
    return len(messages)
