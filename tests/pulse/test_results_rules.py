"""What the pulse may show (DESIGN.md "Weeks", "The privacy threshold k"),
through ``pulse.results.results_for``, the one reader every page uses."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from pulse import weeks
from pulse.models import KeptThreshold, PulseAnswer, PulseState, WeekSummary
from pulse.results import results_for
from tests.factories import make_playbook, make_role

GO_LIVE = datetime.date(2027, 3, 1)


def day_after(days: int) -> datetime.date:
    return GO_LIVE + datetime.timedelta(days=days)


def answer(
    role: Any, week: int, count: int, *, cost: int = 20, saved: int = 50, got: int = 4
) -> None:
    PulseAnswer.objects.bulk_create(
        PulseAnswer(role=role, week=week, cost_minutes=cost, saved_minutes=saved, got_back=got)
        for _ in range(count)
    )


@pytest.fixture
def sales(db: Any) -> Any:
    playbook = make_playbook(go_live=GO_LIVE)
    return make_role(playbook, "Sales", headcount=40)


def shown_weeks(role: Any, day: datetime.date) -> list[int]:
    role.playbook.refresh_from_db()
    result = results_for(role.playbook, [role], {role.pk: Decimal(30)}, day)[role.pk]
    return [m.week for m in result.shown]


def test_k_minus_one_answers_are_shown_nowhere_and_k_are_shown(sales: Any) -> None:
    answer(sales, 1, 4)
    answer(sales, 2, 5)
    result = results_for(sales.playbook, [sales], {sales.pk: Decimal(30)}, day_after(14))[sales.pk]
    assert [w.shown for w in result.weeks] == [False, True]
    assert result.weeks[0].measured is None
    assert result.last is not None
    assert (result.last.week, result.last.answers, result.last.balance) == (2, 5, Decimal(30))
    assert result.last.gap == 0


def test_an_open_week_shows_nothing_however_many_answered(sales: Any) -> None:
    answer(sales, 1, 60)
    assert shown_weeks(sales, day_after(6)) == []  # week 1's last day: still open
    assert shown_weeks(sales, day_after(7)) == [1]


def test_the_week_closes_at_midnight_in_the_sites_time_zone(
    sales: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sunday 7 March 2027, 23:30 UTC is already Monday 8 March in Copenhagen.
    late = datetime.datetime(2027, 3, 7, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late)
    assert weeks.today() == datetime.date(2027, 3, 8)
    assert weeks.last_closed_week(GO_LIVE, weeks.today()) == 1


def test_a_role_under_twice_k_people_shows_nothing_at_all(sales: Any) -> None:
    sales.headcount = 9  # k = 5: 2k = 10
    sales.save()
    answer(sales, 1, 9)
    result = results_for(sales.playbook, [sales], {}, day_after(7))[sales.pk]
    assert result.too_small
    assert result.shown == []
    sales.headcount = 10
    sales.save()
    assert shown_weeks(sales, day_after(7)) == [1]


def test_a_change_of_k_applies_to_weeks_not_closed_yet(
    sales: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer(sales, 1, 5)
    answer(sales, 2, 5)
    answer(sales, 3, 5)
    monkeypatch.setattr(weeks, "today", lambda: day_after(15))  # weeks 1 and 2 closed
    playbook = sales.playbook
    playbook.pulse_k = 6
    playbook.save()
    assert dict(KeptThreshold.objects.values_list("week", "k")) == {1: 5, 2: 5}
    assert shown_weeks(sales, day_after(15)) == [1, 2]
    assert shown_weeks(sales, day_after(21)) == [1, 2]  # week 3 closed under k = 6
    sales.refresh_from_db()
    answer(sales, 4, 6)
    assert shown_weeks(sales, day_after(28)) == [1, 2, 4]


def test_lowering_k_does_not_reveal_a_closed_week(
    sales: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer(sales, 1, 4)
    monkeypatch.setattr(weeks, "today", lambda: day_after(8))
    playbook = sales.playbook
    playbook.pulse_k = 3
    playbook.save()
    assert shown_weeks(sales, day_after(8)) == []
    answer(sales, 2, 3)
    assert shown_weeks(sales, day_after(14)) == [2]


def test_a_closed_week_is_summed_up_once_and_read_in_a_fixed_number_of_queries(
    sales: Any, django_assert_num_queries: Any
) -> None:
    others = [make_role(sales.playbook, f"Role {n}", headcount=100) for n in range(5)]
    for role in [sales, *others]:
        for number in range(1, 9):
            answer(role, number, 7, cost=number, saved=60)
    roles = [sales, *others]
    results_for(sales.playbook, roles, {}, day_after(60))
    assert WeekSummary.objects.count() == 48
    assert PulseState.objects.get().summarised_through == 8
    with django_assert_num_queries(3):  # the state, the summaries, the kept k
        results = results_for(sales.playbook, roles, {}, day_after(60))
    assert all(len(r.shown) == 8 for r in results.values())
    assert results[sales.pk].last is not None
    assert results[sales.pk].last.balance == Decimal(52)


def post_answer(role: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    from pulse import links

    link = getattr(role, "pulse_link", None) or links.issue(role)
    answer_data = {"cost_minutes": "20", "saved_minutes": "50", "got_back": "4"}
    response = Client().post(reverse("pulse_page", args=[link.token]), answer_data)
    assert response.status_code == 302


def test_the_first_answer_fixes_the_weeks_a_move_of_go_live_cannot_open_or_close_them(
    sales: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(weeks, "today", lambda: day_after(10))  # week 2, open
    answer(sales, 2, 4)
    post_answer(sales)  # the fifth answer of week 2, through the page
    playbook = sales.playbook
    playbook.refresh_from_db()
    assert playbook.pulse_weeks_from == GO_LIVE
    playbook.go_live = GO_LIVE - datetime.timedelta(days=7)  # week 2 would be closed now
    playbook.save()
    assert shown_weeks(sales, day_after(10)) == []  # still open: never shown live
    assert shown_weeks(sales, day_after(14)) == [2]  # closed on its own day
    playbook.go_live = GO_LIVE + datetime.timedelta(days=21)  # later: week 2 not even begun
    playbook.save()
    assert shown_weeks(sales, day_after(14)) == [2]  # a shown week stays shown
    post_answer(sales)  # today is day 10: still week 2 of the pulse, not a reopened week
    assert PulseAnswer.objects.filter(week=2).count() == 6


def test_a_save_of_a_playbook_read_before_the_first_answer_keeps_the_anchor(
    sales: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(weeks, "today", lambda: day_after(3))
    stale = type(sales.playbook).objects.get(pk=sales.playbook.pk)
    post_answer(sales)
    stale.name = "Renamed"
    stale.go_live = day_after(30)
    stale.save()
    stale.refresh_from_db()
    assert (stale.name, stale.pulse_weeks_from, stale.pulse_go_live) == (
        "Renamed",
        GO_LIVE,
        GO_LIVE,
    )


def test_before_the_first_answer_the_pulse_follows_go_live(sales: Any) -> None:
    playbook = sales.playbook
    playbook.go_live = day_after(7)
    playbook.save()
    assert playbook.pulse_weeks_from is None
    assert playbook.pulse_go_live == day_after(7)


def test_needs_attention_after_two_shown_weeks_not_net_beneficiary(sales: Any) -> None:
    answer(sales, 1, 5, cost=60, saved=10, got=2)
    assert not results_for(sales.playbook, [sales], {}, day_after(7))[sales.pk].needs_attention
    answer(sales, 2, 3)  # fewer than k: not shown, so not counted
    answer(sales, 3, 5, cost=60, saved=70, got=2)  # balance +10, felt < 0: at risk
    result = results_for(sales.playbook, [sales], {}, day_after(21))[sales.pk]
    assert [m.week for m in result.shown] == [1, 3]
    assert result.needs_attention
    answer(sales, 4, 5, cost=10, saved=70, got=5)
    assert not results_for(sales.playbook, [sales], {}, day_after(28))[sales.pk].needs_attention


def test_nothing_crosses_between_playbooks(sales: Any) -> None:
    other = make_role(make_playbook(go_live=GO_LIVE, name="Other"), "Sales", headcount=40)
    answer(other, 1, 9, cost=0, saved=99)
    answer(sales, 1, 5, cost=0, saved=10)
    mine = results_for(sales.playbook, [sales], {}, day_after(7))[sales.pk]
    assert mine.last is not None
    assert (mine.last.answers, mine.last.balance) == (5, Decimal(10))


def test_lowering_k_never_reveals_a_closed_week_of_a_team_small_under_its_k(
    sales: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    marketing = make_role(sales.playbook, "Marketing", headcount=6)  # 2k = 10 under k = 5
    answer(marketing, 1, 5)
    answer(marketing, 2, 6)
    monkeypatch.setattr(weeks, "today", lambda: day_after(15))  # weeks 1-2 closed, 3 open
    playbook = sales.playbook
    playbook.pulse_k = 3  # 2k = 6 from week 3 on
    playbook.save()
    marketing.refresh_from_db()
    assert shown_weeks(marketing, day_after(15)) == []
    answer(marketing, 3, 3)
    assert shown_weeks(marketing, day_after(21)) == [3]
