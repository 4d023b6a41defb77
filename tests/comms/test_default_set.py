"""The default set (DESIGN.md "Communications plan and calendar"): created
where playbooks and roles are created, never twice, with the sender that
follows the role's most influential ambassador while nobody chose one."""

from __future__ import annotations

import datetime
import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from ambassadors.models import Ambassador
from comms.models import Message
from comms.services import (
    ambassador_saved,
    create_default_set,
    create_role_messages,
    most_influential,
)
from playbooks.models import Playbook
from roles.models import Role
from tests.factories import make_ambassador, make_playbook, make_role, make_user

pytestmark = pytest.mark.django_db
ROLE_KINDS = ["wiifm", "quick_win", "first_results"]


def kinds(playbook: Playbook) -> list[tuple[str | None, str]]:
    return [
        (m.role.name if m.role else None, m.kind)
        for m in Message.objects.filter(playbook=playbook).select_related("role")
    ]


@pytest.fixture
def playbook() -> Playbook:
    playbook = make_playbook(go_live=datetime.date(2027, 3, 1))
    make_role(playbook, "Sales", headcount=40)
    make_role(playbook, "Service", headcount=25)
    return playbook


class TestCreateDefaultSet:
    def test_each_roles_three_and_the_open_session(self, playbook: Playbook) -> None:
        created = create_default_set(playbook)
        assert kinds(playbook) == [
            ("Sales", "wiifm"),
            ("Sales", "quick_win"),
            ("Sales", "first_results"),
            ("Service", "wiifm"),
            ("Service", "quick_win"),
            ("Service", "first_results"),
            (None, "open_session"),
        ]
        assert [m.order for m in created] == list(range(7))
        for message in Message.objects.filter(playbook=playbook):
            # Drafted (no text stored), its kind's default date, a draft.
            assert message.drafted and (message.title, message.text) == ("", "")
            assert message.date is None and message.status == "draft"
        channels = dict(Message.objects.filter(playbook=playbook).values_list("kind", "channel"))
        assert channels == {
            "wiifm": "meeting",
            "quick_win": "email",
            "first_results": "meeting",
            "open_session": "meeting",
        }

    def test_never_twice(self, playbook: Playbook) -> None:
        create_default_set(playbook)
        assert create_default_set(playbook) == []
        assert Message.objects.filter(playbook=playbook).count() == 7
        # A role added since gets its three; nothing else is doubled.
        make_role(playbook, "Marketing")
        assert [m.kind for m in create_default_set(playbook)] == ROLE_KINDS
        assert Message.objects.filter(playbook=playbook).count() == 10

    def test_messages_added_by_hand_do_not_count_as_a_kind(self, playbook: Playbook) -> None:
        sales = playbook.roles.get(name="Sales")
        Message.objects.create(playbook=playbook, role=sales, title="Kick-off")
        create_default_set(playbook)
        assert Message.objects.filter(playbook=playbook, role=sales).count() == 4

    def test_the_sender_is_the_most_influential_ambassador(self, playbook: Playbook) -> None:
        sales = playbook.roles.get(name="Sales")
        make_ambassador(sales, "Bo Low", influence=3)
        top = make_ambassador(sales, "Mette Top", influence=5)
        create_default_set(playbook)
        senders = dict(
            Message.objects.filter(playbook=playbook).values_list("role__name", "sender_ambassador")
        )
        assert senders == {"Sales": top.pk, "Service": None, None: None}

    def test_a_tie_goes_by_name(self) -> None:
        ranked = [
            SimpleNamespace(influence=4, name="Ulla", pk=1),
            SimpleNamespace(influence=4, name="Anna", pk=2),
            SimpleNamespace(influence=2, name="Aage", pk=3),
        ]
        assert most_influential(ranked).name == "Anna"  # type: ignore[arg-type,union-attr]
        assert most_influential([]) is None

    def test_history_and_version(self, playbook: Playbook) -> None:
        from core import versions

        before = versions.version(playbook.pk)
        create_default_set(playbook)
        assert versions.version(playbook.pk) != before
        assert Message.history.filter(playbook=playbook, history_type="+").count() == 7

    def test_the_role_messages_of_one_role(self, playbook: Playbook) -> None:
        sales = playbook.roles.get(name="Sales")
        assert [m.kind for m in create_role_messages(sales)] == ROLE_KINDS
        assert create_role_messages(sales) == []
        assert not Message.objects.filter(kind="open_session").exists()


class TestWhereTheyAreCreated:
    def test_a_new_playbook_with_the_example_roles(self, user_client: Any) -> None:
        response = user_client.post(
            reverse("playbook_create"),
            {"name": "New", "crm_system": "hubspot", "language": "da", "with_examples": "on"},
        )
        assert response.status_code == 302
        playbook = Playbook.objects.get(name="New")
        assert len(kinds(playbook)) == 4 * 3 + 1

    def test_a_new_playbook_without_roles_gets_the_open_session(self, user_client: Any) -> None:
        user_client.post(
            reverse("playbook_create"), {"name": "Bare", "crm_system": "hubspot", "language": "en"}
        )
        assert kinds(Playbook.objects.get(name="Bare")) == [(None, "open_session")]

    @pytest.mark.parametrize("htmx", [False, True])
    def test_a_role_added_in_the_matrix(self, world: Any, client_for: Any, htmx: bool) -> None:
        client_for("editor").post(
            reverse("matrix_add", args=[world.playbook.pk]),
            {"add-name": "Marketing", "add-headcount": "6"},
            headers={"HX-Request": "true"} if htmx else {},
        )
        assert kinds(world.playbook) == [("Marketing", kind) for kind in ROLE_KINDS]

    def test_a_role_added_with_the_role_form(self, world: Any, client_for: Any) -> None:
        response = client_for("editor").post(
            reverse("role_create", args=[world.playbook.pk]), {"name": "Service", "headcount": "3"}
        )
        role = Role.objects.get(playbook=world.playbook, name="Service")
        assert response["Location"] == reverse("role_detail", args=[world.playbook.pk, role.pk])
        assert kinds(world.playbook) == [("Service", kind) for kind in ROLE_KINDS]

    def test_a_refused_name_adds_no_message(self, world: Any, client_for: Any) -> None:
        make_role(world.playbook, "Sales")
        for name, data in [
            ("matrix_add", {"add-name": "SALES", "add-headcount": "1"}),
            ("role_create", {"name": "sales", "headcount": "1"}),
        ]:
            response = client_for("editor").post(reverse(name, args=[world.playbook.pk]), data)
            assert response.status_code == 200
        assert not Message.objects.exists()

    @pytest.mark.parametrize(
        ("who", "get", "post"),
        [
            ("anonymous", 302, 302),
            ("outsider", 404, 404),
            ("viewer", 403, 403),
            ("editor", 200, 302),
            ("owner", 200, 302),
        ],
    )
    def test_the_role_form_access(
        self, world: Any, client_for: Any, who: str, get: int, post: int
    ) -> None:
        url = reverse("role_create", args=[world.playbook.pk])
        client = client_for(who)
        assert client.get(url).status_code == get
        assert client.post(url, {"name": f"By {who}", "headcount": "1"}).status_code == post
        assert Message.objects.exists() == (post == 302 and who in {"editor", "owner"})


class TestTheSenderFollowsTheAmbassadors:
    @pytest.fixture
    def sales(self, playbook: Playbook) -> Role:
        create_default_set(playbook)
        return playbook.roles.get(name="Sales")

    def senders(self, role: Role) -> dict[str, Any]:
        return dict(
            Message.objects.filter(role=role).values_list("kind", "sender_ambassador__name")
        )

    def test_an_ambassador_added_later_sends_the_drafted_messages(self, sales: Role) -> None:
        make_ambassador(sales, "Mette", influence=4)
        assert self.senders(sales) == dict.fromkeys(ROLE_KINDS, "Mette")
        # A more influential one later does not take over: a sender once there stays.
        make_ambassador(sales, "Jonas", influence=5)
        assert self.senders(sales) == dict.fromkeys(ROLE_KINDS, "Mette")
        assert Message.objects.get(kind="open_session").sender_ambassador is None

    def test_a_chosen_sender_an_edited_or_planned_message_stay(
        self, sales: Role, world: Any
    ) -> None:
        Message.objects.filter(role=sales, kind="wiifm").update(sender_text="The CEO")
        Message.objects.filter(role=sales, kind="quick_win").update(drafted=False, title="Ours")
        Message.objects.filter(role=sales, kind="first_results").update(status="scheduled")
        make_ambassador(sales, "Mette")
        assert self.senders(sales) == dict.fromkeys(ROLE_KINDS)
        assert Message.objects.get(role=sales, kind="wiifm").sender_text == "The CEO"

    def test_a_member_chosen_stays(self, sales: Role) -> None:
        Message.objects.filter(role=sales).update(sender_member=make_user())
        make_ambassador(sales, "Mette")
        assert self.senders(sales) == dict.fromkeys(ROLE_KINDS)

    def test_an_ambassador_moved_to_another_role(self, sales: Role, playbook: Playbook) -> None:
        service = playbook.roles.get(name="Service")
        mette = make_ambassador(sales, "Mette", influence=5)
        make_ambassador(sales, "Bo", influence=2)
        assert self.senders(sales) == dict.fromkeys(ROLE_KINDS, "Mette")
        mette.role = service
        mette.save(update_fields=["role"])
        # No longer Sales's: Sales's next in influence sends; Service's get her.
        assert self.senders(sales) == dict.fromkeys(ROLE_KINDS, "Bo")
        assert self.senders(service) == dict.fromkeys(ROLE_KINDS, "Mette")

    def test_other_saves_do_not_ask(
        self, sales: Role, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
    ) -> None:
        from ambassadors.services import issue_link

        mette = make_ambassador(sales, "Mette")
        asked: list[Ambassador] = []
        monkeypatch.setattr("planner.signals.ambassador_saved", asked.append)
        issue_link(mette)  # a save of the link's fields only
        mette.training = "completed"
        mette.save(update_fields=["training"])
        assert asked == []
        mette.save()  # a whole save may have moved it
        assert asked == [mette]
        # Nothing to change: two reads.
        with django_assert_num_queries(2):
            assert ambassador_saved(mette) == 0

    def test_the_roster_form(self, world: Any, client_for: Any) -> None:
        """Adding an ambassador on the roster passes through the rule."""
        sales = make_role(world.playbook, "Sales", headcount=10)
        create_default_set(world.playbook)
        client = client_for("editor")
        client.post(
            reverse("ambassador_add", args=[world.playbook.pk]),
            {
                "add-name": "Mette",
                "add-email": "mette@example.com",
                "add-role": str(sales.pk),
                "add-influence": "4",
                "add-training": "not_started",
            },
        )
        assert Ambassador.objects.filter(role=sales).exists()
        assert self.senders(sales) == dict.fromkeys(ROLE_KINDS, "Mette")


def test_the_migration_gives_existing_playbooks_the_default_set() -> None:
    """comms 0002 on the playbooks there are: the set, once, senders by the rule,
    history records; deleted roles too (they come back with their messages)."""
    migration = importlib.import_module("comms.migrations.0002_default_set_for_existing_playbooks")
    playbook = make_playbook()
    sales = make_role(playbook, "Sales")
    make_ambassador(sales, "Bo", influence=3)
    top = make_ambassador(sales, "Anna", influence=5)
    gone = make_role(playbook, "Gone")
    Role.all_objects.filter(pk=gone.pk).update(deleted_at="2026-01-01T00:00Z")
    empty = make_playbook()
    # The models as the migration sees them: no app code, no history signals.
    state = MigrationExecutor(connection).loader.project_state(("comms", "0001_initial"))
    editor = SimpleNamespace(connection=connection)
    migration.add_default_sets(state.apps, editor)
    migration.add_default_sets(state.apps, editor)  # again: nothing doubled
    assert kinds(empty) == [(None, "open_session")]
    messages = Message.objects.filter(playbook=playbook).order_by("order")
    assert [(m.role_id, m.kind) for m in messages] == [
        (sales.pk, "wiifm"),
        (sales.pk, "quick_win"),
        (sales.pk, "first_results"),
        (gone.pk, "wiifm"),
        (gone.pk, "quick_win"),
        (gone.pk, "first_results"),
        (None, "open_session"),
    ]
    assert {m.sender_ambassador_id for m in messages if m.role_id == sales.pk} == {top.pk}
    assert all(m.drafted and m.status == "draft" and m.date is None for m in messages)
    assert [m.channel for m in messages[:3]] == ["meeting", "email", "meeting"]
    records = Message.history.filter(playbook_id=playbook.pk)
    assert records.count() == 7
    assert set(records.values_list("history_change_reason", flat=True)) == {"command"}


def test_the_roster_file_import_passes_through_the_rule(world: Any) -> None:
    from ambassadors.roster_file import import_roster

    sales = make_role(world.playbook, "Sales", headcount=10)
    create_default_set(world.playbook)
    csv = (
        "name;email;department;role;influence;early_access;training;trained_on;notes\n"
        "Bo;bo@example.com;;Sales;2;;not_started;;\n"
        "Anna;anna@example.com;;Sales;5;;not_started;;\n"
    )
    import_roster(world.playbook, csv.encode())
    senders = set(
        Message.objects.filter(role=sales).values_list("sender_ambassador__name", flat=True)
    )
    # Bo came first and was the most influential then: he stays.
    assert senders == {"Bo"}
