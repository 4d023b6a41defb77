"""The access matrix (issue 24): every URL pattern of the URLconf, for every
kind of person, GET and POST, against a table of what each one must get.

The patterns are read from the URLconf itself (``tests.access_world.url_patterns``),
included URLconfs walked into and the admin's as one entry: a view added
later has no entry in ``TABLE`` and fails ``test_every_pattern_has_an_entry``
(and its own cases) the day it lands; an entry whose pattern is gone fails too.

Each case requests a real address of playbook A (every route parameter filled
with one of A's objects) as one person: anonymous, an outsider (logged in, no
membership; the owner of playbook B), A's viewer, editor and owner, a
superuser, and three anonymous browsers that opened a link first (an
ambassador's /a/<token>/, a role's pulse /p/<token>/, the calendar feed
/cal/<token>.ics). A POST carries a body the view would save from: the form
as the page draws it with a value changed, or the few fields an action takes.
A database fingerprint taken around each request says whether it saved: it
must have when the person may, and never otherwise (a GET saves nothing).

Then every pattern that takes a playbook id and an object id is asked, as A's
owner (an owner of B too), with A's id and B's object, and with B's id and
A's object: 404, GET and POST, nothing saved. Nothing of another playbook is
reachable with its ids.

Where an expectation could be argued (403 or 404 for a member below the
level), it follows what tests/playbooks/test_access.py and
tests/pulse/test_pulse_access.py decided.

One world for the module (``matrix_world``): built once in a transaction
that is rolled back at the end; each case runs in a savepoint of it, as
every test does, so whatever a case saves is gone before the next one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse

from playbooks.models import Level
from tests.access_world import (
    ACTORS,
    LINK_HOLDERS,
    MEMBERS,
    TODAY,
    MatrixWorld,
    Pattern,
    Side,
    fingerprint,
    url_patterns,
)
from tests.conftest import PASSWORD
from tests.playbooks.test_no_silent_overwrite import form_on

# Every case reaches the database through the module's world.
pytestmark = pytest.mark.django_db

VIEWER, EDITOR, OWNER = Level.VIEWER, Level.EDITOR, Level.OWNER

LOGIN = "login page"  # a redirect to the login page, ?next= the address asked for
ADMIN_LOGIN = "admin login page"

Status = int | str
NOT_LOGGED_IN = ("anonymous", *LINK_HOLDERS)
# Each member's level in playbook A; the superuser passes as an owner.
LEVELS = {"viewer": VIEWER, "editor": EDITOR, "owner": OWNER, "superuser": OWNER}


@dataclass(frozen=True)
class Rule:
    """What each person gets for one method of one pattern, and whose
    request saves something."""

    statuses: Mapping[str, Status]
    saves: frozenset[str] = frozenset()


def members(level: Level, status: int, *, saves: bool = False) -> Rule:
    """A page of playbook A: to log in first when not logged in, 404 for an
    outsider (nothing says the playbook exists), 403 for a member below
    ``level``, ``status`` for the others."""
    allowed = {who for who, has in LEVELS.items() if has.allows(level)}
    statuses: dict[str, Status] = {who: LOGIN for who in NOT_LOGGED_IN}
    statuses["outsider"] = 404
    statuses |= {who: status if who in allowed else 403 for who in LEVELS}
    return Rule(statuses, frozenset(allowed) if saves else frozenset())


def accounts(status: Status, *, saves: bool = False) -> Rule:
    """Any account: ``status``; to log in first otherwise."""
    statuses: dict[str, Status] = {who: LOGIN for who in NOT_LOGGED_IN}
    statuses |= {who: status for who in MEMBERS}
    return Rule(statuses, frozenset(MEMBERS) if saves else frozenset())


def anyone(status: Status, *, saves: bool = False) -> Rule:
    """The same for everyone, logged in or not."""
    return Rule({who: status for who in ACTORS}, frozenset(ACTORS) if saves else frozenset())


# The method is not one the view takes: 405 once logged in (login comes first).
NO_METHOD = accounts(405)


@dataclass(frozen=True)
class Drawn:
    """The form holding the field ``holding`` as the owner's browser draws
    it (on ``page``, else on the address itself), with ``changes`` typed in.
    Field names and values may name the world's objects: ``c{role_id}-headcount``."""

    holding: str
    changes: Mapping[str, str] = field(default_factory=dict)
    page: str | None = None


@dataclass(frozen=True)
class Entry:
    get: Rule
    post: Rule
    body: Mapping[str, str] | Drawn | None = None
    # Route parameters that are not the usual object ids, or other ones:
    # formatted with Side.values() (and the reset link's ``uidb64``/``reset_token``).
    args: Mapping[str, str] = field(default_factory=dict)
    # A pattern never reached: the one with this key answers at its address.
    shadowed_by: str | None = None


PULSE_ANSWER = {"cost_minutes": "10", "saved_minutes": "30", "got_back": "3", "comment": ""}
# The pulse: anyone holding the link answers, one of its playbook's people
# never (tests/pulse/test_pulse_access.py): members, and the superuser, an
# owner of every playbook.
PULSE_POST = Rule(
    {
        **{who: 302 for who in ACTORS},
        **{who: 403 for who in LEVELS},
    },
    frozenset({"anonymous", "outsider", *LINK_HOLDERS}),
)
RESET = {"uidb64": "{uidb64}", "token": "{reset_token}"}
NEW_PASSWORD = "another-horse-battery-staple-2"
PB = "playbooks/<int:playbook_id>"
ROLE = f"{PB}/roles/<int:role_id>"
ROW = f"{PB}/matrix/<int:role_id>"

TABLE: dict[str, Entry] = {
    # The site ---------------------------------------------------------------
    "": Entry(accounts(302), NO_METHOD),  # to the list of playbooks
    "healthz": Entry(anyone(200), anyone(405)),
    "schema/wiifm-playbook-v1.json": Entry(anyone(200), anyone(405)),
    "i18n/setlang/": Entry(anyone(302), anyone(302), body={"language": "da", "next": "/"}),
    # Accounts: the site's reset views shadow Django's at the same addresses.
    "accounts/password_reset/ -> wiifm_site.accounts.PasswordResetView": Entry(
        anyone(200), anyone(302, saves=True), body={"email": "rita@example.com"}
    ),
    "accounts/password_reset/ -> django.contrib.auth.views.PasswordResetView": Entry(
        anyone(200),
        anyone(302, saves=True),
        body={"email": "rita@example.com"},
        shadowed_by="accounts/password_reset/ -> wiifm_site.accounts.PasswordResetView",
    ),
    "accounts/reset/<uidb64>/<token>/ -> wiifm_site.accounts.PasswordResetConfirmView": Entry(
        anyone(302), anyone(302), args=RESET
    ),
    "accounts/reset/<uidb64>/<token>/ -> django.contrib.auth.views.PasswordResetConfirmView": Entry(
        anyone(302),
        anyone(302),
        args=RESET,
        shadowed_by="accounts/reset/<uidb64>/<token>/"
        " -> wiifm_site.accounts.PasswordResetConfirmView",
    ),
    # The site's login view (a username's length checked) shadows Django's.
    "accounts/login/ -> wiifm_site.accounts.LoginView": Entry(
        anyone(200),
        anyone(200),  # no password: the form again
    ),
    "accounts/login/ -> django.contrib.auth.views.LoginView": Entry(
        anyone(200),
        anyone(200),
        shadowed_by="accounts/login/ -> wiifm_site.accounts.LoginView",
    ),
    "accounts/logout/": Entry(NO_METHOD, accounts(302)),  # logged out, to the login page
    "accounts/password_change/": Entry(
        accounts(200),
        accounts(302, saves=True),
        body={
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    ),
    "accounts/password_change/done/": Entry(accounts(200), NO_METHOD),
    "accounts/password_reset/done/": Entry(anyone(200), anyone(405)),
    "accounts/reset/done/": Entry(anyone(200), anyone(405)),
    # Playbooks --------------------------------------------------------------
    "playbooks/": Entry(accounts(200), NO_METHOD),
    "playbooks/new/": Entry(
        accounts(200), accounts(302, saves=True), body=Drawn("name", {"name": "Next rollout"})
    ),
    # An upload: no file is the form again (files: issue 24's fuzzing).
    "playbooks/import/": Entry(accounts(200), accounts(200)),
    f"{PB}/": Entry(members(VIEWER, 200), NO_METHOD),
    f"{PB}/summary/": Entry(members(VIEWER, 200), NO_METHOD),
    f"{PB}/charter/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("charter-pledge", {"charter-pledge": "A weekly forecast in return."}),
    ),
    # Only into a playbook without roles: A has some, so nothing is added.
    f"{PB}/examples/": Entry(NO_METHOD, members(EDITOR, 302)),
    f"{PB}/export.json": Entry(members(VIEWER, 200), NO_METHOD),
    f"{PB}/playbook.pdf": Entry(members(VIEWER, 200), NO_METHOD),
    f"{PB}/downloads/": Entry(members(VIEWER, 200), NO_METHOD),
    f"{PB}/calendar.ics": Entry(members(VIEWER, 200), NO_METHOD),
    f"{PB}/template/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("name", {"go_live": "2027-09-06"}),
    ),
    f"{PB}/edit/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("name", {"name": "Renamed rollout"}),
    ),
    f"{PB}/delete/": Entry(members(OWNER, 200), members(OWNER, 302, saves=True)),
    f"{PB}/members/": Entry(
        members(VIEWER, 200),
        members(OWNER, 302, saves=True),
        body={"email": "new@example.com", "level": "viewer"},
    ),
    # The viewer's membership: GET goes back to the members page.
    f"{PB}/members/<int:membership_id>/level/": Entry(
        members(OWNER, 302), members(OWNER, 302, saves=True), body={"level": "editor"}
    ),
    f"{PB}/members/<int:membership_id>/remove/": Entry(
        members(OWNER, 200), members(OWNER, 302, saves=True)
    ),
    # Results and the usage import -------------------------------------------
    f"{PB}/results/": Entry(members(VIEWER, 200), NO_METHOD),
    f"{PB}/results/adoption/<int:role_id>/target/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("t{role_id}-adoption_target", {"t{role_id}-adoption_target": "70"}),
    ),
    f"{PB}/results/adoption/<int:role_id>/<int:week>/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("f{role_id}-1-active_users", {"f{role_id}-1-active_users": "31"}),
        args={"week": "1"},
    ),
    f"{PB}/results/import/": Entry(members(EDITOR, 200), members(EDITOR, 200)),
    # A preview and a confirmation without the upload they follow: refused.
    f"{PB}/results/import/preview/": Entry(NO_METHOD, members(EDITOR, 400)),
    f"{PB}/results/import/confirm/": Entry(NO_METHOD, members(EDITOR, 400)),
    # Changes: restore a deleted task, revert a role's headcount.
    f"{PB}/changes/": Entry(members(VIEWER, 200), NO_METHOD),
    f"{PB}/changes/<str:kind>/<int:history_id>/restore/": Entry(
        NO_METHOD,
        members(EDITOR, 302, saves=True),
        args={"kind": "task", "history_id": "{deleted_task_history}"},
    ),
    f"{PB}/changes/<str:kind>/<int:history_id>/revert/<str:field>/": Entry(
        NO_METHOD,
        members(EDITOR, 302, saves=True),
        args={"kind": "role", "history_id": "{role_change_history}", "field": "headcount"},
    ),
    # The matrix (without JavaScript: its GETs of actions go back to the page) ---
    f"{PB}/matrix/": Entry(members(VIEWER, 200), NO_METHOD),
    f"{PB}/matrix/add/": Entry(
        members(EDITOR, 302),
        members(EDITOR, 302, saves=True),
        body=Drawn(
            "add-name",
            {"add-name": "Marketing", "add-headcount": "6"},
            page="/playbooks/{playbook_id}/matrix/",
        ),
    ),
    f"{ROW}/edit/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("role{role_id}-name", {"role{role_id}-headcount": "46"}),
    ),
    f"{ROW}/delete/": Entry(members(EDITOR, 200), members(EDITOR, 302, saves=True)),
    f"{ROW}/move/": Entry(
        members(EDITOR, 302), members(EDITOR, 302, saves=True), body={"direction": "down"}
    ),
    f"{ROW}/cells/<str:name>/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("c{role_id}-headcount", {"c{role_id}-headcount": "46"}),
        args={"name": "headcount"},
    ),
    f"{ROW}/givegets/": Entry(members(VIEWER, 302), NO_METHOD),
    f"{ROW}/givegets/add/": Entry(
        NO_METHOD,
        members(EDITOR, 302, saves=True),
        body={
            "new{role_id}-give": "Read the weekly digest",
            "new{role_id}-minutes_each": "2",
            "new{role_id}-times_per_week": "5",
            "new{role_id}-get": "Hot leads first",
            "new{role_id}-minutes_saved_per_week": "30",
        },
    ),
    f"{ROW}/givegets/<int:giveget_id>/cells/<str:name>/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("g{giveget_id}-give", {"g{giveget_id}-give": "Log each meeting"}),
        args={"name": "give"},
    ),
    f"{ROW}/givegets/<int:giveget_id>/delete/": Entry(
        members(EDITOR, 200), members(EDITOR, 302, saves=True)
    ),
    # A role's page and what it holds ------------------------------------------
    f"{PB}/roles/new/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("name", {"name": "Marketing", "headcount": "6"}),
    ),
    f"{ROLE}/": Entry(members(VIEWER, 200), NO_METHOD),
    f"{ROLE}/edit/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("name", {"headcount": "46"}),
    ),
    f"{ROLE}/delete/": Entry(members(EDITOR, 200), members(EDITOR, 302, saves=True)),
    f"{ROLE}/factors/": Entry(
        members(EDITOR, 302),
        members(EDITOR, 302, saves=True),
        body=Drawn("speed", {"speed": "5"}, page="/playbooks/{playbook_id}/roles/{role_id}/"),
    ),
    f"{ROLE}/quick-win/follow-go-live/": Entry(NO_METHOD, members(EDITOR, 302, saves=True)),
    f"{ROLE}/one-pager.pdf": Entry(members(VIEWER, 200), NO_METHOD),
    f"{ROLE}/ambassador-preview/": Entry(members(EDITOR, 200), NO_METHOD),
    f"{ROLE}/comments/<uuid:answer_id>/hide/": Entry(NO_METHOD, members(EDITOR, 302, saves=True)),
    f"{ROLE}/comments/<uuid:answer_id>/show/": Entry(
        NO_METHOD, members(EDITOR, 302, saves=True), args={"answer_id": "{hidden_answer_id}"}
    ),
    # The role has its link: issuing it again changes nothing (reissue does).
    f"{ROLE}/pulse/issue/": Entry(members(EDITOR, 302), members(EDITOR, 302)),
    f"{ROLE}/pulse/reissue/": Entry(members(EDITOR, 200), members(EDITOR, 302, saves=True)),
    f"{ROLE}/pulse/revoke/": Entry(members(EDITOR, 200), members(EDITOR, 302, saves=True)),
    f"{ROLE}/pulse/qr.svg": Entry(members(EDITOR, 200), NO_METHOD),
    f"{ROLE}/givegets/new/": Entry(
        members(EDITOR, 302),
        members(EDITOR, 302, saves=True),
        body=Drawn(
            "new-give",
            {"new-give": "Tag each case", "new-get": "Suggested answers"},
            page="/playbooks/{playbook_id}/roles/{role_id}/",
        ),
    ),
    f"{ROLE}/givegets/<int:giveget_id>/edit/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("gg{giveget_id}-give", {"gg{giveget_id}-give": "Log each meeting"}),
    ),
    f"{ROLE}/givegets/<int:giveget_id>/delete/": Entry(
        members(EDITOR, 200), members(EDITOR, 302, saves=True)
    ),
    f"{ROLE}/givegets/<int:giveget_id>/move/": Entry(
        members(EDITOR, 302), members(EDITOR, 302, saves=True), body={"direction": "down"}
    ),
    # Ambassadors --------------------------------------------------------------
    f"{PB}/ambassadors/": Entry(members(VIEWER, 200), NO_METHOD),
    f"{PB}/ambassadors/add/": Entry(
        members(EDITOR, 302),
        members(EDITOR, 302, saves=True),
        body=Drawn(
            "add-name",
            {"add-name": "Jonas Holm", "add-email": "jonas@example.com", "add-role": "{role_id}"},
            page="/playbooks/{playbook_id}/ambassadors/",
        ),
    ),
    f"{PB}/ambassadors/roster.csv": Entry(members(VIEWER, 200), NO_METHOD),
    f"{PB}/ambassadors/import/": Entry(members(EDITOR, 200), members(EDITOR, 200)),
    f"{PB}/ambassadors/<int:ambassador_id>/edit/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("a{ambassador_id}-name", {"a{ambassador_id}-department": "Salg Aarhus"}),
    ),
    f"{PB}/ambassadors/<int:ambassador_id>/delete/": Entry(
        members(EDITOR, 200), members(EDITOR, 302, saves=True)
    ),
    f"{PB}/ambassadors/<int:ambassador_id>/erase/": Entry(
        members(OWNER, 200), members(OWNER, 302, saves=True)
    ),
    # A new link is shown once, on the page that issued it.
    f"{PB}/ambassadors/<int:ambassador_id>/link/": Entry(
        members(EDITOR, 302), members(EDITOR, 200, saves=True)
    ),
    f"{PB}/ambassadors/<int:ambassador_id>/link/email/": Entry(
        members(EDITOR, 302),
        members(EDITOR, 302, saves=True),  # an e-mail sent
        body={"token": "{ambassador_token}"},
    ),
    f"{PB}/ambassadors/<int:ambassador_id>/link/revoke/": Entry(
        members(EDITOR, 302), members(EDITOR, 302, saves=True)
    ),
    # The action plan ----------------------------------------------------------
    f"{PB}/plan/": Entry(members(VIEWER, 200), NO_METHOD),
    f"{PB}/plan/steps/<int:step_id>/edit/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("step{step_id}-title", {"step{step_id}-owner": "Lea Dahl"}),
    ),
    f"{PB}/plan/steps/<int:step_id>/follow-go-live/": Entry(
        NO_METHOD, members(EDITOR, 302, saves=True)
    ),
    f"{PB}/plan/steps/<int:step_id>/tasks/add/": Entry(
        members(EDITOR, 302),
        members(EDITOR, 302, saves=True),
        body={"new{step_id}-text": "Film a short video"},
    ),
    f"{PB}/plan/tasks/<int:task_id>/toggle/": Entry(
        members(EDITOR, 302), members(EDITOR, 302, saves=True), body={"done": "on"}
    ),
    f"{PB}/plan/tasks/<int:task_id>/edit/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("task{task_id}-text", {"task{task_id}-text": "Book the big room"}),
    ),
    f"{PB}/plan/tasks/<int:task_id>/delete/": Entry(
        members(EDITOR, 200), members(EDITOR, 302, saves=True)
    ),
    f"{PB}/plan/tasks/<int:task_id>/move/": Entry(
        members(EDITOR, 302), members(EDITOR, 302, saves=True), body={"direction": "down"}
    ),
    f"{PB}/plan/quick-wins/<int:role_id>/toggle/": Entry(
        members(EDITOR, 302), members(EDITOR, 302, saves=True)
    ),
    # A has its feed: issuing it again changes nothing (reissue does).
    f"{PB}/plan/calendar/issue/": Entry(members(EDITOR, 302), members(EDITOR, 302)),
    f"{PB}/plan/calendar/reissue/": Entry(members(EDITOR, 200), members(EDITOR, 302, saves=True)),
    f"{PB}/plan/calendar/revoke/": Entry(members(EDITOR, 200), members(EDITOR, 302, saves=True)),
    # Communications -----------------------------------------------------------
    f"{PB}/comms/": Entry(members(VIEWER, 200), NO_METHOD),
    f"{PB}/comms/add/": Entry(
        members(EDITOR, 302),
        members(EDITOR, 302, saves=True),
        body=Drawn(
            "add-title",
            {"add-title": "Your pipeline", "add-text": "From Monday.", "add-role": "{role_id}"},
            page="/playbooks/{playbook_id}/comms/",
        ),
    ),
    f"{PB}/comms/<int:message_id>/edit/": Entry(
        members(EDITOR, 200),
        members(EDITOR, 302, saves=True),
        body=Drawn("m{message_id}-title", {"m{message_id}-title": "Welcome aboard"}),
    ),
    f"{PB}/comms/<int:message_id>/delete/": Entry(
        members(EDITOR, 200), members(EDITOR, 302, saves=True)
    ),
    f"{PB}/comms/<int:message_id>/move/": Entry(
        members(EDITOR, 302), members(EDITOR, 302, saves=True), body={"direction": "up"}
    ),
    # A message of the default set, its date typed in.
    f"{PB}/comms/<int:message_id>/follow-go-live/": Entry(
        NO_METHOD,
        members(EDITOR, 302, saves=True),
        args={"message_id": "{default_message_id}"},
    ),
    f"{PB}/comms/<int:message_id>/text/": Entry(members(VIEWER, 200), NO_METHOD),
    # Pages opened from a link: no account, the same for everyone --------------
    "a/<str:token>/": Entry(anyone(200), anyone(405), args={"token": "{ambassador_token}"}),
    "a/<str:token>/one-pager.pdf": Entry(
        anyone(200), anyone(405), args={"token": "{ambassador_token}"}
    ),
    "a/<path:rest>": Entry(anyone(404), anyone(404), args={"rest": "x/y/z"}),
    "p/<str:token>/": Entry(
        anyone(200), PULSE_POST, body=PULSE_ANSWER, args={"token": "{pulse_token}"}
    ),
    "p/<str:token>/thanks/": Entry(anyone(200), anyone(405), args={"token": "{pulse_token}"}),
    "p/<path:rest>": Entry(anyone(404), anyone(404), args={"rest": "x/y/z"}),
    "cal/<str:token>.ics": Entry(anyone(200), anyone(405), args={"token": "{calendar_token}"}),
    "cal/<path:rest>": Entry(anyone(404), anyone(404), args={"rest": "x/y/z"}),
}

# The admin, one entry: staff only. Its index sends everyone else to its own
# login page; its other pages send who is not logged in to the site's first
# (LoginRequiredMiddleware), a logged-in non-staff to the admin's.
ADMIN_KEY = "admin/ (namespace admin)"
ADMIN_INDEX = Rule({who: 200 if who == "superuser" else ADMIN_LOGIN for who in ACTORS})
ADMIN_PAGES = Rule(
    {
        **{who: ADMIN_LOGIN for who in MEMBERS},
        **{who: LOGIN for who in NOT_LOGGED_IN},
        "superuser": 200,
    }
)
TABLE[ADMIN_KEY] = Entry(ADMIN_INDEX, ADMIN_INDEX)

PATTERNS = url_patterns()
BY_KEY = {p.key: p for p in PATTERNS}
METHODS = ("get", "post")


# The world ----------------------------------------------------------------------


def _once_per_html(run: Callable[..., Any]) -> Callable[..., Any]:
    """WeasyPrint's run for an HTML it was given before (but for the moment
    it was made, in its metadata) answers as it did then. Every view still
    renders its HTML, misses the (emptied) cache and stores what it got; only
    the child process that would make the same PDF again is spared (17
    renders of 3 documents)."""
    done: dict[str, Any] = {}

    def once(html: str, *args: Any, **kwargs: Any) -> Any:
        same = re.sub(r'<meta name="dcterms.created" content="[^"]*">', "", html)
        key = hashlib.sha256(same.encode()).hexdigest()
        if key not in done:
            done[key] = run(html, *args, **kwargs)
        return done[key]

    return once


@pytest.fixture(scope="module")
def matrix_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[MatrixWorld]:
    """Built once, in a transaction rolled back after the module; the pulse's
    today pinned for the whole module."""
    from planner import render_process

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("pulse.weeks.today", lambda: TODAY)
        patch.setattr(render_process, "run", _once_per_html(render_process.run))
        with django_db_blocker.unblock(), transaction.atomic():
            world = MatrixWorld.build()
            world.visit_links()
            yield world
            transaction.set_rollback(True)


def values(world: MatrixWorld, side: Side) -> dict[str, str]:
    return {**side.values(), "uidb64": world.reset_uid, "reset_token": world.reset_token}


def kwargs_for(pattern: Pattern, values: Mapping[str, str]) -> dict[str, str]:
    """Each route parameter's value: the entry's own, else the usual one."""
    entry = TABLE[pattern.key]
    found = {}
    for param in pattern.params:
        if param in entry.args:
            found[param] = entry.args[param].format(**values)
        else:
            assert param in values, (
                f"{pattern.key}: no value for <{param}>: name one in its entry's args"
            )
            found[param] = values[param]
    return found


def address(pattern: Pattern, kwargs: Mapping[str, str]) -> str:
    """The route with its parameters filled in (unnamed patterns too)."""

    def fill(match: re.Match[str]) -> str:
        return str(pattern.converters[match[1]].to_url(kwargs[match[1]]))

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, pattern.route)


_drawn: dict[tuple[str, str], dict[str, str]] = {}


def body_for(
    pattern: Pattern, world: MatrixWorld, side: Side, url: str, values: Mapping[str, str]
) -> dict[str, str]:
    """The POST's body; a drawn form is read once per module and side (every
    case starts from the same rows, so it stays as drawn)."""
    body = TABLE[pattern.key].body
    if body is None:
        return {}
    if not isinstance(body, Drawn):
        return {k.format(**values): v.format(**values) for k, v in body.items()}
    key = (pattern.key, side.playbook.name)
    if key not in _drawn:
        page = body.page.format(**values) if body.page else url
        response = world.client("owner").get(page)
        assert response.status_code == 200, f"the form of {pattern.key} on {page}"
        fields = form_on(response.content.decode(), body.holding.format(**values))
        changes = {k.format(**values): v.format(**values) for k, v in body.changes.items()}
        _drawn[key] = {**fields, **changes}
    return dict(_drawn[key])


def outcome(response: Any) -> Status:
    """The status, or where a redirect to a login page goes."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("login") + "?next="):
            return LOGIN
        if location.startswith(reverse("admin:login") + "?next="):
            return ADMIN_LOGIN
    return int(response.status_code)


def fingerprint_with_mail() -> tuple[Any, ...]:
    return (*fingerprint(), len(getattr(mail, "outbox", [])))


def request(client: Client, method: str, url: str, body: Mapping[str, str]) -> Any:
    if method == "get":
        return client.get(url)
    return client.post(url, body)


# The table covers the URLconf ---------------------------------------------------


def test_every_pattern_has_an_entry() -> None:
    """A view added without an entry fails here; so does an entry left behind."""
    keys = [p.key for p in PATTERNS]
    assert len(keys) == len(set(keys)), "two patterns with one key"
    missing = [key for key in keys if key not in TABLE]
    stale = [key for key in TABLE if key not in BY_KEY]
    if missing or stale:
        pytest.fail(
            f"patterns without an entry in the access matrix's TABLE: {missing}; "
            f"TABLE entries for patterns that no longer exist: {stale}"
        )


def test_each_address_reaches_its_pattern(matrix_world: MatrixWorld) -> None:
    """The address built for each pattern is answered by that pattern's view
    (or, for a pattern shadowed by an earlier one, by that one's)."""
    vals = values(matrix_world, matrix_world.a)
    for pattern in PATTERNS:
        if pattern.key == ADMIN_KEY:
            continue
        match = resolve(address(pattern, kwargs_for(pattern, vals)))
        shadowed_by = TABLE[pattern.key].shadowed_by
        reached = BY_KEY[shadowed_by] if shadowed_by else pattern
        assert match.route == reached.route, pattern.key
        view = getattr(match.func, "view_class", match.func)
        assert f"{view.__module__}.{view.__qualname__}" == reached.view, pattern.key


def test_link_pages_give_their_holders_nothing_to_hold(matrix_world: MatrixWorld) -> None:
    """No cookie from /a/, /p/ or /cal/: a link holder's browser holds no more
    than an anonymous one on every other page."""
    assert matrix_world.link_cookies == {who: {} for who in LINK_HOLDERS}


# The matrix ---------------------------------------------------------------------


def check(
    world: MatrixWorld, entry: Entry, who: str, url: str, body: Mapping[str, str]
) -> list[str]:
    """GET and POST as ``who``: what differs from ``entry``, in words."""
    wrong = []
    before = fingerprint_with_mail()
    for method in METHODS:
        rule: Rule = getattr(entry, method)
        got = outcome(request(world.client(who), method, url, body))
        after = fingerprint_with_mail()
        saved, before = after != before, after
        expected = rule.statuses[who]
        if got != expected:
            wrong.append(f"{method.upper()} {url} as {who}: {got}, expected {expected}")
        if saved != (who in rule.saves):
            wrong.append(
                f"{method.upper()} {url} as {who} ({got}): "
                + ("saved something" if saved else "saved nothing, expected a change")
            )
    return wrong


MATRIX = [
    pytest.param(p, who, id=f"{p.key} | {who}")
    for p in PATTERNS
    if p.key != ADMIN_KEY
    for who in ACTORS
]


@pytest.mark.parametrize(("pattern", "who"), MATRIX)
def test_matrix(matrix_world: MatrixWorld, pattern: Pattern, who: str) -> None:
    if pattern.key not in TABLE:
        pytest.fail(f"{pattern.key} ({pattern.view}) has no entry in the access matrix's TABLE")
    vals = values(matrix_world, matrix_world.a)
    url = address(pattern, kwargs_for(pattern, vals))
    body = body_for(pattern, matrix_world, matrix_world.a, url, vals)
    assert not (wrong := check(matrix_world, TABLE[pattern.key], who, url, body)), "\n".join(wrong)


def admin_addresses(rows: Mapping[str, int]) -> list[str]:
    """The admin's pages besides its index: each model's list, and for the
    models in ``rows`` (model name: a row's id) the add page and that row's
    change page."""
    from django.contrib import admin

    urls = []
    for model in admin.site._registry:
        model_name = str(model._meta.model_name)
        name = f"admin:{model._meta.app_label}_{model_name}"
        urls.append(reverse(f"{name}_changelist"))
        if model_name in rows:
            urls += [reverse(f"{name}_add"), reverse(f"{name}_change", args=[rows[model_name]])]
    return urls


@pytest.mark.parametrize("who", ACTORS)
def test_admin(matrix_world: MatrixWorld, who: str) -> None:
    """Staff only, never a 500; an empty POST saves nothing (for the
    superuser: the form again, or the list again)."""
    assert ADMIN_KEY in BY_KEY and BY_KEY[ADMIN_KEY].name == "admin"
    wrong = check(matrix_world, TABLE[ADMIN_KEY], who, reverse("admin:index"), {})
    pages = Entry(ADMIN_PAGES, ADMIN_PAGES)
    a = matrix_world.a
    for url in admin_addresses({"playbook": a.playbook.pk, "membership": a.membership.pk}):
        wrong += check(matrix_world, pages, who, url, {})
    assert not wrong, "\n".join(wrong)


# Across playbooks -----------------------------------------------------------------

# Route parameters that do not name an object (the same in both playbooks).
_SAME = {"week", "name", "kind", "field", "rest"}


def crossings(pattern: Pattern) -> list[str]:
    """The mixes of A and B a pattern with a playbook id and an object id is
    asked with: B's playbook with A's objects, and A's playbook with B's
    object in each parameter in turn."""
    objects = [p for p in pattern.params if p != "playbook_id" and p not in _SAME]
    if "playbook_id" not in pattern.params or not objects:
        return []
    return ["B's playbook", *(f"B's {param}" for param in objects)]


CROSSINGS = [
    pytest.param(p, crossing, id=f"{p.key} | {crossing}")
    for p in PATTERNS
    if p.key in TABLE
    for crossing in crossings(p)
]


@pytest.mark.parametrize(("pattern", "crossing"), CROSSINGS)
def test_nothing_of_another_playbook(
    matrix_world: MatrixWorld, pattern: Pattern, crossing: str
) -> None:
    """As A's owner, who owns B too: 404 for GET and POST (405 where the
    method is refused anyway), and nothing saved."""
    world = matrix_world
    a = kwargs_for(pattern, values(world, world.a))
    b = kwargs_for(pattern, values(world, world.b))
    if crossing == "B's playbook":
        kwargs, side = {**a, "playbook_id": b["playbook_id"]}, world.a
    else:
        param = crossing.removeprefix("B's ")
        kwargs, side = {**a, param: b[param]}, world.b
    assert kwargs != a and kwargs != b
    url = address(pattern, kwargs)
    # The body drawn for the side whose object is asked for.
    vals = values(world, side)
    body = body_for(pattern, world, side, address(pattern, kwargs_for(pattern, vals)), vals)
    entry = TABLE[pattern.key]
    wrong = []
    before = fingerprint_with_mail()
    for method in METHODS:
        expected = 405 if getattr(entry, method).statuses["owner"] == 405 else 404
        got = outcome(request(world.client("owner"), method, url, body))
        if got != expected:
            wrong.append(f"{method.upper()} {url} ({crossing}) as A's owner: {got}, not {expected}")
        if fingerprint_with_mail() != before:
            wrong.append(f"{method.upper()} {url} ({crossing}) as A's owner: saved something")
    assert not wrong, "\n".join(wrong)


# How much was checked -----------------------------------------------------------


def test_size_of_the_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    """Every pattern × every person × GET and POST, and the crossings."""
    patterns, actors, methods = len(PATTERNS), len(ACTORS), len(METHODS)
    assert len(MATRIX) == (patterns - 1) * actors  # the admin's pattern: test_admin
    admin_pages = 1 + len(admin_addresses({"playbook": 1, "membership": 1}))
    requests = (len(MATRIX) + admin_pages * actors) * methods
    crossed = len(CROSSINGS) * methods
    assert patterns >= 106 and len(CROSSINGS) >= 100
    with capsys.disabled():
        print(
            f"\naccess matrix: {patterns} patterns (the admin's as one) × {actors} actors × "
            f"{methods} methods = {patterns * actors * methods} cases, {requests} requests "
            f"(the admin's case asks its {admin_pages} pages); across playbooks: "
            f"{len(CROSSINGS)} mixes × {methods} methods = {crossed} requests; "
            f"{requests + crossed} requests in all"
        )
