"""Security headers on every kind of page, the health check and error pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

EXPECTED_DIRECTIVES = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def parse_csp(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


def assert_strict_csp(response: Any) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    csp = parse_csp(header)
    for name, value in EXPECTED_DIRECTIVES.items():
        assert csp[name] == value, (name, header)
    for name in ("script-src", "style-src"):
        assert csp[name].startswith("'self'"), header
        assert "unsafe-inline" not in csp[name]
        assert "unsafe-eval" not in csp[name]
    return csp


def assert_no_inline_code(html: str, csp: dict[str, str]) -> None:
    """Every <script> and <style> carries this response's nonce; no style= or on*=."""
    assert not re.search(r"\sstyle=", html), "style= attribute found"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler found"
    nonce = re.search(r"'nonce-([^']+)'", csp["script-src"])
    assert nonce, csp["script-src"]
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert f'nonce="{nonce.group(1)}"' in tag, tag
    assert "<style" not in html


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/password_reset/", "/accounts/password_reset/done/"]
)
def test_csp_on_public_pages(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert_no_inline_code(response.content.decode(), assert_strict_csp(response))


@pytest.mark.parametrize(
    "url", ["/playbooks/", "/playbooks/new/", "/accounts/password_change/", "/no-such-page/"]
)
def test_csp_on_logged_in_pages(user_client: Client, url: str) -> None:
    response = user_client.get(url)
    assert response.status_code in {200, 404}
    assert_no_inline_code(response.content.decode(), assert_strict_csp(response))


def test_csp_on_the_lockout_page(client: Client, user: Any) -> None:
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "lena", "password": "x"})
    assert response.status_code == 429
    assert_no_inline_code(response.content.decode(), assert_strict_csp(response))


def test_csp_on_json_and_redirects(client: Client) -> None:
    assert_strict_csp(client.get("/healthz"))
    assert_strict_csp(client.get("/"))


def test_nonce_changes_per_request(client: Client) -> None:
    first = parse_csp(client.get("/accounts/login/")["Content-Security-Policy"])
    second = parse_csp(client.get("/accounts/login/")["Content-Security-Policy"])
    assert first["script-src"] != second["script-src"]


def test_other_security_headers(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_htmx_is_configured_for_the_csp(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html
    assert '"historyRestoreAsHxRequest": false' in html
    assert re.search(r'<script[^>]+src="/static/django_htmx/htmx-2[^"]*\.js"', html)
    assert "hx-headers" in html
    assert "x-csrftoken" in html


def test_page_has_landmarks_and_skip_link(user_client: Client) -> None:
    html = user_client.get("/playbooks/").content.decode()
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert "<header" in html
    assert "<footer" in html
    assert "<nav" in html


def test_healthz_reports_database_and_cache(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_healthz_says_degraded_but_answers_200_when_the_cache_is_down(
    client: Client, settings: Any
) -> None:
    """A cache outage must not make the load balancer pull every server."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    from django.core.cache import caches

    caches._settings = None
    try:
        response = client.get("/healthz")
    finally:
        caches._settings = None
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "degraded"}


def test_healthz_with_redis(client: Client, settings: Any) -> None:
    """The configured shared cache: Redis on 127.0.0.1:6379 must answer."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200, response.content


def test_404_page_is_in_the_house_style(user_client: Client) -> None:
    response = user_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_healthz_fails_when_the_database_is_down(client: Client, monkeypatch: Any) -> None:
    from django.db import OperationalError, connection

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}


def test_healthz_needs_no_login_and_writes_nothing(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(1) as captured:
        client.get("/healthz")
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in captured.captured_queries)
