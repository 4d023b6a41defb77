"""The results page's grid of adoption figures: active users of each role in
each closed week since go-live, and each role's target (DESIGN.md "Adoption
figures"). Typed in place as the matrix is (planner.grid's cells, the same
editor and keys); the views are in planner.results.

A figure is one row of its own (``AdoptionFigure``), and a week may have none
yet, so its cell carries the value it was read with (``read_as``, signed) rather
than a row's version: saving over a value someone else typed meanwhile is a
conflict, as for every edited row (DESIGN.md "No silent overwrite"). The target
is a field of the role, saved through ``core.concurrency`` as the matrix's
role cells are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from core.concurrency import (
    CHOICE,
    KEEP_THEIRS,
    MINE,
    TOKEN,
    Conflict,
    Disputed,
    changed_by,
    shown,
)
from core.forms import DigitsField
from planner.grid import Cell, one_field
from playbooks.models import Playbook
from pulse.adoption import RoleAdoption
from pulse.models import MAX_ACTIVE_USERS, AdoptionFigure
from pulse.templatetags.pulse_charts import percent
from pulse.weeks import week_dates
from roles.forms import AdoptionTargetForm
from roles.models import Role

SALT = "planner.adoption_grid"
EMPTY = "–"


@dataclass(frozen=True)
class GridWeek:
    number: int
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True)
class GridRow:
    role: Role
    adoption: RoleAdoption
    cells: tuple[Cell, ...]  # weeks 1 … the last closed one; none for a role under 2k
    target: Cell


@dataclass(frozen=True)
class Grid:
    weeks: tuple[GridWeek, ...]
    rows: tuple[GridRow, ...]
    two_k: int


def _base(playbook_id: int) -> str:
    """The cells' addresses start with this (one ``reverse`` for the whole grid)."""
    return reverse("adoption_target", args=[playbook_id, 0]).removesuffix("0/target/")


def figure_label(role: Role, week: int) -> str:
    return _("Active users of %(role)s in week %(week)s") % {"role": role.name, "week": week}


def figure_cell(
    role: Role, week: int, active: int | None, *, can_edit: bool, base: str = ""
) -> Cell:
    """One week's active users of one role."""
    base = base or _base(role.playbook_id)
    return Cell(
        id=f"fig-{role.pk}-{week}",
        url=f"{base}{role.pk}/{week}/",
        label=figure_label(role, week),
        text=EMPTY if active is None else formats.number_format(active, force_grouping=True),
        empty=active is None,
        editable=can_edit,
    )


def target_cell(role: Role, *, can_edit: bool, base: str = "") -> Cell:
    """The role's adoption target."""
    base = base or _base(role.playbook_id)
    return Cell(
        id=f"target-{role.pk}",
        url=f"{base}{role.pk}/target/",
        label=_("Adoption target of %(role)s") % {"role": role.name},
        text=percent(role.adoption_target),
        editable=can_edit,
    )


def grid(
    playbook: Playbook,
    roles: list[Role],
    adoption: dict[int, RoleAdoption],
    last_closed: int,
    *,
    can_edit: bool,
) -> Grid:
    """The grid for ``roles`` (in the matrix's order), from the figures
    ``pulse.adoption.adoption_for`` read: no query of its own."""
    go_live = playbook.pulse_go_live
    base = _base(playbook.pk)
    rows = []
    for role in roles:
        used = adoption[role.pk]
        cells: tuple[Cell, ...] = ()
        if not used.too_small:
            cells = tuple(
                figure_cell(role, w.week, w.active, can_edit=can_edit, base=base)
                for w in used.weeks
            )
        rows.append(GridRow(role, used, cells, target_cell(role, can_edit=can_edit, base=base)))
    return Grid(
        weeks=tuple(
            GridWeek(n, *week_dates(go_live, n)) for n in range(1, last_closed + 1) if go_live
        ),
        rows=tuple(rows),
        two_k=2 * playbook.pulse_k,
    )


# --- Editing one figure ----------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """What a figure's editor says it was read with."""

    value: int | None
    disputed: bool  # drawn again with a conflict: the choice is still to make


def read_token(role: Role, week: int, value: int | None, *, disputed: bool = False) -> str:
    return signing.dumps({"r": role.pk, "w": week, "v": value, "d": disputed}, salt=SALT)


class FigureForm(forms.Form):
    """One week's active users of one role; empty clears the week's figure.
    The field comes from the model: a whole number, 0 … MAX_ACTIVE_USERS."""

    active_users = DigitsField(
        label=AdoptionFigure._meta.get_field("active_users").verbose_name,
        required=False,
        min_value=0,
        max_value=MAX_ACTIVE_USERS,
    )
    read_as = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)

    def __init__(
        self, data: Any = None, *, role: Role, week: int, stored: int | None = None
    ) -> None:
        super().__init__(
            data,
            prefix=f"f{role.pk}-{week}",
            initial={"active_users": stored, TOKEN: read_token(role, week, stored)},
        )
        self.role = role
        self.week = week
        self.conflict: Conflict | None = None
        field = self.fields["active_users"]
        assert isinstance(field, DigitsField)
        field.refuse_with(
            _("Enter how many people used the CRM: a whole number from 0 to %(max)s, in digits.")
            % {"max": formats.number_format(MAX_ACTIVE_USERS, force_grouping=True)}
        )
        one_field(self, "active_users")

    @property
    def choice_name(self) -> str:
        """The name of the conflict's two buttons (includes/conflict.html)."""
        return self.add_prefix(CHOICE)

    def choice(self) -> str | None:
        """The conflict's button pressed: "mine", "theirs", or None."""
        if not self.is_bound:
            return None
        return {MINE: MINE, KEEP_THEIRS: KEEP_THEIRS}.get(self.data.get(self.choice_name, ""))

    def read(self) -> Read | None:
        """The value the editor was drawn with; None when the form carries none
        we can trust (then it is saved as it arrives)."""
        if not self.is_bound:
            return None
        try:
            data = signing.loads(self.data.get(self.add_prefix(TOKEN), ""), salt=SALT)
        except signing.BadSignature:
            return None
        if data.get("r") != self.role.pk or data.get("w") != self.week:
            return None
        return Read(value=data.get("v"), disputed=bool(data.get("d")))

    def refuse(self, *, theirs: int | None, mine: int | None) -> None:
        """Someone else changed the figure since it was read: nothing saved.
        The editor is drawn again with their value and this person's, read
        as of now, the choice (save mine over it, keep theirs) to make."""
        record = (
            AdoptionFigure.history.filter(role_id=self.role.pk, week=self.week)
            .select_related("history_user")
            .order_by("-history_date")
            .first()
        )
        field = AdoptionFigure._meta.get_field("active_users")
        self.conflict = Conflict(
            who=changed_by(record),
            when=record.history_date if record is not None else None,
            fields=(
                Disputed(
                    name="active_users",
                    label=str(field.verbose_name),
                    theirs=shown(field, theirs),
                    mine=shown(field, mine),
                ),
            ),
        )
        data = dict(self.data.items())
        data[self.add_prefix(TOKEN)] = read_token(self.role, self.week, theirs, disputed=True)
        data.pop(self.choice_name, None)
        self.data = data


def target_form(role: Role, data: Any = None) -> AdoptionTargetForm:
    form = AdoptionTargetForm(data, instance=role, prefix=f"t{role.pk}")
    return one_field(form, "adoption_target")
