"""Small factories for the test suite: plain functions with sensible defaults."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.contrib.auth import get_user_model

from playbooks.models import Level, Membership, Playbook

_seq = itertools.count(1)


def make_user(username: str | None = None, **fields: Any) -> Any:
    n = next(_seq)
    username = username or f"user{n}"
    fields.setdefault("email", f"{username}@example.com")
    fields.setdefault("password", "correct-horse-battery-staple")
    return get_user_model().objects.create_user(username=username, **fields)


def make_playbook(owner: Any | None = None, **fields: Any) -> Playbook:
    fields.setdefault("name", f"Rollout {next(_seq)}")
    fields.setdefault("crm_system", Playbook.CRM.SALESFORCE)
    playbook = Playbook.objects.create(**fields)
    if owner is not None:
        Membership.objects.create(playbook=playbook, user=owner, level=Level.OWNER)
    return playbook


def add_member(playbook: Playbook, user: Any, level: str) -> Membership:
    return Membership.objects.create(playbook=playbook, user=user, level=level)


def make_role(playbook: Playbook, name: str = "Sales", **fields: Any) -> Any:
    from roles.models import Role

    fields.setdefault("order", playbook.roles.count())
    return Role.objects.create(playbook=playbook, name=name, **fields)


# A role whose people feel the CRM helps them: its five factors perceive +6
# (roles.equation), the scores the tests of a well-planned role use.
SALES_FACTORS = {"unique_data": 4, "speed": 3, "recognition": 2, "friction": 2, "rigidity": 1}


def make_sales_role(playbook: Playbook, name: str = "Sales", **fields: Any) -> Any:
    """A role of 40 people with its five factors scored (``SALES_FACTORS``);
    ``fields`` add to them or override them."""
    return make_role(playbook, name, **{"headcount": 40, **SALES_FACTORS, **fields})


def make_giveget(role: Any, give: str = "Log each customer meeting", **fields: Any) -> Any:
    from decimal import Decimal

    from givegets.models import GiveGet

    fields.setdefault("minutes_each", 5)
    fields.setdefault("times_per_week", Decimal(8))
    fields.setdefault("get", "Automatic weekly pipeline report")
    fields.setdefault("minutes_saved_per_week", 60)
    fields.setdefault("order", role.givegets.count())
    return GiveGet.objects.create(role=role, give=give, **fields)


def make_ambassador(role: Any, name: str = "Mette Sørensen", **fields: Any) -> Any:
    from ambassadors.models import Ambassador

    fields.setdefault("email", f"{name.split()[0].lower()}{next(_seq)}@example.com")
    fields.setdefault("influence", 4)
    return Ambassador.objects.create(playbook=role.playbook, role=role, name=name, **fields)


def make_answers(
    role: Any,
    week: int,
    count: int = 0,
    *,
    answers: list[tuple[int, int, int]] | None = None,
    cost: int = 30,
    saved: int = 60,
    got_back: int = 4,
    comment: str = "",
) -> list[Any]:
    """Pulse answers of one role's week, in one query: ``answers`` as
    (cost, saved, got back) triples, or ``count`` alike ones."""
    from pulse.models import PulseAnswer

    rows = answers if answers is not None else [(cost, saved, got_back)] * count
    return PulseAnswer.objects.bulk_create(
        PulseAnswer(
            role=role, week=week, cost_minutes=c, saved_minutes=s, got_back=g, comment=comment
        )
        for c, s, g in rows
    )


def make_figures(role: Any, figures: dict[int, int]) -> list[Any]:
    """Adoption figures of one role: {week: active users}, in one query (no
    history, no signal: test data, as the pulse's answers are)."""
    from pulse.models import AdoptionFigure

    return AdoptionFigure.objects.bulk_create(
        AdoptionFigure(role=role, week=week, active_users=active)
        for week, active in figures.items()
    )


def make_message(
    playbook: Playbook, role: Any = None, title: str = "Kick-off", **fields: Any
) -> Any:
    """A message of the communications plan: added by hand unless ``kind`` says."""
    from comms.models import Message

    fields.setdefault("text", "We start on Monday.")
    fields.setdefault("order", Message.objects.filter(playbook=playbook).count())
    return Message.objects.create(playbook=playbook, role=role, title=title, **fields)


_WORDS = "Pipeline-overblik sparer tid på møderne, så sælgeren når én kunde mere om ugen. "
_WORD = "Pipelineoverblikkundemøderæøå"


def at_limit(limit: int, start: str = "", *, unbroken: bool = False, lines: bool = False) -> str:
    """A text of exactly ``limit`` characters that the forms and the file keep
    as it is (no space at either end): words, Danish letters among them, with
    a line end (one character) in each sentence when ``lines``; or, when
    ``unbroken``, one word without a space."""
    unit = _WORD if unbroken else _WORDS.replace(". ", ".\n") if lines else _WORDS
    text = start + unit * (limit // len(unit) + 1)
    text = text[:limit]
    return text if not text[-1].isspace() else f"{text[:-1]}x"


def _email_at_limit(n: int) -> str:
    """A valid e-mail address of exactly ``limits.EMAIL`` (254) characters."""
    local = f"{n}".rjust(64, "a")  # a local part's longest
    return f"{local}@{'b' * 63}.{'c' * 63}.{'d' * 58}.dk"


def playbook_at_limits(
    owner: Any | None = None, *, unbroken: bool = False, roles: int = 2
) -> Playbook:
    """A playbook with every text of it at its limit (``core.limits``): its
    roles (with a Give-Get and an ambassador each), its seven steps (with a
    task each) and its messages (the default set, one of its messages edited,
    and one added by hand). ``unbroken``: long texts are one word each."""
    from actionplan.services import create_default_plan
    from comms.models import Message
    from comms.services import create_default_set
    from core import limits

    def text(limit: int, start: str = "", *, lines: bool = False) -> str:
        return at_limit(limit, start, unbroken=unbroken, lines=lines)

    playbook = make_playbook(
        owner,
        name=text(limits.NAME, f"Rollout {next(_seq)} "),
        organisation=text(limits.NAME),
        crm_system=Playbook.CRM.OTHER,
        crm_other=text(limits.SHORT_NAME),
        go_live=datetime.date(2027, 3, 1),
        pledge=text(limits.TEXT, lines=True),
        data_used_for=text(limits.TEXT, lines=True),
        data_not_used_for=text(limits.TEXT, lines=True),
    )
    for n in range(1, roles + 1):
        role = make_sales_role(
            playbook,
            text(limits.SHORT_NAME, f"Role {n} "),
            question=text(limits.LINE),
            wiifm=text(limits.TEXT, lines=True),
            concerns=text(limits.TEXT, lines=True),
            quick_win=text(limits.LINE),
        )
        make_giveget(role, text(limits.LINE), get=text(limits.LINE), owner=text(limits.SHORT_NAME))
        make_ambassador(
            role,
            text(limits.NAME, f"Person {n} "),
            email=_email_at_limit(n),
            department=text(limits.NAME),
            notes=text(limits.TEXT, lines=True),
        )
    for step in create_default_plan(playbook):
        step.title = text(limits.NAME, f"{step.number}. ")
        step.description = text(limits.TEXT, lines=True)
        step.owner = text(limits.SHORT_NAME)
        step.save()
        step.tasks.create(text=text(limits.LINE))
    create_default_set(playbook)
    edited = Message.objects.filter(playbook=playbook).order_by("order").first()
    assert edited is not None
    edited.drafted = False
    edited.title = text(limits.NAME)
    edited.text = text(limits.MESSAGE, lines=True)
    edited.save()
    make_message(
        playbook,
        title=text(limits.NAME),
        text=text(limits.MESSAGE, lines=True),
        sender_text=text(limits.NAME),
    )
    return playbook
