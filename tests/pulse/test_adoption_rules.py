"""The rules of adoption figures (DESIGN.md "Adoption figures"): the rate, the
2k rule, finding P2's rule, the combined picture, and the one writer
(closed weeks only, all at once, history, the weeks' anchor, one version bump)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from core import versions
from pulse import figures
from pulse.adoption import (
    AdoptionWeek,
    Picture,
    RoleAdoption,
    adoption_for,
    below_three_times,
    picture,
    rate,
)
from pulse.measure import Measured
from pulse.models import AdoptionFigure
from pulse.results import RoleResults, Week
from tests.factories import make_playbook, make_role

GO_LIVE = datetime.date(2027, 3, 1)  # a Monday
AFTER_SIX = GO_LIVE + datetime.timedelta(days=7 * 6)  # weeks 1-6 closed


@pytest.mark.parametrize(
    ("active", "headcount", "expected"),
    [
        (31, 40, 78),  # 77.5 -> 78: half up
        (1, 8, 13),  # 12.5 -> 13
        (1, 3, 33),
        (2, 3, 67),
        (0, 40, 0),
        (40, 40, 100),
        (45, 40, 113),  # above 100 %: shown, with a warning
        (5, 0, None),  # no people: "—"
    ],
)
def test_rate_is_a_whole_percent_rounded_half_up(
    active: int, headcount: int, expected: int | None
) -> None:
    assert rate(active, headcount) == expected


def _weeks(rates: dict[int, int | None], target: int = 80, last: int = 8) -> list[AdoptionWeek]:
    return [
        AdoptionWeek(week=n, active=rates.get(n), rate=rates.get(n), target=target)
        for n in range(1, last + 1)
    ]


def test_p2_counts_weeks_four_and_later_only() -> None:
    # Under target in weeks 1-3 only: a slow start, not a finding.
    assert not below_three_times(_weeks({1: 10, 2: 20, 3: 30, 4: 85, 5: 90, 6: 95}))
    # Under target in 4, 5 and 6.
    assert below_three_times(_weeks({1: 90, 2: 90, 3: 90, 4: 70, 5: 60, 6: 79}))


def test_p2_takes_the_last_three_weeks_with_figures_skipping_gaps() -> None:
    # Weeks 5 and 7 have no figures: 4, 6, 8 are the last three with figures.
    assert below_three_times(_weeks({4: 50, 6: 50, 8: 50}))
    # The last one back at target: no finding.
    assert not below_three_times(_weeks({4: 50, 6: 50, 8: 80}))
    # Only two weeks with figures from week 4 on: too early to say.
    assert not below_three_times(_weeks({1: 10, 2: 10, 3: 10, 4: 10, 5: 10}))


def test_at_target_is_not_below() -> None:
    week = AdoptionWeek(week=4, active=32, rate=80, target=80)
    assert not week.below
    assert AdoptionWeek(week=4, active=45, rate=113, target=80).over


@pytest.fixture
def playbook(db: Any) -> Any:
    return make_playbook(go_live=GO_LIVE)


def test_adoption_for_reads_closed_weeks_in_one_query(
    playbook: Any, django_assert_num_queries: Any
) -> None:
    sales = make_role(playbook, "Sales", headcount=40)
    service = make_role(playbook, "Service", headcount=20)
    figures.replace(playbook, {(sales.pk, 1): 20, (sales.pk, 6): 31, (service.pk, 2): 19})
    with django_assert_num_queries(1):
        found = adoption_for(playbook, [sales, service], AFTER_SIX)
    assert [w.week for w in found[sales.pk].weeks] == [1, 2, 3, 4, 5, 6]
    assert found[sales.pk].last == AdoptionWeek(week=6, active=31, rate=78, target=80)
    assert found[service.pk].last == AdoptionWeek(week=2, active=19, rate=95, target=80)
    assert [w.week for w in found[sales.pk].with_figures] == [1, 6]


def test_no_query_before_week_one_closes(playbook: Any, django_assert_num_queries: Any) -> None:
    sales = make_role(playbook, "Sales", headcount=40)
    with django_assert_num_queries(0):
        found = adoption_for(playbook, [sales], GO_LIVE + datetime.timedelta(days=6))
    assert found[sales.pk].weeks == ()
    assert found[sales.pk].last is None


def test_a_role_under_two_k_shows_no_figures_even_if_it_had_some(playbook: Any) -> None:
    sales = make_role(playbook, "Sales", headcount=40)
    figures.replace(playbook, {(sales.pk, 4): 10, (sales.pk, 5): 10, (sales.pk, 6): 10})
    sales.headcount = 9  # k = 5: fewer than 10 people now
    sales.save()
    found = adoption_for(playbook, [sales], AFTER_SIX)[sales.pk]
    assert found.too_small
    assert found.last is None
    assert not found.needs_attention


def test_a_figure_of_a_week_not_closed_is_not_shown(playbook: Any) -> None:
    sales = make_role(playbook, "Sales", headcount=40)
    AdoptionFigure.objects.create(role=sales, week=7, active_users=30)
    assert adoption_for(playbook, [sales], AFTER_SIX)[sales.pk].last is None


def test_week_refused_says_why(playbook: Any) -> None:
    assert figures.week_refused(playbook, 6, AFTER_SIX) is None
    assert figures.week_refused(playbook, 0, AFTER_SIX) == "Weeks start at 1, the week of go-live."
    refused = figures.week_refused(playbook, 7, AFTER_SIX)
    assert refused == ("Week 7 is not over until April 18, 2027: figures come for closed weeks.")
    playbook.go_live = None
    assert figures.week_refused(playbook, 1, AFTER_SIX) == (
        "Set a go-live date first: the weeks count from it."
    )


def test_role_refused_under_two_k(playbook: Any) -> None:
    small = make_role(playbook, "Legal", headcount=9)
    assert figures.role_refused(small, 5) == (
        "Legal has fewer than 10 people: its figures would point at people, so it takes none."
    )
    assert figures.role_refused(small, 3) is None


def test_replace_keeps_one_row_per_week_and_records_each_change(playbook: Any) -> None:
    sales = make_role(playbook, "Sales", headcount=40)
    saved = figures.replace(playbook, {(sales.pk, 3): 29, (sales.pk, 4): 30})
    assert (saved.created, saved.changed, saved.unchanged) == (2, 0, 0)
    saved = figures.replace(playbook, {(sales.pk, 3): 31, (sales.pk, 4): 30})
    assert (saved.created, saved.changed, saved.unchanged) == (0, 1, 1)
    assert dict(AdoptionFigure.objects.values_list("week", "active_users")) == {3: 31, 4: 30}
    week_3 = AdoptionFigure.history.filter(role_id=sales.pk, week=3).order_by("history_id")
    assert [(r.history_type, r.active_users) for r in week_3] == [("+", 29), ("~", 31)]


def test_replace_locks_the_roles_without_holding_up_a_pulse_answer(playbook: Any) -> None:
    """Its roles, locked in one order, FOR NO KEY UPDATE on PostgreSQL: a
    first pulse answer (a key-share lock on its role, then the playbook's
    row) is not held up while this waits for the playbook's row, a deadlock
    otherwise. SQLite takes no row locks (its writes are serialised)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sales = make_role(playbook, "Sales", headcount=40)
    with CaptureQueriesContext(connection) as queries:
        figures.replace(playbook, {(sales.pk, 3): 29})
    reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "roles_role"."id" AS "pk"')]
    locks = [sql for sql in reads if "pulse_adoptionfigure" not in sql]
    assert len(locks) == 1, reads
    if connection.vendor == "postgresql":
        assert locks[0].endswith("FOR NO KEY UPDATE"), locks
    else:
        assert "FOR " not in locks[0], locks
    assert AdoptionFigure.objects.get(role=sales, week=3).active_users == 29


def test_the_first_figure_fixes_the_weeks_anchor(playbook: Any) -> None:
    sales = make_role(playbook, "Sales", headcount=40)
    figures.replace(playbook, {(sales.pk, 2): 20})
    playbook.refresh_from_db()
    assert playbook.pulse_weeks_from == GO_LIVE
    playbook.go_live = GO_LIVE + datetime.timedelta(days=14)
    playbook.save()
    playbook.refresh_from_db()
    assert playbook.pulse_go_live == GO_LIVE  # week 2 keeps its meaning


def test_a_write_bumps_the_version_once_and_nothing_when_unchanged(
    playbook: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sales = make_role(playbook, "Sales", headcount=40)
    bumped: list[int] = []
    monkeypatch.setattr(versions, "bump", bumped.append)
    figures.replace(playbook, {(sales.pk, week): 20 for week in range(1, 7)})
    assert bumped == [playbook.pk]
    figures.replace(playbook, {(sales.pk, week): 20 for week in range(1, 7)})
    assert bumped == [playbook.pk]


def test_clear_removes_the_figure_and_keeps_its_history(playbook: Any) -> None:
    sales = make_role(playbook, "Sales", headcount=40)
    figures.replace(playbook, {(sales.pk, 3): 29})
    assert figures.clear(playbook, sales, 3)
    assert not figures.clear(playbook, sales, 3)
    assert not AdoptionFigure.objects.exists()
    assert [r.history_type for r in AdoptionFigure.history.order_by("history_id")] == ["+", "-"]


def _pulse(verdict_balance: int, got_back_total: int) -> RoleResults:
    measured = Measured(
        week=6,
        answers=10,
        balance=Decimal(verdict_balance),
        got_back_total=got_back_total,
        planned=Decimal(30),
    )
    return RoleResults(
        role_id=1, k=5, too_small=False, weeks=(Week(6, measured, 5),), planned=Decimal(30)
    )


def _adoption(rate_: int) -> RoleAdoption:
    return RoleAdoption(
        role_id=1,
        headcount=40,
        target=80,
        k=5,
        too_small=False,
        weeks=(AdoptionWeek(week=6, active=rate_, rate=rate_, target=80),),
    )


def test_the_combined_picture() -> None:
    feeling, not_feeling = _pulse(30, 40), _pulse(-30, 20)
    assert picture(feeling, _adoption(85)) is Picture.BOTH
    assert picture(not_feeling, _adoption(85)) is Picture.ADOPTING_NOT_FEELING
    assert picture(feeling, _adoption(50)) is Picture.FEELING_NOT_ADOPTING
    assert picture(not_feeling, _adoption(50)) is Picture.NEITHER
    nothing = RoleAdoption(role_id=1, headcount=40, target=80, k=5, too_small=False, weeks=())
    assert picture(feeling, nothing) is None
