"""The changes page's data: a playbook's history as sentences a person reads.

Each edited model keeps its history (``core.history``); this module reads the
nine histories of one playbook as one list, newest first, a page at a time,
in a fixed number of queries whatever the history's length: one to count,
one for the page (a UNION of the ten, ordered and cut in the database),
then per kind on the page its records with their previous versions (two),
and the names the sentences need (roles, steps, members, the ambassadors
who send messages).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, models, transaction
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import formats, timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from actionplan.models import Step, Task
from ambassadors.models import Ambassador
from comms.models import Message
from core import history as core_history
from core.history import (
    SOURCE_COMMAND,
    SOURCE_EXISTING,
    SOURCE_IMPORT,
    SOURCE_PURGE,
    SOURCE_RESTORE,
)
from core.typography import quote
from givegets.models import GiveGet
from playbooks.models import Membership, Playbook
from pulse.models import AdoptionFigure, HiddenComment
from roles import equation
from roles.models import Role

PER_PAGE = 50

KINDS: dict[str, type[models.Model]] = {
    "playbook": Playbook,
    "member": Membership,
    "role": Role,
    "giveget": GiveGet,
    "ambassador": Ambassador,
    "step": Step,
    "task": Task,
    "comment": HiddenComment,
    "adoption": AdoptionFigure,
    "message": Message,
}
KIND_LABELS = {
    "playbook": gettext_lazy("The playbook and its charter"),
    "member": gettext_lazy("Members"),
    "role": gettext_lazy("Roles"),
    "giveget": gettext_lazy("Give-Gets"),
    "ambassador": gettext_lazy("Ambassadors"),
    "step": gettext_lazy("Plan steps"),
    "task": gettext_lazy("Tasks"),
    "comment": gettext_lazy("Hidden comments"),
    "adoption": gettext_lazy("Adoption figures"),
    "message": gettext_lazy("Messages"),
}
# Deleted things that come back: a Give-Get, ambassador, task or message from
# its history; a role, soft-deleted, whole, with everything under it (DESIGN.md).
RESTORABLE = ("role", "giveget", "ambassador", "task", "message")

# Not shown as changes: keys, positions and stamps; and whether a message is
# still drafted, which its sentence says in words.
_NOT_SHOWN = {
    "id",
    "version",
    "order",
    "playbook",
    "step",
    "user",
    "invited_by",
    "created_at",
    "drafted",
}


@dataclass(frozen=True)
class Change:
    when: datetime.datetime
    kind: str
    sentence: str
    history_id: int = 0
    # A deletion whose thing is still gone and whose role or step is still there.
    restorable: bool = False
    # A deleted ambassador not yet removed for good (an owner may erase them).
    erasable_id: int | None = None
    # A "changed" line's fields, by name; those an editor may revert, with
    # their labels, are set by planner.revert.offer.
    changed: tuple[str, ...] = ()
    reverts: tuple[tuple[str, str], ...] = ()


def histories(
    playbook_id: int, *, kind: str = "", role_id: int | None = None
) -> list[tuple[str, QuerySet[Any]]]:
    """The history records of one playbook, per kind: only ``kind``'s, and
    with ``role_id`` (a role of this playbook) only that role's and what
    belongs to it. Give-Gets and tasks are found through the ids their roles
    and steps ever had in this playbook, so a deleted parent keeps them."""
    role_ids = Role.history.filter(playbook_id=playbook_id).values("id")
    step_ids = Step.history.filter(playbook_id=playbook_id).values("id")
    by_kind: dict[str, QuerySet[Any]] = {
        "playbook": Playbook.history.filter(id=playbook_id),
        "member": Membership.history.filter(playbook_id=playbook_id),
        "role": Role.history.filter(playbook_id=playbook_id),
        "giveget": GiveGet.history.filter(role_id__in=role_ids),
        "ambassador": Ambassador.history.filter(playbook_id=playbook_id),
        "step": Step.history.filter(playbook_id=playbook_id),
        "task": Task.history.filter(step_id__in=step_ids),
        "comment": HiddenComment.history.filter(role_id__in=role_ids),
        "adoption": AdoptionFigure.history.filter(role_id__in=role_ids),
        "message": Message.history.filter(playbook_id=playbook_id),
    }
    if role_id is not None:
        by_kind = {
            "role": by_kind["role"].filter(id=role_id),
            "giveget": by_kind["giveget"].filter(role_id=role_id),
            "ambassador": by_kind["ambassador"].filter(role_id=role_id),
            "comment": by_kind["comment"].filter(role_id=role_id),
            "adoption": by_kind["adoption"].filter(role_id=role_id),
            "message": by_kind["message"].filter(role_id=role_id),
        }
    return [(name, qs) for name, qs in by_kind.items() if not kind or name == kind]


def page_of_changes(
    playbook_id: int, number: Any, *, kind: str = "", role_id: int | None = None
) -> tuple[Page[Any], list[Change]]:
    """One page (``number``, forgiving: a bad one gives the first or last) of
    the playbook's changes, newest first, as sentences."""
    parts = [
        qs.order_by()  # a part of a UNION has no order of its own
        # Not "kind": a message has a field of that name.
        .annotate(change_kind=Value(name, output_field=CharField()))
        .values_list("history_id", "history_date", "change_kind")
        for name, qs in histories(playbook_id, kind=kind, role_id=role_id)
    ]
    if not parts:  # a role's filter with a kind no role has (steps, tasks, members)
        return Paginator([], PER_PAGE).get_page(1), []
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    page = Paginator(combined.order_by("-history_date", "-history_id"), PER_PAGE).get_page(number)
    return page, _sentences(list(page.object_list))


def _records(kind: str, ids: Sequence[int]) -> tuple[list[Any], dict[int, Any]]:
    """The records of one kind, and the version before each (by history id)."""
    history = KINDS[kind].history  # type: ignore[attr-defined]
    before = history.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    records = list(
        history.filter(history_id__in=ids)
        .select_related("history_user")
        .annotate(
            previous_id=Subquery(
                before.order_by("-history_date", "-history_id").values("history_id")[:1]
            )
        )
    )
    previous_ids = [r.previous_id for r in records if r.previous_id is not None]
    previous = {r.history_id: r for r in history.filter(history_id__in=previous_ids)}
    return records, previous


def _sentences(rows: Iterable[tuple[int, datetime.datetime, str]]) -> list[Change]:
    rows = list(rows)
    ids: dict[str, list[int]] = defaultdict(list)
    for history_id, _date, kind in rows:
        ids[kind].append(history_id)
    records: dict[tuple[str, int], Any] = {}
    previous: dict[tuple[str, int], Any] = {}
    for kind, kind_ids in ids.items():
        found, before = _records(kind, kind_ids)
        for record in found:
            records[kind, record.history_id] = record
            if record.previous_id in before:
                previous[kind, record.history_id] = before[record.previous_id]
    names = _Names([*records.values(), *previous.values()])  # an old role by name too
    gone = _still_gone(
        [
            (kind, r)
            for (kind, _id), r in records.items()
            if r.history_type == "-" or _soft_deletion(kind, r, previous.get((kind, _id)))
        ],
        names,
    )
    changes = []
    for history_id, date, kind in rows:
        record = records[kind, history_id]
        changes.append(
            Change(
                when=date,
                kind=kind,
                sentence=_sentence(kind, record, previous.get((kind, history_id)), names),
                history_id=history_id,
                restorable=(kind, history_id) in gone,
                erasable_id=record.id
                if kind == "ambassador" and record.history_type == "-" and not _erased(record)
                else None,
                changed=changed_fields(record, previous.get((kind, history_id))),
            )
        )
    return changes


def _soft_deletion(kind: str, record: Any, before: Any) -> bool:
    """A role's record that deleted it (soft: ``deleted_at`` set)."""
    return (
        kind == "role"
        and record.history_type == "~"
        and record.deleted_at is not None
        and (before is None or before.deleted_at is None)
    )


def _soft_restoration(kind: str, record: Any, before: Any) -> bool:
    """A role's record that brought it back (``deleted_at`` cleared)."""
    return (
        kind == "role"
        and record.history_type == "~"
        and record.deleted_at is None
        and before is not None
        and before.deleted_at is not None
    )


def _still_gone(deleted: list[tuple[str, Any]], names: _Names) -> set[tuple[str, int]]:
    """The deletions on a page that can be undone: the thing is still gone and
    its role or step is still there; a role still deleted by that deletion,
    less than 30 days ago. One query per kind that has any."""
    by_kind: dict[str, list[Any]] = defaultdict(list)
    for kind, record in deleted:
        if kind in RESTORABLE:
            by_kind[kind].append(record)
    gone = set()
    for kind, records in by_kind.items():
        if kind == "role":
            still_deleted = set(
                Role.all_objects.filter(
                    pk__in=[r.id for r in records],
                    deleted_at__gt=timezone.now() - RETENTION,
                ).values_list("pk", "deleted_at")
            )
            gone |= {
                (kind, r.history_id)
                for r in records
                if r.history_type == "~" and (r.id, r.deleted_at) in still_deleted
            }
            continue
        model = KINDS[kind]
        back = set(
            model._base_manager.filter(pk__in=[r.id for r in records]).values_list("pk", flat=True)
        )
        for record in records:
            if kind == "task":
                parent_there = record.step_id in names.steps
            elif kind == "message":  # to one role, or to all roles
                parent_there = record.role_id is None or record.role_id in names.live
            else:
                parent_there = record.role_id in names.live
            if record.id not in back and parent_there and not _erased(record):
                gone.add((kind, record.history_id))
    return gone


# A deleted playbook's history stays this long (in the admin), then goes; a
# deleted role stays restorable this long, then goes with everything under it.
RETENTION = datetime.timedelta(days=30)
# Children first: Give-Gets, tasks, hidden comments and adoption figures are
# found through their roles' and steps' records, so those go last but one.
_PURGE_ORDER = (
    "message",
    "adoption",
    "comment",
    "giveget",
    "task",
    "ambassador",
    "member",
    "step",
    "role",
    "playbook",
)


def purge_playbook_history(playbook_id: int) -> int:
    """Remove every history record of one playbook; how many went."""
    by_kind = dict(histories(playbook_id))
    with transaction.atomic():
        return sum(by_kind[kind].delete()[0] for kind in _PURGE_ORDER)


def purge_deleted_playbooks(now: datetime.datetime | None = None) -> list[int]:
    """The histories of the playbooks deleted more than ``RETENTION`` ago,
    removed; their ids."""
    cutoff = (now or timezone.now()) - RETENTION
    deleted = set(
        Playbook.history.filter(history_type="-", history_date__lt=cutoff).values_list(
            "id", flat=True
        )
    )
    gone = deleted - set(Playbook.objects.filter(pk__in=deleted).values_list("pk", flat=True))
    for playbook_id in sorted(gone):
        purge_playbook_history(playbook_id)
    return sorted(gone)


def purge_deleted_roles(now: datetime.datetime | None = None) -> list[int]:
    """The roles deleted more than ``RETENTION`` ago, removed for good with
    their Give-Gets and ambassadors (each role in its own transaction, so one
    that fails leaves the others purged); their ids."""
    cutoff = (now or timezone.now()) - RETENTION
    purged = []
    due = Role.all_objects.filter(deleted_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)
    for role_id in list(due):
        if purge_deleted_role(role_id, now=now):
            purged.append(role_id)
    return purged


def purge_deleted_role(role_id: int, *, now: datetime.datetime | None = None) -> bool:
    """One role removed for good (with everything under it) if it is deleted
    and its 30 days are over; whether it was. Recorded as a purge."""
    cutoff = (now or timezone.now()) - RETENTION
    with transaction.atomic(), core_history.recorded_as(SOURCE_PURGE):
        role = (
            Role.all_objects.select_for_update().filter(pk=role_id, deleted_at__lt=cutoff).first()
        )
        if role is None:  # restored meanwhile, or gone already
            return False
        role.delete()  # the cascade goes through the base managers: all rows
    return True


def _erased(record: Any) -> bool:
    """An ambassador's record after "Remove for good" (their name blanked)."""
    return isinstance(record, Ambassador.history.model) and not record.name


class RestoreRefused(Exception):
    """The deleted thing cannot come back as it was; ``str()`` says why."""


class NameTaken(RestoreRefused):
    """A deleted role's name is another role's now: it comes back renamed."""


def restore(playbook_id: int, kind: str, history_id: int, *, name: str = "") -> Any:
    """Bring back a deleted Give-Get, ambassador, task or message exactly as
    it was (an ambassador without a link: a revoked link never comes back; a
    message without a sender who is no longer there), or a
    deleted role with everything under it (under ``name`` when given),
    recorded as a restore by the person in the request. ``None`` when the
    deletion is not one of this playbook's; ``RestoreRefused`` when it
    cannot come back."""
    if kind not in RESTORABLE:
        return None
    records = dict(histories(playbook_id, kind=kind))[kind]
    if kind == "role":
        deletion = records.filter(
            history_id=history_id, history_type="~", deleted_at__isnull=False
        ).first()
        return None if deletion is None else _restore_role(playbook_id, deletion, name=name)
    record = records.filter(history_id=history_id, history_type="-").first()
    if record is None:
        return None
    refused = _why_not_restored(playbook_id, kind, record)
    if refused:
        raise RestoreRefused(refused)
    instance = record.instance
    if kind == "message":
        _senders_still_there(playbook_id, instance)
    try:
        with transaction.atomic(), core_history.recorded_as(SOURCE_RESTORE):
            instance.save(force_insert=True)
    except IntegrityError:
        # Someone else restored it, or took its e-mail or deleted its role, at
        # the same moment: say which, as the checks above would have.
        refused = _why_not_restored(playbook_id, kind, record)
        if not refused:
            raise
        raise RestoreRefused(refused) from None
    return instance


def _senders_still_there(playbook_id: int, message: Message) -> None:
    """A restored message's sender, if they are still this playbook's
    ambassador or member; else none (the deletion cleared nothing, but the
    ambassador or the member may have gone since)."""
    if (
        message.sender_ambassador_id is not None
        and not Ambassador.objects.filter(
            pk=message.sender_ambassador_id, playbook_id=playbook_id
        ).exists()
    ):
        message.sender_ambassador_id = None
    if (
        message.sender_member_id is not None
        and not Membership.objects.filter(
            user_id=message.sender_member_id, playbook_id=playbook_id
        ).exists()
    ):
        message.sender_member_id = None


def _restore_role(playbook_id: int, deletion: Any, *, name: str) -> Role:
    """Clear the role's ``deleted_at``: its Give-Gets and ambassadors come
    back with it as they were (same rows), their links still revoked."""
    name = name.strip() or deletion.name
    try:
        with transaction.atomic(), core_history.recorded_as(SOURCE_RESTORE):
            role = Role.all_objects.select_for_update().filter(pk=deletion.id).first()
            refused = _why_role_not_restored(playbook_id, role, name)
            if refused:
                raise refused
            assert role is not None
            role.deleted_at = None
            role.name = name
            role.save(update_fields=["deleted_at", "name"])
    except IntegrityError:
        # A role of that name added (or restored) at the same moment.
        with transaction.atomic():
            role = Role.all_objects.filter(pk=deletion.id).first()
            refused = _why_role_not_restored(playbook_id, role, name)
        if refused is None:
            raise
        raise refused from None
    return role


def _why_role_not_restored(playbook_id: int, role: Role | None, name: str) -> RestoreRefused | None:
    """Why a deleted role cannot come back now, under ``name`` (None when it can)."""
    if role is None:
        return RestoreRefused(_("It was removed for good, 30 days after its deletion."))
    if role.deleted_at is None:
        return RestoreRefused(_("It is back already."))
    if role.deleted_at <= timezone.now() - RETENTION:
        return RestoreRefused(_("It was deleted more than 30 days ago."))
    others = Role.objects.filter(playbook_id=playbook_id).values_list("name", flat=True)
    if name.casefold() in {other.casefold() for other in others}:
        return NameTaken(
            _("Another role of this playbook is called “%(name)s” now.") % {"name": name}
        )
    return None


def _why_not_restored(playbook_id: int, kind: str, record: Any) -> str:
    """Why a deleted thing cannot come back now ("" when it can)."""
    if _erased(record):
        return _("This person was removed for good.")
    if KINDS[kind]._base_manager.filter(pk=record.id).exists():
        return _("It is back already.")
    if kind == "task":
        if not Step.objects.filter(pk=record.step_id, playbook_id=playbook_id).exists():
            return _("Its step is gone.")
    elif kind == "message" and record.role_id is None:
        pass  # to all roles
    elif not Role.objects.filter(pk=record.role_id, playbook_id=playbook_id).exists():
        return _("Its role was deleted: restore the role first.")
    if (
        kind == "ambassador"
        and Ambassador.all_objects.filter(
            playbook_id=playbook_id, email__iexact=record.email
        ).exists()
    ):
        return _("Another ambassador of this playbook now has the e-mail %(email)s.") % {
            "email": record.email
        }
    return ""


class _Names:
    """The names sentences need that a record does not hold: its role's name,
    its step's number, a member's name, a message's sender. Four queries at
    most, for a page (the fourth only for messages with an ambassador)."""

    def __init__(self, records: Iterable[Any]) -> None:
        records = list(records)
        role_ids = {r.role_id for r in records if getattr(r, "role_id", None) is not None}
        step_ids = {r.step_id for r in records if hasattr(r, "step_id")}
        user_ids = {r.user_id for r in records if hasattr(r, "user_id")}
        user_ids |= {r.sender_member_id for r in records if getattr(r, "sender_member_id", None)}
        user_ids |= {
            r.ambassador_contact_id for r in records if getattr(r, "ambassador_contact_id", None)
        }
        ambassador_ids = {
            r.sender_ambassador_id for r in records if getattr(r, "sender_ambassador_id", None)
        }
        # A role's name now (deleted or not), or the name it had when it was
        # removed for good.
        rows = Role.all_objects.filter(pk__in=role_ids).values_list("pk", "name", "deleted_at")
        current = {pk: name for pk, name, _deleted in rows}
        deleted = Role.history.filter(id__in=role_ids - current.keys(), history_type="-")
        self.roles: dict[int, str] = {**dict(deleted.values_list("id", "name")), **current}
        # The roles that are there now (not deleted).
        self.live = {pk for pk, _name, deleted_at in rows if deleted_at is None}
        self.steps = dict(Step.objects.filter(pk__in=step_ids).values_list("pk", "number"))
        self.users = {
            user.pk: _person(user) for user in get_user_model().objects.filter(pk__in=user_ids)
        }
        # Erased ambassadors are gone: "a removed person".
        self.ambassadors: dict[int, str] = dict(
            Ambassador.all_objects.filter(pk__in=ambassador_ids).values_list("pk", "name")
        )


def _person(user: Any) -> str:
    return user.get_full_name() or user.email or user.username


def _short(text: str, length: int = 60) -> str:
    return Truncator(text).chars(length)


def _thing(kind: str, record: Any, names: _Names) -> str:
    role = names.roles.get(getattr(record, "role_id", 0), _("a deleted role"))
    match kind:
        case "playbook":
            return _("the playbook “%(name)s”") % {"name": _short(record.name)}
        case "member":
            return _("the member %(name)s (%(level)s)") % {
                "name": names.users.get(record.user_id, _("a removed person")),
                "level": record.get_level_display(),
            }
        case "role":
            return _("the role “%(name)s”") % {"name": _short(record.name)}
        case "giveget":
            return _("the Give-Get “%(give)s” of %(role)s") % {
                "give": _short(record.give),
                "role": _short(role),
            }
        case "ambassador":
            return _("the ambassador %(name)s (%(role)s)") % {
                "name": _short(record.name) if record.name else _("a removed person"),
                "role": _short(role),
            }
        case "adoption":
            return _("the adoption figure of %(role)s, week %(week)s") % {
                "role": _short(role),
                "week": record.week,
            }
        case "comment":
            # Never the comment's text: the sentence names the role and week only.
            return _("a comment on %(role)s, week %(week)s") % {
                "role": _short(role),
                "week": record.week,
            }
        case "message":
            title = _short(record.title) if record.title else Message.Kind(record.kind).label
            if record.role_id is None:
                return _("the message “%(title)s” to all roles") % {"title": title}
            return _("the message “%(title)s” to %(role)s") % {"title": title, "role": _short(role)}
        case "step":
            return _("step %(number)s, “%(title)s”") % {
                "number": record.number,
                "title": _short(record.title),
            }
        case _:
            return _("the task “%(text)s” of step %(number)s") % {
                "text": _short(record.text),
                "number": names.steps.get(record.step_id, "?"),
            }


def _who(record: Any) -> str:
    reason = record.history_change_reason or ""
    person = _person(record.history_user) if record.history_user else ""
    if reason == SOURCE_RESTORE and person:
        return person
    if reason == SOURCE_IMPORT:
        if person:
            return _("%(person)s (playbook file import)") % {"person": person}
        return _("A playbook file import")
    if person:
        return person
    if reason == SOURCE_COMMAND:
        return _("A management command")
    return _("Someone no longer known")


def _sentence(kind: str, record: Any, before: Any, names: _Names) -> str:
    thing = _thing(kind, record, names)
    if record.history_change_reason == SOURCE_EXISTING:
        return capfirst(_("%(thing)s as it was when the history began.") % {"thing": thing})
    if record.history_change_reason == SOURCE_PURGE:
        return capfirst(
            _("%(thing)s was removed for good, 30 days after its deletion.") % {"thing": thing}
        )
    who = _who(record)
    if _soft_deletion(kind, record, before):
        return _("%(who)s deleted %(thing)s.") % {"who": who, "thing": thing}
    if _soft_restoration(kind, record, before):
        if before.name != record.name:
            return _("%(who)s restored %(thing)s, renamed from “%(old)s”.") % {
                "who": who,
                "thing": thing,
                "old": _short(before.name),
            }
        return _("%(who)s restored %(thing)s.") % {"who": who, "thing": thing}
    if kind == "comment" and record.history_type == "+":
        return _("%(who)s hid %(thing)s.") % {"who": who, "thing": thing}
    if kind == "comment" and record.history_type == "-":
        return _("%(who)s showed %(thing)s again.") % {"who": who, "thing": thing}
    if kind == "adoption" and record.history_type == "+":
        return _("%(who)s added %(thing)s: %(active)s.") % {
            "who": who,
            "thing": thing,
            "active": _active_users(record.active_users),
        }
    if kind == "adoption" and record.history_type == "-":
        return _("%(who)s removed %(thing)s (it was %(active)s).") % {
            "who": who,
            "thing": thing,
            "active": _active_users(record.active_users),
        }
    if record.history_type == "+" and record.history_change_reason == SOURCE_RESTORE:
        return _("%(who)s restored %(thing)s.") % {"who": who, "thing": thing}
    if record.history_type == "+":
        return _("%(who)s added %(thing)s.") % {"who": who, "thing": thing}
    if record.history_type == "-":
        return _("%(who)s deleted %(thing)s.") % {"who": who, "thing": thing}
    if before is None:
        return _("%(who)s changed %(thing)s.") % {"who": who, "thing": thing}
    shown_fields = changed_fields(record, before)
    changed = [
        _("%(field)s %(old)s → %(new)s")
        % {
            "field": field.verbose_name,
            "old": _shown(field, getattr(before, field.attname), names),
            "new": _shown(field, getattr(record, field.attname), names),
        }
        for field in _fields(record)
        if field.name in shown_fields
    ]
    if kind == "message" and before.drafted != record.drafted:
        # A drafted message's title and text were never stored as they read.
        changed.insert(
            0,
            _("its title and text written by hand, no longer drafted from the role")
            if before.drafted
            else _("its title and text drafted from the role again"),
        )
    if not changed:
        return _("%(who)s saved %(thing)s, changing nothing.") % {"who": who, "thing": thing}
    return _("%(who)s changed %(thing)s: %(changes)s.") % {
        "who": who,
        "thing": thing,
        "changes": "; ".join(changed),
    }


def _fields(record: Any) -> list[models.Field[Any, Any]]:
    return [
        field
        for field in record._meta.fields
        if field.name not in _NOT_SHOWN and not field.name.startswith("history_")
    ]


def _active_users(count: int) -> str:
    """``31 active users``, the number as the active language groups it."""
    return ngettext("%(count)s active user", "%(count)s active users", count) % {
        "count": formats.number_format(count, force_grouping=True)
    }


def _shown(field: models.Field[Any, Any], value: Any, names: _Names) -> str:
    """A value as a person reads it, in the active language."""
    if value is None and field.name == "role" and field.model is Message.history.model:
        return _("all roles")
    if value is None or value == "":
        return _("(empty)")
    if field.name == "active_users":  # an adoption figure: a count read in thousands
        return formats.number_format(value, force_grouping=True)
    if field.name == "role":
        return _short(names.roles.get(value, _("a deleted role")))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.name == "sender_ambassador":
        return _short(names.ambassadors.get(value) or _("a removed person"))
    if field.name in ("sender_member", "ambassador_contact"):
        return _short(names.users.get(value, _("a removed person")))
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal):
        return equation.format_number(
            value, decimal_separator=formats.get_format("DECIMAL_SEPARATOR")
        )
    if isinstance(value, int):
        return str(value)
    return quote(_short(str(value), 80))


# For planner.revert: a line's fields, its thing and its values as this page
# shows them.


def changed_fields(record: Any, before: Any) -> tuple[str, ...]:
    """The fields a "changed" sentence names (none for any other sentence).
    Not the title and text of a message as its draft ended: they were never
    stored as they read before (the sentence says so in words)."""
    if (
        before is None
        or record.history_type != "~"
        or record.history_change_reason == SOURCE_EXISTING
    ):
        return ()
    drafted_ended = isinstance(record, Message.history.model) and before.drafted
    return tuple(
        field.name
        for field in _fields(record)
        if getattr(before, field.attname) != getattr(record, field.attname)
        and not (drafted_ended and field.name in ("title", "text"))
    )


def thing_shown(kind: str, record: Any) -> str:
    """What a record is about, as its sentence names it. Three queries at most."""
    return _thing(kind, record, _Names([record]))


def value_shown(field: models.Field[Any, Any], value: Any, records: Iterable[Any]) -> str:
    """A value as a sentence shows it; ``records`` (or rows) name its role.
    Three queries at most."""
    return _shown(field, value, _Names(records))
