"""A role's pulse link: issue, revoke, re-issue; its address and QR code."""

from __future__ import annotations

import functools
import io

import segno
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from pulse.models import PulseLink, new_token
from roles.models import Role


def issue(role: Role) -> PulseLink:
    """The role's link: a new one if it has none, a new token if it has one
    (the old address stops working at once)."""
    with transaction.atomic():
        link, created = PulseLink.objects.select_for_update().get_or_create(role=role)
        if not created:
            link.token = new_token()
            link.save(update_fields=["token"])
    return link


def revoke(role: Role) -> bool:
    """Delete the role's link; answers already given stay. True if there was one."""
    deleted, _ = PulseLink.objects.filter(role=role).delete()
    return bool(deleted)


def link_url(request: HttpRequest, link: PulseLink) -> str:
    return request.build_absolute_uri(reverse("pulse_page", args=[link.token]))


def qr_svg(url: str, title: str) -> SafeString:
    """The address as a QR code, inline SVG drawn on the server (segno): for
    posters, slides and the one-pager. Medium error correction survives a
    creased print-out."""
    return mark_safe(_qr_svg(url, title))  # noqa: S308 - segno writes the SVG; the title is escaped


@functools.lru_cache(maxsize=512)
def _qr_svg(url: str, title: str) -> str:
    """Drawing a code takes some 15 ms; pages that show one on every request
    (the ambassador's page) draw each address once per process."""
    code = segno.make(url, error="m", micro=False)
    return code.svg_inline(scale=4, omitsize=True, title=escape(title), svgclass="qr-code")


def qr_svg_file(url: str, title: str) -> bytes:
    """The same QR code as a stand-alone SVG file (for the "Download QR"
    link): white behind it, so that it also reads on a dark slide."""
    buffer = io.BytesIO()
    code = segno.make(url, error="m", micro=False)
    code.save(buffer, kind="svg", scale=10, border=4, light="#fff", title=title, xmldecl=True)
    return buffer.getvalue()
