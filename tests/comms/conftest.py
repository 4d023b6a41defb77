"""Fixtures for the communications plan's tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils.translation import trans_real

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "da"


@pytest.fixture
def danish() -> Iterator[None]:
    """Danish with the translations the branches write beside the catalogue
    (``locale/da/*-translations.json``, merged into django.po by the lead),
    so that Danish is tested before and after the merge alike."""
    entries: dict[object, str] = {}
    for path in sorted(LOCALE.glob("*-translations.json")):
        for entry in json.loads(path.read_text(encoding="utf-8")):
            msgid = entry["msgid"]
            if "msgctxt" in entry:
                msgid = f"{entry['msgctxt']}\x04{msgid}"
            if "msgid_plural" in entry:
                for index, text in enumerate(entry["msgstr_plural"]):
                    entries[(msgid, index)] = text
            else:
                entries[msgid] = entry["msgstr"]
    catalog = trans_real.translation("da")._catalog
    catalog._catalogs.insert(0, entries)
    catalog._plurals.insert(0, catalog._plurals[0])
    try:
        yield
    finally:
        at = next(i for i, each in enumerate(catalog._catalogs) if each is entries)
        del catalog._catalogs[at]
        del catalog._plurals[at]
