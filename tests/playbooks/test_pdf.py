"""The PDF playbook and the role one-pager."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.http import Http404
from django.test import Client
from django.urls import reverse

from actionplan.services import create_default_plan
from ambassadors.services import issue_link
from planner import pdf, render_child, render_process
from planner.services import delete_role
from playbooks.models import Playbook
from tests.factories import add_member, make_ambassador, make_giveget, make_role, make_user

pytestmark = pytest.mark.django_db
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()


def read(content: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(content))


def text_of(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def outline_titles(reader: pypdf.PdfReader) -> list[str]:
    titles = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


@pytest.fixture
def demo(db: Any) -> dict[str, Playbook]:
    call_command("seed_demo", "--force", stdout=io.StringIO())
    return {p.language: p for p in Playbook.objects.all()}


class TestPlaybookPdf:
    def test_content_in_english(self, demo: dict) -> None:
        playbook = demo["en"]
        reader = read(pdf.playbook_document(playbook).content)
        text = text_of(reader)
        first = reader.pages[0].extract_text()
        assert "Salesforce rollout" in first and "Nordlys A/S" in first
        assert "page" not in first  # no header or footer on the cover
        assert re.search(r"page 2 of \d+", reader.pages[1].extract_text())
        for role in playbook.roles.all():
            assert role.name in text
            balance = role.balance()
            assert str(int(balance.given)) in text
        for word in ("net beneficiary", "at risk"):
            assert word in text
        assert playbook.pledge[:40] in text.replace("\n", " ")
        assert "Counting calls" in text
        for step in playbook.steps.all():
            assert step.title in text.replace("\n", " ")
        assert "classic mistakes avoided" in text
        assert not EMAIL.search(text)
        titles = outline_titles(reader)
        for role in playbook.roles.all():
            assert role.name in titles
        for section in ("WIIFM matrix", "Action plan", "Health check", "Ambassadors"):
            assert section in titles

    def test_danish(self, demo: dict) -> None:
        reader = read(pdf.playbook_document(demo["da"]).content)
        text = text_of(reader)
        assert re.search(r"side 2 af \d+", reader.pages[1].extract_text())
        assert "Salg" in text and "Kundeservice" in text
        assert "ø" in text and "æ" in text and "å" in text
        assert "nettomodtager" in text

    def test_metadata_and_tags(self, demo: dict) -> None:
        content = pdf.playbook_document(demo["en"]).content
        reader = read(content)
        assert reader.metadata.title == "Salesforce rollout"
        assert reader.metadata.author == "Nordlys A/S"
        catalog = reader.trailer["/Root"]
        assert "/StructTreeRoot" in catalog  # a tagged PDF
        assert catalog["/Lang"] == "en"

    def test_landscape_matrix(self, demo: dict) -> None:
        reader = read(pdf.playbook_document(demo["en"]).content)
        landscape = [p for p in reader.pages if p.mediabox.width > p.mediabox.height]
        assert landscape
        assert "WIIFM matrix" in landscape[0].extract_text()


class TestSafety:
    def test_typed_markup_is_text_and_fetches_nothing(self, world: Any, monkeypatch: Any) -> None:
        calls: list[str] = []
        original = render_process.run

        def recording(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)  # the child reports what it fetched
            calls.extend(result.fetched)
            return result

        monkeypatch.setattr(render_process, "run", recording)
        create_default_plan(world.playbook)
        make_role(
            world.playbook,
            '<img src="file:///etc/passwd">',
            wiifm="<style>@import url(http://127.0.0.1:9/x)</style>",
            question="url(file:///etc/shadow)",
        )
        text = text_of(read(pdf.playbook_document(world.playbook).content))
        assert '<img src="file:///etc/passwd">' in text
        assert "<style>@import url(http://127.0.0.1:9/x)</style>" in text.replace("\n", "")
        assert calls
        static = str(pdf.STATIC_DIR)
        assert all(url.startswith("file://" + static) for url in calls), calls

    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:9/x",
            "https://example.com/x.css",
            "file:///etc/passwd",
            "data:text/css,body{}",
            "ftp://x/y",
        ],
    )
    def test_the_fetcher_refuses_everything_else(self, url: str) -> None:
        with pytest.raises(ValueError, match=r"refused|disallowed"):
            render_child.StaticOnlyFetcher(pdf.STATIC_DIR).fetch(url)

    def test_dot_dot_and_other_files_in_static_are_refused(self) -> None:
        static = pdf.STATIC_DIR
        fetcher = render_child.StaticOnlyFetcher(pdf.STATIC_DIR)
        with pytest.raises(ValueError, match=r"refused"):
            fetcher.fetch(f"file://{static}/pdf/../../wiifm_site/settings.py")
        with pytest.raises(ValueError, match=r"refused"):
            fetcher.fetch(f"file://{static}/js/app.js")
        assert fetcher.fetch(f"file://{static}/pdf/playbook.css").read().startswith(b"/*")


class TestCacheAndViews:
    def test_a_changed_stylesheet_changes_the_layout_version(self, monkeypatch: Any) -> None:
        """Every stylesheet of static/pdf/, fonts.css (imported by both) too, is
        in the cache keys: a deploy that changes one renders the PDFs anew."""
        read: list[Path] = []
        original = Path.read_bytes

        def recording(self: Path) -> bytes:
            read.append(self)
            return original(self)

        monkeypatch.setattr(Path, "read_bytes", recording)
        pdf.layout_version.cache_clear()
        try:
            pdf.layout_version()
        finally:
            pdf.layout_version.cache_clear()
        names = {p.name for p in read if p.resolve().parent == pdf.STATIC_DIR / "pdf"}
        assert names == {"fonts.css", "one_pager.css", "playbook.css"}

    def test_cached_until_something_changes(self, world: Any) -> None:
        role = make_role(world.playbook, "Sales", headcount=10)
        giveget = make_giveget(role, minutes_each=5, times_per_week=8, minutes_saved_per_week=60)
        first = pdf.playbook_document(world.playbook)
        second = pdf.playbook_document(world.playbook)
        assert (first.cached, second.cached) == (False, True)
        assert first.content == second.content
        giveget.minutes_saved_per_week = 97
        giveget.save()
        third = pdf.playbook_document(world.playbook)
        assert not third.cached
        assert "97" in text_of(read(third.content))

    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 200), ("editor", 200), ("owner", 200)],
    )
    def test_access(self, world: Any, client_for: Any, who: str, status: int) -> None:
        role = make_role(world.playbook, "Sales")
        client = client_for(who)
        assert client.get(reverse("playbook_pdf", args=[world.playbook.pk])).status_code == status
        url = reverse("role_one_pager", args=[world.playbook.pk, role.pk])
        assert client.get(url).status_code == status

    def test_a_304_needs_no_render(self, world: Any, client_for: Any, monkeypatch: Any) -> None:
        client = client_for("viewer")
        url = reverse("playbook_pdf", args=[world.playbook.pk])
        etag = client.get(url)["ETag"]
        cache.delete(f"pdf:{etag.strip(chr(34))}")  # the PDF is gone from the cache
        monkeypatch.setattr(pdf, "render", lambda *a, **k: pytest.fail("rendered"))
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-None-Match": "*"}).status_code == 304

    def test_danish_file_names(self, world: Any) -> None:
        world.playbook.name = "Ærø Økonomi på Å" + "x" * 184  # the longest name allowed
        world.playbook.save()
        name = pdf.playbook_document(world.playbook).filename
        assert name.startswith("aeroe-oekonomi-paa-aa")
        assert len(name) <= 80

    def test_many_roles_get_several_charts(self, world: Any) -> None:
        for n in range(30):
            make_role(world.playbook, f"Role {n}")
        reader = read(pdf.playbook_document(world.playbook).content)
        text = text_of(reader)
        assert "Role 29" in text and "Role 0 ·" in text

    def test_findings_in_the_playbooks_language(self, demo: dict) -> None:
        text = text_of(read(pdf.playbook_document(demo["da"]).content))
        assert "tidsbalance" in text
        assert "time balance" not in text

    def test_file_name_etag_and_304(self, world: Any, client_for: Any) -> None:
        client = client_for("viewer")
        url = reverse("playbook_pdf", args=[world.playbook.pk])
        response = client.get(url)
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            'attachment; filename="salesforce-rollout-2027-playbook.pdf"'
        )
        again = client.get(url, headers={"If-None-Match": response["ETag"]})
        assert again.status_code == 304
        assert again.content == b""

    def test_a_role_of_another_playbook_is_404(self, world: Any, client_for: Any) -> None:
        foreign = make_role(world.other_playbook, "Foreign")
        url = reverse("role_one_pager", args=[world.playbook.pk, foreign.pk])
        assert client_for("owner").get(url).status_code == 404


class TestOnePager:
    def make(self, world: Any, givegets: int, ambassadors: int, length: int) -> Any:
        text = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 10)[:length]
        role = make_role(world.playbook, "Sales", question=text, wiifm=text, quick_win=text[:300])
        world.playbook.data_used_for = text
        world.playbook.data_not_used_for = text
        world.playbook.save()
        for n in range(givegets):
            make_giveget(role, f"Give {n} " + text[:290], get=f"Get {n} " + text[:290])
        for n in range(ambassadors):
            make_ambassador(role, f"Person {n}", department="Department")
        return role

    def test_a_role_deleted_since_it_was_asked_for_is_not_found(self, world: Any) -> None:
        """The download looked the role up, then someone else deleted it
        before the one-pager was built: a 404, as for any missing role."""
        role = make_role(world.playbook, "Sales")
        delete_role(role=role)
        with pytest.raises(pdf.RoleGone) as raised:
            pdf.one_pager_document(world.playbook, role.pk)
        assert isinstance(raised.value, Http404)  # a download answers 404

    def test_the_expected_content_fits_one_page(self, world: Any) -> None:
        role = self.make(world, givegets=4, ambassadors=3, length=300)
        reader = read(pdf.one_pager_document(world.playbook, role.pk).content)
        assert len(reader.pages) == 1
        text = text_of(reader)
        assert "Sales" in text and "Person 2" in text and "Give 3" in text
        assert not EMAIL.search(text)

    def test_longer_content_is_shortened_on_its_one_page(self, world: Any) -> None:
        role = self.make(world, givegets=12, ambassadors=3, length=600)
        reader = read(pdf.one_pager_document(world.playbook, role.pk).content)
        assert len(reader.pages) == 1
        text = " ".join(text_of(reader).split())
        assert "Give 0" in text and "Give 11" not in text
        assert "more Give-Gets" in text
        assert "Shortened to fit one page: the full texts are in the playbook." in text

    def test_an_ambassador_link_gets_its_own_roles_one_pager_only(self, world: Any) -> None:
        sales = make_role(world.playbook, "Sales")
        make_role(world.playbook, "Service")
        token = issue_link(make_ambassador(sales, "Mette", email="mette@example.com"))
        response = Client().get(f"/a/{token}/one-pager.pdf")
        assert response.status_code == 200
        assert not response.cookies
        assert response["Cache-Control"] == "no-store"
        text = text_of(read(response.content))
        assert "Sales" in text and "Service" not in text
        assert Client().get("/a/" + "x" * 43 + "/one-pager.pdf").status_code == 404


def test_viewer_member_sees_download_buttons(world: Any, client_for: Any) -> None:
    add_member(world.playbook, make_user("mgr"), "viewer")
    html = client_for("viewer").get(reverse("playbook_detail", args=[world.playbook.pk]))
    assert reverse("playbook_pdf", args=[world.playbook.pk]) in html.content.decode()
    assert "data-preparing" in html.content.decode()


def test_the_matrix_cuts_a_long_answer_and_links_to_it_whole(world: Any) -> None:
    """Texts at their limits made 95 pages of the PDF's matrix alone: its
    table holds 300 characters of an answer, the role's section all of it."""
    answer = ("Fewer spreadsheets, more selling. " * 60).strip()
    role = make_role(world.playbook, "Sales", wiifm=answer)
    make_role(world.playbook, "Service", wiifm="Short and whole.")
    make_ambassador(role, "A" * 200)
    html = pdf.render_html(
        "pdf/playbook.html",
        pdf.playbook_context(world.playbook, pdf.timezone.localdate()),
        language="en",
    )
    matrix = html.split('id="matrix"', 1)[1].split('id="roles"', 1)[0]
    section = html.split(f'id="role-{role.pk}"', 1)[1]
    assert answer not in matrix and answer[:250] in matrix
    assert f'href="#role-{role.pk}"' in matrix
    assert "(continued in the role’s section)" in matrix
    assert "Short and whole." in matrix  # a short answer is whole, with no link
    assert matrix.count("(continued in the role’s section)") == 1
    assert "A" * 200 not in matrix and "A" * 59 in matrix
    assert answer in section.replace("<br>", " ")
    text = text_of(read(pdf.playbook_document(world.playbook).content))
    assert "(continued in the role’s section)" in text
