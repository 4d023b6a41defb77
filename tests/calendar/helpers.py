"""Reading a calendar file back, twice: with ``icalendar`` (which wrote it)
and with ``vobject``, a parser of its own; both must read the same events."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import icalendar
import vobject


@dataclass(frozen=True)
class Read:
    uid: str
    start: datetime.date
    end: datetime.date
    summary: str
    description: str
    stamp: datetime.datetime
    last_modified: datetime.datetime


def _by_icalendar(content: bytes) -> dict[str, Read]:
    calendar = icalendar.Calendar.from_ical(content)
    found: dict[str, Read] = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        assert uid not in found, f"UID {uid} twice"
        found[uid] = Read(
            uid,
            event.decoded("DTSTART"),
            event.decoded("DTEND"),
            str(event["SUMMARY"]),
            str(event["DESCRIPTION"]),
            event.decoded("DTSTAMP"),
            event.decoded("LAST-MODIFIED"),
        )
    return found


def _by_vobject(content: bytes) -> dict[str, Read]:
    calendar = vobject.readOne(content.decode("utf-8"), validate=True)
    found: dict[str, Read] = {}
    for event in getattr(calendar, "vevent_list", []):
        uid = event.uid.value
        assert uid not in found, f"UID {uid} twice"
        found[uid] = Read(
            uid,
            event.dtstart.value,
            event.dtend.value,
            event.summary.value,
            event.description.value,
            event.dtstamp.value,
            event.last_modified.value,
        )
    return found


def read(content: bytes) -> dict[str, Read]:
    """The events by UID, as both parsers agree they are."""
    first, second = _by_icalendar(content), _by_vobject(content)
    assert first == second
    for event in first.values():
        # All-day: dates, not times, and the end the day after the last.
        assert type(event.start) is datetime.date and type(event.end) is datetime.date
        assert event.end > event.start
    return first


def calendar_property(content: bytes, name: str) -> Any:
    return icalendar.Calendar.from_ical(content)[name]
