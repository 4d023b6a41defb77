"""make bench-worst (issue 23): the worst input the forms allow, rendered by
the task worker while the site is under load.

Builds the worst playbook (bench/worst_input.py: every text at the limit the
forms allow, one unbroken word per field, 40 roles) in the configured
database, starts gunicorn as `make serve` does (plain HTTP) and one task
worker, then, at the same time:

- the worker renders the playbook's PDF (its task enqueued as an edit would,
  without the debounce; the PDF clients' downloads ask the worker for it too,
  with the one-pagers, at a higher priority, so whichever task comes first
  renders it): the render's time as the worker logs it, and the peak memory
  of the worker with its child processes (sampled from /proc);
- 6 clients download PDFs, the playbook's and the roles' one-pagers, one
  after another (they start half on each, so 3 may ask for the playbook's
  PDF at the same moment);
- 10 clients read pages: the overview, the matrix and a role page;
- a prober asks /healthz five times a second, a new connection each time,
  as a load balancer does.

The load runs until the render ends (at least ``--min-seconds``, at most
``--render-timeout``). Goals: render <= 30 s and <= 300 MB, /healthz p95 <
200 ms, 0 errors (no answer, or a 5xx) among all requests. Then the PDF is
downloaded and its pages counted. Everything started is stopped at the end,
also on an error, SIGTERM or Ctrl-C; the run is aborted when the machine's
available memory falls under ``--memory-floor`` MB.
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from bench import harness, worst_input
from bench.management.commands.bench_load import session_cookie
from playbooks.models import Playbook

GOAL_RENDER_S, GOAL_RENDER_MB, GOAL_HEALTHZ_P95_MS = 30.0, 300.0, 200.0
LOG = Path("/tmp/wiifm-worst-logs")  # noqa: S108 - the benchmark's own logs, replaced each run


def worker_render(log: Path, playbook_id: int) -> float | None:
    """The seconds the worker's render of the playbook's PDF took, its HTML
    and WeasyPrint's work, as its log says (planner.pdf), or None when it has
    not rendered it (yet)."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return None
    found = re.search(rf"PDF playbook of playbook {playbook_id} rendered in ([0-9.]+) s", text)
    return float(found[1]) if found else None


class Command(BaseCommand):
    help = "Issue 23: the worst input's PDF in the worker, while clients load the site."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--variant", choices=worst_input.VARIANTS, default="unbroken")
        parser.add_argument("--pdf-clients", type=int, default=6)
        parser.add_argument("--page-clients", type=int, default=10)
        parser.add_argument("--min-seconds", type=float, default=40)
        parser.add_argument("--render-timeout", type=float, default=150)
        parser.add_argument("--memory-floor", type=float, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        LOG.mkdir(exist_ok=True)
        for old in LOG.glob("*.log"):
            old.unlink()
        found = worst_input.limits()
        self.stdout.write("Text limits read from the forms and models:")
        for line in worst_input.describe(found):
            self.stdout.write(line)
        User = get_user_model()
        owner, _ = User.objects.get_or_create(username="bench-worst")
        start = time.perf_counter()
        playbook = worst_input.worst_playbook(owner, variant=options["variant"], found=found)
        roles = list(playbook.roles.order_by("order").values_list("pk", flat=True))
        self.stdout.write(
            f"Worst playbook ({options['variant']} words): {len(roles)} roles, "
            f"{worst_input.GIVEGETS} Give-Gets and {worst_input.AMBASSADORS} ambassadors each,"
            f" built in {time.perf_counter() - start:.1f} s "
            f"on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}."
        )
        if worst_input.REFUSED:
            self.stdout.write(
                "  Refused as one unbroken word by the model, ordinary words instead: "
                + ", ".join(sorted(worst_input.REFUSED))
            )
        cookie = session_cookie(owner)
        call_command("collectstatic", "--no-input", "-v0", stdout=io.StringIO())
        port = harness.free_port()
        base = f"http://127.0.0.1:{port}"
        env = harness.server_env(port)
        with harness.processes() as started:
            harness.gunicorn(started, port, env, LOG / "gunicorn.log")
            harness.wait_healthy(base)
            self.run(
                options,
                base,
                cookie,
                playbook,
                roles,
                # At INFO whatever LOG_LEVEL says: the render's time is read from its log.
                lambda: (
                    harness.task_worker(
                        started, {**env, "LOG_LEVEL": "INFO"}, LOG / "worker.log"
                    ).pid
                ),
            )
        self.stdout.write(f"(server and worker logs: {LOG})")

    def run(
        self,
        options: dict[str, Any],
        base: str,
        cookie: str,
        playbook: Playbook,
        roles: list[int],
        start_worker: Callable[[], int],
    ) -> None:
        headers = {"Cookie": cookie}
        pages = [
            f"/playbooks/{playbook.pk}/",
            f"/playbooks/{playbook.pk}/matrix/",
            f"/playbooks/{playbook.pk}/roles/{roles[0]}/",
        ]
        pdfs = [f"/playbooks/{playbook.pk}/playbook.pdf"] + [
            f"/playbooks/{playbook.pk}/roles/{pk}/one-pager.pdf" for pk in roles
        ]
        for path in pages:  # the first look fills the fragment caches
            begin = time.perf_counter()
            status, _b, _h = harness.request(base, "GET", path, headers=headers, timeout=120)
            self.stdout.write(
                f"  first look at {path}: {status} in {time.perf_counter() - begin:.2f} s"
            )
        # The renders the build scheduled (its saves) are dropped first; the
        # render measured is the worker's first of the playbook's PDF, by
        # this task or by the documents the PDF clients ask for (first, at
        # a higher priority), read from the worker's log.
        from django_tasks_db.models import DBTaskResult

        from planner import tasks

        DBTaskResult.objects.filter(status="READY").delete()
        result = tasks.render_playbook_pdf.enqueue(playbook.pk)
        enqueued = time.monotonic()
        worker = start_worker()
        recorder = harness.Recorder()
        stop = threading.Event()
        threads = [threading.Thread(target=self.prober, args=(stop, recorder, base), daemon=True)]
        time.sleep(0.5)  # the worker's process exists
        for n in range(options["page_clients"]):
            threads.append(
                threading.Thread(
                    target=self.reader, args=(stop, recorder, base, headers, pages, n), daemon=True
                )
            )
        for n in range(options["pdf_clients"]):
            threads.append(
                threading.Thread(
                    target=self.downloader,
                    args=(stop, recorder, base, headers, pdfs, n),
                    daemon=True,
                )
            )
        memory = harness.TreeMemory(worker)
        memory.start()
        load_start = time.monotonic()
        for thread in threads:
            thread.start()
        aborted = ""
        seen = ""
        rendered: float | None = None
        while True:
            time.sleep(0.5)
            result.refresh()
            state = str(getattr(result.status, "value", result.status))
            if state != seen:
                self.stdout.write(
                    f"  {time.monotonic() - enqueued:6.1f} s: the render's task is {state.lower()}"
                )
                seen = state
            elapsed = time.monotonic() - load_start
            if (
                rendered is None
                and (rendered := worker_render(LOG / "worker.log", playbook.pk)) is not None
            ):
                self.stdout.write(
                    f"  {time.monotonic() - enqueued:6.1f} s: the worker has rendered the"
                    f" playbook's PDF (in {rendered:.1f} s)"
                )
            if (result.is_finished or rendered is not None) and elapsed >= options["min_seconds"]:
                break
            if time.monotonic() - enqueued > options["render_timeout"]:
                aborted = f"the render did not end within {options['render_timeout']:.0f} s"
                break
            if harness.mem_available_mb() < options["memory_floor"]:
                aborted = (
                    f"the machine's available memory fell under {options['memory_floor']:.0f} MB"
                )
                break
        waited = time.monotonic() - enqueued
        stop.set()
        load_seconds = time.monotonic() - load_start
        memory.stop.set()
        memory.sample()
        # Requests still waiting when the render was given up are not waited for long.
        deadline = time.monotonic() + (5 if aborted else 130)
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self.report(
            options,
            base,
            headers,
            pdfs[0],
            recorder,
            memory,
            result,
            worker_render(LOG / "worker.log", playbook.pk),
            waited,
            load_seconds,
            aborted,
        )

    # The clients.

    def prober(self, stop: threading.Event, recorder: harness.Recorder, base: str) -> None:
        # On a schedule, as a load balancer probes: a slow answer does not
        # delay the next probe. Each waits 10 s at most (then an error).
        probes = []
        while not stop.wait(0.2):
            probe = threading.Thread(
                target=harness.timed,
                args=(recorder, "healthz", base, "GET", "/healthz"),
                kwargs={"timeout": 10},
                daemon=True,
            )
            probe.start()
            probes.append(probe)
        for probe in probes:
            probe.join(timeout=11)

    def reader(
        self,
        stop: threading.Event,
        recorder: harness.Recorder,
        base: str,
        headers: dict[str, str],
        pages: list[str],
        number: int,
    ) -> None:
        browser = harness.Browser(base, {k: v for k, v in (headers["Cookie"].split("=", 1),)})

        def read(n: int) -> None:
            browser.get(recorder, "page", pages[(number + n) % len(pages)], timeout=60)

        harness.loop(stop, read)

    def downloader(
        self,
        stop: threading.Event,
        recorder: harness.Recorder,
        base: str,
        headers: dict[str, str],
        pdfs: list[str],
        number: int,
    ) -> None:
        browser = harness.Browser(base, {k: v for k, v in (headers["Cookie"].split("=", 1),)})
        roles = len(pdfs) - 1

        def download(n: int) -> None:
            # Half start on the playbook's PDF; then the playbook's and a one-pager in turn.
            even = (n + number) % 2 == 0
            path = pdfs[0] if even else pdfs[1 + (number + 6 * n) % roles]
            status, _body = browser.get(recorder, "pdf", path, timeout=120)
            if status == 202:  # being prepared: the page asks again after a while
                stop.wait(5)

        harness.loop(stop, download)

    # The report.

    def report(
        self,
        options: dict[str, Any],
        base: str,
        headers: dict[str, str],
        pdf_path: str,
        recorder: harness.Recorder,
        memory: harness.TreeMemory,
        result: Any,
        rendered: float | None,
        waited: float,
        load_seconds: float,
        aborted: str,
    ) -> None:
        status = str(getattr(result.status, "value", result.status))
        if rendered is not None:  # the worker's log: the render itself
            render_s = rendered
            render_text = f"{render_s:.1f} s (worker's log)"
        elif result.is_finished:
            render_s = float("inf")
            render_text = f"not rendered by the worker (task {status.lower()})"
        else:
            render_s = float("inf")
            render_text = f"> {waited:.0f} s (task {status.lower()}, stopped)"
        errors = getattr(result, "errors", None) or []
        # The PDF, as a person downloads it once the worker is done; asked
        # again while the site answers 202 (being prepared), up to the timeout.
        begin = time.perf_counter()
        code, body = 0, b""
        deadline = time.monotonic() + max(10.0, options["render_timeout"] - waited)
        while rendered is not None or result.is_finished:
            try:
                code, body, _headers = harness.request(
                    base, "GET", pdf_path, headers=headers, timeout=60
                )
            except OSError as error:
                self.stdout.write(f"  PDF download failed: {error}")
            if code != 202 or time.monotonic() > deadline:
                break
            time.sleep(2)
        download_s = time.perf_counter() - begin
        if code == 200 and download_s > 2:  # not ready when the task ended: the wait counts
            render_s += download_s
            render_text += f", downloadable {download_s:.0f} s later"
        pages = "?"
        if body.startswith(b"%PDF"):
            import pypdf

            pages = str(len(pypdf.PdfReader(io.BytesIO(body)).pages))
        health = recorder.of("healthz")
        page_answers, pdf_answers = recorder.of("page"), recorder.of("pdf")
        everything = health + page_answers + pdf_answers

        def bad(answers: list[harness.Answer]) -> int:
            return sum(1 for a in answers if a.status == 0 or a.status >= 500)

        def statuses(answers: list[harness.Answer]) -> str:
            counts: dict[str, int] = {}
            for a in answers:
                key = str(a.status) if a.status else a.error
                counts[key] = counts.get(key, 0) + 1
            return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))

        healthz_p95 = harness.percentile([a.seconds * 1000 for a in health], 95)
        peak = memory.peak_mb
        rows = [
            (
                "PDF render in the worker",
                f"<= {GOAL_RENDER_S:.0f} s",
                render_text,
                render_s <= GOAL_RENDER_S and code == 200 and body.startswith(b"%PDF"),
            ),
            (
                "peak memory, worker and children",
                f"<= {GOAL_RENDER_MB:.0f} MB",
                f"{peak:.0f} MB" + (" so far" if aborted else ""),
                # Unknown while under the goal with the render unfinished.
                None if aborted and peak <= GOAL_RENDER_MB else peak <= GOAL_RENDER_MB,
            ),
            (
                "/healthz p95",
                f"< {GOAL_HEALTHZ_P95_MS:.0f} ms",
                f"{healthz_p95:.0f} ms",
                healthz_p95 < GOAL_HEALTHZ_P95_MS,
            ),
            (
                "errors (no answer or 5xx), all clients",
                "0",
                str(bad(everything)),
                bad(everything) == 0,
            ),
        ]
        self.stdout.write("")
        if aborted:
            self.stdout.write(f"Stopped early: {aborted}.")
        self.stdout.write(
            f"Load: {load_seconds:.0f} s, {options['pdf_clients']} PDF clients,"
            f" {options['page_clients']} page "
            f"clients, /healthz every 0.2 s."
        )
        header = f"{'measure':40} {'goal':>10} {'measured':>32}  verdict"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for name, goal, measured, ok in rows:
            verdict = "UNKNOWN" if ok is None else "PASS" if ok else "FAIL"
            self.stdout.write(f"{name:40} {goal:>10} {measured:>32}  {verdict}")
        self.stdout.write("")
        self.stdout.write(
            f"Memory during the run: the worker's own peak "
            f"{memory.root_hwm / 1024:.0f} MB (VmHWM), the biggest child's "
            f"{max(memory.child_hwm.values(), default=0) / 1024:.0f} MB, the tree's "
            f"{memory.tree_pss / 1024:.0f} MB PSS ({memory.tree_rss / 1024:.0f} MB RSS summed); "
            f"{len(memory.child_hwm)} child processes seen."
        )
        if errors:
            self.stdout.write(
                f"Task errors: {[getattr(e, 'exception_class_path', e) for e in errors]}"
            )
        self.stdout.write(
            "The PDF afterwards: not asked for (no render)."
            if not (rendered is not None or result.is_finished)
            else f"The PDF afterwards: {code} in {download_s:.2f} s,"
            f" {len(body) / 1e6:.1f} MB, {pages} pages."
        )
        for name, answers in (("healthz", health), ("pages", page_answers), ("PDFs", pdf_answers)):
            times = [a.seconds * 1000 for a in answers]
            self.stdout.write(
                f"  {name:8} {len(answers):5} requests,"
                f" p50 {harness.percentile(times, 50):7.0f} ms,"
                f" p95 {harness.percentile(times, 95):7.0f} ms,"
                f" max {max(times, default=0):7.0f} ms; {statuses(answers)}"
            )
