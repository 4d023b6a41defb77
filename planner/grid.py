"""What the WIIFM matrix shows, as a grid: rows of roles, each value of a role
or of a Give-Get a cell with its text and the address of its one-field editor
(the views are in planner.matrix). Cells are built only for the rows shown.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambassadors.models import Ambassador
from core.concurrency import TOKEN
from core.typography import quote
from givegets.forms import GiveGetForm, QuickGiveGetForm
from givegets.models import GiveGet
from givegets.selectors import role_sums, roles_with_givegets
from playbooks.access import Access
from playbooks.models import Playbook
from roles.chart import Chart, balance_chart
from roles.equation import (
    Balance,
    Factors,
    balance_of_sums,
    format_minutes,
    format_number,
    total_hours,
)
from roles.forms import AddRoleForm, RoleForm
from roles.models import FACTORS, Role

# The values of a role, in the order Tab visits them.
ROLE_CELLS: tuple[str, ...] = (
    "name",
    "headcount",
    "question",
    "concerns",
    "wiifm",
    *FACTORS,
    "quick_win",
    "quick_win_due",
)
GIVEGET_CELLS: tuple[str, ...] = tuple(GiveGetForm.Meta.fields)
# Texts that may be long: clamped in the grid, edited in a text area.
LONG_TEXTS = frozenset({"question", "concerns", "wiifm", "quick_win", "give", "get"})
FACTOR_CHOICES = [("", "–"), *((str(n), str(n)) for n in range(6))]


@dataclass(frozen=True)
class Cell:
    """One value in the grid: what it shows, and where it is edited."""

    id: str
    url: str
    label: str  # the field and whose it is, for screen readers and the editor's label
    text: str
    empty: bool = False
    long: bool = False
    editable: bool = False


@dataclass
class GiveGetRow:
    giveget: GiveGet
    cells: dict[str, Cell]


@dataclass
class Row:
    """A role in the matrix: its equation, and its cells built when shown."""

    role: Role
    balance: Balance
    can_edit: bool
    givegets_open: bool = False
    _cells: dict[str, Cell] | None = field(default=None, repr=False)

    @property
    def cells(self) -> dict[str, Cell]:
        if self._cells is None:
            self._cells = role_cells(self.role, can_edit=self.can_edit)
        return self._cells

    @functools.cached_property
    def givegets(self) -> list[GiveGetRow]:
        return [
            GiveGetRow(gg, giveget_cells(gg, self.role, can_edit=self.can_edit))
            for gg in self.role.givegets.all()
        ]

    @property
    def pulse_active(self) -> bool:
        """Whether the role has a pulse link (loaded with the roles: no query)."""
        return hasattr(self.role, "pulse_link")

    @functools.cached_property
    def giveget_count(self) -> int:
        return len(self.role.givegets.all())

    @functools.cached_property
    def add_giveget_form(self) -> GiveGetForm:
        return QuickGiveGetForm(prefix=f"new{self.role.pk}")


def _label(field_name: str, whose: str, model: type[Role] | type[GiveGet]) -> str:
    model_field = model._meta.get_field(field_name)
    assert isinstance(model_field, models.Field)
    verbose = capfirst(str(model_field.verbose_name))
    return _("%(field)s of %(whose)s") % {"field": verbose, "whose": whose}


def _role_text(role: Role, name: str) -> tuple[str, bool]:
    """What a role's cell shows, and whether it is empty."""
    value = getattr(role, name)
    if name == "headcount":
        number = formats.number_format(value, force_grouping=True)
        return ngettext("%(n)s person", "%(n)s people", value) % {"n": number}, False
    if name == "quick_win_due":
        due = role.quick_win_due_date
        if due is None:
            return _("end of week 1"), True
        date = formats.date_format(due, "DATE_FORMAT")
        if role.quick_win_due is None:
            return _("due %(date)s (follows go-live)") % {"date": date}, False
        return _("due %(date)s") % {"date": date}, False
    if name in FACTORS:
        return ("–", True) if value is None else (str(value), False)
    if not value:
        placeholders = {
            "question": _("not written yet"),
            "wiifm": _("not answered yet"),
            "concerns": _("none written yet"),
            "quick_win": _("none yet"),
        }
        return placeholders[name], True
    return (quote(value) if name == "question" else str(value)), False


def _cells(
    names: Iterable[str],
    *,
    text_of: Callable[[str], tuple[str, bool]],
    id_prefix: str,
    url_prefix: str,
    whose: str,
    model: type[Role] | type[GiveGet],
    can_edit: bool,
) -> dict[str, Cell]:
    cells = {}
    for name in names:
        text, empty = text_of(name)
        cells[name] = Cell(
            id=f"{id_prefix}{name}",
            url=f"{url_prefix}{name}/",
            label=_label(name, whose, model),
            text=text,
            empty=empty,
            long=name in LONG_TEXTS,
            editable=can_edit,
        )
    return cells


def role_cells(role: Role, *, can_edit: bool, names: Iterable[str] = ROLE_CELLS) -> dict[str, Cell]:
    """The role's cells (``names``: only these)."""
    url = reverse("matrix_cell", args=[role.playbook_id, role.pk, "name"])
    return _cells(
        names,
        text_of=lambda name: _role_text(role, name),
        id_prefix=f"cell-{role.pk}-",
        url_prefix=url.removesuffix("name/"),
        whose=role.name,
        model=Role,
        can_edit=can_edit,
    )


def _giveget_text(gg: GiveGet, name: str) -> tuple[str, bool]:
    separator = formats.get_format("DECIMAL_SEPARATOR")
    value = getattr(gg, name)
    match name:
        case "minutes_each" | "minutes_saved_per_week":
            return format_minutes(value, sign=False, decimal_separator=separator), False
        case "times_per_week":
            return format_number(value, decimal_separator=separator), False
        case "get_kind":
            return str(gg.get_get_kind_display()), False
        case "status":
            return str(gg.get_status_display()), False
        case "deliver_by":
            if value is None:
                return "–", True
            return formats.date_format(value, "SHORT_DATE_FORMAT"), False
        case "get" if not value:
            return _("not decided yet"), True
        case _:
            return (str(value), False) if value else ("–", True)


def giveget_cells(
    gg: GiveGet, role: Role, *, can_edit: bool, names: Iterable[str] = GIVEGET_CELLS
) -> dict[str, Cell]:
    """The Give-Get's cells (``names``: only these)."""
    url = reverse("matrix_giveget_cell", args=[role.playbook_id, role.pk, gg.pk, "give"])
    return _cells(
        names,
        text_of=lambda name: _giveget_text(gg, name),
        id_prefix=f"gg-cell-{gg.pk}-",
        url_prefix=url.removesuffix("give/"),
        whose=quote(gg.give),
        model=GiveGet,
        can_edit=can_edit,
    )


def one_field[F: forms.BaseForm](form: F, name: str) -> F:
    """The form with one field left, the cell's, styled for the grid (the
    matrix's and the results page's). A model form's model validates only it
    (and the rules across fields, which the forms read from the instance)."""
    for other in list(form.fields):
        if other not in (name, TOKEN):
            del form.fields[other]
    field = form.fields[name]
    field.help_text = ""  # the grid has no room for it; the role page shows it
    field.widget.attrs.pop("autofocus", None)
    select = isinstance(field.widget, forms.Select)
    field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control"
    return form


class RoleCellForm(RoleForm):
    def validate_constraints(self) -> None:
        """Left to the database. One value of a role: its field's validators
        (the same ranges) and clean_name check it, the database's constraints
        back them (save_role_form answers a name it refuses); checking them
        here too costs a savepoint and a query each, on every cell save."""


class GiveGetCellForm(GiveGetForm):
    def validate_constraints(self) -> None:
        """Left to the database, as for a role's cell: the fields' validators
        hold the same ranges, and GiveGetForm.clean() the 2,400-minute cap."""


def role_cell_form(role: Role, name: str, data: Any = None) -> RoleForm:
    form = RoleCellForm(data, instance=role, playbook=role.playbook, prefix=f"c{role.pk}")
    if name in FACTORS:
        form.fields[name].widget = forms.Select(choices=FACTOR_CHOICES)
    elif name in LONG_TEXTS:
        form.fields[name].widget = forms.Textarea(attrs={"rows": 4})
    one_field(form, name)
    return form


def giveget_cell_form(gg: GiveGet, name: str, data: Any = None) -> GiveGetForm:
    form = GiveGetCellForm(data, instance=gg, prefix=f"g{gg.pk}")
    if name in LONG_TEXTS:
        form.fields[name].widget = forms.Textarea(attrs={"rows": 3})
    one_field(form, name)
    return form


def open_rows(values: list[str]) -> frozenset[int]:
    """The roles whose Give-Gets are open: ``?open=12&open=14`` or ``?open=12,14``."""
    pks = set()
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if part.isascii() and part.isdigit() and len(part) < 12:
                pks.add(int(part))
    return frozenset(pks)


@dataclass(frozen=True)
class Summary:
    """The matrix's totals and chart, and each role's balance."""

    balances: dict[int, Balance]
    names: dict[int, str]
    total_hours: Decimal
    total_people: int

    def chart(self) -> Chart:
        return balance_chart(
            [(self.names[pk], b.time_balance, b.verdict) for pk, b in self.balances.items()]
        )

    def context(self, *, with_chart: bool) -> dict[str, Any]:
        """The totals; the chart only when it is to be drawn."""
        return {
            "total_hours": self.total_hours,
            "total_hours_abs": abs(self.total_hours),
            "total_people": self.total_people,
            "chart": self.chart() if with_chart else None,
            "with_chart": with_chart,
        }


def matrix_summary(playbook: Playbook) -> Summary:
    """The totals and the chart from the numbers alone: one query of plain
    values, the Give-Gets summed per role by the database (a cell save
    answers with them)."""
    balances: dict[int, Balance] = {}
    names: dict[int, str] = {}
    for sums in role_sums(playbook):
        names[sums.pk] = sums.name
        balances[sums.pk] = balance_of_sums(
            sums.given, sums.gained, sums.count, Factors(*sums.factors), sums.headcount
        )
    total = total_hours(balances.values())
    return Summary(
        balances=balances,
        names=names,
        total_hours=total,
        total_people=sum(b.headcount for b in balances.values()),
    )


def matrix_context(
    access: Access, *, open_pks: frozenset[int] = frozenset(), **extra: Any
) -> dict[str, Any]:
    """Everything the matrix shows. Three queries: roles (with their pulse
    links), Give-Gets, ambassadors."""
    roles = list(
        roles_with_givegets(access.playbook)
        .select_related("pulse_link")
        .prefetch_related(
            Prefetch("ambassadors", queryset=Ambassador.objects.order_by("-influence", "name"))
        )
    )
    rows = []
    for role in roles:
        role.playbook = access.playbook  # quick-win dates need go-live, already loaded
        rows.append(Row(role, role.balance(), access.can_edit, role.pk in open_pks))
    total = total_hours(row.balance for row in rows)
    return {
        "access": access,
        "playbook": access.playbook,
        "rows": rows,
        "total_hours": total,
        "total_hours_abs": abs(total),
        "total_people": sum(role.headcount for role in roles),
        "chart": balance_chart(
            [(row.role.name, row.balance.time_balance, row.balance.verdict) for row in rows]
        ),
        "first_pk": roles[0].pk if roles else None,
        "last_pk": roles[-1].pk if roles else None,
        "add_form": AddRoleForm(playbook=access.playbook, prefix="add"),
        "open_pks": ",".join(str(pk) for pk in sorted(open_pks)),
        "section": "matrix",
        **extra,
    }
