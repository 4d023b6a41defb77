"""The overview's "Since go-live" card: from go-live on, how many roles are
shown, which need attention, and the way to the results page."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from actionplan.services import create_default_plan
from tests.factories import make_ambassador, make_answers, make_giveget, make_role

GO_LIVE = datetime.date(2027, 3, 1)


def week_day(week: int) -> datetime.date:
    return GO_LIVE + datetime.timedelta(days=7 * (week - 1) + 1)


@pytest.fixture
def playbook(world: Any, pulse_day: Any) -> Any:
    pulse_day.set(week_day(4))  # weeks 1-3 closed
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    return world.playbook


def overview(client: Any, playbook: Any, **headers: Any) -> str:
    response = client.get(reverse("playbook_detail", args=[playbook.pk]), **headers)
    assert response.status_code == 200
    return response.content.decode()


def card(html: str) -> str | None:
    match = re.search(r'<section id="since-go-live".*?</section>', html, re.S)
    return match.group(0) if match else None


def words(html: str | None) -> str:
    assert html is not None, "no Since go-live card"
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_no_card_before_go_live_or_without_one(
    playbook: Any, client_for: Any, pulse_day: Any
) -> None:
    pulse_day.set(GO_LIVE - datetime.timedelta(days=1))
    assert card(overview(client_for("viewer"), playbook)) is None
    playbook.go_live = None
    playbook.save()
    assert card(overview(client_for("viewer"), playbook)) is None


def test_in_week_1_it_says_when_results_start(
    playbook: Any, client_for: Any, pulse_day: Any
) -> None:
    pulse_day.set(GO_LIVE)
    make_role(playbook, "Sales", headcount=40)  # a playbook with no roles shows first steps
    text = words(card(overview(client_for("viewer"), playbook)))
    assert "Results start after week 1 closes on March 7, 2027." in text


def test_it_counts_the_roles_shown_and_names_those_needing_attention(
    playbook: Any, client_for: Any
) -> None:
    fine = make_role(playbook, "Fine", headcount=40)
    worried = make_role(playbook, "Field service", headcount=40)
    quiet = make_role(playbook, "Quiet", headcount=40)
    small = make_role(playbook, "Legal", headcount=4)
    make_answers(fine, 3, 5, cost=0, saved=30, got_back=4)
    for week in (2, 3):
        make_answers(worried, week, 5, cost=20, saved=0, got_back=2)
    make_answers(quiet, 3, 4)
    make_answers(small, 3, 8)
    html = card(overview(client_for("viewer"), playbook))
    text = words(html)
    assert "Up to week 3: 2 of 4 roles shown." in text
    assert "1 needs attention: Field service" in text
    role_page = reverse("role_detail", args=[playbook.pk, worried.pk]) + "#since-go-live"
    assert f'<a href="{role_page}">Field service</a>' in (html or "")
    assert reverse("results", args=[playbook.pk]) in (html or "")
    assert "A week is shown from 5 answers on, a role from 10 people on." in text


def test_no_role_needs_attention(playbook: Any, client_for: Any) -> None:
    make_answers(make_role(playbook, "Fine", headcount=40), 3, 5, got_back=4)
    text = words(card(overview(client_for("viewer"), playbook)))
    assert "Up to week 3: 1 of 1 role shown." in text
    assert "No role needs attention." in text


@pytest.mark.parametrize(("answers", "shown"), [(4, 0), (5, 1)])
def test_the_threshold_k(playbook: Any, client_for: Any, answers: int, shown: int) -> None:
    role = make_role(playbook, "Sales", headcount=40)
    for week in (2, 3):
        make_answers(role, week, answers, cost=30, saved=0, got_back=2)
    html = overview(client_for("viewer"), playbook)
    assert f"Up to week 3: {shown} of 1 role shown." in words(card(html))
    # Needs attention (P1) in the card and in the health check only when shown.
    assert ("needs attention" in words(card(html))) is bool(shown)
    assert ('id="finding-P1"' in html) is bool(shown)


def test_danish(playbook: Any, client_for: Any) -> None:
    role = make_role(playbook, "Salg", headcount=40)
    for week in (2, 3):
        make_answers(role, week, 5, cost=30, saved=0, got_back=2)
    text = words(card(overview(client_for("viewer"), playbook, HTTP_ACCEPT_LANGUAGE="da")))
    assert "Siden go-live" in text
    assert "Til og med uge 3: 1 af 1 rolle vist." in text
    assert "1 kræver opmærksomhed: Salg" in text


def test_a_cached_overview_never_shows_a_week_not_closed_nor_misses_one(
    playbook: Any, client_for: Any, pulse_day: Any
) -> None:
    role = make_role(playbook, "Sales", headcount=40)
    make_answers(role, 4, 5)  # week 4: open
    client = client_for("viewer")
    assert "Up to week 3: 0 of 1 role shown." in words(card(overview(client, playbook)))
    assert "Up to week 3: 0 of 1 role shown." in words(card(overview(client, playbook)))
    pulse_day.set(week_day(5))  # week 4 closes: the cached fragment is not reused
    assert "Up to week 4: 1 of 1 role shown." in words(card(overview(client, playbook)))


def test_a_change_of_k_changes_the_card_for_weeks_still_open(
    playbook: Any, client_for: Any, pulse_day: Any
) -> None:
    role = make_role(playbook, "Sales", headcount=40)
    make_answers(role, 3, 4)  # closed under k=5
    make_answers(role, 4, 4)  # open
    client = client_for("viewer")
    assert "0 of 1 role shown" in words(card(overview(client, playbook)))
    playbook.refresh_from_db()
    playbook.pulse_k = 4
    playbook.save()
    assert "0 of 1 role shown" in words(card(overview(client, playbook)))  # week 3 keeps k=5
    pulse_day.set(week_day(5))
    assert "Up to week 4: 1 of 1 role shown." in words(card(overview(client, playbook)))


@pytest.mark.parametrize("large", [False, True])
def test_the_query_count_is_fixed(
    world: Any,
    client_for: Any,
    pulse_day: Any,
    django_assert_num_queries: Any,
    large: bool,
) -> None:
    playbook = world.playbook
    weeks = 52 if large else 1
    pulse_day.set(week_day(weeks + 1))
    playbook.go_live = GO_LIVE
    playbook.save()
    create_default_plan(playbook)
    for r in range(40 if large else 1):
        role = make_role(playbook, f"Role {r}", headcount=50)
        for g in range(8 if large else 1):
            make_giveget(role, f"Give {g}")
        make_ambassador(role, f"Person {r}")
        for week in range(1, weeks + 1):
            make_answers(role, week, 30, cost=40, saved=0, got_back=2)
    client = client_for("viewer")
    overview(client, playbook)  # sums up the closed weeks, once
    cache.clear()  # the fragment too
    # session, user, membership with playbook, roles, Give-Gets, ambassadors,
    # steps, tasks, messages (as before the pulse); the pulse's state, week
    # summaries, kept k; the adoption figures
    with django_assert_num_queries(13):
        html = overview(client, playbook)
    assert f"Up to week {weeks}:" in html
    # From the fragment cache: session, user, membership; the steps and their
    # tasks (the reader's own, "Yours", and the header's progress).
    with django_assert_num_queries(5):
        overview(client, playbook)
