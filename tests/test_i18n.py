"""English and Danish: the catalogue is complete, compiled, and the switcher remembers."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import polib
import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "da" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
SOURCE_DIRS = [
    "wiifm_site",
    "templates",
    "playbooks",
    "roles",
    "givegets",
    "ambassadors",
    "actionplan",
    "pulse",
    "comms",
    "core",
    "planner",
]


def active_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def test_every_danish_entry_is_translated_and_not_fuzzy() -> None:
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in active_entries(po) if not e.translated()]
    fuzzy = [e.msgid for e in active_entries(po) if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_po_file() -> None:
    po = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in active_entries(polib.pofile(str(PO)))
    }
    mo = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(MO))}
    mo.pop((None, ""), None)  # the header
    assert mo == po, "run `make messages` and commit locale/da/LC_MESSAGES/django.mo"


def test_makemessages_would_add_nothing(tmp_path: Path) -> None:
    """Run makemessages on a copy of the sources and compare the message ids."""
    assert shutil.which("xgettext"), "gettext is missing: make test installs it"
    for name in [*SOURCE_DIRS, "locale"]:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "da", "--no-location"],
        cwd=tmp_path,
        env={
            "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
            "DEBUG": "1",
            "PYTHONPATH": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(tmp_path / "locale" / "da" / "LC_MESSAGES" / "django.po"))
    committed = polib.pofile(str(PO))
    known = {(e.msgctxt, e.msgid) for e in active_entries(committed)}
    new = sorted(e.msgid for e in active_entries(fresh) if (e.msgctxt, e.msgid) not in known)
    assert new == [], "run `make messages`, translate the new entries and commit"


@pytest.mark.django_db
class TestLanguage:
    def test_english_by_default(self, client: Client) -> None:
        html = client.get(reverse("login")).content.decode()
        assert '<html lang="en"' in html
        assert "Log in" in html

    def test_browser_language_is_used(self, client: Client) -> None:
        html = client.get(reverse("login"), headers={"accept-language": "da"}).content.decode()
        assert '<html lang="da"' in html
        assert "Log ind" in html

    def test_the_switcher_remembers_the_choice(self, user_client: Client) -> None:
        response = user_client.post(reverse("set_language"), {"language": "da", "next": "/"})
        assert response.status_code == 302
        assert response["Location"] == "/"
        cookie = response.cookies["django_language"]
        assert cookie.value == "da"
        assert int(cookie["max-age"]) >= 365 * 24 * 60 * 60 - 1
        html = user_client.get("/", follow=True).content.decode()
        assert '<html lang="da"' in html
        assert "Mine playbooks" in html
        assert "Log ud" in html
        # The choice beats the browser's language.
        html = user_client.get("/playbooks/", headers={"accept-language": "en"}).content.decode()
        assert '<html lang="da"' in html

    def test_the_switcher_works_before_login(self, client: Client) -> None:
        response = client.post(
            reverse("set_language"), {"language": "da", "next": "/accounts/login/"}
        )
        assert response["Location"] == "/accounts/login/"
        assert "Log ind" in client.get(reverse("login")).content.decode()

    def test_an_unknown_language_is_ignored(self, client: Client) -> None:
        response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
        assert response.status_code == 302
        html = client.get(reverse("login"), headers={"accept-language": "fr"}).content.decode()
        assert '<html lang="en"' in html

    def test_dates_are_formatted_for_the_language(self, settings: Any) -> None:
        from datetime import date

        from django.utils import formats, translation

        with translation.override("da"):
            assert formats.date_format(date(2027, 3, 1)) == "1. marts 2027"
        with translation.override("en"):
            assert formats.date_format(date(2027, 3, 1)) == "March 1, 2027"
