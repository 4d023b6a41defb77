"""Telling apart playbooks of the same name in the list (issue 22).

Importing a file exported from a playbook makes a second playbook of the same
name; the file's round trip stays byte-identical, so the name is not changed.
The list shows a label beside the name instead: "imported 30 Nov" on every
imported playbook, and "created 12 Nov" on one that shares its name with
another and was not imported. Where two such labels would read the same, they
give the time too.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from playbooks.models import Playbook


@dataclass(frozen=True)
class Label:
    text: str
    imported: bool


def short_date(moment: datetime.datetime, *, with_time: bool = False) -> str:
    """ "30 Nov" in English, "30. nov." in Danish; with the year when it is not
    this year's, and with the time if asked."""
    local = timezone.localtime(moment)
    if with_time:
        # Translators: a date and time as Django's date filter writes it: "30 Nov, 14:05".
        pattern = _("j M, H:i")
    elif local.year == timezone.localdate().year:
        # Translators: a day and a short month as Django's date filter writes it: "30 Nov".
        pattern = _("j M")
    else:
        # Translators: a short date with its year as Django's date filter writes it.
        pattern = _("j M Y")
    return dateformat.format(local, pattern)


def imported_label(moment: datetime.datetime, *, with_time: bool = False) -> str:
    return _("imported %(date)s") % {"date": short_date(moment, with_time=with_time)}


def _label(playbook: Playbook, *, with_time: bool) -> Label:
    if playbook.imported_at is not None:
        return Label(imported_label(playbook.imported_at, with_time=with_time), imported=True)
    date = short_date(playbook.created_at, with_time=with_time)
    return Label(_("created %(date)s") % {"date": date}, imported=False)


def labels(playbooks: Sequence[Playbook]) -> dict[int, Label]:
    """The label of each playbook that has one, by id. No query."""
    names = Counter(p.name for p in playbooks)
    chosen = {
        p.pk: _label(p, with_time=False)
        for p in playbooks
        if p.imported_at is not None or names[p.name] > 1
    }
    # Same name, same label: the time tells them apart.
    groups: defaultdict[tuple[str, str], list[Playbook]] = defaultdict(list)
    for p in playbooks:
        if p.pk in chosen:
            groups[p.name, chosen[p.pk].text].append(p)
    for same in groups.values():
        if len(same) > 1:
            chosen.update({p.pk: _label(p, with_time=True) for p in same})
    return chosen


def namesakes(playbook: Playbook, user: object) -> int:
    """How many other playbooks this user sees in their list have its name."""
    return (
        Playbook.objects.for_user(user).filter(name=playbook.name).exclude(pk=playbook.pk).count()
    )
