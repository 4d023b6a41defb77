"""The playbook file: export, import, the round trip and every refusal."""

from __future__ import annotations

import copy
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from actionplan.models import Step, Task
from ambassadors.models import Ambassador
from core import limits
from givegets.models import GiveGet
from planner.playbook_file import (
    SCHEMA,
    PlaybookFileError,
    dumps,
    export_playbook,
    import_playbook,
    loads,
    read,
)
from playbooks.models import Membership, Playbook
from pulse.models import AdoptionFigure
from roles.equation import MAX_MINUTES_PER_WEEK, MAX_TIMES_PER_WEEK
from roles.models import FACTORS, MAX_HEADCOUNT, Role
from tests.factories import make_playbook, make_user

pytestmark = pytest.mark.django_db

# DESIGN.md's example, its playbook part, with the keys of adoption (issue 19).
EXAMPLE = {
    "format": "wiifm-playbook",
    "version": 1,
    "playbook": {
        "name": "Salesforce rollout 2027",
        "organisation": "Nordlys A/S",
        "crm_system": "salesforce",
        "crm_other": "",
        "go_live": "2027-03-01",
        "language": "da",
        "pledge": "We ask you for data. In return we commit to insight and efficiency.",
        "data_used_for": "Forecasting, coaching conversations, customer context.",
        "data_not_used_for": "Counting calls, ranking people, pay decisions.",
        "privacy_threshold": 5,
        "weeks_from": None,
    },
    "roles": [
        {
            "name": "Sales",
            "headcount": 40,
            "question": "Does it help me close deals faster and hit my commission?",
            "wiifm": (
                "AI lead scoring puts the right customers first; voice-to-CRM saves hours a week."
            ),
            "concerns": "Management will watch my every call.",
            "quick_win": "Voice-to-CRM meeting notes",
            "quick_win_due": "2027-03-05",
            "quick_win_done": False,
            "factors": {
                "unique_data": 4,
                "speed": 3,
                "recognition": 2,
                "friction": 2,
                "rigidity": 1,
            },
            "givegets": [
                {
                    "give": "Log each customer meeting",
                    "minutes_each": 5,
                    "times_per_week": 8,
                    "get": "Automatic weekly pipeline report",
                    "get_kind": "time_saved",
                    "minutes_saved_per_week": 60,
                    "owner": "Sales ops",
                    "deliver_by": "2027-03-05",
                    "status": "planned",
                }
            ],
            "ambassadors": [
                {
                    "name": "Mette Sørensen",
                    "email": "mette@example.com",
                    "department": "Sales Copenhagen",
                    "influence": 5,
                    "early_access": "2027-02-01",
                    "training": "completed",
                    "trained_on": "2027-02-10",
                    "notes": "",
                }
            ],
            "adoption_target": 85,
            "adoption": [],
        }
    ],
    "action_plan": [
        {
            "number": 1,
            "title": "Acknowledge the value gap",
            "description": "Publish the pledge.",
            "owner": "Change lead",
            "start": "2027-01-15",
            "due": "2027-01-20",
            "status": "done",
            "tasks": [{"text": "Send the pledge to all staff", "done": True, "due": None}],
        }
    ],
}


@pytest.fixture
def owner() -> Any:
    return make_user("lead")


def errors_of(document: Any, owner: Any) -> list[str]:
    before = Playbook.objects.count()
    with pytest.raises(PlaybookFileError) as caught:
        import_playbook(document, owner=owner)
    assert Playbook.objects.count() == before, "a refused file created something"
    return caught.value.errors


def with_change(path: str, value: Any, *, delete: bool = False) -> dict:
    document = copy.deepcopy(EXAMPLE)
    *parents, last = path.split(".")
    target = document
    for part in parents:
        target = target[part]
    if delete:
        del target[last]
    else:
        target[last] = value
    return document


def test_the_example_imports(owner: Any) -> None:
    playbook = import_playbook(EXAMPLE, owner=owner)
    assert playbook.name == "Salesforce rollout 2027"
    role = playbook.roles.get()
    assert (role.name, role.headcount, role.unique_data, role.rigidity) == ("Sales", 40, 4, 1)
    assert str(role.quick_win_due) == "2027-03-05"
    giveget = role.givegets.get()
    assert (giveget.minutes_each, giveget.times_per_week, giveget.status) == (5, 8, "planned")
    balance = role.balance()
    assert (balance.time_balance, balance.perceived, balance.verdict) == (20, 6, "net_beneficiary")
    ambassador = role.ambassadors.get()
    assert (ambassador.name, ambassador.influence, ambassador.training) == (
        "Mette Sørensen",
        5,
        "completed",
    )
    assert ambassador.playbook == playbook
    assert ambassador.link_hash == ""


def test_links_are_never_exported(owner: Any) -> None:
    from ambassadors.services import issue_link

    playbook = import_playbook(EXAMPLE, owner=owner)
    token = issue_link(playbook.roles.get().ambassadors.get())
    text = dumps(export_playbook(playbook))
    assert token not in text
    assert "link" not in text
    assert playbook.organisation == "Nordlys A/S"
    assert str(playbook.go_live) == "2027-03-01"
    assert playbook.language == "da"
    assert Membership.objects.get(playbook=playbook).user == owner
    assert Membership.objects.get(playbook=playbook).level == "owner"


def test_round_trip_gives_the_same_bytes(owner: Any) -> None:
    first = dumps(export_playbook(import_playbook(EXAMPLE, owner=owner)))
    second = dumps(export_playbook(import_playbook(json.loads(first), owner=owner)))
    assert first == second
    document = json.loads(first)
    # The example has no communications: it gets the default set.
    assert {k: v for k, v in document.items() if k not in {"action_plan", "communications"}} == {
        k: v for k, v in EXAMPLE.items() if k != "action_plan"
    }
    assert [m["kind"] for m in document["communications"]] == [
        "wiifm",
        "quick_win",
        "first_results",
        "open_session",
    ]
    assert document["action_plan"][0] == EXAMPLE["action_plan"][0]
    assert [step["number"] for step in document["action_plan"]] == [1, 2, 3, 4, 5, 6, 7]


def test_export_writes_every_key_in_order(owner: Any) -> None:
    playbook = make_playbook(name="Plain")
    document = export_playbook(playbook)
    assert list(document) == [
        "format",
        "version",
        "playbook",
        "roles",
        "action_plan",
        "communications",
    ]
    assert list(document["playbook"]) == list(EXAMPLE["playbook"])
    assert document["playbook"]["go_live"] is None
    document = export_playbook(import_playbook(EXAMPLE, owner=owner))
    assert list(document["roles"][0]) == list(EXAMPLE["roles"][0])
    assert list(document["roles"][0]["givegets"][0]) == list(EXAMPLE["roles"][0]["givegets"][0])
    assert list(document["roles"][0]["ambassadors"][0]) == list(
        EXAMPLE["roles"][0]["ambassadors"][0]
    )


def test_a_default_quick_win_date_is_written_as_null(owner: Any) -> None:
    document = with_change("roles", [{"name": "Service"}])
    playbook = import_playbook(document, owner=owner)
    role = playbook.roles.get()
    assert role.quick_win_due is None
    assert str(role.quick_win_due_date) == "2027-03-07"  # end of week 1
    assert export_playbook(playbook)["roles"][0]["quick_win_due"] is None
    playbook.go_live = datetime.date(2027, 4, 5)
    playbook.save()
    role.refresh_from_db()
    assert str(role.quick_win_due_date) == "2027-04-11"


def test_texts_are_stripped_like_the_forms_do(owner: Any) -> None:
    document = with_change(
        "roles", [{"name": " Sales ", "givegets": [{"give": " Log ", "get": "   "}]}]
    )
    giveget = import_playbook(document, owner=owner).roles.get().givegets.get()
    assert (giveget.role.name, giveget.give, giveget.get) == ("Sales", "Log", "")


def test_every_value_the_form_accepts_survives_the_round_trip(owner: Any) -> None:
    playbook = import_playbook(EXAMPLE, owner=owner)
    playbook.roles.get().givegets.update(minutes_each=0, times_per_week=Decimal("999.99"))
    again = import_playbook(loads(dumps(export_playbook(playbook))), owner=owner)
    assert again.roles.get().givegets.get().times_per_week == Decimal("999.99")


def test_numbers_are_exact(owner: Any) -> None:
    text = dumps(EXAMPLE).replace('"times_per_week": 8', '"times_per_week": 0.25')
    playbook = import_playbook(loads(text), owner=owner)
    assert playbook.roles.get().givegets.get().times_per_week == Decimal("0.25")
    assert '"times_per_week": 0.25' in dumps(export_playbook(playbook))


def test_missing_optional_keys_take_their_defaults(owner: Any) -> None:
    playbook = import_playbook(
        {"format": "wiifm-playbook", "version": 1, "playbook": {"name": "Bare"}}, owner=owner
    )
    assert playbook.language == "en"
    assert playbook.crm_system == "other"
    assert playbook.go_live is None
    assert playbook.pledge == ""


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("playbook.language", "fr", "playbook.language: must be one of da, en"),
        ("playbook.crm_system", "oracle", "playbook.crm_system: must be one of"),
        ("playbook.name", "", "playbook.name: must not be blank"),
        ("playbook.name", "x" * 300, "playbook.name: must be at most 200 characters"),
        ("playbook.name", 42, "playbook.name: must be a string"),
        ("playbook.go_live", "2027-02-30", "playbook.go_live: must be a date written YYYY-MM-DD"),
        ("playbook.go_live", "1/3/2027", "playbook.go_live: must be a date written YYYY-MM-DD"),
        ("playbook.go_live", 20270301, "playbook.go_live: must be a date written YYYY-MM-DD"),
        ("playbook.pledge", True, "playbook.pledge: must be a string"),
        ("playbook.colour", "blue", "playbook.colour: unknown key"),
        ("extra", [], "extra: unknown key"),
        ("format", "something-else", "format: must be “wiifm-playbook”"),
        ("version", 2, "version: this file is version 2; this installation reads version 1"),
        # Any other wrong version is the schema's, in the words of every number.
        ("version", "1", "version: must be a number"),
        ("version", True, "version: must be a number"),
        ("version", 1.5, "version: must be a whole number"),
        ("version", 0, "version: must be “1”"),
        ("roles", 5, "roles: must be a list"),
        ("action_plan", "steps", "action_plan: must be a list"),
        ("playbook", [], "playbook: must be an object"),
        ("roles", {}, "roles: must be a list"),
        (
            "roles",
            [{"name": "A"}, {"name": "a"}],
            "roles[1].name: another role (roles[0]) is already called “a”",
        ),
        ("roles", [{"name": "Økonomi"}, {"name": "ØKONOMI"}], "roles[1].name: another role"),
        ("roles", [{"name": "ØKONOMI"}, {"name": "økonomi"}], "roles[1].name: another role"),
        ("roles", [{"name": "A", "ambassadors": {}}], "roles[0].ambassadors: must be a list"),
        (
            "roles",
            [{"name": "A", "ambassadors": [{"name": "M", "email": "m@x.dk"}]}],
            "roles[0].ambassadors[0].influence: is required",
        ),
        (
            "roles",
            [{"name": "A", "ambassadors": [{"name": "M", "email": "m@x.dk", "influence": 0}]}],
            "roles[0].ambassadors[0].influence: must be 1 or more",
        ),
        (
            "roles",
            [{"name": "A", "ambassadors": [{"name": "M", "email": "nope", "influence": 3}]}],
            "roles[0].ambassadors[0].email: must be an e-mail address",
        ),
        (
            "roles",
            [
                {
                    "name": "A",
                    "ambassadors": [
                        {"name": "M", "email": "m@x.dk", "influence": 3, "training": "done"}
                    ],
                }
            ],
            "roles[0].ambassadors[0].training: must be one of",
        ),
        (
            "roles",
            [
                {
                    "name": "A",
                    "ambassadors": [{"name": "M", "email": "m@x.dk", "influence": 3, "link": "x"}],
                }
            ],
            "roles[0].ambassadors[0].link: unknown key",
        ),
        (
            "roles",
            [
                {"name": "A", "ambassadors": [{"name": "M", "email": "m@x.dk", "influence": 3}]},
                {"name": "B", "ambassadors": [{"name": "N", "email": "M@X.dk", "influence": 3}]},
            ],
            "roles[1].ambassadors[0].email: roles[0].ambassadors[0] has the same e-mail",
        ),
        ("roles", [{"headcount": 3}], "roles[0].name: is required"),
        ("roles", [{"name": "A", "headcount": -1}], "roles[0].headcount: must be 0 or more"),
        ("roles", [{"name": "A", "headcount": "40"}], "roles[0].headcount: must be a number"),
        ("roles", [{"name": "A", "headcount": 4.5}], "roles[0].headcount: must be a whole number"),
        (
            "roles",
            [{"name": "A", "quick_win_done": 1}],
            "roles[0].quick_win_done: must be true or false",
        ),
        (
            "roles",
            [{"name": "A", "factors": {"speed": 6}}],
            "roles[0].factors.speed: must be at most 5",
        ),
        (
            "roles",
            [{"name": "A", "factors": {"speed": True}}],
            "roles[0].factors.speed: must be a number, or null",
        ),
        ("roles", [{"name": "A", "factors": {"joy": 1}}], "roles[0].factors.joy: unknown key"),
        (
            "roles",
            [{"name": "A", "givegets": [{"minutes_each": 5}]}],
            "roles[0].givegets[0].give: is required",
        ),
        (
            "roles",
            [{"name": "A", "givegets": [{"give": "x", "minutes_each": -1}]}],
            "roles[0].givegets[0].minutes_each: must be 0 or more",
        ),
        (
            "roles",
            [{"name": "A", "givegets": [{"give": "x", "minutes_each": 3000}]}],
            "roles[0].givegets[0].minutes_each: must be at most 2400",
        ),
        (
            "roles",
            [{"name": "A", "givegets": [{"give": "x", "times_per_week": 0.255}]}],
            "roles[0].givegets[0].times_per_week: must have at most 2 decimals",
        ),
        (
            "roles",
            [{"name": "A", "givegets": [{"give": "x", "times_per_week": "8"}]}],
            "roles[0].givegets[0].times_per_week: must be a number",
        ),
        (
            "roles",
            [{"name": "A", "givegets": [{"give": "x", "minutes_each": 600, "times_per_week": 5}]}],
            "roles[0].givegets[0].times_per_week: 600 minutes × 5 times is more than 2400",
        ),
        (
            "roles",
            [{"name": "A", "givegets": [{"give": "x", "minutes_saved_per_week": 2401}]}],
            "roles[0].givegets[0].minutes_saved_per_week: must be at most 2400",
        ),
        (
            "roles",
            [{"name": "A", "givegets": [{"give": "x", "get_kind": "money"}]}],
            "roles[0].givegets[0].get_kind: must be one of",
        ),
        (
            "roles",
            [{"name": "A", "givegets": [{"give": "x", "status": "done"}]}],
            "roles[0].givegets[0].status: must be one of",
        ),
        (
            "roles",
            [{"name": "A", "givegets": [{"give": "x", "deliver_by": "soon"}]}],
            "roles[0].givegets[0].deliver_by: must be a date",
        ),
        ("playbook.name", "a\ud800b", "playbook.name: must be valid text"),
        ("playbook.name", "a\x00b", "playbook.name: must not contain NUL characters"),
        ("playbook.go_live", "2027-W10-1", "playbook.go_live: must be a date written YYYY-MM-DD"),
        (
            "playbook.go_live",
            "２０２７-03-01",
            "playbook.go_live: must be a date written YYYY-MM-DD",
        ),
    ],
)
def test_refusals_name_their_place(owner: Any, path: str, value: Any, expected: str) -> None:
    errors = errors_of(with_change(path, value), owner)
    assert any(error.startswith(expected) for error in errors), errors


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("format", "format: is required"),
        ("version", "version: is required"),
        ("playbook.name", "playbook.name: is required"),
    ],
)
def test_required_keys(owner: Any, path: str, expected: str) -> None:
    assert expected in errors_of(with_change(path, None, delete=True), owner)


def test_every_error_is_listed(owner: Any) -> None:
    document = with_change("playbook.language", "fr")
    document["playbook"]["crm_system"] = "oracle"
    errors = errors_of(document, owner)
    assert len(errors) == 2


def test_not_json_and_not_an_object(owner: Any) -> None:
    with pytest.raises(PlaybookFileError, match="not a JSON file"):
        loads("{nope")
    assert errors_of([], owner) == ["(file): must be an object"]


def test_deeply_nested_json_is_refused() -> None:
    with pytest.raises(PlaybookFileError, match="not a JSON file"):
        loads("[" * 100_000 + "]" * 100_000)


def test_a_key_twice_is_refused() -> None:
    with pytest.raises(PlaybookFileError, match="a key appears twice in one object: language"):
        loads('{"playbook": {"language": "fr", "language": "da"}}')


def test_a_missing_name_is_reported_once(owner: Any) -> None:
    assert errors_of(with_change("playbook.name", None, delete=True), owner) == [
        "playbook.name: is required"
    ]
    assert errors_of(with_change("playbook", None, delete=True), owner) == ["playbook: is required"]


def test_crm_other_goes_only_with_other(owner: Any) -> None:
    playbook = import_playbook(with_change("playbook.crm_other", "SuperOffice"), owner=owner)
    assert playbook.crm_system == "salesforce"
    assert playbook.crm_other == ""


def test_too_large() -> None:
    with pytest.raises(PlaybookFileError, match="larger than 5 MB"):
        loads(" " * (5 * 1024 * 1024 + 1))


def test_texts_are_stripped_before_their_length_is_checked(owner: Any) -> None:
    name = " " + "x" * 200 + "\n"
    assert import_playbook(with_change("playbook.name", name), owner=owner).name == "x" * 200


def test_long_texts_survive_the_round_trip(owner: Any) -> None:
    """A long text at its limit (the forms', core.limits) goes and comes back; one
    character more is refused, by name and limit."""
    playbook = import_playbook(with_change("playbook.pledge", "p" * limits.TEXT), owner=owner)
    first = dumps(export_playbook(playbook))
    assert dumps(export_playbook(import_playbook(loads(first), owner=owner))) == first
    with pytest.raises(PlaybookFileError) as refused:
        import_playbook(with_change("playbook.pledge", "p" * 12_000), owner=owner)
    assert refused.value.errors == ["playbook.pledge: must be at most 2000 characters"]


def test_reading_touches_no_database(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        read(copy.deepcopy(EXAMPLE))
    with django_assert_num_queries(0), pytest.raises(PlaybookFileError):
        read(with_change("roles", [{"name": "A"}, {"name": "a"}]))


class TestSchemaErrors:
    """Structure and types come from the JSON Schema, worded as the file's errors."""

    @pytest.mark.parametrize(
        ("path", "value", "expected"),
        [
            ("playbook", [], "playbook: must be an object"),
            ("playbook.name", 42, "playbook.name: must be a string"),
            (
                "playbook.go_live",
                True,
                "playbook.go_live: must be a date written YYYY-MM-DD, or null",
            ),
            ("roles", "Sales", "roles: must be a list"),
            ("roles", [{"name": "A", "headcount": "40"}], "roles[0].headcount: must be a number"),
            (
                "roles",
                [{"name": "A", "headcount": Decimal("40.0")}],
                "roles[0].headcount: must be a whole number",
            ),
            ("roles", [{"name": "A", "headcount": True}], "roles[0].headcount: must be a number"),
            (
                "roles",
                [{"name": "A", "quick_win_done": 0}],
                "roles[0].quick_win_done: must be true or false",
            ),
            ("roles", [{"name": "A", "givegets": {}}], "roles[0].givegets: must be a list"),
            ("roles", [{"name": "A", "factors": [1]}], "roles[0].factors: must be an object"),
            ("roles", ["Sales"], "roles[0]: must be an object"),
        ],
    )
    def test_type(self, owner: Any, path: str, value: Any, expected: str) -> None:
        assert errors_of(with_change(path, value), owner) == [expected]

    def test_unknown_keys_each_at_their_place(self, owner: Any) -> None:
        document = with_change("playbook.colour", "blue")
        document["playbook"]["size"] = 3
        document["roles"][0]["givegets"][0]["link"] = "x"
        assert errors_of(document, owner) == [
            "playbook.colour: unknown key",
            "playbook.size: unknown key",
            "roles[0].givegets[0].link: unknown key",
        ]

    def test_required_at_the_missing_key(self, owner: Any) -> None:
        document = with_change("roles", [{"name": "A", "ambassadors": [{"notes": "x"}]}])
        assert errors_of(document, owner) == [
            "roles[0].ambassadors[0].name: is required",
            "roles[0].ambassadors[0].email: is required",
            "roles[0].ambassadors[0].influence: is required",
        ]

    @pytest.mark.parametrize(
        ("path", "value", "expected"),
        [
            (
                "playbook.crm_system",
                "oracle",
                "playbook.crm_system: must be one of dynamics, hubspot, other, pipedrive, "
                "salesforce, zoho",
            ),
            (
                "roles",
                [{"name": "A", "givegets": [{"give": "x", "get_kind": "Insight"}]}],
                "roles[0].givegets[0].get_kind: must be one of automation, insight, recognition, "
                "time_saved",
            ),
            ("format", 1, "format: must be “wiifm-playbook”"),
        ],
    )
    def test_enum_and_const(self, owner: Any, path: str, value: Any, expected: str) -> None:
        assert errors_of(with_change(path, value), owner) == [expected]

    @pytest.mark.parametrize(
        "value", ["2027-3-1", "2027-02-30", "20270301", "2027-03-01T10:00", "2027-03-01\n", 2027]
    )
    def test_date_pattern(self, owner: Any, value: Any) -> None:
        assert errors_of(with_change("playbook.go_live", value), owner) == [
            "playbook.go_live: must be a date written YYYY-MM-DD, or null"
        ]

    def test_more_than_seven_steps(self, owner: Any) -> None:
        plan = [{"number": number} for number in [1, 2, 3, 4, 5, 6, 7, 7]]
        assert errors_of(with_change("action_plan", plan), owner) == [
            "action_plan: must have at most 7 items",
            "action_plan[7].number: action_plan[6] is step 7 too",
        ]

    def test_a_newer_version_is_the_only_error(self, owner: Any) -> None:
        document = with_change("version", 2)
        document["comms"] = []
        assert errors_of(document, owner) == [
            "version: this file is version 2; this installation reads version 1 and older"
        ]

    def test_an_unknown_key_with_a_lone_surrogate_is_shown_escaped(self, owner: Any) -> None:
        assert errors_of(with_change("playbook.a\ud800", 1), owner) == [
            "playbook.a\\ud800: unknown key"
        ]


def test_every_error_in_one_file_is_listed_in_reading_order(owner: Any) -> None:
    document = copy.deepcopy(EXAMPLE)
    document["playbook"].update(name="  ", language="fr", colour="blue")
    document["roles"][0].update(headcount=-1, quick_win_due="soon")
    document["roles"][0]["factors"]["speed"] = 6
    document["roles"][0]["givegets"][0].update(minutes_each=600, times_per_week=5)
    document["roles"][0]["ambassadors"][0].update(email="nope", influence=0)
    document["roles"].append({"name": "SALES", "givegets": [{"give": "x", "times_per_week": 0.5}]})
    document["roles"][1]["givegets"][0]["times_per_week"] = 0.125
    document["action_plan"].append({"number": 1, "due": "2027-01-01", "start": "2027-02-01"})
    del document["format"]
    assert errors_of(document, owner) == [
        "format: is required",
        "playbook.name: must not be blank",
        "playbook.language: must be one of da, en",
        "playbook.colour: unknown key",
        "roles[0].headcount: must be 0 or more",
        "roles[0].quick_win_due: must be a date written YYYY-MM-DD, or null",
        "roles[0].factors.speed: must be at most 5",
        "roles[0].givegets[0].times_per_week: "
        "600 minutes × 5 times is more than 2400 minutes a week",
        "roles[0].ambassadors[0].email: must be an e-mail address",
        "roles[0].ambassadors[0].influence: must be 1 or more",
        "roles[1].name: another role (roles[0]) is already called “SALES”, ignoring case",
        "roles[1].givegets[0].times_per_week: must have at most 2 decimals",
        "action_plan[1].number: action_plan[0] is step 1 too",
        "action_plan[1].due: must not be before start",
    ]


def test_an_error_is_not_followed_by_its_consequences(owner: Any) -> None:
    """A bad training is reported; the training date is not also refused for it."""
    ambassador = {"name": "M", "email": "m@x.dk", "influence": 3, "training": "done"}
    ambassador["trained_on"] = "2027-02-10"
    errors = errors_of(with_change("roles", [{"name": "A", "ambassadors": [ambassador]}]), owner)
    assert errors == [
        "roles[0].ambassadors[0].training: must be one of completed, not_started, scheduled"
    ]


def test_a_training_date_goes_with_a_training(owner: Any) -> None:
    ambassador = {"name": "M", "email": "m@x.dk", "influence": 3, "trained_on": "2027-02-10"}
    errors = errors_of(with_change("roles", [{"name": "A", "ambassadors": [ambassador]}]), owner)
    assert errors == [
        "roles[0].ambassadors[0].trained_on: goes with a training scheduled or completed"
    ]


class TestMinuteCap:
    """At most 2,400 minutes a week (a 40-hour week) on either side of a Give-Get."""

    def document(self, **giveget: Any) -> dict:
        return with_change("roles", [{"name": "A", "givegets": [{"give": "x", **giveget}]}])

    @pytest.mark.parametrize(
        "giveget",
        [
            {"minutes_saved_per_week": MAX_MINUTES_PER_WEEK},
            {"minutes_each": MAX_MINUTES_PER_WEEK, "times_per_week": 1},
            {"minutes_each": 100, "times_per_week": 24},
            {"minutes_each": 4, "times_per_week": 600},
        ],
    )
    def test_at_the_cap(self, owner: Any, giveget: dict) -> None:
        import_playbook(self.document(**giveget), owner=owner)

    @pytest.mark.parametrize(
        ("giveget", "expected"),
        [
            (
                {"minutes_saved_per_week": 2401},
                "roles[0].givegets[0].minutes_saved_per_week: must be at most 2400",
            ),
            (
                {"minutes_each": 2401},
                "roles[0].givegets[0].minutes_each: must be at most 2400",
            ),
            (
                {"minutes_each": 100, "times_per_week": 24.01},
                "roles[0].givegets[0].times_per_week: "
                "100 minutes × 24.01 times is more than 2400 minutes a week",
            ),
            (
                {"minutes_each": 2401, "times_per_week": 1},
                "roles[0].givegets[0].minutes_each: must be at most 2400",
            ),
        ],
    )
    def test_one_above(self, owner: Any, giveget: dict, expected: str) -> None:
        assert errors_of(self.document(**giveget), owner) == [expected]


@pytest.mark.parametrize(
    ("first", "second"), [("Straße", "STRASSE"), ("straße", " Strasse "), ("ǅemal", "ǄEMAL")]
)
def test_role_names_are_compared_with_casefold(owner: Any, first: str, second: str) -> None:
    errors = errors_of(with_change("roles", [{"name": first}, {"name": second}]), owner)
    assert errors == [
        "roles[1].name: another role (roles[0]) is already called "
        f"“{second.strip()}”, ignoring case"
    ]


class TestTheSchemaAgreesWithTheModels:
    """The schema documents the format publicly; its limits are the models'."""

    PARTS = {"factors", "givegets", "ambassadors", "tasks", "adoption"}
    # A key that is not its field's name.
    FIELDS = {"weeks_from": "pulse_weeks_from", "privacy_threshold": "pulse_k"}

    def definitions(self) -> list[tuple[str, dict[str, Any], type[models.Model]]]:
        defs = SCHEMA["$defs"]
        factors = defs["role"]["properties"]["factors"]
        return [
            ("playbook", defs["playbook"], Playbook),
            ("role", defs["role"], Role),
            ("factors", factors, Role),
            ("giveget", defs["giveget"], GiveGet),
            ("ambassador", defs["ambassador"], Ambassador),
            ("step", defs["step"], Step),
            ("task", defs["step"]["properties"]["tasks"]["items"], Task),
            ("adoption", defs["adoption"], AdoptionFigure),
        ]

    @staticmethod
    def resolved(schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = SCHEMA["$defs"][schema["$ref"].removeprefix("#/$defs/")]
        return schema

    def test_every_key_is_a_model_field_and_texts_have_its_length(self) -> None:
        checked = 0
        for name, definition, model in self.definitions():
            for key, raw in definition["properties"].items():
                if key in self.PARTS:
                    continue
                field = model._meta.get_field(self.FIELDS.get(key, key))
                prop = self.resolved(raw)
                where = f"{name}.{key}"
                if field.choices:
                    assert sorted(prop["enum"]) == sorted(
                        value for value, _label in field.choices
                    ), where
                elif isinstance(field, models.CharField):
                    assert prop.get("maxLength") == field.max_length, where
                    assert prop.get("minLength") == (None if field.blank else 1), where
                elif isinstance(field, models.TextField):
                    # Every text has its limit, the model's (tests/test_limits.py).
                    assert prop["maxLength"] == field.max_length is not None, where
                    assert "minLength" not in prop, where
                elif isinstance(field, models.DateField):
                    assert prop == SCHEMA["$defs"]["date"], where
                elif isinstance(field, models.BooleanField):
                    assert prop["type"] == "boolean", where
                else:
                    low = max(
                        v.limit_value for v in field.validators if isinstance(v, MinValueValidator)
                    )
                    # The model's limit, or the smallest database's (a week:
                    # PostgreSQL's smallint; SQLite's integers are larger).
                    portable = BaseDatabaseOperations.integer_field_ranges.get(
                        field.get_internal_type(), (None, None)
                    )[1]
                    high = min(
                        [
                            v.limit_value
                            for v in field.validators
                            if isinstance(v, MaxValueValidator)
                        ]
                        + ([portable] if portable is not None else [])
                    )
                    assert (prop["minimum"], prop["maximum"]) == (low, high), where
                    expected = "number" if isinstance(field, models.DecimalField) else "integer"
                    # A field that may be null (a factor not scored) may be null in the file.
                    assert prop["type"] == ([expected, "null"] if field.null else expected), where
                checked += 1
        assert checked == 54  # every key of every object but the nested parts

    def test_the_caps_are_the_equation_constants(self) -> None:
        giveget = SCHEMA["$defs"]["giveget"]["properties"]
        assert giveget["minutes_each"]["maximum"] == MAX_MINUTES_PER_WEEK
        assert giveget["minutes_saved_per_week"]["maximum"] == MAX_MINUTES_PER_WEEK
        assert giveget["times_per_week"]["maximum"] == MAX_TIMES_PER_WEEK
        assert SCHEMA["$defs"]["role"]["properties"]["headcount"]["maximum"] == MAX_HEADCOUNT
        factors = SCHEMA["$defs"]["role"]["properties"]["factors"]["properties"]
        assert list(factors) == FACTORS

    def test_the_schema_lists_the_keys_export_writes_in_its_order(self, owner: Any) -> None:
        document = export_playbook(import_playbook(EXAMPLE, owner=owner))
        defs = SCHEMA["$defs"]
        role = document["roles"][0]
        step = document["action_plan"][0]
        assert list(document) == list(SCHEMA["properties"])
        assert list(document["playbook"]) == list(defs["playbook"]["properties"])
        assert list(role) == list(defs["role"]["properties"])
        assert list(role["factors"]) == list(defs["role"]["properties"]["factors"]["properties"])
        assert list(role["givegets"][0]) == list(defs["giveget"]["properties"])
        assert list(role["ambassadors"][0]) == list(defs["ambassador"]["properties"])
        assert list(step) == list(defs["step"]["properties"])
        assert list(step["tasks"][0]) == list(
            defs["step"]["properties"]["tasks"]["items"]["properties"]
        )


class TestCommands:
    def test_export_then_import(self, owner: Any, tmp_path: Path) -> None:
        playbook = import_playbook(EXAMPLE, owner=owner)
        out = io.StringIO()
        call_command("export_playbook", str(playbook.pk), stdout=out)
        assert json.loads(out.getvalue())["roles"] == EXAMPLE["roles"]
        file = tmp_path / "playbook.json"
        file.write_text(out.getvalue(), encoding="utf-8")
        out = io.StringIO()
        call_command("import_playbook", str(file), "--owner", "lead", stdout=out)
        new_id = int(out.getvalue())
        assert Playbook.objects.get(pk=new_id).name == "Salesforce rollout 2027"

    def test_import_refuses_and_creates_nothing(self, owner: Any, tmp_path: Path) -> None:
        file = tmp_path / "bad.json"
        file.write_text(json.dumps(with_change("playbook.language", "fr")), encoding="utf-8")
        with pytest.raises(CommandError, match=r"playbook\.language: must be one of da, en"):
            call_command("import_playbook", str(file), "--owner", "lead")
        assert Playbook.objects.count() == 0

    def test_import_needs_an_existing_owner(self, tmp_path: Path) -> None:
        file = tmp_path / "ok.json"
        file.write_text(json.dumps(EXAMPLE), encoding="utf-8")
        with pytest.raises(CommandError, match="No user with username 'nobody'"):
            call_command("import_playbook", str(file), "--owner", "nobody")

    def test_export_of_an_unknown_id(self) -> None:
        with pytest.raises(CommandError, match="No playbook with id 4242"):
            call_command("export_playbook", "4242")

    def test_commands_exit_non_zero(self, tmp_path: Path) -> None:
        import subprocess
        import sys

        file = tmp_path / "bad.json"
        file.write_text("{nope", encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "manage.py", "import_playbook", str(file), "--owner", "x"],
            cwd=Path(__file__).resolve().parents[2],
            env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "SQLITE_PATH": str(tmp_path / "db")},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode != 0
