"""M5 after go-live reads step 5 of the plan ("Address the Big Brother fear"),
not any other step, on the overview and on the playbook list."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from actionplan.models import Step
from actionplan.services import create_default_plan
from comms.services import create_default_set
from tests.factories import make_ambassador, make_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(world: Any) -> Any:
    """Live since yesterday, charter written, nothing wrong but (maybe) the plan."""
    playbook = world.playbook
    playbook.go_live = timezone.localdate() - datetime.timedelta(days=1)
    playbook.data_used_for = "Coaching."
    playbook.data_not_used_for = "Ranking."
    playbook.save()
    create_default_plan(playbook)
    for name in ("Sales", "Service"):
        role = make_role(
            playbook, name, headcount=5, question="Q?", wiifm=name, quick_win="W", speed=3
        )
        make_ambassador(role, f"{name} Lead", training="completed")
    create_default_set(playbook)  # each role hears its WIIFM before go-live (M2)
    return playbook


def only_open(playbook: Any, *numbers: int, status: str = Step.Status.NOT_STARTED) -> None:
    """Every step done except ``numbers``, which get ``status``."""
    Step.objects.filter(playbook=playbook).update(status=Step.Status.DONE)
    Step.objects.filter(playbook=playbook, number__in=numbers).update(status=status)


def overview(playbook: Any, client_for: Any, who: str = "editor") -> tuple[str, Any]:
    response = client_for(who).get(reverse("playbook_detail", args=[playbook.pk]))
    assert response.status_code == 200
    return response.content.decode(), response.context


@pytest.mark.parametrize(
    "status", [Step.Status.NOT_STARTED, Step.Status.IN_PROGRESS, Step.Status.BLOCKED]
)
def test_step_5_not_done_after_go_live_is_m5(live: Any, client_for: Any, status: str) -> None:
    only_open(live, 5, status=status)
    html, context = overview(live, client_for)
    assert [(f.code, f.subject) for f in context["report"].findings] == [
        ("M5", "step 5 of the plan")
    ]
    assert 'id="finding-M5"' in html
    assert "step 5 of the plan</span>: not done after go-live" in html
    assert f'href="{reverse("plan", args=[live.pk])}#step-5"' in html
    assert "4 of 5 classic mistakes avoided" in html


@pytest.mark.parametrize("other", [1, 2, 3, 4, 6, 7])
def test_another_step_not_done_is_not_m5(live: Any, client_for: Any, other: int) -> None:
    only_open(live, other)
    html, context = overview(live, client_for)
    assert context["report"].findings == []
    assert 'id="finding-M5"' not in html
    assert "5 of 5 classic mistakes avoided" in html


def test_step_5_done_and_every_other_step_open_is_not_m5(live: Any, client_for: Any) -> None:
    only_open(live, 1, 2, 3, 4, 6, 7)
    html, context = overview(live, client_for)
    assert "M5" in context["report"].avoided
    assert 'id="finding-M5"' not in html


def test_a_plan_without_step_5_counts_as_not_done(live: Any, client_for: Any) -> None:
    only_open(live)
    Step.objects.filter(playbook=live, number=5).delete()
    _html, context = overview(live, client_for)
    assert [f.code for f in context["report"].findings] == ["M5"]


def test_the_playbook_list_counts_step_5_only(live: Any, client_for: Any) -> None:
    client = client_for("viewer")
    only_open(live, 4)
    assert "5 of 5 mistakes avoided" in client.get(reverse("playbook_list")).content.decode()
    only_open(live, 5)
    assert "4 of 5 mistakes avoided" in client.get(reverse("playbook_list")).content.decode()
