"""make bench-import: the CRM's usage export imported, time and peak memory.

Writes a login history of 100,000 rows (5 profiles of 400 users, 8 closed
weeks, Salesforce's ISO date-times with a zone, shuffled), then imports it in
a fresh process (``--measure``), through the views as a browser posts them:
the upload with its columns (the file read, its date format told, its rows
counted: the preview), the preview with each value's role, and the confirm
(the 40 figures saved). The body of each request is encoded before the clock
starts. Memory is the process's resident size: before the upload (Django,
the app and the file's bytes loaded) and its peak during the three requests
(Linux's VmHWM, its peak reset before the upload), so the difference is
what the import itself took. The saved figures are checked against the
count made while writing the file.
"""

from __future__ import annotations

import datetime
import gc
import html
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.test import Client
from django.test.client import BOUNDARY, encode_multipart
from django.urls import reverse

from playbooks.models import Level, Membership, Playbook
from pulse import weeks
from pulse.models import AdoptionFigure
from roles.models import Role

ROWS, PROFILES, USERS_EACH, WEEKS = 100_000, 5, 400, 8
GOAL_SECONDS, GOAL_MB = 10.0, 200


class Rollback(Exception):
    pass


def status_kb(field: str) -> int:
    """A field of /proc/self/status in kB (VmRSS: now; VmHWM: the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def reset_peak() -> bool:
    """Start VmHWM again from the current size (Linux 4.0 and later)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def write_export(path: Path, go_live: datetime.date) -> dict[str, int]:
    """The login history, and its distinct users per "profile|week" counted here."""
    rng = random.Random(19)  # noqa: S311 - benchmark data, the same each run
    users = [
        (f"005{p}{n:05d}AAQ", f"Profile {p}") for p in range(PROFILES) for n in range(USERS_EACH)
    ]
    seen: dict[str, set[str]] = {}
    rows = []
    for _ in range(ROWS):
        user, profile = rng.choice(users)
        week = rng.randint(1, WEEKS)
        moment = datetime.datetime.combine(
            go_live + datetime.timedelta(days=7 * (week - 1) + rng.randrange(7)),
            datetime.time(rng.randrange(6, 18), rng.randrange(60), rng.randrange(60)),
        )
        rows.append(
            f"{user};{user.lower()}@corp.example;{moment:%Y-%m-%dT%H:%M:%S}.000Z;"
            f"Standard;Success;{profile}\r\n"
        )
        seen.setdefault(f"{profile}|{week}", set()).add(user)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("UserId;Username;LoginTime;LoginType;Status;Profile\r\n")
        out.writelines(rows)
    return {key: len(found) for key, found in seen.items()}


class Command(BaseCommand):
    help = "Measure the import of a 100,000-row usage export: time and peak memory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--measure", help="(internal) import this file and print JSON")

    def handle(self, *args: Any, measure: str | None = None, **options: Any) -> None:
        if measure:
            self.stdout.write(json.dumps(self.measure(Path(measure))))
            return
        go_live = weeks.today() - datetime.timedelta(days=7 * WEEKS + 3)
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "login-history.csv"
            expected = write_export(path, go_live)
            size = path.stat().st_size
            done = subprocess.run(
                [sys.executable, sys.argv[0], "bench_import", "--measure", str(path)],
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            )
        found = json.loads(done.stdout.strip().splitlines()[-1])
        assert found["figures"] == expected, "the saved figures differ from the count"
        total = found["count"] + found["preview"] + found["confirm"]
        peak = found["peak_kb"] / 1024
        before = found["before_kb"] / 1024
        self.stdout.write(
            f"Usage export import: {ROWS:,} rows ({PROFILES} roles x {WEEKS} weeks, "
            f"{PROFILES * USERS_EACH:,} users, {size / 2**20:.1f} MB), in a fresh process:"
        )
        lines = [
            ("read and count (the upload)", found["count"]),
            ("preview with each value's role", found["preview"]),
            (f"confirm ({len(expected)} figures saved)", found["confirm"]),
        ]
        for label, seconds in lines:
            self.stdout.write(f"  {label:34} {seconds:6.2f} s")
        verdict = "ok" if total < GOAL_SECONDS else "MISSED"
        self.stdout.write(f"  {'total':34} {total:6.2f} s  {verdict} (goal {GOAL_SECONDS:.0f} s)")
        verdict = "ok" if peak < GOAL_MB else "MISSED"
        how = "VmHWM, reset before the upload" if found["reset"] else "ru_maxrss, since start"
        self.stdout.write(
            f"  peak RSS {peak:.0f} MB ({how}): {before:.0f} MB before the upload "
            f"(Django, the app, the request's body), {peak - before:+.0f} MB for the import  "
            f"{verdict} (goal {GOAL_MB} MB)"
        )

    def measure(self, path: Path) -> dict[str, Any]:
        try:
            with transaction.atomic():
                result = self.run(path)
                raise Rollback
        except Rollback:
            pass
        return result

    def run(self, path: Path) -> dict[str, Any]:
        day = weeks.today()
        playbook = Playbook.objects.create(
            name="Import benchmark", go_live=day - datetime.timedelta(days=7 * WEEKS + 3)
        )
        roles = {
            f"Profile {p}": Role.objects.create(
                playbook=playbook, name=f"Role {p}", headcount=450, order=p
            )
            for p in range(PROFILES)
        }
        user = get_user_model().objects.create_user("bench-import")
        Membership.objects.create(playbook=playbook, user=user, level=Level.EDITOR)
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        upload = encode_multipart(
            BOUNDARY,
            {
                "step": "columns",
                "user_column": "UserId",
                "date_column": "LoginTime",
                "role_column": "Profile",
                "date_format": "",
                "file": path.open("rb"),
            },
        )
        gc.collect()
        before_kb = status_kb("VmRSS")
        reset = reset_peak()

        start = time.perf_counter()
        response = client.post(
            reverse("usage_import", args=[playbook.pk]),
            upload,
            content_type=f"multipart/form-data; boundary={BOUNDARY}",  # encoded already
        )
        counted = time.perf_counter() - start
        page = response.content.decode()
        token = _hidden(page, "counted")
        mapping = {"counted": token}
        for i, profile in enumerate(sorted(roles)):
            mapping[f"value-{i}"] = str(roles[profile].pk)

        start = time.perf_counter()
        response = client.post(reverse("usage_preview", args=[playbook.pk]), mapping)
        previewed = time.perf_counter() - start
        shown = _hidden(response.content.decode(), "shown")

        start = time.perf_counter()
        response = client.post(
            reverse("usage_confirm", args=[playbook.pk]), {**mapping, "shown": shown}
        )
        confirmed = time.perf_counter() - start
        assert response.status_code == 302, response.status_code

        peak_kb = (
            status_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        )
        names = {role.pk: name for name, role in roles.items()}
        figures = {
            f"{names[role_id]}|{week}": active
            for role_id, week, active in AdoptionFigure.objects.filter(
                role__playbook=playbook
            ).values_list("role_id", "week", "active_users")
        }
        return {
            "count": counted,
            "preview": previewed,
            "confirm": confirmed,
            "before_kb": before_kb,
            "peak_kb": peak_kb,
            "reset": reset,
            "figures": figures,
        }


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} in the page"
    return html.unescape(found.group(1))
