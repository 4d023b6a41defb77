"""History of changes (django-simple-history): who changed what, and when.

Every edited model keeps a ``history`` (DESIGN.md "History, undo and two
people editing"). A change made in a request is the signed-in user's
(``HistoryRequestMiddleware``); one made outside a request is named by its
source: ``recorded_as("import")`` around a playbook-file import, and
"command" for anything else (a management command, the task worker).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import migrations, models
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record
from simple_history.utils import bulk_create_with_history

from core import bulk

# How a change came about when no person made it in a request, or besides.
SOURCE_IMPORT = "import"
SOURCE_COMMAND = "command"
SOURCE_EXISTING = "existing data"
SOURCE_RESTORE = "restore"  # with the person who restored, from the request
SOURCE_PURGE = "purge"  # a deleted role removed for good after 30 days

_source: contextvars.ContextVar[str | None] = contextvars.ContextVar("history_source", default=None)


@contextmanager
def recorded_as(source: str) -> Iterator[None]:
    """Name the source of the changes made inside the block (``"import"``)."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def _request() -> Any:
    return getattr(HistoricalRecords.context, "request", None)


def _reason() -> str:
    return _source.get() or ("" if _request() is not None else SOURCE_COMMAND)


def name_the_source(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """Store the source as the record's change reason: the block's, none for a
    person's own edit in a request, "command" outside any request."""
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = _reason()


def _user() -> Any:
    user = getattr(_request(), "user", None)
    return user if user is not None and user.is_authenticated else None


def bulk_create[M: models.Model](model: type[M], objs: Iterable[M]) -> list[M]:
    """``bulk_create`` with a "created" record for each row, by the request's
    user and source, as a save would record it."""
    return bulk_create_with_history(
        list(objs), model, default_user=_user(), default_change_reason=_reason()
    )


CREATED, CHANGED = "+", "~"  # a record's history_type


def record_rows(model: type[models.Model], pks: list[Any], history_type: str) -> None:
    """A record of each row of ``pks`` as the database holds it now (written
    in bulk: ``core.bulk``), by the request's user and source, as a save
    would record it; one query whatever the number of rows."""
    user = _user()
    bulk.record_history(
        model,
        pks,
        history_type,
        user_id=user.pk if user is not None else None,
        reason=_reason(),
        when=timezone.now(),
    )


def connect() -> None:
    pre_create_historical_record.connect(name_the_source, dispatch_uid="history-source")


def record_existing(app_label: str, model_name: str) -> migrations.RunPython:
    """A migration step: one "created" record for each row that exists, so the
    history of data from before history started has its first version."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        historical = apps.get_model(app_label, f"Historical{model_name}")
        names = [f.attname for f in historical._meta.fields if not f.name.startswith("history_")]
        now = timezone.now()
        batch = []
        for row in model._base_manager.using(schema_editor.connection.alias).iterator():
            batch.append(
                historical(
                    **{name: getattr(row, name) for name in names},
                    history_date=now,
                    history_type="+",
                    history_change_reason=SOURCE_EXISTING,
                )
            )
            if len(batch) == 500:
                historical.objects.bulk_create(batch)
                batch = []
        historical.objects.bulk_create(batch)

    reverse: Callable[..., None] = migrations.RunPython.noop
    return migrations.RunPython(forwards, reverse)
