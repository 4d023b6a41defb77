"""The ambassador's page shows only what is decided, and the ambassador's
part; editors preview any role's page before issuing a link."""

from __future__ import annotations

import datetime
import re
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from ambassadors.models import Ambassador
from ambassadors.services import issue_link
from playbooks.models import Level
from pulse import weeks
from tests.factories import (
    make_ambassador,
    make_giveget,
    make_message,
    make_role,
    make_sales_role,
    make_user,
)
from tests.playbooks.test_changes import sentences
from tests.playbooks.test_changes import url as changes_url

pytestmark = pytest.mark.django_db
MARCH_12 = datetime.date(2027, 3, 12)
CONTACT_MIGRATION = "playbooks.migrations.0008_contact_of_existing_playbooks"


def shown(day: datetime.date) -> str:
    with translation.override("en"):
        return formats.date_format(day, "DATE_FORMAT")


def page(ambassador: Ambassador) -> str:
    response = Client().get(f"/a/{issue_link(ambassador)}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def sales(world: Any) -> Any:
    world.playbook.go_live = datetime.date(2027, 3, 1)
    world.playbook.data_used_for = "Coaching conversations."
    world.playbook.data_not_used_for = "Ranking people."
    world.playbook.save()
    role = make_sales_role(
        world.playbook,
        "Sales",
        question="Does it help me close?",
        wiifm="Lead scoring.",
        quick_win="Voice notes",
    )
    make_giveget(role, "Log each meeting", minutes_each=5, minutes_saved_per_week=60)
    return role


@pytest.fixture
def mette(sales: Any) -> Ambassador:
    return make_ambassador(sales, "Mette Sørensen", email="mette@example.com")


class TestOnlyWhatIsDecided:
    def test_blank_charter_and_a_give_get_without_its_get_show_neither(
        self, world: Any, sales: Any, mette: Ambassador
    ) -> None:
        world.playbook.data_used_for = world.playbook.data_not_used_for = ""
        world.playbook.save()
        make_giveget(sales, "Fill in the forecast", get="", minutes_saved_per_week=0)
        html = page(mette)
        assert "Log each meeting" in html and "Automatic weekly pipeline report" in html
        assert "Fill in the forecast" not in html
        assert "not decided yet" not in html
        assert "Your data: what it is for" not in html
        assert "Not written yet" not in html
        # A balance over gives the page does not list would not add up: none shown.
        assert "Time balance" not in html and "verdict-badge" not in html
        assert "at risk" not in html and "net beneficiary" not in html

    def test_the_whole_picture_shows_the_equation_and_verdict(self, mette: Ambassador) -> None:
        html = page(mette)
        assert "equation-card verdict-net_beneficiary" in html
        assert "60 − 40 = <strong>+20 min</strong>" in html
        assert "(4 + 3 + 2) − (2 + 1) = <strong>+6</strong>" in html

    def test_a_blank_half_of_the_charter_is_left_out(self, world: Any, mette: Ambassador) -> None:
        world.playbook.data_not_used_for = ""
        world.playbook.save()
        html = page(mette)
        assert "Data is used for" in html and "Coaching conversations." in html
        assert "Data is not used for" not in html

    def test_no_placeholders_for_an_empty_role(self, world: Any) -> None:
        empty = make_role(world.playbook, "Field service", headcount=10)
        html = page(make_ambassador(empty, "Kasper Nielsen"))
        for placeholder in ["Not answered yet", "Not chosen yet", "No Give-Gets written yet"]:
            assert placeholder not in html
        for left_out in ["What’s in it for me?", "Week-1 quick win", "What you give"]:
            assert left_out not in html
        assert "not assessed" not in html and "verdict-badge" not in html


class TestYourPart:
    def test_dates_status_and_contact(self, world: Any, mette: Ambassador) -> None:
        world.playbook.ambassador_contact = world.owner
        world.playbook.save()
        mette.early_access = datetime.date(2027, 2, 1)
        mette.training = Ambassador.Training.SCHEDULED
        mette.trained_on = MARCH_12
        mette.save()
        html = page(mette)
        assert "Your part" in html
        assert f"<strong>Early access</strong> to Salesforce: from {shown(mette.early_access)}" in (
            html
        )
        assert f"<strong>Training:</strong> scheduled for {shown(MARCH_12)}" in html
        assert "Pass the weekly pulse on to your team." in html
        assert 'Olivia · <a href="mailto:olivia@example.com">olivia@example.com</a>' in html

    def test_training_completed_and_undecided_dates_left_out(self, mette: Ambassador) -> None:
        mette.training = Ambassador.Training.COMPLETED
        mette.trained_on = MARCH_12
        mette.save()
        html = page(mette)
        assert f"<strong>Training:</strong> completed on {shown(MARCH_12)}" in html
        assert "Early access" not in html
        mette.training, mette.trained_on = Ambassador.Training.NOT_STARTED, None
        mette.save()
        assert "<strong>Training:</strong> not scheduled yet" in page(mette)

    def test_training_scheduled_says_what_is_known(self, mette: Ambassador) -> None:
        mette.training = Ambassador.Training.SCHEDULED
        mette.trained_on = None
        mette.save()
        assert "<strong>Training:</strong> scheduled, the date is still to come" in page(mette)
        mette.trained_on = weeks.today() - datetime.timedelta(days=2)  # past, not completed
        mette.save()
        html = page(mette)
        assert f"was scheduled for {shown(mette.trained_on)}, not marked as completed yet" in html
        mette.training = Ambassador.Training.NOT_STARTED  # a date without the status
        mette.trained_on = weeks.today() + datetime.timedelta(days=9)
        mette.save()
        html = page(mette)
        assert (
            "<strong>Training:</strong> not scheduled yet" in html and "scheduled for" not in html
        )

    def test_no_contact_when_nobody_is_chosen(self, mette: Ambassador) -> None:
        html = page(mette)  # the playbook predates the setting: nobody
        assert "Your contact" not in html and "mailto:" not in html

    def test_only_an_active_owner_is_shown(self, world: Any, mette: Ambassador) -> None:
        world.playbook.ambassador_contact = world.editor  # not an owner: set some other way
        world.playbook.save()
        assert "edith@example.com" not in page(mette)
        world.playbook.memberships.filter(user=world.editor).update(level=Level.OWNER)
        assert "edith@example.com" in page(mette)
        world.editor.is_active = False
        world.editor.save()
        assert "edith@example.com" not in page(mette)

    def test_no_contact_once_they_left(
        self, world: Any, mette: Ambassador, client_for: Any
    ) -> None:
        world.playbook.memberships.filter(user=world.editor).update(level=Level.OWNER)
        world.playbook.ambassador_contact = world.editor
        world.playbook.save()
        assert "edith@example.com" in page(mette)
        membership = world.playbook.memberships.get(user=world.editor)
        response = client_for("owner").post(
            reverse("member_remove", args=[world.playbook.pk, membership.pk])
        )
        assert response.status_code == 302
        world.playbook.refresh_from_db()
        assert world.playbook.ambassador_contact is None
        assert "edith@example.com" not in page(mette)

    def test_no_contact_whose_membership_is_gone_by_any_way(
        self, world: Any, mette: Ambassador
    ) -> None:
        world.playbook.memberships.filter(user=world.viewer).update(level=Level.OWNER)
        world.playbook.ambassador_contact = world.viewer
        world.playbook.save()
        assert "victor@example.com" in page(mette)
        world.playbook.memberships.filter(user=world.viewer).delete()  # not through the service
        html = page(mette)
        assert "victor@example.com" not in html and "Your contact" not in html

    def test_the_next_message_the_ambassador_sends(
        self, world: Any, sales: Any, mette: Ambassador
    ) -> None:
        soon = weeks.today() + datetime.timedelta(days=3)
        for n in range(4):  # others' messages first: hers is past the first three
            make_message(world.playbook, sales, f"Other {n}", date=soon, sender_text="Lea")
        make_message(
            world.playbook,
            sales,
            "Your WIIFM, in person",
            date=soon,
            sender_ambassador=mette,
            text="Tell them what the report saves.",
        )
        html = page(mette)
        assert "The next message you send" in html
        # Not among the three listed below: its text opens in the box itself.
        assert "Your WIIFM, in person" in html and "Tell them what the report saves." in html
        assert "Read it below" not in html
        fellow = make_ambassador(sales, "Jonas Holm")
        assert "The next message you send" not in page(fellow)

    def test_else_the_roles_next_message_whoever_sends_it(
        self, world: Any, sales: Any, mette: Ambassador
    ) -> None:
        soon = weeks.today() + datetime.timedelta(days=3)
        make_message(world.playbook, sales, "Kick-off", date=soon, sender_text="Lea Dahl")
        html = page(mette)
        assert "The next message to your team" in html
        assert "The next message you send" not in html
        box = html[html.index('data-testid="next-sent"') :][:600]
        assert "Kick-off" in box and "From Lea Dahl" in box

    def test_one_listed_below_is_linked_to(self, world: Any, sales: Any, mette: Ambassador) -> None:
        soon = weeks.today() + datetime.timedelta(days=3)
        make_message(world.playbook, sales, "Kick-off", date=soon, sender_ambassador=mette)
        html = page(mette)
        assert '<a href="#messages-title">Read it below</a>' in html
        assert html.count("Kick-off") == 2  # in the box and in the list


class TestPlaybookSetting:
    def edit_data(self, playbook: Any, **changes: Any) -> dict[str, Any]:
        return {
            "name": playbook.name,
            "crm_system": playbook.crm_system,
            "language": playbook.language,
            "pulse_k": playbook.pulse_k,
            **changes,
        }

    def test_chosen_among_owners_on_edit_playbook(self, world: Any, client_for: Any) -> None:
        url = reverse("playbook_edit", args=[world.playbook.pk])
        owner = client_for("owner")
        html = owner.get(url).content.decode()
        assert "Nobody (no contact shown)" in html
        assert "Olivia &lt;olivia@example.com&gt;" in html
        assert "edith@example.com" not in html  # an editor
        assert "victor@example.com" not in html  # a viewer
        assert "oscar@example.com" not in html  # not a member
        response = owner.post(
            url, self.edit_data(world.playbook, ambassador_contact=world.owner.pk)
        )
        assert response.status_code == 302
        world.playbook.refresh_from_db()
        assert world.playbook.ambassador_contact == world.owner
        owner.post(url, self.edit_data(world.playbook))  # a form without the field keeps it
        world.playbook.refresh_from_db()
        assert world.playbook.ambassador_contact == world.owner
        owner.post(url, self.edit_data(world.playbook, ambassador_contact=""))
        world.playbook.refresh_from_db()
        assert world.playbook.ambassador_contact is None

    @pytest.mark.parametrize("who", ["outsider", "viewer", "editor"])
    def test_anyone_but_an_owner_is_refused(self, world: Any, client_for: Any, who: str) -> None:
        url = reverse("playbook_edit", args=[world.playbook.pk])
        data = self.edit_data(world.playbook, ambassador_contact=world.user(who).pk)
        response = client_for("owner").post(url, data)
        assert response.status_code == 200
        assert "Choose an owner of this playbook, or nobody." in response.content.decode()
        world.playbook.refresh_from_db()
        assert world.playbook.ambassador_contact is None

    def test_an_editor_sees_the_choice_and_cannot_change_it(
        self, world: Any, client_for: Any
    ) -> None:
        world.playbook.ambassador_contact = world.owner
        world.playbook.save()
        url = reverse("playbook_edit", args=[world.playbook.pk])
        editor = client_for("editor")
        html = editor.get(url).content.decode()
        assert "Chosen by the playbook’s owners." in html
        assert re.search(r'<select name="ambassador_contact"[^>]*disabled', html)
        response = editor.post(url, self.edit_data(world.playbook, ambassador_contact=""))
        assert response.status_code == 302  # the rest of the form is saved
        world.playbook.refresh_from_db()
        assert world.playbook.ambassador_contact == world.owner

    def test_a_new_playbook_has_its_creator(self, world: Any, client_for: Any) -> None:
        response = client_for("editor").post(
            reverse("playbook_create"),
            {"name": "New one", "crm_system": "hubspot", "language": "en"},
        )
        assert response.status_code == 302
        created = world.editor.memberships.get(playbook__name="New one").playbook
        assert created.ambassador_contact == world.editor


class TestHistory:
    def test_a_change_reads_by_name_and_a_revert_to_someone_who_left_is_refused(
        self, world: Any, client_for: Any
    ) -> None:
        owner = client_for("owner")
        world.playbook.memberships.filter(user__in=[world.editor, world.viewer]).update(
            level=Level.OWNER
        )
        edit = reverse("playbook_edit", args=[world.playbook.pk])
        data = TestPlaybookSetting().edit_data(world.playbook, ambassador_contact=world.editor.pk)
        owner.post(edit, data)
        owner.post(edit, {**data, "ambassador_contact": world.viewer.pk})
        changes = sentences(owner.get(changes_url(world.playbook)))
        assert any("Edith → Victor" in sentence for sentence in changes), changes
        world.playbook.memberships.filter(user=world.editor).delete()
        record = world.playbook.history.filter(history_type="~").latest("history_date")
        revert = reverse(
            "changes_revert",
            args=[world.playbook.pk, "playbook", record.history_id, "ambassador_contact"],
        )
        response = owner.post(revert, follow=True)
        assert "That person is no longer an owner of this playbook." in response.content.decode()
        world.playbook.refresh_from_db()
        assert world.playbook.ambassador_contact == world.viewer


class TestPreview:
    def url(self, world: Any, role: Any) -> str:
        return reverse("ambassador_preview", args=[world.playbook.pk, role.pk])

    @pytest.mark.parametrize("who", ["anonymous", "outsider", "viewer"])
    def test_refused(self, world: Any, sales: Any, client_for: Any, who: str) -> None:
        response = client_for(who).get(self.url(world, sales))
        if who == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == {"outsider": 404, "viewer": 403}[who]

    @pytest.mark.parametrize("who", ["editor", "owner"])
    def test_editors_see_the_page(
        self, world: Any, sales: Any, mette: Ambassador, client_for: Any, who: str
    ) -> None:
        issue_link(mette)
        world.playbook.ambassador_contact = world.owner
        world.playbook.save()
        response = client_for(who).get(self.url(world, sales))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Preview: what an ambassador of Sales sees" in html
        assert "Lead scoring." in html and "Your part" in html
        assert "olivia@example.com" in html
        assert "Mette Sørensen" in html  # among the role's ambassadors
        assert reverse("role_one_pager", args=[world.playbook.pk, sales.pk]) in html
        assert "/a/" not in html
        mette.refresh_from_db()
        assert mette.link_last_opened_at is None  # a preview is not an opening

    def test_linked_for_editors_only(self, world: Any, sales: Any, client_for: Any) -> None:
        url = self.url(world, sales)
        for name in ("role_detail", "roster"):
            args = [world.playbook.pk, sales.pk] if name == "role_detail" else [world.playbook.pk]
            assert url in client_for("editor").get(reverse(name, args=args)).content.decode()
            assert url not in client_for("viewer").get(reverse(name, args=args)).content.decode()

    def test_a_role_of_another_playbook_is_404(self, world: Any, client_for: Any) -> None:
        foreign = make_role(world.other_playbook, "Oscar's role")
        url = reverse("ambassador_preview", args=[world.playbook.pk, foreign.pk])
        assert client_for("editor").get(url).status_code == 404
        assert client_for("outsider").get(url).status_code == 404

    def test_query_count(
        self,
        world: Any,
        sales: Any,
        mette: Ambassador,
        client_for: Any,
        django_assert_num_queries: Any,
    ) -> None:
        world.playbook.ambassador_contact = world.owner
        world.playbook.save()
        editor = client_for("editor")
        url = self.url(world, sales)
        # session, user, membership with playbook; the role with its pulse
        # link; the contact's membership with the user; the Give-Gets; the
        # role's ambassadors; its next messages.
        with django_assert_num_queries(8):
            assert editor.get(url).status_code == 200


def test_the_contact_is_shown_in_the_playbooks_language_too(world: Any, mette: Ambassador) -> None:
    world.playbook.language = "da"
    world.playbook.ambassador_contact = make_user("lea", first_name="Lea", last_name="Dahl")
    world.playbook.save()
    world.playbook.memberships.create(user=world.playbook.ambassador_contact, level="owner")
    html = page(mette)
    assert '<html lang="da">' in html
    assert 'Lea Dahl · <a href="mailto:lea@example.com">lea@example.com</a>' in html


def test_playbooks_made_before_the_setting_get_their_first_active_owner(world: Any) -> None:
    """The data migration: a playbook without a contact gets the owner who has
    been an owner longest and is still active; one with no such owner, none."""
    second = make_user("sofie", first_name="Sofie")
    world.playbook.memberships.create(user=second, level=Level.OWNER)
    world.owner.is_active = False
    world.owner.save()
    world.other_playbook.memberships.update(level=Level.VIEWER)  # no owner left
    import_module(CONTACT_MIGRATION).first_owner_as_contact(apps, None)
    world.playbook.refresh_from_db()
    world.other_playbook.refresh_from_db()
    assert world.playbook.ambassador_contact == second
    assert world.other_playbook.ambassador_contact is None
