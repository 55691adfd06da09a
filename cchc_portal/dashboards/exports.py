"""The periodic CCHC report of a month, quarter, half-year or year: an .xlsx appendix and a .docx report.

The province's report (Sở Nội vụ, reviewers) counts tasks, as the overview does; an agency's report to
Sở Nội vụ counts its own shares (assignments). Figures are those at the end of the period, or today
while the period runs: a share counts as done if it was completed by then; otherwise its state is the
one of its last progress update made by then (none: not started). Results and evidence come from the
last updates made by then.

The .docx follows the layout of Decree 30/2020/NĐ-CP roughly: A4, Times New Roman 13–14 pt, the issuing
body and the national motto side by side, number and place-date lines, the title, the figures and
notable results by CCHC area, the signature block, and the appendix table on a landscape page.

Every text cell of the spreadsheet that starts with = + - @, a tab or a carriage return is prefixed with
an apostrophe so that no spreadsheet runs it as a formula; numbers stay numbers.
"""

from __future__ import annotations

import copy
import datetime
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from cchc_portal.dashboards.formatting import day, number, percent
from cchc_portal.dashboards.periods import ReportPeriod
from cchc_portal.dashboards.queries import DONE, STATUSES, Counts, responsible, task_status_of, unassigned_status
from cchc_portal.dashboards.scope import Scope
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
ROMAN_NUMERALS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]


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
    return f"{text} {_('về')} {title[:1].lower()}{title[1:]}"


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

# Who signs a report, from how the agency's name begins (folded): the head of a department is its director…
SIGNER_TITLES = [
    ("so ", gettext_lazy("GIÁM ĐỐC")),
    ("van phong", gettext_lazy("CHÁNH VĂN PHÒNG")),
    ("ubnd", gettext_lazy("CHỦ TỊCH")),
    ("uy ban", gettext_lazy("CHỦ TỊCH")),
    ("ban ", gettext_lazy("TRƯỞNG BAN")),
]


def _signer_title(name: str) -> str:
    folded = fold(name)
    return str(next((title for prefix, title in SIGNER_TITLES if folded.startswith(prefix)), _("THỦ TRƯỞNG CƠ QUAN")))


def _numbered(page):
    """Put the page number in the header, centred, from the second page on (Nghị định 30); the appendix's section
    inherits it. Return the section."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    page.different_first_page_header_footer = True
    line = page.header.paragraphs[0]
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    line._p.append(field)
    return page


def _quiet_areas(data: ReportData) -> str:
    """The areas with nothing completed in the period, said once ("" when every area has something)."""
    quiet = [ROMAN_NUMERALS[i] for i, (_area, rows) in enumerate(data.by_area()) if not data.completed_in_period(rows)]
    if not quiet:
        return ""
    return _("Các lĩnh vực chưa có nhiệm vụ hoàn thành trong kỳ: %(areas)s.") % {"areas": ", ".join(quiet)}


def build_docx(data: ReportData) -> bytes:
    """Return the report as a Word document (see the module docstring for its layout)."""
    with translation.override("vi"):
        word = _docx_document()
        province = data.scope.province.name
        place = next((d.place for d in data.scope.documents if d.place), province)
        _docx_heading(word, data, province, place)
        _docx_opening(word, data, province)
        numeral = _docx_areas(word, data)
        if quiet := _quiet_areas(data):
            _para(word, quiet, italic=True, indent=True, after=3)
        if data.agency_reports:  # what the agencies reported for the period, in their own words
            _docx_agency_reports(word, data, numeral)
            numeral += 1
        overdue = [r for r in data.rows if r.status == OfficialStatus.OVERDUE]
        _docx_shortcomings(word, data, numeral, overdue)
        _docx_outlook(word, data, numeral + 1, overdue)
        _docx_signature(word, data)
        _docx_appendix(word, data)
        buffer = io.BytesIO()
        word.save(buffer)
        return buffer.getvalue()


def _docx_document():
    """Return a new Word document: Times New Roman 14 pt, A4 portrait with the decree's margins, numbered pages."""
    from docx import Document as WordDocument  # heavy imports, only for exports
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    word = WordDocument()
    normal = word.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(14)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), "Times New Roman")
    normal.paragraph_format.space_after = Pt(0)
    page = _numbered(word.sections[0])
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.top_margin, page.bottom_margin, page.left_margin, page.right_margin = Mm(20), Mm(20), Mm(30), Mm(15)
    return word


def _para(container, text="", *, bold=False, italic=False, size=14, align=None, indent=False, after=0, before=0):
    """Add a paragraph of one run to ``container`` (justified unless told) and return it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    paragraph = container.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    paragraph.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.space_before = Pt(before)
    return paragraph


def _more(word, items: list) -> None:
    """Say how many more a shortened list has: the appendix holds them all."""
    if len(items) > BODY_LIST_LIMIT:
        _para(
            word,
            _("- Và %(n)s nhiệm vụ khác (chi tiết tại Phụ lục).") % {"n": number(len(items) - BODY_LIST_LIMIT)},
            indent=True,
        )


def _docx_unit(data: ReportData) -> str:
    """What the report counts: the agency's shares or the province's tasks."""
    return _("phần việc được giao") if data.is_agency else _("nhiệm vụ")


def _docx_heading(word, data: ReportData, province: str, place: str) -> None:
    """Add the heading table: the issuing body and number on the left, the national motto and place-date on the right."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    centre = WD_ALIGN_PARAGRAPH.CENTER
    header = word.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    left.width, right.width = Mm(65), Mm(100)
    # The issuing body: its superior on the first line ("UBND TỈNH PHÚ YÊN"), itself in bold below;
    # the provincial People's Committee has no superior line.
    first = left.paragraphs[0]
    first.alignment = centre
    if data.issuer and fold(data.issuer.name).startswith(("ubnd tinh", "uy ban nhan dan tinh")):
        run = first.add_run(data.issuer_name.upper())
        run.bold, run.font.size = True, Pt(13)
    else:
        first.add_run(_("UBND TỈNH %(province)s") % {"province": province.upper()}).font.size = Pt(13)
        _para(left, data.issuer_name.upper(), bold=True, size=13, align=centre)
    _para(left, "———————", size=10, align=centre)
    _para(left, data.symbol, size=13, align=centre, before=4)
    motto = right.paragraphs[0]
    motto.alignment = centre
    run = motto.add_run(_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    run.bold, run.font.size = True, Pt(12)
    _para(right, _("Độc lập - Tự do - Hạnh phúc"), bold=True, size=13, align=centre)
    _para(right, "———————————", size=10, align=centre)
    today = data.scope.today
    _para(
        right,
        _("%(place)s, ngày … tháng … năm %(year)s") % {"place": place, "year": today.year},
        italic=True,
        size=14,
        align=centre,
        before=4,
    )


def _docx_opening(word, data: ReportData, province: str) -> None:
    """Add the title, the recipient, the documents the report answers and the figures of the whole report."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(word, _("BÁO CÁO"), bold=True, size=14, align=centre, before=18)
    _para(word, data.title, bold=True, size=14, align=centre)
    _para(word, "—————", size=10, align=centre, after=6)
    recipient = _("Sở Nội vụ") if data.is_agency else _("Ủy ban nhân dân tỉnh %(province)s") % {"province": province}
    _para(word, _("Kính gửi: %(recipient)s") % {"recipient": recipient}, align=centre, after=12)

    references = "; ".join(_document_reference(d) for d in data.scope.documents) or _(
        "kế hoạch cải cách hành chính của tỉnh"
    )
    _para(
        word,
        _(
            "Thực hiện %(references)s; %(issuer)s báo cáo kết quả thực hiện công tác cải cách hành chính %(period)s như sau:"
        )
        % {"references": references, "issuer": data.issuer_name, "period": data.period.name},
        indent=True,
        after=6,
    )
    _para(
        word,
        _("Số liệu tính đến ngày %(date)s (%(unit)s):") % {"date": day(data.as_of), "unit": _docx_unit(data)},
        italic=True,
        indent=True,
    )
    _para(word, _summary(data.counts()), indent=True, after=6)


def _docx_areas(word, data: ReportData) -> int:
    """Add one numbered part per CCHC area (figures, notable results, overdue tasks); return how many."""
    numeral = 0
    for area, rows in data.by_area():
        heading = f"{ROMAN_NUMERALS[numeral]}. {AREA_HEADINGS[area]}"
        numeral += 1
        _para(word, heading, bold=True, before=6, after=3)
        _para(
            word,
            _("1. Kết quả thực hiện: %(summary)s") % {"summary": _summary(data.counts(rows))},
            indent=True,
            after=3,
        )
        notable = data.completed_in_period(rows)
        if notable:  # an area without any is said once, after the areas (``_quiet_areas``)
            _para(word, _("2. Kết quả nổi bật trong kỳ:"), indent=True)
        for row in notable[:BODY_LIST_LIMIT]:
            line = f"- {row.task.title} ({row.lead})"
            if row.result:
                line += f": {row.result}"
            _para(word, line, indent=True)
        _more(word, notable)
        late = [r for r in rows if r.status == OfficialStatus.OVERDUE]
        if late:
            _para(word, _("3. Nhiệm vụ quá hạn chưa hoàn thành:"), indent=True)
            for row in late[:BODY_LIST_LIMIT]:
                _para(word, f"- {row.task.title} ({row.lead}; {_('thời hạn')}: {row.deadline})", indent=True)
            _more(word, late)
        _para(word, "", after=3)
    return numeral


def _docx_agency_reports(word, data: ReportData, numeral: int) -> None:
    """Add the part numbered ``numeral``: what the agencies sent for the period, in their own words."""
    _para(word, f"{ROMAN_NUMERALS[numeral]}. {_('Báo cáo của các cơ quan, đơn vị')}", bold=True, before=6, after=3)
    _para(
        word,
        _("Có %(n)s báo cáo định kỳ của các cơ quan, đơn vị trong kỳ (chi tiết tại Phụ lục).")
        % {"n": number(len(data.agency_reports))},
        indent=True,
    )
    for sent in data.agency_reports[:BODY_LIST_LIMIT]:
        text = sent.results or sent.difficulties or sent.proposals
        _para(word, f"- {sent.agency} ({sent.period}): {text[:600]}", indent=True)
    if len(data.agency_reports) > BODY_LIST_LIMIT:
        left = len(data.agency_reports) - BODY_LIST_LIMIT
        _para(word, _("- Và %(n)s báo cáo khác (chi tiết tại Phụ lục).") % {"n": number(left)}, indent=True)


def _docx_shortcomings(word, data: ReportData, numeral: int, overdue: list[ReportRow]) -> None:
    """Add the part numbered ``numeral`` on shortcomings: how many are overdue, if any."""
    unit = _docx_unit(data)
    _para(word, f"{ROMAN_NUMERALS[numeral]}. {_('Tồn tại, hạn chế')}", bold=True, before=6, after=3)
    if overdue:
        _para(
            word,
            _("Còn %(n)s %(unit)s quá hạn chưa hoàn thành (chi tiết tại Phụ lục).")
            % {"n": number(len(overdue)), "unit": unit},
            indent=True,
        )
    else:
        _para(word, _("Không có %(unit)s quá hạn.") % {"unit": unit}, indent=True)


def _docx_outlook(word, data: ReportData, numeral: int, overdue: list[ReportRow]) -> None:
    """Add the part numbered ``numeral`` on the next period (the tasks due in it) and the closing sentence."""
    start, end = data.next_period()
    upcoming = [r for r in data.rows if r.status not in DONE and r.task.due_date and start <= r.task.due_date <= end]
    _para(word, f"{ROMAN_NUMERALS[numeral]}. {_('Phương hướng, nhiệm vụ kỳ tới')}", bold=True, before=6, after=3)
    if overdue:
        _para(word, _("- Tập trung hoàn thành các nhiệm vụ đã quá hạn."), indent=True)
    for row in upcoming[:BODY_LIST_LIMIT]:
        _para(word, f"- {row.task.title} ({row.lead}; {_('thời hạn')}: {row.deadline})", indent=True)
    _more(word, upcoming)
    if not overdue and not upcoming:
        _para(word, _("- Tiếp tục triển khai các nhiệm vụ theo kế hoạch."), indent=True)
    _para(
        word,
        _("Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính %(period)s của %(issuer)s./.")
        % {"period": data.period.name, "issuer": data.issuer_name},
        indent=True,
        before=6,
        after=12,
    )


def _docx_signature(word, data: ReportData) -> None:
    """Add the signature table: the recipients on the left, the signer's title on the right."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    signature = word.add_table(rows=1, cols=2)
    recipients, signer = signature.rows[0].cells
    recipients.width, signer.width = Mm(85), Mm(80)
    first = recipients.paragraphs[0]
    run = first.add_run(_("Nơi nhận:"))
    run.bold, run.italic, run.font.size = True, True, Pt(12)
    for line in ([_("- Như trên;")] if data.is_agency else [_("- UBND tỉnh (b/c);"), _("- Bộ Nội vụ (b/c);")]) + [
        _("- Lưu: VT.")
    ]:
        _para(recipients, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    first = signer.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = first.add_run(_signer_title(data.issuer_name))
    run.bold, run.font.size = True, Pt(14)


def _docx_appendix(word, data: ReportData) -> None:
    """Add the appendix on a landscape page: its titles and the table of every task."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    centre = WD_ALIGN_PARAGRAPH.CENTER
    appendix = word.add_section(WD_SECTION.NEW_PAGE)
    appendix.orientation = WD_ORIENT.LANDSCAPE
    appendix.page_width, appendix.page_height = Mm(297), Mm(210)
    appendix.top_margin, appendix.bottom_margin, appendix.left_margin, appendix.right_margin = (
        Mm(20),
        Mm(20),
        Mm(20),
        Mm(15),
    )
    _para(word, _("PHỤ LỤC"), bold=True, align=centre)
    _para(word, data.title, bold=True, align=centre)
    _para(
        word,
        _("(Kèm theo Báo cáo %(symbol)s của %(issuer)s)")
        % {"symbol": data.symbol.removeprefix(_("Số: ")), "issuer": data.issuer_name},
        italic=True,
        size=13,
        align=centre,
        after=6,
    )
    _docx_appendix_table(word, data)


def _fill(cell, text, *, bold=False, align=None, width=None) -> None:
    """Put ``text`` into a table cell as one 12 pt run, with its alignment and width if given."""
    from docx.shared import Mm, Pt

    cell.text = ""
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run("" if text is None else str(text))
    run.bold, run.font.size = bold, Pt(12)
    if align is not None:
        paragraph.alignment = align
    if width is not None:
        cell.width = Mm(width)


def _docx_appendix_table(word, data: ReportData) -> None:
    """Add the appendix table: a repeated header row, then every task under its document and section bands."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    centre = WD_ALIGN_PARAGRAPH.CENTER
    columns = _columns(data)
    widths = _docx_widths(len(columns))
    table = word.add_table(rows=3, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header_row, task_row, band_row = table.rows
    progress_index = len(columns) - 3
    for index, (cell, (title, _width), width) in enumerate(zip(header_row.cells, columns, widths, strict=True)):
        _fill(cell, title, bold=True, align=centre, width=width)
        _fill(task_row.cells[index], "", align=centre if index in (0, progress_index) else None, width=width)
    _fill(band_row.cells[0], "", bold=True, align=centre, width=widths[0])
    _fill(band_row.cells[1].merge(band_row.cells[-1]), "", bold=True)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_row._tr.get_or_add_trPr().append(repeat)
    # Each appendix line is a copy of one of the two prototype rows with its texts put in: python-docx's
    # add_row() walks the whole table for every row, hours on a 5,000-task appendix.
    task_xml, band_xml = task_row._tr, band_row._tr
    tbl = table._tbl
    for kind, item in _grouped(data):
        if kind == "row":
            values = [number(v) if isinstance(v, int) else v for v in _cells(data, item)]
            tbl.append(_clone_row(task_xml, values, qn))
        else:
            label = (
                f"{item.get_doc_type_display()} {item.display_number}: {item.title}"
                if kind == "document"
                else item.title
            )
            tbl.append(_clone_row(band_xml, ["" if kind == "document" else item.number, label], qn))
    tbl.remove(task_xml)
    tbl.remove(band_xml)


def _clone_row(prototype, values: list, qn):
    """Return a copy of a table row (``w:tr``) whose cells hold ``values``; line breaks become ``w:br``."""
    tc, r, t, br = qn("w:tc"), qn("w:r"), qn("w:t"), qn("w:br")
    preserve = {"{http://www.w3.org/XML/1998/namespace}space": "preserve"}
    row = copy.deepcopy(prototype)
    for cell, value in zip(row.iter(tc), values, strict=False):
        run = next(cell.iter(r))
        for old in run.findall(t):
            run.remove(old)
        for index, line in enumerate(("" if value is None else str(value)).split("\n")):
            if index:
                run.append(run.makeelement(br, {}))
            text = run.makeelement(t, preserve)
            text.text = _ILLEGAL.sub("", line)
            run.append(text)
    return row


def _docx_widths(count: int) -> list[int]:
    """Column widths in mm on a landscape A4 page (262 mm between the margins)."""
    base = [11, 62, 30, 30, 22, 24, 14, 45, 24]
    if count == len(base) + 1:  # the agency's role column
        base = [11, 56, 27, 27, 16, 20, 22, 14, 45, 24]
    return base
