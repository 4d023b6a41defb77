"""Steps out of order: typed dates that go-live left behind (actionplan.order)."""

from __future__ import annotations

import datetime

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from actionplan.defaults import default_dates
from actionplan.order import Dated, Kind, Problem, before_go_live, date_problems

D = datetime.date
GO_LIVE = D(2027, 3, 1)


def defaults(go_live: datetime.date = GO_LIVE) -> list[Dated]:
    return [Dated(n, *default_dates(n, go_live)) for n in range(1, 8)]


def with_step(steps: list[Dated], number: int, start: D | None, due: D | None) -> list[Dated]:
    return [Dated(number, start, due) if s.number == number else s for s in steps]


def test_the_default_plan_is_in_order() -> None:
    assert date_problems(defaults(), GO_LIVE) == {}


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 1, 1)))
def test_the_default_plan_is_in_order_whatever_go_live(go_live: datetime.date) -> None:
    assert date_problems(defaults(go_live), go_live) == {}


def test_the_issues_step_3_left_behind_when_go_live_moved() -> None:
    # Step 3 typed for go-live 1 March; go-live then moved four weeks later.
    later = GO_LIVE + datetime.timedelta(weeks=4)
    steps = with_step(defaults(later), 3, D(2027, 1, 18), D(2027, 2, 1))
    # Step 1 now 8 Feb-15 Feb, step 2 15 Feb-1 Mar.
    problems = date_problems(steps, later)
    assert problems[3] == [
        Problem(Kind.STARTS_BEFORE, step=1),
        Problem(Kind.DUE_BEFORE, step=1),
    ]
    assert problems[1] == [Problem(Kind.STARTS_AFTER, step=3), Problem(Kind.DUE_AFTER, step=3)]
    assert problems[2] == [Problem(Kind.STARTS_AFTER, step=3), Problem(Kind.DUE_AFTER, step=3)]
    assert set(problems) == {1, 2, 3}  # step 4 starts with step 3 by default: not before it


def test_a_step_names_the_earliest_step_before_it_and_the_latest_after_it() -> None:
    steps = with_step(defaults(), 5, D(2026, 12, 1), D(2026, 12, 2))  # before everything
    problems = date_problems(steps, GO_LIVE)
    assert problems[5][0] == Problem(Kind.STARTS_BEFORE, step=1)
    assert problems[5][1] == Problem(Kind.DUE_BEFORE, step=1)
    for earlier in (1, 2, 3, 4):
        assert Problem(Kind.STARTS_AFTER, step=5) in problems[earlier]


def test_only_the_date_out_of_order_is_named() -> None:
    # Step 2 ends before step 1 ends, but starts after it.
    one_start, one_due = default_dates(1, GO_LIVE)
    assert one_start and one_due
    day = datetime.timedelta(days=1)
    steps = with_step(defaults(), 2, one_start + day, one_due - day)
    problems = date_problems(steps, GO_LIVE)
    assert problems == {
        1: [Problem(Kind.DUE_AFTER, step=2)],
        2: [Problem(Kind.DUE_BEFORE, step=1)],
    }


def test_equal_dates_are_in_order() -> None:
    # Step 2 on the very days of step 3: neither starts nor ends before the other.
    assert date_problems(with_step(defaults(), 2, *default_dates(3, GO_LIVE)), GO_LIVE) == {}


def test_steps_1_to_5_due_after_go_live_say_so() -> None:
    for number in range(1, 6):
        assert before_go_live(number)
        start = GO_LIVE + datetime.timedelta(days=number)
        steps = [Dated(number, start, start + datetime.timedelta(days=1))]
        assert date_problems(steps, GO_LIVE) == {
            number: [Problem(Kind.DUE_AFTER_GO_LIVE, date=GO_LIVE)]
        }
    on_go_live = [Dated(5, GO_LIVE - datetime.timedelta(days=3), GO_LIVE)]
    assert date_problems(on_go_live, GO_LIVE) == {}


def test_steps_6_and_7_may_run_after_go_live() -> None:
    assert not before_go_live(6) and not before_go_live(7)
    far = GO_LIVE + datetime.timedelta(days=200)
    assert date_problems([Dated(6, far, far), Dated(7, far, far)], GO_LIVE) == {}


def test_missing_dates_and_go_live_are_not_compared() -> None:
    steps = [Dated(1, None, None), Dated(2, D(2027, 1, 1), None), Dated(3, None, D(2026, 1, 1))]
    assert date_problems(steps, None) == {}
    assert date_problems(defaults(), None) == {}


def test_missing_steps_are_skipped() -> None:
    steps = [s for s in defaults() if s.number != 2]
    assert date_problems(steps, GO_LIVE) == {}
    steps = with_step(steps, 3, *default_dates(1, GO_LIVE))
    steps = with_step(steps, 1, *default_dates(4, GO_LIVE))
    assert date_problems(steps, GO_LIVE)[3][0] == Problem(Kind.STARTS_BEFORE, step=1)


def test_the_problems_in_words_in_each_language() -> None:
    with translation.override("en"):
        assert str(Problem(Kind.STARTS_BEFORE, step=1)) == "Starts before step 1"
        assert str(Problem(Kind.STARTS_AFTER, step=3)) == "Starts after step 3"
        assert str(Problem(Kind.DUE_BEFORE, step=2)) == "Due before step 2"
        assert str(Problem(Kind.DUE_AFTER, step=3)) == "Due after step 3"
        assert str(Problem(Kind.DUE_AFTER_GO_LIVE, date=GO_LIVE)) == (
            "Due after go-live (March 1, 2027)"
        )
