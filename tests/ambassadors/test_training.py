"""A training that is only scheduled is not a completed training.

DESIGN.md, M3: from 14 days before go-live on, each ambassador whose training
is not *completed* is a finding. "Scheduled" is not completed: the health
check, the overview's "N of M trained" and the roster's flag all say so.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import Ambassador
from comms.services import create_default_set
from tests.factories import make_ambassador, make_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio(world: Any) -> dict[str, Ambassador]:
    """Go-live in a week (training due), nothing else wrong but the training."""
    playbook = world.playbook
    playbook.go_live = timezone.localdate() + datetime.timedelta(days=7)
    playbook.data_used_for = "Coaching."
    playbook.data_not_used_for = "Ranking."
    playbook.save()
    sales = make_role(
        playbook, "Sales", headcount=10, question="Q?", wiifm="Pipeline.", quick_win="Notes"
    )
    make_role(playbook, "Service", headcount=0, question="Q?", wiifm="History.", quick_win="Lookup")
    create_default_set(playbook)  # each role hears its WIIFM before go-live (M2)
    return {
        "completed": make_ambassador(
            sales, "Anna Done", training="completed", trained_on=datetime.date(2027, 1, 5)
        ),
        "scheduled": make_ambassador(
            sales, "Bo Booked", training="scheduled", trained_on=datetime.date(2027, 3, 9)
        ),
        "not_started": make_ambassador(sales, "Carl Later", training="not_started"),
    }


def m3_subjects(html: str) -> list[str]:
    match = re.search(r'id="finding-M3".*?</ul>', html, re.S)
    if not match:
        return []
    return re.findall(r'<span class="fw-semibold">(.*?)</span>', match.group(0))


def test_a_scheduled_training_is_an_m3_finding_on_the_overview(
    world: Any, trio: dict[str, Ambassador], client_for: Any
) -> None:
    response = client_for("viewer").get(reverse("playbook_detail", args=[world.playbook.pk]))
    html = response.content.decode()
    assert m3_subjects(html) == ["Bo Booked (Sales)", "Carl Later (Sales)"]
    assert "M3" not in response.context["report"].avoided


def test_only_completed_training_counts_as_trained_on_the_overview(
    world: Any, trio: dict[str, Ambassador], client_for: Any
) -> None:
    response = client_for("viewer").get(reverse("playbook_detail", args=[world.playbook.pk]))
    assert response.context["ambassadors_trained"] == 1
    assert response.context["ambassadors_have"] == 3
    assert "1 of 3 trained." in response.content.decode()


def test_completing_the_scheduled_training_clears_its_finding(
    world: Any, trio: dict[str, Ambassador], client_for: Any
) -> None:
    Ambassador.objects.filter(pk=trio["scheduled"].pk).update(training="completed")
    Ambassador.objects.filter(pk=trio["not_started"].pk).delete()
    response = client_for("viewer").get(reverse("playbook_detail", args=[world.playbook.pk]))
    html = response.content.decode()
    assert 'id="finding-M3"' not in html
    assert "2 of 2 trained." in html
    assert "5 of 5 classic mistakes avoided" in html


def test_the_roster_flags_a_scheduled_training_as_not_trained(
    world: Any, trio: dict[str, Ambassador], client_for: Any
) -> None:
    html = client_for("viewer").get(reverse("roster", args=[world.playbook.pk])).content.decode()

    def row(ambassador: Ambassador) -> str:
        match = re.search(rf'<li id="amb-{ambassador.pk}".*?</li>', html, re.S)
        assert match, ambassador.name
        return match.group(0)

    assert "training: scheduled" in row(trio["scheduled"])
    assert "not trained yet" in row(trio["scheduled"])
    assert "not trained yet" in row(trio["not_started"])
    assert "not trained yet" not in row(trio["completed"])


@pytest.mark.parametrize(("who", "flagged"), [("scheduled", True), ("completed", False)])
def test_the_row_shown_with_a_new_link_flags_a_scheduled_training(
    world: Any, trio: dict[str, Ambassador], client_for: Any, who: str, flagged: bool
) -> None:
    url = reverse("link_issue", args=[world.playbook.pk, trio[who].pk])
    response = client_for("editor").post(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="amb-{trio[who].pk}"')
    assert ("not trained yet" in html) is flagged
