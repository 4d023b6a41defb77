"""A role's own form, to edit it (the role page itself, and the same form to
create a role with its default messages, are ``planner.role_page``'s)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core import concurrency
from playbooks.access import get_playbook
from playbooks.models import Level
from roles import services
from roles.forms import RoleForm
from roles.selectors import get_role


@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    form = RoleForm(request.POST or None, instance=role, playbook=access.playbook)
    if request.method == "POST" and form.is_valid() and services.save_role_form(form):
        messages.success(request, concurrency.saved_message(form))
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
        status=concurrency.status(form),
    )
