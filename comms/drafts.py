"""The default set's titles and texts, drafted from the role's own words
(DESIGN.md "Communications plan and calendar"): its question, its WIIFM
answer, its Give-Gets and its quick win; the open session from the data
charter. In the playbook's language, readable as they are: a part the role
has not written yet is left out, never shown as a hole.

A message stays ``drafted`` (and follows the role's edits) until someone
edits its title or text; ``shown`` is what every reader shows.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats, translation
from django.utils.translation import gettext as _

from givegets.models import GiveGet
from playbooks.models import Playbook
from roles.equation import GiveGetNumbers, balance, format_minutes
from roles.models import Role


@dataclass(frozen=True)
class Draft:
    title: str
    text: str


def _list(heading: str, items: Sequence[str]) -> str:
    """A heading and one line per item, as a manager writes it in an e-mail."""
    return "\n".join([heading, *(f"- {item.strip()}" for item in items)])


def _wiifm(role: Role, givegets: Sequence[GiveGet], minutes: str | None) -> Draft:
    title = _("What’s in it for you: %(role)s and the CRM") % {"role": role.name}
    parts = []
    if role.question.strip():
        parts.append(_("You asked: “%(question)s”") % {"question": role.question.strip()})
    if role.wiifm.strip():
        parts.append(role.wiifm.strip())
    gives = [gg.give for gg in givegets if gg.give.strip()]
    gets = [gg.get for gg in givegets if gg.get.strip()]
    if gives:
        parts.append(_list(_("What we ask of you:"), gives))
    if gets:
        parts.append(_list(_("What you get back:"), gets))
    if minutes is not None:
        parts.append(
            _("By our count that gives each of you %(minutes)s minutes a week back.")
            % {"minutes": minutes}
        )
    parts.append(_("Tell us where it does not hold: in the weekly pulse, or to your ambassadors."))
    return Draft(title, "\n\n".join(parts))


def _quick_win(role: Role, due: datetime.date | None) -> Draft:
    if role.quick_win.strip():
        title = _("Your week-1 quick win: %(win)s") % {"win": role.quick_win.strip()}
        parts = [
            _("From the first week the CRM gives %(role)s this: %(win)s.")
            % {"role": role.name, "win": role.quick_win.strip()}
        ]
        if due is not None:
            parts.append(
                _("It is ready by %(date)s.") % {"date": formats.date_format(due, "DATE_FORMAT")}
            )
    else:
        title = _("Your first week with the CRM, %(role)s") % {"role": role.name}
        parts = [
            _("In the first week we show %(role)s the first thing the CRM does for you.")
            % {"role": role.name}
        ]
    parts.append(_("Try it, and tell your ambassadors what is missing."))
    return Draft(title, "\n\n".join(parts))


def _first_results(role: Role) -> Draft:
    title = _("Two weeks in: what the CRM gives %(role)s so far") % {"role": role.name}
    text = "\n\n".join(
        [
            _(
                "Two weeks after go-live we look at what the CRM has given %(role)s so far: "
                "the minutes it costs you, the minutes it saves you, and what you get back."
            )
            % {"role": role.name},
            _(
                "What does not hold yet, we fix: tell us in the weekly pulse, or to your "
                "ambassadors."
            ),
        ]
    )
    return Draft(title, text)


def _open_session(playbook: Playbook) -> Draft:
    title = _("Open session: what the data is and is not used for")
    parts = [_("Come and ask what happens to the data you put in the CRM.")]
    if playbook.data_used_for.strip():
        parts.append(_("It is used for: %(used)s") % {"used": playbook.data_used_for.strip()})
    if playbook.data_not_used_for.strip():
        parts.append(
            _("It is not used for: %(not_used)s") % {"not_used": playbook.data_not_used_for.strip()}
        )
    if playbook.pledge.strip():
        parts.append(playbook.pledge.strip())
    return Draft(title, "\n\n".join(parts))


def draft(
    kind: str,
    playbook: Playbook,
    role: Role | None,
    givegets: Sequence[GiveGet] = (),
    *,
    quick_win_due: datetime.date | None = None,
) -> Draft:
    """The title and text of a default message, in the playbook's language.
    ``givegets``: the role's, in their order (read by the caller, so that a
    page drafting many messages reads them once)."""
    with translation.override(playbook.language):
        if kind == "open_session" or role is None:
            return _open_session(playbook)
        if kind == "wiifm":
            numbers = [
                GiveGetNumbers(g.minutes_each, g.times_per_week, g.minutes_saved_per_week)
                for g in givegets
            ]
            time_balance = balance(numbers, role.factors, role.headcount).time_balance
            separator = formats.get_format("DECIMAL_SEPARATOR")
            minutes = (
                format_minutes(time_balance, sign=False, decimal_separator=separator)
                if numbers and time_balance > 0
                else None
            )
            return _wiifm(role, givegets, minutes)
        if kind == "quick_win":
            return _quick_win(role, quick_win_due)
        return _first_results(role)
