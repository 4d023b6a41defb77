"""Bounded PDF work (issue 23): WeasyPrint runs in a child process, stopped
past a wall-clock or memory limit, and the download then says what to
shorten; a download never renders a large playbook inline (the worker does,
a stale copy is served meanwhile); one render of a document at a time.

The limits are forced small with override_settings; no timing is asserted.
"""

from __future__ import annotations

import datetime
import os
import threading
import time
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.tasks import default_task_backend
from django.test import Client, override_settings
from django.urls import reverse

from ambassadors.models import Ambassador
from ambassadors.services import issue_link
from planner import pdf, render_process, tasks
from planner.tasks import render_documents
from tests.factories import make_giveget, make_role
from tests.pdf_pages import reader
from tests.subprocesses import run_python

pytestmark = pytest.mark.django_db

LONG = "Lead scoring puts the likeliest buyers first. " * 60  # 2,760 characters


@pytest.fixture(autouse=True)
def clean(world: Any) -> None:
    cache.clear()
    default_task_backend.clear()


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every child render: its result, or the limit it went past."""
    seen: list[Any] = []
    real = render_process.run

    def spy(*args: Any, **kwargs: Any) -> render_process.Result:
        try:
            result = real(*args, **kwargs)
        except render_process.RenderLimit as limit:
            seen.append(limit)
            raise
        seen.append(result)
        return result

    monkeypatch.setattr(render_process, "run", spy)
    return seen


def run_scheduled() -> None:
    """What the worker does: run the renders that were scheduled."""
    for result in list(default_task_backend.results):
        result.task.call(*result.args)
    default_task_backend.clear()


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def long_playbook(world: Any) -> Any:
    sales = make_role(world.playbook, "Sales", wiifm=LONG, headcount=10)
    make_giveget(sales)
    make_role(world.playbook, "Service", concerns=LONG[:900], headcount=5)
    return sales


def pdf_url(world: Any) -> str:
    return reverse("playbook_pdf", args=[world.playbook.pk])


def heavy_playbook(world: Any) -> Any:
    """``long_playbook`` and 30 more roles of shorter texts: a render that
    needs well over a second of CPU time."""
    sales = long_playbook(world)
    for number in range(30):
        make_role(world.playbook, f"Role {number}", wiifm=LONG[:800], concerns=LONG[:800])
    return sales


@override_settings(WIIFM_PDF_SECONDS=1)
def test_past_the_time_limit_the_child_is_killed_and_the_download_says_what_to_shorten(
    world: Any, client_for: Any, renders: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """The worker's limit is CPU time (SIGXCPU in the child)."""
    heavy_playbook(world)

    with pytest.raises(pdf.TooLargeToRender) as caught:
        pdf.playbook_document(world.playbook)  # as the worker renders it

    [limit] = renders
    assert limit.reason == "time"
    assert gone(limit.pid)  # killed and reaped: no process left behind
    assert [(t.owner, t.field, t.length) for t in caught.value.shorten[:2]] == [
        ("Sales", "wiifm", len(LONG)),
        ("Service", "concerns", 900),
    ]

    # A download now answers at once, from the verdict: nothing rendered again.
    response = client_for("viewer").get(pdf_url(world))
    assert response.status_code == 409
    html = response.content.decode()
    assert "This playbook is too large to render" in html
    assert "WIIFM answer of “Sales”: 2,760 characters" in html  # grouped as English writes it
    assert "Concerns of “Service”: 900 characters" in html
    assert 'http-equiv="refresh"' not in html
    assert len(renders) == 1

    # The downloads page says so too, and does not wait for it.
    with django_capture_on_commit_callbacks(execute=True):
        page = client_for("viewer").get(reverse("downloads", args=[world.playbook.pk]))
    html = page.content.decode()
    assert "This playbook is too large to render" in html
    assert "WIIFM answer of “Sales”" in html
    assert [r.args[1] for r in default_task_backend.results] == [False]  # not the playbook's


@override_settings(WIIFM_PDF_MEMORY_MB=90)
def test_past_the_memory_limit_the_download_says_what_to_shorten(
    world: Any, client_for: Any, renders: list[Any]
) -> None:
    """The child's address space is capped below what any render needs."""
    long_playbook(world)

    response = client_for("viewer").get(pdf_url(world))

    [limit] = renders
    assert limit.reason == "memory"
    assert gone(limit.pid)
    assert response.status_code == 409
    assert "WIIFM answer of “Sales”" in response.content.decode()


@override_settings(WIIFM_PDF_MEMORY_MB=90)
def test_the_too_large_page_in_danish(world: Any, renders: list[Any]) -> None:
    """An ambassador's one-pager: the page in the playbook's language."""
    world.playbook.language = "da"
    world.playbook.save()
    sales = long_playbook(world)
    ambassador = Ambassador.objects.create(playbook=world.playbook, role=sales, name="Mette")
    token = issue_link(ambassador)

    response = Client().get(reverse("ambassador_one_pager", args=[token]))

    assert response.status_code == 409
    assert response["Content-Language"] == "da"
    html = response.content.decode()
    assert '<html lang="da">' in html
    assert "WIIFM-svar" in html and "»Sales«" in html
    assert "Denne playbook er for stor til at blive lavet som PDF" in html
    assert "WIIFM-svar for »Sales«: 2.760 tegn" in html


@override_settings(WIIFM_PDF_INLINE_BYTES=1000, WIIFM_PDF_WAIT_SECONDS=0.2)
def test_a_large_playbook_is_left_to_the_worker_then_served_from_the_cache(
    world: Any, client_for: Any, renders: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    sales = long_playbook(world)
    client = client_for("viewer")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(pdf_url(world))
    assert renders == []  # not rendered in the request
    assert response.status_code == 202
    html = response.content.decode()
    assert "The PDF is being prepared" in html
    assert 'http-equiv="refresh"' in html  # asks again by itself, without JavaScript
    assert reverse("downloads", args=[world.playbook.pk]) in html
    [task] = default_task_backend.results
    assert task.task.name == "render_documents"
    assert task.args == [world.playbook.pk, True, [], 0]  # 0: none asked for before it

    run_scheduled()  # the worker renders it
    assert len(renders) == 1
    response = client.get(pdf_url(world))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "X-PDF-Stale" not in response
    assert len(renders) == 1  # from the cache
    document = reader(response.content)
    assert "/StructTreeRoot" in document.trailer["/Root"]  # still tagged
    assert len(document.pages) >= 2

    # After an edit the earlier copy is served while the worker renders the new one.
    sales.headcount = 12
    sales.save()
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        stale = client.get(pdf_url(world))
    assert stale.status_code == 200
    assert stale.content == response.content
    assert stale["X-PDF-Stale"]
    assert len(renders) == 1
    assert len(default_task_backend.results) == 1
    page = client.get(reverse("downloads", args=[world.playbook.pk])).content.decode()
    assert "updating…" in page


@override_settings(WIIFM_PDF_WAIT_SECONDS=0.2)
def test_while_another_process_renders_it_a_request_does_not_render_it_too(
    world: Any, client_for: Any, renders: list[Any]
) -> None:
    make_role(world.playbook, "Sales", headcount=10)
    token = pdf.acquire(world.playbook.pk, "playbook")  # another server renders it
    assert token is not None

    response = client_for("viewer").get(pdf_url(world))
    sales = world.playbook.roles.get()
    one_pager = reverse("role_one_pager", args=[world.playbook.pk, sales.pk])
    # One lock for all of the playbook's documents: its one-pagers wait too.
    other_document = client_for("viewer").get(one_pager)

    assert response.status_code == 202
    assert other_document.status_code == 202
    assert renders == []
    with pytest.raises(pdf.RenderBusy):  # the worker skips it
        pdf.playbook_document(world.playbook)
    pdf.release(world.playbook.pk, "playbook", token)
    assert client_for("viewer").get(pdf_url(world)).status_code == 200
    assert len(renders) == 1


@override_settings(WIIFM_PDF_WAIT_SECONDS=0.2)
def test_a_document_waiting_for_the_playbooks_lock_is_asked_of_the_worker(
    world: Any, client_for: Any, renders: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """The lock is one for all of a playbook's documents (found by `make
    soak`: while people edit, the worker renders the playbook's PDF one
    version after another, and 44 of 50 one-pagers asked for answered "being
    prepared"). A one-pager nobody has rendered yet, asked for while the
    worker holds the lock for the playbook's PDF, is "being prepared" and is:
    the worker renders it next, and the page's next try downloads it."""
    sales = make_role(world.playbook, "Sales", headcount=10)
    token = pdf.acquire(world.playbook.pk, "playbook")  # the worker renders the playbook's PDF
    assert token is not None
    one_pager = reverse("role_one_pager", args=[world.playbook.pk, sales.pk])
    client = client_for("viewer")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(one_pager)
    assert response.status_code == 202
    assert "The PDF is being prepared" in response.content.decode()
    assert renders == []
    pdf.release(world.playbook.pk, "playbook", token)  # the playbook's render done

    run_scheduled()  # the worker's next task
    assert len(renders) == 1
    again = client.get(one_pager + "?wait=1")
    assert again.status_code == 200
    assert again["Content-Type"] == "application/pdf"
    assert len(renders) == 1  # from the cache


@override_settings(WIIFM_PDF_WAIT_SECONDS=0.2)
def test_one_pagers_asked_for_while_a_task_is_pending_ride_along_with_it(
    world: Any,
    client_for: Any,
    renders: list[Any],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found by `make soak` (one-pagers' wait until the PDF: p95 51 s, 110 s
    at most): one ``render_documents`` task is pending per playbook, and it
    rendered only the documents of the request that scheduled it. Another
    person's one-pager, asked for meanwhile, waited until one of their page's
    tries found no task pending. Now each is added to the pending task's
    list, also while it renders, and comes with it."""
    sales = make_role(world.playbook, "Sales", headcount=10)
    service = make_role(world.playbook, "Service", headcount=10)
    support = make_role(world.playbook, "Support", headcount=10)
    token = pdf.acquire(world.playbook.pk, "playbook")  # the worker renders the playbook's PDF
    assert token is not None

    def download(client: Any, role: Any, *query: str) -> Any:
        url = reverse("role_one_pager", args=[world.playbook.pk, role.pk]) + "".join(query)
        with django_capture_on_commit_callbacks(execute=True):
            return client.get(url)

    assert download(client_for("viewer"), sales).status_code == 202
    assert download(client_for("editor"), service).status_code == 202
    [task] = default_task_backend.results  # one task: the second rides along
    pdf.release(world.playbook.pk, "playbook", token)

    # While the task renders (holding the playbook's lock), a third person
    # asks for theirs.
    real = pdf.render_pdf
    asked: list[int] = []

    def render_while_asked(*args: Any, **kwargs: Any) -> Any:
        if not asked:
            asked.append(download(client_for("owner"), support).status_code)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", render_while_asked)
    task.task.call(*task.args)

    assert asked == [202]  # the task was still pending: nothing new scheduled
    assert len(default_task_backend.results) == 1
    assert len(renders) == 3  # all three, in that one task
    assert cache.get(f"pdf-documents-pending:{world.playbook.pk}") is None
    for client, role in [("viewer", sales), ("editor", service), ("owner", support)]:
        again = download(client_for(client), role, "?wait=1")
        assert again.status_code == 200
        assert again["Content-Type"] == "application/pdf"
    assert len(renders) == 3  # from the cache


@override_settings(WIIFM_PDF_WAIT_SECONDS=0.2)
def test_a_task_scheduled_before_the_gathering_renders_what_it_was_given(
    world: Any, renders: list[Any]
) -> None:
    """A task queued by the code before (three arguments, no ``since``)
    renders its own documents and ends."""
    sales = make_role(world.playbook, "Sales", headcount=10)
    service = make_role(world.playbook, "Service", headcount=10)
    tasks._ask_pending_task(world.playbook.pk, False, [[service.pk, ""]])
    render_documents.call(world.playbook.pk, False, [[sales.pk, ""]])
    assert len(renders) == 1


@override_settings(WIIFM_PDF_WAIT_SECONDS=0.2)
def test_a_process_renders_one_download_at_a_time_the_worker_the_others(
    world: Any, client_for: Any, renders: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Another thread of this web process renders a download (of any
    playbook): this one is asked of the worker, and the thread is free again
    in a moment (gunicorn's threads stay free for pages and /healthz)."""
    make_role(world.playbook, "Sales", headcount=10)
    assert pdf._INLINE.acquire(blocking=False)  # another download, in another thread
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for("viewer").get(pdf_url(world))
        assert response.status_code == 202
        assert renders == []
        assert len(default_task_backend.results) == 1  # the worker's task
    finally:
        pdf._INLINE.release()
    run_scheduled()
    assert len(renders) == 1
    served = client_for("viewer").get(pdf_url(world))
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"


def test_a_render_runs_at_a_lower_priority_than_the_pages() -> None:
    before = os.nice(0)
    result = render_process.run("<p>x</p>", pdf.STATIC_DIR, seconds=60, memory_mb=0)
    assert result.pages == 1
    assert result.niceness == min(before + render_process.NICENESS, 19)
    assert os.nice(0) == before  # the parent keeps its own


def test_the_worker_waits_its_turn_for_the_playbook_then_renders(
    world: Any, renders: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request renders one of the playbook's one-pagers (the playbook's
    lock): the worker's render of its PDF waits for the lock, then renders,
    instead of leaving the PDF to nobody."""
    monkeypatch.setattr(tasks, "LOCK_POLL_SECONDS", 0.05)
    make_role(world.playbook, "Sales", headcount=10)
    token = pdf.acquire(world.playbook.pk, "one-pager:1:")
    assert token is not None
    looks: list[int] = []
    real_sleep = time.sleep

    def give_back_after_two_looks(seconds: float) -> None:
        looks.append(1)
        if len(looks) == 2:
            pdf.release(world.playbook.pk, "one-pager:1:", token)
        real_sleep(seconds)

    monkeypatch.setattr(tasks.time, "sleep", give_back_after_two_looks)
    tasks.render_playbook_pdf.call(world.playbook.pk)
    assert len(looks) == 2
    assert len(renders) == 1
    assert pdf.freshness(world.playbook, ["playbook"])["playbook"] is not None


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_give_one_render(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    make_role(world.playbook, "Sales", headcount=10)
    playbook = world.playbook
    started = threading.Event()
    count: list[int] = []
    real = render_process.run

    def slow(*args: Any, **kwargs: Any) -> render_process.Result:
        count.append(1)
        started.set()
        time.sleep(0.5)  # still rendering when the second request comes
        return real(*args, **kwargs)

    monkeypatch.setattr(render_process, "run", slow)
    results: list[pdf.Document] = []

    def download() -> None:
        try:
            results.append(pdf.playbook_document(playbook, on_request=True))
        finally:
            from django.db import connection

            connection.close()

    with override_settings(WIIFM_PDF_WAIT_SECONDS=60):
        first = threading.Thread(target=download)
        first.start()
        assert started.wait(60)
        second = threading.Thread(target=download)
        second.start()
        first.join()
        second.join()

    assert len(count) == 1
    assert len(results) == 2
    assert results[0].content == results[1].content
    assert sorted(d.cached for d in results) == [False, True]


def test_with_the_cache_unreachable_the_lock_never_locks_out(
    world: Any, renders: list[Any]
) -> None:
    make_role(world.playbook, "Sales", headcount=10)
    with mock.patch.object(cache, "add", side_effect=ConnectionError("down")):
        assert pdf.acquire(world.playbook.pk, "playbook") is not None
    # A degraded cache: every write refused, every read a miss.
    with (
        mock.patch.object(cache, "add", return_value=False),
        mock.patch.object(cache, "get", return_value=None),
    ):
        assert pdf.acquire(world.playbook.pk, "playbook") is not None
        document = pdf.playbook_document(world.playbook)
    assert document.pages >= 1
    assert len(renders) == 1


@override_settings(WIIFM_PDF_INLINE_BYTES=1000, WIIFM_PDF_WAIT_SECONDS=0.2)
def test_with_the_cache_down_a_large_playbook_downloads_rendered_by_the_request(
    world: Any, client_for: Any, renders: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker keeps what it renders in the cache: while the cache is down
    its copy could never reach a request, so the request renders it, within
    the worker's limits (one at a time per process)."""
    long_playbook(world)
    monkeypatch.setattr(pdf, "cache_down", lambda: True)
    response = client_for("viewer").get(pdf_url(world))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert len(renders) == 1
    assert default_task_backend.results == []  # nothing asked of the worker
    assert pdf._INLINE.acquire(blocking=False)  # given back
    cache.clear()  # (a memory cache in the tests: the copy just kept would be served)
    try:
        busy = client_for("viewer").get(pdf_url(world))  # another thread renders one
        assert busy.status_code == 202  # being prepared: the page asks again
    finally:
        pdf._INLINE.release()


def test_the_worker_goes_on_past_a_document_too_large(
    world: Any, renders: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    sales = long_playbook(world)
    real = render_process.run
    calls: list[int] = []

    def first_too_large(*args: Any, **kwargs: Any) -> render_process.Result:
        calls.append(1)
        if len(calls) == 1:
            raise render_process.RenderLimit("time")
        return real(*args, **kwargs)

    monkeypatch.setattr(render_process, "run", first_too_large)
    render_documents.call(world.playbook.pk, True, [[sales.pk, ""]])

    known = pdf.freshness(world.playbook, ["playbook", pdf.one_pager_kind(sales.pk, "")])
    assert known is not None
    playbook_state, one_pager_state = known.values()
    assert playbook_state is not None and playbook_state.too_large
    assert one_pager_state is not None and one_pager_state.pages == 1


def test_the_demo_and_a_10000_character_word_download_as_before(
    world: Any, client_for: Any, renders: list[Any]
) -> None:
    make_role(world.playbook, "Sales", wiifm="x" * 10_000, headcount=10)
    response = client_for("viewer").get(pdf_url(world))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    [result] = renders
    assert len(reader(response.content).pages) == result.pages >= 3


@override_settings(WIIFM_PDF_INLINE_SECONDS=0.05, WIIFM_PDF_WAIT_SECONDS=0.2)
def test_a_download_slower_than_its_limit_is_left_to_the_worker(
    world: Any, client_for: Any, renders: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Not "too large": the worker has longer."""
    long_playbook(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("viewer").get(pdf_url(world))
    [limit] = renders
    assert limit.reason == "time"
    assert gone(limit.pid)
    assert response.status_code == 202
    assert response["Retry-After"]
    [task] = default_task_backend.results
    assert task.args == [world.playbook.pk, True, [], 0]  # 0: none asked for before it
    run_scheduled()
    response = client_for("viewer").get(pdf_url(world))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_the_page_references_are_built_once_per_page_count() -> None:
    """WeasyPrint's tagging reads ``pydyf.PDF.page_references`` once per
    tagged box; pydyf built the tuple of every page each time (quadratic in
    pages). Cached per page count, it still follows every page added."""
    import pydyf

    from planner import render_child  # the render's child process patches pydyf

    document = pydyf.PDF()
    for number in range(1, 4):
        document.add_page(pydyf.Dictionary({"Type": "/Page"}))
        references = document.page_references
        assert references == render_child._PAGE_REFERENCES.fget(document)
        assert len(references) == number
        assert document.page_references is references  # not built again


def weasyprints_own_pdf(html: str, tmp_path: Any) -> bytes:
    """The tagged PDF of ``html`` as WeasyPrint alone makes it, in a fresh
    process that never imported the render's patches."""
    source, theirs = tmp_path / "page.html", tmp_path / "theirs.pdf"
    source.write_text(html, encoding="utf-8")
    done = run_python(
        "from pathlib import Path; from weasyprint import HTML; "
        f"HTML(string=Path({str(source)!r}).read_text(encoding='utf-8'), "
        f"base_url={f'{pdf.STATIC_DIR}/'!r}).render(pdf_tags=True)"
        f".write_pdf({str(theirs)!r}, pdf_tags=True)"
    )
    assert done.returncode == 0, done.stderr
    return theirs.read_bytes()


def test_the_render_lets_go_of_what_it_no_longer_reads_and_the_pdf_stays_the_same(
    world: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The render's child lets go of each page's boxes once its tags are
    built, of each page's drawing once it is painted, of the layout's
    look-ups of the contents page's page numbers and of its look-ups of
    styles (the worst input's peak in one process: 273 -> 219 MB; 180 MB
    with the pseudo-elements' styles on demand and pydyf's objects' defaults,
    measured as README "The worst input" says). The
    tagged PDF is the same, byte for byte, as WeasyPrint's own in a process
    that never imported the patches, for a playbook of more pages than are
    tagged between two garbage collections."""
    from weasyprint import HTML

    from planner import render_child  # the render's child process patches WeasyPrint

    heavy_playbook(world)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    html = pdf.page_html(
        "pdf/playbook.html",
        pdf.playbook_context(world.playbook, datetime.date(2026, 11, 2)),
        language="en",
    )
    theirs = weasyprints_own_pdf(html, tmp_path)

    fetcher = render_child.StaticOnlyFetcher(pdf.STATIC_DIR)
    document, ours = render_child.render_document(html, fetcher)

    assert ours == theirs
    assert len(document.pages) > render_child.COLLECT_EVERY
    assert all(page._page_box is None for page in document.pages)
    assert not any(collector.target_lookup_items for collector in render_child._COLLECTORS)
    # WeasyPrint still makes its collector where the patch finds it.
    laid_out = HTML(string=html, base_url=f"{pdf.STATIC_DIR}/", url_fetcher=fetcher).render()
    assert any(collector.target_lookup_items for collector in render_child._COLLECTORS)
    render_child._forget_targets()
    assert not any(collector.target_lookup_items for collector in render_child._COLLECTORS)
    assert laid_out.pages
    text = [page.extract_text() for page in reader(ours).pages]
    assert any("Contents" in page for page in text[:5])
    assert any("Role 29" in page for page in text)


# Lists with drawn markers (one styled), a footnote and a note (their calls
# and markers styled), an SVG (as the playbook's charts: it keeps the
# layout's context, and so its styles, to the end of the render) and more
# elements than pseudo-elements asked for: the styles of pseudo-elements
# computed when asked for draw as WeasyPrint's own.
PSEUDO_ELEMENTS_HTML = (
    """<!doctype html><html lang="en"><head><style>
@page { size: A6; margin: 12mm }
li::marker { color: #b00 }
.note { float: footnote }
::footnote-call { color: #00b }
::footnote-marker { font-weight: bold }
.aside { position: note(note) }
::note-call { color: #070 }
::note-marker { font-style: italic }
h2::before { content: "§ " }
</style></head><body>
<h2>Markers</h2><ol><li>First</li><li>Second</li></ol><ul><li>Third</li></ul>
<p>A claim<span class="note">Its source.</span> and more.</p>
<p>An aside<span class="aside">Said in passing.</span> here.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="30" height="10"/></svg>
"""
    + "".join(f"<p><em>Line</em> <strong>{n}</strong></p>" for n in range(20))
    + "</body></html>"
)


def test_pseudo_elements_styles_are_computed_when_asked_for_and_draw_the_same(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint's stylesheet gives every element a ``::marker``,
    ``::footnote-call``, ``::footnote-marker`` and three note styles; the
    render computes them only for the elements that ask (the worst input:
    32,000 styles fewer, its peak 29 MB lower). The PDF is WeasyPrint's own,
    byte for byte."""
    from weasyprint import HTML

    from planner import render_child

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    theirs = weasyprints_own_pdf(PSEUDO_ELEMENTS_HTML, tmp_path)

    fetcher = render_child.StaticOnlyFetcher(pdf.STATIC_DIR)
    _document, ours = render_child.render_document(PSEUDO_ELEMENTS_HTML, fetcher)

    assert ours == theirs
    text = "\n".join(page.extract_text() for page in reader(ours).pages)
    # The heading's ::before, the markers (written apart from their items),
    # the footnote's call after its word and the note at the page's foot.
    for shown in (
        "§ Markers",
        "1. ",
        "2. ",
        "First",
        "A claim1 and more.",
        "Its source.",
        "Said in passing.",
    ):
        assert shown in text

    made: set[Any] = set()  # held here, not weakly as in a render
    render_child._RENDERING.styles = made
    try:
        HTML(string=PSEUDO_ELEMENTS_HTML, base_url=f"{pdf.STATIC_DIR}/").render()
    finally:
        del render_child._RENDERING.styles
    [style_for] = made
    computed = [
        pseudo
        for _element, pseudo in style_for._computed_styles
        if pseudo in render_child.ON_DEMAND
    ]
    # The three list items' markers, the footnote's call and marker, the
    # note's call, marker and way back: no more.
    assert sorted(computed) == [
        "footnote-call",
        "footnote-marker",
        "marker",
        "marker",
        "marker",
        "note-call",
        "note-callback",
        "note-marker",
    ]
    elements = sum(1 for _element, pseudo in style_for._computed_styles if pseudo is None)
    assert elements > 40  # every element's six would have been hundreds


def test_a_pseudo_element_with_an_anchor_has_its_style_computed_at_once() -> None:
    """WeasyPrint collects a pseudo-element's anchor as it computes its
    style: one given an anchor is computed with the others, not left until
    asked for (a paragraph's ``::footnote-call`` never is), so the target
    collector knows it as before."""
    from weasyprint import HTML

    from planner import render_child

    page = (
        '<!doctype html><html lang="en"><head><style>p::footnote-call { -weasy-anchor: "call" }'
        '</style></head><body><p>Not a footnote.</p><svg xmlns="http://www.w3.org/2000/svg"'
        ' width="10" height="10"><rect width="5" height="5"/></svg></body></html>'
    )
    made: set[Any] = set()
    render_child._RENDERING.styles = made
    try:
        HTML(string=page, base_url=f"{pdf.STATIC_DIR}/").render()
    finally:
        del render_child._RENDERING.styles
    [style_for] = made
    assert "call" in style_for._wiifm_target_collector.target_lookup_items


def test_the_render_drops_its_look_ups_of_styles_before_the_tags(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Once every page is painted, the render's look-ups of styles by element
    and by page are emptied before the tags are built (each page's margin
    boxes' styles then go with the page); a render that fails leaves no list
    of its styles behind."""
    from weasyprint import HTML

    from planner import render_child

    seen: list[tuple[int, int]] = []
    add_tags = render_child._ADD_TAGS

    def recording(*args: Any) -> None:
        for style_for in render_child._RENDERING.styles:
            on_demand = sum(map(len, style_for._wiifm_on_demand.values()))
            seen.append((len(style_for._computed_styles), on_demand))
        add_tags(*args)

    monkeypatch.setattr(render_child, "_ADD_TAGS", recording)
    fetcher = render_child.StaticOnlyFetcher(pdf.STATIC_DIR)
    _document, content = render_child.render_document(PSEUDO_ELEMENTS_HTML, fetcher)

    assert content.startswith(b"%PDF")
    assert seen == [(0, 0)]  # the one StyleFor, kept by the SVG's context, emptied
    assert not hasattr(render_child._RENDERING, "styles")

    def failing(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("layout failed")

    monkeypatch.setattr(HTML, "render", failing)
    with pytest.raises(RuntimeError):
        render_child.render_document(PSEUDO_ELEMENTS_HTML, fetcher)
    assert not hasattr(render_child._RENDERING, "styles")


def test_pdf_objects_keep_their_bookkeeping_in_the_class_until_it_is_set(tmp_path: Any) -> None:
    """A pydyf object holds none of its own attributes until one is set (an
    object added to the PDF: its number), and a PDF is written as pydyf
    writes it in a process without the render's patches, compressed or not."""
    import pydyf

    from planner import render_child  # noqa: F401  (the render's child process patches pydyf)

    tag = pydyf.Dictionary({"Type": "/StructElem", "K": pydyf.Array([1])})
    assert vars(tag) == {}
    assert vars(tag["K"]) == {}
    assert (tag.number, tag.offset, tag.generation, tag.free) == (None, 0, 0, "n")
    document = pydyf.PDF()
    document.add_object(tag)
    assert vars(tag) == {"number": len(document.objects) - 1}
    assert tag.reference == f"{tag.number} 0 R".encode()

    build = (
        "import io, pydyf\n"
        "def build(compress):\n"
        "    pdf = pydyf.PDF()\n"
        "    drawing = pydyf.Stream(compress=compress)\n"
        "    drawing.rectangle(10, 10, 50, 20)\n"
        "    drawing.fill()\n"
        "    pdf.add_object(drawing)\n"
        "    tag = pydyf.Dictionary({'Type': '/StructElem', 'K': pydyf.Array([0])})\n"
        "    pdf.add_object(tag)\n"
        "    pdf.add_page(pydyf.Dictionary({'Type': '/Page', 'Parent': pdf.pages.reference,\n"
        "        'MediaBox': pydyf.Array([0, 0, 200, 200]), 'Contents': drawing.reference}))\n"
        "    out = io.BytesIO()\n"
        "    pdf.write(out, version=b'1.7', compress=compress)\n"
        "    return out.getvalue()\n"
    )
    namespace: dict[str, Any] = {}
    exec(build, namespace)  # noqa: S102 (the same code as the fresh process runs)
    for compress in (True, False):
        theirs = tmp_path / f"theirs-{compress}.pdf"
        done = run_python(f"{build}open({str(theirs)!r}, 'wb').write(build({compress}))")
        assert done.returncode == 0, done.stderr
        assert namespace["build"](compress) == theirs.read_bytes()


@pytest.mark.parametrize("compress", [True, False])
def test_a_painted_pages_stream_compacted_writes_the_same_bytes(compress: bool) -> None:
    """A page's drawing, compacted once painted, is written as pydyf writes
    the list of operators it replaces, compressed or not."""
    import pydyf

    from planner import render_child

    stream = pydyf.Stream(extra={"Type": "/XObject"}, compress=compress)
    stream.push_state()
    stream.set_color_rgb(0.5, 0, 1)
    stream.rectangle(1, 2.5, 3, 4)
    stream.fill()
    stream.pop_state()
    written = stream.data

    render_child._compact(stream)

    assert len(stream.stream) == 1
    assert stream.data == written


@override_settings(WIIFM_PDF_WALL_SECONDS=0.05)
def test_a_render_stopped_by_the_wall_clock_is_no_verdict_on_the_document(
    world: Any, client_for: Any, renders: list[Any]
) -> None:
    """A machine too busy to give the render its CPU time (here: a wall
    clock shorter than any render) stops it without marking the playbook too
    large: the worker gives up for now, and a later download renders it."""
    long_playbook(world)

    assert (
        tasks._render(world.playbook.pk, "PDF", lambda: pdf.playbook_document(world.playbook))
        is None
    )

    [limit] = renders
    assert limit.reason == "stalled"
    assert gone(limit.pid)
    known = pdf.freshness(world.playbook, ["playbook"])
    assert known == {"playbook": None}  # neither rendered nor "too large"
    with override_settings(WIIFM_PDF_WALL_SECONDS=600):
        response = client_for("viewer").get(pdf_url(world))
    assert response.status_code == 200  # rendered, not refused as too large
    assert response["Content-Type"] == "application/pdf"


def test_a_child_stopped_by_a_shutdown_is_interrupted_not_out_of_memory(world: Any) -> None:
    """A server or worker shutting down sends its process group SIGTERM:
    the child dies without a word, which is not "out of memory"."""
    import multiprocessing
    import signal

    heavy_playbook(world)
    html = pdf.page_html(
        "pdf/playbook.html",
        pdf.playbook_context(world.playbook, datetime.date.today()),
        language="en",
    )
    stopped: list[BaseException] = []

    def render() -> None:
        try:
            render_process.run(html, pdf.STATIC_DIR, seconds=600, memory_mb=0, cpu_seconds=600)
        except BaseException as error:
            stopped.append(error)

    thread = threading.Thread(target=render)
    thread.start()
    deadline = time.monotonic() + 30
    while not multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.01)
    [child] = multiprocessing.active_children()
    pid = child.pid
    assert pid is not None
    time.sleep(0.2)  # rendering
    os.kill(pid, signal.SIGTERM)
    thread.join(60)

    [error] = stopped
    assert isinstance(error, render_process.RenderLimit)
    assert error.reason == "interrupted"
    assert gone(pid)


def test_an_interrupted_render_is_no_verdict_on_the_document(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sales = long_playbook(world)

    def interrupted(*args: Any, **kwargs: Any) -> render_process.Result:
        raise render_process.RenderLimit("interrupted")

    monkeypatch.setattr(render_process, "run", interrupted)
    render_documents.call(world.playbook.pk, True, [[sales.pk, ""]])  # goes on, no error

    assert pdf.freshness(world.playbook, ["playbook", pdf.one_pager_kind(sales.pk, "")]) == {
        "playbook": None,
        pdf.one_pager_kind(sales.pk, ""): None,
    }


@pytest.mark.parametrize(
    ("exitcode", "reason"),
    [
        (-24, "time"),  # SIGXCPU: past its CPU time
        (-15, "interrupted"),  # SIGTERM
        (-2, "interrupted"),  # SIGINT
        (-1, "interrupted"),  # SIGHUP
        (render_process.OUT_OF_MEMORY, "memory"),
        (-9, "memory"),  # the kernel's out-of-memory killer
        (-6, "memory"),  # a C library aborting on a failed allocation
    ],
)
def test_why_a_child_ended_without_a_word(exitcode: int, reason: str) -> None:
    assert render_process._why(exitcode) == reason


def test_the_web_processes_and_the_worker_do_without_weasyprint() -> None:
    """WeasyPrint (about 45 MB a process) lives only in the render's fork
    server and its children: a gunicorn worker (the WSGI app, every view) and
    the task worker (every task) build HTML and start children without it."""
    code = (
        "import sys, importlib\n"
        "import wiifm_site.wsgi, wiifm_site.urls\n"
        "from django.apps import apps\n"
        "for app in apps.get_app_configs():\n"
        "    for name in ('tasks', 'views'):\n"
        "        try:\n"
        "            importlib.import_module(f'{app.name}.{name}')\n"
        "        except ModuleNotFoundError as error:\n"
        "            if error.name != f'{app.name}.{name}':\n"
        "                raise\n"
        "import planner.pdf, planner.render_process\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('weasyprint', 'pydyf', 'tinycss2', 'cssselect2'))))\n"
    )
    result = run_python(code, {**os.environ, "DJANGO_SETTINGS_MODULE": "wiifm_site.settings_test"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
    # And the render's child has it: a render still works.
    rendered = render_process.run("<p>x</p>", pdf.STATIC_DIR, seconds=60, memory_mb=0)
    assert rendered.content.startswith(b"%PDF")


def test_each_render_is_logged_with_its_time_and_pages_without_the_pulse_token(
    world: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An operator sees what each render cost (bench-worst reads it); a
    one-pager's pulse address, which lets anyone answer, stays out of it,
    also when the render goes past its limit."""
    sales = make_role(world.playbook, "Sales", headcount=10)
    address = "https://wiifm.example/p/SECRETTOKEN123456789/"

    with caplog.at_level("INFO", logger="planner.pdf"):
        pdf.one_pager_document(world.playbook, sales.pk, pulse_url=address)
        with override_settings(WIIFM_PDF_MEMORY_MB=90), pytest.raises(pdf.TooLargeToRender):
            pdf.one_pager_document(world.playbook, sales.pk, pulse_url=address + "x")

    rendered, past = (record.getMessage() for record in caplog.records)
    assert rendered.startswith(
        f"PDF one-pager:{sales.pk} of playbook {world.playbook.pk} rendered in "
    )
    assert " s (HTML " in rendered
    assert " s): 1 pages, the render's peak " in rendered
    assert past == f"PDF one-pager:{sales.pk} of playbook {world.playbook.pk} past its memory limit"
    assert "SECRETTOKEN" not in caplog.text
    assert pdf.kind_label("playbook") == "playbook"


def test_the_fork_server_leaves_what_it_loaded_out_of_the_collectors_passes() -> None:
    """The server's objects (WeasyPrint loaded, one warm-up render) are
    frozen, so that no child's garbage collection copies their pages."""
    result = run_python("import gc, planner.render_warm; print(gc.get_freeze_count())")
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 10_000
