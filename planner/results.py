"""Since go-live: each role's measured Net Beneficiary beside its plan, and
its adoption rate against its target (DESIGN.md "The results page and the
health check").

The results page (``/playbooks/<id>/results/``), the role page's "Since
go-live" section and the overview's card all read the pulse here, and this
module reads it only through ``pulse.results.results_for``: the rules of what
may be shown (closed weeks only, at least k answers, at least 2k people) are
kept there, in one place. Adoption figures are read only through
``pulse.adoption.adoption_for`` (one query), for the same reason. The page's
grid of figures, typed in place, is planner.adoption_grid.

"Today" is ``weeks.today()``, read through its module (so a test pins it
with one monkeypatch). A week closes on a date and k is the playbook's, so
the cached fragments that show results put the last closed week and k in
their keys (``cache_part``): a cached fragment never shows a week it should
not, nor misses one that closed.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from core import concurrency
from core.concurrency import KEEP_THEIRS, MINE
from core.forms import autofocus
from core.fragments import cached_fragment
from core.http import HtmxHttpRequest
from givegets.models import GiveGet
from planner import adoption_grid
from planner.grid import Cell
from playbooks.access import Access, get_playbook
from playbooks.models import Level, Playbook
from pulse import figures, weeks
from pulse.adoption import AdoptionWeek, Picture, RoleAdoption, adoption_for, picture
from pulse.measure import Measured
from pulse.models import MAX_WEEK, AdoptionFigure
from pulse.results import RoleResults, results_for
from pulse.templatetags.pulse_charts import percent
from roles.equation import Balance
from roles.models import Role
from roles.selectors import get_role


class Stage(StrEnum):
    NO_GO_LIVE = "no_go_live"
    NOT_YET = "not_yet"  # go-live set, week 1 not closed yet
    OPEN = "open"  # at least one closed week


@dataclass(frozen=True)
class Since:
    """Where a playbook stands since go-live, on a given day."""

    stage: Stage
    go_live: datetime.date | None
    last_closed: int  # 0 while no week is closed
    k: int
    day: datetime.date

    @property
    def first_close(self) -> datetime.date | None:
        """The last day of week 1: results start once it is over."""
        return weeks.week_dates(self.go_live, 1)[1] if self.go_live else None

    @property
    def live(self) -> bool:
        """Go-live has come (the overview's card shows from then on)."""
        return self.go_live is not None and self.day >= self.go_live

    @property
    def two_k(self) -> int:
        return 2 * self.k


def since(playbook: Playbook, day: datetime.date) -> Since:
    last = weeks.last_closed_week(playbook.pulse_go_live, day)
    if playbook.pulse_go_live is None:
        stage = Stage.NO_GO_LIVE
    elif last == 0:
        stage = Stage.NOT_YET
    else:
        stage = Stage.OPEN
    return Since(stage, playbook.pulse_go_live, last, playbook.pulse_k, day)


def cache_part(playbook: Playbook, day: datetime.date) -> str:
    """What a cached fragment showing results varies with, beyond the playbook's
    version: the last closed week (a date closes it) and k."""
    return f"pulse-w{weeks.last_closed_week(playbook.pulse_go_live, day)}-k{playbook.pulse_k}"


def measured(
    playbook: Playbook, rows: Sequence[tuple[Role, Balance]], day: datetime.date
) -> dict[int, RoleResults]:
    """Each role's results, its plan beside them. No query before week 1 has
    closed; then three (``results_for``: the state, the summaries, the kept k),
    whatever the number of roles, weeks and answers."""
    return results_for(
        playbook, [role for role, _b in rows], {r.pk: b.time_balance for r, b in rows}, day
    )


@dataclass(frozen=True)
class ResultRow:
    """One role on the results page: its plan, its pulse, its adoption."""

    role: Role
    balance: Balance  # the plan
    results: RoleResults
    adoption: RoleAdoption

    @property
    def last(self) -> Measured | None:
        return self.results.last

    @property
    def used(self) -> AdoptionWeek | None:
        """The last closed week with an adoption figure."""
        return self.adoption.last

    @property
    def p1(self) -> bool:
        """Finding P1: not "net beneficiary" in each of its last two shown weeks."""
        return self.results.needs_attention

    @property
    def p2(self) -> bool:
        """Finding P2: below its adoption target in each of its last three
        closed weeks with figures, from week 4 on."""
        return self.adoption.needs_attention

    @property
    def attention(self) -> bool:
        return self.p1 or self.p2

    @property
    def picture(self) -> Picture | None:
        """Adoption and the pulse together, in words (None until both have a week)."""
        return picture(self.results, self.adoption)

    @property
    def url(self) -> str:
        return reverse("role_detail", args=[self.role.playbook_id, self.role.pk]) + (
            "#since-go-live"
        )


def ordered(rows: Sequence[ResultRow]) -> list[ResultRow]:
    """Roles needing attention first (finding P1 or P2), then those whose last shown
    week fell furthest below the plan, each most negative gap first; then the
    rest in the matrix's order (the order ``rows`` come in)."""

    def key(item: tuple[int, ResultRow]) -> tuple[int, Decimal, int]:
        index, row = item
        gap = row.last.gap if row.last is not None else Decimal(0)
        if row.attention:
            return (0, gap, index)
        if gap < 0:
            return (1, gap, index)
        return (2, Decimal(0), index)

    return [row for _i, row in sorted(enumerate(rows), key=key)]


def roles_with_plan(playbook: Playbook) -> list[tuple[Role, Balance]]:
    """The playbook's roles in the matrix's order, each with its plan. Two
    queries: roles, Give-Gets."""
    roles = list(
        Role.objects.filter(playbook=playbook)
        .order_by("order", "id")
        .prefetch_related(Prefetch("givegets", queryset=GiveGet.objects.order_by("order", "id")))
    )
    for role in roles:
        role.playbook = playbook
    return [(role, role.balance()) for role in roles]


@dataclass(frozen=True)
class Attention:
    """A role needing attention on the overview's card, and which findings say so."""

    name: str
    url: str
    p1: bool
    p2: bool


@dataclass(frozen=True)
class Card:
    """The overview's "Since go-live" card."""

    since: Since
    total: int  # roles
    shown: int  # roles with at least one shown week
    attention: tuple[Attention, ...]  # each role needing attention (P1, P2)
    with_figures: int = 0  # roles with at least one week of adoption figures


def card(
    playbook: Playbook,
    rows: Sequence[tuple[Role, Balance]],
    results: dict[int, RoleResults],
    day: datetime.date,
    adoption: dict[int, RoleAdoption] | None = None,
) -> Card | None:
    """None before go-live (the overview shows no card then)."""
    state = since(playbook, day)
    if not state.live:
        return None
    adoption = adoption or {}
    attention = []
    shown = with_figures = 0
    for role, _balance in rows:
        role_results = results.get(role.pk)
        used = adoption.get(role.pk)
        if role_results is not None and role_results.last is not None:
            shown += 1
        if used is not None and used.last is not None:
            with_figures += 1
        p1 = role_results is not None and role_results.needs_attention
        p2 = used is not None and used.needs_attention
        if p1 or p2:
            # P1 is read on the role page's pulse; P2 on the results page's row.
            if p1:
                url = reverse("role_detail", args=[playbook.pk, role.pk]) + "#since-go-live"
            else:
                url = reverse("results", args=[playbook.pk]) + f"#role-{role.pk}"
            attention.append(Attention(role.name, url, p1, p2))
    return Card(state, len(rows), shown, tuple(attention), with_figures)


class RolePulse:
    """The role page's "Since go-live", read only when the template shows it
    (the role page's htmx fragments do not, and cost nothing more)."""

    def __init__(self, playbook: Playbook, role: Role, balance: Balance, day: datetime.date):
        self.playbook = playbook
        self.role = role
        self.balance = balance
        self.since = since(playbook, day)

    @cached_property
    def results(self) -> RoleResults:
        return measured(self.playbook, [(self.role, self.balance)], self.since.day)[self.role.pk]

    @property
    def last(self) -> Measured | None:
        return self.results.last


def results_context(
    access: Access, day: datetime.date, *, with_grid: bool = True
) -> dict[str, Any]:
    """Everything the results page's body shows (``with_grid``: its grid of
    figures too). Two queries (roles, Give-Gets); from the first closed week
    on four more: the pulse's three (state, summaries, kept k) and the
    adoption figures, whatever the numbers."""
    playbook = access.playbook
    plan = roles_with_plan(playbook)
    found = measured(playbook, plan, day)
    roles = [role for role, _b in plan]
    used = adoption_for(playbook, roles, day)
    state = since(playbook, day)
    rows = ordered(
        [ResultRow(role, balance, found[role.pk], used[role.pk]) for role, balance in plan]
    )
    return {
        "access": access,
        "playbook": playbook,
        "since": state,
        "rows": rows,
        "attention_count": sum(1 for row in rows if row.attention),
        "shown_count": sum(1 for row in rows if row.last is not None),
        "grid": (
            adoption_grid.grid(playbook, roles, used, state.last_closed, can_edit=access.can_edit)
            if with_grid
            else None
        ),
    }


@require_GET
def results_page(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """The results page, for every member. Queries: session, user, membership
    with playbook, the plan's progress for the header; on a fragment cache
    miss also those of ``results_context``.

    The body is a cached fragment (``core.fragments``): closed weeks take no
    more answers, so it changes only with the playbook's version (a headcount,
    a Give-Get, an adoption figure or target, k, go-live), the last closed
    week and the reader's rights."""
    access = get_playbook(request, playbook_id)
    playbook = access.playbook
    day = weeks.today()
    fragment = cached_fragment(
        request,
        name="results",
        playbook=playbook,
        template="planner/results.html#results_body",
        context=lambda: results_context(access, day),
        vary=["edit" if access.can_edit else "read", cache_part(playbook, day)],
    )
    return render(
        request,
        "planner/results.html",
        {
            "access": access,
            "playbook": playbook,
            "section": "results",
            "results_html": fragment.html,
        },
    )


# --- The grid of adoption figures, typed in place (planner.adoption_grid) ----------------------


def _grid_url(access: Access) -> str:
    return reverse("results", args=[access.playbook.pk]) + "#adoption"


def _saved(
    request: HtmxHttpRequest, access: Access, role: Role, cell: Cell, *, day: datetime.date
) -> HttpResponse:
    """A saved cell, and out of band the role's results row (its rate against
    target, sparkline and picture), the page's summary and a status line. The
    whole page's context is read again after the save: a fixed number of
    queries (``results_context``), and the summary's count of roles needing
    attention stays true."""
    context = results_context(access, day, with_grid=False)
    row = next((row for row in context["rows"] if row.role.pk == role.pk), None)
    if row is None:  # someone else deleted the role just after this save: the page as it is
        messages.success(request, _("%(label)s saved.") % {"label": cell.label})
        return HttpResponseClientRedirect(_grid_url(access))
    used = row.used
    if used is None or used.rate is None:
        status = _("%(role)s saved: no adoption rate yet.") % {"role": role.name}
    else:
        status = _("%(role)s saved: %(rate)s of %(target)s in week %(week)s.") % {
            "role": role.name,
            "rate": percent(used.rate),
            "target": percent(used.target),
            "week": used.week,
        }
    html = render_to_string("planner/matrix_cell_value.html", {"cell": cell}, request)
    html += render_to_string(
        "planner/results.html#saved",
        {**context, "row": row, "oob": True, "status_message": status},
        request,
    )
    return HttpResponse(html)


def _editor(
    request: HtmxHttpRequest,
    access: Access,
    *,
    form: BaseForm | None,
    cell: Cell,
    refused: str = "",
    status: int = 200,
) -> HttpResponse:
    """The cell's one-field form: in place with htmx, else a page of its own.
    A refused value keeps the focus, its message tied to the field; a cell
    whose rule refuses any value (a week not over, a role under 2k) says why."""
    if form is not None and form.errors and request.htmx:
        for bound in form.visible_fields():
            bound.field.widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": f"{cell.id}-error"}
            )
    context = {
        "access": access,
        "playbook": access.playbook,
        "section": "results",
        "form": autofocus(form) if form is not None else None,
        "cell": cell,
        "refused": refused,
        "back": _grid_url(access),
        "back_label": _("Results since go-live"),
    }
    if request.htmx:
        return render(request, "planner/cell_editor.html", context, status=status)
    return render(request, "planner/matrix_cell.html", context, status=status)


def _stored(role: Role, week: int) -> int | None:
    """The week's figure as it stands (one query)."""
    return (
        AdoptionFigure.objects.filter(role=role, week=week)
        .values_list("active_users", flat=True)
        .first()
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def adoption_figure(
    request: HtmxHttpRequest, playbook_id: int, role_id: int, week: int
) -> HttpResponse:
    """One week's active users of one role: its editor (GET), a save (POST);
    with htmx and ``?cancel=1`` the value as shown. Only for a closed week and
    a role of at least 2k people (``pulse.figures``' rules, said in the
    cell); an empty value clears the week's figure. A save goes through
    ``pulse.figures.save_one``: someone else's change since the editor was
    drawn answers 409 with both values, as every edited row does."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    playbook = access.playbook
    role = get_role(playbook, role_id)
    if week > MAX_WEEK:
        raise Http404  # no such week: the field holds a small whole number
    day = weeks.today()
    refused = figures.week_refused(playbook, week, day) or figures.role_refused(
        role, playbook.pulse_k
    )
    is_get = request.method == "GET"
    stored = _stored(role, week) if is_get else None
    cell = adoption_grid.figure_cell(role, week, stored, can_edit=True)
    if request.htmx and is_get and request.GET.get("cancel"):
        return render(request, "planner/matrix_cell_value.html", {"cell": cell})
    if refused:
        return _editor(request, access, form=None, cell=cell, refused=refused)
    form = adoption_grid.FigureForm(
        None if is_get else request.POST, role=role, week=week, stored=stored
    )
    if is_get or not form.is_valid():
        return _editor(request, access, form=form, cell=cell)
    mine = form.cleaned_data["active_users"]
    read = form.read()
    choice = form.choice()
    if choice == KEEP_THEIRS:
        written = figures.Written(stored=_stored(role, week), changed=False, conflict=False)
    elif read is not None and read.disputed and choice is None:
        # Shown a conflict, saved without choosing: the choice is still to make.
        theirs = _stored(role, week)
        written = figures.Written(stored=theirs, changed=False, conflict=theirs != mine)
    else:
        written = figures.save_one(
            playbook=playbook,
            role=role,
            week=week,
            active=mine,
            read=read.value if read is not None else None,
            overwrite=read is None or choice == MINE,
            day=day,
        )
    if written.gone:
        form.add_error(None, str(concurrency.DELETED_MEANWHILE))
        return _editor(request, access, form=form, cell=cell)
    if written.conflict:
        form.refuse(theirs=written.stored, mine=mine)
        return _editor(request, access, form=form, cell=cell, status=409)
    cell = adoption_grid.figure_cell(role, week, written.stored, can_edit=True)
    if not request.htmx:
        if choice == KEEP_THEIRS:
            messages.success(request, _("Their value kept."))
        else:
            messages.success(request, _("%(label)s saved.") % {"label": cell.label})
        return redirect(_grid_url(access))
    return _saved(request, access, role, cell, day=day)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def adoption_target(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """A role's adoption target, 1-100 %, as ``adoption_figure`` for a week;
    saved as the matrix saves a role's cell (``core.concurrency``: merged
    with what others saved since, a conflict answers 409 with both values)."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    cell = adoption_grid.target_cell(role, can_edit=True)
    if request.htmx and request.method == "GET" and request.GET.get("cancel"):
        return render(request, "planner/matrix_cell_value.html", {"cell": cell})
    form = adoption_grid.target_form(role, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and concurrency.save(form):
        if not request.htmx:
            messages.success(request, concurrency.saved_message(form))
            return redirect(_grid_url(access))
        cell = adoption_grid.target_cell(role, can_edit=True)
        return _saved(request, access, role, cell, day=weeks.today())
    return _editor(request, access, form=form, cell=cell, status=concurrency.status(form))
