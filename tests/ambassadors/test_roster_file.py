"""The roster file: CSV for Danish Excel, all or nothing, no formula injection."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ambassadors.models import Ambassador
from ambassadors.roster_file import (
    RosterFileError,
    export_roster,
    import_roster,
    protect,
    unprotect,
)
from tests.factories import make_ambassador, make_role

pytestmark = pytest.mark.django_db

HEADER = "name;email;department;role;influence;early_access;training;trained_on;notes"


@pytest.fixture
def roles(world: Any) -> dict[str, Any]:
    return {
        "Salg": make_role(world.playbook, "Salg", headcount=40),
        "Kundeservice": make_role(world.playbook, "Kundeservice", headcount=20),
    }


def ten_rows(bad: int | None = None) -> str:
    lines = [HEADER]
    for n in range(10):
        influence = "9" if n == bad else str(n % 5 + 1)
        role = "Salg" if n % 2 else "kundeservice"
        lines.append(
            f"Person Ø{n};p{n}@example.dk;Afdeling Æ{n};{role};{influence};"
            f"2027-02-0{n % 9 + 1};completed;2027-02-10;Bemærk Å"
        )
    return "\r\n".join(lines) + "\r\n"


def test_ten_good_rows_import(world: Any, roles: dict) -> None:
    result = import_roster(world.playbook, ten_rows().encode("utf-8-sig"))
    assert (result.added, result.updated) == (10, 0)
    person = Ambassador.objects.get(email="p3@example.dk")
    assert (person.name, person.department, person.role.name, person.influence) == (
        "Person Ø3",
        "Afdeling Æ3",
        "Salg",
        4,
    )
    assert person.notes == "Bemærk Å"
    assert person.playbook == world.playbook


def test_one_bad_row_imports_nothing_and_names_the_row(world: Any, roles: dict) -> None:
    with pytest.raises(RosterFileError) as caught:
        import_roster(world.playbook, ten_rows(bad=6).encode("utf-8"))
    assert caught.value.errors == [
        "Row 8, influence: “9” is not allowed; use a whole number from 1 to 5"
    ]
    assert Ambassador.objects.count() == 0


def test_every_bad_row_is_listed(world: Any, roles: dict) -> None:
    text = "\r\n".join(
        [
            HEADER,
            "A;a@example.dk;;Salg;3;;;;",
            "B;not-an-email;;Salg;3;;;;",
            "C;c@example.dk;;Finance;3;;;;",
            "D;a@example.dk;;Salg;3;;;;",
            "E;e@example.dk;;Salg;3;2027-13-01;;;",
            ";f@example.dk;;Salg;3;;;;",
        ]
    )
    with pytest.raises(RosterFileError) as caught:
        import_roster(world.playbook, text.encode())
    errors = caught.value.errors
    assert errors == [
        "Row 3, email: “not-an-email” is not an e-mail address",
        "Row 4, role: “Finance” is not a role of this playbook; the roles are: Salg, Kundeservice",
        "Row 5, email: “a@example.dk” is on row 2 too; give each e-mail once",
        "Row 6, early_access: “2027-13-01” is not a date; "
        "write it as year-month-day, like 2027-02-10",
        "Row 7, name: empty; give the ambassador’s name",
    ]
    assert Ambassador.objects.count() == 0


def test_export_then_import_changes_nothing(world: Any, roles: dict) -> None:
    import_roster(world.playbook, ten_rows().encode())
    before = list(Ambassador.objects.order_by("email").values())
    exported = export_roster(world.playbook)
    result = import_roster(world.playbook, exported.encode("utf-8"))
    assert (result.added, result.updated) == (0, 10)
    assert list(Ambassador.objects.order_by("email").values()) == before


def test_updates_by_e_mail_and_adds_the_others(world: Any, roles: dict) -> None:
    make_ambassador(roles["Salg"], "Old Name", email="p1@example.dk", influence=1)
    result = import_roster(world.playbook, ten_rows().encode())
    assert (result.added, result.updated) == (9, 1)
    assert Ambassador.objects.get(email="p1@example.dk").name == "Person Ø1"


def test_the_file_danish_excel_opens(world: Any, roles: dict) -> None:
    make_ambassador(roles["Salg"], "Søren Ærø", email="soren@example.dk", department="Åbyhøj")
    text = export_roster(world.playbook)
    assert text.startswith("\ufeff" + HEADER + "\r\n")
    assert "Søren Ærø;soren@example.dk;Åbyhøj;Salg;4;;not_started;;" in text


def test_comma_separated_files_are_read(world: Any, roles: dict) -> None:
    text = "name,email,role,influence\r\nAnna,anna@example.dk,Salg,5\r\n"
    assert import_roster(world.playbook, text.encode()).added == 1


def test_windows_1252_files_are_read(world: Any, roles: dict) -> None:
    text = "name;email;role;influence\r\nSøren;soren@example.dk;Salg;5\r\n"
    import_roster(world.playbook, text.encode("cp1252"))
    assert Ambassador.objects.get().name == "Søren"


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]
)
def test_formulas_are_neutralised_both_ways(world: Any, roles: dict, value: str) -> None:
    assert protect(value) == "'" + value
    assert unprotect(protect(value)) == value
    make_ambassador(roles["Salg"], "Eve", email="eve@example.dk", notes=value)
    text = export_roster(world.playbook)
    cells = next(
        row
        for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
        if row[0] == "Eve"
    )
    assert cells[-1] == "'" + value
    import_roster(world.playbook, text.encode())
    # Read back without the quote; leading white space goes, as in the form.
    assert Ambassador.objects.get(email="eve@example.dk").notes == value.strip()


def test_ordinary_apostrophes_stay(world: Any, roles: dict) -> None:
    assert unprotect("'tis fine") == "'tis fine"
    assert protect("O'Brien") == "O'Brien"


@pytest.mark.parametrize("value", ["'+Kim", "'=x", "''", "'tis"])
def test_cells_starting_with_a_quote_survive_the_round_trip(
    world: Any, roles: dict, value: str
) -> None:
    assert unprotect(protect(value)) == value
    make_ambassador(roles["Salg"], "Kim", email="kim@example.dk", notes=value)
    import_roster(world.playbook, export_roster(world.playbook).encode())
    assert Ambassador.objects.get(email="kim@example.dk").notes == value


def test_rows_are_numbered_as_in_the_spreadsheet(world: Any, roles: dict) -> None:
    text = f"{HEADER}\r\n\r\n;;;;;;;;\r\nA;a@example.dk;;Salg;3;;;;\r\nB;bad;;Salg;3;;;;\r\n"
    with pytest.raises(RosterFileError) as caught:
        import_roster(world.playbook, text.encode())
    assert caught.value.errors == ["Row 5, email: “bad” is not an e-mail address"]


def test_influence_may_be_left_out(world: Any, roles: dict) -> None:
    import_roster(world.playbook, b"name;email;role\r\nAnna;anna@example.dk;Salg\r\n")
    assert Ambassador.objects.get().influence == 3


def test_a_column_twice_is_refused(world: Any, roles: dict) -> None:
    with pytest.raises(RosterFileError) as caught:
        import_roster(world.playbook, b"name;email;role;name\r\nA;a@x.dk;Salg;B\r\n")
    assert caught.value.errors == ["Row 1: columns that appear twice: name."]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "The file is empty."),
        (
            "name;email;role;colour\r\n",
            "Row 1: unknown columns: colour. The columns are: name, email, department, role, "
            "influence, early_access, training, trained_on, notes.",
        ),
        ("name;department\r\n", "Row 1: missing columns: email, role."),
    ],
)
def test_bad_files(world: Any, roles: dict, text: str, error: str) -> None:
    with pytest.raises(RosterFileError) as caught:
        import_roster(world.playbook, text.encode())
    assert error in caught.value.errors


class TestViews:
    def test_download(self, world: Any, roles: dict, client_for: Any) -> None:
        make_ambassador(roles["Salg"], "Søren", email="soren@example.dk")
        response = client_for("viewer").get(reverse("roster_export", args=[world.playbook.pk]))
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "salesforce-rollout-2027-ambassadors.csv" in response["Content-Disposition"]
        assert response.content.startswith(b"\xef\xbb\xbfname;email")
        assert "Søren".encode() in response.content

    def test_upload_lists_errors_and_saves_nothing(
        self, world: Any, roles: dict, client_for: Any
    ) -> None:
        upload = SimpleUploadedFile("roster.csv", ten_rows(bad=0).encode(), "text/csv")
        response = client_for("editor").post(
            reverse("roster_import", args=[world.playbook.pk]), {"file": upload}
        )
        html = response.content.decode()
        assert "Nothing was imported: the file has 1 error." in html
        assert (
            "<strong>influence</strong>: “9” is not allowed; use a whole number from 1 to 5"
            in unescape(html)
        )
        assert Ambassador.objects.count() == 0

    def test_upload_imports(self, world: Any, roles: dict, client_for: Any) -> None:
        upload = SimpleUploadedFile("roster.csv", ten_rows().encode(), "text/csv")
        response = client_for("editor").post(
            reverse("roster_import", args=[world.playbook.pk]), {"file": upload}, follow=True
        )
        assert "Roster imported: 10 added, 0 updated." in response.content.decode()
        assert Ambassador.objects.filter(playbook=world.playbook).count() == 10

    def test_upload_without_a_file(self, world: Any, roles: dict, client_for: Any) -> None:
        response = client_for("editor").post(reverse("roster_import", args=[world.playbook.pk]))
        assert "This field is required." in response.content.decode()


class TestEveryErrorNamesItsColumn:
    """Issue 22: a row with an unknown role showed only that error, and some
    messages were Django's own ("maybe is not one of the available choices")."""

    def errors(self, world: Any, text: str) -> list[str]:
        with pytest.raises(RosterFileError) as caught:
            import_roster(world.playbook, text.encode())
        assert Ambassador.objects.count() == 0  # all or nothing
        return caught.value.errors

    def test_a_row_lists_all_its_errors(self, world: Any, roles: dict) -> None:
        errors = self.errors(
            world, f"{HEADER}\r\nA;a@example.dk;;Salg;3;;;;\r\nBo;x@;;Sales ops;9;;maybe;;\r\n"
        )
        assert errors == [
            "Row 3, email: “x@” is not an e-mail address",
            "Row 3, role: “Sales ops” is not a role of this playbook; "
            "the roles are: Salg, Kundeservice",
            "Row 3, influence: “9” is not allowed; use a whole number from 1 to 5",
            "Row 3, training: “maybe” is not allowed; use not_started, scheduled or completed "
            "(or Not started, Scheduled, Completed)",
        ]

    def test_rows_are_grouped(self, world: Any, roles: dict) -> None:
        text = f"{HEADER}\r\nA;x@;;Salg;3;;;;\r\nB;b@example.dk;;Salg;0;;;;\r\nC;y@;;Salg;6;;;;\r\n"
        with pytest.raises(RosterFileError) as caught:
            import_roster(world.playbook, text.encode())
        assert [(row.number, len(row.messages)) for row in caught.value.rows] == [
            (2, 1),
            (3, 1),
            (4, 2),
        ]
        assert caught.value.file_errors == []

    def test_columns_are_named_as_the_header_writes_them(self, world: Any, roles: dict) -> None:
        errors = self.errors(world, "Name;E-mail;Role;Influence\r\nA;a@;Salg;high\r\n")
        # "E-mail" is not a column: the header is refused first.
        assert errors[0].startswith("Row 1: unknown columns: e-mail.")
        errors = self.errors(world, "Name;Email;ROLE;Influence\r\nA;a@;salg;high\r\n")
        assert errors == [
            "Row 2, Email: “a@” is not an e-mail address",
            "Row 2, Influence: “high” is not allowed; use a whole number from 1 to 5",
        ]

    def test_empty_required_cells(self, world: Any, roles: dict) -> None:
        assert self.errors(world, "name;email;role;department\r\n;;;Sales\r\n") == [
            "Row 2, name: empty; give the ambassador’s name",
            "Row 2, email: empty; give the ambassador’s e-mail address",
            "Row 2, role: empty; the roles are: Salg, Kundeservice",
        ]

    def test_a_long_value_is_shortened_and_a_long_role_list_capped(self, world: Any) -> None:
        for n in range(12):
            make_role(world.playbook, f"Role {n:02}")
        long = "Sales operations and everything else we do on Fridays"
        [error] = self.errors(world, f"name;email;role\r\nA;a@example.dk;{long}\r\n")
        assert "“Sales operations and everything else we…”" in error
        assert error.endswith(
            "the roles are: Role 00, Role 01, Role 02, Role 03, Role 04, Role 05, Role 06, "
            "Role 07 and 4 more"
        )

    def test_a_playbook_without_roles(self, world: Any) -> None:
        assert self.errors(world, "name;email;role\r\nA;a@example.dk;Sales\r\n") == [
            "Row 2, role: this playbook has no roles yet; add them on the WIIFM matrix first"
        ]

    def test_too_long_texts(self, world: Any, roles: dict) -> None:
        text = f"name;email;department;role\r\n{'N' * 201};a@example.dk;{'D' * 300};Salg\r\n"
        assert self.errors(world, text) == [
            "Row 2, name: 201 characters; at most 200 are allowed",
            "Row 2, department: 300 characters; at most 200 are allowed",
        ]

    def test_a_training_date_without_training(self, world: Any, roles: dict) -> None:
        text = (
            "name;email;role;training;trained_on\r\nA;a@example.dk;Salg;not_started;2027-02-10\r\n"
        )
        assert self.errors(world, text) == [
            "Row 2, trained_on: a training date goes with training scheduled or completed"
        ]

    def test_more_cells_than_columns_and_a_bad_cell(self, world: Any, roles: dict) -> None:
        assert self.errors(world, "name;email;role\r\nA;a@;Salg;extra\r\n") == [
            "Row 2, more cells than columns: 4 cells, 3 columns",
            "Row 2, email: “a@” is not an e-mail address",
        ]

    def test_training_labels_in_either_language_are_read(self, world: Any, roles: dict) -> None:
        text = (
            "name;email;role;training\r\n"
            "A;a@example.dk;Salg;Gennemført\r\nB;b@example.dk;Salg;Scheduled\r\n"
        )
        import_roster(world.playbook, text.encode())
        assert sorted(Ambassador.objects.values_list("training", flat=True)) == [
            "completed",
            "scheduled",
        ]

    def test_a_header_error_lists_the_columns(self, world: Any, roles: dict) -> None:
        [error] = self.errors(world, "name;email;role;influense\r\nA;a@example.dk;Salg;3\r\n")
        assert error == (
            "Row 1: unknown columns: influense. The columns are: name, email, department, "
            "role, influence, early_access, training, trained_on, notes."
        )

    def test_checking_takes_a_fixed_number_of_queries(
        self, world: Any, roles: dict, django_assert_max_num_queries: Any
    ) -> None:
        # Roles, ambassadors, deleted roles' e-mails: not a query per bad row.
        rows = "".join(f"P{n};p{n}@;;Nope;9;;maybe;;\r\n" for n in range(300))
        with django_assert_max_num_queries(3), pytest.raises(RosterFileError) as caught:
            import_roster(world.playbook, f"{HEADER}\r\n{rows}".encode())
        assert len(caught.value.rows) == 300
        assert len(caught.value.errors) == 1200


class TestTheUploadPage:
    def post(self, world: Any, client_for: Any, text: str) -> str:
        upload = SimpleUploadedFile("roster.csv", text.encode(), "text/csv")
        response = client_for("editor").post(
            reverse("roster_import", args=[world.playbook.pk]), {"file": upload}
        )
        assert response.status_code == 200
        return unescape(response.content.decode())

    def test_errors_are_a_table_by_row_beside_the_field(
        self, world: Any, roles: dict, client_for: Any
    ) -> None:
        page = self.post(world, client_for, f"{HEADER}\r\nBo;x@;;Sales ops;9;;maybe;;\r\n")
        assert "Nothing was imported: the file has 4 errors." in page
        assert re.search(
            r'<input type="file" name="file"[^>]*aria-describedby="roster-errors-summary '
            r'id_file_helptext"',
            page,
        )
        assert 'aria-invalid="true"' in page
        assert '<th scope="row" class="text-nowrap fw-semibold">Row 2</th>' in page
        for column, text in (
            ("email", "“x@” is not an e-mail address"),
            ("role", "“Sales ops” is not a role of this playbook"),
            ("influence", "“9” is not allowed"),
            ("training", "“maybe” is not allowed"),
        ):
            assert f"<li><strong>{column}</strong>: {text}" in page
        assert "available choices" not in page
        assert Ambassador.objects.count() == 0

    def test_two_hundred_bad_rows_list_fifty(
        self, world: Any, roles: dict, client_for: Any
    ) -> None:
        rows = "".join(f"P{n};p{n}@example.dk;;Salg;9;;;;\r\n" for n in range(200))
        page = self.post(world, client_for, f"{HEADER}\r\n{rows}")
        assert "Nothing was imported: the file has 200 errors." in page
        assert page.count('<th scope="row"') == 50
        assert "… and 150 more rows with errors, not listed here." in page
        assert Ambassador.objects.count() == 0

    def test_a_bad_header_is_listed_without_a_table(
        self, world: Any, roles: dict, client_for: Any
    ) -> None:
        page = self.post(world, client_for, "name;department\r\nA;B\r\n")
        assert "<li>Row 1: missing columns: email, role.</li>" in page
        assert "<table" not in page

    def test_in_danish_the_allowed_values_are_danish(
        self, world: Any, roles: dict, client_for: Any
    ) -> None:
        client = client_for("editor")
        client.cookies["django_language"] = "da"
        text = f"{HEADER}\r\nBo;b@x.dk;;Salg;3;;maybe;;\r\n"
        upload = SimpleUploadedFile("roster.csv", text.encode())
        response = client.post(reverse("roster_import", args=[world.playbook.pk]), {"file": upload})
        assert "Ikke startet" in unescape(response.content.decode())
        assert Ambassador.objects.count() == 0
