"""What a hostile tester found in the import of adoption figures, each fixed:
an identifier picked as the role column, control characters, an unclosed
quote, broken UTF-8, a binary file, a huge cell, a replayed save, the preview
on a phone, the focus after a failed upload, a role-like user column."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from planner import adoption_import
from pulse import figures
from pulse.models import AdoptionFigure, UsageColumns, UsageValue
from tests.factories import make_role
from tests.pulse.usage_files import (
    GO_LIVE,
    TODAY,
    at_time,
    confirm,
    csv_bytes,
    errors,
    generate,
    import_url,
    lines,
    map_and_save,
    nowhere,
    pick_columns,
    selected,
    stored_text,
    upload,
    value_fields,
)


@pytest.fixture
def playbook(world: Any, pulse_day: Any) -> Any:
    pulse_day.set(TODAY)
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    return world.playbook


@pytest.fixture
def roles(playbook: Any) -> dict[str, Any]:
    return {
        "Sales User": make_role(playbook, "Sales", headcount=60),
        "Service Cloud User": make_role(playbook, "Customer service", headcount=50),
    }


@pytest.fixture
def editor(client_for: Any) -> Any:
    return client_for("editor")


def nothing_saved() -> bool:
    return not (
        AdoptionFigure.objects.exists()
        or UsageValue.objects.exists()
        or UsageColumns.objects.exists()
    )


def htmx_upload(client: Any, playbook: Any, data: bytes, **fields: Any) -> Any:
    return client.post(
        import_url(playbook),
        {"file": SimpleUploadedFile("export.csv", data, content_type="text/csv"), **fields},
        headers={"HX-Request": "true"},
    )


# 1. An identifier picked as the role column


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_username_picked_as_the_role_column_is_refused_and_goes_nowhere(
    editor: Any, playbook: Any, roles: dict[str, Any], htmx: bool
) -> None:
    """Salesforce's login history, 104 users: Username (their e-mails) picked
    as the column that tells the role."""
    made = generate({"Sales User": 60, "Service Cloud User": 44}, 4)
    emails = [f"{user}@corp.example" for user in made.users]
    fields = {
        "step": "columns",
        "user_column": "UserId",
        "date_column": "LoginTime",
        "role_column": "Username",
        "date_format": "",
    }
    if htmx:
        response = htmx_upload(editor, playbook, made.data, **fields)
    else:
        response = upload(editor, playbook, made.data, **fields)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "“Username” tells who, not the role: pick the column that tells the role, "
        "such as a profile or team." in html.unescape(page)
    )
    assert 'id="error_1_id_role_column"' in page  # beside the field
    assert 'name="counted"' not in page  # nothing carried
    assert 'id="usage-preview"' not in page
    assert "@corp.example" not in page
    assert nowhere([*emails, *made.users], {"page": page, **stored_text()}) == []
    assert nothing_saved()


def test_a_role_column_holding_the_user_columns_values_is_refused(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    """Few people, so neither their number nor e-mails give it away: the
    values are the users themselves (compared as keyed hashes)."""
    data = csv_bytes(
        ["User", "When", "Owner"],
        [[f"005XY0000{n}", at_time(week), f"005XY0000{n}"] for n in range(6) for week in (1, 2)],
    )
    page = pick_columns(
        editor, playbook, data, user="User", date="When", role="Owner"
    ).content.decode()
    assert "“Owner” tells who, not the role" in html.unescape(page)
    assert "005XY0000" not in page
    assert 'name="counted"' not in page
    assert nothing_saved()


def test_a_role_column_with_about_as_many_values_as_users_is_refused(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = csv_bytes(
        ["User", "When", "Full name"],
        [[f"u{n}", at_time(1), f"Person Number{n}"] for n in range(30)],
    )
    page = pick_columns(
        editor, playbook, data, user="User", date="When", role="Full name"
    ).content.decode()
    assert "“Full name” tells who, not the role" in html.unescape(page)
    assert "Person Number" not in page
    assert nothing_saved()


def test_a_saved_role_column_that_tells_who_is_asked_for_again(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    """Columns remembered before the check: the next import refuses them too."""
    UsageColumns.objects.create(
        playbook=playbook, user_column="UserId", date_column="LoginTime", role_column="Username"
    )
    made = generate({"Sales User": 30}, 2)
    page = upload(editor, playbook, made.data).content.decode()
    assert "“Username” tells who, not the role" in html.unescape(page)
    assert "@corp.example" not in page
    assert not AdoptionFigure.objects.exists()


def test_a_true_role_column_with_many_values_and_more_users_is_counted(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    made = generate({f"Team {n:02d}": 4 for n in range(30)}, 2)  # 120 users, 30 teams
    page = pick_columns(editor, playbook, made.data).content.decode()
    assert len(value_fields(page)) == 30


# 2. Control characters


NUL_ROW = (
    "UserId;LoginTime;Profile\r\n"
    f"005A1;{at_time(2)};Sales User\r\n"
    f"005A2;{at_time(2)};Sales\x00User\r\n"
    f"005A3;{at_time(3)};Sales User\x1b\r\n"
    f"005A4;{at_time(3)};Sales\tUser\r\n"
).encode()


def test_a_control_character_in_a_row_is_an_error_of_its_row(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    page = pick_columns(editor, playbook, NUL_ROW).content.decode()
    assert errors(page) == [
        "Row 3: contains a control character.",
        "Row 4: contains a control character.",
    ]
    assert 'name="counted"' not in page
    assert "\x00" not in page
    assert nothing_saved()


def test_a_file_with_its_control_characters_gone_imports(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    """A tab inside a value is no control character of the kind: it is read."""
    data = NUL_ROW.replace(b"\x00", b" ").replace(b"\x1b", b"")
    page = pick_columns(editor, playbook, data).content.decode()
    assert errors(page) == []
    assert set(value_fields(page)) == {"Sales User", "Sales\tUser"}


def test_a_control_character_in_a_column_name_refuses_the_file(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = f"UserId;Login\x00Time;Profile\r\n005A1;{at_time(2)};Sales User\r\n".encode()
    page = upload(editor, playbook, data).content.decode()
    assert errors(page) == [
        "The column names (row 1) contain a control character: remove it and try again."
    ]
    assert 'id="id_user_column"' not in page
    assert nothing_saved()


def test_a_control_character_in_a_counts_file_is_an_error_of_its_row(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = b"week;role;active_users\r\n3;Sales;31\r\n4;Sa\x00les;30\r\n"
    page = upload(editor, playbook, data).content.decode()
    assert errors(page) == ["Row 3: contains a control character."]
    assert nothing_saved()


def test_a_column_name_longer_than_the_database_keeps_is_refused_beside_it(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    long = "Profile " + "x" * 200
    data = csv_bytes(["UserId", "LoginTime", long], [["005A1", at_time(2), "Sales User"]])
    page = pick_columns(editor, playbook, data, role=long).content.decode()
    assert "This column’s name is longer than 200 characters" in html.unescape(page)
    assert 'id="error_1_id_role_column"' in page
    assert nothing_saved()


# 3. A quote never closed


def test_a_quote_never_closed_is_an_error_of_its_row_and_shows_nothing_it_swallowed(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = (
        "UserId;LoginTime;Profile\r\n"
        f'005QQ1;{at_time(2)};"Sales User\r\n'
        f"005QQ2;{at_time(2)};Sales User\r\n"
        f"005QQ3;{at_time(3)};Sales User\r\n"
    ).encode()
    page = pick_columns(editor, playbook, data).content.decode()
    assert errors(page) == ["Row 2: a quote is never closed."]
    assert "005QQ" not in page
    assert 'name="counted"' not in page
    assert nothing_saved()


def test_a_quote_closed_rows_later_is_an_error_of_the_row_it_opened_in(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    """The quote closes at the end of a later row: the value holds rows."""
    data = (
        "UserId;LoginTime;Profile\r\n"
        f"005QQ0;{at_time(2)};Sales User\r\n"
        f'005QQ1;{at_time(2)};"Sales User\r\n'
        f'005QQ2;{at_time(2)};Sales User"\r\n'
        f"005QQ3;{at_time(3)};Sales User\r\n"
    ).encode()
    page = pick_columns(editor, playbook, data).content.decode()
    assert errors(page) == ["Row 3: a quote is never closed."]
    assert "005QQ" not in page
    assert 'name="counted"' not in page
    assert nothing_saved()


def test_a_quote_never_closed_in_a_counts_file_is_refused(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = b'week;role;active_users\r\n3;"Sales;31\r\n4;Sales;29\r\n'
    page = upload(editor, playbook, data).content.decode()
    assert errors(page) == ["Row 2: a quote is never closed."]
    assert nothing_saved()


def test_a_quote_never_closed_in_the_column_names_refuses_the_file(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = f'UserId;"LoginTime;Profile\r\n005QQ1;{at_time(2)};Sales User"\r\n'.encode()
    page = upload(editor, playbook, data).content.decode()
    assert errors(page) == [
        "The column names (row 1) run over several lines, or a quote in them is never "
        "closed: put them on one line."
    ]
    assert "005QQ" not in page
    assert nothing_saved()


def test_a_value_going_on_after_its_closing_quote_is_an_error_in_the_products_words(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = f'UserId;LoginTime;Profile\r\n005A1;{at_time(2)};"Sales" User\r\n'.encode()
    page = pick_columns(editor, playbook, data).content.decode()
    assert errors(page) == [
        "Row 2: a value goes on after its closing quote (a quote inside a quoted value "
        'is written twice: "").'
    ]
    assert nothing_saved()


# 4. Bytes that are not UTF-8


def test_a_utf8_file_with_a_broken_byte_names_the_row_instead_of_reading_it_as_windows_1252(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = (
        (
            "UserId;LoginTime;Profile\r\n"
            f"005A1;{at_time(2)};Café User\r\n"
            f"005A2;{at_time(2)};Sales User\r\n"
        ).encode()
        + f"005A3;{at_time(2)};Caf".encode()
        + b"\xe9 User\r\n"
    )
    page = pick_columns(editor, playbook, data).content.decode()
    assert errors(page) == ["Row 4: not valid UTF-8."]
    assert "CafÃ©" not in page
    assert nothing_saved()


def test_a_utf8_file_whose_broken_byte_is_in_a_column_not_read_imports(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = (
        f"UserId;LoginTime;Profile;Note\r\n005A1;{at_time(2)};Café User;ok\r\n".encode()
        + f"005A2;{at_time(2)};Sales User;".encode()
        + b"\x9d\r\n"
    )
    page = pick_columns(editor, playbook, data).content.decode()
    assert errors(page) == []
    assert sorted(value_fields(page)) == ["Café User", "Sales User"]


def test_bytes_undefined_in_windows_1252_in_a_file_not_utf8_refuse_it(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = f"UserId;LoginTime;Profile\r\n005A1;{at_time(2)};Sales".encode() + b"\x81\r\n"
    page = pick_columns(editor, playbook, data).content.decode()
    assert errors(page) == [
        "This file is neither UTF-8 nor Windows-1252 (it holds bytes that are "
        "characters in neither): save it as “CSV UTF-8” and try again."
    ]
    assert "\ufffd" not in page
    assert nothing_saved()


def test_a_windows_1252_file_with_danish_letters_still_reads(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = csv_bytes(
        ["UserId", "LoginTime", "Profil – Ærø"],
        [["005A1", at_time(2), "Kundeservice Ærø"], ["005A2", at_time(2), "Salg Å"]],
        encoding="cp1252",
    )
    page = pick_columns(editor, playbook, data, role="Profil – Ærø").content.decode()
    assert errors(page) == []
    assert sorted(value_fields(page)) == ["Kundeservice Ærø", "Salg Å"]


# 5. A binary file


TINY_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.mark.parametrize(
    "data",
    [TINY_PNG, TINY_PNG[8:] * 50, bytes(range(256)) * 64],
    ids=["png", "png without its signature", "binary"],
)
def test_a_binary_file_is_not_a_csv_file(
    editor: Any, playbook: Any, roles: dict[str, Any], data: bytes
) -> None:
    page = upload(editor, playbook, data).content.decode()
    found = errors(page)
    assert len(found) == 1
    assert found[0].startswith("This is not a CSV file")
    assert 'id="id_user_column"' not in page
    assert "PNG" not in page
    assert nothing_saved()


def test_utf16_without_its_byte_order_mark_is_named(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = f"UserId;LoginTime;Profile\r\n005A1;{at_time(2)};Sales User\r\n".encode("utf-16-le")
    page = upload(editor, playbook, data).content.decode()
    assert errors(page) == ["This file is written in UTF-16: save it as “CSV UTF-8” and try again."]


# 6. A huge cell


def test_a_value_too_long_for_the_reader_is_an_error_in_the_products_words(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = (
        f"UserId;LoginTime;Profile\r\n005A1;{at_time(2)};Sales User\r\n005A2;{at_time(2)};".encode()
        + b"x" * (5 * 2**20)
        + b"\r\n"
    )
    page = pick_columns(editor, playbook, data).content.decode()
    assert errors(page) == ["Row 3: a value longer than 131,072 characters."]
    assert "field limit" not in page
    assert nothing_saved()


def test_a_row_python_cannot_read_never_shows_pythons_words(
    editor: Any, playbook: Any, roles: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import csv

    real = csv.reader

    def reader(*args: Any, **kwargs: Any) -> Any:
        rows = real(*args, **kwargs)

        def broken() -> Any:
            yield next(rows)
            raise csv.Error("something Python says")

        return broken()

    monkeypatch.setattr("pulse.usage.csv.reader", reader)
    data = f"UserId;LoginTime;Profile\r\n005A1;{at_time(2)};Sales User\r\n".encode()
    page = pick_columns(editor, playbook, data).content.decode()
    assert errors(page) == ["Row 2: this is not a CSV row."]


# 7. A save replayed, or Save clicked twice


def previewed(editor: Any, playbook: Any, roles: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    made = generate({"Sales User": 30, "Service Cloud User": 20}, 3)
    page = pick_columns(editor, playbook, made.data).content.decode()
    shown = confirm(editor, playbook, page, roles, url_name="usage_preview").content.decode()
    return shown, roles


def test_a_save_replayed_says_the_figures_are_saved_already(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    page, mapping = previewed(editor, playbook, roles)
    first = confirm(editor, playbook, page, mapping)
    assert first.status_code == 302
    saved = list(AdoptionFigure.objects.values_list("role_id", "week", "active_users", "version"))
    again = confirm(editor, playbook, page, mapping)
    assert again.status_code == 302
    assert again["Location"] == reverse("results", args=[playbook.pk]) + "#adoption"
    results = editor.get(again["Location"]).content.decode()
    assert "These figures are already saved." in results
    assert "not the ones you saw" not in results
    assert (
        list(AdoptionFigure.objects.values_list("role_id", "week", "active_users", "version"))
        == saved
    )


def test_a_second_click_that_waited_for_the_first_says_saved_already(
    editor: Any, playbook: Any, roles: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second request read the figures before the first saved them: under
    the lock it finds them saved, the very ones it was to save."""
    page, mapping = previewed(editor, playbook, roles)
    real = adoption_import.build_preview
    calls: list[int] = []

    def first_click_saves_meanwhile(access: Any, counted: Any, *args: Any) -> Any:
        preview = real(access, counted, *args)
        if not calls:
            calls.append(1)
            adoption_import._save(access.playbook, counted, preview)
        return preview

    monkeypatch.setattr(adoption_import, "build_preview", first_click_saves_meanwhile)
    response = confirm(editor, playbook, page, mapping)
    assert response.status_code == 302
    assert "These figures are already saved." in editor.get(response["Location"]).content.decode()


def test_a_replay_after_someone_changed_a_figure_is_still_a_conflict(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    page, mapping = previewed(editor, playbook, roles)
    assert confirm(editor, playbook, page, mapping).status_code == 302
    figure = AdoptionFigure.objects.order_by("pk").first()
    assert figure is not None
    figures.replace(playbook, {(figure.role_id, figure.week): figure.active_users + 1})
    response = confirm(editor, playbook, page, mapping)
    assert response.status_code == 200
    assert "not the ones you saw" in html.unescape(response.content.decode())


# 8. The percent sign stays with its number


def test_the_previews_rate_keeps_its_percent_sign_with_the_number(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = csv_bytes(["week", "role", "active_users"], [[3, "Sales", 31]])
    page = upload(editor, playbook, data).content.decode()
    assert "active (52\u00a0%)" in page
    assert "52 %" not in page
    assert lines(page) == ["Sales, week 3: 31 of 60 active (52 %)"]


# 9. The focus after a failed upload with htmx


def test_a_failed_upload_with_htmx_puts_the_focus_on_the_error_summary(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    response = htmx_upload(editor, playbook, b"week;role;active_users\r\n3;Finance;3\r\n")
    page = response.content.decode()
    summary = page[page.index('<div class="alert alert-danger"') :].split(">", 1)[0]
    assert 'tabindex="-1"' in summary
    assert "autofocus" in summary
    assert page.count("autofocus") == 1


def test_a_missing_file_with_htmx_puts_the_focus_on_the_file_field(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    page = editor.post(import_url(playbook), {}, headers={"HX-Request": "true"}).content.decode()
    assert page.count("autofocus") == 1
    assert re.search(r'<input type="file"[^>]* autofocus', page)


# 10. A user column that does not tell who


def department_as_user(rows: int) -> bytes:
    """A department written where the users should be, one per profile."""
    profiles = ("Sales User", "Service Cloud User")
    departments = {"Sales User": "Dept Sales", "Service Cloud User": "Dept Service"}
    written = []
    for n in range(rows):
        profile = profiles[n % 2]
        written.append([departments[profile], at_time(1 + n % 4, offset=n % 7), profile])
    return csv_bytes(["Department", "LoginTime", "Profile"], written)


def test_a_user_column_with_very_few_users_for_its_rows_is_warned_of(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = department_as_user(3000)
    page = pick_columns(editor, playbook, data, user="Department").content.decode()
    shown = map_and_save_preview(editor, playbook, page, roles)
    assert (
        "Only 2 different users in column “Department”, over 3,000 rows: is it the "
        "column that tells who used the CRM (a user id, user name or e-mail)?"
        in html.unescape(shown)
    )
    assert "1 of 60 active" in " ".join(lines(shown))


def test_fewer_users_than_values_given_a_role_is_warned_of(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = csv_bytes(
        ["Team", "LoginTime", "Profile"],
        [["Nordic", at_time(1), "Sales User"], ["Nordic", at_time(1), "Service Cloud User"]],
    )
    page = pick_columns(editor, playbook, data, user="Team").content.decode()
    shown = map_and_save_preview(editor, playbook, page, roles)
    assert "Only 1 user in column “Team”" in html.unescape(shown)


def test_a_true_login_history_is_not_warned_of(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    made = generate({"Sales User": 50, "Service Cloud User": 40}, 8)
    page = pick_columns(editor, playbook, made.data).content.decode()
    shown = map_and_save_preview(editor, playbook, page, roles)
    assert "different users in column" not in shown
    assert len(lines(shown)) == 16


def test_the_warning_does_not_stop_the_save(
    editor: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = department_as_user(3000)
    page = pick_columns(editor, playbook, data, user="Department").content.decode()
    assert "Only 2 different users" not in html.unescape(page)  # no value has a role yet
    response = map_and_save(editor, playbook, page, roles)
    assert response.status_code == 302  # a warning, not a refusal
    page = upload(editor, playbook, data, pick_columns="on").content.decode()
    assert selected(page, "id_user_column") == "Department"


def map_and_save_preview(editor: Any, playbook: Any, page: str, mapping: dict[str, Any]) -> str:
    return confirm(editor, playbook, page, mapping, url_name="usage_preview").content.decode()


# 11. Found by the fuzzer (tests/fuzz): a choice that is a digit, not an ASCII one


@pytest.mark.parametrize("url_name", ["usage_preview", "usage_confirm"])
@pytest.mark.parametrize("choice", ["²", "٣", "9" * 5000])
def test_a_choice_of_digits_that_are_no_role_is_refused_beside_its_value(
    editor: Any, playbook: Any, roles: dict[str, Any], url_name: str, choice: str
) -> None:
    """ "²" is a digit to Python's str.isdigit() but no number to int(); 5,000
    nines are a number too long for int(): a crafted post answered 500."""
    made = generate({"Sales User": 30, "Service Cloud User": 20}, 3)
    page = pick_columns(editor, playbook, made.data).content.decode()
    response = confirm(
        editor,
        playbook,
        page,
        {"Sales User": choice, "Service Cloud User": "ignore"},
        url_name=url_name,
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert (
        '<div class="invalid-feedback" id="id_value-0_error">'
        "Choose one of this playbook’s roles, or ignore this value.</div>" in page
    )
    assert nothing_saved()
