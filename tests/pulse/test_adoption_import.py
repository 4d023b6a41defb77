"""Importing the CRM's usage export, /playbooks/<id>/results/import/ (issue 19,
DESIGN.md "Adoption figures"): the steps, what is counted, what is kept."""

from __future__ import annotations

import io
import logging
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pulse.models import AdoptionFigure, UsageColumns, UsageValue
from tests.factories import make_role
from tests.pulse.usage_files import (
    GO_LIVE,
    TODAY,
    at_time,
    carried,
    confirm,
    csv_bytes,
    day_in,
    errors,
    generate,
    import_url,
    lines,
    map_and_save,
    nowhere,
    pick_columns,
    salesforce,
    selected,
    stored_text,
    upload,
    value_fields,
)

PROFILES = {
    "Sales User": ("Sales", 60),
    "Service Cloud User": ("Customer service", 40),
    "Marketing User": ("Marketing", 20),
    "Partner Community": ("Partner managers", 12),
    "Finance": ("Finance", 15),
}


@pytest.fixture
def playbook(world: Any, pulse_day: Any) -> Any:
    pulse_day.set(TODAY)  # weeks 1-8 closed, week 9 under way
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    return world.playbook


@pytest.fixture
def roles(playbook: Any) -> dict[str, Any]:
    return {
        profile: make_role(playbook, name, headcount=people)
        for profile, (name, people) in PROFILES.items()
    }


def shown_counts(page: str) -> dict[tuple[str, int], int]:
    """The preview's "Sales, week 3: 31 of 60 active (52 %)" lines, read back."""
    found = {}
    for line in lines(page):
        match = re.match(r"(.+), week (\d+): (\d+) of (\d+) active", line)
        assert match, line
        found[(match[1], int(match[2]))] = int(match[3])
    return found


@pytest.fixture
def logged() -> Any:
    """Everything logged meanwhile, by any logger, as text."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(), logging.getLogger("django"), logging.getLogger("django.server")]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


def stored_after(step: str) -> dict[str, str]:
    return {f"{place}, after {step}": text for place, text in stored_text().items()}


def test_a_per_user_export_of_5_roles_and_8_weeks_counts_as_counted_here_and_keeps_no_user(
    client_for: Any, world: Any, playbook: Any, roles: dict[str, Any], logged: io.StringIO
) -> None:
    """Issue 19's acceptance: the counts shown per role-week equal a count made
    independently; no user identifier from the file anywhere, after each step."""
    people = {profile: people - 8 for profile, (_name, people) in PROFILES.items()}
    made = generate({**people, "System Administrator": 2}, 8, before_go_live=7)
    editor = client_for("editor")
    places: dict[str, str] = {}

    # 1. The file: a first import asks for the columns, guessed from their names.
    response = upload(editor, playbook, made.data)
    page = response.content.decode()
    places["column step"] = page
    places.update(stored_after("the upload"))
    assert response.status_code == 200
    for name in ("UserId", "Username", "LoginTime", "Profile"):
        assert f'<option value="{name}"' in page
    assert selected(page, "id_user_column") == "UserId"
    assert selected(page, "id_date_column") == "LoginTime"
    assert selected(page, "id_role_column") == "Profile"
    assert AdoptionFigure.objects.count() == 0

    # 2. The columns: counted; every value of the role column asked for.
    response = pick_columns(editor, playbook, made.data)
    page = response.content.decode()
    places["preview"] = page
    places["preview's field"] = carried(page, playbook, world.editor)
    places.update(stored_after("the columns"))
    assert sorted(value_fields(page)) == sorted([*PROFILES, "System Administrator"])
    assert lines(page) == []  # nothing counted for a role before its value is mapped
    assert f"{made.rows:,} rows read." in page
    assert "7 rows before go-live (March 1, 2027) skipped." in page

    # 3. The values' roles: the preview shows each role-week.
    mapping = {**roles, "System Administrator": "ignore"}
    response = confirm(editor, playbook, page, mapping, url_name="usage_preview")
    page = response.content.decode()
    places["preview with the roles"] = page
    places["its field"] = carried(page, playbook, world.editor)
    places.update(stored_after("the preview"))
    expected = {
        (PROFILES[profile][0], week): n
        for (profile, week), n in made.distinct.items()
        if profile in PROFILES
    }
    assert len(expected) == 5 * 8
    assert shown_counts(page) == expected

    # 4. Saved: the same counts, and the choices for the next import.
    response = confirm(editor, playbook, page, mapping)
    assert response.status_code == 302
    assert response["Location"] == reverse("results", args=[playbook.pk]) + "#adoption"
    saved = {
        (figure.role.name, figure.week): figure.active_users
        for figure in AdoptionFigure.objects.select_related("role")
    }
    assert saved == expected
    columns = UsageColumns.objects.get(playbook=playbook)
    assert (columns.user_column, columns.date_column, columns.role_column) == (
        "UserId",
        "LoginTime",
        "Profile",
    )
    assert columns.date_format == "iso"
    assert dict(UsageValue.objects.values_list("value", "role__name")) == {
        **{profile: name for profile, (name, _n) in PROFILES.items()},
        "System Administrator": None,
    }
    places["results page"] = editor.get(response["Location"]).content.decode()
    places["log"] = logged.getvalue()
    places.update(stored_after("the confirm"))
    assert "cache" in " ".join(places)  # each step's cache, sessions and tables were read
    assert len(places) > 100
    assert nowhere(made.users, places) == []
    # The search finds them where they are: in the file.
    assert len(nowhere(made.users, {"the file": made.data.decode()})) == len(made.users)


def test_the_steps_before_the_save_need_no_cache(
    client_for: Any, playbook: Any, roles: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is carried in the cache: with it down, the file is read and
    previewed all the same. (The save bumps the playbook's version stamp in
    the cache, as every edit does: core.versions.)"""
    from django.core.cache import cache

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache down")

    editor = client_for("editor")
    for name in ("get", "set", "add", "incr", "delete", "get_many", "set_many"):
        monkeypatch.setattr(cache, name, down)
    made = generate({"Sales User": 20}, 3)
    page = pick_columns(editor, playbook, made.data).content.decode()
    response = confirm(
        editor, playbook, page, {"Sales User": roles["Sales User"]}, url_name="usage_preview"
    )
    assert response.status_code == 200
    assert len(lines(response.content.decode())) == 3


def test_the_saved_columns_and_values_make_the_next_import_one_step(
    client_for: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    editor = client_for("owner")
    first = generate({"Sales User": 30, "Finance": 10}, 4)
    page = pick_columns(editor, playbook, first.data).content.decode()
    assert (
        map_and_save(
            editor, playbook, page, {"Sales User": roles["Sales User"], "Finance": roles["Finance"]}
        ).status_code
        == 302
    )

    again = generate({"Sales User": 30, "Finance": 10, "Marketing User": 15}, 8, seed=7)
    page = upload(editor, playbook, again.data).content.decode()
    assert 'id="id_user_column"' not in page
    assert 'id="usage-preview"' in page
    # Known values keep their role; the new one is asked for.
    fields = value_fields(page)
    assert selected(page, f"id_{fields['Sales User']}") == str(roles["Sales User"].pk)
    assert selected(page, f"id_{fields['Marketing User']}") == ""
    assert "1 value has no role yet" in page


def test_choosing_the_columns_again_asks_for_them(
    client_for: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    UsageColumns.objects.create(
        playbook=playbook, user_column="Username", date_column="LoginTime", role_column="Profile"
    )
    made = generate({"Sales User": 30}, 2)
    editor = client_for("editor")
    page = editor.get(import_url(playbook) + "?columns=again").content.decode()
    assert (
        'name="pick_columns" class="checkboxinput form-check-input" id="id_pick_columns" checked'
        in page
    )
    page = upload(editor, playbook, made.data, pick_columns="on").content.decode()
    # The last import's columns are offered first.
    assert selected(page, "id_user_column") == "Username"


def test_a_file_without_the_saved_columns_asks_for_them(
    client_for: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    UsageColumns.objects.create(
        playbook=playbook, user_column="User", date_column="Date", role_column="Team"
    )
    made = generate({"Sales User": 30}, 2)
    page = upload(client_for("editor"), playbook, made.data).content.decode()
    assert 'id="id_user_column"' in page
    assert "Choose the file again" in page


def test_with_htmx_only_the_columns_are_swapped_in_beside_the_file(
    client_for: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    made = generate({"Sales User": 30}, 2)
    response = client_for("editor").post(
        import_url(playbook),
        {"file": SimpleUploadedFile("export.csv", made.data, content_type="text/csv")},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Retarget"] == "#usage-columns"
    assert response["HX-Reswap"] == "outerHTML"
    page = response.content.decode()
    assert page.strip().startswith('<div id="usage-columns">')
    assert 'id="usage-errors" hx-swap-oob="true"' in page
    assert 'type="file"' not in page  # the browser's file input keeps its file
    assert "autofocus" in page


@pytest.mark.parametrize(
    ("written", "date_format"),
    [
        ("{d:%d-%m-%Y} 14:05", "dmy"),
        ("{d:%d.%m.%Y} 14:05", "dmy"),
        ("{d:%d/%m/%Y}", "dmy"),
        ("{d:%m/%d/%Y} 2:05 PM", "mdy"),
        ("{d:%m/%d/%Y}", "mdy"),
        ("{d:%Y-%m-%d}T13:05:00.000Z", "iso"),
        ("{d:%Y-%m-%d} 14:05", "iso"),
    ],
)
def test_each_date_format_is_told_and_saved(
    client_for: Any, playbook: Any, roles: dict[str, Any], written: str, date_format: str
) -> None:
    """Days 13 and later tell day first from month first."""
    logins = [
        (f"u{n}", written.format(d=day_in(3, offset=(n % 7)) if n % 2 else day_in(2, 6)), "Finance")
        for n in range(1, 14)
    ]
    logins.append(("u0", written.format(d=day_in(3, 1)), "Finance"))  # 16 March: day 16
    editor = client_for("editor")
    page = pick_columns(editor, playbook, salesforce(logins)).content.decode()
    assert errors(page) == []
    page = confirm(editor, playbook, page, {"Finance": roles["Finance"]}, url_name="usage_preview")
    assert shown_counts(page.content.decode()) == {("Finance", 2): 6, ("Finance", 3): 8}
    assert (
        map_and_save(
            editor, playbook, page.content.decode(), {"Finance": roles["Finance"]}
        ).status_code
        == 302
    )
    assert UsageColumns.objects.get(playbook=playbook).date_format == date_format


def test_dates_that_could_be_either_are_asked_for_then_remembered(
    client_for: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    # 3 and 4 of the month: 03/04/2027 is 3 April or 4 March.
    logins = [("anne", "04/03/2027 10:00", "Finance"), ("bo", "03/04/2027 10:00", "Finance")]
    editor = client_for("editor")
    page = pick_columns(editor, playbook, salesforce(logins)).content.decode()
    assert "The dates could be read day first or month first" in page
    assert 'id="preview"' not in page and AdoptionFigure.objects.count() == 0
    assert selected(page, "id_date_format") == "dmy"

    page = pick_columns(editor, playbook, salesforce(logins), date_format="dmy").content.decode()
    assert "Dates read as: Day first (01-03-2027 14:05)." in page
    page = confirm(editor, playbook, page, {"Finance": roles["Finance"]}, url_name="usage_preview")
    page_text = page.content.decode()
    # 4 March is in week 1; 3 April in week 5.
    assert shown_counts(page_text) == {("Finance", 1): 1, ("Finance", 5): 1}
    assert (
        map_and_save(editor, playbook, page_text, {"Finance": roles["Finance"]}).status_code == 302
    )
    assert UsageColumns.objects.get(playbook=playbook).date_format == "dmy"

    # Next time the same dates are read day first without asking.
    page = upload(editor, playbook, salesforce(logins)).content.decode()
    assert 'id="usage-preview"' in page
    assert shown_counts(page) == {("Finance", 1): 1, ("Finance", 5): 1}


@pytest.mark.parametrize(
    ("options", "value"),
    [
        ({"encoding": "utf-8"}, "Kundeservice – Ærø"),
        ({"encoding": "utf-8", "bom": True}, "Kundeservice – Ærø"),
        ({"encoding": "cp1252"}, "Kundeservice – Ærø"),
        ({"encoding": "cp1252", "delimiter": ","}, "Kundeservice, Ærø"),
        ({"encoding": "utf-8", "delimiter": ","}, "Kundeservice – Ærø"),
    ],
    ids=["utf-8", "bom", "cp1252", "cp1252 comma", "utf-8 comma"],
)
def test_each_encoding_and_delimiter_imports(
    client_for: Any, playbook: Any, roles: dict[str, Any], options: dict[str, Any], value: str
) -> None:
    data = csv_bytes(
        ["Brugernavn", "Tidspunkt", "Afdeling"],
        [[f"bruger{n}", f"{day_in(2)} 09:{n:02d}", value] for n in range(12)],
        **options,
    )
    editor = client_for("editor")
    page = pick_columns(
        editor, playbook, data, user="Brugernavn", date="Tidspunkt", role="Afdeling"
    ).content.decode()
    assert errors(page) == []
    assert list(value_fields(page)) == [value]
    service = roles["Service Cloud User"]
    page = confirm(editor, playbook, page, {value: service}, url_name="usage_preview")
    assert shown_counts(page.content.decode()) == {("Customer service", 2): 12}


def test_a_counts_file_is_previewed_then_saved(
    client_for: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    data = csv_bytes(
        ["Week", "Role", "Active users"],
        [[3, "Sales", 31], [str(day_in(4)), "Customer service", 44], ["uge 5", "finance", 15]],
    )
    editor = client_for("editor")
    page = upload(editor, playbook, data).content.decode()
    assert lines(page) == [
        "Sales, week 3: 31 of 60 active (52 %)",
        "Customer service, week 4: 44 of 40 active (110 %) ⚠ above 100 %",
        "Finance, week 5: 15 of 15 active (100 %)",
    ]
    assert "The role’s headcount may be out of date." in page
    assert value_fields(page) == {}
    response = confirm(editor, playbook, page, {})
    assert response.status_code == 302
    assert sorted(AdoptionFigure.objects.values_list("role__name", "week", "active_users")) == [
        ("Customer service", 4, 44),
        ("Finance", 5, 15),
        ("Sales", 3, 31),
    ]


def test_a_role_under_2k_is_listed_as_not_counted_and_why(
    client_for: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    small = make_role(playbook, "Management", headcount=6)
    logins = [(f"m{n}", at_time(2), "Executive") for n in range(5)]
    logins += [(f"s{n}", at_time(2), "Sales User") for n in range(20)]
    editor = client_for("editor")
    page = pick_columns(editor, playbook, salesforce(logins)).content.decode()
    mapping = {"Executive": small, "Sales User": roles["Sales User"]}
    page = confirm(editor, playbook, page, mapping, url_name="usage_preview").content.decode()
    assert lines(page) == ["Sales, week 2: 20 of 60 active (33 %)"]
    assert (
        "Management has fewer than 10 people: its figures would point at people, "
        "so it takes none." in page
    )
    assert map_and_save(editor, playbook, page, mapping).status_code == 302
    assert list(AdoptionFigure.objects.values_list("role__name", "week", "active_users")) == [
        ("Sales", 2, 20)
    ]
    # Its value is remembered all the same.
    assert UsageValue.objects.get(value="Executive").role == small


def test_a_role_of_the_file_with_no_use_in_a_week_of_the_file_has_0(
    client_for: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    logins = [("anne", at_time(2), "Sales User"), ("bo", at_time(3), "Finance")]
    editor = client_for("editor")
    page = pick_columns(editor, playbook, salesforce(logins)).content.decode()
    mapping = {"Sales User": roles["Sales User"], "Finance": roles["Finance"]}
    page = confirm(editor, playbook, page, mapping, url_name="usage_preview").content.decode()
    assert shown_counts(page) == {
        ("Sales", 2): 1,
        ("Sales", 3): 0,
        ("Finance", 2): 0,
        ("Finance", 3): 1,
    }


def test_importing_a_week_again_replaces_its_figure_and_the_history_keeps_both(
    client_for: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    sales = roles["Sales User"]
    editor = client_for("editor")
    first = csv_bytes(["week", "role", "active_users"], [[3, "Sales", 29], [4, "Sales", 30]])
    assert (
        confirm(editor, playbook, upload(editor, playbook, first).content.decode(), {}).status_code
        == 302
    )
    again = csv_bytes(["week", "role", "active_users"], [[3, "Sales", 31], [4, "Sales", 30]])
    page = upload(editor, playbook, again).content.decode()
    assert lines(page) == [
        "Sales, week 3: 31 of 60 active (52 %) replaces 29",
        "Sales, week 4: 30 of 60 active (50 %) as saved",
    ]
    assert "1 week already has another figure: saving replaces it" in page
    response = confirm(editor, playbook, page, {})
    assert response.status_code == 302
    assert dict(AdoptionFigure.objects.filter(role=sales).values_list("week", "active_users")) == {
        3: 31,
        4: 30,
    }
    week_3 = AdoptionFigure.objects.get(role=sales, week=3)
    assert [(h.history_type, h.active_users) for h in week_3.history.order_by("history_date")] == [
        ("+", 29),
        ("~", 31),
    ]
    assert week_3.history.latest().history_user == playbook.memberships.get(level="editor").user
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Adoption figures imported: 0 new, 1 changed, 1 as they were."]


def test_figures_saved_by_someone_else_after_the_preview_bring_it_back(
    client_for: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    sales = roles["Sales User"]
    editor = client_for("editor")
    page = upload(
        editor, playbook, csv_bytes(["week", "role", "active_users"], [[3, "Sales", 31]])
    ).content.decode()
    AdoptionFigure.objects.create(role=sales, week=3, active_users=35)  # the owner, meanwhile
    response = confirm(editor, playbook, page, {})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The counts below are not the ones you saw" in page
    assert lines(page) == ["Sales, week 3: 31 of 60 active (52 %) replaces 35"]
    assert AdoptionFigure.objects.get(role=sales, week=3).active_users == 35
    assert confirm(editor, playbook, page, {}).status_code == 302
    assert AdoptionFigure.objects.get(role=sales, week=3).active_users == 31


def test_figures_saved_while_this_one_saves_are_not_overwritten(
    client_for: Any, playbook: Any, roles: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another editor saves week 3 after this confirm has read the figures and
    before it locks them: it sees that under the lock, writes nothing, and
    shows the preview again."""
    from planner import adoption_import

    sales = roles["Sales User"]
    editor = client_for("editor")
    page = upload(
        editor, playbook, csv_bytes(["week", "role", "active_users"], [[3, "Sales", 31]])
    ).content.decode()
    real = adoption_import.build_preview
    calls = []

    def then_someone_saves(*args: Any, **kwargs: Any) -> Any:
        preview = real(*args, **kwargs)
        if not calls:
            AdoptionFigure.objects.create(role=sales, week=3, active_users=35)
        calls.append(1)
        return preview

    monkeypatch.setattr(adoption_import, "build_preview", then_someone_saves)
    response = confirm(editor, playbook, page, {})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The counts below are not the ones you saw" in page
    assert lines(page) == ["Sales, week 3: 31 of 60 active (52 %) replaces 35"]
    assert AdoptionFigure.objects.get(role=sales, week=3).active_users == 35
    assert AdoptionFigure.objects.get(role=sales, week=3).history.count() == 1


def test_saving_with_a_value_left_without_a_role_asks_for_it(
    client_for: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    logins = [("anne", at_time(2), "Sales User"), ("bo", at_time(2), "Finance")]
    editor = client_for("editor")
    page = pick_columns(editor, playbook, salesforce(logins)).content.decode()
    response = confirm(editor, playbook, page, {"Sales User": roles["Sales User"]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a role for each value, or ignore it, then save." in page
    assert re.search(
        r'<select name="value-0"[^>]*is-invalid.*?Choose a role, or ignore this value\.', page, re.S
    )
    assert AdoptionFigure.objects.count() == 0
    assert UsageValue.objects.count() == 0


def test_a_choice_changed_since_the_preview_is_shown_before_it_is_saved(
    client_for: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    logins = [("anne", at_time(2), "Sales User")]
    editor = client_for("editor")
    page = pick_columns(editor, playbook, salesforce(logins)).content.decode()
    shown = confirm(
        editor, playbook, page, {"Sales User": roles["Sales User"]}, url_name="usage_preview"
    ).content.decode()
    response = confirm(editor, playbook, shown, {"Sales User": roles["Finance"]})
    assert response.status_code == 200
    assert lines(response.content.decode()) == ["Finance, week 2: 1 of 15 active (7 %)"]
    assert AdoptionFigure.objects.count() == 0


def test_the_preview_in_danish_formats_its_numbers(
    client_for: Any, playbook: Any, roles: dict[str, Any]
) -> None:
    big = make_role(playbook, "Field sales", headcount=2400)
    editor = client_for("editor")
    editor.cookies["django_language"] = "da"
    data = csv_bytes(["week", "role", "active_users"], [[3, big.name, 1234]])
    page = upload(editor, playbook, data).content.decode()
    assert "1.234" in page and "2.400" in page
    assert "(51\u00a0%)" in page  # the sign kept with its number
