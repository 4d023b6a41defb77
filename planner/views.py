"""Pages about a whole playbook that read every app: my playbooks, create,
the overview with its health check, the charter, the playbook file, the PDFs.

Every view that touches a playbook goes through ``access.get_playbook``.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)
from django.views.decorators.vary import vary_on_headers

from actionplan.selectors import progress_of, steps_with_tasks
from core import concurrency, uploads
from core.accounts import display_name, signed_in_user
from core.forms import autofocus
from core.fragments import cached_fragment
from core.http import HtmxHttpRequest
from planner import namesakes, pdf, pdf_pages, playbook_file, results, services
from planner.health import MISTAKES, TITLES
from planner.overview import avoided_counts, overview, yours
from playbooks.access import Access, get_playbook
from playbooks.forms import (
    CharterForm,
    NewPlaybookForm,
    PlaybookFileForm,
    TemplateForm,
)
from playbooks.models import Level, Membership, Playbook
from pulse import weeks


@require_GET
def playbook_list(request: HttpRequest) -> HttpResponse:
    """My playbooks, newest first, with my level and the health check's 'N of 5'.

    Queries: session, user, memberships with playbooks, then the health check's
    data for all of them at once: playbooks, roles, Give-Gets, ambassadors, steps.
    """
    user = signed_in_user(request)
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("playbook")
        .order_by("-playbook__created_at", "-playbook_id")
    )
    rows = [(m.playbook, Level(m.level)) for m in memberships]
    if user.is_superuser:
        # Administrators see every playbook, as owners.
        mine = {playbook.pk for playbook, _level in rows}
        rows += [(p, Level.OWNER) for p in Playbook.objects.exclude(pk__in=mine)]
        rows.sort(key=lambda row: (row[0].created_at, row[0].pk), reverse=True)
    playbooks = [playbook for playbook, _level in rows]
    avoided = avoided_counts(playbooks, timezone.localdate())
    # Beside a name: "imported 30 Nov", or "created 12 Nov" where two share it.
    labels = namesakes.labels(playbooks)
    return render(
        request,
        "planner/playbook_list.html",
        {"rows": [(p, level, avoided.get(p.pk, 0), labels.get(p.pk)) for p, level in rows]},
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
    today = weeks.today()
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


@require_GET
def playbook_detail(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """The overview. Queries: session, user, membership with playbook; then
    either the cached fragment and the steps and tasks (for "Yours" and the
    header's progress), or roles, Give-Gets, ambassadors, steps and tasks.

    The body is a cached fragment (``core.fragments``) that varies with the
    reader's level: owners see Delete, editors the edit links, viewers neither;
    and with the last closed week and k, for its "Since go-live" card and
    finding P1 (``results.cache_part``). "Yours", the steps the reader owns,
    is in none: it fills the fragment's slot for each request.
    """
    access = get_playbook(request, playbook_id)
    fragment = cached_fragment(
        request,
        name="overview",
        playbook=access.playbook,
        template="planner/overview.html#overview_body",
        context=lambda: overview_context(access),
        vary=[access.level.name, results.cache_part(access.playbook, weeks.today())],
        slots=["yours"],
    )
    # "Yours" is this reader's own: read apart from the fragment (from the
    # fragment's steps when it was just rendered) and filled into its slot.
    if fragment.context is not None:
        steps = fragment.context["steps"]
    else:
        steps = steps_with_tasks(access.playbook)
    user = request.user
    yours_html = render_to_string(
        "planner/overview.html#yours",
        {
            "yours": yours(access.playbook, steps, user, weeks.today()),
            "your_name": display_name(user),
        },
        request,
    )
    return render(
        request,
        "planner/overview.html",
        {
            "access": access,
            "playbook": access.playbook,
            "section": "overview",
            "overview_html": fragment.fill(yours=yours_html),
            "plan_progress": progress_of(steps),  # for the header: no query of its own
        },
    )


@require_POST
def start_from_examples(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """The overview's first steps: the four example roles, in the playbook's
    language, into a playbook that has no roles yet (editors), then the matrix
    to edit them. A playbook that has roles meanwhile keeps them, unchanged."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    roles = services.start_from_examples(playbook=access.playbook)
    if roles is None:
        messages.error(
            request,
            _("This playbook has roles already: the example roles were not added."),
        )
        return redirect("playbook_detail", access.playbook.pk)
    messages.success(
        request,
        _("Example roles added: %(names)s. Change them to fit, or delete those you do not need.")
        % {"names": ", ".join(role.name for role in roles)},
    )
    return redirect("matrix", access.playbook.pk)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def charter_edit(request: HtmxHttpRequest, playbook_id: int) -> HttpResponse:
    """The pledge and the data charter, edited in place; the health check follows."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    if request.htmx and request.GET.get("cancel"):
        # Cancel in place: the charter as it is, with the focus back on it.
        context = overview_context(access, focus_charter=True)
        return render(request, "planner/overview.html#charter", context)
    form = CharterForm(request.POST or None, instance=access.playbook, prefix="charter")
    if request.method == "POST" and form.is_valid() and concurrency.save(form):
        if request.htmx:
            context = overview_context(
                access, oob=True, charter_saved=concurrency.saved_message(form), focus_charter=True
            )
            html = render_to_string("planner/overview.html#charter", context, request)
            html += render_to_string("planner/overview.html#health", context, request)
            return HttpResponse(html)
        messages.success(request, concurrency.saved_message(form))
        return redirect(reverse("playbook_detail", args=[access.playbook.pk]) + "#charter")
    context = {
        "access": access,
        "playbook": access.playbook,
        "form": autofocus(form, prefer_empty=True),
        "section": "overview",
    }
    status = concurrency.status(form)
    if request.htmx:
        return render(request, "planner/overview.html#charter_form", context, status=status)
    return render(request, "planner/charter_edit.html", context, status=status)


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
@uploads.takes_upload(playbook_file.MAX_BYTES)
def import_upload(request: HttpRequest) -> HttpResponse:
    """Any logged-in user creates a new playbook, of which they are the only owner.
    A file over the limit is refused before it is read (``core.uploads``)."""
    form = (
        PlaybookFileForm(request.POST, request.FILES)
        if request.method == "POST"
        else PlaybookFileForm()
    )
    errors: list[str] = []
    if request.method == "POST" and uploads.too_large(request):
        form.is_valid()
        errors = [playbook_file.too_large_message()]
        form.errors["file"] = form.error_class(errors)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(playbook_file.MAX_BYTES + 1)
        try:
            playbook = playbook_file.import_playbook(
                playbook_file.loads(data), owner=request.user, imported_at=timezone.now()
            )
        except playbook_file.PlaybookFileError as error:
            errors = error.errors
        else:
            messages.success(request, _imported_message(playbook, request.user))
            return redirect("playbook_detail", playbook.pk)
    return render(request, "planner/import.html", {"form": form, "errors": errors})


def _imported_message(playbook: Playbook, user: Any) -> str:
    """Says that the import made a new playbook, and, when the user has another
    of that name (the file's own, most likely), that it is untouched."""
    others = namesakes.namesakes(playbook, user)
    if not others:
        return _("Imported “%(name)s”.") % {"name": playbook.name}
    assert playbook.imported_at is not None  # set by the import
    return ngettext(
        "Imported as a new playbook “%(name)s” (%(imported)s). "
        "Your other playbook with this name is unchanged.",
        "Imported as a new playbook “%(name)s” (%(imported)s). "
        "Your %(count)s other playbooks with this name are unchanged.",
        others,
    ) % {
        "name": playbook.name,
        "imported": namesakes.imported_label(playbook.imported_at),
        "count": others,
    }


@require_http_methods(["GET", "POST"])
def use_as_template(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """A new playbook from this one: roles, Give-Gets, plan and texts, no people."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    source = access.playbook
    form = TemplateForm(
        request.POST or None,
        initial={"name": _("%(name)s (new rollout)") % {"name": source.name}},
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        document = playbook_file.as_template(
            playbook_file.export_playbook(source),
            name=form.cleaned_data["name"],
            go_live=form.cleaned_data["go_live"],
        )
        try:
            playbook = playbook_file.import_playbook(document, owner=request.user)
        except playbook_file.PlaybookFileError as error:
            # The playbook's own data the file refuses (a text longer than
            # the file allows, saved before a limit): said as the import says it.
            errors = error.errors
        else:
            messages.success(
                request,
                _("Playbook “%(name)s” created from “%(source)s”.")
                % {"name": playbook.name, "source": source.name},
            )
            return redirect("playbook_detail", playbook.pk)
    return render(
        request,
        "planner/template.html",
        {
            "access": access,
            "playbook": source,
            "form": form,
            "errors": errors,
            "section": "overview",
        },
    )


@login_not_required
@require_GET
def schema(request: HttpRequest) -> FileResponse:
    """The JSON Schema of the playbook file, version 1: documentation of the format."""
    return FileResponse(
        playbook_file.SCHEMA_PATH.open("rb"), content_type="application/schema+json; charset=utf-8"
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


DOWNLOAD_NONCE = re.compile(r"[A-Za-z0-9]{8,40}")


def download_started(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Tell the page that asked that its download has started: a link
    clicked with ``?dl=<nonce>`` (static/js/app.js adds one) gets a cookie
    ``dl-<nonce>`` for a minute, which the page watches for to put its
    button's label back. Script-readable on purpose; it says nothing."""
    nonce = request.GET.get("dl", "")
    if DOWNLOAD_NONCE.fullmatch(nonce):
        response.set_cookie(
            f"dl-{nonce}", "1", max_age=60, samesite="Lax", secure=request.is_secure()
        )
    return response


@require_safe
def playbook_pdf(request: HttpRequest, playbook_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id)
    unchanged = not_modified(request, pdf.document_key(access.playbook, "playbook"))
    return download_started(
        request,
        unchanged
        or pdf_pages.download(
            request,
            lambda: pdf.playbook_document(access.playbook, on_request=True),
            lambda document: pdf_response(request, document),
            back_url=reverse("downloads", args=[playbook_id]),
        ),
    )


@require_safe
def role_one_pager(request: HttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id)
    get_object_or_404(access.playbook.roles, pk=role_id)
    # The pulse's address lets anyone answer: editors and owners only, as on
    # the role page (a viewer's copy has no code; ambassadors get theirs).
    url = pdf.pulse_url(request, role_id) if access.can_edit else ""
    kind = pdf.one_pager_kind(role_id, url)
    unchanged = not_modified(request, pdf.document_key(access.playbook, kind))
    return download_started(
        request,
        unchanged
        or pdf_pages.download(
            request,
            lambda: pdf.one_pager_document(
                access.playbook, role_id, pulse_url=url, on_request=True
            ),
            lambda document: pdf_response(request, document),
            back_url=reverse("downloads", args=[playbook_id]),
        ),
    )
