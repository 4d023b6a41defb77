"""The roster file: ambassadors as CSV that Danish Excel opens as it is.

Written as UTF-8 with a byte-order mark and ``;`` between fields; read with
``;`` or ``,``. Rows are matched to ambassadors by e-mail: known ones are
updated, the others added. All or nothing: every row is checked (by the
roster page's form's rules, without a form: ``ambassadors.forms.RowCleaner``)
before anything is saved. Saved in bulk (``core.bulk``), in one transaction
and a fixed number of queries whatever the number of rows, with a history
record for each ambassador added or changed; then ``roster_saved`` is sent
once. Each column of each row is checked on its own, so that every error is
listed at once, each naming its row and column and saying what the column
takes. Cells that a spreadsheet would run as a formula are written with a
leading ``'`` and read back without it.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.dispatch import Signal
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambassadors.forms import RowCleaner
from ambassadors.models import Ambassador
from core import bulk, history, limits
from playbooks.models import Playbook
from roles.models import Role

COLUMNS = [
    "name",
    "email",
    "department",
    "role",
    "influence",
    "early_access",
    "training",
    "trained_on",
    "notes",
]
REQUIRED = ["name", "email", "role"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_BYTES = 2 * 1024 * 1024  # too_large_message() says it
MAX_ROWS = 5000
SHOWN_CHARS = 40  # of a bad value, in its error message
SHOWN_NAMES = 8  # of the roles an error message lists

# Sent once per import that changed something, inside its transaction, with
# ``playbook_id`` and ``ambassadors``: those added or moved to another role
# (the top layer bumps the version, schedules the PDF and the messages'
# senders follow, as a save's signals do for one ambassador).
roster_saved = Signal()


@dataclass(frozen=True)
class CellError:
    """One error of a row: its column as the file's header writes it ("" for
    the row as a whole), and what is wrong and what the column takes."""

    column: str
    problem: str

    def __str__(self) -> str:
        if not self.column:
            return self.problem
        return _("%(column)s: %(problem)s") % {"column": self.column, "problem": self.problem}


@dataclass(frozen=True)
class RowErrors:
    """The errors of one row of the file, each naming its column."""

    number: int  # as the spreadsheet numbers it: the header is row 1
    messages: list[CellError]


class RosterFileError(Exception):
    """Nothing was imported. ``errors``: every problem, one line each (the
    file's own first, then each row's, prefixed with its number);
    ``file_errors``: the file's own (its size, its header); ``rows``: the
    rows' problems grouped per row, for a page to show as a table."""

    def __init__(self, errors: list[str], rows: list[RowErrors] | None = None) -> None:
        self.file_errors = errors
        self.rows = rows or []
        self.errors = [
            *errors,
            *(
                _("Row %(n)s, %(message)s") % {"n": row.number, "message": str(message)}
                for row in self.rows
                for message in row.messages
            ),
        ]
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int


def protect(value: str) -> str:
    """Neutralise a cell that a spreadsheet would run as a formula.

    A cell that already starts with ' gets one too, so that reading it back
    (which removes exactly one) gives the same text.
    """
    return "'" + value if value.startswith((*FORMULA_STARTS, "'")) else value


def unprotect(value: str) -> str:
    if value.startswith("'") and value[1:].startswith((*FORMULA_STARTS, "'")):
        return value[1:]
    return value


def export_roster(playbook: Playbook) -> str:
    """The roster as CSV text, starting with the byte-order mark."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    ambassadors = Ambassador.objects.filter(playbook=playbook).select_related("role")
    for a in ambassadors.order_by("role__order", "role_id", "name", "pk"):
        row = [
            a.name,
            a.email,
            a.department,
            a.role.name,
            str(a.influence),
            a.early_access.isoformat() if a.early_access else "",
            a.training,
            a.trained_on.isoformat() if a.trained_on else "",
            a.notes,
        ]
        writer.writerow([protect(cell) for cell in row])
    return out.getvalue()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV (semicolon separated)" without UTF-8 writes Windows-1252.
        return data.decode("cp1252", errors="replace")


@functools.cache
def _training(value: str) -> str | None:
    """The code of a training cell: a code (completed) or a label in English or
    Danish (Completed, Gennemført); None for anything else."""
    wanted = value.strip().casefold()
    for code, label in Ambassador.Training.choices:
        names = {code, code.replace("_", " ")}
        for language in ("en", "da"):
            with translation.override(language):
                names.add(str(label).casefold())
        if wanted in names:
            return code
    return None


def shown(value: str) -> str:
    """A cell's value as an error message quotes it: at most 40 characters."""
    value = " ".join(value.split())
    return value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 1] + "…"


def _listed(names: list[str]) -> str:
    """Names joined with commas, the first few only: "A, B, C and 9 more"."""
    if len(names) <= SHOWN_NAMES:
        return ", ".join(names)
    rest = len(names) - SHOWN_NAMES
    return ngettext("%(names)s and %(count)s more", "%(names)s and %(count)s more", rest) % {
        "names": ", ".join(names[:SHOWN_NAMES]),
        "count": rest,
    }


@functools.cache
def _influence_range() -> tuple[int, int]:
    """The lowest and highest influence, as the model field's validators have them."""
    field = Ambassador._meta.get_field("influence")
    assert isinstance(field, models.Field)
    validators = field.validators
    low = next(v.limit_value for v in validators if isinstance(v, MinValueValidator))
    high = next(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
    return int(low), int(high)


class _RowChecker:
    """Checks each column of a row on its own, so that a row shows all its
    errors at once, each naming its column as the file's header writes it and
    saying what the column takes. Three queries, whatever the number of rows."""

    def __init__(self, playbook: Playbook, labels: dict[str, str]) -> None:
        self.playbook = playbook
        self.labels = labels
        role_list = list(playbook.roles.all())
        self.roles = {role.name.casefold(): role for role in role_list}
        self.role_names = [role.name for role in role_list]
        self.existing = {a.email.lower(): a for a in Ambassador.objects.filter(playbook=playbook)}
        # The e-mails of a deleted role's ambassadors are still taken (the
        # role comes back with them).
        self.deleted = {
            a.email.lower(): a
            for a in Ambassador.all_objects.filter(
                playbook=playbook, role__deleted_at__isnull=False
            ).select_related("role")
        }
        self.seen: dict[str, int] = {}
        self.cleaner = RowCleaner()

    def message(self, column: str, text: str, **values: Any) -> CellError:
        return CellError(self.labels.get(column, column), text % values if values else text)

    def check(self, number: int, values: dict[str, str]) -> tuple[list[CellError], dict[str, Any]]:
        """The row's errors, and its values as the ambassador form takes them."""
        errors: list[CellError] = []
        email = values.get("email", "").lower()
        instance = self.existing.get(email)
        data: dict[str, Any] = {
            "name": instance.name if instance else "",
            "email": email,
            "department": instance.department if instance else "",
            "influence": str(instance.influence) if instance else "3",
            "early_access": instance.early_access.isoformat()
            if instance and instance.early_access
            else "",
            "training": instance.training if instance else Ambassador.Training.NOT_STARTED,
            "trained_on": instance.trained_on.isoformat()
            if instance and instance.trained_on
            else "",
            "notes": instance.notes if instance else "",
        }
        for column in ("name", "department", "notes"):
            if column in values:
                data[column] = values[column]
        self.check_name(values, errors)
        self.check_email(number, values, errors)
        role = self.check_role(values, errors)
        data["role"] = str(role.pk) if role else ""
        # An empty influence or training cell keeps the current value (3 and
        # "not started" for a new row).
        if values.get("influence"):
            data["influence"] = self.check_influence(values["influence"], errors)
        if values.get("training"):
            data["training"] = self.check_training(values["training"], errors)
        for column in ("early_access", "trained_on"):
            if column in values:
                data[column] = self.check_date(column, values[column], errors)
        if (
            data["trained_on"]
            and data["training"] == Ambassador.Training.NOT_STARTED
            and values.get("trained_on")
        ):
            errors.append(
                self.message(
                    "trained_on",
                    _("a training date goes with training scheduled or completed"),
                )
            )
        return errors, data

    def too_long(self, column: str, value: str, errors: list[CellError]) -> None:
        field = Ambassador._meta.get_field(column)
        limit = field.max_length if isinstance(field, models.Field) else None
        if limit is not None and limits.length(value) > limit:  # the forms' count
            errors.append(
                self.message(
                    column,
                    _("%(count)s characters; at most %(max)s are allowed"),
                    count=formats.number_format(limits.length(value), force_grouping=True),
                    max=formats.number_format(limit, force_grouping=True),
                )
            )

    def check_name(self, values: dict[str, str], errors: list[CellError]) -> None:
        if not values.get("name"):
            errors.append(self.message("name", _("empty; give the ambassador’s name")))
        else:
            self.too_long("name", values["name"], errors)
        if values.get("department"):
            self.too_long("department", values["department"], errors)
        if values.get("notes"):
            self.too_long("notes", values["notes"], errors)

    def check_email(self, number: int, values: dict[str, str], errors: list[CellError]) -> None:
        raw = values.get("email", "")
        email = raw.lower()
        if not email:
            errors.append(self.message("email", _("empty; give the ambassador’s e-mail address")))
            return
        try:
            self.cleaner.value("email", email)
        except ValidationError as error:
            if any(e.code != "max_length" for e in error.error_list):
                errors.append(
                    self.message(
                        "email", _("“%(value)s” is not an e-mail address"), value=shown(raw)
                    )
                )
                return
            self.too_long("email", email, errors)
        if email in self.seen:
            errors.append(
                self.message(
                    "email",
                    _("“%(value)s” is on row %(other)s too; give each e-mail once"),
                    value=shown(raw),
                    other=self.seen[email],
                )
            )
            return
        self.seen[email] = number
        holder = self.deleted.get(email)
        if holder is not None:
            errors.append(
                self.message(
                    "email",
                    _(
                        "%(name)s of the deleted role “%(role)s” has this e-mail; restore "
                        "the role on the Changes page, or use another e-mail"
                    ),
                    name=holder.name,
                    role=holder.role.name,
                )
            )

    def check_role(self, values: dict[str, str], errors: list[CellError]) -> Role | None:
        value = values.get("role", "")
        role = self.roles.get(value.casefold())
        if role is not None:
            return role
        if not self.role_names:
            errors.append(
                self.message(
                    "role",
                    _("this playbook has no roles yet; add them on the WIIFM matrix first"),
                )
            )
        elif not value:
            errors.append(
                self.message(
                    "role", _("empty; the roles are: %(roles)s"), roles=_listed(self.role_names)
                )
            )
        else:
            errors.append(
                self.message(
                    "role",
                    _("“%(value)s” is not a role of this playbook; the roles are: %(roles)s"),
                    value=shown(value),
                    roles=_listed(self.role_names),
                )
            )
        return None

    def check_influence(self, value: str, errors: list[CellError]) -> str:
        """A whole number written with digits only, in the model field's range."""
        if value.isascii() and value.isdigit():
            try:
                return str(self.cleaner.value("influence", value))
            except ValidationError:
                pass
        low, high = _influence_range()
        errors.append(
            self.message(
                "influence",
                _("“%(value)s” is not allowed; use a whole number from %(low)s to %(high)s"),
                value=shown(value),
                low=low,
                high=high,
            )
        )
        return ""

    def check_training(self, value: str, errors: list[CellError]) -> str:
        code = _training(value)
        if code is not None:
            return code
        errors.append(
            self.message(
                "training",
                _(
                    "“%(value)s” is not allowed; use not_started, scheduled or completed "
                    "(or %(labels)s)"
                ),
                value=shown(value),
                labels=", ".join(str(label) for label in Ambassador.Training.labels),
            )
        )
        return ""

    def check_date(self, column: str, value: str, errors: list[CellError]) -> str:
        if not value:
            return ""
        try:
            day = self.cleaner.value(column, value)
        except ValidationError:
            errors.append(
                self.message(
                    column,
                    _("“%(value)s” is not a date; write it as year-month-day, like 2027-02-10"),
                    value=shown(value),
                )
            )
            return ""
        return day.isoformat()


@dataclass
class _Row:
    """A row checked: its ambassador (new, or the one of its e-mail with the
    row's values set) and the fields the row changes of one already there."""

    ambassador: Ambassador
    added: bool
    changed: list[str]


def _apply(
    playbook: Playbook, instance: Ambassador | None, role: Role, cleaned: dict[str, Any]
) -> _Row:
    if instance is None:
        # By id: the related fields' setters cost more than the rest.
        ambassador = Ambassador(playbook_id=playbook.pk, role_id=role.pk, **cleaned)
        return _Row(ambassador, added=True, changed=[])
    changed = [name for name, value in cleaned.items() if getattr(instance, name) != value]
    if instance.role_id != role.pk:
        changed.append("role")
    for name in changed:
        setattr(instance, name, role if name == "role" else cleaned[name])
    return _Row(instance, added=False, changed=changed)


def _save(playbook: Playbook, rows: list[_Row]) -> None:
    """Add the new rows' ambassadors and update the changed ones', with a
    history record of each, in one query each whatever the number of rows
    (``core.bulk``); rows as they are change nothing. Raises IntegrityError."""
    added = [row.ambassador for row in rows if row.added]
    changed = [row.ambassador for row in rows if row.changed]
    read = {ambassador.pk: ambassador.version for ambassador in changed}
    for ambassador in changed:
        ambassador.version += 1  # as Versioned.save does
    fields = sorted({name for row in rows for name in row.changed} | {"version"})
    with transaction.atomic():
        if read:
            # Someone who edited or deleted one of these ambassadors since the
            # file was checked: their change is not overwritten (the import
            # is refused as a whole, like an e-mail added meanwhile).
            now = dict(
                Ambassador.objects.select_for_update()
                .filter(pk__in=list(read))
                .values_list("pk", "version")
            )
            if now != read:
                raise IntegrityError("the roster changed while the file was checked")
        bulk.insert(Ambassador, added, key="email")
        bulk.update(Ambassador, changed, fields)
        history.record_rows(Ambassador, [a.pk for a in added], history.CREATED)
        history.record_rows(Ambassador, [a.pk for a in changed], history.CHANGED)
        if added or changed:
            roster_saved.send(
                sender=Ambassador,
                playbook_id=playbook.pk,
                # Added, or moved to another role, in the file's order: the
                # first of a role may become its sender.
                ambassadors=[row.ambassador for row in rows if row.added or "role" in row.changed],
            )


def too_large_message() -> str:
    return _("The file is larger than 2 MB.")


def import_roster(playbook: Playbook, data: bytes) -> ImportResult:
    """Add and update ambassadors from CSV bytes, or raise RosterFileError."""
    if len(data) > MAX_BYTES:
        raise RosterFileError([too_large_message()])
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise RosterFileError(
            [_("This is not a CSV file (%(error)s).") % {"error": error}]
        ) from error
    # Number the rows as a spreadsheet does (the header is row 1), then skip
    # the blank ones.
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if any(c.strip() for c in row)]
    if not numbered:
        raise RosterFileError([_("The file is empty.")])
    header_number, header_row = numbered[0]
    header = [cell.strip().lower() for cell in header_row]
    errors = []
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    twice = sorted({name for name in header if header.count(name) > 1})
    where = {"n": header_number, "columns": ", ".join(COLUMNS)}
    if unknown:
        errors.append(
            _("Row %(n)s: unknown columns: %(names)s. The columns are: %(columns)s.")
            % {**where, "names": ", ".join(shown(name) for name in unknown)}
        )
    if missing:
        errors.append(
            _("Row %(n)s: missing columns: %(names)s.") % {**where, "names": ", ".join(missing)}
        )
    if twice:
        errors.append(
            _("Row %(n)s: columns that appear twice: %(names)s.")
            % {**where, "names": ", ".join(twice)}
        )
    if errors:
        raise RosterFileError(errors)
    if len(numbered) - 1 > MAX_ROWS:
        raise RosterFileError([_("The file has more than 5,000 rows.")])

    # Each column named as the file's header writes it (Email, E-mail...).
    labels = {name: cell.strip() for name, cell in zip(header, header_row, strict=True)}
    checker = _RowChecker(playbook, labels)
    roles = {str(role.pk): role for role in checker.roles.values()}
    bad: list[RowErrors] = []
    checked: list[_Row] = []
    for number, row in numbered[1:]:
        values = {
            name: unprotect(row[i].strip()) if i < len(row) else "" for i, name in enumerate(header)
        }
        row_errors, form_data = checker.check(number, values)
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            problem = _("more cells than columns: %(cells)s cells, %(columns)s columns") % {
                "cells": len(row),
                "columns": len(header),
            }
            row_errors.insert(0, CellError("", problem))
        if not row_errors:
            # The roster page's form's rules: none should be left after the
            # checks above.
            cleaned, problems = checker.cleaner.row(form_data)
            if not problems:
                instance = checker.existing.get(form_data["email"])
                checked.append(_apply(playbook, instance, roles[form_data["role"]], cleaned))
                continue
            row_errors = [
                checker.message(field, "%(problem)s", problem=message)
                for field, messages in problems.items()
                for message in messages
            ]
        bad.append(RowErrors(number, row_errors))
    if bad:
        raise RosterFileError([], bad)
    added = sum(1 for row in checked if row.added)
    try:
        _save(playbook, checked)
    except IntegrityError as error:
        # Someone added the same e-mail, or changed or deleted an ambassador
        # of the file, while it was being checked.
        raise RosterFileError(
            [
                _(
                    "The roster changed while the file was being imported. "
                    "Nothing was saved; try again."
                )
            ]
        ) from error
    return ImportResult(added=added, updated=len(checked) - added)
