"""Writes for roles: create at the end of the list, save a form."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import concurrency
from core.ordering import next_order
from playbooks.models import Playbook
from roles.forms import RoleForm
from roles.models import Role


def create_role(*, playbook: Playbook, role: Role) -> Role:
    """Add a role at the end. The form has checked the name; the database's
    unique constraint is the last word (raises IntegrityError)."""
    role.playbook = playbook
    role.order = next_order(playbook.roles.all())
    role.full_clean(validate_constraints=False)
    with transaction.atomic():
        role.save()
    return role


def save_role_form(form: RoleForm, *, new_in: Playbook | None = None) -> Role | None:
    """Save a valid role form: a new role in ``new_in``, or the changes made
    to one, merged with what others saved since it was read
    (``core.concurrency``). None when nothing was saved: a conflict with
    someone else's change (``form.conflict``), or the database refusing the
    name (a letter it folds differently, or someone else saving the same name
    at the same moment), said beside it."""
    try:  # each in a transaction of its own, so a refusal leaves none broken
        if new_in is not None:
            return create_role(playbook=new_in, role=form.save(commit=False))
        return concurrency.save(form)
    except IntegrityError:
        form.add_error(
            "name", _("Another role in this playbook already has this name (ignoring case).")
        )
        return None
