"""The perceived factors scored in place on the role page: one small form per
factor, posted on change with htmx or with its Save button without."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from roles.models import FACTORS, Role
from tests.factories import make_giveget, make_role

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "outsider", "viewer", "editor", "owner"]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def role(world: Any) -> Role:
    """+20 min a week per person; nothing scored yet."""
    role = make_role(world.playbook, "Sales", headcount=40)
    make_giveget(role, minutes_each=5, times_per_week=8, minutes_saved_per_week=60)
    return role


def factors_url(role: Role) -> str:
    return reverse("role_factors", args=[role.playbook_id, role.pk])


def page_url(role: Role) -> str:
    return reverse("role_detail", args=[role.playbook_id, role.pk])


def scores(role: Role) -> list[int | None]:
    role.refresh_from_db()
    return [getattr(role, name) for name in FACTORS]


def login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


class TestAccess:
    @pytest.mark.parametrize("who", PEOPLE)
    def test_post(self, role: Role, client_for: Any, who: str) -> None:
        response = client_for(who).post(factors_url(role), {"speed": "4"})
        expected = {"outsider": 404, "viewer": 403, "editor": 302, "owner": 302}
        if who == "anonymous":
            assert login_redirect(response)
        else:
            assert response.status_code == expected[who]
        assert scores(role)[1] == (4 if who in {"editor", "owner"} else None)

    @pytest.mark.parametrize("who", PEOPLE)
    def test_get_leads_to_the_role_page(self, role: Role, client_for: Any, who: str) -> None:
        response = client_for(who).get(factors_url(role))
        if who == "anonymous":
            assert login_redirect(response)
        elif who in {"editor", "owner"}:
            assert response.status_code == 302
            assert response["Location"] == page_url(role) + "#factors"
        else:
            assert response.status_code == {"outsider": 404, "viewer": 403}[who]

    def test_another_playbooks_role_is_404(self, world: Any, client_for: Any) -> None:
        foreign = make_role(world.other_playbook, "Oscar's sales")
        url = reverse("role_factors", args=[world.playbook.pk, foreign.pk])
        assert client_for("editor").post(url, {"speed": "4"}).status_code == 404
        assert scores(foreign)[1] is None


class TestSaving:
    def test_plain_post_redirects_to_the_equation(self, role: Role, client_for: Any) -> None:
        client = client_for("editor")
        response = client.post(factors_url(role), {"unique_data": "3"})
        assert response.status_code == 302
        assert response["Location"] == page_url(role) + "#equation"
        assert scores(role) == [3, None, None, None, None]
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            "Unique data scored 3. Verdict: net beneficiary."
        ]
        html = client.get(page_url(role)).content.decode()
        assert "verdict-badge-net_beneficiary" in html
        assert "(3 + – + –) − (– + –) = <strong>+3</strong>" in html

    def test_htmx_swaps_the_factors_and_the_equation_out_of_band(
        self, role: Role, client_for: Any
    ) -> None:
        response = client_for("editor").post(factors_url(role), {"friction": "2"}, headers=HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="factors"')
        assert re.search(r'<section id="equation"[^>]*hx-swap-oob="true"', html)
        status = re.search(r'<div id="role-status"[^>]*hx-swap-oob="true"[^>]*>(.*?)</div>', html)
        assert status and status.group(1) == "Friction scored 2. Verdict: at risk."
        assert 'role="status"' in html
        assert re.search(r'id="factor-friction-2"[^>]*checked', html)
        assert "verdict-badge-at_risk" in html
        assert "<html" not in html
        assert scores(role) == [None, None, None, 2, None]

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    def test_blank_is_not_scored(self, role: Role, client_for: Any, htmx: bool) -> None:
        Role.objects.filter(pk=role.pk).update(speed=4)
        client_for("editor").post(factors_url(role), {"speed": ""}, headers=HTMX if htmx else {})
        assert scores(role)[1] is None

    def test_0_is_a_score(self, world: Any, client_for: Any) -> None:
        new = make_role(world.playbook, "New")
        response = client_for("editor").post(factors_url(new), {"rigidity": "0"}, headers=HTMX)
        assert scores(new)[4] == 0
        assert "Rigidity scored 0. Verdict: at risk." in response.content.decode()

    def test_a_score_leaves_the_rest_of_the_role_alone(self, role: Role, client_for: Any) -> None:
        """Only the factor's column is written: a rename saved meanwhile stays."""
        stale = client_for("editor")
        Role.objects.filter(pk=role.pk).update(name="Field sales", recognition=5)
        stale.post(factors_url(role), {"speed": "1"})
        role.refresh_from_db()
        assert (role.name, role.recognition, role.speed) == ("Field sales", 5, 1)


class TestBadInput:
    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("7", "Ensure this value is less than or equal to 5."),
            ("6", "Ensure this value is less than or equal to 5."),
            ("-1", "Ensure this value is greater than or equal to 0."),
            ("abc", "Enter a whole number."),
            ("2.5", "Enter a whole number."),
        ],
    )
    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    def test_refused_with_a_message_and_nothing_saved(
        self, role: Role, client_for: Any, typed: str, message: str, htmx: bool
    ) -> None:
        Role.objects.filter(pk=role.pk).update(speed=2)
        response = client_for("editor").post(
            factors_url(role), {"speed": typed}, headers=HTMX if htmx else {}
        )
        assert response.status_code == 200
        html = response.content.decode()
        error = re.search(r'<p id="factor-speed-error" class="factor-error">(.*?)</p>', html)
        assert error and error.group(1) == message
        assert 'aria-describedby="factor-speed-help factor-speed-error"' in html
        assert re.search(r'id="factor-speed-2"[^>]*checked', html)  # the saved score
        assert f"Speed not saved: {message}" in html
        if htmx:
            assert html.lstrip().startswith('<section id="factors"')
        else:
            assert "<html" in html
        assert scores(role) == [None, 2, None, None, None]

    @pytest.mark.parametrize("data", [{}, {"speed": "1", "friction": "2"}, {"joy": "3"}])
    def test_one_factor_at_a_time(self, role: Role, client_for: Any, data: dict) -> None:
        response = client_for("editor").post(factors_url(role), data, headers=HTMX)
        assert response.status_code == 200
        assert "Nothing saved: score one factor at a time." in response.content.decode()
        assert scores(role) == [None] * 5


class TestThePage:
    def test_an_editor_gets_a_form_per_factor(self, role: Role, client_for: Any) -> None:
        Role.objects.filter(pk=role.pk).update(speed=3)
        html = client_for("editor").get(page_url(role)).content.decode()
        section = html[html.index('<section id="factors"') :]
        section = section[: section.index("</section>")]
        forms = re.findall(r"<form [^>]*>", section)
        assert len(forms) == 5
        for form in forms:
            assert f'action="{factors_url(role)}"' in form
            assert 'method="post"' in form
            assert f'hx-post="{factors_url(role)}"' in form
            assert 'hx-trigger="change, submit"' in form
        for name in FACTORS:
            radios = re.findall(rf'<input type="radio"[^>]*name="{name}"[^>]*>', section)
            assert [re.search(r'value="(\d?)"', r).group(1) for r in radios] == [
                "",
                "0",
                "1",
                "2",
                "3",
                "4",
                "5",
            ]
            checked = [r for r in radios if "checked" in r]
            assert len(checked) == 1
            assert f'value="{3 if name == "speed" else ""}"' in checked[0]
            assert re.search(rf'<label class="btn[^"]*" for="factor-{name}-none">', section)
        assert section.count('<button type="submit"') == 5  # a visible Save each
        assert section.count("<legend>") == 5
        assert "csrfmiddlewaretoken" in section

    def test_a_viewer_sees_the_scores_read_only(self, role: Role, client_for: Any) -> None:
        Role.objects.filter(pk=role.pk).update(speed=3)
        html = client_for("viewer").get(page_url(role)).content.decode()
        section = html[html.index('<section id="factors"') :]
        section = section[: section.index("</section>")]
        assert "<form" not in section and 'type="radio"' not in section
        assert "<dd>3</dd>" in section
        assert section.count('<span class="visually-hidden">not scored</span>') == 4

    def test_the_role_page_keeps_its_query_count(
        self, role: Role, client_for: Any, django_assert_num_queries: Any
    ) -> None:
        client = client_for("editor")
        # session, user, membership with its playbook, the role, its Give-Gets,
        # its next messages, the plan's progress for the header, the add form's
        # owner suggestions (members, ambassadors): the factors cost nothing more.
        with django_assert_num_queries(9):
            client.get(page_url(role))

    def test_a_score_costs_a_fixed_number_of_queries(
        self, role: Role, client_for: Any, django_assert_num_queries: Any
    ) -> None:
        for n in range(9):
            make_giveget(role, f"Give {n}")
        client = client_for("editor")
        # session, user, membership with playbook, the role, its Give-Gets, the
        # database's check of the value (in a savepoint: three), then in a
        # transaction (savepoint, release) the role again, locked
        # (core.concurrency), the update, its history record, the playbook's
        # version stamp (core.versions).
        with django_assert_num_queries(14):
            client.post(factors_url(role), {"speed": "2"}, headers=HTMX)
