"""The privacy threshold k on Edit playbook: default 5, never below 3."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.playbooks.test_views import VALID, field_error

pytestmark = pytest.mark.django_db


def test_a_new_playbook_has_k_5(world: Any) -> None:
    assert world.playbook.pulse_k == 5


def test_the_edit_form_shows_k_with_what_it_means(world: Any, client_for: Any) -> None:
    html = client_for("owner").get(reverse("playbook_edit", args=[world.playbook.pk]))
    content = html.content.decode()
    assert 'name="pulse_k"' in content
    assert "Privacy threshold (k)" in content
    assert "At least 3" in content


def test_an_editor_sets_k(world: Any, client_for: Any) -> None:
    url = reverse("playbook_edit", args=[world.playbook.pk])
    response = client_for("editor").post(url, {**VALID, "pulse_k": "8"})
    assert response.status_code == 302
    world.playbook.refresh_from_db()
    assert world.playbook.pulse_k == 8


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2", "k is at least 3"),
        ("0", "k is at least 3"),
        ("-4", "k is at least 3"),
        ("1001", "k is at most 1000"),
        ("five", "whole number"),
        ("4.5", "whole number"),
    ],
)
def test_a_bad_k_is_explained_beside_the_field_and_nothing_saved(
    world: Any, client_for: Any, value: str, message: str
) -> None:
    url = reverse("playbook_edit", args=[world.playbook.pk])
    response = client_for("owner").post(url, {**VALID, "pulse_k": value})
    assert response.status_code == 200
    assert message in field_error(response.content.decode(), "pulse_k")
    world.playbook.refresh_from_db()
    assert world.playbook.pulse_k == 5
    assert world.playbook.name == "Salesforce rollout 2027"


def test_the_viewer_and_the_outsider_cannot_set_k(world: Any, client_for: Any) -> None:
    url = reverse("playbook_edit", args=[world.playbook.pk])
    for who in ("viewer", "outsider"):
        response = client_for(who).post(url, {**VALID, "pulse_k": "9"})
        assert response.status_code in (403, 404)
    assert client_for("anonymous").post(url, {**VALID, "pulse_k": "9"}).status_code == 302
    world.playbook.refresh_from_db()
    assert world.playbook.pulse_k == 5


def test_a_new_playbook_form_does_not_ask_for_k(user_client: Any) -> None:
    html = user_client.get(reverse("playbook_create")).content.decode()
    assert 'name="pulse_k"' not in html


def test_a_cleared_k_is_refused_and_a_missing_one_keeps_the_current(
    world: Any, client_for: Any
) -> None:
    url = reverse("playbook_edit", args=[world.playbook.pk])
    response = client_for("owner").post(url, {**VALID, "pulse_k": ""})
    assert response.status_code == 200
    assert "Give k, at least 3" in field_error(response.content.decode(), "pulse_k")
    assert client_for("owner").post(url, VALID).status_code == 302  # an older form: no field
    world.playbook.refresh_from_db()
    assert world.playbook.pulse_k == 5
