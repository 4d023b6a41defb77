"""core.sqlite: write transactions on an SQLite file queue for the write lock
(a lock of the process, then a file lock shared with the other processes)
instead of polling for it in SQLite's busy handler, whose sleeps of up to
100 ms gave cell saves a p95 of 500 to 800 ms at 10 clients (README,
Performance). Each test opens its own SQLite file, so they run the same
whatever database the suite runs on."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import ConnectionHandler, OperationalError

from core.sqlite.base import DatabaseWrapper, _process_lock
from tests.subprocesses import run_python


def sqlite_file(path: Path, *, timeout: float = 20) -> dict[str, Any]:
    return {
        "ENGINE": "core.sqlite",
        "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout},
    }


@pytest.fixture(autouse=True)
def own_files(django_db_blocker: Any) -> Iterator[None]:
    """These files are the tests' own, not the suite's test database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "queue.sqlite3"
    handler = ConnectionHandler({"default": sqlite_file(path)})
    db = handler["default"]
    with db.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE saves (who TEXT)")
    db.close()
    return path


def open_wrapper(path: Path, *, timeout: float = 20) -> DatabaseWrapper:
    """A connection of its own (call in the thread that uses it)."""
    db = ConnectionHandler({"default": sqlite_file(path, timeout=timeout)})["default"]
    assert isinstance(db, DatabaseWrapper)
    return db


def begin(db: DatabaseWrapper) -> None:
    """What transaction.atomic() does first on SQLite."""
    db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def end(db: DatabaseWrapper, *, commit: bool = True) -> None:
    db.commit() if commit else db.rollback()
    db.set_autocommit(True)


def queue_is_free(path: Path) -> bool:
    """Whether another process could take the writers' file lock now."""
    fd = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


class OtherProcess:
    """Holds the writers' file lock as a write transaction of another
    process would (a lock on an open file of its own), without touching
    SQLite's own lock."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def done(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def save_in_thread(path: Path, who: str, *, timeout: float = 20) -> tuple[threading.Thread, dict]:
    """A write transaction in a thread of its own; ``state`` says when it got
    in and whether it failed."""
    state: dict[str, Any] = {"in": threading.Event(), "error": None}

    def run() -> None:
        db = open_wrapper(path, timeout=timeout)
        try:
            begin(db)
            state["in"].set()
            with db.cursor() as cursor:
                cursor.execute("INSERT INTO saves VALUES (%s)", [who])
            end(db)
        except Exception as error:  # the test reads it
            state["error"] = error
        finally:
            db.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, state


def saved(path: Path) -> list[str]:
    db = open_wrapper(path)
    try:
        with db.cursor() as cursor:
            cursor.execute("SELECT who FROM saves ORDER BY rowid")
            return [row[0] for row in cursor.fetchall()]
    finally:
        db.close()


def test_a_write_waits_in_the_queue_while_another_process_writes(database: Path) -> None:
    other = OtherProcess(database)
    thread, state = save_in_thread(database, "cell save")
    # SQLite's own lock is free: only the queue holds the save back.
    assert not state["in"].wait(0.5)
    other.done()
    thread.join(10)
    assert state["error"] is None
    assert saved(database) == ["cell save"]


def test_a_transaction_holds_its_place_until_it_ends(database: Path) -> None:
    for ending in ("commit", "rollback", "close"):
        db = open_wrapper(database)
        begin(db)
        with db.cursor() as cursor:
            cursor.execute("INSERT INTO saves VALUES (%s)", [ending])
        assert not queue_is_free(database), ending
        if ending == "close":
            db.close()
        else:
            end(db, commit=ending == "commit")
        assert queue_is_free(database), ending
        db.close()
    assert saved(database) == ["commit"]


def test_writers_of_one_process_take_turns(database: Path) -> None:
    first = open_wrapper(database)
    begin(first)
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO saves VALUES ('first')")
    thread, state = save_in_thread(database, "second")
    assert not state["in"].wait(0.5)
    end(first)
    first.close()
    thread.join(10)
    assert state["error"] is None
    assert saved(database) == ["first", "second"]


def test_reading_outside_a_transaction_does_not_queue(database: Path) -> None:
    other = OtherProcess(database)
    try:
        assert saved(database) == []
    finally:
        other.done()


def test_a_queue_that_does_not_move_is_left_after_the_timeout(database: Path) -> None:
    """A writer ahead that never ends (hung, not dead: a dead one's file lock
    goes with it) holds others back for the database's timeout at most, as
    SQLite's own wait does; then SQLite decides."""
    other = OtherProcess(database)
    try:
        started = time.monotonic()
        thread, state = save_in_thread(database, "after the wait", timeout=0.3)
        thread.join(10)
        assert time.monotonic() - started >= 0.3
        assert state["error"] is None  # SQLite's own lock was free
        assert saved(database) == ["after the wait"]
    finally:
        other.done()


def test_when_sqlite_itself_is_locked_its_own_error_is_raised(database: Path) -> None:
    blocker = open_wrapper(database)
    blocker.connect()
    blocker.connection.execute("BEGIN IMMEDIATE")  # another program: no queue
    try:
        thread, state = save_in_thread(database, "refused", timeout=0.3)
        thread.join(10)
        assert isinstance(state["error"], OperationalError)
        assert "locked" in str(state["error"])
        assert queue_is_free(database)  # the refused one left its place
    finally:
        blocker.connection.execute("ROLLBACK")
        blocker.close()


def test_an_in_memory_database_has_no_queue(tmp_path: Path) -> None:
    db = ConnectionHandler({"default": {**sqlite_file(tmp_path), "NAME": ":memory:"}})["default"]
    begin(db)
    end(db)
    db.close()
    assert not list(tmp_path.iterdir())
    assert not Path(":memory:-writers").exists()


def test_a_forked_child_does_not_inherit_a_thread_s_place(database: Path) -> None:
    """gunicorn's workers fork from the master: a lock another thread held at
    the fork would never be let go in the child. (In a process of its own:
    the suite's has threads, and forking it is unsafe.)"""
    code = f"""
import os
import django
django.setup()
from core.sqlite.base import _process_lock
held = _process_lock({str(database)!r} + "-writers")
held.acquire()
child = os.fork()
if child == 0:
    os._exit(0 if _process_lock({str(database)!r} + "-writers").acquire(timeout=1) else 1)
_, status = os.waitpid(child, 0)
raise SystemExit(os.waitstatus_to_exitcode(status))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wiifm_site.settings", "DEBUG": "1"}
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr


def test_the_whole_wait_is_the_timeout_queue_included(database: Path) -> None:
    """Behind a writer that holds both the queue and SQLite's lock, a save
    fails after the timeout, not the timeout in the queue and again in
    SQLite's own wait (40 s instead of 20 in production)."""
    other = OtherProcess(database)
    blocker = open_wrapper(database)
    blocker.connect()
    blocker.connection.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        thread, state = save_in_thread(database, "refused", timeout=1.5)
        thread.join(10)
        waited = time.monotonic() - started
        assert isinstance(state["error"], OperationalError)
        assert 1.5 <= waited < 2.6  # twice the timeout would be 3 s
    finally:
        blocker.connection.execute("ROLLBACK")
        blocker.close()
        other.done()


def test_a_queue_file_that_cannot_be_opened_leaves_writes_as_they_were(
    database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Path(f"{database}-writers").mkdir()  # as unopenable as another user's file
    for who in ("first", "second"):
        thread, state = save_in_thread(database, who)
        thread.join(10)
        assert state["error"] is None
    assert saved(database) == ["first", "second"]
    assert not _process_lock(f"{database}-writers").locked()  # nobody's place kept
    assert "cannot be opened" in caplog.text
