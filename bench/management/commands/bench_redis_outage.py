"""make bench-redis-outage (issue 23): Redis away for 30 s during a 2-minute
mixed load of reads and writes.

Starts its own Redis (``redis-server --port <free> --save ''``), gunicorn as
`make serve` does with REDIS_URL pointing at it (plain HTTP), and a task
worker. ``--clients`` people (each a session, as a browser without
JavaScript: cookies kept, the CSRF token sent back, each form read before it
is posted) share one playbook of as many roles; each writes only their own
things, so that the last value of each is known: their role's WIIFM and
question, their first Give-Get's give, a Give-Get added and deleted again;
the first person the pledge too. Every written value is unique. Between two
writes a person reads the overview or their role page.

At ``--outage-at`` seconds Redis is stopped for ``--outage`` seconds:
``--mode hang`` (the default) sends it SIGSTOP then SIGCONT, a Redis that
hangs and keeps its data; ``--mode restart`` ends it and starts an empty one
on the same port, a Redis that was lost.

A write is reported saved when its answer is the redirect a save gives and
the page it leads to says so ("Changes saved.", "added", "deleted"); any
other answer, or none within ``--timeout`` s, is reported failed. After the
load (Redis back), every value is read back: from the database and its
history (what was saved), and from the pages and the PDF (what is shown).
Goals: 0 server errors (5xx or no answer), 0 writes reported failed that
were saved, 0 reported saved that are missing, 0 stale pages.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import signal
import string
import threading
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from actionplan.services import create_default_plan
from bench import harness
from bench.management.commands.bench_load import session_cookie
from givegets.models import GiveGet
from playbooks.models import Membership, Playbook
from roles.models import Role

LOG = Path("/tmp/wiifm-outage-logs")  # noqa: S108 - the benchmark's own logs, replaced each run


class Forms(HTMLParser):
    """The forms of a page: each its action and its fields' values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), {}))
        elif self.forms and tag in ("input", "select") and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button"):
                self.forms[-1][1][a["name"]] = a.get("value", "")
        elif self.forms and tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.forms[-1][1][a["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1][1][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None

    def having(self, field: str) -> tuple[str, dict[str, str], str] | None:
        """The form with a field named ``field`` (or ending in ``-field``):
        its action, its values and the field's full name."""
        for action, values in self.forms:
            for name in values:
                if name == field or name.endswith(f"-{field}"):
                    return action, values, name
        return None


@dataclass
class Write:
    client: int
    kind: str  # wiifm, question, give, pledge, add, delete
    target: str  # what it writes: "role 3", "giveget 17", "playbook 1"
    value: str
    started: float
    seconds: float = 0.0
    status: int = 0
    saved: bool = False  # as reported to the person
    note: str = ""


def token(kind: str, client: int, n: int) -> str:
    """A unique value, letters and digits only (no break in a PDF either)."""
    tail = "".join(random.choices(string.ascii_lowercase, k=5))  # noqa: S311
    return f"Z{kind[:2]}{client}n{n}{tail}"


class Command(BaseCommand):
    help = "Issue 23: Redis stopped for 30 s during a 2-minute mixed load; every write read back."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=10)
        parser.add_argument("--seconds", type=float, default=120)
        parser.add_argument("--outage-at", type=float, default=30)
        parser.add_argument("--outage", type=float, default=30)
        parser.add_argument("--mode", choices=["hang", "restart"], default="hang")
        parser.add_argument("--timeout", type=float, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        redis_server = shutil.which("redis-server")
        if redis_server is None:
            raise CommandError("redis-server is missing (apt-get install redis-server).")
        LOG.mkdir(exist_ok=True)
        for old in LOG.glob("*.log"):
            old.unlink()
        clients = options["clients"]
        User = get_user_model()
        owner, _ = User.objects.get_or_create(username="bench-outage")
        playbook = Playbook.objects.create(name="Redis outage", organisation="Benchmark A/S")
        Membership.objects.create(playbook=playbook, user=owner, level="owner")
        create_default_plan(playbook)
        roles = []
        for n in range(clients):
            role = Role.objects.create(
                playbook=playbook,
                name=f"Role {n + 1}",
                headcount=10 + n,
                order=n,
                question="Does it help me?",
                wiifm="Fewer reports by hand.",
            )
            GiveGet.objects.create(
                role=role,
                give="Log each meeting",
                get="A weekly report",
                minutes_each=5,
                times_per_week=8,
                minutes_saved_per_week=30,
                order=0,
            )
            roles.append(role)
        cookies = [session_cookie(owner) for _ in range(clients)]
        call_command("collectstatic", "--no-input", "-v0", stdout=io.StringIO())
        redis_port, port = harness.free_port(), harness.free_port()
        base = f"http://127.0.0.1:{port}"
        redis_command = [
            redis_server,
            "--port",
            str(redis_port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--bind",
            "127.0.0.1",
        ]
        env = harness.server_env(port, REDIS_URL=f"redis://127.0.0.1:{redis_port}/0")
        with harness.processes() as started:
            redis = started.start(redis_command, env, LOG / "redis.log")
            time.sleep(0.5)
            harness.gunicorn(started, port, env, LOG / "gunicorn.log")
            harness.task_worker(started, env, LOG / "worker.log")
            harness.wait_healthy(base)
            self.stdout.write(
                f"Redis outage: {clients} clients, {options['seconds']:.0f} s, Redis "
                + ("hung (SIGSTOP)" if options["mode"] == "hang" else "lost (ended, started empty)")
                + f" at {options['outage_at']:.0f} s for {options['outage']:.0f} s;"
                f" request timeout {options['timeout']:.0f} s."
            )
            recorder = harness.Recorder()
            writes: list[Write] = []
            lock = threading.Lock()
            stop = threading.Event()
            load_start = time.monotonic()
            threads = [
                threading.Thread(
                    target=self.person,
                    args=(
                        stop,
                        recorder,
                        writes,
                        lock,
                        base,
                        cookies[n],
                        playbook.pk,
                        roles[n].pk,
                        n,
                        options["timeout"],
                    ),
                    daemon=True,
                )
                for n in range(clients)
            ]
            for thread in threads:
                thread.start()
            time.sleep(options["outage_at"])
            outage_start = time.monotonic() - load_start
            if options["mode"] == "hang":
                redis.send_signal(signal.SIGSTOP)
                time.sleep(options["outage"])
                redis.send_signal(signal.SIGCONT)
            else:
                started.stop(redis)
                time.sleep(options["outage"])
                redis = started.start(redis_command, env, LOG / "redis.log")
            outage_end = time.monotonic() - load_start
            time.sleep(max(0.0, options["seconds"] - (time.monotonic() - load_start)))
            stop.set()
            for thread in threads:
                thread.join(timeout=options["timeout"] * 3 + 10)
            still = sum(thread.is_alive() for thread in threads)
            load_seconds = time.monotonic() - load_start
            time.sleep(2)  # answers the server was still writing
            self.report(
                options,
                base,
                cookies[0],
                playbook,
                roles,
                recorder,
                writes,
                (outage_start, outage_end, load_seconds, still),
            )
        self.stdout.write(f"(server, worker and Redis logs: {LOG})")

    # A person.

    def person(
        self,
        stop: threading.Event,
        recorder: harness.Recorder,
        writes: list[Write],
        lock: threading.Lock,
        base: str,
        cookie: str,
        playbook: int,
        role: int,
        client: int,
        timeout: float,
    ) -> None:
        name, value = cookie.split("=", 1)
        browser = harness.Browser(base, {name: value})
        kinds = ["wiifm", "question", "give", "add", "delete"] + (["pledge"] if client == 0 else [])
        added: list[str] = []  # Give-Gets added and not deleted yet: their give
        n = 0
        while not stop.is_set():
            kind = kinds[n % len(kinds)]
            if kind == "delete" and not added:
                kind = "add"
            value = token(kind, client, n)
            write = Write(client, kind, "", value, time.monotonic())
            try:
                self.write(browser, recorder, write, playbook, role, added, timeout)
            except Exception as error:
                write.note = f"{type(error).__name__}: {error}"
            write.seconds = time.monotonic() - write.started
            with lock:
                writes.append(write)
            read = f"/playbooks/{playbook}/" if n % 2 else f"/playbooks/{playbook}/roles/{role}/"
            browser.get(recorder, "read", read, timeout=timeout)
            n += 1

    def submit(
        self,
        browser: harness.Browser,
        recorder: harness.Recorder,
        form_path: str,
        field: str,
        values: dict[str, str],
        timeout: float,
    ) -> tuple[int, str]:
        """Read the form at ``form_path``, post it with ``values`` (by short
        name), follow the redirect: the answer's status and the page shown."""
        status, page = browser.get(recorder, "form", form_path, timeout=timeout)
        if status != 200:
            return status, ""
        parser = Forms()
        parser.feed(page.decode(errors="replace"))
        found = parser.having(field)
        if found is None:
            raise RuntimeError(f"no field {field} at {form_path}")
        action, data, _full = found
        for short, value in values.items():
            full = next((n for n in data if n == short or n.endswith(f"-{short}")), short)
            data[full] = value
        return self.post(browser, recorder, action or form_path, data, timeout)

    def post(
        self,
        browser: harness.Browser,
        recorder: harness.Recorder,
        path: str,
        data: dict[str, str],
        timeout: float,
    ) -> tuple[int, str]:
        status, body, headers = browser.post(recorder, "write", path, data, timeout=timeout)
        if status in (301, 302, 303) and headers is not None:
            location = headers.get("Location", "")
            location = re.sub(r"^https?://[^/]+", "", location)
            shown_status, shown = browser.get(recorder, "read", location, timeout=timeout)
            return status, shown.decode(errors="replace") if shown_status == 200 else ""
        return status, body.decode(errors="replace")

    def write(
        self,
        browser: harness.Browser,
        recorder: harness.Recorder,
        write: Write,
        playbook: int,
        role: int,
        added: list[str],
        timeout: float,
    ) -> None:
        row = f"/playbooks/{playbook}/matrix/{role}"
        if write.kind in ("wiifm", "question"):
            write.target = f"role {role}"
            status, shown = self.submit(
                browser,
                recorder,
                f"{row}/cells/{write.kind}/",
                write.kind,
                {write.kind: write.value},
                timeout,
            )
            ok = "Changes saved." in shown
        elif write.kind == "pledge":
            write.target = f"playbook {playbook}"
            status, shown = self.submit(
                browser,
                recorder,
                f"/playbooks/{playbook}/charter/",
                "pledge",
                {"pledge": write.value},
                timeout,
            )
            ok = "Changes saved." in shown
        elif write.kind == "give":
            first = (
                GiveGet.objects.filter(role_id=role, order=0).values_list("pk", flat=True).first()
            )
            write.target = f"giveget {first}"
            status, shown = self.submit(
                browser,
                recorder,
                f"{row}/givegets/{first}/cells/give/",
                "give",
                {"give": write.value},
                timeout,
            )
            ok = "Saved" in shown or "saved" in shown
        elif write.kind == "add":
            write.target = f"role {role}"
            data = {
                f"new{role}-give": write.value,
                f"new{role}-minutes_each": "5",
                f"new{role}-times_per_week": "2",
                f"new{role}-get": f"Get {write.value}",
                f"new{role}-minutes_saved_per_week": "20",
            }
            status, shown = self.post(browser, recorder, f"{row}/givegets/add/", data, timeout)
            ok = "added to" in shown and write.value in shown
            if ok:
                added.append(write.value)
        else:  # delete the oldest Give-Get this person added
            give = added[0]
            write.value = give
            gg = (
                GiveGet.objects.filter(role_id=role, give=give).values_list("pk", flat=True).first()
            )
            write.target = f"giveget {gg}"
            if gg is None:
                raise RuntimeError(f"the Give-Get {give} reported added is not in the database")
            status, shown = self.post(
                browser, recorder, f"{row}/givegets/{gg}/delete/", {}, timeout
            )
            ok = "deleted" in shown
            if ok:
                added.pop(0)
        write.status, write.saved = status, status in (301, 302, 303) and ok

    # The read-back.

    def report(
        self,
        options: dict[str, Any],
        base: str,
        cookie: str,
        playbook: Playbook,
        roles: list[Role],
        recorder: harness.Recorder,
        writes: list[Write],
        times: tuple[float, float, float, int],
    ) -> None:
        from givegets.models import GiveGet as G

        outage_start, outage_end, load_seconds, still = times
        history = {
            "wiifm": set(
                Role.history.filter(playbook_id=playbook.pk).values_list("wiifm", flat=True)
            ),
            "question": set(
                Role.history.filter(playbook_id=playbook.pk).values_list("question", flat=True)
            ),
            "pledge": set(Playbook.history.filter(id=playbook.pk).values_list("pledge", flat=True)),
            "give": set(G.history.filter(role__playbook=playbook).values_list("give", flat=True)),
        }
        live_gives = set(G.objects.filter(role__playbook=playbook).values_list("give", flat=True))
        ever_gives = (
            set(G.all_objects.filter(role__playbook=playbook).values_list("give", flat=True))
            | history["give"]
        )

        def stored(write: Write) -> bool:
            """Whether the write reached the database (its history)."""
            if write.kind in ("wiifm", "question", "pledge", "give"):
                return write.value in history[write.kind]
            if write.kind == "add":
                return write.value in ever_gives
            return write.value not in live_gives  # delete

        reported_failed_saved = [
            w for w in writes if not w.saved and stored(w) and w.kind != "delete"
        ]
        # A delete reported failed whose Give-Get is gone, unless a later delete of it went through.
        deleted_ok = {w.value for w in writes if w.kind == "delete" and w.saved}
        reported_failed_saved += [
            w
            for w in writes
            if w.kind == "delete"
            and not w.saved
            and w.value not in live_gives
            and w.value not in deleted_ok
        ]
        missing = [w for w in writes if w.saved and not stored(w)]
        # What the pages and the PDF must show now: each thing's last value
        # reported saved (a later write reported failed may have been saved:
        # counted above, and its value is then what shows).
        expected: dict[tuple[int, str], str] = {}
        for w in sorted(writes, key=lambda w: w.started):
            if w.kind in ("wiifm", "question", "pledge", "give") and (w.saved or stored(w)):
                expected[(w.client, w.kind)] = w.value
        present = {w.value for w in writes if w.kind == "add" and w.value in live_gives}
        absent = {w.value for w in writes if w.kind == "delete" and w.value not in live_gives}
        name, value = cookie.split("=", 1)
        browser = harness.Browser(base, {name: value})
        after = harness.Recorder()
        pages: dict[str, str] = {}
        for n, role in enumerate(roles):
            status, body = browser.get(
                after, "check", f"/playbooks/{playbook.pk}/roles/{role.pk}/", timeout=60
            )
            pages[f"role page {n}"] = (
                body.decode(errors="replace") if status == 200 else f"status {status}"
            )
        status, body = browser.get(after, "check", f"/playbooks/{playbook.pk}/", timeout=60)
        pages["overview"] = body.decode(errors="replace") if status == 200 else f"status {status}"
        status, body = browser.get(
            after,
            "check",
            f"/playbooks/{playbook.pk}/matrix/?" + "&".join(f"open={r.pk}" for r in roles),
            timeout=60,
        )
        pages["matrix"] = body.decode(errors="replace") if status == 200 else f"status {status}"
        status, body = browser.get(
            after, "check", f"/playbooks/{playbook.pk}/playbook.pdf", timeout=120
        )
        pdf_text = ""
        if body.startswith(b"%PDF"):
            import pypdf

            pdf_text = "".join(
                page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(body)).pages
            )
        pdf_text = re.sub(r"[\s\u00ad\u200b-]", "", pdf_text)
        stale: list[str] = []
        for (client, kind), val in expected.items():
            where = ["overview"] if kind == "pledge" else [f"role page {client}"]
            where += ["matrix"] if kind in ("wiifm", "question", "give") else []
            for page in where:
                if val not in pages[page]:
                    stale.append(f"{page}: {kind} of client {client} is not {val}")
            if val not in pdf_text:
                stale.append(f"PDF: {kind} of client {client} is not {val}")
        for val in present:
            if val not in pages["matrix"]:
                stale.append(f"matrix: the Give-Get {val} added is not shown")
        for val in absent:
            if val in pages["matrix"]:
                stale.append(f"matrix: the Give-Get {val} deleted is shown")
            if val in pdf_text:
                stale.append(f"PDF: the Give-Get {val} deleted is shown")
        answers = recorder.answers + after.answers
        server_errors = [a for a in answers if a.status >= 500]
        no_answer = [a for a in answers if a.status == 0]
        during = [
            a
            for a in recorder.answers
            if outage_start
            <= a.started - (recorder.answers[0].started if recorder.answers else 0)
            <= outage_end
        ]
        saved_n = sum(w.saved for w in writes)
        rows = [
            (
                "server errors (5xx) and requests unanswered",
                "0",
                f"{len(server_errors)} + {len(no_answer)}",
                not server_errors and not no_answer,
            ),
            (
                "writes reported failed that were saved",
                "0",
                str(len(reported_failed_saved)),
                not reported_failed_saved,
            ),
            ("writes reported saved that are missing", "0", str(len(missing)), not missing),
            (
                "stale values on the pages and the PDF",
                "0",
                str(len(stale)),
                not stale and status == 200,
            ),
        ]
        self.stdout.write("")
        self.stdout.write(
            f"Load: {load_seconds:.0f} s; Redis away from {outage_start:.0f} s"
            f" to {outage_end:.0f} s; {len(writes)} writes ({saved_n} reported saved,"
            f" {len(writes) - saved_n} reported failed), "
            f"{len(recorder.answers)} requests ({len(during)} started during the outage)"
            + (f"; {still} clients still waiting at the end" if still else "")
            + "."
        )
        header = f"{'measure':46} {'goal':>5} {'measured':>10}  verdict"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for label, goal, measured, ok in rows:
            self.stdout.write(f"{label:46} {goal:>5} {measured:>10}  {'PASS' if ok else 'FAIL'}")
        self.stdout.write("")
        by_kind: dict[str, list[Write]] = {}
        for w in writes:
            by_kind.setdefault(w.kind, []).append(w)
        for kind, items in sorted(by_kind.items()):
            statuses: dict[str, int] = {}
            for w in items:
                key = str(w.status) if w.status else (w.note.split(":")[0] or "no answer")
                statuses[key] = statuses.get(key, 0) + 1
            self.stdout.write(
                f"  {kind:9} {len(items):4} writes,"
                f" {sum(w.saved for w in items):4} reported saved; "
                + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
            )
        for kind in ("read", "form", "write"):
            answers_of = recorder.of(kind)
            times_ms = [a.seconds * 1000 for a in answers_of]
            codes: dict[str, int] = {}
            for a in answers_of:
                key = str(a.status) if a.status else a.error
                codes[key] = codes.get(key, 0) + 1
            self.stdout.write(
                f"  {kind:9} {len(answers_of):4} requests,"
                f" p50 {harness.percentile(times_ms, 50):6.0f} ms,"
                f" p95 {harness.percentile(times_ms, 95):6.0f} ms,"
                f" max {max(times_ms, default=0):6.0f} ms; "
                + ", ".join(f"{k}: {v}" for k, v in sorted(codes.items()))
            )
        for label, items in (
            ("reported failed but saved", reported_failed_saved),
            ("reported saved but missing", missing),
        ):
            for w in items[:5]:
                self.stdout.write(
                    f"  {label}: {w.kind} {w.target} {w.value}"
                    f" ({w.status or w.note or 'no answer'}, {w.seconds:.1f} s)"
                )
        for line in stale[:8]:
            self.stdout.write(f"  stale: {line}")
        if len(stale) > 8:
            self.stdout.write(f"  ... {len(stale) - 8} more stale values")
        notes = [w for w in writes if w.note]
        for w in notes[:3]:
            self.stdout.write(f"  unexpected: {w.kind} {w.target}: {w.note}")
