"""Accounts: what an invitation that was never accepted looks like."""

from __future__ import annotations

from typing import Any


def is_pending_invitation(user: Any) -> bool:
    """Invited by an owner, never logged in: inactive with an unusable password."""
    return not user.is_active and not user.has_usable_password() and user.last_login is None
