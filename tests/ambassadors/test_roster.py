"""The roster, personal links and the ambassador's public page."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ambassadors.coverage import needed, training_due
from ambassadors.models import Ambassador, hash_token
from ambassadors.services import issue_link, note_opened
from tests.factories import make_ambassador, make_giveget, make_role, make_sales_role

pytestmark = pytest.mark.django_db
PEOPLE = ["anonymous", "outsider", "viewer", "editor", "owner"]


@pytest.fixture
def sales(world: Any) -> Any:
    world.playbook.pledge = "We ask you for data. In return: insight."
    world.playbook.data_used_for = "Coaching conversations."
    world.playbook.data_not_used_for = "Ranking people."
    world.playbook.language = "da"
    world.playbook.go_live = datetime.date(2027, 3, 1)
    world.playbook.save()
    role = make_sales_role(
        world.playbook,
        "Salg",
        question="Hjælper det mig?",
        wiifm="Lead scoring.",
        quick_win="Stemmenoter",
    )
    make_giveget(
        role, "Registrér hvert møde", minutes_each=5, times_per_week=8, minutes_saved_per_week=60
    )
    return role


@pytest.fixture
def mette(sales: Any) -> Ambassador:
    return make_ambassador(
        sales, "Mette Sørensen", email="mette@example.com", department="Salg København", influence=5
    )


def data(for_role: Any, prefix: str = "add", **changes: Any) -> dict[str, str]:
    values = {
        "role": str(for_role.pk),
        "name": "Jonas Holm",
        "email": "jonas@example.com",
        "department": "Salg Aarhus",
        "influence": "4",
        "early_access": "",
        "training": "not_started",
        "trained_on": "",
        "notes": "",
        **changes,
    }
    return {f"{prefix}-{k}": v for k, v in values.items()}


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="error_\d+_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)
    assert match, f"no error shown beside {field}"
    return match.group(1)


def login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


class TestAccess:
    def urls(self, world: Any, mette: Ambassador) -> dict[str, str]:
        pk, a = world.playbook.pk, mette.pk
        return {
            "roster": reverse("roster", args=[pk]),
            "export": reverse("roster_export", args=[pk]),
            "import": reverse("roster_import", args=[pk]),
            "add": reverse("ambassador_add", args=[pk]),
            "edit": reverse("ambassador_edit", args=[pk, a]),
            "delete": reverse("ambassador_delete", args=[pk, a]),
            "link": reverse("link_issue", args=[pk, a]),
            "email": reverse("link_email", args=[pk, a]),
            "revoke": reverse("link_revoke", args=[pk, a]),
        }

    READ = {"roster", "export"}

    @pytest.mark.parametrize("who", ["anonymous", "outsider", "viewer"])
    def test_every_address(self, world: Any, mette: Ambassador, client_for: Any, who: str) -> None:
        client = client_for(who)
        for name, url in self.urls(world, mette).items():
            responses = [client.get(url)]
            if name not in self.READ:
                responses.append(client.post(url, {}))
            for response in responses:
                if who == "anonymous":
                    assert login_redirect(response), name
                elif who == "outsider":
                    assert response.status_code == 404, name
                elif who == "viewer" and name not in self.READ:
                    assert response.status_code == 403, name
        mette.refresh_from_db()
        assert mette.link_hash == ""

    @pytest.mark.parametrize("who", ["editor", "owner"])
    def test_editors_reach_every_address(
        self, world: Any, mette: Ambassador, client_for: Any, who: str
    ) -> None:
        client = client_for(who)
        for name, url in self.urls(world, mette).items():
            assert client.get(url).status_code in {200, 302}, name

    def test_viewer_reads_without_controls(
        self, world: Any, mette: Ambassador, client_for: Any
    ) -> None:
        html = (
            client_for("viewer").get(reverse("roster", args=[world.playbook.pk])).content.decode()
        )
        assert "Mette Sørensen" in html
        assert "Issue link" not in html
        assert "Add an ambassador" not in html
        assert "hx-post" not in html

    def test_an_ambassador_of_another_playbook_is_404(
        self, world: Any, mette: Ambassador, client_for: Any
    ) -> None:
        foreign = make_ambassador(make_role(world.other_playbook, "X"), "Oscar's pick")
        editor = client_for("editor")
        for name in ("ambassador_edit", "ambassador_delete", "link_issue", "link_revoke"):
            url = reverse(name, args=[world.playbook.pk, foreign.pk])
            assert editor.post(url, {}).status_code == 404
        foreign.refresh_from_db()
        assert foreign.link_hash == ""


class TestRoster:
    def test_grouped_with_coverage_and_flags(
        self, world: Any, sales: Any, mette: Ambassador, client_for: Any
    ) -> None:
        make_role(world.playbook, "Service", headcount=12)
        html = (
            client_for("viewer").get(reverse("roster", args=[world.playbook.pk])).content.decode()
        )
        assert "1 of 2 needed (40 people, one per 30)" in html
        assert "no ambassador yet" in html
        assert "influence 5 of 5" in html

    def test_untrained_flagged_from_14_days_before_go_live(
        self, world: Any, mette: Ambassador, client_for: Any
    ) -> None:
        url = reverse("roster", args=[world.playbook.pk])
        world.playbook.go_live = timezone.localdate() + datetime.timedelta(days=15)
        world.playbook.save()
        assert "not trained yet" not in client_for("viewer").get(url).content.decode()
        world.playbook.go_live = timezone.localdate() + datetime.timedelta(days=14)
        world.playbook.save()
        assert "not trained yet" in client_for("viewer").get(url).content.decode()
        Ambassador.objects.filter(pk=mette.pk).update(training="completed")
        assert "not trained yet" not in client_for("viewer").get(url).content.decode()

    def test_sort_by_influence(
        self, world: Any, sales: Any, mette: Ambassador, client_for: Any
    ) -> None:
        make_ambassador(sales, "Anders And", influence=2)
        url = reverse("roster", args=[world.playbook.pk])
        by_name = client_for("viewer").get(url).content.decode()
        assert by_name.index("Anders And") < by_name.index("Mette Sørensen")
        by_influence = client_for("viewer").get(url + "?sort=influence").content.decode()
        assert by_influence.index("Mette Sørensen") < by_influence.index("Anders And")

    def test_query_budget(
        self, world: Any, sales: Any, client_for: Any, django_assert_num_queries: Any
    ) -> None:
        url = reverse("roster", args=[world.playbook.pk])
        make_ambassador(sales, "One")
        client = client_for("viewer")
        # session, user, membership with playbook, roles, ambassadors, plan progress
        with django_assert_num_queries(6):
            client.get(url)
        for n in range(20):
            make_ambassador(make_role(world.playbook, f"Role {n}"), f"Person {n}")
        with django_assert_num_queries(6):
            client.get(url)

    def test_add_edit_delete(
        self, world: Any, sales: Any, mette: Ambassador, client_for: Any
    ) -> None:
        editor = client_for("editor")
        response = editor.post(reverse("ambassador_add", args=[world.playbook.pk]), data(sales))
        jonas = Ambassador.objects.get(email="jonas@example.com")
        assert response["Location"].endswith(f"#amb-{jonas.pk}")
        assert jonas.playbook == world.playbook
        edit = reverse("ambassador_edit", args=[world.playbook.pk, jonas.pk])
        form = editor.get(edit, headers={"HX-Request": "true"}).content.decode()
        assert form.strip().startswith(f'<li id="amb-{jonas.pk}"')
        editor.post(
            edit,
            data(sales, f"a{jonas.pk}", influence="5", email="JONAS@example.com"),
            headers={"HX-Request": "true"},
        )
        jonas.refresh_from_db()
        assert (jonas.influence, jonas.email) == (5, "jonas@example.com")
        delete = reverse("ambassador_delete", args=[world.playbook.pk, jonas.pk])
        assert "Remove Jonas Holm from the roster?" in editor.get(delete).content.decode()
        editor.post(delete)
        assert not Ambassador.objects.filter(pk=jonas.pk).exists()

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("name", "", "This field is required."),
            ("email", "jonas at example", "Enter a valid email address."),
            ("email", "METTE@example.com", "already has this e-mail"),
            ("influence", "6", "Ensure this value is less than or equal to 5."),
            ("influence", "0", "Ensure this value is greater than or equal to 1."),
            ("training", "done", "Select a valid choice."),
            ("early_access", "2027-02-30", "Enter a valid date."),
            ("trained_on", "2027-02-01", "A training date goes with a scheduled or completed"),
        ],
    )
    def test_bad_input(
        self,
        world: Any,
        sales: Any,
        mette: Ambassador,
        client_for: Any,
        field: str,
        value: str,
        message: str,
    ) -> None:
        response = client_for("editor").post(
            reverse("ambassador_add", args=[world.playbook.pk]), data(sales, **{field: value})
        )
        assert response.status_code == 200
        assert message in field_error(response.content.decode(), f"add-{field}")
        assert Ambassador.objects.count() == 1

    def test_a_role_of_another_playbook_is_refused(
        self, world: Any, sales: Any, mette: Ambassador, client_for: Any
    ) -> None:
        foreign_role = make_role(world.other_playbook, "Foreign")
        for headers in ({}, {"HX-Request": "true"}):
            response = client_for("editor").post(
                reverse("ambassador_add", args=[world.playbook.pk]),
                data(sales, role=str(foreign_role.pk)),
                headers=headers,
            )
            assert "Select a valid choice" in field_error(response.content.decode(), "add-role")
        edit = reverse("ambassador_edit", args=[world.playbook.pk, mette.pk])
        client_for("editor").post(edit, data(sales, f"a{mette.pk}", role=str(foreign_role.pk)))
        mette.refresh_from_db()
        assert mette.role == sales
        assert Ambassador.objects.count() == 1

    def test_the_matrix_shows_ambassadors(
        self, world: Any, mette: Ambassador, client_for: Any
    ) -> None:
        html = (
            client_for("viewer").get(reverse("matrix", args=[world.playbook.pk])).content.decode()
        )
        assert "Mette Sørensen" in html


class TestLinks:
    def issue(self, client: Client, world: Any, ambassador: Ambassador) -> str:
        response = client.post(reverse("link_issue", args=[world.playbook.pk, ambassador.pk]))
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        return re.search(r"/a/([A-Za-z0-9_-]{43})/", response.content.decode()).group(1)

    def test_only_the_hash_is_stored(self, world: Any, mette: Ambassador, client_for: Any) -> None:
        token = self.issue(client_for("editor"), world, mette)
        mette.refresh_from_db()
        assert mette.link_hash == hash_token(token)
        assert token not in mette.link_hash
        html = (
            client_for("editor").get(reverse("roster", args=[world.playbook.pk])).content.decode()
        )
        assert token not in html
        assert "link active" in html
        assert "not opened yet" in html

    def test_the_public_page(
        self, world: Any, sales: Any, mette: Ambassador, client_for: Any
    ) -> None:
        make_ambassador(sales, "Jonas Holm", department="Salg Aarhus", email="jonas@example.com")
        token = self.issue(client_for("editor"), world, mette)
        visitor = Client()
        response = visitor.get(f"/a/{token}/")
        assert response.status_code == 200
        assert not response.cookies
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Cache-Control"] == "no-store"
        assert response["X-Robots-Tag"] == "noindex"
        assert response["Content-Language"] == "da"
        html = response.content.decode()
        for text in [
            "Salesforce rollout 2027",
            "We ask you for data.",
            "Hjælper det mig?",
            "Lead scoring.",
            "Registrér hvert møde",
            "+20 min",
            "nettomodtager",
            "Stemmenoter",
            "senest 7. marts 2027",
            "Coaching conversations.",
            "Ranking people.",
            "Jonas Holm · Salg Aarhus",
        ]:
            assert text in html, text
        assert "jonas@example.com" not in html
        assert "csrfmiddlewaretoken" not in html
        assert "/playbooks/" not in html
        assert '<html lang="da">' in html

    def test_reissue_and_revoke(self, world: Any, mette: Ambassador, client_for: Any) -> None:
        editor = client_for("editor")
        first = self.issue(editor, world, mette)
        second = self.issue(editor, world, mette)
        assert Client().get(f"/a/{first}/").status_code == 404
        assert Client().get(f"/a/{second}/").status_code == 200
        editor.post(reverse("link_revoke", args=[world.playbook.pk, mette.pk]))
        gone = Client().get(f"/a/{second}/")
        assert gone.status_code == 404
        assert "This link does not work" in gone.content.decode()
        assert not gone.cookies

    @pytest.mark.parametrize("token", ["x", "a" * 43, "a" * 44, "a" * 42 + "!", "%00" * 10])
    def test_bad_tokens_are_404(self, db: Any, token: str) -> None:
        response = Client().get(f"/a/{token}/")
        assert response.status_code == 404
        assert response["X-Robots-Tag"] == "noindex"

    def test_last_opened_written_at_most_once_an_hour(self, mette: Ambassador) -> None:
        issue_link(mette)
        note_opened(mette)
        mette.refresh_from_db()
        first = mette.link_last_opened_at
        assert first is not None
        note_opened(mette)
        mette.refresh_from_db()
        assert mette.link_last_opened_at == first
        Ambassador.objects.filter(pk=mette.pk).update(
            link_last_opened_at=first - datetime.timedelta(minutes=61)
        )
        mette.refresh_from_db()
        note_opened(mette)
        mette.refresh_from_db()
        assert mette.link_last_opened_at > first - datetime.timedelta(minutes=1)

    def test_public_page_queries(
        self, world: Any, mette: Ambassador, client_for: Any, django_assert_num_queries: Any
    ) -> None:
        world.playbook.ambassador_contact = world.owner
        world.playbook.save()
        token = self.issue(client_for("editor"), world, mette)
        # The ambassador with role, playbook, contact (and whether still a
        # member) and pulse link; the Give-Gets; fellow ambassadors; the
        # role's next messages; "last opened" noted (the first open).
        with django_assert_num_queries(5):
            assert Client().get(f"/a/{token}/").status_code == 200
        # Opened again within the hour: "last opened" is not written again.
        with django_assert_num_queries(4):
            html = Client().get(f"/a/{token}/").content.decode()
        assert "olivia@example.com" in html

    def test_e_mail_the_link_in_the_playbooks_language(
        self, world: Any, mette: Ambassador, client_for: Any
    ) -> None:
        editor = client_for("editor")
        token = self.issue(editor, world, mette)
        url = reverse("link_email", args=[world.playbook.pk, mette.pk])
        response = editor.post(url, {"token": token}, follow=True)
        assert "The link is on its way to mette@example.com." in response.content.decode()
        message = mail.outbox[0]
        assert message.to == ["mette@example.com"]
        assert message.subject == "Din ambassadørside for Salg (Salesforce rollout 2027)"
        assert f"/a/{token}/" in message.body
        editor.post(url, {"token": "x" * 43})
        assert len(mail.outbox) == 1

    def test_coverage_rules(self) -> None:
        assert (needed(0), needed(1), needed(30), needed(31), needed(60), needed(61)) == (
            0,
            1,
            1,
            2,
            2,
            3,
        )
        go_live = datetime.date(2027, 3, 1)
        assert not training_due(go_live, datetime.date(2027, 2, 14))
        assert training_due(go_live, datetime.date(2027, 2, 15))
        assert not training_due(None, datetime.date(2027, 2, 15))
