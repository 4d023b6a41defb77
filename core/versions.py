"""A version stamp per playbook, changed whenever anything in it changes.

The stamp is a column of the playbook's row (``Playbook.content_stamp``), not
a cache entry: fragment caches (``core.fragments``) and the PDFs' keys and
ETags (``planner.pdf``) use it, and the cache holds only what can be rebuilt
from the database. A cache that is down, emptied or restored from an old
copy never makes a page stale: the stamp it is read under is always the
database's.

A new stamp is a random 63-bit number, not the old one plus one: a
transaction that changed it and then rolled back, a playbook deleted and its
id used again, a database restored from a backup while the cache kept its
entries, none of them can bring back a stamp that something was cached
under. ``Playbook.save`` sets a new one in its own UPDATE; every other change
in a playbook calls ``bump``, one ``UPDATE playbook SET content_stamp = ...``
in the same transaction as the change.

Why a fragment cached under a stamp always shows that stamp's data (or newer):

- A writer changes the rows and the stamp in one transaction; nobody sees the
  new stamp before the new rows, nor the new rows with the old stamp once it
  commits (the commit makes both visible at once).
- A reader reads the stamp first (with the playbook's row, which every page
  loads anyway through ``playbooks.access.get_playbook``: no extra query),
  then the data, in later statements. Each statement sees at least what was
  committed before it started (read committed, and SQLite's serial writes),
  so data read after the stamp is at least as new as the stamp. A fragment
  stored under a stamp may hold data newer than it (a change committed in
  between): a reader who still has the old stamp then sees the newer data,
  never the reverse; readers of the new stamp render it afresh.

Within the request that made a change, the pages rendered after it must use
the new stamp, though the playbook they render was loaded before it: the
instance a save or ``bump`` is given gets the new value, and the bumps of
the request are remembered until it ends (``version`` prefers them), for
the ones made from a signal that has only the playbook's id.
"""

from __future__ import annotations

import contextvars
import secrets
from typing import Any, Protocol

from django.apps import apps
from django.core.signals import request_finished, request_started


class Stamped(Protocol):
    pk: Any
    content_stamp: int


# The stamps set by this request's bumps, by playbook id: None outside a
# request (a task, a command: nothing renders there after a change).
_bumped: contextvars.ContextVar[dict[int, int] | None] = contextvars.ContextVar(
    "playbook_bumps", default=None
)


def new_stamp() -> int:
    """A fresh stamp: random, so never one that was used before."""
    return secrets.randbelow(2**63 - 1) + 1


def version(playbook: Stamped | int) -> str:
    """The playbook's version stamp, for cache keys. From the instance when
    given one (no query); from its id with one query (0 for no such row)."""
    if isinstance(playbook, int):
        pk = playbook
        bumped = _bumped.get()
        if bumped is not None and pk in bumped:
            return str(bumped[pk])
        model = apps.get_model("playbooks", "Playbook")
        stamp = model.objects.filter(pk=pk).values_list("content_stamp", flat=True).first()
        return str(stamp or 0)
    bumped = _bumped.get()
    if bumped is not None and playbook.pk in bumped:
        playbook.content_stamp = bumped[playbook.pk]
    return str(playbook.content_stamp)


def bump(playbook: Stamped | int) -> None:
    """A new stamp for the playbook: one UPDATE, in the caller's transaction
    (or on its own, in autocommit). The instance given gets it too."""
    pk = playbook if isinstance(playbook, int) else playbook.pk
    stamp = new_stamp()
    model = apps.get_model("playbooks", "Playbook")
    model.objects.filter(pk=pk).update(content_stamp=stamp)
    if not isinstance(playbook, int):
        playbook.content_stamp = stamp
    saved(pk, stamp)


def saved(playbook_id: int, stamp: int) -> None:
    """Remember a stamp this request set (by a bump or a save of the
    playbook): what the request renders afterwards uses it."""
    bumped = _bumped.get()
    if bumped is not None:
        bumped[playbook_id] = stamp


def forget() -> None:
    """Forget the bumps remembered for the request (as its end does; for a
    test client's streamed response nobody read to its end)."""
    _bumped.set(None)


def _request_started(**kwargs: Any) -> None:
    _bumped.set({})


def _request_finished(**kwargs: Any) -> None:
    forget()


request_started.connect(_request_started, dispatch_uid="versions-request-started")
request_finished.connect(_request_finished, dispatch_uid="versions-request-finished")
