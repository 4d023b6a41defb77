"""A role's pulse link on its role page: issue, re-issue, revoke, copy, QR.

Editors and owners see the address (anyone with it can answer, so it is not
for viewers: they only learn whether a link is active). Re-issuing and
revoking ask first, since the old address stops working at once: with htmx
through ``hx-confirm``, without JavaScript on a page of their own whose form
posts to the same address. With htmx an action answers with the panel and a
status line for screen readers; without, it redirects to the role page's
panel with a message. Answers already given are kept either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from core.http import HtmxHttpRequest
from planner.pdf import file_slug
from playbooks.access import Access, get_playbook
from playbooks.models import Level
from pulse import links
from pulse.models import PulseLink
from roles.models import Role
from roles.selectors import get_role


def pulse_link_of(role: Role) -> PulseLink | None:
    """The role's link: no query when it came with ``select_related("pulse_link")``."""
    try:
        return role.pulse_link
    except ObjectDoesNotExist:
        return None


@dataclass(frozen=True)
class PulsePanel:
    """The role page's pulse panel: the link, and for editors its address and QR code."""

    link: PulseLink | None
    url: str = ""
    qr: str = ""


def pulse_panel(request: HttpRequest, access: Access, role: Role) -> dict[str, PulsePanel]:
    """The context ``planner/pulse_link.html`` needs besides access, playbook
    and role (a page without it shows no panel). The address and its QR code
    go to editors and owners only: anyone with the address can answer."""
    link = pulse_link_of(role)
    if link is None or not access.can_edit:
        return {"link_panel": PulsePanel(link)}
    url = links.link_url(request, link)
    title = _("Weekly pulse of %(role)s: QR code of the address") % {"role": role.name}
    return {"link_panel": PulsePanel(link, url, links.qr_svg(url, title))}


def _panel_url(role: Role) -> str:
    return reverse("role_detail", args=[role.playbook_id, role.pk]) + "#pulse"


def _done(request: HtmxHttpRequest, access: Access, role: Role, message: str) -> HttpResponse:
    """The panel and the status line (htmx), or back to the panel with a message."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(_panel_url(role))
    role = get_role(access.playbook, role.pk)  # the link as it is now
    context = {
        "access": access,
        "playbook": access.playbook,
        "role": role,
        **pulse_panel(request, access, role),
    }
    html = render_to_string("planner/pulse_link.html", context, request)
    html += render_to_string(
        "planner/role_detail.html#role_status",
        {"oob": True, "status_message": message},
        request,
    )
    response = HttpResponse(html)
    response["Cache-Control"] = "no-store"  # it holds the address
    return response


def _confirm(request: HttpRequest, access: Access, role: Role, *, kind: str) -> HttpResponse:
    """Re-issue or revoke, asked first: the page for browsers without JavaScript."""
    return render(
        request,
        "planner/pulse_link_confirm.html",
        {
            "access": access,
            "playbook": access.playbook,
            "role": role,
            "kind": kind,
            "action": reverse(f"pulse_link_{kind}", args=[access.playbook.pk, role.pk]),
            "section": "roles",
        },
    )


ISSUED = gettext_noop(
    "Pulse link issued for “%(role)s”. Copy it and send it to the people in this role."
)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def pulse_link_issue(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """A first link. A role that has one keeps it (a second click, a second
    tab): replacing it is Re-issue's job, which asks first."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    if request.method == "GET":
        return redirect(_panel_url(role))
    if PulseLink.objects.filter(role=role).exists():
        message = _("“%(role)s” already has a pulse link: it is unchanged.")
    else:
        links.issue(role)
        message = _(ISSUED)
    return _done(request, access, role, message % {"role": role.name})


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def pulse_link_reissue(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """GET asks first (without JavaScript); POST gives the link a new address."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    if request.method == "GET":
        return _confirm(request, access, role, kind="reissue")
    had_one = PulseLink.objects.filter(role=role).exists()
    links.issue(role)
    if had_one:
        message = _(
            "New pulse link for “%(role)s”: the old address no longer works. "
            "The answers already given are kept."
        )
    else:  # revoked meanwhile, or a stale page: there was no address to replace
        message = _(ISSUED)
    return _done(request, access, role, message % {"role": role.name})


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def pulse_link_revoke(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """GET asks first (without JavaScript); POST deletes the link."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    if request.method == "GET":
        return _confirm(request, access, role, kind="revoke")
    if links.revoke(role):
        message = _(
            "Pulse link of “%(role)s” revoked: its address no longer works. "
            "The answers already given are kept."
        )
    else:
        message = _("“%(role)s” has no pulse link to revoke.")
    return _done(request, access, role, message % {"role": role.name})


@require_GET
def pulse_link_qr(request: HttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """The QR code as an SVG file, for posters and slides (editors and owners:
    it carries the address). 404 when the role has no link."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    link = PulseLink.objects.filter(role=role).first()
    if link is None:
        raise Http404(_("This role has no pulse link."))
    title = _("Weekly pulse of %(role)s") % {"role": role.name}
    response = HttpResponse(
        links.qr_svg_file(links.link_url(request, link), title), content_type="image/svg+xml"
    )
    name = f"{file_slug(access.playbook.name, 'playbook')}-{file_slug(role.name, 'role')}"
    response["Content-Disposition"] = f'attachment; filename="{name}-pulse-qr.svg"'
    response["Cache-Control"] = "no-store"
    return response
