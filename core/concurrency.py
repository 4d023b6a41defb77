"""No silent overwrite (DESIGN.md "History, undo and two people editing").

Every edited row has a version number in the database (``Versioned``),
raised by each save. An edit form (``VersionedForm``, mixed into a
ModelForm) carries, in one signed hidden field, the row's version and the
values of its fields as they were read. ``save`` then writes, under a row
lock, only the fields the person changed from what they read, so changes to
different fields of one row merge. A field that someone else changed since,
to another value than this person's, is a conflict: nothing is saved, and
the form comes back (an htmx save with status 409) saying who changed it and
when, their value and yours, and two buttons: "Keep theirs" (save the rest)
or "Save mine over it". The form is then read as of the row's present
version, with the values nobody disputes already merged in.

A form posted without the hidden field (an old page, a script) is read as of
the moment it arrives: it writes the fields whose values differ from the
row's, as a save always did.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.accounts import display_name
from core.forms import limit_texts, texts_over_limit

TOKEN = "read_as"  # noqa: S105 - a field name
CHOICE = "on_conflict"
KEEP_THEIRS = "theirs"
MINE = "mine"
SALT = "core.concurrency"
# What an edit of a row that someone else deleted meanwhile is told.
DELETED_MEANWHILE = _("Someone else deleted this since you opened it, so nothing was saved.")


class Versioned(models.Model):
    """A row with a version number, raised by each save of it."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and not kwargs.get("force_insert"):
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


@dataclass(frozen=True)
class Disputed:
    """A field two people changed: its label, their value and yours, as shown."""

    name: str
    label: str
    theirs: str
    mine: str


@dataclass(frozen=True)
class Conflict:
    """What the person sees instead of a save: who changed what, and when."""

    who: str
    when: datetime.datetime | None
    fields: tuple[Disputed, ...]

    @property
    def today(self) -> bool:
        return self.when is not None and timezone.localdate(self.when) == timezone.localdate()


class _TokenField(forms.CharField):
    """The hidden version-and-values field: never a change of its own."""

    widget = forms.HiddenInput

    def __init__(self) -> None:
        super().__init__(required=False, strip=False)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False


class VersionedForm(forms.ModelForm):
    """A ModelForm that carries the version and the values it was read with
    (``class RoleForm(VersionedForm)``, with its ``Meta`` as usual).

    The token covers the fields the form has when it is drawn (a matrix cell
    keeps one), and is made only then. A form for a new row has none.
    """

    read_as = _TokenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conflict: Conflict | None = None
        self.written: list[str] = []  # the fields the last save wrote
        if self.instance.pk is None:  # a new row: nothing to have read
            del self.fields[TOKEN]
        else:
            self.initial[TOKEN] = self._token_now  # a callable: evaluated when drawn
        limit_texts(self)

    def full_clean(self) -> None:
        """As a form does; shown unbound, a text stored longer than its limit
        (before it was lowered) has its message beside it, asking to shorten it:
        saved as it is, the form refuses it."""
        super().full_clean()
        if not self.is_bound and self.instance.pk is not None:
            errors = self.errors  # the form's (empty: it is not bound)
            for name, message in texts_over_limit(self).items():
                errors[name] = self.error_class([message], renderer=self.renderer)

    @property
    def choice_name(self) -> str:
        """The name of the conflict's two buttons."""
        return self.add_prefix(CHOICE)

    def edited_fields(self) -> list[str]:
        """The model fields this form edits."""
        names = {f.name for f in self.instance._meta.concrete_fields}
        return [name for name in self.fields if name in names]

    def _token_now(self) -> str:
        return read_token(self.instance, self.edited_fields())

    def read(self) -> Read | None:
        """What the posted token says the form was read with."""
        if not self.is_bound or TOKEN not in self.fields:
            return None
        return Read.load(self.data.get(self.add_prefix(TOKEN), ""), self.instance)

    def choice(self) -> str | None:
        """The conflict's button pressed: "mine", "theirs", or None."""
        if not self.is_bound:
            return None
        return {MINE: MINE, KEEP_THEIRS: KEEP_THEIRS}.get(self.data.get(self.choice_name, ""))


@dataclass(frozen=True)
class Read:
    version: int
    values: dict[str, Any]  # as JSON holds them
    disputed: tuple[str, ...] = ()

    @classmethod
    def load(cls, token: str, instance: models.Model) -> Read | None:
        try:
            data = signing.loads(token, salt=SALT, serializer=_Serializer)
        except signing.BadSignature:
            return None
        if data.get("m") != instance._meta.label_lower or data.get("pk") != instance.pk:
            return None
        return cls(int(data["v"]), dict(data["f"]), tuple(data.get("d", ())))

    def value(self, field: models.Field[Any, Any], name: str) -> Any:
        return field.to_python(self.values.get(name))


class FollowDefaultForm(VersionedForm):
    """ "Follow go-live again": posts only the version token, and its fields are
    saved empty whatever else is posted, so the row takes its default date
    again (``class FollowGoLiveForm(FollowDefaultForm)``, its Meta naming the
    date fields). Someone else's change since the page was read is a
    conflict, as for any VersionedForm."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        for name in self._meta.fields or ():
            cleaned[name] = None
        return cleaned


@dataclass(frozen=True)
class FollowTexts:
    """What "follow go-live again" tells the person, for each way it ends."""

    no_default: str  # nothing to follow (no go-live): the typed date stays
    followed: str
    conflict: str  # someone else changed the date since the page was read
    stale: str  # the form was refused: the page was out of date


def follow_default(
    form: FollowDefaultForm, *, has_default: bool, texts: FollowTexts
) -> tuple[bool, str]:
    """ "Follow go-live again" of a view: empty the form's dates when there is
    a default to follow (``has_default``: the server checks again, for a
    stale page or a crafted post) and nobody changed them since the page was
    read. Whether it saved, and what to tell the person."""
    if not has_default:
        return False, texts.no_default
    if form.is_valid() and save(form):
        return True, texts.followed
    if form.is_valid():
        return False, texts.conflict
    return False, texts.stale


def read_token(instance: models.Model, names: list[str], *, disputed: tuple[str, ...] = ()) -> str:
    """The signed version and values of ``names`` of ``instance``."""
    if instance.pk is None:
        return ""
    values = {name: _field(instance, name).value_from_object(instance) for name in names}
    return signing.dumps(
        {
            "m": instance._meta.label_lower,
            "pk": instance.pk,
            "v": getattr(instance, "version", 0),
            "f": values,
            "d": list(disputed),
        },
        salt=SALT,
        serializer=_Serializer,
        compress=True,
    )


class _Serializer:
    """JSON with dates and decimals (signing's own knows neither)."""

    def dumps(self, obj: Any) -> bytes:
        return json.dumps(obj, cls=DjangoJSONEncoder, separators=(",", ":")).encode("latin-1")

    def loads(self, data: bytes) -> Any:
        return json.loads(data.decode("latin-1"))


def _field(instance: models.Model, name: str) -> models.Field[Any, Any]:
    field = instance._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def save[M: models.Model](form: VersionedForm) -> M | None:
    """Save a valid form's changes, merged with what others saved since it
    was read; None when nothing could be saved (``form.conflict`` or a form
    error says why, and the form is ready to be shown again).

    Inside a transaction, with the row locked. Raises IntegrityError when the
    database refuses a row nobody else changed (a name taken meanwhile, say):
    the caller's to answer, as it does for a save it made itself.
    """
    instance = form.save(commit=False)  # the form's own rules for what it saves
    model = type(instance)
    names = form.edited_fields()
    mine = {name: _field(instance, name).value_from_object(instance) for name in names}
    read = form.read()
    with transaction.atomic():
        rows = model._default_manager.select_for_update(of=("self",))  # a deleted row is gone
        current = rows.filter(pk=instance.pk).first()
        if current is None:
            form.add_error(None, str(DELETED_MEANWHILE))
            return None
        theirs = {name: _field(current, name).value_from_object(current) for name in names}
        if read is None:  # read as it arrives
            was = theirs
        else:
            was = {name: read.value(_field(current, name), name) for name in names}
        changed = [name for name in names if not _same(mine[name], was[name])]
        choice = form.choice()
        if read is not None and choice == KEEP_THEIRS:
            changed = [name for name in changed if name not in read.disputed]
        disputed = [
            name
            for name in changed
            if not _same(theirs[name], was[name]) and not _same(theirs[name], mine[name])
        ]
        if read is not None and read.disputed and choice is None:
            # Shown a conflict, saved without choosing: the choice is still to make.
            disputed = [name for name in read.disputed if name in changed]
        if disputed:
            form.conflict = _conflict(form, current, read, disputed, mine, theirs)
            _read_again(form, current, names, changed, disputed)
            return None
        to_write = [name for name in changed if not _same(mine[name], theirs[name])]
        merged = read is not None and read.version != current.version
        for name in to_write:
            setattr(current, _field(current, name).attname, mine[name])
        _keep_cached_relations(instance, current)
        if to_write and merged and not _valid_merged(form, current, names, changed):
            return None
        form.written = to_write
        if to_write and not merged:
            current.save(update_fields=to_write)  # nobody else's change: as it was read
        elif to_write:
            try:
                with transaction.atomic():
                    current.save(update_fields=to_write)
            except IntegrityError:  # a rule only the database holds
                current.refresh_from_db()
                _refuse_merged(form, current, names, changed)
                return None
    for field in model._meta.concrete_fields:
        setattr(instance, field.attname, getattr(current, field.attname))
    return instance


def _same(one: Any, other: Any) -> bool:
    """Equal values; a text's line ends as the browser posts them or not."""
    if isinstance(one, str) and isinstance(other, str):
        return one.replace("\r\n", "\n") == other.replace("\r\n", "\n")
    return bool(one == other)


def _valid_merged(
    form: VersionedForm, merged: models.Model, names: list[str], changed: list[str]
) -> bool:
    """Whether the form's own rules (its rules across fields among them)
    accept the row as it would be saved: this person's changes with the
    ones saved meanwhile. If not, the form shows the merged values and why,
    read as of now."""
    _fill(form, merged, names)
    form.full_clean()
    if form.is_valid():
        return True
    merged.refresh_from_db()
    _refuse_merged(form, merged, names, changed)
    return False


def _refuse_merged(
    form: VersionedForm,
    current: models.Model,
    names: list[str],
    changed: list[str],
) -> None:
    """Nothing saved: the form says why, read as of ``current``."""
    form.add_error(
        None,
        gettext(
            "Together with a change saved meanwhile, this breaks a rule, "
            "so nothing was saved. Check the values and save again."
        ),
    )
    _read_again(form, current, names, changed, ())


def _keep_cached_relations(instance: models.Model, current: models.Model) -> None:
    """The related rows the form's instance holds (its role, say), for the
    locked copy, so that what reads them after the save costs no query."""
    for field in type(instance)._meta.concrete_fields:
        if (
            field.is_relation
            and field.is_cached(instance)  # type: ignore[attr-defined]
            and getattr(instance, field.attname) == getattr(current, field.attname)
        ):
            field.set_cached_value(current, field.get_cached_value(instance))  # type: ignore[attr-defined]


def _conflict(
    form: VersionedForm,
    current: models.Model,
    read: Read | None,
    disputed: list[str],
    mine: dict[str, Any],
    theirs: dict[str, Any],
) -> Conflict:
    """Who changed the row last since it was read, and the disputed values."""
    history = getattr(current, "history", None)
    record = None
    if history is not None:
        since = history.filter(version__gt=read.version) if read is not None else history
        record = since.select_related("history_user").order_by("-history_date").first()
    return Conflict(
        who=changed_by(record),
        when=record.history_date if record is not None else None,
        fields=tuple(
            Disputed(
                name=name,
                label=str(form.fields[name].label or capfirst(_field(current, name).verbose_name)),
                theirs=shown(_field(current, name), theirs[name]),
                mine=shown(_field(current, name), mine[name]),
            )
            for name in disputed
        ),
    )


def changed_by(record: Any) -> str:
    """Who made a history record's change, as the conflict names them."""
    if record is not None and record.history_user is not None:
        return display_name(record.history_user)
    if record is not None and record.history_change_reason == "import":
        return gettext("an import")
    return gettext("someone else")


def shown(field: models.Field[Any, Any], value: Any) -> str:
    """A value as a person reads it, in the active language."""
    if value is None or value == "":
        return gettext("(empty)")
    if field.is_relation and field.remote_field is not None:
        related = field.remote_field.model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else gettext("(removed)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, int | Decimal):
        return formats.number_format(value, force_grouping=True)
    return str(value)


def _read_again(
    form: VersionedForm,
    current: models.Model,
    names: list[str],
    changed: list[str],
    disputed: list[str] | tuple[str, ...],
) -> None:
    """The form as read now: the fields this person changed keep their
    values, the others show the row's; its token is the row's version."""
    data = _fill(form, current, [name for name in names if name not in changed])
    data[form.add_prefix(TOKEN)] = read_token(current, names, disputed=tuple(disputed))
    data.pop(form.choice_name, None)


def _fill(form: VersionedForm, row: models.Model, names: list[str]) -> QueryDict:
    """The form's data with ``names`` as ``row`` holds them, as a browser posts them."""
    data = form.data.copy() if isinstance(form.data, QueryDict) else QueryDict(mutable=True)
    if not isinstance(form.data, QueryDict):
        data.update(form.data)
    for name in names:
        key = form.add_prefix(name)
        raw = _raw(form.fields[name], _field(row, name).value_from_object(row))
        if raw is None:
            data.pop(key, None)
        else:
            data[key] = raw
    form.data = data
    return data


def _raw(field: forms.Field, value: Any) -> str | None:
    """A value as its widget posts it (None: not posted, an unticked box)."""
    if isinstance(field.widget, forms.CheckboxInput):
        return "on" if value else None
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if field.localize:
        return str(formats.localize_input(value))
    return str(field.prepare_value(value))


def status(form: object) -> int:
    """The status of a page showing ``form``: 409 when it is back with a conflict."""
    return 409 if getattr(form, "conflict", None) is not None else 200


def saved_message(form: VersionedForm) -> str:
    """What a save that went through says: after "Keep theirs" with nothing
    else changed, that nothing was written."""
    if not form.written and form.choice() == KEEP_THEIRS:
        return gettext("Their version kept; you changed nothing else.")
    return gettext("Changes saved.")
