"""Anonymous by construction (DESIGN.md): an answer stores its random id, its
role, its week number and the four answers, and nothing else anywhere."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pulse import links
from pulse.models import PulseAnswer
from tests.factories import make_playbook, make_role, make_user

GO_LIVE = datetime.date(2027, 3, 1)
ADDRESS = "203.0.113.77"
AGENT = "Mozilla/5.0 (Pulse-Test-Agent-6f1c)"


@pytest.fixture
def posted(db: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr("pulse.weeks.today", lambda: GO_LIVE + datetime.timedelta(days=2))
    playbook = make_playbook(go_live=GO_LIVE)
    role = make_role(playbook, "Sales", headcount=40)
    link = links.issue(role)
    someone = make_user("pulse-someone", email="someone@example.com")  # of no playbook
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    client.force_login(someone)
    counts = {model: model._default_manager.count() for model in apps.get_models()}
    moment = timezone.localtime()
    response = client.post(
        reverse("pulse_page", args=[link.token]),
        {"cost_minutes": "25", "saved_minutes": "55", "got_back": "4", "comment": "Faster search"},
    )
    assert response.status_code == 302
    return {"user": someone, "counts": counts, "moment": moment, "role": role}


def test_the_answer_has_exactly_the_listed_columns() -> None:
    columns = {field.column for field in PulseAnswer._meta.concrete_fields}
    assert columns == {
        "id",
        "role_id",
        "week",
        "cost_minutes",
        "saved_minutes",
        "got_back",
        "comment",
    }
    assert isinstance(PulseAnswer._meta.pk, models.UUIDField)
    assert not hasattr(PulseAnswer, "history")


def test_the_id_is_random_not_a_sequence(posted: dict[str, Any]) -> None:
    answer = PulseAnswer.objects.get()
    assert isinstance(answer.id, uuid.UUID)
    assert answer.id.version == 4


def test_only_the_answer_was_written(posted: dict[str, Any]) -> None:
    """No history record, task, session or log row came with the answer."""
    grew = {
        model._meta.label
        for model in apps.get_models()
        if model._default_manager.count() != posted["counts"][model]
    }
    assert grew == {"pulse.PulseAnswer"}


def test_no_table_the_pulse_writes_holds_an_address_agent_user_or_time(
    posted: dict[str, Any],
) -> None:
    user = posted["user"]
    moment = posted["moment"]
    forbidden = [
        ADDRESS,
        "Pulse-Test-Agent",
        user.username,
        user.email,
        moment.strftime("%H:%M"),
        moment.date().isoformat(),
    ]
    pulse_tables = [model._meta.db_table for model in apps.get_app_config("pulse").get_models()]
    assert "pulse_pulseanswer" in pulse_tables
    with connection.cursor() as cursor:
        for table in pulse_tables:
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            assert not {"user_id", "ip", "ip_address", "user_agent", "created", "created_at"} & set(
                columns
            ), table
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dump = repr(cursor.fetchall())
            for value in forbidden:
                assert value not in dump, (table, value)
