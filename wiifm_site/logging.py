"""Logging helpers."""

from __future__ import annotations

import logging
import re

TOKEN_IN_PATH = re.compile(r"/a/[^/\s\"']+")


class HideLinkTokens(logging.Filter):
    """Replace ambassador link tokens in log lines with /a/…, wherever they appear."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/a/" in message:
            record.msg = TOKEN_IN_PATH.sub("/a/…", message)
            record.args = ()
        return True
