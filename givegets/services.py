"""Writes for Give-Gets."""

from __future__ import annotations

from core.ordering import next_order
from givegets.models import GiveGet
from roles.models import Role


def create_giveget(*, role: Role, giveget: GiveGet) -> GiveGet:
    """Add a Give-Get at the end of the role's list."""
    giveget.role = role
    giveget.order = next_order(role.givegets.all())
    giveget.full_clean()
    giveget.save()
    return giveget
