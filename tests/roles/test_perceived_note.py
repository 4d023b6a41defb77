"""The role page's perceived sum says "(not scored yet)" exactly while no factor
is scored: a role with Give-Gets has a verdict, but its perceived side is unknown."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from tests.factories import make_giveget, make_role

pytestmark = pytest.mark.django_db


def perceived(role: Any, client: Any) -> str:
    html = client.get(reverse("role_detail", args=[role.playbook_id, role.pk])).content.decode()
    match = re.search(r'<dd data-testid="perceived">(.*?)</dd>', html, re.S)
    assert match, "no perceived sum on the role page"
    return match.group(1)


@pytest.mark.parametrize(
    ("factors", "shown", "note"),
    [
        ({}, "<strong>0</strong>", True),
        ({"friction": 0}, "<strong>0</strong>", False),
        ({"unique_data": 4, "speed": 3, "rigidity": 1}, "<strong>+6</strong>", False),
    ],
)
def test_not_scored_yet_only_while_no_factor_is_scored(
    world: Any, client_for: Any, factors: dict[str, int], shown: str, note: bool
) -> None:
    role = make_role(world.playbook, "Sales", headcount=10, **factors)
    make_giveget(role, minutes_each=5, times_per_week=8, minutes_saved_per_week=60)
    text = perceived(role, client_for("viewer"))
    assert shown in text
    assert ("not scored yet" in text) is note
