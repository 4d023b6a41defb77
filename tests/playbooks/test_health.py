"""The adoption health check, rule by rule, at its boundaries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from planner.health import (
    AmbassadorFacts,
    GiveGetFacts,
    PlaybookFacts,
    RoleFacts,
    check,
)

TODAY = datetime.date(2027, 1, 1)
D = Decimal


def role(pk: int = 1, name: str = "Sales", **changes: object) -> RoleFacts:
    fields = {
        "pk": pk,
        "name": name,
        "headcount": 10,
        "question": "Q?",
        "wiifm": f"Answer {pk}",
        "quick_win": "Voice notes",
        "time_balance": D(5),
        "givegets": (),
        "ambassadors": (AmbassadorFacts(pk * 10, "Mette", True),),
    }
    return RoleFacts(**{**fields, **changes})


def healthy(**changes: object) -> PlaybookFacts:
    fields = {
        "go_live": datetime.date(2027, 3, 1),
        "data_used_for": "Coaching.",
        "data_not_used_for": "Ranking.",
        "step5_done": False,
        "roles": (role(1, "Sales"), role(2, "Service")),
    }
    return PlaybookFacts(**{**fields, **changes})


def codes(facts: PlaybookFacts, today: datetime.date = TODAY) -> list[str]:
    return [finding.code for finding in check(facts, today).findings]


def test_a_healthy_playbook_avoids_all_five() -> None:
    report = check(healthy(), TODAY)
    assert report.findings == []
    assert report.avoided == ["M1", "M2", "M3", "M4", "M5"]


class TestM1:
    def test_balance_below_zero(self) -> None:
        assert codes(healthy(roles=(role(1, time_balance=D("-0.01")), role(2)))) == ["M1"]

    def test_balance_exactly_zero_is_fine(self) -> None:
        assert codes(healthy(roles=(role(1, time_balance=D(0)), role(2)))) == []

    def test_each_blank_get(self) -> None:
        gg = (GiveGetFacts(5, "Log", "  ", None, False), GiveGetFacts(6, "Tag", "", None, False))
        report = check(healthy(roles=(role(1, givegets=gg), role(2))), TODAY)
        assert [(f.code, f.subject, f.target.kind, f.target.pk) for f in report.findings] == [
            ("M1", "Sales: Log", "giveget", 5),
            ("M1", "Sales: Tag", "giveget", 6),
        ]


class TestM2:
    @pytest.mark.parametrize("field", ["question", "wiifm"])
    def test_blank_question_or_answer(self, field: str) -> None:
        assert codes(healthy(roles=(role(1, **{field: "   "}), role(2)))) == ["M2"]


class TestM3:
    def test_blank_quick_win(self) -> None:
        assert codes(healthy(roles=(role(1, quick_win=""), role(2)))) == ["M3"]

    @pytest.mark.parametrize(("days_before", "flagged"), [(15, False), (14, True), (0, True)])
    def test_untrained_ambassadors_from_14_days_before_go_live(
        self, days_before: int, flagged: bool
    ) -> None:
        go_live = TODAY + datetime.timedelta(days=days_before)
        untrained = role(1, ambassadors=(AmbassadorFacts(7, "Jonas", False),))
        assert ("M3" in codes(healthy(go_live=go_live, roles=(untrained, role(2))))) == flagged


class TestM4:
    def test_fewer_than_two_roles(self) -> None:
        assert codes(healthy(roles=(role(1),))) == ["M4"]
        assert codes(healthy(roles=())) == ["M4"]

    def test_answers_equal_but_for_case_and_spaces(self) -> None:
        same = (
            role(1, "Sales", wiifm="  Saves  time\nevery day "),
            role(2, "Service", wiifm="saves time every DAY"),
            role(3, "Marketing", wiifm="Something else"),
        )
        report = check(healthy(roles=same), TODAY)
        assert [(f.code, f.subject) for f in report.findings] == [("M4", "Sales, Service")]

    def test_blank_answers_are_not_a_group(self) -> None:
        assert "M4" not in codes(healthy(roles=(role(1, wiifm=""), role(2, wiifm=""))))


class TestM5:
    @pytest.mark.parametrize("field", ["data_used_for", "data_not_used_for"])
    def test_blank_charter(self, field: str) -> None:
        assert codes(healthy(**{field: " "})) == ["M5"]

    @pytest.mark.parametrize(
        ("go_live", "flagged"), [(TODAY, False), (TODAY - datetime.timedelta(days=1), True)]
    )
    def test_step_5_after_go_live(self, go_live: datetime.date, flagged: bool) -> None:
        assert ("M5" in codes(healthy(go_live=go_live))) == flagged
        assert "M5" not in codes(healthy(go_live=go_live, step5_done=True))


class TestCoverage:
    def test_a1_a_role_with_people_and_no_ambassador(self) -> None:
        assert codes(healthy(roles=(role(1, ambassadors=()), role(2)))) == ["A1"]
        assert codes(healthy(roles=(role(1, headcount=0, ambassadors=()), role(2)))) == []

    def test_a1_for_a_role_of_one(self) -> None:
        assert codes(healthy(roles=(role(1, headcount=1, ambassadors=()), role(2)))) == ["A1"]

    @pytest.mark.parametrize(("headcount", "flagged"), [(30, False), (31, True)])
    def test_a2_fewer_than_one_per_30(self, headcount: int, flagged: bool) -> None:
        facts = healthy(roles=(role(1, headcount=headcount), role(2)))
        assert ("A2" in codes(facts)) == flagged

    def test_a1_and_a2_are_not_counted_among_the_five(self) -> None:
        report = check(healthy(roles=(role(1, ambassadors=()), role(2))), TODAY)
        assert len(report.avoided) == 5


class TestL1:
    @pytest.mark.parametrize(
        ("deliver_by", "delivered", "flagged"),
        [
            (TODAY, False, False),
            (TODAY - datetime.timedelta(days=1), False, True),
            (TODAY - datetime.timedelta(days=1), True, False),
            (None, False, False),
        ],
    )
    def test_a_get_past_its_date(self, deliver_by: object, delivered: bool, flagged: bool) -> None:
        gg = (GiveGetFacts(5, "Log", "Report", deliver_by, delivered),)
        assert ("L1" in codes(healthy(roles=(role(1, givegets=gg), role(2))))) == flagged


def test_the_acceptance_playbook() -> None:
    """One net-loser role of 10 without an ambassador, a blank charter, go-live in two months."""
    facts = PlaybookFacts(
        go_live=TODAY + datetime.timedelta(days=60),
        data_used_for="",
        data_not_used_for="",
        step5_done=False,
        roles=(
            role(
                1,
                time_balance=D(-20),
                ambassadors=(),
                givegets=(GiveGetFacts(1, "Log", "Report", None, False),),
            ),
        ),
    )
    report = check(facts, TODAY)
    assert sorted({f.code for f in report.findings}) == ["A1", "M1", "M4", "M5"]
    assert len(report.avoided) == 2
    assert [f.code for f in report.further] == ["A1"]
    m1 = next(f for f in report.findings if f.code == "M1")
    assert m1.detail == "time balance \u221220 min per person per week"
    m5 = next(f for f in report.findings if f.code == "M5")
    assert m5.detail == "neither what data is used for nor what it is not used for is written"


def everything_wrong() -> PlaybookFacts:
    """Live for 12 days with every finding the check knows, once or twice."""
    return PlaybookFacts(
        go_live=TODAY - datetime.timedelta(days=12),
        data_used_for=" ",
        data_not_used_for="Ranking.",
        step5_done=False,
        roles=(
            role(
                1,
                "Sales",
                headcount=40,
                question="",
                wiifm="Same answer",
                quick_win=" ",
                time_balance=D("-2.45"),
                givegets=(GiveGetFacts(11, "Log", "", datetime.date(2026, 12, 1), False),),
                ambassadors=(AmbassadorFacts(21, "Mette", False),),
            ),
            role(
                2,
                "Service",
                headcount=12,
                wiifm=" same  ANSWER",
                givegets=(GiveGetFacts(12, "Tag", "Report", datetime.date(2026, 12, 31), False),),
                ambassadors=(),
            ),
            role(3, "Marketing", headcount=0, wiifm="  ", ambassadors=()),
            role(4, "Support", headcount=0, question="", wiifm="", ambassadors=()),
        ),
    )


# What each finding says, and the page where it is fixed: (kind, pk, parent_pk).
EVERYTHING_WRONG = [
    ("M1", "Sales", "time balance \u22122.5 min per person per week", ("role", 1, None)),
    ("M1", "Sales: Log", "a give without a get", ("giveget", 11, 1)),
    ("M2", "Sales", "no question in the role’s own words", ("role_edit", 1, None)),
    ("M2", "Marketing", "no WIIFM answer", ("role_edit", 3, None)),
    ("M2", "Support", "no question and no WIIFM answer", ("role_edit", 4, None)),
    ("M3", "Sales", "no week-1 quick win", ("role_edit", 1, None)),
    ("M3", "Mette (Sales)", "training not completed", ("ambassador", 21, None)),
    ("M4", "Sales, Service", "the same WIIFM answer", ("matrix", None, None)),
    ("M5", "the data charter", "what data is used for is not written", ("charter", None, None)),
    ("M5", "step 5 of the plan", "not done after go-live", ("step", 5, None)),
    ("A2", "Sales", "1 of 2 ambassadors", ("roster", None, None)),
    ("A1", "Service", "no ambassador", ("roster", None, None)),
    ("L1", "Sales: Log", "not delivered by its date", ("giveget", 11, 1)),
    ("L1", "Service: Report", "not delivered by its date", ("giveget", 12, 2)),
]


class TestWhatFindingsSay:
    def test_every_finding_names_its_subject_and_where_it_is_fixed(self) -> None:
        report = check(everything_wrong(), TODAY)
        assert [
            (f.code, f.subject, f.detail, (f.target.kind, f.target.pk, f.target.parent_pk))
            for f in report.findings
        ] == EVERYTHING_WRONG
        assert report.avoided == []
        assert [f.code for f in report.further] == ["A2", "A1", "L1", "L1"]
        assert [f.code for f in report.counted] == [code for code, *_ in EVERYTHING_WRONG[:10]]

    def test_grouped_by_code_in_the_overviews_order(self) -> None:
        groups = check(everything_wrong(), TODAY).by_code()
        assert [(code, len(findings)) for code, findings in groups] == [
            ("M1", 2),
            ("M2", 3),
            ("M3", 2),
            ("M4", 1),
            ("M5", 2),
            ("A1", 1),
            ("A2", 1),
            ("L1", 2),
        ]
        assert groups[0][1][0].title == "Built for management, not for the user"
        assert groups[0][1][0].why.startswith("People adopt a tool only when")

    @pytest.mark.parametrize(
        ("used", "not_used", "detail"),
        [
            ("", "", "neither what data is used for nor what it is not used for is written"),
            ("", "Ranking.", "what data is used for is not written"),
            ("Coaching.", "\n", "what data is not used for is not written"),
        ],
    )
    def test_the_charter_finding_says_what_is_missing(
        self, used: str, not_used: str, detail: str
    ) -> None:
        report = check(healthy(data_used_for=used, data_not_used_for=not_used), TODAY)
        assert [(f.code, f.subject, f.detail) for f in report.findings] == [
            ("M5", "the data charter", detail)
        ]

    def test_fewer_than_two_roles_names_the_playbook(self) -> None:
        report = check(healthy(roles=(role(1),)), TODAY)
        assert [(f.code, f.subject, f.detail, f.target.kind) for f in report.findings] == [
            ("M4", "the playbook", "fewer than two roles", "matrix")
        ]

    def test_in_danish(self) -> None:
        with translation.override("da"):
            report = check(everything_wrong(), TODAY)
            titles = {f.code: f.title for f in report.findings}
        english = check(everything_wrong(), TODAY)
        assert report.findings[0].detail == "tidsbalance \u22122,5 min pr. person pr. uge"
        for danish, finding in zip(report.findings, english.findings, strict=True):
            assert danish.detail != finding.detail, finding.detail
        charter = [f for f in report.findings if f.target.kind in {"charter", "step"}]
        assert all(f.subject not in {"the data charter", "step 5 of the plan"} for f in charter)
        assert titles["M5"] != "Compliance instead of trust"

    @pytest.mark.parametrize(("used", "not_used"), [("", ""), ("", "Ranking."), ("Coaching.", "")])
    def test_the_charter_finding_in_danish(self, used: str, not_used: str) -> None:
        facts = healthy(data_used_for=used, data_not_used_for=not_used)
        english = check(facts, TODAY).findings[0].detail
        with translation.override("da"):
            assert check(facts, TODAY).findings[0].detail != english

    def test_fewer_than_two_roles_in_danish(self) -> None:
        with translation.override("da"):
            finding = check(healthy(roles=()), TODAY).findings[0]
        assert finding.subject != "the playbook"
        assert finding.detail != "fewer than two roles"
