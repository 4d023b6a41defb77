"""Shared fixtures: users, logged-in clients, and the system Chromium for Playwright."""

from __future__ import annotations

import io
import logging
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

# live_server runs the app in a thread beside Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db: Any) -> Any:
    return get_user_model().objects.create_user(
        username="lena",
        email="lena@example.com",
        password=PASSWORD,
        first_name="Lena",
        last_name="Holm",
    )


@pytest.fixture
def user_client(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Playwright cannot download browsers here: drive Debian's Chromium."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


class World:
    """A playbook with an owner, an editor and a viewer, plus an outsider who
    owns a playbook of their own."""

    def __init__(self) -> None:
        from tests.factories import add_member, make_playbook, make_user

        self.owner = make_user("olivia", first_name="Olivia")
        self.editor = make_user("edith", first_name="Edith")
        self.viewer = make_user("victor", first_name="Victor")
        self.outsider = make_user("oscar", first_name="Oscar")
        self.playbook = make_playbook(self.owner, name="Salesforce rollout 2027")
        add_member(self.playbook, self.editor, "editor")
        add_member(self.playbook, self.viewer, "viewer")
        self.other_playbook = make_playbook(self.outsider, name="Oscar's own rollout")

    def user(self, who: str) -> Any:
        return getattr(self, who)


@pytest.fixture
def world(db: Any) -> World:
    return World()


@pytest.fixture
def client_for(world: World) -> Any:
    """client_for("viewer") -> a Client logged in as that person ("anonymous": none)."""

    def make(who: str) -> Client:
        c = Client()
        if who != "anonymous":
            c.force_login(world.user(who))
        return c

    return make


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Every test starts with an empty cache (fragments, PDFs), and remembers
    no version stamp bumped in a request of another test (the test client
    ends a streamed response's request only when its content is read)."""
    from django.core.cache import cache

    from core import versions

    cache.clear()
    versions.forget()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test ends in the site's default language: a request answered in
    Danish (a cookie, a browser's language) leaves Danish active in the test's
    thread, and a test after it would read Danish where it expects English."""
    yield
    translation.deactivate()


@pytest.fixture
def pulse_day(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Pin the site's today for the pulse: pulse_day.set(date). Every reader
    calls ``weeks.today()`` through its module (the page, the results, the
    signals that keep k for closed weeks), so one patch pins them all."""

    class Day:
        value: Any = None

        def set(self, day: Any) -> None:
            self.value = day

    day = Day()
    monkeypatch.setattr("pulse.weeks.today", lambda: day.value)
    return day


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the configured console handlers write (with their filters), as text."""
    handlers = {*logging.getLogger().handlers, *logging.getLogger("django").handlers}
    stream = io.StringIO()
    old = [
        (handler, handler.setStream(stream))
        for handler in handlers
        if isinstance(handler, logging.StreamHandler)
    ]
    assert old, "the console handler of settings.LOGGING"
    yield stream
    for handler, previous in old:
        handler.setStream(previous)
