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
from simple_history.utils import bulk_create_with_history

from agencies.models import Agency, AgencyGroup
from agencies.resolver import Resolved, Resolver
from core.bulk import copy_history, insert_tuples
from core.text import fold
from plans.areas import area_for_title
from plans.deadlines import Deadline, parse_deadline
from plans.models import Document, Section
from plans.tables import RowMessage, TableItem, TaskTable
from tasks.models import Assignment, AssignmentRole, Task, deadline_values, task_search_text
from tasks.services import after_import

Target = Agency | AgencyGroup


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
    extra: dict[str, str] = field(default_factory=dict)
    evidence_required: bool = False
    warnings: list[str] = field(default_factory=list)
    existing_id: int | None = None

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

    def unknown_names(self) -> dict[str, list[int]]:
        """Each name no agency or group matched, with the rows that write it."""
        unknown: dict[str, list[int]] = defaultdict(list)
        for task in self.tasks:
            for text in task.unresolved:
                unknown[text].append(task.row)
        return dict(unknown)

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
                            "deadline_text": task.deadline.text,
                            "due_date": task.deadline.due_date.isoformat() if task.deadline.due_date else None,
                            "due_kind": str(task.deadline.kind),
                            "needs_confirmation": task.deadline.needs_confirmation,
                            "warnings": task.warnings,
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


def _reference_day(document: Document) -> datetime.date:
    """The day whose agencies a document addresses: its date, else 1 January of its year."""
    return document.issued_on or datetime.date(document.year, 1, 1)


def build_preview(
    document: Document,
    table: TaskTable,
    *,
    resolver: Resolver | None = None,
    mappings: dict[str, Target] | None = None,
) -> TaskImportPreview:
    """Turn a parsed table into a preview: names resolved, deadlines read, rows matched to existing tasks.

    Queries: 3 to load the province's names, 2 for the document's sections and tasks; none per row.
    """
    resolver = resolver or Resolver(document.province)
    mapped = {fold(text): target for text, target in (mappings or {}).items()}

    def resolve(cell: str) -> list[Resolved]:
        if not mapped:
            return resolver.resolve_cell(cell)
        out = []
        for r in resolver.resolve_cell(cell):
            target = mapped.get(fold(r.text))
            if not r.known and target is not None:
                r = Resolved(r.text, agency=target if isinstance(target, Agency) else None,
                             group=target if isinstance(target, AgencyGroup) else None, qualifier=r.qualifier)
            out.append(r)
        return out

    saved = document.pk is not None  # a dry run previews against a draft that is not written
    existing_sections = {s.path: s for s in document.sections.all()} if saved else {}
    existing_tasks = list(document.tasks.select_related("section")) if saved else []
    by_number = {((t.section.path if t.section_id else ""), t.number): t for t in existing_tasks if t.number}
    by_title = {fold(t.title): t for t in existing_tasks}

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
        task = _preview_task(item, path, document, resolve)
        match = by_number.get((path, task.number)) if task.number else None
        if match is None and by_title:  # a re-import: match by title when the number changed
            match = by_title.get(fold(task.title))
        task.existing_id = match.pk if match else None
        target_section.tasks.append(task)

    all_sections = ([loose] if loose.tasks else []) + order
    seen = {t.existing_id for s in all_sections for t in s.tasks if t.existing_id}
    missing = [t for t in existing_tasks if t.pk not in seen]
    warnings = list(table.warnings)
    for text, rows in _unknown(all_sections).items():
        warnings.append(RowMessage(rows[0], _("Hàng %(rows)s: chưa xác định được cơ quan '%(name)s'; hãy chọn cơ quan tương ứng.")
                                   % {"rows": ", ".join(map(str, rows)), "name": text}))
    return TaskImportPreview(document, all_sections, list(table.errors), warnings, missing)


def _unknown(sections: list[PreviewSection]) -> dict[str, list[int]]:
    unknown: dict[str, list[int]] = defaultdict(list)
    for section in sections:
        for task in section.tasks:
            for text in task.unresolved:
                unknown[text].append(task.row)
    return unknown


def _preview_task(item: TableItem, path: str, document: Document, resolve: Callable[[str], list[Resolved]]) -> PreviewTask:
    deadline = parse_deadline(item.deadline, default_year=document.year)
    warnings = list(item.warnings)
    if deadline.needs_confirmation or deadline.year_inferred:
        warnings.append(_("Hàng %(row)s: thời hạn '%(text)s' – %(reason)s") % {"row": item.row, "text": deadline.text, "reason": deadline.reason})
    lead = resolve(item.lead)
    cooperating = resolve(item.cooperating)
    for r in (*lead, *cooperating):
        if not r.known:
            warnings.append(_("Hàng %(row)s: chưa xác định được cơ quan '%(name)s'.") % {"row": item.row, "name": r.text})
    text = f"{item.note} {item.output} {item.title}"
    # fold() only when the word may be there: most rows never mention evidence ("kiểm chứng").
    low = unicodedata.normalize("NFC", text).lower()
    evidence = ("chứng" in low or "chung" in low) and "kiem chung" in fold(text)
    return PreviewTask(
        row=item.row, section_path=path, number=item.number, title=item.title,
        lead_text=item.lead, cooperating_text=item.cooperating, lead=lead, cooperating=cooperating,
        deadline=deadline, output=item.output, note=item.note, extra=dict(item.extra),
        evidence_required=evidence, warnings=warnings,
    )


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
    """Agency id -> (role, group id) for one task; a lead agency stays lead even when a group also names it."""
    wanted: dict[int, tuple[str, int | None]] = {}
    for role, resolved in ((AssignmentRole.LEAD, task.lead), (AssignmentRole.COOPERATING, task.cooperating)):
        for r in resolved:
            if r.agency is not None:
                if r.agency.pk not in wanted or (role == AssignmentRole.LEAD and wanted[r.agency.pk][0] != AssignmentRole.LEAD):
                    wanted[r.agency.pk] = (role, None)
            elif r.group is not None:
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
        "output": preview.output,
        "note": preview.note,
        "lead_text": preview.lead_text,
        "cooperating_text": preview.cooperating_text,
        **deadline_values(preview.deadline),
        "unresolved_names": preview.unresolved,
        "source_row": preview.row,
        "extra": preview.extra,
    }
    values["search_text"] = task_search_text(
        preview.number, preview.title, preview.output, preview.lead_text, preview.cooperating_text, preview.deadline.text
    )
    return values


def _fill(task: Task, preview: PreviewTask, section: Section | None, order: int) -> None:
    for name, value in _values(preview, section, order).items():
        setattr(task, name, value)
    task.evidence_required = task.evidence_required or preview.evidence_required


_COMPARED = ["section_id", "number", "order", "title", "output", "note", "lead_text", "cooperating_text", "deadline_text",
             "due_date", "due_kind", "due_needs_confirmation", "unresolved_names", "evidence_required", "source_row"]


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
        resolver = resolver or Resolver(document.province)
        for text, target in remember.items():
            resolver.remember(text, target)

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
            section.title, section.order, section.parent = ps.title, index, parent
            section.area = area_for_title(ps.title) if not section.area or section.area == "other" else section.area
            section.save()
        sections_by_path[ps.path] = section
    Section.objects.bulk_create(fresh_sections)

    groups = {r.group.pk: r.group for t in preview.tasks for r in (*t.lead, *t.cooperating) if r.group is not None}
    members = _members(groups.values(), _reference_day(document))
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

    fresh: list[tuple] = []
    to_create: list[Assignment] = []
    if new_tasks:
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

    if updated_tasks:
        to_create = _sync_assignments(updated_tasks, members, result)
        if to_create:
            bulk_create_with_history(to_create, Assignment, batch_size=1000, default_user=_user(user_id), default_change_reason=reason)
            result.assignments_created += len(to_create)

    removable = set(remove_missing) & {t.pk for t in preview.missing}
    if removable:
        reported = set(
            Task.objects.filter(pk__in=removable).annotate(n=Count("assignments__updates")).filter(n__gt=0).values_list("pk", flat=True)
        )
        for task in Task.objects.filter(pk__in=removable - reported):
            task.delete()
            result.removed += 1
        result.kept += len(reported)
    result.kept += len(preview.missing) - len(removable)
    after_import(document, [row[1] for row in fresh] + [a.agency_id for a in to_create])
    return result


def _user(user_id: int | None):
    from agencies.models import User

    return User.objects.filter(pk=user_id).first() if user_id else None


def _sync_assignments(updated: list[tuple[Task, PreviewTask]], members: dict[int, list[Agency]], result: ImportResult) -> list[Assignment]:
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
