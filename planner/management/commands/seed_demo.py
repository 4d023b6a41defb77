"""manage.py seed_demo: two demo users and two demo playbooks (DEBUG only).

"Salesforce rollout" (English) went live eight weeks and three days ago, so
its pulse has eight closed weeks of answers, made up the same way on every
run (a fixed seed), and eight weeks of adoption figures that tell the same
story: Sales above its plan and using the CRM (both), Customer service
sliding below its plan (measured net loser in its last weeks: finding P1,
with comments every week) though it uses the CRM (adopting but not feeling
it), Field service (this demo's fifth role) above its plan but with too few
of its people using it against its 90 % target (feeling it but not adopting:
finding P2), Marketing and Management too small to report (fewer than 2k
people: no figures either). "HubSpot-udrulning" (Danish) goes live on a Monday
four to five weeks ahead and has no pulse links yet.

Every date follows the day it is seeded and go-live, so the story holds on
any day: the plan's steps are done when their due dates are past, under way
when today falls between their dates, ahead otherwise; the ambassadors got
early access and training on days of their own before go-live (trained when
that day is past, a training booked when it is ahead).

Both have the communications plan's default set (each role's three messages
and the open session, from the services, senders following the ambassadors),
with statuses as a rollout would have them: the English demo's messages are
sent, the Danish one's before go-live scheduled; each has one message added by
hand, scheduled in the coming days, from the change lead.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from actionplan.models import Step, Task
from ambassadors.models import Ambassador
from comms.dates import date_of
from comms.models import Message
from comms.services import create_default_set, create_role_messages
from comms.upcoming import step_five_due
from givegets.models import GiveGet
from planner.services import create_playbook
from playbooks.models import Level, Membership, Playbook
from pulse import figures
from pulse.limits import week_cap
from pulse.models import MAX_MINUTES, AdoptionFigure, PulseAnswer, PulseLink
from pulse.weeks import last_closed_week
from pulse.weeks import today as site_today
from roles.models import Role
from roles.services import create_role

PASSWORD = "wiifm-demo"  # noqa: S105 - published demo password, refused in production

# One message added by hand per demo playbook, in its language, to all roles,
# from the change lead: days from today, channel, title, text.
HAND_MESSAGES: dict[str, dict[str, Any]] = {
    "en": {
        "in_days": 2,
        "channel": Message.Channel.EMAIL,
        "title": "Eight weeks in: what you told us, and what we changed",
        "text": (
            "Hi all,\n\n"
            "Thank you for answering the weekly pulse: more than half of you do, every week.\n\n"
            "What we changed because of it:\n"
            "- Customer service: the case form asks for five reasons, not forty.\n"
            "- Field service: the app keeps you logged in between two jobs.\n"
            "- Sales: moving a deal on the phone takes one tap instead of four.\n\n"
            "Keep telling us what costs you time. Every answer is read, and none is "
            "traced back to you.\n\n"
            "Lea"
        ),
    },
    "da": {
        "in_days": 7,
        "channel": Message.Channel.INTRANET,
        "title": "HubSpot kommer: sådan bliver ugerne frem til go-live",
        "text": (
            "Hej alle\n\n"
            "Om få uger går vi i gang med HubSpot. Inden da hører hver afdeling, hvad "
            "CRM’et giver netop jer, og I møder jeres ambassadører, som har prøvet det først.\n\n"
            "Vi beder jer om data. Til gengæld får I indsigt og tid tilbage: det holder vi "
            "os selv op på.\n\n"
            "Lea"
        ),
    },
}

PLAYBOOKS: list[dict[str, Any]] = [
    {
        "name": "Salesforce rollout",
        "organisation": "Nordlys A/S",
        "crm_system": Playbook.CRM.SALESFORCE,
        "language": "en",
        # Live for eight weeks and three days: eight closed weeks of pulse
        # answers, and the ninth under way (its answers are never shown).
        "go_live_in_days": -(8 * 7 + 3),
        "pulse": True,
        "extra_roles": ["field_service"],
        "pledge": (
            "We ask you for data. In return we commit to delivering insight and efficiency: "
            "every minute you give the CRM comes back as a report you no longer build, "
            "a lead you no longer chase blind, a customer you no longer ask twice."
        ),
        "data_used_for": (
            "Forecasting, coaching conversations, giving colleagues the customer's context, "
            "automating the weekly pipeline report."
        ),
        "data_not_used_for": (
            "Counting calls, ranking people against each other, pay or disciplinary decisions."
        ),
    },
    {
        "name": "HubSpot-udrulning",
        "organisation": "Fjordsalg ApS",
        "crm_system": Playbook.CRM.HUBSPOT,
        "language": "da",
        # On the first Monday four weeks ahead or later (28 to 34 days): steps
        # 1 and 2 done, 3 and 4 under way, the ambassadors partly trained, the
        # WIIFMs going out soon.
        "go_live_in_days": 4 * 7,
        "go_live_monday": True,
        "pulse": False,
        "extra_roles": [],
        "pledge": (
            "Vi beder jer om data. Til gengæld forpligter vi os til at levere indsigt og "
            "effektivitet: hvert minut, I giver CRM'et, kommer tilbage som en rapport, I ikke "
            "længere skal bygge, og en kunde, I ikke længere skal spørge to gange."
        ),
        "data_used_for": (
            "Prognoser, coachingsamtaler, kundens kontekst til kollegerne og den automatiske "
            "ugentlige pipelinerapport."
        ),
        "data_not_used_for": (
            "Tælle opkald, rangere medarbejdere mod hinanden, løn- eller personalesager."
        ),
    },
]


# The English demo's fifth role, after the four examples: a team that feels
# the CRM in its day but not all of whose people use it yet.
EXTRA_ROLES: dict[str, dict[str, Any]] = {
    "field_service": {
        "name": "Field service",
        "headcount": 30,
        "question": "Does it save me the drive back to the office?",
        "wiifm": (
            "The work order, the customer's history and the parts in stock are on your phone "
            "before you arrive; you close the job on site and drive home, not to the office."
        ),
        "concerns": "They will track where I am all day.",
        "quick_win": "Close a work order on the phone, on site",
        "adoption_target": 90,
        "factors": {"unique_data": 4, "speed": 3, "recognition": 2, "friction": 2, "rigidity": 1},
        "givegets": [
            {
                "give": "Close each work order on the phone",
                "minutes_each": 3,
                "times_per_week": Decimal(15),
                "get": "The customer's history and the parts in stock before you arrive",
                "get_kind": GiveGet.Kind.TIME_SAVED,
                "minutes_saved_per_week": 90,
                "owner": "Service operations",
            }
        ],
    }
}


@dataclass(frozen=True)
class Person:
    """A demo ambassador: early access and training, in days from go-live
    (trained when that day is past; ``booked``: a training day is planned
    when it is ahead, else none is yet)."""

    name: str
    department: str
    influence: int
    early_access: int
    trained: int
    booked: bool = True


# By the roles' order. Training two weeks before go-live at the latest (the
# plan's step 4); each person on days of their own.
AMBASSADORS: dict[int, list[Person]] = {
    0: [
        Person("Mette Sørensen", "Salg København", 5, early_access=-45, trained=-38),
        Person("Jonas Holm", "Salg Aarhus", 4, early_access=-35, trained=-20),
    ],
    1: [Person("Aisha Rahman", "Kundeservice", 5, early_access=-42, trained=-36)],
    2: [Person("Sofie Lund", "Marketing", 4, early_access=-24, trained=-15, booked=False)],
    3: [Person("Peter Krogh", "Ledelse", 3, early_access=-31, trained=-17)],
    4: [Person("Kasper Nielsen", "Field service", 4, early_access=-40, trained=-24)],
}


# The demo's pulse: eight closed weeks, the same answers on every run.
PULSE_WEEKS = 8
PULSE_SEED = 18


@dataclass(frozen=True)
class Mood:
    """How one role's week went: how many answered, the typical minutes the
    CRM cost and saved them, how much they got back (weights of 1 … 5) and how
    many left a comment."""

    answers: int
    cost: int
    saved: int
    got_back: tuple[int, int, int, int, int]
    comments: int


SALES_COMMENTS = [
    "The pipeline report saved my Friday afternoon.",
    "Dictating meeting notes on the phone works well.",
    "Lead scoring is right for existing customers, less so for new ones.",
    "Moving a deal on the phone takes too many taps.",
    "Duplicate accounts still waste my time.",
    "Less typing after each meeting would make it perfect.",
    "The forecast should update without a refresh.",
]
SERVICE_COMMENTS = [
    "Logging a case takes longer than the call itself.",
    "The suggested answers are rarely for the right product.",
    "Too many mandatory fields while the customer is still on the line.",
    "Search is slow: I still ask for the order number.",
    "If the case form remembered the caller, it would be worth it.",
    "The customer history is great when it loads.",
    "Fewer clicks to close a case, please.",
    "Tagging the reason twice, on the case and on the e-mail, feels pointless.",
    "We were promised the order history on one screen; it is on three.",
    "Let us log the case from the phone pop-up.",
    "The list of reasons has forty entries; five would do.",
    "The training showed buttons, not the shortcuts we need.",
]


def _sales(rng: random.Random, week: int) -> Mood:
    """Above its plan (+30 min) all along; week 3 was a holiday week with too
    few answers to show."""
    answers = 4 if week == 3 else rng.randint(18, 26)
    return Mood(answers, 55, 100, (0, 1, 3, 9, 6), min(answers, rng.randint(2, 6)))


def _service(rng: random.Random, week: int) -> Mood:
    """Starts near its plan (+25 min), then slides: from week 4 the CRM costs
    more than it saves and people get little back (finding P1). Five comments
    or more a week."""
    weights = (4, 6, 4, 1, 0) if week >= 4 else (1, 2, 4, 5, 3)
    return Mood(rng.randint(12, 17), 55 + 6 * week, 90 - 3 * week, weights, rng.randint(5, 8))


FIELD_COMMENTS = [
    "Closing the job on site saves me the drive back to the office.",
    "Seeing the parts in stock before I drive out is the best part.",
    "Half the team still fills in the paper form, so the history is patchy.",
    "The app logs me out between two jobs.",
    "An offline mode would help in basements and plant rooms.",
]


def _field_service(rng: random.Random, week: int) -> Mood:
    """Above its plan (+45 min) from the start: those who use it feel it."""
    return Mood(rng.randint(9, 14), 35, 80, (0, 1, 3, 8, 6), rng.randint(2, 6))


def _small(low: int, high: int) -> Callable[[random.Random, int], Mood]:
    """A role too small to report (fewer than 2k people): it answers, nobody sees it."""

    def mood(rng: random.Random, week: int) -> Mood:
        return Mood(rng.randint(low, high), 40, 45, (1, 2, 3, 3, 1), 0)

    return mood


# By the roles' order: Sales, Customer service, Marketing, Management (the
# examples), Field service (the English demo's fifth).
MOODS: dict[int, Callable[[random.Random, int], Mood]] = {
    0: _sales,
    1: _service,
    2: _small(3, 5),
    3: _small(2, 4),
    4: _field_service,
}
COMMENTS = {0: SALES_COMMENTS, 1: SERVICE_COMMENTS, 4: FIELD_COMMENTS}

# Active users per closed week (1-8), by the roles' order, as the CRM's usage
# export would count them; none for Marketing and Management (fewer than 2k
# people). Sales (40 people, target 80 %): 45 % to 88 %, a dip in the holiday
# week 3. Customer service (25, 80 %): at its target from week 3, though the
# CRM costs it more than it saves: adopting but not feeling it. Field service
# (30, 90 %): 40 % to 83 %, below its target in every week: finding P2.
ADOPTION: dict[int, tuple[int, ...]] = {
    0: (18, 24, 20, 31, 33, 34, 35, 35),
    1: (15, 18, 20, 22, 23, 23, 24, 24),
    4: (12, 15, 19, 21, 22, 23, 24, 25),
}


def _minutes(rng: random.Random, typical: int) -> int:
    """About ``typical`` minutes, as people answer: rounded to five."""
    value = rng.gauss(typical, typical * 0.25)
    return min(MAX_MINUTES, max(0, round(value / 5) * 5))


def pulse_answers(role: Role, week: int) -> list[PulseAnswer]:
    """The demo answers of one role-week: the same on every run, within the cap."""
    mood_of = MOODS.get(role.order)
    if mood_of is None:
        return []
    rng = random.Random(PULSE_SEED * 10_000 + role.order * 100 + week)  # noqa: S311 - made-up data, the same on every run
    mood = mood_of(rng, week)
    comments = COMMENTS.get(role.order, [])
    answers = []
    for number in range(min(mood.answers, week_cap(role))):
        comment = rng.choice(comments) if comments and number < mood.comments else ""
        answers.append(
            PulseAnswer(
                role=role,
                week=week,
                cost_minutes=_minutes(rng, mood.cost),
                saved_minutes=_minutes(rng, mood.saved),
                got_back=rng.choices(range(1, 6), weights=mood.got_back)[0],
                comment=comment,
            )
        )
    rng.shuffle(answers)  # the comments not all first: as if they came in any order
    return answers


class Command(BaseCommand):
    help = "Create the demo users and playbooks (idempotent). Refused with DEBUG off."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off (never on a real site)"
        )

    @transaction.atomic
    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a published password; it runs only with DEBUG on. "
                "Use --force to run it anyway."
            )
        User = get_user_model()
        users = {}
        for username, first, last in [("lead", "Lea", "Dahl"), ("manager", "Magnus", "Berg")]:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.com",
                },
            )
            if created:
                user.set_password(PASSWORD)
                user.save()
            users[username] = user
        today = site_today()
        for spec in PLAYBOOKS:
            spec = dict(spec)
            go_live = today + datetime.timedelta(days=spec.pop("go_live_in_days"))
            if spec.pop("go_live_monday", False):
                go_live += datetime.timedelta(days=-go_live.weekday() % 7)
            live = go_live <= today
            with_pulse = spec.pop("pulse")
            extra_roles = spec.pop("extra_roles")
            playbook = Playbook.objects.filter(
                name=spec["name"], memberships__user=users["lead"]
            ).first()
            if playbook is None:
                playbook = create_playbook(
                    owner=users["lead"],
                    go_live=go_live,
                    with_examples=True,
                    **spec,
                )
                # Lea is the ambassadors' contact (create_playbook: its creator).
                if live:  # live already: the week-1 quick wins delivered but one
                    playbook.roles.exclude(order=2).update(quick_win_done=True)
                self.stdout.write(f"Created playbook “{playbook.name}” (id {playbook.pk}).")
            self._extra_roles(playbook, extra_roles, live=live)
            Membership.objects.get_or_create(
                playbook=playbook, user=users["manager"], defaults={"level": Level.VIEWER}
            )
            self._ambassadors(playbook, today)
            self._plan_progress(playbook, today)
            self._communications(playbook, users["lead"], today)
            if with_pulse:
                self._pulse(playbook, today)
                self._adoption(playbook, today)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo logins (password for both: wiifm-demo):\n"
                "  lead     owner of the demo playbooks\n"
                "  manager  viewer of the demo playbooks"
            )
        )

    def _extra_roles(self, playbook: Playbook, keys: list[str], *, live: bool) -> None:
        """The demo's own roles after the examples, each once (idempotent: a
        role of that name, deleted or not, stays as it is; a demo seeded
        before it was added gets it). Live already: its quick win delivered."""
        for key in keys:
            spec = dict(EXTRA_ROLES[key])
            if Role.all_objects.filter(playbook=playbook, name__iexact=spec["name"]).exists():
                continue
            givegets = spec.pop("givegets")
            role = Role(**spec.pop("factors"), **spec, quick_win_done=live)
            create_role(playbook=playbook, role=role)
            create_role_messages(role)
            for order, fields in enumerate(givegets):
                giveget = GiveGet(role=role, order=order, **fields)
                giveget.full_clean()
                giveget.save()

    def _ambassadors(self, playbook: Playbook, today: datetime.date) -> None:
        """One or two respected people per role (idempotent: an e-mail that is
        there already stays as it is). Each got early access and a training
        day of their own, weeks before go-live (``AMBASSADORS``): trained when
        that day is past, booked when it is ahead, or not planned yet."""
        domain = "nordlys.example" if playbook.language == "en" else "fjordsalg.example"
        go_live = playbook.go_live or today
        for index, role in enumerate(playbook.roles.order_by("order", "pk")):
            for person in AMBASSADORS.get(index, []):
                early = go_live + datetime.timedelta(days=person.early_access)
                day = go_live + datetime.timedelta(days=person.trained)
                trained: datetime.date | None = day
                if day <= today:
                    training = Ambassador.Training.COMPLETED
                elif person.booked:
                    training = Ambassador.Training.SCHEDULED
                else:
                    training, trained = Ambassador.Training.NOT_STARTED, None
                Ambassador.all_objects.get_or_create(
                    playbook=playbook,
                    email=f"{person.name.split()[0].lower()}@{domain}",
                    defaults={
                        "role": role,
                        "name": person.name,
                        "department": person.department,
                        "influence": person.influence,
                        "training": training,
                        "early_access": early,
                        "trained_on": trained,
                    },
                )

    def _plan_progress(self, playbook: Playbook, today: datetime.date) -> None:
        """The plan as far as today has come (idempotent: a plan anybody moved
        on stays as it is): a step whose due date is past is done with all its
        tasks, one that today falls in is under way (Lea's, its first task
        done), the others are ahead. Live for eight weeks: steps 1 to 6 done,
        step 7 (measure and adjust) under way; four weeks before go-live:
        steps 1 and 2 done, 3 and 4 under way."""
        if playbook.steps.exclude(status=Step.Status.NOT_STARTED).exists():
            return
        done, current = [], []
        for step in playbook.steps.all():
            step.playbook = playbook
            start, due = step.start_date, step.due_date
            if due is not None and due < today:
                done.append(step.number)
            elif start is not None and start <= today:
                current.append(step.number)
        playbook.steps.filter(number__in=done).update(status=Step.Status.DONE)
        playbook.steps.filter(number__in=current).update(
            status=Step.Status.IN_PROGRESS, owner="Lea Dahl"
        )
        Task.objects.filter(step__playbook=playbook, step__number__in=done).update(done=True)
        for number in current:
            first = Task.objects.filter(step__playbook=playbook, step__number=number)
            Task.objects.filter(pk__in=first.order_by("order", "pk").values("pk")[:1]).update(
                done=True
            )

    def _communications(self, playbook: Playbook, lead: Any, today: datetime.date) -> None:
        """The default set (idempotent: those missing, e.g. in a demo seeded
        before the plan), statuses as the rollout stands, and one message
        added by hand (idempotent: once per playbook, by its title)."""
        create_default_set(playbook)
        spec = HAND_MESSAGES[playbook.language]
        Message.objects.get_or_create(
            playbook=playbook,
            kind=Message.Kind.CUSTOM,
            title=spec["title"],
            defaults={
                "text": spec["text"],
                "channel": spec["channel"],
                "date": today + datetime.timedelta(days=spec["in_days"]),
                "sender_member": lead,
                "status": Message.Status.SCHEDULED,
                "order": playbook.messages.count(),
            },
        )
        defaults = list(playbook.messages.exclude(kind=Message.Kind.CUSTOM))
        if any(m.status != Message.Status.DRAFT for m in defaults):
            return  # seeded before: statuses as people left them
        step = playbook.steps.filter(number=5).first()
        if step is not None:
            step.playbook = playbook
        five = step_five_due(step)
        for message in defaults:
            day = date_of(message.date, message.kind, playbook.go_live, five)
            if day is None or playbook.go_live is None:
                continue
            if day < today:  # gone out already
                message.status = Message.Status.SENT
            elif day < playbook.go_live:  # before go-live: planned in the calendar
                message.status = Message.Status.SCHEDULED
            else:
                continue
            message.save(update_fields=["status"])

    def _pulse(self, playbook: Playbook, today: datetime.date) -> None:
        """A pulse link per role and the closed weeks' answers, up to eight
        (idempotent: a link or a role-week that is there already stays as it is)."""
        roles = list(playbook.roles.order_by("order", "pk"))
        for role in roles:
            PulseLink.objects.get_or_create(role=role)
        closed = min(PULSE_WEEKS, last_closed_week(playbook.go_live, today))
        have = set(
            PulseAnswer.objects.filter(role__in=roles).values_list("role_id", "week").distinct()
        )
        answers = [
            answer
            for role in roles
            for week in range(1, closed + 1)
            if (role.pk, week) not in have
            for answer in pulse_answers(role, week)
        ]
        PulseAnswer.objects.bulk_create(answers)

    def _adoption(self, playbook: Playbook, today: datetime.date) -> None:
        """The closed weeks' adoption figures, up to eight, through the one
        writer of figures (history as the command's; idempotent: a role-week
        that has a figure already keeps it, typed over or not)."""
        closed = min(PULSE_WEEKS, last_closed_week(playbook.pulse_go_live, today))
        roles = list(playbook.roles.order_by("order", "pk"))
        have = set(AdoptionFigure.objects.filter(role__in=roles).values_list("role_id", "week"))
        counts = {
            (role.pk, week): active
            for role in roles
            if role.order in ADOPTION and not figures.role_refused(role, playbook.pulse_k)
            for week, active in enumerate(ADOPTION[role.order][:closed], start=1)
            if (role.pk, week) not in have
        }
        if counts:
            figures.replace(playbook, counts)
