"""Site-wide views: the start page and the load balancer's health check."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The start page is the list of my playbooks."""
    return redirect("playbook_list")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers, 503 when it does not (DESIGN.md). The
    cache is reported, "ok" or "degraded", but never fails the check: pages
    still answer without it (slower), and a cache outage must not make the
    load balancer pull every server at once.

    Costs one SQL query and one cache round trip.
    """
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:
        logger.exception("Health check: database unreachable")
        checks["database"] = "error"
    try:
        cache.set("healthz", "ok", timeout=10)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "degraded"
    except Exception:
        logger.exception("Health check: cache unreachable")
        checks["cache"] = "degraded"
    if checks["database"] != "ok":
        status, code = "error", 503
    else:
        status, code = ("ok" if checks["cache"] == "ok" else "degraded"), 200
    return JsonResponse({"status": status, **checks}, status=code)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A CSRF failure in the house style and the user's language."""
    return render(request, "403_csrf.html", status=403)
