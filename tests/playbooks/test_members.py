"""Members: adding people by e-mail, invitations, levels and the last-owner rule."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from playbooks.models import Membership
from tests.factories import make_user

pytestmark = pytest.mark.django_db
User = get_user_model()


def members_url(world: Any) -> str:
    return reverse("members", args=[world.playbook.pk])


def membership(world: Any, who: str) -> Membership:
    return Membership.objects.get(playbook=world.playbook, user=world.user(who))


class TestAdd:
    def test_an_existing_account_is_added_and_told(self, world: Any, client_for: Any) -> None:
        make_user("petra", email="Petra@Example.com")
        response = client_for("owner").post(
            members_url(world), {"email": "petra@example.com", "level": "editor"}
        )
        assert response["Location"] == members_url(world)
        added = Membership.objects.get(playbook=world.playbook, user__username="petra")
        assert added.level == "editor"
        assert added.invited_by == world.owner
        assert len(mail.outbox) == 1
        assert (
            mail.outbox[0].subject
            == "You now have access to the playbook “Salesforce rollout 2027”"
        )
        assert f"/playbooks/{world.playbook.pk}/" in mail.outbox[0].body

    def test_a_new_person_gets_an_inactive_account_and_an_invitation(
        self, world: Any, client_for: Any
    ) -> None:
        owner = client_for("owner")
        owner.post(members_url(world), {"email": "New.Person@Example.com", "level": "viewer"})
        invited = User.objects.get(email="new.person@example.com")
        assert not invited.is_active
        assert not invited.has_usable_password()
        assert Membership.objects.get(playbook=world.playbook, user=invited).level == "viewer"
        page = owner.get(members_url(world)).content.decode()
        assert "new.person@example.com added and told by e-mail." in page
        assert "invited, not signed in yet" in page

        message = mail.outbox[0]
        assert message.to == ["new.person@example.com"]
        assert message.subject == "You are invited to the playbook “Salesforce rollout 2027”"
        assert "Your username is: new.person@example.com" in message.body
        link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

        # The invited person follows the link and chooses a password...
        visitor = Client()
        form_page = visitor.get(link, follow=True)
        assert "Choose a password" in form_page.content.decode()
        done = visitor.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "x7-Brand-New", "new_password2": "x7-Brand-New"},
        )
        assert done["Location"] == reverse("password_reset_complete")
        invited.refresh_from_db()
        assert invited.is_active
        # ...logs in and sees the playbook.
        visitor.post(
            reverse("login"), {"username": "new.person@example.com", "password": "x7-Brand-New"}
        )
        assert "Salesforce rollout 2027" in visitor.get(reverse("playbook_list")).content.decode()

    def test_the_invitation_is_in_the_playbooks_language(self, world: Any, client_for: Any) -> None:
        world.playbook.language = "da"
        world.playbook.save()
        owner = client_for("owner")  # the owner's own language stays English
        owner.post(members_url(world), {"email": "kim@example.com", "level": "editor"})
        message = mail.outbox[0]
        assert message.subject == "Du er inviteret til playbooken »Salesforce rollout 2027«"
        assert "som redaktør" in message.body
        assert "Vælg din adgangskode her" in message.body
        assert "Members" in owner.get(members_url(world)).content.decode()

    def test_forgotten_password_serves_a_pending_invitation(
        self, world: Any, client_for: Any
    ) -> None:
        client_for("owner").post(
            members_url(world), {"email": "late@example.com", "level": "viewer"}
        )
        mail.outbox.clear()
        Client().post(reverse("password_reset"), {"email": "late@example.com"})
        assert len(mail.outbox) == 1
        assert mail.outbox[0].subject == "Choose your WIIFM Planner password"

    def test_a_switched_off_account_gets_no_reset(self, world: Any) -> None:
        make_user("gone", email="gone@example.com", is_active=False)
        Client().post(reverse("password_reset"), {"email": "gone@example.com"})
        assert mail.outbox == []

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"email": "", "level": "viewer"}, "This field is required."),
            ({"email": "kim at example", "level": "viewer"}, "Enter a valid email address."),
            ({"email": "kim@example.com", "level": "boss"}, "Select a valid choice."),
            ({"email": "EDITH@example.com", "level": "viewer"}, "already a member"),
        ],
    )
    def test_bad_input_saves_nothing(
        self, world: Any, client_for: Any, data: dict, message: str
    ) -> None:
        users_before = User.objects.count()
        response = client_for("owner").post(members_url(world), data)
        assert response.status_code == 200
        html = response.content.decode()
        assert message in html
        assert "is-invalid" in html
        assert User.objects.count() == users_before
        assert Membership.objects.filter(playbook=world.playbook).count() == 3
        assert mail.outbox == []

    def test_a_failed_e_mail_adds_nobody(self, world: Any, client_for: Any, settings: Any) -> None:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
            }
        }
        response = client_for("owner").post(
            members_url(world), {"email": "kim@example.com", "level": "viewer"}
        )
        assert response.status_code == 200
        assert "could not be sent. Nothing was changed" in response.content.decode()
        assert not User.objects.filter(email="kim@example.com").exists()

    @pytest.mark.parametrize(
        ("email", "username"),
        [
            ("o'brien@example.com", "obrien@example.com"),
            ("anna!team@example.com", "annateam@example.com"),
        ],
    )
    def test_any_valid_address_gets_a_working_username(
        self, world: Any, client_for: Any, email: str, username: str
    ) -> None:
        response = client_for("owner").post(members_url(world), {"email": email, "level": "viewer"})
        assert response.status_code == 302
        invited = User.objects.get(email=email)
        assert invited.username == username
        assert f"Your username is: {username}" in mail.outbox[0].body

    def test_long_addresses_that_differ_late_get_distinct_usernames(
        self, world: Any, client_for: Any
    ) -> None:
        local = "a" * 60
        domain = "b" * 60 + ".example.com"
        first, second = f"{local}1@{domain}", f"{local}2@{domain}"
        owner = client_for("owner")
        for email in (first, second):
            assert (
                owner.post(members_url(world), {"email": email, "level": "viewer"}).status_code
                == 302
            )
        usernames = {User.objects.get(email=e).username for e in (first, second)}
        assert len(usernames) == 2
        assert all(len(u) <= 150 for u in usernames)

    def test_the_message_does_not_reveal_whether_an_account_exists(
        self, world: Any, client_for: Any
    ) -> None:
        make_user("known", email="known@example.com")
        owner = client_for("owner")
        known = owner.post(
            members_url(world), {"email": "known@example.com", "level": "viewer"}, follow=True
        )
        unknown = owner.post(
            members_url(world), {"email": "unknown@example.com", "level": "viewer"}, follow=True
        )
        assert "known@example.com added and told by e-mail." in known.content.decode()
        assert "unknown@example.com added and told by e-mail." in unknown.content.decode()


class TestLevelsAndRemoval:
    def test_owner_changes_a_level(self, world: Any, client_for: Any) -> None:
        url = reverse("member_level", args=[world.playbook.pk, membership(world, "viewer").pk])
        response = client_for("owner").post(url, {"level": "editor"}, follow=True)
        assert membership(world, "viewer").level == "editor"
        assert "victor@example.com is now editor." in response.content.decode()

    def test_an_unknown_level_is_refused(self, world: Any, client_for: Any) -> None:
        url = reverse("member_level", args=[world.playbook.pk, membership(world, "viewer").pk])
        response = client_for("owner").post(url, {"level": "god"}, follow=True)
        assert "Choose one of the levels." in response.content.decode()
        assert membership(world, "viewer").level == "viewer"

    def test_the_last_owner_cannot_be_demoted(self, world: Any, client_for: Any) -> None:
        url = reverse("member_level", args=[world.playbook.pk, membership(world, "owner").pk])
        response = client_for("owner").post(url, {"level": "editor"}, follow=True)
        assert "A playbook needs at least one owner." in response.content.decode()
        assert membership(world, "owner").level == "owner"

    def test_the_last_owners_remove_page_says_why_with_no_button(
        self, world: Any, client_for: Any
    ) -> None:
        url = reverse("member_remove", args=[world.playbook.pk, membership(world, "owner").pk])
        page = client_for("owner").get(url).content.decode()
        assert "A playbook needs at least one owner." in page
        assert f'action="{url}"' not in page
        viewer = reverse("member_remove", args=[world.playbook.pk, membership(world, "viewer").pk])
        assert f'action="{viewer}"' in client_for("owner").get(viewer).content.decode()

    def test_the_last_owner_cannot_be_removed(self, world: Any, client_for: Any) -> None:
        url = reverse("member_remove", args=[world.playbook.pk, membership(world, "owner").pk])
        response = client_for("owner").post(url, follow=True)
        assert "A playbook needs at least one owner." in response.content.decode()
        assert Membership.objects.filter(playbook=world.playbook, level="owner").count() == 1

    def test_with_two_owners_one_may_step_down(self, world: Any, client_for: Any) -> None:
        membership(world, "editor").__class__.objects.filter(
            pk=membership(world, "editor").pk
        ).update(level="owner")
        url = reverse("member_level", args=[world.playbook.pk, membership(world, "owner").pk])
        client_for("owner").post(url, {"level": "viewer"})
        assert membership(world, "owner").level == "viewer"
        # Now the former owner is a viewer and may no longer manage members.
        assert client_for("owner").post(url, {"level": "owner"}).status_code == 403

    def test_remove_asks_first_then_removes(self, world: Any, client_for: Any) -> None:
        url = reverse("member_remove", args=[world.playbook.pk, membership(world, "viewer").pk])
        page = client_for("owner").get(url).content.decode()
        assert "Remove victor@example.com?" in page
        assert Membership.objects.filter(user=world.viewer).exists()
        response = client_for("owner").post(url, follow=True)
        assert "victor@example.com no longer has access" in response.content.decode()
        assert not Membership.objects.filter(user=world.viewer).exists()
        assert (
            client_for("viewer")
            .get(reverse("playbook_detail", args=[world.playbook.pk]))
            .status_code
            == 404
        )

    def test_an_owner_who_leaves_lands_on_their_playbooks(
        self, world: Any, client_for: Any
    ) -> None:
        Membership.objects.filter(pk=membership(world, "editor").pk).update(level="owner")
        url = reverse("member_remove", args=[world.playbook.pk, membership(world, "owner").pk])
        response = client_for("owner").post(url)
        assert response["Location"] == reverse("playbook_list")

    def test_members_page_lists_everyone(self, world: Any, client_for: Any) -> None:
        html = client_for("viewer").get(members_url(world)).content.decode()
        for email in ("olivia@example.com", "edith@example.com", "victor@example.com"):
            assert email in html
        assert "oscar@example.com" not in html
        assert "3 people" in html
