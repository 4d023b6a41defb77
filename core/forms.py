"""Form pieces shared by every app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from core.limits import TextLimit, length, too_long_message

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise  # a lazy translation


class DateInput(forms.DateInput):
    """A native date picker; without one, the browser shows a text field that
    accepts ISO dates and the active language's formats."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def autofocus[F: forms.BaseForm](form: F, *, prefer_empty: bool = False) -> F:
    """Put the cursor where the user is needed: the first field with an error,
    else (with ``prefer_empty``) the first empty one, else the first. htmx
    focuses an ``autofocus`` element it swaps in."""
    names = [name for name in form.fields if name in form.errors]
    if not names and prefer_empty and not form.is_bound:
        names = [name for name in form.fields if not form.initial.get(name)]
    names = names or list(form.fields)
    if names:
        form.fields[names[0]].widget.attrs["autofocus"] = True
    return form


class DigitsField(forms.IntegerField):
    """A whole number typed in plain ASCII digits, nothing else: "31", not
    "31.0", "3.000", "1e3", "+5" or "٣١" (Django's IntegerField reads the first
    two as 31 and 3, quietly). Spaces around it are no error; empty is None.
    Drawn as a text input with a numeric keyboard: a number input sends the
    server nothing for what the browser cannot read ("1e", "5-"), which would
    read as empty. One message for every refusal, ``message`` (a range in it:
    "from 1 to 100")."""

    widget = forms.TextInput

    def __init__(self, *, message: str | _StrPromise = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.refuse_with(message)

    def refuse_with(self, message: str | _StrPromise) -> None:
        """The message of every refusal (set per request when it holds a number
        formatted for the language)."""
        self.message = message
        self.error_messages.update({"invalid": message, "min_value": message, "max_value": message})

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        for name in ("min", "max", "step"):
            attrs.pop(name, None)  # not a number input
        attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        return attrs

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or len(text) > 12:
            raise forms.ValidationError(self.message, code="invalid")
        return int(text)


def one_line(value: str) -> str:
    """A one-line text (a title) as one line: line breaks, which no text input
    sends but a crafted request may, become spaces."""
    return " ".join(part.strip() for part in value.splitlines() if part.strip())


class SuggestingInput(forms.TextInput):
    """A text input that suggests values (an HTML ``<datalist>``) and takes any
    other text too: the browser offers the suggestions as the user types, with
    no script. ``suggestions`` is set per form (they are read per request)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.suggestions: list[str] = []

    def __deepcopy__(self, memo: dict[int, Any]) -> SuggestingInput:
        """Each form's copy has its own list: Widget.__deepcopy__ copies only
        ``attrs``, so the suggestions would otherwise be shared by every form."""
        copied = super().__deepcopy__(memo)
        copied.suggestions = list(self.suggestions)
        return copied

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        if not self.suggestions:
            return super().render(name, value, attrs, renderer)
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or name}-suggestions"
        attrs["list"] = list_id
        options = format_html_join(
            "", '<option value="{}"></option>', ((text,) for text in self.suggestions)
        )
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            options,
        )


# An owner field (a step's, a Give-Get's) suggests the playbook's people and
# keeps any other text.
OWNER_HELP = _("Pick one of the playbook’s people or type any name, a team’s too.")


def suggest_owners[F: forms.BaseForm](form: F, names: Sequence[str]) -> F:
    """Let ``form``'s owner field, when it has one, suggest ``names``
    (``playbooks.people``): set when the form is shown, so a save that
    succeeds reads no names."""
    field = form.fields.get("owner")
    if field is not None and isinstance(field.widget, SuggestingInput):
        field.widget.suggestions = list(names)
    return form


def limit_texts[F: forms.BaseForm](form: F) -> F:
    """Count and refuse the lengths of ``form``'s texts as ``core.limits`` does:
    a line end is one character (a browser posts it as two), and
    the message gives the text's length and its limit."""
    for field in form.fields.values():
        limit_field(field)
    return form


def limit_field[T: forms.Field](field: T) -> T:
    """One field of ``limit_texts`` (a text field: others are left as they are)."""
    limit = getattr(field, "max_length", None)
    if limit is None:
        return field
    field.validators = [
        *(v for v in field.validators if not isinstance(v, MaxLengthValidator)),
        TextLimit(int(limit)),
    ]
    if isinstance(field.widget, forms.Textarea):
        # A browser cuts a longer paste to a textarea's maxlength, silently:
        # the form says it instead.
        field.widget.attrs.pop("maxlength", None)
    return field


def texts_over_limit(form: forms.BaseForm) -> dict[str, str]:
    """The fields whose value as the form shows it (a text stored before its
    limit was lowered) is over the limit, each with the message asking to
    shorten it."""
    over = {}
    for name, field in form.fields.items():
        limit = getattr(field, "max_length", None)
        if limit is None:
            continue
        value = form.get_initial_for_field(field, name)  # only then: it may be a callable
        if isinstance(value, str) and length(value) > limit:
            over[name] = too_long_message(length(value), int(limit))
    return over
