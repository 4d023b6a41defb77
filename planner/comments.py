"""What a role's people said: the pulse's comments on the role page, and an
editor's hide / show again (DESIGN.md "The privacy threshold k").

Comments are shown to members for shown weeks only (``results_for`` says
which), and only for a week with at least k comments still visible: a comment
an editor hid is shown nowhere and does not count, so hiding one can take a
week below k, and then none of that week's show. They come in a fresh random
order each time, as text alone: never beside their answer's numbers, never
in the order they came. Hiding and showing again are recorded in the history
(``HiddenComment``), without the text; the answers never are.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from playbooks.access import Access, get_playbook
from playbooks.models import Level
from pulse import weeks
from pulse.models import HiddenComment, PulseAnswer
from pulse.results import RoleResults, results_for
from roles.models import Role

_shuffle = random.SystemRandom().shuffle  # an order no one can predict or replay


@dataclass(frozen=True)
class Comment:
    """A comment's text, and its answer's id for the hide button: nothing else
    of the answer (no numbers, no week beside it)."""

    id: uuid.UUID
    text: str


@dataclass(frozen=True)
class RoleComments:
    """The "What they said" section of one role page."""

    role_id: int
    k: int
    too_small: bool  # fewer than 2k people: no pulse results, no comments
    week: int | None  # the shown week on view (the last one unless ?week= says)
    comments: tuple[Comment, ...]  # that week's visible comments, shuffled; () below k
    visible: int  # how many visible comments that week has
    hidden: tuple[Comment, ...]  # that week's hidden ones (editors only, to show again)
    weeks: tuple[int, ...]  # the shown weeks one can page to, newest first


def _week_wanted(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def role_comments(
    access: Access, role_id: int, *, week: str | None = None, can_edit: bool = False
) -> RoleComments | None:
    """The section's content, or None when there is no closed week yet (no
    go-live, go-live in the future, still in week 1): then the page shows no
    section at all.

    Queries, however many answers and weeks: none before a week has closed;
    then the role, the three of ``results_for`` (state, summaries, kept k),
    the visible and hidden comments counted per shown week, and the comments
    of the week on view (none when nothing is shown).
    """
    playbook = access.playbook
    day = weeks.today()
    if weeks.last_closed_week(playbook.pulse_go_live, day) == 0:
        return None
    role = playbook.roles.filter(pk=role_id).only("pk", "headcount", "playbook_id").first()
    if role is None:
        return None
    results: RoleResults = results_for(playbook, [role], {}, day)[role.pk]
    shown = [w.week for w in results.weeks if w.shown]
    empty = RoleComments(
        role_id=role.pk,
        k=results.k,
        too_small=results.too_small,
        week=None,
        comments=(),
        visible=0,
        hidden=(),
        weeks=(),
    )
    if not shown:
        return empty
    k_of = {w.week: w.k for w in results.weeks}
    counts = {
        row["week"]: (row["visible"], row["total"])
        for row in PulseAnswer.objects.filter(role=role, week__in=shown)
        .exclude(comment="")
        .order_by()
        .values("week")
        .annotate(visible=Count("pk", filter=Q(hidden__isnull=True)), total=Count("pk"))
    }

    def offered(number: int) -> bool:
        visible, total = counts.get(number, (0, 0))
        # An editor also gets the weeks that had k before some were hidden,
        # to show those again.
        return visible >= k_of[number] or (can_edit and total >= k_of[number])

    wanted = _week_wanted(week)
    on_view = wanted if wanted in shown else shown[-1]
    visible, total = counts.get(on_view, (0, 0))
    k = k_of[on_view]
    rows: list[tuple[uuid.UUID, str, int | None]] = []
    if visible >= k or (can_edit and total >= k):
        found = PulseAnswer.objects.filter(role=role, week=on_view).exclude(comment="")
        if not can_edit:
            found = found.filter(hidden__isnull=True)
        rows = list(found.values_list("pk", "comment", "hidden__pk"))
    comments = [Comment(pk, text) for pk, text, hidden in rows if hidden is None]
    if visible < k:
        comments = []
    _shuffle(comments)
    hidden_ones = [Comment(pk, text) for pk, text, hidden in rows if hidden is not None]
    _shuffle(hidden_ones)
    return RoleComments(
        role_id=role.pk,
        k=k,
        too_small=results.too_small,
        week=on_view,
        comments=tuple(comments),
        visible=visible,
        hidden=tuple(hidden_ones),
        weeks=tuple(number for number in reversed(shown) if offered(number)),
    )


def comments_context(request: HttpRequest, access: Access, role_id: int) -> dict[str, Any]:
    """The role page's context key for its "What they said" section."""
    return {
        "role_comments": role_comments(
            access, role_id, week=request.GET.get("week"), can_edit=access.can_edit
        )
    }


def _back(role: Role, week: int) -> str:
    return reverse("role_detail", args=[role.playbook_id, role.pk]) + f"?week={week}#comments"


def _answer(access: Access, role_id: int, answer_id: uuid.UUID) -> tuple[Role, PulseAnswer]:
    """A comment of a shown week of a role of this playbook, or 404."""
    role = get_object_or_404(access.playbook.roles, pk=role_id)
    answer = get_object_or_404(
        PulseAnswer.objects.filter(role=role).exclude(comment="").only("pk", "role_id", "week"),
        pk=answer_id,
    )
    results = results_for(access.playbook, [role], {}, weeks.today())[role.pk]
    if not any(w.week == answer.week and w.shown for w in results.weeks):
        raise Http404
    return role, answer


@require_POST
def comment_hide(
    request: HttpRequest, playbook_id: int, role_id: int, answer_id: uuid.UUID
) -> HttpResponse:
    """Hide one comment (editors): recorded in the history by its person."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role, answer = _answer(access, role_id, answer_id)
    HiddenComment.objects.get_or_create(answer=answer, defaults={"role": role, "week": answer.week})
    messages.success(
        request,
        _(
            "Comment hidden: it is no longer shown, and it no longer counts towards the "
            "week’s comments. To undo, press “Show again” under “Hidden comments”."
        ),
    )
    return redirect(_back(role, answer.week))


@require_POST
def comment_show(
    request: HttpRequest, playbook_id: int, role_id: int, answer_id: uuid.UUID
) -> HttpResponse:
    """Show a hidden comment again (editors): recorded in the history too."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role, answer = _answer(access, role_id, answer_id)
    hidden = HiddenComment.objects.filter(answer=answer).first()
    if hidden is not None:
        hidden.delete()  # one by one, so that the history records who
    messages.success(request, _("The comment is shown again."))
    return redirect(_back(role, answer.week))
