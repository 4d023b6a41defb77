"""Finding P1: a role whose measured verdict was not "net beneficiary" in each
of its last two shown weeks; shown, not counted among the five."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from planner.health import AmbassadorFacts, PlaybookFacts, RoleFacts, check
from planner.overview import fix_url
from pulse.measure import Measured
from pulse.results import RoleResults, Week
from roles.equation import Verdict
from tests.factories import make_answers, make_role

TODAY = datetime.date(2027, 6, 1)
GO_LIVE = datetime.date(2027, 3, 1)
NB, RISK, LOSER = Verdict.NET_BENEFICIARY, Verdict.AT_RISK, Verdict.NET_LOSER


def facts(*measured: tuple[int, Verdict]) -> PlaybookFacts:
    role = RoleFacts(
        pk=1,
        name="Field service",
        headcount=40,
        question="Q?",
        wiifm="A",
        quick_win="W",
        time_balance=Decimal(5),
        ambassadors=(AmbassadorFacts(1, "Mette", True), AmbassadorFacts(2, "Jens", True)),
        measured=tuple(measured),
    )
    other = RoleFacts(
        2, "Sales", 10, "Q2?", "B", "W", Decimal(5), (), (AmbassadorFacts(3, "Ib", True),)
    )
    return PlaybookFacts(GO_LIVE, "Coaching.", "Ranking.", True, (role, other))


def p1(playbook: PlaybookFacts) -> list[Any]:
    return [f for f in check(playbook, TODAY).findings if f.code == "P1"]


@pytest.mark.parametrize(
    ("measured", "found"),
    [
        ((), False),
        (((1, RISK),), False),  # one shown week is not two
        (((1, RISK), (2, LOSER)), True),
        (((1, LOSER), (2, LOSER)), True),
        (((1, RISK), (2, NB)), False),
        (((1, NB), (2, RISK)), False),
        (((1, RISK), (2, RISK), (3, NB)), False),  # the last two count
        (((1, NB), (2, RISK), (5, RISK)), True),  # shown weeks, with weeks 3-4 not shown between
    ],
)
def test_the_rule(measured: tuple[tuple[int, Verdict], ...], found: bool) -> None:
    assert bool(p1(facts(*measured))) is found


def test_it_names_the_role_the_weeks_and_verdicts_and_is_not_counted() -> None:
    report = check(facts((4, NB), (6, RISK), (7, LOSER)), TODAY)
    [finding] = [f for f in report.findings if f.code == "P1"]
    assert finding.subject == "Field service"
    assert finding.detail == "measured at risk in week 6 and net loser in week 7"
    assert finding.title == "A role that does not feel it"
    assert finding.target.kind == "role_results" and finding.target.pk == 1
    assert report.avoided == ["M1", "M2", "M3", "M4", "M5"]
    assert finding in report.further and finding not in report.counted
    assert [code for code, _f in report.by_code()] == ["P1"]


def test_in_danish() -> None:
    with translation.override("da"):
        [finding] = p1(facts((6, RISK), (7, LOSER)))
        assert finding.detail == "målt i risiko i uge 6 og nettotaber i uge 7"
        assert finding.title == "En rolle, der ikke mærker gevinsten"


def test_it_links_to_the_roles_section_since_go_live_for_editors_and_viewers(
    world: Any,
) -> None:
    [finding] = p1(facts((6, RISK), (7, LOSER)))
    expected = reverse("role_detail", args=[world.playbook.pk, 1]) + "#since-go-live"
    assert fix_url(world.playbook, finding, can_edit=True) == expected
    assert fix_url(world.playbook, finding, can_edit=False) == expected


def test_it_agrees_with_what_the_results_page_marks() -> None:
    """The health check's rule and pulse.results' needs_attention, on every
    sequence of three weeks, each shown with a verdict or not shown."""
    balances = {NB: (Decimal(5), 4), RISK: (Decimal(5), 2), LOSER: (Decimal(-5), 2)}
    for weeks in itertools.product([None, NB, RISK, LOSER], repeat=3):
        shown = []
        for number, verdict in enumerate(weeks, start=1):
            measured = None
            if verdict is not None:
                balance, got_back = balances[verdict]
                measured = Measured(number, 5, balance, got_back * 5, Decimal(0))
                assert measured.verdict is verdict
            shown.append(Week(number, measured, 5))
        results = RoleResults(1, 5, False, tuple(shown), Decimal(0))
        found = p1(facts(*((m.week, m.verdict) for m in results.shown)))
        assert bool(found) is results.needs_attention, weeks


def test_on_the_overview_from_the_pulse(world: Any, pulse_day: Any, client_for: Any) -> None:
    """Only shown weeks count: a week with fewer than k answers between two
    shown ones is skipped; a role whose weeks are not shown never has P1."""
    pulse_day.set(GO_LIVE + datetime.timedelta(days=7 * 3 + 1))  # weeks 1-3 closed
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    service = make_role(world.playbook, "Field service", headcount=40)
    make_answers(service, 1, 5, cost=10, saved=0, got_back=4)  # at risk
    make_answers(service, 2, 4, cost=0, saved=10, got_back=5)  # not shown (k = 5)
    make_answers(service, 3, 6, cost=10, saved=0, got_back=1)  # net loser
    hidden = make_role(world.playbook, "Hidden", headcount=40)
    for week in (1, 2, 3):
        make_answers(hidden, week, 4, cost=60, saved=0, got_back=1)
    html = client_for("viewer").get(reverse("playbook_detail", args=[world.playbook.pk]))
    text = html.content.decode()
    assert 'id="finding-P1"' in text
    assert "measured at risk in week 1 and net loser in week 3" in text
    assert "Hidden</span>: measured" not in text
    # Nothing to fix on a form: the owner too is offered to see it.
    owner = client_for("owner").get(reverse("playbook_detail", args=[world.playbook.pk]))
    link = reverse("role_detail", args=[world.playbook.pk, service.pk]) + "#since-go-live"
    assert f'<a href="{link}">See it<span class="visually-hidden">: Field service' in (
        owner.content.decode()
    )


@pytest.mark.parametrize(("answers", "shown"), [(4, False), (5, True)])
def test_the_health_check_swapped_in_after_a_charter_save_keeps_k(
    world: Any, pulse_day: Any, client_for: Any, answers: int, shown: bool
) -> None:
    """The htmx answer to a charter save carries the health check out of band:
    P1 there too only from k answers in each of the two weeks."""
    pulse_day.set(GO_LIVE + datetime.timedelta(days=7 * 3 + 1))
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    role = make_role(world.playbook, "Field service", headcount=40)
    for week in (2, 3):
        make_answers(role, week, answers, cost=30, saved=0, got_back=2)
    response = client_for("editor").post(
        reverse("charter_edit", args=[world.playbook.pk]),
        {"charter-data_used_for": "Coaching.", "charter-data_not_used_for": "Ranking."},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert '<section id="health"' in html
    assert ('id="finding-P1"' in html) is shown
    assert ("measured net loser in week 2 and net loser in week 3" in html) is shown
