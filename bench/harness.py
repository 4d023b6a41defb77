"""What the issue 23 benchmarks share: servers started and always stopped,
HTTP clients in threads that record every answer, and the memory of a
process with its children, read from /proc.

The servers are started as `make serve` starts them (gunicorn with
gunicorn.conf.py, `manage.py task_worker`), each in its own process group,
so that stopping one stops whatever it forked (a render's child process, a
fork server) too.
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import math
import os
import runpy
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (0 when there are no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


def server_env(port: int, **extra: str) -> dict[str, str]:
    """The environment of `make serve` for a plain-HTTP local run."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "WIIFM_ALLOW_HTTP": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BIND": f"127.0.0.1:{port}",
        **extra,
    }


class Processes:
    """Started processes, each its own process group; ``stop_all`` ends them
    and what they forked, also on SIGTERM or Ctrl-C of the benchmark."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(
        self, command: list[str], env: dict[str, str], log: Path | None = None
    ) -> subprocess.Popen[bytes]:
        out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - kept by the process
        process = subprocess.Popen(  # noqa: S603 - the benchmark's own servers
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGCONT)  # a stopped Redis cannot end otherwise
            self.stop(process)


@contextmanager
def processes() -> Iterator[Processes]:
    """Processes stopped on the way out, whatever happens (SIGTERM included)."""
    started = Processes()

    def terminate(signum: int, frame: Any) -> None:
        raise SystemExit(f"stopped by signal {signum}")

    previous = signal.signal(signal.SIGTERM, terminate)
    _subreaper()
    try:
        yield started
    finally:
        started.stop_all()
        _reap()
        signal.signal(signal.SIGTERM, previous)


def _subreaper() -> None:
    """Orphans of the processes started (a gunicorn worker outliving its
    master) become this process's children, so that ``_reap`` ends them
    (Linux's PR_SET_CHILD_SUBREAPER; nothing elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)


def _reap() -> None:
    """Wait for every child left (a second at most each, killed past it)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            for child in descendants(os.getpid()):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
            time.sleep(0.2)


def gunicorn(
    started: Processes, port: int, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    command = [str(Path(PY).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wiifm_site.wsgi"]
    return started.start(command, env, log)


def gunicorn_settings() -> dict[str, object]:
    """The settings `gunicorn.conf.py` gives under this environment (workers,
    threads, ...), read from the file gunicorn itself reads, so that a report
    states what ran, not a copy of its defaults."""
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def task_worker(started: Processes, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [
        PY,
        "manage.py",
        "task_worker",
        "--no-startup-delay",
        "--interval",
        "0.5",
        "--no-reload",
    ]
    return started.start(command, env, log)


def wait_healthy(base: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            status, _body, _headers = request(base, "GET", "/healthz", timeout=3)
            if status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{base}/healthz did not answer within {seconds} s")
        time.sleep(0.3)


def request(
    base: str,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 60,
    connection: http.client.HTTPConnection | None = None,
) -> tuple[int, bytes, http.client.HTTPMessage]:
    """One request; on a connection given, kept alive (closed on an error).
    A GET on a kept-alive connection that the server closed before answering
    (it closes idle ones after gunicorn's ``keepalive``, and the close can
    cross the next request) is sent once more on a new connection, as
    browsers do; an error on a new connection is the server's."""
    own = connection is None
    conn = connection or http.client.HTTPConnection(
        urllib.parse.urlsplit(base).netloc, timeout=timeout
    )
    reused = conn.sock is not None
    try:
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not (reused and method in {"GET", "HEAD"}):
                raise
            conn.close()
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
        data = response.read()
        return response.status, data, response.headers
    except Exception:
        conn.close()
        raise
    finally:
        if own:
            conn.close()


@dataclass
class Answer:
    kind: str
    path: str
    started: float  # monotonic
    seconds: float
    status: int  # 0: no answer (an error)
    error: str = ""


@dataclass
class Recorder:
    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def of(self, kind: str) -> list[Answer]:
        with self.lock:
            return [a for a in self.answers if a.kind == kind]


def timed(
    recorder: Recorder,
    kind: str,
    base: str,
    method: str,
    path: str,
    *,
    connection: http.client.HTTPConnection | None = None,
    **kwargs: Any,
) -> tuple[int, bytes, http.client.HTTPMessage | None]:
    """A request, recorded: its time and status, or the error in its stead."""
    start = time.monotonic()
    try:
        status, body, headers = request(base, method, path, connection=connection, **kwargs)
    except Exception as error:
        recorder.add(Answer(kind, path, start, time.monotonic() - start, 0, type(error).__name__))
        return 0, b"", None
    recorder.add(Answer(kind, path, start, time.monotonic() - start, status))
    return status, body, headers


def loop(stop: threading.Event, work: Callable[[int], None]) -> None:
    """``work(n)`` for n = 0, 1, ... until ``stop`` is set."""
    n = 0
    while not stop.is_set():
        work(n)
        n += 1


class Browser:
    """A logged-in person: cookies kept, the CSRF token sent back as the form
    field and the header, one kept-alive connection."""

    def __init__(self, base: str, cookies: dict[str, str] | None = None) -> None:
        self.base = base
        self.cookies: dict[str, str] = dict(cookies or {})
        self.connection = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=60)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie, "Referer": self.base + "/", **(extra or {})}

    def keep(self, headers: http.client.HTTPMessage | None) -> None:
        for header in headers.get_all("Set-Cookie") or [] if headers else []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value

    def get(
        self, recorder: Recorder, kind: str, path: str, timeout: float = 60
    ) -> tuple[int, bytes]:
        status, body, headers = timed(
            recorder,
            kind,
            self.base,
            "GET",
            path,
            headers=self.headers(),
            timeout=timeout,
            connection=self.connection,
        )
        self.keep(headers)
        return status, body

    def post(
        self,
        recorder: Recorder,
        kind: str,
        path: str,
        data: dict[str, str],
        extra: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> tuple[int, bytes, http.client.HTTPMessage | None]:
        token = self.cookies.get("csrftoken", "")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **data}).encode()
        headers = self.headers(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": token,
                **(extra or {}),
            }
        )
        status, answer, response_headers = timed(
            recorder,
            kind,
            self.base,
            "POST",
            path,
            headers=headers,
            body=body,
            timeout=timeout,
            connection=self.connection,
        )
        self.keep(response_headers)
        return status, answer, response_headers


# Memory: a process and its descendants, from /proc.


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB ({} when it is gone)."""
    found = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                found[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        return {}
    return found


def _pss(pid: int) -> int:
    """The proportional set size in kB: shared pages split between sharers."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_kb(pid: int) -> int:
    """A process's resident set size in kB (0 when it is gone)."""
    return _status(pid).get("VmRSS", 0)


def _children_map() -> dict[int, list[int]]:
    """Every process's children, by parent, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def children_of(parent: int) -> list[int]:
    """A process's own children (not theirs)."""
    return sorted(_children_map().get(parent, []))


def descendants(root: int) -> list[int]:
    children = _children_map()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            found.append(child)
            todo.append(child)
    return found


class TreeMemory(threading.Thread):
    """Samples a process and its descendants every ``every`` seconds:
    the root's own peak (VmHWM, exact), each descendant's peak (its VmHWM,
    read until it ends), and the tree's peak as a sum of proportional set
    sizes (shared pages counted once) and of resident sizes."""

    def __init__(self, root: int, every: float = 0.1) -> None:
        super().__init__(daemon=True, name="tree-memory")
        self.root, self.every = root, every
        self.stop = threading.Event()
        self.root_hwm = 0
        self.child_hwm: dict[int, int] = {}
        self.tree_pss = 0
        self.tree_rss = 0

    def sample(self) -> None:
        pids = [self.root, *descendants(self.root)]
        rss_sum = pss_sum = 0
        for pid in pids:
            status = _status(pid)
            if not status:
                continue
            rss_sum += status.get("VmRSS", 0)
            pss_sum += _pss(pid)
            if pid == self.root:
                self.root_hwm = max(self.root_hwm, status.get("VmHWM", 0))
            else:
                self.child_hwm[pid] = max(self.child_hwm.get(pid, 0), status.get("VmHWM", 0))
        self.tree_pss = max(self.tree_pss, pss_sum)
        self.tree_rss = max(self.tree_rss, rss_sum)

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            time.sleep(self.every)

    def reset_root_peak(self) -> None:
        """Start the root's VmHWM again from its current size (Linux 4.0+)."""
        with contextlib.suppress(OSError):
            Path(f"/proc/{self.root}/clear_refs").write_text("5")
        self.root_hwm = 0

    @property
    def peak_mb(self) -> float:
        """The figure judged: the most the tree held at once, or the root's
        or one child's own peak when that is more (a peak between samples)."""
        return max(self.tree_pss, self.root_hwm, max(self.child_hwm.values(), default=0)) / 1024


def mem_available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")
