"""Logging helpers: personal link tokens never reach a log."""

from __future__ import annotations

import logging
import re
from typing import Any

# Ambassador links (/a/<token>/), pulse links (/p/<token>/), calendar feeds
# (/cal/<token>.ics).
TOKEN_IN_PATH = re.compile(r"/([ap])/[^/\s\"'?]+")
FEED_IN_PATH = re.compile(r"/cal/[^/\s\"'?]+")


def _feed(match: re.Match[str]) -> str:
    return "/cal/….ics" if match.group().endswith(".ics") else "/cal/…"


def hide_tokens(text: str) -> str:
    """/a/<token>/ -> /a/…/, /p/<token>/ -> /p/…/, /cal/<token>.ics -> /cal/….ics"""
    if "/a/" in text or "/p/" in text:
        text = TOKEN_IN_PATH.sub(r"/\1/…", text)
    if "/cal/" in text:
        # Any path under /cal/, not only a feed's own: a mistyped one
        # (/cal/<token>/) is logged as "Not Found" too.
        text = FEED_IN_PATH.sub(_feed, text)
    return text


class HideLinkTokens(logging.Filter):
    """Replace link tokens in log lines, wherever they appear."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = hide_tokens(message)
        if hidden != message:
            record.msg = hidden
            record.args = ()
        return True


def hide_tokens_in_atoms(atoms: dict[str, Any]) -> dict[str, Any]:
    """gunicorn's access-log atoms with every token hidden (request line,
    path, query, referrer and the header atoms)."""
    return {
        key: hide_tokens(value) if isinstance(value, str) else value for key, value in atoms.items()
    }
