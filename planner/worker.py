"""The task worker looks after itself: a task left "running" by a worker that
died (killed mid-render, machine lost) is run again.

django_tasks_db marks a task RUNNING when a worker claims it (``started_at``,
and the worker's id appended to ``worker_ids``) and never looks at it again
if that worker dies. A task still RUNNING ``WIIFM_TASK_RUNNING_TIMEOUT``
seconds after its start (longer than any render may take) is put back in the
queue (READY), or marked failed once ``WIIFM_TASK_MAX_ATTEMPTS`` workers have
claimed it, so that a task that kills its worker cannot do so forever.

Our tasks are idempotent (a render that runs twice renders twice), so a worker
that was only slow and finishes late does no harm.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """Recorded on a task whose workers all died while running it."""


def reclaim_stale_tasks(
    *, backend_name: str = DEFAULT_TASK_BACKEND_ALIAS, now: datetime.datetime | None = None
) -> tuple[int, int]:
    """Requeue (or fail, past the attempts) the tasks left RUNNING for longer
    than the timeout. Returns (requeued, failed). Each row changes only if it
    is still the same run (status and start unchanged), so two workers
    reclaiming at once, or the slow worker finishing meanwhile, cannot clash."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.WIIFM_TASK_RUNNING_TIMEOUT)
    stale = DBTaskResult.objects.running().filter(backend_name=backend_name, started_at__lt=cutoff)
    requeued = failed = 0
    for result in stale.only("id", "started_at", "worker_ids", "task_path"):
        same_run = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        )
        attempts = len(result.worker_ids)
        if attempts >= settings.WIIFM_TASK_MAX_ATTEMPTS:
            message = f"The worker died while running it, {attempts} times."
            if same_run.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                return_value=None,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"{WorkerLost.__qualname__}: {message}\n",
            ):
                failed += 1
                logger.error("Task %s (%s) failed: %s", result.pk, result.task_path, message)
        elif same_run.update(status=TaskResultStatus.READY):
            requeued += 1
            logger.warning(
                "Task %s (%s) left running since %s by worker %s: queued again",
                result.pk,
                result.task_path,
                result.started_at,
                result.worker_ids[-1] if result.worker_ids else "?",
            )
    return requeued, failed
