"""PDF documents: the whole playbook and a role's one-pager, with WeasyPrint.

Rendering is safe (only the project's own static files are ever fetched),
cached (the key is a hash of the playbook's content, the kind of document,
today's date and what the pulse may show today) and tagged for screen
readers.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
import math
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from actionplan.timeline import StepDates, build_timeline
from comms.upcoming import Planned, plan
from core import versions
from core.cache import cache_down
from core.typography import break_long_words
from planner.health import MISTAKES, TITLES
from planner.one_pager import sheet
from planner.overview import overview
from planner.since_go_live import role_since, since_go_live
from planner.summary import summary
from playbooks.models import Playbook
from pulse.links import link_url, qr_svg
from pulse.models import PulseLink
from pulse.weeks import last_closed_week
from roles.chart import balance_chart

logger = logging.getLogger(__name__)

STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()
ALLOWED_SUFFIXES = {".css", ".woff", ".svg"}


@functools.cache
def layout_version() -> str:
    """A hash of everything besides the data that shapes the PDFs: templates,
    the chart's drawing, stylesheet, fonts and translations. A deploy that changes any of them
    gives new cache keys. Read once per process, on the first PDF."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    paths = sorted(
        [
            *(Path(__file__).parent / "templates" / "pdf").glob("*.html"),
            root / "templates" / "includes" / "balance_chart.html",
            root / "templates" / "includes" / "plan_timeline.html",
            root / "actionplan" / "timeline.py",  # the plan's timeline geometry
            root / "roles" / "templatetags" / "wiifm.py",  # draws the chart's SVG
            root / "planner" / "since_go_live.py",  # draws the pulse's trends
            root / "comms" / "drafts.py",  # writes the drafted messages
            *(root / "static" / "pdf").glob("*.css"),  # the stylesheets and fonts.css they import
            root / "planner" / "one_pager.py",  # fits the one-pager's texts to its page
            root / "core" / "typography.py",  # quotes, and breaks long words
            *(root / "locale").glob("*/LC_MESSAGES/django.mo"),
        ]
    )
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# The balance charts sit side by side above the matrix, at most four across
# the landscape page, each of a few roles: a band short enough to share its
# page with the matrix's first rows (a chart cannot split across pages).
CHART_ROWS = 6
CHART_COLUMNS = 4
# The plan's timeline is drawn twice as wide as on screen (its type is sized
# in the drawing's units): across the page width, its labels read at about 9 pt.
TIMELINE_WIDTH = 800
CACHE_SECONDS = 60 * 60 * 24


class StaticOnlyFetcher(URLFetcher):
    """Serves the project's own static files (CSS, fonts) and refuses the rest:
    http(s), data: URLs, file:// outside static/, "..", anything else.

    Users' text is escaped by the templates, so it cannot ask for anything;
    this is the second line. ``calls`` records every URL asked for.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, timeout=2)
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
        if not path.is_relative_to(STATIC_DIR) or path.suffix not in ALLOWED_SUFFIXES:
            raise ValueError(f"refused: {url[:80]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def page_counter_css(template: str) -> str:
    """'page %(page)s of %(pages)s' -> '"page " counter(page) " of " counter(pages)'."""
    parts = re.split(r"(%\(pages?\)s)", template)
    out = []
    for part in parts:
        if part == "%(page)s":
            out.append("counter(page)")
        elif part == "%(pages)s":
            out.append("counter(pages)")
        elif part:
            out.append('"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(out)


@dataclass(frozen=True)
class Rendered:
    """A rendered PDF and its number of pages."""

    content: bytes
    pages: int


def render_html(template: str, context: dict[str, Any], *, language: str) -> str:
    """The HTML a PDF is made of, in ``language`` (tests read its headings)."""
    with translation.override(language):
        return render_to_string(
            template,
            {
                **context,
                "LANGUAGE_CODE": language,
                "page_counter": page_counter_css(_("page %(page)s of %(pages)s")),
                "generated": timezone.localtime(),
            },
        )


def render(template: str, context: dict[str, Any], *, language: str) -> Rendered:
    """Render a template of templates/pdf/ to PDF in ``language``. Long
    unbroken words get soft break opportunities first (WeasyPrint's time
    grows with the square of a word's length; core.typography)."""
    html = break_long_words(render_html(template, context, language=language))
    fetcher = StaticOnlyFetcher()
    document = HTML(string=html, base_url=str(STATIC_DIR) + "/", url_fetcher=fetcher).render(
        pdf_tags=True
    )
    return Rendered(document.write_pdf(pdf_tags=True), len(document.pages))


@dataclass(frozen=True)
class Document:
    content: bytes
    etag: str
    filename: str
    cached: bool
    pages: int
    rendered_at: datetime.datetime


@dataclass(frozen=True)
class Freshness:
    """What the cache knows of a rendered document, without its bytes."""

    pages: int
    rendered_at: datetime.datetime


def content_key(
    playbook: Playbook, kind: str, today: datetime.date, *, stamp: str | None = None
) -> str:
    """The document's version: the playbook's version stamp (changed by any
    edit anywhere in it, see core.versions), its language, the kind of
    document, today's date (the countdown and the overdue marks change daily)
    and the layout (templates, stylesheet, translations). Cheap: no queries.

    The pulse's results change when a week closes and when k changes (a role's
    headcount, for the 2k rule, is in the version stamp): the last closed week
    and k are in the key too, so a cached PDF never shows a week that is not
    shown now, nor misses one. The date alone would say as much today; the
    week and k say it whatever the stamp and the date.

    ``stamp``: the version stamp when the caller has read it already."""
    raw = "|".join(
        [
            layout_version(),
            kind,
            today.isoformat(),
            str(playbook.pk),
            playbook.language,
            stamp if stamp is not None else versions.version(playbook),
            f"week {last_closed_week(playbook.go_live, today)}",
            f"k {playbook.pulse_k}",
        ]
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


def _content_key(key: str) -> str:
    return f"pdf:{key}"


def _freshness_key(key: str) -> str:
    """Beside each cached PDF, its page count and time of rendering: a few
    bytes, so that the downloads page reads them without the PDFs."""
    return f"pdf-fresh:{key}"


def cached_document(
    playbook: Playbook, kind: str, filename: str, build: Callable[[datetime.date], Rendered]
) -> Document:
    """The document from the cache, or rendered by ``build(today)`` and cached.
    One date for the key and the content: a render that runs past midnight
    does not store tomorrow's weeks under today's key. With the cache down it
    is rendered each time."""
    today = timezone.localdate()
    key = content_key(playbook, kind, today)
    try:
        found = cache.get(_content_key(key))
    except Exception:
        logger.warning("PDF: the cache is unreachable, rendering %s", key)
        found = None
    if isinstance(found, tuple) and len(found) == 3:
        content, pages, rendered_at = found
        return Document(content, key, filename, True, pages, rendered_at)
    rendered = build(today)
    now = timezone.now()
    try:
        cache.set_many(
            {
                _content_key(key): (rendered.content, rendered.pages, now),
                _freshness_key(key): (rendered.pages, now),
            },
            CACHE_SECONDS,
        )
    except Exception:
        logger.warning("PDF: the cache is unreachable, %s not kept", key)
    return Document(rendered.content, key, filename, False, rendered.pages, now)


def freshness(playbook: Playbook, kinds: list[str]) -> dict[str, Freshness | None] | None:
    """For each kind of document, its page count and time of rendering when
    the cache holds its current version (None: not rendered yet), without
    rendering anything. No queries (the version stamp is the playbook's);
    one cache read for all of them. None when the cache cannot be read."""
    today = timezone.localdate()
    stamp = versions.version(playbook)
    keys = {kind: _freshness_key(content_key(playbook, kind, today, stamp=stamp)) for kind in kinds}
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:
        logger.warning("PDF: the cache is unreachable, freshness unknown")
        return None
    if cache_down():  # it answered "nothing" because it could not be read
        return None
    result: dict[str, Freshness | None] = {}
    for kind, key in keys.items():
        value = found.get(key)
        result[kind] = Freshness(*value) if isinstance(value, tuple) and len(value) == 2 else None
    return result


def _pdf_context(playbook: Playbook, today: datetime.date) -> dict[str, Any]:
    """What the PDFs show, built in the playbook's language (the health
    check's findings are worded here)."""

    with translation.override(playbook.language):
        data = overview(playbook, today, can_edit=False)
    rows = data["role_rows"]
    data["charts"] = [
        balance_chart([(r.name, b.time_balance, b.verdict) for r, b in part])
        for part in chart_parts(rows)
    ]
    for step in data["steps"]:
        step.overdue = step.is_overdue(today)
        step.done_tasks = sum(1 for task in step.tasks.all() if task.done)
    with translation.override(playbook.language):
        data["timeline"] = build_timeline(
            [
                StepDates(s.number, s.title, s.start_date, s.due_date, s.status, s.overdue)
                for s in data["steps"]
            ],
            go_live=playbook.go_live,
            today=today,
            go_live_label=_("Go-live"),
            today_label=_("Today"),
            width=TIMELINE_WIDTH,
        )
    data["communications"] = plan(
        playbook, data["messages"], {r.pk: r for r, _b in rows}, data["step_five_due"]
    )
    data["comms_go_live_at"] = go_live_at(data["communications"], playbook.go_live)
    return {
        "playbook": playbook,
        "today": today,
        "days_to_go_live": (playbook.go_live - today).days if playbook.go_live else None,
        "mistakes": [(code, TITLES[code]) for code in MISTAKES],
        **data,
    }


def chart_parts(rows: list[Any]) -> list[list[Any]]:
    """The roles split into the charts drawn side by side: one chart up to
    ``CHART_ROWS`` roles, then up to ``CHART_COLUMNS`` charts of even length
    (40 roles: four of ten), more beyond that, wrapping onto a second band."""
    if not rows:
        return []
    columns = max(min(CHART_COLUMNS, math.ceil(len(rows) / CHART_ROWS)), 1)
    if len(rows) > CHART_COLUMNS * CHART_ROWS * 2:  # too long a chart: a second band
        columns = math.ceil(len(rows) / (CHART_ROWS * 2))
    size = math.ceil(len(rows) / columns)
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def go_live_at(items: list[Planned], go_live: datetime.date | None) -> int | None:
    """Where go-live falls in the plan's messages by date: the index of the
    first one on or after it (``len(items)`` after them all); None without go-live."""
    if go_live is None:
        return None
    return next(
        (i for i, item in enumerate(items) if item.date is None or item.date >= go_live),
        len(items),
    )


def next_message(items: list[Planned], role_id: int, today: datetime.date) -> Planned | None:
    """A role's next message (its own or to all roles) dated today or later."""
    return next(
        (
            item
            for item in items
            if item.message.role_id in (None, role_id) and (item.date is None or item.date >= today)
        ),
        None,
    )


def file_slug(text: str, fallback: str) -> str:
    """A readable file name part: Danish letters spelled out, at most 60 characters."""
    for letter, spelled in (
        ("æ", "ae"),
        ("ø", "oe"),
        ("å", "aa"),
        ("Æ", "Ae"),
        ("Ø", "Oe"),
        ("Å", "Aa"),
    ):
        text = text.replace(letter, spelled)
    return slugify(text)[:60].strip("-") or fallback


def document_key(playbook: Playbook, kind: str) -> str:
    """The cache key (and ETag) a document would have now, without rendering it."""
    return content_key(playbook, kind, timezone.localdate())


def playbook_context(playbook: Playbook, today: datetime.date) -> dict[str, Any]:
    """Everything the full playbook PDF shows: besides what the one-pager
    reads too, its summary page (no query) and the trends since go-live."""
    context = _pdf_context(playbook, today)
    context["summary"] = summary(context, go_live=playbook.go_live, today=today)
    with translation.override(playbook.language):  # the trends' words
        context["since_go_live"] = since_go_live(
            playbook, [(r, b.time_balance) for r, b in context["role_rows"]], today
        )
    return context


def playbook_document(playbook: Playbook) -> Document:
    filename = f"{file_slug(playbook.name, 'playbook')}-playbook.pdf"

    def build(today: datetime.date) -> Rendered:
        context = playbook_context(playbook, today)
        return render("pdf/playbook.html", context, language=playbook.language)

    return cached_document(playbook, "playbook", filename, build)


def pulse_url(request: HttpRequest, role_id: int) -> str:
    """The address of the role's pulse link for its one-pager's QR code, or ""
    when it has none. Absolute, from the request (the one-pager is rendered
    in the request that asks for it; the site has no configured address of
    its own, and links sent by e-mail are built the same way). One query."""
    link = PulseLink.objects.filter(role_id=role_id).first()
    return link_url(request, link) if link is not None else ""


def one_pager_kind(role_id: int, pulse_url: str) -> str:
    """The one-pager's kind of document: its role and the pulse address it
    prints (a re-issued or revoked link, another host, is another PDF)."""
    return f"one-pager:{role_id}:{pulse_url}"


def one_pager_document(playbook: Playbook, role_id: int, *, pulse_url: str = "") -> Document:
    """One role on exactly one page, its texts fitted to it (planner.one_pager),
    with its pulse link's QR code when ``pulse_url`` is given, and its last
    shown week since go-live."""

    def build(today: datetime.date) -> Rendered:
        context = _pdf_context(playbook, today)
        role, balance = next((r, b) for r, b in context["role_rows"] if r.pk == role_id)
        with translation.override(playbook.language):
            since = role_since(playbook, role, balance.time_balance, today)
            title = _("The weekly pulse of %(role)s") % {"role": role.name}
            qr = qr_svg(pulse_url, title) if pulse_url else ""
            message = next_message(context["communications"], role_id, today)
            fitted = sheet(
                playbook,
                role,
                balance,
                since=bool(since and (since.last or since.used)),
                message_title=message.title if message else None,
                pulse=bool(pulse_url),
            )
        return render(
            "pdf/one_pager.html",
            {
                **context,
                "role": role,
                "balance": balance,
                "since": since,
                "sheet": fitted,
                "next_message": message,
                "pulse_url": pulse_url,
                "pulse_qr": qr,
            },
            language=playbook.language,
        )

    role_name = next((r.name for r in playbook.roles.all() if r.pk == role_id), "role")
    filename = (
        f"{file_slug(playbook.name, 'playbook')}-{file_slug(role_name, 'role')}-one-pager.pdf"
    )
    return cached_document(playbook, one_pager_kind(role_id, pulse_url), filename, build)
