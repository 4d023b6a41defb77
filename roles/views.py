"""A role's own form, to edit it (the role page itself, and the same form to
create a role with its default messages, are ``planner.role_page``'s)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import concurrency
from playbooks.access import get_playbook
from playbooks.models import Level
from roles import services
from roles.forms import QuickWinFollowForm, RoleForm
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


@require_POST
def quick_win_follow_go_live(request: HttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """Empty a role's typed quick-win date: due at the end of week 1 again,
    following go-live. Back to the role page, or to the plan's step 6 when
    posted from there (``back=plan``)."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    form = QuickWinFollowForm(request.POST, instance=role)
    name = {"name": role.name}
    followed, said = concurrency.follow_default(
        form,
        # Without go-live (emptied since the page was read, or a crafted
        # post), emptying the typed date would leave the quick win with none.
        has_default=role.quick_win_due_default is not None,
        texts=concurrency.FollowTexts(
            no_default=_(
                "The quick win of “%(name)s” has no date to follow: the playbook has no "
                "go-live date. Its date was left as it is."
            )
            % name,
            followed=_("The quick win of “%(name)s” is due at the end of week 1 again.") % name,
            conflict=_(
                "Someone else changed the quick win’s date of “%(name)s” since you opened "
                "the page, so it was left as it is now."
            )
            % name,
            stale=_(
                "The page was out of date, so the quick win’s date of “%(name)s” was left "
                "as it is. Try again on the page as it is now."
            )
            % name,
        ),
    )
    (messages.success if followed else messages.warning)(request, said)
    if request.POST.get("back") == "plan":
        return redirect(reverse("plan", args=[access.playbook.pk]) + "#step-6")
    return redirect("role_detail", access.playbook.pk, role.pk)
