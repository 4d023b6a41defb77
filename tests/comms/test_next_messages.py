"""The role page and the ambassador's page show the role's next messages:
its own and those to all roles, dated today or later (undated ones, before a
go-live is set, after them), the next three, with date, channel, title,
sender and status; the ambassador's page says which ones they send."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ambassadors.services import issue_link
from comms.models import Message
from comms.services import create_default_set
from roles.models import Role
from tests.factories import make_ambassador, make_playbook, make_role, make_user

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2027, 2, 1)
GO_LIVE = datetime.date(2027, 3, 1)


@pytest.fixture
def today(pulse_day: Any) -> datetime.date:
    pulse_day.set(TODAY)
    return TODAY


@pytest.fixture
def sales(world: Any, today: datetime.date) -> Role:
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    return make_role(world.playbook, "Sales", headcount=40, quick_win="Voice notes")


def add(role: Any, title: str, day: datetime.date | None, **fields: Any) -> Message:
    playbook = role.playbook if isinstance(role, Role) else role
    return Message.objects.create(
        playbook=playbook,
        role=role if isinstance(role, Role) else None,
        title=title,
        date=day,
        **fields,
    )


def items(html: str) -> list[str]:
    """Each next message as its text, spaces folded."""
    found = re.findall(r'data-testid="next-message">(.*?)</li>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in found]


def role_page(client: Client, role: Role) -> str:
    response = client.get(reverse("role_detail", args=[role.playbook_id, role.pk]))
    assert response.status_code == 200
    return response.content.decode()


class TestRolePage:
    def test_the_next_three_by_date_from_today(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        other = make_role(world.playbook, "Service")
        add(sales, "Yesterday", TODAY - datetime.timedelta(days=1))
        add(sales, "In a week", TODAY + datetime.timedelta(days=7), channel="meeting")
        add(world.playbook, "Today, to everyone", TODAY, channel="intranet")
        add(other, "Service's own", TODAY + datetime.timedelta(days=1))
        add(sales, "In two weeks", TODAY + datetime.timedelta(days=14), status="scheduled")
        add(sales, "Later still", TODAY + datetime.timedelta(days=30))
        html = role_page(client_for("viewer"), sales)
        assert items(html) == [
            "Feb. 1, 2027 · Intranet · to all roles Today, to everyone No sender yet · Draft",
            "Feb. 8, 2027 · Team meeting In a week No sender yet · Draft",
            "Feb. 15, 2027 · E-mail In two weeks No sender yet · Scheduled",
        ]
        assert "and 1 more after these" in html

    def test_senders_by_name(self, world: Any, sales: Role, client_for: Any) -> None:
        mette = make_ambassador(sales, "Mette Sørensen")
        lea = make_user("lea", first_name="Lea", last_name="Dahl")
        add(sales, "A", TODAY, sender_ambassador=mette)
        add(sales, "B", TODAY + datetime.timedelta(days=1), sender_member=lea)
        add(sales, "C", TODAY + datetime.timedelta(days=2), sender_text="The CEO")
        found = items(role_page(client_for("viewer"), sales))
        assert [re.search(r"From (.*?) ·", item).group(1) for item in found] == [
            "Mette Sørensen",
            "Lea Dahl",
            "The CEO",
        ]

    def test_the_default_set_drafted_from_the_role(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        create_default_set(world.playbook)
        found = items(role_page(client_for("viewer"), sales))
        assert found[0].startswith("Feb. 15, 2027 · Team meeting What’s in it for you: Sales")
        assert found[1].startswith("Feb. 22, 2027 · Team meeting · to all roles Open session")
        assert found[2].startswith(
            "March 2, 2027 · E-mail Your week-1 quick win: Voice notes No sender yet"
        )
        # The role changes: the drafted title follows on the next view (the
        # page is a cached fragment: the role's save makes it new).
        sales.quick_win = "Dictated notes"
        sales.save()
        assert "Your week-1 quick win: Dictated notes" in role_page(client_for("viewer"), sales)

    def test_without_go_live_undated_ones_come_last(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        world.playbook.go_live = None
        world.playbook.save()
        create_default_set(world.playbook)
        add(sales, "Typed", TODAY + datetime.timedelta(days=3))
        found = items(role_page(client_for("viewer"), sales))
        assert found[0].startswith("Feb. 4, 2027 · E-mail Typed")
        assert found[1].startswith("No date yet: it follows go-live · Team meeting What’s in it")
        assert len(found) == 3

    def test_nothing_planned(self, sales: Role, client_for: Any) -> None:
        add(sales, "Past", TODAY - datetime.timedelta(days=1))
        html = role_page(client_for("viewer"), sales)
        assert items(html) == [] and "No message planned from today on." in html

    def test_typed_markup_is_text(self, sales: Role, client_for: Any) -> None:
        add(sales, "<script>alert(1)</script>", TODAY, sender_text="<b>Boss</b>")
        html = role_page(client_for("viewer"), sales)
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>Boss</b>" not in html

    def test_another_playbooks_messages_never(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        theirs = make_role(world.other_playbook, "Sales")
        add(theirs, "Theirs", TODAY)
        add(world.other_playbook, "Theirs to all", TODAY)
        assert items(role_page(client_for("viewer"), sales)) == []
        # Their role in our address: not found.
        url = reverse("role_detail", args=[world.playbook.pk, theirs.pk])
        assert client_for("owner").get(url).status_code == 404

    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 200), ("editor", 200), ("owner", 200)],
    )
    def test_access(self, sales: Role, client_for: Any, who: str, status: int) -> None:
        add(sales, "For the team", TODAY)
        response = client_for(who).get(reverse("role_detail", args=[sales.playbook_id, sales.pk]))
        assert response.status_code == status
        assert ("For the team" in response.content.decode()) == (status == 200)

    @pytest.mark.parametrize("count", [1, 60])
    def test_query_budget(
        self, sales: Role, client_for: Any, django_assert_num_queries: Any, count: int
    ) -> None:
        mette = make_ambassador(sales, "Mette")
        for n in range(count):
            add(sales, f"Message {n}", TODAY + datetime.timedelta(days=n), sender_ambassador=mette)
            add(sales.playbook, f"All {n}", TODAY + datetime.timedelta(days=n), sender_text="Lea")
        create_default_set(sales.playbook)
        client = client_for("viewer")
        cache.clear()
        # session, user, membership with its playbook, the role with its pulse
        # link, its Give-Gets, its next messages (with their senders and step
        # 5's dates, in one query), the plan's progress for the header
        with django_assert_num_queries(7):
            html = role_page(client, sales)
        assert len(items(html)) == 3


class TestAmbassadorPage:
    def page(self, ambassador: Any) -> str:
        response = Client().get(f"/a/{issue_link(ambassador)}/")
        assert response.status_code == 200
        return response.content.decode()

    def test_you_send_this(self, world: Any, sales: Role) -> None:
        mette = make_ambassador(sales, "Mette Sørensen", influence=5)
        jonas = make_ambassador(sales, "Jonas Holm", influence=3)
        create_default_set(world.playbook)  # Mette sends Sales's three
        add(sales, "Kick-off", TODAY, sender_ambassador=jonas, text="Hi all,\nwelcome.")
        mine = self.page(mette)
        found = items(mine)
        assert found[0].startswith("Feb. 1, 2027 · E-mail Kick-off From Jonas Holm")
        assert "Read the message" in found[0] and "Hi all, welcome." in found[0]
        assert found[1].startswith("Feb. 15, 2027 · Team meeting What’s in it for you: Sales")
        assert "You send this" in found[1]
        # Its sender not chosen yet: the ambassador's page shows no placeholder.
        assert "Open session" in found[2] and "No sender yet" not in found[2]
        assert "From" not in found[2]
        theirs = items(self.page(jonas))
        assert "You send this" in theirs[0] and "From Mette Sørensen" in theirs[1]

    def test_only_the_roles_own_and_to_all(self, world: Any, sales: Role) -> None:
        mette = make_ambassador(sales, "Mette")
        add(make_role(world.playbook, "Service"), "Service's", TODAY)
        add(make_role(world.other_playbook, "Sales"), "Another playbook's", TODAY)
        add(world.other_playbook, "Another playbook's, to all", TODAY)
        add(world.playbook, "Ours, to all", TODAY)
        found = items(self.page(mette))
        assert len(found) == 1 and "Ours, to all" in found[0]

    def test_in_the_playbooks_language(self, world: Any, sales: Role, danish: None) -> None:
        world.playbook.language = "da"
        world.playbook.save()
        mette = make_ambassador(sales, "Mette", influence=5)
        create_default_set(world.playbook)
        html = self.page(mette)
        assert "Næste beskeder til dit team" in html
        assert items(html)[0].startswith("15. februar 2027 · Teammøde Det får I ud af CRM’et")
        assert "Det får I ud af CRM’et: Sales" in html and "Du sender den" in html
        assert "Læs beskeden" in html

    def test_a_revoked_link_shows_nothing(self, sales: Role) -> None:
        from ambassadors.services import revoke_link

        mette = make_ambassador(sales, "Mette")
        add(sales, "Secret plan", TODAY)
        token = issue_link(mette)
        revoke_link(mette)
        response = Client().get(f"/a/{token}/")
        assert response.status_code == 404 and "Secret plan" not in response.content.decode()

    @pytest.mark.parametrize("count", [2, 60])
    def test_query_budget(self, sales: Role, django_assert_num_queries: Any, count: int) -> None:
        mette = make_ambassador(sales, "Mette")
        for n in range(count):
            add(sales, f"Message {n}", TODAY + datetime.timedelta(days=n), sender_ambassador=mette)
            add(sales.playbook, f"All {n}", TODAY + datetime.timedelta(days=n))
        token = issue_link(mette)
        Client().get(f"/a/{token}/")  # "last opened" is written once an hour
        # the ambassador with role, playbook and pulse link, the Give-Gets,
        # the fellow ambassadors, the next messages
        with django_assert_num_queries(4):
            html = Client().get(f"/a/{token}/").content.decode()
        assert len(items(html)) == 3 and "You send this" in html


def test_a_role_with_people_and_none_planned_is_marked_in_the_overview(
    world: Any, sales: Role, client_for: Any
) -> None:
    """M2 sends the editor to the role page's messages."""
    html = client_for("editor").get(reverse("playbook_detail", args=[world.playbook.pk]))
    assert f"/roles/{sales.pk}/#messages" in html.content.decode()
    assert 'id="messages"' in role_page(client_for("editor"), sales)


def test_a_playbook_of_someone_else_gives_nothing(world: Any, client_for: Any) -> None:
    playbook = make_playbook(name="Elsewhere")
    role = make_role(playbook, "Sales")
    add(role, "Theirs", TODAY)
    response = client_for("owner").get(reverse("role_detail", args=[playbook.pk, role.pk]))
    assert response.status_code == 404
