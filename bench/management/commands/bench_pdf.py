"""make bench-pdf: render time and peak memory of the PDFs, on this machine.

Builds the demo playbooks and a large one (40 roles x 8 Give-Gets x 3
ambassadors, full plan) inside a transaction that is rolled back, warms the
worker with one render, then measures cold renders (cache cleared), a cached
request and a one-pager. Peak memory is the process's peak resident size
(ru_maxrss), read after each render.
"""

from __future__ import annotations

import io
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from actionplan.models import Step
from actionplan.services import create_default_plan
from ambassadors.models import Ambassador
from givegets.models import GiveGet
from planner import pdf
from playbooks.models import Playbook
from roles.models import Role

GOALS = {"demo": 1.2, "large": 8.0, "cached": 0.05, "one-pager": 0.3}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Measure PDF rendering: demo, large, cached and one-pager."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args: Any, repeat: int, **options: Any) -> None:
        try:
            with transaction.atomic():
                self.run(repeat)
                raise Rollback
        except Rollback:
            pass

    def timed(self, label: str, repeat: int, render: Callable[[], Any]) -> float:
        times = []
        for _ in range(repeat):
            cache.clear()
            start = time.perf_counter()
            document = render()
            times.append(time.perf_counter() - start)
        pages = len(__import__("pypdf").PdfReader(io.BytesIO(document.content)).pages)
        best = min(times)
        goal = GOALS.get(label)
        verdict = "" if goal is None else (" ok" if best < goal else f" MISSED (goal {goal} s)")
        self.stdout.write(
            f"{label:10} {pages:4} pages  best {best:6.3f} s  median "
            f"{statistics.median(times):6.3f} s  peak RSS {peak_mb():6.0f} MB{verdict}"
        )
        return best

    def run(self, repeat: int) -> None:
        call_command("seed_demo", "--force", stdout=io.StringIO())
        demo = Playbook.objects.get(name="Salesforce rollout")
        large = self.large(demo)
        pdf.playbook_document(demo)  # warm the worker: fonts, templates, imports
        cache.clear()
        self.stdout.write(f"PDF rendering, best of {repeat}, in a warm worker process:")
        self.timed("demo", repeat, lambda: pdf.playbook_document(demo))
        self.timed("large", max(1, repeat - 1), lambda: pdf.playbook_document(large))
        pdf.playbook_document(large)
        start = time.perf_counter()
        for _ in range(20):
            document = pdf.playbook_document(large)
        cached = (time.perf_counter() - start) / 20
        assert document.cached
        verdict = " ok" if cached < GOALS["cached"] else " MISSED"
        self.stdout.write(
            f"{'cached':10}       mean  {cached:6.3f} s (large, from the cache){verdict}"
        )
        role = demo.roles.first()
        assert role is not None, "seed_demo gives the demo playbook roles"
        self.timed("one-pager", repeat, lambda: pdf.one_pager_document(demo, role.pk))

    def large(self, demo: Playbook) -> Playbook:
        playbook = Playbook.objects.create(
            name="Large rollout",
            organisation="Benchmark A/S",
            go_live=demo.go_live,
            pledge=demo.pledge,
            data_used_for=demo.data_used_for,
            data_not_used_for=demo.data_not_used_for,
        )
        create_default_plan(playbook)
        Step.objects.filter(playbook=playbook, number__lte=3).update(status="done")
        sentence = "Lead scoring puts the customers most likely to buy at the top of the list. "
        for r in range(40):
            role = Role.objects.create(
                playbook=playbook,
                name=f"Role {r + 1}",
                headcount=20 + r,
                order=r,
                question="Does it help me " + sentence.lower(),
                wiifm=sentence * 2,
                concerns=sentence,
                quick_win=f"Quick win {r + 1}",
                unique_data=r % 6,
                speed=3,
                recognition=2,
                friction=2,
                rigidity=1,
            )
            GiveGet.objects.bulk_create(
                GiveGet(
                    role=role,
                    give=f"Give {g + 1}: log each customer meeting",
                    minutes_each=5,
                    times_per_week=8,
                    get=f"Get {g + 1}: an automatic weekly report",
                    minutes_saved_per_week=30 + g,
                    owner="Sales ops",
                    order=g,
                )
                for g in range(8)
            )
            Ambassador.objects.bulk_create(
                Ambassador(
                    playbook=playbook,
                    role=role,
                    name=f"Person {r}-{a}",
                    email=f"p{r}-{a}@example.com",
                    department="Sales",
                    influence=4,
                )
                for a in range(3)
            )
        return playbook
