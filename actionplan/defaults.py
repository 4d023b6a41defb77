"""The default action plan: DESIGN.md's seven steps, placed around go-live.

The dates are offsets from go-live, so a step whose dates were never typed
follows go-live wherever it moves. Texts are written in English and
translated with gettext; a playbook gets them in its own language.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

# (start, due) in days from go-live. Steps 1-5 end before go-live, step 6 is
# week 1 (go-live to go-live + 6), step 7 runs twelve weeks from go-live.
OFFSETS: dict[int, tuple[int, int]] = {
    1: (-56, -49),
    2: (-49, -35),
    3: (-42, -28),
    4: (-42, -21),
    5: (-21, -7),
    6: (0, 6),
    7: (0, 83),
}


def default_dates(
    number: int, go_live: datetime.date | None
) -> tuple[datetime.date | None, datetime.date | None]:
    if go_live is None or number not in OFFSETS:
        return None, None
    start, due = OFFSETS[number]
    return go_live + datetime.timedelta(days=start), go_live + datetime.timedelta(days=due)


def _steps() -> list[dict[str, Any]]:
    return [
        {
            "number": 1,
            "title": _("Acknowledge the value gap"),
            "description": _(
                "Say it out loud and publish the pledge: “We ask you for data. In return we "
                "commit to delivering insight and efficiency.”"
            ),
            "tasks": [
                _("Write the value-gap pledge with the sponsor"),
                _("Send the pledge to everyone who will use the CRM"),
                _("Put the pledge on the CRM’s start page"),
            ],
        },
        {
            "number": 2,
            "title": _("Answer WIIFM for every role"),
            "description": _(
                "Write down the question each role asks and answer it in its own words: "
                "one generic message for the whole company answers nobody."
            ),
            "tasks": [
                _("List every role that will work in the CRM"),
                _("Interview two people per role about their daily work"),
                _("Write each role’s WIIFM answer and test it on them"),
            ],
        },
        {
            "number": 3,
            "title": _("Build Give-Gets for every role"),
            "description": _(
                "No give without a get: for every input we ask of a role, a concrete "
                "output it gets back, and a time balance that is not negative."
            ),
            "tasks": [
                _("List every input each role is asked to give, in minutes"),
                _("Pair each give with a get, an owner and a date"),
                _("Fix every role with a negative time balance"),
            ],
        },
        {
            "number": 4,
            "title": _("Recruit ambassadors"),
            "description": _(
                "The most respected people in each department, not the most senior: give "
                "them early access and deep training."
            ),
            "tasks": [
                _("Ask each team who they go to for advice"),
                _("Invite one ambassador per 30 people"),
                _("Give ambassadors early access"),
                _("Complete ambassador training two weeks before go-live"),
            ],
        },
        {
            "number": 5,
            "title": _("Address the Big Brother fear"),
            "description": _(
                "Hold an open session and publish the data charter: what the data is used "
                "for, and what it is not used for."
            ),
            "tasks": [
                _("Write the data charter with management and employee representatives"),
                _("Hold an open question session"),
                _("Publish the data charter"),
            ],
        },
        {
            "number": 6,
            "title": _("Deliver quick wins in week 1"),
            "description": _(
                "One feature per role with an immediate, noticeable improvement in the "
                "first week, not the first month."
            ),
            "tasks": [
                _("Confirm each role’s quick win is ready before go-live"),
                _("Show every quick win in the go-live briefings"),
            ],
        },
        {
            "number": 7,
            "title": _("Close the feedback loop and coach"),
            "description": _(
                "Every input returns value; diagnostic data is used to coach, not to "
                "control. Measure and adjust."
            ),
            "tasks": [
                _("Ask every role each week whether the gets are felt"),
                _("Review adoption per role with the ambassadors"),
                _("Adjust the Give-Gets that do not pay back"),
            ],
        },
    ]


def default_plan(language: str) -> list[dict[str, Any]]:
    """The seven steps with their starter tasks, in ``language``."""
    with translation.override(language):
        return _steps()  # gettext, not gettext_lazy: plain strings, fixed in language
