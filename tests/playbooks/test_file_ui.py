"""The playbook file in the UI: download, upload, JSON Schema, use as template."""

from __future__ import annotations

import copy
import datetime
import io
import json
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from actionplan.models import Step, Task
from ambassadors.models import Ambassador
from comms.models import Message
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

    @pytest.mark.parametrize("language", ["en", "da"])
    def test_a_playbook_whose_own_file_is_refused_says_why(
        self, world: Any, client_for: Any, language: str
    ) -> None:
        """Data longer than the file allows (saved before a limit, or past the
        forms): the page says what to shorten, in the import's words, and
        nothing is created (it answered 500)."""
        # A message's text is a TextField (no database limit, so this holds on
        # PostgreSQL too); the file takes at most 5,000 characters of it.
        limit = 5000
        message = Message.objects.create(playbook=world.playbook, title="Kick-off", text="x")
        Message.objects.filter(pk=message.pk).update(text="x" * (limit + 1))  # past the form
        count = Playbook.objects.count()
        client = client_for("editor")
        client.cookies["django_language"] = language
        response = client.post(self.url(world.playbook), {"name": "Next", "go_live": ""})
        assert response.status_code == 200
        html = unescape(response.content.decode())
        said = {"en": f"must be at most {limit} characters", "da": f"må højst være {limit} tegn"}
        assert f"communications[0].text: {said[language]}" in html
        assert 'class="alert alert-danger"' in html
        assert Playbook.objects.count() == count


class TestImportedPlaybooksAreToldApart:
    """Issue 22: importing an exported file makes a second playbook of the same
    name; the list tells them apart and the import says so."""

    def test_the_message_names_the_untouched_namesake(self, world: Any, client_for: Any) -> None:
        client = client_for("viewer")  # sees world.playbook, "Salesforce rollout 2027"
        exported = dumps(export_playbook(world.playbook))
        response = upload(client, exported)
        new = Playbook.objects.exclude(pk__in=[world.playbook.pk, world.other_playbook.pk]).get()
        assert new.name == world.playbook.name
        assert new.imported_at is not None
        assert abs((timezone.now() - new.imported_at).total_seconds()) < 60
        today = dateformat.format(timezone.localtime(new.imported_at), "j M")
        html = unescape(client.get(response["Location"]).content.decode())
        assert (
            f"Imported as a new playbook “Salesforce rollout 2027” (imported {today}). "
            "Your other playbook with this name is unchanged."
        ) in html
        world.playbook.refresh_from_db()
        assert world.playbook.imported_at is None

    def test_without_a_namesake_a_plain_message(self, world: Any, client_for: Any) -> None:
        client = client_for("outsider")  # does not see world.playbook
        response = upload(client, json.dumps(EXAMPLE))
        html = unescape(client.get(response["Location"]).content.decode())
        assert "Imported “Salesforce rollout 2027”." in html
        assert "Imported as a new playbook" not in html

    def test_two_namesakes(self, world: Any, client_for: Any) -> None:
        client = client_for("owner")
        upload(client, json.dumps(EXAMPLE))
        response = upload(client, json.dumps(EXAMPLE))
        html = unescape(client.get(response["Location"]).content.decode())
        assert "Your 2 other playbooks with this name are unchanged." in html

    def test_the_file_carries_no_import_date_and_round_trips_byte_for_byte(
        self, world: Any, client_for: Any
    ) -> None:
        source = full_playbook(world.owner)
        first = client_for("owner").get(reverse("playbook_export", args=[source.pk])).content
        upload(client_for("owner"), first)
        copy_ = Playbook.objects.exclude(imported_at=None).get()
        second = client_for("owner").get(reverse("playbook_export", args=[copy_.pk])).content
        assert first == second
        assert b"imported" not in second
        assert "imported_at" not in json.dumps(SCHEMA)

    def test_a_template_is_not_imported(self, world: Any, client_for: Any) -> None:
        client_for("owner").post(
            reverse("playbook_template", args=[world.playbook.pk]),
            {"name": "Salesforce rollout 2027", "go_live": "2027-06-01"},
        )
        copy_ = Playbook.objects.exclude(pk=world.playbook.pk).get(name="Salesforce rollout 2027")
        assert copy_.imported_at is None

    def test_the_command_marks_it_imported(self, world: Any, tmp_path: Path) -> None:
        path = tmp_path / "playbook.json"
        path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
        out = io.StringIO()
        call_command("import_playbook", str(path), "--owner", "olivia", stdout=out)
        assert Playbook.objects.get(pk=int(out.getvalue())).imported_at is not None

    def test_a_refused_file_saves_nothing(self, world: Any, client_for: Any) -> None:
        count = Playbook.objects.count()
        bad: Any = copy.deepcopy(EXAMPLE)
        bad["playbook"]["imported_at"] = "2026-11-30"  # not a key of the file
        response = upload(client_for("owner"), json.dumps(bad))
        assert "playbook.imported_at: unknown key" in unescape(response.content.decode())
        assert Playbook.objects.count() == count


class TestTheListTellsNamesakesApart:
    def list_html(self, client: Client) -> str:
        return unescape(client.get(reverse("playbook_list")).content.decode())

    def test_badges_beside_the_names(self, world: Any, client_for: Any) -> None:
        imported = import_playbook(
            export_playbook(world.playbook),
            owner=world.owner,
            imported_at=datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC),
        )
        Playbook.objects.filter(pk=world.playbook.pk).update(
            created_at=datetime.datetime(2026, 11, 12, 9, 0, tzinfo=datetime.UTC)
        )
        html = self.list_html(client_for("owner"))
        link = f'<a href="{reverse("playbook_detail", args=[imported.pk])}">'
        assert (
            f"{link}Salesforce rollout 2027</a> "
            '<span class="badge origin-badge imported-badge">imported 30 Nov</span>'
        ) in html
        link = f'<a href="{reverse("playbook_detail", args=[world.playbook.pk])}">'
        assert (
            f"{link}Salesforce rollout 2027</a> "
            '<span class="badge origin-badge created-badge">created 12 Nov</span>'
        ) in html

    def test_a_lone_playbook_has_no_badge(self, world: Any, client_for: Any) -> None:
        assert "origin-badge" not in self.list_html(client_for("owner"))

    def test_an_imported_one_has_its_badge_even_alone(self, world: Any, client_for: Any) -> None:
        solo: Any = copy.deepcopy(EXAMPLE)
        solo["playbook"]["name"] = "Solo"
        import_playbook(solo, owner=world.outsider, imported_at=timezone.now())
        assert "imported-badge" in self.list_html(client_for("outsider"))
        assert "created-badge" not in self.list_html(client_for("outsider"))

    def test_the_same_day_twice_gives_the_time(self, world: Any, client_for: Any) -> None:
        for hour in (9, 13):
            import_playbook(
                export_playbook(world.playbook),
                owner=world.owner,
                imported_at=datetime.datetime(2026, 11, 30, hour, 5, tzinfo=datetime.UTC),
            )
        html = self.list_html(client_for("owner"))
        # Copenhagen is an hour ahead of UTC in November.
        assert ">imported 30 Nov, 10:05</span>" in html
        assert ">imported 30 Nov, 14:05</span>" in html

    def test_local_time_and_another_year(self, world: Any, client_for: Any) -> None:
        import_playbook(
            export_playbook(world.playbook),
            owner=world.owner,
            # 23:30 UTC is half past midnight in Copenhagen: the 1st of December.
            imported_at=datetime.datetime(2024, 11, 30, 23, 30, tzinfo=datetime.UTC),
        )
        assert ">imported 1 Dec 2024</span>" in self.list_html(client_for("owner"))

    def test_the_query_count_does_not_grow(self, world: Any, client_for: Any) -> None:
        client = client_for("owner")

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.list_html(client)
            return len(captured)

        alone = queries()
        for _n in range(3):
            import_playbook(
                export_playbook(world.playbook), owner=world.owner, imported_at=timezone.now()
            )
        assert queries() == alone
