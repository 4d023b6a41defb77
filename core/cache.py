"""The shared cache, which degrades instead of failing.

The cache holds only what can be rebuilt from the database: page fragments
and PDFs (keyed on the playbook's version stamp, a database column:
``core.versions``), render marks, the pulse's hourly limit. So when it is
unreachable (Redis down or hung, a full or read-only disk) every page still
answers, slower: the backends here answer each operation that fails as a
miss, and log one warning per outage (at most one a minute), not one per
call.

- ``get`` answers the default, ``get_many`` ``{}``, ``has_key`` False.
- ``set``, ``set_many``, ``delete``, ``delete_many``, ``touch``, ``clear``
  do nothing (``set_many`` answers every key as not stored).
- ``add`` answers False: nothing was stored. A caller that uses ``add`` as
  a lock ("whoever stores the mark does the work") must not take False for
  "someone else has it" while ``cache_down()``: it does the work itself, or
  skips what only the cache could coordinate (``planner.tasks`` schedules no
  render: the PDFs render on download).
- ``incr`` and ``decr`` answer the delta as if the key were new.
- ``cache_down()`` says whether the default cache failed in the last few
  seconds, for the pages that show it (the downloads page, /healthz).

``TolerantRedisCache`` also stops asking Redis for ``BREAKER_SECONDS``
after a connection failure or a timeout, in this process: during an outage
a request does not wait on a connect for each cache call, only the first
call after each pause does (within the socket timeouts set in settings).

``FileCache`` is the single-machine cache: files, culled now and then.
Django's ``FileBasedCache`` lists its whole directory before every write, to
cull when it holds more than ``MAX_ENTRIES``. With 2,000 entries that listing
took about 15 ms a write on the benchmark machine, and a cell save writes two
or three times (the pending PDF render, the fragments of the next look): most
of a save's time. This one looks on one write in ``CULL_EVERY``, at random (so
every process takes its share), so the directory may hold a few dozen entries
more than ``MAX_ENTRIES`` between looks. Several machines use Redis instead.
"""

from __future__ import annotations

import logging
import pickle
import random
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import redis.exceptions
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

CULL_EVERY = 50
# How long a failure counts as "down" for cache_down(), and how long Redis
# is not asked after a connection failure.
BREAKER_SECONDS = 5.0
# At most one warning per cache in this many seconds.
WARN_EVERY = 60.0

T = TypeVar("T")


@dataclass
class _State:
    failed_at: float = 0.0  # monotonic time of the last failure; 0: none since it worked
    skip_until: float = 0.0  # Redis is not asked before this (the breaker)
    warned_at: float = -WARN_EVERY
    recovered_at: float = -WARN_EVERY


# Per cache location, shared by the threads of a process (Django makes one
# backend object per thread).
_states: dict[str, _State] = {}
_states_lock = threading.Lock()


def _state(location: str) -> _State:
    state = _states.get(location)
    if state is None:
        with _states_lock:
            state = _states.setdefault(location, _State())
    return state


class _Degrading(BaseCache):
    """Each public operation of the cache, answered as a miss when it fails."""

    # The errors that mean "the cache is unreachable", and among them those
    # that open the breaker (a connection that failed, as opposed to one
    # refused command).
    errors: tuple[type[BaseException], ...] = (OSError,)
    breaker_errors: tuple[type[BaseException], ...] = ()
    location: str = ""

    def _guard(self, operation: str, fallback: T, call: Callable[..., T], *args: Any) -> T:
        state = _state(self._where())
        now = time.monotonic()
        if now < state.skip_until:
            return fallback
        try:
            result = call(*args)
        except self.errors as error:
            self._failed(state, operation, error)
            return fallback
        if state.failed_at >= now:
            # An operation it is made of failed (the file cache's ``add`` is
            # ``has_key`` and ``set``), or one of another thread meanwhile.
            return fallback
        if state.failed_at:
            state.failed_at = 0.0
            if now - state.recovered_at >= WARN_EVERY:  # a disk failing writes only: not each read
                state.recovered_at = now
                logger.info("Cache %s: reachable again", self._where())
        return result

    def _failed(self, state: _State, operation: str, error: BaseException) -> None:
        now = time.monotonic()
        state.failed_at = now
        if isinstance(error, self.breaker_errors):
            state.skip_until = now + BREAKER_SECONDS
        if now - state.warned_at >= WARN_EVERY:
            state.warned_at = now
            logger.warning(
                "Cache %s unreachable (%s: %s); answering as a miss, pages render uncached",
                self._where(),
                operation,
                error,
            )

    def _where(self) -> str:
        return f"{type(self).__name__}:{self.location}"

    def down(self) -> bool:
        """Whether an operation failed in the last ``BREAKER_SECONDS`` and
        none has worked since."""
        failed_at = _state(self._where()).failed_at
        return bool(failed_at) and time.monotonic() - failed_at < BREAKER_SECONDS

    # The operations. ``super()`` is the real backend's.

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._guard("add", False, super().add, key, value, timeout, version)

    def get(self, key: str, default: Any = None, version: Any = None) -> Any:
        return self._guard("get", default, super().get, key, default, version)

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._guard("set", None, super().set, key, value, timeout, version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard("touch", False, super().touch, key, timeout, version)

    def delete(self, key: str, version: Any = None) -> bool:
        return self._guard("delete", False, super().delete, key, version)

    def get_many(self, keys: Iterable[str], version: Any = None) -> dict[str, Any]:
        keys = list(keys)
        return self._guard("get_many", {}, super().get_many, keys, version)

    def has_key(self, key: str, version: Any = None) -> bool:
        return self._guard("has_key", False, super().has_key, key, version)

    def incr(self, key: str, delta: int = 1, version: Any = None) -> int:
        return self._guard("incr", delta, super().incr, key, delta, version)

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> list[str]:
        return self._guard("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys: Iterable[str], version: Any = None) -> None:
        keys = list(keys)
        self._guard("delete_many", None, super().delete_many, keys, version)

    def clear(self) -> None:
        self._guard("clear", None, super().clear)


class TolerantRedisCache(_Degrading, RedisCache):
    """Django's Redis cache, answering as a miss while Redis is unreachable."""

    errors = (redis.exceptions.RedisError, OSError)
    breaker_errors = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.location = server


class FileCache(_Degrading, FileBasedCache):
    """Files, culled now and then; a full or read-only disk, or a file cut
    short, answers as a miss (no breaker: a local disk fails fast)."""

    errors = (OSError, EOFError, pickle.UnpicklingError, zlib.error)

    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        self.location = dir
        try:
            super().__init__(dir, params)  # creates the directory, last
        except self.errors as error:
            self._failed(_state(self._where()), "create the directory", error)

    def _cull(self) -> None:
        if random.randrange(CULL_EVERY) == 0:  # noqa: S311 - spreads work, guards nothing
            super()._cull()  # type: ignore[misc]  # private in the stubs


def cache_down(alias: str = "default") -> bool:
    """Whether the cache failed in the last few seconds (False for a cache
    that does not degrade, like the tests' memory cache)."""
    backend = caches[alias]
    return isinstance(backend, _Degrading) and backend.down()
