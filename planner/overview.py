"""Reads for the playbook overview and list: the health check's facts, totals,
coverage, what is due next and the messages (finding M2), in a fixed number
of queries."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q
from django.urls import reverse

from actionplan.models import Step, Task
from actionplan.selectors import progress_of
from ambassadors.coverage import needed
from ambassadors.models import Ambassador
from comms import upcoming
from comms.models import Message
from givegets.models import GiveGet
from planner import results
from planner.health import (
    MISTAKES,
    AmbassadorFacts,
    Finding,
    GiveGetFacts,
    PlaybookFacts,
    Report,
    RoleFacts,
    check,
)
from playbooks.models import Playbook
from playbooks.people import names_of, owner_key
from pulse.adoption import RoleAdoption, adoption_for
from pulse.results import RoleResults
from roles.chart import balance_chart
from roles.equation import Verdict, total_hours
from roles.models import Role


def roles_for_overview() -> Prefetch:
    """Roles with their Give-Gets and ambassadors: three queries for any number."""
    return Prefetch(
        "roles",
        queryset=Role.objects.order_by("order", "id").prefetch_related(
            Prefetch("givegets", queryset=GiveGet.objects.order_by("order", "id")),
            Prefetch("ambassadors", queryset=Ambassador.objects.order_by("-influence", "name")),
        ),
    )


def steps_for_overview() -> Prefetch:
    return Prefetch(
        "steps",
        queryset=Step.objects.order_by("number").prefetch_related(
            Prefetch("tasks", queryset=Task.objects.order_by("order", "id"))
        ),
    )


def messages_for_overview() -> Prefetch:
    """A playbook's messages (not those of a deleted role), only what their
    dates need: one query for any number of playbooks."""
    return Prefetch(
        "messages",
        queryset=Message.objects.filter(
            Q(role__isnull=True) | Q(role__deleted_at__isnull=True)
        ).only("playbook_id", "role_id", "kind", "date"),
    )


def role_facts(
    role: Role,
    pulse: RoleResults | None = None,
    adoption: RoleAdoption | None = None,
    message_dates: tuple[datetime.date | None, ...] | None = None,
) -> RoleFacts:
    """The health check's view of one role, its Give-Gets and ambassadors loaded,
    what its pulse and its adoption figures may show since go-live, and the
    dates of its messages."""
    balance = role.balance()
    return RoleFacts(
        pk=role.pk,
        name=role.name,
        headcount=role.headcount,
        question=role.question,
        wiifm=role.wiifm,
        quick_win=role.quick_win,
        time_balance=balance.time_balance,
        givegets=tuple(
            GiveGetFacts(
                gg.pk,
                gg.give,
                gg.get,
                gg.deliver_by,
                gg.status == GiveGet.Status.DELIVERED,
            )
            for gg in role.givegets.all()
        ),
        ambassadors=tuple(
            AmbassadorFacts(a.pk, a.name, a.is_trained) for a in role.ambassadors.all()
        ),
        assessed=balance.verdict is not Verdict.NOT_ASSESSED,
        measured=tuple((m.week, m.verdict) for m in pulse.shown) if pulse else (),
        adoption=adoption,
        message_dates=message_dates,
    )


def _step_five(playbook: Playbook, steps: list[Step]) -> datetime.date | None:
    step = next((s for s in steps if s.number == upcoming.OPEN_SESSION_STEP), None)
    if step is not None:
        step.playbook = playbook
    return upcoming.step_five_due(step)


def facts(
    playbook: Playbook,
    roles: list[Role],
    steps: list[Step],
    pulse: Mapping[int, RoleResults] | None = None,
    adoption: Mapping[int, RoleAdoption] | None = None,
    messages: list[Message] | None = None,
) -> PlaybookFacts:
    """The health check's view of a playbook loaded with its roles and steps,
    and with each role's pulse results (finding P1), adoption figures
    (finding P2) and messages (finding M2) when given."""
    pulse = pulse or {}
    adoption = adoption or {}
    by_role: dict[int, tuple[datetime.date | None, ...]] = {}
    if messages is not None:
        by_role = upcoming.message_dates(messages, playbook.go_live, _step_five(playbook, steps))
    return PlaybookFacts(
        go_live=playbook.go_live,
        data_used_for=playbook.data_used_for,
        data_not_used_for=playbook.data_not_used_for,
        step5_done=any(s.number == 5 and s.status == Step.Status.DONE for s in steps),
        roles=tuple(
            role_facts(
                role,
                pulse.get(role.pk),
                adoption.get(role.pk),
                by_role.get(role.pk, ()) if messages is not None else None,
            )
            for role in roles
        ),
    )


def fix_url(playbook: Playbook, finding: Finding, *, can_edit: bool = True) -> str:
    """The address where a finding is fixed, or, for a viewer, where it is seen."""
    t, pk = finding.target, playbook.pk
    if not can_edit:
        match t.kind:
            case "role" | "role_edit" | "role_factors":
                return reverse("role_detail", args=[pk, t.pk])
            case "giveget":
                return reverse("role_detail", args=[pk, t.parent_pk]) + f"#gg-{t.pk}"
            case "ambassador":
                return reverse("roster", args=[pk]) + f"#amb-{t.pk}"
            case "roster":
                return reverse("roster", args=[pk]) + (f"#group-{t.pk}" if t.pk else "")
            case "matrix":
                return reverse("matrix", args=[pk])
            case "matrix_row":
                return reverse("matrix", args=[pk]) + f"#role-{t.pk}"
            case "charter":
                return reverse("playbook_detail", args=[pk]) + "#charter"
    match t.kind:
        case "role":
            return reverse("role_detail", args=[pk, t.pk]) + "#givegets"
        case "giveget":
            return reverse("giveget_edit", args=[pk, t.parent_pk, t.pk])
        case "role_edit":
            return reverse("role_edit", args=[pk, t.pk])
        case "role_factors":
            return reverse("role_detail", args=[pk, t.pk]) + "#factors"
        case "ambassador":
            return reverse("ambassador_edit", args=[pk, t.pk])
        case "roster":
            return reverse("roster", args=[pk]) + "#add-ambassador"
        case "matrix":
            return reverse("matrix", args=[pk]) + "#add-role"
        case "matrix_row":
            return reverse("matrix_edit", args=[pk, t.pk])
        case "charter":
            return reverse("charter_edit", args=[pk])
        case "step":
            return reverse("plan", args=[pk]) + f"#step-{t.pk}"
        case "role_results":  # the same for viewers: nothing to fix on a form
            return reverse("role_detail", args=[pk, t.pk]) + "#since-go-live"
        case "adoption":  # the same for viewers: the role's row on the results page
            return reverse("results", args=[pk]) + f"#role-{t.pk}"
        case "role_messages":  # the same for viewers: the role page's next messages
            return reverse("role_detail", args=[pk, t.pk]) + "#messages"
    raise ValueError(t.kind)


@dataclass(frozen=True)
class DueItem:
    date: datetime.date
    text: str
    url: str
    overdue: bool
    kind: str  # "step" or "task"


def next_due(
    playbook: Playbook, steps: list[Step], today: datetime.date, count: int = 3
) -> list[DueItem]:
    """The next open steps and tasks by due date, overdue ones first."""
    items = []
    for step in steps:
        step.playbook = playbook
        url = reverse("plan", args=[playbook.pk]) + f"#step-{step.number}"
        if step.status != Step.Status.DONE and step.due_date:
            items.append(
                DueItem(
                    step.due_date,
                    f"{step.number}. {step.title}",
                    url,
                    step.due_date < today,
                    "step",
                )
            )
        for task in step.tasks.all():
            if not task.done and task.due:
                items.append(DueItem(task.due, task.text, url, task.due < today, "task"))
    items.sort(key=lambda item: (item.date, item.kind))
    return items[:count]


@dataclass(frozen=True)
class YourTask:
    text: str
    due: datetime.date | None
    overdue_days: int


@dataclass(frozen=True)
class YourStep:
    text: str
    url: str
    due: datetime.date | None
    overdue_days: int
    tasks: tuple[YourTask, ...]


def yours(playbook: Playbook, steps: list[Step], user: Any, today: datetime.date) -> list[YourStep]:
    """The steps not done whose owner names ``user`` (``playbooks.people``), in
    plan order, each with its tasks not done: a step's checklist is its
    owner's. No query: the steps come with their tasks."""
    names = names_of(user)
    items = []
    for step in steps:
        if step.status == Step.Status.DONE or owner_key(step.owner) not in names:
            continue
        step.playbook = playbook
        items.append(
            YourStep(
                text=f"{step.number}. {step.title}",
                url=reverse("plan", args=[playbook.pk]) + f"#step-{step.number}",
                due=step.due_date,
                overdue_days=step.days_overdue(today),
                tasks=tuple(
                    YourTask(task.text, task.due, task.days_overdue(today))
                    for task in step.tasks.all()
                    if not task.done
                ),
            )
        )
    return items


def overview(playbook: Playbook, today: datetime.date, *, can_edit: bool) -> dict[str, Any]:
    """Everything the overview shows. Six queries: roles, Give-Gets, ambassadors,
    steps, tasks, messages; from the first closed week on four more, whatever
    the numbers: three for the pulse (``results.measured``: state, summaries,
    kept k) and the adoption figures (``pulse.adoption.adoption_for``).
    ``messages`` (with their senders) serve the PDF's communications too;
    ``pulse`` and ``adoption`` the summary's measured columns."""

    roles = list(
        Role.objects.filter(playbook=playbook)
        .order_by("order", "id")
        .prefetch_related(
            Prefetch("givegets", queryset=GiveGet.objects.order_by("order", "id")),
            Prefetch("ambassadors", queryset=Ambassador.objects.order_by("-influence", "name")),
        )
    )
    steps = list(
        Step.objects.filter(playbook=playbook)
        .order_by("number")
        .prefetch_related(Prefetch("tasks", queryset=Task.objects.order_by("order", "id")))
    )
    messages = list(upcoming.for_plan(playbook))
    for role in roles:
        role.playbook = playbook
    rows = [(role, role.balance()) for role in roles]
    pulse = results.measured(playbook, rows, today)
    adoption = adoption_for(playbook, roles, today)
    report = check(facts(playbook, roles, steps, pulse, adoption, messages), today)
    ambassadors = [a for role in roles for a in role.ambassadors.all()]
    return {
        "role_rows": rows,
        "total_hours": (total := total_hours(b for _r, b in rows)),
        "total_hours_abs": abs(total),
        "chart": balance_chart([(r.name, b.time_balance, b.verdict) for r, b in rows]),
        "report": report,
        "groups": [
            (code, [(f, fix_url(playbook, f, can_edit=can_edit)) for f in findings])
            for code, findings in report.by_code()
            if code in MISTAKES
        ],
        "further_groups": [
            (code, [(f, fix_url(playbook, f, can_edit=can_edit)) for f in findings])
            for code, findings in report.by_code()
            if code not in MISTAKES
        ],
        "roles_with_people": sum(1 for role in roles if role.headcount > 0),
        "roles_covered": sum(
            1
            for role in roles
            if role.headcount > 0 and len(role.ambassadors.all()) >= needed(role.headcount)
        ),
        "ambassadors_have": len(ambassadors),
        "ambassadors_needed": sum(needed(role.headcount) for role in roles),
        "ambassadors_trained": sum(1 for a in ambassadors if a.is_trained),
        "plan_progress": progress_of(steps),
        "steps": steps,
        "next_due": next_due(playbook, steps, today),
        "since_go_live": results.card(playbook, rows, pulse, today, adoption),
        "pulse": pulse,
        "adoption": adoption,
        "messages": messages,
        "step_five_due": _step_five(playbook, steps),
    }


def avoided_counts(playbooks: list[Playbook], today: datetime.date) -> dict[int, int | None]:
    """'N of 5' for each playbook of a list, None for one with no roles (nothing
    to check yet). Seven queries, however many playbooks."""
    loaded = Playbook.objects.filter(pk__in=[p.pk for p in playbooks]).prefetch_related(
        roles_for_overview(),
        Prefetch("steps", queryset=Step.objects.order_by("number")),
        messages_for_overview(),
    )
    counts: dict[int, int | None] = {}
    for playbook in loaded:
        roles = list(playbook.roles.all())
        if not roles:
            counts[playbook.pk] = None
            continue
        for role in roles:
            role.playbook = playbook
        steps, messages = list(playbook.steps.all()), list(playbook.messages.all())
        report: Report = check(facts(playbook, roles, steps, messages=messages), today)
        counts[playbook.pk] = len(report.avoided)
    return counts
