"""Ordered lists (roles, Give-Gets, tasks): the next position, moving one item."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max, Model, QuerySet

from core import versions


def next_order(queryset: QuerySet[Any]) -> int:
    """The order for a new last item: 0 for the first one."""
    top = queryset.aggregate(top=Max("order"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def move(items: list[Any], item: Any, direction: str, *, playbook_id: int) -> bool:
    """Swap ``item`` with its neighbour in ``items`` (in display order).

    Renumbers the list 0..n-1 first, so orders are always distinct. The
    update is one query and sends no signals, so the playbook's version
    stamp is bumped here. Returns whether anything moved.
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
    model: type[Model] = type(item)
    model._default_manager.bulk_update(changed, ["order"])
    versions.bump(playbook_id)
    return True
