"""The playbook file's reader and writer, rule by rule: what mutation testing
(`make mutate`) found no test for. Each test fails when its rule is broken."""

from __future__ import annotations

import copy
import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator

from actionplan.models import Step
from actionplan.services import create_default_plan
from ambassadors.models import Ambassador
from comms.services import create_role_messages
from givegets.models import GiveGet
from planner.playbook_file import (
    MAX_BYTES,
    PlaybookFileError,
    _schema_errors,
    as_template,
    dumps,
    export_playbook,
    import_playbook,
    loads,
    read,
)
from playbooks.models import Playbook
from pulse import figures, weeks
from tests.factories import make_ambassador, make_giveget, make_playbook, make_role, make_user
from tests.playbooks.test_playbook_file import EXAMPLE, errors_of, with_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner() -> Any:
    return make_user("lead")


class TestWriting:
    def test_dumps_writes_utf8_text_indented_by_two_with_a_final_newline(self) -> None:
        assert dumps({"name": "Økonomi", "roles": [1]}) == (
            '{\n  "name": "Økonomi",\n  "roles": [\n    1\n  ]\n}\n'
        )

    def test_whole_numbers_are_written_without_a_fraction(self, owner: Any) -> None:
        playbook = make_playbook(owner)
        role = make_role(playbook, name="Sales")
        make_giveget(role, times_per_week=Decimal("2.00"))
        make_giveget(role, give="Monthly", times_per_week=Decimal("0.25"))
        text = dumps(export_playbook(playbook))
        assert '"times_per_week": 2,' in text
        assert '"times_per_week": 0.25,' in text

    def test_ambassadors_by_name_then_by_when_they_were_added(self, owner: Any) -> None:
        playbook = make_playbook(owner)
        role = make_role(playbook, name="Sales")
        for name, email in [("Sofie", "s1@example.com"), ("Anna", "a@example.com")]:
            make_ambassador(role, name=name, email=email)
        make_ambassador(role, name="Sofie", email="s2@example.com")
        ambassadors = export_playbook(playbook)["roles"][0]["ambassadors"]
        assert [(a["name"], a["email"]) for a in ambassadors] == [
            ("Anna", "a@example.com"),
            ("Sofie", "s1@example.com"),
            ("Sofie", "s2@example.com"),
        ]

    def test_a_task_keeps_its_due_date(self, owner: Any) -> None:
        document = copy.deepcopy(EXAMPLE)
        document["action_plan"][0]["tasks"] = [{"text": "Book", "done": False, "due": "2027-01-18"}]
        exported = export_playbook(import_playbook(document, owner=owner))
        step = next(step for step in exported["action_plan"] if step["number"] == 1)
        assert step["tasks"] == [{"text": "Book", "done": False, "due": "2027-01-18"}]

    def test_export_costs_the_same_queries_whatever_the_size(
        self, owner: Any, django_assert_num_queries: Any
    ) -> None:
        playbook = make_playbook(owner)
        create_default_plan(playbook)
        playbook.go_live = weeks.today() - datetime.timedelta(days=7 * 10)
        playbook.save()

        def grow(count: int) -> None:
            for _index in range(count):
                role = make_role(playbook, name=f"Role {playbook.roles.count()}", headcount=40)
                make_giveget(role)
                make_ambassador(role, name=f"Person {role.pk}")
                figures.replace(playbook, {(role.pk, week): 30 for week in range(1, 11)})
                create_role_messages(role)

        grow(1)
        # roles, their Give-Gets, their ambassadors, their adoption figures,
        # the steps, their tasks, the messages
        with django_assert_num_queries(7):
            small = export_playbook(playbook)
        grow(20)
        with django_assert_num_queries(7):
            large = export_playbook(playbook)
        assert len(small["roles"]) == 1 and len(large["roles"]) == 21
        assert len(large["roles"][-1]["adoption"]) == 10
        assert len(small["communications"]) == 3 and len(large["communications"]) == 63

    def test_the_error_reads_one_line_per_problem(self) -> None:
        assert str(PlaybookFileError(["a: one", "b: two"])) == "a: one\nb: two"


class TestLoads:
    def test_exactly_five_megabytes_is_read(self) -> None:
        text = "{}" + " " * (MAX_BYTES - 2)
        assert loads(text) == {}

    def test_one_byte_more_is_refused(self) -> None:
        with pytest.raises(PlaybookFileError) as caught:
            loads("{}" + " " * (MAX_BYTES - 1))
        assert caught.value.errors == ["the file is larger than 5 MB"]

    def test_fractions_are_exact_decimals(self) -> None:
        assert loads('{"t": 0.1, "n": 8}') == {"t": Decimal("0.1"), "n": 8}
        assert isinstance(loads('{"t": 0.1}')["t"], Decimal)

    @pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
    def test_numbers_json_does_not_allow_are_refused(self, constant: str) -> None:
        with pytest.raises(PlaybookFileError) as caught:
            loads(f'{{"t": {constant}}}')
        assert caught.value.errors == [f"not a JSON file ({constant} is not a number JSON allows)"]

    def test_not_json_says_where(self) -> None:
        with pytest.raises(PlaybookFileError) as caught:
            loads('{"name": }')
        assert caught.value.errors == [
            "not a JSON file (Expecting value: line 1 column 10 (char 9))"
        ]

    def test_nested_too_deeply(self) -> None:
        with pytest.raises(PlaybookFileError) as caught:
            loads("[" * 100_000 + "]" * 100_000)
        assert caught.value.errors == ["not a JSON file (nested too deeply)"]

    def test_every_key_that_appears_twice_is_named(self) -> None:
        with pytest.raises(PlaybookFileError) as caught:
            loads('{"b": 1, "a": 1, "b": 2, "a": 2}')
        assert caught.value.errors == ["not a JSON file (a key appears twice in one object: a, b)"]


class TestReading:
    def test_every_bad_text_is_listed_not_only_the_first(self, owner: Any) -> None:
        document = with_change("playbook.pledge", "half \ud800 a character")
        document["playbook"]["data_used_for"] = "also \ud800"
        document["playbook"]["data_not_used_for"] = "a \x00 NUL"
        assert errors_of(document, owner) == [
            "playbook.pledge: must be valid text (it holds a lone surrogate)",
            "playbook.data_used_for: must be valid text (it holds a lone surrogate)",
            "playbook.data_not_used_for: must not contain NUL characters",
        ]

    def test_an_unknown_key_does_not_hide_the_keys_after_it(self, owner: Any) -> None:
        document = copy.deepcopy(EXAMPLE)
        document["playbook"] = {"colour": "blue", **document["playbook"]}
        assert errors_of(document, owner) == ["playbook.colour: unknown key"]

    def test_a_missing_key_is_listed_before_the_objects_keys(self, owner: Any) -> None:
        document = copy.deepcopy(EXAMPLE)
        document["playbook"] = {"organisation": 5, "language": "en"}
        assert errors_of(document, owner) == [
            "playbook.name: is required",
            "playbook.organisation: must be a string",
        ]

    def test_missing_step_texts_are_the_default_plans_in_the_playbooks_language(
        self, owner: Any
    ) -> None:
        document = copy.deepcopy(EXAMPLE)
        del document["action_plan"][0]["title"]
        for language, title in [
            ("da", "Anerkend værdigabet"),
            ("en", "Acknowledge the value gap"),
        ]:
            document["playbook"]["language"] = language
            document["playbook"]["name"] = f"In {language}"
            playbook = import_playbook(copy.deepcopy(document), owner=owner)
            assert Step.objects.get(playbook=playbook, number=1).title == title

    @pytest.mark.parametrize("number", [9, None])
    def test_a_step_without_a_known_number_has_only_that_error(
        self, owner: Any, number: int | None
    ) -> None:
        step: dict[str, Any] = {"owner": "Lea", "tasks": []}
        if number is not None:
            step["number"] = number
        document = with_change("action_plan", [step])
        assert errors_of(document, owner) == [
            "action_plan[0].number: must be at most 7"
            if number
            else "action_plan[0].number: is required"
        ]

    def test_a_blank_step_title_is_refused(self, owner: Any) -> None:
        document = copy.deepcopy(EXAMPLE)
        document["action_plan"][0]["title"] = "   "
        assert errors_of(document, owner) == ["action_plan[0].title: must not be blank"]

    def test_a_step_may_start_and_end_on_one_day(self, owner: Any) -> None:
        document = copy.deepcopy(EXAMPLE)
        document["action_plan"][0]["due"] = "2027-01-15"
        playbook = import_playbook(document, owner=owner)
        step = Step.objects.get(playbook=playbook, number=1)
        assert step.start == step.due == datetime.date(2027, 1, 15)

    def test_order_follows_the_file_in_every_list(self, owner: Any) -> None:
        document = copy.deepcopy(EXAMPLE)
        second = copy.deepcopy(document["roles"][0])
        second["name"] = "Service"
        second["ambassadors"] = []
        second["givegets"].append({**second["givegets"][0], "give": "Close cases"})
        document["roles"].append(second)
        document["action_plan"][0]["tasks"].append({"text": "Then this", "done": False})
        playbook = import_playbook(document, owner=owner)
        assert list(playbook.roles.values_list("name", "order")) == [("Sales", 0), ("Service", 1)]
        service = playbook.roles.get(name="Service")
        assert list(service.givegets.values_list("give", "order")) == [
            ("Log each customer meeting", 0),
            ("Close cases", 1),
        ]
        step = Step.objects.get(playbook=playbook, number=1)
        assert list(step.tasks.values_list("text", "order")) == [
            ("Send the pledge to all staff", 0),
            ("Then this", 1),
        ]

    def test_a_rule_of_a_models_own_is_said_at_its_place(
        self, owner: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A rule a model may gain that the schema does not state: the model's
        words, at the field's place, or at the object's for the whole object."""

        def clean_step(step: Step) -> None:
            raise ValidationError("A step needs a reviewer.")

        def clean_ambassador(ambassador: Ambassador) -> None:
            raise ValidationError({"notes": ValidationError("Notes are private.", code="x")})

        monkeypatch.setattr(Step, "clean", clean_step)
        monkeypatch.setattr(Ambassador, "clean", clean_ambassador)
        assert errors_of(copy.deepcopy(EXAMPLE), owner) == [
            "roles[0].ambassadors[0].notes: Notes are private.",
            "action_plan[0]: A step needs a reviewer.",
        ]


class TestSchemaWords:
    """The reader's words for the schema's keywords, and jsonschema's own for a
    keyword the schema may gain later (it must never fail on one)."""

    def errors(self, schema: dict[str, Any], instance: Any) -> list[tuple[tuple, str]]:
        return [
            each
            for error in Draft202012Validator(schema).iter_errors(instance)
            for each in _schema_errors(error)
        ]

    def test_a_keyword_without_words_of_ours(self) -> None:
        assert self.errors({"properties": {"a": {"pattern": "^x"}}}, {"a": "y"}) == [
            (("a",), "'y' does not match '^x'")
        ]

    def test_a_type_list_other_than_ours(self) -> None:
        assert self.errors({"type": ["boolean", "null"]}, 5) == [
            ((), "5 is not of type 'boolean', 'null'")
        ]

    def test_a_type_without_words_of_ours(self) -> None:
        assert self.errors({"type": "null"}, 5) == [((), "5 is not of type 'null'")]

    def test_unknown_keys_of_an_object_without_properties(self) -> None:
        assert self.errors({"additionalProperties": False}, {"x": 1}) == [(("x",), "unknown key")]


class TestAsTemplate:
    def test_go_live_and_every_date_move_and_the_source_is_untouched(self) -> None:
        source = copy.deepcopy(EXAMPLE)
        source["action_plan"][0]["tasks"][0]["due"] = "2027-01-18"
        before = json.dumps(source, sort_keys=True)
        document = as_template(source, name="Next", go_live=datetime.date(2027, 4, 1))
        assert json.dumps(source, sort_keys=True) == before
        assert document["playbook"]["go_live"] == "2027-04-01"
        assert document["playbook"]["name"] == "Next"
        assert document["roles"][0]["quick_win_due"] == "2027-04-05"
        assert document["roles"][0]["givegets"][0]["deliver_by"] == "2027-04-05"
        step = document["action_plan"][0]
        assert (step["start"], step["due"]) == ("2027-02-15", "2027-02-20")
        assert step["tasks"][0] == {
            "text": "Send the pledge to all staff",
            "done": False,
            "due": "2027-02-18",
        }

    def test_without_a_go_live_the_dates_follow_the_new_one_as_defaults(self) -> None:
        document = as_template(copy.deepcopy(EXAMPLE), name="Next", go_live=None)
        assert document["playbook"]["go_live"] is None
        assert document["roles"][0]["quick_win_due"] is None
        assert document["action_plan"][0]["start"] is None

    def test_a_file_with_only_a_playbook(self, owner: Any) -> None:
        bare = {"format": "wiifm-playbook", "version": 1, "playbook": {"name": "Bare"}}
        document = as_template(bare, name="Next", go_live=datetime.date(2027, 4, 1))
        assert document == {
            "format": "wiifm-playbook",
            "version": 1,
            "playbook": {"name": "Next", "go_live": "2027-04-01"},
        }
        assert read(document).playbook.name == "Next"

    def test_a_role_without_givegets_and_a_step_without_tasks(self) -> None:
        source = copy.deepcopy(EXAMPLE)
        del source["roles"][0]["givegets"]
        del source["action_plan"][0]["tasks"]
        document = as_template(source, name="Next", go_live=None)
        assert "givegets" not in document["roles"][0]
        assert "tasks" not in document["action_plan"][0]
        assert GiveGet.objects.count() == 0 and Playbook.objects.count() == 0
