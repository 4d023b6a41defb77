"""Degrade, don't fail, when the cache is down (issue 23, item 3).

Each test starts its own redis-server on a free port (no data kept on disk),
points the default cache at it (``core.cache.TolerantRedisCache``, as
settings do with REDIS_URL) and stops it, or hangs it (SIGSTOP: it accepts
connections and answers nothing, which only the socket timeouts end), in the
middle. Pages and downloads still answer, writes commit and say so, and once
Redis is back nothing shows what was there before the outage: the version
stamps are in the database (``core.versions``).
"""

from __future__ import annotations

import datetime
import io
import logging
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
import redis
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse

import core.cache
from ambassadors.services import issue_link
from playbooks.models import CalendarFeed, Playbook
from pulse import links
from pulse.models import PulseAnswer
from tests.factories import make_ambassador, make_giveget, make_role

pytestmark = pytest.mark.django_db

GO_LIVE = datetime.date(2027, 3, 1)
ANSWER = {"cost_minutes": "40", "saved_minutes": "70", "got_back": "4", "comment": ""}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A redis-server of the test's own, to stop, start, hang and resume."""

    def __init__(self, tmp: Path) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            pytest.fail("redis-server is needed for the cache outage tests (apt install redis)")
        self.executable = executable
        self.port = free_port()
        self.dir = tmp
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                if client.ping():
                    break
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        back_again()

    def stop(self) -> None:
        """Gone: connections refused, and its data with it."""
        assert self.process is not None
        self.process.terminate()
        self.process.wait(10)
        self.process = None

    def hang(self) -> None:
        """Still listening, answering nothing: the socket timeouts end each wait."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Back after a hang, with the data it held."""
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)
        back_again()

    def close(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
            self.stop()


def back_again() -> None:
    """As if the breaker's few seconds had passed (``core.cache``): the next
    cache call asks Redis again."""
    core.cache._states.clear()


@pytest.fixture
def redis_server(settings: Any, tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "wiifm-test",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
    try:
        yield server
    finally:
        server.close()
        back_again()


class Rollout:
    """A playbook with a bit of everything the public pages show."""

    def __init__(self, world: Any) -> None:
        self.playbook: Playbook = world.playbook
        self.playbook.go_live = GO_LIVE
        self.playbook.pledge = "We ask for data and give back insight."
        self.playbook.save()
        self.role = make_role(self.playbook, "Sales", headcount=3, quick_win="Voice notes")
        make_giveget(self.role, minutes_saved_per_week=30)
        self.ambassador = make_ambassador(self.role)
        self.token = issue_link(self.ambassador)
        self.link = links.issue(self.role)
        self.feed = CalendarFeed.objects.create(playbook=self.playbook)


@pytest.fixture
def rollout(world: Any, redis_server: RedisServer) -> Rollout:
    return Rollout(world)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Wednesday in week 2 after go-live: the pulse takes answers."""
    monkeypatch.setattr("pulse.weeks.today", lambda: GO_LIVE + datetime.timedelta(days=9))


def pages(rollout: Rollout) -> dict[str, str]:
    pk = rollout.playbook.pk
    return {
        "overview": reverse("playbook_detail", args=[pk]),
        "matrix": reverse("matrix", args=[pk]),
        "role page": reverse("role_detail", args=[pk, rollout.role.pk]),
        "results": reverse("results", args=[pk]),
        "downloads": reverse("downloads", args=[pk]),
        "playbook.pdf": reverse("playbook_pdf", args=[pk]),
        "one-pager": reverse("role_one_pager", args=[pk, rollout.role.pk]),
    }


def public_pages(rollout: Rollout) -> dict[str, str]:
    return {
        "ambassador page": reverse("ambassador_page", args=[rollout.token]),
        "ambassador one-pager": reverse("ambassador_one_pager", args=[rollout.token]),
        "pulse page": reverse("pulse_page", args=[rollout.link.token]),
        "calendar feed": reverse("calendar_feed", args=[rollout.feed.token]),
    }


def answered(client: Client, url: str) -> int:
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)  # type: ignore[attr-defined]  # read to its end
    return response.status_code


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_the_fixture_really_uses_its_own_redis(redis_server: RedisServer) -> None:
    cache.set("probe", "here")
    assert cache.get("probe") == "here"
    assert isinstance(caches["default"], core.cache.TolerantRedisCache)
    redis_server.stop()
    assert cache.get("probe") is None
    assert core.cache.cache_down()


@pytest.mark.parametrize("outage", ["stopped", "hung"])
def test_every_page_and_download_answers_with_redis_down(
    rollout: Rollout, redis_server: RedisServer, client_for: Any, today: None, outage: str
) -> None:
    client = client_for("editor")
    everything = pages(rollout) | public_pages(rollout)
    for name, url in everything.items():  # with Redis up: cached
        assert answered(client if name in pages(rollout) else Client(), url) == 200, name
    redis_server.stop() if outage == "stopped" else redis_server.hang()
    for name, url in everything.items():
        assert answered(client if name in pages(rollout) else Client(), url) == 200, name
    # The downloads page says the documents cannot be listed, and polls for nothing.
    html = client.get(pages(rollout)["downloads"]).content.decode()
    assert "cannot be shown right now" in html
    assert "hx-trigger" not in html
    # A pulse answer goes in.
    assert Client().post(public_pages(rollout)["pulse page"], ANSWER).status_code == 302
    assert PulseAnswer.objects.count() == 1


@pytest.mark.parametrize("outage", ["stopped", "hung"])
def test_healthz_says_degraded_and_answers_200(
    redis_server: RedisServer, client: Client, outage: str
) -> None:
    """A cache outage must not make the load balancer pull every server."""
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok"}
    redis_server.stop() if outage == "stopped" else redis_server.hang()
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 3  # a hung Redis: the socket timeouts, not forever
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "degraded"}
    if outage == "stopped":
        redis_server.start()
    else:
        redis_server.resume()
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_a_charter_saved_during_a_hang_shows_once_redis_is_back(
    rollout: Rollout, redis_server: RedisServer, client_for: Any
) -> None:
    """Redis hangs and comes back with everything it held, the fragments and
    the PDF of the old pledge among them: the new pledge shows all the same."""
    client = client_for("editor")
    overview = pages(rollout)["overview"]
    pdf_url = pages(rollout)["playbook.pdf"]
    assert "give back insight" in client.get(overview).content.decode()
    before = client.get(pdf_url)
    assert "give back insight" in pdf_text(before.content)
    assert client.get(pdf_url, headers={"If-None-Match": before["ETag"]}).status_code == 304

    redis_server.hang()
    response = client.post(
        reverse("charter_edit", args=[rollout.playbook.pk]),
        {"charter-pledge": "We promise a weekly forecast in return."},
    )
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert "Changes saved." in shown
    assert "weekly forecast in return" in shown
    rollout.playbook.refresh_from_db()
    assert rollout.playbook.pledge == "We promise a weekly forecast in return."

    redis_server.resume()
    html = client.get(overview).content.decode()
    assert "weekly forecast in return" in html
    assert "give back insight" not in html
    after = client.get(pdf_url, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "weekly forecast in return" in pdf_text(after.content)
    # The new version is kept again: the next look is from the cache.
    assert client.get(pdf_url, headers={"If-None-Match": after["ETag"]}).status_code == 304


def test_a_charter_saved_while_redis_is_stopped_commits_and_says_so(
    rollout: Rollout, redis_server: RedisServer, client_for: Any
) -> None:
    client = client_for("editor")
    redis_server.stop()
    response = client.post(
        reverse("charter_edit", args=[rollout.playbook.pk]),
        {"charter-pledge": "We promise a weekly forecast in return."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Changes saved." in html
    assert "weekly forecast in return" in html
    assert Playbook.objects.get(pk=rollout.playbook.pk).pledge.startswith("We promise")
    redis_server.start()
    assert "weekly forecast in return" in client.get(pages(rollout)["overview"]).content.decode()


def test_matrix_edits_commit_with_redis_stopped_and_show_after(
    rollout: Rollout, redis_server: RedisServer, client_for: Any
) -> None:
    """A role's cell and a new Give-Get, saved during an outage in which
    Redis kept the matrix of before (a hang), show once it is back."""
    client = client_for("editor")
    matrix = pages(rollout)["matrix"]
    assert client.get(matrix).status_code == 200  # cached with headcount 3
    role = rollout.role
    htmx = {"HX-Request": "true"}
    redis_server.hang()
    cell = client.post(
        reverse("matrix_cell", args=[rollout.playbook.pk, role.pk, "headcount"]),
        {f"c{role.pk}-headcount": "17"},
        headers=htmx,
    )
    assert cell.status_code == 200
    assert f"{role.name} saved: " in cell.content.decode()
    added = client.post(
        reverse("matrix_giveget_add", args=[rollout.playbook.pk, role.pk]),
        {
            f"new{role.pk}-{name}": value
            for name, value in {
                "give": "Log each demo",
                "minutes_each": "2",
                "times_per_week": "5",
                "get": "A demo heat map",
                "minutes_saved_per_week": "30",
            }.items()
        },
        headers=htmx,
    )
    assert added.status_code == 200
    role.refresh_from_db()
    assert role.headcount == 17
    assert role.givegets.filter(give="Log each demo").exists()
    redis_server.resume()
    html = client.get(matrix).content.decode()
    assert "17 people" in html
    assert "3 people" not in html
    role_page = client.get(pages(rollout)["role page"]).content.decode()
    assert "Log each demo" in role_page


def test_the_hourly_limit_lets_answers_through_while_redis_is_down_the_week_cap_holds(
    rollout: Rollout, redis_server: RedisServer, today: None, settings: Any
) -> None:
    settings.WIIFM_PULSE_PER_HOUR = 2
    url = reverse("pulse_page", args=[rollout.link.token])

    def same() -> Client:
        return Client(REMOTE_ADDR="203.0.113.7")

    assert same().post(url, ANSWER).status_code == 302
    assert same().post(url, ANSWER).status_code == 302
    assert same().post(url, ANSWER).status_code == 429  # Redis up: the limit holds
    redis_server.stop()
    # The role's week takes max(2 x 3, 10) = 10 answers; 2 are in.
    for _ in range(8):
        assert same().post(url, ANSWER).status_code == 302
    full = same().post(url, ANSWER)
    assert full.status_code == 409
    assert b"has all the answers it takes" in full.content
    assert PulseAnswer.objects.count() == 10


def test_a_hung_redis_costs_one_timeout_then_the_breaker_skips_it(
    redis_server: RedisServer,
) -> None:
    cache.set("key", "value")
    redis_server.hang()
    started = time.monotonic()
    assert cache.get("key") is None
    first = time.monotonic() - started
    assert first >= 0.4  # waited for the socket timeout (0.5 s)
    started = time.monotonic()
    for _ in range(20):
        assert cache.get("key") is None
        cache.set("key", "other")
    assert time.monotonic() - started < 0.2  # not asked again: no waits
    redis_server.resume()
    assert cache.get("key") == "value"  # kept its data; the sets did nothing


def test_an_outage_logs_one_warning_not_one_per_call(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        for _ in range(5):
            cache.get("key")
            back_again_keeping_the_warning()
    warnings = [r for r in caplog.records if r.name == "core.cache"]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()


def back_again_keeping_the_warning() -> None:
    """The breaker's pause over (Redis is asked again), the warning's not."""
    for state in core.cache._states.values():
        state.skip_until = 0.0


def test_add_answers_false_and_nothing_is_scheduled_while_down(
    redis_server: RedisServer, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A change during an outage schedules no background render (nothing
    could keep it): the PDF renders when it is downloaded."""
    from planner.tasks import schedule_pdf_render

    assert cache.add("mark", 1) is True
    redis_server.stop()
    assert cache.add("other-mark", 1) is False
    with django_capture_on_commit_callbacks() as callbacks:
        assert schedule_pdf_render(world.playbook.pk) is False
    assert callbacks == []
