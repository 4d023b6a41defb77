"""The changes page: who changed what in a playbook, and when (DESIGN.md
"History, undo and two people editing"). Every member reads it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from planner import revert
from planner.changelog import KIND_LABELS, NameTaken, RestoreRefused, page_of_changes, restore
from playbooks.access import Access, get_playbook
from playbooks.models import Level
from roles.models import Role


class ChangesFilterForm(forms.Form):
    """Narrow the list to one role (with its Give-Gets and ambassadors) or to
    one kind of thing. A value that is not offered is said beside its field."""

    role = forms.TypedChoiceField(label=_("Role"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, data: Any, *, roles: list[tuple[int, str]]) -> None:
        super().__init__(data)
        role_field = self.fields["role"]
        kind_field = self.fields["kind"]
        assert isinstance(role_field, forms.ChoiceField)
        assert isinstance(kind_field, forms.ChoiceField)
        role_field.choices = [("", _("All roles")), *roles]
        kind_field.choices = [("", _("Everything")), *KIND_LABELS.items()]


class RestoreRoleForm(forms.Form):
    """A new name for a deleted role whose name another role has taken since."""

    name = forms.CharField(label=_("New name"), max_length=Role._meta.get_field("name").max_length)


@require_GET
def changes(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """Newest first, 50 a page. Queries, whatever the history's length:
    session, user, membership with playbook, the roles for the filter (the
    deleted ones too, marked, until they are purged), the count, the
    page, then per kind on the page its records and their previous versions,
    and the names of roles, steps and members they need."""
    access = get_playbook(request, playbook_id)
    roles = [
        (pk, name if deleted_at is None else gettext("%(name)s (deleted)") % {"name": name})
        for pk, name, deleted_at in Role.all_objects.filter(playbook=access.playbook)
        .order_by(F("deleted_at").asc(nulls_first=True), "order", "pk")
        .values_list("pk", "name", "deleted_at")
    ]
    form = ChangesFilterForm(request.GET or None, roles=roles)
    role_id, kind = None, ""
    if form.is_bound and form.is_valid():
        role_id, kind = form.cleaned_data["role"], form.cleaned_data["kind"]
    page, lines = page_of_changes(
        access.playbook.pk, request.GET.get("page"), kind=kind, role_id=role_id
    )
    if access.can_edit:
        lines = revert.offer(lines)  # no query
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "planner/changes.html",
        {
            "access": access,
            "playbook": access.playbook,
            "section": "changes",
            "form": form,
            "page": page,
            "lines": lines,
            "query": query.urlencode(),
        },
    )


@require_POST
def changes_restore(
    request: HttpRequest, playbook_id: int, kind: str, history_id: int
) -> HttpResponse:
    """Bring a deleted role, Give-Get, ambassador or task back as it was
    (editors). Back to the changes page, with its filter, or where the Undo
    was pressed, and a message either way; a role whose name is taken again
    asks for a new one first."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    rename = RestoreRoleForm(request.POST) if kind == "role" and "name" in request.POST else None
    if rename is not None and not rename.is_valid():
        return _rename_page(request, access, rename)
    try:
        name = rename.cleaned_data["name"] if rename is not None else ""
        restored = restore(access.playbook.pk, kind, history_id, name=name)
    except NameTaken as taken:
        if rename is None:
            return _rename_page(request, access, RestoreRoleForm(), taken=str(taken))
        rename.add_error("name", str(taken))
        return _rename_page(request, access, rename)
    except RestoreRefused as refused:
        messages.error(request, gettext("Not restored: %(reason)s") % {"reason": refused})
    else:
        if restored is None:
            raise Http404
        message = gettext("Restored as it was.")
        if kind == "ambassador":
            message += " " + gettext(
                "Their personal link stays revoked: issue a new one on the roster."
            )
        if kind == "role" and restored.ambassadors.exists():
            message += " " + gettext(
                "Its ambassadors’ personal links were revoked: issue new ones on the roster."
            )
        messages.success(request, message)
    return _back_to_changes(request, access.playbook.pk)  # or where the Undo was pressed


@require_POST
def changes_revert(
    request: HttpRequest, playbook_id: int, kind: str, history_id: int, field: str
) -> HttpResponse:
    """Set one field changed by one change back to its value before it
    (editors; planner.revert). Back to the changes page, with its filter, and
    a message either way."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    try:
        reverted = revert.revert(
            playbook=access.playbook, kind=kind, history_id=history_id, field=field
        )
    except revert.RevertRefused as refused:
        messages.error(request, str(refused))
    else:
        if reverted is None:
            raise Http404
        messages.success(request, reverted)
    return _back_to_changes(request, access.playbook.pk)


def _back_to_changes(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """To ``next`` when it is a page of this site, else to the changes page
    with the filter it was on (only the filter's own keys)."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    query = QueryDict(request.POST.get("query", ""))
    kept = QueryDict(mutable=True)
    for key in ("role", "kind", "page"):
        if key in query:
            kept[key] = query[key]
    url = reverse("changes", args=[playbook_id])
    return redirect(f"{url}?{kept.urlencode()}" if kept else url)


def _rename_page(
    request: HttpRequest, access: Access, form: RestoreRoleForm, *, taken: str = ""
) -> HttpResponse:
    """The form asking a new name for a role whose name is taken again; it
    posts to the same restore, with the same way back."""
    return render(
        request,
        "planner/role_restore.html",
        {
            "access": access,
            "playbook": access.playbook,
            "section": "changes",
            "form": form,
            "taken": taken,
            "action": request.path,
            "next": request.POST.get("next", ""),
            "query": request.POST.get("query", ""),
        },
    )
