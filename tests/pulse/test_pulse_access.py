"""Who may answer a pulse: the link holder, never a member of its playbook;
a link of playbook A opens nothing of playbook B. And a fuzzed form: no 500."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulse import links
from pulse.models import PulseAnswer
from tests.factories import make_role, make_user

GO_LIVE = datetime.date(2027, 3, 1)
ANSWER = {"cost_minutes": "10", "saved_minutes": "30", "got_back": "3", "comment": ""}


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pulse.weeks.today", lambda: GO_LIVE + datetime.timedelta(days=1))


@pytest.fixture
def two_links(world: Any, pinned: None) -> tuple[Any, Any]:
    for playbook in (world.playbook, world.other_playbook):
        playbook.go_live = GO_LIVE
        playbook.save()
    mine = links.issue(make_role(world.playbook, "Sales", headcount=40))
    theirs = links.issue(make_role(world.other_playbook, "Service", headcount=40))
    return mine, theirs


@pytest.mark.parametrize(
    ("who", "status", "stored"),
    [
        ("anonymous", 302, 1),  # the link holder: no account needed
        ("outsider", 302, 1),  # logged in, but to another playbook only
        ("viewer", 403, 0),
        ("editor", 403, 0),
        ("owner", 403, 0),
    ],
)
def test_who_may_answer(
    two_links: tuple[Any, Any], client_for: Any, who: str, status: int, stored: int
) -> None:
    mine, _theirs = two_links
    client = client_for(who)
    page = client.get(reverse("pulse_page", args=[mine.token]))
    assert page.status_code == 200
    response = client.post(reverse("pulse_page", args=[mine.token]), ANSWER)
    assert response.status_code == status
    assert PulseAnswer.objects.filter(role=mine.role).count() == stored
    if status == 403:
        assert b"Members do not answer their own pulse." in response.content
        assert b'name="cost_minutes"' not in page.content


def test_a_superuser_is_refused_as_an_owner(two_links: tuple[Any, Any], client: Client) -> None:
    """A superuser is an owner of every playbook (DESIGN.md): no padding a
    week from the admin's account either (found by tests/test_access_matrix.py)."""
    mine, _theirs = two_links
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    page = client.get(reverse("pulse_page", args=[mine.token]))
    response = client.post(reverse("pulse_page", args=[mine.token]), ANSWER)
    assert response.status_code == 403
    assert b"Members do not answer their own pulse." in response.content
    assert b'name="cost_minutes"' not in page.content
    assert not PulseAnswer.objects.exists()


def test_a_member_of_the_other_playbook_answers_there_only_as_a_link_holder(
    two_links: tuple[Any, Any], client_for: Any
) -> None:
    mine, theirs = two_links
    outsider = client_for("outsider")  # owns the other playbook
    assert outsider.post(reverse("pulse_page", args=[theirs.token]), ANSWER).status_code == 403
    assert outsider.post(reverse("pulse_page", args=[mine.token]), ANSWER).status_code == 302
    assert PulseAnswer.objects.get().role == mine.role


def test_a_link_shows_its_own_role_and_playbook_only(two_links: tuple[Any, Any]) -> None:
    mine, theirs = two_links
    html = Client().get(reverse("pulse_page", args=[mine.token])).content.decode()
    assert "Sales" in html and "Salesforce rollout 2027" in html
    assert "Service" not in html and "Oscar" not in html
    assert reverse("pulse_page", args=[theirs.token]) not in html


def test_the_thank_you_page_needs_a_working_link(two_links: tuple[Any, Any]) -> None:
    mine, _theirs = two_links
    assert Client().get(reverse("pulse_thanks", args=[mine.token])).status_code == 200
    assert Client().get("/p/" + "q" * 43 + "/thanks/").status_code == 404
    assert Client().post(reverse("pulse_thanks", args=[mine.token])).status_code == 405


text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "-0", "1e3", "2400", "2401", "٣", "0x10", "1,5", "NaN", "\x00"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.dictionaries(
        st.sampled_from(["cost_minutes", "saved_minutes", "got_back", "comment", "extra"]),
        st.one_of(text, st.text(min_size=490, max_size=520)),
    )
)
def test_fuzzed_answers_never_fail_the_server(
    two_links: tuple[Any, Any], data: dict[str, str]
) -> None:
    mine, _theirs = two_links
    before = PulseAnswer.objects.count()
    response = Client().post(reverse("pulse_page", args=[mine.token]), data)
    assert response.status_code in (302, 400, 429)
    if response.status_code == 302:
        answer = PulseAnswer.objects.order_by().latest("week")
        assert 0 <= answer.cost_minutes <= 2400 and 1 <= answer.got_back <= 5
        assert len(answer.comment) <= 500
    else:
        assert PulseAnswer.objects.count() == before
