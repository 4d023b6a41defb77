"""Bad input to the import of adoption figures: each refused with a clear
message (beside its field, or by row number), nothing saved, never a 500."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.urls import reverse

from core.uploads import FORM_OVERHEAD, LimitedUpload
from planner import adoption_import
from pulse import usage
from pulse.models import AdoptionFigure, UsageColumns, UsageValue
from tests.factories import make_role
from tests.pulse.usage_files import (
    GO_LIVE,
    TODAY,
    at_time,
    confirm,
    csv_bytes,
    errors,
    hidden,
    import_url,
    pick_columns,
    salesforce,
    upload,
)


@pytest.fixture
def playbook(world: Any, pulse_day: Any) -> Any:
    pulse_day.set(TODAY)
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    make_role(world.playbook, "Sales", headcount=40)
    make_role(world.playbook, "Marketing", headcount=6)
    return world.playbook


@pytest.fixture
def editor(client_for: Any) -> Any:
    return client_for("editor")


def nothing_saved() -> bool:
    return not (
        AdoptionFigure.objects.exists()
        or UsageValue.objects.exists()
        or UsageColumns.objects.exists()
    )


def test_no_file_chosen_says_so_beside_the_field(editor: Any, playbook: Any) -> None:
    response = editor.post(import_url(playbook), {})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error_1_id_file"' in page
    assert "Choose the CRM’s usage export (a CSV file)." in page


# Size: 20 MB at most, refused before it is kept


def chunks_kept(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the chunks the upload handler is given to keep."""
    kept: list[int] = []
    real = LimitedUpload.receive_data_chunk
    monkeypatch.setattr(
        LimitedUpload,
        "receive_data_chunk",
        lambda self, data, start: kept.append(len(data)) or real(self, data, start),
    )
    return kept


LINE = b"005SA00001;2027-03-02T10:00:00Z;Sales User\r\n"


@pytest.mark.parametrize("over", [1, 2**20], ids=["1 byte", "1 MB"])
def test_a_file_over_20_mb_is_refused_clearly(
    editor: Any, playbook: Any, monkeypatch: pytest.MonkeyPatch, over: int
) -> None:
    kept = chunks_kept(monkeypatch)
    data = b"UserId;LoginTime;Profile\r\n" + LINE * ((usage.MAX_BYTES + over) // len(LINE) + 1)
    data = data[: usage.MAX_BYTES + over]
    response = upload(editor, playbook, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The file is larger than 20 MB." in page
    assert 'id="error_1_id_file"' in page  # beside the field too
    assert "005SA00001" not in page
    # Stopped at the limit; one that says it is larger is not kept at all.
    assert sum(kept) <= usage.MAX_BYTES + LimitedUpload.chunk_size
    if over > FORM_OVERHEAD:
        assert kept == []
    assert nothing_saved()


def test_the_upload_handler_stops_at_the_limit_when_the_length_says_less() -> None:
    """A request whose Content-Length understates its file is stopped at
    20 MB, and what came is dropped."""
    handler = LimitedUpload(max_bytes=usage.MAX_BYTES)
    handler.handle_raw_input(io.BytesIO(), {}, 1000, "boundary")
    handler.new_file("file", "export.csv", "text/csv", None)
    chunk = b"x" * handler.chunk_size
    for start in range(0, usage.MAX_BYTES, len(chunk)):
        handler.receive_data_chunk(chunk, start)
    file = handler.file
    assert file.tell() == usage.MAX_BYTES  # exactly 20 MB is taken
    with pytest.raises(StopUpload) as stopped:
        handler.receive_data_chunk(b"x", usage.MAX_BYTES)
    assert not stopped.value.connection_reset  # the rest is read and dropped: a page comes back
    assert handler.too_large
    assert file.closed


def test_the_upload_handler_keeps_nothing_of_a_request_too_long() -> None:
    handler = LimitedUpload(max_bytes=usage.MAX_BYTES)
    handler.handle_raw_input(io.BytesIO(), {}, usage.MAX_BYTES + 10**6, "boundary")
    with pytest.raises(StopUpload):
        handler.new_file("file", "export.csv", "text/csv", None)
    assert not hasattr(handler, "file")


def test_a_large_upload_is_held_in_memory_never_in_a_temporary_file(
    editor: Any, playbook: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above Django's 2.5 MB for memory, its own handlers would write a temporary file."""

    def no_temporary_file(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a temporary file was made")

    monkeypatch.setattr(
        "django.core.files.uploadedfile.tempfile.NamedTemporaryFile", no_temporary_file
    )
    files = []
    real = usage.read_header
    monkeypatch.setattr(
        adoption_import.usage, "read_header", lambda file: files.append(file) or real(file)
    )
    data = b"UserId;LoginTime;Profile\r\n" + LINE * (3 * 2**20 // len(LINE))
    response = upload(editor, playbook, data)
    assert response.status_code == 200
    assert [type(file) for file in files] == [io.BytesIO]
    assert files[0].closed  # dropped with the request


# Files that are not what they should be


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty."),  # Django's own, beside the field
        (b"\r\n;;\r\n", "The file is empty."),
        (b"UserId;LoginTime;Profile\r\n", "The file has no rows below its header."),
        (b"week;role;active_users\r\n\r\n", "The file has no rows below its header."),
        (b"PK\x03\x04" + b"\x00" * 100, "This is an Excel workbook, not a CSV file"),
        ("week;role\r\n".encode("utf-16"), "This file is written in UTF-16"),
    ],
    ids=["empty", "blank lines", "uses header only", "counts header only", "xlsx", "utf-16"],
)
def test_files_that_hold_nothing_to_count_are_refused_clearly(
    editor: Any, playbook: Any, data: bytes, message: str
) -> None:
    UsageColumns.objects.create(
        playbook=playbook, user_column="UserId", date_column="LoginTime", role_column="Profile"
    )
    response = upload(editor, playbook, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AdoptionFigure.objects.exists()


def test_every_bad_row_is_listed_by_number_and_nothing_is_saved(editor: Any, playbook: Any) -> None:
    data = salesforce(
        [
            ("anne", at_time(2), "Sales User"),
            ("bo", "yesterday", "Sales User"),
            ("", at_time(3), "Sales User"),
            ("carl", f"{TODAY.replace(day=TODAY.day + 1)}T08:00:00Z", "Sales User"),
        ]
    )
    page = pick_columns(editor, playbook, data).content.decode()
    assert errors(page) == [
        "Row 3: column “LoginTime” does not hold a date "
        "(read as: ISO 8601 (2027-03-01 14:05, with or without a zone)).",
        "Row 4: column “UserId” is empty: whose use is it?",
        "Row 5: the date is after today (April 29, 2027).",
    ]
    assert "Choose the file again" in page  # with the columns as chosen
    assert nothing_saved()


def test_more_than_200_errors_show_200_and_how_many_more(editor: Any, playbook: Any) -> None:
    data = salesforce([(f"u{n}", "not a date", "Sales User") for n in range(1250)])
    page = pick_columns(editor, playbook, data).content.decode()
    shown = errors(page)
    assert len(shown) == 201
    assert shown[0].startswith("Row 2:")
    assert shown[199].startswith("Row 201:")
    assert shown[200] == "and 1,050 more errors"
    assert nothing_saved()


def test_a_role_column_that_names_people_is_refused_beside_it_without_showing_them(
    editor: Any, playbook: Any
) -> None:
    data = salesforce([(f"user{n}", at_time(2), f"person{n}@corp.example") for n in range(250)])
    page = pick_columns(editor, playbook, data).content.decode()
    assert "pick the column that tells the role" in page
    assert 'id="error_1_id_role_column"' in page
    assert "@corp.example" not in page
    assert nothing_saved()


def test_one_column_chosen_twice_is_refused(editor: Any, playbook: Any) -> None:
    data = salesforce([("anne", at_time(2), "Sales User")])
    page = pick_columns(editor, playbook, data, role="UserId").content.decode()
    assert "Choose a different column for each." in page
    assert nothing_saved()


def test_a_column_the_file_has_not_got_is_refused_beside_it(editor: Any, playbook: Any) -> None:
    """The column step's choices, posted with another file."""
    data = csv_bytes(["User", "When", "Team"], [["anne", at_time(2), "Sales"]])
    page = pick_columns(editor, playbook, data).content.decode()
    assert "This file has no column called “UserId”." in page
    assert 'id="error_1_id_user_column"' in page
    assert nothing_saved()


def test_a_counts_file_with_bad_rows_lists_them_and_saves_nothing(
    editor: Any, playbook: Any
) -> None:
    data = csv_bytes(
        ["week", "role", "active_users"],
        [
            [1, "Sales", 30],
            [2, "Finance", 3],
            [12, "Sales", 5],
            [2, "Sales", -4],
            [3, "Sales", "=1+1"],
            [1, "Sales", 29],
            [1, "Marketing", 5],
        ],
    )
    page = upload(editor, playbook, data).content.decode()
    assert [error.split(":")[0] for error in errors(page)] == [
        "Row 3",
        "Row 4",
        "Row 5",
        "Row 6",
        "Row 7",
        "Row 8",
    ]
    assert 'id="usage-preview"' not in page
    assert nothing_saved()


# Go-live


def test_without_a_go_live_there_is_nothing_to_import_into(editor: Any, playbook: Any) -> None:
    playbook.go_live = None
    playbook.save()
    page = editor.get(import_url(playbook)).content.decode()
    assert "Set a go-live date first: the weeks count from it." in page
    assert 'type="file"' not in page
    data = csv_bytes(["week", "role", "active_users"], [[1, "Sales", 30]])
    page = upload(editor, playbook, data).content.decode()
    assert "Set a go-live date first" in page
    assert nothing_saved()


def test_a_preview_made_before_go_live_moved_is_refused(editor: Any, playbook: Any) -> None:
    page = upload(
        editor, playbook, csv_bytes(["week", "role", "active_users"], [[3, "Sales", 31]])
    ).content.decode()
    playbook.go_live = GO_LIVE.replace(day=8)
    playbook.save()
    response = confirm(editor, playbook, page, {})
    assert response.status_code == 400
    assert "Go-live has moved since the file was read" in response.content.decode()
    assert nothing_saved()


# The signed field


@pytest.fixture
def preview_page(editor: Any, playbook: Any) -> str:
    return upload(
        editor, playbook, csv_bytes(["week", "role", "active_users"], [[3, "Sales", 31]])
    ).content.decode()


def post(editor: Any, playbook: Any, counted: str, shown: str) -> Any:
    return editor.post(
        reverse("usage_confirm", args=[playbook.pk]), {"counted": counted, "shown": shown}
    )


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-3] + ("abc" if not token.endswith("abc") else "xyz"),
        lambda token: token.replace(":", "x", 1),
        lambda token: "",
        lambda token: "not a token at all",
    ],
    ids=["signature", "payload", "empty", "garbage"],
)
def test_a_tampered_preview_is_refused_clearly(
    editor: Any, playbook: Any, preview_page: str, tamper: Any
) -> None:
    response = post(editor, playbook, tamper(hidden(preview_page, "counted")), "x")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This preview could not be read back" in page
    assert "Nothing was saved." in page
    assert 'type="file"' in page  # the way to start again
    assert nothing_saved()


def test_a_preview_signed_over_data_of_another_shape_is_refused(
    editor: Any, world: Any, playbook: Any
) -> None:
    from django.core import signing

    token = signing.dumps(
        {"shape": "counts", "figures": "all of them"},
        salt=f"pulse.usage-import:{playbook.pk}:{world.editor.pk}",
        compress=True,
    )
    response = post(editor, playbook, token, "x")
    assert response.status_code == 400
    assert nothing_saved()


def test_a_preview_older_than_an_hour_is_refused(
    editor: Any, playbook: Any, preview_page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = time.time() + adoption_import.MAX_AGE + 1
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = post(
        editor, playbook, hidden(preview_page, "counted"), hidden(preview_page, "shown")
    )
    assert response.status_code == 400
    assert "This preview is more than an hour old: import the file again." in (
        response.content.decode()
    )
    assert nothing_saved()


def test_a_preview_within_the_hour_is_saved(
    editor: Any, playbook: Any, preview_page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = time.time() + adoption_import.MAX_AGE - 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = post(
        editor, playbook, hidden(preview_page, "counted"), hidden(preview_page, "shown")
    )
    assert response.status_code == 302
    assert AdoptionFigure.objects.get().active_users == 31


def test_nothing_to_save_says_so(editor: Any, playbook: Any) -> None:
    page = pick_columns(
        editor, playbook, salesforce([("anne", at_time(2), "System Administrator")])
    ).content.decode()
    shown = confirm(
        editor, playbook, page, {"System Administrator": "ignore"}, url_name="usage_preview"
    ).content.decode()
    response = confirm(editor, playbook, shown, {"System Administrator": "ignore"})
    assert response.status_code == 200
    assert "There is nothing to save" in response.content.decode()
    assert nothing_saved()


def test_a_file_that_is_not_a_csv_file_at_all_is_never_a_500(editor: Any, playbook: Any) -> None:
    UsageColumns.objects.create(
        playbook=playbook, user_column="UserId", date_column="LoginTime", role_column="Profile"
    )
    for data in (
        b"\x00\x01\x02\xff\xfe" * 1000,
        b'"unclosed quote;a;b\r\n' * 10,
        b"UserId;LoginTime;Profile\r\n" + b'"' + b"x" * 200_000 + b'";a;b\r\n',
        "UserId;LoginTime;Profile\r\nø;€;\u0000\r\n".encode("cp1252", "replace"),
    ):
        response = editor.post(
            import_url(playbook), {"file": SimpleUploadedFile("x.csv", data, "text/csv")}
        )
        assert response.status_code == 200
    assert not AdoptionFigure.objects.exists()


def test_the_csrf_check_holds_with_the_upload_handler_in_place(world: Any, playbook: Any) -> None:
    """The view is exempt from the middleware's check only to set its upload
    handler first; it checks the token itself, read before the file."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.editor)
    page = browser.get(import_url(playbook)).content.decode()
    token = hidden(page, "csrfmiddlewaretoken")
    data = csv_bytes(["week", "role", "active_users"], [[3, "Sales", 31]])

    def post(fields: dict[str, Any]) -> Any:
        return browser.post(import_url(playbook), fields)

    file = SimpleUploadedFile("export.csv", data, "text/csv")
    assert post({"file": file}).status_code == 403
    file = SimpleUploadedFile("export.csv", data, "text/csv")
    response = post({"csrfmiddlewaretoken": token, "file": file})
    assert response.status_code == 200
    assert 'id="usage-preview"' in response.content.decode()
    big = SimpleUploadedFile("export.csv", b"x" * (usage.MAX_BYTES + 1), "text/csv")
    response = post({"csrfmiddlewaretoken": token, "file": big})
    assert response.status_code == 200
    assert "The file is larger than 20 MB." in response.content.decode()
    assert nothing_saved()
