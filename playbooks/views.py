"""Pages of one playbook that read only the playbook and its members:
edit, delete, members.

Every view goes through ``access.get_playbook``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import concurrency
from playbooks import services
from playbooks.access import get_playbook
from playbooks.forms import AddMemberForm, ChangeLevelForm, PlaybookForm
from playbooks.models import Level, Playbook


@require_http_methods(["GET", "POST"])
def playbook_edit(request: HttpRequest, playbook_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    form = PlaybookForm(
        request.POST or None, instance=access.playbook, can_choose_contact=access.is_owner
    )
    if request.method == "POST" and form.is_valid() and concurrency.save(form):
        messages.success(request, concurrency.saved_message(form))
        return redirect("playbook_detail", access.playbook.pk)
    return render(
        request,
        "playbooks/form.html",
        {"form": form, "access": access, "playbook": access.playbook, "section": "overview"},
        status=concurrency.status(form),
    )


@require_http_methods(["GET", "POST"])
def playbook_delete(request: HttpRequest, playbook_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.OWNER)
    playbook = access.playbook
    if request.method == "POST":
        name = playbook.name
        playbook.delete()
        messages.success(request, _("Playbook “%(name)s” deleted.") % {"name": name})
        return redirect("playbook_list")
    # One count each (reverse relations: playbooks sits below the apps that
    # hold them); a single aggregate over five joins would multiply the rows.
    counts = {
        "members": playbook.memberships.count(),
        "roles": playbook.roles.count(),  # not those deleted
        "ambassadors": playbook.ambassadors.count(),
        "messages": playbook.messages.count(),
        "tasks": Playbook.objects.filter(pk=playbook.pk).aggregate(n=Count("steps__tasks"))["n"],
    }
    return render(
        request,
        "playbooks/delete.html",
        {"access": access, "playbook": playbook, "counts": counts, "section": "overview"},
    )


@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """Everyone sees who is on the playbook; owners add people."""
    required = Level.OWNER if request.method == "POST" else Level.VIEWER
    access = get_playbook(request, playbook_id, required)
    playbook = access.playbook
    form = AddMemberForm(request.POST or None, playbook=playbook)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.add_member(
                playbook=playbook,
                email=form.cleaned_data["email"],
                level=form.cleaned_data["level"],
                invited_by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error("email", error.messages)
        else:
            # The same words whether or not the address had an account: adding
            # people must not reveal who is registered.
            messages.success(
                request,
                _("%(email)s added and told by e-mail.") % {"email": membership.user.email},
            )
            return redirect("members", playbook.pk)
    memberships = list(
        playbook.memberships.select_related("user").order_by(
            "user__first_name", "user__email", "user__username"
        )
    )
    return render(
        request,
        "playbooks/members.html",
        {
            "access": access,
            "playbook": playbook,
            "memberships": memberships,
            "form": form,
            "levels": Level.choices,
            "owner_count": sum(1 for m in memberships if m.level == Level.OWNER),
            "section": "members",
        },
    )


@require_http_methods(["GET", "POST"])
def member_level(request: HttpRequest, playbook_id: int, membership_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.OWNER)
    membership = get_object_or_404(access.playbook.memberships, pk=membership_id)
    if request.method == "GET":
        # The level is changed from the members page; a bookmarked action goes there.
        return redirect("members", access.playbook.pk)
    form = ChangeLevelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the levels."))
        return redirect("members", access.playbook.pk)
    try:
        services.change_level(
            membership=membership, level=form.cleaned_data["level"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(person)s is now %(level)s.")
            % {
                "person": membership.user.email or membership.user,
                "level": membership.get_level_display().lower(),
            },
        )
    return redirect("members", access.playbook.pk)


@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, playbook_id: int, membership_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.OWNER)
    membership = get_object_or_404(
        access.playbook.memberships.select_related("user"), pk=membership_id
    )
    if request.method == "POST":
        try:
            services.remove_member(membership=membership, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(person)s no longer has access to this playbook.")
                % {"person": membership.user.email or membership.user},
            )
            if membership.user == request.user and not request.user.is_superuser:
                return redirect("playbook_list")  # they can no longer see the members
        return redirect("members", access.playbook.pk)
    # The only owner: the page says why not, with no button that would fail.
    last_owner = (
        membership.level == Level.OWNER
        and not access.playbook.memberships.filter(level=Level.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )
    return render(
        request,
        "playbooks/member_remove.html",
        {
            "access": access,
            "playbook": access.playbook,
            "membership": membership,
            "last_owner": last_owner,
            "section": "members",
        },
    )
