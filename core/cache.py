"""The shared cache of a single-machine run: files, culled now and then.

Django's ``FileBasedCache`` lists its whole directory before every write, to
cull when it holds more than ``MAX_ENTRIES``. With 2,000 entries that listing
took about 15 ms a write on the benchmark machine, and a cell save writes two
or three times (the playbook's version stamp, the pending PDF render): most of
a save's time. This one looks on one write in ``CULL_EVERY``, at random (so
every process takes its share), so the directory may hold a few dozen entries
more than ``MAX_ENTRIES`` between looks. Several machines use Redis instead.
"""

from __future__ import annotations

import random

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 50


class FileCache(FileBasedCache):
    def _cull(self) -> None:
        if random.randrange(CULL_EVERY) == 0:  # noqa: S311 - spreads work, guards nothing
            super()._cull()  # type: ignore[misc]  # private in the stubs
