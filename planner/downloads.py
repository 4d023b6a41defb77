"""The downloads page: the playbook's PDF and every role's one-pager, each
with its page count and how fresh it is, read from the cache without
rendering anything. What the cache does not hold yet is rendered in the
background (``planner.tasks``) while the page polls for it, an earlier copy
shown as "updating…" meanwhile. A small document downloads at once (rendered
inline when missing); a large one is left to the worker (``planner.pdf``).
A document too large to render says so here, with what to shorten, and is
not waited for.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from core.http import HtmxHttpRequest
from planner import pdf, tasks
from playbooks.access import get_playbook
from pulse.links import link_url
from roles.models import Role

# The list asks again every 2 s while something is being prepared, for five
# minutes at most (a worker that is down would otherwise be asked forever).
MAX_POLLS = 150


@dataclass(frozen=True)
class Download:
    title: str
    url: str
    role: Role | None
    fresh: pdf.Freshness | None

    @property
    def ready(self) -> bool:
        """Its current version is rendered, or will never be (too large)."""
        return self.fresh is not None and not self.fresh.stale

    @property
    def recent(self) -> bool:
        """Rendered within the last minute ("just now")."""
        return self.fresh is not None and (
            timezone.now() - self.fresh.rendered_at < datetime.timedelta(minutes=1)
        )


@require_GET
@vary_on_headers("HX-Request")
def downloads(request: HtmxHttpRequest, playbook_id: int) -> HttpResponse:
    """Viewers too. Queries: session, user, membership with playbook, roles
    with their pulse links, the plan's progress for the header (the list
    alone, polled by htmx, skips the header's); and when any document is not
    rendered yet, one task's row in the worker's queue for all of them (once:
    later looks find it pending in the cache). The cache: the version stamp,
    one read for all the documents' freshness and at most one write, whatever
    the number of roles.

    A one-pager is listed as its reader would download it: with the pulse's
    QR code for editors and owners, without for viewers (as ``role_one_pager``)."""
    access = get_playbook(request, playbook_id)
    playbook = access.playbook
    roles = list(playbook.roles.select_related("pulse_link"))
    urls = {
        role.pk: (
            link_url(request, role.pulse_link)
            if access.can_edit and hasattr(role, "pulse_link")
            else ""
        )
        for role in roles
    }
    kinds = {"playbook": "playbook"} | {
        role.pk: pdf.one_pager_kind(role.pk, urls[role.pk]) for role in roles
    }
    known = pdf.freshness(playbook, list(kinds.values()))
    cache_up = known is not None
    fresh = known or {}

    items = [
        Download(
            title=playbook.name,
            url=reverse("playbook_pdf", args=[playbook.pk]),
            role=None,
            fresh=fresh.get("playbook"),
        )
    ]
    items += [
        Download(
            title=role.name,
            url=reverse("role_one_pager", args=[playbook.pk, role.pk]),
            role=role,
            fresh=fresh.get(kinds[role.pk]),
        )
        for role in roles
    ]
    missing = [
        (item.role.pk, urls[item.role.pk]) for item in items[1:] if item.role and not item.ready
    ]
    if cache_up and (not items[0].ready or missing):
        tasks.schedule_documents(playbook.pk, playbook_pdf=not items[0].ready, one_pagers=missing)
    try:
        polls = min(int(request.GET.get("polls", "0")), MAX_POLLS)
    except ValueError:
        polls = 0
    waiting = cache_up and any(not item.ready for item in items)
    too_large = [item for item in items if item.fresh is not None and item.fresh.too_large]
    context = {
        "access": access,
        "playbook": playbook,
        "section": "downloads",
        "playbook_item": items[0],
        "role_items": items[1:],
        "cache_up": cache_up,
        "preparing": waiting,
        "shorten": pdf.longest_texts(playbook) if too_large else [],
        # Poll while something is being prepared (not with the cache down:
        # nothing would ever be ready), up to MAX_POLLS times.
        "poll": waiting and polls < MAX_POLLS,
        "next_poll": polls + 1,
    }
    if request.htmx:
        return render(request, "planner/downloads.html#list", context)
    return render(request, "planner/downloads.html", context)
