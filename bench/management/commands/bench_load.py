"""make bench: a load benchmark of the main pages, measured side by side.

Builds the demo playbooks and a large one (40 roles x 8 Give-Gets x 3
ambassadors, full plan) in the configured database, starts gunicorn as `make
serve` does on a free local port (plain HTTP for the run), logs clients in by
creating sessions, and drives each page with wrk at 10 and 50 connections.
Prints one table: requests per second, p50 and p95 latency, errors, and the
throughput as a share of the baseline (the playbook list of a user whose
only playbook is the demo). Stops everything it started.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import socket
import subprocess
import sys
import time
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

ROOT = Path(settings.BASE_DIR)
GOALS = (
    "demo matrix >= 50% of baseline, large matrix >= 25%, p95 < 150 ms at 10, "
    "cell saves on the large matrix p95 < 100 ms at 10, no errors at 50"
)


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

    def handle(self, *args: Any, seconds: int, clients: str, **options: Any) -> None:
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
            for _name, path, cookie in pages:  # warm every page (and the PDF cache)
                request = urllib.request.Request(base + path, headers={"Cookie": cookie})
                with urllib.request.urlopen(request, timeout=120) as response:
                    assert response.status == 200, path
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
            self.stdout.write(
                f"Load benchmark on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
                f", gunicorn {os.cpu_count()} cores, {seconds} s per run. Goals: {GOALS}."
            )
            header = (
                f"{'page':26} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
                f"{'errors':>7} {'vs baseline':>12}"
            )
            self.stdout.write(header)
            self.stdout.write("-" * len(header))
            for count in [int(c) for c in clients.split(",")]:
                baseline_rps = None
                for name, path, cookie in pages:
                    result = self.wrk(base + path, cookie, count, seconds)
                    rps = result["requests"] / result["seconds"]
                    baseline_rps = baseline_rps or rps
                    self.stdout.write(
                        f"{name:26} {count:7} {rps:8.1f} {result['p50_ms']:8.1f} "
                        f"{result['p95_ms']:8.1f} {result['errors']:7} {rps / baseline_rps:11.0%}"
                    )
                for name, cells in cell_saves:
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
        finally:
            server.terminate()
            server.wait(timeout=30)

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
