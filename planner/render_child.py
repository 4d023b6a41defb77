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
import weakref
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote, urlsplit

import pydyf
import weasyprint.document
import weasyprint.pdf
from weasyprint import HTML
from weasyprint.css.targets import TargetCollector
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


# Each pydyf object's bookkeeping (its number, its place in the file, its
# generation and whether it is free) as defaults of the class, not four
# attributes of every object: a tagged PDF has an object for every tagged
# line, and their attributes' dictionaries (about 170 bytes an object) were
# 16 MB of the worst input's peak. An object added to the PDF gets its
# number; the file writer sets a place only on the few it writes outside an
# object stream (page drawings, fonts, images).
pydyf.Object.number = None
pydyf.Object.offset = 0
pydyf.Object.generation = 0
pydyf.Object.free = "n"


def _object_init(self: pydyf.Object) -> None:
    """``pydyf.Object.__init__``, the class's defaults standing for its
    attributes until one is set."""


pydyf.Object.__init__ = _object_init


# The render's memory (issue 23). WeasyPrint lays out every page before it
# paints the first, and keeps every page's boxes (about 0.7 MB a page of dense
# text), every page's drawing operators and the boxes its contents page's
# page numbers were looked up in until the document goes; its tags for screen
# readers (about 70 MB for the worst input) then came on top of them all. The
# three patches below let each go once its last reader is done, the PDF the
# same byte for byte (a test compares it with WeasyPrint's own). The worst
# input's 202 pages in one process: peak 273 MB before, 219 MB with them.

# Pages' boxes refer to each other in cycles, which only the cyclic garbage
# collector frees: it runs after every so many pages' tags. Each run takes
# about 0.3 s for the worst input; its peak: 230 MB with no run while tagging,
# 219 MB every 50 pages (two runs), 217 MB every 20 (ten).
COLLECT_EVERY = 50

_COLLECTORS: weakref.WeakSet[TargetCollector] = weakref.WeakSet()


class _TargetCollector(TargetCollector):
    """WeasyPrint's collector of ``target-counter()`` look-ups, known to
    ``_forget_targets``."""

    def __init__(self) -> None:
        super().__init__()
        _COLLECTORS.add(self)


weasyprint.document.TargetCollector = _TargetCollector


def _forget_targets() -> None:
    """Drop what the layout kept to look up targets' page numbers (the
    contents page's): 12,191 boxes of the tree before layout for the worst
    input, a quarter of all boxes. The pages hold their numbers by now."""
    for collector in list(_COLLECTORS):
        collector.target_lookup_items.clear()
        collector.counter_lookup_items.clear()
    gc.collect()


def _compact(stream: pydyf.Stream) -> None:
    """A painted page's drawing operators as the one (compressed) block of
    bytes pydyf would write for them, instead of a list of thousands of
    small objects kept until the file is written."""
    data = b"\n".join(pydyf._to_bytes(item) for item in stream.stream)
    if stream.compress:
        compressor = zlib.compressobj(level=9)  # as pydyf.Stream.data
        data = compressor.compress(data) + compressor.flush()
        stream.extra["Filter"] = "/FlateDecode"
        stream.compress = False
    stream.stream = [data]


_PAINT = Page.paint


def _paint_and_compact(page: Page, stream: pydyf.Stream, *args: Any, **kwargs: Any) -> None:
    """WeasyPrint's ``Page.paint``, the page's stream compacted after it:
    nothing draws on a page once it is painted (the tags read the stream's
    ``_tags``, which stay)."""
    _PAINT(page, stream, *args, **kwargs)
    _compact(stream)


Page.paint = _paint_and_compact


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


_ADD_TAGS = weasyprint.pdf.add_tags


def _add_tags_releasing_pages(
    pdf: pydyf.PDF, document: Document, pdf_version: Any, page_streams: list[Any]
) -> None:
    """WeasyPrint's ``add_tags``, freeing each page's boxes once its tags are
    built: the tags are the last reader of the laid-out boxes (every page is
    painted by then). Pages are read in order, once, as ``add_tags`` reads
    them."""
    # What add_tags reads of a document: its pages.
    tagged = SimpleNamespace(pages=_PagesReleased(document.pages))
    _ADD_TAGS(pdf, tagged, pdf_version, page_streams)


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


def render_document(html: str, fetcher: StaticOnlyFetcher) -> tuple[Document, bytes]:
    """WeasyPrint's document of ``html`` and its tagged PDF, what the layout
    kept for targets dropped before the PDF is written. Only files under the
    fetcher's ``static_dir`` are fetched."""
    document = HTML(string=html, base_url=f"{fetcher.static_dir}/", url_fetcher=fetcher).render(
        pdf_tags=True
    )
    _forget_targets()
    return document, document.write_pdf(pdf_tags=True)


def render_pdf(html: str, static_dir: Path) -> Result:
    """The PDF of ``html`` (tagged for screen readers) and its page count,
    in this process. Only files under ``static_dir`` are fetched."""
    fetcher = StaticOnlyFetcher(static_dir)
    document, content = render_document(html, fetcher)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Result(content, len(document.pages), fetcher.calls, peak_mb, os.nice(0))
