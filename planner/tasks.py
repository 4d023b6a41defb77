"""Background work: keep each playbook's PDF rendered in the shared cache.

A change anywhere in a playbook schedules one render a few seconds later;
more changes in the meantime ride along with it (debounced), so a burst of
edits gives one render. The worker (``manage.py db_worker``) runs it. The
downloads page schedules the documents it finds missing the same way: the
playbook's PDF and each role's one-pager.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from planner import changelog
from planner.pdf import one_pager_document, playbook_document
from playbooks.models import Playbook

logger = logging.getLogger(__name__)

DEBOUNCE = datetime.timedelta(seconds=5)


def _pending_key(playbook_id: int) -> str:
    return f"pdf-render-pending:{playbook_id}"


def _pending_one_pager_key(playbook_id: int, role_id: int, pulse_url: str) -> str:
    digest = hashlib.sha256(pulse_url.encode()).hexdigest()[:16]  # no token in a cache key
    return f"pdf-render-pending:{playbook_id}:one-pager:{role_id}:{digest}"


@task()
def render_playbook_pdf(playbook_id: int) -> None:
    """Render the playbook's PDF into the cache (if it is not there already)."""
    cache.delete(_pending_key(playbook_id))  # later changes schedule a new render
    playbook = Playbook.objects.filter(pk=playbook_id).first()
    if playbook is None:
        return
    document = playbook_document(playbook)
    logger.info(
        "PDF of playbook %s %s", playbook_id, "was ready" if document.cached else "rendered"
    )


@task()
def render_one_pager_pdf(playbook_id: int, role_id: int, pulse_url: str) -> None:
    """Render a role's one-pager into the cache (if it is not there already).
    ``pulse_url``: the absolute address of the role's pulse link its QR code
    prints ("" for none), as the request that scheduled it saw it (the worker
    has no request, hence no host)."""
    cache.delete(_pending_one_pager_key(playbook_id, role_id, pulse_url))
    playbook = Playbook.objects.filter(pk=playbook_id).first()
    if playbook is None or not playbook.roles.filter(pk=role_id).exists():
        return  # deleted meanwhile
    document = one_pager_document(playbook, role_id, pulse_url=pulse_url)
    logger.info("One-pager of role %s %s", role_id, "was ready" if document.cached else "rendered")


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


def schedule_one_pager_render(
    playbook_id: int, role_id: int, pulse_url: str, *, delay: datetime.timedelta = DEBOUNCE
) -> bool:
    """Schedule a render of a role's one-pager (with the QR code of
    ``pulse_url``, "" for none), debounced like the playbook's."""
    return _schedule(
        _pending_one_pager_key(playbook_id, role_id, pulse_url),
        lambda: render_one_pager_pdf.using(run_after=timezone.now() + delay).enqueue(
            playbook_id, role_id, pulse_url
        ),
    )


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
