"""Accounts: the signed-in user, the name a person goes by, and what an
invitation that was never accepted looks like."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, typed as an account rather than "account or anonymous".

    Every page but those marked ``@login_not_required`` is behind
    LoginRequiredMiddleware, which sends anonymous visitors to the login page
    first: for those pages the check below never fails.
    """
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


def is_pending_invitation(user: Any) -> bool:
    """Invited by an owner, never logged in: inactive with an unusable password."""
    return not user.is_active and not user.has_usable_password() and user.last_login is None


def display_name(user: Any) -> str:
    """The name a person goes by on pages, in e-mails and in the history:
    their full name, or their username when they gave none. Templates use
    the ``display_name`` filter (``{% load accounts %}``)."""
    return str(user.get_full_name() or user.get_username())
