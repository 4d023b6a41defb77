"""Two editors at once (issue 23): every change in a playbook sets its
version stamp, one UPDATE of the playbook's row in the change's own
transaction (core.versions). On PostgreSQL that row's lock is held until the
commit, so edits of one playbook that also lock other rows could wait on
each other in a circle (a deadlock, a 500). Here the matrix's writes race on
one playbook's roles and Give-Gets: every request answers, none with a 500,
and each saved value is there afterwards.

SQLite's in-memory test database cannot run writers in threads (see
tests/pulse/test_answers_at_once.py); a served SQLite file takes its write
lock up front (IMMEDIATE), which serialises every write: that setting is
what is checked there."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from givegets.models import GiveGet
from roles.models import Role
from tests.factories import make_giveget, make_role
from tests.races import race
from tests.roles.test_matrix import cell_url, gg_cell_url, gg_url, matrix_url, new_giveget

ROUNDS = 8


@pytest.mark.django_db(transaction=True)
def test_matrix_edits_at_once_never_500(world: Any, client_for: Any) -> None:
    if connection.vendor == "sqlite":
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    ann, bo = client_for("editor"), client_for("owner")
    for n in range(ROUNDS):
        roles = [make_role(world.playbook, f"Role {n}-{i}", headcount=5) for i in range(3)]
        ggs = [make_giveget(role) for role in roles]
        first, second, third = roles
        statuses = race(
            [
                (ann, matrix_url(world, "matrix_move", second), {"direction": "up"}),
                (bo, cell_url(first, "name"), {f"c{first.pk}-name": f"Renamed {n}"}),
                (ann, cell_url(second, "headcount"), {f"c{second.pk}-headcount": "41"}),
                (bo, gg_cell_url(ggs[0], "give"), {f"g{ggs[0].pk}-give": f"Log calls {n}"}),
                (ann, matrix_url(world, "matrix_giveget_add", first), new_giveget(first)),
                (bo, gg_url(ggs[2], "matrix_giveget_delete"), {}),
                (ann, matrix_url(world, "matrix_move", third), {"direction": "up"}),
                (bo, matrix_url(world, "matrix_delete", third), {}),
                (ann, cell_url(third, "question"), {f"c{third.pk}-question": "Why?"}),
            ]
        )
        assert 500 not in statuses, statuses
        assert Role.objects.get(pk=first.pk).name == f"Renamed {n}"
        assert Role.objects.get(pk=second.pk).headcount == 41
        assert GiveGet.objects.get(pk=ggs[0].pk).give == f"Log calls {n}"
        assert GiveGet.objects.filter(role=first).count() == 2
        assert not GiveGet.objects.filter(pk=ggs[2].pk).exists()
