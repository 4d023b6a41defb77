"""Undo after a delete (DESIGN.md "History, undo and two people editing").

A deleted Give-Get, ambassador or task comes back from its history through
the changes page's restore; a role is soft-deleted, and its restore clears
the mark. After a delete the page offers it: without
JavaScript as a plain form on the page the delete redirects to (kept in the
session for that one page), with htmx out of band in the ``#undo`` region,
where it stays until the page changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse

SESSION_KEY = "undo"


def delete(
    request: HttpRequest,
    instance: models.Model,
    *,
    playbook_id: int,
    kind: str,
    label: str,
    back: str,
    remove: Callable[[], object] | None = None,
    next_page: bool = False,
) -> dict[str, str]:
    """Delete ``instance`` (through ``remove`` when it has its own way: a
    soft delete) and offer its Undo, which restores the history record the
    delete left last: kept for the next page unless the request is htmx's,
    which shows it at once (``attach``), or ``next_page`` says the response
    leaves this page (an htmx redirect)."""
    model, pk = type(instance), instance.pk
    (remove or instance.delete)()
    history_id = (
        model.history.filter(id=pk)  # type: ignore[attr-defined]
        .order_by("-history_date", "-history_id")
        .values_list("history_id", flat=True)
        .first()
    )
    undo = {
        "url": reverse("changes_restore", args=[playbook_id, kind, history_id]),
        "label": label,
        "next": back,
    }
    if next_page or not getattr(request, "htmx", False):
        request.session[SESSION_KEY] = undo
    return undo


def attach(request: HttpRequest, response: HttpResponse, undo: dict[str, str]) -> HttpResponse:
    """``response`` with the ``#undo`` region swapped in out of band. In a
    ``<template>``: a response of table rows would otherwise parse its form
    apart (htmx swaps a template's content out of band as it is)."""
    region = render_to_string("includes/undo.html", {"undo": undo, "oob": True}, request)
    response.content += f"<template>{region}</template>".encode()
    return response


def context(request: HttpRequest) -> dict[str, Callable[[], Any]]:
    """``undo`` for the page that follows a delete. A callable, so that only a
    template that shows it (base.html) takes it from the session."""
    session = getattr(request, "session", None)
    if session is None:
        return {}
    return {"undo": lambda: session.pop(SESSION_KEY, None)}
