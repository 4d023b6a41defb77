"""Deleting a playbook: the page names everything that is lost, counted, in a
fixed number of queries; only owners reach it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from actionplan.services import create_default_plan
from tests.factories import make_ambassador, make_message, make_role

pytestmark = pytest.mark.django_db


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def filled(world: Any) -> Any:
    playbook = world.playbook
    create_default_plan(playbook)  # 7 steps, 21 tasks
    sales = make_role(playbook, "Sales")
    make_role(playbook, "Service")
    make_role(playbook, "Gone", deleted_at=timezone.now())  # deleted already: not counted
    make_ambassador(sales, "Mette", email="m@x.dk")
    make_ambassador(sales, "Jonas", email="j@x.dk")
    make_message(playbook, sales, "Kick-off")
    return playbook


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 403), ("owner", 200)],
)
def test_only_owners_see_it(filled: Any, client_for: Any, who: str, status: int) -> None:
    response = client_for(who).get(reverse("playbook_delete", args=[filled.pk]))
    assert response.status_code == status


def test_it_names_everything_that_is_lost_with_counts(filled: Any, client_for: Any) -> None:
    text = words(
        client_for("owner").get(reverse("playbook_delete", args=[filled.pk])).content.decode()
    )
    assert "its 2 roles, with their WIIFM answers, quick wins and Give-Gets" in text
    assert "its 2 ambassadors, whose personal links stop working" in text
    assert "its 1 message · the action plan with its 21 tasks" in text
    assert "the weekly pulse’s answers, the adoption figures and the history of changes" in text
    assert "the access of its 3 members" in text  # the owner, the editor and the viewer


def test_in_danish(filled: Any, client_for: Any) -> None:
    client = client_for("owner")
    client.cookies["django_language"] = "da"
    text = words(client.get(reverse("playbook_delete", args=[filled.pk])).content.decode())
    assert "2 roller" in text and "2 ambassadører" in text and "21 opgaver" in text


def test_a_fixed_number_of_queries(
    filled: Any, client_for: Any, django_assert_num_queries: Any
) -> None:
    client = client_for("owner")
    url = reverse("playbook_delete", args=[filled.pk])
    client.get(url)
    # session, user, membership with playbook, the header's progress; five counts
    with django_assert_num_queries(9):
        client.get(url)
    for n in range(10):
        make_ambassador(make_role(filled, f"Role {n}"), f"P {n}", email=f"{n}@y.dk")
    with django_assert_num_queries(9):
        client.get(url)
