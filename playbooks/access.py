"""The one place that decides who may do what with a playbook.

Every playbook view calls :func:`get_playbook`. Objects inside a playbook
(roles, Give-Gets, ambassadors, steps, tasks) are then always fetched through
the playbook it returns, so an id belonging to another playbook is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from playbooks.models import Level, Membership, Playbook


@dataclass(frozen=True)
class Access:
    """A playbook as the current user may use it."""

    playbook: Playbook
    level: Level

    @property
    def can_edit(self) -> bool:
        return self.level.allows(Level.EDITOR)

    @property
    def is_owner(self) -> bool:
        return self.level.allows(Level.OWNER)


def level_for(user: Any, playbook_id: int) -> tuple[Playbook, Level] | None:
    """The playbook and the user's level in it, or None. One query."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        playbook = Playbook.objects.filter(pk=playbook_id).first()
        return (playbook, Level.OWNER) if playbook else None
    membership = (
        Membership.objects.select_related("playbook")
        .filter(playbook_id=playbook_id, user=user)
        .first()
    )
    if membership is None:
        return None
    return membership.playbook, Level(membership.level)


def get_playbook(request: HttpRequest, playbook_id: int, level: Level = Level.VIEWER) -> Access:
    """Return the playbook for ``request.user`` at ``level`` or above.

    404 when the user is not a member (never reveal that a playbook exists),
    403 when the member's level is too low. Superusers pass as owners.
    Costs one query.
    """
    found = level_for(request.user, playbook_id)
    if found is None:
        raise Http404(_("No such playbook."))
    playbook, user_level = found
    if not user_level.allows(level):
        raise PermissionDenied(_("Your access to this playbook does not include this action."))
    access = Access(playbook=playbook, level=user_level)
    request.playbook_access = access  # type: ignore[attr-defined]  # for the navigation
    return access
