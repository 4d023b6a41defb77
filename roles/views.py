"""Role pages: one role with its Give-Gets and the equation; create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from givegets.forms import GiveGetForm
from playbooks import versions
from playbooks.access import Access, get_playbook
from playbooks.models import Level
from roles import services
from roles.forms import RoleForm
from roles.models import Role
from roles.selectors import get_role


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


CSRF_SENTINEL = "csrf-token-placeholder-9c2d7a"


@require_GET
def role_detail(request: HttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """Queries: session, user, membership with playbook, the plan's progress;
    on a fragment cache miss also the role and its Give-Gets.

    The page's body is cached as a fragment keyed on the playbook's version
    stamp, the role, the language, whether the user may edit and today's date;
    it holds a placeholder instead of the CSRF token.
    """
    access = get_playbook(request, playbook_id)
    key = ":".join(
        [
            "role-fragment",
            str(access.playbook.pk),
            str(role_id),
            versions.version(access.playbook.pk),
            translation.get_language(),
            "edit" if access.can_edit else "read",
            timezone.localdate().isoformat(),
        ]
    )
    # A fragment exists only for a role that existed at this version: a deleted
    # role changes the version, and then get_role() answers 404.
    cached = cache.get(key)
    if cached is None:
        role = get_role(access.playbook, role_id)
        context = role_context(access, role)
        if access.can_edit:
            context["add_form"] = GiveGetForm(prefix="new")
        html = render_to_string(
            "roles/detail.html#role_body", {**context, "csrf_token": CSRF_SENTINEL}
        )
        cached = (role.name, html)
        cache.set(key, cached, 60 * 60)
    name, html = cached
    html = html.replace(CSRF_SENTINEL, get_token(request))
    return render(
        request,
        "roles/detail.html",
        {
            "access": access,
            "playbook": access.playbook,
            "role": {"name": name},
            "section": "roles",
            "role_html": mark_safe(html),  # noqa: S308 - our own rendered template
        },
    )


@require_http_methods(["GET", "POST"])
def role_create(request: HttpRequest, playbook_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    form = RoleForm(request.POST or None, playbook=access.playbook)
    if request.method == "POST" and form.is_valid():
        role = services.save_role_form(form, new_in=access.playbook)
        if role is not None:
            messages.success(request, _("Role “%(name)s” added.") % {"name": role.name})
            return redirect("role_detail", access.playbook.pk, role.pk)
    return render(
        request,
        "roles/form.html",
        {"access": access, "playbook": access.playbook, "form": form, "section": "roles"},
    )


@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    form = RoleForm(request.POST or None, instance=role, playbook=access.playbook)
    if request.method == "POST" and form.is_valid() and services.save_role_form(form):
        messages.success(request, _("Changes saved."))
        return redirect("role_detail", access.playbook.pk, role.pk)
    return render(
        request,
        "roles/form.html",
        {
            "access": access,
            "playbook": access.playbook,
            "role": role,
            "form": form,
            "section": "roles",
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
    return render(request, "roles/delete.html", role_context(access, role))
