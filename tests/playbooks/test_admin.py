"""The admin: every model listed, searchable and filterable."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["playbook", "membership"])
def test_admin_pages(world: Any, client: Any, model: str) -> None:
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    changelist = reverse(f"admin:playbooks_{model}_changelist")
    response = client.get(changelist, {"q": "Salesforce"})
    assert response.status_code == 200
    assert "Salesforce rollout 2027" in response.content.decode()
    obj = world.playbook if model == "playbook" else world.playbook.memberships.first()
    assert client.get(reverse(f"admin:playbooks_{model}_change", args=[obj.pk])).status_code == 200
    assert (
        client.get(
            changelist, {"level": "owner"} if model == "membership" else {"language": "en"}
        ).status_code
        == 200
    )
