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
    return move_among(items, items, item, direction, playbook_id=playbook_id)


@transaction.atomic
def move_among(
    items: list[Any], shown: list[Any], item: Any, direction: str, *, playbook_id: int
) -> bool:
    """``move`` when the page shows only some of the items (a filter): ``item``
    goes just past its neighbour among ``shown`` (before it, up; after it,
    down) in the order of all ``items``, which are renumbered: the items not
    shown keep their places. With every item shown, a swap of neighbours.

    An item missing from ``shown`` (someone else deleted it, or moved it out
    of the list, between the view's look-up of it and its reading of the
    list) stays where it is: nothing moves, and False is returned."""
    index = next((i for i, other in enumerate(shown) if other.pk == item.pk), None)
    if index is None:
        return False
    target = index - 1 if direction == "up" else index + 1
    if direction not in {"up", "down"} or not 0 <= target < len(shown):
        return False
    neighbour = shown[target]
    items[:] = [other for other in items if other.pk != item.pk]
    at = next(i for i, other in enumerate(items) if other.pk == neighbour.pk)
    items.insert(at if direction == "up" else at + 1, item)
    changed = []
    for position, other in enumerate(items):
        if other.order != position:
            other.order = position
            changed.append(other)
    model: type[Model] = type(item)
    model._default_manager.bulk_update(changed, ["order"])
    versions.bump(playbook_id)
    return True
