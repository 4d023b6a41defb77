"""Roles not assessed yet, across the playbook: finding R1, the PDF, the
ambassador's page and the playbook file (factors null while not scored)."""

from __future__ import annotations

import copy
import datetime
import io
import json
import re
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ambassadors.services import issue_link
from planner import pdf
from planner.health import PlaybookFacts, RoleFacts, check
from planner.playbook_file import (
    PlaybookFileError,
    dumps,
    export_playbook,
    import_playbook,
    loads,
)
from playbooks.models import Playbook
from roles.equation import Verdict
from roles.models import FACTORS
from tests.factories import make_ambassador, make_giveget, make_role, make_user

TODAY = datetime.date(2027, 1, 1)


def role_facts(pk: int, name: str, **changes: Any) -> RoleFacts:
    fields: dict[str, Any] = {
        "pk": pk,
        "name": name,
        "headcount": 0,
        "question": "Q?",
        "wiifm": f"Answer {pk}",
        "quick_win": "Voice notes",
        "time_balance": Decimal(0),
    }
    return RoleFacts(**{**fields, **changes})


def facts(*roles: RoleFacts) -> PlaybookFacts:
    return PlaybookFacts(
        go_live=datetime.date(2027, 3, 1),
        data_used_for="Coaching.",
        data_not_used_for="Ranking.",
        step5_done=False,
        roles=roles,
    )


class TestR1:
    def test_a_role_not_assessed_is_a_further_finding(self) -> None:
        report = check(
            facts(role_facts(1, "Sales"), role_facts(2, "Field service", assessed=False)),
            TODAY,
        )
        assert [(f.code, f.subject, f.detail) for f in report.findings] == [
            ("R1", "Field service", "no Give-Gets and no perceived factor scored yet")
        ]
        finding = report.findings[0]
        assert (finding.target.kind, finding.target.pk) == ("role_factors", 2)
        assert finding.title == "A role not assessed yet"
        assert finding.why
        assert report.counted == []
        assert report.avoided == ["M1", "M2", "M3", "M4", "M5"]  # shown, not counted
        assert [f.code for f in report.further] == ["R1"]

    def test_r1_comes_after_the_other_further_findings(self) -> None:
        report = check(
            facts(role_facts(1, "Sales", headcount=10), role_facts(2, "New", assessed=False)),
            TODAY,
        )
        assert [code for code, _findings in report.by_code()] == ["A1", "R1"]

    def test_in_danish(self) -> None:
        english = check(facts(role_facts(1, "A"), role_facts(2, "B", assessed=False)), TODAY)
        with translation.override("da"):
            danish = check(facts(role_facts(1, "A"), role_facts(2, "B", assessed=False)), TODAY)
            title, why = danish.findings[0].title, danish.findings[0].why
        assert danish.findings[0].detail == "ingen Give-Gets og ingen oplevet faktor scoret endnu"
        assert title != english.findings[0].title
        assert why != english.findings[0].why


@pytest.mark.django_db
class TestOnThePages:
    @pytest.fixture
    def playbook(self, world: Any) -> Playbook:
        playbook = world.playbook
        sales = make_role(playbook, "Sales", headcount=40, **dict.fromkeys(FACTORS, 2))
        make_giveget(sales, minutes_each=5, times_per_week=8, minutes_saved_per_week=60)
        make_role(playbook, "Field service", headcount=12)
        return playbook

    def test_the_overview_shows_r1_with_a_link_to_the_factors(
        self, playbook: Playbook, client_for: Any
    ) -> None:
        new = playbook.roles.get(name="Field service")
        page = reverse("role_detail", args=[playbook.pk, new.pk])
        url = reverse("playbook_detail", args=[playbook.pk])
        html = client_for("editor").get(url).content.decode()
        assert 'id="finding-R1"' in html
        assert html.index("Further findings") < html.index('id="finding-R1"')
        assert f'href="{page}#factors"' in html
        assert "Field service</span>: no Give-Gets and no perceived factor scored yet" in html
        viewer = client_for("viewer").get(url).content.decode()
        assert f'href="{page}"' in viewer and f"{page}#factors" not in viewer

    def test_it_is_not_counted_among_the_five(self, playbook: Playbook, client_for: Any) -> None:
        pages = [reverse("playbook_detail", args=[playbook.pk]), reverse("playbook_list")]
        counts = [
            re.search(r"\d of 5[^<]*avoided", client_for("viewer").get(url).content.decode())
            for url in pages
        ]
        assert all(counts)
        new = playbook.roles.get(name="Field service")
        new.speed = 1
        new.save()  # assessed now: R1 goes, the counts stay
        for url, count in zip(pages, counts, strict=True):
            html = client_for("viewer").get(url).content.decode()
            assert count and count.group(0) in html
            assert 'id="finding-R1"' not in html

    def test_the_pdf(self, playbook: Playbook) -> None:
        reader = pypdf.PdfReader(io.BytesIO(pdf.playbook_document(playbook).content))
        text = " ".join(page.extract_text() for page in reader.pages)
        assert "not assessed" in text
        assert "at risk" not in text  # Sales is a net beneficiary, the new role not assessed
        assert "net beneficiary" in text
        assert "A role not assessed yet" in text

    def test_the_one_pager(self, playbook: Playbook) -> None:
        new = playbook.roles.get(name="Field service")
        reader = pypdf.PdfReader(io.BytesIO(pdf.one_pager_document(playbook, new.pk).content))
        text = " ".join(page.extract_text() for page in reader.pages)
        # The role's people see no verdict (nor a balance of zeros) until it is assessed.
        assert "not assessed" not in text and "at risk" not in text
        assert "Time balance" not in text

    def test_the_ambassador_page(self, playbook: Playbook) -> None:
        new = playbook.roles.get(name="Field service")
        token = issue_link(make_ambassador(new, "Mette", email="mette@example.com"))
        html = Client().get(f"/a/{token}/").content.decode()
        # Nothing decided yet: no verdict, no empty equation shown to the ambassador.
        assert "verdict-badge" not in html and "equation-card" not in html
        assert "not assessed" not in html and "at risk" not in html
        assert "(– + – + –)" not in html
        assert "What you give, what you get" not in html


@pytest.mark.django_db
class TestThePlaybookFile:
    @pytest.fixture
    def owner(self) -> Any:
        return make_user("lead")

    DOCUMENT: dict[str, Any] = {
        "format": "wiifm-playbook",
        "version": 1,
        "playbook": {"name": "Nulls", "go_live": "2027-03-01"},
        "roles": [
            {"name": "New"},
            {"name": "Scored", "factors": {"unique_data": 4, "speed": 0, "recognition": 2}},
            {"name": "Nulls", "factors": dict.fromkeys(FACTORS)},
            {"name": "Some", "factors": {"speed": None, "friction": 3}},
        ],
    }

    def test_missing_and_null_factors_import_as_not_scored(self, owner: Any) -> None:
        playbook = import_playbook(copy.deepcopy(self.DOCUMENT), owner=owner)
        scores = {
            role.name: [getattr(role, name) for name in FACTORS] for role in playbook.roles.all()
        }
        assert scores == {
            "New": [None] * 5,
            "Scored": [4, 0, 2, None, None],
            "Nulls": [None] * 5,
            "Some": [None, None, None, 3, None],
        }
        verdicts = {role.name: role.balance().verdict for role in playbook.roles.all()}
        assert verdicts["New"] is Verdict.NOT_ASSESSED
        assert verdicts["Nulls"] is Verdict.NOT_ASSESSED
        assert verdicts["Some"] is Verdict.AT_RISK

    def test_export_writes_null_and_the_round_trip_keeps_the_bytes(self, owner: Any) -> None:
        first = dumps(export_playbook(import_playbook(copy.deepcopy(self.DOCUMENT), owner=owner)))
        document = json.loads(first)
        assert document["roles"][0]["factors"] == dict.fromkeys(FACTORS)
        assert '"unique_data": null' in first
        assert document["roles"][1]["factors"] == {
            "unique_data": 4,
            "speed": 0,
            "recognition": 2,
            "friction": None,
            "rigidity": None,
        }
        second = dumps(export_playbook(import_playbook(loads(first), owner=owner)))
        assert first == second

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (6, "must be at most 5"),
            (-1, "must be 0 or more"),
            ("3", "must be a number, or null"),
            (2.5, "must be a whole number, or null"),
            (True, "must be a number, or null"),
        ],
    )
    def test_a_factor_is_0_to_5_or_null(self, owner: Any, value: Any, message: str) -> None:
        document = copy.deepcopy(self.DOCUMENT)
        document["roles"][3]["factors"]["speed"] = value
        with pytest.raises(PlaybookFileError) as caught:
            import_playbook(document, owner=owner)
        assert caught.value.errors == [f"roles[3].factors.speed: {message}"]
        assert not Playbook.objects.exists()

    def test_the_demo_roles_are_assessed(self) -> None:
        call_command("seed_demo", "--force", stdout=io.StringIO())
        for playbook in Playbook.objects.all():
            for role in playbook.roles.all():
                assert all(getattr(role, name) is not None for name in FACTORS), role
                assert role.balance().verdict is not Verdict.NOT_ASSESSED
