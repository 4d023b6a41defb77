"""The playbook PDF's "Since go-live" section (DESIGN.md "The results page and
the health check": the PDF gets the section when any week is shown)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pypdf
import pytest
from django.utils import timezone

from planner import pdf
from playbooks.models import Playbook
from tests.factories import make_giveget, make_playbook, make_role, make_user
from tests.pulse.answers import answer, go_live_with_closed_weeks

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


HEADINGS = {"en": ("Since go-live What each role", " Roles For every role")}
HEADINGS["da"] = ("Siden go-live Hvad hver rolle", " Roller For hver rolle")


def since_section(content: bytes, language: str = "en") -> str:
    """The section's text: from its heading to the next section's ("Roles")."""
    text = text_of(content)
    heading, next_heading = HEADINGS[language]
    start = text.rfind(heading)  # after the table of contents
    return text[start : text.index(next_heading, start)] if start != -1 else ""


@pytest.fixture
def playbook(db: Any) -> Playbook:
    return make_playbook(
        make_user("lea"), go_live=go_live_with_closed_weeks(3), language="en", pulse_k=5
    )


def sales(playbook: Playbook, headcount: int = 40) -> Any:
    role = make_role(playbook, "Sales", headcount=headcount)
    make_giveget(role)  # 5 min x 8 given, 60 saved: planned +20
    return role


class TestTheSection:
    def test_a_shown_week_gives_the_plan_beside_the_measure(self, playbook: Playbook) -> None:
        role = sales(playbook)
        answer(role, 1, 5, cost=30, saved=70)
        answer(role, 3, 5, cost=30, saved=60, got_back=[2, 3, 3, 2, 3])
        small = make_role(playbook, "Finance", headcount=9)  # under 2k = 10
        answer(small, 3, 9)
        quiet = make_role(playbook, "Service", headcount=30)
        answer(quiet, 3, 4)  # k - 1
        section = since_section(pdf.playbook_document(playbook).content)
        assert "Closed weeks: 1 to 3" in section
        # planned +20, measured +30 in week 3 (5 answers), got back 13 / 5, gap +10
        assert "Sales 40 people +20 +30 week 3, 5 answers 2.6 of 5 +10 at risk" in section
        assert "week 1 week 3" in section  # the trend's axis
        assert "Finance: fewer than 10 people in the role, so nothing is shown" in section
        assert "Service: fewer than 5 answers in every closed week." in section
        assert "Finance 9 people" not in section and "Service 30 people" not in section

    @pytest.mark.parametrize(("answers", "shown"), [(4, False), (5, True)])
    def test_k_minus_one_answers_show_nothing_k_show_the_week(
        self, playbook: Playbook, answers: int, shown: bool
    ) -> None:
        answer(sales(playbook), 2, answers, cost=10, saved=47)
        text = text_of(pdf.playbook_document(playbook).content)
        assert ("Since go-live" in text) is shown
        assert ("+37" in text) is shown  # the measured balance of week 2

    def test_an_open_week_with_many_answers_shows_nothing(self, playbook: Playbook) -> None:
        role = sales(playbook)
        answer(role, 4, 60, cost=10, saved=47)  # week 4 is open today
        text = text_of(pdf.playbook_document(playbook).content)
        assert "Since go-live" not in text and "+37" not in text

    @pytest.mark.parametrize("days", [None, -30, 0, 6])  # none, in the future, week 1
    def test_no_section_before_a_week_has_closed(
        self, playbook: Playbook, days: int | None
    ) -> None:
        role = sales(playbook)
        today = timezone.localdate()
        playbook.go_live = None if days is None else today - datetime.timedelta(days=days)
        playbook.save()
        answer(role, 1, 20)
        assert "Since go-live" not in text_of(pdf.playbook_document(playbook).content)

    def test_a_last_shown_week_before_the_last_closed_one_says_its_week(
        self, playbook: Playbook
    ) -> None:
        role = sales(playbook)
        answer(role, 2, 6, cost=0, saved=25)
        answer(role, 3, 4, cost=0, saved=99)  # week 3 is below k: week 2 is the last shown
        section = since_section(pdf.playbook_document(playbook).content)
        assert "+25 week 2, 6 answers" in section
        assert "+99" not in section

    def test_another_playbooks_answers_never_appear(self, playbook: Playbook) -> None:
        sales(playbook)
        other = make_playbook(make_user("oscar"), go_live=playbook.go_live, language="en")
        answer(sales(other), 3, 8, cost=0, saved=77)
        assert "Since go-live" not in text_of(pdf.playbook_document(playbook).content)
        assert "+77" in since_section(pdf.playbook_document(other).content)

    def test_danish(self, playbook: Playbook) -> None:
        playbook.language = "da"
        playbook.save()
        answer(sales(playbook), 3, 5, cost=30, saved=60, got_back=[2, 3, 3, 2, 3])
        section = since_section(pdf.playbook_document(playbook).content, "da")
        assert "Afsluttede uger: 1 til 3" in section
        assert "uge 3, 5 svar" in section
        assert "2,6 af 5" in section
        assert "i risiko" in section
        assert "of 5" not in section and "answers" not in section

    def test_forty_roles_with_long_names(self, playbook: Playbook) -> None:
        for n in range(40):
            role = make_role(playbook, f"{n:02d} " + "Regional key account manager " * 3)
            role.headcount = 12
            role.save()
            answer(role, 3, 6 if n % 2 else 5)
        content = pdf.playbook_document(playbook).content
        section = since_section(content)
        assert section.count("week 3, 6 answers") == 20
        assert section.count("week 3, 5 answers") == 20


class TestTheCache:
    """A cached PDF never shows a week that is not shown now, nor misses one."""

    def test_a_week_that_closes_appears_the_next_day(
        self, playbook: Playbook, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        role = sales(playbook)
        answer(role, 3, 5, cost=0, saved=33)
        answer(role, 4, 5, cost=0, saved=44)  # week 4 is open today
        today = timezone.localdate()
        day = {"value": today}
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: day["value"])
        first = pdf.playbook_document(playbook)
        assert "+33" in since_section(first.content) and "+44" not in since_section(first.content)
        assert pdf.playbook_document(playbook).cached
        # Week 4's last day is over four days later.
        day["value"] = today + datetime.timedelta(days=4)
        later = pdf.playbook_document(playbook)
        assert not later.cached
        assert later.etag != first.etag
        assert "+44" in since_section(later.content)

    def test_a_new_k_is_a_new_document(self, playbook: Playbook) -> None:
        role = sales(playbook)
        answer(role, 3, 5, cost=0, saved=33)
        before = pdf.playbook_document(playbook)
        assert "+33" in since_section(before.content)
        playbook.pulse_k = 21  # Sales (40 people) is under 2k now: nothing shown
        playbook.save()
        after = pdf.playbook_document(playbook)
        assert not after.cached
        assert "Since go-live" not in text_of(after.content)

    def test_the_key_holds_the_last_closed_week_and_k(self, playbook: Playbook) -> None:
        today = timezone.localdate()
        key = pdf.content_key(playbook, "playbook", today)
        assert pdf.content_key(playbook, "playbook", today) == key
        playbook.pulse_k = 6  # not saved: the version stamp is the same
        assert pdf.content_key(playbook, "playbook", today) != key
        playbook.pulse_k = 5
        assert playbook.go_live is not None
        playbook.go_live -= datetime.timedelta(days=7)  # one more week closed
        assert pdf.content_key(playbook, "playbook", today) != key
