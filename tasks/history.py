"""The readable change log of a task's page ("Lịch sử thay đổi"): who changed what, when, old → new.

django-simple-history keeps a full row per save; here consecutive rows of each object are compared in
Python. One query per historical model, whatever the number of changes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tasks.models import Assignment, AssignmentRole, ExtensionRequest, ProgressUpdate, Review, Task

# The fields each change list shows, in this order; others (search columns, ordering, import provenance) are noise.
SHOWN = {
    Task: [
        "title",
        "output",
        "note",
        "lead_text",
        "cooperating_text",
        "deadline_text",
        "due_kind",
        "due_date",
        "due_needs_confirmation",
        "evidence_required",
        "section",
        "number",
    ],
    Assignment: ["role", "state", "progress", "completed_on", "due_date", "review_state", "agency", "group"],
    ProgressUpdate: ["state", "progress", "completed_on", "note", "evidence_number", "evidence_date", "evidence_link"],
    Review: ["decision", "reason"],
    ExtensionRequest: ["requested_date", "previous_due", "reason", "state", "decided_by", "decision_note"],
}
# What a creation shows: the fields that say what was created.
CREATED_SHOWS = {
    Task: [],
    Assignment: ["role"],
    ProgressUpdate: ["state", "progress", "completed_on", "note"],
    Review: ["decision", "reason"],
    ExtensionRequest: ["requested_date", "previous_due", "reason"],
}
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    subject: str
    action: str
    changes: list[Change] = field(default_factory=list)
    model: type[models.Model] | None = None
    object_id: int | None = None
    imported: bool = False  # written by an appendix import (the command line's has no user, the web's has one)

    @property
    def action_label(self) -> str:
        return {"created": _("tạo mới"), "changed": _("sửa"), "deleted": _("xóa")}[self.action]


def _display(model: type[models.Model], name: str, value, names: dict) -> str:
    """Return a value as people read it: choice labels, dd/mm/yyyy, Có/Không, agency names."""
    if value in (None, ""):
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "H:i d/m/Y")
    if isinstance(value, datetime.date):
        return date_format(value, "d/m/Y")
    if model_field.is_relation:
        return names.get((model_field.related_model, value), _("(không còn trong cổng)"))
    text = str(value)
    return text if len(text) <= 300 else text[:297] + "…"


def _label(model: type[models.Model], name: str) -> str:
    label = str(model._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return _("Hệ thống (nhập dữ liệu)")
    reason = record.history_change_reason  # only imports give one: "Nhập từ tệp phu-luc.xlsx"
    return f"{user} ({reason})" if reason else str(user)


def change_log(
    history: dict[type[models.Model], Iterable],
    subject: Callable[[type[models.Model], object], str],
    names: dict,
    earlier: dict[type[models.Model], Iterable] | None = None,
) -> list[Entry]:
    """Turn the historical rows of each model into readable entries, newest first.

    ``history`` maps a model to its historical rows (any order, with ``history_user`` loaded);
    ``subject(model, record)`` names the object a row is about ("Phần việc của Sở Tư pháp");
    ``names`` maps (model, pk) to a name, for foreign keys. ``earlier`` holds, per model, the row before each
    of them that was not read with them (``newest_history``): compared with, never shown.
    """
    history = {model: list(records) for model, records in history.items()}
    names = {**names, **_missing_names(history, names)}
    entries: list[Entry] = []
    earlier = earlier or {}
    for model, records in history.items():
        previous: dict[int, object] = {}
        records = list(records)
        read_ids = {r.history_id for r in records}
        context = [r for r in earlier.get(model, ()) if r.history_id not in read_ids]
        # The order rows were written (their dates, then ids: what ``newest_history`` reads the row before by).
        for record in sorted([*records, *context], key=lambda r: (r.history_date, r.history_id)):
            pk = record.id
            before = previous.get(pk)
            previous[pk] = record
            if record.history_id not in read_ids:
                continue  # read only to compare the next row with
            action = ACTIONS[record.history_type]
            changes = _changes(model, record, before, action, names)
            if changes is None:
                continue  # a save that changed nothing people see
            about = subject(model, record)
            entries.append(
                Entry(
                    when=record.history_date,
                    who=_who(record),
                    subject=about,
                    action=action,
                    changes=changes,
                    model=model,
                    object_id=pk,
                    imported=record.history_user_id is None or bool(record.history_change_reason),
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _changes(model, record, before, action: str, names: dict) -> list[Change] | None:
    """What a historical row changed against the row before it (None: nothing people see)."""
    if action == "created" or before is None:
        shown = CREATED_SHOWS[model] if action == "created" else SHOWN[model]
        return [
            Change(_label(model, name), "", _display(model, name, getattr(record, _attname(model, name)), names))
            for name in shown
            if getattr(record, _attname(model, name)) not in (None, "")
        ]
    if action == "deleted":
        return []
    changes = []
    for name in SHOWN[model]:
        attname = _attname(model, name)
        old, new = getattr(before, attname), getattr(record, attname)
        if old != new:
            changes.append(
                Change(_label(model, name), _display(model, name, old, names), _display(model, name, new, names))
            )
    return changes or None


def merge_initial_assignments(entries: list[Entry], assignments: dict[int, object]) -> list[Entry]:
    """Say "the import gave this task to these agencies" once, instead of one line per agency.

    ``assignments`` maps ids to assignments (with their agency) for naming them.
    """
    initial = [e for e in entries if e.model is Assignment and e.action == "created" and e.imported]
    if len(initial) < 2:
        return entries
    names: dict[str, list[str]] = {}
    for entry in sorted(initial, key=lambda e: e.object_id or 0):
        assignment = assignments.get(entry.object_id)
        role = assignment.role if assignment else ""
        names.setdefault(role, []).append(str(assignment.agency) if assignment else f"#{entry.object_id}")
    labels = {**dict(AssignmentRole.choices), "": _("Không rõ vai trò")}
    changes = [
        Change(
            str(labels[role]),
            "",
            "; ".join(agencies)
            if len(agencies) <= 5
            else ngettext("%(n)s cơ quan", "%(n)s cơ quan", len(agencies)) % {"n": len(agencies)},
        )
        for role in (AssignmentRole.LEAD, AssignmentRole.COOPERATING, "")
        if (agencies := names.get(role))
    ]
    summary = Entry(
        when=min(e.when for e in initial),
        who=initial[0].who,
        subject=_("Giao nhiệm vụ cho các cơ quan"),
        action="created",
        changes=changes,
        model=Assignment,
        imported=True,
    )
    rest = [e for e in entries if not (e.model is Assignment and e.action == "created" and e.imported)]
    return sorted([*rest, summary], key=lambda e: e.when, reverse=True)


def _missing_names(history: dict[type[models.Model], list], names: dict) -> dict:
    """Name the related objects an older row points at that ``names`` lacks (a group the part was once given
    through): one query per related model that has any, none when every name is known."""
    wanted: dict[type[models.Model], set] = {}
    for model, records in history.items():
        for name in SHOWN[model]:
            model_field = model._meta.get_field(name)
            if not model_field.is_relation:
                continue
            attname = model_field.attname
            for record in records:
                value = getattr(record, attname)
                if value not in (None, "") and (model_field.related_model, value) not in names:
                    wanted.setdefault(model_field.related_model, set()).add(value)
    found = {}
    for related, ids in wanted.items():
        for obj in related._default_manager.filter(pk__in=ids):
            found[(related, obj.pk)] = getattr(obj, "name", None) or str(obj)
    return found


def _attname(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).attname


def newest_per_part(queryset, key: str, ids: list[int], limit: int, order: list[str], created: bool | None = None):
    """``queryset`` narrowed to the newest ``limit`` rows of each part (``key`` in ``ids``), by ``order``.

    On PostgreSQL one LATERAL subquery per part walks an index on (``key``, ``order``…) and stops after ``limit``
    entries: a part reported monthly for years costs the same as a new one. Elsewhere (the embedded SQLite) a
    window function ranks every row of the parts. ``created`` (historical models): only the creations (True),
    none of them (False).
    """
    model = queryset.model
    if connection.vendor == "postgresql":
        sql = _lateral_sql(model, key, order, _CREATED_SQL[created])
        return queryset.filter(_AnyOf("pk", RawSQL(sql, [list(ids), limit])))  # noqa: S611 - names from _meta, values as parameters
    rank = models.Window(RowNumber(), partition_by=[models.F(key)], order_by=[_order_expression(n) for n in order])
    ranked = _created_filter(model._base_manager.filter(**{f"{key}__in": ids}), created)
    ranked = ranked.annotate(rank=rank).filter(rank__lte=limit).values_list("pk", flat=True)
    return queryset.filter(pk__in=list(ranked))


class _AnyOf(models.Func):
    """``column = ANY(ARRAY(subquery))``: PostgreSQL runs the subquery once and fetches its few rows by primary key
    (``IN (subquery)`` let it hash-join the whole table against them)."""

    output_field = models.BooleanField()

    def as_sql(self, compiler, connection, **extra):
        column, subquery = self.get_source_expressions()
        lhs, lhs_params = compiler.compile(column)
        rhs, rhs_params = compiler.compile(subquery)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


_CREATED_SQL = {None: "", True: "AND t.history_type = '+'", False: "AND t.history_type <> '+'"}


def _created_filter(queryset, created: bool | None):
    if created is None:
        return queryset
    return queryset.filter(history_type="+") if created else queryset.exclude(history_type="+")


def _order_expression(name: str):
    return models.F(name[1:]).desc() if name.startswith("-") else models.F(name).asc()


def _lateral_sql(model, key: str, order: list[str], where: str = "", outer_limit: bool = False) -> str:
    """The ids of the newest rows of each part (``unnest`` of the part ids, one LATERAL index walk each); with
    ``outer_limit`` only the newest of them all (a second ``LIMIT`` parameter)."""
    opts, qn = model._meta, connection.ops.quote_name
    table, pk = qn(opts.db_table), qn(opts.pk.column)
    key_column = qn(opts.get_field(key).column)
    columns = [
        (qn(opts.get_field(name.lstrip("-")).column), "DESC" if name.startswith("-") else "ASC") for name in order
    ]
    inner = ", ".join(f"t.{column} {direction}" for column, direction in columns)
    picked = ", ".join(dict.fromkeys([f"t.{pk}", *(f"t.{column}" for column, _ in columns)]))
    # Quoted names from the models' _meta and a fixed condition; the values are parameters.
    walk = f"SELECT {picked} FROM {table} t WHERE t.{key_column} = parts.part_id {where} ORDER BY {inner} LIMIT %s"  # noqa: S608
    sql = f"SELECT newest.{pk} FROM unnest(%s::bigint[]) AS parts(part_id) CROSS JOIN LATERAL ({walk}) newest"  # noqa: S608
    if outer_limit:
        sql += " ORDER BY " + ", ".join(f"newest.{column} {direction}" for column, direction in columns) + " LIMIT %s"
    return sql


def newest_history(model, key: str, ids: list[int], limit: int, created: bool | None = None) -> tuple[list, list, bool]:
    """The newest ``limit`` historical rows of the objects whose ``key`` is in ``ids`` (each with the id of the row
    before it of the same object), those earlier rows that were not among them (one more query, only when some
    are needed), and whether older rows were left. ``created``: only the creations (True), none of them (False).

    Bounded however long the history: on PostgreSQL each part gives at most ``limit + 1`` entries of the index
    on (``key``, history_date DESC, history_id DESC) (migration 0011) and only the newest ``limit + 1`` of them all
    are fetched; the row before each is the next entry of its object in that index (it reads only newer rows).
    """
    history = model.history.model
    before = (
        history.objects.filter(id=models.OuterRef("id"))
        .filter(
            models.Q(history_date__lt=models.OuterRef("history_date"))
            | models.Q(history_date=models.OuterRef("history_date"), history_id__lt=models.OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    found = history.objects.select_related("history_user")
    order = ["-history_date", "-history_id"]
    if connection.vendor == "postgresql":
        sql = _lateral_sql(history, key, order, _CREATED_SQL[created], outer_limit=True)
        found = found.filter(_AnyOf("history_id", RawSQL(sql, [list(ids), limit + 1, limit + 1])))  # noqa: S611 - as above
    else:
        found = _created_filter(found.filter(**{f"{key}__in": ids}), created)
    rows = list(found.annotate(previous_id=models.Subquery(before)).order_by(*order)[: limit + 1])
    more, rows = len(rows) > limit, rows[:limit]
    read = {r.history_id for r in rows}
    missing = [r.previous_id for r in rows if r.history_type == "~" and r.previous_id and r.previous_id not in read]
    if not missing:
        return rows, [], more
    return rows, list(history.objects.filter(history_id__in=missing).select_related("history_user")), more
