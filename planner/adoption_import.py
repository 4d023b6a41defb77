"""Adoption figures from the CRM's usage export (DESIGN.md "Adoption
figures"), under ``/playbooks/<id>/results/import/``.

The steps: GET the form; POST the file, which is read at once (``pulse.usage``)
into counts, or, for a per-use file whose columns are not known yet, answered
with the column step (selects listing the file's header; the file is chosen
again, as nothing of it is kept, and with htmx the browser still has it); the
preview of the counts, with a select for each value of the role column; the
confirm POST, which saves through ``pulse.figures.replace``.

Nothing of the file outlives the request that uploads it. The upload is held
in memory, never in a temporary file, and refused past 20 MB: from its
length before it is read, or cut as it comes (``core.uploads.takes_upload``).
The steps after it carry only the counts and the rows skipped, in a signed
hidden field (salted with the playbook and the user, valid for an hour): no
row, no user, nothing in the session or the cache. Editors and owners only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from core import uploads
from core.forms import autofocus
from core.http import HtmxHttpRequest
from playbooks.access import Access, get_playbook
from playbooks.models import Level
from pulse import adoption, figures, usage, weeks
from pulse.models import MAX_COLUMN, AdoptionFigure, UsageColumns, UsageValue
from pulse.templatetags.pulse_charts import percent
from pulse.usage import Counted, Shape, UsageFileError
from roles.models import Role

MAX_AGE = 60 * 60  # a preview older than an hour is read again from the file
IGNORE = "ignore"
DateFormat = UsageColumns.DateFormat
LOCAL_FORMATS = (DateFormat.DAY_FIRST, DateFormat.MONTH_FIRST)
COLUMN_FIELDS = ("user_column", "date_column", "role_column")


def too_large_message() -> str:
    return _(
        "The file is larger than 20 MB. Export fewer weeks at a time (each import "
        "replaces only the weeks it holds), or only the user, date and role columns."
    )


# Forms


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Usage export (CSV)"),
        help_text=gettext_lazy(
            "Separated by ; or , in UTF-8 or Windows-1252, up to 20 MB: a login "
            "history (one row per login) or counts (week;role;active_users)."
        ),
        error_messages={"required": gettext_lazy("Choose the CRM’s usage export (a CSV file).")},
    )
    pick_columns = forms.BooleanField(
        required=False, label=gettext_lazy("Let me choose the columns again")
    )


class ColumnsForm(forms.Form):
    """The per-use file's columns, picked among its header's names."""

    user_column = forms.ChoiceField(
        label=gettext_lazy("User column"),
        help_text=gettext_lazy(
            "Who used the CRM: a user id, user name or e-mail. Used only to count "
            "each person once a week; never kept."
        ),
    )
    date_column = forms.ChoiceField(
        label=gettext_lazy("Date column"),
        help_text=gettext_lazy("When: a date, or a date and time."),
    )
    role_column = forms.ChoiceField(
        label=gettext_lazy("Role column"),
        help_text=gettext_lazy(
            "The column that tells the role: a profile, a role, a team. Its values "
            "are matched to the playbook’s roles in the next step."
        ),
    )
    date_format = forms.ChoiceField(
        label=gettext_lazy("Dates are written"),
        choices=DateFormat.choices,
        required=False,
    )

    def __init__(self, *args: Any, header: usage.Header, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header = header
        choices = [("", _("Choose a column…"))] + [(name, name) for name in header.choices]
        for name in COLUMN_FIELDS:
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
            field.error_messages["invalid_choice"] = _(
                "This file has no column called “%(value)s”."
            )
            field.error_messages["required"] = _("Choose one of the file’s columns.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picked = [data.get(name) for name in COLUMN_FIELDS]
        chosen = [name for name in picked if name]
        if len(set(chosen)) < len(chosen):
            raise forms.ValidationError(_("Choose a different column for each."))
        for name in COLUMN_FIELDS:
            value = data.get(name)
            if value and self.header.twice(value):
                self.add_error(
                    name,
                    _("Two columns are called “%(name)s”: rename one in the file.")
                    % {"name": value},
                )
            elif value and len(value) > MAX_COLUMN:
                self.add_error(
                    name,
                    _(
                        "This column’s name is longer than %(max)s characters: shorten it "
                        "in the file."
                    )
                    % {"max": MAX_COLUMN},
                )
        return data

    def columns(self, date_format: str) -> usage.Columns:
        data = self.cleaned_data
        return usage.Columns(
            user=data["user_column"],
            date=data["date_column"],
            role=data["role_column"],
            date_format=date_format,
        )


class MappingForm(forms.Form):
    """One select per value of the role column: a role, or ignore."""

    def __init__(
        self,
        data: Any,
        *,
        values: list[str],
        roles: list[Role],
        saved: Mapping[str, int | None],
    ) -> None:
        super().__init__(data)
        self.values = values
        self.role_ids = {role.pk for role in roles}
        choices = [
            ("", _("Choose…")),
            (IGNORE, _("Ignore (not a role)")),
            *[(str(role.pk), role.name) for role in roles],
        ]
        for i, value in enumerate(values):
            if value not in saved:
                initial = ""
            else:
                role_id = saved[value]
                initial = IGNORE if role_id is None else str(role_id)
            self.fields[self.name(i)] = forms.ChoiceField(
                label=value or _("(empty)"),
                choices=choices,
                initial=initial,
                error_messages={
                    "required": _("Choose a role, or ignore this value."),
                    "invalid_choice": _(
                        "Choose one of this playbook’s roles, or ignore this value."
                    ),
                },
            )

    @staticmethod
    def name(i: int) -> str:
        return f"value-{i}"

    def _read(self, choice: str) -> tuple[bool, int | None]:
        if choice == IGNORE:
            return True, None
        # Compared as the options write the ids: "²" is a digit to isdigit(),
        # and no number to int().
        role_id = {str(pk): pk for pk in self.role_ids}.get(choice)
        return role_id is not None, role_id

    def mapping(self) -> dict[str, int | None]:
        """The values chosen so far (the saved ones until the form is posted);
        a value without a valid choice is left out."""
        found: dict[str, int | None] = {}
        for i, value in enumerate(self.values):
            name = self.name(i)
            choice = self.data.get(name, "") if self.is_bound else self.fields[name].initial
            ok, role_id = self._read(str(choice or ""))
            if ok:
                found[value] = role_id
        return found


# What is carried between the steps.


def _salt(request: HttpRequest, access: Access) -> str:
    return f"pulse.usage-import:{access.playbook.pk}:{request.user.pk}"


def seal(request: HttpRequest, access: Access, counted: Counted) -> str:
    return signing.dumps(counted.as_data(), salt=_salt(request, access), compress=True)


def unseal(request: HttpRequest, access: Access) -> tuple[Counted | None, str]:
    """The counts the form carries, or None and why not."""
    token = request.POST.get("counted", "")
    try:
        data = signing.loads(token, salt=_salt(request, access), max_age=MAX_AGE)
        counted = Counted.from_data(data)
    except signing.SignatureExpired:
        return None, _("This preview is more than an hour old: import the file again.")
    except (signing.BadSignature, ValueError, TypeError, KeyError):
        return None, _(
            "This preview could not be read back (it was changed, or made for another "
            "playbook or person): import the file again. Nothing was saved."
        )
    if counted.go_live != access.playbook.pulse_go_live:
        return None, _(
            "Go-live has moved since the file was read, and with it the weeks: "
            "import the file again. Nothing was saved."
        )
    return counted, ""


# The preview.


def _number(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


@dataclass(frozen=True)
class WeekLine:
    week: int
    active: int
    headcount: int
    existing: int | None

    @property
    def rate(self) -> int | None:
        return adoption.rate(self.active, self.headcount)

    @property
    def over(self) -> bool:
        return self.rate is not None and self.rate > 100

    @property
    def replaces(self) -> bool:
        return self.existing is not None and self.existing != self.active

    @property
    def unchanged(self) -> bool:
        return self.existing == self.active

    @property
    def active_text(self) -> str:
        return _number(self.active)

    @property
    def headcount_text(self) -> str:
        return _number(self.headcount)

    @property
    def rate_text(self) -> str:
        """ "52 %" with a non-breaking space (as the results page writes it), or "—"."""
        return "—" if self.rate is None else percent(self.rate)

    @property
    def existing_text(self) -> str:
        return "" if self.existing is None else _number(self.existing)


@dataclass(frozen=True)
class RoleLines:
    role: Role
    refused: str | None  # fewer than 2k people: not counted, and why
    weeks: tuple[WeekLine, ...]


@dataclass(frozen=True)
class ValueLine:
    field: forms.BoundField
    peak: int  # the most distinct users it had in a week

    @property
    def peak_text(self) -> str:
        return _number(self.peak)


@dataclass
class Preview:
    counted: Counted
    token: str
    form: MappingForm | None
    values: list[ValueLine]
    roles: list[RoleLines]
    to_save: dict[tuple[int, int], int]
    replacing: dict[tuple[int, int], int]  # what those weeks held when shown
    fingerprint: str
    unmapped: int
    few_users: str = ""  # the user column seems not to tell who: why, in words

    @property
    def over(self) -> bool:
        return any(line.over for role in self.roles for line in role.weeks)

    @property
    def refused(self) -> list[RoleLines]:
        return [role for role in self.roles if role.refused]

    @property
    def counted_roles(self) -> list[RoleLines]:
        return [role for role in self.roles if not role.refused]

    @property
    def replaced(self) -> int:
        return sum(1 for role in self.counted_roles for line in role.weeks if line.replaces)

    @property
    def not_over(self) -> list[tuple[int, int, str]]:
        return [(week, n, _number(n)) for week, n in sorted(self.counted.not_over.items())]

    @property
    def rows_text(self) -> str:
        return _number(self.counted.rows)

    @property
    def before_text(self) -> str:
        return _number(self.counted.before)

    @property
    def date_format_label(self) -> str:
        columns = self.counted.columns
        return usage.format_label(columns.date_format) if columns else ""


def build_preview(access: Access, counted: Counted, token: str, data: Any | None = None) -> Preview:
    """The counts as they would be saved, with the figures they replace.
    Queries: roles, saved values (a per-use file), existing figures."""
    playbook = access.playbook
    roles = list(Role.objects.filter(playbook=playbook).order_by("order", "id"))
    by_id = {role.pk: role for role in roles}
    form = None
    values: list[ValueLine] = []
    if counted.shape is Shape.USES:
        saved = {
            value: role_id
            for value, role_id in UsageValue.objects.filter(playbook=playbook).values_list(
                "value", "role_id"
            )
            if role_id is None or role_id in by_id  # a role deleted since: ask again
        }
        form = MappingForm(data, values=counted.values, roles=roles, saved=saved)
        mapping = form.mapping()
        found = usage.role_counts(counted.uses, mapping)
        peaks: dict[str, dict[int, int]] = {}
        for (group, week), n in counted.uses.items():
            for value in group:
                per_week = peaks.setdefault(value, {})
                per_week[week] = per_week.get(week, 0) + n
        values = [
            ValueLine(form[form.name(i)], max(peaks[value].values()))
            for i, value in enumerate(counted.values)
        ]
        unmapped = len(counted.values) - len(mapping)
        few_users = _few_users(counted, mapping)
    else:
        few_users = ""
        mapping = {}
        found = {key: n for key, n in counted.figures.items() if key[0] in by_id}
        unmapped = 0
    existing = _existing(found)
    k = playbook.pulse_k
    lines: dict[int, list[WeekLine]] = {}
    to_save: dict[tuple[int, int], int] = {}
    refused: dict[int, str | None] = {}
    for (role_id, week), active in sorted(found.items()):
        role = by_id[role_id]
        if role_id not in refused:
            refused[role_id] = figures.role_refused(role, k)
        lines.setdefault(role_id, []).append(
            WeekLine(week, active, role.headcount, existing.get((role_id, week)))
        )
        if refused[role_id] is None:
            to_save[role_id, week] = active
    role_lines = [
        RoleLines(role, refused[role.pk], tuple(lines[role.pk]))
        for role in roles
        if role.pk in lines
    ]
    fingerprint = hashlib.sha256(
        json.dumps(
            [
                sorted((value, role_id or 0) for value, role_id in mapping.items()),
                sorted([*key, n] for key, n in to_save.items()),
                sorted([*key, existing.get(key, -1)] for key in to_save),
            ]
        ).encode()
    ).hexdigest()
    return Preview(
        counted=counted,
        token=token,
        form=form,
        values=values,
        roles=role_lines,
        to_save=to_save,
        replacing={key: existing[key] for key in to_save if key in existing},
        fingerprint=fingerprint,
        unmapped=unmapped,
        few_users=few_users,
    )


USER_SHARE = 50  # more rows than this per user and week: the column may not tell who
FEW_ROWS = 100  # fewer rows: nothing to tell by


def _few_users(counted: Counted, mapping: Mapping[str, int | None]) -> str:
    """A warning when the user column seems not to tell who (a team picked
    for it, say: "1 of 40 active" everywhere): fewer users than values given
    a role, or, in the rows of those values, more than ``USER_SHARE`` rows
    per user and week (under 2 %). "" when it looks like a user column."""
    mapped = {value for value, role_id in mapping.items() if role_id is not None}
    if counted.columns is None or not mapped or not counted.users:
        return ""
    rows = sum(counted.value_rows.get(value, 0) for value in mapped)
    user_weeks = sum(n for (group, _week), n in counted.uses.items() if mapped.intersection(group))
    if counted.users >= len(mapped) and (rows < FEW_ROWS or user_weeks * USER_SHARE >= rows):
        return ""
    return ngettext(
        "Only %(users)s user in column “%(column)s”, over %(rows)s rows: is it the "
        "column that tells who used the CRM (a user id, user name or e-mail)?",
        "Only %(users)s different users in column “%(column)s”, over %(rows)s rows: is it "
        "the column that tells who used the CRM (a user id, user name or e-mail)?",
        counted.users,
    ) % {
        "users": _number(counted.users),
        "column": counted.columns.user,
        "rows": _number(counted.rows),
    }


def _existing(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The figures saved for these (role id, week): one query."""
    keys = list(keys)
    wanted = set(keys)
    return {
        (role_id, week): active
        for role_id, week, active in AdoptionFigure.objects.filter(
            role__in={role_id for role_id, _w in keys} or [0],
            week__in={week for _r, week in keys} or [0],
        ).values_list("role_id", "week", "active_users")
        if (role_id, week) in wanted
    }


# Pages


TEMPLATE = "planner/adoption_import.html"


def _context(access: Access, **extra: Any) -> dict[str, Any]:
    playbook = access.playbook
    return {
        "access": access,
        "playbook": playbook,
        "section": "results",
        "no_go_live": playbook.pulse_go_live is None,
        "errors": [],
        "more_errors": 0,
        **extra,
    }


def _step(request: HtmxHttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """The whole page, or with htmx the import's region alone."""
    if request.htmx:
        return render(request, f"{TEMPLATE}#step", context, status=status)
    return render(request, TEMPLATE, context, status=status)


def _errors(page: dict[str, Any], errors: usage.Errors) -> None:
    page.update(errors=errors.shown, more_errors=errors.more, more_text=_number(errors.more))


def _saved_columns(access: Access) -> UsageColumns | None:
    return UsageColumns.objects.filter(playbook=access.playbook).first()


@require_http_methods(["GET", "POST"])
@uploads.takes_upload(usage.MAX_BYTES)
def usage_import(request: HtmxHttpRequest, playbook_id: int) -> HttpResponse:
    """The form, and the upload. Queries (GET): session, user, membership
    with playbook, the saved columns, the plan's progress."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    if request.method == "GET":
        saved = _saved_columns(access)
        return render(
            request,
            TEMPLATE,
            _context(
                access,
                upload_form=UploadForm(
                    initial={"pick_columns": request.GET.get("columns") == "again"}
                ),
                saved=saved,
            ),
        )
    return _upload(request, access)


def _upload(request: HtmxHttpRequest, access: Access) -> HttpResponse:
    saved = _saved_columns(access)
    form = UploadForm(request.POST, request.FILES)
    page = _context(access, upload_form=form, saved=saved)
    if uploads.too_large(request):
        form.is_valid()
        form.errors["file"] = form.error_class([too_large_message()])
        page["errors"] = [too_large_message()]
        return _step(request, page)
    if page["no_go_live"]:
        return _step(request, page)
    if not form.is_valid():
        autofocus(form)  # with htmx, the focus goes to the field that says why
        return _step(request, page)
    upload: UploadedFile = form.cleaned_data["file"]
    file: IO[bytes] = upload.file  # type: ignore[assignment]
    day = weeks.today()
    try:
        header = usage.read_header(file)
        if header.shape is Shape.COUNTS:
            return _counts(request, access, page, file, header, day)
        return _uses(request, access, page, file, header, day, saved)
    except UsageFileError as error:
        page["errors"] = error.errors
        return _step(request, page)
    finally:
        upload.close()


def _counts(
    request: HtmxHttpRequest,
    access: Access,
    page: dict[str, Any],
    file: IO[bytes],
    header: usage.Header,
    day: Any,
) -> HttpResponse:
    playbook = access.playbook
    roles = list(Role.objects.filter(playbook=playbook))
    saved = page["saved"]
    read = usage.read_counts(
        file,
        header,
        playbook=playbook,
        roles=roles,
        day=day,
        date_format=saved.date_format if saved else "",
    )
    if read.errors:
        _errors(page, read.errors)
        return _step(request, page)
    go_live = playbook.pulse_go_live
    assert go_live is not None, "checked before the file is read"
    counted = Counted(shape=Shape.COUNTS, go_live=go_live, rows=read.rows, figures=read.figures)
    return _show_preview(request, access, counted)


def _uses(
    request: HtmxHttpRequest,
    access: Access,
    page: dict[str, Any],
    file: IO[bytes],
    header: usage.Header,
    day: Any,
    saved: UsageColumns | None,
) -> HttpResponse:
    """A per-use file: its columns (saved, picked, or asked for), its date
    format (told by its values, picked, saved, or asked for), then counted."""
    go_live = access.playbook.pulse_go_live
    assert go_live is not None, "checked before the file is read"
    picked = request.POST.get("step") == "columns"
    known = (
        saved is not None
        and not page["upload_form"].cleaned_data["pick_columns"]
        and all(
            header.index(name) is not None and not header.twice(name)
            for name in (saved.user_column, saved.date_column, saved.role_column)
        )
    )
    if picked:
        columns_form = ColumnsForm(request.POST, header=header)
    elif known:
        assert saved is not None
        # The saved format decides only dates the values leave open.
        columns_form = ColumnsForm(
            {
                "user_column": saved.user_column,
                "date_column": saved.date_column,
                "role_column": saved.role_column,
                "date_format": "",
            },
            header=header,
        )
    else:  # the first import, or a file without the saved columns: ask
        guessed = usage.guess_columns(header.names)
        if saved is not None:  # what was used last time, where this file has it
            for what, name in (
                ("user", saved.user_column),
                ("date", saved.date_column),
                ("role", saved.role_column),
            ):
                if header.index(name) is not None:
                    guessed[what] = name
        initial = {f"{what}_column": name for what, name in guessed.items() if name}
        return _ask_columns(request, page, ColumnsForm(initial=initial, header=header))
    if not columns_form.is_valid():
        return _ask_columns(request, page, columns_form)
    chosen = columns_form.cleaned_data["date_format"]
    date_column = columns_form.cleaned_data["date_column"]
    date_format = chosen
    if not chosen:
        guess = usage.guess_date_format(file, header, date_column)
        date_format = guess.format or ""
        if not date_format and saved is not None and saved.date_format in LOCAL_FORMATS:
            date_format = saved.date_format
        if not date_format:
            message = _(
                "The dates could be read day first or month first (03/04/2027 is "
                "3 April or 4 March): choose how they are written."
            )
            return _ask_again(request, page, columns_form, "date_format", message, guess.likely)
    columns = columns_form.columns(date_format)
    try:
        counted_uses = usage.count_uses(file, header, columns, go_live=go_live, day=day)
    except UsageFileError as error:
        if error.field == "role":
            return _ask_again(request, page, columns_form, "role_column", error.errors[0], chosen)
        raise
    if counted_uses.errors:
        _errors(page, counted_uses.errors)
        if picked:  # keep the choices on the page, beside the file
            page["columns_form"] = columns_form
        return _step(request, page)
    counted = Counted(
        shape=Shape.USES,
        go_live=go_live,
        rows=counted_uses.rows,
        before=counted_uses.before,
        not_over=counted_uses.not_over,
        uses=counted_uses.counts,
        columns=columns,
        users=counted_uses.users,
        value_rows=counted_uses.value_rows,
    )
    return _show_preview(request, access, counted)


def _ask_again(
    request: HtmxHttpRequest,
    page: dict[str, Any],
    columns_form: ColumnsForm,
    field: str,
    message: str,
    date_format: str,
) -> HttpResponse:
    """The column step again, as chosen, with ``message`` beside ``field``
    (and ``date_format`` selected: the likelier one, when it is asked for)."""
    data = {name: columns_form.cleaned_data[name] for name in COLUMN_FIELDS}
    ask = ColumnsForm({**data, "date_format": date_format}, header=columns_form.header)
    ask.is_valid()
    ask.add_error(field, message)
    return _ask_columns(request, page, ask)


def _ask_columns(
    request: HtmxHttpRequest, page: dict[str, Any], columns_form: ColumnsForm
) -> HttpResponse:
    """The column step. With htmx only the columns are swapped in, beside
    the file input that still holds the file; without, the whole page, and
    the file is chosen again."""
    page["columns_form"] = autofocus(columns_form)
    if request.htmx:
        html = render_to_string(f"{TEMPLATE}#columns", page, request)
        html += render_to_string(f"{TEMPLATE}#errors", {**page, "oob": True}, request)
        response = HttpResponse(html)
        response["HX-Retarget"] = "#usage-columns"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, TEMPLATE, page)


def _show_preview(request: HtmxHttpRequest, access: Access, counted: Counted) -> HttpResponse:
    preview = build_preview(access, counted, seal(request, access, counted))
    return _step(request, _context(access, preview=preview))


@require_POST
def usage_preview(request: HtmxHttpRequest, playbook_id: int) -> HttpResponse:
    """The preview again, with the values' roles as chosen. Queries: session,
    user, membership with playbook, roles, saved values, existing figures,
    the plan's progress."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    counted, problem = unseal(request, access)
    if counted is None:
        return _refused(request, access, problem)
    preview = build_preview(access, counted, request.POST["counted"], request.POST)
    return _step(request, _context(access, preview=preview))


def _refused(request: HtmxHttpRequest, access: Access, problem: str) -> HttpResponse:
    return _step(
        request,
        _context(access, upload_form=UploadForm(), saved=_saved_columns(access), errors=[problem]),
        status=400,
    )


class ChangedMeanwhile(Exception):
    """Figures for the previewed weeks were saved since they were read."""


def changed_note() -> str:
    return _(
        "The counts below are not the ones you saw: a choice changed, or someone "
        "saved figures for these weeks meanwhile. Check them, then save."
    )


def _save(playbook: Any, counted: Counted, preview: Preview) -> figures.Saved:
    """The figures, and the columns and values for the next import."""
    if counted.columns is not None:
        UsageColumns.objects.update_or_create(
            playbook=playbook,
            defaults={
                "user_column": counted.columns.user,
                "date_column": counted.columns.date,
                "role_column": counted.columns.role,
                "date_format": counted.columns.date_format,
            },
        )
    if preview.form is not None:
        UsageValue.objects.bulk_create(
            [
                UsageValue(playbook=playbook, value=value, role_id=role_id)
                for value, role_id in preview.form.mapping().items()
            ],
            update_conflicts=True,
            unique_fields=["playbook", "value"],
            update_fields=["role"],
        )
    return figures.replace(playbook, preview.to_save)


def _already_saved(access: Access, counted: Counted, preview: Preview) -> bool:
    """Whether what this preview would save is saved already, figures, values
    and columns (a confirm replayed, or Save clicked twice): no conflict then.
    Queries: the saved values, the saved columns."""
    if not preview.to_save or preview.replacing != preview.to_save:
        return False
    if preview.form is not None:
        mapping = preview.form.mapping()
        stored = dict(
            UsageValue.objects.filter(
                playbook=access.playbook, value__in=list(mapping)
            ).values_list("value", "role_id")
        )
        if stored != mapping:
            return False
    if counted.columns is not None:
        saved = _saved_columns(access)
        if (
            saved is None
            or usage.Columns(
                saved.user_column, saved.date_column, saved.role_column, saved.date_format
            )
            != counted.columns
        ):
            return False
    return True


def _saved_already(request: HtmxHttpRequest, access: Access) -> HttpResponse:
    messages.success(request, _("These figures are already saved."))
    return redirect(reverse("results", args=[access.playbook.pk]) + "#adoption")


@require_POST
def usage_confirm(request: HtmxHttpRequest, playbook_id: int) -> HttpResponse:
    """Save the previewed figures, all at once, and the columns and values
    for the next import. The preview comes back instead when a value has no
    choice, or when what would be saved is not what was shown (a choice
    changed since, or another editor saved figures for these weeks); but
    when what it would save is saved already, figures, values and columns
    (the confirm replayed, or Save clicked twice), it says so and goes to
    the results, as a save does.
    Queries: session, user, membership with playbook, roles, saved values,
    existing figures; then, in one transaction, the roles locked and their
    figures read again, and the writes (constant for new figures; a figure
    that changes is saved with its history, two queries each)."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    counted, problem = unseal(request, access)
    if counted is None:
        return _refused(request, access, problem)
    preview = build_preview(access, counted, request.POST["counted"], request.POST)
    note = ""
    if preview.form is not None and not preview.form.is_valid():
        note = _("Choose a role for each value, or ignore it, then save.")
    elif request.POST.get("shown") != preview.fingerprint:
        if _already_saved(access, counted, preview):
            return _saved_already(request, access)
        note = changed_note()
    elif not preview.to_save:
        note = _("There is nothing to save: no value counts for a role that takes figures.")
    if note:
        return _step(request, _context(access, preview=preview, note=note))
    playbook = access.playbook
    try:
        with transaction.atomic():
            # Another import or a typed figure waits for this one (or this for
            # it), role by role in one order, as pulse.figures.replace does;
            # what it saved meanwhile is seen here, before anything is written.
            role_ids = sorted({role_id for role_id, _week in preview.to_save})
            list(
                Role.objects.select_for_update(no_key=True)  # a pulse answer's insert goes on
                .filter(pk__in=role_ids)
                .order_by("pk")
                .values_list("pk")
            )
            if _existing(preview.to_save) != preview.replacing:
                raise ChangedMeanwhile
            saved = _save(playbook, counted, preview)
    except ChangedMeanwhile:
        preview = build_preview(access, counted, request.POST["counted"], request.POST)
        if _already_saved(access, counted, preview):  # Save clicked twice: the first saved
            return _saved_already(request, access)
        return _step(request, _context(access, preview=preview, note=changed_note()))
    messages.success(
        request,
        _("Adoption figures imported: %(new)s new, %(changed)s changed, %(same)s as they were.")
        % {"new": saved.created, "changed": saved.changed, "same": saved.unchanged},
    )
    return redirect(reverse("results", args=[playbook.pk]) + "#adoption")
