"""A version stamp per playbook, changed whenever anything in it changes.

Kept in the shared cache; fragment caches use it in their keys, so an edit
anywhere in a playbook (through any app server) gives new fragments. A lost
stamp is simply replaced by a new one: that only costs a re-render.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache


def _key(playbook_id: int) -> str:
    return f"playbook-version:{playbook_id}"


def version(playbook_id: int) -> str:
    stamp = cache.get(_key(playbook_id))
    if stamp is None:
        cache.add(_key(playbook_id), uuid.uuid4().hex, None)
        stamp = cache.get(_key(playbook_id)) or "unknown"
    return stamp


def bump(playbook_id: int) -> None:
    cache.set(_key(playbook_id), uuid.uuid4().hex, None)
