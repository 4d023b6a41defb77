"""The summary (issue 21, item 1): page 2 of the PDF playbook, one page
whatever the number of roles, and the same summary as a page of the app."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from actionplan.models import Step
from actionplan.services import create_default_plan
from planner import pdf
from planner.overview import overview
from planner.summary import (
    MAX_ROWS,
    ONE_COLUMN_MAX,
    SMALL_TYPE_ABOVE,
    Coverage,
    RoleRow,
    Stage,
    Summary,
    countdown,
    summary,
)
from playbooks.models import Playbook
from roles.equation import Verdict
from roles.models import MAX_HEADCOUNT, Role
from tests.factories import make_ambassador, make_figures, make_giveget, make_playbook, make_role
from tests.pulse.answers import answer, go_live_with_closed_weeks

pytestmark = pytest.mark.django_db

NAME_MAX = Role._meta.get_field("name").max_length
TITLE_MAX = Step._meta.get_field("title").max_length


def long_name(n: int) -> str:
    """A role name as long as the form allows, of wide words, numbered first."""
    return (f"{n:02d} Wide Role Name With Many Words " * 10)[:NAME_MAX]


def pages_of(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def worst_case(owner: Any, roles: int, language: str) -> Playbook:
    """A playbook whose summary is as long as it gets with ``roles`` roles:
    the longest names, the widest numbers, the measured and adoption columns
    shown (some from an earlier week), all five mistakes found, three next
    due steps with the longest titles."""
    playbook = make_playbook(
        owner,
        name="Worst case",
        language=language,
        go_live=go_live_with_closed_weeks(2),
        pulse_k=5,
        data_used_for="",  # M5
    )
    create_default_plan(playbook)
    for step in Step.objects.filter(playbook=playbook):
        step.title = (f"{step.number} Step with a title as long as allowed " * 10)[:TITLE_MAX]
        step.save()
    for n in range(roles):
        # No question (M2) nor quick win (M3); the same answer (M4); a negative balance (M1).
        role = make_role(playbook, long_name(n), headcount=MAX_HEADCOUNT, wiifm="The same")
        make_giveget(role, minutes_saved_per_week=60 if n % 2 else 0)
        make_ambassador(role, f"Person {n}")
        answer(role, 1, 5, cost=2400, saved=0)
        if n % 3:
            answer(role, 2, 5, cost=30, saved=2400)
        make_figures(role, {1: MAX_HEADCOUNT, 2: MAX_HEADCOUNT // 3})
    return playbook


class TestThePdfPage:
    @pytest.mark.parametrize("language", ["en", "da"])
    @pytest.mark.parametrize("roles", [1, 5, 40])
    def test_the_summary_is_page_two_and_the_contents_page_three(
        self, world: Any, roles: int, language: str
    ) -> None:
        playbook = worst_case(world.owner, roles, language)
        pages = pages_of(pdf.playbook_document(playbook).content)
        with translation.override(language):
            heading, contents = gettext("Summary"), gettext("Contents")
            note = gettext("Planned: the time balance in minutes per person per week.")
            earlier = gettext("*: from an earlier week, the last one shown for that role.")
        summary_page, contents_page = pages[1], pages[2]
        assert summary_page.startswith(heading)
        # Every role's row, the last one too, and the note under the table: nothing spilled over.
        for n in range(roles):
            assert f"{n:02d} Wide" in summary_page
        flat = " ".join(summary_page.split())
        assert note in flat
        assert (earlier in flat) is (roles > 1)  # one role: its own week is the column's
        for code in ("M1", "M2", "M3", "M4", "M5"):
            assert code in summary_page
        assert "1,000,000" in summary_page or "1.000.000" in summary_page
        assert "−2400" in summary_page  # a measured balance, from week 1
        assert contents_page.startswith(contents)
        assert note not in " ".join(contents_page.split())
        # The contents list the summary first, on page 2.
        first_entry = contents_page.splitlines()[1]
        assert first_entry.startswith(heading) and first_entry.endswith(" 2")

    def test_roles_past_the_last_row_are_counted(self, world: Any) -> None:
        playbook = worst_case(world.owner, MAX_ROWS + 1, "en")
        pages = pages_of(pdf.playbook_document(playbook).content)
        assert f"{MAX_ROWS - 1:02d} Wide" in pages[1]
        assert f"{MAX_ROWS:02d} Wide" not in pages[1]
        assert "And 1 more role: every role is in the WIIFM matrix." in " ".join(pages[1].split())
        assert pages[2].startswith("Contents")

    def test_the_demo_summary_in_its_words(self, world: Any) -> None:
        playbook = make_playbook(world.owner, go_live=timezone.localdate() + datetime.timedelta(12))
        create_default_plan(playbook)
        sales = make_role(
            playbook, "Sales", headcount=40, question="Q", wiifm="A", quick_win="W", speed=3
        )
        make_giveget(sales)  # +20 a person: 40 x 20 min = 13.3 h
        make_role(playbook, "Finance", headcount=3)  # not assessed
        page = " ".join(pages_of(pdf.playbook_document(playbook).content)[1].split())
        assert "in 12 days" in page
        assert "13.3 h given back to the organisation by the plan" in page
        assert "Sales 40 +20 net beneficiary" in page
        assert "Finance 3 – not assessed" in page
        assert "Measured" not in page and "Adoption" not in page  # before go-live: no such columns


class TestTheSelector:
    def test_countdown(self) -> None:
        day = datetime.date(2027, 3, 1)
        assert countdown(None, day).stage is Stage.NOT_SET
        ahead = countdown(day + datetime.timedelta(12), day)
        assert (ahead.stage, ahead.days) == (Stage.BEFORE, 12)
        assert countdown(day, day).stage is Stage.TODAY
        assert (countdown(day, day + datetime.timedelta(6)).week) == 1
        behind = countdown(day, day + datetime.timedelta(7))
        assert (behind.stage, behind.week) == (Stage.SINCE, 2)

    def test_built_from_the_overview_without_a_query(
        self, world: Any, django_assert_num_queries: Any
    ) -> None:
        playbook = world.playbook
        create_default_plan(playbook)
        sales = make_role(playbook, "Sales", headcount=30, question="Q", wiifm="A", quick_win="W")
        make_giveget(sales, get="")  # a give without a get: M1
        make_ambassador(sales, "Mette", training="completed")
        make_role(playbook, "Service", headcount=31)  # not assessed; needs 2 ambassadors
        today = timezone.localdate()
        data = overview(playbook, today, can_edit=False)
        with django_assert_num_queries(0):
            built = summary(data, go_live=None, today=today)
        report = data["report"]
        assert built.avoided == len(report.avoided)
        assert [(m.code, m.findings) for m in built.found] == [
            (code, len(findings)) for code, findings in report.by_code() if code.startswith("M")
        ]
        assert built.found[0].title == "Built for management, not for the user"
        assert [(r.name, r.verdict, r.assessed) for r in built.roles] == [
            ("Sales", Verdict.AT_RISK, True),
            ("Service", Verdict.NOT_ASSESSED, False),
        ]
        assert built.coverage == Coverage(
            roles_covered=1, roles_with_people=2, have=1, needed=3, trained=1
        )
        assert built.total_hours == data["total_hours"]
        assert list(built.next_due) == data["next_due"][:3]
        assert built.countdown.stage is Stage.NOT_SET
        assert not built.with_measured and not built.with_adoption

    def test_only_what_the_pulse_may_show(self, world: Any) -> None:
        playbook = world.playbook
        playbook.go_live, playbook.pulse_k = go_live_with_closed_weeks(2), 5
        playbook.save()
        shown = make_role(playbook, "Sales", headcount=40)
        answer(shown, 1, 5, cost=30, saved=90)
        answer(shown, 2, 4)  # fewer than k: week 2 is not shown
        make_figures(shown, {2: 30})
        small = make_role(playbook, "Finance", headcount=9)  # under 2k
        answer(small, 2, 9)
        today = timezone.localdate()
        built = summary(overview(playbook, today, can_edit=False), go_live=None, today=today)
        sales, finance = built.roles
        assert sales.measured is not None
        assert (sales.measured.week, sales.measured.balance) == (1, Decimal(60))
        assert sales.used is not None and (sales.used.week, sales.used.rate) == (2, 75)
        assert finance.measured is None and finance.used is None
        assert (built.measured_week, built.adoption_week) == (1, 2)
        assert not built.earlier
        assert sales.with_rate and not finance.with_rate
        assert not any(row.measured_earlier or row.used_earlier for row in built.roles)

    def test_a_row_from_an_earlier_week_is_marked(self, world: Any) -> None:
        """The first role measured in week 1 only, the others in week 2 (the
        column's): its cell is marked, on the page and in the PDF alike."""
        playbook = worst_case(world.owner, 3, "en")
        today = timezone.localdate()
        built = summary(overview(playbook, today, can_edit=False), go_live=None, today=today)
        assert [row.measured_earlier for row in built.roles] == [True, False, False]
        assert [row.used_earlier for row in built.roles] == [False, False, False]
        assert all(row.with_rate for row in built.roles) and built.earlier
        client = Client()
        client.force_login(world.owner)
        html = client.get(url(playbook)).content.decode()
        assert html.count('title="week 1">*</span>') == 1

    def rows(self, count: int) -> Summary:
        row = RoleRow(pk=1, name="R", headcount=1, planned=Decimal(0), verdict=Verdict.AT_RISK)
        return Summary(
            countdown=countdown(None, datetime.date(2027, 1, 1)),
            avoided=5,
            found=(),
            total_hours=Decimal(0),
            roles=(row,) * count,
            next_due=(),
            coverage=Coverage(0, 0, 0, 0, 0),
        )

    @pytest.mark.parametrize(
        ("count", "columns", "density", "more"),
        [
            (1, [1], "one", 0),
            (ONE_COLUMN_MAX, [ONE_COLUMN_MAX], "one", 0),
            (ONE_COLUMN_MAX + 1, [8, 7], "two", 0),
            (SMALL_TYPE_ABOVE, [15, 15], "two", 0),
            (SMALL_TYPE_ABOVE + 1, [16, 15], "two small", 0),
            (40, [20, 20], "two small", 0),
            (MAX_ROWS + 5, [MAX_ROWS // 2, MAX_ROWS // 2], "two small", 5),
        ],
    )
    def test_the_layout_grows_with_the_roles(
        self, count: int, columns: list[int], density: str, more: int
    ) -> None:
        built = self.rows(count)
        assert [len(column) for column in built.columns] == columns
        assert (built.density, built.more) == (density, more)


# --- The page in the app ----------------------------------------------------------------------


def url(playbook: Playbook) -> str:
    return reverse("summary", args=[playbook.pk])


class TestTheAppPage:
    @pytest.mark.parametrize("who", ["viewer", "editor", "owner"])
    def test_every_member_reads_it(self, world: Any, client_for: Any, who: str) -> None:
        make_role(world.playbook, "Sales", headcount=40)
        response = client_for(who).get(url(world.playbook))
        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1" in html and "Summary" in html and "Sales" in html
        assert "classic mistakes avoided" in html

    def test_anonymous_goes_to_the_login(self, world: Any, client_for: Any) -> None:
        response = client_for("anonymous").get(url(world.playbook))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_an_outsider_gets_404(self, world: Any, client_for: Any) -> None:
        assert client_for("outsider").get(url(world.playbook)).status_code == 404

    def test_nothing_of_another_playbook(self, world: Any, client_for: Any) -> None:
        make_role(world.playbook, "Inside sellers", headcount=40)
        other = make_role(world.other_playbook, "Oscar's secret role", headcount=99)
        make_ambassador(other, "Oscar's ambassador")
        html = client_for("owner").get(url(world.playbook)).content.decode()
        assert "Oscar" not in html
        assert "0 of 2" in html
        # And the outsider's own summary holds nothing of this playbook.
        theirs = client_for("outsider").get(url(world.other_playbook)).content.decode()
        assert "Inside sellers" not in theirs and "Oscar&#x27;s secret role" in theirs

    def test_linked_from_the_overview(self, world: Any, client_for: Any) -> None:
        html = client_for("viewer").get(reverse("playbook_detail", args=[world.playbook.pk]))
        assert f'href="{url(world.playbook)}"' in html.content.decode()

    def test_numbers_and_dates_in_the_readers_language(self, world: Any) -> None:
        playbook = world.playbook
        playbook.go_live = datetime.date(2031, 3, 1)
        playbook.save()
        sales = make_role(playbook, "Sales", headcount=1200, question="Q", wiifm="A")
        make_giveget(sales, minutes_saved_per_week=57)  # +17 min x 1,200 = 340.0 h
        client = Client(headers={"Accept-Language": "da"})
        client.force_login(world.viewer)
        html = client.get(url(playbook)).content.decode()
        assert "1.200" in html and "340,0" in html and "1. marts 2031" in html
        client = Client(headers={"Accept-Language": "en"})
        client.force_login(world.viewer)
        html = client.get(url(playbook)).content.decode()
        assert "1,200" in html and "340.0" in html and "March 1, 2031" in html

    def test_a_role_not_assessed_has_no_planned_balance(self, world: Any, client_for: Any) -> None:
        make_role(world.playbook, "Finance", headcount=3)
        html = client_for("viewer").get(url(world.playbook)).content.decode()
        assert "verdict-badge-not_assessed" in html
        assert 'data-label="Planned">–</td>' in html

    @pytest.mark.parametrize("live", [False, True])
    def test_its_queries_do_not_grow_with_the_roles(
        self, world: Any, client_for: Any, django_assert_num_queries: Any, live: bool
    ) -> None:
        playbook = world.playbook
        playbook.go_live = go_live_with_closed_weeks(2) if live else None
        playbook.pulse_k = 5
        playbook.save()
        create_default_plan(playbook)
        client = client_for("viewer")

        def add_roles(count: int) -> None:
            for n in range(playbook.roles.count(), count):
                role = make_role(playbook, f"Role {n}", headcount=40)
                make_giveget(role)
                make_ambassador(role, f"Person {n}")
                if live:
                    answer(role, 1, 5)
                    make_figures(role, {1: 30})

        add_roles(2)
        client.get(url(playbook))  # sums up the closed weeks, once
        # session, user, membership with playbook, roles, Give-Gets,
        # ambassadors, steps, tasks, messages; once a week has closed also the
        # pulse's state, week summaries and kept k, and the adoption figures
        queries = 13 if live else 9
        with django_assert_num_queries(queries):
            response = client.get(url(playbook))
        assert response.content.decode().count('scope="row"') == 2
        add_roles(12)
        client.get(url(playbook))
        with django_assert_num_queries(queries):
            response = client.get(url(playbook))
        assert response.content.decode().count('scope="row"') == 12
