"""Playbook pages: my playbooks, create, show, edit, delete, members.

Every view that touches a playbook goes through ``access.get_playbook``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from playbooks import pdf, playbook_file, services, versions
from playbooks.access import Access, get_playbook
from playbooks.forms import (
    AddMemberForm,
    ChangeLevelForm,
    CharterForm,
    NewPlaybookForm,
    PlaybookFileForm,
    PlaybookForm,
    TemplateForm,
    autofocus,
)
from playbooks.health import MISTAKES, TITLES
from playbooks.models import Level, Membership, Playbook
from playbooks.overview import avoided_counts, overview

SCHEMA_PATH = Path(__file__).parent / "schema" / "wiifm-playbook-v1.schema.json"


@require_GET
def playbook_list(request: HttpRequest) -> HttpResponse:
    """My playbooks, newest first, with my level and the health check's 'N of 5'.

    Queries: session, user, memberships with playbooks, then the health check's
    data for all of them at once: playbooks, roles, Give-Gets, ambassadors, steps.
    """
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("playbook")
        .order_by("-playbook__created_at", "-playbook_id")
    )
    rows = [(m.playbook, Level(m.level)) for m in memberships]
    if request.user.is_superuser:
        # Administrators see every playbook, as owners.
        mine = {playbook.pk for playbook, _level in rows}
        rows += [(p, Level.OWNER) for p in Playbook.objects.exclude(pk__in=mine)]
        rows.sort(key=lambda row: (row[0].created_at, row[0].pk), reverse=True)
    avoided = avoided_counts([playbook for playbook, _level in rows], timezone.localdate())
    return render(
        request,
        "playbooks/list.html",
        {"rows": [(p, level, avoided.get(p.pk, 0)) for p, level in rows]},
    )


@require_http_methods(["GET", "POST"])
def playbook_create(request: HttpRequest) -> HttpResponse:
    form = NewPlaybookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        with_examples = fields.pop("with_examples")
        playbook = services.create_playbook(
            owner=request.user, with_examples=with_examples, **fields
        )
        messages.success(request, _("Playbook “%(name)s” created.") % {"name": playbook.name})
        return redirect("playbook_detail", playbook.pk)
    return render(request, "playbooks/form.html", {"form": form, "creating": True})


def overview_context(access: Access, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    go_live = access.playbook.go_live
    return {
        "access": access,
        "playbook": access.playbook,
        "today": today,
        "days_to_go_live": (go_live - today).days if go_live else None,
        "days_since_go_live": (today - go_live).days if go_live else None,
        "mistakes": [(code, TITLES[code]) for code in MISTAKES],
        "section": "overview",
        **overview(access.playbook, today, can_edit=access.can_edit),
        **extra,
    }


CSRF_SENTINEL = "csrf-token-placeholder-71e0c4"


@require_GET
def playbook_detail(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """The overview. Queries: session, user, membership with playbook; then
    either the cached fragment and the plan's progress for the header, or
    roles, Give-Gets, ambassadors, steps and tasks.

    The body is cached as a fragment keyed on the playbook's version stamp,
    the language, whether the user may edit and today's date (the countdown
    and the health check depend on it), with a placeholder for the CSRF token.
    """
    access = get_playbook(request, playbook_id)
    key = ":".join(
        [
            "overview-fragment",
            str(access.playbook.pk),
            versions.version(access.playbook.pk),
            translation.get_language(),
            access.level.name,  # owners see Delete, editors the edit links, viewers neither
            timezone.localdate().isoformat(),
        ]
    )
    html = cache.get(key)
    extra = {}
    if html is None:
        context = overview_context(access)
        html = render_to_string(
            "playbooks/detail.html#overview_body", {**context, "csrf_token": CSRF_SENTINEL}
        )
        cache.set(key, html, 60 * 60)
        extra["plan_progress"] = context["plan_progress"]  # computed already
    return render(
        request,
        "playbooks/detail.html",
        {
            **extra,
            "access": access,
            "playbook": access.playbook,
            "section": "overview",
            "overview_html": mark_safe(html.replace(CSRF_SENTINEL, get_token(request))),  # noqa: S308
        },
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def charter_edit(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """The pledge and the data charter, edited in place; the health check follows."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    if request.htmx and request.GET.get("cancel"):
        # Cancel in place: the charter as it is, with the focus back on it.
        context = overview_context(access, focus_charter=True)
        return render(request, "playbooks/detail.html#charter", context)
    form = CharterForm(request.POST or None, instance=access.playbook, prefix="charter")
    if request.method == "POST" and form.is_valid():
        form.save()
        if request.htmx:
            context = overview_context(access, oob=True, charter_saved=True, focus_charter=True)
            html = render_to_string("playbooks/detail.html#charter", context, request)
            html += render_to_string("playbooks/detail.html#health", context, request)
            return HttpResponse(html)
        messages.success(request, _("Changes saved."))
        return redirect(reverse("playbook_detail", args=[access.playbook.pk]) + "#charter")
    context = {
        "access": access,
        "playbook": access.playbook,
        "form": autofocus(form, prefer_empty=True),
        "section": "overview",
    }
    if request.htmx:
        return render(request, "playbooks/detail.html#charter_form", context)
    return render(request, "playbooks/charter_edit.html", context)


@require_http_methods(["GET", "POST"])
def playbook_edit(request: HttpRequest, playbook_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    form = PlaybookForm(request.POST or None, instance=access.playbook)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Changes saved."))
        return redirect("playbook_detail", access.playbook.pk)
    return render(
        request,
        "playbooks/form.html",
        {"form": form, "access": access, "playbook": access.playbook, "section": "overview"},
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
    counts = Playbook.objects.filter(pk=playbook.pk).aggregate(members=Count("memberships"))
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
        services.change_level(membership=membership, level=form.cleaned_data["level"])
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
            services.remove_member(membership=membership)
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
    return render(
        request,
        "playbooks/member_remove.html",
        {
            "access": access,
            "playbook": access.playbook,
            "membership": membership,
            "section": "members",
        },
    )


@require_GET
def export_json(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """The playbook file, for backups, moves and templates. Viewers included."""
    access = get_playbook(request, playbook_id)
    document = playbook_file.export_playbook(access.playbook)
    response = HttpResponse(
        playbook_file.dumps(document).encode("utf-8"),
        content_type="application/json; charset=utf-8",
    )
    name = slugify(access.playbook.name) or "playbook"
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """Any logged-in user creates a new playbook, of which they are the only owner."""
    form = (
        PlaybookFileForm(request.POST, request.FILES)
        if request.method == "POST"
        else PlaybookFileForm()
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(playbook_file.MAX_BYTES + 1)
        try:
            playbook = playbook_file.import_playbook(playbook_file.loads(data), owner=request.user)
        except playbook_file.PlaybookFileError as error:
            errors = error.errors
        else:
            messages.success(request, _("Playbook “%(name)s” imported.") % {"name": playbook.name})
            return redirect("playbook_detail", playbook.pk)
    return render(request, "playbooks/import.html", {"form": form, "errors": errors})


@require_http_methods(["GET", "POST"])
def use_as_template(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """A new playbook from this one: roles, Give-Gets, plan and texts, no people."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    source = access.playbook
    form = TemplateForm(
        request.POST or None,
        initial={"name": _("%(name)s (new rollout)") % {"name": source.name}},
    )
    if request.method == "POST" and form.is_valid():
        document = playbook_file.as_template(
            playbook_file.export_playbook(source),
            name=form.cleaned_data["name"],
            go_live=form.cleaned_data["go_live"],
        )
        playbook = playbook_file.import_playbook(document, owner=request.user)
        messages.success(
            request,
            _("Playbook “%(name)s” created from “%(source)s”.")
            % {"name": playbook.name, "source": source.name},
        )
        return redirect("playbook_detail", playbook.pk)
    return render(
        request,
        "playbooks/template.html",
        {"access": access, "playbook": source, "form": form, "section": "overview"},
    )


@login_not_required
@require_GET
def schema(request: HttpRequest) -> FileResponse:
    """The JSON Schema of the playbook file, version 1: documentation of the format."""
    return FileResponse(
        SCHEMA_PATH.open("rb"), content_type="application/schema+json; charset=utf-8"
    )


def pdf_response(request: HttpRequest, document: pdf.Document) -> HttpResponse:
    """The PDF, or 304 when the browser has this version already."""
    etag = f'"{document.etag}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(document.content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


def not_modified(request: HttpRequest, etag: str) -> HttpResponse | None:
    """304 when the browser holds this version: checked before any rendering."""
    tags = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
    if f'"{etag}"' in tags or "*" in tags:
        response = HttpResponse(status=304)
        response["ETag"] = f'"{etag}"'
        response["Cache-Control"] = "private, no-cache"
        return response
    return None


@require_safe
def playbook_pdf(request: HttpRequest, playbook_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id)
    unchanged = not_modified(request, pdf.document_key(access.playbook, "playbook"))
    return unchanged or pdf_response(request, pdf.playbook_document(access.playbook))


@require_safe
def role_one_pager(request: HttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id)
    get_object_or_404(access.playbook.roles, pk=role_id)
    unchanged = not_modified(request, pdf.document_key(access.playbook, f"one-pager:{role_id}"))
    return unchanged or pdf_response(request, pdf.one_pager_document(access.playbook, role_id))
