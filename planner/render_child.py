"""The part of planner.render_process that runs in the render's child
process: WeasyPrint itself. Only the render fork server imports this module
(and so WeasyPrint, about 45 MB of a process's memory): the web processes
and the task worker only build HTML and start children, and stay without it.
"""

from __future__ import annotations

import gc
import mimetypes
import os
import resource
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pydyf
import weasyprint.pdf
from weasyprint import HTML
from weasyprint.document import Document, Page
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


# Pages' boxes refer to each other in cycles, which only the cyclic garbage
# collector frees: it runs after every so many pages' tags.
COLLECT_EVERY = 20


class _PagesReleased:
    """A document's pages, read once in order, each page's laid-out boxes
    let go as the next is read (its ``len`` is the document's)."""

    def __init__(self, pages: list[Page]) -> None:
        self._pages = pages

    def __len__(self) -> int:
        return len(self._pages)

    def __iter__(self) -> Iterator[Page]:
        for number, page in enumerate(self._pages, start=1):
            yield page
            page._page_box = None
            if number % COLLECT_EVERY == 0:
                gc.collect()


class _TaggedDocument:
    """What WeasyPrint's ``add_tags`` reads of a document: its pages."""

    def __init__(self, document: Document) -> None:
        self.pages = _PagesReleased(document.pages)


_ADD_TAGS = weasyprint.pdf.add_tags


def _add_tags_releasing_pages(
    pdf: pydyf.PDF, document: Document, pdf_version: Any, page_streams: list[Any]
) -> None:
    """WeasyPrint's ``add_tags``, freeing each page's boxes once its tags are
    built.

    The tags are the last reader of the laid-out boxes: every page is painted
    by then, and the PDF's objects hold what the file needs. WeasyPrint keeps
    every page's boxes (about 0.7 MB a page of dense text) until the document
    goes, so the tags' own objects (about 70 MB for the worst input) came on
    top of them all: the worst input's 202 pages peaked at 273 MB in one
    process, 242 MB with this (issue 23; the PDF is the same, byte for byte,
    a test compares them). Pages are read in order, once, as ``add_tags``
    reads them; nothing reads a page's boxes after it.
    """
    _ADD_TAGS(pdf, _TaggedDocument(document), pdf_version, page_streams)


weasyprint.pdf.add_tags = _add_tags_releasing_pages


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
