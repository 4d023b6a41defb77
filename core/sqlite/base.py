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

Waiting is bounded by the database's ``timeout`` option in all (5 % over at
most), as SQLite's own wait is: what the queue took of it is taken from
SQLite's wait for its lock, and past it the transaction goes ahead without
the queue and SQLite decides (``database is locked`` if the writer ahead
still holds it). A queue
file that cannot be opened (created by another user with no read access)
leaves writes as Django has them, with a warning in the log. An in-memory
database (the test suite's) has no other process to queue with and is left
as Django has it. Not a strict queue: the file lock is tried in turn, and a
process whose threads keep writing may take it again before another process
tries; that one still goes ahead at its timeout.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from typing import Any

from django.db.backends.sqlite3 import base

# Processes hold the file lock for the length of a write transaction: a few
# milliseconds. Waiters try again after 0.5 ms, then 1, 2, at most 4.
FIRST_PAUSE, LONGEST_PAUSE = 0.0005, 0.004
# A wait in the queue under this share of the timeout is not taken from
# SQLite's own: the whole wait is then at most 5 % over the timeout.
SHORT_WAIT = 0.05

logger = logging.getLogger(__name__)

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


# A forked child (gunicorn's workers fork from the master) starts with locks
# of its own, never with one its parent's other threads held at the fork.
def _fresh_locks_in_child() -> None:
    global _process_locks_guard
    _process_locks_guard = threading.Lock()
    _process_locks.clear()


os.register_at_fork(after_in_child=_fresh_locks_in_child)


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

    def _open_queue_file(self, path: str) -> int | None:
        """This connection's descriptor of the queue's file, or None when it
        cannot be opened (then writes go without the queue). Per connection
        and per process: a descriptor inherited through fork shares its lock
        with the parent, so the child closes it (the parent's stays) and
        opens its own."""
        if self._queue_pid != os.getpid():
            self._drop_queue_file()
        if self._queue_file is None:
            try:
                # Read-only is enough for flock: a file created by another
                # user (a migrate run as root) still queues this one.
                self._queue_file = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError:
                logger.warning("No queue for SQLite's writers: %s cannot be opened", path)
                return None
            self._queue_pid = os.getpid()
        return self._queue_file

    def _drop_queue_file(self) -> None:
        """Close this connection's descriptor. In a forked child it is the
        parent's too: closing the child's copy leaves the parent's lock."""
        if self._queue_file is not None:
            with contextlib.suppress(OSError):
                os.close(self._queue_file)
        self._queue_file = None

    def _join_queue(self) -> float | None:
        """Take a place: the process's lock, then the file's. Returns the
        seconds left of the wait allowed, or None when nobody was waited for
        (no queue, or it was free at once)."""
        path = self._queue_path()
        if path is None:
            return None
        allowed = self._wait_seconds()
        deadline = time.monotonic() + allowed
        lock = _process_lock(path)
        if not lock.acquire(timeout=allowed):
            return 0.0  # SQLite's own wait decides, with no time left
        self._held_thread_lock = lock
        descriptor = self._open_queue_file(path)
        if descriptor is None:
            return deadline - time.monotonic()
        pause = FIRST_PAUSE
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return 0.0  # SQLite's own wait decides, with no time left
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
            else:
                self._held_file_lock = True
                # A short wait (the usual: a few milliseconds) leaves SQLite's
                # own wait as it is, with no PRAGMA while the lock is held.
                left = deadline - time.monotonic()
                return None if allowed - left < allowed * SHORT_WAIT else left

    def _leave_queue(self) -> None:
        if self._held_file_lock:
            self._held_file_lock = False
            if self._queue_file is not None and self._queue_pid == os.getpid():
                fcntl.flock(self._queue_file, fcntl.LOCK_UN)
        if self._held_thread_lock is not None:
            lock, self._held_thread_lock = self._held_thread_lock, None
            lock.release()

    def _start_transaction_under_autocommit(self) -> None:
        try:
            left = self._join_queue()
            if left is None:
                super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private: not in django-stubs
                return
            # The wait allowed is the timeout in all: SQLite's own wait for
            # its lock gets what the queue left of it, then the whole again.
            assert self.connection is not None
            self.connection.execute(f"PRAGMA busy_timeout = {max(int(left * 1000), 0)}")
            try:
                super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private: not in django-stubs
            finally:
                self.connection.execute(f"PRAGMA busy_timeout = {int(self._wait_seconds() * 1000)}")
        except BaseException:
            self._leave_queue()
            raise

    def _commit(self) -> None:
        # A failed COMMIT leaves the transaction open: its place is kept
        # until the rollback (or the close) that follows.
        super()._commit()  # type: ignore[misc]  # private: not in django-stubs
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
            self._drop_queue_file()
