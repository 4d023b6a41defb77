"""The playbook file: a whole playbook as one JSON document (DESIGN.md).

``export_playbook`` turns a playbook into the document; ``dumps`` writes it
byte-for-byte reproducibly. ``import_playbook`` validates a parsed document
completely before it writes anything, and creates the playbook in one
transaction: on any error nothing is created, and every error names its place
(``playbook.language: must be one of da, en``).

Reading has one source per rule (STYLE.md): the committed JSON Schema for
structure and types, then the models' own validation (``full_clean`` on
unsaved instances) for ranges and lengths, then the few rules neither can
state, written out below. Field lists are the schema's: a key the schema
knows is a field of the model of the same name.

Each part of a playbook adds its section here as it is built, so the file
always holds the whole playbook.
"""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema import ValidationError as SchemaError

from actionplan.defaults import default_plan
from actionplan.models import Step, Task
from actionplan.selectors import steps_with_tasks
from actionplan.services import create_default_plan
from ambassadors.models import Ambassador
from comms.models import Message
from comms.selectors import visible
from comms.services import create_default_set
from comms.upcoming import sender_name
from core import history, limits
from givegets.models import GiveGet
from givegets.selectors import roles_with_givegets
from playbooks.models import Level, Membership, Playbook
from pulse import figures, weeks
from pulse.adoption import takes_figures
from pulse.models import AdoptionFigure
from roles.equation import MAX_MINUTES_PER_WEEK
from roles.models import FACTORS, Role

SCHEMA_PATH = Path(__file__).parent / "schema" / "wiifm-playbook-v1.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
# Formats are annotations unless asserted: "date" is, so 2027-02-30 is refused.
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=FormatChecker(["date"]))
FORMAT: str = SCHEMA["properties"]["format"]["const"]
VERSION: int = SCHEMA["properties"]["version"]["const"]
MAX_BYTES = 5 * 1024 * 1024  # too_large_message() says it


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


def _export_role(role: Role, k: int) -> dict[str, Any]:
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
        # null while not scored.
        "factors": {factor: getattr(role, factor) for factor in FACTORS},
        "givegets": [_export_giveget(giveget) for giveget in role.givegets.all()],
        # Never their personal links.
        "ambassadors": [_export_ambassador(a) for a in role.ambassadors.all()],
        "adoption_target": role.adoption_target,
        # By week (prefetched in that order); none for a role too small to take
        # them, where this file would be read (see export_playbook).
        "adoption": [
            {"week": figure.week, "active_users": figure.active_users}
            for figure in role.adoption_figures.all()
        ]
        if takes_figures(role.headcount, k)
        else [],
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


def _export_sender(message: Message, emails: Mapping[int, str]) -> dict[str, str] | None:
    """An ambassador by e-mail (one this file carries: ``emails``, by id); a
    member by name, as typed text (a member is a person of this installation,
    whose account the file cannot carry); typed text as it is; or null."""
    if message.sender_ambassador_id is not None:
        email = emails.get(message.sender_ambassador_id)
        return {"ambassador": email} if email else None
    name = sender_name(message)
    return {"text": name} if name else None


def _export_message(message: Message, emails: Mapping[int, str]) -> dict[str, Any]:
    return {
        "role": message.role.name if message.role is not None else None,
        "kind": message.kind or None,
        "drafted": message.drafted,
        # A drafted message has no text of its own: drafted from the role on import.
        "title": "" if message.drafted else message.title,
        "text": "" if message.drafted else message.text,
        "channel": message.channel,
        # null while the date is its kind's default (following go-live).
        "date": _date(message.date),
        "sender": _export_sender(message, emails),
        "status": message.status,
    }


def _export_communications(playbook: Playbook, roles: list[Role]) -> list[dict[str, Any]]:
    """The messages in the plan's order. A sender ambassador is written only
    as one of the message's role (any role's for a message to all roles),
    as the import requires: never one of a role deleted since."""
    role_of = {a.pk: a.role_id for role in roles for a in role.ambassadors.all()}
    email_of = {a.pk: a.email for role in roles for a in role.ambassadors.all()}
    messages = visible(playbook).select_related("role", "sender_member").order_by("order", "pk")
    exported = []
    for message in messages:
        emails = {
            pk: email
            for pk, email in email_of.items()
            if message.role_id is None or role_of[pk] == message.role_id
        }
        exported.append(_export_message(message, emails))
    return exported


def export_playbook(playbook: Playbook) -> dict[str, Any]:
    """The document for one playbook, every key in the order of DESIGN.md.

    Adoption figures go with a role that takes them under the playbook's k
    (written with them, so that the import judges them with the same k): a
    role too small shows none here, so the file shows none either, and every
    export imports again. Pulse answers are never written.
    """
    # Ambassadors in the model's order: by name, then as they were added.
    roles = list(
        roles_with_givegets(playbook).prefetch_related(
            "ambassadors",
            Prefetch("adoption_figures", queryset=AdoptionFigure.objects.order_by("week")),
        )
    )
    exported = [_export_role(role, playbook.pulse_k) for role in roles]
    # The day the figures' weeks count from, when it is not go-live (go-live
    # moved after the first figure or answer): null otherwise, and without figures.
    anchor = playbook.pulse_go_live
    with_figures = any(role["adoption"] for role in exported)
    weeks_from = anchor if with_figures and anchor != playbook.go_live else None
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
            "privacy_threshold": playbook.pulse_k,
            "weeks_from": _date(weeks_from),
        },
        "roles": exported,
        "action_plan": [_export_step(step) for step in steps_with_tasks(playbook)],
        "communications": _export_communications(playbook, roles),
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


# --- Reading ----------------------------------------------------------------
#
# In this order: the version (it decides which schema applies), the schema,
# text no database stores, and then, per object, the model's own validation
# and the rules the schema cannot state. Errors are kept by place, the first
# at each place; a value with an error is left out of its instance (which
# keeps the field's default), so no later rule reads it and its place shows
# only its first error.

Place = tuple[str | int, ...]


@dataclass
class RoleParts:
    role: Role
    givegets: list[GiveGet]
    ambassadors: list[Ambassador]
    figures: list[AdoptionFigure] = field(default_factory=list)


@dataclass
class StepParts:
    step: Step
    tasks: list[Task]


@dataclass
class MessageParts:
    message: Message
    role: int | None  # its role's index in ``Parts.roles``; None: to all roles
    sender_email: str | None  # an ambassador's, of the file


@dataclass
class Parts:
    """A read file: unsaved, validated instances, ready to be saved in order."""

    playbook: Playbook
    roles: list[RoleParts]
    steps: list[StepParts]
    # None: the file has no ``communications`` key, and gets the default set.
    messages: list[MessageParts] | None = None


class _Refused(Exception):
    """A value the model's field cannot take; ``str()`` is the message."""


def _place(place: Place) -> str:
    """``roles[2].givegets[0].minutes_each``; ``(file)`` for the document itself."""
    text = ""
    for part in place:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    # An unknown key may hold a lone surrogate: show it escaped, never fail on it.
    return text.encode(errors="backslashreplace").decode() or "(file)"


def _schema_errors(error: SchemaError) -> Iterator[tuple[Place, str]]:
    """One schema error as today's places and messages (several for keys)."""
    place: Place = tuple(error.absolute_path)
    value: Any = error.validator_value
    instance: Any = error.instance
    schema: Any = error.schema
    match error.validator:
        case "required":
            for key in value:
                if key not in instance:
                    yield (*place, key), _("is required")
            return
        case "additionalProperties":
            for key in instance:
                if key not in schema.get("properties", {}):
                    yield (*place, key), _("unknown key")
            return
        case "type" if value == ["integer", "null"]:  # a perceived factor
            message = (
                _("must be a whole number, or null")
                if isinstance(instance, float | Decimal)
                else _("must be a number, or null")
            )
        case "type" if value == ["string", "null"]:  # a message's role
            message = _("must be a string, or null")
        case "type" if value == ["object", "null"]:  # a message's sender
            message = _("must be an object, or null")
        case "minProperties" | "maxProperties":  # a message's sender
            message = _("must have one key: “ambassador” (an e-mail) or “text” (a name)")
        case "type" if isinstance(value, list):
            message = error.message
        case "type":
            message = {
                "object": _("must be an object"),
                "array": _("must be a list"),
                "string": _("must be a string"),
                "boolean": _("must be true or false"),
                "number": _("must be a number"),
                "integer": (
                    _("must be a whole number")
                    if isinstance(instance, float | Decimal)
                    else _("must be a number")
                ),
            }.get(value, error.message)
        case "anyOf" if schema == SCHEMA["$defs"]["date"]:
            message = _("must be a date written YYYY-MM-DD, or null")
        case "enum" if None in value:  # a message's kind
            choices = ", ".join(sorted(v for v in value if v is not None))
            message = _("must be one of %(choices)s, or null") % {"choices": choices}
        case "enum":
            message = _("must be one of %(choices)s") % {"choices": ", ".join(sorted(value))}
        case "const":
            message = _("must be “%(format)s”") % {"format": value}
        case "minimum":
            message = _("must be %(n)s or more") % {"n": value}
        case "maximum":
            message = _("must be at most %(n)s") % {"n": value}
        case "minLength":
            message = _("must not be blank")
        case "maxLength":
            if limits.length(instance.strip()) <= value:
                return  # texts are stripped first, and a CR LF is one, as the forms count
            message = _("must be at most %(n)s characters") % {"n": value}
        case "maxItems":
            message = _("must have at most %(n)s items") % {"n": value}
        case _:
            message = error.message
    yield place, message


def _model_message(error: ValidationError, model_field: Any) -> str:
    """A model's validation error in the file's words. Lengths and ranges never
    get here: the schema states them first, in the same words (a test keeps the
    schema's limits the models'); what is left is a text blank once stripped,
    an e-mail address, and the model's own words for any rule added later."""
    if error.code == "blank":
        return _("must not be blank")
    if error.code == "invalid" and isinstance(model_field, models.EmailField):
        return _("must be an e-mail address")
    if error.code == limits.DateRange.code:
        return _("must be a date between the years %(first)s and %(last)s") % {
            "first": limits.FIRST_YEAR,
            "last": limits.LAST_YEAR,
        }
    return error.messages[0]  # one error, one message (full_clean lists each apart)


def _cleaned(model_field: Any, value: Any) -> Any:
    """A value of the right type (the schema saw to that), cleaned as the forms do."""
    if isinstance(model_field, models.DecimalField):
        # A JSON number with at most the field's decimals (0.25), exactly. loads()
        # reads fractions as Decimals and refuses NaN and Infinity.
        number = Decimal(str(value))
        step = Decimal(f"1e-{model_field.decimal_places}")
        if number != number.quantize(step):
            raise _Refused(
                _("must have at most %(n)s decimals") % {"n": model_field.decimal_places}
            )
        return number.quantize(step)
    if isinstance(model_field, models.DateField) and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    if isinstance(model_field, models.CharField | models.TextField):
        return value.strip()
    return value


def _strings(document: Any) -> Iterator[tuple[Place, str]]:
    """Every string value with its place (iteratively: files may nest deeply)."""
    stack: list[tuple[Place, Any]] = [((), document)]
    while stack:
        place, value = stack.pop()
        if isinstance(value, str):
            yield place, value
        elif isinstance(value, dict):
            stack.extend(((*place, key), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*place, index), item) for index, item in enumerate(value))


def _position(document: Any, place: Place) -> tuple[int, ...]:
    """Where a place is in the document, to list errors in reading order."""
    position = []
    node = document
    for part in place:
        if isinstance(node, dict):
            # A missing key (is required) is listed before the object's keys.
            position.append(list(node).index(part) if part in node else -1)
            node = node.get(part)
        else:  # a list: every place is an item the file has, or a key in one
            assert isinstance(part, int)
            position.append(part)
            node = node[part]
    return tuple(position)


def _items(obj: dict[str, Any], place: Place, key: str) -> Iterator[tuple[Place, dict[str, Any]]]:
    """The objects of a list, each with its place (anything else has its schema error)."""
    items = obj.get(key)
    for index, item in enumerate(items if isinstance(items, list) else ()):
        if isinstance(item, dict):
            yield (*place, key, index), item


@dataclass
class _Reader:
    document: Any
    errors: dict[Place, str] = field(default_factory=dict)
    role_names: dict[str, Place] = field(default_factory=dict)
    emails: dict[str, Place] = field(default_factory=dict)
    step_numbers: dict[int, Place] = field(default_factory=dict)
    message_kinds: dict[tuple[int | None, str], Place] = field(default_factory=dict)

    def error(self, place: Place, message: str) -> None:
        self.errors.setdefault(place, message)

    def ok(self, *places: Place) -> bool:
        return not any(place in self.errors for place in places)

    def messages(self) -> list[str]:
        ordered = sorted(self.errors, key=lambda place: _position(self.document, place))
        return [f"{_place(place)}: {self.errors[place]}" for place in ordered]

    # The checks before the models.

    def check_version(self) -> None:
        """A later version is the only error; any other wrong version is the schema's."""
        version = self.document.get("version") if isinstance(self.document, dict) else None
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            # A later format is not judged by this one's schema.
            raise PlaybookFileError(
                [
                    "version: "
                    + _(
                        "this file is version %(version)s; this installation reads version "
                        "%(known)s and older"
                    )
                    % {"version": version, "known": VERSION}
                ]
            )

    def check_schema(self) -> None:
        for error in VALIDATOR.iter_errors(self.document):
            for place, message in _schema_errors(error):
                self.error(place, message)

    def check_text(self) -> None:
        """What no database stores: lone surrogates (UTF-16 halves) and NUL."""
        for place, value in _strings(self.document):
            try:
                value.encode()  # UTF-8
            except UnicodeEncodeError:
                self.error(place, _("must be valid text (it holds a lone surrogate)"))
                continue
            if "\x00" in value:
                self.error(place, _("must not contain NUL characters"))

    # The models, and the rules the schema cannot state.

    def values(
        self,
        model: type[models.Model],
        obj: dict[str, Any],
        place: Place,
        *,
        parts: Collection[str] = (),
    ) -> dict[str, Any]:
        """The object's keys as the model's fields, but ``parts`` and values with an error."""
        values = {}
        for key, value in obj.items():
            if key in parts or not self.ok((*place, key)):
                continue  # an unknown key has its error
            try:
                values[key] = _cleaned(model._meta.get_field(key), value)
            except _Refused as refused:
                self.error((*place, key), str(refused))
        return values

    def full_clean(
        self, instance: models.Model, place: Place, *, exclude: Collection[str] = ()
    ) -> None:
        """The model's own validation (no query: the constraints are the database's
        and the uniqueness rules are checked here); each error at its field's
        place in the file, a rule of the model's own at its object's."""
        try:
            instance.full_clean(exclude=exclude, validate_constraints=False)
        except ValidationError as error:
            for name, errors in error.error_dict.items():
                if name == NON_FIELD_ERRORS:
                    at, model_field = place, None
                else:
                    at, model_field = (*place, name), instance._meta.get_field(name)
                for each in errors:
                    self.error(at, _model_message(each, model_field))

    def parts(self) -> Parts | None:
        document = self.document
        if not isinstance(document, dict):
            return None
        raw = document.get("playbook")
        playbook = self.playbook(raw) if isinstance(raw, dict) else Playbook()
        defaults = {spec["number"]: spec for spec in default_plan(playbook.language)}
        roles = [self.role(item, place, playbook) for place, item in _items(document, (), "roles")]
        # The weeks count from weeks_from when the file gives it, else from
        # go-live; fixed only by figures (without them, from go-live as always).
        if not any(parts.figures for parts in roles):
            playbook.pulse_weeks_from = None
        elif playbook.pulse_weeks_from is None:
            playbook.pulse_weeks_from = playbook.go_live
        return Parts(
            playbook=playbook,
            roles=roles,
            steps=[
                self.step(item, place, defaults)
                for place, item in _items(document, (), "action_plan")
            ],
            messages=(
                [
                    self.message(item, place, roles)
                    for place, item in _items(document, (), "communications")
                ]
                if "communications" in document
                else None
            ),
        )

    def playbook(self, obj: dict[str, Any]) -> Playbook:
        place: Place = ("playbook",)
        own = {"weeks_from", "privacy_threshold"}
        playbook = Playbook(**self.values(Playbook, obj, place, parts=own))
        if "privacy_threshold" in obj and self.ok((*place, "privacy_threshold")):
            # The pulse's k, named for what it is: the file carries no pulse.
            k = Playbook._meta.get_field("pulse_k")
            playbook.pulse_k = _cleaned(k, obj["privacy_threshold"])
        if obj.get("weeks_from") is not None and self.ok((*place, "weeks_from")):
            # The model's own field, not editable in a form: the weeks' anchor.
            anchor = Playbook._meta.get_field("pulse_weeks_from")
            playbook.pulse_weeks_from = _cleaned(anchor, obj["weeks_from"])
        if playbook.crm_system != Playbook.CRM.OTHER:
            playbook.crm_other = ""  # as in the form: the name only goes with "other"
        self.full_clean(playbook, place)
        return playbook

    def role(self, obj: dict[str, Any], place: Place, playbook: Playbook) -> RoleParts:
        values = self.values(
            Role, obj, place, parts={"factors", "givegets", "ambassadors", "adoption"}
        )
        if isinstance(obj.get("factors"), dict):
            values.update(self.values(Role, obj["factors"], (*place, "factors")))
        role = Role(order=place[-1], **values)
        # The factors' ranges are the schema's: no model error is about a factor.
        self.full_clean(role, place, exclude=["playbook"])
        # Compared with casefold(): SQLite's lower() folds only ASCII.
        other = self.role_names.setdefault(role.name.casefold(), place)
        if other != place:
            self.error(
                (*place, "name"),
                _("another role (%(other)s) is already called “%(name)s”, ignoring case")
                % {"other": _place(other), "name": role.name},
            )
        return RoleParts(
            role=role,
            givegets=[self.giveget(item, at) for at, item in _items(obj, place, "givegets")],
            ambassadors=[
                self.ambassador(item, at) for at, item in _items(obj, place, "ambassadors")
            ],
            figures=self.figures(obj, place, role, playbook),
        )

    def figures(
        self, obj: dict[str, Any], place: Place, role: Role, playbook: Playbook
    ) -> list[AdoptionFigure]:
        """A role's adoption figures: one per closed week after go-live (by
        ``pulse.figures``' own rules and words), for a role of at least 2k
        people (k: the file's ``privacy_threshold``, the default when it has none)."""
        entries = list(_items(obj, place, "adoption"))
        found = []
        seen: dict[int, Place] = {}
        for at, item in entries:
            figure = AdoptionFigure(**self.values(AdoptionFigure, item, at))
            self.full_clean(figure, at, exclude=["role"])
            found.append(figure)
            if not self.ok((*at, "week")):
                continue  # missing or refused: it has its error
            other = seen.setdefault(figure.week, at)
            if other != at:
                self.error(
                    (*at, "week"),
                    _("%(other)s is week %(week)s too")
                    % {"other": _place(other), "week": figure.week},
                )
        if not entries:
            return found
        here = (*place, "adoption")
        if self.ok((*place, "headcount")) and (
            refused := figures.role_refused(role, playbook.pulse_k)
        ):
            self.error(here, refused)
        if not self.ok(("playbook", "go_live"), ("playbook", "weeks_from")):
            return found  # no week is judged against a go-live with an error
        if playbook.pulse_go_live is None:
            self.error(here, _("figures need a go-live date (playbook.go_live)"))
            return found
        today = weeks.today()
        for (at, _item), figure in zip(entries, found, strict=True):
            if not self.ok((*at, "week")):
                continue
            if refused := figures.week_refused(playbook, figure.week, today):
                self.error((*at, "week"), refused)
        return found

    def giveget(self, obj: dict[str, Any], place: Place) -> GiveGet:
        giveget = GiveGet(order=place[-1], **self.values(GiveGet, obj, place))
        self.full_clean(giveget, place, exclude=["role"])
        # The cap, once both numbers are valid: neither side above 2,400 minutes a
        # week (the database's check constraint; the form says it in its words).
        if giveget.given_per_week > MAX_MINUTES_PER_WEEK:
            self.error(
                (*place, "times_per_week"),
                _("%(minutes)s minutes × %(times)s times is more than %(cap)s minutes a week")
                % {
                    "minutes": giveget.minutes_each,
                    "times": f"{giveget.times_per_week.normalize():f}",
                    "cap": MAX_MINUTES_PER_WEEK,
                },
            )
        return giveget

    def ambassador(self, obj: dict[str, Any], place: Place) -> Ambassador:
        values = self.values(Ambassador, obj, place)
        if "email" in values:
            values["email"] = values["email"].lower()  # as in the form
        ambassador = Ambassador(**values)
        self.full_clean(ambassador, place, exclude=["playbook", "role"])
        other = self.emails.setdefault(ambassador.email, place)
        if other != place:
            self.error(
                (*place, "email"), _("%(other)s has the same e-mail") % {"other": _place(other)}
            )
        # As in the form: a training date goes with a training scheduled or
        # completed (a training with an error is not judged to be "not started").
        if (
            self.ok((*place, "training"))
            and ambassador.trained_on
            and ambassador.training == Ambassador.Training.NOT_STARTED
        ):
            self.error((*place, "trained_on"), _("goes with a training scheduled or completed"))
        return ambassador

    def step(
        self, obj: dict[str, Any], place: Place, defaults: Mapping[Any, dict[str, Any]]
    ) -> StepParts:
        values = self.values(Step, obj, place, parts={"tasks"})
        # A missing title or description is the default plan's, in the playbook's language.
        spec = defaults.get(values.get("number"))
        if spec:
            values.update({key: spec[key] for key in ("title", "description") if key not in obj})
        step = Step(**values)
        # Without a step number the default title is unknown: not "blank".
        unknown = [] if "title" in values else ["title"]
        self.full_clean(step, place, exclude=["playbook", *unknown])
        if "number" in values:
            other = self.step_numbers.setdefault(step.number, place)
            if other != place:
                self.error(
                    (*place, "number"),
                    _("%(other)s is step %(n)s too") % {"other": _place(other), "n": step.number},
                )
        if step.start and step.due and step.due < step.start:
            self.error((*place, "due"), _("must not be before start"))
        return StepParts(
            step=step,
            tasks=[self.task(item, at) for at, item in _items(obj, place, "tasks")],
        )

    def message(self, obj: dict[str, Any], place: Place, roles: list[RoleParts]) -> MessageParts:
        """A message of the communications plan: its role by name, its kind's
        rules (a role's three have a role, the open session has none; one of
        each kind per role), drafted only with a kind and then without a text
        of its own, its sender an ambassador of its role, by e-mail."""
        values = self.values(Message, obj, place, parts={"role", "kind", "sender"})
        if isinstance(obj.get("kind"), str) and self.ok((*place, "kind")):
            values["kind"] = obj["kind"]
        message = Message(order=place[-1], **values)
        self.full_clean(message, place, exclude=["playbook", "role"])
        role = self.message_role(obj, place, roles)
        kind = message.kind
        if self.ok((*place, "kind"), (*place, "role")) and kind:
            if kind == Message.Kind.OPEN_SESSION and role is not None:
                self.error((*place, "role"), _("the open session is for all roles: null"))
            elif kind != Message.Kind.OPEN_SESSION and obj.get("role") is None:
                self.error(
                    (*place, "role"),
                    _("a “%(kind)s” message is for one role: its name") % {"kind": kind},
                )
            else:
                other = self.message_kinds.setdefault((role, kind), place)
                if other != place:
                    self.error(
                        (*place, "kind"),
                        _("%(other)s is the “%(kind)s” message of this role already")
                        % {"other": _place(other), "kind": kind}
                        if role is not None
                        else _("%(other)s is the “%(kind)s” message already")
                        % {"other": _place(other), "kind": kind},
                    )
        if message.drafted and self.ok((*place, "drafted"), (*place, "kind")):
            if not kind:
                self.error(
                    (*place, "drafted"),
                    _("only a message of the default set (with a kind) is drafted"),
                )
            for key in ("title", "text"):
                if getattr(message, key) and self.ok((*place, key)):
                    self.error(
                        (*place, key),
                        _("must be empty while drafted is true: it is drafted from the role"),
                    )
        email, message.sender_text = self.message_sender(obj, place, role, roles)
        return MessageParts(message, role, email)

    def message_role(self, obj: dict[str, Any], place: Place, roles: list[RoleParts]) -> int | None:
        """The index of the message's role in the file, by name ignoring case."""
        name = obj.get("role")
        if not isinstance(name, str) or not self.ok((*place, "role")):
            return None
        if not name.strip():
            self.error((*place, "role"), _("must not be blank"))
            return None
        wanted = name.strip().casefold()
        found = next(
            (i for i, parts in enumerate(roles) if parts.role.name.casefold() == wanted), None
        )
        if found is None:
            self.error((*place, "role"), _("no role called “%(name)s”") % {"name": name.strip()})
        return found

    def message_sender(
        self, obj: dict[str, Any], place: Place, role: int | None, roles: list[RoleParts]
    ) -> tuple[str | None, str]:
        """The sender: an ambassador's e-mail, found among the file's
        ambassadors of the message's role (any role's for all roles), or a
        name as typed (the model's ``sender_text``)."""
        sender = obj.get("sender")
        at = (*place, "sender")
        if not isinstance(sender, dict) or not self.ok(at):
            return None, ""
        if "text" in sender:
            text = sender["text"]
            if not isinstance(text, str) or not self.ok((*at, "text")):
                return None, ""
            if not text.strip():
                self.error((*at, "text"), _("must not be blank"))
            return None, text.strip()
        email = sender.get("ambassador")
        if not isinstance(email, str) or not self.ok((*at, "ambassador")):
            return None, ""
        email = email.strip().lower()
        owner = next(
            (
                index
                for index, parts in enumerate(roles)
                for ambassador in parts.ambassadors
                if ambassador.email == email
            ),
            None,
        )
        if owner is None:
            self.error((*at, "ambassador"), _("no ambassador in this file has this e-mail"))
        elif role is not None and owner != role:
            self.error(
                (*at, "ambassador"),
                _("“%(email)s” is an ambassador of %(other)s, not of %(role)s")
                % {"email": email, "other": roles[owner].role.name, "role": roles[role].role.name},
            )
        return email, ""

    def task(self, obj: dict[str, Any], place: Place) -> Task:
        task = Task(order=place[-1], **self.values(Task, obj, place))
        self.full_clean(task, place, exclude=["step"])
        return task


def read(document: Any) -> Parts:
    """Validate a parsed document: its unsaved instances, or PlaybookFileError."""
    reader = _Reader(document)
    reader.check_version()
    reader.check_schema()
    reader.check_text()
    parts = reader.parts()
    if reader.errors or parts is None:
        raise PlaybookFileError(reader.messages())
    return parts


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


def too_large_message() -> str:
    return _("the file is larger than 5 MB")


def loads(text: str | bytes) -> Any:
    """Parse JSON text, refusing what is too large, not JSON, or ambiguous.

    Numbers with a fraction are read as exact Decimals.
    """
    if len(text) > MAX_BYTES:
        raise PlaybookFileError([too_large_message()])
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


@transaction.atomic
@history.recorded_as(history.SOURCE_IMPORT)
def import_playbook(
    document: Any, *, owner: Any, imported_at: datetime.datetime | None = None
) -> Playbook:
    """Create a new playbook owned by ``owner`` from a parsed document; its
    history starts here, each record named as the import's.

    ``imported_at``: when a person imported a file (the upload, the command),
    for the list to tell the new playbook from the one the file came from;
    None for a playbook made from a template. Never written to a file.
    """
    parts = read(document)
    playbook = parts.playbook
    playbook.imported_at = imported_at
    # The file carries no members, so no contact: its new owner, as for a new playbook.
    playbook.ambassador_contact = owner
    playbook.save()
    Membership.objects.create(playbook=playbook, user=owner, level=Level.OWNER)
    for index, role_parts in enumerate(parts.roles):
        role = role_parts.role
        role.playbook = playbook
        try:
            with transaction.atomic():
                role.save()
        except IntegrityError as error:
            # The database folds some letters casefold() keeps apart (İ and I).
            raise PlaybookFileError(
                [f"roles[{index}].name: " + _("another role has the same name, ignoring case")]
            ) from error
        for giveget in role_parts.givegets:
            giveget.role = role
            giveget.save()
        for ambassador in role_parts.ambassadors:
            ambassador.playbook = playbook
            ambassador.role = role
            ambassador.save()
    counts = {
        (role_parts.role.pk, figure.week): figure.active_users
        for role_parts in parts.roles
        for figure in role_parts.figures
    }
    if counts:
        # The one writer of figures: history (as this import's), the anchor
        # (set from the file above), the version and the PDF.
        figures.replace(playbook, counts)
    for step_parts in parts.steps:
        step = step_parts.step
        step.playbook = playbook
        step.save()
        for task in step_parts.tasks:
            task.step = step
        history.bulk_create(Task, step_parts.tasks)
    # The steps the file does not give come from the default plan.
    create_default_plan(playbook, skip={step_parts.step.number for step_parts in parts.steps})
    if parts.messages is None:  # a file from before the communications plan
        create_default_set(playbook)
    else:
        _save_messages(playbook, parts)
    return playbook


def _save_messages(playbook: Playbook, parts: Parts) -> None:
    """The file's messages, in its order, their roles and senders now saved."""
    ambassadors = {
        ambassador.email: ambassador for role in parts.roles for ambassador in role.ambassadors
    }
    for message_parts in parts.messages or []:
        message = message_parts.message
        message.playbook = playbook
        if message_parts.role is not None:
            message.role = parts.roles[message_parts.role].role
        if message_parts.sender_email is not None:
            message.sender_ambassador = ambassadors[message_parts.sender_email]
    history.bulk_create(Message, [m.message for m in parts.messages or []])


def as_template(
    document: dict[str, Any], *, name: str, go_live: datetime.date | None
) -> dict[str, Any]:
    """A new rollout's document from an exported one ("use as template").

    Keeps the roles, Give-Gets, plan, texts, adoption targets and messages;
    drops the ambassadors (people belong to a rollout, not to a method), and
    so the messages' senders who are ambassadors, and the adoption figures (a
    new rollout has none); resets statuses and done flags. The default set's
    messages take their kind's default dates again (they follow the new
    go-live); other typed dates move with go-live; without both go-live dates
    they are dropped, so they follow the new go-live like defaults.
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
    if "weeks_from" in doc["playbook"]:
        doc["playbook"]["weeks_from"] = None  # its weeks count from its own go-live
    for role in doc.get("roles", []):
        role["ambassadors"] = []
        role["adoption"] = []
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
    for message in doc.get("communications", []):
        message["status"] = "draft"
        message["date"] = None if message.get("kind") else moved(message.get("date"))
        sender = message.get("sender")
        if isinstance(sender, dict) and "ambassador" in sender:
            message["sender"] = None
    return doc
