"""The WIIFM matrix: access, rows edited in place, totals, chart, query budget."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from roles.chart import balance_chart
from roles.models import Role
from tests.factories import make_ambassador, make_giveget, make_role

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "outsider", "viewer", "editor", "owner"]
FACTORS = {"unique_data": 4, "speed": 3, "recognition": 2, "friction": 2, "rigidity": 1}


@pytest.fixture
def roles(world: Any) -> list[Role]:
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
    make_giveget(service, minutes_each=10, times_per_week=8, minutes_saved_per_week=60)
    return [sales, service]


def matrix_url(world: Any, name: str = "matrix", role: Role | None = None) -> str:
    args = [world.playbook.pk] + ([role.pk] if role else [])
    return reverse(name, args=args)


def row_data(role: Role, **changes: Any) -> dict[str, str]:
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


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="error_\d+_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)
    assert match, f"no error shown beside {field}"
    return match.group(1)


def login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


class TestAccess:
    @pytest.mark.parametrize("who", PEOPLE)
    def test_the_matrix_page(self, world: Any, roles: list, client_for: Any, who: str) -> None:
        response = client_for(who).get(matrix_url(world))
        if who == "anonymous":
            assert login_redirect(response)
            return
        assert response.status_code == (404 if who == "outsider" else 200)
        if who == "viewer":
            html = response.content.decode()
            assert "Sales" in html
            assert "hx-post" not in html
            assert "Add a role" not in html
            assert "/matrix/" + str(roles[0].pk) not in html

    EDITS = ["matrix_edit", "matrix_delete", "matrix_move", "matrix_add"]

    @pytest.mark.parametrize("name", EDITS)
    @pytest.mark.parametrize("who", PEOPLE)
    def test_every_edit_address(
        self, world: Any, roles: list, client_for: Any, name: str, who: str
    ) -> None:
        role = None if name == "matrix_add" else roles[0]
        url = matrix_url(world, name, role)
        data = {
            "matrix_edit": row_data(roles[0], name="Renamed"),
            "matrix_delete": {},
            "matrix_move": {"direction": "down"},
            "matrix_add": {"add-name": "New", "add-headcount": "3"},
        }[name]
        client = client_for(who)
        before = list(Role.objects.order_by("pk").values_list("name", "order"))
        for response in (client.get(url), client.post(url, data)):
            if who == "anonymous":
                assert login_redirect(response)
            elif who == "outsider":
                assert response.status_code == 404
            elif who == "viewer":
                assert response.status_code == 403
            else:
                assert response.status_code in {200, 302}
        if who in {"anonymous", "outsider", "viewer"}:
            assert list(Role.objects.order_by("pk").values_list("name", "order")) == before

    def test_a_role_of_another_playbook_is_404(
        self, world: Any, roles: list, client_for: Any
    ) -> None:
        foreign = make_role(world.other_playbook, "Foreign")
        editor = client_for("editor")
        for name in ("matrix_edit", "matrix_delete", "matrix_move"):
            url = reverse(name, args=[world.playbook.pk, foreign.pk])
            assert editor.get(url).status_code == 404
            assert editor.post(url, {"direction": "up"}).status_code == 404
        assert Role.objects.filter(pk=foreign.pk, name="Foreign").exists()


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

    @pytest.mark.parametrize("size", [(2, 1), (40, 8)])
    def test_query_budget(
        self, world: Any, client_for: Any, django_assert_num_queries: Any, size: tuple
    ) -> None:
        roles, givegets = size
        for r in range(roles):
            role = make_role(world.playbook, f"Role {r}", headcount=3)
            for g in range(givegets):
                make_giveget(role, f"Give {g}")
            for a in range(3 if roles > 2 else 1):
                make_ambassador(role, f"Ambassador {r}-{a}")
        client = client_for("editor")
        # session, user, membership with its playbook, the roles, their Give-Gets,
        # their ambassadors, the plan's progress for the header
        with django_assert_num_queries(7):
            response = client.get(matrix_url(world))
        assert response.content.decode().count('class="matrix-row') == roles


class TestEditInPlace:
    def test_edit_form_is_a_row(self, world: Any, roles: list, client_for: Any) -> None:
        response = client_for("editor").get(
            matrix_url(world, "matrix_edit", roles[0]), headers={"HX-Request": "true"}
        )
        html = response.content.decode().strip()
        assert re.search(
            rf'id="id_role{roles[0].pk}-name"[^>]*autofocus|autofocus[^>]*id="id_role{roles[0].pk}-name"',
            html,
        )
        assert html.startswith(f'<tr id="role-{roles[0].pk}"')
        assert f'id="id_role{roles[0].pk}-unique_data"' in html
        assert 'method="post"' in html

    def test_saving_a_row_updates_totals_and_chart(
        self, world: Any, roles: list, client_for: Any
    ) -> None:
        sales = roles[0]
        response = client_for("editor").post(
            matrix_url(world, "matrix_edit", sales),
            row_data(sales, unique_data="0", speed="0", recognition="0"),
            headers={"HX-Request": "true"},
        )
        html = response.content.decode()
        assert html.strip().startswith(f'<tr id="role-{sales.pk}"')
        assert "perceived \u22123" in html
        assert "at risk" in html
        assert '<tfoot id="matrix-totals" class="matrix-totals" hx-swap-oob="true">' in html
        assert '<section id="balance-chart"' in html and 'hx-swap-oob="true"' in html
        sales.refresh_from_db()
        assert sales.unique_data == 0

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("unique_data", "6", "Ensure this value is less than or equal to 5."),
            ("name", "", "This field is required."),
            ("name", "SERVICE", "already has a role called “SERVICE”"),
            ("headcount", "many", "Enter a whole number."),
        ],
    )
    @pytest.mark.parametrize("htmx", [True, False])
    def test_invalid_input_shows_in_the_row(
        self,
        world: Any,
        roles: list,
        client_for: Any,
        field: str,
        value: str,
        message: str,
        htmx: bool,
    ) -> None:
        sales = roles[0]
        headers = {"HX-Request": "true"} if htmx else {}
        response = client_for("editor").post(
            matrix_url(world, "matrix_edit", sales),
            row_data(sales, **{field: value}),
            headers=headers,
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert message in field_error(html, f"role{sales.pk}-{field}")
        if htmx:
            assert html.strip().startswith(f'<tr id="role-{sales.pk}"')
        sales.refresh_from_db()
        assert (sales.name, sales.unique_data, sales.headcount) == ("Sales", 4, 40)

    def test_without_javascript_edit_redirects(
        self, world: Any, roles: list, client_for: Any
    ) -> None:
        sales = roles[0]
        page = client_for("editor").get(matrix_url(world, "matrix_edit", sales)).content.decode()
        assert "<html" in page and "Edit Sales" in page
        response = client_for("editor").post(
            matrix_url(world, "matrix_edit", sales), row_data(sales, headcount="41")
        )
        assert response["Location"] == matrix_url(world) + f"#role-{sales.pk}"

    def test_add_a_role(self, world: Any, roles: list, client_for: Any) -> None:
        client = client_for("editor")
        response = client.post(
            matrix_url(world, "matrix_add"),
            {"add-name": "Marketing", "add-headcount": "6"},
            headers={"HX-Request": "true"},
        )
        html = response.content.decode()
        assert html.strip().startswith('<div id="matrix"')
        assert "Marketing" in html
        role = Role.objects.get(name="Marketing")
        assert role.order > roles[1].order
        bad = client.post(
            matrix_url(world, "matrix_add"), {"add-name": "sales", "add-headcount": "1"}
        )
        assert "already has a role called" in field_error(bad.content.decode(), "add-name")
        assert Role.objects.filter(playbook=world.playbook).count() == 3
        plain = client.post(
            matrix_url(world, "matrix_add"), {"add-name": "Finance", "add-headcount": "2"}
        )
        assert plain["Location"].startswith(matrix_url(world) + "#role-")

    def test_delete_after_confirmation(self, world: Any, roles: list, client_for: Any) -> None:
        client = client_for("editor")
        url = matrix_url(world, "matrix_delete", roles[1])
        page = client.get(url).content.decode()
        assert "Delete the role “Service”?" in page
        assert f'action="{url}"' in page
        response = client.post(url, headers={"HX-Request": "true"})
        html = response.content.decode()
        assert ">Service</a>" not in html
        assert "Role “Service” deleted." in html  # announced to screen readers
        assert not Role.objects.filter(pk=roles[1].pk).exists()

    def test_move_up_and_down(self, world: Any, roles: list, client_for: Any) -> None:
        client = client_for("editor")
        client.post(matrix_url(world, "matrix_move", roles[1]), {"direction": "up"})
        assert list(world.playbook.roles.values_list("name", flat=True)) == ["Service", "Sales"]
        response = client.post(
            matrix_url(world, "matrix_move", roles[1]),
            {"direction": "down"},
            headers={"HX-Request": "true"},
        )
        assert list(world.playbook.roles.values_list("name", flat=True)) == ["Sales", "Service"]
        html = response.content.decode()
        assert html.index("Sales") < html.index("Service")


class TestChart:
    def test_bars_around_zero(self) -> None:
        from decimal import Decimal

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
        from decimal import Decimal

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

    def test_no_csrf_token_is_shared(self, world: Any, roles: list, client_for: Any) -> None:
        url = matrix_url(world)
        first = client_for("editor").get(url)
        second = client_for("owner").get(url)
        token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
        assert "csrf-token-placeholder" not in second.content.decode()
        assert token.findall(first.content.decode())[0] != token.findall(second.content.decode())[0]
        # The second user's form works with the second user's cookie.
        from django.test import Client

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
