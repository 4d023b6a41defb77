"""After adding a Give-Get with htmx the add form comes back empty with the
cursor in its first field, and the addition is announced (issue 16, item 6)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from roles.models import Role
from tests.factories import make_role

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def role(world: Any) -> Role:
    return make_role(world.playbook, "Sales", headcount=40, speed=3)


def new_giveget(**changes: str) -> dict[str, str]:
    data = {
        "give": "Tag each case",
        "minutes_each": "1",
        "times_per_week": "20",
        "get": "Suggested answers",
        "get_kind": "automation",
        "minutes_saved_per_week": "30",
        "owner": "",
        "deliver_by": "",
        "status": "planned",
        **changes,
    }
    return {f"new-{key}": value for key, value in data.items()}


def add_form(html: str) -> str:
    start = html.index('<div id="add-giveget"')
    return html[start : html.index("</form>", start)]


def test_the_add_form_comes_back_empty_with_the_first_field_focused(
    role: Role, client_for: Any
) -> None:
    url = reverse("giveget_create", args=[role.playbook_id, role.pk])
    response = client_for("editor").post(url, new_giveget(), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    form = add_form(html)
    assert re.findall(r"<(?:input|select|textarea)[^>]*autofocus[^>]*>", form) == [
        re.search(r'<input[^>]*name="new-give"[^>]*>', form).group(0)
    ]
    assert "Tag each case" not in form  # empty, ready for the next one
    status = re.search(r'<div id="role-status"[^>]*hx-swap-oob="true"[^>]*>(.*?)</div>', html)
    assert status and status.group(1) == "Give-Get “Tag each case” added."
    assert 'role="status"' in status.group(0)
    assert role.givegets.get().give == "Tag each case"


def test_a_refused_add_keeps_the_typed_values_and_focuses_the_error(
    role: Role, client_for: Any
) -> None:
    url = reverse("giveget_create", args=[role.playbook_id, role.pk])
    response = client_for("editor").post(url, new_giveget(minutes_each="x"), headers=HTMX)
    form = add_form(response.content.decode())
    focused = re.findall(r"<input[^>]*autofocus[^>]*>", form)
    assert len(focused) == 1 and 'name="new-minutes_each"' in focused[0]
    assert 'value="Tag each case"' in form
    assert 'id="role-status"' not in response.content.decode()
    assert not role.givegets.exists()


def test_without_htmx_the_page_is_loaded_again(role: Role, client_for: Any) -> None:
    url = reverse("giveget_create", args=[role.playbook_id, role.pk])
    response = client_for("editor").post(url, new_giveget())
    assert response.status_code == 302
    assert response["Location"].endswith("#givegets")


def test_the_page_has_an_empty_live_region(role: Role, client_for: Any) -> None:
    html = client_for("editor").get(reverse("role_detail", args=[role.playbook_id, role.pk]))
    assert re.search(
        r'<div id="role-status" class="visually-hidden" role="status" aria-live="polite"></div>',
        html.content.decode(),
    )
