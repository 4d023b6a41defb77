"""WeasyPrint in a child process, bounded in time and memory (issue 23).

Django-free on purpose: the parent (a web request or the task worker) builds
the HTML with Django; only the HTML crosses to a child, which turns it into a
PDF with WeasyPrint and sends back the bytes and the page count. The child is
forked from a ``multiprocessing`` fork server that has imported WeasyPrint
already (so a child starts in milliseconds, and a threaded gunicorn worker is
never forked). In the child the address space is capped
(``resource.RLIMIT_AS``); the parent waits at most ``seconds`` and kills the
child past them. Either limit gives ``RenderLimit`` (``reason`` says which).
"""

from __future__ import annotations

import mimetypes
import multiprocessing
import os
import resource
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

ALLOWED_SUFFIXES = {".css", ".woff", ".svg"}
# The child's exit status when it ran out of memory before it could say so.
OUT_OF_MEMORY = 86


class RenderLimit(Exception):
    """The render went past a limit: ``reason`` is "time" or "memory"."""

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
    """A rendered PDF, its number of pages, the URLs it asked for and the
    peak resident memory of the process that rendered it (MB)."""

    content: bytes
    pages: int
    fetched: list[str]
    peak_mb: float = 0.0


def render_pdf(html: str, static_dir: Path) -> Result:
    """The PDF of ``html`` (tagged for screen readers) and its page count,
    in this process. Only files under ``static_dir`` are fetched."""
    fetcher = StaticOnlyFetcher(static_dir)
    document = HTML(string=html, base_url=str(static_dir) + "/", url_fetcher=fetcher).render(
        pdf_tags=True
    )
    content = document.write_pdf(pdf_tags=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Result(content, len(document.pages), fetcher.calls, peak_mb)


# The parent's environment the child takes, read at each render (the fork
# server's own is the one it started with): a fixed creation date for
# reproducible PDFs.
PASSED_ENVIRONMENT = ("SOURCE_DATE_EPOCH",)


def _child(
    html: str, static_dir: Path, memory_mb: int, environment: dict[str, str], conn: Connection
) -> None:
    """In the child: cap the address space, render, send the result."""
    for name in PASSED_ENVIRONMENT:
        os.environ.pop(name, None)
    os.environ.update(environment)
    try:
        if memory_mb > 0:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
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


def run(html: str, static_dir: Path, *, seconds: float, memory_mb: int) -> Result:
    """The PDF of ``html``, rendered in a child process of
    at most ``memory_mb`` MB of address space (0: no cap) within ``seconds``
    of wall-clock time. Past either: ``RenderLimit``, the child killed and
    reaped. Another failure in the child: ``RenderFailed``."""
    context = _context()
    environment = {name: os.environ[name] for name in PASSED_ENVIRONMENT if name in os.environ}
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child,
        args=(html, static_dir, memory_mb, environment, sender),
        daemon=True,
    )
    deadline = time.monotonic() + seconds
    process.start()
    sender.close()  # the child's end: EOF here when the child dies
    try:
        if not receiver.poll(max(deadline - time.monotonic(), 0)):
            raise RenderLimit("time", process.pid)
        try:
            result = receiver.recv()
        except EOFError:  # died without a word: out of memory (or killed for it)
            raise RenderLimit("memory", process.pid) from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
        process.close()
    if result[0] == "ok":
        return Result(*result[1])
    raise RenderFailed(result[1])
