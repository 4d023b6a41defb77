"""The default plan's texts: DESIGN.md's seven steps, each with its starter tasks,
in the playbook's language."""

from __future__ import annotations

import datetime

import pytest

from actionplan.defaults import default_dates, default_plan

TITLES = [
    "Acknowledge the value gap",
    "Answer WIIFM for every role",
    "Build Give-Gets for every role",
    "Recruit ambassadors",
    "Address the Big Brother fear",
    "Deliver quick wins in week 1",
    "Close the feedback loop and coach",
]


def test_the_seven_steps_in_english() -> None:
    plan = default_plan("en")
    assert [(step["number"], step["title"]) for step in plan] == list(enumerate(TITLES, 1))
    assert [len(step["tasks"]) for step in plan] == [3, 3, 3, 4, 3, 2, 3]
    assert "“We ask you for data. In return we commit" in plan[0]["description"]
    assert "data charter" in plan[4]["description"]
    assert "Complete ambassador training two weeks before go-live" in plan[3]["tasks"]


def test_every_text_is_danish_in_a_danish_playbook() -> None:
    """A text missing from the Danish catalogue would reach a Danish playbook in English."""
    english, danish = default_plan("en"), default_plan("da")
    assert [s["number"] for s in danish] == [1, 2, 3, 4, 5, 6, 7]
    for en, da in zip(english, danish, strict=True):
        assert da["title"] != en["title"], en["title"]
        assert da["description"] != en["description"], en["description"]
        assert len(da["tasks"]) == len(en["tasks"])
        for en_task, da_task in zip(en["tasks"], da["tasks"], strict=True):
            assert da_task != en_task, en_task
    assert danish[0]["title"] == "Anerkend værdigabet"


@pytest.mark.parametrize("number", [0, 8])
def test_a_step_outside_the_seven_has_no_default_dates(number: int) -> None:
    assert default_dates(number, datetime.date(2027, 3, 1)) == (None, None)
