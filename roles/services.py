"""Writes for roles: create with an order, move, delete."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max, Model, QuerySet
from django.utils.translation import gettext as _

from playbooks.models import Playbook
from roles.forms import RoleForm
from roles.models import Role


def next_order(queryset: QuerySet) -> int:
    """The order for a new last item: 0 for the first one."""
    top = queryset.aggregate(top=Max("order"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def move(items: list[Model], item: Model, direction: str) -> bool:
    """Swap ``item`` with its neighbour in ``items`` (in display order).

    Renumbers the list 0..n-1 first, so orders are always distinct. Returns
    whether anything moved.
    """
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in {"up", "down"} or not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    changed = []
    for position, other in enumerate(items):
        if other.order != position:
            other.order = position
            changed.append(other)
    type(item)._default_manager.bulk_update(changed, ["order"])  # one query, no signals
    playbook_id = getattr(item, "playbook_id", None) or _owner_playbook_id(item)
    if playbook_id:
        from playbooks import versions

        versions.bump(playbook_id)
    return True


def _owner_playbook_id(item: Model) -> int | None:
    for parent in ("role", "step"):
        owner = getattr(item, parent, None)
        if owner is not None:
            return owner.playbook_id
    return None


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
    """Save a valid role form; None, with the error beside the name, when the
    database refuses the name (a letter it folds differently, or someone else
    saving the same name at the same moment)."""
    try:
        with transaction.atomic():
            if new_in is not None:
                return create_role(playbook=new_in, role=form.save(commit=False))
            return form.save()
    except IntegrityError:
        form.add_error(
            "name", _("Another role in this playbook already has this name (ignoring case).")
        )
        return None
