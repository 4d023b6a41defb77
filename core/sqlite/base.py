"""SQLite with writers served in turn: Django's backend, plus a queue for the
write lock.

SQLite lets one writer at a time in. A writer that finds the lock taken
sleeps in SQLite's busy handler (1, 2, 5, … 50, 100 ms) and tries again; under
steady writes the one that happens to try just after a commit wins, so some
writers lose round after round: with 10 clients saving matrix cells, a save's
median was 50 ms and its p95 500 to 800 ms, most of it asleep in ``BEGIN
IMMEDIATE`` (py-spy). Here a transaction first takes a lock of its process
(threads queue on it, woken at once when it is released), then an exclusive
``flock`` on a file beside the database (processes: gunicorn's workers and the
task worker), tried every few milliseconds, and only then ``BEGIN
IMMEDIATE``. Both are let go as the transaction ends. Writes outside a
transaction (autocommit) and other programs still meet SQLite's own lock,
which stays the guarantee; this only decides who goes next.

Waiting is bounded by the database's ``timeout`` option, as SQLite's own wait
is: past it the transaction goes ahead without the queue and SQLite decides
(``database is locked`` if the writer ahead still holds it). An in-memory
database (the test suite's) has no other process to queue with and is left
as Django has it.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import Any

from django.db.backends.sqlite3 import base

# Processes hold the file lock for the length of a write transaction: a few
# milliseconds. Waiters try again after 0.5 ms, then 1, 2, at most 4.
FIRST_PAUSE, LONGEST_PAUSE = 0.0005, 0.004

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


# A forked child (gunicorn's workers fork from the master) starts with locks
# of its own, never with one its parent's other threads held at the fork.
os.register_at_fork(after_in_child=_process_locks.clear)


def _process_lock(path: str) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(path, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    """``django.db.backends.sqlite3`` whose write transactions queue."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue_file: int | None = None
        self._queue_pid = 0
        self._held_thread_lock: threading.Lock | None = None
        self._held_file_lock = False

    def _queue_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        return f"{self.settings_dict['NAME']}-writers"  # beside its -wal and -shm

    def _wait_seconds(self) -> float:
        return float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))

    def _join_queue(self) -> None:
        path = self._queue_path()
        if path is None:
            return
        deadline = time.monotonic() + self._wait_seconds()
        lock = _process_lock(path)
        if not lock.acquire(timeout=self._wait_seconds()):
            return  # SQLite's own wait decides
        self._held_thread_lock = lock
        if self._queue_file is None or self._queue_pid != os.getpid():
            # Per connection and per process: a file descriptor inherited
            # through fork would share its lock with the parent.
            self._queue_file = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._queue_pid = os.getpid()
        pause = FIRST_PAUSE
        while True:
            try:
                fcntl.flock(self._queue_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return  # SQLite's own wait decides
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
            else:
                self._held_file_lock = True
                return

    def _leave_queue(self) -> None:
        if self._held_file_lock:
            self._held_file_lock = False
            if self._queue_file is not None and self._queue_pid == os.getpid():
                fcntl.flock(self._queue_file, fcntl.LOCK_UN)
        if self._held_thread_lock is not None:
            lock, self._held_thread_lock = self._held_thread_lock, None
            lock.release()

    def _start_transaction_under_autocommit(self) -> None:
        self._join_queue()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private: not in django-stubs
        except BaseException:
            self._leave_queue()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # private: not in django-stubs
        finally:
            self._leave_queue()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # private: not in django-stubs
        finally:
            self._leave_queue()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # private: not in django-stubs
        finally:
            self._leave_queue()
            if self._queue_file is not None and self._queue_pid == os.getpid():
                os.close(self._queue_file)
            self._queue_file = None
