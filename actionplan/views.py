"""The action plan page: a timeline of seven steps around go-live, with checklists.

One page and its fragments. Ticking a task answers with the task, and out of
band the step's progress and the header's; other changes answer with the
step. Without JavaScript every action is a form that redirects to the plan.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from actionplan.calendar_feed import calendar_panel
from actionplan.defaults import default_dates
from actionplan.forms import FollowGoLiveForm, StepForm, TaskForm
from actionplan.models import Step, Task
from actionplan.order import Dated, date_problems
from actionplan.selectors import (
    date_problems_of,
    get_step,
    get_task,
    progress_of,
    steps_with_tasks,
)
from actionplan.timeline import StepDates, build_timeline
from core import concurrency, undo
from core.concurrency import read_token
from core.forms import autofocus, suggest_owners
from core.http import HtmxHttpRequest
from core.inplace import edit_form_response
from core.ordering import move, next_order
from playbooks.access import Access, get_playbook
from playbooks.models import Level
from playbooks.people import owner_suggestions
from roles.models import Role


def plan_context(access: Access, **extra: Any) -> dict[str, Any]:
    """Queries: steps, their tasks, the roles' quick wins."""
    playbook = access.playbook
    today = timezone.localdate()
    steps = steps_with_tasks(playbook)
    roles = list(
        playbook.roles.only(
            "pk",
            "name",
            "quick_win",
            "quick_win_due",
            "quick_win_done",
            "playbook_id",
            "order",
            "version",
        )
    )
    for role in roles:
        role.playbook = playbook
        role.follow_token = ""  # "follow go-live again" on a typed quick-win date
        if access.can_edit and role.quick_win_due is not None and role.quick_win_due_default:
            role.follow_token = read_token(role, ["quick_win_due"])
    timeline = build_timeline(
        [
            StepDates(s.number, s.title, s.start_date, s.due_date, s.status, s.is_overdue(today))
            for s in steps
        ],
        go_live=playbook.go_live,
        today=today,
        go_live_label=_("Go-live"),
        today_label=_("Today"),
    )
    add_forms = extra.pop("add_forms", {})
    problems = date_problems(
        [Dated(s.number, s.start_date, s.due_date) for s in steps], playbook.go_live
    )
    for step in steps:
        step.date_problems = problems.get(step.number, [])
        step.follow_dates = (None, None)
        if not step.dates_are_default and access.can_edit:
            step.follow_dates = default_dates(step.number, playbook.go_live)
            step.follow_form = FollowGoLiveForm(instance=step, prefix=f"follow{step.pk}")
        step.add_form = add_forms.get(step.pk) or TaskForm(prefix=f"new{step.pk}")
        step.overdue = step.is_overdue(today)
        step.overdue_days = step.days_overdue(today)
        step.done_tasks = sum(1 for task in step.tasks.all() if task.done)
        for task in step.tasks.all():
            task.overdue = task.is_overdue(today)
            task.overdue_days = task.days_overdue(today)
    return {
        "access": access,
        "playbook": playbook,
        "steps": steps,
        "roles": roles,
        "today": today,
        "timeline": timeline,
        "plan_progress": progress_of(steps),
        "section": "plan",
        **extra,
    }


def _plan_url(access: Access, step: Step | None = None) -> str:
    url = reverse("plan", args=[access.playbook.pk])
    return f"{url}#step-{step.number}" if step else url


def _step_response(
    request: HttpRequest, access: Access, step_id: int, **extra: Any
) -> HttpResponse:
    """One step, fresh, plus out of band the other steps' dates (with their
    warnings), the header's progress and the timeline."""
    context = plan_context(access, **extra)
    step = next(s for s in context["steps"] if s.pk == step_id)
    html = render_to_string("actionplan/plan.html#step", {**context, "step": step}, request)
    oob = {**context, "oob": True}
    for other in context["steps"]:  # their warnings come and go with this step's dates
        if other.pk != step_id:
            dates = {**oob, "step": other}
            html += render_to_string("actionplan/plan.html#step_dates", dates, request)
    html += render_to_string("playbooks/base_playbook.html#progress", oob, request)
    html += render_to_string("actionplan/plan.html#timeline", oob, request)
    return HttpResponse(html)


def _page(request: HttpRequest, access: Access, **extra: Any) -> HttpResponse:
    """The whole page: the plan and, below it, the Calendar panel (one query more)."""
    context = plan_context(access, **extra, **calendar_panel(request, access))
    return render(request, "actionplan/plan.html", context)


@require_GET
def plan(request: HttpRequest, playbook_id: int) -> HttpResponse:
    """Queries: session, user, membership with playbook, steps, tasks, roles,
    the calendar feed."""
    access = get_playbook(request, playbook_id)
    return _page(request, access)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def step_edit(request: HtmxHttpRequest, playbook_id: int, step_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    step = get_step(access.playbook, step_id)
    form = StepForm(request.POST or None, instance=step, prefix=f"step{step.pk}")
    if request.method == "POST" and form.is_valid() and concurrency.save(form):
        if request.htmx:
            return _step_response(request, access, step.pk)
        messages.success(request, _("Step %(n)s saved.") % {"n": step.number})
        return redirect(_plan_url(access, step))
    context = {
        "access": access,
        "playbook": access.playbook,
        "step": step,
        # Two queries more when the form is shown: members, ambassadors.
        "form": autofocus(suggest_owners(form, owner_suggestions(access.playbook))),
        "section": "plan",
        # What is wrong with its dates now, to mend while editing them.
        "date_problems": date_problems_of(access.playbook).get(step.number, []),
    }
    return edit_form_response(
        request,
        page="actionplan/step_edit.html",
        fragment="actionplan/plan.html#step_form",
        item=f"#step-{step.number}",
        context=context,
    )


@require_POST
@vary_on_headers("HX-Request")
def step_follow_go_live(request: HtmxHttpRequest, playbook_id: int, step_id: int) -> HttpResponse:
    """Empty a step's typed dates: it follows go-live again. Unless someone
    changed them since the page was read: then nothing changes, and the
    plan, fresh, says so."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    step = get_step(access.playbook, step_id)
    form = FollowGoLiveForm(request.POST, instance=step, prefix=f"follow{step.pk}")
    n = {"n": step.number}
    followed, said = concurrency.follow_default(
        form,
        # Without go-live (emptied since the page was read, or a crafted
        # post), emptying the typed dates would leave the step with none.
        has_default=default_dates(step.number, access.playbook.go_live) != (None, None),
        texts=concurrency.FollowTexts(
            no_default=_(
                "Step %(n)s has no date to follow: the playbook has no go-live date. "
                "Its dates were left as they are."
            )
            % n,
            followed=_("Step %(n)s follows go-live again.") % n,
            conflict=_(
                "Someone else changed the dates of step %(n)s since you opened the page, "
                "so they were left as they are now."
            )
            % n,
            stale=_(
                "The page was out of date, so the dates of step %(n)s were left as they are. "
                "Try again on the page as it is now."
            )
            % n,
        ),
    )
    if followed and request.htmx:
        return _step_response(request, access, step.pk, focus_heading=step.pk)
    if followed:
        messages.success(request, said)
        return redirect(_plan_url(access, step))
    messages.warning(request, said)
    if request.htmx:
        return HttpResponseClientRedirect(_plan_url(access, step))
    return redirect(_plan_url(access, step))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def task_add(request: HtmxHttpRequest, playbook_id: int, step_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    step = get_step(access.playbook, step_id)
    if request.method == "GET":
        return redirect(_plan_url(access, step))
    form = TaskForm(request.POST, prefix=f"new{step.pk}")
    if form.is_valid():
        task = form.save(commit=False)
        task.step = step
        task.order = next_order(step.tasks.all())
        task.save()
        if request.htmx:
            return _step_response(request, access, step.pk)
        return redirect(_plan_url(access, step))
    autofocus(form)
    if request.htmx:
        return _step_response(request, access, step.pk, add_forms={step.pk: form})
    return _page(request, access, add_forms={step.pk: form})


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def task_toggle(request: HtmxHttpRequest, playbook_id: int, task_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    task = get_task(access.playbook, task_id)
    if request.method == "POST":
        task.done = request.POST.get("done") == "on"
        task.save(update_fields=["done"])
        if request.htmx:
            return _step_response(request, access, task.step_id)
    return redirect(_plan_url(access, task.step))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def task_edit(request: HtmxHttpRequest, playbook_id: int, task_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    task = get_task(access.playbook, task_id)
    form = TaskForm(request.POST or None, instance=task, prefix=f"task{task.pk}")
    if request.method == "POST" and form.is_valid() and concurrency.save(form):
        if request.htmx:
            return _step_response(request, access, task.step_id)
        return redirect(_plan_url(access, task.step))
    context = {
        "access": access,
        "playbook": access.playbook,
        "task": task,
        "step": task.step,
        "form": autofocus(form),
        "section": "plan",
    }
    return edit_form_response(
        request,
        page="actionplan/task_edit.html",
        fragment="actionplan/plan.html#task_form",
        item=f"#task-{task.pk}",
        context=context,
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def task_delete(request: HtmxHttpRequest, playbook_id: int, task_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    task = get_task(access.playbook, task_id)
    if request.method == "POST":
        offer = undo.delete(
            request,
            task,
            playbook_id=access.playbook.pk,
            kind="task",
            label=_("Bring back the task “%(text)s”.") % {"text": task.text},
            back=_plan_url(access, task.step),
        )
        if request.htmx:
            # The deleted task had the focus: give it to its step's heading.
            step = _step_response(request, access, task.step_id, focus_heading=task.step_id)
            return undo.attach(request, step, offer)
        messages.success(request, _("Task deleted."))
        return redirect(_plan_url(access, task.step))
    return render(
        request,
        "actionplan/task_delete.html",
        {"access": access, "playbook": access.playbook, "task": task, "section": "plan"},
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def task_move(request: HtmxHttpRequest, playbook_id: int, task_id: int) -> HttpResponse:
    access = get_playbook(request, playbook_id, Level.EDITOR)
    task = get_task(access.playbook, task_id)
    if request.method == "POST":
        tasks = list(Task.objects.filter(step_id=task.step_id).order_by("order", "pk"))
        if not any(other.pk == task.pk for other in tasks) and not request.htmx:
            messages.warning(request, concurrency.DELETED_MEANWHILE)  # deleted since the look-up
        move(tasks, task, request.POST.get("direction", ""), playbook_id=access.playbook.pk)
        if request.htmx:
            return _step_response(request, access, task.step_id)
    return redirect(_plan_url(access, task.step))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def quick_win_toggle(request: HtmxHttpRequest, playbook_id: int, role_id: int) -> HttpResponse:
    """Step 6 ticks a role's quick win: the same field as on the role page."""
    access = get_playbook(request, playbook_id, Level.EDITOR)
    role = get_object_or_404(Role.objects.filter(playbook=access.playbook), pk=role_id)
    step = get_object_or_404(Step.objects.filter(playbook=access.playbook), number=6)
    if request.method == "POST":
        role.quick_win_done = request.POST.get("done") == "on"
        role.save(update_fields=["quick_win_done"])
        if request.htmx:
            return _step_response(request, access, step.pk)
    step.playbook = access.playbook
    return redirect(_plan_url(access, step))
