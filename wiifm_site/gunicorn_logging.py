"""gunicorn's logger for the access log (``GUNICORN_ACCESS_LOG=1``): link
tokens hidden (``wiifm_site.logging``), and the pulse's requests not logged."""

from __future__ import annotations

import datetime
from typing import Any

from gunicorn.glogging import Logger

from wiifm_site.logging import hide_tokens_in_atoms


class TokenHidingLogger(Logger):
    def access(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: datetime.timedelta
    ) -> None:
        # No line at all for the pulse: the n-th line of POST /p/… would give
        # the n-th stored answer a time and an address (DESIGN.md: an answer
        # triggers nothing that records when it came).
        if str(environ.get("PATH_INFO", "")).startswith("/p/"):
            return
        super().access(resp, req, environ, request_time)

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: datetime.timedelta
    ) -> dict[str, Any]:
        return hide_tokens_in_atoms(super().atoms(resp, req, environ, request_time))
