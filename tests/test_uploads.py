"""Uploads refused early (core.uploads): every view that takes a file refuses
one over its limit from the request's length, before a byte of the body is
read, cuts one whose length understates it as it comes, and never writes a
temporary file; a file at the limit is taken."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.test import Client
from django.urls import reverse

from ambassadors import roster_file
from ambassadors.models import Ambassador
from core.uploads import FORM_OVERHEAD, LimitedUpload
from planner import playbook_file
from playbooks.models import Playbook
from pulse import usage
from pulse.models import AdoptionFigure, UsageColumns

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    name: str  # the URL's name
    limit: int
    said: dict[str, str]  # the message, by language
    beside: str  # where the page says it: the field's error, or the roster's list

    def url(self, world: Any) -> str:
        if self.name == "playbook_import":
            return reverse(self.name)
        return reverse(self.name, args=[world.playbook.pk])


ENDPOINTS = [
    Endpoint(
        "playbook_import",
        playbook_file.MAX_BYTES,
        {"en": "the file is larger than 5 MB", "da": "filen er større end 5 MB"},
        'id="error_1_id_file"',
    ),
    Endpoint(
        "roster_import",
        roster_file.MAX_BYTES,
        {"en": "The file is larger than 2 MB.", "da": "Filen er større end 2 MB."},
        'id="roster-errors"',
    ),
    Endpoint(
        "usage_import",
        usage.MAX_BYTES,
        {"en": "The file is larger than 20 MB.", "da": "Filen er større end 20 MB."},
        'id="error_1_id_file"',
    ),
]
IDS = [endpoint.name for endpoint in ENDPOINTS]


class Unreadable(io.BytesIO):
    """A request body that fails the test if anything reads it."""

    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("the body was read")

    def readline(self, size: int | None = -1) -> bytes:
        raise AssertionError("the body was read")

    def readinto(self, buffer: Any) -> int:
        raise AssertionError("the body was read")


def unreadable() -> dict[str, Any]:
    return {"wsgi.input": Unreadable()}


@pytest.fixture(autouse=True)
def live(world: Any) -> None:
    """The usage import shows its form once the playbook has a go-live."""
    world.playbook.go_live = datetime.date(2027, 3, 1)
    world.playbook.save()


@pytest.fixture
def no_temporary_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a temporary file was made")

    monkeypatch.setattr("django.core.files.uploadedfile.tempfile.NamedTemporaryFile", refuse)


def nothing_saved(world: Any, playbooks: int) -> bool:
    return (
        Playbook.objects.count() == playbooks
        and not Ambassador.objects.exists()
        and not AdoptionFigure.objects.exists()
        and not UsageColumns.objects.exists()
    )


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_a_request_longer_than_the_limit_is_refused_unread(
    world: Any, no_temporary_file: None, endpoint: Endpoint, language: str
) -> None:
    """300 MB said: the page says why, beside the field, and not a byte is
    read (so none is written). The CSRF token is in the unread body: the
    refusal, which changes nothing, does not need it."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.editor)
    client.cookies["django_language"] = language
    playbooks = Playbook.objects.count()
    response = client.generic(
        "POST",
        endpoint.url(world),
        CONTENT_TYPE="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
        **unreadable(),
    )
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert endpoint.said[language] in page
    assert endpoint.beside in page
    assert "This field is required." not in page
    assert nothing_saved(world, playbooks)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_just_over_the_limit_by_length_is_refused_unread(
    world: Any, client_for: Any, no_temporary_file: None, endpoint: Endpoint
) -> None:
    client = client_for("editor")
    response = client.generic(
        "POST",
        endpoint.url(world),
        CONTENT_TYPE="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(endpoint.limit + FORM_OVERHEAD + 1),
        **unreadable(),
    )
    assert endpoint.said["en"] in unescape(response.content.decode())


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_a_file_one_byte_over_is_cut_as_it_comes(
    world: Any,
    client_for: Any,
    no_temporary_file: None,
    monkeypatch: pytest.MonkeyPatch,
    endpoint: Endpoint,
) -> None:
    """Its length is within the limit and the form's fields: the file is
    stopped as it passes the limit, held in memory only to there."""
    kept: list[int] = []
    real = LimitedUpload.receive_data_chunk

    def receive(self: LimitedUpload, data: bytes, start: int) -> None:
        kept.append(len(data))
        real(self, data, start)

    monkeypatch.setattr(LimitedUpload, "receive_data_chunk", receive)
    playbooks = Playbook.objects.count()
    file = SimpleUploadedFile("file.csv", b"x" * (endpoint.limit + 1), "text/csv")
    response = client_for("editor").post(endpoint.url(world), {"file": file})
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert endpoint.said["en"] in page
    assert endpoint.beside in page
    assert sum(kept) <= endpoint.limit + LimitedUpload.chunk_size
    assert nothing_saved(world, playbooks)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_a_file_at_the_limit_is_taken(
    world: Any, client_for: Any, no_temporary_file: None, endpoint: Endpoint
) -> None:
    """Taken, and read (its content is then refused for what it is, not its size)."""
    file = SimpleUploadedFile("file.csv", b"x" * endpoint.limit, "text/csv")
    response = client_for("editor").post(endpoint.url(world), {"file": file})
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert endpoint.said["en"] not in page
    assert "This field is required." not in page


def test_a_body_longer_than_its_length_says_is_cut_at_the_limit() -> None:
    """A chunked upload, or one whose Content-Length understates it: the
    handler stops at the limit and drops what came."""
    handler = LimitedUpload(max_bytes=1000)
    assert handler.handle_raw_input(io.BytesIO(), {}, 10, "boundary") is None
    handler.new_file("file", "roster.csv", "text/csv", None)
    for start in range(0, 1000, 100):
        handler.receive_data_chunk(b"x" * 100, start)
    file = handler.file
    assert file.tell() == 1000  # exactly the limit is taken
    with pytest.raises(StopUpload) as stopped:
        handler.receive_data_chunk(b"x", 1000)
    assert not stopped.value.connection_reset  # a page comes back
    assert handler.too_large
    assert file.closed


def test_a_request_said_longer_is_parsed_as_empty() -> None:
    handler = LimitedUpload(max_bytes=1000)
    result = handler.handle_raw_input(Unreadable(), {}, 1000 + FORM_OVERHEAD + 1, "boundary")
    assert result is not None
    post, files = result
    assert not post and not files
    assert handler.too_large


# Every other view takes no file


def charter_url(world: Any) -> str:
    return reverse("charter_edit", args=[world.playbook.pk])


def test_a_file_sent_to_a_view_that_takes_none_is_skipped(
    world: Any, client_for: Any, no_temporary_file: None
) -> None:
    """The form's fields are read as without it; nothing of the file is kept."""
    file = SimpleUploadedFile("big.bin", b"x" * (2 * 1024 * 1024), "application/octet-stream")
    response = client_for("editor").post(
        charter_url(world), {"charter-data_used_for": "Coaching.", "file": file}
    )
    assert response.status_code == 302
    world.playbook.refresh_from_db()
    assert world.playbook.data_used_for == "Coaching."


def test_a_long_body_to_a_view_that_takes_no_file_is_refused_unread(
    world: Any, client_for: Any, no_temporary_file: None
) -> None:
    """Past what form data may be (DATA_UPLOAD_MAX_MEMORY_SIZE): 400, as Django
    answers a form too large, before the CSRF check or the view reads it."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.editor)
    client.cookies["csrftoken"] = "a" * 32  # so the check goes on to the body's token
    response = client.generic(
        "POST",
        charter_url(world),
        CONTENT_TYPE="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
        **unreadable(),
    )
    assert response.status_code == 400
    world.playbook.refresh_from_db()
    assert world.playbook.data_used_for == ""
