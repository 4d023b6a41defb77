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
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from actionplan.timeline import StepDates, build_timeline
from comms.upcoming import Planned, plan
from core import versions
from core.cache import cache_down
from core.typography import break_long_words
from planner import render_process
from planner.health import MISTAKES, TITLES
from planner.one_pager import sheet
from planner.overview import overview
from planner.render_process import RenderLimit
from planner.since_go_live import role_since, since_go_live
from planner.summary import summary
from playbooks.models import Playbook
from pulse.links import link_url, qr_svg
from pulse.models import PulseLink
from pulse.weeks import last_closed_week
from roles.chart import balance_chart

logger = logging.getLogger(__name__)

STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()


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
    """A rendered PDF and its number of pages; ``peak_mb``: the peak resident
    memory of the child process that rendered it."""

    content: bytes
    pages: int
    peak_mb: float = 0.0


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


def page_html(template: str, context: dict[str, Any], *, language: str) -> str:
    """The HTML WeasyPrint is given: ``render_html`` with soft break
    opportunities in long unbroken words (WeasyPrint's time grows with the
    square of a word's length; core.typography)."""
    return break_long_words(render_html(template, context, language=language))


def render_pdf(html: str, *, seconds: float | None = None) -> Rendered:
    """``html`` to PDF in a child process (planner.render_process), within
    ``WIIFM_PDF_MEMORY_MB`` of memory and, by default (the worker),
    ``WIIFM_PDF_SECONDS`` of CPU time and ``WIIFM_PDF_WALL_SECONDS`` of
    wall-clock time; with ``seconds`` (a request) within that much wall-clock
    time. Past one: ``render_process.RenderLimit``."""
    if seconds is None:
        wall, cpu = settings.WIIFM_PDF_WALL_SECONDS, max(1, math.ceil(settings.WIIFM_PDF_SECONDS))
    else:
        wall, cpu = seconds, 0
    result = render_process.run(
        html, STATIC_DIR, seconds=wall, memory_mb=settings.WIIFM_PDF_MEMORY_MB, cpu_seconds=cpu
    )
    return Rendered(result.content, result.pages, result.peak_mb)


def render(template: str, context: dict[str, Any], *, language: str) -> Rendered:
    """Render a template of templates/pdf/ to PDF in ``language``, in a
    child process bounded in time and memory (``render_pdf``)."""
    return render_pdf(page_html(template, context, language=language))


@dataclass(frozen=True)
class Document:
    content: bytes
    etag: str
    filename: str
    cached: bool
    pages: int
    rendered_at: datetime.datetime
    # The last rendered copy of an earlier version, served while the worker
    # renders the current one.
    stale: bool = False


@dataclass(frozen=True)
class Freshness:
    """What the cache knows of a rendered document, without its bytes.
    ``stale``: of an earlier version (the current one is being prepared);
    ``too_large``: the current version went past the render's limits."""

    pages: int
    rendered_at: datetime.datetime
    stale: bool = False
    too_large: bool = False


@dataclass(frozen=True)
class LongText:
    """One of a playbook's texts, where it is and its length: ``model`` and
    ``field`` name the field (its label is read in the language shown),
    ``owner`` the role, step or message it belongs to ("" for the playbook)."""

    model: str
    field: str
    owner: str
    length: int

    def label(self) -> str:
        from django.apps import apps

        return str(apps.get_model(self.model)._meta.get_field(self.field).verbose_name)


class TooLargeToRender(Exception):
    """The document went past the render's time or memory limit; ``shorten``:
    the playbook's longest texts, the ones to shorten."""

    def __init__(self, reason: str, shorten: list[LongText]) -> None:
        super().__init__(f"too large to render ({reason})")
        self.reason = reason
        self.shorten = shorten


class NotReady(Exception):
    """The request path: the document is large, the worker renders it, and
    no earlier copy is at hand yet."""


class NotRendered(NotReady):
    """The render was stopped for a reason that says nothing of the document
    (the machine too busy to give it its CPU time, a shutdown): no verdict,
    and no copy; the next download asks for it again."""


class RenderBusy(Exception):
    """Another process (a request, a worker, another server) renders this
    document right now."""


class RoleGone(Http404):
    """The one-pager's role was deleted since it was asked for: a 404 for a
    download, a document skipped by the worker."""

    def __init__(self, role_id: int) -> None:
        super().__init__(f"role {role_id} was deleted")


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


def _last_key(playbook_id: int, kind: str) -> str:
    """The last rendered copy of a kind of document, whatever its version:
    (content key, pages, rendered at). Its content stays under its own key."""
    return f"pdf-last:{playbook_id}:{hashlib.sha256(kind.encode()).hexdigest()[:24]}"


def _too_large_key(key: str) -> str:
    """A version found too large to render: the texts to shorten."""
    return f"pdf-too-large:{key}"


def _lock_key(playbook_id: int, kind: str) -> str:
    """One lock for all of a playbook's documents (issue 23: at most one
    render per playbook at a time across all servers): its PDF and its
    one-pagers render one after the other, whoever asks. ``kind`` only names
    what waits in the logs."""
    return f"pdf-lock:{playbook_id}"


def _cache_get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:
        logger.warning("PDF: the cache is unreachable (%s)", key.split(":")[0])
        return None


def acquire(playbook_id: int, kind: str) -> str | None:
    """The render lock of a playbook's documents (``_lock_key``), shared by
    every server: a token to give back to ``release``, or None while another
    process holds it. It expires on its own after the longest render. With
    the cache unreachable (an error, or a refusal with nobody holding the
    lock) it is taken: the render is bounded anyway, never locked out."""
    key = _lock_key(playbook_id, kind)
    token = secrets.token_hex(8)
    try:
        if cache.add(key, token, timeout=int(settings.WIIFM_PDF_SECONDS) + 30):
            return token
        holder = cache.get(key)
    except Exception:
        logger.warning("PDF: the cache is unreachable, rendering %s unlocked", key)
        return token
    return None if isinstance(holder, str) else token


def release(playbook_id: int, kind: str, token: str) -> None:
    """Give the lock back, if it is still ours."""
    key = _lock_key(playbook_id, kind)
    try:
        if cache.get(key) == token:
            cache.delete(key)
    except Exception:
        logger.warning("PDF: the cache is unreachable, %s left to expire", key)


def longest_texts(playbook: Playbook, count: int = 3) -> list[LongText]:
    """The playbook's ``count`` longest texts, longest first: what to shorten
    when its PDF is too large. A few queries, only when it is."""
    from actionplan.models import Step
    from comms.models import Message
    from givegets.models import GiveGet
    from roles.models import Role

    texts = [
        LongText("playbooks.Playbook", field, "", len(getattr(playbook, field) or ""))
        for field in ("pledge", "data_used_for", "data_not_used_for")
    ]
    fields = ("name", "question", "wiifm", "concerns", "quick_win")
    for row in Role.objects.filter(playbook=playbook).values(*fields):
        texts += [LongText("roles.Role", f, row["name"], len(row[f] or "")) for f in fields]
    for row in GiveGet.objects.filter(role__playbook=playbook).values("role__name", "give", "get"):
        texts += [
            LongText("givegets.GiveGet", f, row["role__name"], len(row[f] or ""))
            for f in ("give", "get")
        ]
    for row in Step.objects.filter(playbook=playbook).values("title", "description"):
        texts.append(
            LongText("actionplan.Step", "description", row["title"], len(row["description"]))
        )
    for row in Message.objects.filter(playbook=playbook).values("title", "text"):
        texts.append(LongText("comms.Message", "text", row["title"], len(row["text"])))
    return sorted((t for t in texts if t.length), key=lambda t: -t.length)[:count]


def _store(playbook_id: int, kind: str, key: str, rendered: Rendered) -> datetime.datetime:
    now = timezone.now()
    try:
        cache.set_many(
            {
                _content_key(key): (rendered.content, rendered.pages, now),
                _freshness_key(key): (rendered.pages, now),
                _last_key(playbook_id, kind): (key, rendered.pages, now),
            },
            CACHE_SECONDS,
        )
    except Exception:
        logger.warning("PDF: the cache is unreachable, %s not kept", key)
    return now


def _found(key: str, filename: str, *, stale: bool = False) -> Document | None:
    found = _cache_get(_content_key(key))
    if isinstance(found, tuple) and len(found) == 3:
        content, pages, rendered_at = found
        return Document(content, key, filename, True, pages, rendered_at, stale)
    return None


def _wait(playbook: Playbook, kind: str, key: str, filename: str) -> Document:
    """The request path while another process renders the document: wait for
    it at most ``WIIFM_PDF_WAIT_SECONDS``, then the last rendered copy (an
    earlier version, ``stale``), else ``NotReady``."""
    deadline = time.monotonic() + settings.WIIFM_PDF_WAIT_SECONDS
    while True:
        if (document := _found(key, filename)) is not None:
            return document
        if _cache_get(_too_large_key(key)) is not None:
            raise TooLargeToRender("time", longest_texts(playbook))
        if time.monotonic() >= deadline:
            break
        time.sleep(0.25)
    last = _cache_get(_last_key(playbook.pk, kind))
    if (
        isinstance(last, tuple)
        and len(last) == 3
        and (document := _found(last[0], filename, stale=True)) is not None
    ):
        return document
    raise NotReady


def cached_document(
    playbook: Playbook,
    kind: str,
    filename: str,
    build: Callable[[datetime.date], str],
    *,
    schedule: Callable[[], object] | None = None,
) -> Document:
    """The document from the cache, or its HTML built by ``build(today)``,
    rendered (planner.render_process: bounded in time and memory) and cached.
    One date for the key and the content: a render that runs past midnight
    does not store tomorrow's weeks under today's key. With the cache down it
    is rendered each time. One render at a time per playbook across servers
    (``acquire``).

    Without ``schedule`` (the worker, tests, the bench): another process
    rendering it gives ``RenderBusy``; past a limit, ``TooLargeToRender``
    (remembered for this version). With ``schedule`` (a request): a document
    whose HTML is over ``WIIFM_PDF_INLINE_BYTES``, or one that takes longer
    than ``WIIFM_PDF_INLINE_SECONDS``, is left to the worker (``schedule()``
    asks for it) and waited for a few seconds (``_wait``)."""
    today = timezone.localdate()
    key = content_key(playbook, kind, today)
    if (document := _found(key, filename)) is not None:
        return document
    if _cache_get(_too_large_key(key)) is not None:
        raise TooLargeToRender("earlier", longest_texts(playbook))
    begun = time.monotonic()
    html = build(today)
    built = time.monotonic() - begun
    if schedule is not None and cache_down():
        return _render_in_outage(playbook, kind, key, filename, html, built)
    if schedule is not None and len(html) > settings.WIIFM_PDF_INLINE_BYTES:
        schedule()
        return _wait(playbook, kind, key, filename)
    if schedule is not None and not _INLINE.acquire(blocking=False):
        # This process renders one download already: the worker takes this
        # one, and the process's other threads stay free for pages.
        schedule()
        return _wait(playbook, kind, key, filename)
    try:
        return _render_and_store(playbook, kind, key, filename, html, built, schedule)
    finally:
        if schedule is not None:
            _INLINE.release()


def _render_in_outage(
    playbook: Playbook, kind: str, key: str, filename: str, html: str, built: float
) -> Document:
    """A download while the shared cache is down: the worker's copy could
    not reach this request (it is kept in the cache), so it is rendered here
    whatever its size, within the worker's limits, one at a time in this
    process (waiting a few seconds for a turn, else "being prepared")."""
    if not _INLINE.acquire(timeout=settings.WIIFM_PDF_WAIT_SECONDS):
        raise NotReady
    try:
        return _render_and_store(playbook, kind, key, filename, html, built, None)
    finally:
        _INLINE.release()


# At most one download rendered at a time in each web process (gunicorn's
# other threads answer pages and the health check meanwhile); the worker
# renders the others.
_INLINE = threading.BoundedSemaphore(1)


def _render_and_store(
    playbook: Playbook,
    kind: str,
    key: str,
    filename: str,
    html: str,
    built: float,
    schedule: Callable[[], object] | None,
) -> Document:
    """``cached_document``'s render, under the document's lock; ``built``:
    the seconds its HTML took, which the log line counts in."""
    token = acquire(playbook.pk, kind)
    if token is None:
        if schedule is None:
            raise RenderBusy(kind_label(kind))
        # The lock is the playbook's, for all its documents: its holder may be
        # rendering another one (the worker, the PDF after an edit). This one
        # is asked of the worker too, which renders it once the lock is free:
        # "being prepared" is then true, and the page's next try finds it.
        schedule()
        return _wait(playbook, kind, key, filename)
    started = time.monotonic()
    try:
        seconds = settings.WIIFM_PDF_INLINE_SECONDS if schedule else None
        rendered = render_pdf(html, seconds=seconds)
    except RenderLimit as limit:
        if schedule is not None and limit.reason != "memory":  # the worker has longer
            release(playbook.pk, kind, token)
            schedule()
            return _wait(playbook, kind, key, filename)
        if limit.reason not in render_process.VERDICTS:
            logger.warning(
                "PDF %s of playbook %s stopped: %s", kind_label(kind), playbook.pk, limit.reason
            )
            raise NotRendered(limit.reason) from None
        logger.warning(
            "PDF %s of playbook %s past its %s limit", kind_label(kind), playbook.pk, limit.reason
        )
        try:
            cache.set(_too_large_key(key), limit.reason, CACHE_SECONDS)
        except Exception:
            logger.warning("PDF: the cache is unreachable, %s not marked", key)
        raise TooLargeToRender(limit.reason, longest_texts(playbook)) from None
    finally:
        release(playbook.pk, kind, token)
    weasyprint = time.monotonic() - started
    logger.info(
        "PDF %s of playbook %s rendered in %.1f s (HTML %.1f s, WeasyPrint %.1f s):"
        " %s pages, the render's peak %.0f MB",
        kind_label(kind),
        playbook.pk,
        built + weasyprint,
        built,
        weasyprint,
        rendered.pages,
        rendered.peak_mb,
    )
    now = _store(playbook.pk, kind, key, rendered)
    return Document(rendered.content, key, filename, False, rendered.pages, now)


def freshness(playbook: Playbook, kinds: list[str]) -> dict[str, Freshness | None] | None:
    """For each kind of document, its page count and time of rendering when
    the cache holds its current version; else those of its last rendered
    copy (``stale``, the current one being prepared); a version found too
    large to render (``too_large``); or None: not rendered yet. Without
    rendering anything. No queries (the version stamp is the playbook's);
    one cache read for all of them. None when the cache cannot be read."""
    today = timezone.localdate()
    stamp = versions.version(playbook)
    keys = {kind: content_key(playbook, kind, today, stamp=stamp) for kind in kinds}
    wanted = {kind: (_freshness_key(key), _too_large_key(key)) for kind, key in keys.items()}
    lasts = {kind: _last_key(playbook.pk, kind) for kind in kinds}
    try:
        found = cache.get_many([k for pair in wanted.values() for k in pair] + list(lasts.values()))
    except Exception:
        logger.warning("PDF: the cache is unreachable, freshness unknown")
        return None
    if cache_down():  # it answered "nothing" because it could not be read
        return None
    result: dict[str, Freshness | None] = {}
    for kind, (fresh_key, too_large_key) in wanted.items():
        value = found.get(fresh_key)
        last = found.get(lasts[kind])
        if isinstance(value, tuple) and len(value) == 2:
            result[kind] = Freshness(*value)
        elif found.get(too_large_key) is not None:
            result[kind] = Freshness(0, timezone.now(), too_large=True)
        elif isinstance(last, tuple) and len(last) == 3:
            result[kind] = Freshness(last[1], last[2], stale=True)
        else:
            result[kind] = None
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


def _scheduler(
    playbook: Playbook, *, playbook_pdf: bool, one_pagers: list[tuple[int, str]]
) -> Callable[[], object]:
    """For a request: ask the worker for the document (planner.tasks)."""
    from planner import tasks  # tasks renders with this module

    return lambda: tasks.schedule_documents(
        playbook.pk, playbook_pdf=playbook_pdf, one_pagers=one_pagers
    )


def playbook_document(playbook: Playbook, *, on_request: bool = False) -> Document:
    """The whole playbook. ``on_request``: for a download, which leaves a
    large one to the worker (``cached_document``)."""
    filename = f"{file_slug(playbook.name, 'playbook')}-playbook.pdf"

    def build(today: datetime.date) -> str:
        context = playbook_context(playbook, today)
        return page_html("pdf/playbook.html", context, language=playbook.language)

    schedule = _scheduler(playbook, playbook_pdf=True, one_pagers=[]) if on_request else None
    return cached_document(playbook, "playbook", filename, build, schedule=schedule)


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


def kind_label(kind: str) -> str:
    """A kind of document as the logs name it: "playbook", or a one-pager's
    "one-pager:<role id>" without the pulse address it prints (the link's
    token would let anyone who reads the logs answer)."""
    return ":".join(kind.split(":")[:2])


def one_pager_document(
    playbook: Playbook, role_id: int, *, pulse_url: str = "", on_request: bool = False
) -> Document:
    """One role on exactly one page, its texts fitted to it (planner.one_pager),
    with its pulse link's QR code when ``pulse_url`` is given, and its last
    shown week since go-live. ``on_request``: as ``playbook_document``."""

    def build(today: datetime.date) -> str:
        context = _pdf_context(playbook, today)
        found = next(((r, b) for r, b in context["role_rows"] if r.pk == role_id), None)
        if found is None:
            raise RoleGone(role_id)
        role, balance = found
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
        return page_html(
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
    schedule = (
        _scheduler(playbook, playbook_pdf=False, one_pagers=[(role_id, pulse_url)])
        if on_request
        else None
    )
    return cached_document(
        playbook, one_pager_kind(role_id, pulse_url), filename, build, schedule=schedule
    )
