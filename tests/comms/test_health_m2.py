"""M2 also counts a role with people that hears nothing before go-live: no
message to it, nor to all roles, dated before go-live (DESIGN.md's table in
planner.health's docstring)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from actionplan.services import create_default_plan
from comms.models import Message
from comms.services import create_default_set, create_role_messages
from planner.health import PlaybookFacts, RoleFacts, check, message_planned
from planner.services import delete_role
from tests.factories import make_ambassador, make_role

GO_LIVE = datetime.date(2027, 3, 1)
BEFORE = GO_LIVE - datetime.timedelta(days=1)
TODAY = datetime.date(2027, 1, 1)


def role(pk: int, headcount: int = 10, dates: Any = (BEFORE,)) -> RoleFacts:
    return RoleFacts(
        pk=pk,
        name=f"Role {pk}",
        headcount=headcount,
        question="Q?",
        wiifm=f"Answer {pk}",
        quick_win="W",
        time_balance=Decimal(5),
        message_dates=dates,
    )


def facts(*roles: RoleFacts, go_live: Any = GO_LIVE) -> PlaybookFacts:
    return PlaybookFacts(
        go_live=go_live,
        data_used_for="C.",
        data_not_used_for="R.",
        step5_done=False,
        roles=roles,
    )


def m2(playbook: PlaybookFacts) -> list[tuple[str, str, str, int | None]]:
    return [
        (f.subject, f.detail, f.target.kind, f.target.pk)
        for f in check(playbook, TODAY).findings
        if f.code == "M2"
    ]


class TestTheRule:
    def test_a_message_the_day_before_go_live_is_planned(self) -> None:
        assert m2(facts(role(1), role(2))) == []

    def test_on_go_live_or_after_is_too_late(self) -> None:
        late = (GO_LIVE, GO_LIVE + datetime.timedelta(days=14))
        assert m2(facts(role(1, dates=late), role(2))) == [
            ("Role 1", "no message planned before go-live", "role_messages", 1)
        ]

    def test_no_message_at_all(self) -> None:
        assert [s for s, *_ in m2(facts(role(1, dates=()), role(2, dates=())))] == [
            "Role 1",
            "Role 2",
        ]

    def test_a_role_without_people_hears_nothing_and_that_is_fine(self) -> None:
        assert m2(facts(role(1, headcount=0, dates=()), role(2))) == []

    def test_without_go_live_any_message_counts(self) -> None:
        assert m2(facts(role(1, dates=(None,)), role(2), go_live=None)) == []
        assert [s for s, *_ in m2(facts(role(1, dates=()), role(2), go_live=None))] == ["Role 1"]
        assert message_planned((datetime.date(2030, 1, 1),), None)

    def test_an_undated_message_is_not_before_a_go_live(self) -> None:
        assert not message_planned((None,), GO_LIVE)

    def test_messages_not_read_are_not_judged(self) -> None:
        assert m2(facts(role(1, dates=None), role(2, dates=None))) == []

    def test_both_m2_findings_for_one_role(self) -> None:
        blank = RoleFacts(
            pk=1,
            name="Sales",
            headcount=3,
            question="",
            wiifm="A",
            quick_win="W",
            time_balance=Decimal(0),
            message_dates=(),
        )
        assert [d for _s, d, *_ in m2(facts(blank, role(2)))] == [
            "no question in the role’s own words",
            "no message planned before go-live",
        ]


@pytest.mark.django_db
class TestOnTheOverview:
    @pytest.fixture
    def playbook(self, world: Any) -> Any:
        """Nothing wrong but, maybe, the messages."""
        playbook = world.playbook
        playbook.go_live = timezone.localdate() + datetime.timedelta(days=60)
        playbook.data_used_for, playbook.data_not_used_for = "Coaching.", "Ranking."
        playbook.save()
        create_default_plan(playbook)
        for name in ("Sales", "Service"):
            sales = make_role(
                playbook, name, headcount=5, question="Q?", wiifm=name, quick_win="W", speed=3
            )
            make_ambassador(sales, f"{name} Lead", training="completed")
        return playbook

    def report(self, client: Any, playbook: Any) -> Any:
        return client.get(reverse("playbook_detail", args=[playbook.pk])).context["report"]

    def test_the_default_set_avoids_it(self, playbook: Any, client_for: Any) -> None:
        create_default_set(playbook)
        assert self.report(client_for("viewer"), playbook).findings == []

    def test_no_message_is_m2_with_a_link_to_the_role_page(
        self, playbook: Any, client_for: Any
    ) -> None:
        response = client_for("editor").get(reverse("playbook_detail", args=[playbook.pk]))
        report = response.context["report"]
        assert [(f.code, f.subject) for f in report.findings] == [
            ("M2", "Sales"),
            ("M2", "Service"),
        ]
        html = response.content.decode()
        sales = playbook.roles.get(name="Sales")
        assert reverse("role_detail", args=[playbook.pk, sales.pk]) + "#messages" in html
        assert "no message planned before go-live" in html
        assert "an answer nobody tells them before go-live reaches nobody" in html
        assert "4 of 5 classic mistakes avoided" in html

    def test_a_message_to_all_roles_is_not_the_roles_own(
        self, playbook: Any, client_for: Any
    ) -> None:
        """One message to the whole company is the mistake M2 names."""
        Message.objects.create(playbook=playbook, kind="open_session", drafted=True)
        report = self.report(client_for("viewer"), playbook)
        assert [(f.code, f.subject) for f in report.findings] == [
            ("M2", "Sales"),
            ("M2", "Service"),
        ]

    def test_a_message_typed_after_go_live_is_not(self, playbook: Any, client_for: Any) -> None:
        sales = playbook.roles.get(name="Sales")
        for role in playbook.roles.all():
            create_role_messages(role)
        Message.objects.filter(role=sales).update(date=playbook.go_live)
        report = self.report(client_for("viewer"), playbook)
        assert [(f.code, f.subject) for f in report.findings] == [("M2", "Sales")]

    def test_a_deleted_roles_messages_do_not_count_and_it_is_gone(
        self, playbook: Any, client_for: Any
    ) -> None:
        create_default_set(playbook)
        Message.objects.filter(role__isnull=True).delete()
        service = playbook.roles.get(name="Service")
        Message.objects.filter(role=service).update(role=playbook.roles.get(name="Sales"))
        make_role(playbook, "Gone", headcount=3)
        gone = playbook.roles.get(name="Gone")
        create_role_messages(gone)
        delete_role(role=gone)
        report = self.report(client_for("viewer"), playbook)
        assert [(f.code, f.subject) for f in report.findings] == [("M2", "Service")]

    def test_the_playbook_list_counts_it(self, playbook: Any, client_for: Any) -> None:
        client = client_for("viewer")
        assert "4 of 5 mistakes avoided" in client.get(reverse("playbook_list")).content.decode()
        create_default_set(playbook)
        assert "5 of 5 mistakes avoided" in client.get(reverse("playbook_list")).content.decode()

    def test_in_danish(self, playbook: Any, client_for: Any, danish: None) -> None:
        client = client_for("viewer")
        client.cookies["django_language"] = "da"
        html = client.get(reverse("playbook_detail", args=[playbook.pk])).content.decode()
        assert "ingen besked planlagt før go-live" in html
        assert "et svar, som ingen fortæller dem før go-live, når ingen" in html

    def test_the_overview_refreshes_when_a_message_changes(
        self, playbook: Any, client_for: Any
    ) -> None:
        client = client_for("viewer")
        assert len(self.report(client, playbook).findings) == 2
        for role in playbook.roles.all():
            create_role_messages(role)
        page = client.get(reverse("playbook_detail", args=[playbook.pk])).content.decode()
        assert "no message planned before go-live" not in page  # the cached fragment is new
        Message.objects.filter(role__name="Sales").delete()
        page = client.get(reverse("playbook_detail", args=[playbook.pk])).content.decode()
        assert "no message planned before go-live" in page
