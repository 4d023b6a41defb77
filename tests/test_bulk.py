"""core.bulk: rows written in one query each, whatever their number, as a save
would have stored them (the roster import's writes, issue 23 item 6)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ambassadors.models import Ambassador
from core import bulk, history
from tests.factories import make_ambassador, make_role

pytestmark = pytest.mark.django_db


def test_an_insert_gives_each_row_its_own_key(world: Any) -> None:
    role = make_role(world.playbook, "Sales")
    people = [
        Ambassador(
            playbook=world.playbook,
            role=role,
            name=f"Person {n}",
            email=f"p{n}@example.dk",
            early_access=datetime.date(2027, 2, n + 1) if n % 2 else None,
        )
        for n in range(20)
    ]
    with CaptureQueriesContext(connection) as queries:
        bulk.insert(Ambassador, people, key="email")
    assert len(queries) == 1
    for person in people:
        stored = Ambassador.objects.get(pk=person.pk)
        assert (stored.name, stored.email, stored.early_access) == (
            person.name,
            person.email,
            person.early_access,
        )
        assert stored.version == 1 and stored.created_at == person.created_at
        assert not person._state.adding


def test_an_update_writes_the_fields_named_and_leaves_the_others(world: Any) -> None:
    role = make_role(world.playbook, "Sales")
    one = make_ambassador(role, "One", email="one@example.dk", notes="kept")
    two = make_ambassador(role, "Two", email="two@example.dk")
    # Someone changes one's notes after it was read: not a field written here.
    Ambassador.objects.filter(pk=one.pk).update(notes="someone else's")
    one.department, one.trained_on, one.training = "Nord", datetime.date(2027, 3, 1), "completed"
    two.department, two.trained_on = "", None

    assert bulk.update(Ambassador, [one, two], ["department", "trained_on", "training"]) == 2

    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.department, one.trained_on, one.training, one.notes) == (
        "Nord",
        datetime.date(2027, 3, 1),
        "completed",
        "someone else's",
    )
    assert (two.department, two.trained_on) == ("", None)


def test_records_copy_the_rows_as_stored_with_the_source(world: Any) -> None:
    role = make_role(world.playbook, "Sales")
    people = [make_ambassador(role, f"Person {n}", notes=f"Note {n}") for n in range(3)]
    Ambassador.objects.filter(pk=people[0].pk).update(notes="changed since")
    before = Ambassador.history.count()
    with history.recorded_as(history.SOURCE_IMPORT):
        history.record_rows(Ambassador, [p.pk for p in people], history.CHANGED)
    records = {r.id: r for r in Ambassador.history.all()[: Ambassador.history.count() - before]}
    assert set(records) == {p.pk for p in people}
    assert records[people[0].pk].notes == "changed since"
    assert records[people[1].pk].notes == "Note 1"
    assert {
        (r.history_type, r.history_change_reason, r.history_user) for r in records.values()
    } == {("~", "import", None)}
