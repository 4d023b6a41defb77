"""The soak's read-back (bench/soak.py): a write the users were told was
saved counts as lost when the database does not have it, and only then."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bench.soak import Write, lost_writes
from givegets.models import GiveGet
from tests.factories import make_answers, make_giveget, make_playbook, make_role


@pytest.fixture
def role(db: Any) -> Any:
    return make_role(make_playbook(), "Sales", headcount=40, wiifm="Fewer reports.")


def write(kind: str, model: str, pk: int | None, field: str, value: str, **extra: Any) -> Write:
    """A write as the soak records it, answered saved, made around now."""
    now = time.time()
    return Write(
        **{
            "kind": kind,
            "model": model,
            "id": pk,
            "field": field,
            "value": value,
            "start": now - 1,
            "end": now + 1,
            "status": 200,
            "ok": True,
            **extra,
        }
    )


def saved(role: Any, **fields: Any) -> None:
    """A save as the app makes it: the row and its history record."""
    for name, value in fields.items():
        setattr(role, name, value)
    role.save()


def reasons(writes: list[Write]) -> list[str]:
    return [lost.why for lost in lost_writes(writes)]


def test_saved_cells_whose_last_value_is_the_rows_are_not_lost(role: Any) -> None:
    saved(role, wiifm="First")
    saved(role, headcount=120)
    saved(role, wiifm="Second")
    assert (
        reasons(
            [
                write("cell", "role", role.pk, "wiifm", "First"),
                write("cell", "role", role.pk, "headcount", "120"),
                write("cell", "role", role.pk, "wiifm", "Second"),
            ]
        )
        == []
    )


def test_a_cell_saved_again_with_the_value_it_held_is_not_lost(role: Any) -> None:
    """Found by `make soak`: a Give-Get's minutes saved as 97, then 97 again
    two minutes later; the second save changed nothing, so made no history
    record, and the read-back counted it lost."""
    saved(role, headcount=97)
    first = write("cell", "role", role.pk, "headcount", "97")
    later = time.time() + 60  # long after the first save's history record
    again = write("cell", "role", role.pk, "headcount", "97", start=later, end=later + 1)
    assert reasons([first, again]) == []
    # Without the earlier save of that value, the same write is lost.
    assert reasons([again]) == ["no history record of the value saved"]


def test_a_cell_answered_saved_but_never_written_is_lost(role: Any) -> None:
    assert reasons([write("cell", "role", role.pk, "wiifm", "Never stored")]) == [
        "no history record of the value saved",
        "the last value saved is not the value now ('Fewer reports.')",
    ]


def test_a_value_saved_then_overwritten_behind_its_writers_back_is_lost(role: Any) -> None:
    saved(role, wiifm="Mine")
    role.__class__.objects.filter(pk=role.pk).update(wiifm="Someone else's")  # no history
    assert reasons([write("cell", "role", role.pk, "wiifm", "Mine")]) == [
        'the last value saved is not the value now ("Someone else\'s")'
    ]


def test_a_history_record_from_another_moment_does_not_count(role: Any) -> None:
    saved(role, wiifm="Again")
    early = write("cell", "role", role.pk, "wiifm", "Again", start=time.time() - 100)
    early = Write(**{**early.__dict__, "end": early.start + 1})
    assert reasons([early]) == ["no history record of the value saved"]


def test_writes_not_answered_saved_are_not_checked(role: Any) -> None:
    refused = Write(**{**write("cell", "role", role.pk, "wiifm", "X").__dict__, "ok": False})
    assert reasons([refused]) == []


def test_givegets_added_and_deleted(role: Any) -> None:
    kept = make_giveget(role, give="Kept")
    removed = make_giveget(role, give="Removed")
    removed_pk = removed.pk
    removed.delete()
    writes = [
        write("add", "giveget", kept.pk, "give", "Kept", role=role.pk),
        write("add", "giveget", removed_pk, "give", "Removed", role=role.pk),
        write("delete", "giveget", removed_pk, "give", "Removed", role=role.pk),
    ]
    assert reasons(writes) == []


def test_a_giveget_gone_that_its_writer_kept_or_never_made_is_lost(role: Any) -> None:
    gone = make_giveget(role, give="Gone")
    gone_pk = gone.pk
    gone.delete()
    assert reasons(
        [
            write("add", "giveget", gone_pk, "give", "Gone", role=role.pk),
            write("add", "giveget", gone_pk + 100, "give", "Never made", role=role.pk),
        ]
    ) == [
        "the Give-Get added is gone, and its writer kept it",
        "no Give-Get was made with this give",
    ]


def test_a_delete_answered_saved_whose_giveget_is_still_there_is_lost(role: Any) -> None:
    still = make_giveget(role, give="Still here")
    assert reasons([write("delete", "giveget", still.pk, "give", "Still here")]) == [
        "the Give-Get deleted is still there"
    ]
    assert GiveGet.objects.filter(pk=still.pk).exists()


def test_pulse_answers_are_found_by_their_comment(role: Any) -> None:
    make_answers(role, 1, 1, comment="Soak pulse u1000 abc")
    assert reasons(
        [
            write("pulse", "pulse", None, "comment", "Soak pulse u1000 abc", role=role.pk),
            write("pulse", "pulse", None, "comment", "Soak pulse u1000 lost", role=role.pk),
        ]
    ) == ["no answer with this comment"]
