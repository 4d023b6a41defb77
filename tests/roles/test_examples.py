"""The four example roles, in the playbook's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from comms.services import create_role_messages
from planner.examples import add_example_roles
from playbooks.models import Playbook
from roles.equation import Verdict
from tests.factories import make_playbook, make_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("en", ["Sales", "Customer service", "Marketing", "Management"]),
        ("da", ["Salg", "Kundeservice", "Marketing", "Ledelse"]),
    ],
)
def test_four_roles_in_the_playbooks_language(language: str, names: list[str]) -> None:
    playbook = make_playbook(language=language)
    add_example_roles(playbook)
    roles = list(playbook.roles.prefetch_related("givegets"))
    assert [role.name for role in roles] == names
    for role in roles:
        assert role.question and role.wiifm and role.concerns and role.quick_win
        assert 2 <= len(role.givegets.all()) <= 3
        assert all(gg.give and gg.get for gg in role.givegets.all())
    if language == "da":
        assert (
            roles[0].question
            == "Hjælper det mig med at lukke handler hurtigere og nå min provision?"
        )


def test_the_examples_show_every_verdict_but_losing() -> None:
    playbook = make_playbook()
    add_example_roles(playbook)
    verdicts = {role.name: role.balance().verdict for role in playbook.roles.all()}
    assert verdicts["Sales"] is Verdict.NET_BENEFICIARY
    assert verdicts["Marketing"] is Verdict.AT_RISK


def test_examples_skip_names_already_taken() -> None:
    playbook = make_playbook()
    make_role(playbook, "SALES")
    add_example_roles(playbook)
    assert playbook.roles.count() == 4


def test_the_create_form_offers_them(user: Any, user_client: Any) -> None:
    page = user_client.get(reverse("playbook_create")).content.decode()
    assert "Start with four example roles" in page
    data = {"name": "Udrulning", "crm_system": "hubspot", "language": "da", "with_examples": "on"}
    user_client.post(reverse("playbook_create"), data)
    playbook = Playbook.objects.get(name="Udrulning")
    assert list(playbook.roles.values_list("name", flat=True)) == [
        "Salg",
        "Kundeservice",
        "Marketing",
        "Ledelse",
    ]
    user_client.post(reverse("playbook_create"), {**data, "name": "Empty", "with_examples": ""})
    assert Playbook.objects.get(name="Empty").roles.count() == 0


def test_the_playbook_page_lists_roles_with_verdicts(user: Any, user_client: Any) -> None:
    playbook = make_playbook(user)
    add_example_roles(playbook)
    html = user_client.get(reverse("playbook_detail", args=[playbook.pk])).content.decode()
    for role in playbook.roles.all():
        assert reverse("role_detail", args=[playbook.pk, role.pk]) in html
    assert "net beneficiary" in html and "at risk" in html
    assert "In total the plan gives back" in html


def test_the_playbook_page_query_budget(
    user: Any, user_client: Any, django_assert_num_queries: Any
) -> None:
    from actionplan.services import create_default_plan

    playbook = make_playbook(user)
    add_example_roles(playbook)
    create_default_plan(playbook)
    url = reverse("playbook_detail", args=[playbook.pk])
    # session, user, membership with playbook, roles, Give-Gets, ambassadors,
    # steps, tasks, messages
    with django_assert_num_queries(9):
        user_client.get(url)
    for n in range(10):
        create_role_messages(make_role(playbook, f"Extra {n}"))
    with django_assert_num_queries(9):
        user_client.get(url)
