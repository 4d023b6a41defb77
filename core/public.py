"""What every page opened from a link without an account has in common: the
ambassador's page and the weekly pulse. Their tokens are 43 URL-safe
characters; their answers are kept out of referrers, caches and search."""

from __future__ import annotations

import re

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
