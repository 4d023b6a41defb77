"""Counting requests per hour in the shared cache, under a salted hash.

What is counted (an address, an e-mail address) is stored nowhere: the key
is an HMAC of it, the scope and the hour. A limit kept here is a brake on
scripts, not a guarantee: when the cache is unreachable it lets requests
through (a cache outage must not lock people out), and says nothing in the
logs about whom it counted.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils.crypto import salted_hmac

HOUR = 3600


def _key(scope: str, identity: str) -> str:
    hour = int(time.time() // HOUR)
    digest = salted_hmac(f"core.ratelimit.{scope}", f"{identity}|{hour}", algorithm="sha256")
    return f"rate:{scope}:{digest.hexdigest()}"


def count(scope: str, identity: str) -> int:
    """How often ``identity`` was counted under ``scope`` this hour (0 with the cache down)."""
    try:
        return int(cache.get(_key(scope, identity), 0) or 0)
    except Exception:
        return 0


def hit(scope: str, identity: str) -> None:
    """Count one more for ``identity`` under ``scope`` this hour (nothing with the cache down)."""
    key = _key(scope, identity)
    try:
        if not cache.add(key, 1, HOUR + 60):
            cache.incr(key)
    except Exception:  # noqa: S110 - a brake, not a guarantee: see the module's docstring
        pass
