"""``manage.py task_worker``: django_tasks_db's ``db_worker`` (same options)
that also runs again the tasks a dead worker left running
(``planner.worker.reclaim_stale_tasks``): once at start, then every
``RECLAIM_EVERY`` seconds in a background thread, so that an idle worker
picks up another machine's lost task too."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import connections
from django_tasks_db.management.commands import db_worker

from planner.worker import reclaim_stale_tasks

logger = logging.getLogger(__name__)

RECLAIM_EVERY = 60.0  # seconds


def _reclaim(backend_name: str) -> None:
    try:
        reclaim_stale_tasks(backend_name=backend_name)
    except Exception:
        # The database may be away for a moment (or SQLite locked): next time.
        logger.exception("Could not look for tasks left running by a dead worker")


def _reclaim_forever(backend_name: str) -> None:
    while True:
        time.sleep(RECLAIM_EVERY)
        _reclaim(backend_name)
        connections.close_all()  # this thread's own connections


class Command(db_worker.Command):
    help = (
        "Run the database task worker; tasks left running by a dead worker "
        "(WIIFM_TASK_RUNNING_TIMEOUT) are run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        backend_name = options["backend_name"]
        _reclaim(backend_name)
        if not options["batch"]:
            threading.Thread(
                target=_reclaim_forever, args=(backend_name,), name="reclaim", daemon=True
            ).start()
        super().handle(*args, **options)
