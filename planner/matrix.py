"""The WIIFM matrix: every role of a playbook on one screen, edited in place.

One page and its fragments: a row (shown or being edited), the totals and the
chart, each a partial of planner/matrix.html. With htmx a saved row answers
with itself plus the totals and the chart out of band; adding, deleting and
moving answer with the whole matrix. Without JavaScript every action is a
form that redirects back to the matrix, or a page of its own.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from ambassadors.models import Ambassador
from core.forms import autofocus
from core.fragments import cached_fragment
from core.http import HtmxHttpRequest
from core.ordering import move
from givegets.selectors import get_role_with_givegets, roles_with_givegets
from playbooks.access import Access, get_playbook
from playbooks.models import Level
from roles import services
from roles.chart import balance_chart
from roles.equation import total_hours
from roles.forms import AddRoleForm, MatrixRoleForm
from roles.models import Role
from roles.templatetags.wiifm import VERDICT_LABELS


def matrix_context(access: Access, **extra: Any) -> dict[str, Any]:
    """Everything the matrix shows. Three queries: roles, Give-Gets, ambassadors."""
    roles = list(
        roles_with_givegets(access.playbook).prefetch_related(
            Prefetch("ambassadors", queryset=Ambassador.objects.order_by("-influence", "name"))
        )
    )
    rows = []
    for role in roles:
        role.playbook = access.playbook  # quick-win dates need go-live, already loaded
        rows.append((role, role.balance()))
    return {
        "access": access,
        "playbook": access.playbook,
        "rows": rows,
        "total_hours": (total := total_hours(balance for _role, balance in rows)),
        "total_hours_abs": abs(total),
        "total_people": sum(role.headcount for role in roles),
        "chart": balance_chart(
            [(role.name, balance.time_balance, balance.verdict) for role, balance in rows]
        ),
        "first_pk": roles[0].pk if roles else None,
        "last_pk": roles[-1].pk if roles else None,
        "add_form": AddRoleForm(playbook=access.playbook, prefix="add"),
        "section": "matrix",
        **extra,
    }


def _matrix_url(access: Access, role: Role | None = None) -> str:
    url = reverse("matrix", args=[access.playbook.pk])
    return f"{url}#role-{role.pk}" if role else url


def _section(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render(request, "planner/matrix.html#matrix", context)


@require_GET
def matrix(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """Queries: session, user, membership with playbook, the plan's progress; and on a
    fragment cache miss roles, Give-Gets, ambassadors.

    The matrix itself is a cached fragment (``core.fragments``) that varies
    with whether the reader may edit.
    """
    access = get_playbook(request, playbook_id)
    fragment = cached_fragment(
        request,
        name="matrix",
        playbook_id=access.playbook.pk,
        template="planner/matrix.html#matrix",
        context=lambda: matrix_context(access),
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


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def matrix_edit(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role_with_givegets(access.playbook, role_id)
    form = MatrixRoleForm(
        request.POST or None, instance=role, playbook=access.playbook, prefix=f"role{role.pk}"
    )
    if request.method == "POST" and form.is_valid() and services.save_role_form(form):
        if not request.htmx:
            messages.success(request, _("Changes saved."))
            return redirect(_matrix_url(access, role))
        context = matrix_context(access, focus_pk=role.pk)
        row = next((r, b) for r, b in context["rows"] if r.pk == role.pk)
        html = render_to_string(
            "planner/matrix.html#row", {**context, "role": row[0], "balance": row[1]}, request
        )
        html += render_to_string("planner/matrix.html#totals", {**context, "oob": True}, request)
        html += render_to_string("planner/matrix.html#chart", {**context, "oob": True}, request)
        status = _("%(name)s saved: %(verdict)s.") % {
            "name": row[0].name,
            "verdict": VERDICT_LABELS[row[1].verdict],
        }
        html += render_to_string(
            "planner/matrix.html#status", {"oob": True, "status_message": status}, request
        )
        return HttpResponse(html)
    context = {**matrix_context(access), "role": role, "form": autofocus(form)}
    if request.htmx:
        return render(request, "planner/matrix.html#row_form", context)
    return render(request, "planner/matrix_edit.html", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def matrix_add(request: HtmxHttpRequest, playbook_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    if request.method == "GET":  # the form is the matrix's last row
        return redirect(_matrix_url(access) + "#add-role")
    form = AddRoleForm(request.POST, playbook=access.playbook, prefix="add")
    role = services.save_role_form(form, new_in=access.playbook) if form.is_valid() else None
    if role is not None:
        if request.htmx:
            status = _("Role “%(name)s” added.") % {"name": role.name}
            return _section(
                request, matrix_context(access, focus_pk=role.pk, status_message=status)
            )
        messages.success(request, _("Role “%(name)s” added.") % {"name": role.name})
        return redirect(_matrix_url(access, role))
    context = matrix_context(access, add_form=autofocus(form))
    if request.htmx:
        return _section(request, context)
    return render(request, "planner/matrix.html", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def matrix_delete(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role_with_givegets(access.playbook, role_id)
    if request.method == "POST":
        role.delete()
        if request.htmx:
            status = _("Role “%(name)s” deleted.") % {"name": role.name}
            return _section(request, matrix_context(access, status_message=status))
        messages.success(request, _("Role “%(name)s” deleted.") % {"name": role.name})
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
            "cancel_url": _matrix_url(access, role),
            "section": "matrix",
        },
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def matrix_move(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role_with_givegets(access.playbook, role_id)
    if request.method == "POST":
        move(
            list(access.playbook.roles.all()),
            role,
            request.POST.get("direction", ""),
            playbook_id=access.playbook.pk,
        )
        if request.htmx:
            return _section(request, matrix_context(access, focus_pk=role.pk))
    return redirect(_matrix_url(access, role))
