"""The plan in everyone's calendar (DESIGN.md "Communications plan and
calendar"): a playbook's dated items as all-day events of one iCalendar file,
built with the ``icalendar`` library, which escapes every text per RFC 5545.

Two addresses serve it: ``/playbooks/<id>/calendar.ics`` for members (viewers
too), and the secret feed ``/cal/<token>.ics`` for calendar apps, which have no
login (the token is ``playbooks.models.CalendarFeed``; the plan page issues,
copies and revokes it). The feed answers like every page opened from a link:
no cookie, no referrer, kept out of search (``core.public``), its token out of
the logs (``wiifm_site.logging``).

What goes in: the plan's steps (start to due), tasks with a due date, each
role's quick win on its due date, the Give-Gets' deliver-by dates and the
messages on the date they show (typed, or their kind's default following
go-live); an item without a date is left out. Each event's UID is its kind,
its primary key and the site's domain (``step-12@wiifm.example.com``,
``WIIFM_CALENDAR_DOMAIN``: never the request's host): an edited item
keeps it, so calendars update it; a deleted one is no longer in the file, so
they drop it. Titles are in the playbook's language; a drafted message shows
the title drafted from its role, as the communications page does.

Conditional requests: the ETag is a hash of everything the events say, so it
changes with any event (a go-live that moves default dates included) and
with nothing else. Since no row records when an event last changed (a role's
edit changes its drafted messages; a move of go-live, every default date),
each event's DTSTAMP and LAST-MODIFIED are the moment this file first showed
it as it is now, kept in the shared cache beside the calendar's own
Last-Modified. A lost cache only makes them "now": a client fetches once more.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import icalendar
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from actionplan.models import Step, Task
from comms.dates import OPEN_SESSION_STEP, date_of
from comms.drafts import draft
from comms.models import Message
from comms.selectors import visible
from core.public import REVALIDATE, TOKEN, not_found, private
from givegets.models import GiveGet
from planner.pdf import file_slug
from playbooks.access import get_playbook
from playbooks.models import CalendarFeed, Playbook
from roles.models import Role

PRODID = "-//WIIFM Planner//Plan calendar//EN"
# How often calendar apps should look again (RFC 7986, and Outlook's own name).
REFRESH = datetime.timedelta(hours=6)
STAMPS_TIMEOUT = 60 * 60 * 24 * 90  # a calendar nobody fetched for 90 days starts afresh
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Event:
    """One all-day event: ``first`` to ``last``, both days included."""

    uid: str  # kind and primary key; the site is added when written
    first: datetime.date
    last: datetime.date
    summary: str
    description: str
    url: str

    def digest(self) -> str:
        fields = {**asdict(self), "first": self.first.isoformat(), "last": self.last.isoformat()}
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class CalendarFile:
    content: bytes
    etag: str
    last_modified: datetime.datetime
    filename: str


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def events(playbook: Playbook, *, absolute: Callable[[str], str]) -> list[Event]:
    """The playbook's dated items, in its language, by date. ``absolute``
    turns a path into the address the description links to.

    Queries: steps, tasks, roles, Give-Gets, messages (five, whatever the size)."""
    steps = list(
        Step.objects.filter(playbook=playbook).prefetch_related(
            Prefetch("tasks", queryset=Task.objects.filter(due__isnull=False).order_by("pk"))
        )
    )
    roles = list(Role.objects.filter(playbook=playbook).order_by("order", "pk"))
    givegets: dict[int, list[GiveGet]] = defaultdict(list)
    for giveget in GiveGet.objects.filter(role__playbook=playbook).order_by("order", "pk"):
        givegets[giveget.role_id].append(giveget)
    messages = list(visible(playbook).order_by("order", "pk"))
    for step in steps:
        step.playbook = playbook  # default dates read go-live
    for role in roles:
        role.playbook = playbook
    with translation.override(playbook.language):
        plan = reverse("plan", args=[playbook.pk])
        found = [event for step in steps for event in _step_events(step, plan, absolute)]
        for role in roles:
            page = reverse("role_detail", args=[playbook.pk, role.pk])
            found += _role_events(role, givegets[role.pk], page, absolute)
        found += _message_events(playbook, messages, steps, roles, givegets, absolute)
    # An all-day event ends the day after its last: a date on the calendar's
    # last day (typed through a file or a form without bounds) has none.
    found = [event for event in found if event.last < datetime.date.max]
    found.sort(key=lambda event: (event.first, event.last, event.uid))
    return found


def _step_events(step: Step, plan: str, absolute: Callable[[str], str]) -> list[Event]:
    """The step from start to due (a single date stands for both), and its
    tasks with a due date."""
    found = []
    heading = _("Step %(number)s: %(title)s") % {"number": step.number, "title": step.title}
    first, last = step.start_date or step.due_date, step.due_date or step.start_date
    if first is not None and last is not None:
        status = _("Status: %(status)s") % {"status": step.get_status_display()}
        found.append(
            Event(
                f"step-{step.pk}",
                min(first, last),
                max(first, last),
                heading,
                _lines(step.description, status),
                absolute(f"{plan}#step-{step.number}"),
            )
        )
    for task in step.tasks.all():  # those with a due date
        if task.due is not None:
            found.append(
                Event(
                    f"task-{task.pk}",
                    task.due,
                    task.due,
                    _("Task: %(text)s") % {"text": task.text},
                    _lines(heading, _("Done") if task.done else ""),
                    absolute(f"{plan}#task-{task.pk}"),
                )
            )
    return found


def _role_events(
    role: Role, givegets: list[GiveGet], page: str, absolute: Callable[[str], str]
) -> list[Event]:
    """The role's quick win on its due date (when it has one), and its
    Give-Gets' deliver-by dates."""
    found = []
    due = role.quick_win_due_date
    if role.quick_win.strip() and due is not None:
        found.append(
            Event(
                f"quickwin-{role.pk}",
                due,
                due,
                _("Quick win due: %(role)s — %(win)s")
                % {"role": role.name, "win": role.quick_win.strip()},
                _lines(
                    _("The week-1 quick win of %(role)s.") % {"role": role.name},
                    _("Done") if role.quick_win_done else "",
                ),
                absolute(f"{page}#quickwin-title"),
            )
        )
    for giveget in givegets:
        if giveget.deliver_by is None:
            continue
        owner = _("Who delivers: %(owner)s") % {"owner": giveget.owner} if giveget.owner else ""
        found.append(
            Event(
                f"giveget-{giveget.pk}",
                giveget.deliver_by,
                giveget.deliver_by,
                _("Deliver: %(role)s — %(get)s")
                % {"role": role.name, "get": (giveget.get or giveget.give).strip()},
                _lines(
                    _("Give: %(give)s") % {"give": giveget.give},
                    _("Get: %(get)s") % {"get": giveget.get} if giveget.get else "",
                    owner,
                    _("Status: %(status)s") % {"status": giveget.get_status_display()},
                ),
                absolute(f"{page}#gg-{giveget.pk}"),
            )
        )
    return found


def _message_events(
    playbook: Playbook,
    messages: list[Message],
    steps: list[Step],
    roles: list[Role],
    givegets: dict[int, list[GiveGet]],
    absolute: Callable[[str], str],
) -> list[Event]:
    """Each message on the date it shows: typed, or its kind's default."""
    comms = reverse("comms", args=[playbook.pk])
    step_five = next((s.due_date for s in steps if s.number == OPEN_SESSION_STEP), None)
    by_id = {role.pk: role for role in roles}
    found = []
    for message in messages:
        day = date_of(message.date, message.kind, playbook.go_live, step_five)
        if day is None:
            continue
        role = by_id.get(message.role_id) if message.role_id is not None else None
        found.append(
            Event(
                f"message-{message.pk}",
                day,
                day,
                _message_summary(message, playbook, role, givegets),
                f"{message.get_channel_display()} · {message.get_status_display()}",
                absolute(f"{comms}#message-{message.pk}"),
            )
        )
    return found


def _message_summary(
    message: Message,
    playbook: Playbook,
    role: Role | None,
    givegets: dict[int, list[GiveGet]],
) -> str:
    """The message's summary with its title as shown: drafted from the role
    while nobody edited it, its own title once someone has."""
    title = message.title.strip()
    if message.kind and (message.drafted or not title):
        title = draft(
            message.kind,
            playbook,
            role,
            givegets[role.pk] if role else (),
            quick_win_due=role.quick_win_due_date if role else None,
        ).title
    if not title:
        title = _("Untitled message")
    if role is None:
        return _("Message to all roles: %(title)s") % {"title": title}
    return _("Message to %(role)s: %(title)s") % {"role": role.name, "title": title}


def calendar_etag(name: str, found: list[Event]) -> str:
    """Changes with anything the file says, and with nothing else."""
    digest = hashlib.sha256(name.encode())
    for event in found:
        digest.update(event.digest().encode())
    return digest.hexdigest()[:32]


def _stamps(
    key: str, etag: str, found: list[Event], now: datetime.datetime
) -> tuple[datetime.datetime, dict[str, datetime.datetime]]:
    """When the calendar, and each event, first looked as they look now.

    One cache read; one write when something changed. With the cache down,
    everything is "now" (a calendar app fetches once more, nothing worse)."""
    try:
        kept: dict[str, Any] | None = cache.get(key)
    except Exception:  # the cache down: the calendar is served all the same
        kept = None
    if kept is not None and kept.get("etag") == etag:
        return kept["at"], {uid: at for uid, (_digest, at) in kept["events"].items()}
    before: dict[str, tuple[str, datetime.datetime]] = kept["events"] if kept else {}
    stamps: dict[str, tuple[str, datetime.datetime]] = {}
    for event in found:
        digest = event.digest()
        old = before.get(event.uid)
        stamps[event.uid] = old if old is not None and old[0] == digest else (digest, now)
    with contextlib.suppress(Exception):  # as above: only the stamps are lost
        cache.set(key, {"etag": etag, "at": now, "events": stamps}, STAMPS_TIMEOUT)
    return now, {uid: at for uid, (_digest, at) in stamps.items()}


def build_calendar(request: HttpRequest, playbook: Playbook) -> CalendarFile:
    """The playbook's calendar as an .ics file. Queries: see ``events``."""
    absolute = request.build_absolute_uri
    found = events(playbook, absolute=absolute)
    domain = settings.WIIFM_CALENDAR_DOMAIN
    etag = calendar_etag(f"{playbook.name}\n{playbook.language}\n{domain}", found)
    now = timezone.now().replace(microsecond=0)
    last_modified, stamps = _stamps(f"calendar-stamps:{playbook.pk}:{domain}", etag, found, now)

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # icalendar types unknown properties as vUnknown, which it writes
    # unescaped: the name goes in as text, so that it is escaped like a title.
    calendar.add("x-wr-calname", icalendar.vText(playbook.name))
    calendar.add("name", icalendar.vText(playbook.name))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
    for event in found:
        item = icalendar.Event()
        item.add("uid", f"{event.uid}@{domain}")
        stamp = stamps.get(event.uid, now)
        item.add("dtstamp", stamp)
        item.add("last-modified", stamp)
        item.add("dtstart", event.first)
        item.add("dtend", event.last + ONE_DAY)  # the day after the last (RFC 5545)
        item.add("summary", event.summary)
        item.add("description", _lines(event.description, event.url))
        item.add("url", event.url)
        item.add("transp", "TRANSPARENT")  # a day in the plan is not a busy day
        calendar.add_component(item)
    return CalendarFile(
        content=calendar.to_ical(),
        etag=etag,
        last_modified=last_modified,
        filename=f"{file_slug(playbook.name, 'playbook')}-calendar.ics",
    )


def _answer(request: HttpRequest, playbook: Playbook) -> HttpResponse:
    """The file, or 304 when the client holds it (If-None-Match, or
    If-Modified-Since alone)."""
    calendar = build_calendar(request, playbook)
    response = HttpResponse(calendar.content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{calendar.filename}"'
    response["ETag"] = quote_etag(calendar.etag)
    response["Last-Modified"] = http_date(calendar.last_modified.timestamp())
    response["Cache-Control"] = REVALIDATE
    response["Content-Language"] = playbook.language
    answer = get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=int(calendar.last_modified.timestamp()),
        response=response,
    )
    assert answer is not None  # given a response, it returns one
    return answer


@require_safe
def calendar_ics(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """Members download the calendar (viewers too).

    Queries: session, user, membership with playbook, then the calendar's five."""
    access = get_playbook(request, playbook_id)
    return _answer(request, access.playbook)


@login_not_required
@require_safe  # calendar apps and link checkers send HEAD too
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret feed: no login, no cookie; an unknown or revoked token is
    the same 404 as every link that does not work.

    Queries: the feed with its playbook, then the calendar's five."""
    if not TOKEN.fullmatch(token):
        return not_found(request)
    feed = CalendarFeed.objects.select_related("playbook").filter(token=token).first()
    if feed is None:
        return not_found(request)
    return private(_answer(request, feed.playbook), cache_control=REVALIDATE)
