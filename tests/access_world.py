"""The tools of the access matrix (tests/test_access_matrix.py): every URL
pattern of the URLconf, a world of two playbooks with one of everything the
URLs name, the people who knock on them, and a fingerprint of the database
that tells whether a request saved anything."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from playbooks.models import Membership, Playbook
from tests.factories import (
    add_member,
    make_ambassador,
    make_answers,
    make_figures,
    make_giveget,
    make_message,
    make_playbook,
    make_sales_role,
    make_user,
)

# The pulse's today is pinned: week 1 and 2 after go-live are closed, week 3 open.
GO_LIVE = datetime.date(2027, 3, 1)
TODAY = GO_LIVE + datetime.timedelta(days=16)

MEMBERS = ("outsider", "viewer", "editor", "owner", "superuser")
# Anonymous browsers that opened a link first: whatever that page gave them
# (it must be nothing: no cookie) is all they hold.
LINK_HOLDERS = ("ambassador_link", "pulse_link", "calendar_link")
ACTORS = ("anonymous", *MEMBERS, *LINK_HOLDERS)


@dataclass(frozen=True)
class Pattern:
    """One entry of the URLconf, with the route it answers at."""

    key: str
    route: str
    name: str | None
    view: str
    converters: dict[str, Any] = field(compare=False, repr=False)
    entry: Any = field(compare=False, repr=False)

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(self.converters)


def _view_path(callback: Any) -> str:
    view = getattr(callback, "view_class", callback)
    return f"{view.__module__}.{view.__qualname__}"


def walk(
    patterns: list[Any] | None = None, prefix: str = "", converters: dict[str, Any] | None = None
) -> Iterator[tuple[str, dict[str, Any], URLPattern | URLResolver]]:
    """(route, its parameters' converters, pattern) of every view, included
    URLconfs walked into; the admin's URLconf is one entry (its resolver),
    whatever it holds."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        found = {**(converters or {}), **entry.pattern.converters}
        if isinstance(entry, URLResolver) and entry.namespace != "admin":
            yield from walk(entry.url_patterns, route, found)
        else:
            yield route, found, entry


def url_patterns() -> list[Pattern]:
    """Every pattern, keyed by its route; a route that two patterns share
    (one of them never reached) is keyed with its view as well."""
    found = list(walk())
    routes = [route for route, _, _ in found]
    result = []
    for route, converters, entry in found:
        name: str | None
        if isinstance(entry, URLResolver):
            key, name, view = f"{route} (namespace admin)", "admin", "django.contrib.admin.site"
        else:
            view = _view_path(entry.callback)
            key = route if routes.count(route) == 1 else f"{route} -> {view}"
            name = entry.name
        result.append(Pattern(key, route, name, view, converters, entry))
    return result


@dataclass
class Side:
    """One playbook and one (or two) of everything its URLs name."""

    playbook: Playbook
    role: Any
    other_role: Any
    giveget: Any
    ambassador: Any
    ambassador_token: str
    step: Any
    task: Any
    message: Any
    default_message: Any
    membership: Membership
    answer: Any
    hidden_answer: Any
    pulse_token: str
    calendar_token: str
    deleted_task_history: int
    role_change_history: int

    def values(self) -> dict[str, str]:
        """What the URLs and forms of this playbook name: the route
        parameters' usual values (``playbook_id``, ``role_id``...) and the
        rest an entry of the matrix may ask for by name."""
        return {
            "playbook_id": str(self.playbook.pk),
            "role_id": str(self.role.pk),
            "giveget_id": str(self.giveget.pk),
            "ambassador_id": str(self.ambassador.pk),
            "step_id": str(self.step.pk),
            "task_id": str(self.task.pk),
            "message_id": str(self.message.pk),
            "membership_id": str(self.membership.pk),
            "answer_id": str(self.answer.pk),
            "hidden_answer_id": str(self.hidden_answer.pk),
            "default_message_id": str(self.default_message.pk),
            "deleted_task_history": str(self.deleted_task_history),
            "role_change_history": str(self.role_change_history),
            "ambassador_token": self.ambassador_token,
            "pulse_token": self.pulse_token,
            "calendar_token": self.calendar_token,
        }


def build_side(playbook: Playbook, membership: Membership) -> Side:
    from actionplan.calendar_feed import issue as issue_feed
    from actionplan.models import Task
    from actionplan.services import create_default_plan
    from ambassadors.services import issue_link
    from comms.models import Message
    from comms.services import create_default_set
    from pulse import links
    from pulse.models import HiddenComment
    from pulse.results import close_weeks

    typed = GO_LIVE + datetime.timedelta(days=3)  # a date typed in, not following go-live
    playbook.go_live = GO_LIVE
    playbook.save()
    role = make_sales_role(playbook, "Sales", quick_win="Meeting notes", quick_win_due=typed)
    other_role = make_sales_role(playbook, "Service")
    giveget = make_giveget(role)
    make_giveget(role, "Update the forecast")
    ambassador = make_ambassador(role)
    make_ambassador(other_role, "Jonas Berg")
    steps = create_default_plan(playbook)
    step = steps[0]
    step.start, step.due = typed, typed
    step.save()
    task = Task.objects.filter(step=step).order_by("order").first()
    gone = Task.objects.create(step=step, text="Order the cake", order=99)
    gone_pk = gone.pk
    gone.delete()
    create_default_set(playbook)
    default_message = Message.objects.filter(playbook=playbook).exclude(kind="").first()
    assert default_message is not None
    default_message.date = typed
    default_message.save()
    make_message(playbook, role, title="Agenda")  # two without a date: one moves up
    message = make_message(playbook, role, title="Welcome")
    answers = make_answers(role, 1, answers=[(30, 60, 4)] * 5, comment="Show me the pipeline")
    HiddenComment.objects.create(answer=answers[1], role=role, week=1)
    make_figures(role, {1: 30})
    close_weeks(playbook, TODAY)  # summed up now, not by the first page that reads them
    role.headcount = 45
    role.save()
    history = role.history.model.objects
    return Side(
        playbook=playbook,
        role=role,
        other_role=other_role,
        giveget=giveget,
        ambassador=ambassador,
        ambassador_token=issue_link(ambassador),
        step=step,
        task=task,
        message=message,
        default_message=default_message,
        membership=membership,
        answer=answers[0],
        hidden_answer=answers[1],
        pulse_token=links.issue(role).token,
        calendar_token=issue_feed(playbook).token,
        deleted_task_history=Task.history.get(id=gone_pk, history_type="-").history_id,
        role_change_history=history.filter(id=role.pk, history_type="~").latest().history_id,
    )


@dataclass
class MatrixWorld:
    """Playbook A (owner, editor, viewer) and playbook B, whose owner is the
    outsider; A's owner is an owner of B too, so that B's ids reach B's
    objects for them, and only a view that mixes up playbooks shows them A's
    (or B's in A)."""

    a: Side
    b: Side
    users: dict[str, Any]
    reset_uid: str
    reset_token: str
    sessions: dict[str, str] = field(default_factory=dict)
    link_cookies: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def build(cls) -> MatrixWorld:
        users = {
            "owner": make_user("olivia", first_name="Olivia"),
            "editor": make_user("edith", first_name="Edith"),
            "viewer": make_user("victor", first_name="Victor"),
            "outsider": make_user("oscar", first_name="Oscar"),
            "superuser": make_user("root", is_superuser=True, is_staff=True),
        }
        resetting = make_user("rita", first_name="Rita")  # never logged in: the token holds
        a = make_playbook(users["owner"], name="Salesforce rollout 2027")
        add_member(a, users["editor"], "editor")
        viewer = add_member(a, users["viewer"], "viewer")
        b = make_playbook(users["outsider"], name="Oscar's own rollout")
        add_member(b, users["owner"], "owner")
        world = cls(
            a=build_side(a, viewer),
            b=build_side(b, Membership.objects.get(playbook=b, user=users["outsider"])),
            users=users,
            reset_uid=urlsafe_base64_encode(force_bytes(resetting.pk)),
            reset_token=default_token_generator.make_token(resetting),
        )
        for who, user in users.items():
            client = Client()
            client.force_login(user)
            world.sessions[who] = client.cookies[settings.SESSION_COOKIE_NAME].value
        return world

    def visit_links(self) -> None:
        """Each link holder opens their link once; what it gives them is kept."""
        for who, url in (
            ("ambassador_link", f"/a/{self.a.ambassador_token}/"),
            ("pulse_link", f"/p/{self.a.pulse_token}/"),
            ("calendar_link", f"/cal/{self.a.calendar_token}.ics"),
        ):
            client = Client()
            response = client.get(url)
            assert response.status_code == 200, (who, response.status_code)
            self.link_cookies[who] = {name: m.value for name, m in client.cookies.items()}

    def client(self, who: str) -> Client:
        """A fresh browser of that person: logged in (a session made once for
        the module), holding what a link gave them, or nothing."""
        client = Client()
        if who in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[who]
        for name, value in self.link_cookies.get(who, {}).items():
            client.cookies[name] = value
        return client


# Left out of the fingerprint: what logging in and out writes, and tables
# nothing in a playbook is kept in.
_NOT_FINGERPRINTED = {
    "django_session",
    "django_content_type",
    "auth_permission",
    "axes_accesslog",
    "axes_accessattempt",
    "axes_accessattemptexpiration",
    "axes_accessfailurelog",
}


@functools.cache
def _fingerprint_sql() -> str:
    """The fingerprint's one statement (a round trip is most of what a
    query costs on PostgreSQL): a column per table with its rows' count, and
    one per table of keys with its rows' keys, in order."""
    from ambassadors.models import Ambassador
    from playbooks.models import CalendarFeed
    from pulse.models import PulseLink

    # Every name comes from the models, quoted: nothing typed by anyone.
    quote = connection.ops.quote_name
    tables = sorted({m._meta.db_table for m in apps.get_models()} - _NOT_FINGERPRINTED)
    counts = [f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables]  # noqa: S608

    def rows(model: Any, *fields: str) -> str:
        columns = [quote(model._meta.get_field(f).column) for f in fields]
        row = " || ':' || ".join(f"COALESCE(CAST({c} AS TEXT), '')" for c in columns)
        if connection.vendor == "postgresql":
            joined = f"string_agg({row}, ',' ORDER BY {columns[0]})"
        else:  # SQLite reads a table in rowid order, which an UPDATE keeps
            joined = f"group_concat({row}, ',')"
        return f"(SELECT {joined} FROM {quote(model._meta.db_table)})"  # noqa: S608

    keys = [
        rows(Playbook, "id", "content_stamp", "updated_at"),
        rows(PulseLink, "role", "token"),
        rows(CalendarFeed, "playbook", "token"),
        rows(Ambassador, "id", "link_hash"),
        rows(apps.get_model(settings.AUTH_USER_MODEL), "id", "password", "is_active", "email"),
    ]
    return "SELECT " + ", ".join(counts + keys)


def fingerprint() -> tuple[Any, ...]:
    """What a saved change moves, in one query: the rows of every table (each
    edit of a playbook's content adds a history row), each playbook's
    version stamp (every change in it sets a new one), the link tokens (a
    reissue or a revoke has no history) and the accounts."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return tuple(cursor.fetchone())
