"""Background work: keep each playbook's PDF rendered in the shared cache.

A change anywhere in a playbook schedules one render a few seconds later;
more changes in the meantime ride along with it (debounced), so a burst of
edits gives one render. The worker (``manage.py task_worker``) runs it. The
downloads page schedules the documents it finds missing the same way: the
playbook's PDF and each role's one-pager.
"""

from __future__ import annotations

import datetime
import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from core.cache import cache_down
from planner import changelog
from planner.pdf import (
    Document,
    NotRendered,
    RenderBusy,
    RoleGone,
    TooLargeToRender,
    _cache_get,
    one_pager_document,
    playbook_document,
)
from playbooks.models import Playbook

logger = logging.getLogger(__name__)

DEBOUNCE = datetime.timedelta(seconds=5)


def _pending_key(playbook_id: int) -> str:
    return f"pdf-render-pending:{playbook_id}"


def _pending_documents_key(playbook_id: int) -> str:
    return f"pdf-documents-pending:{playbook_id}"


# Documents asked for while a ``render_documents`` task is pending: a counter
# per playbook (``incr`` is atomic in Redis) and one entry per request under
# its number. The pending task reads the entries past the counter's value when
# it was scheduled, and those added while it renders, before it ends.
WANTED_SECONDS = 15 * 60
# Rounds of late additions one task takes on before it ends (each round
# renders only what is missing; the next request schedules a new task).
WANTED_ROUNDS = 20


def _wanted_count_key(playbook_id: int) -> str:
    return f"pdf-documents-wanted:{playbook_id}"


def _wanted_key(playbook_id: int, number: int) -> str:
    return f"pdf-documents-wanted:{playbook_id}:{number}"


def _wanted_count(playbook_id: int) -> int:
    value = _cache_get(_wanted_count_key(playbook_id))
    return value if isinstance(value, int) else 0


def _ask_pending_task(playbook_id: int, playbook_pdf: bool, one_pagers: list[list[Any]]) -> None:
    """Add documents to the pending task's list (it renders them before it
    ends). Lost with the cache down: the page asks again on its next try."""
    try:
        cache.add(_wanted_count_key(playbook_id), 0, timeout=WANTED_SECONDS)
        number = cache.incr(_wanted_count_key(playbook_id))
        cache.set(_wanted_key(playbook_id, number), [playbook_pdf, one_pagers], WANTED_SECONDS)
    except Exception:
        logger.warning("Could not add to the pending documents of playbook %s", playbook_id)


def _asked_since(playbook_id: int, seen: int) -> tuple[int, list[list[Any]]]:
    """The documents asked for after entry ``seen``: the last entry's number
    and the entries (an entry expired or lost is skipped)."""
    last = _wanted_count(playbook_id)
    if last <= seen:
        return seen, []
    keys = [_wanted_key(playbook_id, number) for number in range(seen + 1, last + 1)]
    try:
        found = cache.get_many(keys)
    except Exception:
        return last, []
    return last, [found[key] for key in keys if isinstance(found.get(key), list)]


@task()
def render_playbook_pdf(playbook_id: int) -> None:
    """Render the playbook's PDF into the cache (if it is not there already)."""
    cache.delete(_pending_key(playbook_id))  # later changes schedule a new render
    playbook = Playbook.objects.filter(pk=playbook_id).first()
    if playbook is None:
        return
    document = _render(playbook_id, "PDF", lambda: playbook_document(playbook))
    if document is not None:
        logger.info(
            "PDF of playbook %s %s", playbook_id, "was ready" if document.cached else "rendered"
        )


# How often the worker looks whether the playbook's render lock is free.
LOCK_POLL_SECONDS = 0.5


def _render(playbook_id: int, what: str, make: Callable[[], Document]) -> Document | None:
    """``make()``, once the playbook's render lock is free (another process
    renders one of its documents: one at a time per playbook, each within
    ``WIIFM_PDF_SECONDS``); None when it stays taken past the longest render
    or when the document is too large to render (remembered in the cache:
    downloads say what to shorten)."""
    deadline = time.monotonic() + settings.WIIFM_PDF_SECONDS + 30
    while True:
        try:
            return make()
        except RenderBusy:
            if time.monotonic() > deadline:
                logger.warning("%s of playbook %s: its render lock stayed taken", what, playbook_id)
                return None
            time.sleep(LOCK_POLL_SECONDS)
        except TooLargeToRender as error:
            logger.warning("%s of playbook %s: too large to render (%s)", what, playbook_id, error)
            return None
        except NotRendered as error:
            logger.warning("%s of playbook %s: not rendered (%s)", what, playbook_id, error)
            return None
        except RoleGone:  # deleted since the batch read its roles: nothing to render
            logger.info("%s of playbook %s: its role was deleted", what, playbook_id)
            return None


@task()
def render_documents(
    playbook_id: int, playbook_pdf: bool, one_pagers: list[list[Any]], since: int | None = None
) -> None:
    """Render what the downloads page or a download found missing, in one
    task: the playbook's PDF when ``playbook_pdf``, then each role's
    one-pager, given as ``[role_id, pulse_url]`` (the absolute address its QR
    code prints, "" for none, as the page's request saw it: the worker has no
    request, hence no host). A document already in the cache costs nothing; a
    role deleted meanwhile is skipped.

    Then what was asked for while it was pending (``since``: the number of
    the last request before it was scheduled; ``_ask_pending_task``), round
    after round until nothing more was asked: a one-pager someone waits for is
    not left until their page's next try finds no task pending (the soak saw
    waits of 110 s).

    The pending mark goes once all are done (even after an error), not when
    the task starts: the page's polls meanwhile add to this task's list, and
    a later look finds what an edit during the render left missing."""
    try:
        rendered = 0
        seen = since
        batch: list[list[Any]] = [[playbook_pdf, one_pagers]]
        for _ in range(WANTED_ROUNDS):
            # Read each round: an edit meanwhile is another version to render.
            playbook = Playbook.objects.filter(pk=playbook_id).first()
            if playbook is None:
                return
            rendered += _render_batch(playbook, batch)
            if seen is None:
                break
            seen, batch = _asked_since(playbook_id, seen)
            if not batch:
                break
        logger.info("Documents of playbook %s: %s one-pagers rendered", playbook_id, rendered)
    finally:
        try:
            cache.delete(_pending_documents_key(playbook_id))
        except Exception:
            logger.warning("Could not clear the pending documents of playbook %s", playbook_id)


def _render_batch(playbook: Playbook, batch: list[list[Any]]) -> int:
    """``render_documents``'s work for a list of ``[playbook_pdf,
    one_pagers]`` entries, each document once; the one-pagers rendered."""
    playbook_id = playbook.pk
    if any(entry[0] for entry in batch):
        _render(playbook_id, "PDF", lambda: playbook_document(playbook))
    role_ids = set(playbook.roles.values_list("pk", flat=True))
    rendered = 0
    done: set[tuple[int, str]] = set()
    for _, one_pagers in batch:
        for role_id, pulse_url in one_pagers:
            if role_id not in role_ids or (role_id, pulse_url) in done:
                continue
            done.add((role_id, pulse_url))
            document = _render(
                playbook_id,
                f"One-pager of role {role_id}",
                functools.partial(one_pager_document, playbook, role_id, pulse_url=pulse_url),
            )
            rendered += document is not None and not document.cached
    return rendered


def _schedule(pending: str, enqueue_task: Callable[[], object]) -> bool:
    """Enqueue after the current transaction, unless a render is pending
    under ``pending`` (then this one rides along). With the cache down
    nothing is scheduled: downloads render inline."""
    try:
        if not cache.add(pending, True, timeout=int(DEBOUNCE.total_seconds()) * 12):
            return False
    except Exception:
        logger.warning("Could not schedule a PDF render: the cache is unreachable")
        return False

    def enqueue() -> None:
        try:
            enqueue_task()
        except Exception:
            # The download renders inline when the cache has no fresh PDF.
            cache.delete(pending)
            logger.exception("Could not schedule a PDF render (%s)", pending)

    transaction.on_commit(enqueue)
    return True


def schedule_pdf_render(playbook_id: int, *, delay: datetime.timedelta = DEBOUNCE) -> bool:
    """Schedule a render of the playbook's PDF ``delay`` after the current
    transaction, unless one is pending. Returns whether one was scheduled."""
    return _schedule(
        _pending_key(playbook_id),
        lambda: render_playbook_pdf.using(run_after=timezone.now() + delay).enqueue(playbook_id),
    )


# Someone waits for these (a download, the downloads page): they come before
# the renders that edits schedule. django-tasks-db runs the tasks that have a
# time to run after first and those without one last, and while people edit a
# render of the playbook's PDF is always due: without the priority a one-pager
# asked for waited until the editing stopped (found by `make soak`).
DOCUMENTS_PRIORITY = 10


def schedule_documents(
    playbook_id: int, *, playbook_pdf: bool, one_pagers: list[tuple[int, str]]
) -> bool:
    """Schedule one task, now, for the documents the downloads page or a
    download found missing (``render_documents``), unless one is pending for
    the playbook: then they are added to its list. One task whatever the
    number of roles and of pages open on it. It runs before the renders edits
    scheduled (``DOCUMENTS_PRIORITY``). Returns whether a task was scheduled."""
    wanted = [[role_id, url] for role_id, url in one_pagers]
    since = _wanted_count(playbook_id)
    scheduled = _schedule(
        _pending_documents_key(playbook_id),
        lambda: render_documents.using(priority=DOCUMENTS_PRIORITY).enqueue(
            playbook_id, playbook_pdf, wanted, since
        ),
    )
    if not scheduled and not cache_down():
        _ask_pending_task(playbook_id, playbook_pdf, wanted)
    return scheduled


@task()
def purge_playbook_history_task(playbook_id: int) -> None:
    """A deleted playbook's history, removed once its 30 days are over (the
    deletion schedules this; ``manage.py purge_history`` catches any missed)."""
    if Playbook.objects.filter(pk=playbook_id).exists():
        return
    removed = changelog.purge_playbook_history(playbook_id)
    logger.info("History of deleted playbook %s purged: %s records", playbook_id, removed)


def schedule_history_purge(playbook_id: int) -> None:
    """After a playbook's deletion commits: its history's purge in 30 days."""

    def enqueue() -> None:
        try:
            purge_playbook_history_task.using(
                run_after=timezone.now() + changelog.RETENTION
            ).enqueue(playbook_id)
        except Exception:
            logger.exception("Could not schedule the history purge of playbook %s", playbook_id)

    transaction.on_commit(enqueue)


@task()
def purge_deleted_role_task(role_id: int) -> None:
    """A deleted role removed for good once its 30 days are over (its deletion
    schedules this; ``manage.py purge_history`` catches any missed). Nothing
    when it was restored meanwhile."""
    if changelog.purge_deleted_role(role_id):
        logger.info("Deleted role %s removed for good", role_id)


def schedule_role_purge(role_id: int) -> None:
    """After a role's deletion commits: its purge in 30 days (and a minute,
    so that the role is due when the task runs)."""

    def enqueue() -> None:
        try:
            purge_deleted_role_task.using(
                run_after=timezone.now() + changelog.RETENTION + datetime.timedelta(minutes=1)
            ).enqueue(role_id)
        except Exception:
            logger.exception("Could not schedule the purge of deleted role %s", role_id)

    transaction.on_commit(enqueue)
