"""``mailto:`` links (RFC 6068): whatever a title or text holds, the link
keeps it whole and nothing in it becomes another header."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from comms.mailto import crlf, mailto

PAYLOADS = [
    'Q&A: "who?" 100% #1',
    "subject=evil&to=boss@example.com",
    "<script>alert(1)</script>",
    "Line one\nLine two\r\nLine three\rLine four",
    "æøå ÆØÅ – “quotes” ’",
    "plus+sign and spaces",
    "?&=#%",
]


def read(link: str) -> tuple[list[str], dict[str, list[str]]]:
    parts = urlsplit(link)
    assert parts.scheme == "mailto"
    to = [unquote(address) for address in parts.path.split(",") if address]
    return to, parse_qs(parts.query, keep_blank_values=True)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_subject_and_body_come_back_whole(payload: str) -> None:
    link = mailto(subject=payload, body=payload)
    to, fields = read(link)
    assert to == []
    assert set(fields) == {"subject", "body"}
    assert fields["subject"] == [crlf(payload)]
    assert fields["body"] == [crlf(payload)]
    assert not set(link) & set(" \n\r\"<>'")


def test_line_breaks_are_cr_lf() -> None:
    assert mailto(body="a\nb") == "mailto:?body=a%0D%0Ab"
    assert mailto(body="a\r\nb") == "mailto:?body=a%0D%0Ab"


def test_addresses_only_those_given() -> None:
    link = mailto(to=["mette@example.com", " jonas@example.com "], subject="Hi")
    assert link == "mailto:mette@example.com,jonas@example.com?subject=Hi"
    to, fields = read(link)
    assert to == ["mette@example.com", "jonas@example.com"]
    assert set(fields) == {"subject"}


def test_an_address_cannot_add_a_header() -> None:
    link = mailto(to=["a?cc=boss@example.com", "b,c@example.com"], subject="Hi")
    to, fields = read(link)
    assert to == ["a?cc=boss@example.com", "b,c@example.com"]  # two, each whole
    assert set(fields) == {"subject"}


def test_nothing_at_all() -> None:
    assert mailto() == "mailto:"
