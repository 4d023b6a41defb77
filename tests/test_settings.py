"""The production defaults, checked in a fresh process with a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import subprocesses

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s" * 20 + "3xQ!k9@Lm#Pz7$Wv2^Rb8&Tn5*Yc4(Hd6)Jf1" + "q" * 10

PROBE = """
import json
from wiifm_site import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "ENGINE": s.DATABASES["default"]["ENGINE"],
    "OPTIONS": s.DATABASES["default"].get("OPTIONS", {}),
    "CONN_MAX_AGE": s.DATABASES["default"]["CONN_MAX_AGE"],
    "TIME_ZONE": s.TIME_ZONE,
    "CACHE": s.CACHES["default"]["BACKEND"],
    "SILENCED": s.SILENCED_SYSTEM_CHECKS if hasattr(s, "SILENCED_SYSTEM_CHECKS") else [],
}))
"""


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    return subprocesses.run_python(code, {**clean, **env})


def probe(**env: str) -> dict:
    import json

    result = run_python(PROBE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_debug_off_without_secret_key_is_a_clear_error() -> None:
    result = run_python("import wiifm_site.settings")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_is_off_unless_set() -> None:
    assert probe(SECRET_KEY=SECRET)["DEBUG"] is False


def test_https_settings_are_on_by_default_with_debug_off() -> None:
    values = probe(SECRET_KEY=SECRET)
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000


def test_plain_http_only_when_asked_for() -> None:
    values = probe(SECRET_KEY=SECRET, WIIFM_ALLOW_HTTP="1")
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_a_misspelt_boolean_is_refused() -> None:
    result = run_python("import wiifm_site.settings", SECRET_KEY=SECRET, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_debug_on_needs_no_secret_key() -> None:
    assert probe(DEBUG="1")["DEBUG"] is True


def test_sqlite_by_default_with_wal_and_immediate_transactions() -> None:
    values = probe(SECRET_KEY=SECRET)
    assert values["ENGINE"] == "core.sqlite"  # writers queue (tests/test_sqlite_queue.py)
    assert values["CONN_MAX_AGE"] == 60  # kept between requests, as on PostgreSQL
    assert values["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in values["OPTIONS"]["init_command"]
    assert values["TIME_ZONE"] == "Europe/Copenhagen"
    assert values["CACHE"] == "core.cache.FileCache"  # culled now and then (core/cache.py)


def test_postgresql_from_database_url() -> None:
    values = probe(SECRET_KEY=SECRET, DATABASE_URL="postgres://u@db.example:5432/wiifm")
    assert values["ENGINE"] == "django.db.backends.postgresql"


def test_redis_from_redis_url() -> None:
    values = probe(SECRET_KEY=SECRET, REDIS_URL="redis://cache.example:6379/0")
    assert values["CACHE"] == "core.cache.TolerantRedisCache"  # a miss while Redis is down


def test_check_deploy_reports_no_issue() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DEBUG": "0",
            "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": "example.com",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("value", ["1", "true", "yes", "on", "TRUE"])
def test_wiifm_allow_http_spellings(value: str) -> None:
    assert probe(SECRET_KEY=SECRET, WIIFM_ALLOW_HTTP=value)["SECURE_SSL_REDIRECT"] is False
