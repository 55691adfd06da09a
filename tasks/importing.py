"""Import a document's task appendix: preview what a table means, then write it all in one transaction, or nothing.

The table reading (header, sections, merged cells…) is ``plans.tables``; the names of agencies are resolved by
``agencies.resolver``; deadlines by ``plans.deadlines``. This module joins them, matches rows to the tasks a
document already has (re-import), and writes. Progress that agencies reported is never lost: a task or an
assignment that has reports is kept even when the new file no longer has it.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from simple_history.utils import bulk_create_with_history

from agencies.models import Agency, AgencyGroup
from agencies.resolver import Resolved, Resolver
from core.bulk import copy_history, insert_tuples
from core.dates import MAX_YEAR, MIN_YEAR, is_sane_date
from core.text import fold
from plans.areas import area_for_title
from plans.deadlines import Deadline, parse_deadline
from plans.models import Document, Section
from plans.tables import RowMessage, TableItem, TaskTable
from tasks import matching, parties
from tasks.models import Assignment, AssignmentRole, ProgressUpdate, Task, deadline_values, task_search_text
from tasks.services import after_import

Target = Agency | AgencyGroup

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
# The fields of a task a row of the file sets and a person reads, in the order the preview lists changes.
CHANGE_LABELS = {
    "section": _lazy("Mục"),
    "number": _lazy("Số thứ tự"),
    "title": _lazy("Tên nhiệm vụ"),
    "description": _lazy("Nội dung, mô tả"),
    "output": _lazy("Sản phẩm"),
    "note": _lazy("Ghi chú"),
    "lead_text": _lazy("Cơ quan chủ trì"),
    "cooperating_text": _lazy("Cơ quan phối hợp"),
    "deadline_text": _lazy("Thời hạn"),
    "due_date": _lazy("Hạn hoàn thành"),
}


@dataclass
class PreviewTask:
    """One task row as the portal understood it."""

    row: int
    section_path: str
    number: str
    title: str
    lead_text: str
    cooperating_text: str
    lead: list[Resolved]
    cooperating: list[Resolved]
    deadline: Deadline
    output: str = ""
    note: str = ""
    description: str = ""
    other_parties: list[str] = field(default_factory=list)  # enterprises, residents, associations… (not agencies)
    extra: dict[str, str] = field(default_factory=dict)
    evidence_required: bool = False
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    existing_id: int | None = None
    match: str = NEW  # NEW, CHANGED or UNCHANGED against the task it is bound to
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (old, new), for a changed task
    ask_about: Task | None = None  # a task with reports this row would retitle: a person chooses same or new task
    chosen: str = ""  # matching.SAME or matching.NEW once chosen

    @property
    def change_rows(self) -> list[tuple[str, str, str]]:
        """(label, old, new) of each changed field, for the preview."""
        return [(CHANGE_LABELS[name], old, new) for name, (old, new) in self.changes.items()]

    @property
    def unresolved(self) -> list[str]:
        return [r.text for r in (*self.lead, *self.cooperating) if not r.known]


@dataclass
class PreviewSection:
    row: int | None
    number: str
    title: str
    path: str
    parent_path: str | None
    tasks: list[PreviewTask] = field(default_factory=list)
    existing_id: int | None = None


@dataclass
class TaskImportPreview:
    """What confirming would write. Nothing has been written while this exists."""

    document: Document
    sections: list[PreviewSection]
    errors: list[RowMessage]
    warnings: list[RowMessage]
    missing: list[Task] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def tasks(self) -> list[PreviewTask]:
        return [task for section in self.sections for task in section.tasks]

    @property
    def undecided(self) -> list[PreviewTask]:
        """Rows that would retitle a task with reports and wait for a person to choose same task or new task."""
        return [task for task in self.tasks if task.ask_about is not None and not task.chosen]

    def counts(self) -> dict[str, int]:
        """How many rows are new, changed, unchanged; how many tasks are missing from the file."""
        out = {NEW: 0, CHANGED: 0, UNCHANGED: 0}
        for task in self.tasks:
            out[task.match] += 1
        return {**out, "missing": len(self.missing)}

    def unknown_names(self) -> dict[str, list[int]]:
        """Each name no agency or group matched, with the rows that write it."""
        unknown: dict[str, list[int]] = defaultdict(list)
        for task in self.tasks:
            for text in task.unresolved:
                unknown[text].append(task.row)
        return dict(unknown)

    def successor_choices(self) -> dict[str, tuple[list[int], tuple[Agency, ...]]]:
        """Each name of a unit that had ended and whose duties were split, with its rows and its successors."""
        found: dict[str, tuple[list[int], tuple[Agency, ...]]] = {}
        for task in self.tasks:
            for r in (*task.lead, *task.cooperating):
                if r.choices and not r.known:
                    rows, _choices = found.setdefault(r.text, ([], r.choices))
                    if task.row not in rows:
                        rows.append(task.row)
        return found

    def as_json(self) -> dict:
        """Return the preview in the documented JSON shape (``import_appendix --json``)."""

        def names(resolved: list[Resolved]) -> list[str]:
            return [r.canonical_name for r in resolved]

        sections = []
        for section in self.sections:
            sections.append(
                {
                    "number": section.number,
                    "title": section.title,
                    "tasks": [
                        {
                            "row": task.row,
                            "number": task.number,
                            "title": task.title,
                            "lead": names(task.lead),
                            "cooperating": names(task.cooperating),
                            "other_parties": task.other_parties,
                            "deadline_text": task.deadline.text,
                            "due_date": task.deadline.due_date.isoformat() if task.deadline.due_date else None,
                            "due_kind": str(task.deadline.kind),
                            "needs_confirmation": task.deadline.needs_confirmation,
                            "warnings": task.warnings,
                            "match": task.match,
                            **(
                                {"changes": {k: list(v) for k, v in task.changes.items()}}
                                if task.match == CHANGED
                                else {}
                            ),
                            **(
                                {
                                    "ask_about": {
                                        "id": task.ask_about.pk,
                                        "number": task.ask_about.full_number,
                                        "title": task.ask_about.title,
                                        "chosen": task.chosen or None,
                                    }
                                }
                                if task.ask_about is not None
                                else {}
                            ),
                        }
                        for task in section.tasks
                    ],
                }
            )
        return {
            "document": self.document.display_number,
            "sections": sections,
            "errors": [_format_message(m) for m in self.errors],
            "warnings": [_format_message(m) for m in self.warnings],
            "missing": [{"id": t.pk, "number": t.full_number, "title": t.title} for t in self.missing],
        }


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    kept: int = 0
    assignments_created: int = 0
    sections_created: int = 0


def _format_message(message: RowMessage) -> str:
    return message.message


def province_ended_warning(document: Document) -> str:
    """Issue 12: the document is dated after its province ended (merged): say so and name the successor."""
    province = document.province
    day = _reference_day(document)
    if province.valid_to is None or day <= province.valid_to:
        return ""
    if province.successor_id:
        return _(
            "Tỉnh %(province)s đã sáp nhập vào %(successor)s từ ngày %(start)s, trước ngày của văn bản (%(day)s): "
            "hãy nhập văn bản vào %(successor)s (mã %(code)s)."
        ) % {
            "province": province.name,
            "successor": province.successor.name,
            "code": province.successor.code,
            "start": (province.valid_to + datetime.timedelta(days=1)).strftime("%d/%m/%Y"),
            "day": day.strftime("%d/%m/%Y"),
        }
    return _("Tỉnh %(province)s đã kết thúc từ ngày %(end)s, trước ngày của văn bản (%(day)s).") % {
        "province": province.name,
        "end": province.valid_to.strftime("%d/%m/%Y"),
        "day": day.strftime("%d/%m/%Y"),
    }


def _reference_day(document: Document) -> datetime.date:
    """The day whose agencies a document addresses: its date, else 1 January of its year."""
    return document.issued_on or datetime.date(document.year, 1, 1)


def build_preview(
    document: Document,
    table: TaskTable,
    *,
    resolver: Resolver | None = None,
    mappings: dict[str, Target] | None = None,
    choices: dict[int, str] | None = None,
) -> TaskImportPreview:
    """Turn a parsed table into a preview: names resolved, deadlines read, rows matched to existing tasks.

    ``choices`` maps a row to matching.SAME or matching.NEW where a person decided about a reported task.
    Queries: 3 to load the province's names, 2 for the document's sections and tasks, 1 for their reports (on a
    re-import); none per row.
    """
    resolve = _cell_resolver(resolver or Resolver(document.province, day=_reference_day(document)), mappings)
    saved = document.pk is not None  # a dry run previews against a draft that is not written
    existing_sections = {s.path: s for s in document.sections.all()} if saved else {}
    existing_tasks = list(document.tasks.select_related("section")) if saved else []

    sections: dict[str, PreviewSection] = {}
    order: list[PreviewSection] = []
    loose = PreviewSection(row=None, number="", title="", path="", parent_path=None)

    for item in table.items:
        if item.kind == "section":
            path = "/".join((*item.section_path, item.number)) if item.section_path else item.number
            parent = "/".join(item.section_path) if item.section_path else None
            section = PreviewSection(item.row, item.number, item.title, path, parent)
            existing = existing_sections.get(path)
            section.existing_id = existing.pk if existing else None
            sections[path] = section
            order.append(section)
            continue
        path = "/".join(item.section_path)
        target_section = sections.get(path, loose) if path else loose
        target_section.tasks.append(_preview_task(item, path, document, resolve))

    all_sections = ([loose] if loose.tasks else []) + order
    missing = _match(all_sections, existing_tasks, choices or {}) if existing_tasks else []
    warnings = list(table.warnings)
    ended = province_ended_warning(document)
    if ended:
        warnings.insert(0, RowMessage(0, ended))
    for text, rows in _unknown(all_sections).items():
        warnings.append(
            RowMessage(
                rows[0],
                _("Hàng %(rows)s: chưa xác định được cơ quan '%(name)s'; hãy chọn cơ quan tương ứng.")
                % {"rows": ", ".join(map(str, rows)), "name": text},
            )
        )
    errors = list(table.errors) + [
        RowMessage(t.row, message) for s in all_sections for t in s.tasks for message in t.errors
    ]
    return TaskImportPreview(document, all_sections, errors, warnings, missing)


def _cell_resolver(resolver: Resolver, mappings: dict[str, Target] | None) -> Callable[..., list[Resolved]]:
    """Read an agency cell with the names valid on the document's day (issue 12), then the admin's mappings of
    names the directory does not know."""
    mapped = {fold(text): target for text, target in (mappings or {}).items()}

    def resolve(cell: str, context: str = "") -> list[Resolved]:
        resolved = resolver.resolve_cell(parties.prepare_cell(cell), context)
        if not mapped:
            return resolved
        out = []
        for r in resolved:
            target = mapped.get(fold(r.text))
            if not r.known and target is not None:
                r = Resolved(
                    r.text,
                    agency=target if isinstance(target, Agency) else None,
                    group=target if isinstance(target, AgencyGroup) else None,
                    qualifier=r.qualifier,
                    replaced=r.replaced,
                    note=_chosen_note(r, target) if r.replaced is not None else "",
                )
            out.append(r)
        return out

    return resolve


def _chosen_note(resolved: Resolved, target: Target) -> str:
    """The row's note once a person chose where the work of a unit that had ended goes."""
    return _("'%(name)s' đã kết thúc hoạt động ngày %(end)s; nhiệm vụ được chuyển sang đơn vị đã chọn: %(target)s.") % {
        "name": resolved.replaced.name,
        "end": resolved.replaced.valid_to.strftime("%d/%m/%Y") if resolved.replaced.valid_to else "",
        "target": target.name,
    }


def _match(sections: list[PreviewSection], existing: list[Task], choices: dict[int, str]) -> list[Task]:
    """Bind each row to the task it is (tasks.matching), say what would change; return the tasks no row takes.

    Queries: 1 (which tasks have reports).
    """
    reported = set(
        ProgressUpdate.objects.filter(assignment__task__in=[t.pk for t in existing]).values_list(
            "assignment__task_id", flat=True
        )
    )
    by_id = {t.pk: t for t in existing}
    keys = [
        matching.TaskKey(t.pk, t.section.path if t.section_id else "", t.number, t.title, t.pk in reported)
        for t in existing
    ]
    rows = [matching.RowKey(t.row, t.section_path, t.number, t.title) for s in sections for t in s.tasks]
    bindings = matching.bind_rows(rows, keys, choices)
    for section in sections:
        for task in section.tasks:
            binding = bindings[task.row]
            task.ask_about = by_id.get(binding.ask_about) if binding.ask_about else None
            task.chosen = binding.chosen
            if binding.task_id is None:
                continue
            old = by_id[binding.task_id]
            task.existing_id = old.pk
            task.changes = _changes(old, task)
            task.match = CHANGED if task.changes else UNCHANGED
            if task.ask_about is None and old.pk in reported and "title" in task.changes:
                task.warnings.append(
                    _("Hàng %(row)s: nhiệm vụ đã có báo cáo được sửa tên (sửa nhỏ): '%(old)s' → '%(new)s'.")
                    % {"row": task.row, "old": old.title, "new": task.title}
                )
            if task.ask_about is not None and task.chosen == matching.SAME:
                task.warnings.append(
                    _("Hàng %(row)s: đã chọn giữ là nhiệm vụ cũ (đã có báo cáo) với tên mới.") % {"row": task.row}
                )
        for task in section.tasks:
            if task.ask_about is not None and not task.chosen:
                task.warnings.append(
                    _(
                        "Hàng %(row)s: nhiệm vụ %(number)s '%(old)s' đã có báo cáo nhưng tên mới khác hẳn ('%(new)s'); "
                        "hãy chọn đây là cùng nhiệm vụ hay nhiệm vụ mới."
                    )
                    % {
                        "row": task.row,
                        "number": task.ask_about.full_number,
                        "old": task.ask_about.title,
                        "new": task.title,
                    }
                )
    bound = {b.task_id for b in bindings.values() if b.task_id}
    return [t for t in existing if t.pk not in bound]


def _day(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _changes(old: Task, new: PreviewTask) -> dict[str, tuple[str, str]]:
    """Field -> (old, new) for each field a person reads that the row changes."""
    values = {
        "section": (old.section.path if old.section_id else "", new.section_path),
        "number": (old.number, new.number),
        "title": (old.title, new.title),
        "description": (old.description, new.description),
        "output": (old.output, new.output),
        "note": (old.note, new.note),
        "lead_text": (old.lead_text, new.lead_text),
        "cooperating_text": (old.cooperating_text, new.cooperating_text),
        "deadline_text": (old.deadline_text, new.deadline.text),
        "due_date": (_day(old.due_date), _day(new.deadline.due_date)),
    }
    return {name: pair for name, pair in values.items() if pair[0] != pair[1]}


def _unknown(sections: list[PreviewSection]) -> dict[str, list[int]]:
    unknown: dict[str, list[int]] = defaultdict(list)
    for section in sections:
        for task in section.tasks:
            for text in task.unresolved:
                unknown[text].append(task.row)
    return unknown


def _preview_task(
    item: TableItem, path: str, document: Document, resolve: Callable[..., list[Resolved]]
) -> PreviewTask:
    deadline = parse_deadline(item.deadline, default_year=document.year)
    warnings = list(item.warnings)
    errors = []
    bad_year = deadline.impossible_year or next(
        (day.year for day in (deadline.due_date, deadline.start_date) if not is_sane_date(day)), None
    )
    if bad_year is not None:
        errors.append(
            _("Hàng %(row)s: thời hạn '%(text)s' có năm %(year)s không hợp lệ (chỉ nhận năm %(min)s–%(max)s).")
            % {"row": item.row, "text": deadline.text, "year": bad_year, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    elif deadline.needs_confirmation or deadline.year_inferred:
        warnings.append(
            _("Hàng %(row)s: thời hạn '%(text)s' – %(reason)s")
            % {"row": item.row, "text": deadline.text, "reason": deadline.reason}
        )
    lead, others = _agencies_and_others(resolve(item.lead, item.title))
    cooperating, more = _agencies_and_others(resolve(item.cooperating, item.title))
    others += [name for name in more if name not in others]
    for r in (*lead, *cooperating):
        if r.note:  # issue 12: a unit that had ended on the document's day, and its successor
            warnings.append(_("Hàng %(row)s: %(note)s") % {"row": item.row, "note": r.note})
        if not r.known:
            warnings.append(
                _("Hàng %(row)s: chưa xác định được cơ quan '%(name)s'.") % {"row": item.row, "name": r.text}
            )
    text = f"{item.note} {item.output} {item.title}"
    # fold() only when the word may be there: most rows never mention evidence ("kiểm chứng").
    low = unicodedata.normalize("NFC", text).lower()
    evidence = ("chứng" in low or "chung" in low) and "kiem chung" in fold(text)
    return PreviewTask(
        row=item.row,
        section_path=path,
        number=item.number,
        title=item.title,
        lead_text=item.lead,
        cooperating_text=item.cooperating,
        lead=lead,
        cooperating=cooperating,
        other_parties=others,
        deadline=deadline,
        output=item.output,
        note=item.note,
        description=item.description,
        extra=dict(item.extra),
        evidence_required=evidence,
        warnings=warnings,
        errors=errors,
    )


def _agencies_and_others(resolved: list[Resolved]) -> tuple[list[Resolved], list[str]]:
    """Split a cell's names into agencies (known or to map) and other parties: enterprises, residents, associations
    that no directory lists (tasks.parties). A name the directory knows stays an agency."""
    agencies, others = [], []
    for r in resolved:
        if not r.known and parties.is_other_party(r.text):
            others.append(r.text)
        else:
            agencies.append(r)
    return agencies, others


def _members(groups: Iterable[AgencyGroup], day: datetime.date) -> dict[int, list[Agency]]:
    """Members of each group that exist on ``day`` (one query)."""
    through = AgencyGroup.members.through
    members: dict[int, list[Agency]] = defaultdict(list)
    rows = through.objects.filter(agencygroup_id__in=[g.pk for g in groups]).select_related("agency")
    for row in rows:
        if row.agency.is_valid_on(day):
            members[row.agencygroup_id].append(row.agency)
    return members


def _wanted_assignments(task: PreviewTask, members: dict[int, list[Agency]]) -> dict[int, tuple[str, int | None]]:
    """Agency id -> (role, group id) for one task.

    An agency the cell names takes the role it is named in (lead over cooperating when named in both); a group
    gives its members a role only when they are not named themselves: "chủ trì: Các sở, ban, ngành; phối hợp: Sở
    Nội vụ" keeps Sở Nội vụ cooperating (KH 275, III.4).
    """
    wanted: dict[int, tuple[str, int | None]] = {}
    roles = ((AssignmentRole.LEAD, task.lead), (AssignmentRole.COOPERATING, task.cooperating))
    for role, resolved in roles:
        for r in resolved:
            if r.agency is not None and r.agency.pk not in wanted:
                wanted[r.agency.pk] = (role, None)
    for role, resolved in roles:
        for r in resolved:
            if r.agency is None and r.group is not None:
                for agency in members.get(r.group.pk, []):
                    wanted.setdefault(agency.pk, (role, r.group.pk))
    return wanted


def _values(preview: PreviewTask, section: Section | None, order: int) -> dict[str, object]:
    """The task fields a row of the file sets (attname -> value)."""
    values = {
        "section_id": section.pk if section is not None else None,
        "number": preview.number,
        "order": order,
        "title": preview.title,
        "description": preview.description,
        "output": preview.output,
        "note": preview.note,
        "lead_text": preview.lead_text,
        "cooperating_text": preview.cooperating_text,
        **deadline_values(preview.deadline),
        "unresolved_names": preview.unresolved,
        "other_parties": preview.other_parties,
        "source_row": preview.row,
        "extra": preview.extra,
    }
    values["search_text"] = task_search_text(
        preview.number,
        preview.title,
        preview.output,
        preview.lead_text,
        preview.cooperating_text,
        preview.deadline.text,
    )
    return values


def _fill(task: Task, preview: PreviewTask, section: Section | None, order: int) -> None:
    for name, value in _values(preview, section, order).items():
        setattr(task, name, value)
    task.evidence_required = task.evidence_required or preview.evidence_required


_COMPARED = [
    "section_id",
    "number",
    "order",
    "title",
    "description",
    "output",
    "note",
    "lead_text",
    "cooperating_text",
    "deadline_text",
    "due_date",
    "due_kind",
    "due_needs_confirmation",
    "unresolved_names",
    "other_parties",
    "evidence_required",
    "source_row",
]


@transaction.atomic
def apply_preview(
    preview: TaskImportPreview,
    *,
    remove_missing: Iterable[int] = (),
    remember: dict[str, Target] | None = None,
    resolver: Resolver | None = None,
    user_id: int | None = None,
    reason: str = "",
) -> ImportResult:
    """Write a preview in one transaction: sections, tasks (created or updated in place), assignments.

    ``remove_missing`` lists ids of missing tasks the admin chose to remove; one with reported progress is kept.
    ``remember`` maps names the admin resolved by hand to keep as aliases for next time.
    Raises ValueError (nothing written) when the preview has errors.
    """
    if preview.errors:
        raise ValueError(_("Bảng còn lỗi, chưa thể ghi."))
    document = preview.document
    result = ImportResult()
    if remember:
        _remember_names(document, remember, resolver)

    sections_by_path = _write_sections(preview, result)

    groups = {r.group.pk: r.group for t in preview.tasks for r in (*t.lead, *t.cooperating) if r.group is not None}
    members = _members(groups.values(), _reference_day(document))
    new_tasks, updated_tasks = _update_matched_tasks(preview, sections_by_path, result)

    fresh: list[tuple] = []
    to_create: list[Assignment] = []
    if new_tasks:
        fresh = _insert_new_tasks(new_tasks, members, result, user_id, reason)

    if updated_tasks:
        to_create = _sync_assignments(updated_tasks, members, result)
        if to_create:
            bulk_create_with_history(
                to_create, Assignment, batch_size=1000, default_user=_user(user_id), default_change_reason=reason
            )
            result.assignments_created += len(to_create)

    _remove_missing(preview, remove_missing, result)
    after_import(document, [row[1] for row in fresh] + [a.agency_id for a in to_create])
    return result


def _remember_names(document: Document, remember: dict[str, Target], resolver: Resolver | None) -> None:
    """Keep the names the admin resolved by hand as aliases for next time."""
    resolver = resolver or Resolver(document.province)
    for text, target in remember.items():
        resolver.remember(text, target)


def _update_matched_tasks(
    preview: TaskImportPreview, sections_by_path: dict[str, Section], result: ImportResult
) -> tuple[list[tuple[dict[str, object], PreviewTask]], list[tuple[Task, PreviewTask]]]:
    """Update in place the tasks a row matches (saved only when changed); the values of the new ones, to insert."""
    document = preview.document
    existing = {t.pk: t for t in document.tasks.all()}
    new_tasks: list[tuple[dict[str, object], PreviewTask]] = []
    updated_tasks: list[tuple[Task, PreviewTask]] = []
    for order, pt in enumerate(preview.tasks):
        section = sections_by_path.get(pt.section_path) if pt.section_path else None
        if pt.existing_id and pt.existing_id in existing:
            task = existing[pt.existing_id]
            before = [getattr(task, f) for f in _COMPARED]
            _fill(task, pt, section, order)
            if [getattr(task, f) for f in _COMPARED] != before:
                task.save()
                result.updated += 1
            else:
                result.unchanged += 1
            updated_tasks.append((task, pt))
        else:  # plain values, not model instances: 5,000 Task() cost more than writing them
            values = _values(pt, section, order)
            values["document_id"] = document.pk
            values["evidence_required"] = pt.evidence_required
            new_tasks.append((values, pt))
    return new_tasks, updated_tasks


def _insert_new_tasks(
    new_tasks: list[tuple[dict[str, object], PreviewTask]],
    members: dict[int, list[Agency]],
    result: ImportResult,
    user_id: int | None,
    reason: str,
) -> list[tuple]:
    """Insert the new tasks, their assignments and history rows; the (task, agency, role, group) rows written."""
    # The fast path (see core.bulk): COPY on PostgreSQL, multi-row INSERT on SQLite; history in SQL.
    # _values() builds every row's dict with the same keys in the same order: its values are the columns.
    columns = list(new_tasks[0][0])
    ids = insert_tuples(Task, columns, [tuple(values.values()) for values, _pt in new_tasks], returning_ids=True)
    result.created = len(new_tasks)
    fresh = [
        (task_id, agency_id, role, group_id)
        for task_id, (_values_, pt) in zip(ids, new_tasks, strict=True)
        for agency_id, (role, group_id) in _wanted_assignments(pt, members).items()
    ]
    insert_tuples(Assignment, ["task_id", "agency_id", "role", "group_id"], fresh)
    result.assignments_created += len(fresh)
    copy_history(Task, "id", ids, user_id=user_id, reason=reason)
    copy_history(Assignment, "task_id", ids, user_id=user_id, reason=reason)
    return fresh


def _remove_missing(preview: TaskImportPreview, remove_missing: Iterable[int], result: ImportResult) -> None:
    """Delete the missing tasks the admin chose to remove, keeping those with reported progress; count the rest kept."""
    removable = set(remove_missing) & {t.pk for t in preview.missing}
    if removable:
        reported = set(
            Task.objects.filter(pk__in=removable)
            .annotate(n=Count("assignments__updates"))
            .filter(n__gt=0)
            .values_list("pk", flat=True)
        )
        for task in Task.objects.filter(pk__in=removable - reported):
            task.delete()
            result.removed += 1
        result.kept += len(reported)
    result.kept += len(preview.missing) - len(removable)


def _write_sections(preview: TaskImportPreview, result: ImportResult) -> dict[str, Section]:
    """Create the new sections and update the changed ones (an identical re-import writes none); return them by path."""
    document = preview.document
    sections_by_path: dict[str, Section] = {s.path: s for s in document.sections.all()}
    fresh_sections: list[Section] = []  # written together; a parent created here is written before its children
    for index, ps in enumerate(s for s in preview.sections if s.path):
        section = sections_by_path.get(ps.path)
        parent = sections_by_path.get(ps.parent_path) if ps.parent_path else None
        if parent is not None and parent.pk is None:
            Section.objects.bulk_create(fresh_sections)
            fresh_sections.clear()
        if section is None:
            section = Section(document=document, number=ps.number, parent=parent, title=ps.title, order=index)
            section.path = f"{parent.path}/{ps.number}" if parent is not None else ps.number  # as Section.save() does
            section.area = area_for_title(ps.title)
            fresh_sections.append(section)
            result.sections_created += 1
        else:
            area = area_for_title(ps.title) if not section.area or section.area == "other" else section.area
            if (section.title, section.order, section.parent_id, section.area) != (
                ps.title,
                index,
                parent.pk if parent else None,
                area,
            ):
                section.title, section.order, section.parent, section.area = ps.title, index, parent, area
                section.save()  # only when the file changed it: an identical re-import writes nothing
        sections_by_path[ps.path] = section
    Section.objects.bulk_create(fresh_sections)
    return sections_by_path


def _user(user_id: int | None):
    from agencies.models import User

    return User.objects.filter(pk=user_id).first() if user_id else None


def _sync_assignments(
    updated: list[tuple[Task, PreviewTask]], members: dict[int, list[Agency]], result: ImportResult
) -> list[Assignment]:
    """Bring the assignments of re-imported tasks in line with the file; keep any that has reports."""
    current: dict[int, dict[int, Assignment]] = defaultdict(dict)
    task_ids = [t.pk for t, _pt in updated]
    for assignment in Assignment.objects.filter(task_id__in=task_ids).annotate(n_updates=Count("updates")):
        current[assignment.task_id][assignment.agency_id] = assignment
    to_create: list[Assignment] = []
    for task, pt in updated:
        wanted = _wanted_assignments(pt, members)
        have = current.get(task.pk, {})
        for agency_id, (role, group_id) in wanted.items():
            assignment = have.get(agency_id)
            if assignment is None:
                to_create.append(Assignment(task=task, agency_id=agency_id, role=role, group_id=group_id))
            elif (assignment.role, assignment.group_id) != (role, group_id):
                assignment.role, assignment.group_id = role, group_id
                assignment.save(update_fields=["role", "group", "updated_at"])
        for agency_id, assignment in have.items():
            if agency_id not in wanted and assignment.n_updates == 0 and assignment.state == "not_started":
                assignment.delete()
    return to_create
