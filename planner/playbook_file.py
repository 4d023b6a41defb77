"""The playbook file: a whole playbook as one JSON document (DESIGN.md).

``export_playbook`` turns a playbook into the document; ``dumps`` writes it
byte-for-byte reproducibly. ``import_playbook`` validates a parsed document
completely before it writes anything, and creates the playbook in one
transaction: on any error nothing is created, and every error names its place
(``playbook.language: must be one of da, en``).

Each part of a playbook adds its section here as it is built, so the file
always holds the whole playbook.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from actionplan.defaults import default_plan
from actionplan.models import Step, Task
from actionplan.selectors import steps_with_tasks
from actionplan.services import create_default_plan
from ambassadors.models import Ambassador
from givegets.models import GiveGet
from givegets.selectors import roles_with_givegets
from playbooks.models import Level, Membership, Playbook
from roles.equation import MAX_MINUTES_PER_WEEK, MAX_TIMES_PER_WEEK
from roles.models import FACTORS, MAX_HEADCOUNT, Role

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
FORMAT = "wiifm-playbook"
VERSION = 1
MAX_BYTES = 5 * 1024 * 1024


class PlaybookFileError(Exception):
    """The file cannot be imported; ``errors`` lists every problem with its place."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _number(value: Decimal) -> int | float:
    """A JSON number: 8, not 8.0; 0.25 (two decimals at most, so exact as a float)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _export_giveget(giveget: GiveGet) -> dict[str, Any]:
    return {
        "give": giveget.give,
        "minutes_each": giveget.minutes_each,
        "times_per_week": _number(giveget.times_per_week),
        "get": giveget.get,
        "get_kind": giveget.get_kind,
        "minutes_saved_per_week": giveget.minutes_saved_per_week,
        "owner": giveget.owner,
        "deliver_by": _date(giveget.deliver_by),
        "status": giveget.status,
    }


def _export_role(role: Role) -> dict[str, Any]:
    return {
        "name": role.name,
        "headcount": role.headcount,
        "question": role.question,
        "wiifm": role.wiifm,
        "concerns": role.concerns,
        "quick_win": role.quick_win,
        # null while the date is the default (end of week 1): import fills it in again.
        "quick_win_due": _date(role.quick_win_due),
        "quick_win_done": role.quick_win_done,
        "factors": {factor: getattr(role, factor) for factor in FACTORS},
        "givegets": [_export_giveget(giveget) for giveget in role.givegets.all()],
        # Never their personal links.
        "ambassadors": [_export_ambassador(a) for a in role.ambassadors.all()],
    }


def _export_ambassador(ambassador: Ambassador) -> dict[str, Any]:
    return {
        "name": ambassador.name,
        "email": ambassador.email,
        "department": ambassador.department,
        "influence": ambassador.influence,
        "early_access": _date(ambassador.early_access),
        "training": ambassador.training,
        "trained_on": _date(ambassador.trained_on),
        "notes": ambassador.notes,
    }


def export_playbook(playbook: Playbook) -> dict[str, Any]:
    """The document for one playbook, every key in the order of DESIGN.md."""
    roles = roles_with_givegets(playbook).prefetch_related(
        Prefetch("ambassadors", queryset=Ambassador.objects.order_by("name", "pk"))
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "playbook": {
            "name": playbook.name,
            "organisation": playbook.organisation,
            "crm_system": playbook.crm_system,
            "crm_other": playbook.crm_other,
            "go_live": _date(playbook.go_live),
            "language": playbook.language,
            "pledge": playbook.pledge,
            "data_used_for": playbook.data_used_for,
            "data_not_used_for": playbook.data_not_used_for,
        },
        "roles": [_export_role(role) for role in roles],
        "action_plan": [_export_step(step) for step in steps_with_tasks(playbook)],
    }


def _export_step(step: Step) -> dict[str, Any]:
    return {
        "number": step.number,
        "title": step.title,
        "description": step.description,
        "owner": step.owner,
        # null while the dates follow go-live: import fills them in again.
        "start": _date(step.start),
        "due": _date(step.due),
        "status": step.status,
        "tasks": [
            {"text": task.text, "done": task.done, "due": _date(task.due)}
            for task in step.tasks.all()
        ],
    }


def dumps(document: dict[str, Any]) -> str:
    """Serialise a document: UTF-8 text, two-space indent, a final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- Validation -------------------------------------------------------------
#
# A small, strict reader: each field is read by a function that knows its
# type and range, records an error with the field's place, and returns the
# value or its default. Nothing is written until the whole file is read.


@dataclass
class Reader:
    errors: list[str] = field(default_factory=list)

    def error(self, place: str, message: str) -> None:
        self.errors.append(f"{place}: {message}")

    def object(self, value: Any, place: str, allowed: list[str], required: list[str]) -> dict:
        if not isinstance(value, dict):
            self.error(place or "(file)", _("must be an object"))
            return {}
        for key in value:
            if key not in allowed:
                self.error(f"{place}.{key}" if place else key, _("unknown key"))
        for key in required:
            if key not in value:
                self.error(f"{place}.{key}" if place else key, _("is required"))
        return value

    def text(
        self, obj: dict, key: str, place: str, *, max_length: int, required: bool = False
    ) -> str:
        where = f"{place}.{key}"
        if required and key not in obj:
            return ""  # reported once, as "is required", by object()
        value = obj.get(key, "")
        if not isinstance(value, str):
            self.error(where, _("must be a string"))
            return ""
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.error(where, _("must be valid text (it holds a lone surrogate)"))
            return ""
        if "\x00" in value:
            self.error(where, _("must not contain NUL characters"))
            return ""
        value = value.strip()  # as the forms do
        if required and not value:
            self.error(where, _("must not be blank"))
        if len(value) > max_length:
            self.error(where, _("must be at most %(n)s characters") % {"n": max_length})
        return value

    def choice(self, obj: dict, key: str, place: str, *, choices: list[str], default: str) -> str:
        where = f"{place}.{key}"
        value = obj.get(key, default)
        if not isinstance(value, str) or value not in choices:
            self.error(
                where, _("must be one of %(choices)s") % {"choices": ", ".join(sorted(choices))}
            )
            return default
        return value

    def date(self, obj: dict, key: str, place: str) -> datetime.date | None:
        where = f"{place}.{key}"
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(where, _("must be a date written YYYY-MM-DD, or null"))
            return None
        try:
            if not ISO_DATE.fullmatch(value):
                raise ValueError
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.error(where, _("must be a date written YYYY-MM-DD, or null"))
            return None

    def boolean(self, obj: dict, key: str, place: str) -> bool:
        value = obj.get(key, False)
        if not isinstance(value, bool):
            self.error(f"{place}.{key}", _("must be true or false"))
            return False
        return value

    def integer(
        self, obj: dict, key: str, place: str, *, minimum: int = 0, maximum: int | None = None
    ) -> int:
        where = f"{place}.{key}"
        value = obj.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float | Decimal):
                self.error(where, _("must be a whole number"))
            else:
                self.error(where, _("must be a number"))
            return 0
        if value < minimum:
            self.error(where, _("must be %(n)s or more") % {"n": minimum})
        elif maximum is not None and value > maximum:
            self.error(where, _("must be at most %(n)s") % {"n": maximum})
        return value

    def decimal(self, obj: dict, key: str, place: str, *, places: int, maximum: int) -> Decimal:
        where = f"{place}.{key}"
        value = obj.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            self.error(where, _("must be a number"))
            return Decimal(0)
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        step = Decimal(1).scaleb(-places)
        if not number.is_finite():
            self.error(where, _("must be a number"))
        elif number < 0:
            self.error(where, _("must be 0 or more"))
        elif number > maximum:
            self.error(where, _("must be at most %(n)s") % {"n": maximum})
        elif number != number.quantize(step):
            self.error(where, _("must have at most %(n)s decimals") % {"n": places})
        else:
            return number.quantize(step)
        return Decimal(0)

    def array(self, obj: dict, key: str, place: str) -> list:
        value = obj.get(key, [])
        if not isinstance(value, list):
            self.error(f"{place}.{key}" if place else key, _("must be a list"))
            return []
        return value


PLAYBOOK_KEYS = [
    "name",
    "organisation",
    "crm_system",
    "crm_other",
    "go_live",
    "language",
    "pledge",
    "data_used_for",
    "data_not_used_for",
]


def _read_playbook(reader: Reader, raw: Any) -> dict[str, Any]:
    place = "playbook"
    obj = reader.object(raw, place, PLAYBOOK_KEYS, ["name"])
    crm_system = reader.choice(
        obj, "crm_system", place, choices=list(Playbook.CRM.values), default="other"
    )
    crm_other = reader.text(obj, "crm_other", place, max_length=100)
    return {
        "name": reader.text(obj, "name", place, max_length=200, required=True),
        "organisation": reader.text(obj, "organisation", place, max_length=200),
        "crm_system": crm_system,
        # As in the form: the other system's name only goes with "other".
        "crm_other": crm_other if crm_system == Playbook.CRM.OTHER else "",
        "go_live": reader.date(obj, "go_live", place),
        "language": reader.choice(
            obj, "language", place, choices=list(Playbook.Language.values), default="en"
        ),
        "pledge": reader.text(obj, "pledge", place, max_length=10_000),
        "data_used_for": reader.text(obj, "data_used_for", place, max_length=10_000),
        "data_not_used_for": reader.text(obj, "data_not_used_for", place, max_length=10_000),
    }


ROLE_KEYS = [
    "name",
    "headcount",
    "question",
    "wiifm",
    "concerns",
    "quick_win",
    "quick_win_due",
    "quick_win_done",
    "factors",
    "givegets",
    "ambassadors",
]
AMBASSADOR_KEYS = [
    "name",
    "email",
    "department",
    "influence",
    "early_access",
    "training",
    "trained_on",
    "notes",
]
GIVEGET_KEYS = [
    "give",
    "minutes_each",
    "times_per_week",
    "get",
    "get_kind",
    "minutes_saved_per_week",
    "owner",
    "deliver_by",
    "status",
]


def _read_giveget(reader: Reader, raw: Any, place: str) -> dict[str, Any]:
    obj = reader.object(raw, place, GIVEGET_KEYS, ["give"])
    errors_before = len(reader.errors)
    minutes_each = reader.integer(obj, "minutes_each", place, maximum=MAX_MINUTES_PER_WEEK)
    times = reader.decimal(obj, "times_per_week", place, places=2, maximum=MAX_TIMES_PER_WEEK)
    # The cap, once both numbers are valid: neither side above 2,400 minutes a week.
    if errors_before == len(reader.errors) and minutes_each * times > MAX_MINUTES_PER_WEEK:
        reader.error(
            f"{place}.times_per_week",
            _("%(minutes)s minutes × %(times)s times is more than %(cap)s minutes a week")
            % {
                "minutes": minutes_each,
                "times": f"{times.normalize():f}",
                "cap": MAX_MINUTES_PER_WEEK,
            },
        )
    return {
        "give": reader.text(obj, "give", place, max_length=300, required=True),
        "minutes_each": minutes_each,
        "times_per_week": times,
        "get": reader.text(obj, "get", place, max_length=300),
        "get_kind": reader.choice(
            obj, "get_kind", place, choices=list(GiveGet.Kind.values), default="time_saved"
        ),
        "minutes_saved_per_week": reader.integer(
            obj, "minutes_saved_per_week", place, maximum=MAX_MINUTES_PER_WEEK
        ),
        "owner": reader.text(obj, "owner", place, max_length=100),
        "deliver_by": reader.date(obj, "deliver_by", place),
        "status": reader.choice(
            obj, "status", place, choices=list(GiveGet.Status.values), default="planned"
        ),
    }


def _read_ambassador(
    reader: Reader, raw: Any, place: str, emails: dict[str, str]
) -> dict[str, Any]:
    obj = reader.object(raw, place, AMBASSADOR_KEYS, ["name", "email", "influence"])
    email = reader.text(obj, "email", place, max_length=254, required=True).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            reader.error(f"{place}.email", _("must be an e-mail address"))
        else:
            if email in emails:
                reader.error(
                    f"{place}.email", _("%(other)s has the same e-mail") % {"other": emails[email]}
                )
            else:
                emails[email] = place
    training = reader.choice(
        obj, "training", place, choices=list(Ambassador.Training.values), default="not_started"
    )
    trained_on = reader.date(obj, "trained_on", place)
    if trained_on and training == Ambassador.Training.NOT_STARTED:
        # As in the form.
        reader.error(f"{place}.trained_on", _("goes with a training scheduled or completed"))
    return {
        "name": reader.text(obj, "name", place, max_length=200, required=True),
        "email": email,
        "department": reader.text(obj, "department", place, max_length=200),
        "influence": reader.integer(obj, "influence", place, minimum=1, maximum=5)
        if "influence" in obj
        else 3,
        "early_access": reader.date(obj, "early_access", place),
        "training": training,
        "trained_on": trained_on,
        "notes": reader.text(obj, "notes", place, max_length=10_000),
    }


def _read_role(
    reader: Reader, raw: Any, place: str, names: dict[str, str], emails: dict[str, str]
) -> dict[str, Any]:
    obj = reader.object(raw, place, ROLE_KEYS, ["name"])
    name = reader.text(obj, "name", place, max_length=100, required=True)
    if name:
        folded = name.casefold()
        if folded in names:
            reader.error(
                f"{place}.name",
                _("another role (%(other)s) is already called “%(name)s”, ignoring case")
                % {"other": names[folded], "name": name},
            )
        else:
            names[folded] = place
    factors_place = f"{place}.factors"
    factors = reader.object(obj.get("factors", {}), factors_place, FACTORS, [])
    return {
        "name": name,
        "headcount": reader.integer(obj, "headcount", place, maximum=MAX_HEADCOUNT),
        "question": reader.text(obj, "question", place, max_length=10_000),
        "wiifm": reader.text(obj, "wiifm", place, max_length=10_000),
        "concerns": reader.text(obj, "concerns", place, max_length=10_000),
        "quick_win": reader.text(obj, "quick_win", place, max_length=300),
        "quick_win_due": reader.date(obj, "quick_win_due", place),
        "quick_win_done": reader.boolean(obj, "quick_win_done", place),
        **{factor: reader.integer(factors, factor, factors_place, maximum=5) for factor in FACTORS},
        "givegets": [
            _read_giveget(reader, item, f"{place}.givegets[{index}]")
            for index, item in enumerate(reader.array(obj, "givegets", place))
        ],
        "ambassadors": [
            _read_ambassador(reader, item, f"{place}.ambassadors[{index}]", emails)
            for index, item in enumerate(reader.array(obj, "ambassadors", place))
        ],
    }


STEP_KEYS = ["number", "title", "description", "owner", "start", "due", "status", "tasks"]
TASK_KEYS = ["text", "done", "due"]


def _read_step(reader: Reader, raw: Any, place: str, numbers: dict[int, str]) -> dict[str, Any]:
    obj = reader.object(raw, place, STEP_KEYS, ["number"])
    errors_before = len(reader.errors)
    number = reader.integer(obj, "number", place, minimum=1, maximum=7) if "number" in obj else 0
    if number and errors_before == len(reader.errors):
        if number in numbers:
            reader.error(
                f"{place}.number",
                _("%(other)s is step %(n)s too") % {"other": numbers[number], "n": number},
            )
        else:
            numbers[number] = place
    start = reader.date(obj, "start", place)
    due = reader.date(obj, "due", place)
    if start and due and due < start:
        reader.error(f"{place}.due", _("must not be before start"))
    tasks = []
    for index, item in enumerate(reader.array(obj, "tasks", place)):
        task_place = f"{place}.tasks[{index}]"
        task = reader.object(item, task_place, TASK_KEYS, ["text"])
        tasks.append(
            {
                "text": reader.text(task, "text", task_place, max_length=300, required=True),
                "done": reader.boolean(task, "done", task_place),
                "due": reader.date(task, "due", task_place),
            }
        )
    return {
        "number": number,
        # A missing title or description is the default plan's, in the
        # playbook's language (filled in at import).
        "title": (
            reader.text(obj, "title", place, max_length=200, required=True)
            if "title" in obj
            else None
        ),
        "description": (
            reader.text(obj, "description", place, max_length=10_000)
            if "description" in obj
            else None
        ),
        "owner": reader.text(obj, "owner", place, max_length=100),
        "start": start,
        "due": due,
        "status": reader.choice(
            obj, "status", place, choices=list(Step.Status.values), default="not_started"
        ),
        "tasks": tasks,
    }


# Sections that later parts of the product read and write, in file order.
TOP_LEVEL_KEYS = ["format", "version", "playbook", "roles", "action_plan"]


def read(document: Any) -> dict[str, Any]:
    """Validate a parsed document; return the cleaned values or raise PlaybookFileError."""
    reader = Reader()
    obj = reader.object(document, "", TOP_LEVEL_KEYS, ["format", "version", "playbook"])
    if not obj:
        raise PlaybookFileError(reader.errors or [_("the file must be a JSON object")])
    if "format" in obj and obj["format"] != FORMAT:
        reader.error("format", _("must be “%(format)s”") % {"format": FORMAT})
    version = obj.get("version")
    if "version" in obj:
        if isinstance(version, bool) or not isinstance(version, int):
            reader.error("version", _("must be a whole number"))
        elif version > VERSION:
            reader.error(
                "version",
                _(
                    "this file is version %(version)s; this installation reads version "
                    "%(known)s and older"
                )
                % {"version": version, "known": VERSION},
            )
        elif version < 1:
            reader.error("version", _("must be 1 or more"))
    cleaned = {"playbook": _read_playbook(reader, obj["playbook"])} if "playbook" in obj else {}
    names: dict[str, str] = {}
    emails: dict[str, str] = {}
    cleaned["roles"] = [
        _read_role(reader, item, f"roles[{index}]", names, emails)
        for index, item in enumerate(reader.array(obj, "roles", ""))
    ]
    numbers: dict[int, str] = {}
    cleaned["action_plan"] = [
        _read_step(reader, item, f"action_plan[{index}]", numbers)
        for index, item in enumerate(reader.array(obj, "action_plan", ""))
    ]
    if reader.errors:
        raise PlaybookFileError(reader.errors)
    return cleaned


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(
            _("a key appears twice in one object: %(keys)s") % {"keys": ", ".join(duplicates)}
        )
    return dict(pairs)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def loads(text: str | bytes) -> Any:
    """Parse JSON text, refusing what is too large, not JSON, or ambiguous.

    Numbers with a fraction are read as exact Decimals.
    """
    if len(text) > MAX_BYTES:
        raise PlaybookFileError([_("the file is larger than 5 MB")])
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicate_keys,
            parse_float=Decimal,
            parse_constant=_no_constant,
        )
    except RecursionError as error:
        raise PlaybookFileError([_("not a JSON file (nested too deeply)")]) from error
    except (ValueError, UnicodeDecodeError) as error:
        raise PlaybookFileError([_("not a JSON file (%(error)s)") % {"error": error}]) from error


def _full_clean(instance: Any, place: str, exclude: list[str] | None = None) -> None:
    """The model's own validation, as a last line: its errors get their place too."""
    try:
        instance.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        raise PlaybookFileError(
            [
                f"{place}.{field}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            ]
        ) from error


@transaction.atomic
def import_playbook(document: Any, *, owner: Any) -> Playbook:
    """Create a new playbook owned by ``owner`` from a parsed document."""
    cleaned = read(document)
    playbook = Playbook(**cleaned["playbook"])
    _full_clean(playbook, "playbook")
    playbook.save()
    Membership.objects.create(playbook=playbook, user=owner, level=Level.OWNER)
    for index, fields in enumerate(cleaned["roles"]):
        givegets = fields.pop("givegets")
        ambassadors = fields.pop("ambassadors")
        role = Role(playbook=playbook, order=index, **fields)
        _full_clean(role, f"roles[{index}]", exclude=["playbook"])
        try:
            with transaction.atomic():
                role.save()
        except IntegrityError as error:
            # The database folds some letters casefold() keeps apart (İ and I).
            raise PlaybookFileError(
                [f"roles[{index}].name: " + _("another role has the same name, ignoring case")]
            ) from error
        for position, item in enumerate(givegets):
            giveget = GiveGet(role=role, order=position, **item)
            _full_clean(giveget, f"roles[{index}].givegets[{position}]", exclude=["role"])
            giveget.save()
        for position, item in enumerate(ambassadors):
            ambassador = Ambassador(playbook=playbook, role=role, **item)
            place = f"roles[{index}].ambassadors[{position}]"
            _full_clean(ambassador, place, exclude=["playbook", "role"])
            ambassador.save()
    _import_plan(playbook, cleaned["action_plan"])
    return playbook


def _import_plan(playbook: Playbook, steps: list[dict[str, Any]]) -> None:
    """The steps the file gives, and the default plan's for the others."""
    defaults = {spec["number"]: spec for spec in default_plan(playbook.language)}
    for index, fields in enumerate(steps):
        tasks = fields.pop("tasks")
        spec = defaults[fields["number"]]
        for key in ("title", "description"):
            if fields[key] is None:
                fields[key] = spec[key]
        step = Step(playbook=playbook, **fields)
        _full_clean(step, f"action_plan[{index}]", exclude=["playbook"])
        step.save()
        Task.objects.bulk_create(
            Task(step=step, order=order, **task) for order, task in enumerate(tasks)
        )
    create_default_plan(playbook, skip={fields["number"] for fields in steps})


def as_template(
    document: dict[str, Any], *, name: str, go_live: datetime.date | None
) -> dict[str, Any]:
    """A new rollout's document from an exported one ("use as template").

    Keeps the roles, Give-Gets, plan and texts; drops the ambassadors (people
    belong to a rollout, not to a method); resets statuses and done flags.
    Typed dates move with go-live; without both go-live dates they are
    dropped, so they follow the new go-live like defaults.
    """
    doc = copy.deepcopy(document)
    old = doc["playbook"].get("go_live")
    shift = go_live - datetime.date.fromisoformat(old) if old and go_live else None

    def moved(value: str | None) -> str | None:
        if value is None or shift is None:
            return None
        return (datetime.date.fromisoformat(value) + shift).isoformat()

    doc["playbook"]["name"] = name
    doc["playbook"]["go_live"] = go_live.isoformat() if go_live else None
    for role in doc.get("roles", []):
        role["ambassadors"] = []
        role["quick_win_done"] = False
        role["quick_win_due"] = moved(role.get("quick_win_due"))
        for giveget in role.get("givegets", []):
            giveget["status"] = "planned"
            giveget["deliver_by"] = moved(giveget.get("deliver_by"))
    for step in doc.get("action_plan", []):
        step["status"] = "not_started"
        step["start"] = moved(step.get("start"))
        step["due"] = moved(step.get("due"))
        for task in step.get("tasks", []):
            task["done"] = False
            task["due"] = moved(task.get("due"))
    return doc
