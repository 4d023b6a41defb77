"""After adding an ambassador with htmx the add form comes back empty, ready
for the next one, the cursor in its first field, and the addition is
announced (issue 16, item 6)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from ambassadors.models import Ambassador
from tests.factories import make_role

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def roles(world: Any) -> list[Any]:
    return [make_role(world.playbook, "Sales", headcount=40), make_role(world.playbook, "Service")]


def data(role: Any, **changes: str) -> dict[str, str]:
    values = {
        "role": str(role.pk),
        "name": "Jonas Holm",
        "email": "jonas@example.com",
        "department": "Sales Aarhus",
        "influence": "4",
        "early_access": "",
        "training": "not_started",
        "trained_on": "",
        "notes": "",
        **changes,
    }
    return {f"add-{k}": v for k, v in values.items()}


def add_form(html: str) -> str:
    start = html.index('<form id="add-ambassador"')
    return html[start : html.index("</form>", start)]


def test_the_add_form_comes_back_empty_with_the_first_field_focused(
    world: Any, roles: list[Any], client_for: Any
) -> None:
    url = reverse("ambassador_add", args=[world.playbook.pk])
    response = client_for("editor").post(url, data(roles[1]), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    form = add_form(html)
    # Name is the form's first field on the screen; the role just used stays chosen.
    focused = re.findall(r"<(?:input|select|textarea)[^>]*autofocus[^>]*>", form)
    assert len(focused) == 1 and 'name="add-name"' in focused[0]
    assert 'value="' not in focused[0]
    assert "jonas@example.com" not in form
    assert re.search(rf'<option value="{roles[1].pk}" selected>', form)
    status = re.search(r'<div id="roster-status"[^>]*hx-swap-oob="true"[^>]*>(.*?)</div>', html)
    assert status and status.group(1) == "Jonas Holm added."
    assert 'role="status"' in status.group(0)
    assert Ambassador.objects.get().role == roles[1]


def test_a_refused_add_keeps_the_typed_values(
    world: Any, roles: list[Any], client_for: Any
) -> None:
    url = reverse("ambassador_add", args=[world.playbook.pk])
    response = client_for("editor").post(url, data(roles[0], email="nope"), headers=HTMX)
    form = add_form(response.content.decode())
    focused = re.findall(r"<input[^>]*autofocus[^>]*>", form)
    assert len(focused) == 1 and 'name="add-email"' in focused[0]
    assert 'value="Jonas Holm"' in form
    assert 'id="roster-status"' not in response.content.decode()
    assert not Ambassador.objects.exists()


def test_the_roster_has_an_empty_live_region(world: Any, roles: list[Any], client_for: Any) -> None:
    html = client_for("editor").get(reverse("roster", args=[world.playbook.pk]))
    assert re.search(
        r'<div id="roster-status" class="visually-hidden" role="status" aria-live="polite"></div>',
        html.content.decode(),
    )
