"""An ambassador's role page, opened from a personal link: no account, no cookies.

The page has its own small base template with no navigation into the app and
no forms, so it needs no CSRF token; nothing here touches the session, so no
cookie is set. It is shown in the playbook's language.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ambassadors.models import Ambassador
from ambassadors.services import note_opened
from comms.upcoming import upcoming
from core.public import TOKEN, not_found, private
from planner.pdf import one_pager_document, pulse_url
from planner.pulse_links import pulse_link_of
from pulse import links, weeks
from roles.models import Role


@login_not_required
@require_safe  # GET and HEAD: link previews and mail scanners send HEAD
def ambassador_page(request: HttpRequest, token: str) -> HttpResponse:
    """Queries: the ambassador with role, playbook and the role's pulse link,
    the Give-Gets, fellow ambassadors, the role's next messages (with their
    senders and step 5's dates), and at most once an hour "last opened"."""
    if not TOKEN.fullmatch(token):
        return not_found(request)
    ambassador = (
        Ambassador.objects.by_token(token)
        .select_related("role", "role__playbook", "role__pulse_link")
        .first()
    )
    if ambassador is None:
        return not_found(request)
    role = ambassador.role
    playbook = role.playbook
    prefetch_related_objects([role], "givegets")  # one query, reused by role.balance()
    givegets = list(role.givegets.all())
    fellows = list(role.ambassadors.exclude(pk=ambassador.pk).order_by("name"))
    note_opened(ambassador)
    with translation.override(playbook.language):
        # Drafted in the playbook's language, as the page is.
        next_messages = upcoming(playbook, role, givegets, weeks.today())
        pulse = _pulse(request, role)
        response = render(
            request,
            "public/ambassador.html",
            {
                "ambassador": ambassador,
                "role": role,
                "playbook": playbook,
                "givegets": givegets,
                "balance": role.balance(),
                "fellows": fellows,
                "upcoming": next_messages,
                "token": token,
                **pulse,
                "LANGUAGE_CODE": playbook.language,
            },
        )
    response["Content-Language"] = playbook.language
    return private(response)


def _pulse(request: HttpRequest, role: Role) -> dict[str, str]:
    """The role's pulse link, for the ambassador to pass on; nothing without one."""
    link = pulse_link_of(role)
    if link is None:
        return {}
    url = links.link_url(request, link)
    title = _("Weekly pulse of %(role)s: QR code of the address") % {"role": role.name}
    return {"pulse_url": url, "pulse_qr": links.qr_svg(url, title)}


@login_not_required
def not_found_page(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /a/: the same plain page, never the app's."""
    return not_found(request)


@login_not_required
@require_safe
def ambassador_one_pager(request: HttpRequest, token: str) -> HttpResponse:
    """That link's role only, as a one-page PDF."""

    if not TOKEN.fullmatch(token):
        return not_found(request)
    ambassador = Ambassador.objects.by_token(token).select_related("role__playbook").first()
    if ambassador is None:
        return not_found(request)
    document = one_pager_document(
        ambassador.role.playbook,
        ambassador.role_id,
        pulse_url=pulse_url(request, ambassador.role_id),
    )
    response = HttpResponse(document.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Content-Language"] = ambassador.role.playbook.language
    return private(response)
