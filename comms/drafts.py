"""The default set's titles and texts, drafted from the role's own words
(DESIGN.md "Communications plan and calendar"): its question, its WIIFM
answer, its Give-Gets and its quick win; the open session from the data
charter. In the playbook's language, readable as they are: a message a
manager could send without touching it. A part the role has not written yet
is left out, never shown as a hole ("You asked: “”").

A message stays ``drafted`` (and follows the role's edits) until someone
edits its title or text; ``shown`` is what every reader shows (the role page,
the ambassador page, the PDF, the calendar).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats, translation
from django.utils.translation import gettext as _

from comms.models import Message
from givegets.models import GiveGet
from playbooks.models import Playbook
from roles.equation import GiveGetNumbers, balance, format_minutes
from roles.models import Role


@dataclass(frozen=True)
class Draft:
    title: str
    text: str


def _date(day: datetime.date) -> str:
    """A date as the active language writes it: 1 March 2027, 1. marts 2027."""
    return formats.date_format(day, "DATE_FORMAT")


def _bullets(items: Sequence[str]) -> str:
    """One line per item, as a manager writes a list in an e-mail."""
    return "\n".join(f"- {item}" for item in items)


def _giveget_line(giveget: GiveGet) -> str:
    """ "Log each customer meeting → an automatic weekly pipeline report"; the
    give alone while its get is not written yet."""
    give, get = giveget.give.strip(), giveget.get.strip()
    return f"{give} → {get}" if get else give


def _weekly_minutes(role: Role, givegets: Sequence[GiveGet]) -> str | None:
    """The minutes a week the plan gives each person back, when it gives any."""
    numbers = [
        GiveGetNumbers(g.minutes_each, g.times_per_week, g.minutes_saved_per_week) for g in givegets
    ]
    time_balance = balance(numbers, role.factors, role.headcount).time_balance
    if not numbers or time_balance <= 0:
        return None
    separator = formats.get_format("DECIMAL_SEPARATOR")
    return format_minutes(time_balance, sign=False, decimal_separator=separator)


def _wiifm(playbook: Playbook, role: Role, givegets: Sequence[GiveGet]) -> Draft:
    title = _("What’s in it for you: %(role)s and the CRM") % {"role": role.name}
    parts = [_("Hi all,")]
    if playbook.go_live is not None:
        parts.append(
            _("On %(date)s we start working in the CRM. Before we do, here is what it gives you.")
            % {"date": _date(playbook.go_live)}
        )
    question, answer = role.question.strip(), role.wiifm.strip()
    if question and answer:
        parts.append(
            _("You asked us: “%(question)s” Our answer: %(answer)s")
            % {"question": question, "answer": answer}
        )
    elif question:
        parts.append(
            _("You asked us: “%(question)s” We are working on the answer, with you.")
            % {"question": question}
        )
    elif answer:
        parts.append(answer)
    lines = [_giveget_line(gg) for gg in givegets if gg.give.strip()]
    if lines:
        parts.append(
            "\n".join([_("What we ask of you, and what you get back for it:"), _bullets(lines)])
        )
    minutes = _weekly_minutes(role, givegets)
    if minutes is not None:
        parts.append(
            _("By our count that gives each of you about %(minutes)s minutes a week back.")
            % {"minutes": minutes}
        )
    parts.append(
        _(
            "Tell us where this does not hold for you: we would rather hear it now than "
            "after go-live."
        )
    )
    return Draft(title, "\n\n".join(parts))


def _quick_win(role: Role, due: datetime.date | None) -> Draft:
    win = role.quick_win.strip()
    parts = [_("Hi all,")]
    if win:
        title = _("Your week-1 quick win: %(win)s") % {"win": win}
        parts.append(
            _("In your first week the CRM already gives you this: %(win)s.") % {"win": win}
        )
        if due is not None:
            parts.append(_("It is ready for you by %(date)s.") % {"date": _date(due)})
    else:
        title = _("Your first week with the CRM")
        parts.append(
            _(
                "In your first week we show you one thing the CRM does for you straight "
                "away, in your own daily work."
            )
        )
    parts.append(_("Try it in your first days, and tell us what is missing."))
    return Draft(title, "\n\n".join(parts))


def _first_results(role: Role, givegets: Sequence[GiveGet]) -> Draft:
    title = _("Two weeks in: what the CRM has given you so far")
    parts = [
        _("Hi all,"),
        _(
            "We have worked in the CRM for two weeks now. Time to look at what it has "
            "given you so far: the minutes it costs you, the minutes it saves you, and "
            "what you get back."
        ),
    ]
    gets = [gg.get.strip() for gg in givegets if gg.get.strip()]
    if gets:
        parts.append("\n".join([_("What we promised you:"), _bullets(gets)]))
        parts.append(_("Has it reached you? Where it has not yet, we fix it."))
    else:
        parts.append(_("Where it does not pay off for you yet, we fix it."))
    parts.append(_("Tell us in the weekly pulse, or talk to your ambassadors."))
    return Draft(title, "\n\n".join(parts))


def _open_session(playbook: Playbook) -> Draft:
    title = _("Open session: what the data is and is not used for")
    parts = [
        _("Hi all,"),
        _("Come and ask what happens to the data you put in the CRM, and what never does."),
    ]
    if playbook.data_used_for.strip():
        parts.append(_("It is used for: %(used)s") % {"used": playbook.data_used_for.strip()})
    if playbook.data_not_used_for.strip():
        parts.append(
            _("It is not used for: %(not_used)s") % {"not_used": playbook.data_not_used_for.strip()}
        )
    if playbook.pledge.strip():
        parts.append(_("Our promise: %(pledge)s") % {"pledge": playbook.pledge.strip()})
    parts.append(_("No question is too small, and no question is held against anyone."))
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
    page drafting many messages reads them once). A message added by hand
    (no kind) has nothing to draft: blank."""
    with translation.override(playbook.language):
        if kind == Message.Kind.OPEN_SESSION:
            return _open_session(playbook)
        if role is None or kind == Message.Kind.CUSTOM:
            return Draft("", "")
        if kind == Message.Kind.WIIFM:
            return _wiifm(playbook, role, givegets)
        if kind == Message.Kind.QUICK_WIN:
            return _quick_win(role, quick_win_due)
        return _first_results(role, givegets)


def shown(message: Message, givegets: Sequence[GiveGet] = ()) -> Draft:
    """What a message says now: its own title and text once someone edited
    them, or, while it is drafted, the draft from its role as the role reads
    today. ``message.playbook`` (and ``message.role``) should be loaded, and
    ``givegets`` the role's: no query here."""
    if not message.drafted:
        return Draft(message.title, message.text)
    role = message.role
    return draft(
        message.kind,
        message.playbook,
        role,
        givegets,
        quick_win_due=role.quick_win_due_date if role is not None else None,
    )
