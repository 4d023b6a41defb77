"""The ambassadors roster, personal links and the roster file.

Every view goes through ``access.get_playbook``; ambassadors are fetched
through the playbook it returns. The public page for an ambassador's link is
in ``planner.public``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from ambassadors import services
from ambassadors.coverage import needed, training_due
from ambassadors.forms import AmbassadorForm, RosterUploadForm
from ambassadors.models import Ambassador, hash_token
from ambassadors.roster_file import (
    MAX_BYTES,
    RosterFileError,
    export_roster,
    import_roster,
    too_large_message,
)
from core import concurrency, undo, uploads
from core.forms import autofocus
from core.http import HtmxHttpRequest
from playbooks.access import Access, get_playbook
from playbooks.models import Level

SORTS = {"name": ("name", "pk"), "influence": ("-influence", "name", "pk")}


def _sort(request: HttpRequest) -> str:
    """The roster's order; htmx forms carry it in their URL, so it survives a change."""
    sort = request.GET.get("sort", "")
    return sort if sort in SORTS else "name"


def roster_context(request: HttpRequest, access: Access, **extra: Any) -> dict[str, Any]:
    """The roster grouped by role. Two queries: roles, then all their ambassadors."""
    playbook = access.playbook
    sort = _sort(request)
    roles = list(playbook.roles.all())
    ambassadors = list(Ambassador.objects.filter(playbook=playbook).order_by(*SORTS[sort]))
    by_role: dict[int, list[Ambassador]] = {role.pk: [] for role in roles}
    for ambassador in ambassadors:
        by_role.setdefault(ambassador.role_id, []).append(ambassador)
    due = training_due(playbook.go_live, timezone.localdate())
    for ambassador in ambassadors:
        ambassador.flag_untrained = due and not ambassador.is_trained
    groups = [
        {"role": role, "ambassadors": by_role[role.pk], "needed": needed(role.headcount)}
        for role in roles
    ]
    return {
        "access": access,
        "playbook": playbook,
        "groups": groups,
        "sort": sort,
        "training_due": due,
        "total": len(ambassadors),
        "add_form": AmbassadorForm(playbook=playbook, prefix="add"),
        "upload_form": RosterUploadForm(),
        "section": "ambassadors",
        **extra,
    }


def _roster_url(access: Access, ambassador: Ambassador | None = None) -> str:
    url = reverse("roster", args=[access.playbook.pk])
    return f"{url}#amb-{ambassador.pk}" if ambassador else url


def _get(access: Access, ambassador_id: int) -> Ambassador:
    ambassador = get_object_or_404(
        Ambassador.objects.filter(playbook=access.playbook).select_related("role"),
        pk=ambassador_id,
    )
    ambassador.role.playbook = access.playbook
    return ambassador


@require_GET
@vary_on_headers("HX-Request")
def roster(request: HtmxHttpRequest, playbook_id: int) -> HttpResponse:
    """Queries: session, user, membership with playbook, roles, ambassadors."""
    access = get_playbook(request, playbook_id)
    context = roster_context(request, access)
    if request.htmx and request.htmx.target == "roster":
        return render(request, "ambassadors/roster.html#roster", context)
    return render(request, "ambassadors/roster.html", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def ambassador_add(request: HtmxHttpRequest, playbook_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    if request.method == "GET":
        return redirect(_roster_url(access) + "#add-ambassador")
    form = AmbassadorForm(request.POST, playbook=access.playbook, prefix="add")
    if form.is_valid():
        ambassador = form.save()
        added = _("%(name)s added.") % {"name": ambassador.name}
        if request.htmx:
            # Ready for the next one: the add form again, empty but for the
            # role just used, the cursor in its first empty field (htmx focuses
            # the autofocus element it swaps in); the addition is announced.
            add_form = AmbassadorForm(
                playbook=access.playbook, prefix="add", initial={"role": ambassador.role_id}
            )
            context = roster_context(
                request, access, add_form=autofocus(add_form, prefer_empty=True)
            )
            return _roster_response(request, context, status=added)
        messages.success(request, added)
        return redirect(_roster_url(access, ambassador))
    context = roster_context(request, access, add_form=autofocus(form))
    if request.htmx:
        return render(request, "ambassadors/roster.html#roster", context)
    return render(request, "ambassadors/roster.html", context)


def _roster_response(request: HttpRequest, context: dict[str, Any], *, status: str) -> HttpResponse:
    """The roster, and ``status`` in the page's live region, out of band."""
    html = render_to_string("ambassadors/roster.html#roster", context, request)
    html += render_to_string(
        "ambassadors/roster.html#roster_status", {"oob": True, "status_message": status}, request
    )
    return HttpResponse(html)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def ambassador_edit(request: HtmxHttpRequest, playbook_id: int, ambassador_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    ambassador = _get(access, ambassador_id)
    form = AmbassadorForm(
        request.POST or None,
        instance=ambassador,
        playbook=access.playbook,
        prefix=f"a{ambassador.pk}",
    )
    if request.method == "POST" and form.is_valid() and concurrency.save(form):
        if request.htmx:
            return render(
                request, "ambassadors/roster.html#roster", roster_context(request, access)
            )
        messages.success(request, concurrency.saved_message(form))
        return redirect(_roster_url(access, ambassador))
    context = {
        "access": access,
        "playbook": access.playbook,
        "ambassador": ambassador,
        "form": form,
        "section": "ambassadors",
    }
    status = concurrency.status(form)
    if request.htmx:
        return render(request, "ambassadors/roster.html#edit_form", context, status=status)
    return render(request, "ambassadors/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def ambassador_delete(
    request: HtmxHttpRequest, playbook_id: int, ambassador_id: int
) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    ambassador = _get(access, ambassador_id)
    if request.method == "POST":
        offer = undo.delete(
            request,
            ambassador,
            playbook_id=access.playbook.pk,
            kind="ambassador",
            label=_("Bring back %(name)s (without the personal link).") % {"name": ambassador.name},
            back=_roster_url(access),
        )
        if request.htmx:
            roster = render(
                request, "ambassadors/roster.html#roster", roster_context(request, access)
            )
            return undo.attach(request, roster, offer)
        messages.success(
            request, _("%(name)s removed from the roster.") % {"name": ambassador.name}
        )
        return redirect(_roster_url(access))
    return render(
        request,
        "ambassadors/delete.html",
        {
            "access": access,
            "playbook": access.playbook,
            "ambassador": ambassador,
            "section": "ambassadors",
        },
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def link_issue(request: HtmxHttpRequest, playbook_id: int, ambassador_id: int) -> HttpResponse:
    """Issue (or re-issue) a personal link and show it, once."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    ambassador = _get(access, ambassador_id)
    if request.method == "GET":
        return redirect(_roster_url(access, ambassador))
    token = services.issue_link(ambassador)
    ambassador.flag_untrained = (
        training_due(access.playbook.go_live, timezone.localdate()) and not ambassador.is_trained
    )
    context = {
        "access": access,
        "playbook": access.playbook,
        "ambassador": ambassador,
        "token": token,
        "url": services.link_url(request, token),
        "sort": _sort(request),
        "section": "ambassadors",
    }
    # With htmx the row comes back with its new state and the link inside it.
    template = "ambassadors/roster.html#row" if request.htmx else "ambassadors/link.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"  # the link is shown once: keep it out of caches
    return response


@require_http_methods(["GET", "POST"])
def link_email(request: HttpRequest, playbook_id: int, ambassador_id: int) -> HttpResponse:
    """E-mail the link just issued; the token comes back from the page that showed it."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    ambassador = _get(access, ambassador_id)
    token = request.POST.get("token", "")
    if (
        request.method == "POST"
        and ambassador.link_hash
        and hash_token(token) == ambassador.link_hash
    ):
        services.email_link(request, ambassador, token)
        messages.success(
            request, _("The link is on its way to %(email)s.") % {"email": ambassador.email}
        )
    elif request.method == "POST":
        messages.error(request, _("That link is no longer valid. Issue a new one to send it."))
    return redirect(_roster_url(access, ambassador))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def link_revoke(request: HtmxHttpRequest, playbook_id: int, ambassador_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    ambassador = _get(access, ambassador_id)
    if request.method == "POST":
        services.revoke_link(ambassador)
        if request.htmx:
            return render(
                request, "ambassadors/roster.html#roster", roster_context(request, access)
            )
        messages.success(
            request, _("The link of %(name)s no longer works.") % {"name": ambassador.name}
        )
    return redirect(_roster_url(access, ambassador))


@require_GET
def roster_export(request: HttpRequest, playbook_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id)
    response = HttpResponse(
        export_roster(access.playbook).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    name = slugify(access.playbook.name) or "playbook"
    response["Content-Disposition"] = f'attachment; filename="{name}-ambassadors.csv"'
    return response


# Of a refused file's rows with errors, the page lists this many (a file of
# 5,000 rows may have as many): having fixed those, the person uploads it again.
ROWS_SHOWN = 50


@require_http_methods(["GET", "POST"])
@uploads.takes_upload(MAX_BYTES)
def roster_import(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """A file over the limit is refused before it is read (``core.uploads``)."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    form = (
        RosterUploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else RosterUploadForm()
    )
    refused: RosterFileError | None = None
    if request.method == "POST" and (uploads.too_large(request) or form.is_valid()):
        try:
            if uploads.too_large(request):
                form.is_valid()
                form.errors.pop("file", None)  # not "required": said below, as a file error
                raise RosterFileError([too_large_message()])
            upload = form.cleaned_data["file"]
            result = import_roster(access.playbook, upload.read(MAX_BYTES + 1))
        except RosterFileError as error:
            refused = error
            autofocus(form)
            # The field points at the list of errors below it (its summary
            # line: the list itself may be long).
            form.fields["file"].widget.attrs.update(
                {
                    "aria-invalid": "true",
                    "aria-describedby": "roster-errors-summary id_file_helptext",
                }
            )
        else:
            messages.success(
                request,
                _("Roster imported: %(added)s added, %(updated)s updated.")
                % {"added": result.added, "updated": result.updated},
            )
            return redirect(_roster_url(access))
    rows = refused.rows if refused else []
    return render(
        request,
        "ambassadors/import.html",
        {
            "access": access,
            "playbook": access.playbook,
            "form": form,
            "refused": refused,
            # The file's own errors (its header, its size): without a row.
            "file_errors": refused.file_errors if refused else [],
            "rows": rows[:ROWS_SHOWN],
            "rows_not_shown": max(0, len(rows) - ROWS_SHOWN),
            "section": "ambassadors",
        },
    )


@require_http_methods(["GET", "POST"])
def ambassador_erase(request: HttpRequest, playbook_id: int, ambassador_id: int) -> HttpResponse:
    """Remove a person for good (owners, after a confirmation): off the roster,
    and their name, e-mail and notes blanked in every history record (the
    right to be forgotten). The history then speaks of "a removed person"."""
    access = get_playbook(request, playbook_id, Level.OWNER)
    # On the roster, or deleted already (from the changes page): the name
    # their history still holds.
    name = (
        Ambassador.history.filter(playbook_id=access.playbook.pk, id=ambassador_id)
        .exclude(name="")
        .values_list("name", flat=True)
        .first()
    )
    if name is None:
        raise Http404
    if request.method == "POST":
        services.erase(access.playbook.pk, ambassador_id)
        messages.success(request, _("The person was removed for good."))
        return redirect(_roster_url(access))
    return render(
        request,
        "ambassadors/erase.html",
        {
            "access": access,
            "playbook": access.playbook,
            "name": name,
            "ambassador_id": ambassador_id,
        },
    )
