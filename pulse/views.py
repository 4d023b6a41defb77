"""The weekly pulse page (``/p/<token>/``): public, no account, no cookie.

Nothing here touches the session (a member's browser is recognised by reading
it, which sets no cookie), the form needs no CSRF token (it acts for no
account), and the page answers in the playbook's language with the strict
headers of every page opened from a link. An answer stores what DESIGN.md
lists and nothing else; it leaves no log line, task or history record.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from core.public import TOKEN, not_found, private
from playbooks.models import Membership
from pulse import weeks
from pulse.figures import fix_anchor
from pulse.forms import PulseForm
from pulse.limits import count_answer, over_hourly_limit, week_cap
from pulse.models import PulseAnswer, PulseLink


def _link(token: str) -> PulseLink | None:
    if not TOKEN.fullmatch(token):
        return None
    # A deleted role's link answers as an unknown one (and works again if the role is restored).
    links = PulseLink.objects.select_related("role__playbook")
    return links.filter(token=token, role__deleted_at__isnull=True).first()


def _is_member(request: HttpRequest, link: PulseLink) -> bool:
    """Whether the browser is logged in as one of the playbook's people: a
    member, or a superuser (an owner of every playbook, DESIGN.md)."""
    user = request.user
    return bool(
        user.is_authenticated
        and (
            user.is_superuser
            or Membership.objects.filter(playbook_id=link.role.playbook_id, user=user).exists()
        )
    )


def _page(
    request: HttpRequest,
    link: PulseLink,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    playbook = link.role.playbook
    with translation.override(playbook.language):
        response = render(
            request,
            template,
            {
                "role": link.role,
                "playbook": playbook,
                "token": link.token,
                "LANGUAGE_CODE": playbook.language,
                **context,
            },
            status=status,
        )
    response["Content-Language"] = playbook.language
    return private(response)


def _refusal(day: datetime.date, link: PulseLink, request: HttpRequest) -> str | None:
    """Why this browser may not answer now, in the playbook's language; None if it may."""
    playbook = link.role.playbook
    if weeks.week_of(playbook.pulse_go_live, day) is None:
        return "closed"
    if _is_member(request, link):
        return "member"
    return None


@csrf_exempt  # acts for no account, and sets no cookie: there is nothing to forge
@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def pulse_page(request: HttpRequest, token: str) -> HttpResponse:
    """The four questions. Queries: the link with role and playbook; for a
    browser logged in, its session, user and membership; on an answer, the
    lock on the link, the role-week count and the answer itself."""
    link = _link(token)
    if link is None:
        return not_found(request)
    role = link.role
    day = weeks.today()
    refusal = _refusal(day, link, request)
    form = PulseForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and refusal is None:
        with translation.override(role.playbook.language):
            valid = form.is_valid()  # messages in the playbook's language
        if not valid:
            status = 400
        elif over_hourly_limit(request, link.pk):
            refusal, status = "rate", 429
        else:
            stored = _store(link, form, day)
            if stored == "gone":
                return not_found(request)
            if stored == "stored":
                count_answer(request, link.pk)
                return redirect("pulse_thanks", token=link.token)
            refusal, status = stored, 409
    elif request.method == "POST":
        status = 403 if refusal == "member" else 409
    go_live = role.playbook.pulse_go_live
    return _page(
        request,
        link,
        "pulse/pulse.html",
        {
            "form": form,
            "refusal": refusal,
            "opens_on": go_live,
            "week": weeks.week_of(go_live, day),
            "action": reverse("pulse_page", args=[link.token]),
        },
        status,
    )


def _store(link: PulseLink, form: PulseForm, day: datetime.date) -> str:
    """Store the answer: "stored", or why not: "gone" (the link was revoked or
    its role deleted meanwhile), "closed" or "full". The lock on the link (its
    row only, never the playbook's) makes two answers for a role's last place
    wait for each other; other roles' answers do not wait."""
    with transaction.atomic():
        locked = PulseLink.objects.select_for_update(of=("self",)).select_related("role__playbook")
        current = locked.filter(pk=link.pk, token=link.token, role__deleted_at__isnull=True).first()
        if current is None:
            return "gone"
        role = current.role
        playbook = role.playbook
        week = weeks.week_of(playbook.pulse_go_live, day)
        if week is None:
            return "closed"
        if PulseAnswer.objects.filter(role=role, week=week).count() >= week_cap(role):
            return "full"
        fix_anchor(playbook)  # the first answer fixes the go-live the weeks count from
        PulseAnswer.objects.create(
            role=role,
            week=week,
            cost_minutes=form.cleaned_data["cost_minutes"],
            saved_minutes=form.cleaned_data["saved_minutes"],
            got_back=form.cleaned_data["got_back"],
            comment=form.cleaned_data["comment"],
        )
    return "stored"


@csrf_exempt  # a POST is refused by require_safe (405), not by the CSRF check
@login_not_required
@require_safe
def pulse_thanks(request: HttpRequest, token: str) -> HttpResponse:
    """Thanks, and nothing of anyone's answers."""
    link = _link(token)
    if link is None:
        return not_found(request)
    return _page(request, link, "pulse/thanks.html", {})
