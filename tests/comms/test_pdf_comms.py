"""The PDF's "Communications": every message by date, go-live marked, drafted
titles drafted; the one-pager's next message."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pypdf
import pytest
from django.core.management import call_command

from comms.models import Message
from comms.services import create_default_set
from planner import pdf
from playbooks.models import Playbook
from tests.factories import make_ambassador, make_role

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(" ".join(page.extract_text().split()) for page in reader.pages)


def section(text: str) -> str:
    """The "Communications" section, from its title to the health check's."""
    start = text.index("Communications The messages that carry")
    return text[start : text.index("Health check", start)]


@pytest.fixture
def playbook(world: Any) -> Playbook:
    playbook = world.playbook
    playbook.go_live = datetime.date(2027, 3, 1)
    playbook.save()
    sales = make_role(playbook, "Sales", headcount=10, quick_win="Voice notes")
    make_ambassador(sales, "Mette Sørensen", influence=5)
    make_role(playbook, "Service", headcount=5)
    create_default_set(playbook)
    return playbook


def test_every_message_by_date_with_go_live_marked(playbook: Playbook) -> None:
    sales = playbook.roles.get(name="Sales")
    Message.objects.create(
        playbook=playbook,
        role=sales,
        title="Kick-off <b>now</b>",
        date=datetime.date(2027, 1, 4),
        channel="chat",
        sender_text="Lea Dahl",
        status="sent",
    )
    text = section(text_of(pdf.playbook_document(playbook).content))
    order = [
        "Jan. 4, 2027 Sales Kick-off <b>now</b> Chat Lea Dahl Sent",
        "Feb. 15, 2027 Sales What’s in it for you: Sales and the CRM (drafted automatically) "
        "Team meeting Mette Sørensen Draft",
        "Feb. 15, 2027 Service What’s in it for you: Service and the CRM",
        "Feb. 22, 2027 All roles Open session: what the data is and is not used for",
        "Go-live: March 1, 2027",
        "March 2, 2027 Sales Your week-1 quick win: Voice notes",
        "March 2, 2027 Service Your first week with the CRM",
        "March 15, 2027 Sales Two weeks in",
        "March 15, 2027 Service Two weeks in",
    ]
    places = [text.index(line) for line in order]
    assert places == sorted(places)


def test_the_contents_list_it(playbook: Playbook) -> None:
    text = text_of(pdf.playbook_document(playbook).content)
    contents = text.split("\n")[2]  # page 3, after the cover and the summary
    assert contents.startswith("Contents")
    assert "Communications" in contents


def test_nothing_planned_and_no_go_live(world: Any) -> None:
    text = text_of(pdf.playbook_document(world.playbook).content)
    assert "No message planned yet." in section(text)
    make_role(world.playbook, "Sales")
    create_default_set(world.playbook)
    text = section(text_of(pdf.playbook_document(world.playbook).content))
    assert "follows go-live" in text and "Go-live:" not in text


def test_a_change_to_a_message_makes_a_new_pdf(playbook: Playbook) -> None:
    first = pdf.playbook_document(playbook)
    message = Message.objects.get(kind="open_session")
    message.status = "scheduled"
    message.save()
    # Outside a request, an instance loaded before a change keeps the stamp
    # it was loaded with (core.versions): read the playbook again, as a page does.
    playbook.refresh_from_db()
    second = pdf.playbook_document(playbook)
    assert not second.cached and second.etag != first.etag
    assert (
        "Open session: what the data is and is not used for (drafted automatically) "
        "Team meeting – Scheduled"
    ) in section(text_of(second.content))


def test_the_one_pager_has_the_roles_next_message(playbook: Playbook, pulse_day: Any) -> None:
    sales = playbook.roles.get(name="Sales")
    text = text_of(pdf.one_pager_document(playbook, sales.pk).content)
    # Rendered today (long before go-live): the first of Sales's or everyone's.
    assert (
        "NEXT MESSAGE What’s in it for you: Sales and the CRM Feb. 15, 2027 · Team meeting · "
        "from Mette Sørensen" in text
    )
    Message.objects.filter(playbook=playbook).delete()
    playbook.refresh_from_db()  # as a page would load it (core.versions)
    text = text_of(pdf.one_pager_document(playbook, sales.pk).content)
    assert "NEXT MESSAGE" not in text


def test_in_danish(danish: None) -> None:
    call_command("seed_demo", "--force", stdout=io.StringIO())
    demo = Playbook.objects.get(language="da")
    text = text_of(pdf.playbook_document(demo).content)
    part = text[text.index("Kommunikation Beskederne") :]
    assert "DATO ROLLE BESKED KANAL AFSENDER STATUS" in part
    assert "Det får I ud af CRM’et: Salg (skrevet automatisk) Teammøde Mette Sørensen Planlagt" in (
        part
    )
    assert "Go-live: " in part
    role = demo.roles.order_by("order").first()
    one = text_of(pdf.one_pager_document(demo, role.pk).content)
    assert "NÆSTE BESKED" in one
