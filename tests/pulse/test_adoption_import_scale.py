"""The import of adoption figures at size: a 100,000-row export imports (a
functional test; its time and memory are measured by `make bench-import`),
and the preview and the confirm take a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest

from pulse.models import AdoptionFigure, UsageColumns
from tests.factories import make_role
from tests.pulse.usage_files import (
    GO_LIVE,
    TODAY,
    confirm,
    generate,
    map_and_save,
    pick_columns,
    upload,
)


@pytest.fixture
def playbook(world: Any, pulse_day: Any) -> Any:
    pulse_day.set(TODAY)
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    return world.playbook


def test_a_100000_row_export_imports(client_for: Any, playbook: Any) -> None:
    profiles = {f"Profile {n}": 400 for n in range(5)}
    roles = {name: make_role(playbook, f"Role {name[-1]}", headcount=450) for name in profiles}
    made = generate(profiles, 8, rows=100_000)
    assert made.rows == 100_000
    editor = client_for("editor")
    page = pick_columns(editor, playbook, made.data).content.decode()
    assert "100,000 rows read." in page
    assert map_and_save(editor, playbook, page, roles).status_code == 302
    saved = {
        (figure.role_id, figure.week): figure.active_users
        for figure in AdoptionFigure.objects.all()
    }
    assert saved == {(roles[profile].pk, week): n for (profile, week), n in made.distinct.items()}
    assert len(saved) == 5 * 8


@pytest.mark.parametrize(("values", "weeks"), [(2, 2), (60, 8)], ids=["small", "larger"])
def test_the_preview_takes_a_fixed_number_of_queries(
    client_for: Any,
    playbook: Any,
    django_assert_num_queries: Any,
    values: int,
    weeks: int,
) -> None:
    roles = [make_role(playbook, f"Role {n}", headcount=20) for n in range(values)]
    made = generate({f"Team {n:03d}": 12 for n in range(values)}, weeks)
    editor = client_for("editor")
    page = pick_columns(editor, playbook, made.data).content.decode()
    mapping = {f"Team {n:03d}": roles[n] for n in range(values)}
    # Session, user, membership with playbook, roles, saved values, existing
    # figures, the plan's progress in the header.
    with django_assert_num_queries(7):
        response = confirm(editor, playbook, page, mapping, url_name="usage_preview")
    assert response.status_code == 200
    assert response.content.decode().count('class="usage-line') == values * weeks


@pytest.mark.parametrize(("values", "weeks"), [(2, 2), (60, 8)], ids=["small", "larger"])
def test_the_confirm_of_a_first_import_takes_a_fixed_number_of_queries(
    client_for: Any,
    playbook: Any,
    django_assert_num_queries: Any,
    values: int,
    weeks: int,
) -> None:
    roles = [make_role(playbook, f"Role {n}", headcount=20) for n in range(values)]
    made = generate({f"Team {n:03d}": 12 for n in range(values)}, weeks)
    editor = client_for("editor")
    page = pick_columns(editor, playbook, made.data).content.decode()
    mapping = {f"Team {n:03d}": roles[n] for n in range(values)}
    shown = confirm(editor, playbook, page, mapping, url_name="usage_preview").content.decode()
    # Reading (6): session, user, membership with playbook, roles, saved
    # values, existing figures. Writing, in one transaction (19): the roles
    # locked and their figures read again, the columns (read, then inserted,
    # in update_or_create's savepoints), the values (one upsert), and in
    # pulse.figures.replace's savepoint the roles locked, the figures read,
    # inserted with their history (two inserts) and the weeks' anchor fixed,
    # and the playbook's version stamp (core.versions). The messages ride in
    # a cookie; the PDF's render is a task.
    with django_assert_num_queries(25):
        response = confirm(editor, playbook, shown, mapping)
    assert response.status_code == 302
    assert AdoptionFigure.objects.count() == values * weeks
    assert UsageColumns.objects.filter(playbook=playbook).exists()


def test_the_upload_with_known_columns_takes_a_fixed_number_of_queries(
    client_for: Any, playbook: Any, django_assert_num_queries: Any
) -> None:
    make_role(playbook, "Sales", headcount=40)
    UsageColumns.objects.create(
        playbook=playbook, user_column="UserId", date_column="LoginTime", role_column="Profile"
    )
    made = generate({f"Team {n:03d}": 12 for n in range(40)}, 8)
    editor = client_for("editor")
    # Session, user, membership with playbook, the saved columns, roles, saved
    # values, existing figures, the plan's progress: the rows cost none.
    with django_assert_num_queries(8):
        response = upload(editor, playbook, made.data)
    assert 'id="usage-preview"' in response.content.decode()
