"""Limits on answers (DESIGN.md "Limits").

- Per role and week: at most max(2 x headcount, 10) answers, counted in the
  database under a lock on the role's link, so two answers at once cannot
  both take the last place.
- Per client address and link: at most ``WIIFM_PULSE_PER_HOUR`` answers an
  hour, against scripts. Counted in the cache under a salted hash of the
  address, the link and the hour: the address itself is stored nowhere.
  When the cache is down this limit lets answers through.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from core.client import client_address
from roles.models import Role

HOUR = 3600


def week_cap(role: Role) -> int:
    return max(2 * role.headcount, 10)


def _key(request: HttpRequest, link_id: int) -> str:
    hour = int(time.time() // HOUR)
    digest = salted_hmac(
        "pulse.limits", f"{client_address(request)}|{link_id}|{hour}", algorithm="sha256"
    )
    return f"pulse-rate:{digest.hexdigest()}"


def over_hourly_limit(request: HttpRequest, link_id: int) -> bool:
    """True when this client has answered through this link as often as allowed this hour."""
    try:
        count = cache.get(_key(request, link_id), 0)
    except Exception:
        return False  # and no log line: an answer leaves no trace of when it came
    return count >= settings.WIIFM_PULSE_PER_HOUR


def count_answer(request: HttpRequest, link_id: int) -> None:
    key = _key(request, link_id)
    try:
        if not cache.add(key, 1, HOUR + 60):
            cache.incr(key)
    except Exception:  # noqa: S110 - as above
        pass
