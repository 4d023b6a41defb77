"""Writes for ambassadors: personal links and the e-mail that carries one."""

from __future__ import annotations

import datetime

from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ambassadors.models import Ambassador, hash_token, new_token
from core.accounts import display_name, signed_in_user

OPENED_PRECISION = datetime.timedelta(hours=1)


@transaction.atomic
def issue_link(ambassador: Ambassador) -> str:
    """A new personal link; any earlier one stops working at once.

    Returns the token. It is never stored: only its hash is.
    """
    token = new_token()
    ambassador.link_hash = hash_token(token)
    ambassador.link_issued_at = timezone.now()
    ambassador.link_last_opened_at = None
    ambassador.save(update_fields=["link_hash", "link_issued_at", "link_last_opened_at"])
    return token


def revoke_link(ambassador: Ambassador) -> None:
    ambassador.link_hash = ""
    ambassador.link_issued_at = None
    ambassador.link_last_opened_at = None
    ambassador.save(update_fields=["link_hash", "link_issued_at", "link_last_opened_at"])


def link_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("ambassador_page", args=[token]))


def note_opened(ambassador: Ambassador) -> None:
    """Remember when the link was last opened: at most one write an hour."""
    now = timezone.now()
    last = ambassador.link_last_opened_at
    if last is None or now - last >= OPENED_PRECISION:
        Ambassador.objects.filter(pk=ambassador.pk).update(link_last_opened_at=now)


def email_link(request: HttpRequest, ambassador: Ambassador, token: str) -> None:
    """Send the ambassador their link, in the playbook's language."""
    playbook = ambassador.role.playbook
    sender = signed_in_user(request)
    context = {
        "ambassador": ambassador,
        "playbook": playbook,
        "role": ambassador.role,
        "url": link_url(request, token),
        "sender": display_name(sender),
    }
    with translation.override(playbook.language):
        subject = render_to_string("ambassadors/email/link_subject.txt", context)
        body = render_to_string("ambassadors/email/link_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [ambassador.email])


@transaction.atomic
def erase(playbook_id: int, ambassador_id: int) -> None:
    """Remove a person for good, whether on the roster or deleted already:
    delete them, then blank their name, e-mail and notes in every record of
    their history (the deletion's included), so that nothing of them can come
    back through a restore."""
    Ambassador.objects.filter(playbook_id=playbook_id, pk=ambassador_id).delete()
    Ambassador.history.filter(playbook_id=playbook_id, id=ambassador_id).update(
        name="", email="", notes=""
    )
