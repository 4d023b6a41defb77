"""The role page: one role with its Give-Gets, its perceived factors and the
equation; Give-Gets edited and factors scored in place on it.

One view serves htmx and plain requests. With htmx a change answers with the
Give-Gets section (or the factors) and, out of band, the equation and a
status line for screen readers, so the verdict updates without a reload;
without JavaScript the same view redirects to the role page after a POST, or
shows the form on a page of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from comms.upcoming import Upcoming, upcoming
from core import concurrency, undo
from core.forms import autofocus, suggest_owners
from core.fragments import cached_fragment
from core.http import HtmxHttpRequest
from core.inplace import edit_form_response
from core.ordering import move
from givegets import services
from givegets.forms import GiveGetForm
from givegets.selectors import get_role_with_givegets as get_role
from givegets.selectors import giveget_of, roles_with_givegets
from planner.comments import comments_context
from planner.pulse_links import pulse_panel
from planner.results import RolePulse, cache_part
from planner.services import add_role, delete_role, giveget_undo_label, role_undo_label
from playbooks.access import Access, get_playbook
from playbooks.models import Level, Playbook
from playbooks.people import owner_suggestions
from pulse import weeks
from roles.equation import MINUS
from roles.forms import FactorForm, RoleForm
from roles.models import FACTORS, Role
from roles.templatetags.wiifm import VERDICT_LABELS

# The first three count for the role, the last two against it.
GAINS = FACTORS[:3]


@dataclass(frozen=True)
class FactorChoice:
    value: str  # "" for not scored
    checked: bool


@dataclass(frozen=True)
class FactorRow:
    """One perceived factor as the role page shows it, and scores it."""

    name: str
    label: str
    help: str
    sign: str
    score: int | None
    choices: tuple[FactorChoice, ...]
    error: str = ""
    token: str = ""  # the version and score it was read with (core.concurrency)
    conflict: concurrency.Conflict | None = None
    mine: str = ""  # the score refused by the conflict


def _factor_field(name: str) -> models.Field[Any, Any]:
    field = Role._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def factor_rows(
    role: Role,
    errors: dict[str, str] | None = None,
    conflicts: dict[str, tuple[concurrency.Conflict, str]] | None = None,
) -> list[FactorRow]:
    errors = errors or {}
    conflicts = conflicts or {}
    rows = []
    for name in FACTORS:
        field = _factor_field(name)
        score = getattr(role, name)
        current = "" if score is None else str(score)
        rows.append(
            FactorRow(
                name=name,
                label=str(field.verbose_name),
                help=str(field.help_text),
                sign="+" if name in GAINS else MINUS,
                score=score,
                choices=tuple(
                    FactorChoice(value, value == current)
                    for value in ["", *(str(n) for n in range(6))]
                ),
                error=errors.get(name, ""),
                token=concurrency.read_token(role, [name]),
                conflict=conflicts[name][0] if name in conflicts else None,
                mine=conflicts[name][1] if name in conflicts else "",
            )
        )
    return rows


def get_role_with_givegets_and_link(playbook: Playbook, role_id: int) -> Role:
    """The role with its Give-Gets and its pulse link: two queries, or 404."""
    role = get_object_or_404(roles_with_givegets(playbook).select_related("pulse_link"), pk=role_id)
    role.playbook = playbook
    return role


def role_context(access: Access, role: Role, **extra: object) -> dict[str, object]:
    """What the role page and its fragments need. The pulse since go-live is
    read only if the template shows it (the whole page; not its fragments)."""
    balance = role.balance()
    return {
        "access": access,
        "playbook": access.playbook,
        "role": role,
        "givegets": list(role.givegets.all()),
        "balance": balance,
        "factors": factor_rows(role),
        "pulse": RolePulse(access.playbook, role, balance, weeks.today()),
        # "Follow go-live again" for a typed quick-win date: the version it was read at.
        "quick_win_token": (
            concurrency.read_token(role, ["quick_win_due"])
            if access.can_edit and role.quick_win_due is not None
            else ""
        ),
        "section": "roles",
        **extra,
    }


def messages_panel(access: Access, role: Role) -> dict[str, Upcoming]:
    """The role's next messages, for the whole page (not its fragments): one
    query. Dated today or later, in the site's day (``pulse.weeks.today``)."""
    return {"upcoming": upcoming(access.playbook, role, list(role.givegets.all()), weeks.today())}


@require_http_methods(["GET", "POST"])
def role_create(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """A new role from the role form, with its three default messages."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    form = RoleForm(request.POST or None, playbook=access.playbook)
    if request.method == "POST" and form.is_valid():
        role = add_role(form, playbook=access.playbook)
        if role is not None:
            messages.success(request, _("Role “%(name)s” added.") % {"name": role.name})
            return redirect("role_detail", access.playbook.pk, role.pk)
    return render(
        request,
        "roles/form.html",
        {"access": access, "playbook": access.playbook, "form": form, "section": "roles"},
    )


@require_GET
def role_detail(request: HttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """Queries: session, user, membership with playbook, the plan's progress;
    on a fragment cache miss also the role (with its pulse link), its
    Give-Gets and its messages (with step 5's dates and their senders), and
    from the first closed week on the pulse's three (state, summaries, kept k).

    The page's body is a cached fragment (``core.fragments``) that varies with
    the role, whether the reader may edit, and the last closed week and k
    (its "Since go-live"). A fragment exists only for a role that existed at
    this version: a deleted role changes the version, and then get_role()
    answers 404.
    """
    access = get_playbook(request, playbook_id)

    def context() -> dict[str, object]:
        role = get_role_with_givegets_and_link(access.playbook, role_id)
        extra = {"add_form": new_giveget_form()} if access.can_edit else {}
        return role_context(
            access,
            role,
            **extra,
            **pulse_panel(request, access, role),
            **messages_panel(access, role),
        )

    fragment = cached_fragment(
        request,
        name="role",
        playbook=access.playbook,
        template="planner/role_detail.html#role_body",
        context=context,
        vary=[
            role_id,
            # Editors see the pulse link's full address, which has the host in it.
            f"edit:{request.get_host()}" if access.can_edit else "read",
            cache_part(access.playbook, weeks.today()),
        ],
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
            # Outside the cached fragment: a fresh order each view, and a
            # week's comments appear the day it closes.
            **comments_context(request, access, role_id),
            # The add form's owner suggestions (editors: members, ambassadors;
            # two queries): not cached, a new member changes no version.
            **(
                {"owner_suggestions": owner_suggestions(access.playbook)} if access.can_edit else {}
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def role_delete(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """Soft-delete the role; the overview follows, with its Undo (with htmx
    too: the role page is gone, so htmx is sent there)."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    if request.method == "POST":
        overview = reverse("playbook_detail", args=[access.playbook.pk])
        undo.delete(
            request,
            role,
            playbook_id=access.playbook.pk,
            kind="role",
            label=role_undo_label(role),
            back=_role_url(role),
            remove=lambda: delete_role(role=role),
            next_page=True,
        )
        messages.success(request, _("Role “%(name)s” deleted.") % {"name": role.name})
        if request.htmx:
            return HttpResponseClientRedirect(overview)
        return redirect(overview)
    return render(request, "planner/role_delete.html", role_context(access, role))


# The datalist the role page's add form suggests owners from: rendered
# outside the cached fragment (role_detail.html), once per page.
ADD_FORM_OWNERS = "giveget-owner-suggestions"


def new_giveget_form(data: Any = None) -> GiveGetForm:
    """The role page's add form; its owner field suggests from the page's list."""
    form = GiveGetForm(data, prefix="new")
    form.fields["owner"].widget.attrs["list"] = ADD_FORM_OWNERS
    return form


def _role_url(role: Role) -> str:
    return reverse("role_detail", args=[role.playbook_id, role.pk])


def _section_response(
    request: HttpRequest,
    access: Access,
    role: Role,
    *,
    add_form: GiveGetForm | None = None,
    status: str = "",
) -> HttpResponse:
    """The Give-Gets section plus the equation, swapped out of band, and
    ``status`` in the page's live region."""
    role = get_role(access.playbook, role.pk)  # fresh Give-Gets after the change
    context = role_context(access, role, add_form=add_form or new_giveget_form())
    html = render_to_string("planner/role_detail.html#givegets", context, request=request)
    return HttpResponse(html + _out_of_band(request, context, status))


def _out_of_band(request: HttpRequest, context: dict[str, object], status: str) -> str:
    """The equation and the status line, to swap out of band."""
    oob = {**context, "oob": True}
    html = render_to_string("planner/role_detail.html#equation", oob, request)
    if status:
        html += render_to_string(
            "planner/role_detail.html#role_status", {**oob, "status_message": status}, request
        )
    return html


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def giveget_create(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    if request.method == "GET":  # the form is on the role page
        return redirect(_role_url(role) + "#add-giveget")
    form = new_giveget_form(request.POST)
    if form.is_valid():
        giveget = services.create_giveget(role=role, giveget=form.save(commit=False))
        if request.htmx:
            # Ready for the next one: the add form again, empty, the cursor in
            # its first field (htmx focuses the autofocus element it swaps in).
            return _section_response(
                request,
                access,
                role,
                add_form=autofocus(new_giveget_form()),
                status=_("Give-Get “%(give)s” added.") % {"give": giveget.give},
            )
        messages.success(request, _("Give-Get added."))
        return redirect(_role_url(role) + "#givegets")
    if request.htmx:
        return _section_response(request, access, role, add_form=autofocus(form))
    context = role_context(
        access,
        role,
        add_form=form,
        **pulse_panel(request, access, role),
        **messages_panel(access, role),
        **comments_context(request, access, role.pk),
        owner_suggestions=owner_suggestions(access.playbook),
    )
    return render(request, "planner/role_detail.html", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def giveget_edit(
    request: HtmxHttpRequest, playbook_id: int, role_id: int, giveget_id: int
) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    giveget = giveget_of(role, giveget_id)
    form = GiveGetForm(request.POST or None, instance=giveget, prefix=f"gg{giveget.pk}")
    if request.method == "POST" and form.is_valid() and concurrency.save(form):
        if request.htmx:
            return _section_response(request, access, role)
        messages.success(request, _("Give-Get saved."))
        return redirect(_role_url(role) + f"#gg-{giveget.pk}")
    # Two queries more when the form is shown: members, ambassadors.
    form = suggest_owners(form, owner_suggestions(access.playbook))
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
    giveget = giveget_of(role, giveget_id)
    if request.method == "POST":
        back = _role_url(role) + "#givegets"
        offer = undo.delete(
            request,
            giveget,
            playbook_id=access.playbook.pk,
            kind="giveget",
            label=giveget_undo_label(giveget),
            back=back,
        )
        if request.htmx:
            return undo.attach(request, _section_response(request, access, role), offer)
        messages.success(request, _("Give-Get deleted."))
        return redirect(back)
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
    giveget = giveget_of(role, giveget_id)
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


def _factor_status(role: Role, factor: str) -> str:
    label = capfirst(str(_factor_field(factor).verbose_name))
    score = getattr(role, factor)
    verdict = VERDICT_LABELS[role.balance().verdict]
    if score is None:
        return _("%(factor)s not scored. Verdict: %(verdict)s.") % {
            "factor": label,
            "verdict": verdict,
        }
    return _("%(factor)s scored %(score)s. Verdict: %(verdict)s.") % {
        "factor": label,
        "score": score,
        "verdict": verdict,
    }


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def role_factors(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """Score one perceived factor in place: 0-5, or empty for not scored.

    Each factor is a form of its own (its name is the field's), posted on
    change with htmx or with its Save button without. With htmx the answer is
    the factors, and out of band the equation and a status line; without,
    back to the role page's equation. A refused value saves nothing and says
    why beside the factor. Queries (pinned in tests/roles/test_factors.py):
    session, user, membership with playbook, the role, its Give-Gets, the
    database's check of the value (in a savepoint), the role locked, the
    update and its history record. Scored differently by someone else since
    the page was read: nothing saved, both scores shown (409).
    """
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_role(access.playbook, role_id)
    if request.method == "GET":  # the forms are on the role page
        return redirect(_role_url(role) + "#factors")
    names = [name for name in FACTORS if name in request.POST]
    if len(names) != 1:
        errors = {name: _("Score one factor at a time.") for name in names}
        status = _("Nothing saved: score one factor at a time.")
        return _factors_response(request, access, role, errors=errors, status=status)
    factor = names[0]
    form = FactorForm(request.POST, instance=role, factor=factor)
    if not form.is_valid():
        # The model's validation ran on the typed value: show the saved one.
        setattr(role, factor, form.initial.get(factor))
        error = " ".join(str(message) for message in form.errors.get(factor, []))
        error = error or " ".join(str(message) for message in form.non_field_errors())
        label = capfirst(str(_factor_field(factor).verbose_name))
        status = _("%(factor)s not saved: %(error)s") % {"factor": label, "error": error}
        return _factors_response(request, access, role, errors={factor: error}, status=status)
    if concurrency.save(form) is None:  # scored differently by someone else meanwhile
        mine = form.cleaned_data[factor]
        role.refresh_from_db(fields=[factor, "version"])
        if form.conflict is None:  # the role was deleted meanwhile
            raise Http404
        label = capfirst(str(_factor_field(factor).verbose_name))
        status = _("%(factor)s not saved: someone else scored it since you opened the page.") % {
            "factor": label
        }
        conflict = (form.conflict, "" if mine is None else str(mine))
        return _factors_response(request, access, role, status=status, conflict=(factor, conflict))
    status = _factor_status(role, factor)
    if not request.htmx:
        messages.success(request, status)
        return redirect(_role_url(role) + "#equation")
    return _factors_response(request, access, role, status=status)


def _factors_response(
    request: HtmxHttpRequest,
    access: Access,
    role: Role,
    *,
    status: str,
    errors: dict[str, str] | None = None,
    conflict: tuple[str, tuple[concurrency.Conflict, str]] | None = None,
) -> HttpResponse:
    """With htmx the factors, the equation and the status line; without, the
    role page with the refusal beside the factor. A conflict answers 409."""
    conflicts = dict([conflict]) if conflict else None
    context = role_context(access, role, factors=factor_rows(role, errors, conflicts))
    code = 409 if conflict else 200
    if not request.htmx:
        context["add_form"] = new_giveget_form()
        context["owner_suggestions"] = owner_suggestions(access.playbook)
        context.update(pulse_panel(request, access, role))
        context.update(messages_panel(access, role))
        context.update(comments_context(request, access, role.pk))
        if errors is not None or conflict:  # refused
            messages.error(request, status)
        return render(request, "planner/role_detail.html", context, status=code)
    html = render_to_string("planner/role_detail.html#factors", context, request=request)
    return HttpResponse(html + _out_of_band(request, context, status), status=code)
