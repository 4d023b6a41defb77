"""Adoption in the PDFs: the playbook's "Since go-live" section lists each
role's last adoption rate against its target and finding P2; the one-pager's
"Since go-live" line gives the role's rate."""

from __future__ import annotations

from typing import Any

import pytest

from planner import pdf
from playbooks.models import Playbook
from tests.factories import make_figures, make_giveget, make_playbook, make_role, make_user
from tests.pulse.answers import answer, go_live_with_closed_weeks
from tests.pulse.test_pdf_since_go_live import since_section, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def playbook(db: Any) -> Playbook:
    return make_playbook(
        make_user("lea"), go_live=go_live_with_closed_weeks(6), language="en", pulse_k=5
    )


def role(playbook: Playbook, name: str, headcount: int = 40, **figures: int) -> Any:
    made = make_role(playbook, name, headcount=headcount)
    make_giveget(made)
    make_figures(made, {int(week.removeprefix("w")): n for week, n in figures.items()})
    return made


def test_the_section_gives_each_roles_rate_against_target_and_p2(playbook: Playbook) -> None:
    sales = role(playbook, "Sales", w4=36, w5=38, w6=42)  # 105 % in week 6
    answer(sales, 6, 5, cost=0, saved=60)
    role(playbook, "Service", headcount=25, w4=15, w5=16, w6=18)  # 60, 64, 72 %: P2
    role(playbook, "Field", headcount=30)  # no figures yet
    role(playbook, "Legal", headcount=6, w6=5)  # under 2k: never shown
    section = since_section(pdf.playbook_document(playbook).content)
    assert "Adoption How many of each role’s people used the CRM" in section
    assert (
        "Sales 40 people 42 week 6 105 % 80 % above 100 %: the headcount may be out of date"
        in section
    )
    assert "Service 25 people 18 week 6 72 % 80 % P2 below target three weeks running" in section
    assert "Field: no adoption figures yet." in section
    assert "Legal: fewer than 10 people in the role, so it takes no adoption figures" in section
    assert "Legal 6 people" not in section
    # P2 among the further findings too.
    text = text_of(pdf.playbook_document(playbook).content)
    assert "P2 A role that does not use it" in text


def test_figures_alone_give_the_section(playbook: Playbook) -> None:
    role(playbook, "Sales", w3=30)  # no pulse week shown anywhere
    section = since_section(pdf.playbook_document(playbook).content)
    assert "Sales 40 people 30 week 3 75 % 80 % —" in section
    assert "Sales: fewer than 5 answers in every closed week." in section


def test_no_week_shown_no_section(playbook: Playbook) -> None:
    role(playbook, "Sales")
    role(playbook, "Legal", headcount=6, w3=5)  # under 2k: not shown, so no section
    assert "Since go-live" not in text_of(pdf.playbook_document(playbook).content)


def test_the_one_pager_gives_the_rate(playbook: Playbook) -> None:
    sales = role(playbook, "Sales", w4=30, w5=30, w6=31)
    answer(sales, 6, 5, cost=0, saved=60)
    text = text_of(pdf.one_pager_document(playbook, sales.pk).content)
    assert (
        "Since go-live: planned +20 min · measured +60 min · got back 4.0 of 5 · "
        "5 answers, week 6 · net beneficiary · adoption 78 % of 80 %, week 6 · "
        "below target three weeks running (P2)"
    ) in text
    quiet = role(playbook, "Service", w2=20)  # figures, no pulse week
    text = text_of(pdf.one_pager_document(playbook, quiet.pk).content)
    assert "Since go-live: adoption 50 % of 80 %, week 2" in text


def test_the_one_pager_warns_above_100_percent(playbook: Playbook) -> None:
    sales = role(playbook, "Sales", w6=48)  # 120 % of 40 people
    text = text_of(pdf.one_pager_document(playbook, sales.pk).content)
    assert (
        "Since go-live: adoption 120 % of 80 %, week 6 (above 100 %: the headcount may be "
        "out of date)"
    ) in text
