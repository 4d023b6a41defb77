"""The summary as a page of the app (``/playbooks/<id>/summary/``): page 2
of the PDF playbook for managers who never open the PDF, printable on one
A4 page. Every member reads it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from planner.overview import overview
from planner.summary import summary
from playbooks.access import get_playbook
from pulse import weeks


@require_GET
def summary_page(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """Queries: session, user, membership with playbook; then ``overview``'s
    roles, Give-Gets, ambassadors, steps, tasks and messages; from the first
    closed week on also the pulse's state, week summaries and kept k, and the
    adoption figures. Fixed whatever the number of roles (the header's plan
    progress comes from the steps already read)."""
    access = get_playbook(request, playbook_id)
    playbook = access.playbook
    today = weeks.today()
    data = overview(playbook, today, can_edit=access.can_edit)
    return render(
        request,
        "planner/summary.html",
        {
            "access": access,
            "playbook": playbook,
            "section": "summary",
            "plan_progress": data["plan_progress"],
            "summary": summary(data, go_live=playbook.go_live, today=today),
        },
    )
