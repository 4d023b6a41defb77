"""Writing adoption figures (DESIGN.md "Adoption figures"): typed in the
results page's grid or imported from the CRM's usage export.

Every write goes through here: it keeps the rules (closed weeks only, no
figures for a role under 2k people), fixes the go-live the weeks count from
(as the pulse's first answer does), records history, and announces the change
once (``figures_saved``: the top layer bumps the playbook's version and
schedules its PDF).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import formats
from django.utils.translation import gettext as _

from core import history
from playbooks.models import Playbook
from pulse import weeks
from pulse.adoption import takes_figures
from pulse.models import AdoptionFigure
from roles.models import Role

# Sent once per write, inside its transaction, with ``playbook_id``.
figures_saved = Signal()


def fix_anchor(playbook: Playbook) -> None:
    """The first data after go-live (a pulse answer, a figure) fixes the
    go-live the weeks count from: a later move of go-live must not give a
    stored week another meaning. No history, no version: nothing a person
    changed."""
    if playbook.pulse_weeks_from is None and playbook.go_live is not None:
        Playbook.objects.filter(pk=playbook.pk, pulse_weeks_from__isnull=True).update(
            pulse_weeks_from=playbook.go_live
        )
        playbook.pulse_weeks_from = playbook.go_live


def week_refused(playbook: Playbook, week: int, day: datetime.date) -> str | None:
    """Why ``week`` takes no figures on ``day``: no go-live, not over yet."""
    go_live = playbook.pulse_go_live
    if go_live is None:
        return _("Set a go-live date first: the weeks count from it.")
    if week < 1:
        return _("Weeks start at 1, the week of go-live.")
    if week > weeks.last_closed_week(go_live, day):
        try:
            ends = weeks.week_dates(go_live, week)[1]
        except OverflowError:  # its last day would be past the calendar's end
            return _("Week %(week)s is not over yet: figures come for closed weeks.") % {
                "week": week
            }
        return _("Week %(week)s is not over until %(date)s: figures come for closed weeks.") % {
            "week": week,
            "date": formats.date_format(ends, "DATE_FORMAT"),
        }
    return None


def role_refused(role: Role, k: int) -> str | None:
    """Why ``role`` takes no figures: fewer than 2k people."""
    if takes_figures(role.headcount, k):
        return None
    return _(
        "%(role)s has fewer than %(two_k)s people: its figures would point at people, "
        "so it takes none."
    ) % {"role": role.name, "two_k": 2 * k}


@dataclass(frozen=True)
class Saved:
    created: int
    changed: int
    unchanged: int


def replace(playbook: Playbook, counts: Mapping[tuple[int, int], int]) -> Saved:
    """Store each (role id, week) -> active users, replacing what those weeks
    held, all in one transaction (the caller checked every row). Re-imported
    weeks keep one row each, their change in the history."""
    with transaction.atomic():
        role_ids = sorted({role_id for role_id, _week in counts})
        # Two imports at once wait for each other, role by role in one order.
        # FOR NO KEY UPDATE, as save_one: a pulse answer's insert is not held up.
        locked = Role.objects.select_for_update(no_key=True).filter(pk__in=role_ids)
        list(locked.order_by("pk").values("pk"))
        existing = {
            (f.role_id, f.week): f
            for f in AdoptionFigure.objects.filter(
                role_id__in=role_ids, week__in={week for _r, week in counts}
            )
        }
        new = []
        changed = unchanged = 0
        for (role_id, week), active in sorted(counts.items()):
            figure = existing.get((role_id, week))
            if figure is None:
                new.append(AdoptionFigure(role_id=role_id, week=week, active_users=active))
            elif figure.active_users != active:
                figure.active_users = active
                figure.save(update_fields=["active_users"])
                changed += 1
            else:
                unchanged += 1
        if new:
            history.bulk_create(AdoptionFigure, new)
        fix_anchor(playbook)
        if new or changed:
            figures_saved.send(sender=AdoptionFigure, playbook_id=playbook.pk)
    return Saved(created=len(new), changed=changed, unchanged=unchanged)


def clear(playbook: Playbook, role: Role, week: int) -> bool:
    """Remove a week's figure (the history keeps it); False when there was none."""
    with transaction.atomic():
        figure = AdoptionFigure.objects.select_for_update().filter(role=role, week=week).first()
        if figure is None:
            return False
        figure.delete()
        figures_saved.send(sender=AdoptionFigure, playbook_id=playbook.pk)
    return True


@dataclass(frozen=True)
class Written:
    """What ``save_one`` did. ``stored`` is the week's figure as it stands
    after the call (None: no figure): this person's value when it went in,
    someone else's when it did not."""

    stored: int | None
    changed: bool  # something was written
    conflict: bool  # nothing written: someone else changed it since it was read
    gone: bool = False  # nothing written: someone else deleted the role since


def _stored(role: Role, week: int) -> AdoptionFigure | None:
    """The week's figure, locked for the rest of the transaction."""
    return AdoptionFigure.objects.select_for_update().filter(role=role, week=week).first()


def save_one(
    *,
    playbook: Playbook,
    role: Role,
    week: int,
    active: int | None,
    read: int | None,
    overwrite: bool = False,
    day: datetime.date | None = None,
) -> Written:
    """One week's figure of one role, typed in the grid: ``active`` users, or
    None to clear it. ``read`` is the value the person saw when they opened
    the cell (None: no figure). As for every edited row (core.concurrency):
    when someone else changed it since, and not to this same value, nothing
    is written (``conflict``) unless ``overwrite`` (the person chose "save
    mine over it", or the form carried no value read).

    Two people creating the same role-week at once: the second insert meets
    the unique constraint; it is answered as a change made meanwhile, never
    as an error. Raises ValueError for a week or role that takes no figures
    (the caller says why, with ``week_refused`` and ``role_refused``)."""
    if week_refused(playbook, week, day or weeks.today()) or role_refused(role, playbook.pulse_k):
        raise ValueError(f"week {week} of role {role.pk} takes no figures")
    with transaction.atomic():
        # The role's row first, locked as a role's deletion locks it (FOR NO
        # KEY UPDATE: an answer's insert, which takes a key-share lock on its
        # role, is not held up): a role deleted since the page was read takes
        # no figure.
        if not Role.objects.select_for_update(no_key=True).filter(pk=role.pk).exists():
            return Written(stored=None, changed=False, conflict=False, gone=True)
        figure = _stored(role, week)
        for _attempt in range(2):
            theirs = figure.active_users if figure is not None else None
            if theirs == active or (active == read and not overwrite):
                return Written(stored=theirs, changed=False, conflict=False)
            if theirs != read and not overwrite:
                return Written(stored=theirs, changed=False, conflict=True)
            if active is None:
                assert figure is not None  # none stored and none asked for: returned above
                figure.delete()
            elif figure is not None:
                figure.active_users = active
                figure.save(update_fields=["active_users"])
            else:
                try:
                    with transaction.atomic():  # a savepoint: the race below leaves it usable
                        AdoptionFigure.objects.create(role=role, week=week, active_users=active)
                except IntegrityError:
                    # Created by someone else since this transaction looked: read theirs.
                    figure = _stored(role, week)
                    continue
            fix_anchor(playbook)
            figures_saved.send(sender=AdoptionFigure, playbook_id=playbook.pk)
            return Written(stored=active, changed=True, conflict=False)
    raise IntegrityError(f"week {week} of role {role.pk}: no row to read after a refused insert")
