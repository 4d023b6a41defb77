"""The playbook file carries no pulse answers and no results (DESIGN.md "The
privacy threshold k"): not the answers, not the closed weeks' sums, not the
kept k, not the link, not which comments were hidden."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from planner.since_go_live import since_go_live
from playbooks.models import Playbook
from pulse import links
from pulse.models import (
    HiddenComment,
    KeptThreshold,
    PulseAnswer,
    PulseLink,
    PulseState,
    WeekSummary,
)
from tests.factories import make_ambassador, make_giveget, make_role
from tests.pulse.answers import answer, go_live_with_closed_weeks

pytestmark = pytest.mark.django_db


def pulse_rows(playbook: Playbook) -> dict[str, int]:
    roles = {"role__playbook": playbook}
    return {
        "links": PulseLink.objects.filter(**roles).count(),
        "answers": PulseAnswer.objects.filter(**roles).count(),
        "summaries": WeekSummary.objects.filter(**roles).count(),
        "hidden": HiddenComment.objects.filter(**roles).count(),
        "kept k": KeptThreshold.objects.filter(playbook=playbook).count(),
        "state": PulseState.objects.filter(playbook=playbook).count(),
    }


NONE = {"links": 0, "answers": 0, "summaries": 0, "hidden": 0, "kept k": 0, "state": 0}


@pytest.fixture
def playbook(world: Any) -> Playbook:
    playbook = world.playbook
    playbook.go_live = go_live_with_closed_weeks(3)
    playbook.save()
    for name in ("Sales", "Service"):
        role = make_role(playbook, name, headcount=40, question=f"What does {name} get?")
        make_giveget(role)
        make_ambassador(role, f"Mette {name}")
    return playbook


def with_pulse(playbook: Playbook) -> None:
    """Answers, closed weeks summed up, a kept k, links and a hidden comment."""
    for role in playbook.roles.all():
        links.issue(role)
        for week in (1, 2, 3, 4):
            answer(role, week, 7, comments=[f"{role.name} idea {n}" for n in range(6)])
    hidden = PulseAnswer.objects.filter(role__playbook=playbook, week=3).exclude(comment="")
    first = hidden.first()
    assert first is not None
    HiddenComment.objects.create(answer=first, role=first.role, week=3)
    KeptThreshold.objects.create(playbook=playbook, week=1, k=3)
    rows = [(role, role.balance().time_balance) for role in playbook.roles.all()]
    shown = since_go_live(playbook, rows, timezone.localdate())  # sums the closed weeks up
    assert shown is not None and len(shown.shown) == 2
    assert all(count for count in pulse_rows(playbook).values())


def test_the_file_is_byte_identical_with_or_without_pulse_data(
    playbook: Playbook, client_for: Any
) -> None:
    url = reverse("playbook_export", args=[playbook.pk])
    before = client_for("viewer").get(url).content
    with_pulse(playbook)
    after = client_for("viewer").get(url).content
    assert after == before
    assert b"pulse" not in after.lower() and b"idea" not in after
    for token in PulseLink.objects.values_list("token", flat=True):
        assert token.encode() not in after


def test_import_and_template_create_no_pulse_rows(playbook: Playbook, client_for: Any) -> None:
    with_pulse(playbook)
    client = client_for("owner")
    exported = client.get(reverse("playbook_export", args=[playbook.pk])).content
    upload = SimpleUploadedFile("playbook.json", exported, content_type="application/json")
    response = client.post(reverse("playbook_import"), {"file": upload})
    assert response.status_code == 302
    imported = Playbook.objects.exclude(pk=playbook.pk).order_by("-pk").first()
    assert imported is not None and imported.roles.count() == 2
    assert pulse_rows(imported) == NONE
    response = client.post(
        reverse("playbook_template", args=[playbook.pk]),
        {"name": "Next rollout", "go_live": "2027-09-01"},
    )
    assert response.status_code == 302
    template = Playbook.objects.get(name="Next rollout")
    assert template.roles.count() == 2
    assert pulse_rows(template) == NONE
