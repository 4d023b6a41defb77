"""WeasyPrint in a child process, bounded in time and memory (issue 23).

Django-free on purpose: the parent (a web request or the task worker) builds
the HTML with Django; only the HTML crosses to a child, which turns it into a
PDF with WeasyPrint (planner.render_child) and sends back the bytes and the
page count. The child is forked from a ``multiprocessing`` fork server that
has imported WeasyPrint already (so a child starts in milliseconds, and a
threaded gunicorn worker is never forked); this module does not import it,
so neither do the web processes nor the task worker. In the child the address space is capped
(``resource.RLIMIT_AS``) and its CPU time (``resource.RLIMIT_CPU``): past
either, ``RenderLimit`` with ``reason`` "memory" or "time", a verdict on the
document. The parent also waits at most a wall-clock time and kills the child
past it; that, or the child stopped by a signal (a server shutting down),
says nothing about the document: ``RenderLimit`` with ``reason`` "stalled" or
"interrupted" (``VERDICTS`` holds the two reasons that judge the document).
A busy machine slows a render without making its document "too large".
"""

from __future__ import annotations

import math
import multiprocessing
import os
import resource
import signal
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple

# The child's exit status when it ran out of memory before it could say so.
OUT_OF_MEMORY = 86


# The reasons of a ``RenderLimit`` that judge the document (too large to
# render); the others judge the moment (the machine, a shutdown).
VERDICTS = frozenset({"time", "memory"})
# A child stopped by one of these was told to stop, not out of its limits.
STOPPING_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT, signal.SIGHUP})


class RenderLimit(Exception):
    """The render went past a limit: ``reason`` is "time" (its CPU time),
    "memory", "stalled" (its wall-clock time, the CPU budget not used up) or
    "interrupted" (stopped by a signal)."""

    def __init__(self, reason: str, pid: int | None = None) -> None:
        super().__init__(f"PDF render past its {reason} limit")
        self.reason = reason
        self.pid = pid


class RenderFailed(Exception):
    """The child failed for another reason (a bug): its error, as text."""


class Result(NamedTuple):
    """A rendered PDF, its number of pages, the URLs it asked for, the peak
    resident memory of the process that rendered it (MB) and its niceness."""

    content: bytes
    pages: int
    fetched: list[str]
    peak_mb: float = 0.0
    niceness: int = 0


# The parent's environment the child takes, read at each render (the fork
# server's own is the one it started with): a fixed creation date for
# reproducible PDFs.
PASSED_ENVIRONMENT = ("SOURCE_DATE_EPOCH",)


# How much lower than the parent's a child's CPU priority is: a render is
# bulk work; the pages and the load balancer's health check served beside it
# on the same cores come first (they still get their answers in milliseconds
# while renders take every core).
NICENESS = 10


def _child(
    html: str,
    static_dir: Path,
    memory_mb: int,
    cpu_seconds: int,
    environment: dict[str, str],
    conn: Connection,
) -> None:
    """In the child: lower its priority, cap the address space and the CPU
    time (SIGXCPU past it, whose default action ends the process), render,
    send the result."""
    for name in PASSED_ENVIRONMENT:
        os.environ.pop(name, None)
    os.environ.update(environment)
    os.nice(NICENESS)
    try:
        # Before the limits: the fork server has it loaded (a no-op then);
        # were its preload lost (it fails silently), importing WeasyPrint
        # here is not taken from the document's CPU time.
        from planner.render_child import render_pdf

        if memory_mb > 0:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if cpu_seconds > 0:
            used = resource.getrusage(resource.RUSAGE_SELF)
            budget = math.ceil(used.ru_utime + used.ru_stime) + cpu_seconds
            resource.setrlimit(resource.RLIMIT_CPU, (budget, budget + 2))
        conn.send(("ok", render_pdf(html, static_dir)))
    except MemoryError:
        os._exit(OUT_OF_MEMORY)  # nothing more can be allocated, not even a message
    except BaseException as error:
        try:
            conn.send(("error", f"{type(error).__name__}: {error}"[:2000]))
        except MemoryError:
            os._exit(OUT_OF_MEMORY)
    finally:
        conn.close()


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    # WeasyPrint imported once, in the server (never in the parent).
    context.set_forkserver_preload([__name__, "planner.render_child", "planner.render_warm"])
    return context


def run(
    html: str,
    static_dir: Path,
    *,
    seconds: float,
    memory_mb: int,
    cpu_seconds: int = 0,
) -> Result:
    """The PDF of ``html``, rendered in a child process of at most
    ``memory_mb`` MB of address space (0: no cap) and ``cpu_seconds`` of CPU
    time (0: no cap), within ``seconds`` of wall-clock time. Past one:
    ``RenderLimit`` (its ``reason``: "memory", "time" for the CPU time,
    "stalled" for the wall clock, "interrupted" for a child stopped by a
    signal), the child killed and reaped. Another failure in the child:
    ``RenderFailed``."""
    context = _context()
    environment = {name: os.environ[name] for name in PASSED_ENVIRONMENT if name in os.environ}
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child,
        args=(html, static_dir, memory_mb, cpu_seconds, environment, sender),
        daemon=True,
    )
    deadline = time.monotonic() + seconds
    process.start()
    sender.close()  # the child's end: EOF here when the child dies
    try:
        if not receiver.poll(max(deadline - time.monotonic(), 0)):
            raise RenderLimit("stalled" if cpu_seconds else "time", process.pid)
        try:
            result = receiver.recv()
        except EOFError:  # died without a word: why, its exit status says
            process.join()
            raise RenderLimit(_why(process.exitcode), process.pid) from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
        process.close()
    if result[0] == "ok":
        return Result(*result[1])
    raise RenderFailed(result[1])


def _why(exitcode: int | None) -> str:
    """The reason of a child that ended without sending its result: past
    its CPU time (SIGXCPU), stopped (a shutdown's signal), or else out of
    memory (its own exit status, the kernel's SIGKILL, or a C library that
    aborted on a failed allocation)."""
    if exitcode == -signal.SIGXCPU:
        return "time"
    if exitcode is not None and -exitcode in STOPPING_SIGNALS:
        return "interrupted"
    return "memory"
