"""Writes for roles: create at the end of the list, save a form, score a factor."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.ordering import next_order
from playbooks.models import Playbook
from roles.forms import RoleForm
from roles.models import FACTORS, Role


def create_role(*, playbook: Playbook, role: Role) -> Role:
    """Add a role at the end. The form has checked the name; the database's
    unique constraint is the last word (raises IntegrityError)."""
    role.playbook = playbook
    role.order = next_order(playbook.roles.all())
    role.full_clean(validate_constraints=False)
    with transaction.atomic():
        role.save()
    return role


def save_role_form(
    form: RoleForm, *, new_in: Playbook | None = None, only: list[str] | None = None
) -> Role | None:
    """Save a valid role form; None, with the error beside the name, when the
    database refuses the name (a letter it folds differently, or someone else
    saving the same name at the same moment). ``only``: write just these
    columns (a cell of the matrix), leaving the others as they are now."""
    try:
        with transaction.atomic():
            if new_in is not None:
                return create_role(playbook=new_in, role=form.save(commit=False))
            if only is not None:
                role = form.save(commit=False)
                role.save(update_fields=only)
                return role
            return form.save()
    except IntegrityError:
        form.add_error(
            "name", _("Another role in this playbook already has this name (ignoring case).")
        )
        return None


def score_factor(*, role: Role, factor: str, score: int | None) -> Role:
    """Score one perceived factor, 0-5, or None for not scored (the form has
    checked the value; the database's check constraint backs it up). Saves
    that column only, so a score never undoes someone else's change to the
    rest of the role."""
    if factor not in FACTORS:
        raise ValueError(f"not a perceived factor: {factor}")
    setattr(role, factor, score)
    role.save(update_fields=[factor])
    return role
