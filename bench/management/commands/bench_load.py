"""make bench: a load benchmark of the main pages, measured side by side.

Builds the demo playbooks and a large one (40 roles x 8 Give-Gets x 3
ambassadors, full plan) in the configured database, starts gunicorn as `make
serve` does on a free local port (plain HTTP for the run), logs clients in by
creating sessions, and drives each page with wrk at 10 and 50 connections.
Prints one table: requests per second, p50 and p95 latency, errors, and the
throughput as a share of the baseline (the playbook list of a user whose
only playbook is the demo). Then the pulse: a burst of 2,000 anonymous
answers over 20 roles of 100 people or more from 50 clients (the hourly
limit per address raised for the run), and the results page of a playbook
with 40 roles x 52 closed weeks x 30 answers at 10 clients. Stops everything
it started.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ambassadors.models import Ambassador
from ambassadors.services import issue_link
from bench.management.commands.bench_pdf import Command as PdfBench
from playbooks.models import Membership, Playbook
from pulse import links
from pulse.models import PulseAnswer
from pulse.weeks import today, week_of
from roles.models import Role

ROOT = Path(settings.BASE_DIR)
GOALS = (
    "demo matrix >= 50% of baseline, large matrix >= 25%, p95 < 150 ms at 10, "
    "cell saves on the large matrix p95 < 100 ms at 10, no errors at 50; "
    "pulse answers burst no errors (a 302 is an answer stored) and p95 < 150 ms at 50, "
    "results page p95 < 150 ms at 10"
)
# The pulse burst: 2,000 answers over 20 links from 50 clients, every one from
# 127.0.0.1, so the hourly limit per address and link (60) is raised for the run.
BURST_ANSWERS, BURST_ROLES, BURST_CLIENTS = 2000, 20, 50
PULSE_PER_HOUR = 100_000
# The results page: 40 roles x 52 closed weeks x 30 answers, at 10 clients.
RESULTS_ROLES, RESULTS_WEEKS, RESULTS_ANSWERS, RESULTS_CLIENTS = 40, 52, 30, 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(user: Any) -> str:
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


class Command(BaseCommand):
    help = "Load benchmark of the main pages with wrk (see make bench)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=int, default=6)
        parser.add_argument("--clients", default="10,50")
        rows = parser.add_mutually_exclusive_group()
        rows.add_argument(
            "--pulse-only", action="store_true", help="only the pulse rows (burst, results page)"
        )
        rows.add_argument(
            "--only",
            default="",
            help="only the baseline and the page and cell save rows whose name holds this"
            " text (e.g. 'cell save'), no pulse rows",
        )

    def handle(
        self, *args: Any, seconds: int, clients: str, pulse_only: bool, only: str, **options: Any
    ) -> None:
        if subprocess.run(["which", "wrk"], capture_output=True, check=False).returncode:
            raise CommandError("wrk is missing: make bench installs it (apt-get install wrk).")
        call_command("seed_demo", "--force", stdout=io.StringIO())
        demo = Playbook.objects.get(name="Salesforce rollout")
        large = Playbook.objects.filter(name="Large rollout").first() or PdfBench().large(demo)
        User = get_user_model()
        lead = User.objects.get(username="lead")
        Membership.objects.get_or_create(playbook=large, user=lead, defaults={"level": "owner"})
        baseline_user, _ = User.objects.get_or_create(username="bench-baseline")
        Membership.objects.get_or_create(
            playbook=demo, user=baseline_user, defaults={"level": "viewer"}
        )
        role = demo.roles.order_by("order").first()
        ambassador = Ambassador.objects.filter(role=role).first()
        if role is None or ambassador is None:
            raise CommandError("The demo playbook has no role with an ambassador.")
        token = issue_link(ambassador)
        lead_cookie, baseline_cookie = session_cookie(lead), session_cookie(baseline_user)
        # Cell saves on the large matrix, as htmx posts them, going round its 40
        # roles: headcounts (the totals change) and the first Give-Get's minutes
        # saved (the chart changes too).
        csrf = secrets.token_hex(16)  # 32 characters: the cookie's secret, sent back as the header
        cell_cookie = f"{lead_cookie}; csrftoken={csrf}"
        headcounts, minutes = [], []
        for each in large.roles.prefetch_related("givegets"):
            row = f"/playbooks/{large.pk}/matrix/{each.pk}"
            headcounts.append((f"{row}/cells/headcount/", f"c{each.pk}-headcount"))
            for gg in each.givegets.all()[:1]:
                minutes.append(
                    (
                        f"{row}/givegets/{gg.pk}/cells/minutes_saved_per_week/",
                        f"g{gg.pk}-minutes_saved_per_week",
                    )
                )
        if not headcounts or not minutes:
            raise CommandError("The large playbook has no role with a Give-Get.")
        cell_saves = [("cell save: headcount", headcounts), ("cell save: Give-Get min.", minutes)]
        burst_links = self.burst_playbook(lead)
        results = self.results_playbook(lead)
        pages = [
            ("baseline: playbook list", "/playbooks/", baseline_cookie),
            ("demo matrix", f"/playbooks/{demo.pk}/matrix/", lead_cookie),
            ("large matrix", f"/playbooks/{large.pk}/matrix/", lead_cookie),
            ("role page", f"/playbooks/{demo.pk}/roles/{role.pk}/", lead_cookie),
            ("overview", f"/playbooks/{demo.pk}/", lead_cookie),
            ("ambassador page", f"/a/{token}/", ""),
            ("cached PDF", f"/playbooks/{demo.pk}/playbook.pdf", lead_cookie),
        ]
        call_command("collectstatic", "--no-input", "-v0")
        port = free_port()
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "WIIFM_ALLOW_HTTP": "1",
            "ALLOWED_HOSTS": "127.0.0.1",
            "BIND": f"127.0.0.1:{port}",
            "WIIFM_PULSE_PER_HOUR": str(PULSE_PER_HOUR),
        }
        gunicorn = Path(sys.executable).parent / "gunicorn"
        server = subprocess.Popen(
            [str(gunicorn), "-c", "gunicorn.conf.py", "wiifm_site.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            self.wait(base)
            for _name, cells in cell_saves:  # as wrk will send them: saves, not refusals
                path, field = cells[0]
                save = urllib.request.Request(
                    base + path,
                    data=f"{field}=41".encode(),
                    headers={"Cookie": cell_cookie, "X-CSRFToken": csrf, "HX-Request": "true"},
                )
                with urllib.request.urlopen(save, timeout=60) as response:
                    assert response.status == 200, path
                    assert b'hx-swap-oob="true"' in response.read(), path
            results_path = f"/playbooks/{results.pk}/results/"
            results_status = self.status(base + results_path, lead_cookie)  # sums the weeks up
            self.stdout.write(
                f"Load benchmark on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
                f", gunicorn {os.cpu_count()} cores, {seconds} s per run. Goals: {GOALS}."
            )
            self.stdout.write(
                f"WIIFM_PULSE_PER_HOUR raised from {settings.WIIFM_PULSE_PER_HOUR} to "
                f"{PULSE_PER_HOUR} for this run: the burst comes from one address."
            )
            header = (
                f"{'page':26} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
                f"{'errors':>7} {'vs baseline':>12}"
            )
            self.stdout.write(header)
            self.stdout.write("-" * len(header))
            baselines: dict[int, float] = {}
            for count in [] if pulse_only else [int(c) for c in clients.split(",")]:
                baseline_rps = None
                # Every page cached as of now (and the PDF): the saves made
                # the large playbook's stale.
                self.warm(base, pages)
                for number, (name, path, cookie) in enumerate(pages):
                    if only and number and only not in name:  # the baseline is always measured
                        continue
                    result = self.wrk(base + path, cookie, count, seconds)
                    rps = result["requests"] / result["seconds"]
                    baseline_rps = baseline_rps or rps
                    baselines[count] = baseline_rps
                    self.stdout.write(
                        f"{name:26} {count:7} {rps:8.1f} {result['p50_ms']:8.1f} "
                        f"{result['p95_ms']:8.1f} {result['errors']:7} {rps / baseline_rps:11.0%}"
                    )
                for name, cells in cell_saves:
                    if only and only not in name:
                        continue
                    result = self.wrk(
                        base + cells[0][0],
                        cell_cookie,
                        count,
                        seconds,
                        script="cell_save.lua",
                        env={
                            "WIIFM_CELLS": ";".join(f"{p}|{f}" for p, f in cells),
                            "WIIFM_CSRF": csrf,
                        },
                    )
                    rps = result["requests"] / result["seconds"]
                    share = rps / (baseline_rps or rps)
                    self.stdout.write(
                        f"{name:26} {count:7} {rps:8.1f} {result['p50_ms']:8.1f} "
                        f"{result['p95_ms']:8.1f} {result['errors']:7} {share:11.0%}"
                    )
            if not only:
                self.pulse_rows(
                    base, burst_links, results_path, results_status, lead_cookie, baselines
                )
        finally:
            server.terminate()
            server.wait(timeout=30)

    def burst_playbook(self, lead: Any) -> list[str]:
        """20 roles of 100 people or more, live since last week, each with a
        pulse link; this week's answers cleared, so the burst stays under
        each role-week's cap (2 x 100) however often it runs."""
        go_live = today() - datetime.timedelta(days=10)
        playbook, _created = Playbook.objects.get_or_create(
            name="Pulse burst", defaults={"go_live": go_live, "organisation": "Benchmark A/S"}
        )
        Playbook.objects.filter(pk=playbook.pk).update(go_live=go_live)
        Membership.objects.get_or_create(playbook=playbook, user=lead, defaults={"level": "owner"})
        paths = []
        for number in range(BURST_ROLES):
            role, _created = Role.objects.get_or_create(
                playbook=playbook,
                name=f"Team {number + 1}",
                defaults={"headcount": 100 + number, "order": number},
            )
            link = getattr(role, "pulse_link", None) or links.issue(role)
            paths.append(f"/p/{link.token}/")
        week = week_of(go_live, today())
        assert week is not None, "went live ten days ago"
        PulseAnswer.objects.filter(role__playbook=playbook, week=week).delete()
        return paths

    def results_playbook(self, lead: Any) -> Playbook:
        """40 roles x 52 closed weeks x 30 answers (62,400), made up once."""
        playbook = Playbook.objects.filter(name="Pulse results").first()
        if playbook is not None:
            return playbook
        large = Playbook.objects.get(name="Large rollout")
        playbook = Playbook.objects.create(
            name="Pulse results",
            organisation="Benchmark A/S",
            go_live=today() - datetime.timedelta(days=7 * RESULTS_WEEKS + 3),
        )
        Membership.objects.create(playbook=playbook, user=lead, level="owner")
        rng = random.Random(52)  # noqa: S311 - made-up answers, the same on every run
        for number, source in enumerate(large.roles.prefetch_related("givegets")[:RESULTS_ROLES]):
            role = Role.objects.create(
                playbook=playbook,
                name=f"Role {number + 1}",
                headcount=50 + number,
                order=number,
                question=source.question,
                wiifm=source.wiifm,
                unique_data=3,
                speed=3,
                recognition=2,
                friction=2,
                rigidity=1,
            )
            for giveget in source.givegets.all():
                giveget.pk, giveget.role = None, role
                giveget.save()
            PulseAnswer.objects.bulk_create(
                (
                    PulseAnswer(
                        role=role,
                        week=week,
                        cost_minutes=rng.randrange(0, 180, 5),
                        saved_minutes=rng.randrange(0, 240, 5),
                        got_back=rng.randint(1, 5),
                        comment="Fewer mandatory fields, please." if rng.random() < 0.3 else "",
                    )
                    for week in range(1, RESULTS_WEEKS + 1)
                    for _answer in range(RESULTS_ANSWERS)
                ),
                batch_size=2000,
            )
        return playbook

    def pulse_rows(
        self,
        base: str,
        burst_links: list[str],
        results_path: str,
        results_status: int,
        lead_cookie: str,
        baselines: dict[int, float],
    ) -> None:
        """The pulse's two rows: the burst of answers, and the results page."""
        playbook = Playbook.objects.get(name="Pulse burst")
        before = PulseAnswer.objects.filter(role__playbook=playbook).count()
        result = self.wrk(
            base + burst_links[0],
            "",
            BURST_CLIENTS,
            # Long enough for 2,000 answers on a slow day; the script stops its
            # threads at their share, but wrk itself waits this long.
            45,
            script="pulse_answer.lua",
            env={
                "WIIFM_LINKS": ";".join(burst_links),
                "WIIFM_REQUESTS": str(BURST_ANSWERS),
                "WIIFM_THREADS": "2",
                "WIIFM_CLIENTS": str(BURST_CLIENTS),
            },
        )
        stored = PulseAnswer.objects.filter(role__playbook=playbook).count() - before
        self.row("pulse answers burst", BURST_CLIENTS, result, baselines)
        self.stdout.write(
            f"  {result['requests']} answers back ({BURST_ANSWERS} asked for) over "
            f"{len(burst_links)} links; {stored} stored (answers still in flight when wrk "
            "stopped count as stored but not as measured)."
        )
        if results_status != 200:
            self.stdout.write(
                f"{'results page':26} {RESULTS_CLIENTS:7} not measured: {results_path} "
                f"answered {results_status} (the results page is not in this tree)."
            )
            return
        result = self.wrk(base + results_path, lead_cookie, RESULTS_CLIENTS, 6)
        self.row("results page", RESULTS_CLIENTS, result, baselines)

    def row(
        self, name: str, count: int, result: dict[str, Any], baselines: dict[int, float]
    ) -> None:
        rps = result["requests"] / result["seconds"]
        share = f"{rps / baselines[count]:11.0%}" if count in baselines else f"{'':>11}"
        self.stdout.write(
            f"{name:26} {count:7} {rps:8.1f} {result['p50_ms']:8.1f} "
            f"{result['p95_ms']:8.1f} {result['errors']:7} {share}"
        )

    def warm(self, base: str, pages: list[tuple[str, str, str]]) -> None:
        """Every page once, so that a run measures pages as cached for the
        playbooks' current versions, not the first render after a save."""
        for _name, path, cookie in pages:
            request = urllib.request.Request(base + path, headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=120) as response:
                assert response.status == 200, path

    def status(self, url: str, cookie: str) -> int:
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def wait(self, base: str) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def wrk(
        self,
        url: str,
        cookie: str,
        clients: int,
        seconds: int,
        *,
        script: str = "report.lua",
        env: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        command = [
            "wrk",
            "-t2",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / script),
        ]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        output = subprocess.run(
            [*command, url],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
            env={**os.environ, **(env or {})},
        ).stdout
        line = next(line for line in output.splitlines() if line.startswith("{"))
        return json.loads(line)
