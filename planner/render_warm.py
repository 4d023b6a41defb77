"""Imported once by the render fork server (planner.render_process), after
planner.render_child: one tiny render, so that every child starts with
WeasyPrint's fonts and stylesheets loaded (fontconfig's set-up is not paid
per PDF)."""

from __future__ import annotations

import ctypes
import gc
from pathlib import Path

from planner.render_child import render_pdf

render_pdf("<p>warm</p>", Path(__file__).resolve().parent)

# Everything the server holds now (WeasyPrint, its fonts and stylesheets) is
# left out of the garbage collector's passes, which would otherwise write to
# every object's header in each child and so copy the server's pages into it
# (copy-on-write): the children share them instead.
gc.freeze()

# Memory freed by now (after the imports and the warm-up render) is still
# held by the C library's allocator, about 4 MB: given back to the system,
# it no longer counts in the server (a child that allocates there gets new
# pages instead of copies of the server's). make bench-worst: the server
# 37 -> 33 MB. glibc's malloc_trim; with another C library, nothing is done.
try:
    _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
except (OSError, AttributeError):
    pass
else:
    _malloc_trim(0)
