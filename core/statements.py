"""One round trip for a write that spans tables: a guarded UPDATE, the rows that follow from it, and their history.

PostgreSQL runs data-modifying ``WITH`` clauses as one statement, atomically, each step reading the rows an earlier
step RETURNED; a step whose source returned no row writes nothing. So "update the row if it still has version v,
record its historical row, insert the report that depends on it and the report's history" is one statement: one
round trip instead of five or more, and no transaction to open and commit around it.

Columns come from the models' fields (a field added later is written with its default) and values go through each
field's own conversion, so the rows are those ``save()`` would write; historical rows are django-simple-history's,
written with the values after the write, as ``bulk_history_create`` writes them. PostgreSQL only (``supported``):
callers keep a step-by-step path for SQLite.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

#: The fields django-simple-history adds to a historical model; every other field copies the tracked row.
_HISTORY_OWN = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}


@dataclass(frozen=True)
class Column:
    """A column of the rows returned by the step a value is read from (``source``)."""

    name: str


@dataclass(frozen=True)
class Raw:
    """An SQL expression and its parameters, e.g. a scalar subquery compiled from a queryset."""

    sql: str
    params: tuple = ()

    @classmethod
    def scalar(cls, queryset: models.QuerySet) -> Raw:
        """The first value of a one-column queryset (``.values("pk")[:1]``), as a subquery of the statement."""
        sql, params = queryset.query.sql_with_params()
        return cls(f"({sql})", tuple(params))


def supported() -> bool:
    """Data-modifying WITH clauses: PostgreSQL has them, SQLite has not."""
    return connection.vendor == "postgresql"


def values_of(instance: models.Model) -> dict[str, Any]:
    """The values ``save()`` would insert for an unsaved instance (defaults, ``auto_now_add``, stored files), by
    attname; the automatic primary key is left to the database."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField) and instance.pk is None:
            continue
        values[field.attname] = field.pre_save(instance, add=True)
    return values


class Statement:
    """Steps named like tables (``claimed``, ``inserted``), run in order as one ``WITH … SELECT``."""

    def __init__(self) -> None:
        self._steps: list[str] = []
        self._params: list[Any] = []

    def update(
        self,
        name: str,
        model: type[models.Model],
        where: dict[str, Any],
        values: dict[str, Any],
        increment: Iterable[str] = (),
    ) -> None:
        """``UPDATE … SET values, each of increment + 1 WHERE every attname = value RETURNING *``."""
        quote = connection.ops.quote_name
        params: list[Any] = []
        sets = [f"{quote(_field(model, a).column)} = {quote(_field(model, a).column)} + 1" for a in increment]
        for attname, value in values.items():
            sets.append(f"{quote(_field(model, attname).column)} = {self._sql(_field(model, attname), value, params)}")
        tests = [
            f"{quote(_field(model, attname).column)} = {self._sql(_field(model, attname), value, params)}"
            for attname, value in where.items()
        ]
        table = quote(model._meta.db_table)
        self._add(name, f"UPDATE {table} SET {', '.join(sets)} WHERE {' AND '.join(tests)} RETURNING *", params)  # noqa: S608

    def insert(self, name: str, model: type[models.Model], values: dict[str, Any], source: str) -> None:
        """``INSERT … SELECT values FROM source RETURNING *``: one row for each row ``source`` returned (none if
        it returned none). Fields missing from ``values`` take their default."""
        quote = connection.ops.quote_name
        fields = _insertable(model)
        params: list[Any] = []
        selected = [
            self._sql(f, values[f.attname] if f.attname in values else f.get_default(), params, source) for f in fields
        ]
        columns = ", ".join(quote(f.column) for f in fields)
        table = quote(model._meta.db_table)
        self._add(
            name,
            f"INSERT INTO {table} ({columns}) SELECT {', '.join(selected)} FROM {quote(source)} RETURNING *",  # noqa: S608
            params,
        )

    def history(
        self, name: str, model: type[models.Model], source: str, history_type: str, user, when: datetime.datetime
    ) -> None:
        """django-simple-history's rows (``history_type`` "+" or "~") for the rows ``source`` returned."""
        historical = _historical(model)
        tracked = {f.column for f in model._meta.concrete_fields}
        values: dict[str, Any] = {
            f.attname: Column(f.column)
            for f in historical._meta.concrete_fields
            if f.attname not in _HISTORY_OWN and f.column in tracked
        }
        values.update(
            history_date=when,
            history_change_reason=None,
            history_type=history_type,
            history_user_id=getattr(user, "pk", None),
        )
        self.insert(name, historical, values, source)

    def run(self, final: str) -> list[tuple]:
        """Run every step and the closing ``SELECT … FROM <steps>``; return its rows."""
        sql = "WITH " + ", ".join(self._steps) + " " + final
        with connection.cursor() as cursor:
            cursor.execute(sql, self._params)
            return cursor.fetchall()

    def _add(self, name: str, sql: str, params: list[Any]) -> None:
        self._steps.append(f"{connection.ops.quote_name(name)} AS ({sql})")
        self._params.extend(params)

    @staticmethod
    def _sql(field: models.Field, value: Any, params: list[Any], source: str = "") -> str:
        """The SQL of one value: a column of ``source``, a raw expression, or a parameter prepared by the field."""
        quote = connection.ops.quote_name
        if isinstance(value, Column):
            return f"{quote(source)}.{quote(value.name)}"
        if isinstance(value, Raw):
            params.extend(value.params)
            return value.sql
        params.append(field.get_db_prep_save(value, connection))  # a NULL takes its column's type: one row, no UNION
        return "%s"


@functools.cache
def _insertable(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]


@functools.cache
def _historical(model: type[models.Model]) -> type[models.Model]:
    """The historical model of ``model`` (``model.history`` builds a manager class on each access: 2 ms)."""
    return model.history.model


@functools.cache
def _field(model: type[models.Model], attname: str) -> models.Field:
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field
    raise LookupError(f"{model.__name__} has no column {attname}")
