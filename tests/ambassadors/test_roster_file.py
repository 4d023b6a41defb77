"""The roster file: CSV for Danish Excel, all or nothing, no formula injection."""

from __future__ import annotations

import csv
import io
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
        "Row 8, column influence: Ensure this value is less than or equal to 5."
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
    assert "Row 3, column email: Enter a valid email address." in errors
    assert "Row 4, column role: this playbook has no role called “Finance”." in errors
    assert "Row 5, column email: the same e-mail as row 2." in errors
    assert "Row 6, column early_access: Enter a valid date." in errors
    assert "Row 7, column name: This field is required." in errors
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
    assert caught.value.errors == ["Row 5, column email: Enter a valid email address."]


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
        ("name;email;role;colour\r\n", "Row 1: unknown columns: colour."),
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
        assert "Nothing was imported" in html
        assert "Row 2, column influence: Ensure this value is less than or equal to 5." in html
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
