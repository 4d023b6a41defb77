"""Reading the CRM's usage export (pulse.usage): encodings, delimiters, the
two shapes, the columns' names, dates as the CRMs write them."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.utils import translation

from pulse import usage
from pulse.usage import Shape, UsageFileError
from tests.pulse.usage_files import csv_bytes


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages and dates in English, whatever a test before left active."""
    with translation.override("en"):
        yield


def header_of(data: bytes) -> usage.Header:
    return usage.read_header(io.BytesIO(data))


# Encodings and delimiters


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", False), ("utf-8", True), ("cp1252", False)],
    ids=["utf-8", "utf-8 with BOM", "windows-1252"],
)
def test_each_encoding_reads_the_same_names_and_values(encoding: str, bom: bool) -> None:
    data = csv_bytes(
        ["Bruger", "Dato", "Profil – Ærø"],
        [["anne", "2027-03-02", "Kundeservice – Ærø"]],
        encoding=encoding,
        bom=bom,
    )
    header = header_of(data)
    assert header.names == ("Bruger", "Dato", "Profil – Ærø")
    assert header.encoding == ("cp1252" if encoding == "cp1252" else "utf-8-sig")
    columns = usage.Columns("Bruger", "Dato", "Profil – Ærø", "iso")
    counted = usage.count_uses(
        io.BytesIO(data),
        header,
        columns,
        go_live=datetime.date(2027, 3, 1),
        day=datetime.date(2027, 3, 10),
    )
    assert counted.values == ["Kundeservice – Ærø"]


def test_a_byte_that_is_not_utf8_late_in_the_file_makes_it_windows_1252() -> None:
    rows = [["u", "2027-03-02", "Sales"]] * 50_000 + [["u", "2027-03-02", "Salg og Ærø"]]
    data = csv_bytes(["user", "date", "role"], rows, encoding="cp1252")
    assert header_of(data).encoding == "cp1252"


def test_a_utf8_file_with_a_broken_byte_late_in_it_stays_utf8() -> None:
    """Its rows are read as UTF-8; the row with the byte is an error of its own
    (pulse.usage.count_uses), not the whole file mojibake."""
    rows = [["u", "2027-03-02", "Café"]] * 50_000
    data = csv_bytes(["user", "date", "role"], rows) + b"u;2027-03-02;Caf\xe9\r\n"
    assert header_of(data).encoding == "utf-8-sig"


def test_more_broken_bytes_than_utf8_characters_is_windows_1252() -> None:
    """Danish letters as single bytes, and by chance one pair that is UTF-8 too."""
    data = csv_bytes(
        ["Bruger", "Dato", "Afdeling"],
        [["anne", "2027-03-02", "Kundeservice Ærø"], ["bo", "2027-03-02", "SALG Å»"]],
        encoding="cp1252",
    )
    assert "Å»".encode("cp1252").decode("utf-8") == "Ż"  # valid UTF-8, by chance
    header = header_of(data)
    assert header.encoding == "cp1252"
    assert header.names == ("Bruger", "Dato", "Afdeling")


@pytest.mark.parametrize("byte", [b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"])
def test_a_file_neither_utf8_nor_windows_1252_is_refused(byte: bytes) -> None:
    data = b"user;date;role\r\nanne;2027-03-02;Salg " + byte + b"\r\n"
    with pytest.raises(UsageFileError) as refused:
        header_of(data)
    assert refused.value.errors == [
        "This file is neither UTF-8 nor Windows-1252 (it holds bytes that are characters "
        "in neither): save it as “CSV UTF-8” and try again."
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "This is not a CSV file"),
        (bytes(range(256)), "This is not a CSV file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "This is an Excel workbook"),
        ("UserId;LoginTime\r\n".encode("utf-16-be"), "This file is written in UTF-16"),
    ],
    ids=["png", "pdf", "binary", "xls", "utf-16 without a mark"],
)
def test_a_file_whose_start_says_it_is_not_csv_text_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(UsageFileError) as refused:
        header_of(data)
    assert refused.value.errors[0].startswith(message)


def test_a_csv_file_with_a_few_stray_control_bytes_is_still_read() -> None:
    """Its rows with them are errors of their own (pulse.usage.count_uses)."""
    data = b"UserId;LoginTime;Profile\r\n" + b"u\x00;2027-03-02;Sales\x1b\r\n" * 4
    assert header_of(data).names == ("UserId", "LoginTime", "Profile")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"User\x00Id;LoginTime\r\n", "The column names (row 1) contain a control character"),
        (b'UserId;"Login\r\nTime"\r\n', "The column names (row 1) run over several lines"),
        (b"\r\nUser\xe9;Caf\xc3\xa9\r\n", "The column names (row 2) are not valid UTF-8"),
        (b'UserId;"LoginTime\r\nu;2027-03-02\r\n', "Row 1: a quote is never closed."),
    ],
    ids=["control character", "line break", "not utf-8", "quote never closed"],
)
def test_column_names_that_cannot_be_shown_refuse_the_file(data: bytes, message: str) -> None:
    with pytest.raises(UsageFileError) as refused:
        header_of(data)
    assert refused.value.errors[0].startswith(message)


@pytest.mark.parametrize("delimiter", [";", ","])
def test_the_delimiter_is_told_by_the_header_line(delimiter: str) -> None:
    data = csv_bytes(
        ["UserId", "LoginTime", "Profile"],
        [["u1", "2027-03-02", "Sales; North, East"]],
        delimiter=delimiter,
    )
    header = header_of(data)
    assert header.delimiter == delimiter
    assert header.names == ("UserId", "LoginTime", "Profile")


def test_blank_lines_above_the_header_are_skipped_and_counted_as_rows() -> None:
    header = header_of(b"\r\n;;\r\nUserId;LoginTime;Profile\r\nu;2027-03-02;Sales\r\n")
    assert header.row == 3
    assert header.names == ("UserId", "LoginTime", "Profile")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\r\n \r\n;;\r\n", "The file is empty."),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is an Excel workbook"),
        ("UserId;LoginTime\r\n".encode("utf-16"), "UTF-16"),
    ],
    ids=["nothing", "blank lines", "xlsx", "utf-16"],
)
def test_files_that_are_not_csv_text_are_refused_clearly(data: bytes, message: str) -> None:
    with pytest.raises(UsageFileError) as refused:
        header_of(data)
    assert message in refused.value.errors[0]


# The two shapes and the columns' names


@pytest.mark.parametrize(
    "names",
    [
        ["week", "role", "active_users"],
        ["Week", "ROLE", "Active users"],
        ["uge", "rolle", "aktive_brugere"],
        ["role", "note", "active_users", "week"],
    ],
)
def test_the_counts_shape_is_told_by_its_three_columns(names: list[str]) -> None:
    header = header_of(csv_bytes(names, []))
    assert header.shape is Shape.COUNTS
    at = header.count_columns
    assert at is not None
    assert names[at["week"]].casefold() in ("week", "uge")
    assert names[at["role"]].casefold() in ("role", "rolle")
    assert names[at["active_users"]].casefold() in (
        "active_users",
        "active users",
        "aktive_brugere",
    )


def test_any_other_header_is_a_per_use_file() -> None:
    assert header_of(csv_bytes(["week", "role", "users"], [])).shape is Shape.USES
    assert header_of(csv_bytes(["UserId", "LoginTime"], [])).shape is Shape.USES


@pytest.mark.parametrize(
    ("names", "guessed"),
    [
        (
            ["Id", "UserId", "LoginTime", "LoginType", "SourceIp", "Status", "Profile"],
            ("UserId", "LoginTime", "Profile"),
        ),
        (["Username", "Login Time", "Profile: Name"], ("Username", "Login Time", "Profile: Name")),
        (
            ["First Name", "Last Name", "Email", "Last login", "Team"],
            ("Email", "Last login", "Team"),
        ),
        (["User", "Date", "Role"], ("User", "Date", "Role")),
        (
            ["Full Name", "User Name", "Created On", "Security Role", "Business Unit"],
            ("User Name", "Created On", "Security Role"),
        ),
        (["Brugernavn", "Tidspunkt", "Afdeling"], ("Brugernavn", "Tidspunkt", "Afdeling")),
        (["a", "b", "c"], (None, None, None)),
    ],
    ids=["salesforce", "salesforce report", "hubspot", "plain", "dynamics", "danish", "unknown"],
)
def test_columns_are_guessed_from_the_names_the_crms_use(
    names: list[str], guessed: tuple[str | None, ...]
) -> None:
    found = usage.guess_columns(names)
    assert (found["user"], found["date"], found["role"]) == guessed


def test_one_column_is_never_guessed_for_two() -> None:
    found = usage.guess_columns(["User", "Date"])
    assert found == {"user": "User", "date": "Date", "role": None}


def test_header_names_listed_once_and_without_empty_ones() -> None:
    header = header_of(b"UserId;;LoginTime;UserId;Profile\r\n")
    assert header.choices == ["UserId", "LoginTime", "Profile"]
    assert header.twice("UserId")
    assert not header.twice("Profile")


# Dates and date-times as Salesforce, HubSpot and Dynamics write them


@pytest.mark.parametrize(
    ("written", "date_format", "day"),
    [
        ("2027-03-02", "iso", datetime.date(2027, 3, 2)),
        ("2027-03-02 14:05", "iso", datetime.date(2027, 3, 2)),
        ("2027-03-02T14:05:00", "", datetime.date(2027, 3, 2)),
        ("2027-03-02T14:05:00.000Z", "iso", datetime.date(2027, 3, 2)),
        ("2027-03-02T14:05:00.000+0000", "dmy", datetime.date(2027, 3, 2)),
        # A zone converts to Copenhagen's date: CET (+1) in winter...
        ("2027-03-07T23:30:00Z", "iso", datetime.date(2027, 3, 8)),
        ("2027-03-07T22:59:59Z", "iso", datetime.date(2027, 3, 7)),
        # ... CEST (+2) from the last Sunday of March.
        ("2027-03-28T22:30:00Z", "iso", datetime.date(2027, 3, 29)),
        ("2027-03-08T01:30:00+05:00", "iso", datetime.date(2027, 3, 7)),
        ("02-03-2027 14:05", "dmy", datetime.date(2027, 3, 2)),
        ("02.03.2027 14.05", "dmy", datetime.date(2027, 3, 2)),
        ("2.3.2027", "dmy", datetime.date(2027, 3, 2)),
        ("02/03/2027 14:05:59", "dmy", datetime.date(2027, 3, 2)),
        ("03/02/2027 2:05 PM", "mdy", datetime.date(2027, 3, 2)),
        ("3/2/2027 12:00 am", "mdy", datetime.date(2027, 3, 2)),
        ("03/02/2027", "mdy", datetime.date(2027, 3, 2)),
        ("03-02-2027 14:05", "mdy", datetime.date(2027, 3, 2)),
    ],
)
def test_dates_are_read_as_the_crms_write_them(
    written: str, date_format: str, day: datetime.date
) -> None:
    assert usage.day_parser(date_format)(written) == day


@pytest.mark.parametrize(
    ("written", "date_format"),
    [
        ("02-03-2027 14:05", "iso"),
        ("02-03-2027", ""),
        ("31-02-2027", "dmy"),
        ("13/13/2027", "mdy"),
        ("02-03-2027 25:00", "dmy"),
        ("02-03-2027 14:61", "dmy"),
        ("03/02/2027 13:05 PM", "mdy"),
        ("03/02/2027 0:05 AM", "mdy"),
        ("2027-13-01", "iso"),
        ("2027-03-02T14:05:00 CET", "iso"),
        ("02-03-27", "dmy"),
        ("yesterday", "dmy"),
        ("=TODAY()", "dmy"),
        ("45352", "dmy"),
    ],
)
def test_what_is_not_a_date_is_none(written: str, date_format: str) -> None:
    assert usage.day_parser(date_format)(written) is None


def history(dates: list[str]) -> tuple[io.BytesIO, usage.Header]:
    data = csv_bytes(
        ["User", "When", "Profile"], [[f"u{i}", d, "Sales"] for i, d in enumerate(dates)]
    )
    return io.BytesIO(data), header_of(data)


@pytest.mark.parametrize(
    ("dates", "found", "likely"),
    [
        (["2027-03-02T10:00:00Z", "2027-03-03"], "iso", "iso"),
        (["02-03-2027 10:00", "13-03-2027 10:00"], "dmy", "dmy"),
        (["03/02/2027 10:00 AM", "03/13/2027 1:00 PM"], "mdy", "mdy"),
        (["02-03-2027 10:00", "03-03-2027 10:00"], None, "dmy"),
        (["03/02/2027 10:00 AM", "03/03/2027 1:00 PM"], None, "mdy"),
        (["13-03-2027", "03/13/2027"], None, "dmy"),
    ],
    ids=["iso", "day first", "month first", "ambiguous dashes", "ambiguous am-pm", "mixed"],
)
def test_the_date_format_is_told_by_the_values_or_left_open(
    dates: list[str], found: str | None, likely: str
) -> None:
    file, header = history(dates)
    guess = usage.guess_date_format(file, header, "When")
    assert (guess.format, guess.likely) == (found, likely)


def test_a_history_sorted_by_date_is_told_by_its_end() -> None:
    """Its first rows are the first days of a month: 01-03 could be either."""
    early = [f"{1 + i % 12:02d}-03-2027 09:00" for i in range(usage.SAMPLE_ROWS * 3)]
    late = [f"{13 + i % 15:02d}-03-2027 09:00" for i in range(usage.SAMPLE_ROWS)]
    file, header = history(early + late)
    assert usage.guess_date_format(file, header, "When").format == "dmy"


def test_dates_that_never_say_their_format_are_left_open() -> None:
    file, header = history([f"{1 + i % 12:02d}/03/2027" for i in range(30_000)])
    assert usage.guess_date_format(file, header, "When").format is None
