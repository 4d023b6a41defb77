"""The roster import saves in bulk: a fixed number of queries whatever the
number of rows, with a history record by the importing person for each
ambassador added or changed (issue 23, item 6)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambassadors.models import Ambassador
from ambassadors.roster_file import import_roster
from core import versions
from tests.factories import make_ambassador, make_role

pytestmark = pytest.mark.django_db

HEADER = "name;email;department;role;influence;training"


def roster(rows: int, *, changed: int = 0) -> bytes:
    """``rows`` rows: the first ``changed`` of them for the ambassadors
    ``old{n}@example.dk`` (a new department), the others new people."""
    lines = [HEADER]
    for n in range(rows):
        if n < changed:
            lines.append(f"Old {n};old{n}@example.dk;Afdeling ny;Salg;4;completed")
        else:
            role = "Salg" if n % 2 else "Kundeservice"
            lines.append(f"Person {n};p{n}@example.dk;Afdeling {n};{role};{n % 5 + 1};scheduled")
    return ("\r\n".join(lines) + "\r\n").encode()


def import_queries(playbook: Any, rows: int) -> int:
    salg = make_role(playbook, "Salg", headcount=40)
    make_role(playbook, "Kundeservice", headcount=20)
    for n in range(3):
        make_ambassador(salg, f"Old {n}", email=f"old{n}@example.dk")
    with CaptureQueriesContext(connection) as queries:
        result = import_roster(playbook, roster(rows, changed=3))
    assert (result.added, result.updated) == (rows - 3, 3)
    assert Ambassador.objects.filter(playbook=playbook).count() == rows
    return len(queries)


def test_the_import_takes_as_many_queries_for_200_rows_as_for_10(world: Any) -> None:
    ten = import_queries(world.playbook, 10)
    two_hundred = import_queries(world.other_playbook, 200)
    assert ten == two_hundred
    # Roles, the e-mails taken (twice), then the inserts, the update, the
    # records, the playbook's version stamp (core.versions), the messages sent
    # and those waiting for a sender (per role), in a savepoint.
    assert ten == 13


def test_additions_and_updates_mixed_are_saved_with_history_by_the_importer(
    world: Any, client_for: Any
) -> None:
    salg = make_role(world.playbook, "Salg", headcount=40)
    make_role(world.playbook, "Kundeservice", headcount=20)
    changed = make_ambassador(salg, "Old 0", email="old0@example.dk")
    # Row 2 gives this one exactly as it is: not a change, no record.
    same = make_ambassador(salg, "Old 1", email="old1@example.dk")
    same.department, same.influence, same.training = "Afdeling ny", 4, "completed"
    same.save()
    before = {a.pk: a.version for a in (changed, same)}
    records_before = Ambassador.history.count()
    stamp = versions.version(world.playbook.pk)

    upload = SimpleUploadedFile("roster.csv", roster(5, changed=2), content_type="text/csv")
    response = client_for("editor").post(
        reverse("roster_import", args=[world.playbook.pk]), {"file": upload}, follow=True
    )

    assert "3 added, 2 updated" in response.content.decode()
    changed.refresh_from_db()
    same.refresh_from_db()
    assert (changed.department, changed.influence, changed.training) == (
        "Afdeling ny",
        4,
        "completed",
    )
    assert changed.version == before[changed.pk] + 1
    assert same.version == before[same.pk]
    new = Ambassador.objects.get(email="p3@example.dk")
    assert (new.name, new.department, new.role.name, new.influence, new.training) == (
        "Person 3",
        "Afdeling 3",
        "Salg",
        4,
        "scheduled",
    )
    records = list(Ambassador.history.all()[: Ambassador.history.count() - records_before])
    assert len(records) == 4  # three added, one changed
    assert {r.history_user for r in records} == {world.editor}
    assert sorted(r.history_type for r in records) == ["+", "+", "+", "~"]
    update = next(r for r in records if r.history_type == "~")
    assert (update.id, update.department, update.version) == (
        changed.pk,
        "Afdeling ny",
        changed.version,
    )
    assert versions.version(world.playbook.pk) != stamp


def test_a_failed_import_saves_nothing_and_records_nothing(world: Any) -> None:
    salg = make_role(world.playbook, "Salg", headcount=40)
    make_role(world.playbook, "Kundeservice", headcount=20)
    make_ambassador(salg, "Old 0", email="old0@example.dk")
    records = Ambassador.history.count()
    bad = roster(4, changed=1) + b"Nobody;nobody@example.dk;;Marketing;3;completed\r\n"
    with pytest.raises(Exception, match="Marketing"):
        import_roster(world.playbook, bad)
    assert Ambassador.objects.filter(playbook=world.playbook).count() == 1
    assert Ambassador.objects.get(email="old0@example.dk").department == ""
    assert Ambassador.history.count() == records
