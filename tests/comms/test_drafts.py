"""The default set's drafts: messages a manager could send as they are, in
the playbook's language, with no hole where the role has written nothing yet."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from comms.drafts import draft, shown
from comms.models import Message
from playbooks.models import Playbook
from tests.factories import make_giveget, make_playbook, make_role

pytestmark = pytest.mark.django_db
GO_LIVE = datetime.date(2027, 3, 1)
KINDS = ["wiifm", "quick_win", "first_results"]
# What a template with holes leaves behind.
HOLES = re.compile(r"“\s*”|»\s*«|%\(|\{\{|None|\bnull\b|: ?$|: \.|- ?$", re.M)


def full_role(playbook: Playbook) -> Any:
    role = make_role(
        playbook,
        "Sales",
        headcount=40,
        question="Does it help me close deals faster?",
        wiifm="Lead scoring puts the right customers first.",
        quick_win="Meeting notes dictated on the phone",
    )
    make_giveget(role, "Log each customer meeting", get="An automatic pipeline report")
    make_giveget(role, "Move each deal", minutes_each=2, times_per_week=10, get="")
    role.playbook = playbook
    return role


def empty_role(playbook: Playbook) -> Any:
    role = make_role(playbook, "Service")
    role.playbook = playbook
    return role


def charter(playbook: Playbook) -> Playbook:
    playbook.data_used_for = "Forecasting and coaching."
    playbook.data_not_used_for = "Ranking people."
    playbook.pledge = "We ask you for data; you get insight back."
    playbook.save()
    return playbook


def english() -> Playbook:
    return make_playbook(go_live=GO_LIVE, language="en")


def test_the_wiifm_of_a_full_role_reads_as_a_message() -> None:
    playbook = english()
    role = full_role(playbook)
    result = draft("wiifm", playbook, role, list(role.givegets.all()))
    assert result.title == "What’s in it for you: Sales and the CRM"
    assert result.text == (
        "Hi all,\n\n"
        "On March 1, 2027 we start working in the CRM. Before we do, here is what it gives you.\n\n"
        "You asked us: “Does it help me close deals faster?” Our answer: Lead scoring puts "
        "the right customers first.\n\n"
        "What we ask of you, and what you get back for it:\n"
        "- Log each customer meeting → An automatic pipeline report\n"
        "- Move each deal\n\n"
        "By our count that gives each of you about 60 minutes a week back.\n\n"
        "Tell us where this does not hold for you: we would rather hear it now than after "
        "go-live."
    )


def test_an_empty_role_leaves_parts_out_and_no_hole() -> None:
    playbook = make_playbook(language="en")  # no go-live either
    role = empty_role(playbook)
    for kind in KINDS:
        result = draft(kind, playbook, role, [])
        assert result.title and result.text.startswith("Hi all,"), kind
        assert not HOLES.search(result.title + "\n" + result.text), (kind, result)
    wiifm = draft("wiifm", playbook, role, []).text
    assert "You asked" not in wiifm and "What we ask" not in wiifm and "minutes" not in wiifm
    assert "we start working" not in wiifm  # no go-live date to give
    assert draft("quick_win", playbook, role, []).title == "Your first week with the CRM"


def test_a_question_without_an_answer_says_so_and_an_answer_alone_stands() -> None:
    playbook = english()
    role = empty_role(playbook)
    role.question = "Will it slow me down?"
    assert "You asked us: “Will it slow me down?” We are working on the answer, with you." in (
        draft("wiifm", playbook, role).text
    )
    role.question, role.wiifm = "", "The customer's history on one screen."
    text = draft("wiifm", playbook, role).text
    assert "\n\nThe customer's history on one screen.\n\n" in text
    assert "You asked" not in text


def test_a_balance_below_zero_is_not_advertised() -> None:
    playbook = english()
    role = empty_role(playbook)
    make_giveget(role, minutes_each=30, times_per_week=5, minutes_saved_per_week=10)
    assert (
        "minutes a week back" not in draft("wiifm", playbook, role, list(role.givegets.all())).text
    )


def test_the_quick_win_with_its_due_date() -> None:
    playbook = english()
    role = full_role(playbook)
    result = draft("quick_win", playbook, role, quick_win_due=datetime.date(2027, 3, 7))
    assert result.title == "Your week-1 quick win: Meeting notes dictated on the phone"
    assert result.text == (
        "Hi all,\n\n"
        "In your first week the CRM already gives you this: Meeting notes dictated on the "
        "phone.\n\n"
        "It is ready for you by March 7, 2027.\n\n"
        "Try it in your first days, and tell us what is missing."
    )
    assert "ready for you" not in draft("quick_win", playbook, role).text  # no date: left out


def test_first_results_lists_the_gets_promised() -> None:
    playbook = english()
    role = full_role(playbook)
    text = draft("first_results", playbook, role, list(role.givegets.all())).text
    assert "What we promised you:\n- An automatic pipeline report\n\n" in text
    assert "Has it reached you?" in text
    text = draft("first_results", playbook, empty_role(playbook), []).text
    assert "promised" not in text and "Where it does not pay off for you yet, we fix it." in text


def test_the_open_session_from_the_charter_and_without_it() -> None:
    playbook = charter(english())
    result = draft("open_session", playbook, None)
    assert result.title == "Open session: what the data is and is not used for"
    assert "It is used for: Forecasting and coaching." in result.text
    assert "It is not used for: Ranking people." in result.text
    assert "Our promise: We ask you for data; you get insight back." in result.text
    bare = draft("open_session", english(), None).text
    assert "used for:" not in bare and "promise" not in bare
    assert not HOLES.search(bare)


def test_a_message_added_by_hand_has_nothing_to_draft() -> None:
    playbook = english()
    assert draft("", playbook, full_role(playbook)).text == ""


class TestDanish:
    """In the playbook's language, whatever the reader's; dates as Danish writes them."""

    @pytest.fixture
    def playbook(self, danish: None) -> Playbook:
        return charter(make_playbook(go_live=GO_LIVE, language="da"))

    def test_full_role(self, playbook: Playbook) -> None:
        role = full_role(playbook)
        givegets = list(role.givegets.all())
        wiifm = draft("wiifm", playbook, role, givegets)
        assert wiifm.title == "Det får I ud af CRM’et: Sales"
        assert wiifm.text.startswith(
            "Hej alle,\n\nDen 1. marts 2027 begynder vi at arbejde i CRM’et."
        )
        assert "I spurgte os: »Does it help me close deals faster?« Vores svar:" in wiifm.text
        assert "Det beder vi jer om, og det får I til gengæld:\n- Log each" in wiifm.text
        assert "omkring 60 minutter tilbage om ugen" in wiifm.text
        quick = draft("quick_win", playbook, role, quick_win_due=datetime.date(2027, 3, 7))
        assert quick.title == "Jeres hurtige gevinst i uge 1: Meeting notes dictated on the phone"
        assert "Det er klar til jer senest den 7. marts 2027." in quick.text
        results = draft("first_results", playbook, role, givegets)
        assert results.title == "To uger efter: det har CRM’et givet jer indtil nu"
        assert "Det lovede vi jer:\n- An automatic pipeline report" in results.text
        session = draft("open_session", playbook, None)
        assert session.title == "Åbent møde: hvad data bruges til, og hvad de ikke bruges til"
        assert "De bruges ikke til: Ranking people." in session.text

    def test_empty_role(self, playbook: Playbook) -> None:
        role = empty_role(playbook)
        for kind in KINDS:
            result = draft(kind, playbook, role, [])
            assert result.text.startswith("Hej alle,"), kind
            assert not HOLES.search(result.title + "\n" + result.text), (kind, result)
        assert draft("quick_win", playbook, role).title == "Jeres første uge med CRM’et"

    def test_whatever_the_readers_language(self, playbook: Playbook) -> None:
        from django.utils import translation

        with translation.override("en"):
            assert draft("open_session", playbook, None).title.startswith("Åbent møde")
            assert translation.get_language() == "en"


class TestShown:
    def test_a_drafted_message_follows_its_role(self) -> None:
        playbook = english()
        role = full_role(playbook)
        message = Message(playbook=playbook, role=role, kind="quick_win", drafted=True)
        assert shown(message).title.endswith("Meeting notes dictated on the phone")
        assert "March 7, 2027" in shown(message).text  # the end of week 1, by default
        role.quick_win = "Voice notes"
        role.quick_win_due = datetime.date(2027, 3, 3)
        assert shown(message).title == "Your week-1 quick win: Voice notes"
        assert "March 3, 2027" in shown(message).text

    def test_an_edited_message_keeps_its_own_words(self) -> None:
        playbook = english()
        role = full_role(playbook)
        message = Message(
            playbook=playbook, role=role, kind="wiifm", drafted=False, title="Ours", text="Text"
        )
        assert (shown(message).title, shown(message).text) == ("Ours", "Text")

    def test_the_open_session_follows_the_charter(self) -> None:
        playbook = english()
        message = Message(playbook=playbook, role=None, kind="open_session", drafted=True)
        assert "used for:" not in shown(message).text
        charter(playbook)
        assert "It is used for: Forecasting and coaching." in shown(message).text
