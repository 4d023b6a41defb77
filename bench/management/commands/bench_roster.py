"""make bench-roster: the roster file's import of 5,000 rows, timed.

Through the import view, as a browser posts the file (the test client: no
web server in between), by a signed-in editor, into a playbook of 5 roles:
first 5,000 new ambassadors (5,000 added), then the same people again with
every row changed (5,000 updated), then the same file once more (nothing
changed). Each import's queries are counted too. Every run is rolled back.
The database is the configured one: SQLite, or PostgreSQL with DATABASE_URL.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from ambassadors.models import Ambassador
from playbooks.models import Level, Membership, Playbook
from roles.models import Role

ROWS, ROLES = 5000, 5
GOAL_SECONDS = 3.0
HEADER = "name;email;department;role;influence;early_access;training;trained_on;notes"


class Rollback(Exception):
    pass


def roster(rows: int, *, department: str) -> bytes:
    """``rows`` people over the roles, each with every column filled."""
    lines = [HEADER]
    for n in range(rows):
        training = ("not_started", "scheduled", "completed")[n % 3]
        trained_on = "" if training == "not_started" else "2027-03-01"
        lines.append(
            f"Person {n};person{n}@example.dk;{department} {n % 40};Role {n % ROLES};"
            f"{n % 5 + 1};2027-02-10;{training};{trained_on};Note about person {n}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


class Command(BaseCommand):
    help = "Time the roster file's import of 5,000 rows: added, updated, unchanged."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=ROWS)
        parser.add_argument("--runs", type=int, default=3, help="best of this many")

    def handle(self, *args: Any, rows: int, runs: int, **options: Any) -> None:
        added, changed = roster(rows, department="Sales"), roster(rows, department="Service")
        best: dict[str, tuple[float, float]] = {}
        queries: dict[str, int] = {}
        for _ in range(runs):
            for label, seconds, cpu, count in self.run(added, changed, rows):
                best[label] = min(best.get(label, (seconds, cpu)), (seconds, cpu))
                queries[label] = count
        vendor = connection.vendor
        self.stdout.write(
            f"Roster import, {rows:,} rows ({len(added) / 2**20:.1f} MB), {vendor}, best of {runs}:"
        )
        for label, (seconds, cpu) in best.items():
            verdict = "ok" if seconds < GOAL_SECONDS else "MISSED"
            self.stdout.write(
                f"  {label:20} {seconds:6.2f} s ({cpu:5.2f} s CPU here)  "
                f"{queries[label]:3} queries in the request  {verdict} (goal {GOAL_SECONDS:.0f} s)"
            )
        load = os.getloadavg()[0]
        self.stdout.write(f"  load average {load:.1f} on {os.cpu_count()} cores while measured")

    def run(self, added: bytes, changed: bytes, rows: int) -> list[tuple[str, float, float, int]]:
        """Each import's label, wall-clock and CPU seconds (this process's:
        PostgreSQL's server works in its own), and queries."""
        found: list[tuple[str, float, float, int]] = []
        try:
            with transaction.atomic():
                playbook = Playbook.objects.create(name="Roster benchmark")
                for n in range(ROLES):
                    Role.objects.create(playbook=playbook, name=f"Role {n}", order=n)
                user = get_user_model().objects.create_user(f"bench-roster-{time.time_ns()}")
                Membership.objects.create(playbook=playbook, user=user, level=Level.EDITOR)
                client = Client(SERVER_NAME="localhost")
                client.force_login(user)
                url = reverse("roster_import", args=[playbook.pk])
                for label, data, expected in (
                    (f"{rows:,} added", added, f"{rows} added, 0 updated"),
                    (f"{rows:,} updated", changed, f"0 added, {rows} updated"),
                    (f"{rows:,} unchanged", changed, f"0 added, {rows} updated"),
                ):
                    upload = SimpleUploadedFile("roster.csv", data, content_type="text/csv")
                    counted: list[str] = []
                    with connection.execute_wrapper(_counter(counted)):
                        start, cpu = time.perf_counter(), time.process_time()
                        response = client.post(url, {"file": upload})
                        seconds = time.perf_counter() - start
                        cpu = time.process_time() - cpu
                    assert response.status_code == 302, response.content.decode()[-2000:]
                    told = [str(m) for m in get_messages(response.wsgi_request)]
                    assert any(expected in m for m in told), f"{expected} not in {told}"
                    found.append((label, seconds, cpu, len(counted)))
                assert Ambassador.objects.filter(playbook=playbook).count() == rows
                raise Rollback
        except Rollback:
            pass
        return found


def _counter(counted: list[str]) -> Any:
    """A database execute wrapper that notes each query the request makes."""

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted.append(sql)
        return execute(sql, params, many, context)

    return wrapper
