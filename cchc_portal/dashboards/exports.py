"""The periodic CCHC report of a month, quarter, half-year or year: an .xlsx appendix and a .docx report.

The province's report (Sở Nội vụ, reviewers) counts tasks, as the overview does; an agency's report to
Sở Nội vụ counts its own shares (assignments). Figures are those at the end of the period, or today
while the period runs: a share counts as done if it was completed by then; otherwise its state is the
one of its last progress update made by then (none: not started). Results and evidence come from the
last updates made by then.

The .docx is a docxtpl template filled with the report's texts (``report_context``; ``wordreport`` renders it):
the default template follows Decree 30/2020/NĐ-CP and the outline of a periodic CCHC report, and a province may
replace it in the admin. The layout lives in the template, not here.

Every text cell of the spreadsheet that starts with = + - @, a tab or a carriage return is prefixed with
an apostrophe so that no spreadsheet runs it as a formula; numbers stay numbers.
"""

from __future__ import annotations

import datetime
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from cchc_portal.dashboards import wordreport
from cchc_portal.dashboards.formatting import day, number, percent
from cchc_portal.dashboards.periods import ReportPeriod
from cchc_portal.dashboards.queries import DONE, STATUSES, Counts, responsible, task_status_of, unassigned_status
from cchc_portal.dashboards.scope import Scope
from cchc_portal.dashboards.wordreport import clean
from cchc_portal.reports.services import sent_for_period
from core.text import fold
from plans.areas import CchcArea
from plans.models import Document, Section
from tasks.models import (
    Assignment,
    AssignmentRole,
    Evidence,
    OfficialStatus,
    ProgressUpdate,
    Task,
    WorkState,
    is_ongoing,
    official_status,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# How report headings name each CCHC area.
AREA_HEADINGS = {
    CchcArea.DIRECTION: gettext_lazy("Công tác chỉ đạo, điều hành"),
    CchcArea.INSTITUTIONS: gettext_lazy("Cải cách thể chế"),
    CchcArea.PROCEDURES: gettext_lazy("Cải cách thủ tục hành chính"),
    CchcArea.APPARATUS: gettext_lazy("Cải cách tổ chức bộ máy hành chính nhà nước"),
    CchcArea.CIVIL_SERVICE: gettext_lazy("Cải cách chế độ công vụ"),
    CchcArea.PUBLIC_FINANCE: gettext_lazy("Cải cách tài chính công"),
    CchcArea.DIGITAL_GOVERNMENT: gettext_lazy("Xây dựng và phát triển chính quyền điện tử, chính quyền số"),
    CchcArea.COMMUNICATION: gettext_lazy("Công tác thông tin, tuyên truyền cải cách hành chính"),
    CchcArea.OTHER: gettext_lazy("Các nhiệm vụ khác"),
}
BODY_LIST_LIMIT = 30  # the report lists at most so many tasks under a heading; the appendix lists all


def neutralise(value):
    """Return a cell value no spreadsheet will run: text starting with = + - @ tab CR gets a leading '."""
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


# --- the data of a report -------------------------------------------------------------------------------


@dataclass
class ReportRow:
    """One task (province report) or one of the agency's shares (agency report), as at the report's day."""

    task: Task
    status: OfficialStatus
    progress: int
    completed_on: datetime.date | None
    result: str
    evidence: str
    role: str = ""  # the agency's role (agency report only)

    @property
    def area(self) -> str:
        return self.task.section.area if self.task.section_id else CchcArea.OTHER

    @property
    def lead(self) -> str:
        return self.task.lead_text

    @property
    def deadline(self) -> str:
        return self.task.deadline_text or day(self.task.due_date)


@dataclass
class ReportData:
    scope: Scope
    period: ReportPeriod
    as_of: datetime.date
    issuer: Agency | None
    rows: list[ReportRow]
    sections: dict[int, Section] = field(default_factory=dict)
    agency_reports: list = field(default_factory=list)  # what agencies sent for the period (issue 15)

    @property
    def is_agency(self) -> bool:
        return self.scope.is_agency_view

    def counts(self, rows: list[ReportRow] | None = None) -> Counts:
        counts = Counts()
        for row in self.rows if rows is None else rows:
            counts.by_status[row.status] += 1
            counts.progress_sum += row.progress
        return counts

    def by_area(self) -> list[tuple[CchcArea, list[ReportRow]]]:
        grouped: dict[str, list[ReportRow]] = defaultdict(list)
        for row in self.rows:
            grouped[row.area].append(row)
        return [(CchcArea(area), grouped[area]) for area in CchcArea.values if area in grouped]

    def completed_in_period(self, rows: list[ReportRow]) -> list[ReportRow]:
        return [
            r for r in rows if r.status in DONE and r.completed_on and self.period.start <= r.completed_on <= self.as_of
        ]

    def next_period(self) -> tuple[datetime.date, datetime.date]:
        following = self.period.following()
        end = following.end if following else ReportPeriod(self.period.year + 1, self.period.kind, 1).end
        return self.as_of + datetime.timedelta(days=1), end

    @property
    def title(self) -> str:
        return _("Kết quả thực hiện công tác cải cách hành chính %(period)s") % {"period": self.period.name}

    @property
    def issuer_name(self) -> str:
        return self.issuer.name if self.issuer else _("Sở Nội vụ")

    @property
    def symbol(self) -> str:
        """Return the report's number line: "Số: …/BC-SNV" (the number is given when the report is signed)."""
        short = (self.issuer.short_name if self.issuer else "SNV") or ""
        if not short or " " in short:
            words = fold(self.issuer_name).split()
            short = "".join(w[0] for w in words if w[0].isalpha()).upper()
        return _("Số: …/BC-%(symbol)s") % {"symbol": short}


def _issuer(scope: Scope) -> Agency | None:
    """The agency that signs the report: the agency (agency report), the reviewer's own agency (Sở Nội vụ,
    Văn phòng UBND tỉnh), or the province's Sở Nội vụ for an administrator without one."""
    if scope.agency is not None:
        return scope.agency
    if getattr(scope.user, "agency_id", None):
        return scope.user.agency
    for agency in Agency.objects.filter(province=scope.province, search_text__startswith="so noi vu"):
        if fold(agency.name) == "so noi vu":
            return agency
    return None


def report_data(scope: Scope, period: ReportPeriod) -> ReportData:
    """Gather the rows of a report: five queries whatever the number of tasks, shares and updates.

    Province: each task with the status of its responsible shares (``task_status_of``). Agency: each of
    its shares. The updates are read once, three per share at most (the latest, the latest with a note,
    the latest with evidence, by the end of ``as_of``), with window functions.
    """
    as_of = min(scope.today, period.end)
    tasks = list(
        Task.objects.filter(document_id__in=scope.document_ids)
        .select_related("section", "document")
        .order_by("document__year", "document_id", "section__order", "section_id", "order", "pk")
    )
    task_by_pk = {t.pk: t for t in tasks}
    shares_qs, shares = _report_shares(scope)
    latest = _latest_updates(shares_qs, as_of)
    files = _evidence_files(latest)
    by_task = _share_statuses(shares, task_by_pk, latest, as_of, scope.today)
    rows = []
    for task in tasks:
        entries = by_task.get(task.pk, [])
        if scope.is_agency_view:
            rows.extend(_share_rows(task, entries, latest, files))
        else:
            rows.append(_task_row(task, entries, latest, files, as_of))
    sections = {t.section_id: t.section for t in tasks if t.section_id}
    sent = [] if scope.is_agency_view else sent_for_period(scope.document_ids, period.start, period.end)
    return ReportData(scope, period, as_of, _issuer(scope), rows, sections, sent)


def _report_shares(scope: Scope) -> tuple[QuerySet[Assignment], list[SimpleNamespace]]:
    """Return the queryset of the shares a report counts and those shares read as plain rows."""
    shares_qs = Assignment.objects.filter(task__document_id__in=scope.document_ids)
    if scope.is_agency_view:
        shares_qs = shares_qs.filter(agency_id__in=scope.agency_ids)
    else:  # only the shares that decide a task's status: its leads, or everybody when it has no lead
        shares_qs = responsible(shares_qs, scope.document_ids)
    # Plain rows rather than model instances: an appendix has thousands of shares and updates.
    shares = [
        SimpleNamespace(**row)
        for row in shares_qs.order_by("task_id", "role", "agency__name").values(
            "pk", "task_id", "role", "state", "progress", "completed_on", "due_date", agency_name=F("agency__name")
        )
    ]
    return shares_qs, shares


def _evidence_files(latest: dict[str, dict[int, SimpleNamespace]]) -> dict[int, list[str]]:
    """Return the names of the files attached to each latest update with evidence, by update id."""
    files: dict[int, list[str]] = defaultdict(list)
    proof_ids = [u.pk for u in latest["proof"].values()]
    for update_id, name in Evidence.objects.filter(update_id__in=proof_ids).values_list("update_id", "original_name"):
        files[update_id].append(name)
    return files


def _share_statuses(
    shares: list[SimpleNamespace],
    task_by_pk: dict[int, Task],
    latest: dict[str, dict[int, SimpleNamespace]],
    as_of: datetime.date,
    today: datetime.date,
) -> dict[int, list[tuple[SimpleNamespace, str, datetime.date | None, int]]]:
    """Return, per task id, each share with its official status, completion day and progress at ``as_of``."""
    by_task: dict[int, list[tuple[SimpleNamespace, str, datetime.date | None, int]]] = defaultdict(list)
    for share in shares:
        state, completed, progress = _state_at(share, latest["state"].get(share.pk), as_of, today)
        task_ = task_by_pk[share.task_id]
        ongoing = is_ongoing(task_.due_kind, task_.recurrence)
        status = official_status(state, completed, share.due_date or task_.due_date, as_of, ongoing)
        by_task[share.task_id].append((share, status, completed, progress))
    return by_task


def _share_rows(task: Task, entries: list, latest: dict, files: dict[int, list[str]]) -> list[ReportRow]:
    """Return the agency report's rows of a task: one per share of the agency."""
    return [
        ReportRow(
            task,
            status,
            progress,
            completed,
            _note([share], latest),
            _proof([share], latest, files),
            str(AssignmentRole(share.role).label),
        )
        for share, status, completed, progress in entries
    ]


def _task_row(task: Task, entries: list, latest: dict, files: dict[int, list[str]], as_of: datetime.date) -> ReportRow:
    """Return the province report's row of a task, its status decided by its responsible shares."""
    status = task_status_of((share.role, status) for share, status, _c, _p in entries) or unassigned_status(
        task.due_date, as_of
    )
    done_dates = [completed for _s, _st, completed, _p in entries if completed]
    completed = max(done_dates) if status in DONE and done_dates else None
    progress = round(sum(p for *_rest, p in entries) / len(entries)) if entries else 0
    who = [share for share, *_rest in entries]
    return ReportRow(task, status, progress, completed, _note(who, latest), _proof(who, latest, files))


def _latest_updates(shares: QuerySet[Assignment], as_of: datetime.date) -> dict[str, dict[int, SimpleNamespace]]:
    """Return, per share, its latest update ("state"), latest update with a note ("note") and latest update
    with evidence ("proof") made by the end of ``as_of`` — one query, at most three rows per share."""
    before = timezone.make_aware(datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min))
    has_files = Exists(Evidence.objects.filter(update=OuterRef("pk")))
    noted = Case(When(~Q(note=""), then=Value(1)), default=Value(0))
    proven = Case(When(~Q(evidence_number="") | ~Q(evidence_link="") | has_files, then=Value(1)), default=Value(0))
    newest = [F("created_at").desc(), F("pk").desc()]
    by_share = [F("assignment_id")]
    updates = (
        ProgressUpdate.objects.filter(assignment__in=shares.values("pk"), created_at__lt=before)
        .annotate(
            r_state=Window(RowNumber(), partition_by=by_share, order_by=newest),
            r_note=Window(RowNumber(), partition_by=by_share, order_by=[noted.desc(), *newest]),
            r_proof=Window(RowNumber(), partition_by=by_share, order_by=[proven.desc(), *newest]),
            is_noted=noted,
            is_proven=proven,
        )
        .filter(Q(r_state=1) | Q(r_note=1) | Q(r_proof=1))
        .order_by()
    )
    fields = (
        "pk",
        "assignment_id",
        "created_at",
        "state",
        "progress",
        "note",
        "evidence_number",
        "evidence_date",
        "evidence_link",
        "r_state",
        "r_note",
        "r_proof",
        "is_noted",
        "is_proven",
    )
    latest: dict[str, dict[int, SimpleNamespace]] = {"state": {}, "note": {}, "proof": {}}
    for update in (SimpleNamespace(**row) for row in updates.values(*fields)):
        if update.r_state == 1:
            latest["state"][update.assignment_id] = update
        if update.r_note == 1 and update.is_noted:
            latest["note"][update.assignment_id] = update
        if update.r_proof == 1 and update.is_proven:
            latest["proof"][update.assignment_id] = update
    return latest


def _state_at(
    share: SimpleNamespace, update: SimpleNamespace | None, as_of: datetime.date, today: datetime.date
) -> tuple[str, datetime.date | None, int]:
    """Return (state, completed on, progress) of a share at the end of ``as_of``."""
    if share.state == WorkState.DONE and share.completed_on and share.completed_on <= as_of:
        return WorkState.DONE, share.completed_on, 100
    if as_of >= today:  # the period runs: what the share says now
        return share.state, share.completed_on, share.progress
    if update is None:
        return WorkState.NOT_STARTED, None, 0
    if update.state == WorkState.DONE:
        return WorkState.DONE, timezone.localdate(update.created_at), 100
    return update.state, None, update.progress


def _note(shares: list[SimpleNamespace], latest: dict[str, dict[int, SimpleNamespace]]) -> str:
    notes = [(s.agency_name, latest["note"][s.pk].note.strip()) for s in shares if s.pk in latest["note"]]
    if len(notes) == 1:
        return notes[0][1]
    return "\n".join(f"{name}: {note}" for name, note in notes)


def _proof(
    shares: list[SimpleNamespace], latest: dict[str, dict[int, SimpleNamespace]], files: dict[int, list[str]]
) -> str:
    lines = []
    for share in shares:
        update = latest["proof"].get(share.pk)
        if update is None:
            continue
        parts = []
        if update.evidence_number:
            parts.append(
                _("Văn bản số %(number)s") % {"number": update.evidence_number}
                + (f" {_('ngày')} {day(update.evidence_date)}" if update.evidence_date else "")
            )
        if update.evidence_link:
            parts.append(update.evidence_link)
        parts.extend(files.get(update.pk, []))
        text = "; ".join(parts)
        lines.append(f"{share.agency_name}: {text}" if len(shares) > 1 else text)
    return "\n".join(lines)


def _document_reference(document: Document) -> str:
    """Return how a report cites a document: "Kế hoạch số 275/KH-UBND ngày 15/12/2023 của UBND tỉnh về …"."""
    kind = document.get_doc_type_display()
    if document.number:
        text = _("%(kind)s số %(number)s") % {"kind": kind, "number": document.number}
    else:
        text = str(kind)
    if document.issued_on:
        text += " " + _("ngày %(date)s") % {"date": day(document.issued_on)}
    if document.issuer_id:
        text += " " + _("của %(issuer)s") % {"issuer": document.issuer.name}
    # The subject, as "về …": without the document's own kind ("Kế hoạch Cải cách …") or its "V/v".
    title = re.sub(rf"^(?:v/v|{re.escape(str(kind))})\s+", "", document.title.strip(), flags=re.IGNORECASE)
    if not title:
        return text
    if not title[1:2].isupper():  # "Cải cách …" -> "cải cách …", but an acronym ("CCHC năm 2025") stays
        title = title[:1].lower() + title[1:]
    return f"{text} {_('về')} {title}"


def _summary(counts: Counts) -> str:
    """One sentence of figures: "Tổng số 9; hoàn thành 2 (đạt 22,2%), trong đó quá hạn 1; …"."""
    return _(
        "Tổng số: %(total)s; đã hoàn thành: %(done)s (đạt %(rate)s), trong đó hoàn thành đúng hạn %(on_time)s, "
        "hoàn thành quá hạn %(late)s; đang thực hiện trong hạn: %(active)s; chưa thực hiện: %(idle)s; "
        "quá hạn chưa hoàn thành: %(overdue)s."
    ) % {
        "total": number(counts.total),
        "done": number(counts.done),
        "rate": percent(counts.completion),
        "on_time": number(counts[OfficialStatus.DONE_ON_TIME]),
        "late": number(counts[OfficialStatus.DONE_LATE]),
        "active": number(counts[OfficialStatus.IN_PROGRESS]),
        "idle": number(counts[OfficialStatus.NOT_STARTED]),
        "overdue": number(counts.overdue),
    }


def filename(data: ReportData, extension: str) -> str:
    """Return "bao-cao-cchc-tinh-quy-i-nam-2024.xlsx": the period in Vietnamese words, whatever the page's language."""
    who = fold(data.issuer_name).replace(" ", "-") if data.is_agency else "tinh"
    with translation.override("vi"):
        period = fold(str(data.period.name)).replace(" ", "-")
    return f"bao-cao-cchc-{who}-{period}.{extension}"


# --- spreadsheet ----------------------------------------------------------------------------------------

COLUMNS = [
    (gettext_lazy("STT"), 7),
    (gettext_lazy("Nhiệm vụ / sản phẩm"), 50),
    (gettext_lazy("Cơ quan chủ trì"), 24),
    (gettext_lazy("Cơ quan phối hợp"), 24),
    (gettext_lazy("Thời gian thực hiện"), 16),
    (gettext_lazy("Tình trạng"), 18),
    (gettext_lazy("Tiến độ (%)"), 10),
    (gettext_lazy("Kết quả thực hiện"), 45),
    (gettext_lazy("Tài liệu kiểm chứng"), 30),
]


def _columns(data: ReportData) -> list[tuple[str, int]]:
    columns = [(str(title), width) for title, width in COLUMNS]
    if data.is_agency:
        columns.insert(4, (_("Vai trò của cơ quan"), 12))
    return columns


def _cells(data: ReportData, row: ReportRow) -> list:
    cells = [
        row.task.number,
        row.task.title,
        row.lead,
        row.task.cooperating_text,
        row.deadline,
        str(row.status.label),
        row.progress,
        row.result,
        row.evidence,
    ]
    if data.is_agency:
        cells.insert(4, row.role)
    return cells


def _grouped(data: ReportData):
    """Yield ("document", document), ("section", section) and ("row", row) in the appendix's order."""
    several = len(data.scope.documents) > 1
    current_document = current_section = object()
    for row in data.rows:
        if several and row.task.document_id != current_document:
            current_document = row.task.document_id
            current_section = object()
            yield "document", row.task.document
        if row.task.section_id != current_section:
            current_section = row.task.section_id
            if row.task.section_id:
                yield "section", row.task.section
        yield "row", row


def build_xlsx(data: ReportData) -> bytes:
    """Return the appendix workbook: sheet "Phụ lục" (every task with its status and result) and sheet
    "Tổng hợp" (the figures by CCHC area). Cells wear named styles: assigning font, border and alignment
    one by one costs ten times more on a 5,000-row appendix."""
    from openpyxl import Workbook  # heavy imports, only for exports

    with translation.override("vi"):
        workbook = Workbook()
        _add_xlsx_styles(workbook)
        _appendix_sheet(workbook.active, data)
        _summary_sheet(workbook, data)
        if data.agency_reports:
            _agency_reports_sheet(workbook, data)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def _add_xlsx_styles(workbook) -> None:
    """Register the workbook's named styles: body, number, head, band, title, subtitle and total."""
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    styles = {
        "body": NamedStyle(
            "body",
            font=Font(name="Times New Roman", size=12),
            border=box,
            alignment=Alignment(wrap_text=True, vertical="top"),
        ),
        "number": NamedStyle(
            "number",
            font=Font(name="Times New Roman", size=12),
            border=box,
            alignment=Alignment(horizontal="center", vertical="top"),
        ),
        "head": NamedStyle(
            "head",
            font=Font(name="Times New Roman", size=12, bold=True),
            border=box,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        "band": NamedStyle(
            "band",
            font=Font(name="Times New Roman", size=12, bold=True),
            border=box,
            alignment=Alignment(wrap_text=True, vertical="top"),
            fill=PatternFill("solid", fgColor="EEF2F6"),
        ),
        "title": NamedStyle(
            "title",
            font=Font(name="Times New Roman", size=13, bold=True),
            alignment=Alignment(horizontal="center", wrap_text=True),
        ),
        "subtitle": NamedStyle(
            "subtitle",
            font=Font(name="Times New Roman", size=12, italic=True),
            alignment=Alignment(horizontal="center", wrap_text=True),
        ),
        "total": NamedStyle("total", font=Font(name="Times New Roman", size=12, bold=True), border=box),
    }
    for style in styles.values():
        workbook.add_named_style(style)


def _put(sheet, row: int, column: int, value, style: str) -> None:
    """Write a neutralised value into a cell of ``sheet`` with a named style."""
    sheet.cell(row=row, column=column, value=neutralise(value)).style = style


def _appendix_sheet(sheet, data: ReportData) -> None:
    """Fill sheet "Phụ lục": its titles, the column heads, every task under its document and section bands."""
    sheet.title = _("Phụ lục")
    header_row = _appendix_sheet_head(sheet, data)
    width = len(_columns(data))
    progress_column = width - 2
    line = header_row
    for kind, item in _grouped(data):
        line += 1
        if kind == "row":
            for column, value in enumerate(_cells(data, item), start=1):
                _put(sheet, line, column, value, "number" if column in (1, progress_column) else "body")
            continue
        label = (
            f"{item.get_doc_type_display()} {item.display_number}: {item.title}" if kind == "document" else item.title
        )
        _put(sheet, line, 1, "" if kind == "document" else item.number, "band")
        _put(sheet, line, 2, label, "band")
        for column in range(3, width + 1):
            _put(sheet, line, column, None, "band")
        sheet.merge_cells(start_row=line, start_column=2, end_row=line, end_column=width)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _appendix_sheet_head(sheet, data: ReportData) -> int:
    """Write the appendix sheet's titles and column heads; return the row of the heads."""
    from openpyxl.utils import get_column_letter

    columns = _columns(data)
    width = len(columns)
    symbol = data.symbol.removeprefix(_("Số: "))
    titles = [
        (_("PHỤ LỤC"), "title"),
        (data.title, "title"),
        (
            _("(Kèm theo Báo cáo %(symbol)s của %(issuer)s)") % {"symbol": symbol, "issuer": data.issuer_name},
            "subtitle",
        ),
        (_("Số liệu tính đến ngày %(date)s") % {"date": day(data.as_of)}, "subtitle"),
    ]
    for index, (text, style) in enumerate(titles, start=1):
        sheet.merge_cells(start_row=index, start_column=1, end_row=index, end_column=width)
        _put(sheet, index, 1, text, style)
    header_row = len(titles) + 2
    for column, (title, column_width) in enumerate(columns, start=1):
        _put(sheet, header_row, column, title, "head")
        sheet.column_dimensions[get_column_letter(column)].width = column_width
    return header_row


def _summary_sheet(workbook, data: ReportData) -> None:
    """Sheet "Tổng hợp": the figures by CCHC area and their total."""
    from openpyxl.utils import get_column_letter

    summary = workbook.create_sheet(_("Tổng hợp"))
    heads = [_("Lĩnh vực"), _("Tổng số")] + [str(s.label) for s in STATUSES] + [_("Tỷ lệ hoàn thành (%)")]
    summary.cell(row=1, column=1, value=neutralise(data.title)).style = "total"
    summary.cell(row=2, column=1, value=neutralise(_("Số liệu tính đến ngày %(date)s") % {"date": day(data.as_of)}))
    for column, title in enumerate(heads, start=1):
        summary.cell(row=4, column=column, value=title).style = "head"
        summary.column_dimensions[get_column_letter(column)].width = 40 if column == 1 else 14
    for offset, (area, rows) in enumerate([*data.by_area(), (None, data.rows)], start=5):
        counts = data.counts(rows)
        label = str(AREA_HEADINGS[area]) if area is not None else _("Tổng cộng")
        values = [
            label,
            counts.total,
            *(counts[s] for s in STATUSES),
            round(counts.completion, 1) if counts.completion is not None else None,
        ]
        for column, value in enumerate(values, start=1):
            summary.cell(row=offset, column=column, value=neutralise(value)).style = "total" if area is None else "body"


def _agency_reports_sheet(workbook, data: ReportData) -> None:
    """Sheet "Báo cáo của các cơ quan": what each agency sent for the period, as it wrote it."""
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(_("Báo cáo của các cơ quan"))
    heads = [
        _("Cơ quan"),
        _("Kỳ báo cáo"),
        _("Tình trạng"),
        _("Gửi lúc"),
        _("Đúng hạn"),
        _("Kết quả đạt được"),
        _("Tồn tại, hạn chế, khó khăn"),
        _("Đề xuất, kiến nghị"),
    ]
    for column, (title, width) in enumerate(zip(heads, [36, 20, 16, 18, 10, 60, 50, 50], strict=True), start=1):
        sheet.cell(row=1, column=column, value=title).style = "head"
        sheet.column_dimensions[get_column_letter(column)].width = width
    for offset, sent in enumerate(data.agency_reports, start=2):
        values = [
            sent.agency,
            f"{sent.duty} – {sent.period}",
            sent.state,
            timezone.localtime(sent.submitted_at).strftime("%d/%m/%Y %H:%M") if sent.submitted_at else "",
            _("Có") if sent.on_time else _("Không"),
            sent.results,
            sent.difficulties,
            sent.proposals,
        ]
        for column, value in enumerate(values, start=1):
            sheet.cell(row=offset, column=column, value=neutralise(value)).style = "body"


# --- Word report ----------------------------------------------------------------------------------------
# The layout is a docxtpl template (``wordreport``); this part only says what the report says, as plain texts.

# Who signs a report, from how the agency's name begins (folded): the head of a department is its director…
SIGNER_TITLES = [
    ("so ", gettext_lazy("GIÁM ĐỐC")),
    ("van phong", gettext_lazy("CHÁNH VĂN PHÒNG")),
    ("ubnd", gettext_lazy("CHỦ TỊCH")),
    ("uy ban", gettext_lazy("CHỦ TỊCH")),
    ("ban ", gettext_lazy("TRƯỞNG BAN")),
]
# Part I of the report holds direction and communication; part II the six CCHC areas of Resolution 76 (always, in
# their order), then the tasks of no area when there are some.
DIRECTION_AREAS = [CchcArea.DIRECTION, CchcArea.COMMUNICATION]
SIX_AREAS = [
    CchcArea.INSTITUTIONS,
    CchcArea.PROCEDURES,
    CchcArea.APPARATUS,
    CchcArea.CIVIL_SERVICE,
    CchcArea.PUBLIC_FINANCE,
    CchcArea.DIGITAL_GOVERNMENT,
]


def _signer_title(name: str) -> str:
    folded = fold(name)
    return str(next((title for prefix, title in SIGNER_TITLES if folded.startswith(prefix)), _("THỦ TRƯỞNG CƠ QUAN")))


def _is_home_affairs(agency: Agency | None) -> bool:
    return agency is None or fold(agency.name) == "so noi vu"


def _province_settings(data: ReportData):
    """The province's report settings (signer, recipients, template), or None. One query."""
    from cchc_portal.models import ProvinceReportSettings

    province = data.scope.province
    if province.pk is None:
        return None
    return ProvinceReportSettings.objects.filter(province=province).first()


def _signer(data: ReportData, settings) -> dict[str, str]:
    """Who signs: the province's Sở Nội vụ report, the signer of the province's settings; an agency's report, its
    leader (the exporting leader, else the agency's first leader account). Without a name the line says where to
    give it, never a bare title."""
    if not data.is_agency and _is_home_affairs(data.issuer) and settings is not None:
        return {
            "quyen_han": settings.signer_authority,
            "chuc_vu": settings.signer_title,
            "ho_ten": settings.signer_name,
        }
    title = _signer_title(data.issuer_name)
    name = _leader_name(data)
    if not name:
        name = (
            _("(Họ và tên người ký: khai báo tại Quản trị › Cài đặt báo cáo của tỉnh)")
            if not data.is_agency and _is_home_affairs(data.issuer)
            else _("(Họ và tên người ký: khai báo họ tên tài khoản lãnh đạo đơn vị)")
        )
    return {"quyen_han": "", "chuc_vu": title, "ho_ten": name}


def _leader_name(data: ReportData) -> str:
    """The full name of the issuing agency's leader: the exporting user when a leader of it, else its first leader
    account with a name (one query at most)."""
    from agencies.models import Role, User

    if data.issuer is None or data.issuer.pk is None:
        return ""
    user = data.scope.user
    if getattr(user, "agency_id", None) == data.issuer.pk and getattr(user, "role", None) == Role.LEADER:
        if name := user.get_full_name():
            return name
    leader = (
        User.objects.filter(agency=data.issuer, role=Role.LEADER, is_active=True)
        .exclude(first_name="", last_name="")
        .order_by("pk")
        .first()
    )
    return leader.get_full_name() if leader else ""


def _recipients(data: ReportData, settings) -> list[str]:
    if data.is_agency:
        return [_("- Như trên;"), _("- Lưu: VT.")]
    if settings is not None and settings.recipient_lines:
        return [clean(line) for line in settings.recipient_lines]
    return [_("- Như trên;"), _("- Bộ Nội vụ (b/c);"), _("- Lưu: VT.")]


def _done_line(row: ReportRow) -> str:
    line = f"- {row.task.title} ({row.lead})"
    return f"{line}: {row.result}" if row.result else line


def _due_line(row: ReportRow) -> str:
    return f"- {row.task.title} ({row.lead}; {_('thời hạn')}: {row.deadline})"


def _listed(items: list, line) -> list[str]:
    """One line per item, at most BODY_LIST_LIMIT, then how many more the appendix holds."""
    lines = [clean(line(item)) for item in items[:BODY_LIST_LIMIT]]
    if len(items) > BODY_LIST_LIMIT:
        lines.append(
            _("- Và %(n)s nhiệm vụ khác (chi tiết tại Phụ lục).") % {"n": number(len(items) - BODY_LIST_LIMIT)}
        )
    return lines


def _area_part(data: ReportData, numeral: int, area: CchcArea, rows: list[ReportRow]) -> dict:
    """One area: its figures and what was completed in the period (an area with nothing to list lists nothing:
    ``_quiet`` says so once for all of them)."""
    return {
        "tieu_de": f"{numeral}. {AREA_HEADINGS[area]}",
        "tom_tat": _("Kết quả thực hiện: %(summary)s") % {"summary": _summary(data.counts(rows))} if rows else "",
        "dong": _listed(data.completed_in_period(rows), _done_line),
    }


def _quiet(data: ReportData, numbered: list[tuple[int, CchcArea, list[ReportRow]]]) -> str:
    """Said once: which numbered areas have no task at all, which have nothing completed in the period."""
    empty = [str(n) for n, _area, rows in numbered if not rows]
    idle = [str(n) for n, _area, rows in numbered if rows and not data.completed_in_period(rows)]
    parts = []
    if empty:
        parts.append(_("nội dung %(numbers)s không có nhiệm vụ trong kế hoạch") % {"numbers": ", ".join(empty)})
    if idle:
        parts.append(_("nội dung %(numbers)s chưa có nhiệm vụ hoàn thành trong kỳ") % {"numbers": ", ".join(idle)})
    return (_("Ghi chú: %(parts)s.") % {"parts": "; ".join(parts)}) if parts else ""


def _direction_parts(data: ReportData, by_area: dict) -> list[dict]:
    """Part I: direction, communication and the reports the agencies sent, each numbered when present."""
    parts = [(area, by_area[area]) for area in DIRECTION_AREAS if by_area.get(area)]
    found = [_area_part(data, n, area, rows) for n, (area, rows) in enumerate(parts, start=1)]
    if data.agency_reports:
        found.append(
            {
                "tieu_de": f"{len(found) + 1}. {_('Báo cáo của các cơ quan, đơn vị')}",
                "tom_tat": _("Có %(n)s báo cáo định kỳ của các cơ quan, đơn vị trong kỳ (chi tiết tại Phụ lục).")
                % {"n": number(len(data.agency_reports))},
                "dong": _listed(
                    data.agency_reports,
                    lambda sent: (
                        f"- {sent.agency} ({sent.period}): "
                        f"{(sent.results or sent.difficulties or sent.proposals)[:600]}"
                    ),
                ),
            }
        )
    return found


def _shortcomings(data: ReportData, overdue: list[ReportRow]) -> list[dict]:
    """Part III: the overdue work; the causes the agencies gave in their reports (the portal knows no other)."""
    unit = _docx_unit(data)
    limits = {
        "tieu_de": _("1. Hạn chế"),
        "tom_tat": (
            _("Còn %(n)s %(unit)s quá hạn chưa hoàn thành:") % {"n": number(len(overdue)), "unit": unit}
            if overdue
            else _("Không có %(unit)s quá hạn.") % {"unit": unit}
        ),
        "dong": _listed(overdue, _due_line),
    }
    causes = [s for s in data.agency_reports if s.difficulties.strip()]
    reasons = {
        "tieu_de": _("2. Nguyên nhân"),
        "tom_tat": ""
        if causes
        else _("Các cơ quan, đơn vị chưa nêu khó khăn, vướng mắc trong báo cáo định kỳ của kỳ."),
        "dong": _listed(causes, lambda sent: f"- {sent.agency}: {sent.difficulties[:600]}"),
    }
    return [limits, reasons]


def _next_period(data: ReportData, overdue: list[ReportRow]) -> list[dict]:
    """Part IV: the tasks due in the next period, the overdue ones first; the agencies' proposals."""
    start, end = data.next_period()
    upcoming = [r for r in data.rows if r.status not in DONE and r.task.due_date and start <= r.task.due_date <= end]
    found = []
    if overdue or upcoming:
        lines = [_("- Tập trung hoàn thành các nhiệm vụ đã quá hạn.")] if overdue else []
        found.append(
            {
                "tieu_de": _("1. Các nhiệm vụ cần hoàn thành"),
                "tom_tat": "",
                "dong": lines + _listed(upcoming, _due_line),
            }
        )
    proposals = [s for s in data.agency_reports if s.proposals.strip()]
    if proposals:
        found.append(
            {
                "tieu_de": f"{len(found) + 1}. {_('Đề xuất, kiến nghị của các cơ quan, đơn vị')}",
                "tom_tat": "",
                "dong": _listed(proposals, lambda sent: f"- {sent.agency}: {sent.proposals[:600]}"),
            }
        )
    return found


def _docx_unit(data: ReportData) -> str:
    """What the report counts: the agency's shares or the province's tasks."""
    return _("phần việc được giao") if data.is_agency else _("nhiệm vụ")


def _body_parts(data: ReportData) -> dict:
    """Parts I to IV of the report, and what each says once when it is (partly) empty."""
    grouped = dict(data.by_area())
    numbered = [(n, area, grouped.get(area, [])) for n, area in enumerate(SIX_AREAS, start=1)]
    if grouped.get(CchcArea.OTHER):
        numbered.append((len(numbered) + 1, CchcArea.OTHER, grouped[CchcArea.OTHER]))
    overdue = [r for r in data.rows if r.status == OfficialStatus.OVERDUE]
    direction = _direction_parts(data, grouped)
    upcoming = _next_period(data, overdue)
    return {
        "chi_dao": direction,
        "chi_dao_trong": "" if direction else _("Trong kỳ không có nhiệm vụ chỉ đạo, điều hành, tuyên truyền."),
        "ket_qua": [_area_part(data, n, area, rows) for n, area, rows in numbered],
        "ket_qua_trong": _quiet(data, numbered),
        "han_che": _shortcomings(data, overdue),
        "han_che_trong": "",
        "nhiem_vu_ky_toi": upcoming,
        "nhiem_vu_ky_toi_trong": "" if upcoming else _("Tiếp tục triển khai các nhiệm vụ theo kế hoạch."),
    }


def _heading_texts(data: ReportData) -> dict:
    """The heading, the subject, the recipient and the opening sentences."""
    province = data.scope.province.name
    place = next((d.place for d in data.scope.documents if d.place), province)
    under_committee = data.issuer and fold(data.issuer.name).startswith(("ubnd tinh", "uy ban nhan dan tinh"))
    prefetch_related_objects(data.scope.documents, "issuer")
    references = "; ".join(_document_reference(d) for d in data.scope.documents) or _(
        "kế hoạch cải cách hành chính của tỉnh"
    )
    recipient = _("Sở Nội vụ") if data.is_agency else _("Ủy ban nhân dân tỉnh %(province)s") % {"province": province}
    return {
        "co_quan_chu_quan": "" if under_committee else _("UBND TỈNH %(province)s") % {"province": province.upper()},
        "co_quan_ban_hanh": data.issuer_name.upper(),
        "so_ky_hieu": data.symbol,
        "dia_danh_ngay": _("%(place)s, ngày … tháng … năm %(year)s") % {"place": place, "year": data.scope.today.year},
        "trich_yeu": data.title,
        "kinh_gui": recipient,
        "mo_dau": clean(
            _(
                "Thực hiện %(references)s; %(issuer)s báo cáo kết quả thực hiện công tác cải cách hành chính "
                "%(period)s như sau:"
            )
            % {"references": references, "issuer": data.issuer_name, "period": data.period.name}
        ),
        "so_lieu_den_ngay": _("Số liệu tính đến ngày %(date)s (%(unit)s):")
        % {"date": day(data.as_of), "unit": _docx_unit(data)},
        "tong_hop": _summary(data.counts()),
        "ket_thuc": _("Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính %(period)s của %(issuer)s./.")
        % {"period": data.period.name, "issuer": data.issuer_name},
        "ten_tinh": province,
        "ky_bao_cao": str(data.period.name),
    }


def _appendix_lines(data: ReportData):
    """Yield the appendix's lines one by one: the template reads them as it writes the table, none is kept."""
    for kind, item in _grouped(data):
        if kind == "document":
            yield {
                "nhom": True,
                "stt": "",
                "ten": clean(f"{item.get_doc_type_display()} {item.display_number}: {item.title}"),
            }
        elif kind == "section":
            yield {"nhom": True, "stt": clean(item.number), "ten": clean(item.title)}
        else:
            title = item.task.title
            if data.is_agency:
                title += "\n" + _("(Vai trò: %(role)s)") % {"role": item.role}
            yield {
                "nhom": False,
                "stt": clean(item.task.number),
                "ten": clean(title),
                "chu_tri": clean(item.lead),
                "phoi_hop": clean(item.task.cooperating_text),
                "thoi_han": clean(item.deadline),
                "tinh_trang": str(item.status.label),
                "tien_do": number(item.progress),
                "ket_qua": clean(item.result),
                "kiem_chung": clean(item.evidence),
            }


def report_context(data: ReportData, settings=None) -> dict:
    """Return what the Word template is filled with (``wordreport`` lists the placeholders)."""
    symbol = data.symbol.removeprefix(_("Số: "))
    return {
        **_heading_texts(data),
        **_body_parts(data),
        "noi_nhan": _recipients(data, settings),
        "nguoi_ky": _signer(data, settings),
        "phu_luc": {
            "tieu_de": data.title,
            "kem_theo": _("(Kèm theo Báo cáo %(symbol)s của %(issuer)s)")
            % {"symbol": symbol, "issuer": data.issuer_name},
            "so_lieu_den_ngay": _("Số liệu tính đến ngày %(date)s") % {"date": day(data.as_of)},
            "dong": _appendix_lines(data),
        },
    }


def build_docx(data: ReportData) -> bytes:
    """Return the report as a Word document: the province's template (or the default one) filled in Vietnamese."""
    with translation.override("vi"):
        settings = _province_settings(data)
        context = report_context(data, settings)
        return wordreport.render_report(context, settings.template_bytes() if settings is not None else None)


# --- what an uploaded template is checked with ----------------------------------------------------------


def _sample_rows(document: Document, today: datetime.date) -> list[ReportRow]:
    """Three tasks of one section: done in the period (with a result and evidence), overdue, due next period."""
    section = Section(pk=1, document=document, number="II", title=str(AREA_HEADINGS[CchcArea.INSTITUTIONS]))
    section.area = CchcArea.INSTITUTIONS
    rows = []
    for pk, status, due, result in [
        (1, OfficialStatus.DONE_ON_TIME, today, "Đã ban hành kế hoạch"),
        (2, OfficialStatus.OVERDUE, today.replace(day=1), ""),
        (3, OfficialStatus.NOT_STARTED, today + datetime.timedelta(days=40), ""),
    ]:
        task = Task(
            pk=pk,
            document=document,
            section=section,
            number=str(pk),
            title=f"Nhiệm vụ mẫu số {pk}",
            lead_text="Sở Tư pháp",
            cooperating_text="Các sở, ban, ngành",
            deadline_text="",
            due_date=due,
        )
        done = today if status == OfficialStatus.DONE_ON_TIME else None
        rows.append(ReportRow(task, status, 100 if done else 0, done, result, "Văn bản số 1/KH-STP" if done else ""))
    return rows


def sample_contexts(province) -> list[dict]:
    """The contexts an uploaded template must render with (no query): a province report with something in every
    part, an agency's report, and a report with nothing in it."""
    from django.contrib.auth.models import AnonymousUser

    from cchc_portal.reports.services import SentReport

    today = datetime.date(timezone.localdate().year, 3, 20)
    period = ReportPeriod(today.year, "quarter", 1)
    document = Document(pk=1, province=province, number="1/KH-UBND", title="Cải cách hành chính", year=today.year)
    issuer = Agency(name=_("Sở Nội vụ"), short_name="SNV", province=province)
    sent = SentReport("Sở Tư pháp", "Hằng quý", "Quý I", "", None, True, "Kết quả", "Khó khăn", "Kiến nghị")
    contexts = []
    with translation.override("vi"):
        for agency, rows, reports in [(None, True, [sent]), (issuer, True, []), (None, False, [])]:
            scope = Scope(AnonymousUser(), province, today, [document], [document], today.year, agency=agency)
            data = ReportData(scope, period, today, issuer, _sample_rows(document, today) if rows else [], {}, reports)
            context = report_context(data)
            context["phu_luc"]["dong"] = list(context["phu_luc"]["dong"])
            contexts.append(context)
    return contexts
