"""Writes: creating playbooks, adding and removing members, invitations."""

from __future__ import annotations

import re
import smtplib
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.accounts import display_name, is_pending_invitation
from playbooks.models import Level, Membership, Playbook

User = get_user_model()


@transaction.atomic
def create_playbook(*, owner: Any, **fields: Any) -> Playbook:
    """Create a playbook, nothing in it yet; its creator becomes its owner.

    A new playbook for people comes from ``planner.services.create_playbook``,
    which adds the default plan (and the example roles) too.
    """
    # Its creator is the ambassadors' contact until they choose otherwise.
    playbook = Playbook(ambassador_contact=owner, **fields)
    playbook.full_clean()
    playbook.save()
    Membership.objects.create(playbook=playbook, user=owner, level=Level.OWNER)
    return playbook


def username_for(email: str) -> str:
    """A free username made from an e-mail address.

    Usernames allow letters, digits and @ . + - _ only, and 150 characters:
    other characters are dropped, and a number is added when it is taken.
    """
    base = re.sub(r"[^\w.@+-]", "", email, flags=re.ASCII)[:140] or "user"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def invitation_url(request: HttpRequest, user: Any) -> str:
    """The link that lets an invited person choose a password (and so activate)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(
        reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    )


def _send(template: str, *, playbook: Playbook, to: str, context: dict[str, Any]) -> None:
    # Written in the playbook's language, whatever the inviting owner's language.
    with translation.override(playbook.language):
        subject = render_to_string(f"playbooks/email/{template}_subject.txt", context)
        body = render_to_string(f"playbooks/email/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])


@transaction.atomic
def add_member(
    *, playbook: Playbook, email: str, level: str, invited_by: Any, request: HttpRequest
) -> Membership:
    """Add a person by e-mail. Someone without an account gets one, inactive and
    with an unusable password, and an e-mail with a link to set a password."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    created = user is None
    if user is None:
        user = User(username=username_for(email), email=email, is_active=False)
        user.set_unusable_password()
        user.save()
    if Membership.objects.filter(playbook=playbook, user=user).exists():
        raise ValidationError(_("This person is already a member of this playbook."))
    membership = Membership.objects.create(
        playbook=playbook, user=user, level=level, invited_by=invited_by
    )
    context = {
        "playbook": playbook,
        "inviter": display_name(invited_by),
        "level": Level(level).label,
        "user": user,
    }
    if created or is_pending_invitation(user):
        context["url"] = invitation_url(request, user)
        template = "invitation"
    else:
        context["url"] = request.build_absolute_uri(reverse("playbook_detail", args=[playbook.pk]))
        template = "added"
    try:
        _send(template, playbook=playbook, to=email, context=context)
    except (OSError, smtplib.SMTPException) as error:
        # Rolls the new account and membership back: nobody is added unwarned.
        raise ValidationError(
            _("The e-mail to %(email)s could not be sent. Nothing was changed; try again later.")
            % {"email": email}
        ) from error
    return membership


NEEDS_AN_OWNER = gettext_lazy(
    "A playbook needs at least one owner. Make someone else an owner first."
)


def _locked(membership: Membership, by: Any) -> Membership:
    """Take the playbook's row lock, then read ``membership`` again under it.

    Every change of a member's level or membership locks the playbook's row
    first, so two owners changing each other at once wait in turn (on
    PostgreSQL; SQLite's writes take the database's lock up front) instead
    of each locking the other's row and deadlocking. Under the lock the
    change sees what the one before it did: the membership as it is now (or
    gone: someone removed them meanwhile) and whether ``by``, the person
    asking, is still an owner (someone may have made them an editor meanwhile).
    """
    list(Playbook.objects.select_for_update().filter(pk=membership.playbook_id).values("pk"))
    if by is not None and not by.is_superuser:
        still_owner = Membership.objects.filter(
            playbook_id=membership.playbook_id, user_id=by.pk, level=Level.OWNER
        ).exists()
        if not still_owner:
            raise PermissionDenied
    current = Membership.objects.filter(pk=membership.pk).first()
    if current is None:
        raise ValidationError(_("They no longer have access to this playbook."))
    return current


def _other_owners(membership: Membership) -> int:
    return (
        Membership.objects.filter(playbook_id=membership.playbook_id, level=Level.OWNER)
        .exclude(pk=membership.pk)
        .count()
    )


@transaction.atomic
def change_level(*, membership: Membership, level: str, by: Any = None) -> Membership:
    """``by``: the person asking, checked again under the lock (None: a command)."""
    current = _locked(membership, by)
    if current.level == Level.OWNER and level != Level.OWNER and not _other_owners(current):
        raise ValidationError(NEEDS_AN_OWNER)
    membership.level = level
    membership.full_clean()
    membership.save(update_fields=["level"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, by: Any = None) -> None:
    """``by``: the person asking, checked again under the lock (None: a command)."""
    current = _locked(membership, by)
    if current.level == Level.OWNER and not _other_owners(current):
        raise ValidationError(NEEDS_AN_OWNER)
    # Someone who left is nobody's contact: ambassadors see none until chosen
    # (saved, not updated in bulk, so that the history says who changed it).
    contact_of = Playbook.objects.filter(
        pk=membership.playbook_id, ambassador_contact=membership.user_id
    ).first()
    if contact_of is not None:
        contact_of.ambassador_contact = None
        contact_of.save(update_fields=["ambassador_contact", "updated_at"])
    membership.delete()
