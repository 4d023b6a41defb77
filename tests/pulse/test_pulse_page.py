"""The weekly pulse page, /p/<token>/ (DESIGN.md "The weekly pulse")."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pulse import links
from pulse.models import PulseAnswer, PulseLink
from tests.factories import make_playbook, make_role

GO_LIVE = datetime.date(2027, 3, 1)
ANSWER = {"cost_minutes": "40", "saved_minutes": "70", "got_back": "4", "comment": "Fewer fields"}


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Pin the site's today: a Wednesday in week 2 after go-live."""
    day = {"value": GO_LIVE + datetime.timedelta(days=9)}
    monkeypatch.setattr("pulse.weeks.today", lambda: day["value"])
    return day


@pytest.fixture
def link(db: Any) -> PulseLink:
    playbook = make_playbook(go_live=GO_LIVE, language="en")
    role = make_role(playbook, "Sales", headcount=40)
    return links.issue(role)


def url(link: PulseLink) -> str:
    return reverse("pulse_page", args=[link.token])


def test_an_answer_is_stored_with_its_week_and_nothing_else(link: PulseLink, today: Any) -> None:
    response = Client().post(url(link), ANSWER)
    assert response.status_code == 302
    assert response["Location"] == reverse("pulse_thanks", args=[link.token])
    answer = PulseAnswer.objects.get()
    assert (answer.role_id, answer.week) == (link.role_id, 2)
    assert (answer.cost_minutes, answer.saved_minutes, answer.got_back) == (40, 70, 4)
    assert answer.comment == "Fewer fields"
    assert not response.cookies
    thanks = Client().get(response["Location"])
    assert b"your answers are in" in thanks.content
    shown = re.sub(r"<[^>]+>", " ", thanks.content.decode())  # not a nonce or a static hash
    assert "Fewer fields" not in shown and "70" not in shown


def test_the_page_sets_no_cookie_and_sends_the_strict_headers(link: PulseLink, today: Any) -> None:
    response = Client().get(url(link))
    assert response.status_code == 200
    assert not response.cookies
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert b"csrfmiddlewaretoken" not in response.content
    assert b"Not stored: your name" in response.content


def test_before_go_live_the_page_says_when_it_opens_and_stores_nothing(
    link: PulseLink, today: Any
) -> None:
    today["value"] = GO_LIVE - datetime.timedelta(days=3)
    page = Client().get(url(link))
    assert b"The pulse opens on March 1, 2027" in page.content
    assert b'name="cost_minutes"' not in page.content
    response = Client().post(url(link), ANSWER)
    assert response.status_code == 409
    assert not PulseAnswer.objects.exists()


def test_the_page_is_in_the_playbooks_language(link: PulseLink, today: Any) -> None:
    link.role.playbook.language = "da"
    link.role.playbook.save()
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(url(link))
    assert response["Content-Language"] == "da"
    assert b'lang="da"' in response.content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cost_minutes", "2401", "at most 2,400 minutes"),
        ("cost_minutes", "-1", "0 or more minutes"),
        ("saved_minutes", "lots", "whole number of minutes"),
        ("saved_minutes", "", "0 is a fine answer"),
        ("got_back", "6", "from 1 (not at all) to 5"),
        ("got_back", "0", "from 1 (not at all) to 5"),
        ("comment", "x" * 501, "at most 500 characters"),
    ],
)
def test_a_bad_answer_is_explained_beside_its_field_and_nothing_is_stored(
    link: PulseLink, today: Any, field: str, value: str, message: str
) -> None:
    response = Client().post(url(link), {**ANSWER, field: value})
    assert response.status_code == 400
    content = response.content.decode()
    assert f'id="id_{field}-error"' in content
    assert message.replace("'", "&#x27;") in content
    assert not PulseAnswer.objects.exists()


def test_a_post_without_the_form_is_a_clear_message(link: PulseLink, today: Any) -> None:
    response = Client().post(url(link), {})
    assert response.status_code == 400
    assert b"0 is a fine answer" in response.content
    assert not PulseAnswer.objects.exists()


@pytest.mark.parametrize("token", ["x" * 43, "short", "A" * 44, "not a token at all"])
def test_an_unknown_token_is_the_plain_not_found_page(db: Any, token: str) -> None:
    response = Client().get(f"/p/{token}/")
    assert response.status_code == 404
    assert b"This link does not work" in response.content
    assert response["Cache-Control"] == "no-store"


def test_a_revoked_link_answers_as_an_unknown_one(link: PulseLink, today: Any) -> None:
    old = url(link)
    links.revoke(link.role)
    unknown = Client().get("/p/" + "y" * 43 + "/")
    revoked = Client().get(old)
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.content == unknown.content
    assert Client().post(old, ANSWER).status_code == 404
    assert not PulseAnswer.objects.exists()


def test_reissuing_replaces_the_address(link: PulseLink, today: Any) -> None:
    old = url(link)
    new = links.issue(link.role)
    assert Client().get(old).status_code == 404
    assert Client().get(url(new)).status_code == 200


def test_a_member_is_refused_and_nothing_is_stored(link: PulseLink, today: Any, user: Any) -> None:
    from tests.factories import add_member

    add_member(link.role.playbook, user, "viewer")
    client = Client()
    client.force_login(user)
    response = client.post(url(link), ANSWER)
    assert response.status_code == 403
    assert b"Members do not answer their own pulse." in response.content
    assert not PulseAnswer.objects.exists()


def test_someone_logged_in_to_another_playbook_may_answer(
    link: PulseLink, today: Any, user: Any
) -> None:
    make_playbook(user, name="Their own")
    client = Client()
    client.force_login(user)
    assert client.post(url(link), ANSWER).status_code == 302
    assert PulseAnswer.objects.count() == 1


def test_the_role_week_takes_at_most_twice_its_headcount(link: PulseLink, today: Any) -> None:
    role = link.role
    role.headcount = 3  # max(2 x 3, 10) = 10
    role.save()
    for _ in range(10):
        assert Client().post(url(link), ANSWER).status_code == 302
    response = Client().post(url(link), ANSWER)
    assert response.status_code == 409
    assert b"has all the answers it takes" in response.content
    assert PulseAnswer.objects.count() == 10


def test_one_address_is_limited_per_hour_on_a_salted_hash(
    link: PulseLink, today: Any, settings: Any
) -> None:
    from django.core.cache import cache

    settings.WIIFM_PULSE_PER_HOUR = 3
    for _ in range(3):
        assert Client(REMOTE_ADDR="203.0.113.7").post(url(link), ANSWER).status_code == 302
    refused = Client(REMOTE_ADDR="203.0.113.7").post(url(link), ANSWER)
    assert refused.status_code == 429
    assert b"many answers in the last hour" in refused.content
    assert Client(REMOTE_ADDR="203.0.113.8").post(url(link), ANSWER).status_code == 302
    assert PulseAnswer.objects.count() == 4
    keys = list(cache._cache.keys()) if hasattr(cache, "_cache") else []
    assert keys, "the test cache is expected to be the local-memory cache"
    assert not any("203.0.113" in str(key) for key in keys)


def test_behind_a_proxy_the_limit_is_per_real_client(
    link: PulseLink, today: Any, settings: Any
) -> None:
    settings.WIIFM_PULSE_PER_HOUR = 1
    settings.WIIFM_BEHIND_PROXY = True
    settings.WIIFM_TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.2")
    forged = Client(**proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1")
    assert first.post(url(link), ANSWER).status_code == 302
    assert second.post(url(link), ANSWER).status_code == 302
    assert forged.post(url(link), ANSWER).status_code == 429


def test_with_the_cache_down_answers_still_go_in(
    link: PulseLink, today: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import cache

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache down")

    for name in ("get", "add", "incr"):
        monkeypatch.setattr(cache, name, down)
    assert Client().post(url(link), ANSWER).status_code == 302
    assert PulseAnswer.objects.count() == 1


def test_the_logs_hold_no_token(link: PulseLink, today: Any, log_output: io.StringIO) -> None:
    """A 404 for an unknown link is logged by django.request with the token
    hidden; an answer logs nothing at all."""
    unknown = "z" * 43
    Client().get(f"/p/{unknown}/")
    logged = log_output.getvalue()
    assert "Not Found: /p/…/" in logged
    assert unknown not in logged
    log_output.truncate(0)
    log_output.seek(0)
    Client().post(url(link), ANSWER)
    Client().get(reverse("pulse_thanks", args=[link.token]))
    assert log_output.getvalue() == ""


def test_a_deleted_roles_link_answers_as_an_unknown_one_and_stays_revoked(
    link: PulseLink, today: Any
) -> None:
    from planner.services import delete_role

    role = link.role
    delete_role(role=role)
    assert Client().get(url(link)).status_code == 404
    assert Client().post(url(link), ANSWER).status_code == 404
    assert not PulseLink.objects.filter(role=role).exists()
    assert not PulseAnswer.objects.exists()


def test_a_link_of_a_role_deleted_meanwhile_is_not_found(link: PulseLink, today: Any) -> None:
    """The page checks the role as it reads the link (a race with the delete)."""
    from django.utils import timezone

    role = link.role
    role.deleted_at = timezone.now()
    role.save()
    assert Client().get(url(link)).status_code == 404
    assert Client().post(url(link), ANSWER).status_code == 404
    assert not PulseAnswer.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("post", "page", "x" * 3_000_000, 400),  # over DATA_UPLOAD_MAX_MEMORY_SIZE
        ("post", "thanks", "", 405),  # not the CSRF failure page
        ("put", "page", "", 405),
        ("get", "/p/", "", 404),
    ],
)
def test_even_error_pages_under_p_set_no_cookie_and_stay_private(
    link: PulseLink, today: Any, method: str, path: str, body: str, status: int
) -> None:
    address = {"page": url(link), "thanks": reverse("pulse_thanks", args=[link.token])}.get(
        path, path
    )
    client = Client(enforce_csrf_checks=True)
    if method == "get":
        response = client.get(address)
    else:
        response = getattr(client, method)(
            address, data=f"comment={body}", content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == status
    assert not response.cookies
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert not PulseAnswer.objects.exists()


def test_an_oversized_comment_is_not_echoed_whole(link: PulseLink, today: Any) -> None:
    response = Client().post(url(link), {**ANSWER, "comment": "y" * 100_000})
    assert response.status_code == 400
    assert "you wrote 100000" in response.content.decode().replace(",", "").replace(".", "")
    assert len(response.content) < 40_000
