"""The per-playbook version stamp that keys every fragment cache."""

from __future__ import annotations

from typing import Any

import pytest

from core import versions
from tests.factories import make_role

pytestmark = pytest.mark.django_db


def test_an_edit_changes_the_stamp_now_and_again_at_commit(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A page rendered from the old rows while the edit's transaction is still
    open is cached under the first new stamp; the commit retires it."""
    playbook = world.playbook
    before = versions.version(playbook.pk)
    with django_capture_on_commit_callbacks(execute=True):
        make_role(playbook, "Service")
        during = versions.version(playbook.pk)
        assert during != before
    after = versions.version(playbook.pk)
    assert after not in (before, during)


def test_other_playbooks_keep_their_stamp(world: Any) -> None:
    other = versions.version(world.other_playbook.pk)
    make_role(world.playbook, "Service")
    assert versions.version(world.other_playbook.pk) == other
