"""Bulk writes in one query each, whatever the number of rows.

Django's ``bulk_create`` and ``bulk_update`` split their rows into batches
that fit the database's limit on parameters (SQLite: 32,766, some 2,000 rows
of an ambassador), and ``bulk_update`` builds a ``CASE WHEN`` of every row
for every field (seconds of Python for 5,000 rows, and a statement the
database reads row by row). Here the rows go to the database as a single
JSON parameter, which the query reads as a table: ``json_each`` on SQLite,
``jsonb_to_recordset`` on PostgreSQL. One parameter, one statement, any
number of rows. Values are prepared by their model fields as a save would
prepare them (``get_db_prep_save``), so the database holds the same.

The SQL is built from the models' table and column names (quoted); every
value is a parameter. No signals are sent (``pre_save``, ``post_save``): the caller says what
happened, as after ``bulk_create``.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router

type Field = models.Field[Any, Any]


def _quote(connection: Any, name: str | None) -> str:
    assert name is not None  # a concrete field's column, a model's table
    return str(connection.ops.quote_name(name))


def _json(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.time):  # datetimes too
        return value.isoformat()  # all of it: DjangoJSONEncoder drops microseconds
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# Values that their fields prepare as they are (the most of a row): passed
# through without a call per value.
_TEXT = {"CharField", "TextField", "SlugField"}
_INTEGER = {
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
}


def _as_is(field: Field) -> type | None:
    """The type of value that ``field`` writes unchanged: str, int, or None."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    kind = target.get_internal_type()
    return str if kind in _TEXT else int if kind in _INTEGER else None


def _table(connection: Any, fields: Sequence[Field], rows: list[list[Any]]) -> tuple[str, str]:
    """A FROM item that reads ``rows`` (their values in the order of
    ``fields``) as the columns ``v.c0``, ``v.c1``... and its one parameter."""
    columns: list[tuple[str, Field, type | None, dict[Any, Any]]] = [
        (f"c{i}", field, _as_is(field), {}) for i, field in enumerate(fields)
    ]

    def prepared(field: Field, kind: type | None, known: dict[Any, Any], value: Any) -> Any:
        if value is None or (kind is not None and type(value) is kind):
            return value
        try:
            return known[value]  # a date, a time that many rows share
        except KeyError:
            known[value] = field.get_db_prep_save(value, connection)
            return known[value]
        except TypeError:  # not hashable
            return field.get_db_prep_save(value, connection)

    param = json.dumps(
        [
            {
                name: prepared(field, kind, known, value)
                for (name, field, kind, known), value in zip(columns, row, strict=True)
            }
            for row in rows
        ],
        default=_json,
    )
    if connection.vendor == "postgresql":
        typed = ", ".join(
            f"c{i} {field.cast_db_type(connection)}" for i, field in enumerate(fields)
        )
        return f"jsonb_to_recordset(%s::jsonb) AS v({typed})", param
    if connection.vendor == "sqlite":
        read = ", ".join(f"json_extract(value, '$.c{i}') AS c{i}" for i in range(len(fields)))
        return f"(SELECT {read} FROM json_each(%s)) AS v", param  # noqa: S608
    raise NotImplementedError(f"core.bulk: no {connection.vendor}")


def insert[M: models.Model](model: type[M], objs: Sequence[M], *, key: str) -> None:
    """Insert ``objs`` (new rows: their concrete fields but the primary key)
    and set their primary keys. ``key``: a field unique among them, to tell
    which key is whose (the database gives them back in no set order)."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    pk = opts.pk
    assert pk is not None
    fields = [f for f in opts.concrete_fields if f is not pk]
    # auto_now_add and the like, as a save sets them; one moment for all.
    for field in fields:
        if type(field).pre_save is models.Field.pre_save:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            now = field.pre_save(objs[0], add=True)
            for obj in objs:
                setattr(obj, field.attname, now)
        else:
            for obj in objs:
                setattr(obj, field.attname, field.pre_save(obj, add=True))
    source, param = _table(
        connection, fields, [[getattr(obj, f.attname) for f in fields] for obj in objs]
    )
    quote = functools.partial(_quote, connection)
    names = ", ".join(quote(f.column) for f in fields)
    picked = ", ".join(f"v.c{i}" for i in range(len(fields)))
    key_field = opts.get_field(key)
    assert isinstance(key_field, models.Field)
    sql = (
        f"INSERT INTO {quote(opts.db_table)} ({names}) SELECT {picked} FROM {source} "  # noqa: S608
        f"RETURNING {quote(pk.column)}, {quote(key_field.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        keys = dict((k, pk_value) for pk_value, k in cursor.fetchall())
    for obj in objs:
        value = key_field.get_db_prep_save(getattr(obj, key_field.attname), connection)
        setattr(obj, pk.attname, keys[value])
        obj._state.adding = False
        obj._state.db = connection.alias


def update[M: models.Model](model: type[M], objs: Sequence[M], fields: Sequence[str]) -> int:
    """Write ``fields`` of ``objs`` (rows with a primary key), in one UPDATE;
    the number of rows updated."""
    if not objs:
        return 0
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    pk = opts.pk
    assert pk is not None
    written = [opts.get_field(name) for name in fields]
    assert all(isinstance(f, models.Field) and f.concrete for f in written)
    columns: list[Field] = [pk, *(f for f in written if isinstance(f, models.Field))]
    source, param = _table(
        connection, columns, [[getattr(obj, f.attname) for f in columns] for obj in objs]
    )
    quote = functools.partial(_quote, connection)
    table = quote(opts.db_table)
    sets = ", ".join(f"{quote(f.column)} = v.c{i}" for i, f in enumerate(columns) if i)
    sql = f"UPDATE {table} SET {sets} FROM {source} WHERE {table}.{quote(pk.column)} = v.c0"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        return int(cursor.rowcount)


def record_history(
    model: type[models.Model],
    pks: Sequence[Any],
    history_type: str,
    *,
    user_id: int | None,
    reason: str,
    when: datetime.datetime,
) -> None:
    """A django-simple-history record of each row of ``pks`` as it is now in
    the database ("+" created, "~" changed), in one INSERT ... SELECT."""
    if not pks:
        return
    historical: type[models.Model] = model.history.model  # type: ignore[attr-defined]
    connection = connections[router.db_for_write(historical)]
    opts, hopts = model._meta, historical._meta
    pk = opts.pk
    assert pk is not None
    tracked = {f.attname for f in hopts.concrete_fields if not f.name.startswith("history_")}
    copied = [f for f in opts.concrete_fields if f.attname in tracked]
    extra = {
        "history_date": when,
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user": user_id,
    }
    extra_fields = [hopts.get_field(name) for name in extra]
    quote = functools.partial(_quote, connection)
    table = quote(opts.db_table)
    names = ", ".join(
        quote(f.column) for f in [*copied, *extra_fields] if isinstance(f, models.Field)
    )
    picked = ", ".join(f"{table}.{quote(f.column)}" for f in copied)
    source, param = _table(connection, [pk], [[value] for value in pks])
    params = [
        f.get_db_prep_save(value, connection)
        for f, value in zip(extra_fields, extra.values(), strict=True)
        if isinstance(f, models.Field)
    ]
    sql = (
        f"INSERT INTO {quote(hopts.db_table)} ({names}) "  # noqa: S608
        f"SELECT {picked}, {', '.join(['%s'] * len(params))} "
        f"FROM {table} JOIN {source} ON {table}.{quote(pk.column)} = v.c0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, param])
