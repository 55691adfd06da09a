"""Appendix imports end to end: read a file or a pasted table once, keep the parsed table, preview, confirm.

The web page, the background job and the command line all go through these functions, so an upload, a
paste and ``manage.py import_appendix`` behave the same way. Reading the file is the costly part; it happens
once, and the parsed table is stored on the ImportJob as JSON so that the preview and the confirmation
rebuild from it (resolving names again is a dictionary lookup per cell).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db import DatabaseError, transaction
from django.db.models import Case, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from agencies.models import Agency, AgencyGroup, Province, ProvinceNotFound
from agencies.resolver import Resolver
from core.bulk import gc_paused
from core.params import whole_number
from core.text import fold
from indicators import importing as indicator_import
from plans.models import Document, DocumentType, ImportJob, ImportKind
from plans.tables import (
    IndicatorItem,
    IndicatorSubRow,
    IndicatorTable,
    RowMessage,
    TableError,
    TableItem,
    TaskTable,
    parse_indicator_table,
    parse_task_table,
    read_pasted,
    read_table,
)
from tasks import importing as task_import

# Above this many bytes (or pasted characters) the web page reads in the background: an .xlsx of 56 tasks
# weighs 11 KB, one of 3,000 tasks 75 KB (compressed), so this keeps plans in the foreground, big tables not.
BACKGROUND_BYTES = 48 * 1024


def read_source(
    data: bytes | None, text: str, filename: str, kind: str, columns: dict[str, int] | None = None
) -> TaskTable | IndicatorTable:
    """Read an uploaded file or a pasted table into a parsed table; raise TableError with a clear message.

    ``columns`` (role -> column) is the mapping an admin chose in the preview, for a task table.
    """
    if data is not None:
        rows = read_table(data, filename)
    elif text.strip():
        rows = read_pasted(text)
    else:
        raise TableError(_("Chưa có tệp hoặc bảng dán vào."), "empty")
    return parse_indicator_table(rows) if kind == ImportKind.INDICATORS else parse_task_table(rows, columns)


COLUMN_ROLES = {
    "number": _lazy("Số thứ tự"),
    "title": _lazy("Tên nhiệm vụ"),
    "description": _lazy("Nội dung, mô tả"),
    "lead": _lazy("Cơ quan chủ trì"),
    "cooperating": _lazy("Cơ quan phối hợp"),
    "deadline": _lazy("Thời hạn"),
    "output": _lazy("Sản phẩm"),
    "note": _lazy("Ghi chú"),
}


def column_choices(job: ImportJob) -> tuple[list[tuple[int, str, str]], list[str]]:
    """(column, header as written, role taken) for each column of a task job's table, and the roles it is unsure of."""
    table = job.table or {}
    roles = {column: role for role, column in table.get("columns", {}).items() if role in COLUMN_ROLES}
    labels = table.get("labels", {})
    return [
        (int(c), label, roles.get(int(c), "")) for c, label in sorted(labels.items(), key=lambda p: int(p[0]))
    ], table.get("unsure", [])


def remap_job(job: ImportJob, columns: dict[str, int]) -> str:
    """Read a job's file again with the columns an admin chose and store the new table; return an error or ""."""
    try:
        data = job.file.read() if job.file else None
        table = read_source(data, job.pasted_text, job.original_name, job.kind, columns)
    except TableError as error:
        return error.message
    job.table, job.total = table_to_json(table), len(table.items)
    job.save(update_fields=["table_packed", "total"])
    return ""


# --- the parsed table kept as JSON on the job


_ITEM_FIELDS = [f.name for f in dataclasses.fields(TableItem)]
_MESSAGE_FIELDS = [f.name for f in dataclasses.fields(RowMessage)]


def table_to_json(table: TaskTable | IndicatorTable) -> dict:
    """The parsed table as JSON-ready data; ``table_from_json`` reads it back."""
    if isinstance(table, IndicatorTable):  # tens of rows with nested sub-rows: asdict is quick enough
        return dataclasses.asdict(table)
    # A task table may have 10,000 items of flat fields: asdict's deep copy was a tenth of a large import, and
    # items as lists under one list of field names make the stored JSON a third smaller (and quicker to store).
    return {
        "columns": dict(table.columns),
        "header_rows": list(table.header_rows),
        "item_fields": _ITEM_FIELDS,
        "items": [[getattr(item, name) for name in _ITEM_FIELDS] for item in table.items],
        "errors": [{name: getattr(m, name) for name in _MESSAGE_FIELDS} for m in table.errors],
        "warnings": [{name: getattr(m, name) for name in _MESSAGE_FIELDS} for m in table.warnings],
        "labels": table.labels,
        "unsure": table.unsure,
    }


def _messages(rows: list[dict]) -> list[RowMessage]:
    return [RowMessage(**row) for row in rows]


def _item(row: dict) -> TableItem:
    row = dict(row)
    row["section_path"] = tuple(row.get("section_path", ()))
    return TableItem(**row)


def table_from_json(kind: str, data: dict) -> TaskTable | IndicatorTable:
    if kind == ImportKind.INDICATORS:
        items = []
        for row in data["items"]:
            row = dict(row)
            row["subrows"] = [IndicatorSubRow(**sub) for sub in row.get("subrows", [])]
            row["section_path"] = tuple(row.get("section_path", ()))
            items.append(IndicatorItem(**row))
        return IndicatorTable(
            columns=data["columns"],
            header_rows=data["header_rows"],
            items=items,
            sections=[_item(s) for s in data.get("sections", [])],
            errors=_messages(data["errors"]),
            warnings=_messages(data["warnings"]),
        )
    fields = data.get("item_fields")  # absent in tables stored before the compact form: items are dicts
    if fields == _ITEM_FIELDS:  # stored by this version: the values in TableItem's own order
        path = _ITEM_FIELDS.index("section_path")
        items = []
        for values in data["items"]:
            values[path] = tuple(values[path])
            items.append(TableItem(*values))
    else:
        items = [_item(dict(zip(fields, i, strict=True)) if fields else i) for i in data["items"]]
    return TaskTable(
        columns=data["columns"],
        header_rows=data["header_rows"],
        items=items,
        errors=_messages(data["errors"]),
        warnings=_messages(data["warnings"]),
        labels=data.get("labels", {}),
        unsure=data.get("unsure", []),
    )


# --- jobs


@gc_paused()
def parse_job(job: ImportJob) -> ImportJob:
    """Read the job's file or pasted text; store the parsed table or the error. Never raises on bad input."""
    job.state = ImportJob.State.PARSING
    job.save(update_fields=["state"])
    try:
        data = job.file.read() if job.file else None
        table = read_source(data, job.pasted_text, job.original_name, job.kind)
    except TableError as error:
        job.state, job.error = ImportJob.State.FAILED, error.message
        job.save(update_fields=["state", "error"])
        return job
    job.table = table_to_json(table)
    job.total = len(table.items)
    job.state = ImportJob.State.READY
    job.save(update_fields=["table_packed", "total", "state"])
    return job


def preview_job(
    job: ImportJob,
    mappings: dict[str, Agency | AgencyGroup] | None = None,
    choices: dict[int, str] | None = None,
):
    """Rebuild the preview of a parsed job (no file read): TaskImportPreview or IndicatorImportPreview."""
    table = table_from_json(job.kind, job.table)
    resolver = Resolver.for_document(job.document)  # the units valid on the document's date (issue 12)
    if job.kind == ImportKind.INDICATORS:
        return indicator_import.build_preview(job.document, table, resolver=resolver)
    if job.mappings:  # names moved to a successor on the preview page; what the form posts comes on top
        mappings = {**targets_from_keys(job.document.province, job.mappings), **(mappings or {})}
    return task_import.build_preview(job.document, table, resolver=resolver, mappings=mappings, choices=choices)


# --- "Chuyển sang đơn vị kế thừa" (issue 12, point 6)


def _document_day(document: Document) -> datetime.date:
    return document.issued_on or datetime.date(document.year, 1, 1)


def successor_province(document: Document) -> Province | None:
    """The province a document belongs to when its own had been merged away before the document's date."""
    province = document.province
    if province.successor_id is None or province.valid_to is None or _document_day(document) <= province.valid_to:
        return None
    return province.successor


def move_document_to_successor(document: Document) -> str:
    """Move a document dated after its province's merger into the successor province; return an error or ""."""
    successor = successor_province(document)
    if successor is None:
        return _("Văn bản không cần chuyển: tỉnh của văn bản còn hoạt động vào ngày của văn bản.")
    if document.number and Document.objects.filter(province=successor, number=document.number).exists():
        return _("%(province)s đã có văn bản số %(number)s: không chuyển được, hãy kiểm tra lại.") % {
            "province": successor.name,
            "number": document.number,
        }
    document.province = successor
    fields = ["province"]
    day = _document_day(document)
    if document.issuer_id and not document.issuer.is_valid_on(day):
        document.issuer = document.issuer.current(day)
        fields.append("issuer")
    document.save(update_fields=fields)
    return ""


def choose_successor_for(job: ImportJob, name: str, value: str) -> str:
    """Send the rows naming ``name`` (a unit that had ended, its duties split) to the successor ``value``
    ("agency:<pk>", one of that unit's successors) for this import; return an error or ""."""
    rows_and_choices = preview_job(job).successor_choices().get(name)
    options = {f"agency:{a.pk}" for a in rows_and_choices[1]} if rows_and_choices else set()
    if value not in options:
        return _("Không chuyển được: hãy chọn một đơn vị kế thừa trong danh sách.")
    job.mappings = {**job.mappings, name: value}
    job.save(update_fields=["mappings"])
    return ""


def claim_job(job: ImportJob) -> bool:
    """Take a read job for writing; False when another confirmation took it first (one UPDATE, no lock held)."""
    claimed = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.READY).update(
        state=ImportJob.State.APPLYING, progress=0
    )
    if claimed:
        job.state, job.progress = ImportJob.State.APPLYING, 0
    return bool(claimed)


@gc_paused()
def apply_job(
    job: ImportJob,
    *,
    mappings: dict[str, Agency | AgencyGroup] | None = None,
    remember: bool = True,
    remove_missing: list[int] | None = None,
    choices: dict[int, str] | None = None,
) -> ImportJob:
    """Write a previewed job in one transaction (all rows or none) and record the result on the job.

    The job's row is locked for the transaction and its state checked under the lock, and DONE is written in the
    same transaction as the rows: of two confirmations (two admins, or a worker's task delivered twice) one
    writes and the other finds the job done and writes nothing.
    """
    preview = preview_job(job, mappings, choices)
    try:
        with transaction.atomic():
            locked = (
                ImportJob.objects.select_for_update()
                .filter(pk=job.pk, state__in=[ImportJob.State.READY, ImportJob.State.APPLYING])
                .first()
            )
            if locked is None:  # another confirmation wrote it (or the job was cancelled) while we waited
                job.refresh_from_db()
                return job
            if job.kind == ImportKind.INDICATORS:
                written = indicator_import.apply_preview(preview)
                result = {"indicators": written}
            else:
                outcome = task_import.apply_preview(
                    preview,
                    remove_missing=remove_missing or [],
                    remember=(mappings if remember else None),
                    user_id=job.created_by_id,  # the change log says who imported the tasks, and from what
                    reason=(
                        _("Nhập từ tệp %(name)s") % {"name": job.original_name}
                        if job.original_name
                        else _("Nhập từ bảng dán")
                    )[:100],
                )
                result = dataclasses.asdict(outcome)
            job.state, job.result, job.progress, job.error = ImportJob.State.DONE, result, job.total, ""
            job.save(update_fields=["state", "result", "progress", "error"])
    except ValueError as error:
        _fail(job, str(error))
    except DatabaseError:
        # Something changed under the preview (an agency deleted, a task edited): the transaction is rolled back.
        _fail(
            job,
            _(
                "Không ghi được vì dữ liệu trong cổng vừa thay đổi trong lúc xem trước; không có gì được ghi. Hãy nhập lại tệp."
            ),
        )
    return job


def _fail(job: ImportJob, message: str) -> None:
    """Mark a job failed, unless another confirmation finished it meanwhile (a finished job is never 'failed')."""
    ImportJob.objects.filter(pk=job.pk).exclude(state=ImportJob.State.DONE).update(
        state=ImportJob.State.FAILED, error=message
    )
    job.refresh_from_db()


# --- documents named on the command line


def find_or_draft_document(number: str, *, province_code: str | None, year: int | None, create: bool) -> Document:
    """Return the province's document with this number; a missing one is created as a draft (when ``create``).

    Raises Document.DoesNotExist / Province.DoesNotExist with a Vietnamese message when it cannot.
    """
    documents = Document.objects.filter(number=number)
    if province_code:
        # Issue 12: a code or an official number; an unknown one names the closest codes (Province.DoesNotExist).
        try:
            province_code = Province.objects.lookup(province_code).code
        except ProvinceNotFound as error:
            raise Province.DoesNotExist(str(error)) from error
        documents = documents.filter(province__code=province_code)
    found = list(documents[:2])
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise Document.MultipleObjectsReturned(
            _("Có nhiều văn bản số %(number)s; hãy chỉ rõ --province.") % {"number": number}
        )
    if not province_code:
        raise Document.DoesNotExist(
            _("Chưa có văn bản số %(number)s; hãy chỉ rõ --province để tạo văn bản dự thảo.") % {"number": number}
        )
    province = Province.objects.get(code=province_code)
    document = Document(
        province=province,
        number=number,
        doc_type=_guess_type(number),
        is_draft=True,
        title=_("Văn bản %(number)s (dự thảo, tạo khi nhập phụ lục)") % {"number": number},
        year=year or timezone.localdate().year,
    )
    if create:
        document.save()
    return document


def _guess_type(number: str) -> str:
    symbol = number.upper().split("/")[-1] if "/" in number else ""
    for prefix, kind in (
        ("KH", DocumentType.PLAN),
        ("QĐ", DocumentType.DECISION),
        ("QD", DocumentType.DECISION),
        ("CT", DocumentType.DIRECTIVE),
        ("TB", DocumentType.NOTICE),
        ("BC", DocumentType.REPORT),
    ):
        if symbol.startswith(prefix):
            return kind
    return DocumentType.LETTER


def preview_file(document: Document, data: bytes, filename: str, kind: str, *, choices: dict[int, str] | None = None):
    """Read and preview a file for the command line (the document may be unsaved in a dry run)."""
    table = read_source(data, "", filename, kind)
    if kind == ImportKind.INDICATORS:
        return indicator_import.build_preview(document, table)
    return task_import.build_preview(document, table, choices=choices)


@gc_paused()
def import_file(document: Document, data: bytes, filename: str, kind: str, *, choices: dict[int, str] | None = None):
    """Read, preview and write a file in one transaction; return (preview, result).

    A row that would retitle a task with reports and has no choice (``choices``) is written as a new task; the
    preview's warning names it and the reported task stays as it was.
    """
    preview = preview_file(document, data, filename, kind, choices=choices)
    if preview.errors:
        return preview, None
    if kind == ImportKind.INDICATORS:
        return preview, {"indicators": indicator_import.apply_preview(preview)}
    return preview, dataclasses.asdict(task_import.apply_preview(preview))


def target_scope(province: Province, *, successor: bool = True) -> Q:
    """Where a name in a province's document may point: the province's agencies and groups, the central level's
    (read-only: ministries, Văn phòng Chính phủ…) and, for a province merged away, those of its successor (where
    the successors of its units are)."""
    scope = Q(province=province) | Q(province__is_central=True)
    if successor and province.successor_id:
        scope |= Q(province_id=province.successor_id)
    return scope


def targets_from_keys(province: Province, keys: dict[str, str]) -> dict[str, Agency | AgencyGroup]:
    """Turn {"name as written": "agency:12" | "group:3"} into objects within ``target_scope`` (others are ignored)."""
    agency_ids = {whole_number(v.partition(":")[2]) for v in keys.values() if v.startswith("agency:")} - {None}
    group_ids = {whole_number(v.partition(":")[2]) for v in keys.values() if v.startswith("group:")} - {None}
    agencies = Agency.objects.filter(target_scope(province)).in_bulk(agency_ids)
    groups = AgencyGroup.objects.filter(target_scope(province)).in_bulk(group_ids)
    out: dict[str, Agency | AgencyGroup] = {}
    for name, value in keys.items():
        kind, _sep, pk = value.partition(":")
        target = (agencies if kind == "agency" else groups).get(whole_number(pk))
        if target is not None:
            out[name] = target
    return out


# --- mapping unknown names: search as you type over thousands of agencies

_GENERIC_WORDS = frozenset(
    "so ban nganh ubnd uy nhan dan tinh cac co quan don vi phong va cua lien cap xa huyen".split()
)


def _target_row(target: Agency | AgencyGroup, province: Province) -> dict[str, str]:
    kind = "group" if isinstance(target, AgencyGroup) else "agency"
    return {
        "value": f"{kind}:{target.pk}",
        # Another province's unit (the central level's, a successor's) says whose it is.
        "label": target.name if target.province_id == province.pk else f"{target.name} — {target.province.name}",
        "kind": _("Nhóm") if kind == "group" else _("Cơ quan"),
    }


def search_targets(province: Province, text: str, limit: int = 20) -> list[dict[str, str]]:
    """Groups, then agencies, of the province whose folded name contains the folded text (2 indexed queries)."""
    if not fold(text):
        return []
    key = fold(text)
    scope = target_scope(province, successor=False)
    # The province's own first, then the central level's.
    own_first = [Case(When(province=province, then=0), default=1)]
    groups = list(
        AgencyGroup.objects.filter(scope, search_text__contains=key)
        .select_related("province")
        .order_by(*own_first, "name")[:limit]
    )
    agencies = list(
        Agency.objects.filter(scope, search_text__contains=key)
        .select_related("province")
        .order_by(*own_first, "level", "name")[: limit - len(groups)]
    )
    return [_target_row(t, province) for t in (*groups, *agencies)]


def suggest_targets(province: Province, name: str, limit: int = 8) -> list[dict[str, str]]:
    """The agencies and groups that share the most telling words with an unknown name (shown before any typing)."""
    words = [w for w in fold(name).split() if len(w) > 2 and w not in _GENERIC_WORDS]
    found = search_targets(province, name, limit)
    if len(found) >= limit or not words:
        return found
    scored: dict[str, tuple[int, dict[str, str]]] = {row["value"]: (len(words) + 1, row) for row in found}
    for word in words[:4]:  # one indexed query per telling word, a handful at most
        for row in search_targets(province, word, limit):
            score, _row = scored.get(row["value"], (0, row))
            scored[row["value"]] = (score + 1, row)
    return [row for _score, row in sorted(scored.values(), key=lambda pair: (-pair[0], pair[1]["label"]))][:limit]
