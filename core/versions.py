"""A version stamp per playbook, changed whenever anything in it changes.

Kept in the shared cache; fragment caches use it in their keys, so an edit
anywhere in a playbook (through any app server) gives new fragments. A lost
stamp is simply replaced by a new one: that only costs a re-render.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction


def _key(playbook_id: int) -> str:
    return f"playbook-version:{playbook_id}"


def version(playbook_id: int) -> str:
    stamp = cache.get(_key(playbook_id))
    if stamp is None:
        cache.add(_key(playbook_id), uuid.uuid4().hex, None)
        stamp = cache.get(_key(playbook_id)) or "unknown"
    return stamp


def bump(playbook_id: int) -> None:
    """A new stamp now, and another once the transaction commits.

    The first keeps this request's own reads fresh; the second retires any
    fragment another request rendered from the old rows (and cached under the
    first stamp) while this transaction was still open. Outside a transaction
    the commit callback runs at once, which costs nothing but a cache write.
    """
    _new_stamp(playbook_id)
    transaction.on_commit(lambda: _new_stamp(playbook_id))


def _new_stamp(playbook_id: int) -> None:
    cache.set(_key(playbook_id), uuid.uuid4().hex, None)
