"""make soak (issue 24, item 4): 20 users for ten minutes with locust on
PostgreSQL and Redis, then every write the users were told was saved is
read back.

The database named by ``DATABASE_URL`` (it must be PostgreSQL, and its name
must contain "soak") is dropped and created afresh, and the Redis database of
``REDIS_URL`` (not database 0) is emptied; then the migrations, ``seed_demo``
and the soak's own people: four editor accounts besides lead (the owner)
and the manager (a viewer), and as many roles in the demo playbook as there
are users, so that each editor writes a role of their own (the demo's five
and "Team 6", "Team 7", ...: each with a Give-Get, a pulse link and its
messages).

gunicorn starts as `make serve` starts it (gunicorn.conf.py, plain HTTP),
with its worker recycling off (``GUNICORN_MAX_REQUESTS=0``), and one task
worker beside it. The pulse's hourly limit per address and link is raised
(``WIIFM_PULSE_PER_HOUR``): every answer comes from 127.0.0.1. Its cap per
role and week (twice the headcount) is not a setting: the answers go to the
"Team" roles, whose headcounts stay at 60 or more, and each link is used at
most as often as its room that week allows.

A warm-up then reads each page, downloads one-pagers until every gunicorn
worker has its PDF fork server, and has the task worker render the
playbook's PDF; when the queue is empty and no render runs, the memory of
each process (its resident set size with its children's: gunicorn's master,
each worker, the task worker) is taken as the start. locust runs headless
(bench/soak_locustfile.py: editors, viewers and pulse respondents, each
with a session of their own) for ``--minutes``; the memory and the load
average are sampled every 10 s meanwhile. After the load, once the task
queue is empty again, the memory is taken as the end, and every write is
read back (bench/soak.py).

Goals: 0 writes lost, 0 server errors (a 5xx or no answer), no process's
memory grown by more than 20 %, no gunicorn worker replaced, no task failed.
The command prints a table and fails (exit status 1) when a goal is missed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from bench import harness, soak
from bench.management.commands.bench_load import session_cookie
from comms.services import create_role_messages
from givegets.models import GiveGet
from planner.management.commands.seed_demo import PASSWORD
from playbooks.models import Level, Membership, Playbook
from pulse import links
from pulse.limits import week_cap
from pulse.models import PulseAnswer
from pulse.weeks import today, week_of
from roles.models import Role
from roles.services import create_role

LOG = Path("/tmp/wiifm-soak-logs")  # noqa: S108 - the soak's own files, replaced each run
LOCUSTFILE = harness.ROOT / "bench" / "soak_locustfile.py"
GOAL_GROWTH = 0.20
PULSE_PER_HOUR = 1_000_000
EDITORS = [
    ("editor1", "Emil", "Holm"),
    ("editor2", "Freja", "Lund"),
    ("editor3", "Gustav", "Krogh"),
    ("editor4", "Hanne", "Berg"),
]
TEAM_HEADCOUNT = 60  # the soak's headcount writes stay at 60 or more, too
SAMPLE_SECONDS = 10


@dataclass
class Tree:
    """A process and the children counted with it."""

    name: str
    pid: int
    kb: int = 0
    peak_kb: int = 0
    processes: int = 0


@dataclass
class Servers:
    master: int
    worker: int  # the task worker
    gunicorn_workers: list[int] = field(default_factory=list)

    def trees(self) -> list[Tree]:
        """Each process with its children: gunicorn's master with those that
        are not its workers (a fork server), each worker with its own (its
        PDF fork server and a render's child), the task worker with its own."""
        workers = [pid for pid in harness.children_of(self.master) if _is_gunicorn_worker(pid)]
        self.gunicorn_workers = self.gunicorn_workers or workers
        trees = []
        skip = {pid for w in workers for pid in [w, *harness.descendants(w)]}
        master = [self.master] + [p for p in harness.descendants(self.master) if p not in skip]
        trees.append(_tree("gunicorn master", self.master, master))
        for n, pid in enumerate(sorted(workers), 1):
            trees.append(_tree(f"gunicorn worker {n}", pid, [pid, *harness.descendants(pid)]))
        trees.append(
            _tree("task worker", self.worker, [self.worker, *harness.descendants(self.worker)])
        )
        return trees


def _is_gunicorn_worker(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"multiprocessing" not in command


def _tree(name: str, pid: int, pids: list[int]) -> Tree:
    kb = [harness.rss_kb(p) for p in pids]
    return Tree(name, pid, sum(kb), sum(kb), sum(1 for k in kb if k))


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


class Command(BaseCommand):
    help = "Issue 24: a soak with locust, 20 users for 10 minutes; every write read back."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=20)
        parser.add_argument("--minutes", type=float, default=10)
        parser.add_argument("--spawn-rate", type=float, default=5)
        parser.add_argument(
            "--locust",
            default=str(Path(harness.PY).parent / "locust"),
            help="the locust program (default: the project's, a dev dependency)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        users, minutes = options["users"], options["minutes"]
        if users < 3:
            raise CommandError("At least 3 users: an editor, a viewer and a pulse respondent.")
        if not Path(options["locust"]).exists():
            raise CommandError(f"{options['locust']} is missing: make install-dev installs locust.")
        LOG.mkdir(exist_ok=True)
        for old in [*LOG.glob("*.log"), *LOG.glob("*.csv"), *LOG.glob("*.json*")]:
            old.unlink()
        self.fresh_database()
        self.stdout.write("Migrating and seeding the soak's database ...")
        call_command("migrate", "--no-input", "-v0")
        call_command("seed_demo", "--force", stdout=io.StringIO())
        call_command("collectstatic", "--no-input", "-v0", stdout=io.StringIO())
        plan = self.plan(users)
        (LOG / "plan.json").write_text(json.dumps(plan, indent=1))
        port = harness.free_port()
        base = f"http://127.0.0.1:{port}"
        env = harness.server_env(
            port, GUNICORN_MAX_REQUESTS="0", WIIFM_PULSE_PER_HOUR=str(PULSE_PER_HOUR)
        )
        connections.close_all()
        with harness.processes() as started:
            master = harness.gunicorn(started, port, env, LOG / "gunicorn.log")
            worker = harness.task_worker(started, env, LOG / "worker.log")
            harness.wait_healthy(base)
            servers = Servers(master.pid, worker.pid)
            self.warm_up(base, plan, servers)
            start = servers.trees()
            begun = time.time()
            samples = self.load(started, base, plan, users, minutes, options, servers)
            load_seconds = time.time() - begun
            self.drain(servers)
            end = servers.trees()
            workers_now = [t.pid for t in end if t.name.startswith("gunicorn worker")]
            replaced = len(set(servers.gunicorn_workers) - set(workers_now))
            failed = self.report(plan, start, end, samples, replaced, load_seconds, users, minutes)
        self.stdout.write(f"(logs, locust's CSV and the writes: {LOG})")
        if failed:
            raise CommandError("Goals missed: " + "; ".join(failed))

    # Setting up.

    def fresh_database(self) -> None:
        """Drop and create the soak's database, empty its Redis database."""
        import psycopg
        import redis
        from psycopg import sql

        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("The soak runs on PostgreSQL: set DATABASE_URL.")
        if "soak" not in db["NAME"]:
            raise CommandError(f"The soak drops its database: {db['NAME']} is not named *soak*.")
        if not settings.REDIS_URL:
            raise CommandError("The soak runs with Redis: set REDIS_URL.")
        number = urllib.parse.urlsplit(settings.REDIS_URL).path.strip("/") or "0"
        if number == "0":
            raise CommandError(
                "The soak empties its Redis database: give it one of its own, not 0."
            )
        connections.close_all()
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"] or "postgres",
            password=db["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        ) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(db["NAME"])
                )
            )
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5).flushdb()
        self.stdout.write(
            f"Fresh database {db['NAME']} on {db['HOST']}:{db['PORT']};"
            f" Redis {settings.REDIS_URL} emptied."
        )

    def plan(self, users: int) -> dict[str, Any]:
        """The people, their roles and the pulse links, for the locustfile."""
        User = get_user_model()
        playbook = Playbook.objects.get(name="Salesforce rollout")
        accounts = [User.objects.get(username="lead")]
        for username, given, family in EDITORS:
            user = User.objects.create_user(
                username, f"{username}@example.com", PASSWORD, first_name=given, last_name=family
            )
            Membership.objects.create(playbook=playbook, user=user, level=Level.EDITOR)
            accounts.append(user)
        roles = list(playbook.roles.order_by("order", "pk"))
        teams = []
        for n in range(len(roles), users):
            role = create_role(
                playbook=playbook,
                role=Role(
                    name=f"Team {n + 1}",
                    headcount=TEAM_HEADCOUNT + n,
                    question="Does it spare me the Friday report?",
                    wiifm="The pipeline report builds itself from what you log.",
                    concerns="Another system to feed.",
                    quick_win="Log a call from the phone",
                    unique_data=3,
                    speed=3,
                    recognition=2,
                    friction=2,
                    rigidity=1,
                ),
            )
            create_role_messages(role)
            links.issue(role)
            roles.append(role)
            teams.append(role)
        givegets = {}
        for role in roles:
            first = role.givegets.order_by("order", "pk").first()
            if first is None:
                first = GiveGet.objects.create(
                    role=role, give="Log each call", get="A weekly report", minutes_each=2
                )
            givegets[role.pk] = first.pk
        week = week_of(playbook.pulse_go_live, today())
        if week is None:
            raise CommandError("The demo playbook is not live: its pulse takes no answers.")
        pulse = []
        for role in teams:
            answered = PulseAnswer.objects.filter(role=role, week=week).count()
            pulse.append(
                {
                    "token": role.pulse_link.token,
                    "role": role.pk,
                    "room": 2 * TEAM_HEADCOUNT - answered,
                }
            )
            assert week_cap(role) >= 2 * TEAM_HEADCOUNT
        if not pulse:
            raise CommandError("No pulse link to answer: the soak needs more users than roles.")
        return {
            "playbook": playbook.pk,
            "password": PASSWORD,
            "viewer": "manager",
            "roles": [role.pk for role in roles],
            "writers": [
                {
                    "username": accounts[n % len(accounts)].username,
                    "role": role.pk,
                    "giveget": givegets[role.pk],
                }
                for n, role in enumerate(roles)
            ],
            "pulse": pulse,
            "accounts": [a.username for a in accounts] + ["manager"],
        }

    def warm_up(self, base: str, plan: dict[str, Any], servers: Servers) -> None:
        """Every page read, every gunicorn worker's PDF fork server started
        (one-pagers downloaded until each has one), the task worker's too (the
        playbook's PDF rendered); then wait until nothing runs."""
        from django_tasks_db.models import DBTaskResult

        from planner import tasks

        self.stdout.write("Warming up ...")
        lead = get_user_model().objects.get(username="lead")
        headers = {"Cookie": session_cookie(lead)}
        p = plan["playbook"]
        pages = [
            f"/playbooks/{p}/",
            f"/playbooks/{p}/matrix/",
            f"/playbooks/{p}/ambassadors/",
            f"/playbooks/{p}/plan/",
            f"/playbooks/{p}/results/",
            "/playbooks/",
            *(f"/playbooks/{p}/roles/{r}/" for r in plan["roles"]),
        ]
        for _round in range(3):
            for path in pages:
                status, _b, _h = harness.request(base, "GET", path, headers=headers, timeout=120)
                if status != 200:
                    raise CommandError(f"The warm-up's {path} answered {status}.")
        servers.trees()  # the workers, as they are before the load
        for n in range(60):
            if all(harness.children_of(w) for w in servers.gunicorn_workers):
                break
            if n and n % len(plan["roles"]) == 0:
                cache.clear()  # every one-pager rendered once: again
            self.lock_free(p)  # else the download leaves it to the worker
            role = plan["roles"][n % len(plan["roles"])]
            harness.request(
                base,
                "GET",
                f"/playbooks/{p}/roles/{role}/one-pager.pdf",
                headers=headers,
                timeout=120,
            )
        self.drain(servers)
        tasks.render_playbook_pdf.enqueue(p)
        deadline = time.monotonic() + 180
        while not harness.children_of(servers.worker) and time.monotonic() < deadline:
            time.sleep(0.5)
        self.drain(servers)
        ready = [w for w in servers.gunicorn_workers if harness.children_of(w)]
        self.stdout.write(
            f"  {len(pages) * 3} page reads; fork servers in {len(ready)}"
            f" of {len(servers.gunicorn_workers)} gunicorn workers and "
            f"{'the' if harness.children_of(servers.worker) else 'not the'} task worker;"
            f" {DBTaskResult.objects.filter(status='SUCCESSFUL').count()} tasks done."
        )

    def lock_free(self, playbook: int, seconds: float = 120) -> None:
        """Wait until nobody renders a document of the playbook (its render lock free)."""
        from planner import pdf

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            token = pdf.acquire(playbook, "soak warm-up")
            if token is not None:
                pdf.release(playbook, "soak warm-up", token)
                return
            time.sleep(0.2)

    def drain(self, servers: Servers, seconds: float = 240) -> None:
        """Wait until the task worker has nothing to do and no render runs
        (no grandchild under any process: a fork server's render child)."""
        from django_tasks_db.models import DBTaskResult

        deadline = time.monotonic() + seconds
        quiet_since = None
        while time.monotonic() < deadline:
            busy = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()
            roots = [servers.master, servers.worker, *servers.gunicorn_workers]
            rendering = any(
                harness.children_of(child)
                for root in roots
                for child in harness.children_of(root)
                if root != servers.master or child not in servers.gunicorn_workers
            )
            if busy or rendering:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 3:
                return
            time.sleep(0.5)
        connections.close_all()

    # The load.

    def load(
        self,
        started: harness.Processes,
        base: str,
        plan: dict[str, Any],
        users: int,
        minutes: float,
        options: dict[str, Any],
        servers: Servers,
    ) -> dict[str, Any]:
        """locust for ``minutes``; the memory and the load sampled meanwhile."""
        seconds = max(10, round(minutes * 60))
        env = {
            **os.environ,
            "SOAK_PLAN": str(LOG / "plan.json"),
            "SOAK_WRITES": str(LOG / "writes.jsonl"),
            "SOAK_STATUSES": str(LOG / "statuses.json"),
        }
        command = [
            options["locust"],
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(options["spawn_rate"]),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "30",
            "--csv",
            str(LOG / "locust"),
            "--host",
            base,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        self.stdout.write(
            f"Load: {users} users for {seconds / 60:g} min (locust, spawn rate"
            f" {options['spawn_rate']:g}/s); load average now {load_average():.2f}."
        )
        locust = started.start(command, env, LOG / "locust.log")
        begun = time.monotonic()
        samples: list[tuple[float, dict[str, int]]] = []
        loads: list[float] = []
        with open(LOG / "memory.csv", "w", newline="") as out:
            table = csv.writer(out)
            while True:
                try:
                    locust.wait(timeout=SAMPLE_SECONDS)
                    break
                except subprocess.TimeoutExpired:
                    pass
                elapsed = time.monotonic() - begun
                loads.append(load_average())
                trees = {tree.name: tree.kb for tree in servers.trees()}
                samples.append((elapsed, trees))
                if len(samples) == 1:
                    table.writerow(["seconds", "load average", *(f"{n} (kB)" for n in trees)])
                table.writerow([round(elapsed), loads[-1], *trees.values()])
                if elapsed > seconds + 180:
                    started.stop(locust)
                    raise CommandError("locust did not stop in time (see its log).")
        if not (LOG / "statuses.json").exists():
            raise CommandError(f"locust ended ({locust.returncode}) without its statistics.")
        return {"samples": samples, "loads": loads}

    # The report.

    def report(
        self,
        plan: dict[str, Any],
        start: list[Tree],
        end: list[Tree],
        samples: dict[str, Any],
        replaced: int,
        load_seconds: float,
        users: int,
        minutes: float,
    ) -> list[str]:
        """The tables; the goals missed (none: an empty list)."""
        from django_tasks_db.models import DBTaskResult

        answers = json.loads((LOG / "statuses.json").read_text())
        writes = soak.read_writes(LOG / "writes.jsonl")
        lost = soak.lost_writes(writes)
        lost_writes = {(w.kind, w.target, w.value) for w in (item.write for item in lost)}
        by_name: dict[str, Counter[int]] = {}
        for row in answers["statuses"]:
            by_name.setdefault(row["name"], Counter())[row["status"]] += row["count"]
        errors = sum(
            n for codes in by_name.values() for code, n in codes.items() if code >= 500 or code == 0
        )
        tasks_failed = DBTaskResult.objects.filter(status="FAILED").count()
        tasks_done = DBTaskResult.objects.filter(status="SUCCESSFUL").count()
        loads = samples["loads"] or [load_average()]
        self.stdout.write("")
        self.stdout.write(
            f"Soak: {users} users for {load_seconds / 60:.1f} min on PostgreSQL and Redis;"
            f" gunicorn {len(start) - 2} workers x {harness.gunicorn_settings()['threads']}"
            f" threads, worker recycling off; {os.cpu_count()} cores; load average (1 min)"
            f" during the run: mean {sum(loads) / len(loads):.1f}, max {max(loads):.1f}."
        )
        self.stdout.write("")
        header = (
            f"{'request kind':32} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
            "  statuses"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        every: list[float] = []
        for name, times in sorted(answers["times"].items()):
            every += times
            codes = by_name.get(name, Counter())
            self.stdout.write(_timing_row(name, times, codes))
        self.stdout.write("-" * len(header))
        self.stdout.write(_timing_row("all", every, sum(by_name.values(), Counter())))
        retried = answers["retried"]
        if retried:
            self.stdout.write(
                "GETs asked again, as a browser does, after the server closed their kept-alive"
                f" connection without an answer: {sum(retried.values())} ("
                + ", ".join(f"{name} {n}" for name, n in sorted(retried.items()))
                + ")."
            )
        self.stdout.write("")
        self.downloads(answers["downloads"])
        kinds = Counter((w.kind, w.ok) for w in writes)
        self.stdout.write(
            "Writes answered saved (not saved): "
            + ", ".join(
                f"{kind} {kinds[(kind, True)]} ({kinds[(kind, False)]})"
                for kind in ("cell", "add", "delete", "pulse")
            )
            + f"; all read back: {len(lost_writes)} of {sum(w.ok for w in writes)} lost."
        )
        refused = Counter(w.status for w in writes if not w.ok)
        if refused:
            self.stdout.write(
                "  not saved, by status: "
                + ", ".join(f"{s}: {n}" for s, n in sorted(refused.items()))
            )
        for item in lost[:10]:
            self.stdout.write(
                f"  lost: {item.write.kind} {item.write.target} = {item.write.value!r}: {item.why}"
            )
        growths = self.memory_table(start, end, samples["samples"])
        worst = max(growths, default=0.0)
        rows = [
            ("writes answered saved, then lost", "0", str(len(lost_writes)), not lost_writes),
            ("server errors (5xx, or no answer)", "0", str(errors), errors == 0),
            ("memory growth, worst process", "<= 20 %", f"{worst:+.1%}", worst <= GOAL_GROWTH),
            ("gunicorn workers replaced", "0", str(replaced), replaced == 0),
            ("tasks failed (done)", "0", f"{tasks_failed} ({tasks_done})", tasks_failed == 0),
        ]
        self.stdout.write("")
        header = f"{'goal':36} {'target':>8} {'measured':>10}  verdict"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for label, goal, measured, ok in rows:
            self.stdout.write(f"{label:36} {goal:>8} {measured:>10}  {'PASS' if ok else 'FAIL'}")
        log_errors = _log_errors()
        if log_errors:
            self.stdout.write(f"Error lines in the server and worker logs: {len(log_errors)}:")
            for line in log_errors[:5]:
                self.stdout.write(f"  {line}")
        return [label for label, _goal, _measured, ok in rows if not ok]

    def downloads(self, downloads: list[dict[str, Any]]) -> None:
        """Each kind of PDF: downloads asked for, how many got the PDF (a copy
        of an earlier version among them), and the seconds until it came,
        the "being prepared" page's tries included."""
        for name in sorted({d["name"] for d in downloads}):
            mine = [d for d in downloads if d["name"] == name]
            got = [d for d in mine if d["status"] == 200]
            seconds = [d["seconds"] for d in got]
            waited = sum(d["tries"] > 1 for d in got)
            self.stdout.write(
                f"{name}: {len(mine)} downloads, {len(got)} got the PDF"
                f" ({sum(d['stale'] for d in got)} an earlier version's, {waited} after"
                f" the 'being prepared' page); until the PDF p50"
                f" {harness.percentile(seconds, 50):.1f} s, p95"
                f" {harness.percentile(seconds, 95):.1f} s, max {max(seconds, default=0):.1f} s"
                + (f"; {len(mine) - len(got)} never came" if len(got) < len(mine) else "")
                + "."
            )

    def memory_table(
        self, start: list[Tree], end: list[Tree], samples: list[tuple[float, dict[str, int]]]
    ) -> list[float]:
        """Each process's memory at the start, half-way, at the end and at its
        most; its growth from start to end (infinite when it is gone)."""
        self.stdout.write("")
        self.stdout.write(
            "Memory: resident set size, each process with its children (MB), at the start"
            " (after the warm-up, nothing running), half-way, at the end (the queue"
            " empty again) and the most sampled every 10 s:"
        )
        header = (
            f"{'process':18} {'start':>7} {'half':>7} {'end':>7} {'growth':>7} {'peak':>7}"
            "  processes"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        middle = samples[len(samples) // 2][1] if samples else {}
        ends = {tree.name: tree for tree in end}
        growths = []
        for first in start:
            last = ends.get(first.name)
            if last is None or last.pid != first.pid:
                self.stdout.write(f"{first.name:18} {first.kb / 1024:7.1f}  (gone)")
                growths.append(float("inf"))
                continue
            growth = (last.kb - first.kb) / first.kb if first.kb else 0.0
            growths.append(growth)
            peak = max([first.kb, last.kb, *(kb.get(first.name, 0) for _t, kb in samples)])
            self.stdout.write(
                f"{first.name:18} {first.kb / 1024:7.1f} {middle.get(first.name, 0) / 1024:7.1f}"
                f" {last.kb / 1024:7.1f} {growth:+7.1%} {peak / 1024:7.1f}"
                f"  {first.processes} -> {last.processes}"
            )
        return growths


def _timing_row(name: str, times: list[float], codes: Counter[int]) -> str:
    shown = ", ".join(f"{code or 'none'}: {n}" for code, n in sorted(codes.items()))
    return (
        f"{name:32} {len(times):8} {harness.percentile(times, 50):7.0f}"
        f" {harness.percentile(times, 95):7.0f} {max(times, default=0):7.0f}  {shown}"
    )


def _log_errors() -> list[str]:
    found = []
    for name in ("gunicorn.log", "worker.log"):
        path = LOG / name
        if path.exists():
            for line in path.read_text(errors="replace").splitlines():
                if re.search(r"Traceback|ERROR|CRITICAL|WORKER TIMEOUT", line):
                    found.append(f"{name}: {line[:200]}")
    return found
