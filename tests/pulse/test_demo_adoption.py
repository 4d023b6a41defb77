"""The demo's adoption figures (seed_demo, issue 19): eight closed weeks per
role that takes figures, telling the same story as its pulse."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from playbooks.models import Playbook
from pulse import adoption
from pulse.adoption import Picture, RoleAdoption, adoption_for, picture
from pulse.models import AdoptionFigure
from pulse.results import results_for
from pulse.weeks import today
from roles.models import Role

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", "--force", stdout=io.StringIO())


@pytest.fixture
def demo() -> Playbook:
    seed()
    return Playbook.objects.get(name="Salesforce rollout")


def adoption_of(playbook: Playbook) -> dict[str, RoleAdoption]:
    roles = list(playbook.roles.all())
    found = adoption_for(playbook, roles, today())
    return {role.name: found[role.pk] for role in roles}


def pictures(playbook: Playbook) -> dict[str, Picture | None]:
    roles = list(playbook.roles.all())
    planned = {role.pk: role.balance().time_balance for role in roles}
    felt = results_for(playbook, roles, planned, today())
    used = adoption_for(playbook, roles, today())
    return {role.name: picture(felt[role.pk], used[role.pk]) for role in roles}


def figures_of(playbook: Playbook) -> list[tuple[str, int, int]]:
    return sorted(
        AdoptionFigure.objects.filter(role__playbook=playbook).values_list(
            "role__name", "week", "active_users"
        )
    )


def test_eight_closed_weeks_for_each_role_of_2k_people_or_more(demo: Playbook) -> None:
    weeks = {
        role.name: sorted(role.adoption_figures.values_list("week", flat=True))
        for role in demo.roles.all()
    }
    assert weeks == {
        "Sales": list(range(1, 9)),
        "Customer service": list(range(1, 9)),
        "Marketing": [],
        "Management": [],
        "Field service": list(range(1, 9)),
    }
    for role in demo.roles.all():
        assert (len(weeks[role.name]) == 8) is adoption.takes_figures(role.headcount, demo.pulse_k)
    assert demo.pulse_weeks_from == demo.go_live  # the figures' weeks are the pulse's


def test_rates_are_plausible_and_targets_80_but_one_at_90(demo: Playbook) -> None:
    found = adoption_of(demo)
    targets = {name: role.target for name, role in found.items()}
    assert targets == {
        "Sales": 80,
        "Customer service": 80,
        "Marketing": 80,
        "Management": 80,
        "Field service": 90,
    }
    for name in ("Sales", "Customer service", "Field service"):
        rates = [week.rate for week in found[name].weeks]
        assert all(rate is not None and 35 <= rate <= 100 for rate in rates), (name, rates)
        assert rates[-1] > rates[0] + 20, (name, rates)  # it grows after go-live
        assert not any(week.over for week in found[name].weeks)


def test_sales_feels_it_and_adopts_it(demo: Playbook) -> None:
    sales = adoption_of(demo)["Sales"]
    assert sales.last is not None and not sales.last.below
    assert not sales.needs_attention
    # The holiday week 3 (too few pulse answers to show) is a dip in use too.
    rates = [week.rate for week in sales.weeks]
    assert rates[2] is not None and rates[1] is not None and rates[2] < rates[1]
    assert pictures(demo)["Sales"] is Picture.BOTH


def test_customer_service_adopts_it_without_feeling_it(demo: Playbook) -> None:
    service = adoption_of(demo)["Customer service"]
    assert not service.needs_attention
    assert all(not week.below for week in service.weeks[3:])
    assert pictures(demo)["Customer service"] is Picture.ADOPTING_NOT_FEELING


def test_field_service_feels_it_but_is_below_target_finding_p2(demo: Playbook) -> None:
    field = adoption_of(demo)["Field service"]
    assert [week.below for week in field.weeks[3:]] == [True] * 5  # weeks 4-8
    assert field.needs_attention  # P2
    assert pictures(demo)["Field service"] is Picture.FEELING_NOT_ADOPTING
    # Only one role shows P2.
    assert [name for name, role in adoption_of(demo).items() if role.needs_attention] == [
        "Field service"
    ]


def test_seeding_again_adds_nothing_and_keeps_what_was_typed(demo: Playbook) -> None:
    before = figures_of(demo)
    records = AdoptionFigure.history.count()
    seed()
    assert figures_of(demo) == before
    assert AdoptionFigure.history.count() == records
    # A week typed over and a week cleared: the first is kept, the second
    # comes back as the demo has it.
    sales = demo.roles.get(name="Sales")
    AdoptionFigure.objects.filter(role=sales, week=2).update(active_users=39)
    AdoptionFigure.objects.filter(role=sales, week=5).delete()
    seed()
    after = dict(AdoptionFigure.objects.filter(role=sales).values_list("week", "active_users"))
    assert after[2] == 39
    assert after[5] == dict((w, a) for _n, w, a in before if _n == "Sales")[5]
    assert Role.objects.filter(playbook=demo, name="Field service").count() == 1


def test_a_deleted_fifth_role_is_not_seeded_again(demo: Playbook) -> None:
    from django.utils import timezone

    field = demo.roles.get(name="Field service")
    field.deleted_at = timezone.now()
    field.save()
    seed()
    assert not demo.roles.filter(name="Field service").exists()
    assert Role.all_objects.filter(playbook=demo, name="Field service").count() == 1


def test_the_history_says_a_command_added_them(demo: Playbook) -> None:
    reasons = set(
        AdoptionFigure.history.filter(role__playbook=demo).values_list(
            "history_type", "history_change_reason", "history_user"
        )
    )
    assert reasons == {("+", "command", None)}


def test_the_danish_demo_has_no_figures() -> None:
    seed()
    danish = Playbook.objects.get(name="HubSpot-udrulning")
    assert not AdoptionFigure.objects.filter(role__playbook=danish).exists()
    assert set(danish.roles.values_list("adoption_target", flat=True)) == {80}
