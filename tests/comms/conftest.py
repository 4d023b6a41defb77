"""Fixtures for the communications plan's tests: a playbook with two roles,
their ambassadors and a few messages; Danish."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation

from actionplan.services import create_default_plan
from tests.factories import make_ambassador, make_giveget, make_message, make_role

GO_LIVE = datetime.date(2027, 3, 1)  # a Monday


@dataclass
class Plan:
    playbook: Any
    sales: Any
    service: Any
    mette: Any  # an ambassador of Sales
    jonas: Any  # an ambassador of Service
    wiifm: Any  # Sales' drafted "Your WIIFM", following go-live
    kickoff: Any  # to all roles, added by hand, typed date


@pytest.fixture
def plan(world: Any) -> Plan:
    playbook = world.playbook
    playbook.go_live = GO_LIVE
    playbook.data_used_for = "Coaching."
    playbook.save()
    create_default_plan(playbook)
    sales = make_role(
        playbook,
        "Sales",
        headcount=40,
        question="Does it help me close deals faster?",
        wiifm="Lead scoring puts the best customers first.",
        quick_win="Voice notes",
    )
    make_giveget(sales, "Log each meeting", get="A weekly pipeline report")
    service = make_role(playbook, "Service", headcount=12, wiifm="The caller's history.")
    mette = make_ambassador(sales, "Mette Sørensen", email="mette@example.com", influence=5)
    jonas = make_ambassador(service, "Jonas Holm", email="jonas@example.com")
    wiifm = make_message(
        playbook, sales, title="", text="", kind="wiifm", drafted=True, sender_ambassador=mette
    )
    kickoff = make_message(
        playbook,
        None,
        "Kick-off for everyone",
        text="We start on Monday.",
        date=datetime.date(2027, 2, 24),
        channel="meeting",
        sender_member=world.owner,
    )
    return Plan(playbook, sales, service, mette, jonas, wiifm, kickoff)


@pytest.fixture
def danish() -> Iterator[None]:
    """Pages and drafts in Danish."""
    with translation.override("da"):
        yield
