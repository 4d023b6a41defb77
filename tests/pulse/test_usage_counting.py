"""Counting the CRM's usage export (pulse.usage): distinct users per value of
the role column and week, in one pass; the rows skipped; the errors by row;
the counts shape's checks."""

from __future__ import annotations

import csv
import datetime
import io
import json
import tracemalloc
from typing import Any

import pytest
from django.utils import translation

from pulse import usage
from pulse.usage import Counted, Shape, UsageFileError
from tests.factories import make_playbook, make_role
from tests.pulse.usage_files import GO_LIVE, TODAY, at_time, csv_bytes, day_in, generate


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages and dates in English, whatever a test before left active."""
    with translation.override("en"):
        yield


COLUMNS = usage.Columns("UserId", "LoginTime", "Profile", "iso")


def count(rows: list[list[str]], columns: usage.Columns = COLUMNS, **options: Any) -> usage.Uses:
    data = csv_bytes(["UserId", "LoginTime", "Profile"], rows, **options)
    header = usage.read_header(io.BytesIO(data))
    return usage.count_uses(io.BytesIO(data), header, columns, go_live=GO_LIVE, day=TODAY)


def test_a_user_counts_once_a_week_whatever_their_logins() -> None:
    counted = count(
        [
            ["anne", at_time(1), "Sales"],
            ["anne", at_time(1, 11), "Sales"],
            ["anne", at_time(1, 12, offset=6), "Sales"],
            ["bo", at_time(1), "Sales"],
            ["anne", at_time(2), "Sales"],
            ["carl", at_time(2), "Service"],
        ]
    )
    assert counted.counts == {(("Sales",), 1): 2, (("Sales",), 2): 1, (("Service",), 2): 1}
    assert counted.rows == 6
    assert counted.values == ["Sales", "Service"]
    assert not counted.errors


def test_users_are_compared_exactly_as_written() -> None:
    """Salesforce's 15-character ids differ by case alone; spaces around do not count."""
    counted = count(
        [
            ["005A0000001abcD", at_time(1), "Sales"],
            ["005A0000001ABCD", at_time(1), "Sales"],
            [" 005A0000001ABCD ", at_time(1), "Sales"],
        ]
    )
    assert counted.counts == {(("Sales",), 1): 2}


def test_a_user_seen_under_two_values_in_a_week_is_counted_once_under_both() -> None:
    counted = count(
        [
            ["anne", at_time(3), "Sales EU"],
            ["anne", at_time(3, 15), "Sales US"],
            ["anne", at_time(3, 16), "Sales EU"],
            ["bo", at_time(3), "Sales US"],
        ]
    )
    assert counted.counts == {(("Sales EU", "Sales US"), 3): 1, (("Sales US",), 3): 1}
    sales, service = 7, 8
    assert usage.role_counts(counted.counts, {"Sales EU": sales, "Sales US": sales}) == {
        (sales, 3): 2
    }
    assert usage.role_counts(counted.counts, {"Sales EU": sales, "Sales US": service}) == {
        (sales, 3): 1,
        (service, 3): 2,
    }


def test_role_counts_ignores_and_leaves_out_and_fills_the_file_weeks_with_zero() -> None:
    counts = {
        (("Sales",), 1): 5,
        (("Admin",), 1): 2,
        (("Sales",), 2): 4,
        (("Service",), 2): 3,
        (("Partner",), 3): 9,
    }
    found = usage.role_counts(counts, {"Sales": 1, "Service": 2, "Admin": None})
    # Partner has no choice yet: not counted, but its week 3 is a week of the file.
    assert found == {
        (1, 1): 5,
        (1, 2): 4,
        (1, 3): 0,
        (2, 1): 0,
        (2, 2): 3,
        (2, 3): 0,
    }


def test_rows_before_go_live_and_in_a_week_not_over_are_skipped_and_counted() -> None:
    counted = count(
        [
            ["anne", "2027-02-28T10:00:00Z", "Sales"],
            ["bo", "2027-02-28T23:30:00Z", "Sales"],  # 1 March in Copenhagen: week 1
            ["anne", at_time(8, offset=6), "Sales"],
            ["anne", f"{TODAY}T08:00:00Z", "Sales"],  # week 9, today
            ["bo", f"{TODAY - datetime.timedelta(days=1)}T08:00:00Z", "Sales"],
        ]
    )
    assert counted.before == 1
    assert counted.not_over == {9: 2}
    assert counted.counts == {(("Sales",), 1): 1, (("Sales",), 8): 1}
    assert not counted.errors


def test_bad_rows_are_errors_by_row_number_and_never_show_the_cell() -> None:
    counted = count(
        [
            ["anne", at_time(1), "Sales"],  # row 2
            ["bo", "", "Sales"],  # 3: no date
            ["carl@corp.example", "carl@corp.example", "Sales"],  # 4: the wrong column
            ["dana", "31-02-2027", "Sales"],  # 5: not ISO
            ["", at_time(2), "Sales"],  # 6: no user
            ["erik", f"{TODAY + datetime.timedelta(days=1)}T08:00:00Z", "Sales"],  # 7: tomorrow
            ["finn"],  # 8: a short row
            ["gry", at_time(2), "x" * 201],  # 9: too long for a value
        ]
    )
    assert counted.errors.total == 7
    assert counted.errors.shown == [
        "Row 3: no date in column “LoginTime”.",
        "Row 4: column “LoginTime” does not hold a date "
        "(read as: ISO 8601 (2027-03-01 14:05, with or without a zone)).",
        "Row 5: column “LoginTime” does not hold a date "
        "(read as: ISO 8601 (2027-03-01 14:05, with or without a zone)).",
        "Row 6: column “UserId” is empty: whose use is it?",
        "Row 7: the date is after today (April 29, 2027).",
        "Row 8: no date in column “LoginTime”.",
        "Row 9: column “Profile” holds more than 200 characters.",
    ]
    assert "carl" not in " ".join(counted.errors.shown)


def test_errors_are_all_counted_and_the_first_200_kept() -> None:
    counted = count([["u", "not a date", "Sales"]] * 450)
    assert counted.errors.total == 450
    assert len(counted.errors.shown) == 200
    assert counted.errors.more == 250
    assert counted.errors.shown[0].startswith("Row 2:")
    assert counted.errors.shown[-1].startswith("Row 201:")


def test_a_role_value_written_against_formulas_is_read_back_without_the_quote() -> None:
    counted = count(
        [
            ["anne", at_time(1), "'=Admins"],
            ["bo", at_time(1), "=Admins"],
            ["carl", at_time(1), "'Ops"],
        ]
    )
    assert counted.values == ["'Ops", "=Admins"]
    assert counted.counts[(("=Admins",), 1)] == 2


def test_a_role_column_with_more_than_200_values_is_refused_without_listing_them() -> None:
    rows = [[f"user{n}", at_time(1), f"user{n}@corp.example"] for n in range(201)]
    with pytest.raises(UsageFileError) as refused:
        count(rows)
    assert refused.value.field == "role"
    message = refused.value.errors[0]
    assert "pick the column that tells the role" in message
    assert "@corp.example" not in message


def test_exactly_200_values_are_fine() -> None:
    """With more users than twice the values: one value a user would name people."""
    counted = count([[f"user{n}", at_time(1), f"Team {n % 200}"] for n in range(1000)])
    assert len(counted.values) == 200


def at_n(n: int) -> str:
    return at_time(1 + n % 8)


@pytest.mark.parametrize(
    "rows",
    [
        [["anne", at_time(1), "Sales"], ["bo", at_time(1), "bo.berg@corp.example"]],
        [["anne", at_time(1), "Sales"], ["bo", at_time(2), "anne"]],
        [[f"u{n}", at_n(n), f"Person {n // 2}"] for n in range(22)],
    ],
    ids=["an e-mail", "a user of the user column", "11 values for 22 users"],
)
def test_a_role_column_that_tells_who_is_refused_without_showing_it(rows: list[list[str]]) -> None:
    with pytest.raises(UsageFileError) as refused:
        count(rows)
    assert refused.value.field == "role"
    assert refused.value.errors == [
        "“Profile” tells who, not the role: pick the column that tells the role, "
        "such as a profile or team."
    ]


@pytest.mark.parametrize(
    "rows",
    [
        [[f"u{n}", at_n(n), f"Team {n // 3}"] for n in range(36)],
        [[f"u{n}", at_n(n), f"Team {n}"] for n in range(10)],
        [["anne", at_time(1), "Sales"], ["anne", at_time(2), "Sales EU"]],
    ],
    ids=["12 values for 36 users", "10 values for 10 users: too few to tell", "a user moved"],
)
def test_a_role_column_that_does_not_tell_who_is_counted(rows: list[list[str]]) -> None:
    counted = count(rows)
    assert counted.values
    assert not counted.errors


def test_the_count_says_how_many_users_and_rows_per_value() -> None:
    counted = count(
        [
            ["anne", at_time(1), "Sales"],
            ["anne", at_time(1, 11), "Sales"],
            ["anne", at_time(2), "Sales"],
            ["bo", at_time(2), "Service"],
            ["carl", "2027-02-20T10:00:00Z", "Service"],  # before go-live: not counted
        ]
    )
    assert counted.users == 2
    assert counted.value_rows == {"Sales": 3, "Service": 1}


def test_a_cell_read_that_holds_a_control_character_a_line_break_or_a_broken_byte_is_an_error() -> (
    None
):
    data = (
        (
            "UserId;LoginTime;Profile;Note\r\n"
            f"anne;{at_time(1)};Sales;\x00 not read\r\n"  # 2: fine, the note is not read
            f"b\x07o;{at_time(1)};Sales;\r\n"  # 3: in the user
            f"carl;{at_time(1)[:4]}\x0c{at_time(1)[4:]};Sales;\r\n"  # 4: in the date
            f'dana;{at_time(1)};"Sales\r\nerik;{at_time(1)};Sales";\r\n'  # 5: a line break
            f"finn;{at_time(1)};Sal\x1fes;\r\n"  # 6 (two rows above it are in row 5)
            f"gry;{at_time(1)};Café;\r\n"  # 7: UTF-8
        ).encode()
        + f"hans;{at_time(1)};Caf".encode()
        + b"\xe9;\r\n"
    )  # 8: not UTF-8
    header = usage.read_header(io.BytesIO(data))
    assert header.encoding == "utf-8-sig"
    counted = usage.count_uses(io.BytesIO(data), header, COLUMNS, go_live=GO_LIVE, day=TODAY)
    assert counted.errors.shown == [
        "Row 3: contains a control character.",
        "Row 4: contains a control character.",
        "Row 5: a quote is never closed.",
        "Row 6: contains a control character.",
        "Row 8: not valid UTF-8.",
    ]
    assert counted.values == ["Café", "Sales"]


def test_a_header_without_rows_is_refused() -> None:
    with pytest.raises(UsageFileError, match="no rows below its header"):
        count([])


@pytest.mark.parametrize(
    ("written", "date_format"),
    [
        ("02-03-2027 14:05", "dmy"),
        ("02.03.2027", "dmy"),
        ("03/02/2027 2:05 PM", "mdy"),
        ("2027-03-02T13:05:00.000Z", "iso"),
    ],
)
def test_each_date_format_counts_the_same_week(written: str, date_format: str) -> None:
    columns = usage.Columns("UserId", "LoginTime", "Profile", date_format)
    counted = count([["anne", written, "Sales"]], columns)
    assert counted.counts == {(("Sales",), 1): 1}


def test_the_count_equals_a_count_made_here() -> None:
    made = generate({"Sales": 40, "Service": 25, "Admin": 3}, 8, before_go_live=5)
    header = usage.read_header(io.BytesIO(made.data))
    counted = usage.count_uses(io.BytesIO(made.data), header, COLUMNS, go_live=GO_LIVE, day=TODAY)
    assert {(values[0], week): n for (values, week), n in counted.counts.items()} == made.distinct
    assert counted.before == 5
    assert counted.rows == made.rows


def test_counting_streams_the_rows_instead_of_holding_them() -> None:
    """The peak of Python allocations while counting 60,000 rows stays far
    below what the rows take when held (as a list of rows would)."""
    made = generate({"Sales": 600, "Service": 300}, 8, rows=60_000)
    header = usage.read_header(io.BytesIO(made.data))
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        usage.count_uses(io.BytesIO(made.data), header, COLUMNS, go_live=GO_LIVE, day=TODAY)
        counting = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        held = list(csv.reader(io.StringIO(made.data.decode()), delimiter=";"))
        holding = tracemalloc.get_traced_memory()[1]
        del held
    finally:
        tracemalloc.stop()
    assert counting < holding / 5, (counting, holding)


# The counts shape


@pytest.fixture
def counts_playbook(db: Any) -> Any:
    playbook = make_playbook(go_live=GO_LIVE)
    make_role(playbook, "Sales", headcount=40)
    make_role(playbook, "Customer service", headcount=25)
    make_role(playbook, "Marketing", headcount=6)  # under 2k = 10
    return playbook


def read_counts(playbook: Any, rows: list[list[Any]], names: list[str] | None = None) -> Any:
    data = csv_bytes(names or ["week", "role", "active_users"], rows)
    header = usage.read_header(io.BytesIO(data))
    return usage.read_counts(
        io.BytesIO(data),
        header,
        playbook=playbook,
        roles=list(playbook.roles.all()),
        day=TODAY,
    )


def test_a_counts_file_gives_figures_per_role_and_week(counts_playbook: Any) -> None:
    read = read_counts(
        counts_playbook,
        [
            [3, "Sales", 31],
            ["week 4", "sales", "32"],
            [str(day_in(5, 6)), " Customer service ", "20"],
            ["Uge 6", "SALES", "0"],
        ],
    )
    sales = counts_playbook.roles.get(name="Sales").pk
    service = counts_playbook.roles.get(name="Customer service").pk
    assert not read.errors
    assert read.rows == 4
    assert read.figures == {(sales, 3): 31, (sales, 4): 32, (sales, 6): 0, (service, 5): 20}


def test_every_bad_counts_row_is_an_error_of_its_row(counts_playbook: Any) -> None:
    read = read_counts(
        counts_playbook,
        [
            [1, "Sales", 30],  # 2: fine
            [2, "Finance", 3],  # 3: unknown role
            [9, "Sales", 30],  # 4: week 9 is not over
            [12, "Sales", 30],  # 5: in the future
            [0, "Sales", 30],  # 6: week 0
            [2, "Sales", -4],  # 7: negative
            [3, "Sales", "3.5"],  # 8: not whole
            [4, "Sales", "1.234"],  # 9: a thousands separator
            [5, "Sales", "=SUM(A1:A3)"],  # 10: a formula
            [6, "Sales", "'=1+1"],  # 11: a protected formula, still not a number
            [1, "Sales", 29],  # 12: twice
            [1, "Marketing", 5],  # 13: under 2k
            ["", "", "—"],  # 14: no week, no role, no number
            ["03/04/2027", "Sales", 5],  # 15: which day?
            ["2027-02-20", "Sales", 5],  # 16: before go-live
            [7, "Sales", 2_000_000],  # 17: more than a million
            [8, "Sales", ""],  # 18: no number
            ["'=8", "Sales", "'+0"],  # 19: protected cells, read back, still not numbers
        ],
    )
    shown = read.errors.shown
    assert shown == [
        "Row 3: this playbook has no role called “Finance”.",
        "Row 4: Week 9 is not over until May 2, 2027: figures come for closed weeks.",
        "Row 5: Week 12 is not over until May 23, 2027: figures come for closed weeks.",
        "Row 6: Weeks start at 1, the week of go-live.",
        "Row 7: active users cannot be negative.",
        "Row 8: active users must be a whole number, not “3.5”.",
        "Row 9: active users must be a whole number, not “1.234”.",
        "Row 10: active users must be a whole number, not “=SUM(A1:A3)”.",
        "Row 11: active users must be a whole number, not “=1+1”.",
        "Row 12: Sales, week 1 is in row 2 already.",
        "Row 13: Marketing has fewer than 10 people: its figures would point at people, "
        "so it takes none.",
        "Row 14: no role.",
        "Row 14: no week.",
        "Row 14: active users must be a whole number, not “—”.",
        "Row 15: “03/04/2027” could be read day first or month first: "
        "write the week’s number or the date as 2027-04-03.",
        "Row 16: Feb. 20, 2027 is before go-live (March 1, 2027).",
        "Row 17: more than 1,000,000 active users.",
        "Row 18: no number of active users.",
        "Row 19: “=8” is neither a week’s number nor a date.",
        "Row 19: active users must be a whole number, not “+0”.",
    ]
    assert read.errors.total == len(shown)


def test_an_empty_counts_file_is_refused(counts_playbook: Any) -> None:
    with pytest.raises(UsageFileError, match="no rows below its header"):
        read_counts(counts_playbook, [])


def test_a_saved_date_format_reads_dates_that_could_be_either(counts_playbook: Any) -> None:
    data = csv_bytes(["week", "role", "active_users"], [["03/04/2027", "Sales", 5]])
    header = usage.read_header(io.BytesIO(data))
    read = usage.read_counts(
        io.BytesIO(data),
        header,
        playbook=counts_playbook,
        roles=list(counts_playbook.roles.all()),
        day=TODAY,
        date_format="dmy",
    )
    assert list(read.figures.values()) == [5]
    assert [week for _role, week in read.figures] == [5]  # 3 April 2027


# What is carried between the steps


def test_counted_goes_through_json_and_back_unchanged() -> None:
    counted = Counted(
        shape=Shape.USES,
        go_live=GO_LIVE,
        rows=12,
        before=2,
        not_over={9: 3},
        uses={(("Sales",), 1): 4, (("Sales EU", "Sales US"), 2): 1},
        columns=usage.Columns("UserId", "LoginTime", "Profile", "dmy"),
        users=5,
        value_rows={"Sales": 9, "Sales EU": 2, "Sales US": 1},
    )
    assert Counted.from_data(json.loads(json.dumps(counted.as_data()))) == counted
    older = counted.as_data()  # signed before the users and rows were carried
    del older["users"], older["value_rows"]
    assert Counted.from_data(older).users == 0
    figures = Counted(shape=Shape.COUNTS, go_live=GO_LIVE, rows=1, figures={(4, 2): 31})
    assert Counted.from_data(json.loads(json.dumps(figures.as_data()))) == figures
