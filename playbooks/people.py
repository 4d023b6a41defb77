"""The people of a playbook by name: who an owner field (a step's, a
Give-Get's) may name, and whether a typed owner names a given user.

Owners stay free text ("CRM team" is an owner too); these names are only
suggested, and a user's own items are those whose owner is their name.
"""

from __future__ import annotations

from typing import Any

from core.accounts import display_name
from playbooks.models import Membership, Playbook


def owner_key(text: str) -> str:
    """An owner as compared: trimmed, inner spaces collapsed, case folded
    ("  lea  DAHL " names Lea Dahl)."""
    return " ".join(text.split()).casefold()


def names_of(user: Any) -> frozenset[str]:
    """The owner keys that name ``user``: their full name and their username."""
    names = {owner_key(user.get_full_name()), owner_key(user.get_username())}
    return frozenset(names - {""})


def owner_suggestions(playbook: Playbook) -> list[str]:
    """The active members' and the ambassadors' names, each once (compared as
    owners are), sorted. Two queries: members, ambassadors.

    The ambassadors are read through the reverse relation ``playbook.ambassadors``
    (their app sits above this one and is not imported): only their names."""
    members = Membership.objects.filter(playbook=playbook, user__is_active=True).select_related(
        "user"
    )
    names = [display_name(m.user) for m in members]
    names += playbook.ambassadors.values_list("name", flat=True)
    unique: dict[str, str] = {}
    for name in names:
        shown = " ".join(name.split())
        if shown:
            unique.setdefault(owner_key(shown), shown)
    return sorted(unique.values(), key=lambda name: (owner_key(name), name))
