"""The soak's users, for locust (`make soak`, bench/management/commands/bench_soak.py).

Run by ``bench_soak`` as ``locust --headless``; it reads the plan the command
wrote (``SOAK_PLAN``: the playbook, the accounts, each writer's role and
Give-Get, the pulse links) and appends every write to ``SOAK_WRITES``, one
JSON line each: what was written, where, the value, when, and whether the
server answered that it was saved. ``SOAK_STATUSES`` gets, at the end, how
many answers of each status each kind of request had.

Three kinds of people, as they use the site:

- **editors** (lead, the owner, and four editor accounts), each logged in
  with a session of their own (the login form, its CSRF token; htmx posts
  send the token as ``X-CSRFToken``). Mostly reads (overview, matrix, a
  row's Give-Gets, role pages, ambassadors, plan, results, the list), and
  writes as the matrix does with JavaScript: a cell's editor read, then
  saved (their role's WIIFM, question or headcount, their first Give-Get's
  give or minutes saved); Give-Gets added and deleted again; PDFs
  downloaded (the "being prepared" page followed as a browser follows it,
  until the PDF comes). Each editor writes only their own role, so each
  value's last saved write is known;
- **viewers** (the manager): reads and PDFs;
- **respondents**: the weekly pulse, as an employee answers it from the
  link: no account, no cookie; every answer's comment is unique.

Django-free on purpose: locust's gevent patches the process it runs in.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import string
import time
from collections import Counter
from typing import Any

from locust import HttpUser, between, events, task
from locust.clients import HttpSession, ResponseContextManager
from urllib3.util.retry import Retry

PLAN: dict[str, Any] = json.loads(open(os.environ["SOAK_PLAN"]).read())  # noqa: SIM115
WRITES = open(os.environ["SOAK_WRITES"], "a", buffering=1)  # noqa: SIM115 - one line a write
STATUSES: Counter[tuple[str, int]] = Counter()
TIMES: dict[str, list[float]] = {}  # milliseconds, by kind of request
DOWNLOADS: list[dict[str, Any]] = []  # each PDF download, its tries until the PDF
# The "being prepared" page asks again this often at most (planner/pdf_pages.py).
MAX_REFRESHES = 36
# As a browser does: a GET whose kept-alive connection the server closed
# without an answer (it idled as long as gunicorn's keepalive) is asked again,
# once, on a new connection. Counted apart (RETRIED), never hidden.
BROWSER_RETRY = Retry(
    total=1,
    connect=1,
    read=1,
    redirect=0,
    status=0,
    other=0,
    allowed_methods=frozenset({"GET", "HEAD"}),
    raise_on_status=False,
)
RETRIED: Counter[str] = Counter()
PLAYBOOK = PLAN["playbook"]
ROLES: list[int] = PLAN["roles"]
WRITERS = itertools.count()
VIEWERS = itertools.count()
RESPONDENTS = itertools.count()
PULSE_SENT: Counter[str] = Counter()
# Think time between two actions of a person.
WAIT = between(1, 3)


@events.request.add_listener
def _count(name: str, response: Any, response_time: float, **kwargs: Any) -> None:
    """Each answer's status and time (locust's own measure), for exact percentiles."""
    status = getattr(response, "status_code", 0) or 0
    STATUSES[(name, int(status))] += 1
    retries = getattr(getattr(response, "raw", None), "retries", None)
    if retries is not None and retries.history:
        RETRIED[name] += 1
    TIMES.setdefault(name, []).append(round(response_time, 1))


@events.quitting.add_listener
def _save_statuses(**kwargs: Any) -> None:
    rows = [{"name": n, "status": s, "count": c} for (n, s), c in sorted(STATUSES.items())]
    with open(os.environ["SOAK_STATUSES"], "w") as out:
        json.dump(
            {"statuses": rows, "times": TIMES, "downloads": DOWNLOADS, "retried": RETRIED}, out
        )
    WRITES.close()


def browser_like(session: HttpSession) -> HttpSession:
    for adapter in session.adapters.values():
        adapter.max_retries = BROWSER_RETRY  # type: ignore[attr-defined]
    return session


def unique(kind: str, who: int) -> str:
    """A value no other write has: letters and digits."""
    tail = "".join(random.choices(string.ascii_lowercase, k=6))  # noqa: S311
    return f"Soak {kind} u{who} {time.time():.3f} {tail}"


def value_for(field: str, who: int) -> str:
    """A value to save in a cell: a number in its range, or a unique text.
    Headcounts stay at 60 or more: room for the pulse's answers (2 x headcount a week)."""
    if field == "headcount":
        return str(random.randint(60, 900))  # noqa: S311
    if field == "minutes_saved_per_week":
        return str(random.randint(0, 600))  # noqa: S311
    return unique(field, who)


def record(write: dict[str, Any], started: float, status: int, saved: bool) -> None:
    WRITES.write(
        json.dumps({**write, "start": started, "end": time.time(), "status": status, "ok": saved})
        + "\n"
    )


class Reader(HttpUser):
    """A logged-in person who reads: the pages, and now and then a PDF."""

    abstract = True
    wait_time = WAIT
    username = ""

    def on_start(self) -> None:
        self.login()

    def login(self) -> None:
        browser_like(self.client)
        self.client.get("/accounts/login/", name="login: page")
        token = self.client.cookies.get("csrftoken") or ""
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": PLAN["password"],
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.username} answered {response.status_code}")

    def htmx(self) -> dict[str, str]:
        """What htmx sends: the header, and the CSRF token (a login rotates it)."""
        return {
            "HX-Request": "true",
            "X-CSRFToken": self.client.cookies.get("csrftoken") or "",
            "Referer": f"{self.host}/playbooks/{PLAYBOOK}/matrix/",
        }

    def role(self) -> int:
        return random.choice(ROLES)  # noqa: S311

    @task(8)
    def overview(self) -> None:
        self.client.get(f"/playbooks/{PLAYBOOK}/", name="read: overview")

    @task(8)
    def matrix(self) -> None:
        self.client.get(f"/playbooks/{PLAYBOOK}/matrix/", name="read: matrix")

    @task(3)
    def givegets(self) -> None:
        self.client.get(
            f"/playbooks/{PLAYBOOK}/matrix/{self.role()}/givegets/",
            headers=self.htmx(),
            name="read: a row's Give-Gets (htmx)",
        )

    @task(6)
    def role_page(self) -> None:
        self.client.get(f"/playbooks/{PLAYBOOK}/roles/{self.role()}/", name="read: role page")

    @task(3)
    def ambassadors(self) -> None:
        self.client.get(f"/playbooks/{PLAYBOOK}/ambassadors/", name="read: ambassadors")

    @task(3)
    def plan(self) -> None:
        self.client.get(f"/playbooks/{PLAYBOOK}/plan/", name="read: plan")

    @task(3)
    def results(self) -> None:
        self.client.get(f"/playbooks/{PLAYBOOK}/results/", name="read: results")

    @task(2)
    def playbooks(self) -> None:
        self.client.get("/playbooks/", name="read: playbook list")

    @task(1)
    def playbook_pdf(self) -> None:
        self.pdf(f"/playbooks/{PLAYBOOK}/playbook.pdf", "pdf: playbook")

    @task(1)
    def one_pager(self) -> None:
        self.pdf(f"/playbooks/{PLAYBOOK}/roles/{self.role()}/one-pager.pdf", "pdf: one-pager")

    def pdf(self, path: str, name: str) -> None:
        """A PDF (200), or the page saying it is being prepared (202), which
        asks again by itself, as a browser does, until the PDF comes."""
        started, tries, url = time.time(), 0, path
        while True:
            with self.client.get(url, name=name, catch_response=True) as response:
                if response.status_code == 200 and not response.content.startswith(b"%PDF"):
                    response.failure("a 200 that is not a PDF")
            tries += 1
            if response.status_code != 202 or tries > MAX_REFRESHES:
                break
            time.sleep(int(response.headers.get("Retry-After", "5")))
            url = f"{path}?wait={tries}"
        DOWNLOADS.append(
            {
                "name": name,
                "seconds": round(time.time() - started, 2),
                "tries": tries,
                "status": response.status_code,
                "stale": bool(response.headers.get("X-PDF-Stale")),
            }
        )


class Viewer(Reader):
    """The manager: a viewer of the playbook."""

    weight = 1

    def on_start(self) -> None:
        self.number = next(VIEWERS)
        self.username = PLAN["viewer"]
        self.login()


class Editor(Reader):
    """An editor (the first one the owner, lead) with a role of their own to write."""

    weight = 8

    def on_start(self) -> None:
        self.number = next(WRITERS)
        mine = PLAN["writers"][self.number % len(PLAN["writers"])]
        self.username, self.own_role, self.own_giveget = (
            mine["username"],
            mine["role"],
            mine["giveget"],
        )
        self.added: list[tuple[int, str]] = []  # Give-Gets this person added: pk, give
        self.login()

    def row(self) -> str:
        return f"/playbooks/{PLAYBOOK}/matrix/{self.own_role}"

    def save_cell(self, url: str, name: str, field: str, value: str, write: dict[str, Any]) -> None:
        """The cell's editor read (as a click on the cell), then the value saved."""
        editor = self.client.get(url, headers=self.htmx(), name=f"cell editor: {name}")
        if editor.status_code != 200:
            return
        # The form's hidden fields (the version it was read at: read_as) and the value.
        data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', editor.text))
        names = re.findall(rf'name="([cg]\d+-{field})"', editor.text)
        if not names:
            return
        data[names[0]] = value
        started = time.time()
        with self.client.post(
            url, data=data, headers=self.htmx(), name=f"cell save: {name}", catch_response=True
        ) as response:
            saved = response.status_code == 200 and "hx-swap-oob" in response.text
            if response.status_code == 200 and not saved:
                response.failure("a cell save answered without the saved cell")
        record({**write, "field": field, "value": value}, started, response.status_code, saved)

    @task(5)
    def role_cell(self) -> None:
        field = random.choice(["wiifm", "question", "headcount"])  # noqa: S311
        self.save_cell(
            f"{self.row()}/cells/{field}/",
            "role",
            field,
            value_for(field, self.number),
            {"kind": "cell", "model": "role", "id": self.own_role, "user": self.number},
        )

    @task(3)
    def giveget_cell(self) -> None:
        field = random.choice(["give", "minutes_saved_per_week"])  # noqa: S311
        self.save_cell(
            f"{self.row()}/givegets/{self.own_giveget}/cells/{field}/",
            "Give-Get",
            field,
            value_for(field, self.number),
            {"kind": "cell", "model": "giveget", "id": self.own_giveget, "user": self.number},
        )

    @task(3)
    def add_giveget(self) -> None:
        give = unique("add", self.number)
        prefix = f"new{self.own_role}"
        data = {
            f"{prefix}-give": give,
            f"{prefix}-minutes_each": "4",
            f"{prefix}-times_per_week": "3",
            f"{prefix}-get": "A report built for me",
            f"{prefix}-minutes_saved_per_week": "25",
        }
        started = time.time()
        with self.client.post(
            f"{self.row()}/givegets/add/",
            data=data,
            headers=self.htmx(),
            name="Give-Get add",
            catch_response=True,
        ) as response:
            pk = _row_of(response, give) if response.status_code == 200 else None
            saved = pk is not None and "added to" in response.text
            if response.status_code == 200 and not saved:
                response.failure("an add answered without the Give-Get added")
        if saved and pk is not None:
            self.added.append((pk, give))
        record(
            {
                "kind": "add",
                "model": "giveget",
                "role": self.own_role,
                "id": pk,
                "user": self.number,
            }
            | {"field": "give", "value": give},
            started,
            response.status_code,
            saved,
        )

    @task(2)
    def delete_giveget(self) -> None:
        if not self.added:
            self.add_giveget()
            return
        pk, give = self.added.pop(0)
        started = time.time()
        with self.client.post(
            f"{self.row()}/givegets/{pk}/delete/",
            headers=self.htmx(),
            name="Give-Get delete",
            catch_response=True,
        ) as response:
            saved = (
                response.status_code == 200
                and "deleted" in response.text
                and f'id="gg-{pk}"' not in response.text
            )
            if response.status_code == 200 and not saved:
                response.failure("a delete answered with the Give-Get still there")
        record(
            {"kind": "delete", "model": "giveget", "role": self.own_role, "id": pk}
            | {"user": self.number, "field": "give", "value": give},
            started,
            response.status_code,
            saved,
        )


def _row_of(response: ResponseContextManager, give: str) -> int | None:
    """The Give-Get row of the matrix fragment whose give is ``give``."""
    for pk, row in re.findall(r'<tr id="gg-(\d+)">(.*?)</tr>', response.text, re.S):
        if give in row:
            return int(pk)
    return None


class Respondent(HttpUser):
    """An employee answering the weekly pulse from its link: no account, no cookie."""

    weight = 1
    wait_time = WAIT

    def on_start(self) -> None:
        self.number = 1000 + next(RESPONDENTS)  # apart from the editors' numbers

    @task
    def answer(self) -> None:
        links = [
            link for link in PLAN["pulse"] if PULSE_SENT[link["token"]] < link["room"]
        ] or PLAN["pulse"]
        link = random.choice(links)  # noqa: S311
        path = f"/p/{link['token']}/"
        anonymous = browser_like(
            HttpSession(
                base_url=self.host, request_event=self.environment.events.request, user=self
            )
        )
        anonymous.get(path, name="pulse: page")
        comment = unique("pulse", self.number)
        started = time.time()
        with anonymous.post(
            path,
            data={
                "cost_minutes": str(random.randrange(0, 120, 5)),  # noqa: S311
                "saved_minutes": str(random.randrange(0, 180, 5)),  # noqa: S311
                "got_back": str(random.randint(1, 5)),  # noqa: S311
                "comment": comment,
            },
            name="pulse: answer",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            saved = response.status_code == 302 and "/thanks/" in response.headers.get(
                "Location", ""
            )
            if not saved and response.status_code < 400:
                response.failure(f"an answer answered {response.status_code}")
        PULSE_SENT[link["token"]] += 1
        record(
            {"kind": "pulse", "model": "pulse", "role": link["role"], "id": None}
            | {"user": self.number, "field": "comment", "value": comment},
            started,
            response.status_code,
            saved,
        )
        if saved:
            anonymous.get(f"{path}thanks/", name="pulse: thanks")
        anonymous.close()
