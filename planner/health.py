"""The adoption health check: the five classic mistakes, found in a playbook's data.

Plain rules over plain data (DESIGN.md, "The adoption health check"), given
today's date so that they can be tested on any day. Each finding names what
it concerns and says where it is fixed (a ``Target`` the web layer turns
into an address). A mistake with no finding counts as avoided.

    code  mistake                                a finding for
    M1    built for management, not for the      each role whose time balance is below 0;
          user                                   each Give-Get whose get is blank
    M2    the company's WIIFM instead of the     each role with a blank question or a blank
          user's                                 WIIFM answer; each role with people
                                                 (headcount above 0) and no message of its
                                                 own planned before go-live: none to it dated
                                                 before go-live (a message to all roles is the
                                                 company's message, not the role's; a
                                                 message's date is its typed one or its kind's
                                                 default; without go-live any message counts)
    M3    training in buttons, not value         each role with a blank quick win; from 14
                                                 days before go-live on, each ambassador
                                                 whose training is not completed
    M4    one size fits all                      a playbook with fewer than two roles; each
                                                 group of roles whose WIIFM answers are equal
                                                 after trimming and ignoring case
    M5    compliance instead of trust            a blank "data used for" or "data not used
                                                 for"; after go-live, step 5 not done

Further findings, shown but not counted among the five:

    A1  a role with people and no ambassador
    A2  a role with fewer ambassadors than headcount / 30, rounded up
    L1  a Give-Get not delivered after its deliver-by date
    P1  a role whose measured verdict was not "net beneficiary" in each of its
        last two shown weeks (``RoleFacts.measured``: the caller passes only
        what pulse.results lets be shown)
    P2  a role whose adoption rate was below its target in each of its last
        three closed weeks with figures, counting weeks 4 and later only
        (``RoleFacts.adoption``, as pulse.adoption reads it: its rule is
        ``RoleAdoption.needs_attention``)
    R1  a role not assessed yet
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from ambassadors.coverage import needed, training_due
from pulse.adoption import RoleAdoption, last_counted
from pulse.measure import not_felt_twice
from pulse.templatetags.pulse_charts import percent
from roles.equation import Verdict, format_minutes
from roles.templatetags.wiifm import VERDICT_LABELS

MISTAKES = ("M1", "M2", "M3", "M4", "M5")
TITLES = {
    "M1": _("Built for management, not for the user"),
    "M2": _("The company’s WIIFM instead of the user’s"),
    "M3": _("Training in buttons, not value"),
    "M4": _("One size fits all"),
    "M5": _("Compliance instead of trust"),
    "A1": _("A role without an ambassador"),
    "A2": _("Too few ambassadors for the role"),
    "L1": _("Data into a black hole"),
    "R1": _("A role not assessed yet"),
    "P1": _("A role that does not feel it"),
    "P2": _("A role that does not use it"),
}
WHY = {
    "M1": _("People adopt a tool only when it gives them more than it takes."),
    "M2": _(
        "Each role asks its own question; an answer for the company answers nobody, and "
        "an answer nobody tells them before go-live reaches nobody."
    ),
    "M3": _("People learn a tool when they feel its value in the first week, not its buttons."),
    "M4": _("Different roles need different answers: one message for all convinces none."),
    "M5": _("Without an open word on what data is for, people fear Big Brother and hold back."),
    "A1": _("Peer influence beats mandates: every group of users needs a respected colleague."),
    "A2": _("One ambassador can carry about thirty colleagues, not more."),
    "L1": _("An input that returns nothing teaches people to stop giving it."),
    "R1": _("Until its Give-Gets or perceived factors are in, nobody can tell whether it gains."),
    "P1": _(
        "Its people said in two weeks in a row that the CRM does not pay off for them: "
        "the plan is not felt in their daily work."
    ),
    "P2": _(
        "Fewer of its people used the CRM than its target in three closed weeks in a row, "
        "after the first three: what it was promised has not reached their daily work."
    ),
}
# Shown, not counted among the five; in the overview's order.
FURTHER = ("A1", "A2", "L1", "P1", "P2", "R1")


@dataclass(frozen=True)
class GiveGetFacts:
    pk: int
    give: str
    get: str
    deliver_by: datetime.date | None
    delivered: bool


@dataclass(frozen=True)
class AmbassadorFacts:
    pk: int
    name: str
    trained: bool


@dataclass(frozen=True)
class RoleFacts:
    pk: int
    name: str
    headcount: int
    question: str
    wiifm: str
    quick_win: str
    time_balance: Decimal
    givegets: tuple[GiveGetFacts, ...] = ()
    ambassadors: tuple[AmbassadorFacts, ...] = ()
    # False while the equation's verdict is "not assessed": no Give-Gets and
    # no perceived factor scored yet.
    assessed: bool = True
    # The measured verdict of each week the pulse may show (pulse.results:
    # closed, at least k answers, at least 2k people), oldest first.
    measured: tuple[tuple[int, Verdict], ...] = ()
    # Its adoption figures since go-live (pulse.adoption: closed weeks, none
    # for a role under 2k people); None before go-live or when not read.
    adoption: RoleAdoption | None = None
    # The dates of the messages to this role (typed, or their kind's default;
    # None when neither is known: no go-live yet). None when not read: then
    # M2 does not judge the role's messages.
    message_dates: tuple[datetime.date | None, ...] | None = None


@dataclass(frozen=True)
class PlaybookFacts:
    go_live: datetime.date | None
    data_used_for: str
    data_not_used_for: str
    step5_done: bool
    roles: tuple[RoleFacts, ...] = ()


@dataclass(frozen=True)
class Target:
    """Where a finding is fixed: a kind of page and the ids it needs."""

    # role, role_factors, giveget, role_edit, ambassador, roster, matrix,
    # matrix_row, charter, step, role_results (P1), adoption (P2),
    # role_messages (M2)
    kind: str
    pk: int | None = None
    parent_pk: int | None = None


@dataclass(frozen=True)
class Finding:
    code: str
    subject: str  # the role or item concerned, in words
    detail: str
    target: Target

    @property
    def title(self) -> str:
        return str(TITLES[self.code])

    @property
    def why(self) -> str:
        return str(WHY[self.code])


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def counted(self) -> list[Finding]:
        """Findings of the five classic mistakes."""
        return [f for f in self.findings if f.code in MISTAKES]

    @property
    def further(self) -> list[Finding]:
        """Findings shown but not counted among the five (A1, A2, L1, P1, P2, R1)."""
        return [f for f in self.findings if f.code not in MISTAKES]

    @property
    def avoided(self) -> list[str]:
        found = {f.code for f in self.findings}
        return [code for code in MISTAKES if code not in found]

    def by_code(self) -> list[tuple[str, list[Finding]]]:
        """Findings grouped by code: M1-M5 first, then A1, A2, L1, P1, P2, R1."""
        groups: dict[str, list[Finding]] = defaultdict(list)
        for finding in self.findings:
            groups[finding.code].append(finding)
        order = [*MISTAKES, *FURTHER]
        return [(code, groups[code]) for code in order if groups[code]]


def _blank(text: str) -> bool:
    return not text.strip()


def message_planned(dates: tuple[datetime.date | None, ...], go_live: datetime.date | None) -> bool:
    """Whether any of these messages is planned before go-live: dated before
    it; without a go-live date, any message at all (none can be placed)."""
    if go_live is None:
        return bool(dates)
    return any(date is not None and date < go_live for date in dates)


def check(playbook: PlaybookFacts, today: datetime.date) -> Report:
    report = Report()
    add = report.findings.append
    roles = playbook.roles

    # M1: a role that gives more time than it gets; a give without a get.
    for role in roles:
        if role.time_balance < 0:
            balance = format_minutes(
                role.time_balance, decimal_separator=formats.get_format("DECIMAL_SEPARATOR")
            )
            add(
                Finding(
                    "M1",
                    role.name,
                    str(_("time balance %(balance)s min per person per week"))
                    % {"balance": balance},
                    Target("role", role.pk),
                )
            )
        for gg in role.givegets:
            if _blank(gg.get):
                add(
                    Finding(
                        "M1",
                        f"{role.name}: {gg.give}",
                        str(_("a give without a get")),
                        Target("giveget", gg.pk, role.pk),
                    )
                )

    # M2: no question or no answer in the role's own words.
    for role in roles:
        no_question, no_answer = _blank(role.question), _blank(role.wiifm)
        if no_question or no_answer:
            if no_question and no_answer:
                detail = _("no question and no WIIFM answer")
            elif no_question:
                detail = _("no question in the role’s own words")
            else:
                detail = _("no WIIFM answer")
            add(Finding("M2", role.name, str(detail), Target("role_edit", role.pk)))

    # M2: a role with people that hears nothing before go-live.
    for role in roles:
        # Its own messages only: one message to the whole company is the
        # mistake M2 names.
        if (
            role.headcount > 0
            and role.message_dates is not None
            and not message_planned(role.message_dates, playbook.go_live)
        ):
            add(
                Finding(
                    "M2",
                    role.name,
                    str(_("no message planned before go-live")),
                    Target("role_messages", role.pk),
                )
            )

    # M3: no week-1 quick win; from 14 days before go-live, untrained ambassadors.
    for role in roles:
        if _blank(role.quick_win):
            add(
                Finding(
                    "M3", role.name, str(_("no week-1 quick win")), Target("role_edit", role.pk)
                )
            )
    if training_due(playbook.go_live, today):
        for role in roles:
            for ambassador in role.ambassadors:
                if not ambassador.trained:
                    add(
                        Finding(
                            "M3",
                            f"{ambassador.name} ({role.name})",
                            str(_("training not completed")),
                            Target("ambassador", ambassador.pk),
                        )
                    )

    # M4: fewer than two roles; roles with the same answer.
    if len(roles) < 2:
        add(Finding("M4", str(_("the playbook")), str(_("fewer than two roles")), Target("matrix")))
    same: dict[str, list[RoleFacts]] = defaultdict(list)
    for role in roles:
        if not _blank(role.wiifm):
            same[" ".join(role.wiifm.split()).casefold()].append(role)
    for group in same.values():
        if len(group) > 1:
            add(
                Finding(
                    "M4",
                    ", ".join(r.name for r in group),
                    str(_("the same WIIFM answer")),
                    Target("matrix"),
                )
            )

    # M5: no data charter; after go-live, step 5 not done.
    no_use, no_misuse = _blank(playbook.data_used_for), _blank(playbook.data_not_used_for)
    if no_use or no_misuse:
        if no_use and no_misuse:
            detail = _("neither what data is used for nor what it is not used for is written")
        elif no_use:
            detail = _("what data is used for is not written")
        else:
            detail = _("what data is not used for is not written")
        add(Finding("M5", str(_("the data charter")), str(detail), Target("charter")))
    if playbook.go_live and today > playbook.go_live and not playbook.step5_done:
        add(
            Finding(
                "M5",
                str(_("step 5 of the plan")),
                str(_("not done after go-live")),
                Target("step", 5),
            )
        )

    # A1, A2: ambassadors against headcount.
    for role in roles:
        have, want = len(role.ambassadors), needed(role.headcount)
        if role.headcount > 0 and have == 0:
            add(Finding("A1", role.name, str(_("no ambassador")), Target("roster")))
        elif have and have < want:
            add(
                Finding(
                    "A2",
                    role.name,
                    str(_("%(have)s of %(want)s ambassadors")) % {"have": have, "want": want},
                    Target("roster"),
                )
            )

    # L1: a get past its deliver-by date and not delivered.
    for role in roles:
        for gg in role.givegets:
            if gg.deliver_by and today > gg.deliver_by and not gg.delivered:
                add(
                    Finding(
                        "L1",
                        f"{role.name}: {gg.get or gg.give}",
                        str(_("not delivered by its date")),
                        Target("giveget", gg.pk, role.pk),
                    )
                )

    # P1: since go-live, a role whose measured verdict was not "net
    # beneficiary" in each of its last two shown weeks.
    for role in roles:
        if not_felt_twice([verdict for _week, verdict in role.measured]):
            (week1, verdict1), (week2, verdict2) = role.measured[-2:]
            add(
                Finding(
                    "P1",
                    role.name,
                    str(_("measured %(first)s in week %(week1)s and %(second)s in week %(week2)s"))
                    % {
                        "first": VERDICT_LABELS[verdict1],
                        "week1": week1,
                        "second": VERDICT_LABELS[verdict2],
                        "week2": week2,
                    },
                    Target("role_results", role.pk),
                )
            )

    # P2: since go-live, a role below its adoption target in each of its last
    # three closed weeks with figures, from week 4 on.
    for role in roles:
        if role.adoption is not None and role.adoption.needs_attention:
            weeks = last_counted(role.adoption.weeks)
            each = [
                str(_("%(rate)s in week %(week)s")) % {"rate": percent(w.rate), "week": w.week}
                for w in weeks
                if w.rate is not None
            ]
            add(
                Finding(
                    "P2",
                    role.name,
                    str(_("%(first)s, %(second)s and %(third)s, against a target of %(target)s"))
                    % {
                        "first": each[0],
                        "second": each[1],
                        "third": each[2],
                        "target": percent(role.adoption.target),
                    },
                    Target("adoption", role.pk),
                )
            )

    # R1: a role with no Give-Gets and no perceived factor scored yet.
    for role in roles:
        if not role.assessed:
            add(
                Finding(
                    "R1",
                    role.name,
                    str(_("no Give-Gets and no perceived factor scored yet")),
                    Target("role_factors", role.pk),
                )
            )
    return report
