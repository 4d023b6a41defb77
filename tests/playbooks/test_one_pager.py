"""The role's one-pager: one A4 page for the role's people, whatever is typed.

Its texts are fitted to the page (planner.one_pager): tested here by their
budgets, and by rendering the longest texts the forms and the playbook file
accept (and 20,000 characters where nothing limits them), unbroken words,
columns of line breaks, 30 Give-Gets and 40 ambassadors, in both languages,
and counting the pages with pypdf."""

from __future__ import annotations

import datetime
import io
import itertools
import re
import time
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from django.core.management import call_command
from weasyprint import HTML

from comms.models import Message
from planner import pdf, render_process
from planner.one_pager import ELLIPSIS, Text, clamp, fit, sheet, tidy
from playbooks.models import Playbook
from roles.equation import MAX_MINUTES_PER_WEEK, MAX_TIMES_PER_WEEK
from roles.models import Role
from tests.factories import make_ambassador, make_giveget, make_role

pytestmark = pytest.mark.django_db
URL = "https://wiifm.example.com/p/" + "x" * 43 + "/"
WORDS = {
    "en": "Lead scoring puts the customers most likely to buy at the top of your list. ",
    "da": "Sælgerne får kundens historik før mødet og bruger mindre tid på at lede. ",
}
# English, or Danish once the catalogue has the one-pager's words
SHORTENED = re.compile(r"Shortened to fit one page|Forkortet, så det står på én side")
MORE_GIVEGETS = re.compile(r"\+ (\d+) (?:more Give-Gets|Give-Gets mere)")
MORE_GIVES = re.compile(r"\+ 5 (?:more gives|input mere)")
MM = 72 / 25.4  # PDF points per millimetre


def long(words: str, length: int) -> str:
    return (words * (length // len(words) + 1))[:length].strip()


def max_length(model: Any, field: str) -> int:
    return model._meta.get_field(field).max_length


def read(content: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(content))


def text_of(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in read(content).pages)


def runs(content: bytes) -> list[tuple[float, float, float, str]]:
    """Every run of text on the first page: its size in pt, where it starts
    from the page's left edge and above its bottom in mm, its text."""
    found: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            x, y = (tm[4] * cm[0] + cm[4]) / MM, (tm[5] * cm[3] + cm[5]) / MM
            found.append((round(size * tm[3] * cm[3], 1), x, y, text))

    read(content).pages[0].extract_text(visitor_text=visit)
    return found


def one_pager(playbook: Playbook, role: Role, url: str = "") -> bytes:
    return pdf.one_pager_document(playbook, role.pk, pulse_url=url).content


def overflows(playbook: Playbook, role: Role, url: str, monkeypatch: Any) -> list[str]:
    """The one-pager's parts whose content runs past their fixed height (and
    is clipped there): its band, its middle, its bottom, as WeasyPrint lays
    them out. Reads WeasyPrint's boxes (``_page_box``, ``descendants``): a
    page count cannot see a clipped line, these can."""
    html: list[str] = []
    real = render_process.run

    def keep(string: str, *args: Any, **kwargs: Any) -> render_process.Result:
        html.append(string)
        return real(string, *args, **kwargs)

    monkeypatch.setattr(render_process, "run", keep)
    one_pager(playbook, role, url)
    page = HTML(string=html[0], base_url=str(pdf.STATIC_DIR) + "/").render().pages[0]
    parts = {}
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and box.element_tag in ("header", "div"):
            classes = (element.get("class") or "").split()
            parts.update({part: box for part in ("band", "middle", "bottom") if part in classes})
    clipped = []
    for part, box in parts.items():
        end = box.position_y + box.margin_height()  # its fixed height
        inner = [child for child in box.children if hasattr(child, "margin_height")]
        if part == "bottom":  # the people end above the footer
            foot = next(child for child in inner if child.element_tag == "footer")
            end, inner = foot.position_y, [child for child in inner if child is not foot]
        if any(child.position_y + child.margin_height() > end + 0.5 for child in inner):
            clipped.append(part)
    return clipped


@pytest.fixture
def playbook(world: Any) -> Playbook:
    world.playbook.go_live = datetime.date(2027, 3, 1)
    world.playbook.save()
    return world.playbook


def fill(playbook: Playbook, language: str, length: int, *, word: str = "") -> Role:
    """A role with every text as long as ``length`` allows (a field's own
    limit when it has one, ``length`` where nothing limits it), 30 Give-Gets
    (every seventh without a get), 40 ambassadors and a next message; each
    text made of ``word`` when given, else of the language's words."""

    def text(model: Any, field: str) -> str:
        limit = model._meta.get_field(field).max_length or length
        return (word * limit)[:limit] if word else long(WORDS[language], limit)

    from ambassadors.models import Ambassador
    from givegets.models import GiveGet

    playbook.language = language
    playbook.name = text(Playbook, "name")
    playbook.organisation = text(Playbook, "organisation")
    playbook.data_used_for = text(Playbook, "data_used_for")
    playbook.data_not_used_for = text(Playbook, "data_not_used_for")
    playbook.save()
    role = make_role(
        playbook,
        text(Role, "name"),
        headcount=1_000_000,
        question=text(Role, "question"),
        wiifm=text(Role, "wiifm"),
        concerns=text(Role, "concerns"),
        quick_win=text(Role, "quick_win"),
        unique_data=5,
        speed=5,
        recognition=5,
        friction=0,
        rigidity=0,
    )
    for n in range(30):
        give, get = f"Give {n} ", f"Get {n} "
        make_giveget(
            role,
            give + text(GiveGet, "give")[len(give) :],
            get=get + text(GiveGet, "get")[len(get) :] if n % 7 else "",
            minutes_each=MAX_MINUTES_PER_WEEK // 4,
            times_per_week=Decimal(MAX_TIMES_PER_WEEK) / 250,
            minutes_saved_per_week=MAX_MINUTES_PER_WEEK,
        )
    for n in range(40):
        name = f"Person {n} "
        make_ambassador(
            role,
            name + text(Ambassador, "name")[len(name) :],
            department=text(Ambassador, "department"),
            email=f"person{n}@example.com",
        )
    Message.objects.create(
        playbook=playbook,
        role=role,
        title=text(Message, "title"),
        sender_text=text(Message, "sender_text"),
        date=datetime.date(2027, 2, 15),
    )
    return role


class TestFitting:
    def test_a_short_text_is_as_typed(self) -> None:
        assert clamp("Log each meeting", 100) == Text("Log each meeting")

    def test_a_long_text_is_cut_at_a_word_with_an_ellipsis(self) -> None:
        clamped = clamp("Log each customer meeting in the CRM, every single time", 30)
        assert clamped == Text("Log each customer meeting in" + ELLIPSIS, cut=True)
        assert len(clamped.text) <= 30

    def test_an_unbroken_word_is_cut_inside_it(self) -> None:
        assert clamp("x" * 2000, 30) == Text("x" * 29 + ELLIPSIS, cut=True)

    def test_a_line_break_costs_a_line(self) -> None:
        assert clamp("a\nb", 10, line=40).cut
        assert not clamp("a b", 10, line=40).cut

    def test_blank_lines_are_one_and_single_line_texts_one_line(self) -> None:
        assert tidy("  first \n\n\n\n second  ", multiline=True) == "first\n\nsecond"
        assert tidy(" first \n second ") == "first second"

    def test_twenty_thousand_characters_take_no_time(self) -> None:
        start = time.perf_counter()
        fitted = fit("word " * 4000, 5, 180, 12)
        assert time.perf_counter() - start < 0.05
        assert fitted.cut and len(fitted.text) < 500


class TestOnlyWhatIsDecided:
    def test_a_give_without_a_get_is_left_out_and_counted(self, playbook: Playbook) -> None:
        role = make_role(playbook, "Sales", unique_data=3)
        make_giveget(role, "Log each customer meeting", get="A weekly report")
        make_giveget(
            role, "Fill in the forecast field", get="", minutes_each=10, minutes_saved_per_week=0
        )
        text = text_of(one_pager(playbook, role))
        assert "Log each customer meeting" in text
        assert "Fill in the forecast field" not in text
        assert "+ 1 more give 80 what you get: not decided yet 0" in text
        # The totals count it: 40 + 80 given, 60 gained.
        assert "Per person per week 120 60" in text
        assert "60 − 120 = −60 min per person per week" in text

    def test_a_blank_half_of_the_charter_is_left_out(self, playbook: Playbook) -> None:
        playbook.data_used_for = "Forecasting and coaching."
        playbook.data_not_used_for = "  "
        playbook.save()
        role = make_role(playbook, "Sales")
        text = text_of(one_pager(playbook, role))
        assert "Data is used for Forecasting and coaching." in text
        assert "Data is not used for" not in text
        playbook.data_used_for = ""
        playbook.save()
        text = text_of(one_pager(playbook, role))
        assert "Your data" not in text.title() and "Data is used for" not in text

    def test_a_role_not_assessed_shows_no_verdict(self, playbook: Playbook) -> None:
        role = make_role(playbook, "Field service", question="Does it save me the drive?")
        text = text_of(one_pager(playbook, role)).lower()
        assert "does it save me the drive?" in text
        for word in ("not assessed", "at risk", "net beneficiary", "net loser", "time balance"):
            assert word not in text

    def test_a_new_role_says_its_plan_is_being_written(self, playbook: Playbook) -> None:
        role = make_role(playbook, "Field service")
        text = text_of(one_pager(playbook, role))
        assert "The plan for Field service is still being written" in text
        assert len(read(one_pager(playbook, role)).pages) == 1

    def test_the_verdict_once_with_the_equation(self, playbook: Playbook) -> None:
        role = make_role(
            playbook, "Sales", headcount=40, unique_data=4, speed=3, recognition=2, friction=2
        )
        make_giveget(role, "Log each customer meeting", get="A weekly report")
        text = text_of(one_pager(playbook, role))
        assert text.lower().count("net beneficiary") == 1
        assert "Net beneficiary The time balance is 0 or more" in text
        assert "Time balance 60 − 40 = +20 min per person per week" in text
        assert "(unique data 4 + speed 3 + recognition 2) − (friction 2 + rigidity –) = +7" in text
        assert "For the whole role +20 min × 40 people = 13.3 hours a week" in text


class TestOnePage:
    @pytest.mark.parametrize("language", ["en", "da"])
    @pytest.mark.parametrize("url", ["", URL])
    @pytest.mark.parametrize("length", [300, 20_000])
    def test_the_longest_texts_stay_one_page(
        self, playbook: Playbook, language: str, url: str, length: int
    ) -> None:
        role = fill(playbook, language, length)
        start = time.perf_counter()
        content = one_pager(playbook, role, url)
        assert time.perf_counter() - start < 20  # a few tenths of a second on a quiet machine
        assert len(read(content).pages) == 1
        text = text_of(content)
        # At least four Give-Gets with a get, the others and those without counted.
        assert "Give 1 " in text and "Give 0 " not in text
        more = MORE_GIVEGETS.search(text)
        assert more is not None and int(more.group(1)) <= 25 - 4
        assert MORE_GIVES.search(text)
        # The most influential ambassadors (by name among equals), the others counted.
        assert "Person 0 " in text and "Person 9 " not in text
        assert SHORTENED.search(text)
        assert not any(f"person{n}@example.com" in text for n in range(40))

    @pytest.mark.parametrize("language", ["en", "da"])
    @pytest.mark.parametrize("word", ["x", "W", "\n"])
    def test_unbroken_words_and_line_breaks_stay_one_page(
        self, playbook: Playbook, language: str, word: str
    ) -> None:
        role = fill(playbook, language, 2000, word=word)
        start = time.perf_counter()
        content = one_pager(playbook, role, URL)
        assert time.perf_counter() - start < 20
        assert len(read(content).pages) == 1
        # Nothing runs past the page's right edge: every run starts inside
        # its margins and is broken into lines no longer than a line holds.
        for _size, x, _y, run in runs(content):
            assert 14 - 0.5 <= x < 210 - 14 and len(run) < 130

    @pytest.mark.parametrize("language", ["en", "da"])
    @pytest.mark.parametrize("case", ["20,000", "x", "W", "\n"])
    def test_nothing_is_clipped(
        self, playbook: Playbook, language: str, case: str, monkeypatch: Any
    ) -> None:
        """The fitting's estimates hold: no region runs into the next part."""
        if case == "20,000":
            role = fill(playbook, language, 20_000)
        else:
            role = fill(playbook, language, 2000, word=case)
        assert overflows(playbook, role, URL, monkeypatch) == []
        assert overflows(playbook, role, "", monkeypatch) == []

    def test_type_for_reading_on_paper(self, playbook: Playbook) -> None:
        role = make_role(
            playbook,
            "Sales",
            question="Does it help me close deals faster?",
            wiifm="Lead scoring puts the right customers first.",
            quick_win="Voice-to-CRM meeting notes",
            unique_data=4,
        )
        make_giveget(role, "Log each customer meeting", get="A weekly report")
        make_ambassador(role, "Mette Sørensen", department="Sales Copenhagen")
        playbook.data_used_for = "Forecasting and coaching."
        playbook.save()
        found = runs(one_pager(playbook, role, URL))
        sizes = {text.strip(): size for size, _x, _y, text in found}
        assert sizes["Sales"] >= 24
        assert sizes["“Does it help me close deals faster?”"] >= 14
        assert sizes["Lead scoring puts the right customers first."] >= 12
        for typed in ("Log each customer meeting", "A weekly report", "Voice-to-CRM meeting notes"):
            assert sizes[typed] >= 10
        assert sizes["Forecasting and coaching."] >= 10
        assert min(size for size, _x, _y, _t in found) >= 9  # labels and notes

    @pytest.mark.parametrize("language", ["en", "da"])
    def test_the_demo_roles_fill_their_page(self, db: Any, language: str, monkeypatch: Any) -> None:
        call_command("seed_demo", "--force", stdout=io.StringIO())
        demo = Playbook.objects.get(language=language)
        for role in demo.roles.all():
            assert overflows(demo, role, URL, monkeypatch) == []
            content = one_pager(demo, role, URL)
            assert len(read(content).pages) == 1
            heights = sorted({round(y) for _s, _x, y, _t in runs(content)}, reverse=True)
            assert heights[0] > 297 - 25 and heights[-1] < 12  # from the band to the footer
            # No stretch of the page left empty: at most 30 mm between lines.
            assert max(a - b for a, b in itertools.pairwise(heights)) < 30


def test_sheet_reads_what_is_prefetched(playbook: Playbook, django_assert_num_queries: Any) -> None:
    role = make_role(playbook, "Sales")
    make_giveget(role)
    make_ambassador(role, "Mette")
    role = Role.objects.prefetch_related("givegets", "ambassadors").get(pk=role.pk)
    with django_assert_num_queries(0):
        fitted = sheet(playbook, role, role.balance(), pulse=True)
    assert [row.give.text for row in fitted.rows] == ["Log each customer meeting"]
    assert [p.name.text for p in fitted.ambassadors] == ["Mette"]
    assert not fitted.cut


def test_the_one_pager_builds_no_summary(playbook: Playbook, monkeypatch: Any) -> None:
    """The summary is page 2 of the full playbook: a one-pager does not build it."""
    role = make_role(playbook, "Sales")
    built: list[Any] = []
    monkeypatch.setattr(pdf, "summary", lambda *args, **kwargs: built.append(args))
    assert len(read(one_pager(playbook, role)).pages) == 1
    assert built == []
