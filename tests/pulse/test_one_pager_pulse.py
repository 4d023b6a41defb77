"""The role's one-pager with its pulse: the QR code and address of the role's
pulse link, and the "Since go-live" line when a week is shown."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from ambassadors.services import issue_link
from pulse import links
from roles.models import Role
from tests.factories import make_ambassador, make_giveget, make_role
from tests.pulse.answers import answer, go_live_with_closed_weeks

pytestmark = pytest.mark.django_db
INVITE = "Tell us weekly how the CRM works for you: scan or open"


def read(content: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(content))


def text_of(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in read(content).pages)


def one_pager(client: Client, role: Role) -> bytes:
    response = client.get(reverse("role_one_pager", args=[role.playbook_id, role.pk]))
    assert response.status_code == 200
    return response.content


@pytest.fixture
def role(world: Any) -> Role:
    world.playbook.go_live = go_live_with_closed_weeks(3)
    world.playbook.language = "en"
    world.playbook.save()
    role = make_role(world.playbook, "Sales", headcount=40)
    make_giveget(role)  # planned +20
    return role


def long_role(role: Role) -> Role:
    """Four Give-Gets, three ambassadors, texts of 300 characters: the texts
    are shortened to fit, every Give-Get and ambassador still shows."""
    text = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 10)[:300]
    role.name = "Regional key account management, Nordics and Baltics"[:100]
    role.question, role.wiifm, role.quick_win = text, text, text
    role.save()
    playbook = role.playbook
    playbook.data_used_for = playbook.data_not_used_for = text
    playbook.save()
    role.givegets.all().delete()
    for n in range(4):
        make_giveget(role, f"Give {n} " + text[:290], get=f"Get {n} " + text[:290])
    for n in range(3):
        make_ambassador(role, f"Person {n}", department="Department")
    return role


class TestTheQrCode:
    def test_a_role_with_a_pulse_link_gets_its_address_under_the_code(
        self, role: Role, client_for: Any
    ) -> None:
        link = links.issue(role)
        for who in ("editor", "owner"):
            text = text_of(one_pager(client_for(who), role))
            assert INVITE in text
            assert f"http://testserver/p/{link.token}/" in text.replace(" ", "")

    def test_a_viewers_copy_has_no_code_nor_address(self, role: Role, client_for: Any) -> None:
        link = links.issue(role)
        text = text_of(one_pager(client_for("viewer"), role))
        assert INVITE not in text
        assert link.token not in text.replace(" ", "")

    def test_no_link_no_code(self, role: Role, client_for: Any) -> None:
        assert INVITE not in text_of(one_pager(client_for("viewer"), role))

    def test_a_reissued_link_and_a_revoked_one_are_new_documents(
        self, role: Role, client_for: Any
    ) -> None:
        client = client_for("editor")
        old = links.issue(role).token
        assert old in text_of(one_pager(client, role)).replace(" ", "")
        new = links.issue(role).token
        text = text_of(one_pager(client, role)).replace(" ", "")
        assert new in text and old not in text
        links.revoke(role)
        assert INVITE not in text_of(one_pager(client, role))

    def test_the_ambassadors_one_pager_is_the_same_document(self, role: Role) -> None:
        link = links.issue(role)
        token = issue_link(make_ambassador(role, "Mette", email="mette@example.com"))
        response = Client().get(f"/a/{token}/one-pager.pdf")
        assert response.status_code == 200
        assert f"http://testserver/p/{link.token}/" in text_of(response.content).replace(" ", "")

    def test_the_address_is_the_requests_host(self, role: Role, client_for: Any) -> None:
        link = links.issue(role)
        client = client_for("editor")
        url = reverse("role_one_pager", args=[role.playbook_id, role.pk])
        response = client.get(url, HTTP_HOST="localhost", secure=True)
        assert f"https://localhost/p/{link.token}/" in text_of(response.content).replace(" ", "")


class TestSinceGoLive:
    @pytest.mark.parametrize(("answers", "shown"), [(4, False), (5, True)])
    def test_k_minus_one_answers_no_line_k_the_line(
        self, role: Role, client_for: Any, answers: int, shown: bool
    ) -> None:
        answer(role, 3, answers, cost=30, saved=60, got_back=[2, 3, 3, 2, 3][:answers])
        text = text_of(one_pager(client_for("viewer"), role))
        line = (
            "Since go-live: planned +20 min · measured +30 min · got back 2.6 of 5 · "
            "5 answers, week 3 · at risk"
        )
        assert (line in text) is shown
        assert ("Since go-live" in text) is shown

    def test_an_open_week_with_many_answers_shows_nothing(
        self, role: Role, client_for: Any
    ) -> None:
        answer(role, 4, 70)
        assert "Since go-live" not in text_of(one_pager(client_for("viewer"), role))

    def test_a_role_under_2k_people_shows_nothing(self, role: Role, client_for: Any) -> None:
        role.headcount = 9
        role.save()
        answer(role, 3, 9)
        assert "Since go-live" not in text_of(one_pager(client_for("viewer"), role))


class TestOnePage:
    @pytest.mark.parametrize("language", ["en", "da"])
    def test_the_longest_promised_content_with_code_and_line_stays_one_page(
        self, role: Role, client_for: Any, language: str
    ) -> None:
        role.playbook.language = language
        role.playbook.save()
        long_role(role)
        links.issue(role)
        answer(role, 3, 12, got_back=3)
        content = one_pager(client_for("editor"), role)
        assert len(read(content).pages) == 1
        text = text_of(content)
        assert "Give 3" in text and "Person 2" in text
        assert ("Since go-live" if language == "en" else "Siden go-live") in text
        assert "/p/" in text


@pytest.mark.parametrize(
    ("host", "token"),
    [
        ("testserver", "v6u_a_TX8ztuiOTYT9RuXgnnfOZz-BXKwHCe5L6bC5s"),  # cut before (seen in CI)
        ("testserver", "ab-" * 14 + "c"),
        ("wiifm.a-rather-long-company-intranet-name.example", "x-" * 21 + "y"),
    ],
)
def test_the_address_is_printed_whole_whatever_its_token(
    role: Role, client_for: Any, settings: Any, host: str, token: str
) -> None:
    """A token is random: one with hyphens (places to break a line) or a long
    host still prints the whole address on the one page, never cut with "…"."""
    settings.ALLOWED_HOSTS = [host]
    make_ambassador(role, "Mette", email="mette@example.com")  # beside the code: less room
    link = links.issue(role)
    link.token = token
    link.save()
    url = reverse("role_one_pager", args=[role.playbook_id, role.pk])
    content = client_for("editor").get(url, HTTP_HOST=host).content
    assert f"http://{host}/p/{token}/" in text_of(content).replace(" ", "")
    assert len(pypdf.PdfReader(io.BytesIO(content)).pages) == 1
