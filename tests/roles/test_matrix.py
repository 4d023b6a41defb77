"""The WIIFM matrix: a grid whose cells are edited one at a time, in place with
htmx or on a page of their own without JavaScript; rows' Give-Gets opened
below them; access; totals, chart; query budget."""

from __future__ import annotations

import datetime
import html as htmllib
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from actionplan.services import create_default_plan
from givegets.models import GiveGet
from planner.grid import GIVEGET_CELLS, ROLE_CELLS, matrix_summary, role_cells
from planner.matrix import CHART_FIELDS
from planner.services import delete_role
from playbooks.models import Playbook
from roles.chart import balance_chart
from roles.models import Role
from roles.templatetags.wiifm import balance_svg
from tests.factories import add_member, make_ambassador, make_giveget, make_role

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "outsider", "viewer", "editor", "owner"]
FACTORS = {"unique_data": 4, "speed": 3, "recognition": 2, "friction": 2, "rigidity": 1}
HTMX = {"HX-Request": "true"}


@pytest.fixture
def roles(world: Any) -> list[Role]:
    """Sales: 60 − 5 × 8 = +20 min, perceived +6, net beneficiary (40 people).
    Service: 60 − 10 × 8 = −20 min, perceived +6, at risk (20 people)."""
    sales = make_role(
        world.playbook,
        "Sales",
        headcount=40,
        question="Sell faster?",
        wiifm="Lead scoring.",
        quick_win="Voice notes",
        **FACTORS,
    )
    make_giveget(sales, minutes_each=5, times_per_week=8, minutes_saved_per_week=60)
    service = make_role(world.playbook, "Service", headcount=20, **FACTORS)
    make_giveget(service, "Tag each case", minutes_each=10, times_per_week=8)
    return [sales, service]


@pytest.fixture
def foreign(world: Any) -> GiveGet:
    """A Give-Get of a role in the outsider's playbook."""
    return make_giveget(make_role(world.other_playbook, "Oscar's sales"), "Oscar's give")


# Addresses and data


def matrix_url(world: Any, name: str = "matrix", role: Role | None = None) -> str:
    args = [world.playbook.pk] + ([role.pk] if role else [])
    return reverse(name, args=args)


def cell_url(role: Role, field: str) -> str:
    return reverse("matrix_cell", args=[role.playbook_id, role.pk, field])


def gg_cell_url(gg: GiveGet, field: str) -> str:
    return reverse("matrix_giveget_cell", args=[gg.role.playbook_id, gg.role_id, gg.pk, field])


def gg_url(gg: GiveGet, name: str) -> str:
    return reverse(name, args=[gg.role.playbook_id, gg.role_id, gg.pk])


def row_data(role: Role, **changes: Any) -> dict[str, str]:
    """Every value of the full-row page (matrix_edit)."""
    data = {
        "name": role.name,
        "headcount": str(role.headcount),
        "question": role.question,
        "wiifm": role.wiifm,
        "quick_win": role.quick_win,
        "quick_win_due": "",
        **{k: str(v) for k, v in FACTORS.items()},
        **changes,
    }
    return {f"role{role.pk}-{key}": value for key, value in data.items()}


def new_giveget(role: Role, **changes: str) -> dict[str, str]:
    """Every field of the Give-Get form, for the row's add form. (The form on
    the page shows only five of them: see test_add_with_the_fields_the_form_shows.)"""
    data = {
        "give": "Read the weekly digest",
        "minutes_each": "2",
        "times_per_week": "5",
        "get": "Hot leads first",
        "get_kind": "insight",
        "minutes_saved_per_week": "30",
        "owner": "",
        "deliver_by": "",
        "status": "planned",
        **changes,
    }
    return {f"new{role.pk}-{key}": value for key, value in data.items()}


# What the user sees


def db_state() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every role and Give-Get as stored: compared before and after a request."""
    return (
        list(Role.objects.order_by("pk").values()),
        list(GiveGet.objects.order_by("pk").values()),
    )


def cell_text(html: str, cell_id: str) -> str:
    """The text a cell shows (a link for editors, plain text for viewers),
    without the field name read to screen readers."""
    match = re.search(rf'<(a|span) id="{re.escape(cell_id)}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no cell {cell_id}"
    inner = re.sub(r'<span class="visually-hidden">.*?</span>', "", match.group(2))
    return htmllib.unescape(re.sub(r"<[^>]+>", "", inner)).strip()


def field_error(html: str, field: str) -> str:
    """The message crispy shows beside a field of a full page, tied to the field."""
    match = re.search(rf'id="error_\d+_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)
    assert match, f"no error shown beside {field}"
    widget = re.search(rf'<(input|select|textarea)[^>]*id="id_{field}"[^>]*>', html)
    assert widget, f"no field {field}"
    assert 'aria-invalid="true"' in widget.group(0)
    assert f"id_{field}_error" in widget.group(0)  # aria-describedby
    return htmllib.unescape(match.group(1))


def editor_error(html: str, cell_id: str) -> str:
    """The message an in-place editor shows beside its one field, tied to it."""
    assert html.strip().startswith(f'<form id="{cell_id}"'), html[:200]
    widget = re.search(r"<(input|select|textarea)(?![^>]*csrfmiddlewaretoken)[^>]*>", html)
    assert widget
    assert 'aria-invalid="true"' in widget.group(0)
    assert f'aria-describedby="{cell_id}-error"' in widget.group(0)
    match = re.search(rf'<div id="{cell_id}-error"[^>]*>(.*?)</div>', html, re.S)
    assert match, "no message beside the field"
    return htmllib.unescape(match.group(1)).strip()


def widget(html: str, name: str) -> str:
    match = re.search(rf'<(input|select|textarea)[^>]*name="{name}"[^>]*>', html)
    assert match, f"no field {name}"
    return match.group(0)


def oob(html: str, element_id: str) -> str:
    """An element sent out of band, wrapped in <template> (htmx unwraps it, and
    a table part survives the parser there)."""
    opening = rf'<template>\s*<(\w+) id="{element_id}"[^>]*hx-swap-oob="true"[^>]*>'
    match = re.search(rf"{opening}(.*?)</\1>\s*</template>", html, re.S)
    assert match, f"{element_id} not sent out of band"
    return match.group(2)


def status_line(html: str) -> str:
    match = re.search(
        r'<div id="matrix-status"[^>]*hx-swap-oob="innerHTML"[^>]*>(.*?)</div>', html, re.S
    )
    assert match, "no status line out of band"
    return htmllib.unescape(match.group(1))


def has_autofocus(html: str, element_id: str) -> bool:
    match = re.search(rf'<(a|input|select|textarea) [^>]*id="{element_id}"[^>]*>', html)
    assert match, f"no {element_id}"
    return bool(re.search(r"\sautofocus[\s>=]", match.group(0)))


def autofocused(html: str) -> list[str]:
    return re.findall(r"<(?:a|input|select|textarea|button)\b[^>]*\sautofocus\b[^>]*>", html)


def login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


class TestAccess:
    # view, method: the answer to a member allowed to, without htmx and with it
    EXPECTED = {
        ("matrix", "get"): (200, 200),
        ("matrix_cell", "get"): (200, 200),
        ("matrix_cell", "post"): (302, 200),
        ("matrix_giveget_cell", "get"): (200, 200),
        ("matrix_giveget_cell", "post"): (302, 200),
        ("matrix_givegets", "get"): (302, 200),  # without htmx: the matrix with ?open=
        ("matrix_giveget_add", "post"): (302, 200),
        ("matrix_giveget_delete", "get"): (200, 200),  # the confirmation page
        ("matrix_giveget_delete", "post"): (302, 200),
        ("matrix_add", "get"): (302, 302),  # the form is below the matrix
        ("matrix_add", "post"): (302, 200),
        ("matrix_delete", "get"): (200, 200),
        ("matrix_delete", "post"): (302, 200),
        ("matrix_move", "get"): (302, 302),
        ("matrix_move", "post"): (302, 200),
        ("matrix_edit", "get"): (200, 200),  # a plain page, htmx or not
        ("matrix_edit", "post"): (302, 302),
    }
    READ = {"matrix", "matrix_givegets"}  # viewers too; everything else is for editors

    @staticmethod
    def target(world: Any, roles: list[Role], view: str) -> tuple[str, dict[str, str]]:
        sales = roles[0]
        gg = sales.givegets.get()
        return {
            "matrix": (matrix_url(world), {}),
            "matrix_cell": (cell_url(sales, "headcount"), {f"c{sales.pk}-headcount": "41"}),
            "matrix_giveget_cell": (gg_cell_url(gg, "give"), {f"g{gg.pk}-give": "Log calls"}),
            "matrix_givegets": (matrix_url(world, "matrix_givegets", sales), {}),
            "matrix_giveget_add": (
                matrix_url(world, "matrix_giveget_add", sales),
                new_giveget(sales),
            ),
            "matrix_giveget_delete": (gg_url(gg, "matrix_giveget_delete"), {}),
            "matrix_add": (
                matrix_url(world, "matrix_add"),
                {"add-name": "Marketing", "add-headcount": "6"},
            ),
            "matrix_delete": (matrix_url(world, "matrix_delete", sales), {}),
            "matrix_move": (matrix_url(world, "matrix_move", sales), {"direction": "down"}),
            "matrix_edit": (
                matrix_url(world, "matrix_edit", sales),
                row_data(sales, name="Renamed"),
            ),
        }[view]

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    @pytest.mark.parametrize(("view", "method"), list(EXPECTED))
    @pytest.mark.parametrize("who", PEOPLE)
    def test_every_address(
        self,
        world: Any,
        roles: list[Role],
        client_for: Any,
        who: str,
        view: str,
        method: str,
        htmx: bool,
    ) -> None:
        url, data = self.target(world, roles, view)
        before = db_state()
        client = client_for(who)
        headers = HTMX if htmx else {}
        if method == "get":
            response = client.get(url, headers=headers)
        else:
            response = client.post(url, data, headers=headers)
        if who == "anonymous":
            assert login_redirect(response)
        elif who == "outsider":
            assert response.status_code == 404  # never reveal that the playbook exists
        else:
            plain, with_htmx = self.EXPECTED[view, method]
            allowed = view in self.READ or who != "viewer"
            expected = (with_htmx if htmx else plain) if allowed else 403
            assert response.status_code == expected
        changed = db_state() != before
        assert changed == (who in {"editor", "owner"} and method == "post")

    def test_a_viewer_reads_the_matrix_and_cannot_edit_it(
        self, world: Any, roles: list[Role], client_for: Any
    ) -> None:
        sales = roles[0]
        html = client_for("viewer").get(matrix_url(world)).content.decode()
        assert cell_text(html, f"cell-{sales.pk}-name") == "Sales"
        assert cell_text(html, f"cell-{sales.pk}-question") == "“Sell faster?”"
        assert cell_text(html, f"cell-{sales.pk}-unique_data") == "4"
        assert f'<span id="cell-{sales.pk}-name" class="cell-static' in html
        assert "/cells/" not in html  # no cell links, no editors
        assert "data-cell" not in html
        assert "hx-post" not in html
        assert 'id="add-role"' not in html and "Add a role" not in html
        assert "/delete/" not in html and "/move/" not in html and "/edit/" not in html
        assert "Click a value to change it" not in html

    def test_an_editor_gets_a_link_to_every_cell_that_works_without_javascript(
        self, world: Any, roles: list[Role], client_for: Any
    ) -> None:
        html = client_for("editor").get(matrix_url(world)).content.decode()
        for role in roles:
            for field in ROLE_CELLS:
                url = cell_url(role, field)
                link = re.search(rf'<a id="cell-{role.pk}-{field}"[^>]*>', html)
                assert link, field
                assert f'href="{url}"' in link.group(0) and f'hx-get="{url}"' in link.group(0)
        for form in re.findall(r"<form[^>]*hx-post[^>]*>", html):
            assert 'method="post"' in form and "action=" in form
        for element in re.findall(r"<a[^>]*hx-(?:get|post)[^>]*>", html):
            assert 'href="/' in element


class TestMatrix:
    def test_rows_totals_and_chart(self, world: Any, roles: list, client_for: Any) -> None:
        html = client_for("viewer").get(matrix_url(world)).content.decode()
        assert "“Sell faster?”" in html
        assert "Lead scoring." in html
        assert "+20 min" in html and "\u221220 min" in html
        assert "40 min given · 60 min gained" in html
        assert "net beneficiary" in html and "at risk" in html
        # 40 × 20 − 20 × 20 = 400 min = 6.7 hours
        assert "gives back 6.7 hours a week" in html
        assert "60 people" in html
        assert reverse("role_detail", args=[world.playbook.pk, roles[0].pk]) in html
        assert "<svg" in html and 'role="img"' in html
        assert "Sales: +20 min, net beneficiary; Service: \u221220 min, at risk" in html
        assert "Voice notes" in html

    def test_a_plan_that_takes_time_says_so(self, world: Any, roles: list, client_for: Any) -> None:
        roles[0].delete()
        html = client_for("viewer").get(matrix_url(world)).content.decode()
        assert "takes 6.7 hours a week</strong> from the organisation" in html

    def test_danish(self, world: Any, roles: list, client_for: Any) -> None:
        client = client_for("viewer")
        client.cookies["django_language"] = "da"
        html = client.get(matrix_url(world)).content.decode()
        assert "WIIFM-matrix" in html
        assert "nettomodtager" in html
        assert "giver organisationen 6,7 timer tilbage om ugen" in html or "6,7 timer" in html


# Every value of a role: (field, typed, stored, shown in its cell)
ROLE_VALUES = [
    ("name", "Key accounts", "Key accounts", "Key accounts"),
    ("headcount", "1200", 1200, "1,200 people"),
    ("question", "Will it help me sell?", "Will it help me sell?", "“Will it help me sell?”"),
    ("concerns", "Being <b>watched</b> & ranked", "Being <b>watched</b> & ranked", None),
    ("wiifm", "Hot leads first.", "Hot leads first.", "Hot leads first."),
    ("unique_data", "5", 5, "5"),
    ("speed", "0", 0, "0"),
    ("recognition", "5", 5, "5"),
    ("friction", "0", 0, "0"),
    ("rigidity", "4", 4, "4"),
    ("quick_win", "Caller history", "Caller history", "Caller history"),
    ("quick_win_due", "2027-03-03", datetime.date(2027, 3, 3), "due March 3, 2027"),
]
# Every value of a Give-Get: (field, typed, stored, shown in its cell)
GIVEGET_VALUES = [
    ("give", "Log each call", "Log each call", "Log each call"),
    ("minutes_each", "3", 3, "3"),
    ("times_per_week", "0.25", Decimal("0.25"), "0.25"),
    ("get", "Call summary <auto>", "Call summary <auto>", "Call summary <auto>"),
    ("get_kind", "insight", "insight", "Insight"),
    ("minutes_saved_per_week", "90", 90, "90"),
    ("owner", "Sales ops", "Sales ops", "Sales ops"),
    ("deliver_by", "2027-03-05", datetime.date(2027, 3, 5), "03/05/2027"),
    ("status", "delivered", "delivered", "Delivered"),
]


class TestCells:
    def test_every_cell_is_tested(self) -> None:
        assert [field for field, *_ in ROLE_VALUES] == list(ROLE_CELLS)
        assert [field for field, *_ in GIVEGET_VALUES] == list(GIVEGET_CELLS)

    @pytest.mark.parametrize(
        ("kind", "field"),
        [("role", field) for field in ROLE_CELLS] + [("giveget", field) for field in GIVEGET_CELLS],
    )
    def test_the_editor_of_every_cell(
        self, world: Any, roles: list[Role], client_for: Any, kind: str, field: str
    ) -> None:
        sales = roles[0]
        gg = sales.givegets.get()
        if kind == "role":
            url, cell_id, name = cell_url(sales, field), f"cell-{sales.pk}-{field}", f"c{sales.pk}"
            back = matrix_url(world) + f"#role-{sales.pk}"
        else:
            url, cell_id, name = gg_cell_url(gg, field), f"gg-cell-{gg.pk}-{field}", f"g{gg.pk}"
            back = matrix_url(world) + f"?open={sales.pk}#gg-{gg.pk}"
        client = client_for("editor")
        shown = cell_text(
            client.get(matrix_url(world) + f"?open={sales.pk}").content.decode(), cell_id
        )
        # Without JavaScript: a page with the one-field form, the cursor in it.
        page = client.get(url).content.decode()
        assert "<html" in page
        assert f'<form method="post" action="{url}"' in page
        assert "autofocus" in widget(page, f"{name}-{field}")
        assert f'href="{back}"' in page  # Cancel
        # With htmx: the cell swaps itself for a form with its id.
        fragment = client.get(url, headers=HTMX).content.decode()
        assert fragment.strip().startswith(f'<form id="{cell_id}"')
        assert "<html" not in fragment
        assert f'action="{url}"' in fragment and f'hx-post="{url}"' in fragment
        assert "autofocus" in widget(fragment, f"{name}-{field}")
        assert f'hx-get="{url}?cancel=1"' in fragment and f'href="{back}"' in fragment
        # Cancel: the value as it was shown.
        cancelled = client.get(url + "?cancel=1", headers=HTMX).content.decode()
        assert cancelled.strip().startswith(f'<a id="{cell_id}"')
        assert cell_text(cancelled, cell_id) == shown

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    @pytest.mark.parametrize(("field", "typed", "stored", "shown"), ROLE_VALUES)
    def test_every_role_value_is_saved_through_its_cell(
        self,
        world: Any,
        roles: list[Role],
        client_for: Any,
        field: str,
        typed: str,
        stored: Any,
        shown: str | None,
        htmx: bool,
    ) -> None:
        sales = roles[0]
        before = Role.objects.filter(pk=sales.pk).values().get()
        client = client_for("editor")
        response = client.post(
            cell_url(sales, field), {f"c{sales.pk}-{field}": typed}, headers=HTMX if htmx else {}
        )
        if htmx:
            assert response.status_code == 200
            html = response.content.decode()
            assert html.strip().startswith(f'<a id="cell-{sales.pk}-{field}"')
            for part in (f"balance-{sales.pk}", "matrix-totals"):
                oob(html, part)
            # The chart comes along only when the value is one it shows.
            assert ('id="balance-chart"' in html) == (field in CHART_FIELDS)
            name = typed if field == "name" else "Sales"
            assert status_line(html) == f"{name} saved: net beneficiary."
        else:
            assert response["Location"] == matrix_url(world) + f"#role-{sales.pk}"
            html = client.get(response["Location"]).content.decode()
            assert "Changes saved." in html
        assert cell_text(html, f"cell-{sales.pk}-{field}") == (shown or typed)
        assert "<b>" not in html  # typed text stays text
        after = Role.objects.filter(pk=sales.pk).values().get()
        assert after[field] == stored
        assert after["version"] == before["version"] + 1
        assert {k: v for k, v in after.items() if k not in (field, "version")} == {
            k: v for k, v in before.items() if k not in (field, "version")
        }

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    @pytest.mark.parametrize(("field", "typed", "stored", "shown"), GIVEGET_VALUES)
    def test_every_giveget_value_is_saved_through_its_cell(
        self,
        world: Any,
        roles: list[Role],
        client_for: Any,
        field: str,
        typed: str,
        stored: Any,
        shown: str,
        htmx: bool,
    ) -> None:
        sales = roles[0]
        gg = sales.givegets.get()
        before = GiveGet.objects.filter(pk=gg.pk).values().get()
        client = client_for("editor")
        response = client.post(
            gg_cell_url(gg, field), {f"g{gg.pk}-{field}": typed}, headers=HTMX if htmx else {}
        )
        if htmx:
            assert response.status_code == 200
            html = response.content.decode()
            assert html.strip().startswith(f'<a id="gg-cell-{gg.pk}-{field}"')
            for part in (f"balance-{sales.pk}", "matrix-totals"):
                oob(html, part)
            assert ('id="balance-chart"' in html) == (field in CHART_FIELDS)
            assert status_line(html) == "Sales saved: net beneficiary."
        else:
            # Back to the matrix, the row's Give-Gets open, at the Give-Get.
            assert response["Location"] == matrix_url(world) + f"?open={sales.pk}#gg-{gg.pk}"
            html = client.get(response["Location"]).content.decode()
            assert "Give-Get saved." in html
        assert cell_text(html, f"gg-cell-{gg.pk}-{field}") == shown
        assert "<auto>" not in html
        after = GiveGet.objects.filter(pk=gg.pk).values().get()
        assert after[field] == stored
        assert after["version"] == before["version"] + 1
        assert {k: v for k, v in after.items() if k not in (field, "version")} == {
            k: v for k, v in before.items() if k not in (field, "version")
        }

    def test_a_giveget_save_updates_balance_totals_chart_and_status(
        self, world: Any, roles: list[Role], client_for: Any
    ) -> None:
        sales = roles[0]
        gg = sales.givegets.get()
        client = client_for("editor")
        url = gg_cell_url(gg, "minutes_saved_per_week")
        html = client.post(
            url, {f"g{gg.pk}-minutes_saved_per_week": "10"}, headers=HTMX
        ).content.decode()
        assert cell_text(html, f"gg-cell-{gg.pk}-minutes_saved_per_week") == "10"
        # 10 − 5 × 8 = −30 min: no longer a net beneficiary.
        balance = oob(html, f"balance-{sales.pk}")
        assert "\u221230 min" in balance and "at risk" in balance
        assert "40 min given · 10 min gained" in balance
        # 40 × −30 + 20 × −20 = −1,600 min a week
        assert "takes 26.7 hours a week" in oob(html, "matrix-totals")
        chart = oob(html, "balance-chart")
        assert "Sales: \u221230 min, at risk; Service: \u221220 min, at risk" in chart
        assert status_line(html) == "Sales saved: at risk."
        # And back.
        html = client.post(
            url, {f"g{gg.pk}-minutes_saved_per_week": "60"}, headers=HTMX
        ).content.decode()
        assert "+20 min" in oob(html, f"balance-{sales.pk}")
        assert "gives back 6.7 hours a week" in oob(html, "matrix-totals")
        assert status_line(html) == "Sales saved: net beneficiary."

    def test_a_role_save_updates_balance_totals_chart_and_status(
        self, world: Any, roles: list[Role], client_for: Any
    ) -> None:
        service = roles[1]
        client = client_for("editor")
        html = client.post(
            cell_url(service, "headcount"), {f"c{service.pk}-headcount": "60"}, headers=HTMX
        ).content.decode()
        assert cell_text(html, f"cell-{service.pk}-headcount") == "60 people"
        # 40 × 20 − 60 × 20 = −400 min a week
        totals = oob(html, "matrix-totals")
        assert "100 people" in totals and "takes 6.7 hours a week" in totals
        assert 'id="balance-chart"' not in html  # a headcount is not in the chart
        assert status_line(html) == "Service saved: at risk."
        html = client.post(
            cell_url(service, "friction"), {f"c{service.pk}-friction": "5"}, headers=HTMX
        ).content.decode()
        assert "perceived +3" in oob(html, f"balance-{service.pk}")  # (4 + 3 + 2) − (5 + 1)

    def test_the_weekly_cap_uses_the_saved_value_of_the_other_field(
        self, roles: list[Role], client_for: Any
    ) -> None:
        gg = roles[0].givegets.get()
        GiveGet.objects.filter(pk=gg.pk).update(times_per_week=10)
        client = client_for("editor")
        url = gg_cell_url(gg, "minutes_each")
        client.post(url, {f"g{gg.pk}-minutes_each": "240"}, headers=HTMX)  # 2,400: the cap
        gg.refresh_from_db()
        assert gg.minutes_each == 240
        url = gg_cell_url(gg, "times_per_week")
        html = client.post(url, {f"g{gg.pk}-times_per_week": "10.01"}, headers=HTMX)
        assert "240 min × 10.01 = 2402.4 minutes a week" in editor_error(
            html.content.decode(), f"gg-cell-{gg.pk}-times_per_week"
        )
        gg.refresh_from_db()
        assert gg.times_per_week == 10


# Bad input a user will really type: (field, typed, message, saved first)
ROLE_BAD = [
    ("headcount", "-1", "Ensure this value is greater than or equal to 0.", {}),
    ("headcount", "abc", "Enter a whole number.", {}),
    ("headcount", "1e9", "Enter a whole number.", {}),
    ("headcount", "1000000000", "Ensure this value is less than or equal to 1000000.", {}),
    ("headcount", "", "This field is required.", {}),
    ("name", "", "This field is required.", {}),
    ("name", "   ", "This field is required.", {}),
    ("name", "sales", "This playbook already has a role called “sales” (ignoring case).", {}),
    ("name", "x" * 101, "This text is 101 characters; the limit is 100. Please shorten it.", {}),
    ("unique_data", "6", "Ensure this value is less than or equal to 5.", {}),
    ("rigidity", "-1", "Ensure this value is greater than or equal to 0.", {}),
    ("quick_win_due", "2027-02-30", "Enter a valid date.", {}),
    ("quick_win_due", "next friday", "Enter a valid date.", {}),
]
CAP = "One Give-Get may ask at most 2,400 minutes a week (a 40-hour week)."
GIVEGET_BAD = [
    ("give", "", "This field is required.", {}),
    ("give", "  ", "This field is required.", {}),
    ("minutes_each", "2401", f"2401 min × 8 = 19208 minutes a week. {CAP}", {}),
    ("minutes_each", "-5", "Ensure this value is greater than or equal to 0.", {}),
    # Python's longest int (4,300 digits): past what the cap's Decimal can round (was a 500).
    ("minutes_each", "1" * 4300, "Ensure this value is less than or equal to 2400.", {}),
    ("minutes_each", "five", "Enter a whole number.", {}),
    ("minutes_each", "300", f"300 min × 10 = 3000 minutes a week. {CAP}", {"times_per_week": 10}),
    ("minutes_saved_per_week", "2401", "Ensure this value is less than or equal to 2400.", {}),
    ("times_per_week", "1000.5", "Ensure this value is less than or equal to 1000.", {}),
    ("times_per_week", "1e9", "Ensure this value is less than or equal to 1000.", {}),
    ("times_per_week", "0.125", "Ensure that there are no more than 2 decimal places.", {}),
    ("times_per_week", "often", "Enter a number.", {}),
    ("times_per_week", "500", f"5 min × 500 = 2500 minutes a week. {CAP}", {}),
    ("deliver_by", "2027-02-30", "Enter a valid date.", {}),
    ("get_kind", "bogus", "Select a valid choice. bogus is not one of the available choices.", {}),
    ("status", "done", "Select a valid choice. done is not one of the available choices.", {}),
]


class TestBadInput:
    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    @pytest.mark.parametrize(("field", "typed", "message", "saved"), ROLE_BAD)
    def test_a_role_cell_refuses_it(
        self,
        roles: list[Role],
        client_for: Any,
        field: str,
        typed: str,
        message: str,
        saved: dict[str, Any],
        htmx: bool,
    ) -> None:
        service = roles[1]  # "sales" is taken by the other row
        before = db_state()
        response = client_for("editor").post(
            cell_url(service, field),
            {f"c{service.pk}-{field}": typed},
            headers=HTMX if htmx else {},
        )
        assert response.status_code == 200
        html = response.content.decode()
        if htmx:
            assert message in editor_error(html, f"cell-{service.pk}-{field}")
            assert "hx-swap-oob" not in html  # nothing else on the page changes
        else:
            assert "<html" in html
            assert message in field_error(html, f"c{service.pk}-{field}")
        assert "autofocus" in widget(html, f"c{service.pk}-{field}")
        assert db_state() == before

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    @pytest.mark.parametrize(("field", "typed", "message", "saved"), GIVEGET_BAD)
    def test_a_giveget_cell_refuses_it(
        self,
        roles: list[Role],
        client_for: Any,
        field: str,
        typed: str,
        message: str,
        saved: dict[str, Any],
        htmx: bool,
    ) -> None:
        gg = roles[0].givegets.get()
        GiveGet.objects.filter(pk=gg.pk).update(**saved)
        before = db_state()
        response = client_for("editor").post(
            gg_cell_url(gg, field), {f"g{gg.pk}-{field}": typed}, headers=HTMX if htmx else {}
        )
        assert response.status_code == 200
        html = response.content.decode()
        if htmx:
            assert message in editor_error(html, f"gg-cell-{gg.pk}-{field}")
            assert "hx-swap-oob" not in html
        else:
            assert "<html" in html
            assert message in field_error(html, f"g{gg.pk}-{field}")
        assert "autofocus" in widget(html, f"g{gg.pk}-{field}")
        assert db_state() == before


class TestNothingCrossesPlaybooks:
    @staticmethod
    def urls(world: Any, roles: list[Role], foreign: GiveGet) -> dict[str, str]:
        pk = world.playbook.pk
        sales, service = roles
        own = sales.givegets.get()
        other = service.givegets.get()  # another role's, same playbook
        role = foreign.role
        return {
            "cell of a foreign role": reverse("matrix_cell", args=[pk, role.pk, "name"]),
            "cell of an unknown role": reverse("matrix_cell", args=[pk, 999999, "name"]),
            "Give-Get cell, foreign role": reverse(
                "matrix_giveget_cell", args=[pk, role.pk, foreign.pk, "give"]
            ),
            "Give-Get cell, foreign Give-Get": reverse(
                "matrix_giveget_cell", args=[pk, sales.pk, foreign.pk, "give"]
            ),
            "Give-Get cell, another role's Give-Get": reverse(
                "matrix_giveget_cell", args=[pk, sales.pk, other.pk, "give"]
            ),
            "Give-Get cell, own Give-Get under a foreign role": reverse(
                "matrix_giveget_cell", args=[pk, role.pk, own.pk, "give"]
            ),
            "Give-Gets of a foreign role": reverse("matrix_givegets", args=[pk, role.pk]),
            "add to a foreign role": reverse("matrix_giveget_add", args=[pk, role.pk]),
            "delete a foreign Give-Get": reverse(
                "matrix_giveget_delete", args=[pk, sales.pk, foreign.pk]
            ),
            "delete another role's Give-Get": reverse(
                "matrix_giveget_delete", args=[pk, sales.pk, other.pk]
            ),
            "edit a foreign role": reverse("matrix_edit", args=[pk, role.pk]),
            "delete a foreign role": reverse("matrix_delete", args=[pk, role.pk]),
            "move a foreign role": reverse("matrix_move", args=[pk, role.pk]),
        }

    CASES = [
        "cell of a foreign role",
        "cell of an unknown role",
        "Give-Get cell, foreign role",
        "Give-Get cell, foreign Give-Get",
        "Give-Get cell, another role's Give-Get",
        "Give-Get cell, own Give-Get under a foreign role",
        "add to a foreign role",
        "delete a foreign Give-Get",
        "delete another role's Give-Get",
        "edit a foreign role",
        "delete a foreign role",
        "move a foreign role",
    ]

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    @pytest.mark.parametrize("case", CASES)
    def test_is_404(
        self,
        world: Any,
        roles: list[Role],
        foreign: GiveGet,
        client_for: Any,
        case: str,
        htmx: bool,
    ) -> None:
        url = self.urls(world, roles, foreign)[case]
        editor = client_for("editor")
        headers = HTMX if htmx else {}
        before = db_state()
        data = {
            f"c{foreign.role_id}-name": "Hijacked",
            f"g{foreign.pk}-give": "Hijacked",
            "direction": "up",
            **new_giveget(foreign.role),
            **row_data(foreign.role, name="Hijacked"),
        }
        if case != "add to a foreign role":  # that one answers POST only
            assert editor.get(url, headers=headers).status_code == 404
        assert editor.post(url, data, headers=headers).status_code == 404
        assert db_state() == before

    def test_the_givegets_of_a_foreign_role_are_404(
        self, world: Any, roles: list[Role], foreign: GiveGet, client_for: Any
    ) -> None:
        url = self.urls(world, roles, foreign)["Give-Gets of a foreign role"]
        response = client_for("editor").get(url, headers=HTMX)
        assert response.status_code == 404
        assert "Oscar" not in response.content.decode()

    def test_the_givegets_of_a_foreign_role_without_htmx_are_404(
        self, world: Any, roles: list[Role], foreign: GiveGet, client_for: Any
    ) -> None:
        url = self.urls(world, roles, foreign)["Give-Gets of a foreign role"]
        assert client_for("editor").get(url).status_code == 404

    def test_an_outsiders_own_role_under_their_own_playbook_is_404_for_our_editor(
        self, world: Any, foreign: GiveGet, client_for: Any
    ) -> None:
        pk, role = world.other_playbook.pk, foreign.role
        editor = client_for("editor")
        for url in (
            reverse("matrix_cell", args=[pk, role.pk, "name"]),
            reverse("matrix_giveget_cell", args=[pk, role.pk, foreign.pk, "give"]),
        ):
            assert editor.get(url, headers=HTMX).status_code == 404
            assert editor.post(url, {}, headers=HTMX).status_code == 404

    @pytest.mark.parametrize(
        "name", ["quick_win_done", "order", "playbook", "id", "role", "NAME", "given_per_week"]
    )
    def test_unknown_fields_are_404(self, roles: list[Role], client_for: Any, name: str) -> None:
        sales = roles[0]
        gg = sales.givegets.get()
        editor = client_for("editor")
        before = db_state()
        for url, data in (
            (cell_url(sales, name), {f"c{sales.pk}-{name}": "1"}),
            (gg_cell_url(gg, name), {f"g{gg.pk}-{name}": "1"}),
        ):
            assert editor.get(url).status_code == 404
            assert editor.get(url, headers=HTMX).status_code == 404
            assert editor.post(url, data, headers=HTMX).status_code == 404
        assert db_state() == before


class TestGiveGets:
    def test_add_with_htmx(self, world: Any, roles: list[Role], client_for: Any) -> None:
        sales = roles[0]
        first = sales.givegets.get()
        response = client_for("editor").post(
            matrix_url(world, "matrix_giveget_add", sales),
            new_giveget(sales, minutes_saved_per_week="100"),
            headers=HTMX,
        )
        html = response.content.decode()
        assert html.strip().startswith(f'<tr id="gg-row-{sales.pk}"')
        added = sales.givegets.get(give="Read the weekly digest")
        assert added.order > first.order  # at the end
        assert html.index(f'id="gg-{first.pk}"') < html.index(f'id="gg-{added.pk}"')
        assert cell_text(html, f"gg-cell-{added.pk}-give") == "Read the weekly digest"
        # Ready for the next one: the add form, empty, with the focus.
        give = widget(html, f"new{sales.pk}-give")
        assert "autofocus" in give and "value=" not in give
        assert autofocused(html) == [give]
        assert status_line(html) == "Give-Get “Read the weekly digest” added to Sales."
        assert "2 Give-Gets" in oob(html, f"gg-toggle-{sales.pk}")
        # 160 − (40 + 10) = +110 min
        assert "+110 min" in oob(html, f"balance-{sales.pk}")
        assert "matrix-totals" in html and "balance-chart" in html

    def test_add_without_javascript(self, world: Any, roles: list[Role], client_for: Any) -> None:
        sales = roles[0]
        client = client_for("editor")
        response = client.post(matrix_url(world, "matrix_giveget_add", sales), new_giveget(sales))
        added = sales.givegets.get(give="Read the weekly digest")
        assert response["Location"] == matrix_url(world) + f"?open={sales.pk}#gg-row-{sales.pk}"
        html = client.get(response["Location"]).content.decode()
        assert "Give-Get “Read the weekly digest” added to Sales." in html
        assert cell_text(html, f"gg-cell-{added.pk}-give") == "Read the weekly digest"

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    def test_add_with_the_fields_the_form_shows(
        self, world: Any, roles: list[Role], client_for: Any, htmx: bool
    ) -> None:
        sales = roles[0]
        client = client_for("editor")
        page = client.get(matrix_url(world) + f"?open={sales.pk}").content.decode()
        form = re.search(rf'<form id="gg-add-{sales.pk}".*?</form>', page, re.S)
        assert form
        shown = set(re.findall(r'name="([^"]+)"', form.group(0))) - {"csrfmiddlewaretoken"}
        data = {key: value for key, value in new_giveget(sales).items() if key in shown}
        client.post(
            matrix_url(world, "matrix_giveget_add", sales), data, headers=HTMX if htmx else {}
        )
        assert sales.givegets.filter(give="Read the weekly digest").exists()

    @pytest.mark.parametrize(
        ("field", "typed", "message"),
        [
            ("give", "", "This field is required."),
            ("minutes_each", "2401", "Ensure this value is less than or equal to 2400."),
            ("minutes_each", "9" * 4300, "Ensure this value is less than or equal to 2400."),
            ("times_per_week", "1e9", "Ensure this value is less than or equal to 1000."),
            ("minutes_saved_per_week", "-1", "Ensure this value is greater than or equal to 0."),
        ],
    )
    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    def test_add_refuses_bad_input(
        self,
        world: Any,
        roles: list[Role],
        client_for: Any,
        field: str,
        typed: str,
        message: str,
        htmx: bool,
    ) -> None:
        sales = roles[0]
        before = db_state()
        response = client_for("editor").post(
            matrix_url(world, "matrix_giveget_add", sales),
            new_giveget(sales, **{field: typed}),
            headers=HTMX if htmx else {},
        )
        assert response.status_code == 200
        html = response.content.decode()
        if htmx:
            assert html.strip().startswith(f'<tr id="gg-row-{sales.pk}"')
        else:
            assert "<html" in html
        assert message in field_error(html, f"new{sales.pk}-{field}")
        assert "autofocus" in widget(html, f"new{sales.pk}-{field}")
        assert f'value="{typed}"' in widget(html, f"new{sales.pk}-{field}") or not typed
        assert db_state() == before

    def test_add_refuses_more_than_2400_minutes_a_week(
        self, world: Any, roles: list[Role], client_for: Any
    ) -> None:
        sales = roles[0]
        before = db_state()
        response = client_for("editor").post(
            matrix_url(world, "matrix_giveget_add", sales),
            new_giveget(sales, minutes_each="300", times_per_week="10"),
            headers=HTMX,
        )
        assert "300 min × 10 = 3000 minutes a week" in field_error(
            response.content.decode(), f"new{sales.pk}-times_per_week"
        )
        assert db_state() == before

    @pytest.fixture
    def three(self, roles: list[Role]) -> list[GiveGet]:
        sales = roles[0]
        return [
            sales.givegets.get(),
            make_giveget(sales, "Update the forecast"),
            make_giveget(sales, "Close lost deals"),
        ]

    def test_delete_asks_first_without_javascript(
        self, world: Any, roles: list[Role], three: list[GiveGet], client_for: Any
    ) -> None:
        sales, gg = roles[0], three[1]
        url = gg_url(gg, "matrix_giveget_delete")
        client = client_for("editor")
        page = client.get(url).content.decode()
        assert "Delete the Give-Get “Update the forecast”?" in page
        assert f'action="{url}"' in page
        assert f'href="{matrix_url(world)}?open={sales.pk}#gg-{gg.pk}"' in page  # Keep it
        assert GiveGet.objects.filter(pk=gg.pk).exists()
        response = client.post(url)
        assert response["Location"] == matrix_url(world) + f"?open={sales.pk}#gg-row-{sales.pk}"
        assert not GiveGet.objects.filter(pk=gg.pk).exists()
        html = client.get(response["Location"]).content.decode()
        assert "Give-Get “Update the forecast” deleted." in html
        assert f'id="gg-{gg.pk}"' not in html
        assert [g.pk for g in sales.givegets.all()] == [three[0].pk, three[2].pk]

    def test_delete_with_htmx_moves_the_focus_down(
        self, world: Any, roles: list[Role], three: list[GiveGet], client_for: Any
    ) -> None:
        sales = roles[0]
        first, middle, last = three
        client = client_for("editor")
        html = client.post(gg_url(middle, "matrix_giveget_delete"), headers=HTMX).content.decode()
        assert html.strip().startswith(f'<tr id="gg-row-{sales.pk}"')
        assert f'id="gg-{middle.pk}"' not in html
        assert not GiveGet.objects.filter(pk=middle.pk).exists()
        # The focus goes to the Give-Get below.
        assert has_autofocus(html, f"gg-cell-{last.pk}-give")
        assert len(autofocused(html)) == 1
        assert status_line(html) == "Give-Get “Update the forecast” deleted."
        assert "2 Give-Gets" in oob(html, f"gg-toggle-{sales.pk}")
        # The last one: the focus goes to the add form.
        html = client.post(gg_url(last, "matrix_giveget_delete"), headers=HTMX).content.decode()
        assert f'id="gg-{last.pk}"' not in html
        give = widget(html, f"new{sales.pk}-give")
        assert autofocused(html) == [give]
        assert not has_autofocus(html, f"gg-cell-{first.pk}-give")
        assert [g.pk for g in sales.givegets.all()] == [first.pk]


class TestOpenRows:
    def test_open_renders_the_rows_givegets(
        self, world: Any, roles: list[Role], client_for: Any
    ) -> None:
        sales, service = roles
        gg = sales.givegets.get()
        html = client_for("editor").get(matrix_url(world), {"open": sales.pk}).content.decode()
        assert f'<tr id="gg-row-{sales.pk}" class="gg-row" data-loaded>' in html
        assert f'<tr id="gg-row-{service.pk}" class="gg-row" hidden></tr>' in html
        assert 'aria-expanded="true"' in re.search(rf'<a id="gg-toggle-{sales.pk}"[^>]*>', html)[0]
        assert cell_text(html, f"gg-cell-{gg.pk}-give") == "Log each customer meeting"
        assert cell_text(html, f"gg-cell-{gg.pk}-times_per_week") == "8"
        assert f'<form id="gg-add-{sales.pk}"' in html
        assert f'href="{gg_url(gg, "matrix_giveget_delete")}"' in html

    @pytest.mark.parametrize("query", ["?open={0},{1}", "?open={0}&open={1}"])
    def test_several_rows(self, world: Any, roles: list[Role], client_for: Any, query: str) -> None:
        url = matrix_url(world) + query.format(*(role.pk for role in roles))
        html = client_for("viewer").get(url).content.decode()
        assert html.count("data-loaded>") == 2

    @pytest.mark.parametrize(
        "junk", ["abc", "99999999999999", "-1", "", "1e3", "<script>", "1.5", ",,,"]
    )
    def test_junk_is_ignored(
        self, world: Any, roles: list[Role], client_for: Any, junk: str
    ) -> None:
        response = client_for("editor").get(matrix_url(world), {"open": junk})
        assert response.status_code == 200
        html = response.content.decode()
        assert "data-loaded" not in html
        assert html.count('class="gg-row" hidden></tr>') == 2
        assert "<script>" not in html.split('<div id="matrix"')[1].split("</main>")[0]

    def test_a_unicode_digit_is_ignored(
        self, world: Any, roles: list[Role], client_for: Any
    ) -> None:
        client = client_for("editor")
        client.raise_request_exception = False
        assert client.get(matrix_url(world), {"open": "²"}).status_code == 200

    def test_a_foreign_role_opens_nothing(
        self, world: Any, roles: list[Role], foreign: GiveGet, client_for: Any
    ) -> None:
        html = (
            client_for("editor").get(matrix_url(world), {"open": foreign.role_id}).content.decode()
        )
        assert "data-loaded" not in html and "Oscar" not in html

    def test_a_viewer_sees_the_givegets_without_edit_links(
        self, world: Any, roles: list[Role], client_for: Any
    ) -> None:
        sales = roles[0]
        gg = sales.givegets.get()
        html = client_for("viewer").get(matrix_url(world), {"open": sales.pk}).content.decode()
        assert f'<tr id="gg-row-{sales.pk}" class="gg-row" data-loaded>' in html
        assert f'<span id="gg-cell-{gg.pk}-give" class="cell-static' in html
        assert cell_text(html, f"gg-cell-{gg.pk}-get") == "Automatic weekly pipeline report"
        assert "/cells/" not in html and "data-cell" not in html
        assert "gg-add-" not in html and "Add Give-Get" not in html
        assert "/delete/" not in html and "hx-post" not in html

    @pytest.mark.parametrize("who", ["viewer", "editor"])
    def test_the_row_fragment(
        self, world: Any, roles: list[Role], client_for: Any, who: str
    ) -> None:
        sales = roles[0]
        gg = sales.givegets.get()
        url = matrix_url(world, "matrix_givegets", sales)
        client = client_for(who)
        html = client.get(url, headers=HTMX).content.decode()
        assert html.strip().startswith(f'<tr id="gg-row-{sales.pk}"')
        assert cell_text(html, f"gg-cell-{gg.pk}-give") == "Log each customer meeting"
        assert ("/cells/" in html) == (who == "editor")
        assert ("gg-add-" in html) == (who == "editor")
        # Without JavaScript: the matrix, with the row open.
        response = client.get(url)
        assert response["Location"] == matrix_url(world) + f"?open={sales.pk}#gg-row-{sales.pk}"


class TestRoleRows:
    def test_add_a_role(self, world: Any, roles: list, client_for: Any) -> None:
        client = client_for("editor")
        response = client.post(
            matrix_url(world, "matrix_add"),
            {"add-name": "Marketing", "add-headcount": "6"},
            headers=HTMX,
        )
        html = response.content.decode()
        assert html.strip().startswith('<div id="matrix"')
        role = Role.objects.get(name="Marketing")
        assert cell_text(html, f"cell-{role.pk}-name") == "Marketing"
        assert role.order > roles[1].order
        assert html.index(f'id="role-{roles[1].pk}"') < html.index(f'id="role-{role.pk}"')
        # Ready for the next one: the add form, empty, with the focus.
        name = widget(html, "add-name")
        assert autofocused(html) == [name] and "value=" not in name
        assert "Role “Marketing” added." in html
        before = db_state()
        bad = client.post(
            matrix_url(world, "matrix_add"), {"add-name": "sales", "add-headcount": "1"}
        )
        assert "already has a role called" in field_error(bad.content.decode(), "add-name")
        bad = client.post(
            matrix_url(world, "matrix_add"),
            {"add-name": "Finance", "add-headcount": "-1"},
            headers=HTMX,
        )
        assert "greater than or equal to 0" in field_error(bad.content.decode(), "add-headcount")
        assert autofocused(bad.content.decode()) == [widget(bad.content.decode(), "add-headcount")]
        assert db_state() == before
        plain = client.post(
            matrix_url(world, "matrix_add"), {"add-name": "Finance", "add-headcount": "2"}
        )
        finance = Role.objects.get(name="Finance")
        assert plain["Location"] == matrix_url(world) + f"#role-{finance.pk}"

    def test_delete_after_confirmation(self, world: Any, roles: list, client_for: Any) -> None:
        client = client_for("editor")
        url = matrix_url(world, "matrix_delete", roles[1])
        page = client.get(url).content.decode()
        assert "Delete the role “Service”?" in page
        assert "Tag each case" in page  # what goes with it
        assert f'action="{url}"' in page
        response = client.post(url, headers=HTMX)
        html = response.content.decode()
        assert f'id="role-{roles[1].pk}"' not in html
        assert "Role “Service” deleted." in html  # announced to screen readers
        assert not Role.objects.filter(pk=roles[1].pk).exists()
        # The last row gone: the focus goes to the add form.
        assert autofocused(html) == [widget(html, "add-name")]

    def test_delete_moves_the_focus_to_the_row_below(
        self, world: Any, roles: list, client_for: Any
    ) -> None:
        sales, service = roles
        html = (
            client_for("editor")
            .post(matrix_url(world, "matrix_delete", sales), headers=HTMX)
            .content.decode()
        )
        assert html.strip().startswith('<div id="matrix"')
        assert has_autofocus(html, f"cell-{service.pk}-name")
        assert len(autofocused(html)) == 1

    def test_delete_without_javascript(self, world: Any, roles: list, client_for: Any) -> None:
        client = client_for("editor")
        response = client.post(matrix_url(world, "matrix_delete", roles[0]))
        assert response["Location"] == matrix_url(world)
        assert "Role “Sales” deleted." in client.get(response["Location"]).content.decode()
        assert not GiveGet.objects.filter(role_id=roles[0].pk).exists()

    def test_move_up_and_down(self, world: Any, roles: list, client_for: Any) -> None:
        client = client_for("editor")
        client.post(matrix_url(world, "matrix_move", roles[1]), {"direction": "up"})
        assert list(world.playbook.roles.values_list("name", flat=True)) == ["Service", "Sales"]
        response = client.post(
            matrix_url(world, "matrix_move", roles[1]), {"direction": "down"}, headers=HTMX
        )
        assert list(world.playbook.roles.values_list("name", flat=True)) == ["Sales", "Service"]
        html = response.content.decode()
        assert html.strip().startswith('<div id="matrix"')
        assert html.index(f'id="role-{roles[0].pk}"') < html.index(f'id="role-{roles[1].pk}"')

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    def test_a_role_deleted_meanwhile_moves_nothing(
        self, world: Any, roles: list, client_for: Any, monkeypatch: Any, htmx: bool
    ) -> None:
        """Someone else deletes the role between this move's look-up of it and
        its reading of the list (a race CI met on PostgreSQL: a 500): the
        matrix answers, without the role, and the others keep their order."""
        import planner.matrix

        looked_up = planner.matrix.get_role_with_givegets

        def deleted_meanwhile(playbook: Any, role_id: int) -> Role:
            role = looked_up(playbook, role_id)
            delete_role(role=Role.objects.get(pk=role.pk))
            return role

        monkeypatch.setattr(planner.matrix, "get_role_with_givegets", deleted_meanwhile)
        extra = make_role(world.playbook, "Finance")
        editor = client_for("editor")
        response = editor.post(
            matrix_url(world, "matrix_move", roles[1]),
            {"direction": "up"},
            headers=HTMX if htmx else {},
        )
        said = "Someone else deleted this since you opened it, so nothing was saved."
        assert list(world.playbook.roles.values_list("name", flat=True)) == ["Sales", "Finance"]
        if htmx:
            html = response.content.decode()
            assert response.status_code == 200
            assert f'id="role-{roles[1].pk}"' not in html and f'id="role-{extra.pk}"' in html
            assert status_line(html) == said
        else:
            assert response["Location"] == matrix_url(world)
            assert said in editor.get(response["Location"]).content.decode()

    def test_a_role_deleted_just_after_a_cell_save_reloads_the_matrix(
        self, world: Any, roles: list, client_for: Any, monkeypatch: Any
    ) -> None:
        """Saved, then deleted by someone else before the balances are read
        again (a 500 in CI's race before): htmx is sent to the matrix as it
        now is, and the save is said there."""
        import planner.matrix

        save = planner.matrix.services.save_role_form

        def then_deleted(form: Any) -> Any:
            saved = save(form)
            delete_role(role=Role.objects.get(pk=roles[1].pk))
            return saved

        monkeypatch.setattr(planner.matrix.services, "save_role_form", then_deleted)
        label = role_cells(roles[1], can_edit=True, names=["headcount"])["headcount"].label
        editor = client_for("editor")
        response = editor.post(
            cell_url(roles[1], "headcount"), {f"c{roles[1].pk}-headcount": "41"}, headers=HTMX
        )
        assert response.status_code == 200
        assert response["HX-Redirect"] == matrix_url(world)
        assert Role.all_objects.get(pk=roles[1].pk).headcount == 41
        page = htmllib.unescape(editor.get(response["HX-Redirect"]).content.decode())
        assert f"{label} saved." in page and f'id="role-{roles[1].pk}"' not in page

    def test_open_rows_stay_open_when_the_matrix_is_redrawn(
        self, world: Any, roles: list, client_for: Any
    ) -> None:
        sales = roles[0]
        response = client_for("editor").post(
            matrix_url(world, "matrix_move", sales),
            {"direction": "down", "open": str(sales.pk)},
            headers=HTMX,
        )
        assert (
            f'<tr id="gg-row-{sales.pk}" class="gg-row" data-loaded>' in response.content.decode()
        )


class TestFullRowPage:
    """matrix_edit: every value of a role on one plain page (where the health
    check sends an editor), with or without htmx."""

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    def test_edit_and_return(self, world: Any, roles: list, client_for: Any, htmx: bool) -> None:
        sales = roles[0]
        url = matrix_url(world, "matrix_edit", sales)
        headers = HTMX if htmx else {}
        page = client_for("editor").get(url, headers=headers).content.decode()
        assert "<html" in page and "Edit Sales" in page
        assert "autofocus" in widget(page, f"role{sales.pk}-name")
        response = client_for("editor").post(
            url, row_data(sales, headcount="41", speed="5"), headers=headers
        )
        assert response["Location"] == matrix_url(world) + f"#role-{sales.pk}"
        sales.refresh_from_db()
        assert (sales.headcount, sales.speed) == (41, 5)

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("unique_data", "6", "Ensure this value is less than or equal to 5."),
            ("name", "", "This field is required."),
            ("name", "SERVICE", "already has a role called “SERVICE”"),
            ("headcount", "many", "Enter a whole number."),
        ],
    )
    def test_invalid_input_shows_beside_the_field(
        self, world: Any, roles: list, client_for: Any, field: str, value: str, message: str
    ) -> None:
        sales = roles[0]
        before = db_state()
        response = client_for("editor").post(
            matrix_url(world, "matrix_edit", sales), row_data(sales, **{field: value})
        )
        assert response.status_code == 200
        assert message in field_error(response.content.decode(), f"role{sales.pk}-{field}")
        assert db_state() == before


class TestQueryBudget:
    """Fixed whatever the size of the playbook: the demo playbook (4 roles) and
    40 roles with 8 Give-Gets and 3 ambassadors each cost the same."""

    @pytest.fixture(params=["demo", "large"])
    def playbook(self, request: Any, world: Any) -> Playbook:
        if request.param == "demo":
            call_command("seed_demo", "--force")
            playbook = Playbook.objects.get(name="Salesforce rollout")
            add_member(playbook, world.editor, "editor")
            add_member(playbook, world.viewer, "viewer")
            return playbook
        playbook = world.playbook
        create_default_plan(playbook)
        for r in range(40):
            role = make_role(playbook, f"Role {r}", headcount=50)
            for g in range(8):
                make_giveget(role, f"Give {g}")
            for a in range(3):
                make_ambassador(role, f"Person {r}-{a}")
        return playbook

    @pytest.mark.parametrize("who", ["viewer", "editor"])
    def test_the_matrix_page(
        self, playbook: Playbook, client_for: Any, django_assert_num_queries: Any, who: str
    ) -> None:
        client = client_for(who)
        url = reverse("matrix", args=[playbook.pk])
        first = playbook.roles.first()
        assert first is not None
        # session, user, membership with its playbook, the roles, their Give-Gets,
        # their ambassadors, the plan's progress for the header
        with django_assert_num_queries(7):
            response = client.get(url)
        assert response.content.decode().count('class="matrix-row') == playbook.roles.count()
        # From the fragment cache: session, user, membership, the plan's progress.
        with django_assert_num_queries(4):
            assert client.get(url).status_code == 200
        # A row open costs nothing more: its Give-Gets are already there.
        with django_assert_num_queries(7):
            opened = client.get(url, {"open": first.pk}).content.decode()
        assert f'id="gg-row-{first.pk}" class="gg-row" data-loaded' in opened

    @pytest.mark.parametrize(
        ("field", "value", "count"), [("headcount", "7", 11), ("name", "Zed", 12)]
    )
    def test_a_role_cell_save(
        self,
        playbook: Playbook,
        client_for: Any,
        django_assert_num_queries: Any,
        field: str,
        value: str,
        count: int,
    ) -> None:
        role = playbook.roles.first()
        assert role is not None
        client = client_for("editor")
        # session, user, membership with its playbook, the role,
        # [the name: is it taken (one query for all names of the playbook)],
        # savepoint, the role again, locked (core.concurrency: merged with any
        # change saved since it was read), the update, its history record,
        # the playbook's version stamp (core.versions: in the same
        # transaction), release (roles.services.save_role_form), then the numbers of the totals and
        # the chart: the roles with their Give-Gets summed, in one query
        # (givegets.selectors.role_sums). (In production the
        # PDF render is also queued after the commit: one INSERT with
        # django-tasks-db; the tests' dummy backend and transaction leave it out.)
        with django_assert_num_queries(count):
            response = client.post(
                cell_url(role, field), {f"c{role.pk}-{field}": value}, headers=HTMX
            )
        role.refresh_from_db()
        assert getattr(role, field) == (7 if field == "headcount" else value)
        assert status_line(response.content.decode()).startswith(f"{role.name} saved: ")

    def test_a_giveget_cell_save(
        self, playbook: Playbook, client_for: Any, django_assert_num_queries: Any
    ) -> None:
        role = playbook.roles.first()
        assert role is not None
        gg = role.givegets.first()
        assert gg is not None
        client = client_for("editor")
        # session, user, membership with its playbook, the Give-Get with its
        # role (of this playbook: another's is a 404), savepoint,
        # the Give-Get again, locked (core.concurrency), the update, its
        # history record, the playbook's version stamp, release (one write
        # transaction in production), then
        # the numbers of the totals and the chart: the roles with their
        # Give-Gets summed, in one query. (The database checks the constraints.)
        with django_assert_num_queries(11):
            response = client.post(
                gg_cell_url(gg, "minutes_each"), {f"g{gg.pk}-minutes_each": "2"}, headers=HTMX
            )
        assert cell_text(response.content.decode(), f"gg-cell-{gg.pk}-minutes_each") == "2"


class TestChart:
    def test_bars_around_zero(self) -> None:
        chart = balance_chart(
            [
                ("A", Decimal(20), "at_risk"),
                ("B", Decimal(-10), "net_loser"),
                ("C", Decimal(0), "at_risk"),
            ]
        )
        a, b, c = chart.bars
        assert a.x == chart.centre and a.width > 0 and not a.negative
        assert b.x + b.width == chart.centre and b.negative
        assert b.width == pytest.approx(a.width / 2)
        assert c.width == 0
        assert a.value_anchor == "start" and b.value_anchor == "end"

    def test_tiny_balances_stay_visible(self) -> None:
        chart = balance_chart([("A", Decimal(2000), "at_risk"), ("B", Decimal("0.01"), "at_risk")])
        assert chart.bars[1].width >= 2

    def test_svg_has_no_style_and_no_localised_numbers(
        self, world: Any, roles: list, client_for: Any
    ) -> None:
        client = client_for("viewer")
        client.cookies["django_language"] = "da"
        html = client.get(matrix_url(world)).content.decode()
        svg = html[html.index("<svg") : html.index("</svg>")]
        assert "style" not in svg
        assert "<script" not in svg
        assert not re.search(r'(x|y|width)="\d+,\d', svg)

    def test_svg_draws_each_bar_in_its_verdict_colour_with_names_escaped(self) -> None:
        chart = balance_chart(
            [
                ("<b>Sales</b> & co", Decimal("12.5"), "net_beneficiary"),
                ("Ops", Decimal(-3), "net_loser"),
                ("Mgr", Decimal("0.4"), "at_risk"),
                ("New", Decimal(0), "not_assessed"),
            ]
        )
        with translation.override("da"):
            svg = str(balance_svg(chart, "c"))
        assert "<b>" not in svg and "&lt;b&gt;Sales&lt;/b&gt; &amp; co" in svg
        fills = re.findall(r'<rect [^>]*fill="(#[0-9a-f]+)"', svg)
        assert fills == ["#1e7a4c", "#a52834", "#b07d00", "#6c757d"]
        # The values in Danish, the coordinates never.
        assert "+12,5 min" in svg and "+0,4 min" in svg and "−3 min" in svg
        assert 'width="2.88"' in svg
        assert 'aria-labelledby="c-title c-desc"' in svg
        assert "Ops: −3 min, nettotaber" in svg

    def test_svg_of_no_roles_says_so(self) -> None:
        with translation.override("en"):
            svg = str(balance_svg(balance_chart([])))
        assert '<desc id="chart-desc">No roles yet.</desc>' in svg
        assert "<rect" not in svg

    def test_svg_truncates_long_names_on_the_bar_but_not_in_the_description(self) -> None:
        name = "Regional account executives north"
        with translation.override("en"):
            svg = str(balance_svg(balance_chart([(name, Decimal(5), "at_risk")]), pdf=True))
        assert f"{name}: +5 min" in svg
        assert ">Regional account execut… · at risk<" in svg
        assert 'font-family="Source Sans 3"' in svg


class TestSummary:
    def test_the_databases_sums_agree_with_each_roles_own_balance(self, world: Any) -> None:
        playbook = world.playbook
        odd = make_role(playbook, "Odd times", headcount=7, speed=2)
        for minutes, times, saved in [(7, "0.33", 5), (3, "0.10", 0), (11, "2.25", 17)]:
            make_giveget(
                odd,
                f"Give {minutes}",
                minutes_each=minutes,
                times_per_week=Decimal(times),
                minutes_saved_per_week=saved,
            )
        losing = make_role(playbook, "Losing", headcount=3, friction=4)
        make_giveget(losing, "Heavy", minutes_each=60, times_per_week=Decimal(5))
        scored_only = make_role(playbook, "Scored only", headcount=2, rigidity=0)
        new = make_role(playbook, "New", headcount=9)
        summary = matrix_summary(playbook)
        for role in (odd, losing, scored_only, new):
            own = Role.objects.get(pk=role.pk).balance()
            got = summary.balances[role.pk]
            assert (got.given, got.gained, got.time_balance, got.verdict, got.headcount) == (
                own.given,
                own.gained,
                own.time_balance,
                own.verdict,
                own.headcount,
            ), role.name
        assert summary.balances[new.pk].verdict == "not_assessed"
        assert summary.balances[scored_only.pk].verdict != "not_assessed"
        assert summary.balances[odd.pk].given == Decimal("27.36")  # 2.31 + 0.30 + 24.75


class TestFragmentCache:
    def test_cached_matrix_follows_every_change(
        self, world: Any, roles: list, client_for: Any, django_assert_max_num_queries: Any
    ) -> None:
        client = client_for("editor")
        url = matrix_url(world)
        client.get(url)
        # session, user, membership with playbook, plan progress: no roles needed
        with django_assert_max_num_queries(4):
            cached = client.get(url).content.decode()
        assert "+20 min" in cached
        giveget = roles[0].givegets.get()
        giveget.minutes_saved_per_week = 100
        giveget.save()
        assert "+60 min" in client.get(url).content.decode()
        client.post(matrix_url(world, "matrix_move", roles[1]), {"direction": "up"})
        html = client.get(url).content.decode()
        assert html.index(">Service</a>") < html.index(">Sales</a>")

    def test_a_cell_save_reaches_the_cached_matrix(
        self, world: Any, roles: list, client_for: Any
    ) -> None:
        sales = roles[0]
        client = client_for("editor")
        url = matrix_url(world)
        client.get(url)
        client.post(cell_url(sales, "name"), {f"c{sales.pk}-name": "Field sales"}, headers=HTMX)
        assert cell_text(client.get(url).content.decode(), f"cell-{sales.pk}-name") == (
            "Field sales"
        )
        viewer = client_for("viewer").get(url).content.decode()
        assert cell_text(viewer, f"cell-{sales.pk}-name") == "Field sales"

    def test_no_csrf_token_is_shared(self, world: Any, roles: list, client_for: Any) -> None:
        url = matrix_url(world)
        first = client_for("editor").get(url)
        second = client_for("owner").get(url)
        token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
        assert "csrf-placeholder-" not in second.content.decode()

        def fragment_tokens(response: Any) -> set[str]:
            # The tokens in the cached matrix (its forms), not the page's own.
            html = response.content.decode()
            return set(token.findall(html[html.index('id="matrix"') :]))

        mine, theirs = fragment_tokens(first), fragment_tokens(second)
        assert mine and theirs and not mine & theirs
        # The second user's form works with the second user's cookie.
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.owner)
        page = client.get(url).content.decode()
        response = client.post(
            matrix_url(world, "matrix_move", roles[1]),
            {"direction": "up", "csrfmiddlewaretoken": token.findall(page)[0]},
        )
        assert response.status_code == 302

    def test_viewers_get_their_own_fragment(self, world: Any, roles: list, client_for: Any) -> None:
        client_for("editor").get(matrix_url(world))
        html = client_for("viewer").get(matrix_url(world)).content.decode()
        assert "hx-post" not in html
        assert "/cells/" not in html
