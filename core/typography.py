"""Quotation marks in the active language: Danish prints »…«, English “…”.

Used wherever the product quotes someone's words (a role's question, a value
on the changes page, a Give-Get named in a cell's label); the words themselves
stay as typed.
"""

from __future__ import annotations

from django.utils.translation import get_language

QUOTES = {"da": ("»", "«")}
DEFAULT_QUOTES = ("“", "”")


def quote(text: str) -> str:
    """``text`` in the active language's quotation marks, without the spaces
    around it (a closing mark after a space would wrap onto a line of its own).
    Not escaped: a template escapes it, or use the ``quoted`` filter."""
    opening, closing = QUOTES.get((get_language() or "").split("-")[0], DEFAULT_QUOTES)
    return f"{opening}{text.strip()}{closing}"
