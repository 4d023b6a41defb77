"""The playbook file's adoption keys (issue 19): a target per role and its
figures per closed week; the round trip, old files, and every refusal."""

from __future__ import annotations

import copy
import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actionplan.services import create_default_plan
from planner.playbook_file import (
    PlaybookFileError,
    as_template,
    dumps,
    export_playbook,
    import_playbook,
    loads,
    read,
)
from playbooks.models import Playbook
from pulse import figures
from pulse.models import MAX_ACTIVE_USERS, AdoptionFigure
from roles.models import DEFAULT_ADOPTION_TARGET
from tests.factories import make_playbook, make_role, make_user
from tests.playbooks.test_playbook_file import EXAMPLE, errors_of

pytestmark = pytest.mark.django_db

OLD_FILE = Path(__file__).parent / "files" / "salesforce-rollout-before-adoption.json"
GO_LIVE = datetime.date(2027, 3, 1)  # EXAMPLE's
# The fourth day of week 9: weeks 1-8 are closed.
TODAY = GO_LIVE + datetime.timedelta(days=8 * 7 + 3)


@pytest.fixture
def owner() -> Any:
    return make_user("lead")


@pytest.fixture(autouse=True)
def today(pulse_day: Any) -> Any:
    pulse_day.set(TODAY)
    return pulse_day


def with_figures(*entries: dict[str, Any], **role: Any) -> dict[str, Any]:
    """EXAMPLE with Sales' figures (and other keys of Sales)."""
    document = copy.deepcopy(EXAMPLE)
    document["roles"][0].update(adoption=list(entries), **role)
    return document


def figures_of(playbook: Playbook) -> list[tuple[str, int, int]]:
    return list(
        AdoptionFigure.objects.filter(role__playbook=playbook)
        .order_by("role__name", "week")
        .values_list("role__name", "week", "active_users")
    )


class TestRoundTrip:
    def test_figures_and_targets_come_back_byte_for_byte(self, owner: Any) -> None:
        document = with_figures(
            {"week": 3, "active_users": 31},
            {"week": 1, "active_users": 18},
            {"week": 2, "active_users": 0},
            adoption_target=90,
        )
        document["roles"].append(
            {"name": "Service", "headcount": 25, "adoption": [{"week": 8, "active_users": 24}]}
        )
        first_playbook = import_playbook(document, owner=owner)
        assert figures_of(first_playbook) == [
            ("Sales", 1, 18),
            ("Sales", 2, 0),
            ("Sales", 3, 31),
            ("Service", 8, 24),
        ]
        first = dumps(export_playbook(first_playbook))
        second = dumps(export_playbook(import_playbook(loads(first), owner=owner)))
        assert first == second
        roles = json.loads(first)["roles"]
        # At the end of each role, figures by week.
        assert list(roles[0])[-3:] == ["ambassadors", "adoption_target", "adoption"]
        assert roles[0]["adoption_target"] == 90
        assert roles[0]["adoption"] == [
            {"week": 1, "active_users": 18},
            {"week": 2, "active_users": 0},
            {"week": 3, "active_users": 31},
        ]
        assert roles[1]["adoption_target"] == DEFAULT_ADOPTION_TARGET
        assert roles[1]["adoption"] == [{"week": 8, "active_users": 24}]
        assert json.loads(first)["playbook"]["weeks_from"] is None

    def test_each_role_exports_its_own_figures_only(self, owner: Any) -> None:
        playbook = make_playbook(owner, go_live=GO_LIVE)
        sales = make_role(playbook, "Sales", headcount=40)
        service = make_role(playbook, "Service", headcount=40)
        other = make_role(
            make_playbook(owner, name="Other", go_live=GO_LIVE), "Sales", headcount=40
        )
        figures.replace(playbook, {(service.pk, 2): 20, (sales.pk, 5): 30, (sales.pk, 4): 29})
        figures.replace(other.playbook, {(other.pk, 4): 1})
        roles = export_playbook(playbook)["roles"]
        assert [(role["name"], role["adoption"]) for role in roles] == [
            (
                "Sales",
                [{"week": 4, "active_users": 29}, {"week": 5, "active_users": 30}],
            ),
            ("Service", [{"week": 2, "active_users": 20}]),
        ]

    def test_the_import_is_in_the_history_as_an_import_and_fixes_the_weeks(
        self, owner: Any
    ) -> None:
        playbook = import_playbook(with_figures({"week": 3, "active_users": 31}), owner=owner)
        assert playbook.pulse_weeks_from == GO_LIVE
        playbook.refresh_from_db()
        assert playbook.pulse_weeks_from == GO_LIVE  # stored: a later move of go-live keeps it
        records = AdoptionFigure.history.filter(role__playbook=playbook)
        assert [(r.history_type, r.history_change_reason, r.week) for r in records] == [
            ("+", "import", 3)
        ]

    def test_without_figures_the_weeks_stay_free(self, owner: Any) -> None:
        playbook = import_playbook(copy.deepcopy(EXAMPLE), owner=owner)
        playbook.refresh_from_db()
        assert playbook.pulse_weeks_from is None
        assert not AdoptionFigure.history.exists()

    def test_a_go_live_moved_after_the_figures_keeps_their_weeks(self, owner: Any) -> None:
        playbook = make_playbook(owner, go_live=GO_LIVE)
        create_default_plan(playbook)
        sales = make_role(playbook, "Sales", headcount=40)
        figures.replace(playbook, {(sales.pk, week): 20 + week for week in range(1, 9)})
        playbook.go_live = GO_LIVE + datetime.timedelta(days=31)  # weeks 1-8 not over from here
        playbook.save()
        first = dumps(export_playbook(playbook))
        assert json.loads(first)["playbook"]["weeks_from"] == "2027-03-01"
        copy_ = import_playbook(loads(first), owner=owner)
        assert copy_.pulse_weeks_from == GO_LIVE and copy_.go_live == playbook.go_live
        assert figures_of(copy_) == [("Sales", week, 20 + week) for week in range(1, 9)]
        assert dumps(export_playbook(copy_)) == first

    def test_weeks_from_counts_the_weeks_of_a_hand_written_file(self, owner: Any) -> None:
        document = with_figures({"week": 9, "active_users": 31})
        document["playbook"]["weeks_from"] = "2027-02-01"  # nine weeks closed from there
        playbook = import_playbook(document, owner=owner)
        assert playbook.pulse_weeks_from == datetime.date(2027, 2, 1)
        # Without figures the file's weeks_from is not kept: weeks follow go-live.
        document = copy.deepcopy(EXAMPLE)
        document["playbook"]["weeks_from"] = "2027-02-01"
        assert import_playbook(document, owner=owner).pulse_weeks_from is None


class TestOldFiles:
    def test_a_file_from_before_adoption_imports_as_before(self, owner: Any) -> None:
        text = OLD_FILE.read_text(encoding="utf-8")
        old = json.loads(text)
        assert all("adoption" not in role for role in old["roles"])
        playbook = import_playbook(loads(text), owner=owner)
        assert not AdoptionFigure.objects.exists()
        assert set(playbook.roles.values_list("adoption_target", flat=True)) == {80}
        playbook.refresh_from_db()
        assert playbook.pulse_weeks_from is None
        # Exported again: the same document, with the new keys at their defaults.
        new = export_playbook(playbook)
        assert new["playbook"].pop("weeks_from") is None
        assert new["playbook"].pop("privacy_threshold") == 5
        for role in new["roles"]:
            assert (role.pop("adoption_target"), role.pop("adoption")) == (80, [])
        # A file from before the communications plan gets the default set.
        kinds = [(m["role"], m["kind"]) for m in new.pop("communications")]
        assert len(kinds) == 3 * len(old["roles"]) + 1
        assert (None, "open_session") in kinds
        assert new == old

    def test_bare_roles_take_the_default_target(self, owner: Any) -> None:
        bare = {
            "format": "wiifm-playbook",
            "version": 1,
            "playbook": {"name": "Bare"},
            "roles": [{"name": "Sales"}],
        }
        role = import_playbook(bare, owner=owner).roles.get()
        assert role.adoption_target == DEFAULT_ADOPTION_TARGET


class TestRefusals:
    @pytest.mark.parametrize(
        ("role", "expected"),
        [
            ({"adoption_target": 0}, "roles[0].adoption_target: must be 1 or more"),
            ({"adoption_target": 101}, "roles[0].adoption_target: must be at most 100"),
            ({"adoption_target": "80"}, "roles[0].adoption_target: must be a number"),
            ({"adoption_target": 80.5}, "roles[0].adoption_target: must be a whole number"),
            ({"adoption_target": True}, "roles[0].adoption_target: must be a number"),
            ({"adoption_target": None}, "roles[0].adoption_target: must be a number"),
            ({"adoption": {}}, "roles[0].adoption: must be a list"),
            ({"adoption": None}, "roles[0].adoption: must be a list"),
            ({"adoption": [3]}, "roles[0].adoption[0]: must be an object"),
            ({"adoption": [{"week": 3}]}, "roles[0].adoption[0].active_users: is required"),
            ({"adoption": [{"active_users": 3}]}, "roles[0].adoption[0].week: is required"),
        ],
    )
    def test_the_keys(self, owner: Any, role: dict[str, Any], expected: str) -> None:
        document = copy.deepcopy(EXAMPLE)
        document["roles"][0].update(role)
        assert errors_of(document, owner) == [expected]

    @pytest.mark.parametrize(
        ("entry", "expected"),
        [
            ({"week": 0}, "week: must be 1 or more"),
            ({"week": -3}, "week: must be 1 or more"),
            ({"week": True}, "week: must be a number"),
            ({"week": "3"}, "week: must be a number"),
            ({"week": Decimal("3.0")}, "week: must be a whole number"),  # loads() reads 3.0 so
            ({"week": 3.5}, "week: must be a whole number"),
            ({"week": None}, "week: must be a number"),
            ({"week": 32768}, "week: must be at most 32767"),
            ({"week": 10**40}, "week: must be at most 32767"),
            ({"active_users": -1}, "active_users: must be 0 or more"),
            ({"active_users": MAX_ACTIVE_USERS + 1}, "active_users: must be at most 1000000"),
            ({"active_users": False}, "active_users: must be a number"),
            ({"active_users": "31"}, "active_users: must be a number"),
            ({"active_users": 31.5}, "active_users: must be a whole number"),
            ({"active_users": [31]}, "active_users: must be a number"),
            ({"user": "mette@example.com"}, "user: unknown key"),
            ({"a\ud800": 1}, "a\\ud800: unknown key"),
            ({"week": 9}, "week: Week 9 is not over until May 2, 2027: figures come for closed"),
            ({"week": 200}, "week: Week 200 is not over until"),
        ],
    )
    def test_an_entry(self, owner: Any, entry: dict[str, Any], expected: str) -> None:
        document = with_figures({"week": 1, "active_users": 10}, {"week": 2, "active_users": 12})
        document["roles"][0]["adoption"][1].update(entry)
        errors = errors_of(document, owner)
        assert len(errors) == 1 and errors[0].startswith("roles[0].adoption[1]." + expected), errors

    def test_every_bad_entry_is_listed_in_reading_order(self, owner: Any) -> None:
        document = with_figures(
            {"week": 1, "active_users": -1},
            {"week": 1, "active_users": 5},
            {"week": 12, "active_users": 5, "who": "x"},
        )
        assert errors_of(document, owner) == [
            "roles[0].adoption[0].active_users: must be 0 or more",
            "roles[0].adoption[1].week: roles[0].adoption[0] is week 1 too",
            "roles[0].adoption[2].week: Week 12 is not over until May 23, 2027: "
            "figures come for closed weeks.",
            "roles[0].adoption[2].who: unknown key",
        ]

    def test_figures_need_a_go_live(self, owner: Any) -> None:
        document = with_figures({"week": 1, "active_users": 10})
        document["playbook"]["go_live"] = None
        assert errors_of(document, owner) == [
            "roles[0].adoption: figures need a go-live date (playbook.go_live)"
        ]

    def test_a_bad_go_live_is_its_own_error_only(self, owner: Any) -> None:
        document = with_figures({"week": 1, "active_users": 10})
        document["playbook"]["go_live"] = "2027-02-30"
        assert errors_of(document, owner) == [
            "playbook.go_live: must be a date written YYYY-MM-DD, or null"
        ]
        document["playbook"]["go_live"] = "2027-03-01"
        document["playbook"]["weeks_from"] = "soon"
        assert errors_of(document, owner) == [
            "playbook.weeks_from: must be a date written YYYY-MM-DD, or null"
        ]

    def test_no_figures_before_go_live(self, owner: Any) -> None:
        document = with_figures({"week": 1, "active_users": 10})
        document["playbook"]["go_live"] = "2027-05-01"
        assert errors_of(document, owner) == [
            "roles[0].adoption[0].week: Week 1 is not over until May 7, 2027: "
            "figures come for closed weeks."
        ]

    @pytest.mark.parametrize("go_live", ["9999-12-31", "9999-12-28"])
    def test_a_go_live_at_the_end_of_the_calendar_is_an_error_not_a_crash(
        self, owner: Any, go_live: str
    ) -> None:
        document = with_figures({"week": 1, "active_users": 10})
        document["playbook"]["go_live"] = go_live
        # Dates have years 1900 to 2999 (core.limits.DateRange): the go-live
        # itself is refused before its weeks are counted.
        assert errors_of(document, owner) == [
            "playbook.go_live: must be a date between the years 1900 and 2999"
        ]

    @pytest.mark.parametrize(("headcount", "refused"), [(9, True), (10, False), (0, True)])
    def test_a_role_of_fewer_than_2k_people_takes_none(
        self, owner: Any, headcount: int, refused: bool
    ) -> None:
        document = with_figures({"week": 1, "active_users": 5}, headcount=headcount)
        if refused:
            assert errors_of(document, owner) == [
                "roles[0].adoption: Sales has fewer than 10 people: its figures would point "
                "at people, so it takes none."
            ]
        else:
            assert figures_of(import_playbook(document, owner=owner)) == [("Sales", 1, 5)]

    def test_a_bad_headcount_is_its_own_error_only(self, owner: Any) -> None:
        document = with_figures({"week": 1, "active_users": 5}, headcount="40")
        assert errors_of(document, owner) == ["roles[0].headcount: must be a number"]

    def test_a_small_role_without_figures_is_fine(self, owner: Any) -> None:
        document = with_figures(headcount=3, adoption_target=100)
        role = import_playbook(document, owner=owner).roles.get()
        assert (role.headcount, role.adoption_target) == (3, 100)

    def test_reading_still_touches_no_database(self, django_assert_num_queries: Any) -> None:
        document = with_figures({"week": 1, "active_users": 5}, {"week": 8, "active_users": 9})
        with django_assert_num_queries(0):
            parts = read(document)
        assert [(f.week, f.active_users) for f in parts.roles[0].figures] == [(1, 5), (8, 9)]

    @pytest.mark.parametrize(
        "text",
        [
            '"adoption": [{"week": 1, "active_users": 1, "week": 2}]',
            '"adoption": [{"week": NaN, "active_users": 1}]',
            '"adoption": [{"week": 1, "active_users": Infinity}]',
        ],
    )
    def test_hostile_json_is_refused(self, owner: Any, text: str) -> None:
        raw = dumps(EXAMPLE).replace('"adoption": []', text)
        with pytest.raises(PlaybookFileError, match="not a JSON file"):
            loads(raw)

    def test_a_lone_surrogate_in_an_escaped_key_through_the_page(
        self, client: Any, owner: Any
    ) -> None:
        raw = dumps(with_figures({"week": 1, "active_users": 5})).replace(
            '"active_users": 5', '"active_users": 5, "\\ud800": 1'
        )
        client.force_login(owner)
        upload = SimpleUploadedFile("bad.json", raw.encode(), content_type="application/json")
        response = client.post(reverse("playbook_import"), {"file": upload})
        assert response.status_code == 200
        assert "roles[0].adoption[0].\\ud800: unknown key" in response.content.decode()
        assert not Playbook.objects.exists() and not AdoptionFigure.objects.exists()


class TestWhatTheFileLeavesOut:
    def test_k_goes_with_the_figures(self, owner: Any) -> None:
        """k 3 lets a role of 8 people take figures: the file carries k, so the
        import judges them with the same k and every export imports again."""
        playbook = make_playbook(owner, go_live=GO_LIVE)
        playbook.pulse_k = 3
        playbook.save()
        small = make_role(playbook, "Small", headcount=8)
        large = make_role(playbook, "Large", headcount=40)
        figures.replace(playbook, {(small.pk, 1): 6, (large.pk, 1): 30})
        document = export_playbook(playbook)
        assert document["playbook"]["privacy_threshold"] == 3
        assert [(r["name"], r["adoption"]) for r in document["roles"]] == [
            ("Small", [{"week": 1, "active_users": 6}]),
            ("Large", [{"week": 1, "active_users": 30}]),
        ]
        copy_ = import_playbook(loads(dumps(document)), owner=owner)
        assert copy_.pulse_k == 3
        assert sorted(figures_of(copy_)) == [("Large", 1, 30), ("Small", 1, 6)]

    def test_a_file_without_k_is_read_with_the_default(self, owner: Any) -> None:
        playbook = make_playbook(owner, go_live=GO_LIVE)
        playbook.pulse_k = 3
        playbook.save()
        small = make_role(playbook, "Small", headcount=8)
        figures.replace(playbook, {(small.pk, 1): 6})
        document = loads(dumps(export_playbook(playbook)))
        del document["playbook"]["privacy_threshold"]
        with pytest.raises(PlaybookFileError) as refused:
            import_playbook(document, owner=owner)
        assert refused.value.errors == [
            "roles[0].adoption: Small has fewer than 10 people: its figures would point at "
            "people, so it takes none."
        ]

    def test_a_role_hidden_by_a_larger_k_exports_none(self, owner: Any) -> None:
        playbook = make_playbook(owner, go_live=GO_LIVE)
        role = make_role(playbook, "Team", headcount=12)
        figures.replace(playbook, {(role.pk, 1): 6})
        assert export_playbook(playbook)["roles"][0]["adoption"] == [{"week": 1, "active_users": 6}]
        playbook.pulse_k = 7  # 12 < 14: its figures are shown nowhere now
        playbook.save()
        assert export_playbook(playbook)["roles"][0]["adoption"] == []
        assert export_playbook(playbook)["playbook"]["weeks_from"] is None


class TestTemplate:
    def test_keeps_targets_and_drops_figures(self, owner: Any) -> None:
        document = with_figures({"week": 3, "active_users": 31}, adoption_target=90)
        document["playbook"]["weeks_from"] = "2027-02-22"
        template = as_template(document, name="Next", go_live=datetime.date(2027, 9, 6))
        assert template["roles"][0]["adoption"] == []
        assert template["roles"][0]["adoption_target"] == 90
        assert template["playbook"]["weeks_from"] is None
        assert document["roles"][0]["adoption"]  # the source is untouched

    def test_use_as_template_through_the_page(self, world: Any, client_for: Any) -> None:
        playbook = world.playbook
        playbook.go_live = GO_LIVE
        playbook.save()
        sales = make_role(playbook, "Sales", headcount=40)
        sales.adoption_target = 95
        sales.save()
        figures.replace(playbook, {(sales.pk, 2): 33})
        response = client_for("editor").post(
            reverse("playbook_template", args=[playbook.pk]),
            {"name": "Next rollout", "go_live": "2027-09-06"},
        )
        assert response.status_code == 302
        new = Playbook.objects.get(name="Next rollout")
        assert new.roles.get().adoption_target == 95
        assert not AdoptionFigure.objects.filter(role__playbook=new).exists()
        assert new.pulse_weeks_from is None


class TestThroughThePage:
    def test_export_and_import_carry_the_figures(self, world: Any, client_for: Any) -> None:
        playbook = world.playbook
        playbook.go_live = GO_LIVE
        playbook.save()
        create_default_plan(playbook)
        sales = make_role(playbook, "Sales", headcount=40)
        figures.replace(playbook, {(sales.pk, week): 20 + week for week in (1, 2, 3)})
        client = client_for("viewer")
        exported = client.get(reverse("playbook_export", args=[playbook.pk])).content
        assert b'"active_users": 23' in exported
        upload = SimpleUploadedFile("p.json", exported, content_type="application/json")
        response = client.post(reverse("playbook_import"), {"file": upload})
        assert response.status_code == 302
        copy_ = Playbook.objects.exclude(pk=playbook.pk).exclude(pk=world.other_playbook.pk).get()
        assert figures_of(copy_) == [("Sales", 1, 21), ("Sales", 2, 22), ("Sales", 3, 23)]
        again = client.get(reverse("playbook_export", args=[copy_.pk])).content
        assert again == exported


class TestPrivacyThreshold:
    @pytest.mark.parametrize(
        ("value", "error"),
        [
            (2, "playbook.privacy_threshold: must be 3 or more"),
            (1001, "playbook.privacy_threshold: must be at most 1000"),
            ("5", "playbook.privacy_threshold: must be a number"),
            (True, "playbook.privacy_threshold: must be a number"),
            (5.5, "playbook.privacy_threshold: must be a whole number"),
        ],
    )
    def test_refused(self, owner: Any, value: Any, error: str) -> None:
        document = copy.deepcopy(EXAMPLE)
        document["playbook"]["privacy_threshold"] = value
        assert errors_of(document, owner) == [error]
        assert not Playbook.objects.exists()

    def test_kept(self, owner: Any) -> None:
        document = copy.deepcopy(EXAMPLE)
        document["playbook"]["privacy_threshold"] = 12
        assert import_playbook(document, owner=owner).pulse_k == 12
