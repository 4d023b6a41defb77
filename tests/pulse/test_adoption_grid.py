"""The results page's grid of adoption figures (DESIGN.md "Adoption figures"):
active users per role and closed week, and each role's target, typed in place
as the matrix is (htmx), or on a page of their own without JavaScript."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from planner.services import delete_role
from playbooks.models import Playbook
from pulse.models import AdoptionFigure
from roles.models import Role
from tests.factories import make_answers, make_figures, make_giveget, make_role
from tests.playbooks.test_no_silent_overwrite import form_on, opened
from tests.roles.test_matrix import cell_text

pytestmark = pytest.mark.django_db

GO_LIVE = datetime.date(2027, 3, 1)  # a Monday
TODAY = GO_LIVE + datetime.timedelta(days=7 * 6 + 2)  # weeks 1-6 closed, week 7 open
HTMX = {"HX-Request": "true"}
PEOPLE = ["anonymous", "outsider", "viewer", "editor", "owner"]


@pytest.fixture
def playbook(world: Any, pulse_day: Any) -> Any:
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    pulse_day.set(TODAY)
    return world.playbook


@pytest.fixture
def sales(playbook: Any) -> Role:
    role = make_role(playbook, "Sales", headcount=40)
    make_giveget(role)  # planned +20 min
    return role


def figure_url(role: Role, week: int | str) -> str:
    return f"/playbooks/{role.playbook_id}/results/adoption/{role.pk}/{week}/"


def target_url(role: Role) -> str:
    return reverse("adoption_target", args=[role.playbook_id, role.pk])


def results_url(playbook: Any) -> str:
    return reverse("results", args=[playbook.pk])


def field(role: Role, week: int) -> str:
    return f"f{role.pk}-{week}-active_users"


def stored(role: Role, week: int) -> int | None:
    return (
        AdoptionFigure.objects.filter(role=role, week=week)
        .values_list("active_users", flat=True)
        .first()
    )


def post(client: Client, role: Role, week: int, value: str, **headers: str) -> Any:
    """Open the cell and save ``value`` in it, as a browser would."""
    data = opened(client, figure_url(role, week), field(role, week), **headers)
    data[field(role, week)] = value
    return client.post(figure_url(role, week), data, headers=headers)


def row(html: str, role: Role) -> str:
    match = re.search(rf'<tr id="role-{role.pk}".*?</tr>', html, re.S)
    assert match, f"no results row for {role.name}"
    return match.group(0)


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


class TestAccess:
    @pytest.mark.parametrize("who", PEOPLE)
    def test_a_figure_cell(self, sales: Role, client_for: Any, who: str) -> None:
        client = client_for(who)
        url = figure_url(sales, 3)
        data = {field(sales, 3): "31"}
        get, post_ = client.get(url), client.post(url, data)
        match who:
            case "anonymous":
                assert get.status_code == post_.status_code == 302
                assert get["Location"].startswith(reverse("login"))
            case "outsider":
                assert get.status_code == post_.status_code == 404
            case "viewer":
                assert get.status_code == post_.status_code == 403
            case _:
                assert get.status_code == 200 and post_.status_code == 302
                assert post_["Location"] == results_url(sales.playbook) + "#adoption"
                assert stored(sales, 3) == 31
        if who in {"anonymous", "outsider", "viewer"}:
            assert stored(sales, 3) is None

    @pytest.mark.parametrize("who", PEOPLE)
    def test_a_target_cell(self, sales: Role, client_for: Any, who: str) -> None:
        client = client_for(who)
        url = target_url(sales)
        get, post_ = client.get(url), client.post(url, {f"t{sales.pk}-adoption_target": "70"})
        sales.refresh_from_db()
        match who:
            case "anonymous":
                assert get.status_code == post_.status_code == 302
            case "outsider":
                assert get.status_code == post_.status_code == 404
            case "viewer":
                assert get.status_code == post_.status_code == 403
            case _:
                assert get.status_code == 200 and post_.status_code == 302
        assert sales.adoption_target == (70 if who in {"editor", "owner"} else 80)

    @pytest.mark.parametrize("who", ["viewer", "editor", "owner"])
    def test_the_grid_for_members(self, sales: Role, client_for: Any, who: str) -> None:
        make_figures(sales, {2: 1234, 3: 31})
        html = client_for(who).get(results_url(sales.playbook)).content.decode()
        grid = html[html.index('<section id="adoption"') :]
        assert "Active users by week" in grid
        assert [f"Week {n}" in grid for n in range(1, 8)] == [True] * 6 + [False]
        assert cell_text(grid, f"fig-{sales.pk}-2") == "1,234"
        assert cell_text(grid, f"fig-{sales.pk}-3") == "31"
        assert cell_text(grid, f"fig-{sales.pk}-4") == "–"
        assert cell_text(grid, f"target-{sales.pk}") == "80\u00a0%"
        editable = who != "viewer"
        assert (f'href="{figure_url(sales, 3)}"' in grid) is editable
        assert (f'hx-get="{target_url(sales)}"' in grid) is editable
        assert ("Click a number to change it." in grid) is editable
        assert ("/results/adoption/" in grid) is editable  # a viewer gets no link at all

    def test_another_playbooks_role_is_a_404(
        self, world: Any, playbook: Any, sales: Role, client_for: Any
    ) -> None:
        theirs = make_role(world.other_playbook, "Oscar's sales", headcount=40)
        client = client_for("owner")
        for url in [
            f"/playbooks/{playbook.pk}/results/adoption/{theirs.pk}/3/",
            f"/playbooks/{playbook.pk}/results/adoption/{theirs.pk}/target/",
        ]:
            assert client.get(url).status_code == 404
            assert client.post(url, {}).status_code == 404
        assert not AdoptionFigure.objects.exists()

    @pytest.mark.parametrize("week", [32_768, 500_000, 10**20])
    def test_a_week_beyond_any_calendar_is_a_404(
        self, sales: Role, client_for: Any, week: int
    ) -> None:
        client = client_for("owner")
        assert client.get(figure_url(sales, week)).status_code == 404
        assert client.post(figure_url(sales, week), {field(sales, week): "5"}).status_code == 404
        assert not AdoptionFigure.objects.exists()

    def test_a_deleted_role_is_a_404(self, sales: Role, client_for: Any) -> None:
        Role.objects.filter(pk=sales.pk).update(deleted_at=datetime.datetime.now(datetime.UTC))
        assert client_for("owner").get(figure_url(sales, 3)).status_code == 404


FIGURE_REFUSED = (
    "Enter how many people used the CRM: a whole number from 0 to 1,000,000, in digits."
)
TARGET_REFUSED = "Enter the target as a whole percent from 1 to 100, in digits."


class TestBadInput:
    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("abc", FIGURE_REFUSED),
            ("-1", FIGURE_REFUSED),
            ("1.5", FIGURE_REFUSED),
            ("1000001", FIGURE_REFUSED),
            ("9" * 30, FIGURE_REFUSED),
            ("=1+1", FIGURE_REFUSED),
            # What a browser's number input read as 3, 15 or nothing at all:
            ("3.000", FIGURE_REFUSED),
            ("3.0", FIGURE_REFUSED),
            ("1,5", FIGURE_REFUSED),
            ("1e3", FIGURE_REFUSED),
            ("1e", FIGURE_REFUSED),
            ("5-", FIGURE_REFUSED),
            ("+5", FIGURE_REFUSED),
            ("\u0663\u0661", FIGURE_REFUSED),  # Arabic-Indic 31
        ],
    )
    def test_a_refused_value_is_said_in_the_cell_and_nothing_is_saved(
        self, sales: Role, client_for: Any, value: str, message: str
    ) -> None:
        make_figures(sales, {3: 31})
        client = client_for("editor")
        response = post(client, sales, 3, value, **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith(f'<form id="fig-{sales.pk}-3"')
        assert f'<div id="fig-{sales.pk}-3-error" class="invalid-feedback d-block">' in html
        assert message in html
        assert 'aria-invalid="true"' in html and "autofocus" in html
        assert stored(sales, 3) == 31
        # Without JavaScript: the page, the message beside the field.
        page = post(client, sales, 3, value)
        assert page.status_code == 200 and "<html" in page.content.decode()
        assert message in page.content.decode()
        assert stored(sales, 3) == 31

    @pytest.mark.parametrize("week", [7, 8, 52])
    def test_a_week_not_over_says_when_it_is(self, sales: Role, client_for: Any, week: int) -> None:
        client = client_for("editor")
        for headers in (HTMX, {}):
            response = client.post(
                figure_url(sales, week), {field(sales, week): "5"}, headers=headers
            )
            assert response.status_code == 200
            html = response.content.decode()
            assert f"Week {week} is not over until" in html
            assert "figures come for closed weeks" in html
        page = client.get(figure_url(sales, week)).content.decode()
        assert f"Week {week} is not over until" in page and f"{field(sales, week)}" not in page
        assert not AdoptionFigure.objects.exists()

    def test_week_0(self, sales: Role, client_for: Any) -> None:
        response = client_for("editor").post(figure_url(sales, 0), {field(sales, 0): "5"})
        assert "Weeks start at 1, the week of go-live." in response.content.decode()
        assert not AdoptionFigure.objects.exists()

    @pytest.mark.parametrize("week", ["-1", "x", "1.5"])
    def test_a_week_that_is_no_week_is_a_404(self, sales: Role, client_for: Any, week: str) -> None:
        assert client_for("editor").post(figure_url(sales, week), {}).status_code == 404

    def test_a_role_under_2k_takes_none(self, playbook: Any, client_for: Any) -> None:
        small = make_role(playbook, "Legal", headcount=9)  # 2k = 10
        client = client_for("editor")
        response = client.post(figure_url(small, 3), {field(small, 3): "5"}, headers=HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Legal has fewer than 10 people: its figures would point at people" in html
        assert "data-cell-cancel" in html and "autofocus" in html  # Escape leaves it
        assert not AdoptionFigure.objects.exists()
        grid = client.get(results_url(playbook)).content.decode()
        assert "Fewer than 10 people (2k): no figures, as they would point at people." in grid
        assert figure_url(small, 3) not in grid

    def test_no_go_live(self, world: Any, client_for: Any, pulse_day: Any) -> None:
        pulse_day.set(TODAY)
        role = make_role(world.playbook, "Sales", headcount=40)
        response = client_for("editor").post(figure_url(role, 1), {field(role, 1): "5"})
        assert "Set a go-live date first" in response.content.decode()
        assert not AdoptionFigure.objects.exists()

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("0", TARGET_REFUSED),
            ("-5", TARGET_REFUSED),
            ("80.5", TARGET_REFUSED),
            ("101", TARGET_REFUSED),
            ("", "This field is required."),
            ("80 %", TARGET_REFUSED),
        ],
    )
    def test_a_refused_target(self, sales: Role, client_for: Any, value: str, message: str) -> None:
        client = client_for("editor")
        name = f"t{sales.pk}-adoption_target"
        data = opened(client, target_url(sales), name, **HTMX)
        data[name] = value
        response = client.post(target_url(sales), data, headers=HTMX)
        assert response.status_code == 200
        assert message in response.content.decode()
        sales.refresh_from_db()
        assert sales.adoption_target == 80


class TestSaving:
    def test_a_save_answers_with_the_cell_and_the_roles_row(
        self, sales: Role, client_for: Any
    ) -> None:
        make_figures(sales, {4: 30, 5: 30})
        response = post(client_for("editor"), sales, 6, "31", **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith(f'<a id="fig-{sales.pk}-6"')
        assert cell_text(html, f"fig-{sales.pk}-6") == "31"
        # Out of band: the row (rate, sparkline, finding), the summary, the status.
        oob = row(html, sales)
        assert 'hx-swap-oob="true"' in oob
        assert "78\u00a0%</strong> of 80\u00a0%" in oob and "week 6" in oob  # 31 / 40
        assert "needs attention" in oob and "P2: below target three weeks running" in oob
        assert "week 6: 78\u00a0%" in oob  # the sparkline's description
        assert '<p id="results-summary" class="results-summary" hx-swap-oob="true">' in html
        assert "1 needs attention." in html
        status = re.search(r'<div id="results-status" hx-swap-oob="innerHTML">(.*?)</div>', html)
        assert status and status.group(1) == "Sales saved: 78\u00a0% of 80\u00a0% in week 6."
        assert stored(sales, 6) == 31

    def test_an_empty_value_clears_the_week(self, sales: Role, client_for: Any) -> None:
        make_figures(sales, {3: 31})
        response = post(client_for("editor"), sales, 3, "  ", **HTMX)
        assert cell_text(response.content.decode(), f"fig-{sales.pk}-3") == "–"
        assert stored(sales, 3) is None
        assert "Sales saved: no adoption rate yet." in response.content.decode()

    def test_every_change_is_in_the_history_by_its_author(
        self, world: Any, sales: Role, client_for: Any
    ) -> None:
        client = client_for("editor")
        post(client, sales, 3, "31", **HTMX)
        post(client, sales, 3, "33", **HTMX)
        post(client, sales, 3, "", **HTMX)
        history = AdoptionFigure.history.filter(role_id=sales.pk, week=3).order_by("history_date")
        assert [(h.history_type, h.active_users, h.history_user) for h in history] == [
            ("+", 31, world.editor),
            ("~", 33, world.editor),
            ("-", 33, world.editor),
        ]

    def test_cancel_gives_back_the_value(self, sales: Role, client_for: Any) -> None:
        make_figures(sales, {3: 31})
        response = client_for("editor").get(figure_url(sales, 3) + "?cancel=1", headers=HTMX)
        assert cell_text(response.content.decode(), f"fig-{sales.pk}-3") == "31"

    def test_the_editor_in_place(self, sales: Role, client_for: Any) -> None:
        make_figures(sales, {3: 31})
        html = client_for("editor").get(figure_url(sales, 3), headers=HTMX).content.decode()
        assert html.lstrip().startswith(f'<form id="fig-{sales.pk}-3" class="cell-editor"')
        assert "data-cell-editor" in html and f'hx-post="{figure_url(sales, 3)}"' in html
        assert f'<label class="visually-hidden" for="id_{field(sales, 3)}">' in html
        assert "Active users of Sales in week 3" in html
        assert 'value="31"' in html and "autofocus" in html and "<html" not in html

    def test_the_target(self, sales: Role, client_for: Any) -> None:
        make_figures(sales, {4: 30, 5: 30, 6: 31})  # 75 %, 75 %, 78 %: below 80 %
        client = client_for("editor")
        name = f"t{sales.pk}-adoption_target"
        data = opened(client, target_url(sales), name, **HTMX)
        data[name] = "75"
        response = client.post(target_url(sales), data, headers=HTMX)
        html = response.content.decode()
        assert cell_text(html, f"target-{sales.pk}") == "75\u00a0%"
        assert "78\u00a0%</strong> of 75\u00a0%" in row(html, sales)
        assert "needs attention" not in row(html, sales)  # P2 gone: 75 % is not below 75 %
        sales.refresh_from_db()
        assert (sales.adoption_target, sales.version) == (75, 2)
        assert sales.history.first().adoption_target == 75

    def test_the_page_shows_a_save_at_once(self, sales: Role, client_for: Any) -> None:
        client = client_for("editor")
        client.get(results_url(sales.playbook))  # the body is cached now
        post(client, sales, 6, "20", **HTMX)
        html = client.get(results_url(sales.playbook)).content.decode()
        assert "50\u00a0%</strong> of 80\u00a0%" in row(html, sales)
        assert cell_text(html, f"fig-{sales.pk}-6") == "20"


class TestWithoutJavaScript:
    def test_each_cell_is_a_link_to_a_form_that_returns_to_the_grid(
        self, sales: Role, client_for: Any
    ) -> None:
        client = client_for("editor")
        grid = client.get(results_url(sales.playbook)).content.decode()
        assert (
            f'<a id="fig-{sales.pk}-3" class="cell cell-empty" href="{figure_url(sales, 3)}"'
            in grid
        )
        page = client.get(figure_url(sales, 3)).content.decode()
        assert "<h1" in page and "Active users of Sales in week 3" in page
        assert f'href="{results_url(sales.playbook)}#adoption">← Results since go-live' in page
        assert re.search(rf'<label\s+for="id_{field(sales, 3)}" class="form-label">', page)
        response = post(client, sales, 3, "31")
        assert response.status_code == 302
        assert response["Location"] == results_url(sales.playbook) + "#adoption"
        followed = client.get(response["Location"]).content.decode()
        assert "Active users of Sales in week 3 saved." in followed
        assert cell_text(followed, f"fig-{sales.pk}-3") == "31"

    def test_the_target_page(self, sales: Role, client_for: Any) -> None:
        client = client_for("owner")
        name = f"t{sales.pk}-adoption_target"
        data = opened(client, target_url(sales), name)
        data[name] = "90"
        response = client.post(target_url(sales), data)
        assert response["Location"] == results_url(sales.playbook) + "#adoption"
        sales.refresh_from_db()
        assert sales.adoption_target == 90


class TestTwoEditors:
    """Both open the same cell; the second save meets the first's value: a
    conflict in the cell (409), never a silent overwrite, never a 500."""

    @pytest.fixture
    def two(self, world: Any, client_for: Any) -> tuple[Client, Client]:
        world.owner.last_name = "Dahl"
        world.owner.save()
        return client_for("owner"), client_for("editor")

    @pytest.mark.parametrize("before", [None, 31])
    def test_the_second_save_is_a_conflict_then_save_mine(
        self, two: tuple[Client, Client], sales: Role, before: int | None
    ) -> None:
        if before is not None:
            make_figures(sales, {3: before})
        a, b = two
        url, name = figure_url(sales, 3), field(sales, 3)
        seen_a, seen_b = opened(a, url, name, **HTMX), opened(b, url, name, **HTMX)
        seen_a[name], seen_b[name] = "35", "40"
        assert a.post(url, seen_a, headers=HTMX).status_code == 200
        response = b.post(url, seen_b, headers=HTMX)
        assert response.status_code == 409
        html = response.content.decode()
        assert html.lstrip().startswith(f'<form id="fig-{sales.pk}-3"')
        assert "Changed by Olivia Dahl at " in html and "Nothing was saved." in html
        assert "Theirs: <strong>35</strong>" in html and "Yours: <strong>40</strong>" in html
        assert stored(sales, 3) == 35
        again = form_on(html, name)
        assert again[name] == "40"
        # Enter again without choosing: the choice is still to make.
        assert b.post(url, again, headers=HTMX).status_code == 409
        again[f"f{sales.pk}-3-on_conflict"] = "mine"
        assert b.post(url, again, headers=HTMX).status_code == 200
        assert stored(sales, 3) == 40

    def test_keep_theirs(self, two: tuple[Client, Client], sales: Role) -> None:
        a, b = two
        url, name = figure_url(sales, 3), field(sales, 3)
        seen_a, seen_b = opened(a, url, name), opened(b, url, name)
        seen_a[name], seen_b[name] = "35", "40"
        assert a.post(url, seen_a).status_code == 302
        response = b.post(url, seen_b)
        assert response.status_code == 409 and "<html" in response.content.decode()
        again = form_on(response.content.decode(), name)
        again[f"f{sales.pk}-3-on_conflict"] = "theirs"
        response = b.post(url, again)
        assert response.status_code == 302
        assert stored(sales, 3) == 35
        assert AdoptionFigure.history.filter(role_id=sales.pk, week=3).count() == 1

    def test_cleared_by_the_other(self, two: tuple[Client, Client], sales: Role) -> None:
        make_figures(sales, {3: 31})
        a, b = two
        url, name = figure_url(sales, 3), field(sales, 3)
        seen_a, seen_b = opened(a, url, name, **HTMX), opened(b, url, name, **HTMX)
        seen_a[name], seen_b[name] = "", "40"
        a.post(url, seen_a, headers=HTMX)
        response = b.post(url, seen_b, headers=HTMX)
        assert response.status_code == 409
        assert "Theirs: <strong>(empty)</strong>" in response.content.decode()
        assert stored(sales, 3) is None

    def test_a_different_cell_is_no_conflict(self, two: tuple[Client, Client], sales: Role) -> None:
        a, b = two
        seen_a = opened(a, figure_url(sales, 3), field(sales, 3), **HTMX)
        seen_b = opened(b, figure_url(sales, 4), field(sales, 4), **HTMX)
        seen_a[field(sales, 3)], seen_b[field(sales, 4)] = "35", "36"
        assert a.post(figure_url(sales, 3), seen_a, headers=HTMX).status_code == 200
        assert b.post(figure_url(sales, 4), seen_b, headers=HTMX).status_code == 200
        assert (stored(sales, 3), stored(sales, 4)) == (35, 36)

    def test_the_target_merges_with_another_change_to_the_role(
        self, two: tuple[Client, Client], sales: Role
    ) -> None:
        a, b = two
        name = f"t{sales.pk}-adoption_target"
        seen_b = opened(b, target_url(sales), name, **HTMX)
        cell = reverse("matrix_cell", args=[sales.playbook_id, sales.pk, "headcount"])
        seen_a = opened(a, cell, f"c{sales.pk}-headcount", **HTMX)
        seen_a[f"c{sales.pk}-headcount"] = "45"
        assert a.post(cell, seen_a, headers=HTMX).status_code == 200
        seen_b[name] = "70"
        assert b.post(target_url(sales), seen_b, headers=HTMX).status_code == 200
        sales.refresh_from_db()
        assert (sales.headcount, sales.adoption_target) == (45, 70)

    def test_the_target_changed_by_both_is_a_conflict(
        self, two: tuple[Client, Client], sales: Role
    ) -> None:
        a, b = two
        name = f"t{sales.pk}-adoption_target"
        seen_a, seen_b = (opened(c, target_url(sales), name, **HTMX) for c in (a, b))
        seen_a[name], seen_b[name] = "70", "90"
        assert a.post(target_url(sales), seen_a, headers=HTMX).status_code == 200
        response = b.post(target_url(sales), seen_b, headers=HTMX)
        assert response.status_code == 409
        assert "Theirs: <strong>70</strong>" in response.content.decode()
        sales.refresh_from_db()
        assert sales.adoption_target == 70

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    def test_a_role_deleted_before_the_save_takes_no_figure(
        self, two: tuple[Client, Client], sales: Role, monkeypatch: Any, htmx: bool
    ) -> None:
        """Someone else deletes the role between this save's look-up of it and
        its write: the save locks the role's row first, finds it gone, writes
        nothing and says so in the cell."""
        import planner.results

        looked_up = planner.results.get_role

        def deleted_meanwhile(playbook: Any, role_id: int) -> Role:
            role = looked_up(playbook, role_id)
            delete_role(role=Role.objects.get(pk=role_id))
            return role

        a, _b = two
        headers = HTMX if htmx else {}
        seen = opened(a, figure_url(sales, 3), field(sales, 3), **headers)
        seen[field(sales, 3)] = "35"
        monkeypatch.setattr(planner.results, "get_role", deleted_meanwhile)
        response = a.post(figure_url(sales, 3), seen, headers=headers)
        assert response.status_code == 200
        said = "Someone else deleted this since you opened it, so nothing was saved."
        assert said in response.content.decode()
        assert stored(sales, 3) is None
        assert not AdoptionFigure.history.filter(role_id=sales.pk).exists()

    def test_the_save_locks_the_role_as_its_deletion_does(
        self, two: tuple[Client, Client], sales: Role
    ) -> None:
        """On PostgreSQL FOR NO KEY UPDATE, which waits for a deletion (an
        UPDATE) but not for a pulse answer's insert (a key-share lock on its
        role); SQLite takes no row locks, its writes are serialised."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        a, _b = two
        seen = opened(a, figure_url(sales, 3), field(sales, 3), **HTMX)
        seen[field(sales, 3)] = "35"
        with CaptureQueriesContext(connection) as queries:
            assert a.post(figure_url(sales, 3), seen, headers=HTMX).status_code == 200
        table = Role._meta.db_table
        locks = [
            q["sql"] for q in queries if f'FROM "{table}"' in q["sql"] and "LIMIT 1" in q["sql"]
        ]
        assert locks, "the role's row is not read before the figure"
        if connection.vendor == "postgresql":
            assert any(sql.endswith("FOR NO KEY UPDATE") for sql in locks), locks
        else:
            assert not any("FOR " in sql for sql in locks), locks
        assert stored(sales, 3) == 35

    def test_a_role_deleted_just_after_the_save_reloads_the_page(
        self, two: tuple[Client, Client], sales: Role, monkeypatch: Any
    ) -> None:
        """Deleted once the figure is in, before the page's rows are read
        again: htmx is sent to the page as it now is, with the save said."""
        import planner.results

        save_one = planner.results.figures.save_one

        def then_deleted(**kwargs: Any) -> Any:
            written = save_one(**kwargs)
            delete_role(role=Role.objects.get(pk=kwargs["role"].pk))
            return written

        a, _b = two
        seen = opened(a, figure_url(sales, 3), field(sales, 3), **HTMX)
        seen[field(sales, 3)] = "35"
        monkeypatch.setattr(planner.results.figures, "save_one", then_deleted)
        response = a.post(figure_url(sales, 3), seen, headers=HTMX)
        assert response.status_code == 200
        assert response["HX-Redirect"] == results_url(sales.playbook) + "#adoption"
        assert stored(sales, 3) == 35
        page = a.get(response["HX-Redirect"]).content.decode()
        assert "saved." in page and f'id="role-{sales.pk}"' not in page


def test_danish_numbers_and_dates(sales: Role, client_for: Any) -> None:
    make_figures(sales, {2: 1234})
    with translation.override("da"):
        html = client_for("editor").get(
            results_url(sales.playbook), headers={"accept-language": "da"}
        )
    grid = html.content.decode()
    grid = grid[grid.index('<section id="adoption"') :]
    assert cell_text(grid, f"fig-{sales.pk}-2") == "1.234"
    assert "8. marts" in grid  # week 2 starts on 8 March


class TestQueries:
    @pytest.mark.parametrize("large", [False, True])
    def test_a_figure_save(
        self,
        playbook: Any,
        client_for: Any,
        pulse_day: Any,
        django_assert_num_queries: Any,
        large: bool,
    ) -> None:
        """The same number of queries for one role and one week as for 30
        roles and 52 weeks with figures and answers."""
        weeks = 52 if large else 1
        pulse_day.set(GO_LIVE + datetime.timedelta(days=7 * weeks + 2))
        roles = []
        for number in range(30 if large else 1):
            role = make_role(playbook, f"Role {number}", headcount=60)
            make_giveget(role)
            make_figures(role, {w: 40 + w % 10 for w in range(1, weeks + 1)})
            make_answers(role, weeks, 5)
            roles.append(role)
        # The first figure fixed the weeks' anchor (pulse.figures.fix_anchor), and
        # the first read summed up the pulse's closed weeks.
        Playbook.objects.filter(pk=playbook.pk).update(pulse_weeks_from=GO_LIVE)
        client = client_for("editor")
        client.get(results_url(playbook))
        role = roles[-1]
        data = opened(client, figure_url(role, weeks), field(role, weeks), **HTMX)
        data[field(role, weeks)] = "33"
        # session, user, membership with playbook, the role; savepoint, the
        # role's row locked (a role deleted meanwhile takes no figure), the
        # figure locked, its update, its history record, the playbook's
        # version stamp (core.versions), release; then the page's context
        # again for the row out of band: roles, Give-Gets, the pulse's state,
        # summaries and kept k, the figures.
        with django_assert_num_queries(17):
            response = client.post(figure_url(role, weeks), data, headers=HTMX)
        assert response.status_code == 200
        assert stored(role, weeks) == 33
        # A new figure: the savepoint of its insert.
        data = opened(client, figure_url(role, weeks), field(role, weeks), **HTMX)
        AdoptionFigure.objects.filter(role=role, week=weeks).delete()
        data[field(role, weeks)] = "34"
        data[f"f{role.pk}-{weeks}-on_conflict"] = "mine"
        with django_assert_num_queries(19):
            response = client.post(figure_url(role, weeks), data, headers=HTMX)
        assert stored(role, weeks) == 34

    @pytest.mark.parametrize("large", [False, True])
    def test_a_target_save(
        self,
        playbook: Any,
        client_for: Any,
        pulse_day: Any,
        django_assert_num_queries: Any,
        large: bool,
    ) -> None:
        weeks = 52 if large else 1
        pulse_day.set(GO_LIVE + datetime.timedelta(days=7 * weeks + 2))
        for number in range(30 if large else 1):
            role = make_role(playbook, f"Role {number}", headcount=60)
            make_giveget(role)
            make_figures(role, {w: 40 + w % 10 for w in range(1, weeks + 1)})
        client = client_for("editor")
        client.get(results_url(playbook))
        name = f"t{role.pk}-adoption_target"
        data = opened(client, target_url(role), name, **HTMX)
        data[name] = "70"
        # session, user, membership with playbook, the role; savepoint, the role
        # locked (core.concurrency), its update, its history record, the
        # playbook's version stamp, release; the row out of band: roles,
        # Give-Gets, the pulse's three, the figures.
        with django_assert_num_queries(16):
            response = client.post(target_url(role), data, headers=HTMX)
        assert response.status_code == 200
        role.refresh_from_db()
        assert role.adoption_target == 70

    @pytest.mark.parametrize("large", [False, True])
    def test_the_results_page_with_figures(
        self,
        playbook: Any,
        client_for: Any,
        pulse_day: Any,
        django_assert_num_queries: Any,
        large: bool,
    ) -> None:
        weeks = 52 if large else 1
        pulse_day.set(GO_LIVE + datetime.timedelta(days=7 * weeks + 2))
        for number in range(40 if large else 1):
            role = make_role(playbook, f"Role {number}", headcount=60)
            make_giveget(role)
            make_figures(role, {w: 40 + w % 10 for w in range(1, weeks + 1)})
        client = client_for("viewer")
        client.get(results_url(playbook))
        from django.core.cache import cache

        cache.clear()
        # session, user, membership with playbook, roles, Give-Gets, the pulse's
        # state, summaries, kept k, the adoption figures, the header's progress
        with django_assert_num_queries(10):
            html = client.get(results_url(playbook)).content.decode()
        assert len(re.findall(r'<span id="fig-\d+-\d+" class="cell-static">', html)) == (
            40 * 52 if large else 1
        )
