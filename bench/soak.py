"""The soak's read-back (`make soak`, issue 24): every write the users were
told was saved, looked for in the database afterwards.

A write is one line the locust users wrote (bench/soak_locustfile.py): its
kind, what it wrote to, the value, when it started and ended (wall clock,
the same machine as the database), and whether the answer said "saved".
Only those answered saved are checked:

- a **cell** (a role's or a Give-Get's value): a history record of that row
  with that value, made while the request ran; and the row's value now is
  the last value saved to that cell (each cell has one writer, who waits
  for each answer, so the last one saved is known);
- a Give-Get **added**: its history's creation record with that give, and
  the Give-Get still there unless its writer deleted it afterwards;
- a Give-Get **deleted**: gone;
- a pulse **answer**: an answer of that role with that comment (unique).

Anything else found missing is a lost write.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models

from givegets.models import GiveGet
from pulse.models import PulseAnswer
from roles.models import Role

# The request's window, widened by this much on each side for the history
# record's time (taken inside the request, on the same clock).
SLACK = datetime.timedelta(seconds=2)
MODELS: dict[str, type[models.Model]] = {"role": Role, "giveget": GiveGet}


@dataclass(frozen=True)
class Write:
    kind: str  # cell, add, delete, pulse
    model: str  # role, giveget, pulse
    id: int | None  # the row written (for an add: the Give-Get it made; None for an answer)
    field: str
    value: str
    start: float  # seconds since the epoch
    end: float
    status: int
    ok: bool  # answered saved
    user: int = 0
    role: int | None = None

    @classmethod
    def of(cls, line: dict[str, Any]) -> Write:
        known: dict[str, Any] = {k: v for k, v in line.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @property
    def target(self) -> str:
        return f"{self.model} {self.id or self.role} {self.field}"


@dataclass(frozen=True)
class Lost:
    write: Write
    why: str


def read_writes(path: Path) -> list[Write]:
    if not path.exists():
        return []
    return [Write.of(json.loads(line)) for line in path.read_text().splitlines() if line.strip()]


def _when(seconds: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def lost_writes(writes: Iterable[Write]) -> list[Lost]:
    """The writes answered saved that the database does not have (see the
    module's docstring). A few queries per write: it runs once, after the load."""
    saved = sorted((w for w in writes if w.ok), key=lambda w: w.end)
    lost: list[Lost] = []
    last: dict[tuple[str, int | None, str], Write] = {}
    deleted = {w.id for w in saved if w.kind == "delete"}
    for write in saved:
        if write.kind == "cell":
            model = MODELS[write.model]
            records = model.history.filter(  # type: ignore[attr-defined]
                id=write.id,
                history_date__gte=_when(write.start) - SLACK,
                history_date__lte=_when(write.end) + SLACK,
            ).values_list(write.field, flat=True)
            # A save of the value the cell already held (its writer's last
            # save) changes nothing and records nothing: not lost.
            previous = last.get((write.model, write.id, write.field))
            unchanged = previous is not None and previous.value == write.value
            if not unchanged and write.value not in {_shown(value) for value in records}:
                lost.append(Lost(write, "no history record of the value saved"))
            last[(write.model, write.id, write.field)] = write
        elif write.kind == "add":
            made = GiveGet.history.filter(id=write.id, history_type="+", give=write.value)
            if write.id is None or not made.filter(role_id=write.role or 0).exists():
                lost.append(Lost(write, "no Give-Get was made with this give"))
            elif write.id not in deleted and not GiveGet.objects.filter(pk=write.id).exists():
                lost.append(Lost(write, "the Give-Get added is gone, and its writer kept it"))
        elif write.kind == "delete":
            if write.id is None or GiveGet.all_objects.filter(pk=write.id).exists():
                lost.append(Lost(write, "the Give-Get deleted is still there"))
        elif write.kind == "pulse":
            answers = PulseAnswer.objects.filter(role_id=write.role or 0, comment=write.value)
            if not answers.exists():
                lost.append(Lost(write, "no answer with this comment"))
        else:
            raise ValueError(f"unknown kind of write: {write.kind}")
    for (model_name, pk, field), write in last.items():
        row = (
            MODELS[model_name]
            ._default_manager.filter(pk=pk or 0)
            .values_list(field, flat=True)
            .first()
        )
        if _shown(row) != write.value:
            lost.append(Lost(write, f"the last value saved is not the value now ({row!r})"))
    return lost
