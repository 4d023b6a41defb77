"""Logging helpers."""

from __future__ import annotations

import logging
import re

# Ambassador links (/a/<token>/) and pulse links (/p/<token>/).
TOKEN_IN_PATH = re.compile(r"/([ap])/[^/\s\"']+")


class HideLinkTokens(logging.Filter):
    """Replace link tokens in log lines with /a/… and /p/…, wherever they appear."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/a/" in message or "/p/" in message:
            record.msg = TOKEN_IN_PATH.sub(r"/\1/…", message)
            record.args = ()
        return True
