"""The communications page (DESIGN.md "Communications plan and calendar"):
each role's messages as a timeline by week around go-live, filtered by role
and status; add, edit in place, move within a day, delete with Undo; and
each message copy-ready ("Copy text", "Open in e-mail").

One page and its fragments. The filter travels in the query string of every
action, so a change answers with the list as it was filtered; without
JavaScript every action is a form that redirects back to the page.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from comms import timeline
from comms.forms import FilterForm, FollowGoLiveForm, MessageForm
from comms.models import Message
from comms.selectors import (
    Context,
    Shown,
    get_message,
    messages_for_page,
    read_context,
    roles_of,
    shown,
)
from core import concurrency, undo
from core.forms import autofocus
from core.http import HtmxHttpRequest
from core.inplace import edit_form_response
from core.ordering import move_among, next_order
from playbooks.access import Access, get_playbook
from playbooks.models import Level


class Filter:
    """The page's filter as the query string gives it: only valid values apply."""

    KEYS = ("role", "status")

    def __init__(self, request: HttpRequest, roles: list[Any]) -> None:
        # In the address; an htmx form posts the filter's own fields instead
        # (the add form, outside the list that the filter redraws).
        source = request.GET
        if not any(key in source for key in self.KEYS) and request.method == "POST":
            source = request.POST
        data = QueryDict(mutable=True)
        for key in self.KEYS:
            if source.get(key):
                data[key] = source[key]
        self.form = FilterForm(data or None, roles=roles)
        self.role_id: int | None = None
        self.status = ""
        if self.form.is_bound:
            self.form.is_valid()  # errors said beside their fields
            cleaned = getattr(self.form, "cleaned_data", {})
            self.role_id = cleaned.get("role")
            self.status = cleaned.get("status", "")
        kept = QueryDict(mutable=True)
        if self.role_id is not None:
            kept["role"] = str(self.role_id)
        if self.status:
            kept["status"] = self.status
        self.query = kept.urlencode()

    @property
    def suffix(self) -> str:
        return f"?{self.query}" if self.query else ""


def _page_url(access: Access, query: str = "", message_id: int | None = None) -> str:
    url = reverse("comms", args=[access.playbook.pk])
    if query:
        url += f"?{query}"
    return f"{url}#message-{message_id}" if message_id else url


def _rows(
    access: Access, found: list[Message], context: Context, today: datetime.date
) -> timeline.Timeline[Shown]:
    rows = [shown(message, context) for message in found]
    days: dict[datetime.date | None, list[Shown]] = {}
    plan = timeline.build(rows, lambda row: row.date, go_live=access.playbook.go_live, today=today)
    for week_rows in [*(week.items for week in plan.weeks), plan.undated]:
        for row in week_rows:
            days.setdefault(row.date, []).append(row)
    for same_day in days.values():
        for index, row in enumerate(same_day):
            row.can_move_up = index > 0
            row.can_move_down = index < len(same_day) - 1
    return plan


def page_context(
    request: HttpRequest,
    access: Access,
    *,
    add_form: MessageForm | None = None,
    focus: int | None = None,
    focus_move: tuple[int, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Queries: roles, the messages, ambassadors, members, step 5, the
    Give-Gets of the roles whose messages are drafted. ``focus``: the message
    whose title takes the focus (saved); ``focus_move``: the message moved
    and its direction, whose button keeps it while it can."""
    playbook = access.playbook
    roles = roles_of(playbook)
    page_filter = Filter(request, roles)
    found = messages_for_page(playbook, role_id=page_filter.role_id, status=page_filter.status)
    context = read_context(playbook, found, roles=roles)
    today = timezone.localdate()
    plan = _rows(access, found, context, today)
    for row in _all_rows(plan):
        if access.can_edit and row.follow_date is not None:
            row.follow_token = concurrency.read_token(row.message, ["date"])
        if row.pk == focus:
            row.focus = "title"
        elif focus_move is not None and row.pk == focus_move[0]:
            can = {"up": row.can_move_up, "down": row.can_move_down}
            row.focus = next((d for d in (focus_move[1], "up", "down") if can.get(d)), "title")
    if access.can_edit and add_form is None:
        add_form = _form(context, prefix="add")
    return {
        "access": access,
        "playbook": playbook,
        "section": "comms",
        "timeline": plan,
        "filter": page_filter,
        "query": page_filter.query,
        "suffix": page_filter.suffix,
        "add_form": add_form,
        "roles": roles,
        "today": today,
        **extra,
    }


def _form(
    context: Context,
    data: Any = None,
    *,
    message: Message | None = None,
    prefix: str,
) -> MessageForm:
    if message is None:
        return MessageForm(
            data,
            playbook=context.playbook,
            roles=list(context.roles.values()),
            ambassadors=context.ambassadors,
            members=context.members,
            prefix=prefix,
        )
    return MessageForm(
        data,
        instance=message,
        playbook=context.playbook,
        roles=list(context.roles.values()),
        ambassadors=context.ambassadors,
        members=context.members,
        current_draft=context.draft_of(message) if message.drafted else None,
        default_date=context.default_date_of(message),
        prefix=prefix,
    )


def _list_response(
    request: HttpRequest, access: Access, *, status_message: str = "", **extra: Any
) -> HttpResponse:
    """The list, fresh, and ``status_message`` in the page's live region, out of band."""
    context = page_context(request, access, **extra)
    html = render_to_string("comms/messages.html#messages", context, request)
    html += render_to_string(
        "comms/messages.html#comms_status",
        {"oob": True, "status_message": status_message},
        request,
    )
    return HttpResponse(html)


@require_GET
@vary_on_headers("HX-Request")
def comms_page(request: HtmxHttpRequest, playbook_id: int) -> HttpResponse:
    """Queries: session, user, membership with playbook, roles, messages,
    ambassadors, members, step 5, the drafted roles' Give-Gets, and the
    plan's progress in the header."""
    access = get_playbook(request, playbook_id)
    context = page_context(request, access)
    if request.htmx and request.htmx.target == "messages":
        return render(request, "comms/messages.html#messages", context)
    return render(request, "comms/messages.html", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def message_add(request: HtmxHttpRequest, playbook_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    roles = roles_of(access.playbook)
    page_filter = Filter(request, roles)
    if request.method == "GET":
        return redirect(_page_url(access, page_filter.query) + "#add-message")
    context = read_context(access.playbook, roles=roles)
    form = _form(context, request.POST, prefix="add")
    if form.is_valid():
        message = form.save(commit=False)
        message.kind = Message.Kind.CUSTOM
        message.drafted = False
        message.order = next_order(Message.objects.filter(playbook=access.playbook))
        message.save()
        said = _("Message “%(title)s” added.") % {"title": message.title}
        if request.htmx:
            fresh = autofocus(_form(context, prefix="add"))
            page = page_context(request, access, add_form=fresh, add_open=True)
            if not any(row.pk == message.pk for row in _all_rows(page["timeline"])):
                said += " " + _("The filter hides it: show every role and status to see it.")
            html = render_to_string("comms/messages.html#add", page, request)
            html += render_to_string("comms/messages.html#messages", {**page, "oob": True}, request)
            html += render_to_string(
                "comms/messages.html#comms_status",
                {"oob": True, "status_message": said},
                request,
            )
            return HttpResponse(html)
        flash.success(request, said)
        return redirect(_page_url(access, page_filter.query, message.pk))
    autofocus(form)
    page = page_context(request, access, add_form=form, add_open=True)
    if request.htmx:
        return render(request, "comms/messages.html#add", page)
    return render(request, "comms/messages.html", page)


def _all_rows(plan: timeline.Timeline[Shown]) -> list[Shown]:
    return [row for week in plan.weeks for row in week.items] + plan.undated


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def message_edit(request: HtmxHttpRequest, playbook_id: int, message_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    message = get_message(access.playbook, message_id)
    roles = roles_of(access.playbook)
    page_filter = Filter(request, roles)
    context = read_context(access.playbook, [message], roles=roles)
    form = _form(context, request.POST or None, message=message, prefix=f"m{message.pk}")
    if request.method == "POST" and form.is_valid() and concurrency.save(form):
        if request.htmx:
            return _list_response(
                request, access, status_message=concurrency.saved_message(form), focus=message.pk
            )
        flash.success(request, concurrency.saved_message(form))
        return redirect(_page_url(access, page_filter.query, message.pk))
    if form.conflict is not None:
        current = Message.objects.filter(pk=message.pk).first()
        if current is not None:
            current.playbook = access.playbook
            now = read_context(access.playbook, [current], roles=roles)
            form.redraft(current, now.draft_of(current) if current.drafted else None)
    if not form.errors and form.conflict is None:
        form.fields["title"].widget.attrs["autofocus"] = True
    else:
        autofocus(form)
    row = shown(message, context)
    page = _page_url(access, page_filter.query)
    return edit_form_response(
        request,
        page="comms/message_edit.html",
        fragment="comms/messages.html#message_form",
        item=f"#message-{message.pk}",
        context={
            "access": access,
            "playbook": access.playbook,
            "section": "comms",
            "message": message,
            "row": row,
            "form": form,
            "suffix": page_filter.suffix,
            "page": page,
        },
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def message_delete(request: HtmxHttpRequest, playbook_id: int, message_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    message = get_message(access.playbook, message_id)
    roles = roles_of(access.playbook)
    page_filter = Filter(request, roles)
    row = shown(message, read_context(access.playbook, [message], roles=roles))
    if request.method == "POST":
        offer = undo.delete(
            request,
            message,
            playbook_id=access.playbook.pk,
            kind="message",
            label=_("Bring back the message “%(title)s”.") % {"title": row.title},
            back=_page_url(access, page_filter.query),
        )
        if request.htmx:
            response = _list_response(
                request,
                access,
                status_message=_("Message deleted."),
                focus_heading=True,
            )
            return undo.attach(request, response, offer)
        flash.success(request, _("Message deleted."))
        return redirect(_page_url(access, page_filter.query))
    return render(
        request,
        "comms/message_delete.html",
        {
            "access": access,
            "playbook": access.playbook,
            "section": "comms",
            "row": row,
            "suffix": page_filter.suffix,
            "page": _page_url(access, page_filter.query),
        },
    )


@require_POST
@vary_on_headers("HX-Request")
def message_follow_go_live(
    request: HtmxHttpRequest, playbook_id: int, message_id: int
) -> HttpResponse:
    """Empty a message's typed date: its kind's default again, following
    go-live. Unless someone changed the date since the page was read: then it
    stays, and the list, fresh, shows it."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    message = get_message(access.playbook, message_id)
    roles = roles_of(access.playbook)
    page_filter = Filter(request, roles)
    row = shown(message, read_context(access.playbook, [message], roles=roles))
    form = FollowGoLiveForm(request.POST, instance=message)
    title = {"title": row.title}
    followed, said = concurrency.follow_default(
        form,
        # A message added by hand, no go-live (emptied since the page was
        # read), or no typed date: nothing to follow, nothing emptied.
        has_default=row.follow_date is not None,
        texts=concurrency.FollowTexts(
            no_default=_(
                "“%(title)s” has no default date to follow (the playbook has no go-live "
                "date, or the message was added by hand), so its date was left as it is."
            )
            % title,
            followed=_("“%(title)s” follows go-live again.") % title,
            conflict=_(
                "Someone else changed the date of “%(title)s” since you opened the page, "
                "so it was left as it is now."
            )
            % title,
            stale=_(
                "The page was out of date, so the date of “%(title)s” was left as it is. "
                "Try again on the page as it is now."
            )
            % title,
        ),
    )
    if request.htmx:
        return _list_response(request, access, status_message=said, focus=message.pk)
    (flash.success if followed else flash.warning)(request, said)
    return redirect(_page_url(access, page_filter.query, message.pk))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def message_move(request: HtmxHttpRequest, playbook_id: int, message_id: int) -> HttpResponse:
    """Up or down among the messages of its day (or among those without a
    date), as the filtered page shows them."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    message = get_message(access.playbook, message_id)
    roles = roles_of(access.playbook)
    page_filter = Filter(request, roles)
    direction = request.POST.get("direction", "")
    if request.method == "POST":
        # Its neighbour as the filtered page shows it; the order of all the
        # day's messages, so that those the filter hides keep their places.
        found = messages_for_page(access.playbook)
        context = read_context(access.playbook, found, roles=roles)
        rows = _all_rows(_rows(access, found, context, timezone.localdate()))
        shown_pks = {
            m.pk
            for m in messages_for_page(
                access.playbook, role_id=page_filter.role_id, status=page_filter.status
            )
        }
        day = next((row.date for row in rows if row.pk == message.pk), None)
        same_day = [row.message for row in rows if row.date == day]
        shown = [other for other in same_day if other.pk in shown_pks]
        if any(other.pk == message.pk for other in shown):
            move_among(same_day, shown, message, direction, playbook_id=access.playbook.pk)
        if request.htmx:
            return _list_response(
                request, access, focus_move=(message.pk, direction), status_message=_("Moved.")
            )
    return redirect(_page_url(access, page_filter.query, message.pk))


@require_GET
def message_text(request: HttpRequest, playbook_id: int, message_id: int) -> HttpResponse:
    """The message ready to copy: its title and text in a read-only field,
    selected (the "Copy text" of a browser without JavaScript)."""
    access = get_playbook(request, playbook_id)
    message = get_message(access.playbook, message_id)
    roles = roles_of(access.playbook)
    page_filter = Filter(request, roles)
    row = shown(message, read_context(access.playbook, [message], roles=roles))
    return render(
        request,
        "comms/message_text.html",
        {
            "access": access,
            "playbook": access.playbook,
            "section": "comms",
            "row": row,
            "page": _page_url(access, page_filter.query, message.pk),
        },
    )
