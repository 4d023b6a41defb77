"""Answers at once: the role-week cap holds when several people answer for its
last places at the same moment.

On PostgreSQL the answers race for real: the lock on the role's link makes
them wait for each other. SQLite's in-memory test database cannot run writers
in threads (its shared cache answers "table is locked" instead of waiting);
the served SQLite file takes the write lock up front (IMMEDIATE), which
serialises the same way, and that setting is what is checked there."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from pulse import links
from pulse.models import PulseAnswer
from tests.factories import make_playbook, make_role

GO_LIVE = datetime.date(2027, 3, 1)


@pytest.mark.django_db(transaction=True)
def test_eight_answers_at_once_for_two_last_places_store_two(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor == "sqlite":
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    monkeypatch.setattr("pulse.weeks.today", lambda: GO_LIVE + datetime.timedelta(days=3))
    role = make_role(make_playbook(go_live=GO_LIVE), "Sales", headcount=2)  # cap: 10
    link = links.issue(role)
    PulseAnswer.objects.bulk_create(
        PulseAnswer(role=role, week=1, cost_minutes=5, saved_minutes=9, got_back=3)
        for _ in range(8)
    )
    url = reverse("pulse_page", args=[link.token])
    start = threading.Barrier(8)
    statuses: list[int] = []

    def answer(n: int) -> None:
        try:
            start.wait()
            response = Client(REMOTE_ADDR=f"198.51.100.{n}").post(
                url, {"cost_minutes": "1", "saved_minutes": "2", "got_back": "4"}
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [302, 302, 409, 409, 409, 409, 409, 409]
    assert PulseAnswer.objects.filter(role=role, week=1).count() == 10
