"""Issue 22: owners picked from the playbook's people (free text still allowed),
and "Yours" on the overview: the steps each member owns, never cached for
someone else."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from actionplan.models import Step
from actionplan.services import create_default_plan
from core import fragments
from core.forms import SuggestingInput
from playbooks.people import names_of, owner_key, owner_suggestions
from tests.factories import add_member, make_ambassador, make_giveget, make_role, make_user

pytestmark = pytest.mark.django_db
PEOPLE = ["anonymous", "outsider", "viewer", "editor", "owner"]
TODAY = timezone.localdate()


@pytest.fixture
def plan(world: Any) -> list[Step]:
    world.playbook.go_live = TODAY + datetime.timedelta(days=60)
    world.playbook.save()
    return create_default_plan(world.playbook)


def suggestions(html: str) -> list[str]:
    """The options of the owner field's datalist, in order."""
    match = re.search(r'list="([^"]+)"', html)
    assert match, "the owner field suggests nothing"
    datalist = re.search(rf'<datalist id="{match.group(1)}">(.*?)</datalist>', html, re.S)
    assert datalist
    return re.findall(r'<option value="([^"]*)">', datalist.group(1))


def yours(html: str) -> str:
    match = re.search(r'<section id="yours".*?</section>', html, re.S)
    return match.group(0) if match else ""


def overview(client: Any, playbook: Any) -> str:
    return str(client.get(reverse("playbook_detail", args=[playbook.pk])).content.decode())


def set_owner(playbook: Any, number: int, owner: str, **fields: Any) -> None:
    Step.objects.filter(playbook=playbook, number=number).update(owner=owner, **fields)


class TestPeople:
    def test_owner_key_trims_and_ignores_case(self) -> None:
        assert owner_key("  lea   DAHL ") == owner_key("Lea Dahl") == "lea dahl"

    def test_names_of_a_user_are_full_name_and_username(self) -> None:
        lea = make_user("lead", first_name="Lea", last_name="Dahl")
        assert names_of(lea) == {"lea dahl", "lead"}
        assert names_of(make_user("solo")) == {"solo"}

    def test_suggestions_are_active_members_and_ambassadors_once_sorted(
        self, world: Any, django_assert_num_queries: Any
    ) -> None:
        playbook = world.playbook
        add_member(playbook, make_user("jb", first_name="Jonas", last_name="Berg"), "viewer")
        add_member(playbook, make_user("gone", first_name="Gone", is_active=False), "editor")
        sales = make_role(playbook, "Sales")
        make_ambassador(sales, "Mette Sørensen")
        make_ambassador(sales, " jonas  berg ", email="jonas@example.com")  # the same person
        deleted = make_role(playbook, "Old")
        make_ambassador(deleted, "Hidden Person", email="hidden@example.com")
        deleted.deleted_at = timezone.now()
        deleted.save()
        make_ambassador(make_role(world.other_playbook, "Theirs"), "Other Person")
        with django_assert_num_queries(2):  # members, ambassadors
            names = owner_suggestions(playbook)
        # Usernames stand in for empty full names (the World's users have first names).
        assert names == ["Edith", "Jonas Berg", "Mette Sørensen", "Olivia", "Victor"]


class OwnerForm(forms.Form):
    owner = forms.CharField(widget=SuggestingInput())


class TestSuggestingInput:
    def test_a_forms_suggestions_are_its_own(self) -> None:
        """Each form's widget is a copy: what one form suggests never shows
        in another (nor in the class's widget)."""
        OwnerForm().fields["owner"].widget.suggestions.append("Lea Dahl")
        assert OwnerForm().fields["owner"].widget.suggestions == []
        assert 'list="' not in str(OwnerForm()["owner"])


class TestStepOwnerField:
    def url(self, world: Any, plan: list[Step]) -> str:
        return reverse("step_edit", args=[world.playbook.pk, plan[1].pk])

    @pytest.mark.parametrize("who", PEOPLE)
    def test_who_may_open_the_form(
        self, world: Any, plan: list[Step], client_for: Any, who: str
    ) -> None:
        make_ambassador(make_role(world.playbook, "Sales"), "Mette Sørensen")
        response = client_for(who).get(self.url(world, plan))
        expected = {"anonymous": 302, "outsider": 404, "viewer": 403}.get(who, 200)
        assert response.status_code == expected
        if expected == 200:
            html = response.content.decode()
            assert suggestions(html) == ["Edith", "Mette Sørensen", "Olivia", "Victor"]
            assert 'name="step' in html and "-owner" in html

    @pytest.mark.parametrize("htmx", [False, True])
    def test_the_form_costs_two_queries_more(
        self,
        world: Any,
        plan: list[Step],
        client_for: Any,
        django_assert_num_queries: Any,
        htmx: bool,
    ) -> None:
        for n in range(30):
            make_ambassador(make_role(world.playbook, f"Role {n}"), f"P {n}", email=f"{n}@x.dk")
        client = client_for("editor")
        headers = {"HX-Request": "true"} if htmx else {}
        # session, user, membership with playbook, the step, the plan's dates
        # (its date warnings); members, ambassadors; the whole page also the
        # header's plan progress
        with django_assert_num_queries(7 if htmx else 8):
            response = client.get(self.url(world, plan), headers=headers)
        assert len(suggestions(response.content.decode())) == 3 + 30

    def test_any_text_is_still_an_owner(
        self, world: Any, plan: list[Step], client_for: Any
    ) -> None:
        two = plan[1]
        client_for("editor").post(
            self.url(world, plan),
            {f"step{two.pk}-title": two.title, f"step{two.pk}-status": "in_progress"}
            | {f"step{two.pk}-owner": "CRM team"},
        )
        two.refresh_from_db()
        assert two.owner == "CRM team"

    def test_a_refused_save_keeps_the_suggestions_and_saves_nothing(
        self, world: Any, plan: list[Step], client_for: Any
    ) -> None:
        two = plan[1]
        response = client_for("editor").post(
            self.url(world, plan),
            {f"step{two.pk}-title": "  ", f"step{two.pk}-owner": "Edith"},
            headers={"HX-Request": "true"},
        )
        html = response.content.decode()
        assert "Give the step a title." in html
        assert suggestions(html) == ["Edith", "Olivia", "Victor"]
        assert 'value="Edith"' in html  # what was typed stays
        two.refresh_from_db()
        assert two.owner == ""


class TestYours:
    @pytest.mark.parametrize("who", PEOPLE)
    def test_each_member_sees_their_own(
        self, world: Any, plan: list[Step], client_for: Any, who: str
    ) -> None:
        for number, owner in [(1, "Victor"), (2, "Edith"), (3, "olivia")]:
            set_owner(world.playbook, number, owner)
        response = client_for(who).get(reverse("playbook_detail", args=[world.playbook.pk]))
        if who in ("anonymous", "outsider"):
            assert response.status_code == (302 if who == "anonymous" else 404)
            return
        card = yours(response.content.decode())
        mine = {"viewer": "1. Acknowledge", "editor": "2. Answer", "owner": "3. Build"}[who]
        assert mine in card
        others = {"1. Acknowledge", "2. Answer", "3. Build"} - {mine}
        assert not any(other in card for other in others)

    def test_matching_is_trimmed_and_ignores_case_name_or_username(
        self, world: Any, plan: list[Step], client_for: Any
    ) -> None:
        world.editor.last_name = "Holm"
        world.editor.save()
        set_owner(world.playbook, 1, "  EDITH   holm ")
        set_owner(world.playbook, 2, "edith")  # the username
        set_owner(world.playbook, 3, "Edith H.")  # someone else, perhaps: not matched
        card = yours(overview(client_for("editor"), world.playbook))
        assert "1. Acknowledge the value gap" in card
        assert "2. Answer WIIFM for every role" in card
        assert "3. Build" not in card
        assert "“Edith Holm”" in card

    def test_done_steps_and_done_tasks_are_left_out(
        self, world: Any, plan: list[Step], client_for: Any
    ) -> None:
        set_owner(world.playbook, 1, "Edith", status=Step.Status.DONE)
        set_owner(world.playbook, 2, "Edith")
        two = plan[1]
        first, *rest = list(two.tasks.order_by("order"))
        first.done = True
        first.save()
        card = yours(overview(client_for("editor"), world.playbook))
        assert "1. Acknowledge" not in card
        assert first.text not in card
        assert all(task.text in card for task in rest)

    def test_hidden_when_nothing_is_theirs(
        self, world: Any, plan: list[Step], client_for: Any
    ) -> None:
        set_owner(world.playbook, 1, "CRM team")
        html = overview(client_for("editor"), world.playbook)
        assert 'id="yours"' not in html and "slot-yours" not in html

    def test_overdue_in_days_and_dates_in_the_language(
        self, world: Any, plan: list[Step], client_for: Any
    ) -> None:
        due = TODAY - datetime.timedelta(days=3)
        set_owner(world.playbook, 2, "Edith", start=due, due=due)
        client = client_for("editor")
        card = yours(overview(client, world.playbook))
        assert "3 days overdue" in card
        assert f"due {due.strftime('%b')}" in card
        client.cookies["django_language"] = "da"
        card = yours(overview(client, world.playbook))
        assert f"senest {due.day}. " in card  # "senest 27. november 2026"
        assert "3 dage forsinket" in card

    def test_another_members_items_never_come_from_the_cache(
        self, world: Any, plan: list[Step], client_for: Any
    ) -> None:
        """Two editors share the cached overview: Edith's steps, read first and
        cached warm, never reach Nora, and Nora's own fill the same fragment."""
        nora = make_user("nora", first_name="Nora")
        add_member(world.playbook, nora, "editor")
        world.nora = nora  # client_for("nora")
        set_owner(world.playbook, 2, "Edith")
        set_owner(world.playbook, 4, "Nora")
        edith_page = overview(client_for("editor"), world.playbook)
        assert "2. Answer WIIFM" in yours(edith_page)
        assert "4. " not in yours(edith_page)
        nora_page = overview(client_for("nora"), world.playbook)  # from the cache
        assert "2. Answer WIIFM" not in yours(nora_page)
        assert "4. Recruit ambassadors" in yours(nora_page)
        # The fragment itself holds nobody's steps: only a slot.
        assert "Edith" not in yours(nora_page)

    def test_the_cached_fragment_holds_no_ones_own(
        self, world: Any, plan: list[Step], client_for: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        set_owner(world.playbook, 2, "Edith")
        cached: list[str] = []
        real = fragments.cache.set

        def spy(key: str, value: Any, timeout: Any = None) -> Any:
            if key.startswith("overview-fragment"):
                cached.append(value[1])
            return real(key, value, timeout)

        monkeypatch.setattr(fragments.cache, "set", spy)
        overview(client_for("editor"), world.playbook)
        assert cached and 'id="yours"' not in cached[0] and "slot-yours-" in cached[0]

    @pytest.mark.parametrize("warm", [False, True])
    def test_query_count(
        self,
        world: Any,
        plan: list[Step],
        client_for: Any,
        django_assert_num_queries: Any,
        warm: bool,
    ) -> None:
        for number in range(1, 8):
            set_owner(world.playbook, number, "Edith")
        sales = make_role(world.playbook, "Sales")
        make_ambassador(sales, "Mette Sørensen")
        make_giveget(sales)
        client = client_for("editor")
        if warm:
            overview(client, world.playbook)
        # cold: session, user, membership with playbook, roles, Give-Gets,
        # ambassadors, steps, tasks, messages ("Yours" reads the same steps);
        # warm: session, user, membership, steps, tasks
        with django_assert_num_queries(5 if warm else 9):
            html = overview(client, world.playbook)
        assert yours(html).count('href="/playbooks/') == 7


class TestGiveGetOwnerField:
    """A Give-Get's "who delivers the get" suggests the same people."""

    @pytest.fixture
    def sales(self, world: Any) -> Any:
        sales = make_role(world.playbook, "Sales")
        make_ambassador(sales, "Mette Sørensen")
        return sales

    @pytest.mark.parametrize("who", PEOPLE)
    def test_the_role_pages_add_form(
        self, world: Any, sales: Any, client_for: Any, who: str
    ) -> None:
        response = client_for(who).get(reverse("role_detail", args=[world.playbook.pk, sales.pk]))
        if who in ("anonymous", "outsider"):
            assert response.status_code == (302 if who == "anonymous" else 404)
            return
        html = response.content.decode()
        if who == "viewer":
            assert "<datalist" not in html
            return
        assert suggestions(html) == ["Edith", "Mette Sørensen", "Olivia", "Victor"]
        assert 'name="new-owner"' in html

    def test_a_new_member_is_suggested_at_once_though_the_page_is_cached(
        self, world: Any, sales: Any, client_for: Any
    ) -> None:
        url = reverse("role_detail", args=[world.playbook.pk, sales.pk])
        client = client_for("editor")
        client.get(url)  # the fragment cached
        add_member(world.playbook, make_user("jb", first_name="Jonas"), "viewer")
        assert "Jonas" in suggestions(client.get(url).content.decode())

    @pytest.mark.parametrize("htmx", [False, True])
    def test_editing_a_giveget(self, world: Any, sales: Any, client_for: Any, htmx: bool) -> None:
        gg = make_giveget(sales)
        url = reverse("giveget_edit", args=[world.playbook.pk, sales.pk, gg.pk])
        headers = {"HX-Request": "true"} if htmx else {}
        assert client_for("viewer").get(url).status_code == 403
        html = client_for("editor").get(url, headers=headers).content.decode()
        assert suggestions(html) == ["Edith", "Mette Sørensen", "Olivia", "Victor"]

    def test_the_matrix_owner_cell(self, world: Any, sales: Any, client_for: Any) -> None:
        gg = make_giveget(sales)
        args = [world.playbook.pk, sales.pk, gg.pk]
        html = client_for("editor").get(
            reverse("matrix_giveget_cell", args=[*args, "owner"]), headers={"HX-Request": "true"}
        )
        assert suggestions(html.content.decode()) == ["Edith", "Mette Sørensen", "Olivia", "Victor"]
        other = client_for("editor").get(
            reverse("matrix_giveget_cell", args=[*args, "give"]), headers={"HX-Request": "true"}
        )
        assert "<datalist" not in other.content.decode()

    def test_any_text_is_kept_and_a_refusal_saves_nothing(
        self, world: Any, sales: Any, client_for: Any
    ) -> None:
        url = reverse("giveget_create", args=[world.playbook.pk, sales.pk])
        client = client_for("editor")
        data = {
            "new-give": "Log calls",
            "new-minutes_each": "2",
            "new-times_per_week": "5",
            "new-get_kind": "time_saved",
            "new-minutes_saved_per_week": "2401",
            "new-status": "planned",
            "new-owner": "CRM team",
        }
        html = client.post(url, data).content.decode()  # without JavaScript: the page
        assert "less than or equal to 2400" in html
        assert 'value="CRM team"' in html
        assert suggestions(html) == ["Edith", "Mette Sørensen", "Olivia", "Victor"]
        assert not sales.givegets.exists()
        client.post(url, data | {"new-minutes_saved_per_week": "0"})
        assert sales.givegets.get().owner == "CRM team"
