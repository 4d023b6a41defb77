"""gunicorn's logger with link tokens hidden from the access log
(``GUNICORN_ACCESS_LOG=1``): see ``wiifm_site.logging``."""

from __future__ import annotations

import datetime
from typing import Any

from gunicorn.glogging import Logger

from wiifm_site.logging import hide_tokens_in_atoms


class TokenHidingLogger(Logger):
    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: datetime.timedelta
    ) -> dict[str, Any]:
        return hide_tokens_in_atoms(super().atoms(resp, req, environ, request_time))
