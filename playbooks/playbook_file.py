"""The playbook file: a whole playbook as one JSON document (DESIGN.md).

``export_playbook`` turns a playbook into the document; ``dumps`` writes it
byte-for-byte reproducibly. ``import_playbook`` validates a parsed document
completely before it writes anything, and creates the playbook in one
transaction: on any error nothing is created, and every error names its place
(``playbook.language: must be one of da, en``).

Each part of a playbook adds its section here as it is built, so the file
always holds the whole playbook.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from playbooks.models import Level, Membership, Playbook

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
FORMAT = "wiifm-playbook"
VERSION = 1
MAX_BYTES = 5 * 1024 * 1024


class PlaybookFileError(Exception):
    """The file cannot be imported; ``errors`` lists every problem with its place."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def export_playbook(playbook: Playbook) -> dict[str, Any]:
    """The document for one playbook, every key in the order of DESIGN.md."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "playbook": {
            "name": playbook.name,
            "organisation": playbook.organisation,
            "crm_system": playbook.crm_system,
            "crm_other": playbook.crm_other,
            "go_live": _date(playbook.go_live),
            "language": playbook.language,
            "pledge": playbook.pledge,
            "data_used_for": playbook.data_used_for,
            "data_not_used_for": playbook.data_not_used_for,
        },
    }


def dumps(document: dict[str, Any]) -> str:
    """Serialise a document: UTF-8 text, two-space indent, a final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- Validation -------------------------------------------------------------
#
# A small, strict reader: each field is read by a function that knows its
# type and range, records an error with the field's place, and returns the
# value or its default. Nothing is written until the whole file is read.


@dataclass
class Reader:
    errors: list[str] = field(default_factory=list)

    def error(self, place: str, message: str) -> None:
        self.errors.append(f"{place}: {message}")

    def object(self, value: Any, place: str, allowed: list[str], required: list[str]) -> dict:
        if not isinstance(value, dict):
            self.error(place or "(file)", "must be an object")
            return {}
        for key in value:
            if key not in allowed:
                self.error(f"{place}.{key}" if place else key, "unknown key")
        for key in required:
            if key not in value:
                self.error(f"{place}.{key}" if place else key, "is required")
        return value

    def text(
        self, obj: dict, key: str, place: str, *, max_length: int, required: bool = False
    ) -> str:
        where = f"{place}.{key}"
        if required and key not in obj:
            return ""  # reported once, as "is required", by object()
        value = obj.get(key, "")
        if not isinstance(value, str):
            self.error(where, "must be a string")
            return ""
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.error(where, "must be valid text (it holds a lone surrogate)")
            return ""
        if "\x00" in value:
            self.error(where, "must not contain NUL characters")
            return ""
        if required and not value.strip():
            self.error(where, "must not be blank")
        if len(value) > max_length:
            self.error(where, f"must be at most {max_length} characters")
        return value

    def choice(self, obj: dict, key: str, place: str, *, choices: list[str], default: str) -> str:
        where = f"{place}.{key}"
        value = obj.get(key, default)
        if not isinstance(value, str) or value not in choices:
            self.error(where, "must be one of " + ", ".join(sorted(choices)))
            return default
        return value

    def date(self, obj: dict, key: str, place: str) -> datetime.date | None:
        where = f"{place}.{key}"
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(where, "must be a date written YYYY-MM-DD, or null")
            return None
        try:
            if not ISO_DATE.fullmatch(value):
                raise ValueError
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.error(where, "must be a date written YYYY-MM-DD, or null")
            return None


PLAYBOOK_KEYS = [
    "name",
    "organisation",
    "crm_system",
    "crm_other",
    "go_live",
    "language",
    "pledge",
    "data_used_for",
    "data_not_used_for",
]


def _read_playbook(reader: Reader, raw: Any) -> dict[str, Any]:
    place = "playbook"
    obj = reader.object(raw, place, PLAYBOOK_KEYS, ["name"])
    crm_system = reader.choice(
        obj, "crm_system", place, choices=list(Playbook.CRM.values), default="other"
    )
    crm_other = reader.text(obj, "crm_other", place, max_length=100)
    return {
        "name": reader.text(obj, "name", place, max_length=200, required=True).strip(),
        "organisation": reader.text(obj, "organisation", place, max_length=200),
        "crm_system": crm_system,
        # As in the form: the other system's name only goes with "other".
        "crm_other": crm_other if crm_system == Playbook.CRM.OTHER else "",
        "go_live": reader.date(obj, "go_live", place),
        "language": reader.choice(
            obj, "language", place, choices=list(Playbook.Language.values), default="en"
        ),
        "pledge": reader.text(obj, "pledge", place, max_length=10_000),
        "data_used_for": reader.text(obj, "data_used_for", place, max_length=10_000),
        "data_not_used_for": reader.text(obj, "data_not_used_for", place, max_length=10_000),
    }


# Sections that later parts of the product read and write, in file order.
TOP_LEVEL_KEYS = ["format", "version", "playbook"]


def read(document: Any) -> dict[str, Any]:
    """Validate a parsed document; return the cleaned values or raise PlaybookFileError."""
    reader = Reader()
    obj = reader.object(document, "", TOP_LEVEL_KEYS, ["format", "version", "playbook"])
    if not obj:
        raise PlaybookFileError(reader.errors or ["the file must be a JSON object"])
    if "format" in obj and obj["format"] != FORMAT:
        reader.error("format", f'must be "{FORMAT}"')
    version = obj.get("version")
    if "version" in obj:
        if isinstance(version, bool) or not isinstance(version, int):
            reader.error("version", "must be a whole number")
        elif version > VERSION:
            reader.error(
                "version",
                f"this file is version {version}; this installation reads version {VERSION} "
                "and older",
            )
        elif version < 1:
            reader.error("version", "must be 1 or more")
    cleaned = {"playbook": _read_playbook(reader, obj["playbook"])} if "playbook" in obj else {}
    if reader.errors:
        raise PlaybookFileError(reader.errors)
    return cleaned


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError("a key appears twice in one object: " + ", ".join(duplicates))
    return dict(pairs)


def loads(text: str | bytes) -> Any:
    """Parse JSON text, refusing what is too large, not JSON, or ambiguous.

    Numbers with a fraction are read as exact Decimals.
    """
    if len(text) > MAX_BYTES:
        raise PlaybookFileError(["the file is larger than 5 MB"])
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_float=Decimal)
    except RecursionError as error:
        raise PlaybookFileError(["not a JSON file (nested too deeply)"]) from error
    except (ValueError, UnicodeDecodeError) as error:
        raise PlaybookFileError([f"not a JSON file ({error})"]) from error


def _full_clean(instance: Any, place: str) -> None:
    """The model's own validation, as a last line: its errors get their place too."""
    try:
        instance.full_clean()
    except ValidationError as error:
        raise PlaybookFileError(
            [
                f"{place}.{field}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            ]
        ) from error


@transaction.atomic
def import_playbook(document: Any, *, owner: Any) -> Playbook:
    """Create a new playbook owned by ``owner`` from a parsed document."""
    cleaned = read(document)
    playbook = Playbook(**cleaned["playbook"])
    _full_clean(playbook, "playbook")
    playbook.save()
    Membership.objects.create(playbook=playbook, user=owner, level=Level.OWNER)
    return playbook
