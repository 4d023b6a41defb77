"""Roles not assessed yet (DESIGN.md): factors are null until scored; a role
with no Give-Gets and no factor scored reads "not assessed", in grey, not
"at risk", on every page that shows a verdict, until something is entered."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from roles.equation import Factors, GiveGetNumbers, Verdict, balance, total_hours
from roles.forms import RoleForm
from roles.models import FACTORS, Role
from tests.factories import make_giveget, make_role

D = Decimal
HTMX = {"HX-Request": "true"}


def gg(minutes: int, times: int, saved: int) -> GiveGetNumbers:
    return GiveGetNumbers(minutes, D(times), saved)


class TestTheRule:
    def test_nothing_entered_is_not_assessed(self) -> None:
        result = balance([], Factors(), headcount=40)
        assert result.verdict is Verdict.NOT_ASSESSED
        assert (result.time_balance, result.perceived, result.weekly_minutes) == (0, 0, 0)

    def test_a_give_get_without_factors_gets_a_verdict(self) -> None:
        # +20 min, nothing perceived: the existing rule says at risk.
        assert balance([gg(5, 8, 60)], Factors()).verdict is Verdict.AT_RISK
        # −20 min, nothing perceived: a net loser.
        assert balance([gg(10, 8, 60)], Factors()).verdict is Verdict.NET_LOSER

    @pytest.mark.parametrize("factor", FACTORS)
    def test_one_factor_scored_gets_a_verdict(self, factor: str) -> None:
        result = balance([], Factors(**{factor: 3}))
        expected = Verdict.NET_BENEFICIARY if factor in FACTORS[:3] else Verdict.AT_RISK
        assert result.verdict is expected

    @pytest.mark.parametrize("factor", FACTORS)
    def test_a_factor_scored_0_counts_as_scored(self, factor: str) -> None:
        factors = Factors(**{factor: 0})
        assert factors.scored
        assert balance([], factors).verdict is Verdict.AT_RISK

    def test_perceived_sums_the_scored_ones(self) -> None:
        factors = Factors(unique_data=4, speed=None, recognition=2, friction=None, rigidity=1)
        assert (factors.plus, factors.minus, factors.perceived) == (6, 1, 5)
        assert Factors().perceived == 0
        assert not Factors().scored

    def test_the_totals_count_a_not_assessed_role_as_0(self) -> None:
        roles = [
            balance([gg(5, 8, 60)], Factors(speed=2), headcount=30),  # +600 min
            balance([], Factors(), headcount=1000),
        ]
        assert total_hours(roles) == 10
        assert type(total_hours(roles)) is Decimal


scores = st.one_of(st.none(), st.integers(min_value=0, max_value=5))
any_factors = st.builds(Factors, scores, scores, scores, scores, scores)
givegets = st.lists(
    st.builds(
        GiveGetNumbers,
        st.integers(min_value=0, max_value=300),
        st.decimals(min_value=0, max_value=8, places=2),
        st.integers(min_value=0, max_value=2400),
    ),
    max_size=4,
)


@given(givegets, any_factors)
def test_not_assessed_exactly_when_nothing_is_entered(items: list, factors: Factors) -> None:
    result = balance(items, factors)
    nothing = not items and all(getattr(factors, name) is None for name in FACTORS)
    assert (result.verdict is Verdict.NOT_ASSESSED) == nothing
    assert result.perceived == sum(getattr(factors, n) or 0 for n in FACTORS[:3]) - sum(
        getattr(factors, n) or 0 for n in FACTORS[3:]
    )


@pytest.mark.django_db
class TestStorage:
    def test_a_new_role_starts_not_scored(self, world: Any) -> None:
        role = Role.objects.create(playbook=world.playbook, name="New")
        role.refresh_from_db()
        assert [getattr(role, name) for name in FACTORS] == [None] * 5
        assert role.balance().verdict is Verdict.NOT_ASSESSED

    @pytest.mark.parametrize("factor", FACTORS)
    def test_the_constraint_allows_null_and_0_to_5_and_refuses_6(
        self, world: Any, factor: str
    ) -> None:
        role = make_role(world.playbook, "New")
        for value in (None, 0, 5):
            Role.objects.filter(pk=role.pk).update(**{factor: value})
        for value in (6, 100):
            with pytest.raises(IntegrityError), transaction.atomic():
                Role.objects.filter(pk=role.pk).update(**{factor: value})
        role.refresh_from_db()
        assert getattr(role, factor) == 5


@pytest.mark.django_db
class TestRoleForm:
    def data(self, **changes: str) -> dict[str, str]:
        data = {"name": "Service", "headcount": "25", "quick_win_due": ""}
        return {**data, **dict.fromkeys(FACTORS, ""), **changes}

    def test_factors_are_optional_and_blank_is_not_scored(self, world: Any) -> None:
        form = RoleForm(self.data(speed="0"), playbook=world.playbook)
        assert form.is_valid(), form.errors
        role = form.save(commit=False)
        assert [getattr(role, name) for name in FACTORS] == [None, 0, None, None, None]

    def test_the_help_text_says_blank_is_not_scored(self, world: Any) -> None:
        form = RoleForm(playbook=world.playbook)
        for name in FACTORS:
            assert not form.fields[name].required
            assert "Leave it empty while not scored" in str(form.fields[name].help_text)

    @pytest.mark.parametrize(("typed", "message"), [("6", "less than or equal to 5"), ("x", "")])
    def test_out_of_range_is_still_refused(self, world: Any, typed: str, message: str) -> None:
        form = RoleForm(self.data(speed=typed), playbook=world.playbook)
        assert not form.is_valid()
        assert message in " ".join(form.errors["speed"])

    def test_the_edit_page_shows_empty_fields_and_keeps_working(
        self, world: Any, client_for: Any
    ) -> None:
        role = make_role(world.playbook, "Sales", headcount=3)
        url = reverse("role_edit", args=[world.playbook.pk, role.pk])
        html = client_for("editor").get(url).content.decode()
        field = re.search(r'<input[^>]*name="speed"[^>]*>', html)
        assert field and "value=" not in field.group(0)
        response = client_for("editor").post(url, self.data(name="Sales", rigidity="2"))
        assert response.status_code == 302
        role.refresh_from_db()
        assert (role.speed, role.rigidity) == (None, 2)
        response = client_for("editor").post(url, self.data(name="Sales"))
        role.refresh_from_db()
        assert role.rigidity is None


@pytest.mark.django_db
class TestShownAsNotAssessed:
    @pytest.fixture
    def new_role(self, world: Any) -> Role:
        return make_role(world.playbook, "Field service", headcount=12)

    def test_the_role_page(self, new_role: Role, client_for: Any) -> None:
        url = reverse("role_detail", args=[new_role.playbook_id, new_role.pk])
        html = client_for("viewer").get(url).content.decode()
        assert "equation-card verdict-not_assessed" in html
        assert "verdict-badge-not_assessed" in html
        assert "not assessed" in html
        assert "at risk" not in html
        assert "no Give-Gets and no perceived factor scored yet" in html
        assert "(– + – + –) − (– + –) = <strong>0</strong>" in html

    def test_the_overview_and_its_chart(self, new_role: Role, client_for: Any) -> None:
        url = reverse("playbook_detail", args=[new_role.playbook_id])
        html = client_for("viewer").get(url).content.decode()
        assert "verdict-badge-not_assessed" in html
        assert "Field service · not assessed" in html  # the chart's label
        assert 'fill="#6c757d"' in html  # a grey bar
        assert "at risk" not in html
        assert "In total the plan gives back 0.0 hours a week" in html

    def test_the_matrix(self, new_role: Role, client_for: Any) -> None:
        html = client_for("viewer").get(reverse("matrix", args=[new_role.playbook_id]))
        html = html.content.decode()
        assert "verdict-badge-not_assessed" in html
        assert "at risk" not in html

    def test_in_danish(self, new_role: Role, client_for: Any) -> None:
        url = reverse("role_detail", args=[new_role.playbook_id, new_role.pk])
        html = client_for("viewer").get(url, headers={"accept-language": "da"}).content.decode()
        assert "ikke vurderet" in html
        assert "i risiko" not in html

    def test_scoring_one_factor_gives_a_real_verdict(self, new_role: Role, client_for: Any) -> None:
        url = reverse("role_factors", args=[new_role.playbook_id, new_role.pk])
        client_for("editor").post(url, {"friction": "0"})
        page = reverse("role_detail", args=[new_role.playbook_id, new_role.pk])
        html = client_for("viewer").get(page).content.decode()
        assert "verdict-badge-at_risk" in html
        assert "verdict-badge-not_assessed" not in html

    def test_adding_a_give_get_gives_a_real_verdict(self, new_role: Role, client_for: Any) -> None:
        make_giveget(new_role, minutes_each=5, times_per_week=8, minutes_saved_per_week=60)
        page = reverse("role_detail", args=[new_role.playbook_id, new_role.pk])
        html = client_for("viewer").get(page).content.decode()
        assert "verdict-badge-at_risk" in html  # +20 min, nothing perceived yet
        assert "verdict-badge-not_assessed" not in html


@pytest.mark.django_db
class TestTheMatrixCell:
    """The grid's factor editor offers "–": once the field is nullable it saves None."""

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    def test_the_dash_saves_not_scored(self, world: Any, client_for: Any, htmx: bool) -> None:
        role = make_role(world.playbook, "Sales", speed=3)
        url = reverse("matrix_cell", args=[world.playbook.pk, role.pk, "speed"])
        response = client_for("editor").post(
            url, {f"c{role.pk}-speed": ""}, headers=HTMX if htmx else {}
        )
        assert response.status_code == (200 if htmx else 302)
        role.refresh_from_db()
        assert role.speed is None
        if htmx:
            assert "Sales saved: not assessed." in response.content.decode()
