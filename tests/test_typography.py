"""Quotation marks follow the language: a Danish reader sees »…«, an English
one “…”; the quoted words stay as typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ambassadors.services import issue_link
from core.typography import quote
from tests.factories import make_ambassador, make_role

pytestmark = pytest.mark.django_db


def test_quote_by_language() -> None:
    with translation.override("da"):
        assert quote(" Hjælper det mig? ") == "»Hjælper det mig?«"
    with translation.override("en"):
        assert quote("Does it help me?") == "“Does it help me?”"


@pytest.mark.parametrize(
    ("language", "expected"), [("da", "»Hjælper det?«"), ("en", "“Hjælper det?”")]
)
def test_the_ambassador_page_quotes_the_question_in_the_playbooks_language(
    world: Any, language: str, expected: str
) -> None:
    world.playbook.language = language
    world.playbook.save()
    role = make_role(world.playbook, "Salg", question="Hjælper det?")
    token = issue_link(make_ambassador(role, "Mette", email="mette@example.com"))
    assert expected in Client().get(f"/a/{token}/").content.decode()


def test_the_role_page_and_overview_quote_in_the_readers_language(
    world: Any, client_for: Any
) -> None:
    role = make_role(world.playbook, "Salg", question="Hjælper det?")
    viewer = client_for("viewer")
    viewer.cookies["django_language"] = "da"
    for url in (
        reverse("role_detail", args=[world.playbook.pk, role.pk]),
        reverse("playbook_detail", args=[world.playbook.pk]),
    ):
        page = viewer.get(url).content.decode()
        assert "»Hjælper det?«" in page
        assert "“Hjælper det?”" not in page
