"""Quotation marks follow the language: a Danish reader sees »…«, an English
one “…”; the quoted words stay as typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ambassadors.services import issue_link
from core.typography import break_long_words, quote
from tests.factories import make_ambassador, make_role

pytestmark = pytest.mark.django_db


def test_quote_by_language() -> None:
    with translation.override("da"):
        assert quote(" Hjælper det mig? ") == "»Hjælper det mig?«"
    with translation.override("en"):
        assert quote("Does it help me?") == "“Does it help me?”"


@pytest.mark.parametrize(
    ("language", "expected"), [("da", "»Hjælper det?«"), ("en", "“Hjælper det?”")]
)
def test_the_ambassador_page_quotes_the_question_in_the_playbooks_language(
    world: Any, language: str, expected: str
) -> None:
    world.playbook.language = language
    world.playbook.save()
    role = make_role(world.playbook, "Salg", question="Hjælper det?")
    token = issue_link(make_ambassador(role, "Mette", email="mette@example.com"))
    assert expected in Client().get(f"/a/{token}/").content.decode()


def test_the_role_page_and_overview_quote_in_the_readers_language(
    world: Any, client_for: Any
) -> None:
    role = make_role(world.playbook, "Salg", question="Hjælper det?")
    viewer = client_for("viewer")
    viewer.cookies["django_language"] = "da"
    for url in (
        reverse("role_detail", args=[world.playbook.pk, role.pk]),
        reverse("playbook_detail", args=[world.playbook.pk]),
    ):
        page = viewer.get(url).content.decode()
        assert "»Hjælper det?«" in page
        assert "“Hjælper det?”" not in page


# Soft breaks in long words, for the PDFs (core.typography.break_long_words).
ZWSP = "\u200b"


def pieces(markup: str) -> list[str]:
    return break_long_words(markup).split(ZWSP)


def test_a_word_over_40_characters_gets_a_soft_break_every_16() -> None:
    assert pieces("<p>" + "x" * 41 + "</p>") == ["<p>" + "x" * 16, "x" * 16, "x" * 9 + "</p>"]
    assert break_long_words("x" * 40) == "x" * 40
    assert break_long_words("x" * 60, every=24, longer_than=50).split(ZWSP) == [
        "x" * 24,
        "x" * 24,
        "x" * 12,
    ]


def test_text_without_long_words_is_kept_byte_for_byte() -> None:
    markup = (
        "<!DOCTYPE html>\n<p class='a'>Hjælper det mig? Sælgerne får » "
        + "y" * 40
        + " «&nbsp;&amp;\r\n\tog&#8217;s</p>"
    )
    assert break_long_words(markup) == markup


def test_tags_attributes_comments_and_raw_text_are_left_alone() -> None:
    long = "z" * 80
    markup = (
        f"<head><title>{long}</title><style>.a{long} {{ color: red }}</style>"
        f"<script>let a = '{long}' < 1;</script></head>"
        f"<a href=\"https://example.com/{long}\" title='{long} > b'>{'w' * 30}</a>"
        f"<!-- {long} --><textarea>{long}</textarea>"
        f'<svg viewBox="0 0 1 1"><svg></svg><text>{long}</text><title>{long}</title></svg>'
    )
    assert break_long_words(markup) == markup
    assert break_long_words(markup + long).count(ZWSP) == 4  # after the </svg>


def test_an_entity_is_one_character_and_never_split() -> None:
    broken = pieces("<p>" + "&amp;" * 30 + "&#8217;" * 30 + "&#x2019;" * 10 + "</p>")
    assert broken == [
        "<p>" + "&amp;" * 16,
        "&amp;" * 14 + "&#8217;" * 2,
        "&#8217;" * 16,
        "&#8217;" * 12 + "&#x2019;" * 4,
        "&#x2019;" * 6 + "</p>",
    ]


def test_the_threshold_and_spacing_count_characters_not_bytes() -> None:
    assert break_long_words("æøå" * 13 + "æ") == "æøå" * 13 + "æ"  # 40: kept
    assert pieces("æøå" * 14) == ["æøå" * 5 + "æ", "øåæ" * 5 + "ø", "åæø" * 3 + "å"]
    assert pieces("<b>" + "x" * 30 + "</b>" + "y" * 30) == ["<b>" + "x" * 30 + "</b>" + "y" * 30]


def test_spaces_and_zero_width_spaces_end_a_word_but_a_no_break_space_does_not() -> None:
    assert break_long_words(("x" * 30 + " ") * 3) == ("x" * 30 + " ") * 3
    assert break_long_words(("x" * 30 + ZWSP) * 3) == ("x" * 30 + ZWSP) * 3
    assert len(pieces(("x" * 30 + "\xa0") * 3)) == 6  # one word of 93
    assert len(pieces(("x" * 30 + "&nbsp;") * 3)) == 6


@pytest.mark.parametrize(
    "character",
    [
        "a\u030a",  # a decomposed å: a and a combining ring
        "\U0001f44d\U0001f3fd",  # a thumbs up with a skin tone
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a family: joined emoji
        "\U0001f1e9\U0001f1f0",  # the Danish flag: two regional indicators
        "1\ufe0f\u20e3",  # a keycap
        "\u2764\ufe0f",  # a heart with its emoji variation selector
        "\ud83d\ude00",  # a surrogate pair, as a str can hold it
    ],
)
def test_a_character_of_several_code_points_is_never_split(character: str) -> None:
    broken = pieces("x" + character * 50)
    assert len(broken) > 1
    assert broken[0].startswith("x")
    assert all(piece.replace(character, "") == "" for piece in [broken[0][1:], *broken[1:]])
    assert "".join(broken) == "x" + character * 50


def test_flags_are_split_between_flags_not_inside_one() -> None:
    danish, swedish = "\U0001f1e9\U0001f1f0", "\U0001f1f8\U0001f1ea"
    broken = pieces("x" + (danish + swedish) * 20)
    assert all(len(piece) % 2 == (1 if i == 0 else 0) for i, piece in enumerate(broken))
