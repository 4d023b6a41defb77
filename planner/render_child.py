"""The part of planner.render_process that runs in the render's child
process: WeasyPrint itself. Only the render fork server imports this module
(and so WeasyPrint, about 45 MB of a process's memory): the web processes
and the task worker only build HTML and start children, and stay without it.
"""

from __future__ import annotations

import mimetypes
import os
import resource
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pydyf
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from planner.render_process import Result

ALLOWED_SUFFIXES = {".css", ".woff", ".svg"}

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
