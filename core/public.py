"""What every page opened from a link without an account has in common: the
ambassador's page, the weekly pulse and the calendar feed. Their tokens are
43 URL-safe characters; their answers are kept out of referrers, shared
caches and search."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
NO_STORE = "no-store"
# The calendar feed: calendar apps keep it and ask again with its ETag, so it
# may be stored by the client alone, and checked before each use.
REVALIDATE = "private, no-cache"
PRIVATE = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": NO_STORE,
    "X-Robots-Tag": "noindex",
}


def private(response: HttpResponse, *, cache_control: str = NO_STORE) -> HttpResponse:
    for header, value in PRIVATE.items():
        response[header] = value
    response["Cache-Control"] = cache_control
    return response


def not_found(request: HttpRequest) -> HttpResponse:
    """One page for every link that does not work: unknown, revoked or mistyped."""
    return private(render(request, "public/not_found.html", status=404))


class KeepLinkPagesPrivate:
    """Every answer under /a/, /p/ and /cal/, the error pages too (a body too
    large, a failed CSRF check, a 404 under the prefix), goes out as the pages
    opened from a link promise: no cookie, the private headers. Placed above
    the CSRF and session middleware, so it sees their cookies and drops them.
    The calendar feed alone may be kept by its client (``REVALIDATE``)."""

    PREFIXES = ("/a/", "/p/", "/cal/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(self.PREFIXES):
            response.cookies.clear()
            kept = request.path.startswith("/cal/") and response.get("Cache-Control") == REVALIDATE
            private(response, cache_control=REVALIDATE if kept else NO_STORE)
        return response
