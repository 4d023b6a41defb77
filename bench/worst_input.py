"""The worst input the forms allow (issue 23): a playbook whose every text is
at its limit, in one long unbroken word per field (or, as a variant, in
ordinary words), with 40 roles.

The limits are read, not written down here: for each text field of the
models a playbook holds, the most any of the app's forms lets through
(``max_length`` or a ``MaxLengthValidator`` on the form's field), capped by
the model field's own ``max_length`` and ``MaxLengthValidator``. A text that
no form and no model limits gets ``NO_LIMIT`` characters, and ``limits()``
says so. So the benchmark follows the limits as they change, without
depending on the tests' factories.
"""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, MaxLengthValidator
from django.db import models, transaction

from actionplan.models import Step, Task
from actionplan.services import create_default_plan
from ambassadors.models import Ambassador
from comms.models import Message
from comms.services import create_default_set
from givegets.models import GiveGet
from playbooks.models import Membership, Playbook
from roles.models import Role

NO_LIMIT = 10_000  # characters, for a text that nothing limits
ROLES, GIVEGETS, AMBASSADORS, EXTRA_TASKS = 40, 4, 3, 3
MODELS: tuple[type[models.Model], ...] = (Playbook, Role, GiveGet, Ambassador, Step, Task, Message)
# Not texts a person types: secrets and derived values.
SKIP = {"link_hash", "token"}
# One long word, as a German compound or a pasted identifier would be.
WORD = "Kundenbeziehungsmanagementsystemeinführungsverantwortlichenschulung"
SENTENCE = (
    "Lead scoring puts the customers most likely to buy at the top of the list, "
    "so the first calls of the day go where they count. "
)
VARIANTS = ("unbroken", "words")
# Texts a model refused as one unbroken word (filled with ordinary words instead).
REFUSED: set[str] = set()


@dataclass(frozen=True)
class Limit:
    model: str
    field: str
    chars: int
    source: str  # "form", "model", or "none" (NO_LIMIT used)


def _max_length(field: Any) -> int | None:
    """A form or model field's limit: its max_length, or its tightest
    MaxLengthValidator; None when it has neither."""
    found = [field.max_length] if getattr(field, "max_length", None) else []
    found += [
        v.limit_value
        for v in getattr(field, "validators", [])
        if isinstance(v, MaxLengthValidator) and isinstance(v.limit_value, int)
    ]
    return min(found) if found else None


def _project_forms() -> Iterable[type[forms.BaseModelForm]]:
    """Every ModelForm defined in the project's apps' ``forms`` modules."""
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if base not in Path(config.path).resolve().parents:
            continue
        try:
            module = import_module(f"{config.name}.forms")
        except ImportError:
            continue
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, forms.BaseModelForm)
                and getattr(value._meta, "model", None) is not None
            ):
                yield value


def text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The texts a person types into the model: concrete, editable character
    and text fields without choices (e-mail addresses included)."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
        and field.editable
        and not field.choices
        and not field.primary_key
        and field.name not in SKIP
        and not isinstance(field, (models.URLField, models.SlugField))
    ]


def limits() -> dict[tuple[type[models.Model], str], Limit]:
    """Each text field's limit, as the forms (and the model) allow."""
    form_limits: dict[tuple[type[models.Model], str], list[int | None]] = {}
    for form in _project_forms():
        model = form._meta.model
        for name, field in form.base_fields.items():  # type: ignore[attr-defined]
            form_limits.setdefault((model, name), []).append(_max_length(field))
    result = {}
    for model in MODELS:
        for field in text_fields(model):
            model_limit = _max_length(field)
            in_forms = form_limits.get((model, field.name), [])
            # The most any form lets through; a form without a limit lets anything.
            form_limit = None if not in_forms or None in in_forms else max(in_forms)  # type: ignore[type-var]
            candidates = [n for n in (model_limit, form_limit) if n is not None]
            if candidates:
                chars = min(candidates)
                source = "form" if form_limit is not None and form_limit <= chars else "model"
            else:
                chars, source = NO_LIMIT, "none"
            result[(model, field.name)] = Limit(model.__name__, field.name, chars, source)
    return result


def describe(found: dict[tuple[type[models.Model], str], Limit]) -> list[str]:
    """One line per model: its texts and their limits; those without one last."""
    lines = []
    for model in MODELS:
        parts = [
            f"{lim.field} {lim.chars}" + ("" if lim.source != "none" else " (NO LIMIT)")
            for (m, _name), lim in found.items()
            if m is model
        ]
        lines.append(f"  {model.__name__}: " + ", ".join(parts))
    unlimited = [f"{lim.model}.{lim.field}" for lim in found.values() if lim.source == "none"]
    if unlimited:
        lines.append(
            f"  No limit in any form or model (filled with {NO_LIMIT:,} characters): "
            + ", ".join(unlimited)
        )
    else:
        lines.append("  Every text has a limit.")
    return lines


def text(chars: int, variant: str, tag: str) -> str:
    """``chars`` characters starting with ``tag`` (unique where the field must
    be): one unbroken word, or ordinary words."""
    if variant == "unbroken":
        body = tag + WORD * (chars // len(WORD) + 1)
    else:
        body = f"{tag} " + SENTENCE * (chars // len(SENTENCE) + 1)
    return body[:chars]


def email(chars: int, tag: str) -> str:
    """A valid address of ``chars`` characters (at most 254): a 64-letter
    local part and a domain of long labels."""
    local = (tag.lower().replace(" ", "") + "x" * 64)[:64]
    tail = "example.com"
    room = chars - len(local) - 1 - len(tail)
    labels = []
    while room > 1:
        size = min(63, room - 1)  # the label and its dot
        labels.append("d" * size)
        room -= size + 1
    address = f"{local}@{''.join(f'{label}.' for label in labels)}{tail}"
    local = local[: max(1, len(local) - (len(address) - chars))] if len(address) > chars else local
    address = f"{local}@{''.join(f'{label}.' for label in labels)}{tail}"
    try:
        EmailValidator()(address)
    except ValidationError:
        address = f"{tag.lower()}@example.com"
    return address


def fill(
    obj: models.Model, found: dict[tuple[type[models.Model], str], Limit], variant: str, tag: str
) -> None:
    """Every text of ``obj`` at its limit."""
    model = type(obj)
    names = []
    for field in text_fields(model):
        chars = found[(model, field.name)].chars
        value = (
            email(chars, tag) if isinstance(field, models.EmailField) else text(chars, variant, tag)
        )
        setattr(obj, field.attname, value)
        names.append(field.name)
    # The model's own validators agree (a limit misread would show here). A
    # text the model refuses as one unbroken word gets ordinary words, and
    # REFUSED says so; anything else it refuses stops the run.
    exclude = {f.name for f in model._meta.fields} - set(names)
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        refused = set(error.message_dict) if hasattr(error, "error_dict") else set()
        if variant != "unbroken" or not refused or not refused <= set(names):
            raise
        for name in refused:
            chars = found[(model, name)].chars
            setattr(obj, name, text(chars, "words", tag))
            REFUSED.add(f"{model.__name__}.{name}")
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


@transaction.atomic
def worst_playbook(
    owner: Any,
    *,
    variant: str = "unbroken",
    roles: int = ROLES,
    givegets: int = GIVEGETS,
    ambassadors: int = AMBASSADORS,
    extra_tasks: int = EXTRA_TASKS,
    found: dict[tuple[type[models.Model], str], Limit] | None = None,
) -> Playbook:
    """A playbook at every limit, ``owner`` its owner: ``roles`` roles, each
    with ``givegets`` Give-Gets and ``ambassadors`` ambassadors, the default
    plan's seven steps with their tasks and ``extra_tasks`` more each, the
    default messages (three per role and the open session), each edited
    (no longer drafted from the role) with a typed sender."""
    if variant not in VARIANTS:
        raise ValueError(f"variant: one of {VARIANTS}")
    found = found or limits()
    playbook = Playbook(
        go_live=datetime.date.today() + datetime.timedelta(days=30), crm_system="other"
    )
    fill(playbook, found, variant, "P")
    playbook.save()
    Membership.objects.create(playbook=playbook, user=owner, level="owner")
    create_default_plan(playbook)
    steps = list(Step.objects.filter(playbook=playbook).order_by("number"))
    for step in steps:
        fill(step, found, variant, f"S{step.number}")
        step.save()
        for number in range(extra_tasks):
            Task.objects.create(step=step, text=f"Task {number}", order=100 + number)
        tasks = list(step.tasks.all())
        for number, task in enumerate(tasks):
            fill(task, found, variant, f"S{step.number}T{number}")
        Task.objects.bulk_update(tasks, ["text"])
    for r in range(roles):
        role = Role(
            playbook=playbook,
            headcount=20 + r,
            order=r,
            unique_data=r % 6,
            speed=3,
            recognition=2,
            friction=2,
            rigidity=1,
        )
        fill(role, found, variant, f"R{r:02d}")
        role.save()
        items = []
        for g in range(givegets):
            item = GiveGet(
                role=role, minutes_each=5, times_per_week=8, minutes_saved_per_week=30 + g, order=g
            )
            fill(item, found, variant, f"R{r:02d}G{g}")
            items.append(item)
        GiveGet.objects.bulk_create(items)
        people = []
        for a in range(ambassadors):
            person = Ambassador(playbook=playbook, role=role, influence=1 + (r + a) % 5)
            fill(person, found, variant, f"R{r:02d}A{a}")
            people.append(person)
        Ambassador.objects.bulk_create(people)
    create_default_set(playbook)
    messages = list(Message.objects.filter(playbook=playbook))
    for number, message in enumerate(messages):
        message.drafted = False
        message.sender_ambassador = None
        message.sender_member = None
        fill(message, found, variant, f"M{number:03d}")
    fields = [f.name for f in text_fields(Message)]
    Message.objects.bulk_update(
        messages, ["drafted", "sender_ambassador", "sender_member", *fields]
    )
    return playbook
