"""The plan in everyone's calendar (issue 20, item 6): /playbooks/<id>/calendar.ics
for members and the secret feed /cal/<token>.ics, built with icalendar and
read back here with icalendar and vobject."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

import pytest
import vobject
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actionplan.defaults import default_plan
from actionplan.models import Step, Task
from actionplan.services import create_default_plan
from comms.drafts import draft
from comms.models import Message
from planner.services import delete_role
from playbooks.models import CalendarFeed, Playbook
from tests.calendar.helpers import calendar_property, read
from tests.factories import make_giveget, make_role

GO_LIVE = datetime.date(2027, 3, 1)
DAY = datetime.timedelta(days=1)


@dataclass
class Rollout:
    playbook: Playbook
    steps: list[Step]
    task: Task
    sales: Any
    support: Any
    giveget: Any
    wiifm: Message
    typed: Message
    undated: Message
    everyone: Message


def make_rollout(playbook: Playbook) -> Rollout:
    """A plan with one item of each kind dated, and some left undated."""
    playbook.go_live = GO_LIVE
    playbook.save()
    steps = create_default_plan(playbook)
    task = steps[2].tasks.order_by("order").first()
    assert task is not None
    task.due = datetime.date(2027, 1, 25)
    task.save()
    sales = make_role(
        playbook,
        "Sales",
        headcount=40,
        quick_win="Voice notes",
        question="Does it help me close deals faster?",
        wiifm="Lead scoring puts the right customers first.",
    )
    support = make_role(playbook, "Support", headcount=10)  # no quick win: nothing due
    giveget = make_giveget(sales, deliver_by=datetime.date(2027, 3, 10), get="Weekly report")
    make_giveget(sales, "Update the forecast")  # no deliver-by: left out
    return Rollout(
        playbook=playbook,
        steps=steps,
        task=task,
        sales=sales,
        support=support,
        giveget=giveget,
        wiifm=Message.objects.create(playbook=playbook, role=sales, kind="wiifm", drafted=True),
        typed=Message.objects.create(
            playbook=playbook, role=support, title="Kick-off", date=datetime.date(2027, 2, 20)
        ),
        undated=Message.objects.create(playbook=playbook, role=support, title="Some day"),
        everyone=Message.objects.create(playbook=playbook, kind="open_session", drafted=True),
    )


@pytest.fixture
def rollout(world: Any) -> Rollout:
    return make_rollout(world.playbook)


def uid(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@{settings.WIIFM_CALENDAR_DOMAIN}"


def ics(client: Client, playbook: Playbook, **headers: str) -> Any:
    return client.get(reverse("calendar_ics", args=[playbook.pk]), headers=headers)


def feed_of(playbook: Playbook) -> str:
    feed, _ = CalendarFeed.objects.get_or_create(playbook=playbook)
    return reverse("calendar_feed", args=[feed.token])


def dated_uids(playbook: Playbook) -> set[str]:
    """The plan's dated items, read straight from the rows: steps with a date
    (typed or following go-live), tasks with a due date, quick wins of roles
    that have one, Give-Gets with a deliver-by date, messages with a date
    (typed, or their kind's default)."""
    found = set()
    for step in Step.objects.filter(playbook=playbook):
        if step.start or step.due or playbook.go_live:
            found.add(uid("step", step.pk))
        found |= {uid("task", t.pk) for t in step.tasks.exclude(due=None)}
    for role in playbook.roles.all():
        if role.quick_win and (role.quick_win_due or playbook.go_live):
            found.add(uid("quickwin", role.pk))
        found |= {uid("giveget", g.pk) for g in role.givegets.exclude(deliver_by=None)}
    for message in Message.objects.filter(playbook=playbook):
        if message.date or (message.kind and playbook.go_live):
            found.add(uid("message", message.pk))
    return found


class TestContent:
    def test_both_parsers_read_one_event_per_dated_item(
        self, rollout: Rollout, client_for: Any
    ) -> None:
        response = ics(client_for("viewer"), rollout.playbook)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert response["Content-Disposition"] == (
            'attachment; filename="salesforce-rollout-2027-calendar.ics"'
        )
        events = read(response.content)
        # 7 steps, 1 task, Sales's quick win, 1 Give-Get, 3 dated messages.
        assert len(events) == 13
        assert set(events) == dated_uids(rollout.playbook)
        assert uid("message", rollout.undated.pk) not in events
        assert uid("quickwin", rollout.support.pk) not in events
        assert str(calendar_property(response.content, "X-WR-CALNAME")) == (
            "Salesforce rollout 2027"
        )

    def test_a_date_on_the_calendars_last_day_is_left_out_not_a_500(
        self, rollout: Rollout, client_for: Any
    ) -> None:
        """An all-day event ends the day after its last: 9999-12-31 has none."""
        Message.objects.filter(pk=rollout.undated.pk).update(date=datetime.date.max)
        response = ics(client_for("viewer"), rollout.playbook)
        assert response.status_code == 200
        assert uid("message", rollout.undated.pk) not in read(response.content)
        page = client_for("viewer").get(reverse("comms", args=[rollout.playbook.pk]))
        assert page.status_code == 200

    def test_each_kind_reads_as_the_plan_shows_it(self, rollout: Rollout, client_for: Any) -> None:
        events = read(ics(client_for("viewer"), rollout.playbook).content)
        step3 = events[uid("step", rollout.steps[2].pk)]
        start, due = rollout.steps[2].start_date, rollout.steps[2].due_date
        assert due is not None
        assert (step3.start, step3.end) == (start, due + DAY)  # the end is exclusive
        assert step3.summary == "Step 3: Build Give-Gets for every role"
        assert "Status: Not started" in step3.description
        assert f"http://testserver/playbooks/{rollout.playbook.pk}/plan/#step-3" in (
            step3.description
        )
        task = events[uid("task", rollout.task.pk)]
        assert (task.start, task.end) == (rollout.task.due, datetime.date(2027, 1, 26))
        assert task.summary == f"Task: {rollout.task.text}"
        quick_win = events[uid("quickwin", rollout.sales.pk)]
        assert quick_win.summary == "Quick win due: Sales — Voice notes"
        assert quick_win.start == GO_LIVE + 6 * DAY  # the end of week 1
        deliver = events[uid("giveget", rollout.giveget.pk)]
        assert deliver.summary == "Deliver: Sales — Weekly report"
        assert deliver.start == datetime.date(2027, 3, 10)
        wiifm = events[uid("message", rollout.wiifm.pk)]
        expected = draft(
            "wiifm", rollout.playbook, rollout.sales, list(rollout.sales.givegets.all())
        )
        assert wiifm.summary == f"Message to Sales: {expected.title}"
        assert wiifm.start == GO_LIVE - 14 * DAY
        assert "E-mail · Draft" in wiifm.description
        everyone = events[uid("message", rollout.everyone.pk)]
        assert everyone.summary == (
            "Message to all roles: Open session: what the data is and is not used for"
        )
        assert everyone.start == rollout.steps[4].due_date  # step 5's due date
        typed = events[uid("message", rollout.typed.pk)]
        assert (typed.summary, typed.start) == ("Message to Support: Kick-off", rollout.typed.date)

    def test_the_summaries_are_in_the_playbooks_language(self, world: Any, client_for: Any) -> None:
        world.playbook.language = "da"
        world.playbook.save()
        rollout = make_rollout(world.playbook)
        response = ics(client_for("viewer"), rollout.playbook, **{"Accept-Language": "en"})
        assert response["Content-Language"] == "da"
        step1 = read(response.content)[uid("step", rollout.steps[0].pk)]
        assert default_plan("da")[0]["title"] in step1.summary
        assert "Ikke startet" in step1.description  # "Not started", from the catalogue

    def test_a_playbook_without_go_live_shows_only_typed_dates(
        self, rollout: Rollout, client_for: Any
    ) -> None:
        rollout.playbook.go_live = None
        rollout.playbook.save()
        events = read(ics(client_for("viewer"), rollout.playbook).content)
        assert set(events) == {
            uid("task", rollout.task.pk),
            uid("giveget", rollout.giveget.pk),
            uid("message", rollout.typed.pk),
        }
        assert set(events) == dated_uids(rollout.playbook)

    def test_an_empty_calendar_still_parses(self, world: Any, client_for: Any) -> None:
        response = ics(client_for("viewer"), world.playbook)
        assert response.status_code == 200
        assert read(response.content) == {}

    def test_a_deleted_roles_items_leave_with_it(self, rollout: Rollout, client_for: Any) -> None:
        delete_role(role=rollout.sales)
        events = read(ics(client_for("viewer"), rollout.playbook).content)
        assert uid("quickwin", rollout.sales.pk) not in events
        assert uid("giveget", rollout.giveget.pk) not in events
        assert uid("message", rollout.wiifm.pk) not in events
        assert uid("message", rollout.everyone.pk) in events


class TestChanges:
    def test_moving_go_live_moves_default_dates_and_keeps_the_uids(
        self, rollout: Rollout, client_for: Any
    ) -> None:
        client = client_for("viewer")
        first = ics(client, rollout.playbook)
        before = read(first.content)
        rollout.playbook.go_live = GO_LIVE + 7 * DAY
        rollout.playbook.save()
        second = ics(client, rollout.playbook, **{"If-None-Match": first["ETag"]})
        assert second.status_code == 200
        assert second["ETag"] != first["ETag"]
        after = read(second.content)
        assert set(after) == set(before)
        following = {uid("step", s.pk) for s in rollout.steps} | {
            uid("quickwin", rollout.sales.pk),
            uid("message", rollout.wiifm.pk),
            uid("message", rollout.everyone.pk),
        }
        for key in following:
            assert (after[key].start, after[key].end) == (
                before[key].start + 7 * DAY,
                before[key].end + 7 * DAY,
            ), key
        for key in set(before) - following:  # typed dates stay
            assert (after[key].start, after[key].end) == (before[key].start, before[key].end)

    def test_an_edited_item_keeps_its_uid_and_its_stamp_moves_alone(
        self, rollout: Rollout, client_for: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        client = client_for("viewer")
        earlier = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)
        later = earlier + datetime.timedelta(hours=3)
        monkeypatch.setattr(timezone, "now", lambda: earlier)
        before = read(ics(client, rollout.playbook).content)
        rollout.typed.title = "Kick-off, moved"
        rollout.typed.save()
        rollout.sales.name = "Field sales"  # its drafted message follows it
        rollout.sales.save()
        monkeypatch.setattr(timezone, "now", lambda: later)
        response = ics(client, rollout.playbook)
        after = read(response.content)
        assert set(after) == set(before)
        typed, wiifm = uid("message", rollout.typed.pk), uid("message", rollout.wiifm.pk)
        assert after[typed].summary == "Message to Support: Kick-off, moved"
        assert after[wiifm].summary.startswith("Message to Field sales: ")
        changed = {
            typed,
            wiifm,
            uid("quickwin", rollout.sales.pk),
            uid("giveget", rollout.giveget.pk),
        }
        for key, event in after.items():
            expected = later if key in changed else earlier
            assert (event.stamp, event.last_modified) == (expected, expected), key
        assert response["Last-Modified"] == "Mon, 02 Nov 2026 12:30:00 GMT"

    def test_a_deleted_item_disappears(self, rollout: Rollout, client_for: Any) -> None:
        client = client_for("viewer")
        first = ics(client, rollout.playbook)
        gone = {
            uid("giveget", rollout.giveget.pk),
            uid("task", rollout.task.pk),
            uid("message", rollout.typed.pk),
        }
        assert gone <= set(read(first.content))
        rollout.giveget.delete()
        rollout.task.delete()
        rollout.typed.delete()
        second = ics(client, rollout.playbook, **{"If-None-Match": first["ETag"]})
        assert second.status_code == 200
        events = read(second.content)
        assert set(events) == set(read(first.content)) - gone
        assert set(events) == dated_uids(rollout.playbook)


class TestConditional:
    def test_304_while_nothing_changed_then_200(self, rollout: Rollout, client_for: Any) -> None:
        client = client_for("viewer")
        first = ics(client, rollout.playbook)
        assert first["Cache-Control"] == "private, no-cache"
        assert first["ETag"].startswith('"') and first["Last-Modified"]
        again = ics(client, rollout.playbook, **{"If-None-Match": first["ETag"]})
        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == first["ETag"]
        since = ics(client, rollout.playbook, **{"If-Modified-Since": first["Last-Modified"]})
        assert since.status_code == 304
        rollout.steps[0].owner = "Lea"  # not in the calendar: still 304
        rollout.steps[0].save()
        assert ics(client, rollout.playbook, **{"If-None-Match": first["ETag"]}).status_code == 304
        rollout.steps[0].title = "Say the value gap out loud"
        rollout.steps[0].save()
        changed = ics(client, rollout.playbook, **{"If-None-Match": first["ETag"]})
        assert changed.status_code == 200
        assert changed["ETag"] != first["ETag"]

    def test_if_modified_since_alone_sees_a_delete(
        self, rollout: Rollout, client_for: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        client = client_for("viewer")
        moment = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        first = ics(client, rollout.playbook)
        gone = uid("giveget", rollout.giveget.pk)
        rollout.giveget.delete()  # no row left to say when
        moment += datetime.timedelta(minutes=5)
        response = ics(client, rollout.playbook, **{"If-Modified-Since": first["Last-Modified"]})
        assert response.status_code == 200
        assert response["Last-Modified"] == "Mon, 02 Nov 2026 09:35:00 GMT"
        assert gone not in read(response.content)

    def test_the_feed_answers_304_too(self, rollout: Rollout) -> None:
        url = feed_of(rollout.playbook)
        first = Client().get(url)
        again = Client().get(url, headers={"If-None-Match": first["ETag"]})
        assert (first.status_code, again.status_code) == (200, 304)
        assert again["Cache-Control"] == "private, no-cache"
        assert not again.cookies

    def test_with_the_cache_down_the_calendar_is_served(
        self, rollout: Rollout, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def down(*args: Any, **kwargs: Any) -> Any:
            raise ConnectionError("cache down")

        for name in ("get", "set", "add"):
            monkeypatch.setattr(cache, name, down)
        url = feed_of(rollout.playbook)
        first = Client().get(url)
        assert first.status_code == 200
        assert len(read(first.content)) == 13
        assert Client().get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304


class TestEscaping:
    PAYLOAD = 'Voice; notes, "fast" \\ done\r\nBEGIN:VEVENT\r\nSUMMARY:forged\nEND:VEVENT'

    def test_payloads_stay_inside_their_property(self, rollout: Rollout, client_for: Any) -> None:
        rollout.playbook.name = "Rollout\r\nX-WR-CALNAME:forged; a, b \\"
        rollout.playbook.save()
        rollout.sales.quick_win = self.PAYLOAD
        rollout.sales.save()
        rollout.typed.title = self.PAYLOAD
        rollout.typed.save()
        rollout.giveget.get = self.PAYLOAD
        rollout.giveget.owner = "Ops;\nteam"
        rollout.giveget.save()
        content = ics(client_for("viewer"), rollout.playbook).content
        events = read(content)
        assert len(events) == 13
        lines = content.decode().split("\r\n")
        assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 13
        assert not any(line.startswith(("SUMMARY:forged", "X-WR-CALNAME:forged")) for line in lines)
        assert sum(line.startswith("X-WR-CALNAME:") for line in lines) == 1
        assert "\n" not in content.decode().replace("\r\n", "")  # no bare line break anywhere
        # Read back, the text is what was typed (a line break as \n).
        shown = self.PAYLOAD.replace("\r\n", "\n")
        assert events[uid("message", rollout.typed.pk)].summary == f"Message to Support: {shown}"
        assert events[uid("quickwin", rollout.sales.pk)].summary == (
            f"Quick win due: Sales — {shown.strip()}"
        )
        assert "Who delivers: Ops;\nteam" in events[uid("giveget", rollout.giveget.pk)].description
        name = vobject.readOne(content.decode()).x_wr_calname.value
        assert name == "Rollout\nX-WR-CALNAME:forged; a, b \\"

    def test_the_longest_text_is_folded_without_splitting_an_escape(
        self, rollout: Rollout, client_for: Any
    ) -> None:
        rollout.typed.title = ("é\\;," * 50)[:200]
        rollout.typed.save()
        step = rollout.steps[0]
        step.description = "x\n" * 2500
        step.save()
        content = ics(client_for("viewer"), rollout.playbook).content
        for line in content.split(b"\r\n"):
            assert len(line) <= 75
        events = read(content)
        assert events[uid("message", rollout.typed.pk)].summary.endswith(rollout.typed.title)
        assert events[uid("step", step.pk)].description.startswith("x\n" * 2500)


class TestMemberDownload:
    @pytest.mark.parametrize("who", ["viewer", "editor", "owner"])
    def test_members_download_it(self, rollout: Rollout, client_for: Any, who: str) -> None:
        response = ics(client_for(who), rollout.playbook)
        assert response.status_code == 200
        assert len(read(response.content)) == 13

    def test_anonymous_goes_to_log_in(self, rollout: Rollout, client_for: Any) -> None:
        response = ics(client_for("anonymous"), rollout.playbook)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_an_outsider_finds_nothing(self, rollout: Rollout, client_for: Any) -> None:
        assert ics(client_for("outsider"), rollout.playbook).status_code == 404

    def test_it_only_reads(self, rollout: Rollout, client_for: Any) -> None:
        url = reverse("calendar_ics", args=[rollout.playbook.pk])
        assert client_for("owner").post(url).status_code == 405
        assert client_for("owner").head(url).status_code == 200

    def test_another_playbooks_items_never_show(
        self, rollout: Rollout, world: Any, client_for: Any
    ) -> None:
        other = make_rollout(world.other_playbook)
        mine = read(ics(client_for("viewer"), rollout.playbook).content)
        theirs = read(ics(client_for("outsider"), other.playbook).content)
        assert not set(mine) & set(theirs)
        assert set(theirs) == dated_uids(other.playbook)


class TestFeed:
    def test_the_token_holder_gets_the_calendar_without_login_or_cookie(
        self, rollout: Rollout
    ) -> None:
        response = Client().get(feed_of(rollout.playbook))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert "filename=" in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-cache"
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["X-Robots-Tag"] == "noindex"
        assert not response.cookies
        assert set(read(response.content)) == dated_uids(rollout.playbook)

    @pytest.mark.parametrize("who", ["anonymous", "outsider", "viewer", "editor", "owner"])
    def test_anyone_with_the_token_gets_the_same_and_no_cookie(
        self, rollout: Rollout, client_for: Any, who: str
    ) -> None:
        response = client_for(who).get(feed_of(rollout.playbook))
        assert response.status_code == 200
        assert not response.cookies
        assert set(read(response.content)) == dated_uids(rollout.playbook)

    def test_a_token_of_playbook_a_gives_nothing_of_b(self, rollout: Rollout, world: Any) -> None:
        other = make_rollout(world.other_playbook)
        other.sales.name = "Oscar's secret role"
        other.sales.save()
        content = Client().get(feed_of(rollout.playbook)).content
        assert b"Oscar" not in content
        assert set(read(content)) == dated_uids(rollout.playbook)
        assert not set(read(content)) & dated_uids(other.playbook)

    @pytest.mark.parametrize(
        "token",
        ["Q" * 43, "short", "Q" * 44, "../../etc/passwd", "Q" * 42 + "!"],
    )
    def test_an_unknown_token_is_the_plain_404(self, rollout: Rollout, token: str) -> None:
        feed_of(rollout.playbook)
        response = Client().get(f"/cal/{token}.ics")
        assert response.status_code == 404
        assert not response.cookies
        assert response["Cache-Control"] == "no-store"
        assert response["Referrer-Policy"] == "no-referrer"
        assert b"BEGIN:VCALENDAR" not in response.content

    def test_a_revoked_token_is_404(self, rollout: Rollout) -> None:
        url = feed_of(rollout.playbook)
        CalendarFeed.objects.filter(playbook=rollout.playbook).delete()
        response = Client().get(url)
        assert response.status_code == 404
        assert response["Cache-Control"] == "no-store"

    def test_errors_under_cal_stay_private(self, rollout: Rollout) -> None:
        url = feed_of(rollout.playbook)
        client = Client(enforce_csrf_checks=True)
        for response in (client.post(url), client.get("/cal/"), client.get("/cal/a/b.ics")):
            assert response.status_code in {403, 404, 405}  # CSRF, not found, GET only
            assert not response.cookies
            assert response["Cache-Control"] == "no-store"
            assert response["Referrer-Policy"] == "no-referrer"

    def test_the_logs_hold_no_token(self, rollout: Rollout, log_output: io.StringIO) -> None:
        url = feed_of(rollout.playbook)
        token = CalendarFeed.objects.get().token
        Client().get(url)
        unknown = "z" * 43
        Client().get(f"/cal/{unknown}.ics")
        Client().get(url.removesuffix(".ics") + "/")  # mistyped: not found, token hidden
        CalendarFeed.objects.all().delete()
        Client().get(url)  # revoked
        logged = log_output.getvalue()
        assert "Not Found: /cal/….ics" in logged
        assert "Not Found: /cal/…/" in logged
        assert token not in logged and unknown not in logged


class TestQueries:
    def grow(self, rollout: Rollout, size: int) -> None:
        """``size`` more roles, each with a quick win, Give-Gets and messages,
        and more dated tasks in every step."""
        for n in range(size):
            role = make_role(rollout.playbook, f"Role {n}", quick_win=f"Win {n}")
            for m in range(3):
                make_giveget(role, f"Give {m}", deliver_by=GO_LIVE + m * DAY)
            Message.objects.create(playbook=rollout.playbook, role=role, kind="wiifm", drafted=True)
            Message.objects.create(
                playbook=rollout.playbook, role=role, kind="quick_win", drafted=True
            )
            Message.objects.create(
                playbook=rollout.playbook, role=role, title=f"Note {n}", date=GO_LIVE
            )
        for step in rollout.steps:
            Task.objects.bulk_create(
                Task(step=step, text=f"T{n}", order=10 + n, due=GO_LIVE) for n in range(size)
            )

    @pytest.mark.parametrize("size", [0, 12])
    def test_a_fixed_number_of_queries_whatever_the_size(
        self,
        rollout: Rollout,
        client_for: Any,
        django_assert_num_queries: Any,
        size: int,
    ) -> None:
        self.grow(rollout, size)
        url = feed_of(rollout.playbook)
        client = client_for("viewer")
        # session, user, membership with playbook; steps, tasks, roles, Give-Gets, messages
        with django_assert_num_queries(8):
            member = ics(client, rollout.playbook)
        # the feed with its playbook; steps, tasks, roles, Give-Gets, messages
        with django_assert_num_queries(6):
            feed = Client().get(url)
        # Per role a quick win, 3 Give-Gets, 3 messages; per step `size` tasks.
        assert len(read(member.content)) == 13 + size * 7 + 7 * size
        assert set(read(feed.content)) == set(read(member.content))
        assert set(read(feed.content)) == dated_uids(rollout.playbook)


def test_uids_do_not_depend_on_the_host_the_feed_is_reached_by(
    rollout: Rollout, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "wiifm.example.com", "other.example.com"]
    url = feed_of(rollout.playbook)
    first = Client().get(url, HTTP_HOST="wiifm.example.com").content
    second = Client().get(url, HTTP_HOST="other.example.com").content
    uids = [line for line in first.decode().splitlines() if line.startswith("UID:")]
    assert uids and all(line.endswith(f"@{settings.WIIFM_CALENDAR_DOMAIN}") for line in uids)
    assert uids == [line for line in second.decode().splitlines() if line.startswith("UID:")]
