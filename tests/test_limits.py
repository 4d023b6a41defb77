"""One set of text limits (core.limits, README "Text limits"): the models, the
forms, the playbook file and the roster agree; every export imports again and
"use as template" works on it; a text stored longer than its limit is kept,
and its form asks to shorten it."""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from actionplan.forms import StepForm, TaskForm
from actionplan.models import Step, Task
from actionplan.services import create_default_plan
from ambassadors.forms import AmbassadorForm
from ambassadors.models import Ambassador
from ambassadors.roster_file import RosterFileError, import_roster
from comms.forms import MessageForm
from comms.models import Message
from core import limits
from core.limits import TextLimit
from givegets.forms import GiveGetForm
from givegets.models import GiveGet
from planner.playbook_file import (
    SCHEMA,
    PlaybookFileError,
    dumps,
    export_playbook,
    import_playbook,
    loads,
)
from playbooks.forms import CharterForm, PlaybookForm
from playbooks.models import Playbook
from roles.forms import RoleForm
from roles.models import Role
from tests.factories import at_limit, make_role, playbook_at_limits

pytestmark = pytest.mark.django_db

# Every model with texts a person types, its forms, and its place in the schema.
TEXTS: list[tuple[type[models.Model], list[Any], dict[str, Any]]] = [
    (Playbook, [PlaybookForm, CharterForm], SCHEMA["$defs"]["playbook"]),
    (Role, [RoleForm], SCHEMA["$defs"]["role"]),
    (GiveGet, [GiveGetForm], SCHEMA["$defs"]["giveget"]),
    (Ambassador, [AmbassadorForm], SCHEMA["$defs"]["ambassador"]),
    (Step, [StepForm], SCHEMA["$defs"]["step"]),
    (Task, [TaskForm], SCHEMA["$defs"]["step"]["properties"]["tasks"]["items"]),
    (Message, [MessageForm], SCHEMA["$defs"]["message"]),
]
KINDS = {
    limits.SHORT_NAME,
    limits.NAME,
    limits.LINE,
    limits.TEXT,
    limits.MESSAGE,
    limits.EMAIL,
}
SCHEMA_KEYS = {"sender_text": ("sender", "text")}  # a key that is not its field's name


def texts(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and field.editable
        and not field.choices
    ]


def resolved(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].removeprefix("#/$defs/")]
    return schema


def field_error(html: str, field: str) -> str:
    """The message shown beside a field (crispy's, or a matrix cell's)."""
    match = re.search(rf'id="error_\d+_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)
    assert match, f"no error shown beside {field}"
    return unescape(match.group(1))


class TestOneSource:
    def test_every_text_has_one_limit_in_models_forms_and_schema(self) -> None:
        checked = 0
        for model, forms, definition in TEXTS:
            for field in texts(model):
                where = f"{model.__name__}.{field.name}"
                limit = field.max_length
                assert limit in KINDS, where  # one of core.limits' kinds
                if isinstance(field, models.TextField):  # no limit in the database
                    assert TextLimit(limit) in field.validators, where
                outer, key = SCHEMA_KEYS.get(field.name, (None, field.name))
                props = definition["properties"]
                if outer is not None:
                    props = props[outer]["properties"]
                assert resolved(props[key])["maxLength"] == limit, where
                for form in forms:
                    if field.name in form.base_fields:
                        assert form.base_fields[field.name].max_length == limit, where
                        checked += 1
        assert checked >= 25

    def test_a_line_end_counts_once_everywhere(self) -> None:
        text = "a" * (limits.LINE - 2) + "\r\nb"
        assert limits.length(text) == limits.LINE
        TextLimit(limits.LINE)(text)  # no error


class TestEveryExportImportsAgain:
    @pytest.mark.parametrize("unbroken", [False, True])
    def test_a_playbook_at_its_limits_round_trips(self, world: Any, unbroken: bool) -> None:
        source = playbook_at_limits(world.owner, unbroken=unbroken)
        first = dumps(export_playbook(source))
        assert at_limit(limits.TEXT, unbroken=unbroken, lines=True) in first.replace("\\n", "\n")
        copy = import_playbook(loads(first), owner=world.owner)
        assert dumps(export_playbook(copy)) == first
        role = copy.roles.first()
        assert role is not None
        assert [len(role.name), len(role.question), len(role.wiifm)] == [100, 300, 2000]

    @pytest.mark.parametrize("unbroken", [False, True])
    def test_use_as_template_works_on_it(self, world: Any, client_for: Any, unbroken: bool) -> None:
        source = playbook_at_limits(world.owner, unbroken=unbroken)
        name = at_limit(limits.NAME, "Next ")
        response = client_for("owner").post(
            reverse("playbook_template", args=[source.pk]), {"name": name, "go_live": ""}
        )
        copy = Playbook.objects.get(name=name)
        assert response["Location"] == reverse("playbook_detail", args=[copy.pk])
        assert copy.pledge == source.pledge
        assert list(copy.roles.values_list("wiifm", "concerns")) == list(
            source.roles.values_list("wiifm", "concerns")
        )
        edited = Message.objects.filter(playbook=copy, drafted=False, kind="wiifm").get()
        assert len(edited.text) == limits.MESSAGE

    def test_the_demos_import_again_and_make_templates(self, client_for: Any) -> None:
        call_command("seed_demo", "--force")
        lead = get_user_model().objects.get(username="lead")
        client = client_for("anonymous")
        client.force_login(lead)
        demos = list(Playbook.objects.filter(memberships__user=lead))
        assert len(demos) == 2
        for source in demos:
            import_playbook(loads(dumps(export_playbook(source))), owner=lead)
            response = client.post(
                reverse("playbook_template", args=[source.pk]),
                {"name": f"{source.name} next", "go_live": "2028-01-03"},
            )
            assert response.status_code == 302, source.name
            assert Playbook.objects.filter(name=f"{source.name} next").exists()


class TestTheFormsRefuseOneMore:
    """Issue 23's reproduction: a 12,000-character pledge and a 24,000-character
    WIIFM answer were accepted, and the playbook's own file then refused."""

    def test_the_pledge(self, world: Any, client_for: Any) -> None:
        url = reverse("charter_edit", args=[world.playbook.pk])
        data = {"charter-pledge": "p" * 12_000, "charter-data_used_for": "Forecasts"}
        html = client_for("editor").post(url, data).content.decode()
        assert field_error(html, "charter-pledge") == (
            "This text is 12,000 characters; the limit is 2,000. Please shorten it."
        )
        world.playbook.refresh_from_db()
        assert (world.playbook.pledge, world.playbook.data_used_for, world.playbook.version) == (
            "",
            "",
            1,
        )

    def test_at_the_limit_is_saved_with_line_ends_counted_once(
        self, world: Any, client_for: Any
    ) -> None:
        url = reverse("charter_edit", args=[world.playbook.pk])
        pledge = "p" * (limits.TEXT - 2) + "\r\nq"  # 2,000 as the browser counts
        response = client_for("editor").post(url, {"charter-pledge": pledge})
        assert response.status_code == 302
        world.playbook.refresh_from_db()
        assert limits.length(world.playbook.pledge) == limits.TEXT
        import_playbook(export_playbook(world.playbook), owner=world.owner)  # and imports

    @pytest.mark.parametrize("language", ["en", "da"])
    def test_the_wiifm_answer(self, world: Any, client_for: Any, language: str) -> None:
        sales = make_role(world.playbook, "Sales")
        client = client_for("editor")
        client.cookies["django_language"] = language
        url = reverse("role_edit", args=[world.playbook.pk, sales.pk])
        data = {"name": "Sales", "headcount": "40", "wiifm": "w" * 24_000, "adoption_target": 80}
        html = client.post(url, data).content.decode()
        said = field_error(html, "wiifm")
        if language == "en":
            assert said == "This text is 24,000 characters; the limit is 2,000. Please shorten it."
        else:  # the numbers as Danish writes them (the words: locale/da)
            assert "24.000" in said and "2.000" in said
        sales.refresh_from_db()
        assert (sales.wiifm, sales.headcount, sales.version) == ("", 0, 1)

    def test_a_long_text_is_not_cut_by_the_browser(self, world: Any, client_for: Any) -> None:
        """A browser cuts a paste to a textarea's maxlength silently: the form
        has none there (it says the limit instead); a one-line input keeps it."""
        sales = make_role(world.playbook, "Sales")
        url = reverse("role_edit", args=[world.playbook.pk, sales.pk])
        html = client_for("editor").get(url).content.decode()
        wiifm = re.search(r"<textarea[^>]*name=\"wiifm\"[^>]*>", html)
        name = re.search(r"<input[^>]*name=\"name\"[^>]*>", html)
        assert wiifm and "maxlength" not in wiifm.group(0)
        assert name and 'maxlength="100"' in name.group(0)

    def test_a_name_one_over(self, world: Any, client_for: Any) -> None:
        sales = make_role(world.playbook, "Sales")
        url = reverse("role_edit", args=[world.playbook.pk, sales.pk])
        data = {"name": "n" * 101, "headcount": "40", "adoption_target": 80}
        html = client_for("editor").post(url, data).content.decode()
        assert field_error(html, "name") == (
            "This text is 101 characters; the limit is 100. Please shorten it."
        )
        assert Role.objects.get(pk=sales.pk).name == "Sales"


class TestTextsStoredLonger:
    """Stored before the limits (or past the forms): kept whole, and the next
    edit asks to shorten them."""

    @pytest.fixture
    def sales(self, world: Any) -> Role:
        sales = make_role(world.playbook, "Sales", headcount=40)
        Role.objects.filter(pk=sales.pk).update(wiifm="w" * 12_000)
        return sales

    def test_the_edit_form_asks_to_shorten_it(
        self, world: Any, client_for: Any, sales: Role
    ) -> None:
        client = client_for("editor")
        url = reverse("role_edit", args=[world.playbook.pk, sales.pk])
        html = client.get(url).content.decode()
        assert field_error(html, "wiifm") == (
            "This text is 12,000 characters; the limit is 2,000. Please shorten it."
        )
        assert "is-invalid" in html
        form = {"name": "Sales", "headcount": "41", "wiifm": "w" * 12_000, "adoption_target": 80}
        html = client.post(url, form).content.decode()  # saved as it is: refused
        assert "the limit is 2,000" in field_error(html, "wiifm")
        sales.refresh_from_db()
        assert (len(sales.wiifm), sales.headcount) == (12_000, 40)  # nothing saved
        response = client.post(url, {**form, "wiifm": "Shorter."})
        assert response.status_code == 302
        sales.refresh_from_db()
        assert (sales.wiifm, sales.headcount) == ("Shorter.", 41)

    def test_the_matrix_cell_asks_too(self, world: Any, client_for: Any, sales: Role) -> None:
        url = reverse("matrix_cell", args=[world.playbook.pk, sales.pk, "wiifm"])
        html = unescape(client_for("editor").get(url, headers={"HX-Request": "true"}).text)
        assert "This text is 12,000 characters; the limit is 2,000. Please shorten it." in html
        assert 'aria-invalid="true"' in html

    def test_a_text_within_its_limit_shows_no_message(
        self, world: Any, client_for: Any, sales: Role
    ) -> None:
        Role.objects.filter(pk=sales.pk).update(wiifm="w" * limits.TEXT)
        url = reverse("role_edit", args=[world.playbook.pk, sales.pk])
        assert "Please shorten it" not in client_for("editor").get(url).content.decode()

    def test_the_file_keeps_it_and_its_import_names_field_and_limit(
        self, world: Any, sales: Role
    ) -> None:
        document = export_playbook(world.playbook)
        assert len(document["roles"][0]["wiifm"]) == 12_000  # never cut
        with pytest.raises(PlaybookFileError) as refused:
            import_playbook(document, owner=world.owner)
        assert refused.value.errors == ["roles[0].wiifm: must be at most 2000 characters"]


class TestTheRoster:
    def test_notes_over_the_limit_are_said_by_row_and_column(self, world: Any) -> None:
        make_role(world.playbook, "Sales")
        rows = [
            "name;email;role;notes",
            f"Anna;anna@example.com;Sales;{'n' * limits.TEXT}",
            f"Bo;bo@example.com;Sales;{'n' * (limits.TEXT + 1)}",
        ]
        with pytest.raises(RosterFileError) as refused:
            import_roster(world.playbook, "\r\n".join(rows).encode())
        assert refused.value.errors == ["Row 3, notes: 2,001 characters; at most 2,000 are allowed"]
        assert not Ambassador.objects.exists()


@pytest.mark.django_db(transaction=True)
class TestDateRange:
    """A date's years are 1900 to 2999 (core.limits.DateRange) in every model,
    so in every form and the file: found by the form fuzzer (tests/fuzz), a
    go-live in year 1 or 9999 answered 500, the plan's default dates 60 days
    before it or a week after it being no dates (OverflowError)."""

    MESSAGE = "Enter a date between the years 1900 and 2999."

    def test_every_date_has_the_range(self) -> None:
        dates = [
            (model, field)
            for model in (Playbook, Role, GiveGet, Ambassador, Step, Task, Message)
            for field in model._meta.concrete_fields
            if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
        ]
        assert len(dates) == 10
        for model, field in dates:
            assert limits.DateRange() in field.validators, f"{model.__name__}.{field.name}"

    @pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
    def test_a_template_going_live_in_year_1_or_9999(
        self, world: Any, client_for: Any, day: str
    ) -> None:
        make_role(world.playbook)
        response = client_for("owner").post(
            reverse("playbook_template", args=[world.playbook.pk]),
            {"name": "Next rollout", "go_live": day},
        )
        assert response.status_code == 200
        assert field_error(response.content.decode(), "go_live") == self.MESSAGE
        assert not Playbook.objects.filter(name="Next rollout").exists()

    def test_a_playbook_going_live_in_year_9999(self, world: Any, client_for: Any) -> None:
        response = client_for("owner").post(
            reverse("playbook_edit", args=[world.playbook.pk]),
            {
                "name": "Dynamics go-live",
                "crm_system": "dynamics",
                "language": "en",
                "go_live": "9999-12-31",
            },
        )
        assert response.status_code == 200
        assert field_error(response.content.decode(), "go_live") == self.MESSAGE
        world.playbook.refresh_from_db()
        assert world.playbook.name == "Salesforce rollout 2027"

    @pytest.mark.parametrize(("field", "day"), [("start", "0001-01-01"), ("due", "9999-12-31")])
    def test_a_step_in_year_1_or_9999(
        self, world: Any, client_for: Any, field: str, day: str
    ) -> None:
        world.playbook.go_live = datetime.date(2027, 3, 1)
        world.playbook.save()
        step = create_default_plan(world.playbook)[0]
        p = f"step{step.pk}-"
        response = client_for("owner").post(
            reverse("step_edit", args=[world.playbook.pk, step.pk]),
            {f"{p}title": step.title, f"{p}status": "not_started", f"{p}{field}": day},
        )
        assert response.status_code == 200
        assert field_error(response.content.decode(), f"{p}{field}") == self.MESSAGE
        step.refresh_from_db()
        assert (step.start, step.due) == (None, None)

    def test_the_file_says_where(self, world: Any) -> None:
        world.playbook.go_live = datetime.date(2027, 3, 1)
        world.playbook.save()
        create_default_plan(world.playbook)
        document = loads(dumps(export_playbook(world.playbook)))
        document["playbook"]["go_live"] = "0001-01-01"
        document["action_plan"][0]["start"] = "0001-01-01"
        document["action_plan"][0]["due"] = "9999-12-31"
        with pytest.raises(PlaybookFileError) as refused:
            import_playbook(document, owner=world.owner)
        assert refused.value.errors == [
            "playbook.go_live: must be a date between the years 1900 and 2999",
            "action_plan[0].start: must be a date between the years 1900 and 2999",
            "action_plan[0].due: must be a date between the years 1900 and 2999",
        ]
        assert Playbook.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_texts_longer_than_the_limits() -> None:
    """The limits are validators: the columns stay text, so migrating cuts
    nothing (PostgreSQL included), whatever the rows hold. Outside a test's
    transaction: SQLite turns its foreign keys off for a migration only
    between transactions, and a migration that changes no table (a
    validator's, first to be undone) turns them on again in between."""
    before = [
        ("playbooks", "0009_playbook_imported_at"),
        ("roles", "0006_adoption"),
        ("ambassadors", "0003_version"),
        ("actionplan", "0004_version"),
        ("comms", "0002_default_set_for_existing_playbooks"),
    ]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    long = "æ" * 24_000
    playbook = old.get_model("playbooks", "Playbook").objects.create(name="Old", pledge=long)
    role = old.get_model("roles", "Role").objects.create(
        playbook_id=playbook.pk, name="Sales", question=long, wiifm=long, concerns=long
    )
    old.get_model("ambassadors", "Ambassador").objects.create(
        playbook_id=playbook.pk, role_id=role.pk, name="A", email="a@example.com", notes=long
    )
    old.get_model("actionplan", "Step").objects.create(
        playbook_id=playbook.pk, number=1, title="T", description=long
    )
    old.get_model("comms", "Message").objects.create(playbook_id=playbook.pk, text=long)
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    playbook = Playbook.objects.get(name="Old")
    role = Role.objects.get(playbook=playbook)
    assert {playbook.pledge, role.question, role.wiifm, role.concerns} == {long}
    assert Ambassador.objects.get(playbook=playbook).notes == long
    assert Step.objects.get(playbook=playbook).description == long
    assert Message.objects.get(playbook=playbook).text == long
