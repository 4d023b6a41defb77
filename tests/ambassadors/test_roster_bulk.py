"""The roster import saves in bulk: a fixed number of queries whatever the
number of rows (up to the 5,000 a file may have), with a history record by
the importing person for each ambassador added or changed (issue 23, item
6)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import CharField, TextField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambassadors import roster_file
from ambassadors.models import Ambassador
from ambassadors.roster_file import RosterFileError, import_roster
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


def test_the_import_takes_as_many_queries_for_5000_rows_as_for_50(world: Any) -> None:
    fifty = import_queries(world.playbook, 50)
    # More rows than SQLite takes parameters in one statement in batches of
    # Django's bulk_create (some 2,000 ambassadors): still one insert.
    five_thousand = import_queries(world.other_playbook, 5000)
    assert fifty == five_thousand
    # Roles, the e-mails taken (twice), then the changed ambassadors' rows
    # locked and their versions read again, the insert, the update, the
    # records (added, changed), the playbook's version stamp (core.versions),
    # the messages sent and those waiting for a sender (per role), in a
    # savepoint.
    assert fifty == 14


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


def limit(name: str) -> int:
    field = Ambassador._meta.get_field(name)
    assert isinstance(field, CharField | TextField) and field.max_length is not None
    return field.max_length


def longest_email(length: int) -> str:
    """An address of ``length`` characters: a local part of 64, then labels
    of at most 63."""
    address = "a" * 64 + "@dk"
    while len(address) < length:
        label = "b" * min(63, length - len(address) - 1)
        address = address.replace("@", f"@{label}.", 1)
    return address


def test_the_longest_values_and_dates_are_saved_and_recorded_as_written(world: Any) -> None:
    """Written in bulk as one JSON parameter: each value, at its field's
    limit, comes back as a save would have stored it, in the ambassador and
    in its history record (PostgreSQL types every column of the rows read)."""
    salg = make_role(world.playbook, "Salg", headcount=40)
    make_role(world.playbook, "Kundeservice", headcount=20)
    kept = make_ambassador(salg, "Old 0", email="old0@example.dk", early_access=None)
    name, department = "Æ" * limit("name"), "ø" * limit("department")
    email = longest_email(limit("email"))
    assert len(email) == limit("email")
    notes = ("“Noter” på flere linjer\nmed ;semikolon; og 'citat'" * 100)[: limit("notes")]
    text = (
        f"{HEADER};early_access;trained_on;notes\r\n"
        f'{name};{email};{department};Kundeservice;5;scheduled;2027-02-10;2027-03-01;"{notes}"\r\n'
        "Old 0;old0@example.dk;;Kundeservice;2;completed;2027-01-31;2027-02-28;\r\n"
    )

    result = import_roster(world.playbook, text.encode())

    assert (result.added, result.updated) == (1, 1)
    new = Ambassador.objects.get(email=email)
    kept.refresh_from_db()
    want = (department, "Kundeservice", 5, "scheduled", date(2027, 2, 10), date(2027, 3, 1))
    assert (new.department, new.role.name, new.influence, new.training) == want[:4]
    assert (new.name, new.notes, new.early_access, new.trained_on) == (name, notes, *want[4:])
    assert new.version == 1
    assert new.created_at is not None
    assert (kept.role.name, kept.influence, kept.early_access, kept.trained_on) == (
        "Kundeservice",
        2,
        date(2027, 1, 31),
        date(2027, 2, 28),
    )
    assert kept.version == 2
    added = new.history.get()
    changed = kept.history.latest()
    assert (added.history_type, added.name, added.email, added.notes) == ("+", name, email, notes)
    assert (added.early_access, added.created_at, added.version) == (
        date(2027, 2, 10),
        new.created_at,
        1,
    )
    assert (changed.history_type, changed.role_id, changed.trained_on, changed.version) == (
        "~",
        kept.role_id,
        date(2027, 2, 28),
        2,
    )
    assert changed.history_change_reason == added.history_change_reason == "command"


def test_an_e_mail_taken_while_the_file_is_checked_refuses_the_whole_file(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone adds one of the file's people on the roster page between the
    file's check and its save: the database refuses the e-mail twice, and
    nothing of the file is saved, nor recorded."""
    salg = make_role(world.playbook, "Salg", headcount=40)
    make_role(world.playbook, "Kundeservice", headcount=20)
    make_ambassador(salg, "Old 0", email="old0@example.dk")
    save = roster_file._save

    def someone_else_first(playbook: Any, rows: Any) -> None:
        make_ambassador(salg, "Person 3", email="P3@example.dk")
        save(playbook, rows)

    monkeypatch.setattr(roster_file, "_save", someone_else_first)
    records = Ambassador.history.count()

    with pytest.raises(RosterFileError, match="The roster changed while the file was being"):
        import_roster(world.playbook, roster(5, changed=1))

    assert sorted(Ambassador.objects.values_list("email", flat=True)) == [
        "P3@example.dk",
        "old0@example.dk",
    ]
    assert Ambassador.objects.get(email="old0@example.dk").department == ""
    assert Ambassador.history.count() == records + 1  # the other person's


@pytest.mark.parametrize("meanwhile", ["edited", "deleted"])
def test_an_ambassador_edited_while_the_file_is_checked_is_not_overwritten(
    world: Any, monkeypatch: pytest.MonkeyPatch, meanwhile: str
) -> None:
    """Someone edits (or deletes) one of the file's people on the roster page
    between the file's check and its save: their change stands, and nothing
    of the file is saved (it would have written the department it read)."""
    salg = make_role(world.playbook, "Salg", headcount=40)
    make_role(world.playbook, "Kundeservice", headcount=20)
    old = make_ambassador(salg, "Old 0", email="old0@example.dk")
    save = roster_file._save

    def someone_else_first(playbook: Any, rows: Any) -> None:
        mine = Ambassador.objects.get(pk=old.pk)
        if meanwhile == "edited":
            mine.notes = "Trained in Aarhus"
            mine.save()
        else:
            mine.delete()
        save(playbook, rows)

    monkeypatch.setattr(roster_file, "_save", someone_else_first)
    with pytest.raises(RosterFileError, match="The roster changed while the file was being"):
        import_roster(world.playbook, roster(5, changed=1))

    assert not Ambassador.objects.filter(email__startswith="p").exists()
    if meanwhile == "edited":
        kept = Ambassador.objects.get(pk=old.pk)
        assert (kept.notes, kept.department) == ("Trained in Aarhus", "")
