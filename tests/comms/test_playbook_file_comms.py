"""The playbook file's ``communications``: written in full and in order,
read strictly, the same bytes after a round trip; a file from before it gets
the default set; "use as template" keeps the messages without the people."""

from __future__ import annotations

import copy
import datetime
import json
from typing import Any

import pytest
from django.core.validators import MaxLengthValidator

from comms.models import Message
from planner.playbook_file import (
    SCHEMA,
    PlaybookFileError,
    as_template,
    dumps,
    export_playbook,
    import_playbook,
    loads,
)
from playbooks.models import Playbook
from tests.factories import make_user

pytestmark = pytest.mark.django_db
KEYS = ["role", "kind", "drafted", "title", "text", "channel", "date", "sender", "status"]


def message(**fields: Any) -> dict[str, Any]:
    return {
        "role": "Sales",
        "kind": None,
        "drafted": False,
        "title": "Kick-off",
        "text": "Hi all,\n\nwelcome.",
        "channel": "email",
        "date": "2027-02-01",
        "sender": None,
        "status": "draft",
        **fields,
    }


BASE: dict[str, Any] = {
    "format": "wiifm-playbook",
    "version": 1,
    "playbook": {"name": "Rollout", "go_live": "2027-03-01", "language": "en"},
    "roles": [
        {
            "name": "Sales",
            "headcount": 40,
            "ambassadors": [
                {"name": "Mette", "email": "mette@example.com", "influence": 5},
                {"name": "Jonas", "email": "jonas@example.com", "influence": 3},
            ],
        },
        {
            "name": "Service",
            "ambassadors": [{"name": "Aisha", "email": "aisha@example.com", "influence": 4}],
        },
    ],
    "communications": [
        message(
            kind="wiifm",
            drafted=True,
            title="",
            text="",
            channel="meeting",
            date=None,
            sender={"ambassador": "mette@example.com"},
        ),
        message(role="Service", kind="quick_win", drafted=True, title="", text="", date=None),
        message(sender={"text": "Lea Dahl"}, status="sent", channel="intranet"),
        message(
            role=None,
            kind="open_session",
            title="Open session, our words",
            text="Come.",
            date="2027-02-20",
            sender={"ambassador": "aisha@example.com"},
            status="scheduled",
        ),
        message(role=None, title="Nothing planned yet", text="", date=None, channel="other"),
    ],
}


@pytest.fixture
def owner() -> Any:
    return make_user("lead")


def with_messages(*messages: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    document["communications"] = list(messages)
    return document


def errors_of(document: Any, owner: Any) -> list[str]:
    before = Playbook.objects.count()
    with pytest.raises(PlaybookFileError) as caught:
        import_playbook(document, owner=owner)
    assert Playbook.objects.count() == before, "a refused file created something"
    assert not Message.objects.exists()
    return caught.value.errors


class TestImportAndExport:
    def test_the_messages_as_the_file_says(self, owner: Any) -> None:
        playbook = import_playbook(BASE, owner=owner)
        messages = list(
            Message.objects.filter(playbook=playbook)
            .select_related("role", "sender_ambassador")
            .order_by("order")
        )
        assert [(m.role.name if m.role else None, m.kind, m.order) for m in messages] == [
            ("Sales", "wiifm", 0),
            ("Service", "quick_win", 1),
            ("Sales", "", 2),
            (None, "open_session", 3),
            (None, "", 4),
        ]
        wiifm, _quick, typed, session, bare = messages
        assert wiifm.drafted and wiifm.date is None and wiifm.sender_ambassador.name == "Mette"
        assert (typed.title, typed.text, typed.sender_text, typed.status) == (
            "Kick-off",
            "Hi all,\n\nwelcome.",
            "Lea Dahl",
            "sent",
        )
        assert typed.date == datetime.date(2027, 2, 1) and typed.channel == "intranet"
        assert session.sender_ambassador.name == "Aisha"  # any role's, for all roles
        assert (bare.date, bare.sender_ambassador, bare.sender_text) == (None, None, "")
        # Recorded as the import's.
        assert set(Message.history.values_list("history_change_reason", flat=True)) == {"import"}

    def test_round_trip_gives_the_same_bytes(self, owner: Any) -> None:
        first = dumps(export_playbook(import_playbook(BASE, owner=owner)))
        second = dumps(export_playbook(import_playbook(loads(first), owner=owner)))
        assert first == second
        assert json.loads(first)["communications"] == BASE["communications"]

    def test_every_key_in_order(self, owner: Any) -> None:
        document = export_playbook(import_playbook(BASE, owner=owner))
        assert list(document)[-2:] == ["action_plan", "communications"]
        assert all(list(m) == KEYS for m in document["communications"])

    def test_a_member_is_written_as_their_name(self, owner: Any) -> None:
        playbook = import_playbook(BASE, owner=owner)
        lea = make_user("lea.dahl@example.com", first_name="Lea", last_name="Dahl")
        Message.objects.filter(playbook=playbook, order=4).update(sender_member=lea)
        exported = export_playbook(playbook)["communications"][4]
        assert exported["sender"] == {"text": "Lea Dahl"}
        assert str(lea.pk) not in json.dumps(exported)

    def test_an_edited_drafted_message_writes_its_own_words(self, owner: Any) -> None:
        playbook = import_playbook(BASE, owner=owner)
        Message.objects.filter(playbook=playbook, kind="wiifm").update(drafted=True, title="Old")
        assert export_playbook(playbook)["communications"][0]["title"] == ""  # drafted: none
        Message.objects.filter(playbook=playbook, kind="wiifm").update(drafted=False)
        assert export_playbook(playbook)["communications"][0]["title"] == "Old"

    def test_a_deleted_roles_messages_and_senders_are_not_written(self, owner: Any) -> None:
        from planner.services import delete_role

        playbook = import_playbook(BASE, owner=owner)
        delete_role(role=playbook.roles.get(name="Service"))
        exported = export_playbook(playbook)
        assert [m["role"] for m in exported["communications"]] == ["Sales", "Sales", None, None]
        # Aisha (Service's) is not in the file: the open session has no sender then.
        assert exported["communications"][2]["sender"] is None
        import_playbook(loads(dumps(exported)), owner=owner)  # and it imports

    def test_an_empty_list_means_no_message(self, owner: Any) -> None:
        playbook = import_playbook(with_messages(), owner=owner)
        assert not playbook.messages.exists()
        assert export_playbook(playbook)["communications"] == []

    def test_a_file_without_the_key_gets_the_default_set(self, owner: Any) -> None:
        document = copy.deepcopy(BASE)
        del document["communications"]
        playbook = import_playbook(document, owner=owner)
        messages = list(playbook.messages.select_related("role", "sender_ambassador"))
        assert [(m.role.name if m.role else None, m.kind) for m in messages] == [
            ("Sales", "wiifm"),
            ("Sales", "quick_win"),
            ("Sales", "first_results"),
            ("Service", "wiifm"),
            ("Service", "quick_win"),
            ("Service", "first_results"),
            (None, "open_session"),
        ]
        # Senders: each role's most influential ambassador.
        assert [m.sender_ambassador.name for m in messages[:6]] == ["Mette"] * 3 + ["Aisha"] * 3

    def test_role_names_ignore_case(self, owner: Any) -> None:
        playbook = import_playbook(with_messages(message(role="  SALES ")), owner=owner)
        assert playbook.messages.get().role.name == "Sales"


class TestRefusals:
    @pytest.mark.parametrize(
        ("changes", "error"),
        [
            ({"role": "Marketing"}, "communications[0].role: no role called “Marketing”"),
            ({"role": "  "}, "communications[0].role: must not be blank"),
            ({"role": 5}, "communications[0].role: must be a string, or null"),
            (
                {"kind": "newsletter"},
                "communications[0].kind: must be one of first_results, open_session, "
                "quick_win, wiifm, or null",
            ),
            (
                {"kind": ""},
                "communications[0].kind: must be one of first_results, "
                "open_session, quick_win, wiifm, or null",
            ),
            (
                {"channel": "fax"},
                "communications[0].channel: must be one of chat, email, intranet, meeting, "
                "one_to_one, other",
            ),
            ({"status": "done"}, "communications[0].status: must be one of draft, scheduled, sent"),
            ({"drafted": "yes"}, "communications[0].drafted: must be true or false"),
            (
                {"date": "2027-02-30"},
                "communications[0].date: must be a date written YYYY-MM-DD, or null",
            ),
            ({"title": "x" * 201}, "communications[0].title: must be at most 200 characters"),
            ({"text": "x" * 5001}, "communications[0].text: must be at most 5000 characters"),
            ({"colour": "red"}, "communications[0].colour: unknown key"),
            (
                {"kind": "wiifm", "role": None},
                "communications[0].role: a “wiifm” message is for one role: its name",
            ),
            (
                {"kind": "open_session"},
                "communications[0].role: the open session is for all roles: null",
            ),
            (
                {"drafted": True, "title": "", "text": ""},
                "communications[0].drafted: only a message of the default set (with a kind) "
                "is drafted",
            ),
            (
                {"kind": "quick_win", "drafted": True, "text": ""},
                "communications[0].title: must be empty while drafted is true: it is drafted "
                "from the role",
            ),
            ({"sender": "Mette"}, "communications[0].sender: must be an object, or null"),
            (
                {"sender": {}},
                "communications[0].sender: must have one key: “ambassador” (an e-mail) or "
                "“text” (a name)",
            ),
            (
                {"sender": {"ambassador": "mette@example.com", "text": "Mette"}},
                "communications[0].sender: must have one key: “ambassador” (an e-mail) or "
                "“text” (a name)",
            ),
            ({"sender": {"member": "lea"}}, "communications[0].sender.member: unknown key"),
            ({"sender": {"text": "   "}}, "communications[0].sender.text: must not be blank"),
            (
                {"sender": {"ambassador": "nobody@example.com"}},
                "communications[0].sender.ambassador: no ambassador in this file has this e-mail",
            ),
            (
                {"sender": {"ambassador": "AISHA@example.com"}},
                "communications[0].sender.ambassador: “aisha@example.com” is an ambassador of "
                "Service, not of Sales",
            ),
            (
                {"sender": {"text": "x" * 201}},
                "communications[0].sender.text: must be at most 200 characters",
            ),
        ],
    )
    def test_one_bad_value(self, owner: Any, changes: dict[str, Any], error: str) -> None:
        assert errors_of(with_messages(message(**changes)), owner) == [error]

    def test_one_of_each_kind_per_role(self, owner: Any) -> None:
        document = with_messages(
            message(kind="wiifm"),
            message(kind="wiifm", role="sales"),
            message(kind="wiifm", role="Service"),
            message(kind="open_session", role=None),
            message(kind="open_session", role=None),
        )
        assert errors_of(document, owner) == [
            "communications[1].kind: communications[0] is the “wiifm” message of this role already",
            "communications[4].kind: communications[3] is the “open_session” message already",
        ]

    def test_not_a_list_and_not_objects(self, owner: Any) -> None:
        document = copy.deepcopy(BASE)
        document["communications"] = {"role": "Sales"}
        assert errors_of(document, owner) == ["communications: must be a list"]
        document["communications"] = ["Kick-off"]
        assert errors_of(document, owner) == ["communications[0]: must be an object"]

    def test_every_error_in_reading_order(self, owner: Any) -> None:
        document = with_messages(
            message(role="Nobody", sender={"ambassador": "x@example.com"}),
            message(status="maybe"),
        )
        assert errors_of(document, owner) == [
            "communications[0].role: no role called “Nobody”",
            "communications[0].sender.ambassador: no ambassador in this file has this e-mail",
            "communications[1].status: must be one of draft, scheduled, sent",
        ]

    def test_payloads_are_text(self, owner: Any) -> None:
        title = "<script>alert(1)</script>\r\nX-Header: 1"
        playbook = import_playbook(with_messages(message(title=title)), owner=owner)
        assert playbook.messages.get().title == title.strip()


class TestAsTemplate:
    def test_keeps_messages_with_default_dates_and_no_ambassadors(self, owner: Any) -> None:
        source = import_playbook(BASE, owner=owner)
        document = as_template(
            export_playbook(source), name="Next", go_live=datetime.date(2027, 4, 1)
        )
        new = import_playbook(document, owner=owner)
        messages = list(new.messages.order_by("order"))
        assert [m.kind for m in messages] == ["wiifm", "quick_win", "", "open_session", ""]
        assert all(m.status == "draft" for m in messages)
        assert all(m.sender_ambassador_id is None for m in messages)
        assert messages[2].sender_text == "Lea Dahl"  # a name typed stays
        # The default set's dates follow the new go-live; a typed one moves with it.
        assert [m.date for m in messages] == [None, None, datetime.date(2027, 3, 4), None, None]
        assert messages[3].title == "Open session, our words"  # edited words stay

    def test_without_go_live_typed_dates_are_dropped(self, owner: Any) -> None:
        source = import_playbook(BASE, owner=owner)
        document = as_template(export_playbook(source), name="Next", go_live=None)
        new = import_playbook(document, owner=owner)
        assert set(new.messages.values_list("date", flat=True)) == {None}


class TestTheSchema:
    def test_it_agrees_with_the_model(self) -> None:
        definition = SCHEMA["$defs"]["message"]["properties"]
        field = Message._meta.get_field
        assert definition["title"]["maxLength"] == field("title").max_length
        limit = next(v for v in field("text").validators if isinstance(v, MaxLengthValidator))
        assert definition["text"]["maxLength"] == limit.limit_value
        sender = definition["sender"]["properties"]
        assert sender["text"]["maxLength"] == field("sender_text").max_length
        for name in ("channel", "status"):
            assert sorted(definition[name]["enum"]) == sorted(v for v, _ in field(name).choices)
        kinds = [v or None for v, _ in field("kind").choices]
        assert sorted(definition["kind"]["enum"], key=str) == sorted(kinds, key=str)
        assert list(definition) == KEYS
