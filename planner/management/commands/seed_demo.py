from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from actionplan.models import Step, Task
from ambassadors.models import Ambassador
from planner.services import create_playbook
from playbooks.models import Level, Membership, Playbook

PASSWORD = "wiifm-demo"  # noqa: S105 - published demo password, refused in production

PLAYBOOKS: list[dict[str, Any]] = [
    {
        "name": "Salesforce rollout",
        "organisation": "Nordlys A/S",
        "crm_system": Playbook.CRM.SALESFORCE,
        "language": "en",
        "go_live_in_days": 45,
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
        "go_live_in_days": 75,
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
        today = datetime.date.today()
        for spec in PLAYBOOKS:
            spec = dict(spec)
            days = spec.pop("go_live_in_days")
            playbook = Playbook.objects.filter(
                name=spec["name"], memberships__user=users["lead"]
            ).first()
            if playbook is None:
                playbook = create_playbook(
                    owner=users["lead"],
                    go_live=today + datetime.timedelta(days=days),
                    with_examples=True,
                    **spec,
                )
                self.stdout.write(f"Created playbook “{playbook.name}” (id {playbook.pk}).")
            Membership.objects.get_or_create(
                playbook=playbook, user=users["manager"], defaults={"level": Level.VIEWER}
            )
            self._ambassadors(playbook, today)
            self._plan_progress(playbook)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo logins (password for both: wiifm-demo):\n"
                "  lead     owner of the demo playbooks\n"
                "  manager  viewer of the demo playbooks"
            )
        )

    def _ambassadors(self, playbook: Playbook, today: datetime.date) -> None:
        """Two or three respected people per role, some trained (idempotent)."""
        people = {
            0: [
                ("Mette Sørensen", "Salg København", 5, "completed"),
                ("Jonas Holm", "Salg Aarhus", 4, "scheduled"),
            ],
            1: [("Aisha Rahman", "Kundeservice", 5, "completed")],
            2: [("Sofie Lund", "Marketing", 4, "not_started")],
            3: [("Peter Krogh", "Ledelse", 3, "scheduled")],
        }
        domain = "nordlys.example" if playbook.language == "en" else "fjordsalg.example"
        for index, role in enumerate(playbook.roles.order_by("order", "pk")):
            for name, department, influence, training in people.get(index, []):
                email = f"{name.split()[0].lower()}@{domain}"
                Ambassador.all_objects.get_or_create(
                    playbook=playbook,
                    email=email,
                    defaults={
                        "role": role,
                        "name": name,
                        "department": department,
                        "influence": influence,
                        "training": training,
                        "early_access": today,
                        "trained_on": today if training != "not_started" else None,
                    },
                )

    def _plan_progress(self, playbook: Playbook) -> None:
        """A plan partway done: steps 1 and 2 done, step 3 under way."""
        if playbook.steps.exclude(status=Step.Status.NOT_STARTED).exists():
            return
        playbook.steps.filter(number__in=[1, 2]).update(status=Step.Status.DONE)
        playbook.steps.filter(number=3).update(status=Step.Status.IN_PROGRESS, owner="Lea Dahl")
        Task.objects.filter(step__playbook=playbook, step__number__in=[1, 2]).update(done=True)
        first = Task.objects.filter(step__playbook=playbook, step__number=3).order_by("order")
        Task.objects.filter(pk__in=first.values("pk")[:1]).update(done=True)
