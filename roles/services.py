"""Writes for roles: create with an order, move, delete."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, Model, QuerySet

from playbooks.models import Playbook
from roles.models import Role


def next_order(queryset: QuerySet) -> int:
    return (queryset.aggregate(top=Max("order"))["top"] or 0) + 1


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
    for position, other in enumerate(items):
        if other.order != position:
            other.order = position
            other.save(update_fields=["order"])
    return True


def create_role(*, playbook: Playbook, role: Role) -> Role:
    role.playbook = playbook
    role.order = next_order(playbook.roles.all())
    role.full_clean()
    role.save()
    return role
