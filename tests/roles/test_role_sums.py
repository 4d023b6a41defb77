"""The matrix's totals from one query (givegets.selectors.role_sums) equal the
equation computed from the rows, to the cent, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from givegets.selectors import role_sums, roles_with_givegets
from planner.grid import matrix_summary
from roles.equation import total_hours
from tests.factories import make_giveget, make_role

pytestmark = pytest.mark.django_db


def test_the_summed_balances_are_the_equations_to_the_cent(world: Any) -> None:
    playbook = world.playbook
    sales = make_role(playbook, "Sales", headcount=37, unique_data=4, speed=2, friction=1)
    for minutes, times, saved in [(7, "0.33", 5), (13, "0.25", 0), (3, "2.5", 11), (1, "0.01", 0)]:
        make_giveget(
            sales, minutes_each=minutes, times_per_week=Decimal(times), minutes_saved_per_week=saved
        )
    make_role(playbook, "Empty", headcount=4)  # no Give-Gets, no factor: not assessed
    service = make_role(playbook, "Service", headcount=12, rigidity=5)
    make_giveget(
        service, minutes_each=2400, times_per_week=Decimal("0.99"), minutes_saved_per_week=2400
    )
    gone = make_role(playbook, "Gone", headcount=99)
    make_giveget(gone, minutes_each=50, times_per_week=Decimal(1))
    gone.deleted_at = timezone.now()
    gone.save()
    make_role(world.other_playbook, "Elsewhere", headcount=500)

    summary = matrix_summary(playbook)
    expected = {role.pk: role.balance() for role in roles_with_givegets(playbook)}
    assert list(summary.balances) == list(expected)  # the matrix's order, no deleted role
    for pk, balance in expected.items():
        got = summary.balances[pk]
        assert (got.given, got.gained, got.time_balance, got.verdict) == (
            balance.given,
            balance.gained,
            balance.time_balance,
            balance.verdict,
        )
    assert summary.balances[sales.pk].given == Decimal("2.31") + Decimal("3.25") + Decimal(
        "7.5"
    ) + Decimal("0.01")
    assert summary.total_hours == total_hours(expected.values())
    assert summary.total_people == 37 + 4 + 12
    assert [s.name for s in role_sums(playbook)] == ["Sales", "Empty", "Service"]
