"""Responses shared by the things edited in place (Give-Gets, steps, tasks)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django_htmx.http import retarget

from core import concurrency
from core.http import HtmxHttpRequest


def edit_form_response(
    request: HtmxHttpRequest, *, page: str, fragment: str, item: str, context: dict[str, Any]
) -> HttpResponse:
    """The edit form: the full ``page`` without htmx, else the form ``fragment``.

    A save posts to the whole section; when it fails, the form with its errors
    replaces only its own ``item`` (a CSS selector), not the section.
    """
    status = concurrency.status(context.get("form"))
    if not request.htmx:
        return render(request, page, context, status=status)
    response = render(request, fragment, context, status=status)
    return retarget(response, item) if request.method == "POST" else response
