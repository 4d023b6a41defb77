"""WeasyPrint in a child process, bounded in time and memory (issue 23).

Django-free on purpose: the parent (a web request or the task worker) builds
the HTML with Django; only the HTML crosses to a child, which turns it into a
PDF with WeasyPrint and sends back the bytes and the page count. The child is
forked from a ``multiprocessing`` fork server that has imported WeasyPrint
already (so a child starts in milliseconds, and a threaded gunicorn worker is
never forked). In the child the address space is capped
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
import mimetypes
import multiprocessing
import os
import resource
import signal
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

import pydyf
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

ALLOWED_SUFFIXES = {".css", ".woff", ".svg"}
# The child's exit status when it ran out of memory before it could say so.
OUT_OF_MEMORY = 86


_PAGE_REFERENCES = pydyf.PDF.page_references


def _cached_page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    """``pydyf.PDF.page_references``, built once per page count.

    pydyf builds the tuple of every page's reference on each read, and
    WeasyPrint's tagging (``pdf_tags``) reads it once per tagged box, so a
    tagged PDF cost time with the square of its pages (3.4 s of a 202-page
    render). Pages are only ever appended, so the count tells when the tuple
    is out of date.
    """
    count = len(pdf.pages["Kids"])
    cached = pdf.__dict__.get("_wiifm_page_references")
    if cached is None or cached[0] != count:
        cached = (count, _PAGE_REFERENCES.fget(pdf))
        pdf.__dict__["_wiifm_page_references"] = cached
    references: tuple[bytes, ...] = cached[1]
    return references


pydyf.PDF.page_references = property(_cached_page_references)


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


class StaticOnlyFetcher(URLFetcher):
    """Serves the project's own static files (CSS, fonts) under ``static_dir``
    and refuses the rest: http(s), data: URLs, file:// outside it, "..",
    anything else.

    Users' text is escaped by the templates, so it cannot ask for anything;
    this is the second line. ``calls`` records every URL asked for.
    """

    def __init__(self, static_dir: Path) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, timeout=2)
        self.static_dir = static_dir
        self.calls: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        self.calls.append(url)
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in {"", "localhost"}:
            raise ValueError(f"refused: {url[:80]}")
        raw = unquote(parts.path)
        if ".." in raw.split("/"):
            raise ValueError(f"refused: {url[:80]}")
        path = Path(raw).resolve()
        if not path.is_relative_to(self.static_dir) or path.suffix not in ALLOWED_SUFFIXES:
            raise ValueError(f"refused: {url[:80]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


class Result(NamedTuple):
    """A rendered PDF, its number of pages, the URLs it asked for, the peak
    resident memory of the process that rendered it (MB) and its niceness."""

    content: bytes
    pages: int
    fetched: list[str]
    peak_mb: float = 0.0
    niceness: int = 0


def render_pdf(html: str, static_dir: Path) -> Result:
    """The PDF of ``html`` (tagged for screen readers) and its page count,
    in this process. Only files under ``static_dir`` are fetched."""
    fetcher = StaticOnlyFetcher(static_dir)
    document = HTML(string=html, base_url=str(static_dir) + "/", url_fetcher=fetcher).render(
        pdf_tags=True
    )
    content = document.write_pdf(pdf_tags=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Result(content, len(document.pages), fetcher.calls, peak_mb, os.nice(0))


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
    context.set_forkserver_preload(
        [__name__, "planner.render_warm"]
    )  # WeasyPrint imported once, in the server
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
