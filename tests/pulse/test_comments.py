"""What they said: the pulse's comments on the role page, and an editor's hide
(DESIGN.md "The privacy threshold k": comments are shown only for shown weeks
that have at least k comments, in a random order, never beside their
answer's numbers)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from planner.changelog import purge_playbook_history
from pulse.models import HiddenComment, PulseAnswer
from roles.models import Role
from tests.factories import make_playbook, make_role
from tests.pulse.answers import answer, go_live_with_closed_weeks

pytestmark = pytest.mark.django_db
K = 5


@pytest.fixture
def sales(world: Any) -> Role:
    world.playbook.go_live = go_live_with_closed_weeks(3)
    world.playbook.pulse_k = K
    world.playbook.save()
    return make_role(world.playbook, "Sales", headcount=40)


def words(week: int, n: int) -> list[str]:
    return [f"Idea {n} of week {week}" for n in range(1, n + 1)]


def page(client: Client, role: Role, query: str = "") -> str:
    response = client.get(reverse("role_detail", args=[role.playbook_id, role.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def section(text: str) -> str:
    """The "What they said" section of a role page ("" when there is none)."""
    found = re.search(r'<section id="comments".*?</section>', text, re.S)
    return html.unescape(found.group(0)) if found else ""


COMMENT = re.compile(r'<p class="mb-1[^"]*">(Idea \d+ of week \d+)</p>')


def shown(text: str) -> list[str]:
    """The comments shown to everyone, in the page's order."""
    return COMMENT.findall(section(text).split("hidden-comments")[0])


def hidden_listed(text: str) -> list[str]:
    """The hidden ones an editor may show again."""
    parts = section(text).split("hidden-comments")
    return COMMENT.findall(parts[1]) if len(parts) > 1 else []


def hide_url(answer: PulseAnswer, action: str = "hide") -> str:
    role = answer.role
    return reverse(f"comment_{action}", args=[role.playbook_id, role.pk, answer.pk])


class TestWhatIsShown:
    @pytest.mark.parametrize(("comments", "expected"), [(K - 1, 0), (K, K)])
    def test_k_minus_one_comments_show_none_k_show_all(
        self, sales: Role, client_for: Any, comments: int, expected: int
    ) -> None:
        answer(sales, 3, 8, comments=words(3, comments))
        text = page(client_for("viewer"), sales)
        assert len(shown(text)) == expected
        if not expected:
            assert "Week 3 has fewer than 5 comments, so none are shown." in section(text)

    def test_a_week_below_k_answers_shows_no_comment(self, sales: Role, client_for: Any) -> None:
        sales.playbook.pulse_k = 3
        sales.playbook.save()  # weeks closed so far keep k = 5
        answer(sales, 3, 4, comments=words(3, 4))
        assert shown(page(client_for("viewer"), sales)) == []

    def test_an_open_week_with_many_comments_shows_nothing(
        self, sales: Role, client_for: Any
    ) -> None:
        answer(sales, 4, 60, comments=words(4, 60))  # week 4 is open today
        text = section(page(client_for("viewer"), sales))
        assert "Idea" not in text
        assert "Nothing to show yet" in text

    def test_a_role_under_2k_people_shows_no_comment(self, sales: Role, client_for: Any) -> None:
        sales.headcount = 2 * K - 1
        sales.save()
        answer(sales, 3, 9, comments=words(3, 9))
        text = section(page(client_for("viewer"), sales))
        assert "Idea" not in text
        assert "fewer than 10 people" in text

    @pytest.mark.parametrize("closed", [0, None])
    def test_no_section_before_a_week_has_closed(
        self, sales: Role, client_for: Any, closed: int | None
    ) -> None:
        playbook = sales.playbook
        playbook.go_live = None if closed is None else go_live_with_closed_weeks(closed)
        playbook.save()
        answer(sales, 1, 20, comments=words(1, 20))
        assert section(page(client_for("viewer"), sales)) == ""

    def test_in_a_random_order_and_never_beside_the_numbers(
        self, sales: Role, client_for: Any
    ) -> None:
        answer(sales, 3, 12, cost=1717, saved=1999, got_back=2, comments=words(3, 12))
        client = client_for("viewer")
        orders = {tuple(shown(page(client, sales))) for _ in range(6)}
        assert all(sorted(order) == sorted(words(3, 12)) for order in orders)
        assert len(orders) > 1  # a fresh order each view (12! orders)
        by_id = [
            a.comment for a in PulseAnswer.objects.filter(role=sales).order_by("pk")
        ]  # nor the answers' (random) id order, every time
        assert any(list(order) != by_id for order in orders)
        text = section(page(client, sales))
        for number in ("1717", "1999", "282", "−282", "2.0"):
            assert number not in text

    def test_the_last_shown_week_first_and_earlier_weeks_by_link(
        self, sales: Role, client_for: Any
    ) -> None:
        answer(sales, 1, 6, comments=words(1, 6))
        answer(sales, 2, 6, comments=words(2, 3))  # shown, but below k comments
        answer(sales, 3, 6, comments=words(3, 5))
        client = client_for("viewer")
        text = page(client, sales)
        assert sorted(shown(text)) == sorted(words(3, 5))
        assert 'href="?week=1#comments"' in text
        assert 'href="?week=2#comments"' not in text  # nothing to read there
        assert sorted(shown(page(client, sales, "?week=1"))) == sorted(words(1, 6))
        assert shown(page(client, sales, "?week=2")) == []
        for wrong in ("?week=4", "?week=0", "?week=x", "?week=-1"):
            assert sorted(shown(page(client, sales, wrong))) == sorted(words(3, 5))

    def test_another_playbooks_comments_never_appear(
        self, sales: Role, world: Any, client_for: Any
    ) -> None:
        other = make_playbook(world.outsider, go_live=sales.playbook.go_live, pulse_k=K)
        theirs = make_role(other, "Sales", headcount=40)
        answer(theirs, 3, 8, comments=[f"Secret {n}" for n in range(8)])
        answer(sales, 3, 6, comments=words(3, 6))
        text = section(page(client_for("owner"), sales))
        assert "Secret" not in text
        foreign = PulseAnswer.objects.filter(role=theirs).first()
        assert foreign is not None
        client = client_for("owner")
        for action in ("hide", "show"):
            mixed = reverse(f"comment_{action}", args=[sales.playbook_id, sales.pk, foreign.pk])
            assert client.post(mixed).status_code == 404
            assert client.post(hide_url(foreign, action)).status_code == 404
        assert not HiddenComment.objects.exists()


class TestHide:
    def test_a_hidden_comment_is_shown_nowhere_and_can_be_shown_again(
        self, sales: Role, client_for: Any
    ) -> None:
        answers = answer(sales, 3, 8, comments=words(3, 6))
        editor, viewer = client_for("editor"), client_for("viewer")
        response = editor.post(hide_url(answers[0]))
        assert response.status_code == 302
        assert response["Location"].endswith(f"/roles/{sales.pk}/?week=3#comments")
        assert sorted(shown(page(viewer, sales))) == sorted(words(3, 6)[1:])
        text = page(editor, sales)
        assert "Idea 1 of week 3" not in shown(text)
        assert hidden_listed(text) == ["Idea 1 of week 3"]
        assert "Show again" in section(text)
        assert hidden_listed(page(viewer, sales)) == []
        assert editor.post(hide_url(answers[0], "show")).status_code == 302
        assert sorted(shown(page(viewer, sales))) == sorted(words(3, 6))
        assert not HiddenComment.objects.exists()

    def test_hiding_can_take_a_week_below_k(self, sales: Role, client_for: Any) -> None:
        answers = answer(sales, 3, 8, comments=words(3, K))
        editor = client_for("editor")
        editor.post(hide_url(answers[2]))
        assert shown(page(client_for("viewer"), sales)) == []
        text = page(editor, sales)
        assert shown(text) == []
        assert hidden_listed(text) == ["Idea 3 of week 3"]  # still there to show again
        editor.post(hide_url(answers[2], "show"))
        assert len(shown(page(client_for("viewer"), sales))) == K

    def test_viewers_see_no_button(self, sales: Role, client_for: Any) -> None:
        answer(sales, 3, 6, comments=words(3, 6))
        assert "Hide" not in section(page(client_for("viewer"), sales))
        assert section(page(client_for("editor"), sales)).count(">Hide<") == 6

    @pytest.mark.parametrize(
        ("who", "status"),
        [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 302), ("owner", 302)],
    )
    @pytest.mark.parametrize("action", ["hide", "show"])
    def test_access(self, sales: Role, client_for: Any, who: str, status: int, action: str) -> None:
        answers = answer(sales, 3, 6, comments=words(3, 6))
        if action == "show":
            HiddenComment.objects.create(answer=answers[0], role=sales, week=3)
        response = client_for(who).post(hide_url(answers[0], action))
        assert response.status_code == status
        if who == "anonymous":
            assert response["Location"].startswith(reverse("login"))
        acted = who in ("editor", "owner")
        assert HiddenComment.objects.exists() is (acted if action == "hide" else not acted)
        assert client_for("owner").get(hide_url(answers[0], action)).status_code == 405

    def test_a_comment_of_an_open_week_cannot_be_hidden(self, sales: Role, client_for: Any) -> None:
        answers = answer(sales, 4, 20, comments=words(4, 20))
        assert client_for("editor").post(hide_url(answers[0])).status_code == 404
        assert not HiddenComment.objects.exists()

    def test_an_answer_without_a_comment_cannot_be_hidden(
        self, sales: Role, client_for: Any
    ) -> None:
        answers = answer(sales, 3, 8, comments=words(3, 6))
        assert client_for("editor").post(hide_url(answers[7])).status_code == 404


class TestHistory:
    def test_hide_and_show_again_are_on_the_changes_page_without_the_text(
        self, sales: Role, client_for: Any
    ) -> None:
        answers = answer(sales, 3, 8, comments=words(3, 6))
        editor = client_for("editor")
        editor.post(hide_url(answers[1]))
        editor.post(hide_url(answers[1], "show"))
        changes = reverse("changes", args=[sales.playbook_id])
        for query in ("", "?kind=comment", f"?role={sales.pk}", f"?role={sales.pk}&kind=comment"):
            text = html.unescape(client_for("viewer").get(changes + query).content.decode())
            assert "Edith showed a comment on Sales, week 3 again." in text
            assert "Edith hid a comment on Sales, week 3." in text
            assert "Idea" not in text
        assert "Hidden comments" in client_for("viewer").get(changes).content.decode()

    def test_the_history_keeps_no_answer_and_answers_keep_none(self, sales: Role) -> None:
        answers = answer(sales, 3, 8, comments=words(3, 6))
        HiddenComment.objects.create(answer=answers[0], role=sales, week=3)
        record = HiddenComment.history.get()
        names = {field.name for field in record._meta.fields}
        assert "answer" not in names and "comment" not in names
        assert not hasattr(PulseAnswer, "history")

    def test_a_deleted_playbooks_history_goes_with_its_hidden_comments(
        self, sales: Role, client_for: Any
    ) -> None:
        answers = answer(sales, 3, 8, comments=words(3, 6))
        client_for("editor").post(hide_url(answers[0]))
        playbook_id = sales.playbook_id
        sales.playbook.delete()
        assert HiddenComment.history.count() == 2  # hidden, then gone with the playbook
        purge_playbook_history(playbook_id)
        assert not HiddenComment.history.exists()


class TestQueries:
    @pytest.mark.parametrize(("weeks", "comments"), [(1, K + 1), (3, 40)])
    def test_the_role_page_costs_the_same_however_many_weeks_and_comments(
        self,
        sales: Role,
        client_for: Any,
        django_assert_num_queries: Any,
        weeks: int,
        comments: int,
    ) -> None:
        for week in range(4 - weeks, 4):
            answer(sales, week, comments, comments=words(week, comments))
        HiddenComment.objects.create(
            answer=PulseAnswer.objects.filter(role=sales, week=3).first(), role=sales, week=3
        )
        client = client_for("editor")
        page(client, sales)  # the closed weeks summed up, the fragment cached
        # session, user, membership with playbook, the plan's progress; then
        # the role, the pulse state, the week summaries, the kept k, the
        # comments counted per week, the comments of the week on view; for an
        # editor the add form's owner suggestions: members, ambassadors
        with django_assert_num_queries(12):
            text = page(client, sales)
        assert len(shown(text)) == comments - 1
