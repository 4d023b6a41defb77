"""The roster file: ambassadors as CSV that Danish Excel opens as it is.

Written as UTF-8 with a byte-order mark and ``;`` between fields; read with
``;`` or ``,``. Rows are matched to ambassadors by e-mail: known ones are
updated, the others added. All or nothing: every row is checked (with the
same form as the roster page) before anything is saved, and each error names
its row. Cells that a spreadsheet would run as a formula are written with a
leading ``'`` and read back without it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ambassadors.forms import AmbassadorForm
from ambassadors.models import Ambassador
from playbooks.models import Playbook

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
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000


class RosterFileError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


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


def _training(value: str) -> str:
    """A code (completed) or its label in English or Danish (Completed, Gennemført)."""
    wanted = value.strip().casefold()
    for code, label in Ambassador.Training.choices:
        names = {code, code.replace("_", " ")}
        for language in ("en", "da"):
            with translation.override(language):
                names.add(str(label).casefold())
        if wanted in names:
            return code
    return value.strip()


def import_roster(playbook: Playbook, data: bytes) -> ImportResult:
    """Add and update ambassadors from CSV bytes, or raise RosterFileError."""
    if len(data) > MAX_BYTES:
        raise RosterFileError([_("The file is larger than 2 MB.")])
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
    where = {"n": header_number}
    if unknown:
        errors.append(
            _("Row %(n)s: unknown columns: %(names)s.") % {**where, "names": ", ".join(unknown)}
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

    roles = {role.name.casefold(): role for role in playbook.roles.all()}
    existing = {a.email.lower(): a for a in Ambassador.objects.filter(playbook=playbook)}
    seen: dict[str, int] = {}
    forms: list[AmbassadorForm] = []
    for number, row in numbered[1:]:
        values = {
            name: unprotect(row[i].strip()) if i < len(row) else "" for i, name in enumerate(header)
        }
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            errors.append(_("Row %(n)s: more cells than columns.") % {"n": number})
            continue
        email = values.get("email", "").lower()
        if email in seen:
            errors.append(
                _("Row %(n)s, column email: the same e-mail as row %(other)s.")
                % {"n": number, "other": seen[email]}
            )
            continue
        if email:
            seen[email] = number
        role = roles.get(values.get("role", "").casefold())
        if role is None:
            errors.append(
                _("Row %(n)s, column role: this playbook has no role called “%(role)s”.")
                % {"n": number, "role": values.get("role", "")}
            )
            continue
        instance = existing.get(email)
        current = {
            "name": instance.name if instance else "",
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
        # An empty influence or training cell keeps the current value (3 and
        # "not started" for a new row).
        keep_if_empty = {"influence", "training"}
        given = {k: v for k, v in values.items() if k in current and (v or k not in keep_if_empty)}
        form_data = {**current, **given}
        form_data.update(email=email, role=str(role.pk), training=_training(form_data["training"]))
        form = AmbassadorForm(form_data, instance=instance, playbook=playbook)
        if not form.is_valid():
            for field, messages in form.errors.items():
                for message in messages:
                    errors.append(
                        _("Row %(n)s, column %(field)s: %(message)s")
                        % {"n": number, "field": field, "message": message}
                    )
            continue
        forms.append(form)
    if errors:
        raise RosterFileError(errors)
    added = sum(1 for form in forms if form.instance.pk is None)
    try:
        with transaction.atomic():
            for form in forms:
                if form.instance.pk is None or form.has_changed():  # a row as it is: untouched
                    form.save()
    except IntegrityError as error:
        # Someone added the same e-mail while this file was being checked.
        raise RosterFileError(
            [
                _(
                    "The roster changed while the file was being imported. "
                    "Nothing was saved; try again."
                )
            ]
        ) from error
    return ImportResult(added=added, updated=len(forms) - added)
