"""Usage exports for the tests of the import (pulse.usage, planner.adoption_import):
files written as the CRMs write them, a login history generated with its
count made independently, and the steps of the import as a browser posts them."""

from __future__ import annotations

import csv
import datetime
import html
import io
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

GO_LIVE = datetime.date(2027, 3, 1)  # a Monday: week 1 is 1-7 March
TODAY = GO_LIVE + datetime.timedelta(days=7 * 8 + 2)  # Wednesday of week 9: weeks 1-8 closed


def day_in(week: int, offset: int = 2, go_live: datetime.date = GO_LIVE) -> datetime.date:
    return go_live + datetime.timedelta(days=7 * (week - 1) + offset)


def csv_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


SALESFORCE = ("UserId", "Username", "LoginTime", "Profile")


def salesforce(logins: Iterable[tuple[str, str, str]], **options: Any) -> bytes:
    """Salesforce's LoginHistory with the user's profile: (user, ISO date-time, profile)."""
    return csv_bytes(
        SALESFORCE,
        ((user, f"{user}@corp.example", when, profile) for user, when, profile in logins),
        **options,
    )


@dataclass(frozen=True)
class History:
    """A generated login history and what it holds, counted here and not by
    the code under test."""

    data: bytes
    users: frozenset[str]  # every user value written in the file
    distinct: dict[tuple[str, int], int]  # (profile, week) -> distinct users
    rows: int


def generate(
    profiles: dict[str, int],
    weeks: int,
    *,
    seed: int = 19,
    rows: int | None = None,
    before_go_live: int = 0,
    go_live: datetime.date = GO_LIVE,
) -> History:
    """A login history over ``weeks`` closed weeks: each profile with its
    number of users, each user active in some weeks, logging in one to four
    times in a week (or, with ``rows``, as many logins as it takes to write
    that many rows). Times between 06:00 and 18:00 UTC: the same day in
    Copenhagen."""
    rng = random.Random(seed)  # noqa: S311 - test data, the same each run
    prefixes: dict[str, str] = {}  # each profile's own: no user in two profiles
    for i, profile in enumerate(profiles):
        prefix = profile[:2].upper()
        prefixes[profile] = prefix if prefix not in prefixes.values() else f"{prefix}{i}"
    people = [
        (f"005{prefixes[profile]}{n:05d}", profile)
        for profile, count in profiles.items()
        for n in range(count)
    ]
    logins: list[tuple[str, str, str]] = []
    distinct: dict[tuple[str, int], set[str]] = {}

    def login(user: str, profile: str, week: int) -> None:
        day = day_in(week, rng.randrange(7), go_live)
        moment = datetime.datetime.combine(
            day, datetime.time(rng.randrange(6, 18), rng.randrange(60), rng.randrange(60))
        )
        logins.append((user, moment.strftime("%Y-%m-%dT%H:%M:%S.000Z"), profile))
        distinct.setdefault((profile, week), set()).add(user)

    for week in range(1, weeks + 1):
        for user, profile in people:
            if rng.random() < 0.75:
                for _ in range(rng.randint(1, 4)):
                    login(user, profile, week)
    while rows is not None and len(logins) < rows - before_go_live:
        user, profile = rng.choice(people)
        login(user, profile, rng.randint(1, weeks))
    early = [
        (user, f"{go_live - datetime.timedelta(days=3)}T10:00:00Z", profile)
        for user, profile in people[:before_go_live]
    ]
    all_rows = early + logins
    rng.shuffle(all_rows)
    return History(
        data=salesforce(all_rows),
        users=frozenset(user for user, _p in people),
        distinct={key: len(users) for key, users in distinct.items()},
        rows=len(all_rows),
    )


# The import's steps, as a browser posts them.


def import_url(playbook: Any) -> str:
    return reverse("usage_import", args=[playbook.pk])


def upload(client: Client, playbook: Any, data: bytes, **fields: Any) -> Any:
    return client.post(
        import_url(playbook),
        {"file": SimpleUploadedFile("export.csv", data, content_type="text/csv"), **fields},
    )


def pick_columns(
    client: Client,
    playbook: Any,
    data: bytes,
    *,
    user: str = "UserId",
    date: str = "LoginTime",
    role: str = "Profile",
    date_format: str = "",
) -> Any:
    return upload(
        client,
        playbook,
        data,
        step="columns",
        user_column=user,
        date_column=date,
        role_column=role,
        date_format=date_format,
    )


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden field {name}"
    return html.unescape(found.group(1))


def value_fields(page: str) -> dict[str, str]:
    """The value of the role column each select of the preview is for -> its name."""
    found = re.findall(
        r'<label class="form-label mb-0 usage-value-name" for="id_(value-\d+)">(.*?)</label>', page
    )
    return {html.unescape(label): name for name, label in found}


def confirm(
    client: Client,
    playbook: Any,
    page: str,
    mapping: dict[str, Any],
    *,
    url_name: str = "usage_confirm",
) -> Any:
    """Post the preview's form with ``mapping`` (value -> role, or "ignore")."""
    fields = value_fields(page)
    data = {"counted": hidden(page, "counted"), "shown": hidden(page, "shown")}
    for value, choice in mapping.items():
        data[fields[value]] = choice if isinstance(choice, str) else str(choice.pk)
    return client.post(reverse(url_name, args=[playbook.pk]), data)


def map_and_save(client: Client, playbook: Any, page: str, mapping: dict[str, Any]) -> Any:
    """Choose the values' roles, look at the preview they give, then save it."""
    shown = confirm(client, playbook, page, mapping, url_name="usage_preview")
    assert shown.status_code == 200
    return confirm(client, playbook, shown.content.decode(), mapping)


def lines(page: str) -> list[str]:
    """The preview's lines, as a reader sees them."""
    found = re.findall(r'<li class="usage-line[^"]*">(.*?)</li>', page, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", line)).split()) for line in found]


def errors(page: str) -> list[str]:
    found = re.search(r'<ul class="mb-0 usage-errors">(.*?)</ul>', page, re.S)
    if not found:
        return []
    items = re.findall(r"<li[^>]*>(.*?)</li>", found.group(1), re.S)
    return [html.unescape(" ".join(item.split())) for item in items]


# Where a user identifier must never be: every table, the sessions, the cache,
# the pages and the fields carried between the steps.


def stored_text() -> dict[str, str]:
    """Every table's rows, every session's data and every cache entry, as text."""
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connection

    found: dict[str, str] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - the tables' own names
            found[f"table {table}"] = "\n".join(repr(row) for row in cursor.fetchall())
    found["sessions"] = "\n".join(repr(session.get_decoded()) for session in Session.objects.all())
    entries = getattr(cache, "_cache", {})  # the test settings' local-memory cache
    found["cache"] = "\n".join(
        f"{key!r} {value!r} {bytes(value).decode('utf-8', 'replace')}"
        for key, value in entries.items()
    )
    return found


def carried(page: str, playbook: Any, user: Any) -> str:
    """The preview's signed field, opened as the view opens it."""
    import json

    from django.core import signing

    token = hidden(page, "counted")
    data = signing.loads(token, salt=f"pulse.usage-import:{playbook.pk}:{user.pk}")
    return token + json.dumps(data, ensure_ascii=False)


def nowhere(users: Iterable[str], places: dict[str, str]) -> list[str]:
    """The (place, user) pairs where a user identifier was found: none, we hope."""
    return [
        f"{user} in {place}" for place, text in places.items() for user in users if user in text
    ]


def at_time(week: int, hour: int = 10, offset: int = 2) -> str:
    """A login's time in week ``week``, as Salesforce writes it (UTC)."""
    return f"{day_in(week, offset)}T{hour:02d}:00:00.000Z"


def selected(page: str, field_id: str) -> str | None:
    """The value selected in the select ``field_id`` (None: nothing selected)."""
    found = re.search(rf'<select[^>]*id="{field_id}"[^>]*>(.*?)</select>', page, re.S)
    assert found, f"no select {field_id}"
    option = re.search(r'<option value="([^"]*)"[^>]* selected>', found.group(1))
    return option.group(1) if option else None
