"""Background work: keep each playbook's PDF rendered in the shared cache.

A change anywhere in a playbook schedules one render a few seconds later;
more changes in the meantime ride along with it (debounced), so a burst of
edits gives one render. The worker (``manage.py db_worker``) runs it.
"""

from __future__ import annotations

import datetime
import logging

from django.core.cache import cache
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from planner import changelog
from planner.pdf import playbook_document
from playbooks.models import Playbook

logger = logging.getLogger(__name__)

DEBOUNCE = datetime.timedelta(seconds=5)


def _pending_key(playbook_id: int) -> str:
    return f"pdf-render-pending:{playbook_id}"


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


def schedule_pdf_render(playbook_id: int) -> bool:
    """Schedule a render after the current transaction, unless one is pending.

    Returns whether a render was scheduled.
    """
    if not cache.add(_pending_key(playbook_id), True, timeout=int(DEBOUNCE.total_seconds()) * 12):
        return False

    def enqueue() -> None:
        try:
            render_playbook_pdf.using(run_after=timezone.now() + DEBOUNCE).enqueue(playbook_id)
        except Exception:
            # The download renders inline when the cache has no fresh PDF.
            cache.delete(_pending_key(playbook_id))
            logger.exception("Could not schedule the PDF render of playbook %s", playbook_id)

    transaction.on_commit(enqueue)
    return True


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
