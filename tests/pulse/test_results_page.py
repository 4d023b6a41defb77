"""The results page, /playbooks/<id>/results/ (DESIGN.md "The results page and
the health check"): each role's measured Net Beneficiary beside its plan,
only for closed weeks with at least k answers, never for a team under 2k."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from pulse.models import KeptThreshold
from roles.equation import MINUS
from tests.factories import make_answers, make_giveget, make_playbook, make_role

GO_LIVE = datetime.date(2027, 3, 1)  # a Monday; week 1 is March 1-7


def week_day(week: int, offset: int = 2) -> datetime.date:
    """A day inside week ``week`` (weeks 1 … week - 1 are closed then)."""
    return GO_LIVE + datetime.timedelta(days=7 * (week - 1) + offset)


@pytest.fixture
def playbook(world: Any, pulse_day: Any) -> Any:
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    pulse_day.set(week_day(4))  # weeks 1-3 closed, week 4 open
    return world.playbook


@pytest.fixture
def sales(playbook: Any) -> Any:
    role = make_role(playbook, "Sales", headcount=40)
    make_giveget(role)  # 5 min x 8 given, 60 saved: planned +20 min
    return role


def url(playbook: Any) -> str:
    return reverse("results", args=[playbook.pk])


def page(client_for: Any, playbook: Any, who: str = "viewer") -> str:
    response = client_for(who).get(url(playbook))
    assert response.status_code == 200
    return response.content.decode()


def row(html: str, role: Any) -> str:
    match = re.search(rf'<tr id="role-{role.pk}".*?</tr>', html, re.S)
    assert match, f"no row for {role.name}"
    return match.group(0)


def text(html: str) -> str:
    """The words of some HTML, as a reader sees them (the SVG's description too)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


class TestAccess:
    def test_anonymous_is_sent_to_log_in(self, playbook: Any, client_for: Any) -> None:
        response = client_for("anonymous").get(url(playbook))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_an_outsider_gets_404(self, playbook: Any, client_for: Any) -> None:
        assert client_for("outsider").get(url(playbook)).status_code == 404

    @pytest.mark.parametrize("who", ["viewer", "editor", "owner"])
    def test_every_member_sees_it(
        self, playbook: Any, sales: Any, client_for: Any, who: str
    ) -> None:
        make_answers(sales, 3, 5)
        html = page(client_for, playbook, who)
        assert "Since go-live" in html
        assert f'aria-current="page" href="{url(playbook)}"' in html  # the tab
        assert "+30 min" in row(html, sales)

    def test_the_tab_is_in_every_playbook_page(self, playbook: Any, client_for: Any) -> None:
        html = client_for("viewer").get(reverse("matrix", args=[playbook.pk])).content.decode()
        assert f'href="{url(playbook)}">Results</a>' in html

    def test_another_playbooks_results_never_show(
        self, world: Any, playbook: Any, sales: Any, client_for: Any
    ) -> None:
        other = make_playbook(world.owner, name="Other rollout", go_live=GO_LIVE)
        theirs = make_role(other, "Their sales", headcount=40)
        make_answers(theirs, 3, 9, cost=30, saved=777)
        make_answers(sales, 3, 5)
        html = page(client_for, playbook)
        assert "Their sales" not in html and "777 min" not in html
        assert "+30 min" in row(html, sales)
        # ... and the other playbook's page shows its own, not ours.
        mine = page(client_for, other, "owner")
        assert "+747 min" in row(mine, theirs)
        assert ">Sales</a>" not in mine and "+30 min" not in mine


class TestTheThresholdK:
    def test_k_minus_one_answers_show_nothing(
        self, playbook: Any, sales: Any, client_for: Any
    ) -> None:
        make_answers(sales, 3, 4, cost=0, saved=99)
        html = row(page(client_for, playbook), sales)
        assert "No closed week with at least 5 answers yet." in html
        assert "+99" not in html and "99 min" not in html and "<svg" not in html

    def test_k_answers_are_shown(self, playbook: Any, sales: Any, client_for: Any) -> None:
        make_answers(sales, 3, 5, cost=0, saved=99, got_back=4)
        html = row(page(client_for, playbook), sales)
        assert "+99 min" in html and "week 3" in html
        assert "4.0 of 5" in html
        assert ">5<" in html  # answers
        assert "+79 min" in html  # gap: 99 - 20

    def test_an_open_week_shows_nothing_however_many_answers(
        self, playbook: Any, sales: Any, client_for: Any
    ) -> None:
        make_answers(sales, 4, 50, cost=0, saved=99)  # week 4 is still open
        html = page(client_for, playbook)
        assert "+99" not in html and "99 min" not in html  # not a random token's digits
        assert "No closed week with at least 5 answers yet." in row(html, sales)

    def test_a_role_under_2k_people_says_why_and_shows_nothing(
        self, playbook: Any, client_for: Any
    ) -> None:
        small = make_role(playbook, "Legal", headcount=9)  # 2k = 10
        make_answers(small, 3, 9, cost=0, saved=99)
        html = row(page(client_for, playbook), small)
        assert "Fewer than 10 people (2k): a team this small would be identifiable" in html
        assert "+99" not in html and "99 min" not in html  # not a random token's digits

    def test_the_page_states_k_and_the_rules(self, playbook: Any, client_for: Any) -> None:
        playbook.pulse_k = 7
        playbook.save()
        html = text(page(client_for, playbook))
        assert (
            "Shown only for weeks that are over and had at least 7 answers (k), and only for "
            "roles of at least 14 people (2k); a change of k applies to weeks not closed yet."
        ) in html

    def test_a_change_of_k_applies_only_to_weeks_not_closed_yet(
        self, playbook: Any, sales: Any, client_for: Any, pulse_day: Any
    ) -> None:
        make_answers(sales, 2, 4, saved=71)  # closed under k=5: never shown
        make_answers(sales, 3, 5, saved=72)  # closed under k=5: shown
        make_answers(sales, 4, 4, saved=73)  # open now
        make_answers(sales, 5, 7, saved=74)  # open now
        playbook.refresh_from_db()
        playbook.pulse_k = 3
        playbook.save()
        assert set(KeptThreshold.objects.values_list("week", "k")) == {(1, 5), (2, 5), (3, 5)}
        pulse_day.set(week_day(6))  # weeks 4 and 5 closed under k=3
        html = text(page(client_for, playbook))
        assert "week 2: not shown" in html  # 4 answers, closed under k=5
        assert "week 3: +42 min" in html
        assert "week 4: +43 min" in html  # 4 answers, closed under k=3
        playbook.refresh_from_db()
        playbook.pulse_k = 8
        playbook.save()
        pulse_day.set(week_day(7))  # week 6 closes under k=8
        make_answers(sales, 6, 7, saved=75)
        html = text(page(client_for, playbook))
        assert "week 4: +43 min" in html and "week 5: +44 min" in html  # kept k=3
        assert "week 6: not shown" in html  # 7 answers < 8
        assert "+45 min" not in html


class TestFigures:
    """DESIGN.md "Measured Net Beneficiary": the median of saved - cost, the
    exact mean of question 3, shown with the plan's rounding and U+2212."""

    def test_an_odd_count_takes_the_middle_value(
        self, playbook: Any, sales: Any, client_for: Any
    ) -> None:
        # balances -30, -20, -12, 50, 60 -> median -12 (not the mean, +9.6)
        make_answers(
            sales,
            3,
            answers=[(30, 0, 2), (20, 0, 2), (12, 0, 2), (0, 50, 3), (0, 60, 3)],
        )
        html = row(page(client_for, playbook), sales)
        assert f"{MINUS}12 min" in html
        assert f"{MINUS}32 min" in html  # gap: -12 - 20
        assert "2.4 of 5" in html
        assert "net loser" in html  # balance < 0 and felt -0.6
        assert "9.6" not in html

    def test_an_even_count_takes_the_mean_of_the_two_middle_values(
        self, playbook: Any, sales: Any, client_for: Any
    ) -> None:
        # balances -30, -20, -13, -12, 20, 40 -> (-13 + -12) / 2 = -12.5
        make_answers(
            sales,
            3,
            answers=[(30, 0, 4), (20, 0, 4), (13, 0, 4), (12, 0, 4), (0, 20, 4), (0, 40, 4)],
        )
        html = row(page(client_for, playbook), sales)
        assert f"{MINUS}12.5 min" in html
        assert "at risk" in html  # balance < 0, felt +1

    def test_a_mean_of_3_04_shows_3_0_and_still_counts_as_felt(
        self, playbook: Any, sales: Any, client_for: Any
    ) -> None:
        make_answers(sales, 3, answers=[(10, 10, 3)] * 24 + [(10, 10, 4)])  # 76 / 25 = 3.04
        html = row(page(client_for, playbook), sales)
        assert "3.0 of 5" in html
        assert "net beneficiary" in html  # balance 0, felt +0.04 > 0

    def test_a_mean_of_2_96_shows_3_0_and_is_not_felt(
        self, playbook: Any, sales: Any, client_for: Any
    ) -> None:
        make_answers(sales, 3, answers=[(10, 10, 3)] * 24 + [(10, 10, 2)])  # 74 / 25 = 2.96
        html = row(page(client_for, playbook), sales)
        assert "3.0 of 5" in html
        assert "at risk" in html

    def test_danish_figures(self, playbook: Any, sales: Any, client_for: Any) -> None:
        # balances -20, -14, -13, -12, 0, 5 -> -12.5; got back 17 / 6
        make_answers(
            sales,
            3,
            answers=[(20, 0, 3), (14, 0, 3), (13, 0, 3), (12, 0, 2), (0, 0, 3), (0, 5, 3)],
        )
        client = client_for("viewer")
        html = client.get(url(playbook), HTTP_ACCEPT_LANGUAGE="da").content.decode()
        assert "Siden go-live" in html
        assert f"{MINUS}12,5 min" in row(html, sales)
        assert "2,8 af 5" in row(html, sales)

    def test_the_trend_has_gaps_for_weeks_not_shown_and_the_plan_as_a_line(
        self, playbook: Any, sales: Any, client_for: Any, pulse_day: Any
    ) -> None:
        pulse_day.set(week_day(6))  # weeks 1-5 closed
        for week, saved in [(1, 40), (2, 50), (4, 70), (5, 80)]:
            make_answers(sales, week, 5, cost=0, saved=saved)
        make_answers(sales, 3, 4, cost=0, saved=0)  # not shown: a gap, not a zero
        html = row(page(client_for, playbook), sales)
        svg = re.search(r"<svg.*?</svg>", html, re.S)
        assert svg
        chart = svg.group(0)
        assert 'role="img"' in chart
        assert f'aria-labelledby="trend-{sales.pk}-title trend-{sales.pk}-desc"' in chart
        assert (
            "Planned +20 min. week 1: +40 min; week 2: +50 min; week 3: not shown; "
            "week 4: +70 min; week 5: +80 min."
        ) in chart
        # Two runs of weeks (1-2 and 4-5), each its own path: no line through week 3.
        assert len(re.findall(r"<path ", chart)) == 2
        assert 'stroke-dasharray="3 3"' in chart  # the plan


class TestStagesAndOrder:
    def test_with_no_go_live(self, world: Any, pulse_day: Any, client_for: Any) -> None:
        pulse_day.set(GO_LIVE)
        role = make_role(world.playbook, "Sales", headcount=40)
        html = page(client_for, world.playbook)
        assert "No go-live date yet: results start once it is set" in row(html, role)

    @pytest.mark.parametrize("days", [-10, 0, 6])  # before go-live; week 1's first and last day
    def test_before_week_1_closes(
        self, playbook: Any, sales: Any, client_for: Any, pulse_day: Any, days: int
    ) -> None:
        make_answers(sales, 1, 20, saved=99)
        pulse_day.set(GO_LIVE + datetime.timedelta(days=days))
        html = page(client_for, playbook)
        assert "Results start after week 1 closes on March 7, 2027." in row(html, sales)
        assert "+99" not in html and "99 min" not in html  # not a random token's digits

    def test_roles_needing_attention_first_then_the_largest_negative_gap(
        self, playbook: Any, client_for: Any
    ) -> None:
        names = ["Fine", "Slightly below", "Far below", "Twice not felt", "Nothing yet"]
        roles = {name: make_role(playbook, name, headcount=40) for name in names}
        make_answers(roles["Fine"], 3, 5, cost=0, saved=30)  # gap +30
        make_answers(roles["Slightly below"], 3, 5, cost=5, saved=0)  # gap -5
        make_answers(roles["Far below"], 3, 5, cost=50, saved=0)  # gap -50
        for week in (2, 3):  # at risk twice: finding P1, although its gap is -1
            make_answers(roles["Twice not felt"], week, 5, cost=1, saved=0, got_back=4)
        html = page(client_for, playbook)
        order = re.findall(r'<tr id="role-(\d+)"', html)
        assert [int(pk) for pk in order] == [
            roles[name].pk
            for name in ["Twice not felt", "Far below", "Slightly below", "Fine", "Nothing yet"]
        ]
        assert "needs attention" in row(html, roles["Twice not felt"])
        assert "needs attention" not in row(html, roles["Far below"])


@pytest.mark.parametrize("large", [False, True])
def test_a_fixed_number_of_queries(
    world: Any,
    client_for: Any,
    pulse_day: Any,
    django_assert_num_queries: Any,
    large: bool,
) -> None:
    """40 roles x 52 closed weeks x 30 answers cost what one role's one week does."""
    playbook = world.playbook
    playbook.go_live = GO_LIVE
    playbook.save()
    weeks = 52 if large else 1
    pulse_day.set(week_day(weeks + 1))
    for r in range(40 if large else 1):
        role = make_role(playbook, f"Role {r}", headcount=60)
        make_giveget(role)
        make_giveget(role, "Another give")
        for week in range(1, weeks + 1):
            make_answers(role, week, 30, saved=40 + week)
    client = client_for("viewer")
    # The first read after weeks closed sums them up, once (pulse.results.
    # close_weeks: the state, get-or-create and lock it, read the answers,
    # one insert of the summaries, save the state; savepoints): ten more.
    with django_assert_num_queries(20):
        first = client.get(url(playbook))
    assert first.status_code == 200
    cache.clear()  # the page's body too
    # session, user, membership with playbook, roles, Give-Gets, the pulse's
    # state, its week summaries, the kept k, the adoption figures, the plan's
    # progress for the header
    with django_assert_num_queries(10):
        response = client.get(url(playbook))
    html = response.content.decode()
    assert html.count('class="results-row') == (40 if large else 1)
    assert f"week {weeks}" in html
    # From the fragment cache: session, user, membership, the header's progress.
    with django_assert_num_queries(4):
        again = client.get(url(playbook))
    assert again.content.decode().count('class="results-row') == (40 if large else 1)


def test_the_cached_page_follows_a_week_closing_a_headcount_and_k(
    world: Any, client_for: Any, pulse_day: Any
) -> None:
    """The body is cached, yet never shows a week not shown now, nor misses one."""
    playbook = world.playbook
    playbook.go_live = GO_LIVE
    playbook.save()
    sales = make_role(playbook, "Sales", headcount=40)
    make_answers(sales, 1, 5, saved=70)
    make_answers(sales, 2, 6, saved=90)
    client = client_for("viewer")
    pulse_day.set(week_day(2))  # week 1 closed, week 2 open
    first = client.get(url(playbook)).content.decode()
    assert "week 1" in first and "week 2" not in first
    assert "Week 1 is the last closed week." in client.get(url(playbook)).content.decode()
    pulse_day.set(week_day(3))  # week 2 has closed since
    closed = client.get(url(playbook)).content.decode()
    assert "Week 2 is the last closed week." in closed and "6" in closed
    sales.headcount = 9  # under 2k: nothing at all
    sales.save()
    small = client.get(url(playbook)).content.decode()
    assert "Fewer than 10 people" in small and "week 2" not in small
    sales.headcount = 40
    sales.save()
    playbook.refresh_from_db()
    playbook.pulse_k = 6  # applies to weeks not closed yet: weeks 1-2 keep k = 5
    playbook.save()
    assert KeptThreshold.objects.filter(playbook=playbook).count() == 2
    kept = client.get(url(playbook)).content.decode()
    assert "at least 6 answers" in kept and "week 2" in kept
