"""Who may import adoption figures: editors and owners. Viewers read the
results but import nothing (403); outsiders never learn the playbook exists
(404); anonymous visitors are sent to log in. Nothing crosses playbooks."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from pulse import usage
from pulse.models import AdoptionFigure, UsageValue
from tests.factories import add_member, make_role
from tests.pulse.usage_files import (
    GO_LIVE,
    TODAY,
    at_time,
    confirm,
    csv_bytes,
    hidden,
    import_url,
    map_and_save,
    pick_columns,
    salesforce,
    upload,
    value_fields,
)

LEVELS = [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 200), ("owner", 200)]


@pytest.fixture
def playbook(world: Any, pulse_day: Any) -> Any:
    pulse_day.set(TODAY)
    world.playbook.go_live = GO_LIVE
    world.playbook.save()
    make_role(world.playbook, "Sales", headcount=40)
    return world.playbook


COUNTS = csv_bytes(["week", "role", "active_users"], [[3, "Sales", 31]])


@pytest.fixture
def preview(client_for: Any, playbook: Any) -> dict[str, str]:
    """An editor's preview of a counts file: what its form posts."""
    page = upload(client_for("editor"), playbook, COUNTS).content.decode()
    return {"counted": hidden(page, "counted"), "shown": hidden(page, "shown")}


@pytest.mark.parametrize(("who", "status"), LEVELS)
def test_the_import_page_is_for_editors_and_owners(
    client_for: Any, playbook: Any, who: str, status: int
) -> None:
    response = client_for(who).get(import_url(playbook))
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if status == 200:
        assert "Import adoption figures" in response.content.decode()


@pytest.mark.parametrize(("who", "status"), LEVELS)
def test_an_upload_is_read_only_for_editors_and_owners(
    client_for: Any, playbook: Any, monkeypatch: pytest.MonkeyPatch, who: str, status: int
) -> None:
    read = []
    real = usage.read_header
    monkeypatch.setattr(usage, "read_header", lambda file: read.append(1) or real(file))
    response = upload(client_for(who), playbook, COUNTS)
    assert response.status_code == status
    assert bool(read) == (status == 200)


@pytest.mark.parametrize(("who", "status"), LEVELS)
@pytest.mark.parametrize("step", ["usage_preview", "usage_confirm"])
def test_the_preview_and_the_confirm_are_for_editors_and_owners(
    client_for: Any,
    world: Any,
    playbook: Any,
    preview: dict[str, str],
    who: str,
    status: int,
    step: str,
) -> None:
    response = client_for(who).post(reverse(step, args=[playbook.pk]), preview)
    if who == "owner":
        # The editor's preview is not the owner's: it is signed for its user.
        assert response.status_code == 400
    elif who == "editor":
        assert response.status_code == (302 if step == "usage_confirm" else 200)
    else:
        assert response.status_code == status
    assert AdoptionFigure.objects.exists() == (who == "editor" and step == "usage_confirm")


def test_the_owner_imports_as_the_editor_does(client_for: Any, playbook: Any) -> None:
    owner = client_for("owner")
    page = upload(owner, playbook, COUNTS).content.decode()
    assert confirm(owner, playbook, page, {}).status_code == 302
    assert AdoptionFigure.objects.get().active_users == 31


@pytest.mark.parametrize("step", ["usage_preview", "usage_confirm"])
def test_the_steps_after_the_upload_take_only_posts(
    client_for: Any, playbook: Any, step: str
) -> None:
    assert client_for("editor").get(reverse(step, args=[playbook.pk])).status_code == 405


def test_a_role_of_another_playbook_is_refused_beside_its_value(
    client_for: Any, world: Any, playbook: Any
) -> None:
    """The editor is an editor of the other playbook too: its role is still not this one's."""
    add_member(world.other_playbook, world.editor, "editor")
    theirs = make_role(world.other_playbook, "Their sales", headcount=40)
    editor = client_for("editor")
    page = pick_columns(
        editor, playbook, salesforce([("anne", at_time(2), "Sales User")])
    ).content.decode()
    response = confirm(editor, playbook, page, {"Sales User": theirs})
    assert response.status_code == 200
    assert "Choose one of this playbook’s roles, or ignore this value." in response.content.decode()
    response = confirm(editor, playbook, page, {"Sales User": theirs}, url_name="usage_preview")
    assert "Choose one of this playbook’s roles" in response.content.decode()
    assert not AdoptionFigure.objects.exists()
    assert not UsageValue.objects.exists()


def test_a_counts_file_naming_a_role_of_another_playbook_is_refused(
    client_for: Any, world: Any, playbook: Any
) -> None:
    make_role(world.other_playbook, "Their sales", headcount=40)
    data = csv_bytes(["week", "role", "active_users"], [[3, "Their sales", 31]])
    page = upload(client_for("editor"), playbook, data).content.decode()
    assert "Row 2: this playbook has no role called “Their sales”." in page
    assert not AdoptionFigure.objects.exists()


def test_a_preview_made_for_another_playbook_is_refused(
    client_for: Any, world: Any, playbook: Any
) -> None:
    """Signed with the playbook: posting it to another one (where the same
    person is an editor) saves nothing there."""
    add_member(world.other_playbook, world.editor, "editor")
    world.other_playbook.go_live = GO_LIVE
    world.other_playbook.save()
    make_role(world.other_playbook, "Sales", headcount=40)
    editor = client_for("editor")
    page = upload(editor, playbook, COUNTS).content.decode()
    response = confirm(editor, world.other_playbook, page, {})
    assert response.status_code == 400
    assert "could not be read back" in response.content.decode()
    assert not AdoptionFigure.objects.exists()


def test_the_mapping_is_saved_for_this_playbook_only(
    client_for: Any, world: Any, playbook: Any
) -> None:
    sales = playbook.roles.get()
    editor = client_for("editor")
    page = pick_columns(
        editor, playbook, salesforce([("anne", at_time(2), "Sales User")])
    ).content.decode()
    assert map_and_save(editor, playbook, page, {"Sales User": sales}).status_code == 302
    assert list(UsageValue.objects.values_list("playbook", "value", "role")) == [
        (playbook.pk, "Sales User", sales.pk)
    ]
    # The other playbook's import does not see it.
    owner = client_for("outsider")
    world.other_playbook.go_live = GO_LIVE
    world.other_playbook.save()
    make_role(world.other_playbook, "Sales", headcount=40)
    page = pick_columns(
        owner, world.other_playbook, salesforce([("anne", at_time(2), "Sales User")])
    ).content.decode()
    assert value_fields(page) == {"Sales User": "value-0"}
    assert 'value="" selected' in page


@pytest.mark.parametrize(("who", "shown"), [("viewer", False), ("editor", True), ("owner", True)])
def test_the_results_page_links_to_the_import_for_those_who_may(
    client_for: Any, playbook: Any, who: str, shown: bool
) -> None:
    page = client_for(who).get(reverse("results", args=[playbook.pk]))
    assert page.status_code == 200
    assert (f'href="{import_url(playbook)}"' in page.content.decode()) is shown
