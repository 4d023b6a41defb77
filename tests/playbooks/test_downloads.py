"""The downloads page: the playbook's PDF and each role's one-pager, their
page counts and freshness read from the cache, the missing ones rendered in
the background; and the download links' "download started" cookie."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pypdf
import pytest
from django.core.cache import cache
from django.tasks import default_task_backend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from planner import pdf, tasks
from planner.services import delete_role
from planner.tasks import render_documents, render_playbook_pdf
from pulse.models import PulseLink
from roles.models import Role
from tests.factories import make_giveget, make_role

pytestmark = pytest.mark.django_db


def url_of(playbook: Any) -> str:
    return reverse("downloads", args=[playbook.pk])


def run_scheduled() -> None:
    """What the worker does: run the renders the page scheduled."""
    for result in list(default_task_backend.results):
        result.task.call(*result.args)
    default_task_backend.clear()


def states(html: str) -> list[str]:
    """Each document's state line, in the page's order, spaces collapsed."""
    found = re.findall(r'class="mb-0 small text-secondary download-state">(.*?)</p>', html, re.S)
    return [re.sub(r"<[^>]+>", "", " ".join(s.split())).strip() for s in found]


@pytest.fixture(autouse=True)
def clean(world: Any) -> None:
    cache.clear()
    default_task_backend.clear()


@pytest.fixture
def visit(django_capture_on_commit_callbacks: Any) -> Any:
    """GET a page as a request would (its on-commit work, the scheduling, done),
    after the fixtures' own edits are forgotten: an empty cache, no task yet."""

    def get(client: Client, url: str, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.get(url, **kwargs)

    return get


def fresh_start() -> None:
    cache.clear()
    default_task_backend.clear()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 404), ("viewer", 200), ("editor", 200), ("owner", 200)],
)
def test_access(world: Any, client_for: Any, who: str, status: int) -> None:
    make_role(world.playbook, "Sales")
    response = client_for(who).get(url_of(world.playbook))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        # The PDF tab leads here and is the current one.
        assert f'aria-current="page" href="{url_of(world.playbook)}"' in html
        assert reverse("playbook_pdf", args=[world.playbook.pk]) in html
        role = world.playbook.roles.get()
        assert reverse("role_one_pager", args=[world.playbook.pk, role.pk]) in html


def test_the_pdf_tab_of_every_page_opens_the_downloads(world: Any, client_for: Any) -> None:
    html = client_for("viewer").get(reverse("matrix", args=[world.playbook.pk])).content.decode()
    assert f'href="{url_of(world.playbook)}">PDF</a>' in html


def test_before_a_render_all_are_being_prepared_and_scheduled(
    world: Any, client_for: Any, visit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sales = make_role(world.playbook, "Sales")
    service = make_role(world.playbook, "Service")
    link = PulseLink.objects.create(role=sales)
    fresh_start()
    html = visit(client_for("editor"), url_of(world.playbook)).content.decode()
    assert states(html) == ["being prepared"] * 3
    assert 'hx-trigger="every 2s"' in html
    assert f'href="{url_of(world.playbook)}">Refresh</a>' in html
    # One task for all of them, whatever the number of roles.
    [result] = default_task_backend.results
    pulse = f"http://testserver/p/{link.token}/"
    assert result.task.name == "render_documents"
    assert result.args == [
        world.playbook.pk,
        True,
        [[sales.pk, pulse], [service.pk, ""]],
        0,  # the documents asked for after the 0th while it is pending ride along
    ]
    assert link.token not in html  # the page itself never shows the pulse's address

    # Looking again while it is pending schedules nothing more, however many look.
    visit(client_for("editor"), url_of(world.playbook))
    visit(client_for("owner"), url_of(world.playbook), headers={"HX-Request": "true"})
    assert len(default_task_backend.results) == 1

    # The mark stays while the task renders (the polls meanwhile ask for
    # nothing) and goes once it is done: a change after it is scheduled again.
    seen = []
    real = tasks.one_pager_document

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(cache.get(f"pdf-documents-pending:{world.playbook.pk}"))
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks, "one_pager_document", spy)
    render_documents.call(*result.args)
    # Its two one-pagers, then the same two again as the two looks meanwhile
    # asked for them (found in the cache then), the mark there throughout.
    assert seen == [True] * 4
    visit(client_for("editor"), url_of(world.playbook))
    assert len(default_task_backend.results) == 1  # all there: nothing to do
    service.name = "Customer service"
    service.save()
    visit(client_for("editor"), url_of(world.playbook))
    assert len(default_task_backend.results) == 2


def test_after_the_render_page_counts_and_freshness(
    world: Any, client_for: Any, visit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = make_role(world.playbook, "Sales", headcount=10)
    make_giveget(role, minutes_saved_per_week=61)
    fresh_start()
    client = client_for("viewer")
    visit(client, url_of(world.playbook))
    real_now = timezone.now
    two_minutes_ago = real_now() - datetime.timedelta(minutes=2, seconds=5)
    monkeypatch.setattr(timezone, "now", lambda: two_minutes_ago)
    run_scheduled()  # rendered two minutes ago
    monkeypatch.setattr(timezone, "now", real_now)

    response = client.get(url_of(world.playbook))
    html = response.content.decode()
    playbook_pages = len(
        pypdf.PdfReader(io.BytesIO(pdf.playbook_document(world.playbook).content)).pages
    )
    assert playbook_pages > 1
    assert states(html) == [
        f"{playbook_pages} pages · updated 2 minutes ago",
        "1 page · updated 2 minutes ago",
    ]
    assert "hx-trigger" not in html  # nothing left to prepare: no polling
    assert "being prepared" not in html
    assert default_task_backend.results == []  # nothing scheduled


def test_freshness_in_danish(
    world: Any, client_for: Any, visit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time is Django's own words in the reader's language (the
    sentence around it is translated with the rest of the page)."""
    make_role(world.playbook, "Salg")
    fresh_start()
    client = client_for("viewer")
    visit(client, url_of(world.playbook))
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() - datetime.timedelta(minutes=3))
    run_scheduled()
    monkeypatch.setattr(timezone, "now", real_now)
    html = client.get(url_of(world.playbook), headers={"Accept-Language": "da"}).content.decode()
    assert "3 minutter" in states(html)[1]


def test_an_edit_makes_a_document_being_prepared_again(
    world: Any, client_for: Any, visit: Any
) -> None:
    """The earlier copy is still listed, marked as updating, and polled for."""
    role = make_role(world.playbook, "Sales")
    fresh_start()
    client = client_for("owner")
    visit(client, url_of(world.playbook))
    run_scheduled()
    role.headcount = 44
    role.save()
    default_task_backend.clear()
    html = visit(client, url_of(world.playbook)).content.decode()
    assert [state.split(" · ")[-1] for state in states(html)] == ["updating…", "updating…"]
    assert 'hx-trigger="every 2s"' in html
    [result] = default_task_backend.results  # both asked for again
    assert result.args == [world.playbook.pk, True, [[role.pk, ""]], 0]
    run_scheduled()
    html = visit(client, url_of(world.playbook)).content.decode()
    assert "updating" not in html
    assert 'hx-trigger="every 2s"' not in html


def test_the_polled_list_is_the_fragment_alone(world: Any, client_for: Any) -> None:
    make_role(world.playbook, "Sales")
    response = client_for("viewer").get(url_of(world.playbook), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="downloads"')
    assert "<nav" not in html
    assert "HX-Request" in response["Vary"]


def test_a_viewers_one_pager_has_no_pulse_code(world: Any, client_for: Any, visit: Any) -> None:
    """Listed as the viewer would download it: the kind without the pulse's address."""
    role = make_role(world.playbook, "Sales")
    PulseLink.objects.create(role=role)
    fresh_start()
    visit(client_for("viewer"), url_of(world.playbook))
    [result] = default_task_backend.results
    assert result.args == [world.playbook.pk, True, [[role.pk, ""]], 0]


def count_queries(client: Client, url: str, django_assert_num_queries: Any, n: int) -> None:
    with django_assert_num_queries(n):
        assert client.get(url).status_code == 200


def test_query_count_is_fixed(world: Any, client_for: Any, django_assert_num_queries: Any) -> None:
    """Session, user, membership with playbook, roles with their pulse links,
    the plan's progress for the header; the polled list skips the header's."""
    for n in range(2):
        role = make_role(world.playbook, f"Role {n}")
        PulseLink.objects.create(role=role)
    client = client_for("editor")
    url = url_of(world.playbook)
    count_queries(client, url, django_assert_num_queries, 5)
    for n in range(2, 12):
        role = make_role(world.playbook, f"Role {n}")
        PulseLink.objects.create(role=role)
    count_queries(client, url, django_assert_num_queries, 5)
    with django_assert_num_queries(4):
        client.get(url, headers={"HX-Request": "true"})


def test_nothing_of_another_playbook(world: Any, client_for: Any, visit: Any) -> None:
    mine = make_role(world.playbook, "Sales")
    theirs = make_role(world.other_playbook, "Oscar's secret team")
    fresh_start()
    html = visit(client_for("owner"), url_of(world.playbook)).content.decode()
    assert "secret team" not in html
    assert reverse("role_one_pager", args=[world.other_playbook.pk, theirs.pk]) not in html
    assert world.other_playbook.name not in html
    [result] = default_task_backend.results
    assert result.args == [world.playbook.pk, True, [[mine.pk, ""]], 0]


def break_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Redis outage: every cache call fails."""

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache down")

    for name in ("get", "get_many", "set", "set_many", "add", "delete"):
        monkeypatch.setattr(cache, name, down)


def test_with_the_cache_down_the_page_answers_and_downloads_work(
    world: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = make_role(world.playbook, "Sales")
    break_the_cache(monkeypatch)
    client = client_for("viewer")
    response = client.get(url_of(world.playbook))
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot be shown right now" in html
    assert "hx-trigger" not in html  # nothing would ever be ready: no polling
    assert states(html) == ["PDF", "PDF"]
    first = client.get(reverse("playbook_pdf", args=[world.playbook.pk]))
    assert first.status_code == 200
    assert first.content.startswith(b"%PDF")
    # The version is the database's (core.versions), not the cache's: the
    # browser's copy is still the current one.
    again = client.get(
        reverse("playbook_pdf", args=[world.playbook.pk]),
        headers={"If-None-Match": first["ETag"]},
    )
    assert again.status_code == 304
    one_pager = client.get(reverse("role_one_pager", args=[world.playbook.pk, role.pk]))
    assert one_pager.status_code == 200
    assert len(pypdf.PdfReader(io.BytesIO(one_pager.content)).pages) == 1


def test_a_download_not_ready_renders_inline(world: Any, client_for: Any, visit: Any) -> None:
    make_role(world.playbook, "Sales")
    client = client_for("viewer")
    visit(client, url_of(world.playbook))  # scheduled, not run
    response = client.get(reverse("playbook_pdf", args=[world.playbook.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


class TestDownloadStartedCookie:
    def test_the_pdfs_say_their_download_started(self, world: Any, client_for: Any) -> None:
        role = make_role(world.playbook, "Sales")
        client = client_for("viewer")
        for url in (
            reverse("playbook_pdf", args=[world.playbook.pk]),
            reverse("role_one_pager", args=[world.playbook.pk, role.pk]),
        ):
            response = client.get(url + "?dl=0a1b2c3d4e5f6a7b")
            cookie = response.cookies["dl-0a1b2c3d4e5f6a7b"]
            assert cookie.value == "1"
            assert cookie["max-age"] == 60
            assert not cookie["httponly"]  # the page's script reads it

    @pytest.mark.parametrize("nonce", ["", "short", "a" * 41, "abc;def=1234", "../../abcdefgh"])
    def test_no_cookie_for_a_strange_nonce(self, world: Any, client_for: Any, nonce: str) -> None:
        response = client_for("viewer").get(
            reverse("playbook_pdf", args=[world.playbook.pk]), {"dl": nonce}
        )
        assert response.status_code == 200
        assert not [name for name in response.cookies if name.startswith("dl-")]


class TestDocumentsKnowTheirPages:
    def test_pages_and_time_of_rendering_are_kept(self, world: Any) -> None:
        make_role(world.playbook, "Sales")
        first = pdf.playbook_document(world.playbook)
        again = pdf.playbook_document(world.playbook)
        assert (first.cached, again.cached) == (False, True)
        assert first.pages == again.pages == len(pypdf.PdfReader(io.BytesIO(first.content)).pages)
        assert first.rendered_at == again.rendered_at
        known = pdf.freshness(world.playbook, ["playbook", "one-pager:1:"])
        assert known == {
            "playbook": pdf.Freshness(first.pages, first.rendered_at),
            "one-pager:1:": None,
        }

    def test_the_lookup_renders_nothing(self, world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(pdf, "render", lambda *a, **k: pytest.fail("rendered"))
        assert pdf.freshness(world.playbook, ["playbook"]) == {"playbook": None}


class TestTheTask:
    def test_the_task_renders_a_one_pager(self, world: Any) -> None:
        role = make_role(world.playbook, "Sales")
        link = PulseLink.objects.create(role=role)
        url = f"https://wiifm.example/p/{link.token}/"
        render_documents.call(world.playbook.pk, False, [[role.pk, url]])
        document = pdf.one_pager_document(world.playbook, role.pk, pulse_url=url)
        assert document.cached
        assert document.pages == 1
        text = pypdf.PdfReader(io.BytesIO(document.content)).pages[0].extract_text()
        assert "Sales" in text
        # The one without the code is another document, not rendered yet.
        assert pdf.freshness(world.playbook, [pdf.one_pager_kind(role.pk, "")]) == {
            pdf.one_pager_kind(role.pk, ""): None
        }

    def test_a_role_deleted_meanwhile_is_nothing_to_render(self, world: Any) -> None:
        role = make_role(world.playbook, "Sales")
        pk = role.pk
        role.delete()
        render_documents.call(world.playbook.pk, False, [[pk, ""]])  # no error
        render_documents.call(world.playbook.pk + 999, True, [[pk, ""]])
        render_playbook_pdf.call(world.playbook.pk + 999)

    def test_a_role_deleted_after_the_batch_read_the_roles_is_skipped(
        self, world: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The batch read the roles, then someone else deleted one before its
        one-pager was built: that one is skipped, the others still render."""
        gone, kept = make_role(world.playbook, "Sales"), make_role(world.playbook, "Service")
        build = tasks.one_pager_document

        def deleted_meanwhile(playbook: Any, role_id: int, **kwargs: Any) -> pdf.Document:
            if role_id == gone.pk:
                delete_role(role=Role.objects.get(pk=role_id))
            return build(playbook, role_id, **kwargs)

        monkeypatch.setattr(tasks, "one_pager_document", deleted_meanwhile)
        render_documents.call(world.playbook.pk, False, [[gone.pk, ""], [kept.pk, ""]])
        kinds = [pdf.one_pager_kind(gone.pk, ""), pdf.one_pager_kind(kept.pk, "")]
        known = pdf.freshness(world.playbook, kinds)
        assert known is not None
        assert known[kinds[0]] is None and known[kinds[1]] is not None


def test_the_polling_stops_after_five_minutes(world: Any, client_for: Any, visit: Any) -> None:
    """A worker that is down is not asked about forever: after 150 looks
    the list stops asking and offers the Refresh link to everybody."""
    make_role(world.playbook, "Sales")
    client = client_for("viewer")
    html = visit(client, url_of(world.playbook) + "?polls=149").content.decode()
    assert f'hx-get="{url_of(world.playbook)}?polls=150" hx-trigger="every 2s"' in html
    html = visit(client, url_of(world.playbook) + "?polls=150").content.decode()
    assert "hx-trigger" not in html
    assert "This list updates by itself" not in html
    assert f'<a href="{url_of(world.playbook)}">Refresh</a>' in html
    assert states(html) == ["being prepared", "being prepared"]
    assert visit(client, url_of(world.playbook) + "?polls=x").status_code == 200
