"""A PDF download as a request asks for it: the document, or a page saying
why not yet (the worker is preparing a large one: 202, the page asks again by
itself) or not at all (too large to render: 409, with what to shorten).

409 Conflict for "too large": the request is fine (a GET, so not 422), and
nothing temporary is wrong with the server (not 503, which also invites
retries and looks like an outage on the dashboards); the playbook's current
content conflicts with the limits, and the user can resolve it by shortening
texts, which is what 409 says.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from planner import pdf

# The "being prepared" page asks again every few seconds, for about three
# minutes (a worker that is down would otherwise be asked forever).
REFRESH_SECONDS = 5
MAX_REFRESHES = 36


def unavailable(
    request: HttpRequest,
    error: pdf.TooLargeToRender | pdf.NotReady,
    *,
    base: str = "base.html",
    back_url: str = "",
) -> HttpResponse:
    """The page instead of the PDF, in the active language."""
    try:
        tries = min(int(request.GET.get("wait", "0")), MAX_REFRESHES)
    except ValueError:
        tries = 0
    too_large = isinstance(error, pdf.TooLargeToRender)
    again_url = f"{request.path}?{urlencode({'wait': tries + 1})}"
    response = render(
        request,
        "planner/pdf_unavailable.html",
        {
            "base": base,
            "too_large": too_large,
            "shorten": error.shorten if isinstance(error, pdf.TooLargeToRender) else [],
            "back_url": back_url,
            "again_url": again_url,
            "refresh_url": "" if too_large or tries >= MAX_REFRESHES else again_url,
            "refresh_seconds": REFRESH_SECONDS,
        },
        status=409 if too_large else 202,
    )
    if not too_large:
        response["Retry-After"] = str(REFRESH_SECONDS)
    response["Cache-Control"] = "private, no-store"
    return response


def download(
    request: HttpRequest,
    make: Callable[[], pdf.Document],
    respond: Callable[[pdf.Document], HttpResponse],
    *,
    base: str = "base.html",
    back_url: str = "",
) -> HttpResponse:
    """``respond(make())``, or the page saying why not. A stale copy (an
    earlier version, served while the worker renders the current one) says
    so in the ``X-PDF-Stale`` header."""
    try:
        document = make()
    except (pdf.TooLargeToRender, pdf.NotReady) as error:
        return unavailable(request, error, base=base, back_url=back_url)
    response = respond(document)
    if document.stale:
        response["X-PDF-Stale"] = document.rendered_at.isoformat()
    return response
