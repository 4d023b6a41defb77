"""The demo's pulse (seed_demo): "Salesforce rollout" went live eight weeks
and three days ago and has eight closed weeks of made-up answers."""

from __future__ import annotations

import datetime
import io
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command

from ambassadors.models import Ambassador
from playbooks.models import Playbook
from pulse.limits import week_cap
from pulse.models import PulseAnswer, PulseLink
from pulse.results import RoleResults, results_for
from pulse.weeks import last_closed_week, today

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", "--force", stdout=io.StringIO())


@pytest.fixture
def demo() -> Playbook:
    seed()
    return Playbook.objects.get(name="Salesforce rollout")


def results(playbook: Playbook) -> dict[str, RoleResults]:
    roles = list(playbook.roles.all())
    planned = {role.pk: role.balance().time_balance for role in roles}
    found = results_for(playbook, roles, planned, today())
    return {role.name: found[role.pk] for role in roles}


def answers(playbook: Playbook) -> list[tuple[Any, ...]]:
    return sorted(
        PulseAnswer.objects.filter(role__playbook=playbook).values_list(
            "role__name", "week", "cost_minutes", "saved_minutes", "got_back", "comment"
        )
    )


def test_live_eight_weeks_and_three_days(demo: Playbook) -> None:
    assert demo.go_live == today() - datetime.timedelta(days=59)
    assert last_closed_week(demo.go_live, today()) == 8
    weeks = set(PulseAnswer.objects.filter(role__playbook=demo).values_list("week", flat=True))
    assert weeks == set(range(1, 9))  # nothing in the open ninth week


def test_every_role_has_a_link_and_the_danish_demo_none(demo: Playbook) -> None:
    assert PulseLink.objects.filter(role__playbook=demo).count() == demo.roles.count() == 5
    danish = Playbook.objects.get(name="HubSpot-udrulning")
    assert danish.go_live is not None and danish.go_live > today()
    assert not PulseLink.objects.filter(role__playbook=danish).exists()
    assert not PulseAnswer.objects.filter(role__playbook=danish).exists()


def test_answers_stay_within_each_role_weeks_cap(demo: Playbook) -> None:
    counts = Counter(PulseAnswer.objects.filter(role__playbook=demo).values_list("role_id", "week"))
    roles = {role.pk: role for role in demo.roles.all()}
    assert counts
    for (role_id, _week), count in counts.items():
        assert count <= week_cap(roles[role_id])


def test_sales_is_above_its_plan_with_one_week_too_small_to_show(demo: Playbook) -> None:
    sales = results(demo)["Sales"]
    assert not sales.too_small
    assert [week.week for week in sales.weeks if not week.shown] == [3]
    assert sales.weeks[2].k == 5  # week 3: fewer than k answers
    assert all(m.verdict == "net_beneficiary" and m.gap > 0 for m in sales.shown)
    assert not sales.needs_attention


def test_customer_service_falls_below_its_plan_and_fails_p1(demo: Playbook) -> None:
    service = results(demo)["Customer service"]
    assert not service.too_small
    assert len(service.shown) == 8
    first, last = service.shown[0], service.shown[-1]
    assert first.verdict == "net_beneficiary"  # it started well
    assert last.balance < 0 < last.planned
    assert last.gap < 0 and last.felt < 0
    assert service.needs_attention  # P1: not a net beneficiary in its last two shown weeks
    # At least k comments every week: they are shown.
    role = demo.roles.get(name="Customer service")
    for week in service.weeks:
        assert role.pulse_answers.filter(week=week.week).exclude(comment="").count() >= 5


@pytest.mark.parametrize("name", ["Marketing", "Management"])
def test_small_roles_answer_but_show_nothing(demo: Playbook, name: str) -> None:
    role = demo.roles.get(name=name)
    assert role.headcount < 2 * demo.pulse_k
    assert PulseAnswer.objects.filter(role=role).exists()
    found = results(demo)[name]
    assert found.too_small
    assert found.shown == [] and found.last is None


def test_the_plan_is_done_up_to_go_live(demo: Playbook) -> None:
    steps = dict(demo.steps.values_list("number", "status"))
    assert steps == {
        1: "done",
        2: "done",
        3: "done",
        4: "done",
        5: "done",
        6: "done",
        7: "in_progress",
    }
    trained = Ambassador.objects.filter(playbook=demo).values_list("training", flat=True)
    assert set(trained) == {"completed"}  # trained before go-live


def test_seeding_again_changes_nothing(demo: Playbook) -> None:
    before = answers(demo)
    tokens = sorted(PulseLink.objects.values_list("token", flat=True))
    seed()
    assert answers(demo) == before
    assert sorted(PulseLink.objects.values_list("token", flat=True)) == tokens


def test_the_same_answers_on_every_run(demo: Playbook) -> None:
    """Made up with a fixed seed: a deleted week comes back exactly as it was."""
    before = answers(demo)
    PulseAnswer.objects.filter(role__playbook=demo, week__in=[2, 7]).delete()
    seed()
    assert answers(demo) == before
