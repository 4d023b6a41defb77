"""No silent overwrite (issue 17, core/concurrency.py): two people editing at
once. Each opens a page, fills in the form it shows (every field as drawn,
the hidden version among them) and saves, as a browser would."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from actionplan.models import Step
from actionplan.services import create_default_plan
from ambassadors.models import Ambassador
from core.concurrency import Versioned
from givegets.models import GiveGet
from playbooks.models import Playbook
from roles.models import Role
from tests.factories import make_ambassador, make_giveget, make_role
from tests.roles.test_matrix import cell_text

HTMX = {"HX-Request": "true"}


class _Forms(HTMLParser):
    """The fields of every form on a page, as the browser would post them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), {}))
        elif not self.forms or "name" not in a:
            if tag == "option" and self._select and "selected" in a:
                self.forms[-1][1][self._select] = a.get("value", "")
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1][1][a["name"]] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.forms[-1][1][a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            self.forms[-1][1].setdefault(a["name"], "")
        if tag == "option" and self._select and "selected" in a:
            self.forms[-1][1][self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.forms[-1][1][self._textarea] += data.removeprefix("\n")


def form_on(html: str, field: str) -> dict[str, str]:
    """The form holding ``field``, as shown."""
    parser = _Forms()
    parser.feed(html)
    for _action, fields in parser.forms:
        if field in fields:
            fields.pop("csrfmiddlewaretoken", None)
            return fields
    raise AssertionError(f"no form with {field}")


def opened(client: Client, url: str, field: str, **headers: str) -> dict[str, str]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return form_on(response.content.decode(), field)


@pytest.fixture
def two(world: Any, client_for: Any) -> tuple[Client, Client]:
    """Two editors: the owner Olivia and the editor Edith."""
    world.owner.last_name = "Dahl"
    world.owner.save()
    return client_for("owner"), client_for("editor")


@pytest.fixture
def sales(world: Any) -> Role:
    create_default_plan(world.playbook)
    return make_role(
        world.playbook, "Sales", headcount=40, wiifm="Fewer reports", quick_win="Meeting notes"
    )


def headcount_conflict(
    two: tuple[Client, Client], sales: Role
) -> tuple[Client, str, dict[str, str]]:
    """Both open the role form; A saves 45, then B 50: B's form as the
    conflict shows it again."""
    a, b = two
    edit = reverse("role_edit", args=[sales.playbook_id, sales.pk])
    seen_a, seen_b = opened(a, edit, "name"), opened(b, edit, "name")
    seen_a["headcount"], seen_b["headcount"] = "45", "50"
    a.post(edit, seen_a)
    response = b.post(edit, seen_b)
    assert response.status_code == 409
    return b, edit, form_on(response.content.decode(), "name")


class TestTheThreeCasesSeenOnMain:
    """Different fields of one row: both changes kept, whoever saves last."""

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    def test_two_editors_change_different_fields_of_one_give_get(
        self, two: tuple[Client, Client], sales: Role, htmx: bool
    ) -> None:
        a, b = two
        gg = make_giveget(sales, "Log each meeting", minutes_each=5)
        url = reverse("giveget_edit", args=[sales.playbook_id, sales.pk, gg.pk])
        headers = HTMX if htmx else {}
        seen_a = opened(a, url, f"gg{gg.pk}-give")
        seen_b = opened(b, url, f"gg{gg.pk}-give")
        seen_a[f"gg{gg.pk}-give"] = "Log each customer meeting"
        seen_b[f"gg{gg.pk}-minutes_each"] = "3"
        assert a.post(url, seen_a, headers=headers).status_code in (200, 302)
        assert b.post(url, seen_b, headers=headers).status_code in (200, 302)
        gg.refresh_from_db()
        assert (gg.give, gg.minutes_each) == ("Log each customer meeting", 3)
        assert gg.version == 3

    def test_the_playbook_form_keeps_a_pledge_saved_from_the_charter_meanwhile(
        self, two: tuple[Client, Client], world: Any
    ) -> None:
        a, b = two
        playbook = world.playbook
        edit = reverse("playbook_edit", args=[playbook.pk])
        charter = reverse("charter_edit", args=[playbook.pk])
        seen_a = opened(a, edit, "name")
        seen_b = opened(b, charter, "charter-pledge")
        seen_b["charter-pledge"] = "We never rank people by CRM activity."
        assert b.post(charter, seen_b).status_code == 302
        seen_a["name"] = "Salesforce rollout 2028"
        assert a.post(edit, seen_a).status_code == 302
        playbook.refresh_from_db()
        assert playbook.name == "Salesforce rollout 2028"
        assert playbook.pledge == "We never rank people by CRM activity."

    def test_the_role_form_keeps_a_quick_win_ticked_on_the_plan_meanwhile(
        self, two: tuple[Client, Client], sales: Role
    ) -> None:
        a, b = two
        edit = reverse("role_edit", args=[sales.playbook_id, sales.pk])
        seen_a = opened(a, edit, "wiifm")
        assert "quick_win_done" not in seen_a  # not ticked when it was read
        tick = reverse("quick_win_toggle", args=[sales.playbook_id, sales.pk])
        assert b.post(tick, {"done": "on"}).status_code == 302
        sales.refresh_from_db()
        assert sales.quick_win_done
        seen_a["wiifm"] = "Your pipeline report writes itself."
        assert a.post(edit, seen_a).status_code == 302
        sales.refresh_from_db()
        assert sales.wiifm == "Your pipeline report writes itself."
        assert sales.quick_win_done


class TestAConflict:
    """The same field changed by both: the second save saves nothing and
    shows who, when, their value and yours; then keep theirs or save mine."""

    def cell(self, sales: Role) -> str:
        return reverse("matrix_cell", args=[sales.playbook_id, sales.pk, "headcount"])

    def test_a_matrix_cell_answers_409_in_place_then_save_mine(
        self, two: tuple[Client, Client], sales: Role
    ) -> None:
        a, b = two
        url = self.cell(sales)
        field = f"c{sales.pk}-headcount"
        seen_a = opened(a, url, field, **HTMX)
        seen_b = opened(b, url, field, **HTMX)
        seen_a[field] = "45"
        assert a.post(url, seen_a, headers=HTMX).status_code == 200
        seen_b[field] = "50"
        response = b.post(url, seen_b, headers=HTMX)
        assert response.status_code == 409
        html = response.content.decode()
        assert html.lstrip().startswith(f'<form id="cell-{sales.pk}-headcount"')
        assert "Changed by Olivia Dahl at " in html
        assert "since you opened it. Nothing was saved." in html
        assert "Theirs: <strong>45</strong>" in html
        assert "Yours: <strong>50</strong>" in html
        sales.refresh_from_db()
        assert sales.headcount == 45
        again = form_on(html, field)
        assert again[field] == "50"  # the editor keeps what was typed
        again[f"c{sales.pk}-on_conflict"] = "mine"
        response = b.post(url, again, headers=HTMX)
        assert response.status_code == 200
        sales.refresh_from_db()
        assert sales.headcount == 50

    def test_keep_theirs_saves_nothing_of_the_disputed_field(
        self, two: tuple[Client, Client], sales: Role
    ) -> None:
        a, b = two
        url = self.cell(sales)
        field = f"c{sales.pk}-headcount"
        seen_a, seen_b = opened(a, url, field, **HTMX), opened(b, url, field, **HTMX)
        seen_a[field], seen_b[field] = "45", "50"
        a.post(url, seen_a, headers=HTMX)
        again = form_on(b.post(url, seen_b, headers=HTMX).content.decode(), field)
        again[f"c{sales.pk}-on_conflict"] = "theirs"
        response = b.post(url, again, headers=HTMX)
        assert response.status_code == 200
        assert cell_text(response.content.decode(), f"cell-{sales.pk}-headcount") == "45 people"
        sales.refresh_from_db()
        assert (sales.headcount, sales.version) == (45, 2)

    def test_without_javascript_the_cell_page_shows_it(
        self, two: tuple[Client, Client], sales: Role
    ) -> None:
        a, b = two
        url = self.cell(sales)
        field = f"c{sales.pk}-headcount"
        seen_a, seen_b = opened(a, url, field), opened(b, url, field)
        seen_a[field], seen_b[field] = "45", "50"
        assert a.post(url, seen_a).status_code == 302
        response = b.post(url, seen_b)
        assert response.status_code == 409
        html = response.content.decode()
        assert "<html" in html and "Save mine over it" in html and "Keep theirs" in html
        again = form_on(html, field)
        again[f"c{sales.pk}-on_conflict"] = "mine"
        assert b.post(url, again).status_code == 302
        sales.refresh_from_db()
        assert sales.headcount == 50

    def test_a_full_form_keeps_theirs_and_saves_the_rest_of_mine(
        self, two: tuple[Client, Client], sales: Role
    ) -> None:
        a, b = two
        edit = reverse("role_edit", args=[sales.playbook_id, sales.pk])
        seen_a, seen_b = opened(a, edit, "name"), opened(b, edit, "name")
        seen_a["wiifm"] = "Theirs: no more Friday reports."
        a.post(edit, seen_a)
        seen_b["wiifm"] = "Mine: a pipeline that fills itself."
        seen_b["headcount"] = "41"
        response = b.post(edit, seen_b)
        assert response.status_code == 409
        sales.refresh_from_db()
        assert (sales.wiifm, sales.headcount) == ("Theirs: no more Friday reports.", 40)
        again = form_on(response.content.decode(), "name")
        assert again["headcount"] == "41" and again["wiifm"].startswith("Mine")
        again["on_conflict"] = "theirs"
        response = b.post(edit, again, follow=True)
        assert "Changes saved." in response.content.decode()  # the headcount
        sales.refresh_from_db()
        assert (sales.wiifm, sales.headcount) == ("Theirs: no more Friday reports.", 41)

    def test_keep_theirs_with_nothing_else_changed_says_so(
        self, two: tuple[Client, Client], sales: Role
    ) -> None:
        b, edit, again = headcount_conflict(two, sales)
        again["on_conflict"] = "theirs"
        html = b.post(edit, again, follow=True).content.decode()
        assert "Their version kept; you changed nothing else." in html
        assert "Changes saved." not in html
        sales.refresh_from_db()
        assert (sales.headcount, sales.version) == (45, 2)

    def test_the_form_shown_again_carries_what_others_changed_meanwhile(
        self, two: tuple[Client, Client], sales: Role
    ) -> None:
        """Saving mine over it must not undo their other changes."""
        a, b = two
        edit = reverse("role_edit", args=[sales.playbook_id, sales.pk])
        seen_a, seen_b = opened(a, edit, "name"), opened(b, edit, "name")
        seen_a["name"], seen_a["concerns"] = "Field sales", "Big Brother"
        a.post(edit, seen_a)
        seen_b["name"] = "Inside sales"
        again = form_on(b.post(edit, seen_b).content.decode(), "name")
        assert again["concerns"] == "Big Brother"
        again["on_conflict"] = "mine"
        assert b.post(edit, again).status_code == 302
        sales.refresh_from_db()
        assert (sales.name, sales.concerns) == ("Inside sales", "Big Brother")

    def test_a_merge_that_breaks_a_rule_saves_nothing_and_says_so(
        self, two: tuple[Client, Client], sales: Role
    ) -> None:
        """Each change alone is within the 2,400-minute cap; both together are not."""
        a, b = two
        gg = make_giveget(sales, minutes_each=20, times_per_week=Decimal(10))
        url = reverse("giveget_edit", args=[sales.playbook_id, sales.pk, gg.pk])
        seen_a, seen_b = opened(a, url, f"gg{gg.pk}-give"), opened(b, url, f"gg{gg.pk}-give")
        seen_a[f"gg{gg.pk}-minutes_each"] = "100"
        assert a.post(url, seen_a).status_code == 302
        seen_b[f"gg{gg.pk}-times_per_week"] = "30"
        response = b.post(url, seen_b)
        assert response.status_code == 200
        assert "Together with a change saved meanwhile, this breaks a rule" in (
            response.content.decode()
        )
        gg.refresh_from_db()
        assert (gg.minutes_each, gg.times_per_week) == (100, Decimal(10))

    def test_a_row_deleted_meanwhile_is_said(self, two: tuple[Client, Client], sales: Role) -> None:
        _a, b = two
        gg = make_giveget(sales)
        url = reverse("giveget_edit", args=[sales.playbook_id, sales.pk, gg.pk])
        seen = opened(b, url, f"gg{gg.pk}-give")
        seen[f"gg{gg.pk}-give"] = "Changed"
        GiveGet.objects.filter(pk=gg.pk).delete()
        assert b.post(url, seen).status_code == 404  # the page is gone: said as such

    def test_in_danish(self, two: tuple[Client, Client], sales: Role) -> None:
        a, b = two
        url = self.cell(sales)
        field = f"c{sales.pk}-headcount"
        seen_a, seen_b = opened(a, url, field, **HTMX), opened(b, url, field, **HTMX)
        seen_a[field], seen_b[field] = "45", "1050"
        a.post(url, seen_a, headers=HTMX)
        with translation.override("da"):
            html = b.post(url, seen_b, headers={**HTMX, "Accept-Language": "da"}).content
        text = html.decode()
        assert "Ændret af Olivia Dahl kl. " in text
        assert "<strong>1.050</strong>" in text
        assert "Gem min ovenpå" in text and "Behold deres" in text

    def test_a_token_tampered_with_is_read_as_no_token(
        self, two: tuple[Client, Client], sales: Role
    ) -> None:
        _a, b = two
        url = self.cell(sales)
        field = f"c{sales.pk}-headcount"
        seen = opened(b, url, field, **HTMX)
        seen[field] = "12"
        seen[f"c{sales.pk}-read_as"] = seen[f"c{sales.pk}-read_as"][:-3] + "abc"
        assert b.post(url, seen, headers=HTMX).status_code == 200
        sales.refresh_from_db()
        assert sales.headcount == 12


class TestEveryEditForm:
    """Each edit form carries its version and refuses a stale overwrite."""

    def cases(self, world: Any, sales: Role) -> list[tuple[str, str, str, Any]]:
        playbook = world.playbook
        gg = make_giveget(sales)
        amb = make_ambassador(sales)
        step = Step.objects.get(playbook=playbook, number=1)
        task = step.tasks.first()
        assert task is not None
        return [
            (reverse("playbook_edit", args=[playbook.pk]), "", "name", playbook),
            (reverse("charter_edit", args=[playbook.pk]), "charter-", "pledge", playbook),
            (reverse("role_edit", args=[playbook.pk, sales.pk]), "", "name", sales),
            (
                reverse("matrix_edit", args=[playbook.pk, sales.pk]),
                f"role{sales.pk}-",
                "name",
                sales,
            ),
            (
                reverse("giveget_edit", args=[playbook.pk, sales.pk, gg.pk]),
                f"gg{gg.pk}-",
                "give",
                gg,
            ),
            (
                reverse("matrix_giveget_cell", args=[playbook.pk, sales.pk, gg.pk, "give"]),
                f"g{gg.pk}-",
                "give",
                gg,
            ),
            (reverse("ambassador_edit", args=[playbook.pk, amb.pk]), f"a{amb.pk}-", "name", amb),
            (reverse("step_edit", args=[playbook.pk, step.pk]), f"step{step.pk}-", "title", step),
            (reverse("task_edit", args=[playbook.pk, task.pk]), f"task{task.pk}-", "text", task),
        ]

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    def test_a_stale_save_of_the_same_field_is_refused(
        self, two: tuple[Client, Client], world: Any, sales: Role, htmx: bool
    ) -> None:
        a, b = two
        headers = HTMX if htmx else {}
        for n, (url, prefix, name, row) in enumerate(self.cases(world, sales)):
            field = prefix + name
            seen_a, seen_b = opened(a, url, field), opened(b, url, field)
            seen_a[field], seen_b[field] = f"Theirs {n}", f"Mine {n}"
            assert a.post(url, seen_a, headers=headers).status_code in (200, 302), url
            response = b.post(url, seen_b, headers=headers)
            assert response.status_code == 409, url
            html = response.content.decode()
            assert f"Theirs: <strong>Theirs {n}</strong>" in html, url
            assert f"Yours: <strong>Mine {n}</strong>" in html, url
            row.refresh_from_db()
            assert getattr(row, name) == f"Theirs {n}", url

    def test_a_new_row_has_nothing_to_carry(self, world: Any, client_for: Any) -> None:
        html = client_for("editor").get(reverse("role_create", args=[world.playbook.pk]))
        assert "read_as" not in html.content.decode()

    def test_every_edited_model_has_a_version(self) -> None:
        for model in (Playbook, Role, GiveGet, Ambassador, Step):
            assert issubclass(model, Versioned)


class TestAFactorOnTheRolePage:
    def test_scored_by_both_then_save_mine(self, two: tuple[Client, Client], sales: Role) -> None:
        a, b = two
        page = reverse("role_detail", args=[sales.playbook_id, sales.pk])
        url = reverse("role_factors", args=[sales.playbook_id, sales.pk])
        seen_a, seen_b = opened(a, page, "speed"), opened(b, page, "speed")
        assert seen_b["speed"] == ""  # not scored when read
        seen_a["speed"], seen_b["speed"] = "3", "4"
        assert a.post(url, seen_a, headers=HTMX).status_code == 200
        response = b.post(url, seen_b, headers=HTMX)
        assert response.status_code == 409
        html = response.content.decode()
        assert "Changed by Olivia Dahl at " in html
        assert "Theirs: <strong>3</strong>" in html and "Yours: <strong>4</strong>" in html
        sales.refresh_from_db()
        assert sales.speed == 3
        again = form_on(html, "speed")
        assert again["speed"] == "3"  # the radios show theirs: keeping it is doing nothing
        again["speed"] = "4"  # "Save mine over it" posts the refused score last
        assert b.post(url, again, headers=HTMX).status_code == 200
        sales.refresh_from_db()
        assert sales.speed == 4


def test_a_row_deleted_between_reading_and_saving_is_said(world: Any, sales: Role) -> None:
    from core import concurrency
    from roles.forms import RoleForm

    data = {"name": "Sales", "headcount": "41", "wiifm": sales.wiifm}
    form = RoleForm(data, instance=sales, playbook=world.playbook)
    assert form.is_valid()
    Role.objects.filter(pk=sales.pk).delete()
    assert concurrency.save(form) is None
    assert form.non_field_errors() == [
        "Someone else deleted this since you opened it, so nothing was saved."
    ]


class TestWhatTheReviewFound:
    def test_step_dates_that_followed_go_live_when_read_are_not_a_change(
        self, two: tuple[Client, Client], world: Any, sales: Role
    ) -> None:
        """A renames the step; B typed its dates meanwhile: B's dates stay."""
        a, b = two
        world.playbook.go_live = "2027-03-01"
        world.playbook.save()
        step = Step.objects.get(playbook=world.playbook, number=3)
        url = reverse("step_edit", args=[world.playbook.pk, step.pk])
        field = f"step{step.pk}-"
        seen_a, seen_b = opened(a, url, field + "title"), opened(b, url, field + "title")
        assert seen_a[field + "start"]  # the default dates, shown
        seen_b[field + "start"], seen_b[field + "due"] = "2027-01-04", "2027-01-08"
        assert b.post(url, seen_b).status_code == 302
        seen_a[field + "title"] = "Train the ambassadors first"
        assert a.post(url, seen_a).status_code == 302
        step.refresh_from_db()
        assert step.title == "Train the ambassadors first"
        assert (str(step.start), str(step.due)) == ("2027-01-04", "2027-01-08")

    def test_a_rule_of_the_form_across_fields_holds_for_the_merged_row(
        self, two: tuple[Client, Client], world: Any, sales: Role
    ) -> None:
        """A sets a training date, B sets the training to not started: each
        alone is fine, together they are not (a date goes with a training)."""
        a, b = two
        amb = make_ambassador(sales, training=Ambassador.Training.SCHEDULED)
        url = reverse("ambassador_edit", args=[world.playbook.pk, amb.pk])
        prefix = f"a{amb.pk}-"
        seen_a, seen_b = opened(a, url, prefix + "name"), opened(b, url, prefix + "name")
        seen_b[prefix + "training"] = Ambassador.Training.NOT_STARTED
        assert b.post(url, seen_b).status_code == 302
        seen_a[prefix + "trained_on"] = "2027-02-10"
        response = a.post(url, seen_a)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Together with a change saved meanwhile, this breaks a rule" in html
        assert "A training date goes with a scheduled or completed training." in html
        amb.refresh_from_db()
        assert (amb.training, amb.trained_on) == (Ambassador.Training.NOT_STARTED, None)

    def test_line_ends_as_a_browser_posts_them_are_no_change(
        self, two: tuple[Client, Client], sales: Role
    ) -> None:
        a, b = two
        Role.objects.filter(pk=sales.pk).update(wiifm="One.\nTwo.")  # as an import stores it
        edit = reverse("role_edit", args=[sales.playbook_id, sales.pk])
        seen_a, seen_b = opened(a, edit, "name"), opened(b, edit, "name")
        seen_b["wiifm"] = "Three."
        assert b.post(edit, seen_b).status_code == 302
        seen_a["wiifm"] = seen_a["wiifm"].replace("\n", "\r\n")  # untouched, as posted
        seen_a["headcount"] = "41"
        assert a.post(edit, seen_a).status_code == 302
        sales.refresh_from_db()
        assert (sales.wiifm, sales.headcount) == ("Three.", 41)

    def test_after_a_conflict_a_plain_save_still_asks(
        self, two: tuple[Client, Client], sales: Role
    ) -> None:
        b, edit, again = headcount_conflict(two, sales)
        response = b.post(edit, again)  # Save, not one of the two buttons
        assert response.status_code == 409
        assert "Theirs: <strong>45</strong>" in response.content.decode()
        sales.refresh_from_db()
        assert sales.headcount == 45

    def test_a_role_in_a_conflict_is_shown_by_its_name(
        self, two: tuple[Client, Client], world: Any, sales: Role
    ) -> None:
        a, b = two
        service = make_role(world.playbook, "Service")
        support = make_role(world.playbook, "Support")
        amb = make_ambassador(sales)
        url = reverse("ambassador_edit", args=[world.playbook.pk, amb.pk])
        prefix = f"a{amb.pk}-"
        seen_a, seen_b = opened(a, url, prefix + "role"), opened(b, url, prefix + "role")
        seen_a[prefix + "role"], seen_b[prefix + "role"] = str(service.pk), str(support.pk)
        a.post(url, seen_a)
        html = b.post(url, seen_b).content.decode()
        assert "Theirs: <strong>Service</strong>" in html
        assert "Yours: <strong>Support</strong>" in html


def test_an_unbroken_word_as_long_as_allowed_is_read_and_merged(
    two: tuple[Client, Client], sales: Role
) -> None:
    """The token carries the read values: a long text is carried too (signed,
    compressed), and a change to another field still merges with it."""
    a, b = two
    word = "Pipeline" * 250  # 2,000 characters (the limit, core.limits.TEXT), no space
    Role.objects.filter(pk=sales.pk).update(wiifm=word)
    edit = reverse("role_edit", args=[sales.playbook_id, sales.pk])
    seen_a, seen_b = opened(a, edit, "name"), opened(b, edit, "name")
    assert seen_a["wiifm"] == word
    seen_a["headcount"] = "41"
    assert a.post(edit, seen_a).status_code == 302
    seen_b["concerns"] = "Big Brother"
    assert b.post(edit, seen_b).status_code == 302
    sales.refresh_from_db()
    assert (sales.wiifm, sales.headcount, sales.concerns) == (word, 41, "Big Brother")
    seen_b["wiifm"] = "Short."
    response = b.post(edit, seen_b)  # read before both saves, so still version 1
    assert response.status_code == 302  # nobody else changed the WIIFM answer
    sales.refresh_from_db()
    assert (sales.wiifm, sales.headcount) == ("Short.", 41)
