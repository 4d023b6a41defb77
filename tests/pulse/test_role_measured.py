"""The role page's "Since go-live": the plan beside what its people said."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from roles.equation import MINUS
from tests.factories import make_answers, make_giveget, make_role

GO_LIVE = datetime.date(2027, 3, 1)


def week_day(week: int) -> datetime.date:
    return GO_LIVE + datetime.timedelta(days=7 * (week - 1) + 3)


@pytest.fixture
def sales(world: Any, pulse_day: Any) -> Any:
    pulse_day.set(week_day(12))  # weeks 1-11 closed
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    role = make_role(world.playbook, "Sales", headcount=40)
    # Planned: 5 min x 2 given, 40 saved: +30 min
    make_giveget(role, times_per_week=2, minutes_saved_per_week=40)
    return role


def url(role: Any) -> str:
    return reverse("role_detail", args=[role.playbook_id, role.pk])


def section(client: Any, role: Any, **headers: Any) -> str:
    response = client.get(url(role), **headers)
    assert response.status_code == 200
    match = re.search(r'<section id="since-go-live".*?</section>', response.content.decode(), re.S)
    assert match
    return match.group(0)


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def fourteen_answers(role: Any, week: int = 11) -> None:
    """Median -12 (balances -40 ... +30), got back 36 / 14 = 2.57."""
    balances = [-40, -30, -25, -20, -15, -13, -12, -12, -5, 0, 5, 10, 20, 30]
    got = [2, 2, 2, 3, 3, 3, 3, 2, 2, 3, 3, 3, 3, 2]
    make_answers(
        role,
        week,
        answers=[
            (-b if b < 0 else 0, b if b > 0 else 0, g) for b, g in zip(balances, got, strict=True)
        ],
    )


def test_the_line_sets_the_plan_beside_the_last_shown_week(sales: Any, client_for: Any) -> None:
    fourteen_answers(sales)
    html = section(client_for("viewer"), sales)
    assert (
        f"planned +30 min · measured {MINUS}12 min · got back 2.6 of 5 · 14 answers, week 11"
        in words(html)
    )
    assert "net loser" in html  # balance < 0, felt -0.43
    assert 'role="img"' in html and "week 11: −12 min" in html
    assert reverse("results", args=[sales.playbook_id]) in html


def test_in_danish(sales: Any, client_for: Any) -> None:
    fourteen_answers(sales)
    html = section(client_for("viewer"), sales, HTTP_ACCEPT_LANGUAGE="da")
    assert f"planlagt +30 min · målt {MINUS}12 min · udbytte 2,6 af 5 · 14 svar, uge 11" in words(
        html
    )


@pytest.mark.parametrize(("answers", "shown"), [(4, False), (5, True)])
def test_k_minus_one_answers_are_shown_nowhere_k_are(
    sales: Any, client_for: Any, answers: int, shown: bool
) -> None:
    make_answers(sales, 11, answers, cost=0, saved=97)
    html = section(client_for("viewer"), sales)
    assert ("+97 min" in html) is shown
    assert ("No closed week with at least 5 answers yet." in html) is not shown


def test_an_open_week_shows_nothing(sales: Any, client_for: Any) -> None:
    make_answers(sales, 12, 50, cost=0, saved=97)
    html = section(client_for("viewer"), sales)
    assert "97" not in words(html)  # not in an id or a token of a link
    assert "No closed week with at least 5 answers yet." in html


def test_a_small_team_says_why(world: Any, pulse_day: Any, client_for: Any) -> None:
    pulse_day.set(week_day(12))
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    legal = make_role(world.playbook, "Legal", headcount=3)
    make_answers(legal, 11, 6, cost=0, saved=97)
    html = section(client_for("viewer"), legal)
    assert "Fewer than 10 people (2k): a team this small would be identifiable" in html
    assert "97" not in words(html)  # not in an id or a token of a link


def test_before_week_1_closes_and_without_go_live(
    sales: Any, client_for: Any, pulse_day: Any
) -> None:
    pulse_day.set(GO_LIVE + datetime.timedelta(days=2))
    html = section(client_for("viewer"), sales)
    assert "Results start after week 1 closes on March 7, 2027." in html
    sales.playbook.go_live = None
    sales.playbook.save()
    html = section(client_for("viewer"), sales)
    assert "No go-live date yet" in html


def test_a_cached_page_shows_a_week_once_it_closes_and_not_before(
    sales: Any, client_for: Any, pulse_day: Any
) -> None:
    """The page body is cached per playbook version and day; a week closes on
    a date the cache key alone would not tell, so the last closed week is in it."""
    make_answers(sales, 12, 6, cost=0, saved=97)  # week 12 is open
    client = client_for("viewer")
    assert "97" not in words(section(client, sales))
    assert "97" not in words(section(client, sales))  # from the cache
    pulse_day.set(week_day(13))  # week 12 closes
    assert "+97 min" in section(client, sales)
    pulse_day.set(week_day(12))  # back (a test can): week 12 open again, never shown
    assert "97" not in words(section(client, sales))


def test_an_editor_and_the_owner_see_it_too(sales: Any, client_for: Any) -> None:
    fourteen_answers(sales)
    for who in ("editor", "owner"):
        assert f"measured {MINUS}12 min" in words(section(client_for(who), sales))
    assert client_for("outsider").get(url(sales)).status_code == 404


@pytest.mark.parametrize("weeks", [1, 52])
def test_the_query_count_is_fixed(
    world: Any,
    pulse_day: Any,
    client_for: Any,
    django_assert_num_queries: Any,
    weeks: int,
) -> None:
    pulse_day.set(week_day(weeks + 1))
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    role = make_role(world.playbook, "Sales", headcount=40)
    for n in range(30 if weeks > 1 else 1):
        make_giveget(role, f"Give {n}")
    for week in range(1, weeks + 1):
        make_answers(role, week, 30)
    client = client_for("viewer")
    client.get(url(role))  # sums up the closed weeks, once
    cache.clear()  # the fragment too
    # session, user, membership with playbook, the role, its Give-Gets, its
    # next messages, the plan's progress for the header (as before the pulse); then the pulse's
    # state, its week summaries, the kept k; then, outside the cached
    # fragment, "What they said" (planner.comments: the role, the pulse's
    # three, the comments counted per shown week; no comments to read here)
    with django_assert_num_queries(15):
        response = client.get(url(role))
    assert f"week {weeks}" in response.content.decode()
    # From the fragment cache: session, user, membership, the header's
    # progress, and "What they said" (five).
    with django_assert_num_queries(9):
        client.get(url(role))
