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
import threading
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
from weasyprint.css import StyleFor
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
# attributes of every object: a tagged PDF has objects for every tagged
# line, and one never added to the PDF itself (a tag's array of kids) no
# longer needs a dictionary of attributes (about 340 bytes less each; one
# added still gets one, for its number). The worst input's peak in one
# process: 190 -> 182 MB. In a compressed file the writer sets a place only
# on the few objects it writes outside the object stream (page drawings,
# fonts, images); uncompressed, or PDF 1.4, on each.
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
    _forget_styles()
    # What add_tags reads of a document: its pages.
    tagged = SimpleNamespace(pages=_PagesReleased(document.pages))
    _ADD_TAGS(pdf, tagged, pdf_version, page_streams)


weasyprint.pdf.add_tags = _add_tags_releasing_pages


# Pseudo-elements' styles asked for only by some elements, computed when
# first asked for instead of for every element. WeasyPrint's stylesheet for
# HTML matches ``::marker``, ``::footnote-call``, ``::footnote-marker``,
# ``::note-call``, ``::note-marker`` and ``::note-callback`` on every
# element, and WeasyPrint computed each one's style before the layout: six
# styles per element, 32,000 for the worst input's 5,329 elements (each a
# style, its attributes and its own specified values: 29 MB of the worst
# input's peak, kept through the layout, and to the end of the render when
# an image (an SVG: the playbook's charts) keeps the layout's context), of
# which its list items' markers are all it reads. A style computed when
# first asked for is the one computed before (its element's, from which it
# inherits, is computed first either way); the declarations matched for
# each are kept meanwhile, those that are alike shared (every element's
# ``::footnote-call`` has the same four). A pseudo-element given an
# ``anchor`` is computed at once, as before, for the target collector.
ON_DEMAND = frozenset(
    {"marker", "footnote-call", "footnote-marker", "note-call", "note-marker", "note-callback"}
)
# The StyleFor objects of the render in progress in this thread (only
# while ``render_document`` runs), weakly: WeasyPrint lets go of one after
# the layout unless an image keeps the layout's context.
_RENDERING = threading.local()
_STYLE_FOR_INIT = StyleFor.__init__
_SET_COMPUTED_STYLES = StyleFor.set_computed_styles
_STYLE_FOR_CALL = StyleFor.__call__


def _style_for_init(
    self: StyleFor,
    html: Any,
    sheets: Any,
    presentational_hints: Any,
    font_config: Any,
    target_collector: Any,
) -> None:
    """``StyleFor.__init__``, the pseudo-elements of ``ON_DEMAND`` left for
    ``_style_for_call``: their matched declarations kept, not computed. A
    render of ``render_document`` knows its own (``_forget_styles``)."""
    if (made := getattr(_RENDERING, "styles", None)) is not None:
        made.add(self)
    # For each pseudo-element, each element's declarations; and one
    # dictionary of declarations for all those alike.
    self._wiifm_on_demand = {pseudo_type: {} for pseudo_type in ON_DEMAND}
    self._wiifm_alike = {}
    self._wiifm_deferring = True
    try:
        _STYLE_FOR_INIT(self, html, sheets, presentational_hints, font_config, target_collector)
    finally:
        self._wiifm_deferring = False
        self._wiifm_alike = {}
    self._wiifm_root = html.etree_element
    self._wiifm_base_url = html.base_url
    self._wiifm_target_collector = target_collector


def _set_computed_styles(
    self: StyleFor,
    element: Any,
    parent: Any,
    root: Any = None,
    pseudo_type: str | None = None,
    base_url: str | None = None,
    target_collector: Any = None,
) -> None:
    """``StyleFor.set_computed_styles``, but while the styles are first
    computed a pseudo-element of ``ON_DEMAND`` only has its declarations kept
    (one dictionary for all that are alike)."""
    cascaded = self._cascaded_styles.get((element, pseudo_type), {})
    if (
        pseudo_type not in ON_DEMAND
        or not getattr(self, "_wiifm_deferring", False)
        or "anchor" in cascaded
    ):
        _SET_COMPUTED_STYLES(self, element, parent, root, pseudo_type, base_url, target_collector)
        return
    alike = tuple((name, id(values), weight) for name, (values, weight) in cascaded.items())
    self._wiifm_on_demand[pseudo_type][element] = self._wiifm_alike.setdefault(alike, cascaded)


def _style_for_call(self: StyleFor, element: Any, pseudo_type: str | None = None) -> Any:
    """``StyleFor.__call__``, a pseudo-element's style left for later
    computed now, as ``set_computed_styles`` would have."""
    if pseudo_type in ON_DEMAND:
        cascaded = self._wiifm_on_demand[pseudo_type].pop(element, None)
        if cascaded is not None:
            key = (element, pseudo_type)
            self._cascaded_styles[key] = cascaded
            try:
                _SET_COMPUTED_STYLES(
                    self,
                    element,
                    parent=element,
                    root=self._wiifm_root,
                    pseudo_type=pseudo_type,
                    base_url=self._wiifm_base_url,
                    target_collector=self._wiifm_target_collector,
                )
            finally:
                del self._cascaded_styles[key]
    return _STYLE_FOR_CALL(self, element, pseudo_type)


def _forget_styles() -> None:
    """Drop the look-ups of styles by element and by page of the render in
    progress in this thread, once every page is painted: nothing asks for a
    style by its element after, each box holds its own. The styles of each
    page's sixteen margin boxes then go with the page's boxes as it is tagged
    (3.5 MB of the worst input's peak)."""
    for style_for in getattr(_RENDERING, "styles", ()):
        style_for._computed_styles.clear()
        for elements in style_for._wiifm_on_demand.values():
            elements.clear()


StyleFor.__init__ = _style_for_init
StyleFor.set_computed_styles = _set_computed_styles
StyleFor.__call__ = _style_for_call


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
    kept for targets dropped before the PDF is written and its look-ups of
    styles before it is tagged. Only files under the fetcher's
    ``static_dir`` are fetched."""
    _RENDERING.styles = weakref.WeakSet()
    try:
        document = HTML(string=html, base_url=f"{fetcher.static_dir}/", url_fetcher=fetcher).render(
            pdf_tags=True
        )
        _forget_targets()
        return document, document.write_pdf(pdf_tags=True)
    finally:
        del _RENDERING.styles


def render_pdf(html: str, static_dir: Path) -> Result:
    """The PDF of ``html`` (tagged for screen readers) and its page count,
    in this process. Only files under ``static_dir`` are fetched."""
    fetcher = StaticOnlyFetcher(static_dir)
    document, content = render_document(html, fetcher)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Result(content, len(document.pages), fetcher.calls, peak_mb, os.nice(0))
