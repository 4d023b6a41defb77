"""The plan page's Calendar panel: the calendar to download, and the
playbook's secret feed for calendar apps (``/cal/<token>.ics``, served by
planner.calendar): issue, copy, re-issue, revoke.

Members download the calendar (it needs their login, so calendar apps cannot
subscribe to it). Editors and owners see the feed's address: anyone with it
reads the plan's dates and titles, so viewers only learn whether one is
active. Re-issuing and revoking ask first, since the old address stops
working at once: with htmx through ``hx-confirm``, without JavaScript on a
page of their own whose form posts to the same address. With htmx an action
answers with the panel and a status line; without, it redirects to the panel
with a message. The token has no history (a revoked address cannot come back
through a restore); the playbook's version is bumped, so pages showing it
are drawn afresh.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from core import versions
from core.http import HtmxHttpRequest
from playbooks.access import Access, get_playbook
from playbooks.models import CalendarFeed, Level, Playbook, new_feed_token


def issue(playbook: Playbook) -> CalendarFeed:
    """The playbook's feed: a new one if it has none, a new token if it has
    one (the old address stops working at once)."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(playbook=playbook)
        if not created:
            feed.token = new_feed_token()
            feed.save(update_fields=["token"])
        versions.bump(playbook)
    return feed


def revoke(playbook: Playbook) -> bool:
    """Delete the playbook's feed. True if there was one."""
    with transaction.atomic():
        deleted, _ = CalendarFeed.objects.filter(playbook=playbook).delete()
        if deleted:
            versions.bump(playbook)
    return bool(deleted)


@dataclass(frozen=True)
class CalendarPanel:
    """What the panel shows: the feed, and for editors its addresses."""

    feed: CalendarFeed | None
    url: str = ""
    webcal: str = ""


def calendar_panel(request: HttpRequest, access: Access) -> dict[str, CalendarPanel]:
    """The context ``actionplan/calendar_panel.html`` needs besides access and
    playbook. One query."""
    feed = CalendarFeed.objects.filter(playbook=access.playbook).first()
    if feed is None or not access.can_edit:
        return {"calendar_panel": CalendarPanel(feed)}
    url = request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))
    # webcal:// opens the calendar app, which subscribes to the same address.
    return {"calendar_panel": CalendarPanel(feed, url, "webcal://" + url.split("://", 1)[1])}


def _panel_url(playbook: Playbook) -> str:
    return reverse("plan", args=[playbook.pk]) + "#calendar"


def _done(request: HtmxHttpRequest, access: Access, message: str) -> HttpResponse:
    """The panel with a status line (htmx), or back to the panel with a message."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(_panel_url(access.playbook))
    context = {
        "access": access,
        "playbook": access.playbook,
        "calendar_status": message,
        **calendar_panel(request, access),
    }
    response = HttpResponse(render_to_string("actionplan/calendar_panel.html", context, request))
    response["Cache-Control"] = "no-store"  # it holds the address
    return response


def _confirm(request: HttpRequest, access: Access, *, kind: str) -> HttpResponse:
    """Re-issue or revoke, asked first: the page for browsers without JavaScript."""
    return render(
        request,
        "actionplan/calendar_feed_confirm.html",
        {
            "access": access,
            "playbook": access.playbook,
            "kind": kind,
            "action": reverse(f"calendar_feed_{kind}", args=[access.playbook.pk]),
            "section": "plan",
        },
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def calendar_feed_issue(request: HtmxHttpRequest, playbook_id: int) -> HttpResponse:
    """A first feed. A playbook that has one keeps it (a second click, a
    second tab): replacing it is Re-issue's job, which asks first."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    if request.method == "GET":
        return redirect(_panel_url(access.playbook))
    if CalendarFeed.objects.filter(playbook=access.playbook).exists():
        return _done(request, access, _("The calendar feed is active already: it is unchanged."))
    issue(access.playbook)
    return _done(
        request,
        access,
        _("Calendar feed issued. Copy its address into your calendar app, or subscribe."),
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def calendar_feed_reissue(request: HtmxHttpRequest, playbook_id: int) -> HttpResponse:
    """GET asks first (without JavaScript); POST gives the feed a new address."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    if request.method == "GET":
        return _confirm(request, access, kind="reissue")
    had_one = CalendarFeed.objects.filter(playbook=access.playbook).exists()
    issue(access.playbook)
    if had_one:
        message = _(
            "New calendar feed address: the old one no longer works. "
            "Subscribe again with the new one."
        )
    else:  # revoked meanwhile, or a stale page: there was no address to replace
        message = _("Calendar feed issued. Copy its address into your calendar app, or subscribe.")
    return _done(request, access, message)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def calendar_feed_revoke(request: HtmxHttpRequest, playbook_id: int) -> HttpResponse:
    """GET asks first (without JavaScript); POST deletes the feed."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    if request.method == "GET":
        return _confirm(request, access, kind="revoke")
    if revoke(access.playbook):
        message = _("Calendar feed revoked: its address no longer works.")
    else:
        message = _("There is no calendar feed to revoke.")
    return _done(request, access, message)
