"""The WIIFM matrix: every role of a playbook on one screen, a grid whose
cells are edited one at a time, in place.

One page (planner/matrix.html) and its partials: a cell, shown or being
edited; a role's balance, the totals and the chart (out of band after a
save); a row's Give-Gets, opened below it. A cell is a link to a one-field
form: without JavaScript the form is a page of its own and a save returns to
the matrix; with htmx the link swaps itself for the form, and a save answers
with the cell plus the balance, totals, chart and a status line out of band.
app.js adds the keys: Enter or Tab saves and opens the next cell, Shift+Tab
the previous one, Escape cancels. Adding, deleting and moving roles answer
with the whole matrix.
"""

from __future__ import annotations

from django.contrib import messages
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from core import concurrency, undo
from core.forms import autofocus, suggest_owners
from core.fragments import cached_fragment
from core.http import HtmxHttpRequest
from core.ordering import move
from givegets import services as giveget_services
from givegets.forms import GiveGetForm, QuickGiveGetForm
from givegets.selectors import get_giveget, get_role_with_givegets, giveget_of
from planner.grid import (
    GIVEGET_CELLS,
    ROLE_CELLS,
    Cell,
    Row,
    giveget_cell_form,
    giveget_cells,
    matrix_context,
    matrix_summary,
    open_rows,
    role_cell_form,
    role_cells,
)
from planner.services import add_role, delete_role, giveget_undo_label, role_undo_label
from playbooks.access import Access, get_playbook
from playbooks.models import Level
from playbooks.people import owner_suggestions
from roles import services
from roles.forms import AddRoleForm, MatrixRoleForm
from roles.models import FACTORS, Role
from roles.selectors import get_role
from roles.templatetags.wiifm import VERDICT_LABELS


def _matrix_url(access: Access, anchor: str = "", *, open_pk: int | None = None) -> str:
    url = reverse("matrix", args=[access.playbook.pk])
    if open_pk is not None:
        url += f"?open={open_pk}"
    return f"{url}#{anchor}" if anchor else url


def _open(request: HttpRequest) -> frozenset[int]:
    """The rows whose Give-Gets the reader has open (app.js sends them along)."""
    return open_rows(request.GET.getlist("open") + request.POST.getlist("open"))


def _section(request: HttpRequest, context: dict[str, object]) -> HttpResponse:
    """The whole matrix, and the status line (outside it) out of band."""
    html = render_to_string("planner/matrix.html#matrix", context, request)
    html += render_to_string("planner/matrix.html#status", {**context, "oob": True}, request)
    return HttpResponse(html)


@require_GET
def matrix(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """Queries: session, user, membership with playbook, the plan's progress; and on a
    fragment cache miss roles, Give-Gets, ambassadors.

    The matrix itself is a cached fragment (``core.fragments``) that varies
    with whether the reader may edit. Rows opened with ``?open=`` (the way to
    open Give-Gets without JavaScript) are drawn for the request, not cached.
    """
    access = get_playbook(request, playbook_id)
    open_pks = _open(request)
    if open_pks:  # rows opened without JavaScript: drawn for this request, not cached
        return render(request, "planner/matrix.html", matrix_context(access, open_pks=open_pks))
    fragment = cached_fragment(
        request,
        name="matrix",
        playbook=access.playbook,
        template="planner/matrix.html#matrix",
        context=lambda: matrix_context(access, open_pks=open_pks),
        vary=["edit" if access.can_edit else "read"],
    )
    return render(
        request,
        "planner/matrix.html",
        {
            "access": access,
            "playbook": access.playbook,
            "section": "matrix",
            "matrix_html": fragment.html,
        },
    )


# The values the chart shows: a role's name, and what its balance and verdict
# come from. Saving another value leaves the chart as it is (it is not sent).
CHART_FIELDS = frozenset(
    {"name", *FACTORS, "minutes_each", "times_per_week", "minutes_saved_per_week"}
)


def _saved(
    request: HtmxHttpRequest, access: Access, role: Role, cell: Cell, *, field: str
) -> HttpResponse:
    """A saved cell, with the role's balance and verdict, the totals, the chart
    and a status line out of band. The balances, the totals and the chart
    come from two light queries (``matrix_summary``), made after the save."""
    summary = matrix_summary(access.playbook)
    balance = summary.balances.get(role.pk)
    if balance is None:  # someone else deleted the role just after this save: the matrix as it is
        messages.success(request, _("%(label)s saved.") % {"label": cell.label})
        return HttpResponseClientRedirect(_matrix_url(access))
    row = Row(role, balance, access.can_edit)
    status = _("%(name)s saved: %(verdict)s.") % {
        "name": role.name,
        "verdict": VERDICT_LABELS[row.balance.verdict],
    }
    context = {
        **summary.context(with_chart=field in CHART_FIELDS),
        "access": access,
        "playbook": access.playbook,
        "row": row,
        "oob": True,
        "status_message": status,
    }
    html = render_to_string("planner/matrix.html#cell", {"cell": cell}, request)
    html += render_to_string("planner/matrix.html#saved", context, request)
    return HttpResponse(html)


def _editor(
    request: HtmxHttpRequest, access: Access, *, form: BaseForm, cell: Cell, back: str
) -> HttpResponse:
    """The cell's one-field form: in place with htmx, else a page of its own.
    A refused value keeps the focus, its message tied to the field."""
    if form.errors and request.htmx:  # the page shows errors beside the field itself
        for bound in form.visible_fields():
            bound.field.widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": f"{cell.id}-error"}
            )
    context = {
        "access": access,
        "playbook": access.playbook,
        "section": "matrix",
        "form": form,
        "cell": cell,
        "back": back,
    }
    status = concurrency.status(form)
    if request.htmx:
        return render(request, "planner/matrix.html#cell_editor", context, status=status)
    return render(request, "planner/matrix_cell.html", context, status=status)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def matrix_cell(
    request: HtmxHttpRequest, playbook_id: int, role_id: int, name: str
) -> HttpResponse:
    """One value of a role: its editor (GET), a save (POST); with htmx and
    ``?cancel=1`` the value as shown. A save costs a fixed number of queries
    (pinned in tests/roles/test_matrix.py): session, user, membership with
    playbook, the role, the name check (for a name), the role locked (merged
    with what others saved since the editor was opened: ``core.concurrency``;
    a conflict answers 409 with both values), the update and its history
    record, the PDF render's task after commit (once a minute at most), and
    the numbers of the totals and the chart (two)."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    if name not in ROLE_CELLS:
        raise Http404
    role = get_role(access.playbook, role_id)  # its balance comes with the totals
    cell = role_cells(role, can_edit=True, names=[name])[name]
    if request.htmx and request.method == "GET" and request.GET.get("cancel"):
        return render(request, "planner/matrix.html#cell", {"cell": cell})
    form = role_cell_form(role, name, request.POST if request.method == "POST" else None)
    saved = request.method == "POST" and form.is_valid()
    if saved and services.save_role_form(form):
        if not request.htmx:
            messages.success(request, concurrency.saved_message(form))
            return redirect(_matrix_url(access, f"role-{role.pk}"))
        cell = role_cells(role, can_edit=True, names=[name])[name]
        return _saved(request, access, role, cell, field=name)
    back = _matrix_url(access, f"role-{role.pk}")
    return _editor(request, access, form=autofocus(form), cell=cell, back=back)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def matrix_giveget_cell(
    request: HtmxHttpRequest, playbook_id: int, role_id: int, giveget_id: int, name: str
) -> HttpResponse:
    """One value of a Give-Get, as ``matrix_cell`` for a role."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    if name not in GIVEGET_CELLS:
        raise Http404
    gg = get_giveget(access.playbook, role_id, giveget_id)
    role = gg.role
    cell = giveget_cells(gg, role, can_edit=True, names=[name])[name]
    if request.htmx and request.method == "GET" and request.GET.get("cancel"):
        return render(request, "planner/matrix.html#cell", {"cell": cell})
    form = giveget_cell_form(gg, name, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and concurrency.save(form):
        if not request.htmx:
            messages.success(request, _("Give-Get saved."))
            return redirect(_matrix_url(access, f"gg-{gg.pk}", open_pk=role.pk))
        cell = giveget_cells(gg, role, can_edit=True, names=[name])[name]
        return _saved(request, access, role, cell, field=name)
    if name == "owner":  # two queries more: members, ambassadors
        suggest_owners(form, owner_suggestions(access.playbook))
    back = _matrix_url(access, f"gg-{gg.pk}", open_pk=role.pk)
    return _editor(request, access, form=autofocus(form), cell=cell, back=back)


@require_GET
@vary_on_headers("HX-Request")
def matrix_givegets(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """A row's Give-Gets, opened below it (app.js loads them when opened).
    Without JavaScript the matrix opens them itself (``?open=``)."""
    access = get_playbook(request, playbook_id)
    if not request.htmx:
        get_object_or_404(access.playbook.roles, pk=role_id)
        return redirect(_matrix_url(access, f"gg-row-{role_id}", open_pk=role_id))
    return _givegets_response(request, access, role_id)


def _givegets_response(
    request: HttpRequest,
    access: Access,
    role_id: int,
    *,
    add_form: GiveGetForm | None = None,
    status: str = "",
    focus_id: str = "",
) -> HttpResponse:
    """The row's Give-Gets, and out of band its balance, the totals, the chart,
    the count on its toggle and a status line."""
    context = matrix_context(access, open_pks=frozenset({role_id}))
    row = next((row for row in context["rows"] if row.role.pk == role_id), None)
    if row is None:
        raise Http404
    if add_form is not None:
        row.add_giveget_form = add_form  # with its errors, or empty with the focus
    row_context = {**context, "row": row, "focus_id": focus_id}
    html = render_to_string("planner/matrix.html#givegets", row_context, request)
    html += render_to_string("planner/matrix.html#toggle", {**row_context, "oob": True}, request)
    html += render_to_string("planner/matrix.html#balance", {**row_context, "oob": True}, request)
    html += render_to_string("planner/matrix.html#totals", {**context, "oob": True}, request)
    html += render_to_string("planner/matrix.html#chart", {**context, "oob": True}, request)
    html += render_to_string(
        "planner/matrix.html#status", {"oob": True, "status_message": status}, request
    )
    return HttpResponse(html)


@require_POST
@vary_on_headers("HX-Request")
def matrix_giveget_add(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role_with_givegets(access.playbook, role_id)
    form = QuickGiveGetForm(request.POST, prefix=f"new{role.pk}")
    if form.is_valid():
        giveget_services.create_giveget(role=role, giveget=form.save(commit=False))
        status = _("Give-Get “%(give)s” added to %(role)s.") % {
            "give": form.instance.give,
            "role": role.name,
        }
        if not request.htmx:
            messages.success(request, status)
            return redirect(_matrix_url(access, f"gg-row-{role.pk}", open_pk=role.pk))
        # Ready for the next one: the add form again, empty, with the focus.
        empty = autofocus(QuickGiveGetForm(prefix=f"new{role.pk}"))
        return _givegets_response(request, access, role.pk, add_form=empty, status=status)
    if request.htmx:
        return _givegets_response(request, access, role.pk, add_form=autofocus(form))
    context = matrix_context(access, open_pks=frozenset({role.pk}))
    for row in context["rows"]:
        if row.role.pk == role.pk:
            row.add_giveget_form = autofocus(form)
    return render(request, "planner/matrix.html", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def matrix_giveget_delete(
    request: HtmxHttpRequest, playbook_id: int, role_id: int, giveget_id: int
) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role_with_givegets(access.playbook, role_id)
    gg = giveget_of(role, giveget_id)
    if request.method == "POST":
        others = list(role.givegets.all())
        following = next((o for o in others[others.index(gg) + 1 :]), None)
        back = _matrix_url(access, f"gg-row-{role.pk}", open_pk=role.pk)
        offer = undo.delete(
            request,
            gg,
            playbook_id=access.playbook.pk,
            kind="giveget",
            label=giveget_undo_label(gg),
            back=back,
        )
        status = _("Give-Get “%(give)s” deleted.") % {"give": gg.give}
        if not request.htmx:
            messages.success(request, status)
            return redirect(back)
        # The focus goes to the Give-Get below, or to the add form.
        if following is not None:
            response = _givegets_response(
                request, access, role.pk, status=status, focus_id=f"gg-cell-{following.pk}-give"
            )
        else:
            empty = autofocus(QuickGiveGetForm(prefix=f"new{role.pk}"))
            response = _givegets_response(request, access, role.pk, add_form=empty, status=status)
        return undo.attach(request, response, offer)
    return render(
        request,
        "planner/giveget_delete.html",
        {
            "access": access,
            "playbook": access.playbook,
            "role": role,
            "gg": gg,
            "delete_url": reverse(
                "matrix_giveget_delete", args=[access.playbook.pk, role.pk, gg.pk]
            ),
            "cancel_url": _matrix_url(access, f"gg-{gg.pk}", open_pk=role.pk),
            "section": "matrix",
        },
    )


@require_http_methods(["GET", "POST"])
def matrix_edit(request: HttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """Every value of a role on one page: where the health check sends an
    editor to fix a row. The matrix itself edits one cell at a time."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role_with_givegets(access.playbook, role_id)
    form = MatrixRoleForm(
        request.POST or None, instance=role, playbook=access.playbook, prefix=f"role{role.pk}"
    )
    if request.method == "POST" and form.is_valid() and services.save_role_form(form):
        messages.success(request, concurrency.saved_message(form))
        return redirect(_matrix_url(access, f"role-{role.pk}"))
    context = {
        "access": access,
        "playbook": access.playbook,
        "section": "matrix",
        "role": role,
        "form": autofocus(form),
    }
    return render(request, "planner/matrix_edit.html", context, status=concurrency.status(form))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def matrix_add(request: HtmxHttpRequest, playbook_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    if request.method == "GET":  # the form is below the matrix
        return redirect(_matrix_url(access, "add-role"))
    form = AddRoleForm(request.POST, playbook=access.playbook, prefix="add")
    role = add_role(form, playbook=access.playbook) if form.is_valid() else None
    open_pks = _open(request)
    if role is not None:
        status = _("Role “%(name)s” added.") % {"name": role.name}
        if request.htmx:
            # Ready for the next one: the add form again, empty, with the focus.
            add_form = autofocus(AddRoleForm(playbook=access.playbook, prefix="add"))
            context = matrix_context(
                access, open_pks=open_pks, status_message=status, add_form=add_form
            )
            return _section(request, context)
        messages.success(request, status)
        return redirect(_matrix_url(access, f"role-{role.pk}"))
    context = matrix_context(access, open_pks=open_pks, add_form=autofocus(form))
    if request.htmx:
        return _section(request, context)
    return render(request, "planner/matrix.html", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def matrix_delete(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role_with_givegets(access.playbook, role_id)
    if request.method == "POST":
        following = (
            access.playbook.roles.filter(order__gt=role.order).order_by("order", "pk").first()
        )
        offer = undo.delete(
            request,
            role,
            playbook_id=access.playbook.pk,
            kind="role",
            label=role_undo_label(role),
            back=_matrix_url(access, f"role-{role.pk}"),
            remove=lambda: delete_role(role=role),
        )
        status = _("Role “%(name)s” deleted.") % {"name": role.name}
        if request.htmx:
            # The focus goes to the row below, or to the add form.
            context = matrix_context(
                access,
                open_pks=_open(request),
                status_message=status,
                focus_id=f"cell-{following.pk}-name" if following else "",
            )
            if following is None:
                context["add_form"] = autofocus(context["add_form"])
            return undo.attach(request, _section(request, context), offer)
        messages.success(request, status)
        return redirect(_matrix_url(access))
    return render(
        request,
        "planner/role_delete.html",
        {
            "access": access,
            "playbook": access.playbook,
            "role": role,
            "givegets": list(role.givegets.all()),
            "delete_url": reverse("matrix_delete", args=[access.playbook.pk, role.pk]),
            "cancel_url": _matrix_url(access, f"role-{role.pk}"),
            "section": "matrix",
        },
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def matrix_move(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role_with_givegets(access.playbook, role_id)
    direction = request.POST.get("direction", "")
    if request.method == "POST":
        roles = list(access.playbook.roles.all())
        if not any(other.pk == role.pk for other in roles):  # deleted since the look-up
            if request.htmx:
                context = matrix_context(
                    access, open_pks=_open(request), status_message=concurrency.DELETED_MEANWHILE
                )
                return _section(request, context)
            messages.warning(request, concurrency.DELETED_MEANWHILE)
            return redirect(_matrix_url(access))
        move(roles, role, direction, playbook_id=access.playbook.pk)
        if request.htmx:
            context = matrix_context(access, open_pks=_open(request), moved=(role.pk, direction))
            return _section(request, context)
    return redirect(_matrix_url(access, f"role-{role.pk}"))
