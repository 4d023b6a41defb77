"""Form pieces shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms


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
