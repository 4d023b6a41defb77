"""An ambassador's role page, opened from a personal link: no account, no cookies.

The page has its own small base template with no navigation into the app and
no forms, so it needs no CSRF token; nothing here touches the session, so no
cookie is set. It is shown in the playbook's language. Editors preview it
for any role (``ambassador_preview``), logged in, before issuing a link.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ambassadors.models import Ambassador
from ambassadors.services import note_opened
from comms.upcoming import upcoming
from core.public import TOKEN, not_found, private
from planner import pdf_pages
from planner.pdf import Document, RoleGone, one_pager_document, pulse_url
from planner.pulse_links import pulse_link_of
from playbooks.access import get_playbook
from playbooks.models import Level, Membership, contact_is_owner
from pulse import links, weeks
from roles.equation import Verdict
from roles.models import Role


@login_not_required
@require_safe  # GET and HEAD: link previews and mail scanners send HEAD
def ambassador_page(request: HttpRequest, token: str) -> HttpResponse:
    """Queries: the ambassador with role, playbook, its ambassadors' contact
    (and whether they are still a member) and the role's pulse link, the
    Give-Gets, fellow ambassadors, the role's next messages (with their
    senders and step 5's dates), and at most once an hour "last opened"."""
    if not TOKEN.fullmatch(token):
        return not_found(request)
    ambassador = (
        Ambassador.objects.by_token(token)
        .select_related(
            "role", "role__playbook", "role__playbook__ambassador_contact", "role__pulse_link"
        )
        .annotate(contact_is_owner=contact_is_owner("role__playbook__"))
        .first()
    )
    if ambassador is None:
        return not_found(request)
    role = ambassador.role
    playbook = role.playbook
    contact = playbook.ambassador_contact if ambassador.contact_is_owner else None
    fellows = list(role.ambassadors.exclude(pk=ambassador.pk).order_by("name"))
    note_opened(ambassador)
    response = _page(
        request,
        role=role,
        ambassador=ambassador,
        fellows=fellows,
        contact=contact,
        one_pager_url=reverse("ambassador_one_pager", args=[token]),
    )
    return private(response)


@require_safe
def ambassador_preview(request: HttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """What an ambassador of this role sees, for editors before they issue a
    link: the same page, no ambassador of its own (each one's dates are
    theirs), nothing noted as opened; an app page, under the app's headers.

    Queries: session, user, membership with playbook; the role with its pulse
    link; the contact if one is chosen; the Give-Gets, the role's
    ambassadors, its next messages."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    playbook = access.playbook
    role = get_object_or_404(playbook.roles.select_related("pulse_link"), pk=role_id)
    role.playbook = playbook
    contact = None
    if playbook.ambassador_contact_id is not None:
        member = (
            Membership.objects.filter(
                playbook=playbook,
                user=playbook.ambassador_contact_id,
                level=Level.OWNER,
                user__is_active=True,
            )
            .select_related("user")
            .first()
        )
        contact = member.user if member is not None else None
    fellows = list(role.ambassadors.order_by("name"))
    # The banner is for the editor: in their language, the page in the playbook's.
    banner = _("Preview: what an ambassador of %(role)s sees") % {"role": role.name}
    return _page(
        request,
        role=role,
        ambassador=None,
        fellows=fellows,
        contact=contact,
        one_pager_url=reverse("role_one_pager", args=[playbook.pk, role.pk]),
        preview={
            "banner": banner,
            "lang": translation.get_language() or playbook.language,
            "note": _(
                "Each ambassador sees their own early-access and training dates here, "
                "and no link into the app. Nothing is noted as opened."
            ),
            "back": _("Back to the role"),
            "back_url": reverse("role_detail", args=[playbook.pk, role.pk]),
            "roster": _("Ambassadors"),
            "roster_url": reverse("roster", args=[playbook.pk]),
        },
    )


def _page(
    request: HttpRequest,
    *,
    role: Role,
    ambassador: Ambassador | None,
    fellows: list[Ambassador],
    contact: Any,
    one_pager_url: str,
    preview: dict[str, str] | None = None,
) -> HttpResponse:
    """The page itself, in the playbook's language (``role.playbook`` loaded).

    Only what is decided is shown: a Give-Get without its get, a blank half
    of the charter, a role's verdict before it is assessed are left out. The
    time balance and verdict come only with the whole picture (the role
    assessed and every Give-Get with its get): a balance counting gives the
    page does not list would not add up, and one over the listed ones alone
    would be a verdict the plan does not hold."""
    playbook = role.playbook
    prefetch_related_objects([role], "givegets")  # one query, reused by role.balance()
    givegets = list(role.givegets.all())
    decided = [gg for gg in givegets if gg.get.strip()]
    balance = role.balance()
    whole = balance.verdict != Verdict.NOT_ASSESSED and len(decided) == len(givegets)
    with translation.override(playbook.language):
        # Drafted in the playbook's language, as the page is.
        next_messages = upcoming(playbook, role, givegets, weeks.today())
        senders = [ambassador.pk] if ambassador is not None else [f.pk for f in fellows]
        response = render(
            request,
            "public/ambassador.html",
            {
                "ambassador": ambassador,
                "role": role,
                "playbook": playbook,
                "givegets": decided,
                "balance": balance,
                "show_balance": whole,
                "fellows": fellows,
                "contact": contact,
                "upcoming": next_messages,
                **_next_part(next_messages, senders),
                "today": weeks.today(),
                "one_pager_url": one_pager_url,
                "preview": preview,
                **_pulse(request, role),
                "LANGUAGE_CODE": playbook.language,
            },
        )
    response["Content-Language"] = playbook.language
    return response


def _next_part(next_messages: Any, senders: list[int]) -> dict[str, Any]:
    """The message "Your part" names: the next one the ambassador sends (an
    ambassador of the role, in a preview), else the role's next message,
    whoever sends it; nothing when none is planned."""
    sent = next_messages.first_sent_by(senders)
    return {
        "next_part": sent or (next_messages.next[0] if next_messages.next else None),
        "sends_it": sent is not None,
    }


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
    playbook = ambassador.role.playbook
    url = pulse_url(request, ambassador.role_id)

    def respond(document: Document) -> HttpResponse:
        response = HttpResponse(document.content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
        return response

    with translation.override(playbook.language):
        try:
            response = pdf_pages.download(
                request,
                lambda: one_pager_document(
                    playbook, ambassador.role_id, pulse_url=url, on_request=True
                ),
                respond,
                base="public/base.html",
            )
        except RoleGone:  # deleted since the link was read: the plain page, never the app's
            return not_found(request)
    response["Content-Language"] = playbook.language
    return private(response)
