"""Quotation marks in the active language: Danish prints »…«, English “…”;
and soft break opportunities in long words, for the PDFs.

Quotes are used wherever the product quotes someone's words (a role's
question, a value on the changes page, a Give-Get named in a cell's label);
the words themselves stay as typed.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import unicodedata
from collections.abc import Sequence

from django.utils.translation import get_language

QUOTES = {"da": ("»", "«")}
DEFAULT_QUOTES = ("“", "”")


def quote(text: str) -> str:
    """``text`` in the active language's quotation marks, without the spaces
    around it (a closing mark after a space would wrap onto a line of its own).
    Not escaped: a template escapes it, or use the ``quoted`` filter."""
    opening, closing = QUOTES.get((get_language() or "").split("-")[0], DEFAULT_QUOTES)
    return f"{opening}{text.strip()}{closing}"


# Soft break opportunities for the PDFs. WeasyPrint lays out the rest of an
# unbroken word again for every line it fills: its time grows with the square
# of the word's length (issue 23: 10,000 characters took 26 s). With a break
# opportunity every few characters each line is laid out from a short piece
# of text. A zero-width space draws nothing and is not in the PDF's text
# (pdftotext, pypdf: copying a long word gives it back whole). WeasyPrint's
# <wbr> is the same character (html5_ua.css: ``wbr::before { content:
# "\200B" }``) in a box of its own, and was slower. Every 16 characters: a line
# loses at most 15 characters' width to the break (24 wasted a third of the
# matrix's narrow column, and 8 was no faster).
SOFT_BREAK = "\u200b"
# Where a line may break already: the spaces that break (not the no-break
# space, U+2007 or U+202F) and a zero-width space typed or put there before.
_BREAKING = " \t\n\r\f\u1680\u2000-\u2006\u2008-\u200b\u205f\u3000"
_MARKUP = re.compile(
    r"<!--.*?-->"  # a comment
    # an element whose content is not markup, or not laid out as lines of text
    r"|<(script|style|title|textarea)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>.*?</\1\s*>"
    r"|<[!?/]?[A-Za-z](?:[^>\"']|\"[^\"]*\"|'[^']*')*>",  # a tag, its attributes quoted
    re.DOTALL | re.IGNORECASE,
)
_SVG = re.compile(r"<(/?)svg\b", re.IGNORECASE)
# One character of text: an entity (``&amp;``, ``&#8217;``) or a code point.
_CHARACTER = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});|.", re.DOTALL
)
_ZWJ = "\u200d"
_unescape = functools.lru_cache(maxsize=256)(html.unescape)


def _continues(char: str) -> bool:
    """Whether ``char`` belongs to the character before it: a combining mark
    (a decomposed å, a keycap), a joiner, a variation selector, an emoji's
    skin tone or tag, the second half of a surrogate pair."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char in "\u200c\u200d"
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or 0xDC00 <= code <= 0xDFFF
    )


def _regional(char: str) -> bool:
    """Half of a flag: a flag is two regional indicators."""
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _may_break(chars: Sequence[str], start: int, at: int) -> bool:
    """Whether a line may break before ``chars[at]`` (the word's characters
    as read, entities unescaped) without splitting a character; ``start``:
    the last break, which was between flags if between regional indicators."""
    first, last = chars[at][0], chars[at - 1][-1]
    if _continues(first) or last == _ZWJ:
        return False
    if _regional(first) and _regional(last):
        before = at - 1
        while before > start and _regional(chars[before - 1][-1]):
            before -= 1
        return (at - before) % 2 == 0  # after a whole number of flags
    return True


def _break_word(word: str, every: int, longer_than: int) -> str:
    """``word`` (HTML text, no spaces) with a soft break after every ``every``
    characters when it is longer than ``longer_than``; never inside an
    entity or between the code points of one character as read."""
    units: Sequence[str] = word
    chars: Sequence[str] = word
    if "&" in word:
        units = _CHARACTER.findall(word)
        chars = [_unescape(unit) if unit.startswith("&") else unit for unit in units]
    if len(units) <= longer_than:
        return word
    ends = []
    start, at = 0, every
    while at < len(units):
        if _may_break(chars, start, at):
            ends.append(at)
            start, at = at, at + every
        else:
            at += 1
    if isinstance(units, str):
        return SOFT_BREAK.join(units[a:b] for a, b in itertools.pairwise([0, *ends, None]))
    return SOFT_BREAK.join("".join(units[a:b]) for a, b in itertools.pairwise([0, *ends, None]))


def break_long_words(markup: str, *, every: int = 16, longer_than: int = 40) -> str:
    """``markup`` (an HTML document) with a soft break opportunity (a
    zero-width space) after every ``every`` characters of any word longer
    than ``longer_than``, so that no text reaches WeasyPrint unbroken at
    length. Only text between tags is read: tags, attributes, comments,
    entities and the content of <script>, <style>, <title>, <textarea> and
    <svg> are kept as they are, and so is every shorter word, byte for byte.
    An entity counts as one character; a character of several code points
    (a combining mark, an emoji sequence, a flag) is never split."""
    word = re.compile(f"[^{_BREAKING}]{{{longer_than + 1},}}")
    out: list[str] = []
    svg = 0  # how deep inside <svg> elements
    position = 0
    for tag in _MARKUP.finditer(markup):
        text = markup[position : tag.start()]
        if text and not svg:
            text = word.sub(lambda found: _break_word(found[0], every, longer_than), text)
        out.append(text)
        out.append(tag[0])
        position = tag.end()
        if opening := _SVG.match(tag[0]):
            if opening[1]:
                svg = max(svg - 1, 0)
            elif not tag[0].endswith("/>"):
                svg += 1
    text = markup[position:]
    if not svg:
        text = word.sub(lambda found: _break_word(found[0], every, longer_than), text)
    out.append(text)
    return "".join(out)
