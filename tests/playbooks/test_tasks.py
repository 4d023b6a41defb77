"""The PDF is kept ready: changes schedule one debounced background render."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.tasks import default_task_backend
from django.urls import reverse

from planner import pdf
from planner.tasks import render_playbook_pdf, schedule_pdf_render
from tests.factories import make_giveget, make_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean(world: Any) -> None:
    """After the fixtures' own saves: an empty cache and no task yet."""
    cache.clear()
    default_task_backend.clear()


def test_a_burst_of_edits_schedules_one_render(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        role = make_role(world.playbook, "Sales")
        giveget = make_giveget(role)
        giveget.minutes_each = 7
        giveget.save()
        world.playbook.pledge = "We ask you for data."
        world.playbook.save()
    results = default_task_backend.results
    assert len(results) == 1
    assert results[0].args == [world.playbook.pk]
    assert results[0].task.run_after is not None  # a few seconds later, after the burst


def test_edits_in_two_playbooks_schedule_two_renders(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        make_role(world.playbook, "Sales")
        make_role(world.other_playbook, "Sales")
    assert sorted(r.args[0] for r in default_task_backend.results) == sorted(
        [world.playbook.pk, world.other_playbook.pk]
    )


def test_after_the_render_starts_a_new_edit_schedules_again(world: Any) -> None:
    assert schedule_pdf_render(world.playbook.pk)
    assert not schedule_pdf_render(world.playbook.pk)
    render_playbook_pdf.call(world.playbook.pk)
    assert schedule_pdf_render(world.playbook.pk)


def test_the_task_renders_into_the_cache(world: Any) -> None:
    role = make_role(world.playbook, "Sales")
    make_giveget(role, minutes_saved_per_week=61)
    render_playbook_pdf.call(world.playbook.pk)
    document = pdf.playbook_document(world.playbook)
    assert document.cached


def test_a_download_after_an_edit_has_the_new_numbers(world: Any, client_for: Any) -> None:
    role = make_role(world.playbook, "Sales")
    giveget = make_giveget(role, minutes_saved_per_week=61)
    render_playbook_pdf.call(world.playbook.pk)
    giveget.minutes_saved_per_week = 97
    giveget.save()
    render_playbook_pdf.call(world.playbook.pk)  # what the worker does
    response = client_for("viewer").get(reverse("playbook_pdf", args=[world.playbook.pk]))
    import io

    import pypdf

    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "saves 97 min a week" in text


def test_a_deleted_playbook_is_nothing_to_render(world: Any) -> None:
    pk = world.other_playbook.pk
    world.other_playbook.delete()
    render_playbook_pdf.call(pk)  # no error
