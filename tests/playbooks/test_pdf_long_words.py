"""A word of 10,000 characters with no space in it (issue 23): WeasyPrint
laid out the rest of such a word again for every line (26 s for one role);
the PDFs now give it soft break opportunities (core.typography) and it
renders in full, readable and extractable, on a sane number of pages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from planner import pdf, render_process
from tests.factories import make_giveget, make_role
from tests.pdf_pages import reader

pytestmark = pytest.mark.django_db

# 10,000 characters in an order that can be checked: the numbers 0 to 1999
# written in five "digits" each, Danish letters no other text on the pages has.
DIGITS = "æøåÆØÅ"
WORD = "".join(
    "".join(DIGITS[i // len(DIGITS) ** place % len(DIGITS)] for place in reversed(range(5)))
    for i in range(2000)
)


def the_words_letters(content: bytes) -> str:
    """The PDF's text, only the word's letters (not the lines' ends, the
    running heads of the pages the word runs over, nor anything else)."""
    text = "".join(page.extract_text() for page in reader(content).pages)
    return "".join(letter for letter in text if letter in DIGITS)


@pytest.fixture
def given_to_weasyprint(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML of every document rendered, as WeasyPrint is given it."""
    seen: list[str] = []
    real = render_process.run

    def spy(html: str, *args: Any, **kwargs: Any) -> render_process.Result:
        seen.append(html)
        return real(html, *args, **kwargs)

    monkeypatch.setattr(render_process, "run", spy)
    return seen


def longest_word(html: str) -> int:
    """The longest run of text with no break opportunity, tags aside."""
    text = re.sub(r"<[^>]*>", " ", re.sub(r"<(style|title)>.*?</\1>", " ", html, flags=re.S))
    return max(len(word) for word in re.split(r"[\s\u200b]+", text))


def test_a_role_with_a_10000_character_word_renders_whole_and_extractable(
    world: Any, given_to_weasyprint: list[str]
) -> None:
    role = make_role(world.playbook, "Sales", wiifm=WORD, headcount=10)
    make_giveget(role)

    document = pdf.playbook_document(world.playbook)

    [html] = given_to_weasyprint
    assert longest_word(html) <= 40  # WeasyPrint never sees the word unbroken

    assert 5 <= document.pages <= 30  # the word fills its column over some pages, no more
    assert len(reader(document.content).pages) == document.pages
    assert WORD in the_words_letters(document.content)  # whole, in order
    # the soft breaks are not in the text a reader copies
    assert "\u200b" not in "".join(page.extract_text() for page in reader(document.content).pages)


def test_its_one_pager_stays_one_page(world: Any, given_to_weasyprint: list[str]) -> None:
    role = make_role(world.playbook, "Sales", wiifm=WORD, question="Q" * 3000, headcount=10)
    make_giveget(role)

    document = pdf.one_pager_document(world.playbook, role.pk)

    [html] = given_to_weasyprint
    assert longest_word(html) <= 40

    assert document.pages == 1
    assert WORD[:200] in the_words_letters(document.content)
