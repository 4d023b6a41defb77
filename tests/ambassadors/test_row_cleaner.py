"""The roster file's rows are checked by the roster form's rules without a
form (ambassadors.forms.RowCleaner): the same values pass and fail as on the
roster page, so a limit changed on the model or the form holds for both."""

from __future__ import annotations

from typing import Any

import pytest

from ambassadors.forms import AmbassadorForm, RowCleaner
from tests.factories import make_role

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Mette Sørensen",
    "email": "Mette@Example.dk",
    "department": "Salg",
    "influence": "4",
    "early_access": "2027-02-10",
    "training": "scheduled",
    "trained_on": "2027-03-01",
    "notes": "",
}


def limit(name: str) -> int:
    length = AmbassadorForm.base_fields[name].max_length  # type: ignore[attr-defined]
    assert isinstance(length, int)
    return length


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"name": "   "},
        {"name": "N" * (limit("name") + 1)},
        {"department": "D" * (limit("department") + 1)},
        {"email": "not an address"},
        {"email": "a" * limit("email") + "@example.dk"},
        {"influence": "0"},
        {"influence": "6"},
        {"training": "maybe"},
        {"early_access": "2027-13-01"},
        {"training": "not_started"},  # with a training date
        {"training": "not_started", "trained_on": ""},
    ],
)
def test_a_row_passes_and_fails_as_the_roster_form(world: Any, change: dict[str, str]) -> None:
    data = {**GOOD, **change}
    role = make_role(world.playbook, "Salg")
    form = AmbassadorForm({**data, "role": str(role.pk)}, playbook=world.playbook)
    cleaned, errors = RowCleaner().row(data)
    assert set(errors) == set(form.errors)
    assert {name: list(messages) for name, messages in errors.items()} == {
        name: list(messages) for name, messages in form.errors.items()
    }
    if not errors:
        assert cleaned == {name: form.cleaned_data[name] for name in cleaned}


def test_the_longest_values_pass_as_on_the_form(world: Any) -> None:
    data = {**GOOD, "name": "N" * limit("name"), "department": "D" * limit("department")}
    cleaned, errors = RowCleaner().row(data)
    assert errors == {}
    assert (cleaned["name"], cleaned["email"]) == (data["name"], "mette@example.dk")
