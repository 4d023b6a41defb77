"""The role page: one role with its Give-Gets and the equation; Give-Gets
edited in place on it.

One view serves htmx and plain requests. With htmx a change answers with the
Give-Gets section and, out of band, the equation, so the verdict updates
without a reload; without JavaScript the same view redirects to the role page
after a POST, or shows the form on a page of its own.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from core.forms import autofocus
from core.fragments import cached_fragment
from core.http import HtmxHttpRequest
from core.inplace import edit_form_response
from core.ordering import move
from givegets import services
from givegets.forms import GiveGetForm
from givegets.models import GiveGet
from givegets.selectors import get_role_with_givegets as get_role
from playbooks.access import Access, get_playbook
from playbooks.models import Level
from roles.models import Role


def role_context(access: Access, role: Role, **extra: object) -> dict[str, object]:
    """What the role page and its fragments need."""
    return {
        "access": access,
        "playbook": access.playbook,
        "role": role,
        "givegets": list(role.givegets.all()),
        "balance": role.balance(),
        "section": "roles",
        **extra,
    }


@require_GET
def role_detail(request: HttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """Queries: session, user, membership with playbook, the plan's progress;
    on a fragment cache miss also the role and its Give-Gets.

    The page's body is a cached fragment (``core.fragments``) that varies with
    the role and whether the reader may edit. A fragment exists only for a
    role that existed at this version: a deleted role changes the version,
    and then get_role() answers 404.
    """
    access = get_playbook(request, playbook_id)

    def context() -> dict[str, object]:
        role = get_role(access.playbook, role_id)
        extra = {"add_form": GiveGetForm(prefix="new")} if access.can_edit else {}
        return role_context(access, role, **extra)

    fragment = cached_fragment(
        request,
        name="role",
        playbook_id=access.playbook.pk,
        template="planner/role_detail.html#role_body",
        context=context,
        vary=[role_id, "edit" if access.can_edit else "read"],
        meta=lambda context: {"name": context["role"].name},
    )
    return render(
        request,
        "planner/role_detail.html",
        {
            "access": access,
            "playbook": access.playbook,
            "role": {"name": fragment.meta["name"]},
            "section": "roles",
            "role_html": fragment.html,
        },
    )


@require_http_methods(["GET", "POST"])
def role_delete(request: HttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    if request.method == "POST":
        role.delete()
        messages.success(request, _("Role “%(name)s” deleted.") % {"name": role.name})
        return redirect("playbook_detail", access.playbook.pk)
    return render(request, "planner/role_delete.html", role_context(access, role))


def _role_url(role: Role) -> str:
    return reverse("role_detail", args=[role.playbook_id, role.pk])


def _section_response(
    request: HttpRequest, access: Access, role: Role, *, add_form: GiveGetForm | None = None
) -> HttpResponse:
    """The Give-Gets section plus the equation, swapped out of band."""
    role = get_role(access.playbook, role.pk)  # fresh Give-Gets after the change
    context = role_context(access, role, add_form=add_form or GiveGetForm(prefix="new"))
    html = render_to_string("planner/role_detail.html#givegets", context, request=request)
    html += render_to_string("planner/role_detail.html#equation", {**context, "oob": True}, request)
    return HttpResponse(html)


def _get(access: Access, role: Role, giveget_id: int) -> GiveGet:
    # Through the role, which came through the playbook: another playbook's
    # Give-Get is a 404.
    giveget = get_object_or_404(GiveGet.objects.filter(role=role), pk=giveget_id)
    giveget.role = role
    return giveget


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def giveget_create(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    if request.method == "GET":  # the form is on the role page
        return redirect(_role_url(role) + "#add-giveget")
    form = GiveGetForm(request.POST, prefix="new")
    if form.is_valid():
        services.create_giveget(role=role, giveget=form.save(commit=False))
        if request.htmx:
            return _section_response(request, access, role)
        messages.success(request, _("Give-Get added."))
        return redirect(_role_url(role) + "#givegets")
    if request.htmx:
        return _section_response(request, access, role, add_form=form)
    return render(request, "planner/role_detail.html", role_context(access, role, add_form=form))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def giveget_edit(
    request: HtmxHttpRequest, playbook_id: int, role_id: int, giveget_id: int
) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    giveget = _get(access, role, giveget_id)
    form = GiveGetForm(request.POST or None, instance=giveget, prefix=f"gg{giveget.pk}")
    if request.method == "POST" and form.is_valid():
        form.save()
        if request.htmx:
            return _section_response(request, access, role)
        messages.success(request, _("Give-Get saved."))
        return redirect(_role_url(role) + f"#gg-{giveget.pk}")
    context = {**role_context(access, role), "gg": giveget, "form": autofocus(form)}
    return edit_form_response(
        request,
        page="planner/giveget_edit.html",
        fragment="planner/role_detail.html#gg_form",
        item=f"#gg-{giveget.pk}",
        context=context,
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def giveget_delete(
    request: HtmxHttpRequest, playbook_id: int, role_id: int, giveget_id: int
) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    giveget = _get(access, role, giveget_id)
    if request.method == "POST":
        giveget.delete()
        if request.htmx:
            return _section_response(request, access, role)
        messages.success(request, _("Give-Get deleted."))
        return redirect(_role_url(role) + "#givegets")
    return render(
        request, "planner/giveget_delete.html", {**role_context(access, role), "gg": giveget}
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def giveget_move(
    request: HtmxHttpRequest, playbook_id: int, role_id: int, giveget_id: int
) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    giveget = _get(access, role, giveget_id)
    if request.method == "GET":  # the buttons are on the role page
        return redirect(_role_url(role) + f"#gg-{giveget.pk}")
    move(
        list(role.givegets.all()),
        giveget,
        request.POST.get("direction", ""),
        playbook_id=access.playbook.pk,
    )
    if request.htmx:
        return _section_response(request, access, role)
    return redirect(_role_url(role) + f"#gg-{giveget.pk}")
