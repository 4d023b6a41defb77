"""What every page opened from a link without an account has in common: the
ambassador's page and the weekly pulse. Their tokens are 43 URL-safe
characters; their answers are kept out of referrers, caches and search."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
PRIVATE = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}


def private(response: HttpResponse) -> HttpResponse:
    for header, value in PRIVATE.items():
        response[header] = value
    return response


def not_found(request: HttpRequest) -> HttpResponse:
    """One page for every link that does not work: unknown, revoked or mistyped."""
    return private(render(request, "public/not_found.html", status=404))


class KeepLinkPagesPrivate:
    """Every answer under /a/ and /p/, the error pages too (a body too large,
    a failed CSRF check, a 404 under the prefix), goes out as the pages
    opened from a link promise: no cookie, the private headers. Placed above
    the CSRF and session middleware, so it sees their cookies and drops them."""

    PREFIXES = ("/a/", "/p/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(self.PREFIXES):
            response.cookies.clear()
            private(response)
        return response
