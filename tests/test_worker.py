"""The worker looks after itself: a task left "running" by a dead worker is
run again after a timeout, and bin/keep-running starts a worker that exits
again (with back-off) until it is told to stop."""

from __future__ import annotations

import datetime
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from planner import tasks
from planner.tasks import _pending_documents_key, render_documents
from planner.worker import reclaim_stale_tasks
from tests.factories import make_role

KEEP_RUNNING = Path(__file__).resolve().parent.parent / "bin" / "keep-running"

db_tasks = override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    WIIFM_TASK_RUNNING_TIMEOUT=600,
    WIIFM_TASK_MAX_ATTEMPTS=3,
)


def left_running(playbook_id: int, *, started_ago: int, workers: int = 1) -> DBTaskResult:
    """A render_documents task a worker claimed ``started_ago`` seconds ago
    (then, say, was killed mid-render: nothing cleared its pending mark)."""
    cache.set(_pending_documents_key(playbook_id), True)
    result = render_documents.enqueue(playbook_id, False, [])
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = TaskResultStatus.RUNNING
    row.started_at = timezone.now() - datetime.timedelta(seconds=started_ago)
    row.worker_ids = [f"dead-{n}" for n in range(workers)]
    row.save()
    return row


def run_worker() -> None:
    call_command("task_worker", batch=True, reload=False, startup_delay=False, stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)  # the worker closes a connection not in autocommit
@db_tasks
def test_a_task_left_running_by_a_dead_worker_runs_again(world: Any) -> None:
    row = left_running(world.playbook.pk, started_ago=11 * 60)
    run_worker()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert len(row.worker_ids) == 2  # the dead worker's claim, then this one's
    assert cache.get(_pending_documents_key(world.playbook.pk)) is None


@pytest.mark.django_db(transaction=True)  # the worker closes a connection not in autocommit
@db_tasks
def test_a_task_running_for_less_than_the_timeout_is_left_alone(world: Any) -> None:
    row = left_running(world.playbook.pk, started_ago=9 * 60)
    run_worker()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING
    assert row.worker_ids == ["dead-0"]


@pytest.mark.django_db
@db_tasks
def test_a_task_that_killed_its_workers_too_often_is_failed_not_retried(world: Any) -> None:
    row = left_running(world.playbook.pk, started_ago=11 * 60, workers=3)
    assert reclaim_stale_tasks() == (0, 1)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "planner.worker.WorkerLost"
    assert reclaim_stale_tasks() == (0, 0)


@pytest.mark.django_db
@db_tasks
def test_the_timeout_is_a_setting(world: Any) -> None:
    row = left_running(world.playbook.pk, started_ago=90)
    assert reclaim_stale_tasks() == (0, 0)
    with override_settings(WIIFM_TASK_RUNNING_TIMEOUT=60):
        assert reclaim_stale_tasks() == (1, 0)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY


@pytest.mark.django_db(transaction=True)  # the worker closes a connection not in autocommit
@db_tasks
def test_documents_someone_waits_for_come_before_the_renders_edits_schedule(
    world: Any,
) -> None:
    """Found by `make soak`: while people edit, a render of the playbook's PDF
    is always due (each edit schedules one 5 s later), and django-tasks-db
    runs the tasks that have a time to run after before those that have none.
    A one-pager asked for ("being prepared") waited behind them until the
    editing stopped: 90 s for half of them in a 3-minute run, 159 s at most."""
    role = make_role(world.playbook, "Sales", headcount=10)
    DBTaskResult.objects.all().delete()
    cache.clear()
    edit_render = tasks.render_playbook_pdf.using(
        run_after=timezone.now() - datetime.timedelta(seconds=1)
    ).enqueue(world.playbook.pk)  # an edit's, due
    assert tasks.schedule_documents(
        world.playbook.pk, playbook_pdf=False, one_pagers=[(role.pk, "")]
    )  # a download waits for this one

    run_worker()

    order = DBTaskResult.objects.order_by("started_at").values_list("id", "task_path")
    assert [path.rsplit(".", 1)[1] for _id, path in order] == [
        "render_documents",
        "render_playbook_pdf",
    ]
    assert str(list(order)[1][0]) == str(edit_render.id)


# bin/keep-running: a fake worker that notes each start in a file, then exits.


def start_loop(tmp_path: Path, worker: str) -> tuple[subprocess.Popen[bytes], Path]:
    starts = tmp_path / "starts"
    env = {
        **os.environ,
        "KEEP_RUNNING_MIN_DELAY": "0.05",
        "KEEP_RUNNING_MAX_DELAY": "0.2",
    }
    loop = subprocess.Popen(
        [str(KEEP_RUNNING), sys.executable, "-c", worker, str(starts)],
        env=env,
        stderr=subprocess.PIPE,
    )
    return loop, starts


def wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def count(starts: Path) -> int:
    return len(starts.read_text().split()) if starts.exists() else 0


EXITS_AT_ONCE = (
    "import os, sys\nwith open(sys.argv[1], 'a') as f: f.write(f'{os.getpid()}\\n')\nsys.exit(1)"
)

RUNS_UNTIL_TERM = (
    "import os, signal, sys, time\n"
    "def stop(*_):\n"
    "    open(sys.argv[1] + '.stopped', 'w').close(); sys.exit(0)\n"
    "signal.signal(signal.SIGTERM, stop)\n"
    "with open(sys.argv[1], 'a') as f: f.write(f'{os.getpid()}\\n')\n"
    "time.sleep(60)\n"
)


def test_keep_running_starts_a_worker_that_exits_again(tmp_path: Path) -> None:
    loop, starts = start_loop(tmp_path, EXITS_AT_ONCE)
    try:
        wait_for(lambda: count(starts) >= 4)
    finally:
        loop.send_signal(signal.SIGTERM)
        assert loop.wait(timeout=5) == 0
    assert loop.stderr is not None
    log = loop.stderr.read().decode()
    # Back-off: 0.05 s, then 0.1, then 0.2, then no more than 0.2.
    assert "again in 0.05 s" in log and "again in 0.1 s" in log and "again in 0.2 s" in log
    assert "again in 0.4 s" not in log


def test_term_stops_the_worker_and_the_loop(tmp_path: Path) -> None:
    loop, starts = start_loop(tmp_path, RUNS_UNTIL_TERM)
    wait_for(lambda: count(starts) == 1)
    loop.send_signal(signal.SIGTERM)
    assert loop.wait(timeout=5) == 0
    assert (tmp_path / "starts.stopped").exists()  # the worker was told to stop, and did
    pid = int(starts.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # no orphan left behind
    assert count(starts) == 1  # and not started again
