"""pulse.figures.save_one: one week's figure of one role, typed in the results
page's grid. Only closed weeks and roles of at least 2k people; a change made
by someone else since the cell was read is never silently overwritten; two
people creating the same role-week at once meet the unique constraint, which
is answered as a change made meanwhile, never as an error."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.cache import cache

from core import versions
from pulse import figures
from pulse.models import AdoptionFigure
from tests.factories import make_figures, make_role

GO_LIVE = datetime.date(2027, 3, 1)
TODAY = GO_LIVE + datetime.timedelta(days=7 * 6 + 2)  # weeks 1-6 closed, week 7 open


@pytest.fixture
def playbook(world: Any, pulse_day: Any) -> Any:
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    pulse_day.set(TODAY)
    return world.playbook


@pytest.fixture
def sales(playbook: Any) -> Any:
    return make_role(playbook, "Sales", headcount=40)


def save(playbook: Any, role: Any, week: int, active: int | None, read: int | None, **kw: Any):
    return figures.save_one(
        playbook=playbook, role=role, week=week, active=active, read=read, day=TODAY, **kw
    )


def stored(role: Any, week: int) -> int | None:
    return (
        AdoptionFigure.objects.filter(role=role, week=week)
        .values_list("active_users", flat=True)
        .first()
    )


def test_creates_changes_and_clears_with_history(playbook: Any, sales: Any) -> None:
    assert save(playbook, sales, 3, 31, None) == figures.Written(31, changed=True, conflict=False)
    assert stored(sales, 3) == 31
    assert save(playbook, sales, 3, 33, 31) == figures.Written(33, changed=True, conflict=False)
    assert stored(sales, 3) == 33
    assert save(playbook, sales, 3, None, 33) == figures.Written(None, changed=True, conflict=False)
    assert stored(sales, 3) is None
    history = AdoptionFigure.history.filter(role_id=sales.pk, week=3).order_by("history_date")
    assert [(h.history_type, h.active_users) for h in history] == [
        ("+", 31),
        ("~", 33),
        ("-", 33),
    ]


def test_a_write_bumps_the_version_and_fixes_the_weeks_anchor(playbook: Any, sales: Any) -> None:
    assert playbook.pulse_weeks_from is None
    before = versions.version(playbook.pk)
    save(playbook, sales, 2, 20, None)
    assert versions.version(playbook.pk) != before
    playbook.refresh_from_db()
    assert playbook.pulse_weeks_from == GO_LIVE


def test_nothing_to_write_writes_nothing(playbook: Any, sales: Any) -> None:
    make_figures(sales, {3: 31})
    cache.clear()
    before = versions.version(playbook.pk)
    assert save(playbook, sales, 3, 31, 31) == figures.Written(31, changed=False, conflict=False)
    assert save(playbook, sales, 4, None, None) == figures.Written(
        None, changed=False, conflict=False
    )
    assert versions.version(playbook.pk) == before
    assert not AdoptionFigure.history.exists()


class TestSomeoneElseSavedMeanwhile:
    def test_their_value_stands_and_mine_is_refused(self, playbook: Any, sales: Any) -> None:
        make_figures(sales, {3: 35})  # typed by someone else after I read 31
        assert save(playbook, sales, 3, 40, 31) == figures.Written(35, changed=False, conflict=True)
        assert stored(sales, 3) == 35

    def test_created_meanwhile_is_a_conflict_too(self, playbook: Any, sales: Any) -> None:
        make_figures(sales, {3: 35})  # I read an empty week
        assert save(playbook, sales, 3, 40, None).conflict
        assert stored(sales, 3) == 35

    def test_cleared_meanwhile_is_a_conflict_too(self, playbook: Any, sales: Any) -> None:
        assert save(playbook, sales, 3, 40, 31) == figures.Written(
            None, changed=False, conflict=True
        )
        assert stored(sales, 3) is None

    def test_the_same_value_as_theirs_is_no_conflict(self, playbook: Any, sales: Any) -> None:
        make_figures(sales, {3: 35})
        assert save(playbook, sales, 3, 35, 31) == figures.Written(
            35, changed=False, conflict=False
        )

    def test_unchanged_by_me_shows_theirs(self, playbook: Any, sales: Any) -> None:
        make_figures(sales, {3: 35})
        assert save(playbook, sales, 3, 31, 31) == figures.Written(
            35, changed=False, conflict=False
        )
        assert stored(sales, 3) == 35

    def test_save_mine_over_it(self, playbook: Any, sales: Any) -> None:
        make_figures(sales, {3: 35})
        written = save(playbook, sales, 3, 40, 31, overwrite=True)
        assert written == figures.Written(40, changed=True, conflict=False)
        assert stored(sales, 3) == 40


def test_two_people_creating_the_same_week_at_once(
    playbook: Any, sales: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both read an empty week; the other's insert commits between this one's
    look and its insert: the unique constraint refuses it, and the answer is
    a conflict with their value (or no change, when it is the same), not a 500."""
    real = figures._stored
    looks: list[int] = []

    def first_look_misses_the_other(role: Any, week: int) -> Any:
        looks.append(week)
        if len(looks) == 1:
            make_figures(role, {week: 35})  # the other editor's insert, committed now
            return None
        return real(role, week)

    monkeypatch.setattr(figures, "_stored", first_look_misses_the_other)
    written = save(playbook, sales, 3, 40, None)
    assert written == figures.Written(35, changed=False, conflict=True)
    assert stored(sales, 3) == 35
    assert AdoptionFigure.objects.filter(role=sales, week=3).count() == 1

    looks.clear()
    written = save(playbook, sales, 4, 35, None)  # the same value: nothing to choose
    assert written == figures.Written(35, changed=False, conflict=False)

    looks.clear()
    written = save(playbook, sales, 5, 40, None, overwrite=True)  # "save mine over it"
    assert written == figures.Written(40, changed=True, conflict=False)
    assert stored(sales, 5) == 40


@pytest.mark.parametrize("week", [0, 7, 8])
def test_a_week_not_closed_takes_nothing(playbook: Any, sales: Any, week: int) -> None:
    with pytest.raises(ValueError, match="takes no figures"):
        save(playbook, sales, week, 10, None)
    assert not AdoptionFigure.objects.exists()


def test_a_role_under_2k_takes_nothing(playbook: Any) -> None:
    small = make_role(playbook, "Legal", headcount=9)  # 2k = 10
    assert figures.role_refused(small, playbook.pulse_k) is not None
    with pytest.raises(ValueError, match="takes no figures"):
        save(playbook, small, 3, 5, None)
    assert not AdoptionFigure.objects.exists()
