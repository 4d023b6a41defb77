"""Reading the CRM's usage export (DESIGN.md "Adoption figures"): parsing and
counting only; no views, no writes (``pulse.figures`` writes), no upload
handling: the view (``planner.adoption_import``) takes the file with
``core.uploads.takes_upload(MAX_BYTES)``, held in memory and refused past
that size before this module reads it.

Two shapes of CSV, ``;`` or ``,`` (told by the header line), UTF-8 with or
without a byte-order mark (a file written in UTF-8 with a few bytes broken
stays UTF-8, and the rows that hold them are errors), else Windows-1252:

- **counts**: ``week;role;active_users`` (names in any case), the week as its
  number or a date inside it, the role by its name;
- **uses**: one row per use (a login history), in any columns: the user
  column, the date (or date-time) column and the column that tells the role
  (a profile, a role, a team) are picked by name.

What a per-use file leaves behind: the number of distinct users per (values
of the role column, week), nothing else. While counting, a user is held only
as a keyed hash (BLAKE2b, 8 bytes, under a random key made for this one
count and dropped with it), in one table per week, so that a user who appears
many times in a week counts once; the file itself is read row by row as it
streams, never held as rows. When the count returns, the hashes and their key
are gone: nothing that is left can be turned back into a user.

A user seen under two values of the role column in one week (a profile changed
mid-week) is counted once under both together, so that two values mapped to
one role still count that person once (``role_counts``).

Nothing the file holds is shown unless it can be: a workbook, an image or any
binary file is refused by its first bytes; the column names and the cells
read must hold no control character, no line break (a quote never closed
swallows the rows after it) and no byte that is not of the encoding, else
the file or the row is refused, in the product's words (never the csv
module's). A role column that names people is refused before anything of it
is shown or carried (``tells_who``).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from playbooks.models import Playbook
from pulse import weeks
from pulse.figures import role_refused, week_refused
from pulse.models import MAX_ACTIVE_USERS, MAX_COLUMN, UsageColumns
from roles.models import Role

MAX_BYTES = 20 * 1024 * 1024
MAX_VALUES = 200  # more values in the role column: it is not the role column
SAMPLE_ROWS = 5000  # rows read from each end of the file to tell the date format
KEEP_ERRORS = 200  # errors kept to show; all of them are counted
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

DateFormat = UsageColumns.DateFormat


class Shape(StrEnum):
    COUNTS = "counts"
    USES = "uses"


class UsageFileError(Exception):
    """The file as a whole cannot be read (empty, not a CSV file, the wrong
    column for the role): nothing to list by row."""

    def __init__(self, errors: list[str], *, field: str | None = None) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors
        self.field = field  # the column choice it is about, if any


@dataclass
class Errors:
    """Errors by row, in the order of the rows: the first ``KEEP_ERRORS``
    kept to show, every one counted."""

    shown: list[str] = field(default_factory=list)
    total: int = 0

    def add(self, message: str) -> None:
        self.total += 1
        if len(self.shown) < KEEP_ERRORS:
            self.shown.append(message)

    @property
    def more(self) -> int:
        return self.total - len(self.shown)

    def __bool__(self) -> bool:
        return self.total > 0


def unprotect(value: str) -> str:
    """A cell written with a leading ' against formulas, read back without it
    (as the roster file does); anything else as it is, never evaluated."""
    if value.startswith("'") and value[1:].startswith((*FORMULA_STARTS, "'")):
        return value[1:]
    return value


def _key(name: str) -> str:
    """A column name as compared: case, spaces and punctuation left out."""
    return "".join(c for c in name.casefold() if c.isalnum())


# The counts shape: its three columns, by their names in English or Danish.
COUNT_COLUMNS = {
    "week": ("week", "uge"),
    "role": ("role", "rolle"),
    "active_users": ("activeusers", "aktivebrugere"),
}

# The per-use shape: names the CRMs give these columns, likeliest first
# (Salesforce LoginHistory and reports, HubSpot's user exports, Dynamics'
# usage reports, and the same in Danish).
GUESSES = {
    "user": (
        "userid",
        "username",
        "user",
        "email",
        "emailaddress",
        "useremail",
        "login",
        "loginname",
        "userprincipalname",
        "brugerid",
        "brugernavn",
        "bruger",
    ),
    "date": (
        "logintime",
        "lastlogin",
        "lastlogindate",
        "logindate",
        "lastactivity",
        "lastactivitydate",
        "activitydate",
        "createdon",
        "createddate",
        "timestamp",
        "datetime",
        "date",
        "time",
        "eventdate",
        "tidspunkt",
        "dato",
    ),
    "role": (
        "profile",
        "profilename",
        "securityrole",
        "role",
        "rolename",
        "userrole",
        "team",
        "teamname",
        "businessunit",
        "department",
        "usertype",
        "profil",
        "rolle",
        "afdeling",
    ),
}


@dataclass(frozen=True)
class Header:
    """The file's header row and how the file is written."""

    names: tuple[str, ...]
    delimiter: str
    encoding: str
    row: int  # its row number (blank rows above it count)

    def index(self, name: str) -> int | None:
        try:
            return self.names.index(name)
        except ValueError:
            return None

    @property
    def choices(self) -> list[str]:
        """The names a column may be picked by: each once, none empty."""
        return list(dict.fromkeys(name for name in self.names if name))

    def twice(self, name: str) -> bool:
        return self.names.count(name) > 1

    @property
    def count_columns(self) -> dict[str, int] | None:
        """Where the counts shape's columns are; None when one is missing."""
        keyed = [_key(name) for name in self.names]
        found = {}
        for column, names in COUNT_COLUMNS.items():
            at = next((i for i, key in enumerate(keyed) if key in names), None)
            if at is None:
                return None
            found[column] = at
        return found

    @property
    def shape(self) -> Shape:
        return Shape.COUNTS if self.count_columns is not None else Shape.USES


def guess_columns(names: Sequence[str]) -> dict[str, str | None]:
    """The user, date and role columns by their usual names; None where no
    name fits. Never one column for two."""
    keyed: dict[str, str] = {}
    for name in names:
        if name:
            keyed.setdefault(_key(name), name)
    taken: set[str] = set()
    guessed: dict[str, str | None] = {}
    for what, candidates in GUESSES.items():
        guessed[what] = None
        for candidate in candidates:
            found = keyed.get(candidate)
            if found is not None and found not in taken:
                guessed[what] = found
                taken.add(found)
                break
    return guessed


# Reading the file: bytes in, rows out, one at a time.


HEAD_BYTES = 8 * 1024  # the start of the file, looked at to tell what it is
SIGNATURES = (b"\x89PNG", b"%PDF-", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"7z\xbc\xaf")
BINARY_BYTE = re.compile(rb"[\x00-\x08\x0e-\x1f]")  # control bytes no text file has
CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
NOT_UTF8 = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, escaped while decoding
WIDE = re.compile("[^\x00-\x7f\udc80-\udcff]")  # a character written in several bytes
# In a value: a C0 control character (tab, CR and LF are the CSV's own), a
# line break (a quote never closed swallows rows), a byte not UTF-8.
UNREADABLE = re.compile("[\x00-\x08\x0a-\x1f\udc80-\udcff]")
LINE_BREAK = re.compile("[\r\n]")


def _utf16_message() -> str:
    return _("This file is written in UTF-16: save it as “CSV UTF-8” and try again.")


def _excel_message() -> str:
    return _("This is an Excel workbook, not a CSV file: save it as “CSV UTF-8” and try again.")


def _what_it_is(head: bytes) -> None:
    """Raise UsageFileError for a file whose start says it is not CSV text:
    a workbook, UTF-16, or binary (an image, a PDF: by its signature, or by
    its many control bytes, where a CSV file has at most a few stray ones,
    which are errors of their rows)."""
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise UsageFileError([_excel_message()])
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UsageFileError([_utf16_message()])
    half = len(head) // 2
    for zeros, text in ((head[1::2], head[0::2]), (head[0::2], head[1::2])):
        printable = sum(1 for byte in text if 32 <= byte < 127 or byte in b"\t\r\n")
        if half >= 8 and zeros.count(0) > 0.9 * len(zeros) and printable > 0.9 * len(text):
            raise UsageFileError([_utf16_message()])  # ASCII as UTF-16, without a mark
    controls = len(BINARY_BYTE.findall(head))
    if head.startswith(SIGNATURES) or (controls > 8 and controls > len(head) // 100):
        raise UsageFileError(
            [
                _(
                    "This is not a CSV file (it holds binary data, such as an image or a "
                    "PDF): export the usage report as CSV and try again."
                )
            ]
        )


def _encoding(file: IO[bytes]) -> str:
    """UTF-8 (a byte-order mark or none) when the file decodes as UTF-8, or
    when it has characters written as UTF-8 (several bytes) and fewer bytes
    that are not: then it is UTF-8 with some bytes broken, and the rows that
    hold them are errors (``NOT_UTF8``). Else Windows-1252 (Excel's "CSV" in
    Western Europe), unless it holds bytes that are no character there. Read
    in chunks: the file is never decoded whole."""
    file.seek(0)
    _what_it_is(file.read(HEAD_BYTES))
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8-sig"
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    wide = broken = 0
    undefined = False
    final = False
    while not final:
        chunk = file.read(1 << 20)
        final = not chunk
        text = decoder.decode(chunk, final=final)
        wide += len(WIDE.findall(text))
        broken += len(NOT_UTF8.findall(text))
        undefined = undefined or CP1252_UNDEFINED.search(chunk) is not None
    if wide and wide >= broken:
        return "utf-8-sig"
    if undefined:
        raise UsageFileError(
            [
                _(
                    "This file is neither UTF-8 nor Windows-1252 (it holds bytes that are "
                    "characters in neither): save it as “CSV UTF-8” and try again."
                )
            ]
        )
    return "cp1252"


def _unreadable(cells: str, number: int) -> str | None:
    """Why a row's cells (those read, joined) cannot be read, or None."""
    if UNREADABLE.search(cells) is None:
        return None
    if LINE_BREAK.search(cells):
        return _("Row %(n)s: a quote is never closed.") % {"n": number}
    if NOT_UTF8.search(cells):
        return _("Row %(n)s: not valid UTF-8.") % {"n": number}
    return _("Row %(n)s: contains a control character.") % {"n": number}


@contextmanager
def _text(file: IO[bytes], encoding: str, start: int = 0) -> Iterator[io.TextIOWrapper[Any]]:
    """The file as text from ``start``, streamed; the file stays open after.
    A byte that is not of the encoding comes as a lone surrogate (``NOT_UTF8``):
    a row that has one in a cell it reads is an error, and is never shown."""
    file.seek(start)
    text = io.TextIOWrapper(file, encoding=encoding, errors="surrogateescape", newline="")
    try:
        yield text
    finally:
        text.detach()


def _records(text: IO[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for each row that is not blank. Rows are numbered
    as a spreadsheet shows them, blank ones included (the header is row 1).
    Strict: a quote never closed, or a quoted value going on after its
    closing quote, stops the reading at its row, in the product's words."""
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    number = 0
    try:
        for row in reader:
            number += 1
            if any(cell.strip() for cell in row):
                yield number, row
    except csv.Error as error:
        raise UsageFileError([_csv_error(str(error), number + 1)]) from error


def _csv_error(error: str, number: int) -> str:
    """The csv module's error (English, and about its parser), told in the
    product's words."""
    if "unexpected end of data" in error:
        return _("Row %(n)s: a quote is never closed.") % {"n": number}
    if "field larger than field limit" in error:
        return _("Row %(n)s: a value longer than %(max)s characters.") % {
            "n": number,
            "max": formats.number_format(csv.field_size_limit(), force_grouping=True),
        }
    if "expected after" in error:
        return _(
            "Row %(n)s: a value goes on after its closing quote (a quote inside a quoted "
            'value is written twice: "").'
        ) % {"n": number}
    return _("Row %(n)s: this is not a CSV row.") % {"n": number}


def read_header(file: IO[bytes]) -> Header:
    """The header row, the delimiter and the encoding; raises UsageFileError
    for an empty file or one that is not CSV text."""
    encoding = _encoding(file)
    first = ""
    with _text(file, encoding) as text:
        for _n in range(100):
            line = text.readline(64 * 1024)
            if not line or line.strip():
                first = line
                break
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    with _text(file, encoding) as text:
        for number, row in _records(text, delimiter):
            names = tuple(unprotect(cell.strip()) for cell in row)
            _check_names(names, number)
            return Header(names=names, delimiter=delimiter, encoding=encoding, row=number)
    raise UsageFileError([_("The file is empty.")])


def _check_names(names: Sequence[str], number: int) -> None:
    """The column names are shown and may be saved: none may hold what a row's
    cells may not (``_unreadable``)."""
    found = "".join(names)
    if UNREADABLE.search(found) is None:
        return
    if LINE_BREAK.search(found):
        message = _(
            "The column names (row %(n)s) run over several lines, or a quote in them is "
            "never closed: put them on one line."
        )
    elif NOT_UTF8.search(found):
        message = _(
            "The column names (row %(n)s) are not valid UTF-8: save the file as "
            "“CSV UTF-8” and try again."
        )
    else:
        message = _(
            "The column names (row %(n)s) contain a control character: remove it and try again."
        )
    raise UsageFileError([message % {"n": number}])


# Dates and date-times as the CRMs write them.

ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")
LOCAL = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[-./])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})"
    r"(?:[ T,]+(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.]\d{2}(?:[.,]\d+)?)?"
    r"(?:\s*(?P<half>[AaPp])\.?[Mm]\.?)?)?"
)


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_parser(date_format: str) -> Callable[[str], datetime.date | None]:
    """A function from a cell to its date in the site's time zone, or None.

    ISO 8601 is read whatever the format (2027-03-01, 2027-03-01T14:05:00Z,
    2027-03-01 14:05:00.000+0000): a zone converts to the site's local date,
    none is local already. ``dmy`` and ``mdy`` read 01-03-2027 14:05,
    01.03.2027, 03/01/2027 2:05 PM and the same without a time; with "" or
    ``iso`` such cells are not dates."""
    zone = _zone()
    local = date_format in (DateFormat.DAY_FIRST, DateFormat.MONTH_FIRST)
    day_first = date_format == DateFormat.DAY_FIRST
    iso_start = ISO_START.match
    local_match = LOCAL.fullmatch
    from_iso = datetime.datetime.fromisoformat
    make_date = datetime.date

    def parse(value: str) -> datetime.date | None:
        if iso_start(value):
            try:
                moment = from_iso(value)
            except ValueError:
                return None
            if moment.tzinfo is not None:
                return moment.astimezone(zone).date()
            return moment.date()
        if not local:
            return None
        found = local_match(value)
        if found is None:
            return None
        a, b = int(found["a"]), int(found["b"])
        day, month = (a, b) if day_first else (b, a)
        if found["hour"] is not None:
            hour, minute = int(found["hour"]), int(found["minute"])
            highest = 12 if found["half"] else 23
            if hour > highest or minute > 59 or (found["half"] and hour == 0):
                return None
        try:
            return make_date(int(found["year"]), month, day)
        except ValueError:
            return None

    return parse


@dataclass(frozen=True)
class DateGuess:
    """What the values say of their format: ``iso`` (nothing to choose),
    ``dmy``, ``mdy``, or None when they could be either (every day and month
    12 or less: 03/04/2027); ``likely`` is then the one to offer first."""

    format: str | None
    likely: str


def _sample(file: IO[bytes], header: Header) -> Iterator[list[str]]:
    """Up to SAMPLE_ROWS rows from the top of the file and as many from its
    end (a login history sorted by date starts with the first days of a
    month, whose dates say nothing of their format)."""
    with _text(file, header.encoding) as text:
        for count, (number, row) in enumerate(_records(text, header.delimiter)):
            if count > SAMPLE_ROWS:
                break
            if number > header.row:
                yield row
    size = file.seek(0, io.SEEK_END)
    tail = max(0, size - 256 * 1024)
    if tail == 0:
        return
    with _text(file, header.encoding, tail) as text:
        text.readline()  # most likely part of a row
        try:
            for count, (_number, row) in enumerate(_records(text, header.delimiter)):
                if count >= SAMPLE_ROWS:
                    break
                yield row
        except UsageFileError:
            return  # started inside a quoted cell: the top's rows will do


def guess_date_format(file: IO[bytes], header: Header, column: str) -> DateGuess:
    """Tell the date format from a bounded sample of the date column."""
    at = header.index(column)
    day_first = month_first = local = am_pm = dots_or_dashes = 0
    if at is not None:
        for row in _sample(file, header):
            value = row[at].strip() if at < len(row) else ""
            if ISO_START.match(value):
                continue
            found = LOCAL.fullmatch(value)
            if found is None:
                continue
            local += 1
            a, b = int(found["a"]), int(found["b"])
            if a > 12 >= b:
                day_first += 1
            elif b > 12 >= a:
                month_first += 1
            if found["half"]:
                am_pm += 1
            if found["sep"] in "-.":
                dots_or_dashes += 1
    if not local:
        return DateGuess(DateFormat.ISO, DateFormat.ISO)
    likely = DateFormat.MONTH_FIRST if am_pm > dots_or_dashes else DateFormat.DAY_FIRST
    if day_first and not month_first:
        return DateGuess(DateFormat.DAY_FIRST, DateFormat.DAY_FIRST)
    if month_first and not day_first:
        return DateGuess(DateFormat.MONTH_FIRST, DateFormat.MONTH_FIRST)
    return DateGuess(None, likely)


def format_label(date_format: str) -> str:
    return str(DateFormat(date_format).label)


# The per-use shape.


@dataclass(frozen=True)
class Columns:
    """The per-use shape's columns, by name, and how its dates are written."""

    user: str
    date: str
    role: str
    date_format: str  # "iso", "dmy" or "mdy" once known


ValuesWeek = tuple[tuple[str, ...], int]


@dataclass(frozen=True)
class Uses:
    """A per-use file, counted: distinct users per (values of the role
    column, week), and the rows skipped."""

    counts: dict[ValuesWeek, int]
    rows: int  # rows below the header, blank ones left out
    before: int  # rows before go-live
    not_over: dict[int, int]  # rows in each week not over yet
    errors: Errors
    users: int = 0  # distinct users in the rows counted, all weeks together
    value_rows: dict[str, int] = field(default_factory=dict)  # rows counted per value

    @property
    def values(self) -> list[str]:
        return sorted({value for values, _week in self.counts for value in values})


# What a column that names people looks like: an e-mail address in a value.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]{2,}")
FEW_VALUES = 10  # up to this many values, their number says nothing of people


def tells_who(column: str) -> UsageFileError:
    """The column picked as the role column names people (or the like)."""
    return UsageFileError(
        [
            _(
                "“%(column)s” tells who, not the role: pick the column that tells the role, "
                "such as a profile or team."
            )
            % {"column": column}
        ],
        field="role",
    )


def count_uses(
    file: IO[bytes],
    header: Header,
    columns: Columns,
    *,
    go_live: datetime.date,
    day: datetime.date,
) -> Uses:
    """Count a per-use file in one pass, row by row as it streams.

    Rows before go-live and rows in a week not over yet are skipped and
    counted; a date after ``day``, a missing or unreadable date, an empty
    user cell, and a cell read holding a control character, a line break (a
    quote never closed) or a byte that is not UTF-8 are errors of their row.

    A role column that names people raises UsageFileError (``tells_who``)
    before anything of it is shown or carried: more than MAX_VALUES values
    (raised as soon as seen), a value that looks like an e-mail address, a
    value that is also a user of the user column (compared as keyed
    hashes), or about as many values as users."""
    user_at, date_at, role_at = (
        header.index(columns.user),
        header.index(columns.date),
        header.index(columns.role),
    )
    if user_at is None or date_at is None or role_at is None:
        raise UsageFileError([_("The file has not got the columns chosen.")])
    parse = day_parser(columns.date_format)
    last_closed = weeks.last_closed_week(go_live, day)
    errors = Errors()
    rows = before = 0
    not_over: Counter[int] = Counter()
    values: set[str] = set()
    value_rows: Counter[str] = Counter()
    # Per week: the keyed hash of each user seen -> the value (or values)
    # of the role column they were seen with.
    seen: dict[int, dict[bytes, str | frozenset[str]]] = {}
    key = secrets.token_bytes(32)  # this count's alone; dropped with it
    blake2b = hashlib.blake2b
    hashed_values: set[bytes] = set()  # the values, hashed as the users are
    widest = max(user_at, date_at, role_at)
    format_name = format_label(columns.date_format)
    with _text(file, header.encoding) as text:
        for number, row in _records(text, header.delimiter):
            if number <= header.row:
                continue
            rows += 1
            if len(row) <= widest:
                row = row + [""] * (widest + 1 - len(row))  # a short row
            user = row[user_at].strip()
            written = row[date_at].strip()
            value = unprotect(row[role_at].strip())
            if (problem := _unreadable(user + written + value, number)) is not None:
                errors.add(problem)
                continue
            if not written:
                errors.add(
                    _("Row %(n)s: no date in column “%(column)s”.")
                    % {"n": number, "column": columns.date}
                )
                continue
            when = parse(written)
            if when is None:
                # The cell is not shown: a column picked by mistake could hold
                # user names.
                errors.add(
                    _("Row %(n)s: column “%(column)s” does not hold a date (read as: %(format)s).")
                    % {"n": number, "column": columns.date, "format": format_name}
                )
                continue
            if when > day:
                errors.add(
                    _("Row %(n)s: the date is after today (%(date)s).")
                    % {"n": number, "date": formats.date_format(when, "DATE_FORMAT")}
                )
                continue
            if when < go_live:
                before += 1
                continue
            week = (when - go_live).days // 7 + 1
            if week > last_closed:
                not_over[week] += 1
                continue
            if not user:
                errors.add(
                    _("Row %(n)s: column “%(column)s” is empty: whose use is it?")
                    % {"n": number, "column": columns.user}
                )
                continue
            if value not in values:
                if len(value) > MAX_COLUMN:
                    errors.add(
                        _("Row %(n)s: column “%(column)s” holds more than %(max)s characters.")
                        % {"n": number, "column": columns.role, "max": MAX_COLUMN}
                    )
                    continue
                if EMAIL.search(value):
                    raise tells_who(columns.role)
                values.add(value)
                hashed_values.add(blake2b(value.encode(), key=key, digest_size=8).digest())
                if len(values) > MAX_VALUES:
                    raise UsageFileError(
                        [
                            _(
                                "Column “%(column)s” holds more than %(max)s different values: "
                                "pick the column that tells the role (a profile, a role, a team), "
                                "not one that names people or times."
                            )
                            % {"column": columns.role, "max": MAX_VALUES}
                        ],
                        field="role",
                    )
            value_rows[value] += 1
            digest = blake2b(user.encode(), key=key, digest_size=8).digest()
            users = seen.get(week)
            if users is None:
                users = seen[week] = {}
            had = users.get(digest)
            if had is None:
                users[digest] = value
            elif had != value:
                if isinstance(had, str):
                    users[digest] = frozenset((had, value))
                elif value not in had:
                    users[digest] = had | {value}
    everyone: set[bytes] = set().union(*seen.values())
    if rows == 0:
        raise UsageFileError([_("The file has no rows below its header.")])
    if not hashed_values.isdisjoint(everyone) or (
        len(values) > FEW_VALUES and len(values) * 2 >= len(everyone)
    ):
        raise tells_who(columns.role)
    counts: Counter[ValuesWeek] = Counter()
    for week, users in seen.items():
        for had in users.values():
            counts[((had,) if isinstance(had, str) else tuple(sorted(had)), week)] += 1
    seen.clear()
    return Uses(
        counts=dict(counts),
        rows=rows,
        before=before,
        not_over=dict(sorted(not_over.items())),
        errors=errors,
        users=len(everyone),
        value_rows=dict(value_rows),
    )


def role_counts(
    counts: Mapping[ValuesWeek, int], mapping: Mapping[str, int | None]
) -> dict[tuple[int, int], int]:
    """Active users per (role id, week) from a per-use count and the values'
    roles (None: ignored; a value missing from ``mapping`` is not counted).

    A user counted under several values counts once for each role they map
    to. A role that has a value in the file has a figure for every week of
    the file: 0 for a week in which none of its people used the CRM."""
    file_weeks = {week for _values, week in counts}
    file_roles = {
        role_id
        for values, _week in counts
        for value in values
        if (role_id := mapping.get(value)) is not None
    }
    result = {(role_id, week): 0 for role_id in file_roles for week in file_weeks}
    for (values, week), users in counts.items():
        for role_id in {mapping.get(value) for value in values}:
            if role_id is not None:
                result[(role_id, week)] += users
    return dict(sorted(result.items()))


# The counts shape.

WEEK_CELL = re.compile(r"(?:week|uge|w|u)?\s*(\d{1,4})", re.IGNORECASE)


@dataclass(frozen=True)
class CountsFile:
    """A counts file, read: active users per (role id, week)."""

    figures: dict[tuple[int, int], int]
    rows: int
    errors: Errors


def read_counts(
    file: IO[bytes],
    header: Header,
    *,
    playbook: Playbook,
    roles: Sequence[Role],
    day: datetime.date,
    date_format: str = "",
) -> CountsFile:
    """Check every row of a counts file: a role of the playbook that takes
    figures, a closed week, a whole number of active users, each role-week
    once. A week is its number or a date inside it, in ISO 8601 or day or
    month first when the date says which (``date_format`` for one that does
    not)."""
    at = header.count_columns
    assert at is not None, "a counts file has its three columns"
    go_live = playbook.pulse_go_live
    k = playbook.pulse_k
    by_name = {role.name.strip().casefold(): role for role in roles}
    parsers = [day_parser(DateFormat.DAY_FIRST), day_parser(DateFormat.MONTH_FIRST)]
    if date_format in (DateFormat.DAY_FIRST, DateFormat.MONTH_FIRST):
        parsers = [day_parser(date_format)]
    errors = Errors()
    figures: dict[tuple[int, int], int] = {}
    where: dict[tuple[int, int], int] = {}
    rows = 0
    widest = max(at.values())
    with _text(file, header.encoding) as text:
        for number, raw in _records(text, header.delimiter):
            if number <= header.row:
                continue
            rows += 1
            row = [unprotect(cell.strip()) for cell in raw] + [""] * (widest + 1 - len(raw))
            role_cell, week_cell, active_cell = (
                row[at["role"]],
                row[at["week"]],
                row[at["active_users"]],
            )
            if (problem := _unreadable(role_cell + week_cell + active_cell, number)) is not None:
                errors.add(problem)
                continue
            before = errors.total
            role = by_name.get(role_cell.casefold())
            if not role_cell:
                errors.add(_("Row %(n)s: no role.") % {"n": number})
            elif role is None:
                errors.add(
                    _("Row %(n)s: this playbook has no role called “%(role)s”.")
                    % {"n": number, "role": role_cell}
                )
            elif refused := role_refused(role, k):
                errors.add(_("Row %(n)s: %(why)s") % {"n": number, "why": refused})
            week = _week(week_cell, parsers, go_live, number, errors)
            if week is not None and (refused := week_refused(playbook, week, day)):
                errors.add(_("Row %(n)s: %(why)s") % {"n": number, "why": refused})
            active = _active(active_cell, number, errors)
            if errors.total > before or role is None or week is None or active is None:
                continue
            if (role.pk, week) in where:
                errors.add(
                    _("Row %(n)s: %(role)s, week %(week)s is in row %(other)s already.")
                    % {"n": number, "role": role.name, "week": week, "other": where[role.pk, week]}
                )
                continue
            where[role.pk, week] = number
            figures[role.pk, week] = active
    if rows == 0:
        raise UsageFileError([_("The file has no rows below its header.")])
    return CountsFile(figures=dict(sorted(figures.items())), rows=rows, errors=errors)


def _week(
    cell: str,
    parsers: Sequence[Callable[[str], datetime.date | None]],
    go_live: datetime.date | None,
    number: int,
    errors: Errors,
) -> int | None:
    """A week's number from its cell: a number (``3``, ``week 3``) or a date
    inside it."""
    if not cell:
        errors.add(_("Row %(n)s: no week.") % {"n": number})
        return None
    if found := WEEK_CELL.fullmatch(cell):
        return int(found[1])
    days = {when for parse in parsers if (when := parse(cell)) is not None}
    if len(days) > 1:
        errors.add(
            _(
                "Row %(n)s: “%(date)s” could be read day first or month first: "
                "write the week’s number or the date as 2027-04-03."
            )
            % {"n": number, "date": cell}
        )
        return None
    if not days:
        errors.add(
            _("Row %(n)s: “%(week)s” is neither a week’s number nor a date.")
            % {"n": number, "week": cell}
        )
        return None
    when = days.pop()
    week = weeks.week_of(go_live, when)
    if week is None and go_live is not None:
        errors.add(
            _("Row %(n)s: %(date)s is before go-live (%(go_live)s).")
            % {
                "n": number,
                "date": formats.date_format(when, "DATE_FORMAT"),
                "go_live": formats.date_format(go_live, "DATE_FORMAT"),
            }
        )
    return week


WHOLE = re.compile(r"\d+")


def _active(cell: str, number: int, errors: Errors) -> int | None:
    if WHOLE.fullmatch(cell):
        active = int(cell)
        if active > MAX_ACTIVE_USERS:
            errors.add(
                _("Row %(n)s: more than %(max)s active users.")
                % {"n": number, "max": formats.number_format(MAX_ACTIVE_USERS, force_grouping=True)}
            )
            return None
        return active
    if not cell:
        errors.add(_("Row %(n)s: no number of active users.") % {"n": number})
    elif re.fullmatch(r"-\s*\d+", cell):
        errors.add(_("Row %(n)s: active users cannot be negative.") % {"n": number})
    else:
        errors.add(
            _("Row %(n)s: active users must be a whole number, not “%(value)s”.")
            % {"n": number, "value": cell}
        )
    return None


# What the import's steps carry between them (signed by the views): counts
# only, never a row and never a user.


@dataclass(frozen=True)
class Counted:
    shape: Shape
    go_live: datetime.date
    rows: int
    before: int = 0
    not_over: dict[int, int] = field(default_factory=dict)
    uses: dict[ValuesWeek, int] = field(default_factory=dict)  # per-use shape
    figures: dict[tuple[int, int], int] = field(default_factory=dict)  # counts shape
    columns: Columns | None = None
    users: int = 0  # per-use shape: distinct users, all weeks together
    value_rows: dict[str, int] = field(default_factory=dict)  # per-use shape: rows per value

    @property
    def values(self) -> list[str]:
        return sorted({value for values, _week in self.uses for value in values})

    def as_data(self) -> dict[str, Any]:
        return {
            "shape": str(self.shape),
            "go_live": self.go_live.isoformat(),
            "rows": self.rows,
            "before": self.before,
            "not_over": [[week, n] for week, n in sorted(self.not_over.items())],
            "uses": [[list(values), week, n] for (values, week), n in sorted(self.uses.items())],
            "figures": [[role, week, n] for (role, week), n in sorted(self.figures.items())],
            "columns": None
            if self.columns is None
            else [
                self.columns.user,
                self.columns.date,
                self.columns.role,
                self.columns.date_format,
            ],
            "users": self.users,
            "value_rows": sorted([value, n] for value, n in self.value_rows.items()),
        }

    @classmethod
    def from_data(cls, data: Any) -> Counted:
        """Raises ValueError, TypeError or KeyError for data of another shape."""
        columns = data["columns"]
        return cls(
            shape=Shape(data["shape"]),
            go_live=datetime.date.fromisoformat(data["go_live"]),
            rows=int(data["rows"]),
            before=int(data["before"]),
            not_over={int(week): int(n) for week, n in data["not_over"]},
            uses={
                (tuple(str(v) for v in values), int(week)): int(n)
                for values, week, n in data["uses"]
            },
            figures={(int(role), int(week)): int(n) for role, week, n in data["figures"]},
            columns=None if columns is None else Columns(*(str(c) for c in columns)),
            users=int(data.get("users", 0)),
            value_rows={str(value): int(n) for value, n in data.get("value_rows", [])},
        )
