"""The per-playbook version stamp that keys every fragment cache and PDF:
a column of the playbook's row, changed in the same transaction as the edit."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from core import versions
from playbooks.models import Playbook
from tests.factories import make_role

pytestmark = pytest.mark.django_db


def test_an_edit_changes_the_stamp_in_its_own_transaction(world: Any) -> None:
    playbook = world.playbook
    before = versions.version(playbook.pk)
    make_role(playbook, "Service")
    after = versions.version(playbook.pk)
    assert after != before
    # In the database, not only in the instance: a server that loads the row sees it.
    assert str(Playbook.objects.get(pk=playbook.pk).content_stamp) == after


def test_an_edit_rolled_back_leaves_the_stamp(world: Any) -> None:
    """The stamp goes with the change: no change, no new stamp, and nothing
    cached under the stamp the rolled-back transaction saw can come back
    (a new stamp is random, not the old one plus one)."""
    playbook = world.playbook
    before = versions.version(playbook.pk)
    seen: list[str] = []

    def change_then_fail() -> None:
        with transaction.atomic():
            make_role(playbook, "Service")
            seen.append(versions.version(playbook.pk))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_then_fail()
    [seen_during] = seen
    assert seen_during != before
    assert versions.version(playbook.pk) == before
    make_role(playbook, "Finance")
    assert versions.version(playbook.pk) not in (before, seen_during)


def test_a_playbook_saved_from_an_old_copy_gets_a_new_stamp(world: Any) -> None:
    """A copy loaded before a change elsewhere in the playbook is saved: its
    save writes a new stamp, never the one it was loaded with."""
    old_copy = Playbook.objects.get(pk=world.playbook.pk)
    loaded_with = versions.version(old_copy)
    make_role(world.playbook, "Service")
    bumped = versions.version(world.playbook.pk)
    old_copy.pledge = "We give back"
    old_copy.save()
    assert versions.version(world.playbook.pk) not in (loaded_with, bumped)
    assert versions.version(world.playbook.pk) == versions.version(old_copy)


def test_the_instance_a_bump_is_given_sees_it(world: Any) -> None:
    playbook = world.playbook
    before = versions.version(playbook)
    versions.bump(playbook)
    assert versions.version(playbook) != before
    assert versions.version(playbook) == versions.version(playbook.pk)


def test_reading_the_stamp_from_the_instance_costs_no_query(
    world: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        versions.version(world.playbook)


def test_other_playbooks_keep_their_stamp(world: Any) -> None:
    other = versions.version(world.other_playbook.pk)
    make_role(world.playbook, "Service")
    assert versions.version(world.other_playbook.pk) == other


def test_the_stamp_is_not_in_the_history(world: Any) -> None:
    """It is no content: the changes list never shows it."""
    names = {field.name for field in Playbook.history.model._meta.fields}
    assert "content_stamp" not in names
    assert "pledge" in names
