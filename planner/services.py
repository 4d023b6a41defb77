"""Writes that span apps: a new playbook with its default plan, example roles
and default messages; the example roles in a playbook that has none yet; a
new role with its messages; a role's (soft) deletion, which revokes its
ambassadors' links."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actionplan.services import create_default_plan
from ambassadors.models import Ambassador
from comms.services import create_default_set, create_role_messages
from givegets.models import GiveGet
from planner.examples import add_example_roles
from planner.tasks import schedule_role_purge
from playbooks import services as playbook_services
from playbooks.models import Playbook
from pulse.models import PulseLink
from roles import services as role_services
from roles.forms import RoleForm
from roles.models import Role


@transaction.atomic
def create_playbook(*, owner: Any, with_examples: bool = False, **fields: Any) -> Playbook:
    """A new playbook owned by its creator, with the seven-step plan in its
    language, when asked the example roles, and the default messages (each
    role's three and the open session)."""
    playbook = playbook_services.create_playbook(owner=owner, **fields)
    create_default_plan(playbook)
    if with_examples:
        add_example_roles(playbook)
    create_default_set(playbook)
    return playbook


def start_from_examples(*, playbook: Playbook) -> list[Role] | None:
    """The four example roles, each with its Give-Gets and its three default
    messages, in a playbook that has no roles yet; None, and nothing added,
    when it has some (a second click, a second tab, another editor first).

    The playbook's row is locked while it is read and filled (on PostgreSQL;
    SQLite's IMMEDIATE transactions lock the whole database), so two editors
    pressing at the same moment add the examples once. Each role is saved one
    by one: the history records who added it, as for a role added by hand.
    Queries: the lock, whether it has roles, then the examples' writes."""
    with transaction.atomic():
        locked = Playbook.objects.select_for_update().get(pk=playbook.pk)
        if locked.roles.exists():
            return None
        roles = add_example_roles(locked)
        for role in roles:
            create_role_messages(role)
    return roles


def add_role(form: RoleForm, *, playbook: Playbook) -> Role | None:
    """A new role from a valid form (the matrix's, or the role form's), with
    its three default messages, in one transaction; None when the name was
    refused (said beside it, ``roles.services.save_role_form``)."""
    with transaction.atomic():
        role = role_services.save_role_form(form, new_in=playbook)
        if role is not None:
            create_role_messages(role)
    return role


def delete_role(*, role: Role) -> Role:
    """Soft-delete a role (DESIGN.md "History, undo and two people editing"):
    hidden at once with its Give-Gets and ambassadors, whose personal links
    are revoked, as is its pulse link (a revoked link never comes back, not
    even with the role: an old poster must not take answers again);
    restorable for 30 days (``changelog.restore``), then purged (scheduled
    here, and ``manage.py purge_history``). Three queries and the history's."""
    with transaction.atomic():
        # Not recorded: the links are not in the history (core.history).
        Ambassador.all_objects.filter(role=role).update(
            link_hash="", link_issued_at=None, link_last_opened_at=None
        )
        PulseLink.objects.filter(role=role).delete()
        role.deleted_at = timezone.now()
        role.save(update_fields=["deleted_at"])
        schedule_role_purge(role.pk)
    return role


def giveget_undo_label(giveget: GiveGet) -> str:
    """What the Undo after a Give-Get's deletion brings back, in words."""
    return _("Bring back the Give-Get “%(give)s”.") % {"give": giveget.give}


def role_undo_label(role: Role) -> str:
    """What the Undo after a role's deletion brings back, in words."""
    return _("Bring back the role “%(name)s” with its Give-Gets and ambassadors.") % {
        "name": role.name
    }
