"""The role page, role forms and Give-Gets: access, bad input, htmx, query budget."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import IntegrityError
from django.urls import reverse

from comms.models import Message
from comms.services import create_role_messages
from givegets.models import GiveGet
from roles.models import Role
from tests.factories import make_giveget, make_role

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "outsider", "viewer", "editor", "owner"]
FACTORS_PLUS_6 = {"unique_data": 4, "speed": 3, "recognition": 2, "friction": 2, "rigidity": 1}


@pytest.fixture
def role(world: Any) -> Role:
    role = make_role(
        world.playbook, "Sales", headcount=40, question="Does it help me sell?", **FACTORS_PLUS_6
    )
    make_giveget(
        role,
        "Log each customer meeting",
        minutes_each=5,
        times_per_week=8,
        minutes_saved_per_week=60,
    )
    return role


@pytest.fixture
def foreign_role(world: Any) -> Role:
    role = make_role(world.other_playbook, "Oscar's sales")
    make_giveget(role, "Oscar's give")
    return role


def role_url(role: Role, name: str = "role_detail") -> str:
    return reverse(name, args=[role.playbook_id, role.pk])


def gg_url(gg: GiveGet, name: str) -> str:
    return reverse(name, args=[gg.role.playbook_id, gg.role_id, gg.pk])


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="error_\d+_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)
    assert match, f"no error shown beside {field}"
    return match.group(1)


def role_data(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Service",
        "headcount": "25",
        "question": "Q?",
        "wiifm": "A.",
        "concerns": "",
        "quick_win": "Caller history",
        "quick_win_due": "",
        **{k: str(v) for k, v in FACTORS_PLUS_6.items()},
    }
    return {**data, **changes}


def gg_data(prefix: str, **changes: Any) -> dict[str, str]:
    data = {
        "give": "Tag each case",
        "minutes_each": "1",
        "times_per_week": "20",
        "get": "Suggested answers",
        "get_kind": "automation",
        "minutes_saved_per_week": "30",
        "owner": "CRM team",
        "deliver_by": "",
        "status": "planned",
        **changes,
    }
    return {f"{prefix}-{key}": value for key, value in data.items()}


def login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


class TestAccess:
    GETS = {
        # name: (outsider, viewer, editor, owner)
        "role_detail": (404, 200, 200, 200),
        "role_edit": (404, 403, 200, 200),
        "role_delete": (404, 403, 200, 200),
        "giveget_edit": (404, 403, 200, 200),
        "giveget_delete": (404, 403, 200, 200),
        "giveget_move": (404, 403, 302, 302),
        "giveget_create": (404, 403, 302, 302),
        "role_create": (404, 403, 200, 200),
    }

    def url(self, name: str, role: Role) -> str:
        gg = role.givegets.first()
        if name.startswith("giveget_") and name != "giveget_create":
            return gg_url(gg, name)
        if name == "role_create":
            return reverse(name, args=[role.playbook_id])
        return role_url(role, name)

    @pytest.mark.parametrize("name", GETS)
    @pytest.mark.parametrize("who", PEOPLE)
    def test_get(self, role: Role, client_for: Any, name: str, who: str) -> None:
        response = client_for(who).get(self.url(name, role))
        if who == "anonymous":
            assert login_redirect(response)
        else:
            assert response.status_code == self.GETS[name][PEOPLE.index(who) - 1]

    POSTS = {
        "role_create": (lambda role: role_data(), (404, 403, 302, 302)),
        "role_edit": (lambda role: role_data(name="Renamed"), (404, 403, 302, 302)),
        "giveget_create": (lambda role: gg_data("new"), (404, 403, 302, 302)),
        "giveget_edit": (
            lambda role: gg_data(f"gg{role.givegets.first().pk}", give="Changed"),
            (404, 403, 302, 302),
        ),
        "giveget_move": (lambda role: {"direction": "down"}, (404, 403, 302, 302)),
        "giveget_delete": (lambda role: {}, (404, 403, 302, 302)),
        "role_delete": (lambda role: {}, (404, 403, 302, 302)),
    }

    @pytest.mark.parametrize("name", POSTS)
    @pytest.mark.parametrize("who", PEOPLE)
    def test_post(self, role: Role, client_for: Any, name: str, who: str) -> None:
        data, expected = self.POSTS[name]
        before = (
            Role.objects.count(),
            GiveGet.objects.count(),
            list(Role.objects.values_list("name", flat=True)),
            list(GiveGet.objects.values_list("give", flat=True)),
        )
        response = client_for(who).post(self.url(name, role), data(role))
        if who == "anonymous":
            assert login_redirect(response)
        else:
            assert response.status_code == expected[PEOPLE.index(who) - 1]
        if who in {"anonymous", "outsider", "viewer"}:
            after = (
                Role.objects.count(),
                GiveGet.objects.count(),
                list(Role.objects.values_list("name", flat=True)),
                list(GiveGet.objects.values_list("give", flat=True)),
            )
            assert after == before

    def test_ids_of_another_playbook_are_404(
        self, world: Any, role: Role, foreign_role: Role, client_for: Any
    ) -> None:
        editor = client_for("editor")
        foreign_gg = foreign_role.givegets.first()
        pk = world.playbook.pk
        urls = [
            reverse("role_detail", args=[pk, foreign_role.pk]),
            reverse("role_edit", args=[pk, foreign_role.pk]),
            reverse("role_delete", args=[pk, foreign_role.pk]),
            reverse("giveget_edit", args=[pk, role.pk, foreign_gg.pk]),
            reverse("giveget_delete", args=[pk, role.pk, foreign_gg.pk]),
            reverse("giveget_move", args=[pk, role.pk, foreign_gg.pk]),
            reverse("giveget_create", args=[pk, foreign_role.pk]),
        ]
        for url in urls:
            assert editor.get(url).status_code == 404, url
            if url != urls[0]:  # the role page itself answers GET only
                assert editor.post(url, {}).status_code == 404, url
        assert GiveGet.objects.filter(pk=foreign_gg.pk, give="Oscar's give").exists()
        assert Role.objects.filter(pk=foreign_role.pk).exists()


class TestRolePage:
    def test_shows_the_equation_with_the_roles_numbers(self, role: Role, client_for: Any) -> None:
        html = client_for("viewer").get(role_url(role)).content.decode()
        assert "Does it help me sell?" in html
        assert "8 × 5 min" in html
        assert "<strong>40 min</strong>" in html
        assert '60 − 40 = <strong class="balance-value">+20 min</strong>' in html
        assert "(4 + 3 + 2) − (2 + 1) = <strong>+6</strong>" in html
        assert "net beneficiary" in html
        assert "13.3 hours a week" in html

    def test_viewer_sees_no_edit_controls(self, role: Role, client_for: Any) -> None:
        html = client_for("viewer").get(role_url(role)).content.decode()
        assert "Add a Give-Get" not in html
        assert "/edit/" not in html
        assert "/delete/" not in html
        assert "hx-post" not in html

    def test_editor_sees_controls_with_real_addresses(self, role: Role, client_for: Any) -> None:
        html = client_for("editor").get(role_url(role)).content.decode()
        gg = role.givegets.first()
        assert f'href="{gg_url(gg, "giveget_edit")}"' in html
        assert f'action="{reverse("giveget_create", args=[role.playbook_id, role.pk])}"' in html
        for form in re.findall(r"<form[^>]*hx-post[^>]*>", html):
            assert 'method="post"' in form and "action=" in form

    def test_danish_numbers_and_dates(self, role: Role, client_for: Any) -> None:
        GiveGet.objects.filter(role=role).update(times_per_week="0.25", minutes_each=30)
        client = client_for("viewer")
        client.cookies["django_language"] = "da"
        html = client.get(role_url(role)).content.decode()
        assert "0,25 × 30 min" in html
        assert "+52,5 min" in html

    def test_quick_win_due_defaults_to_the_end_of_week_one(
        self, world: Any, role: Role, client_for: Any
    ) -> None:
        world.playbook.go_live = "2027-03-01"
        world.playbook.save()
        role.quick_win = "Voice notes"
        role.save()
        html = client_for("viewer").get(role_url(role)).content.decode()
        assert "due March 7, 2027 (end of week 1)" in html
        world.playbook.go_live = "2027-04-05"
        world.playbook.save()
        html = client_for("viewer").get(role_url(role)).content.decode()
        assert "due April 11, 2027 (end of week 1)" in html
        role.quick_win_due = "2027-03-03"
        role.save()
        html = client_for("viewer").get(role_url(role)).content.decode()
        assert "due March 3, 2027" in html
        assert "end of week 1" not in html

    @pytest.mark.parametrize("count", [1, 30])
    def test_query_budget(
        self, role: Role, client_for: Any, django_assert_num_queries: Any, count: int
    ) -> None:
        for n in range(count - 1):
            make_giveget(role, f"Give {n}")
            Message.objects.create(playbook=role.playbook, role=role, title=f"Message {n}")
        create_role_messages(role)
        client = client_for("viewer")
        # session, user, membership with its playbook, the role, its Give-Gets,
        # its next messages, the plan's progress for the header
        with django_assert_num_queries(7):
            response = client.get(role_url(role))
        assert response.content.decode().count('class="card giveget"') == count
        # Again, from the fragment cache: no role, no Give-Gets.
        with django_assert_num_queries(4):
            again = client.get(role_url(role))
        assert again.content == response.content or again.status_code == 200


class TestRoleForms:
    def test_create(self, world: Any, client_for: Any) -> None:
        response = client_for("editor").post(
            reverse("role_create", args=[world.playbook.pk]), role_data()
        )
        role = Role.objects.get(name="Service")
        assert response["Location"] == role_url(role)
        assert role.headcount == 25
        assert role.quick_win_due is None

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("name", "", "This field is required."),
            (
                "name",
                "x" * 101,
                "This text is 101 characters; the limit is 100. Please shorten it.",
            ),
            ("name", "sales", "already has a role called “sales” (ignoring case)"),
            ("name", "  SALES ", "already has a role called “SALES” (ignoring case)"),
            ("headcount", "-3", "Ensure this value is greater than or equal to 0."),
            ("headcount", "forty", "Enter a whole number."),
            ("unique_data", "6", "Ensure this value is less than or equal to 5."),
            ("rigidity", "-1", "Ensure this value is greater than or equal to 0."),
            ("speed", "2.5", "Enter a whole number."),
            ("quick_win_due", "2027-02-30", "Enter a valid date."),
        ],
    )
    def test_bad_input(
        self, world: Any, role: Role, client_for: Any, field: str, value: str, message: str
    ) -> None:
        response = client_for("editor").post(
            reverse("role_create", args=[world.playbook.pk]), role_data(**{field: value})
        )
        assert response.status_code == 200
        assert message in field_error(response.content.decode(), field)
        assert Role.objects.filter(playbook=world.playbook).count() == 1

    def test_edit_keeps_its_own_name(self, role: Role, client_for: Any) -> None:
        response = client_for("editor").post(
            role_url(role, "role_edit"), role_data(name="SALES", headcount="41")
        )
        assert response.status_code == 302
        role.refresh_from_db()
        assert (role.name, role.headcount) == ("SALES", 41)

    def test_a_typed_quick_win_date_stays(self, world: Any, role: Role, client_for: Any) -> None:
        client_for("editor").post(
            role_url(role, "role_edit"), role_data(name="Sales", quick_win_due="2027-03-03")
        )
        role.refresh_from_db()
        assert str(role.quick_win_due) == "2027-03-03"

    def test_delete_names_its_givegets(self, role: Role, client_for: Any) -> None:
        html = client_for("editor").get(role_url(role, "role_delete")).content.decode()
        assert "Log each customer meeting → Automatic weekly pipeline report" in html
        response = client_for("editor").post(role_url(role, "role_delete"))
        assert response["Location"] == reverse("playbook_detail", args=[role.playbook_id])
        assert not Role.objects.filter(pk=role.pk).exists()
        assert not GiveGet.objects.filter(role_id=role.pk).exists()

    @pytest.mark.parametrize(
        ("first", "second"), [("Økonomi", "ØKONOMI"), ("ØKONOMI", "økonomi"), ("Sales", "SALES")]
    )
    def test_names_unique_ignoring_case_in_every_alphabet(
        self, world: Any, client_for: Any, first: str, second: str
    ) -> None:
        url = reverse("role_create", args=[world.playbook.pk])
        client_for("editor").post(url, role_data(name=first))
        response = client_for("editor").post(url, role_data(name=second))
        assert "ignoring case" in field_error(response.content.decode(), "name")
        assert Role.objects.filter(playbook=world.playbook).count() == 1

    def test_database_backs_up_the_rule(self, world: Any) -> None:
        """Lower(name) folds ASCII everywhere, and Æ, Ø, Å on PostgreSQL."""
        make_role(world.playbook, "Sales")
        with pytest.raises(IntegrityError), transaction.atomic():
            make_role(world.playbook, "SALES")
        # "Økonomi" and "ØKONOMI" differ only in ASCII letters once lowered: the
        # database refuses them everywhere. "økonomi" differs in Ø itself.
        make_role(world.playbook, "Økonomi")
        with pytest.raises(IntegrityError), transaction.atomic():
            make_role(world.playbook, "ØKONOMI")
        with connection.cursor() as cursor:
            cursor.execute("SELECT LOWER('Ø')")
            folds = cursor.fetchone()[0] == "ø"
        if connection.vendor == "postgresql":
            assert folds
        if folds:
            with pytest.raises(IntegrityError), transaction.atomic():
                make_role(world.playbook, "økonomi")
        else:
            # SQLite's lower() is ASCII only: the forms' casefold() stops this one.
            make_role(world.playbook, "økonomi")
            assert Role.objects.filter(name__in=["Økonomi", "økonomi"]).count() == 2
        # The same name in another playbook is fine.
        make_role(world.other_playbook, "Sales")


class TestGiveGets:
    def test_add_without_javascript(self, role: Role, client_for: Any) -> None:
        url = reverse("giveget_create", args=[role.playbook_id, role.pk])
        response = client_for("editor").post(url, gg_data("new", times_per_week="0.25"))
        assert response["Location"] == role_url(role) + "#givegets"
        gg = role.givegets.get(give="Tag each case")
        assert str(gg.times_per_week) == "0.25"
        assert gg.order == 1

    def test_add_with_htmx_returns_section_and_equation(self, role: Role, client_for: Any) -> None:
        url = reverse("giveget_create", args=[role.playbook_id, role.pk])
        response = client_for("editor").post(url, gg_data("new"), headers={"HX-Request": "true"})
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count('id="givegets"') == 1
        assert 'id="equation"' in html and 'hx-swap-oob="true"' in html
        assert "Tag each case" in html
        assert "<html" not in html
        assert response["Vary"] and "HX-Request" in response["Vary"]

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("give", "", "This field is required."),
            ("minutes_each", "-5", "Ensure this value is greater than or equal to 0."),
            ("minutes_each", "3000", "Ensure this value is less than or equal to 2400."),
            ("minutes_each", "five", "Enter a whole number."),
            ("minutes_each", "3,000", "Enter a whole number."),
            ("times_per_week", "0.255", "Ensure that there are no more than 2 decimal places."),
            ("times_per_week", "-1", "Ensure this value is greater than or equal to 0."),
            ("times_per_week", "often", "Enter a number."),
            ("times_per_week", "1001", "Ensure this value is less than or equal to 1000."),
            ("minutes_saved_per_week", "2401", "less than or equal to 2400"),
            ("get_kind", "money", "Select a valid choice."),
            ("status", "done", "Select a valid choice."),
            ("deliver_by", "tomorrow", "Enter a valid date."),
        ],
    )
    @pytest.mark.parametrize("htmx", [False, True])
    def test_bad_input(
        self, role: Role, client_for: Any, field: str, value: str, message: str, htmx: bool
    ) -> None:
        url = reverse("giveget_create", args=[role.playbook_id, role.pk])
        headers = {"HX-Request": "true"} if htmx else {}
        response = client_for("editor").post(url, gg_data("new", **{field: value}), headers=headers)
        assert response.status_code == 200
        assert message in field_error(response.content.decode(), f"new-{field}")
        assert role.givegets.count() == 1

    def test_the_weekly_cap(self, role: Role, client_for: Any) -> None:
        url = reverse("giveget_create", args=[role.playbook_id, role.pk])
        response = client_for("editor").post(
            url, gg_data("new", minutes_each="5", times_per_week="600")
        )
        assert "5 min × 600 = 3000 minutes a week. One Give-Get may ask at most 2,400" in (
            field_error(response.content.decode(), "new-times_per_week")
        )
        assert role.givegets.count() == 1

    def test_a_name_the_database_folds_differently(
        self, world: Any, role: Role, client_for: Any
    ) -> None:
        """casefold() keeps İ and I apart; PostgreSQL's lower() does not."""
        make_role(world.playbook, "I")
        response = client_for("editor").post(
            reverse("role_create", args=[world.playbook.pk]), role_data(name="İ")
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT LOWER('İ') = LOWER('I')")
            same = bool(cursor.fetchone()[0])
        if same:
            assert "ignoring case" in field_error(response.content.decode(), "name")
            assert not Role.objects.filter(name="İ").exists()
        else:
            assert response.status_code == 302

    def test_danish_decimal_comma(self, role: Role, client_for: Any) -> None:
        client = client_for("editor")
        client.cookies["django_language"] = "da"
        url = reverse("giveget_create", args=[role.playbook_id, role.pk])
        client.post(url, gg_data("new", times_per_week="0,25"))
        assert str(role.givegets.get(give="Tag each case").times_per_week) == "0.25"

    def test_edit_in_place(self, role: Role, client_for: Any) -> None:
        gg = role.givegets.first()
        client = client_for("editor")
        form = client.get(gg_url(gg, "giveget_edit"), headers={"HX-Request": "true"})
        assert form.content.decode().lstrip().startswith(f'<li id="gg-{gg.pk}"')
        response = client.post(
            gg_url(gg, "giveget_edit"),
            gg_data(
                f"gg{gg.pk}",
                give="Log each meeting",
                minutes_each="10",
                times_per_week="8",
                minutes_saved_per_week="60",
            ),
            headers={"HX-Request": "true"},
        )
        html = response.content.decode()
        assert '60 − 80 = <strong class="balance-value">\u221220 min</strong>' in html
        assert "at risk" in html
        gg.refresh_from_db()
        assert gg.minutes_each == 10

    def test_edit_errors_replace_only_the_row(self, role: Role, client_for: Any) -> None:
        gg = role.givegets.first()
        response = client_for("editor").post(
            gg_url(gg, "giveget_edit"),
            gg_data(f"gg{gg.pk}", minutes_each="-1"),
            headers={"HX-Request": "true"},
        )
        assert response["HX-Retarget"] == f"#gg-{gg.pk}"
        assert "greater than or equal to 0" in response.content.decode()
        gg.refresh_from_db()
        assert gg.minutes_each == 5

    def test_edit_without_javascript_has_its_own_page(self, role: Role, client_for: Any) -> None:
        gg = role.givegets.first()
        html = client_for("editor").get(gg_url(gg, "giveget_edit")).content.decode()
        assert "<html" in html and "Edit Give-Get" in html
        response = client_for("editor").post(
            gg_url(gg, "giveget_edit"), gg_data(f"gg{gg.pk}", give="Changed")
        )
        assert response["Location"] == role_url(role) + f"#gg-{gg.pk}"

    def test_delete_confirms_without_javascript(self, role: Role, client_for: Any) -> None:
        gg = role.givegets.first()
        html = client_for("editor").get(gg_url(gg, "giveget_delete")).content.decode()
        assert "Delete the Give-Get “Log each customer meeting”?" in html
        assert role.givegets.count() == 1
        client_for("editor").post(gg_url(gg, "giveget_delete"))
        assert role.givegets.count() == 0

    def test_move_up_and_down(self, role: Role, client_for: Any) -> None:
        second = make_giveget(role, "Second")
        third = make_giveget(role, "Third")
        client = client_for("editor")
        client.post(gg_url(third, "giveget_move"), {"direction": "up"})
        assert list(role.givegets.values_list("give", flat=True)) == [
            "Log each customer meeting",
            "Third",
            "Second",
        ]
        client.post(gg_url(second, "giveget_move"), {"direction": "down"})  # already last
        client.post(gg_url(third, "giveget_move"), {"direction": "sideways"})
        response = client.post(
            gg_url(third, "giveget_move"), {"direction": "up"}, headers={"HX-Request": "true"}
        )
        assert list(role.givegets.values_list("give", flat=True)) == [
            "Third",
            "Log each customer meeting",
            "Second",
        ]
        assert 'id="givegets"' in response.content.decode()

    def test_a_move_costs_the_same_queries_however_many_givegets(
        self, role: Role, client_for: Any, django_assert_max_num_queries: Any
    ) -> None:
        for n in range(29):
            make_giveget(role, f"Give {n}")
        GiveGet.objects.filter(role=role).update(order=7)  # every row needs renumbering
        last = role.givegets.last()
        client = client_for("editor")
        # 11 with the playbook's version stamp, an UPDATE (core.versions).
        with django_assert_max_num_queries(11):
            client.post(gg_url(last, "giveget_move"), {"direction": "up"})
        assert list(role.givegets.values_list("order", flat=True)) == list(range(30))

    def test_database_refuses_more_than_2400_minutes(self, role: Role) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            make_giveget(role, "Too much", minutes_each=600, times_per_week=5)
        with pytest.raises(IntegrityError), transaction.atomic():
            make_giveget(role, "Too much saved", minutes_saved_per_week=2401)
        with pytest.raises(IntegrityError), transaction.atomic():
            make_giveget(role, "Never", minutes_each=99999, times_per_week=0)
        with pytest.raises(IntegrityError), transaction.atomic():
            make_giveget(role, "Too often", minutes_each=0, times_per_week=1001)
        make_giveget(role, "Just enough", minutes_each=300, times_per_week=8)


class TestWeeklyCapBoundary:
    """One Give-Get may ask at most 2,400 minutes a week: 2,400 is fine, a minute
    (or part of one) more is refused beside "times per week", and nothing is saved."""

    @pytest.mark.parametrize(
        ("minutes", "times"), [("48", "50"), ("2400", "1"), ("3", "800"), ("4", "600")]
    )
    @pytest.mark.parametrize("htmx", [False, True])
    def test_exactly_2400_is_accepted(
        self, role: Role, client_for: Any, minutes: str, times: str, htmx: bool
    ) -> None:
        url = reverse("giveget_create", args=[role.playbook_id, role.pk])
        headers = {"HX-Request": "true"} if htmx else {}
        data = gg_data("new", minutes_each=minutes, times_per_week=times)
        response = client_for("editor").post(url, data, headers=headers)
        assert response.status_code == (200 if htmx else 302)
        assert 'class="invalid-feedback"' not in response.content.decode()
        gg = role.givegets.get(give="Tag each case")
        assert gg.given_per_week == 2400

    @pytest.mark.parametrize(
        ("minutes", "times", "shown"),
        [
            ("49", "49", "49 min × 49 = 2401 minutes a week"),
            ("3", "800.33", "3 min × 800.33 = 2401 minutes a week"),
        ],
    )
    @pytest.mark.parametrize("htmx", [False, True])
    def test_2401_is_refused_beside_the_field(
        self, role: Role, client_for: Any, minutes: str, times: str, shown: str, htmx: bool
    ) -> None:
        url = reverse("giveget_create", args=[role.playbook_id, role.pk])
        headers = {"HX-Request": "true"} if htmx else {}
        data = gg_data("new", minutes_each=minutes, times_per_week=times)
        response = client_for("editor").post(url, data, headers=headers)
        assert response.status_code == 200
        error = field_error(response.content.decode(), "new-times_per_week")
        assert shown in error
        assert "at most 2,400 minutes a week" in error
        assert list(role.givegets.values_list("give", flat=True)) == ["Log each customer meeting"]

    def test_an_edit_to_2401_is_refused_and_the_give_get_kept(
        self, role: Role, client_for: Any
    ) -> None:
        gg = role.givegets.get()
        response = client_for("editor").post(
            gg_url(gg, "giveget_edit"),
            gg_data(f"gg{gg.pk}", minutes_each="49", times_per_week="49"),
        )
        assert response.status_code == 200
        assert "2401 minutes a week" in field_error(
            response.content.decode(), f"gg{gg.pk}-times_per_week"
        )
        gg.refresh_from_db()
        assert (gg.minutes_each, gg.times_per_week) == (5, 8)
        response = client_for("editor").post(
            gg_url(gg, "giveget_edit"),
            gg_data(f"gg{gg.pk}", minutes_each="48", times_per_week="50"),
        )
        assert response.status_code == 302
        gg.refresh_from_db()
        assert gg.given_per_week == 2400

    @pytest.mark.parametrize(("saved", "accepted"), [("2400", True), ("2401", False)])
    def test_minutes_saved_per_week_up_to_2400(
        self, role: Role, client_for: Any, saved: str, accepted: bool
    ) -> None:
        url = reverse("giveget_create", args=[role.playbook_id, role.pk])
        response = client_for("editor").post(url, gg_data("new", minutes_saved_per_week=saved))
        assert role.givegets.filter(give="Tag each case").exists() == accepted
        if not accepted:
            error = field_error(response.content.decode(), "new-minutes_saved_per_week")
            assert "less than or equal to 2400" in error
