"""Revert one field of one change (DESIGN.md "History, undo and two people
editing": any single change can be reverted).

A "changed" line of the changes page names each field it changed ("headcount
40 → 45"); an editor may set one of them back to its old value. Only while
the thing is still there and the field still holds the value that change gave
it: otherwise nothing is saved and the message says why. The row is read and
written under a row lock, so two reverts at once cannot both apply; it is
saved as any edit is, so the history records the revert by its person, and
the playbook's version stamp and PDF follow (planner.signals).

Never reverted: members (their levels are the owners', on the members page,
which keeps a playbook's last owner), stamps a save sets itself ("updated"),
and whatever a sentence does not show (keys, positions, links).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from actionplan.models import Step
from ambassadors.forms import email_holder
from ambassadors.models import Ambassador
from comms.models import Message
from givegets.forms import over_the_cap
from givegets.models import GiveGet
from planner.changelog import (
    KINDS,
    RESTORABLE,
    Change,
    changed_fields,
    histories,
    thing_shown,
    value_shown,
)
from playbooks.models import Level, Playbook
from roles.forms import name_taken
from roles.models import Role

REVERTIBLE = ("playbook", "role", "giveget", "ambassador", "step", "task", "message")

# How a row is found within its playbook, whatever its history says.
_IN_PLAYBOOK = {
    "playbook": "id",
    "role": "playbook_id",
    "giveget": "role__playbook_id",
    "ambassador": "playbook_id",
    "step": "playbook_id",
    "task": "step__playbook_id",
    "message": "playbook_id",
}


class RevertRefused(Exception):
    """Nothing was reverted; ``str()`` says why."""


def revertible(kind: str, name: str) -> bool:
    """Whether an editor may revert this field of this kind of thing."""
    if kind not in REVERTIBLE:
        return False
    try:
        field = KINDS[kind]._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return isinstance(field, models.Field) and field.editable and not field.primary_key


def offer(lines: list[Change]) -> list[Change]:
    """The lines, each with the reverts an editor is offered: every field its
    sentence names that may be reverted. No query: whether a revert still
    applies is decided when it is asked for."""
    return [
        replace(
            line,
            reverts=tuple(
                (name, str(KINDS[line.kind]._meta.get_field(name).verbose_name))  # type: ignore[union-attr]
                for name in line.changed
                if revertible(line.kind, name)
            ),
        )
        if line.changed
        else line
        for line in lines
    ]


def revert(*, playbook: Playbook, kind: str, history_id: int, field: str) -> str | None:
    """Set ``field`` of the thing changed by history record ``history_id``
    back to its value before that change, saved as the person in the request.
    The message that says so; ``None`` when there is no such change of this
    playbook to revert (a 404); ``RevertRefused`` when it cannot be reverted."""
    if not revertible(kind, field):
        return None
    records = dict(histories(playbook.pk, kind=kind))[kind]
    record = records.filter(history_id=history_id, history_type="~").first()
    if record is None:
        return None
    before = _before(record)
    if field not in changed_fields(record, before):
        return None
    model = KINDS[kind]
    model_field = model._meta.get_field(field)
    assert isinstance(model_field, models.Field)
    attname = model_field.attname
    old, new = getattr(before, attname), getattr(record, attname)
    thing = thing_shown(kind, record)
    label = model_field.verbose_name
    row = None
    try:
        with transaction.atomic():
            row = (
                model._default_manager.select_for_update(of=("self",))
                .filter(pk=record.id, **{_IN_PLAYBOOK[kind]: playbook.pk})
                .first()
            )
            if row is None:
                raise RevertRefused(_gone(kind, record, thing))
            now = getattr(row, attname)
            if now != new:
                raise RevertRefused(
                    capfirst(
                        _(
                            "The %(field)s of %(thing)s was changed again since (now %(now)s); "
                            "nothing reverted."
                        )
                        % {
                            "field": label,
                            "thing": thing,
                            "now": value_shown(model_field, now, [record, row]),
                        }
                    )
                )
            setattr(row, attname, old)
            refused = _why_not(playbook, model_field, row)
            if refused:
                raise RevertRefused(_("Not reverted: %(reason)s") % {"reason": refused})
            row.save()
    except IntegrityError:
        # Another save at the same moment made the old value break a rule the
        # checks above passed: say which, as they would have.
        assert row is not None
        refused = _why_not(playbook, model_field, row) or _(
            "Another change was saved at the same moment; reload the page and try again."
        )
        raise RevertRefused(_("Not reverted: %(reason)s") % {"reason": refused}) from None
    return capfirst(
        _("Reverted: the %(field)s of %(thing)s is %(value)s again.")
        % {"field": label, "thing": thing, "value": value_shown(model_field, old, [before])}
    )


def _before(record: Any) -> Any:
    """The version before ``record``, as the changes page finds it. One query."""
    history = type(record).objects
    return (
        history.filter(id=record.id)
        .filter(
            Q(history_date__lt=record.history_date)
            | Q(history_date=record.history_date, history_id__lt=record.history_id)
        )
        .order_by("-history_date", "-history_id")
        .first()
    )


def _gone(kind: str, record: Any, thing: str) -> str:
    if kind == "ambassador" and not record.name:
        return _("This person was removed for good.")
    if kind in RESTORABLE:
        return capfirst(_("%(thing)s was deleted; restore it first.") % {"thing": thing})
    return capfirst(_("%(thing)s was deleted; nothing reverted.") % {"thing": thing})


def _why_not_this_sender(playbook: Playbook, field: models.Field[Any, Any], row: Message) -> str:
    """Why a message's sender (or role) cannot be set back ("" when it can):
    one sender at most, still this playbook's, an ambassador of its role."""
    if not field.name.startswith("sender") and field.name != "role":
        return ""
    senders = [row.sender_ambassador_id, row.sender_member_id, row.sender_text]
    if sum(1 for sender in senders if sender) > 1:
        return _("A message has one sender: change it on the Communications page.")
    if row.sender_ambassador_id is not None:
        ambassador = Ambassador.objects.filter(pk=row.sender_ambassador_id, playbook=playbook)
        found = ambassador.values_list("role_id", flat=True).first()
        if found is None:
            return _("That ambassador is no longer on the roster.")
        if row.role_id is not None and found != row.role_id:
            return _(
                "The sender is an ambassador of another role: change it on the Communications page."
            )
    if (
        row.sender_member_id is not None
        and not playbook.memberships.filter(user_id=row.sender_member_id).exists()
    ):
        return _("That person is no longer a member of this playbook.")
    return ""


def _why_not(playbook: Playbook, field: models.Field[Any, Any], row: models.Model) -> str:
    """Why ``row``, with the old value set, cannot be saved ("" when it can):
    the rules the edit forms say in words first, then the model's own."""
    if (
        isinstance(row, Role)
        and field.name == "name"
        and name_taken(playbook, row.name, exclude_pk=row.pk)
    ):
        return _("This playbook already has a role called “%(name)s” (ignoring case).") % {
            "name": row.name
        }
    role_id = (
        getattr(row, "role_id", None) if isinstance(row, GiveGet | Ambassador | Message) else None
    )
    if (
        field.name == "role"
        and role_id is not None  # a message's None: to all roles
        and not Role.objects.filter(pk=role_id, playbook=playbook).exists()
    ):
        return _("Its former role was deleted since.")
    if isinstance(row, Message) and (refusal := _why_not_this_sender(playbook, field, row)):
        return refusal
    if (
        isinstance(row, Playbook)
        and field.name == "ambassador_contact"
        and row.ambassador_contact_id is not None
        and not playbook.memberships.filter(
            user_id=row.ambassador_contact_id, level=Level.OWNER, user__is_active=True
        ).exists()
    ):  # the ambassadors' pages would show someone who left, or not an owner
        return _("That person is no longer an owner of this playbook.")
    if (
        isinstance(row, Ambassador)
        and field.name == "email"
        and email_holder(playbook, row.email, exclude_pk=row.pk) is not None
    ):  # one of a deleted role too: it comes back with its role
        return _("Another ambassador of this playbook now has the e-mail %(email)s.") % {
            "email": row.email
        }
    if isinstance(row, GiveGet) and (refusal := over_the_cap(row.minutes_each, row.times_per_week)):
        return refusal
    if isinstance(row, Step) and field.name in ("start", "due"):
        start, due = row.start, row.due
        if (start is None) != (due is None):
            # Both empty follow go-live; once one is typed, both are stored.
            return _("A step's start and due are set together: change them in the action plan.")
        if start is not None and due is not None and due < start:
            return _("The due date is before the start date.")
    try:
        row.full_clean()
    except ValidationError as error:
        return " ".join(error.messages)
    return ""
