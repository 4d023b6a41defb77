"""The playbook file in the UI: download, upload, JSON Schema, use as template."""

from __future__ import annotations

import copy
import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from actionplan.models import Step, Task
from ambassadors.models import Ambassador
from givegets.models import GiveGet
from planner.playbook_file import dumps, export_playbook, import_playbook, loads
from playbooks.models import Membership, Playbook
from roles.models import Role
from tests.playbooks.test_playbook_file import EXAMPLE

pytestmark = pytest.mark.django_db
SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[2] / "planner" / "schema" / "wiifm-playbook-v1.schema.json"
    ).read_text(encoding="utf-8")
)


def upload(client: Client, content: bytes | str, name: str = "playbook.json") -> Any:
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        reverse("playbook_import"), {"file": SimpleUploadedFile(name, data, "application/json")}
    )


class TestDownload:
    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 200), ("editor", 200), ("owner", 200)],
    )
    def test_access(self, world: Any, client_for: Any, who: str, status: int) -> None:
        response = client_for(who).get(reverse("playbook_export", args=[world.playbook.pk]))
        assert response.status_code == status

    def test_named_after_the_playbook(self, world: Any, client_for: Any) -> None:
        response = client_for("viewer").get(reverse("playbook_export", args=[world.playbook.pk]))
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response["Content-Disposition"] == (
            'attachment; filename="salesforce-rollout-2027.json"'
        )
        assert json.loads(response.content)["playbook"]["name"] == "Salesforce rollout 2027"


class TestUpload:
    def test_creates_a_new_playbook_owned_by_the_uploader_only(
        self, world: Any, client_for: Any
    ) -> None:
        before = list(Playbook.objects.values_list("pk", "name"))
        response = upload(client_for("viewer"), json.dumps(EXAMPLE))
        playbook = Playbook.objects.exclude(pk__in=[pk for pk, _ in before]).get()
        assert response["Location"] == reverse("playbook_detail", args=[playbook.pk])
        assert list(
            Membership.objects.filter(playbook=playbook).values_list("user__username", "level")
        ) == [("victor", "owner")]
        assert (
            list(Playbook.objects.filter(pk__in=[pk for pk, _ in before]).values_list("pk", "name"))
            == before
        )
        assert playbook.roles.get().ambassadors.count() == 1

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("{not json", "not a JSON file"),
            ("[]", "(file): must be an object"),
            (json.dumps({**EXAMPLE, "colour": "blue"}), "colour: unknown key"),
            (json.dumps({**EXAMPLE, "version": 2}), "version: this file is version 2"),
            (
                json.dumps({**EXAMPLE, "playbook": {**EXAMPLE["playbook"], "name": 7}}),
                "playbook.name: must be a string",
            ),
        ],
    )
    def test_refusals(self, world: Any, client_for: Any, content: str, message: str) -> None:
        count = Playbook.objects.count()
        response = upload(client_for("editor"), content)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert "Nothing was imported" in response.content.decode()
        assert Playbook.objects.count() == count

    def test_negative_minutes_are_named(self, world: Any, client_for: Any) -> None:
        bad = copy.deepcopy(EXAMPLE)
        bad["roles"][0]["givegets"][0]["minutes_each"] = -5
        response = upload(client_for("editor"), json.dumps(bad))
        assert "roles[0].givegets[0].minutes_each: must be 0 or more" in (response.content.decode())
        assert (
            not Playbook.objects.filter(name="Salesforce rollout 2027")
            .exclude(pk=world.playbook.pk)
            .exists()
        )

    def test_too_large(self, world: Any, client_for: Any) -> None:
        response = upload(client_for("editor"), b" " * (5 * 1024 * 1024 + 10))
        assert "the file is larger than 5 MB" in response.content.decode()

    def test_errors_in_danish(self, world: Any, client_for: Any) -> None:
        client = client_for("editor")
        client.cookies["django_language"] = "da"
        bad = copy.deepcopy(EXAMPLE)
        bad["roles"][0]["givegets"][0]["minutes_each"] = -5
        html = upload(client, json.dumps(bad)).content.decode()
        assert "Intet blev importeret" in html
        assert "roles[0].givegets[0].minutes_each: skal være 0 eller mere" in html

    def test_no_file(self, world: Any, client_for: Any) -> None:
        response = client_for("editor").post(reverse("playbook_import"))
        assert "This field is required." in response.content.decode()

    def test_anonymous_cannot(self, db: Any) -> None:
        assert Client().post(reverse("playbook_import")).status_code == 302


class TestSchema:
    def test_served_at_a_stable_address(self, db: Any) -> None:
        response = Client().get("/schema/wiifm-playbook-v1.json")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/schema+json")
        assert json.loads(b"".join(response.streaming_content))["title"].startswith("WIIFM")

    def test_design_example_and_demo_playbooks_validate(self, db: Any) -> None:
        jsonschema.Draft202012Validator.check_schema(SCHEMA)
        jsonschema.validate(EXAMPLE, SCHEMA)
        call_command("seed_demo", "--force")
        for playbook in Playbook.objects.all():
            jsonschema.validate(json.loads(dumps(export_playbook(playbook))), SCHEMA)

    @pytest.mark.parametrize(
        "change",
        [{"colour": "blue"}, {"version": 2}, {"playbook": {"language": "fr", "name": "x"}}],
    )
    def test_the_schema_refuses_what_the_importer_refuses(self, change: dict) -> None:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**EXAMPLE, **change}, SCHEMA)


def full_playbook(owner: Any) -> Playbook:
    """Every field of every part filled in."""
    document = copy.deepcopy(EXAMPLE)
    document["playbook"].update(crm_system="other", crm_other="SuperOffice")
    document["roles"][0]["givegets"][0].update(
        times_per_week=Decimal("0.25"), status="delivered", get_kind="insight"
    )
    document["roles"][0]["quick_win_done"] = True
    document["roles"][0]["ambassadors"][0]["notes"] = "=SUM(A1) looks like a formula"
    document["roles"].append(
        {
            "name": "Økonomi",
            "headcount": 3,
            "question": "Q",
            "wiifm": "W",
            "concerns": "C",
            "quick_win": "QW",
            "quick_win_due": None,
            "quick_win_done": False,
            "factors": {
                "unique_data": 5,
                "speed": 5,
                "recognition": 5,
                "friction": 5,
                "rigidity": 5,
            },
            "givegets": [],
            "ambassadors": [],
        }
    )
    document["action_plan"].append(
        {
            "number": 7,
            "title": "Coach",
            "description": "D",
            "owner": "O",
            "start": None,
            "due": None,
            "status": "blocked",
            "tasks": [{"text": "T", "done": False, "due": "2027-06-01"}],
        }
    )
    return import_playbook(document, owner=owner)


class TestRoundTrip:
    def test_demo_playbooks(self, db: Any) -> None:
        call_command("seed_demo", "--force")
        from django.contrib.auth import get_user_model

        lead = get_user_model().objects.get(username="lead")
        for playbook in Playbook.objects.all():
            first = dumps(export_playbook(playbook))
            second = dumps(export_playbook(import_playbook(loads(first), owner=lead)))
            assert first == second, playbook.name

    def test_every_field_filled(self, world: Any) -> None:
        playbook = full_playbook(world.owner)
        first = dumps(export_playbook(playbook))
        assert '"times_per_week": 0.25' in first
        second = dumps(export_playbook(import_playbook(loads(first), owner=world.owner)))
        assert first == second


class TestTemplate:
    def url(self, playbook: Playbook) -> str:
        return reverse("playbook_template", args=[playbook.pk])

    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 200), ("owner", 200)],
    )
    def test_access(self, world: Any, client_for: Any, who: str, status: int) -> None:
        count = Playbook.objects.count()
        client = client_for(who)
        assert client.get(self.url(world.playbook)).status_code == status
        client.post(self.url(world.playbook), {"name": "New", "go_live": "2027-06-01"})
        assert Playbook.objects.count() == count + (1 if status == 200 else 0)

    def test_copies_the_method_not_the_people(self, world: Any, client_for: Any) -> None:
        source = full_playbook(world.owner)
        Membership.objects.create(playbook=source, user=world.editor, level="editor")
        response = client_for("editor").post(
            self.url(source), {"name": "HubSpot 2028", "go_live": "2027-04-01"}
        )
        copy_ = Playbook.objects.get(name="HubSpot 2028")
        assert response["Location"] == reverse("playbook_detail", args=[copy_.pk])
        assert list(copy_.memberships.values_list("user__username", "level")) == [
            ("edith", "owner")
        ]
        assert list(copy_.roles.values_list("name", flat=True)) == ["Sales", "Økonomi"]
        assert not Ambassador.objects.filter(playbook=copy_).exists()
        assert not Role.objects.filter(playbook=copy_, quick_win_done=True).exists()
        assert set(
            GiveGet.objects.filter(role__playbook=copy_).values_list("status", flat=True)
        ) == {"planned"}
        assert set(Step.objects.filter(playbook=copy_).values_list("status", flat=True)) == {
            "not_started"
        }
        assert not Task.objects.filter(step__playbook=copy_, done=True).exists()
        # Dates move with go-live: 2027-03-01 -> 2027-04-01 is 31 days.
        sales = copy_.roles.get(name="Sales")
        assert sales.quick_win_due == datetime.date(2027, 4, 5)
        assert sales.givegets.get().deliver_by == datetime.date(2027, 4, 5)
        step1 = Step.objects.get(playbook=copy_, number=1)
        assert (step1.start, step1.due) == (datetime.date(2027, 2, 15), datetime.date(2027, 2, 20))
        # The source is untouched.
        assert source.roles.get(name="Sales").ambassadors.count() == 1

    def test_bad_input(self, world: Any, client_for: Any) -> None:
        count = Playbook.objects.count()
        response = client_for("editor").post(
            self.url(world.playbook), {"name": "  ", "go_live": "2027-02-30"}
        )
        html = response.content.decode()
        assert "This field is required." in html or "Give the playbook a name." in html
        assert "Enter a valid date." in html
        assert Playbook.objects.count() == count
