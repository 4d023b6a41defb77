"""Two app servers on one database: what one changes, the other shows.

Starts two gunicorn instances on different local ports against the same
PostgreSQL database and Redis cache, logs in through one, changes a Give-Get
through the other, and checks both pages and both PDFs. Needs PostgreSQL on
127.0.0.1:5432 and Redis on 127.0.0.1:6379: without them it fails, it never
skips. Run by .ci/run (make test-two-servers).
"""

from __future__ import annotations

import http.cookiejar
import io
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pypdf
import pytest

pytestmark = pytest.mark.twoservers
ROOT = Path(__file__).resolve().parents[2]
DATABASE = "wiifm_two_servers"
REDIS_DB = 7


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_flush() -> None:
    with socket.create_connection(("127.0.0.1", 6379), timeout=5) as s:
        s.sendall(f"SELECT {REDIS_DB}\r\nFLUSHDB\r\n".encode())
        reply = s.recv(100)
    assert b"+OK" in reply, reply


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str, dict]]:
    admin = psycopg.connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True, connect_timeout=5
    )
    admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    admin.execute(f"CREATE DATABASE {DATABASE}")
    redis_flush()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/root"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "WIIFM_ALLOW_HTTP": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "WEB_CONCURRENCY": "1",
    }
    python = sys.executable
    for command in (
        ["migrate", "--no-input", "-v0"],
        ["seed_demo", "--force"],
        ["collectstatic", "--no-input", "-v0"],
    ):
        subprocess.run(
            [python, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    gunicorn = str(Path(python).parent / "gunicorn")
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [gunicorn, "-c", "gunicorn.conf.py", "wiifm_site.wsgi"],
            cwd=ROOT,
            env={**env, "BIND": f"127.0.0.1:{port}"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                        assert r.status == 200
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
        ids = {}
        with psycopg.connect(env["DATABASE_URL"]) as conn:
            (ids["playbook"],) = conn.execute(
                "SELECT id FROM playbooks_playbook WHERE name = 'Salesforce rollout'"
            ).fetchone()
            (ids["role"],) = conn.execute(
                'SELECT id FROM roles_role WHERE playbook_id = %s ORDER BY "order" LIMIT 1',
                [ids["playbook"]],
            ).fetchone()
            (ids["giveget"],) = conn.execute(
                'SELECT id FROM givegets_giveget WHERE role_id = %s ORDER BY "order" LIMIT 1',
                [ids["role"]],
            ).fetchone()
        yield f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}", ids
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.close()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_change_through_one_server_shows_on_both(servers: tuple) -> None:
    first, second, ids = servers
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(url: str) -> bytes:
        with browser.open(url, timeout=60) as response:
            return response.read()

    def post(url: str, data: dict) -> None:
        body = urllib.parse.urlencode(data).encode()
        with browser.open(urllib.request.Request(url, data=body, method="POST"), timeout=60):
            pass

    # Log in through the first server...
    login = get(f"{first}/accounts/login/").decode()
    post(
        f"{first}/accounts/login/",
        {"csrfmiddlewaretoken": csrf_token(login), "username": "lead", "password": "wiifm-demo"},
    )
    role_path = f"/playbooks/{ids['playbook']}/roles/{ids['role']}/"
    # ...the session holds on the second (sessions live in the shared database).
    page = get(second + role_path).decode()
    assert "Lea Dahl" in page

    # Change a Give-Get through the second server.
    gg, prefix = ids["giveget"], f"gg{ids['giveget']}"
    post(
        f"{second}{role_path}givegets/{gg}/edit/",
        {
            "csrfmiddlewaretoken": csrf_token(page),
            f"{prefix}-give": "Log each customer meeting",
            f"{prefix}-minutes_each": "5",
            f"{prefix}-times_per_week": "8",
            f"{prefix}-get": "Weekly report",
            f"{prefix}-get_kind": "time_saved",
            f"{prefix}-minutes_saved_per_week": "777",
            f"{prefix}-status": "planned",
        },
    )

    for server in (first, second):
        html = get(server + role_path).decode()
        assert "777" in html, server
        content = get(f"{server}/playbooks/{ids['playbook']}/playbook.pdf")
        text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
        assert "saves 777 min a week" in text, server
