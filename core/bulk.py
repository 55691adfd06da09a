"""Fast bulk inserts that still record history, for the appendix import (5,000 rows within 3× openpyxl's read).

Django's bulk_create prepares every value through the field machinery (about 6 µs a value: 3 s for 5,000
tasks and 15,000 assignments); here each column gets a converter chosen once, and rows go through one
``executemany``. History rows are then copied by the database itself with one ``INSERT … SELECT`` per table,
so the fast path records history like every other write (a signal-based audit would miss it).
Works on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

_HISTORY_OWN = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one bulk operation.

    An import allocates hundreds of thousands of short-lived objects while its preview holds as many live
    ones, so the collector keeps walking the live ones: a fifth of a 5,000-row import's time (measured,
    bench/import_appendix.py). Reference counting still frees what is dropped; cycles wait until the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _converter(field: models.Field) -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        # Both backends take JSON as text here (COPY on PostgreSQL, TEXT on SQLite); empty values are the
        # common case and are dumped once.
        empty = {repr(v): json.dumps(v, cls=field.encoder) for v in ([], {})}
        return lambda value: (
            empty[repr(value)] if not value and isinstance(value, list | dict) else json.dumps(value, cls=field.encoder)
        )
    if isinstance(field, models.DecimalField):
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    return _same


def _same(value: Any) -> Any:
    return value


def _cached(convert: Callable[[Any], Any], now) -> Callable[[Any], Any]:
    """Convert the shared auto_now timestamp once; other values as usual."""
    now_converted = convert(now)
    return lambda value: now_converted if value is now else convert(value)


def insert_rows(model: type[models.Model], objects: Sequence[models.Model], *, returning_ids: bool = False) -> None:
    """INSERT ``objects`` (unsaved instances) in bulk; fill their ids when ``returning_ids``.

    auto_now/auto_now_add fields get the current time.
    """
    if not objects:
        return
    fields = _insertable(model)
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                setattr(obj, field.attname, now)
    converters = [_cached(_converter(f), now) if isinstance(f, models.DateTimeField) else _converter(f) for f in fields]
    rows = [
        [convert(getattr(obj, f.attname)) for f, convert in zip(fields, converters, strict=True)] for obj in objects
    ]
    ids = _insert(model, fields, rows, returning_ids=returning_ids)
    if returning_ids:
        for obj, new_id in zip(objects, ids, strict=True):
            obj.pk = new_id


def insert_values(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, returning_ids: bool = False
) -> list[int]:
    """INSERT plain dicts (attname -> value); every other column takes the field's default. No instances built.

    With ``returning_ids``, return the new primary keys in the order of ``rows`` (else an empty list).
    """
    if not rows:
        return []
    fields = _insertable(model)
    converters = [(f.attname, _converter(f)) for f in fields]
    converted = dict(zip((f.attname for f in fields), _defaults(fields), strict=True))  # once, not once a row
    names = [name for name, _convert in converters]
    # Most columns need no conversion: take them as they are, convert only the others (dates, JSON…).
    to_convert = [(index, name, convert) for index, (name, convert) in enumerate(converters) if convert is not _same]
    values = []
    for row in rows:
        merged = converted | row
        value = [merged[name] for name in names]
        for index, name, convert in to_convert:
            if name in row:
                value[index] = convert(row[name])
        values.append(value)
    return _insert(model, fields, values, returning_ids=returning_ids)


def insert_tuples(
    model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]], *, returning_ids: bool = False
) -> list[int]:
    """INSERT rows of values for the columns ``names`` (attnames, in this order); other columns take their defaults.

    The hot path of an import: no dict per row, and columns that need no conversion are passed as they are.
    """
    if not rows:
        return []
    by_name = {f.attname: f for f in _insertable(model)}
    given = [by_name[name] for name in names]
    rest = [f for f in by_name.values() if f.attname not in set(names)]
    tail = tuple(_defaults(rest))
    to_convert = [(index, convert) for index, f in enumerate(given) if (convert := _converter(f)) is not _same]
    if to_convert:
        values = []
        for row in rows:
            value = list(row)
            for index, convert in to_convert:
                value[index] = convert(value[index])
            values.append((*value, *tail))
    else:
        values = [(*row, *tail) for row in rows]
    return _insert(model, [*given, *rest], values, returning_ids=returning_ids)


def _insertable(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _defaults(fields: Sequence[models.Field]) -> list[Any]:
    """Converted default of each field: now for auto_now(_add), else the field's default ("" or None as the ORM writes)."""
    now = timezone.now()
    out = []
    for field in fields:
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        out.append(_converter(field)(now if auto else field.get_default()))
    return out


def _insert(
    model: type[models.Model], fields: Sequence[models.Field], values: Sequence[Sequence[Any]], *, returning_ids: bool
) -> list[int]:
    """Write converted ``values`` (in the order of ``fields``): COPY on PostgreSQL, multi-row INSERT on SQLite."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk = model._meta.pk
    if connection.vendor == "postgresql":
        if not returning_ids:
            _copy(model, fields, values)
            return []
        ids = _next_ids(model, len(values))  # COPY cannot return ids: take them from the sequence first
        _copy(model, [pk, *fields], [(new_id, *row) for new_id, row in zip(ids, values, strict=True)])
        return ids
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    ids: list[int] = []
    with connection.cursor() as cursor:
        if not returning_ids:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)  # noqa: S608
            return []
        step = max(1, 30_000 // len(fields))  # SQLite allows 32,766 parameters in a statement
        for start in range(0, len(values), step):
            chunk = values[start : start + step]
            marks = ", ".join([f"({placeholders})"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {marks} RETURNING {connection.ops.quote_name(pk.column)}",  # noqa: S608
                [value for row in chunk for value in row],
            )
            ids.extend(new_id for (new_id,) in cursor.fetchall())
    return ids


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    """Take ``count`` values from the primary key's sequence (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [new_id for (new_id,) in cursor.fetchall()]


def _copy(model: type[models.Model], fields: Sequence[models.Field], rows: Iterable[Sequence[Any]]) -> None:
    """COPY rows into the model's table (PostgreSQL)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    # The raw psycopg cursor does the COPY; wrap its errors as Django's, like any other query's.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def copy_history(
    model: type[models.Model], column: str, ids: Sequence[int], *, user_id: int | None, reason: str = ""
) -> int:
    """Record a '+' history row for every row of ``model`` whose ``column`` is in ``ids``, inside the database.

    One statement on PostgreSQL (``= ANY`` of an array); chunks of 500 on SQLite, which has no arrays.
    """
    history = model.history.model
    base_columns = {f.column for f in model._meta.concrete_fields}
    columns = [
        f.column for f in history._meta.concrete_fields if f.name not in _HISTORY_OWN and f.column in base_columns
    ]
    quote = connection.ops.quote_name
    listed = ", ".join(quote(c) for c in columns)
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({listed}, history_date, history_change_reason, history_type, history_user_id) "  # noqa: S608
        f"SELECT {listed}, %s, %s, '+', %s FROM {quote(model._meta.db_table)} WHERE {quote(column)} "
    )
    head = [connection.ops.adapt_datetimefield_value(timezone.now()), reason, user_id]
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql + "= ANY(%s)", [*head, list(ids)])
            return cursor.rowcount
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            cursor.execute(sql + f"IN ({', '.join(['%s'] * len(chunk))})", [*head, *chunk])
            written += cursor.rowcount
    return written
