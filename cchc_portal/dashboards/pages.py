"""What the dashboard templates show: every figure as text, with the link to the work behind it.

The figures come from ``queries``; here they become cells (text + link), chart SVG and labels, so that
templates only loop and print (no arithmetic, no colour rules, no permission checks in templates).

Every number links to the dashboard's own list of the tasks behind it (``dashboard:tasks``), which works
whatever the task list of issue 4 supports; that list links on to ``/tasks/?document=…&status=…&agency=…
&section=…`` for the same work.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, QueryDict
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from cchc_portal.dashboards import charts, queries
from cchc_portal.dashboards.formatting import day, number, percent, share
from cchc_portal.dashboards.periods import PeriodType, ReportPeriod, period_choices
from cchc_portal.dashboards.queries import COLOURS, DONE_FILTER, STATUSES, Counts, DrillFilters
from cchc_portal.dashboards.scope import Scope, path
from plans.areas import CchcArea
from plans.models import Document, Section
from tasks.models import AssignmentRole, OfficialStatus, ProgressUpdate, Task, WorkState

JUDGEMENT_LABELS = {
    "green": gettext_lazy("Đúng tiến độ"),
    "orange": gettext_lazy("Đang tiến triển"),
    "red": gettext_lazy("Có nguy cơ không đạt"),
    "grey": gettext_lazy("Chưa đủ căn cứ đánh giá"),
}


@dataclass
class Cell:
    """A figure as shown, and where clicking it leads."""

    text: str
    url: str = ""


def drill(scope: Scope, **filters) -> str:
    return scope.url("dashboard:tasks", **filters)


def task_page_url(scope: Scope, *, status: str = "", agency: int | None = None, section: int | None = None) -> str:
    """Return the matching list of the portal's task page (issue 4): ``/tasks/?document=&status=&agency=&section=``."""
    params: dict[str, str] = {}
    if scope.document is not None:
        params["document"] = str(scope.document.pk)
    if status in OfficialStatus.values:
        params["status"] = status
    agency = agency if agency is not None else (scope.agency.pk if scope.agency else None)
    if agency is not None:
        params["agency"] = str(agency)
    if section is not None:
        params["section"] = str(section)
    return f"{path('tasks:list')}?{urlencode(params)}" if params else path("tasks:list")


def status_segments(counts: Counts) -> list[charts.Segment]:
    return [charts.Segment(str(s.label), counts[s], COLOURS[s]) for s in STATUSES]


def figure_cells(scope: Scope, counts: Counts, **filters) -> dict[str, Cell]:
    """Return the cells of one row of a progress table: total, each status, done, completion, progress."""
    # The links are ``drill(scope, status=…, **filters)``, the scope's own part encoded once for the row.
    prefix = drill(scope)
    prefix += "" if prefix.endswith("?") else "&"
    tail = urlencode({key: value for key, value in filters.items() if value not in (None, "")})
    tail = f"&{tail}" if tail else ""
    cells = {"total": Cell(number(counts.total), drill(scope, **filters))}
    for status in STATUSES:
        cells[status.value] = Cell(number(counts[status]), f"{prefix}status={status.value}{tail}")
    cells["done"] = Cell(number(counts.done), f"{prefix}status={DONE_FILTER}{tail}")
    cells["completion"] = Cell(percent(counts.completion))
    cells["progress"] = Cell(percent(counts.mean_progress))
    return cells


FIGURE_ROW = (
    "<tr><td>{label}</td>"
    + "".join(
        f'<td class="num"><a href="{{{key}_url}}">{{{key}}}</a></td>' for key in ("total", *(s.value for s in STATUSES))
    )
    + '<td class="num">{completion}</td><td class="num">{progress}</td></tr>'
)


def figure_row_html(label, cells: dict[str, Cell]) -> str:
    """Draw one row of a progress table (one ``format_html``: a page has dozens of such rows)."""
    values = {key: cell.text for key, cell in cells.items()} | {f"{key}_url": cell.url for key, cell in cells.items()}
    return format_html(FIGURE_ROW, label=label, **values)


def _section_label(section: Section | None) -> str:
    if section is None:
        return _("Nhiệm vụ không thuộc mục nào")
    return f"{section.number}. {section.title}" if section.number else section.title


def indicator_rows(figures: queries.IndicatorFigures) -> list[dict]:
    """Turn the judge's verdicts into table rows (the judge decides the verdict and its colour; we print them).

    Reads the agreed fields of ``indicators.judging.Judgement`` (target, indicator, agency, latest, value,
    verdict, colour) and its optional ``note``.
    """
    rows = []
    for judgement in figures.judgements:
        target, indicator, latest = judgement.target, judgement.indicator, judgement.latest
        unit = target.unit or indicator.unit
        if target.value_text:
            goal = target.value_text
        elif target.value is not None:
            goal = number(target.value)
        else:
            goal = indicator.target_text or "—"
        period = ""
        if latest is not None:
            period = _("kỳ %(start)s – %(end)s") % {"start": day(latest.period_start), "end": day(latest.period_end)}
        verdict = judgement.verdict
        rows.append(
            {
                "indicator": f"{indicator.number}. {indicator.name}" if indicator.number else indicator.name,
                "target": f"{goal} {unit}".strip() if goal != "—" else goal,
                "who": judgement.agency.name if judgement.agency else (target.applies_to_text or _("Toàn tỉnh")),
                "value": f"{number(judgement.value)} {unit}".strip() if judgement.value is not None else "—",
                "period": period,
                "verdict": str(getattr(verdict, "label", verdict)),
                "note": str(getattr(judgement, "note", "")),
                "colour": judgement.colour,
                "colour_label": str(JUDGEMENT_LABELS.get(judgement.colour, JUDGEMENT_LABELS["grey"])),
            }
        )
    return rows


def _names(names: list[str], shown: int = 3) -> str:
    """Return up to ``shown`` names, then how many more ("A, B, C và 17 cơ quan khác")."""
    if len(names) <= shown + 1:
        return ", ".join(names)
    return _("%(names)s và %(n)s cơ quan khác") % {"names": ", ".join(names[:shown]), "n": number(len(names) - shown)}


def _lines(scope: Scope, lines: list[queries.TaskLine], *, overdue: bool) -> list[dict]:
    rows = []
    for line in lines:
        days = (
            _("quá hạn %(n)s ngày") % {"n": number(line.days)}
            if overdue
            else _("còn %(n)s ngày") % {"n": number(line.days)}
        )
        rows.append(
            {
                "number": line.task.full_number,
                "title": line.task.title,
                "url": line.task.get_absolute_url(),
                "document": line.task.document.display_number,
                "agencies": _names(line.agencies),
                "due": day(line.due),
                "deadline_text": line.task.deadline_text,
                "days": days if line.due else "",
                "colour": COLOURS.get(line.status, "grey"),
                "status": str(OfficialStatus(line.status).label),
            }
        )
    return rows


def _period_block(scope: Scope, block: queries.PeriodReports | None) -> dict | None:
    if block is None:
        return None
    return {
        "label": block.period.label,
        "due": day(block.due),
        "is_due": block.is_due,
        "submitted": number(block.submitted),
        "expected": number(block.expected),
        "on_time": number(block.on_time),
        "share": percent(share(block.submitted, block.expected)),
        "missing": [
            {"name": name, "url": scope.url("dashboard:overview", agency=pk) if scope.can_choose_agency else ""}
            for pk, name in block.missing
        ],
        "missing_html": format_html_join(
            "",
            '<li><a href="{}">{}</a></li>' if scope.can_choose_agency else "<li>{}{}</li>",
            (
                (scope.url("dashboard:overview", agency=pk) if scope.can_choose_agency else "", name)
                for pk, name in block.missing
            ),
        ),
        "missing_count": number(len(block.missing)),
        # An agency's own page says it in words: sent (on time or late), or not yet.
        "own": (
            (_("Cơ quan đã gửi báo cáo, đúng hạn.") if block.on_time else _("Cơ quan đã gửi báo cáo, sau hạn."))
            if block.submitted
            else (
                _("Cơ quan chưa gửi báo cáo.")
                if block.expected
                else _("Cơ quan không thuộc diện phải gửi báo cáo này.")
            )
        )
        if scope.is_agency_view
        else "",
    }


RANKING_ROW = (
    '<tr data-agency="{name}"><td class="num">{rank}</td><td><a href="{url}">{name}</a>{successor}</td>'
    '<td class="num"><a href="{total_url}">{total}</a></td><td class="num"><a href="{lead_url}">{lead}</a></td>'
    '<td class="num"><a href="{done_url}">{done}</a></td><td class="num">{completion}</td><td class="num">{on_time}</td>'
    '<td class="num {overdue_class}"><a href="{overdue_url}">{overdue}</a></td>'
    '<td class="num">{reports}{reports_share}</td><td class="num">{reports_on_time}</td></tr>'
)


def _ranking_rows(scope: Scope, ranking: list[queries.AgencyFigures], shown: set[int]) -> list[dict]:
    """The ranking table's rows; those ``shown`` (the agency ids of the "latest agencies" tab) also drawn as HTML
    here (``html``, one ``format_html`` a row): the template engine would take longer than the figures."""
    rows = []
    rank = 0
    successor_text = _("nay thuộc %(successor)s")
    # The ranking is a province's page: its links only add the agency (and a filter) to the scope's own.
    drill_base, overview_base = scope.url("dashboard:tasks"), scope.url("dashboard:overview")
    for figures in ranking:
        if figures.counts.total:
            rank += 1
        row = _ranking_row(figures, rank, drill_base, overview_base)
        if figures.agency_id in shown:
            row["html"] = _ranking_row_html(row, successor_text)
        rows.append(row)
    return rows


def _ranking_row(figures: queries.AgencyFigures, rank: int, drill_base: str, overview_base: str) -> dict:
    """One agency's ranking figures as texts and cells, its links added to the scope's drill and overview URLs."""
    counts = figures.counts
    agency_link = f"{drill_base}&agency={figures.agency_id}"
    lead_filter = f"&role={AssignmentRole.LEAD.value}"
    done_filter, overdue_filter = f"&status={DONE_FILTER}", f"&status={OfficialStatus.OVERDUE.value}"
    return {
        "agency_id": figures.agency_id,  # (the "worst agencies" tab picks its rows by it)
        "rank": number(rank) if counts.total else "",
        "name": figures.name,
        "url": f"{overview_base}&agency={figures.agency_id}",
        "successor": figures.successor,
        "total": Cell(number(counts.total), agency_link),
        "lead": Cell(number(figures.lead), agency_link + lead_filter),
        "done": Cell(number(counts.done), agency_link + done_filter),
        "completion": percent(counts.completion),
        "on_time": percent(counts.on_time_rate),
        "overdue": Cell(number(counts.overdue), agency_link + overdue_filter),
        "overdue_class": "num-bad" if counts.overdue else "",
        "reports": (
            f"{number(figures.reports_submitted)}/{number(figures.reports_expected)}" if figures.is_reporter else "—"
        ),
        "reports_share": percent(figures.report_completeness) if figures.is_reporter else "",
        "reports_on_time": percent(figures.report_timeliness) if figures.is_reporter else "—",
    }


def _ranking_row_html(row: dict, successor_text: str) -> str:
    """Draw one ranking row (from ``_ranking_row``) as the table's ``<tr>``."""
    successor = ""
    if row["successor"]:
        successor = format_html(' <span class="muted">({})</span>', successor_text % {"successor": row["successor"]})
    return format_html(
        RANKING_ROW,
        name=row["name"],
        rank=row["rank"],
        url=row["url"],
        successor=successor,
        total=row["total"].text,
        total_url=row["total"].url,
        lead=row["lead"].text,
        lead_url=row["lead"].url,
        done=row["done"].text,
        done_url=row["done"].url,
        completion=row["completion"],
        on_time=row["on_time"],
        overdue_class=row["overdue_class"],
        overdue=row["overdue"].text,
        overdue_url=row["overdue"].url,
        reports=row["reports"],
        reports_share=format_html(' <span class="muted">({})</span>', row["reports_share"])
        if row["reports_share"]
        else "",
        reports_on_time=row["reports_on_time"],
    )


def default_period(scope: Scope) -> ReportPeriod:
    """The quarter of today, or the last quarter of a past year (the first of a coming year)."""
    year = scope.reference_year
    today = scope.today
    if today.year == year:
        return ReportPeriod.containing(PeriodType.QUARTER, today)
    return ReportPeriod(year, PeriodType.QUARTER, 4 if today.year > year else 1)


MATRIX_PAGE = 25  # agencies per page of the agencies × areas table
WORST_SHOWN = 10  # agencies in the "latest agencies" tab
CELL = (
    '<td class="num cell"><a href="{url}" title="{title}">'
    '<span class="n-red">{overdue}</span> <span class="n-blue">{open}</span> <span class="n-green">{done}</span></a></td>'
)
EMPTY_CELL = '<td class="num cell muted">·</td>'
MATRIX_ROW = '<tr><th scope="row"><a href="{url}">{name}</a>{successor}</th>{cells}<td class="num">{total}</td></tr>'


def _cell(counts: queries.Counts, url: str, title: str) -> str:
    """One cell of the agencies × areas table: overdue, open and done shares, one link to them. ``url`` and
    ``title`` (a translated text with %(overdue)s, %(open)s and %(done)s) arrive HTML-escaped; the rest are
    numbers. Plain ``str.format``: a page draws 225 cells, and ``format_html`` escaped each piece again."""
    total, done, overdue = counts.total, counts.done, counts.overdue
    if not total:
        return EMPTY_CELL
    open_ = total - done - overdue
    texts = {"overdue": number(overdue), "open": number(open_), "done": number(done)}
    return CELL.format(
        url=url,
        title=title % texts,
        overdue=texts["overdue"] if overdue else "",
        open=texts["open"] if open_ else "",
        done=texts["done"] if done else "",
    )


def _matrix_row(scope: Scope, figures: queries.AgencyFigures, areas: list, drill_base: str, overview: str) -> str:
    """One agency's row of the agencies × areas table (its name escaped here; the cells from ``_cell``)."""
    title = conditional_escape(_("Quá hạn %(overdue)s · Chưa hoàn thành, còn hạn %(open)s · Đã hoàn thành %(done)s"))
    cells = "".join(
        _cell(
            figures.areas.get(a.value, queries.Counts()),
            f"{drill_base}agency={figures.agency_id}&amp;area={a.value}",
            title,
        )
        for a in areas
    )
    successor = (
        format_html(' <span class="muted">({})</span>', _("nay thuộc %(successor)s") % {"successor": figures.successor})
        if figures.successor
        else ""
    )
    return format_html(
        MATRIX_ROW,
        url=f"{overview}&agency={figures.agency_id}",
        name=figures.name,
        successor=successor,
        cells=mark_safe(cells),  # noqa: S308 - built from escaped URLs and titles and numbers
        total=number(figures.counts.total),
    )


def agency_matrix(scope: Scope, ranking: list[queries.AgencyFigures], page: str | None) -> dict:
    """The agencies × CCHC areas table, latest agencies first, one page of MATRIX_PAGE agencies at a time:
    each cell counts the agency's shares in that area (overdue, open, done), each links to them."""
    working = sorted((f for f in ranking if f.counts.total), key=lambda f: f.lateness_key())
    present = {area for f in working for area in f.area_rows}
    areas = [area for area in CchcArea if area.value in present]
    page_obj = Paginator(working, MATRIX_PAGE).get_page(page)
    overview = scope.url("dashboard:overview")
    drill_base = drill(scope)  # "…/tasks/?year=2025" (or "…/tasks/?" without a parameter): the cells add theirs
    drill_base = conditional_escape(drill_base + ("" if drill_base.endswith("?") else "&"))
    rows = [_matrix_row(scope, figures, areas, drill_base, overview) for figures in page_obj.object_list]
    links = {}
    params = scope.params()
    if page_obj.has_previous():
        links["previous"] = f"?{urlencode({**params, 'trang': page_obj.previous_page_number()})}#co-quan"
    if page_obj.has_next():
        links["next"] = f"?{urlencode({**params, 'trang': page_obj.next_page_number()})}#co-quan"
    return {
        "areas": [{"label": a.label, "short": AREA_SHORT.get(a.value, a.label)} for a in areas],
        "rows": rows,
        "page": page_obj,
        "links": links,
        "agency_ids": [f.agency_id for f in page_obj.object_list],
        "count": number(len(working)),
    }


AREA_SHORT = {
    CchcArea.DIRECTION: gettext_lazy("Chỉ đạo"),
    CchcArea.INSTITUTIONS: gettext_lazy("Thể chế"),
    CchcArea.PROCEDURES: gettext_lazy("Thủ tục HC"),
    CchcArea.APPARATUS: gettext_lazy("Bộ máy"),
    CchcArea.CIVIL_SERVICE: gettext_lazy("Công vụ"),
    CchcArea.PUBLIC_FINANCE: gettext_lazy("Tài chính công"),
    CchcArea.DIGITAL_GOVERNMENT: gettext_lazy("Chính quyền số"),
    CchcArea.COMMUNICATION: gettext_lazy("Tuyên truyền"),
    CchcArea.OTHER: gettext_lazy("Khác"),
}


def overview_context(scope: Scope, page: str | None = None) -> dict:
    """Everything the overview page shows (the queries are listed in ``queries``): one screen of headline
    figures and the agencies × areas table, the rest in tabs. Indicators are judged for the province and the
    agencies of the table's page only."""
    table = None if scope.is_agency_view else queries.task_table(scope)
    figures = queries.progress(scope, table)
    reports = queries.reporting(scope)
    ranking = [] if scope.is_agency_view else queries.agency_ranking(scope, reports)
    matrix = None if scope.is_agency_view else agency_matrix(scope, ranking, page)
    overdue, soon_count, soon = _overview_task_lists(scope, table)
    # A province's indicators have their own page (judged 25 agencies at a time): not shown here, not computed.
    indicators = queries.indicator_judgements(scope) if scope.is_agency_view else None
    total = figures.total
    unit = _("phần việc") if scope.is_agency_view else _("nhiệm vụ")

    status_rows = _status_rows(scope, total)
    section_rows = _section_rows(scope, figures)
    area_rows = _area_rows(scope, figures)
    latest = sorted((f for f in ranking if f.counts.total), key=lambda f: f.lateness_key())[:WORST_SHOWN]
    ranking_rows = _ranking_rows(scope, ranking, {f.agency_id for f in latest})
    by_agency = {row["agency_id"]: row for row in ranking_rows}
    period = default_period(scope)
    agencies = _agency_options(scope)
    return {
        "scope": scope,
        "unit": unit,
        "agencies": agencies,
        "document_options": _document_options(scope),
        "total": _headline(scope, total, soon_count),
        "status_rows": status_rows,
        "section_rows": section_rows,
        "area_rows": area_rows,
        "ranking": ranking_rows,
        "matrix": matrix,
        "worst": [by_agency[f.agency_id] for f in latest],
        "duties": _duty_rows(scope, reports),
        "overdue": _lines(scope, overdue, overdue=True),
        "overdue_more": total.overdue > len(overdue),
        "soon": _lines(scope, soon, overdue=False),
        "soon_more": soon_count > len(soon),
        "soon_days": queries.SOON_DAYS,
        **(indicator_context(indicators) if indicators is not None else {}),
        "indicators_url": "" if indicators is not None else scope.url("dashboard:indicators"),
        "periods": period_choices(period.year),
        "period": period.param,
        "export_params": scope.params(),
        "today": day(scope.today),
    }


def _overview_task_lists(
    scope: Scope, table: queries.TaskTable | None
) -> tuple[list[queries.TaskLine], int, list[queries.TaskLine]]:
    """The overdue work, and the count and list of work due soon: an agency's own shares, or the province's tasks."""
    if table is None:  # an agency: its own shares
        return queries.agency_lists(scope)
    return queries.task_lists(scope, table)


def _status_rows(scope: Scope, total: Counts) -> list[dict]:
    """The rows of the by-status table: count (linked), share and the task page's matching list."""
    return [
        {
            "label": str(s.label),
            "colour": COLOURS[s],
            "count": Cell(number(total[s]), drill(scope, status=s.value)),
            "share": percent(share(total[s], total.total)),
            "tasks_url": task_page_url(scope, status=s.value),
        }
        for s in STATUSES
    ]


def _section_rows(scope: Scope, figures: queries.Progress) -> list[dict]:
    """The rows of the by-section table (the loose tasks of several documents merged into one row)."""
    section_rows = []
    several = len(scope.documents) > 1
    documents = {d.pk: d for d in scope.documents}
    # The tasks outside any section, of several documents (each agency's own plan: 131 in a province), are one row
    # rather than a row per document (301 KB of a 1.39 MB page).
    loose = [row for row in figures.sections if row.section is None] if several else []
    if len(loose) > 1:
        merged = Counts()
        for row in loose:
            merged.add(row.counts)
        kept = [row for row in figures.sections if row.section is not None]
        figures.sections = [*kept, queries.SectionFigures(None, 0, merged)]
    for row in figures.sections:
        section_id = row.section.pk if row.section else None
        filters = {"section": section_id} if section_id else {}
        entry = {
            "label": _section_label(row.section),
            "document": documents[row.document_id].display_number
            if several and row.document_id in documents
            else (_("%(n)s văn bản") % {"n": number(len(loose))} if len(loose) > 1 and row.section is None else ""),
            "area": row.section.get_area_display() if row.section else "",
            "cells": figure_cells(scope, row.counts, **filters),
        }
        label = format_html(
            "{}{}{}",
            format_html('<span class="muted">{}</span> ', entry["document"]) if entry["document"] else "",
            entry["label"],
            format_html(' <span class="muted">({})</span>', entry["area"]) if entry["area"] else "",
        )
        entry["html"] = figure_row_html(label, entry["cells"])
        section_rows.append(entry)
    return section_rows


def _area_rows(scope: Scope, figures: queries.Progress) -> list[dict]:
    """The rows of the by-CCHC-area table."""
    area_rows = []
    for area in figures.areas:
        entry = {"label": str(area.area.label), "cells": figure_cells(scope, area.counts, area=area.area.value)}
        entry["html"] = figure_row_html(entry["label"], entry["cells"])
        area_rows.append(entry)
    return area_rows


def _document_options(scope: Scope) -> str:
    """The ``<option>``s of the document chooser (a province has 131 documents: drawn here, not by the template)."""
    chosen = scope.document.pk if scope.document else None
    # The type's label looked up once: ``get_doc_type_display`` rebuilds the choices' dict on every call.
    kinds = {value: str(label) for value, label in Document._meta.get_field("doc_type").flatchoices}
    return format_html_join(
        "",
        '<option value="{}"{}>{} · {} {}{}</option>',
        (
            (
                str(d.pk),
                " selected" if d.pk == chosen else "",
                str(d.year),
                kinds.get(d.doc_type, d.doc_type),
                d.display_number,
                " ★" if d.is_followed else "",
            )
            for d in scope.choices
        ),
    )


def _agency_options(scope: Scope) -> str:
    """The ``<option>``s of the agency chooser, or "" when the user may not choose: the province's agencies that
    existed during the year shown (a 2026 view does not list the districts and departments that ended in 2025)."""
    agencies = ""
    if scope.can_choose_agency:
        chosen = scope.agency.pk if scope.agency else None
        existing = Q(pk=chosen) if chosen else Q(pk__in=[])
        if scope.year:
            existing |= (Q(valid_from__isnull=True) | Q(valid_from__lte=datetime.date(scope.year, 12, 31))) & (
                Q(valid_to__isnull=True) | Q(valid_to__gte=datetime.date(scope.year, 1, 1))
            )
        else:
            existing = Q()
        agencies = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(pk), " selected" if pk == chosen else "", name)
                for pk, name in Agency.objects.filter(existing, province=scope.province)
                .order_by("name")
                .values_list("pk", "name")
            ),
        )
    return agencies


def _headline(scope: Scope, total: Counts, soon_count: int) -> dict:
    """The headline figures of the overview, each linked to its list."""
    return {
        "count": Cell(number(total.total), drill(scope)),
        "done": Cell(number(total.done), drill(scope, status=DONE_FILTER)),
        "completion": percent(total.completion),
        "on_time": percent(total.on_time_rate),
        "overdue": Cell(number(total.overdue), drill(scope, status=OfficialStatus.OVERDUE)),
        "progress": percent(total.mean_progress),
        "soon": Cell(number(soon_count), drill(scope, due="soon")),
    }


def _duty_rows(scope: Scope, reports: queries.ReportingFigures) -> list[dict]:
    """The rows of the periodic reports tab: one per reporting duty, its last and current periods."""
    return [
        {
            "label": f"{d.duty.document.display_number} – {d.duty.get_frequency_display()}",
            "recipient": d.duty.recipient.name,
            "last": _period_block(scope, d.last),
            "current": _period_block(scope, d.current),
        }
        for d in reports.duties
    ]


def indicator_context(indicators: queries.IndicatorFigures) -> dict:
    return {
        "indicators": indicator_rows(indicators),
        "indicators_available": indicators.available,
        "indicator_summary": [
            {"colour": colour, "label": str(label), "count": number(indicators.count(colour))}
            for colour, label in JUDGEMENT_LABELS.items()
        ],
    }


def indicators_context(scope: Scope, page: str | None) -> dict:
    """The province's indicator page: the province targets and those of one page of MATRIX_PAGE agencies (by
    name); the other agencies' targets are neither loaded nor judged (``indicators.judging.judge``)."""
    agencies = Agency.objects.filter(province=scope.province).order_by("name").values_list("pk", "name")
    if scope.is_agency_view:
        agencies = agencies.filter(pk__in=scope.agency_ids)
    page_obj = Paginator(agencies, MATRIX_PAGE).get_page(page)
    shown = list(page_obj.object_list)
    indicators = queries.indicator_judgements(scope, [pk for pk, _name in shown])
    params = scope.params()
    links = {}
    if page_obj.has_previous():
        links["previous"] = f"?{urlencode({**params, 'trang': page_obj.previous_page_number()})}"
    if page_obj.has_next():
        links["next"] = f"?{urlencode({**params, 'trang': page_obj.next_page_number()})}"
    return {
        "scope": scope,
        **indicator_context(indicators),
        "page_obj": page_obj,
        "page_links": links,
        "agency_names": ", ".join(name for _pk, name in shown),
        "overview_url": scope.url("dashboard:overview"),
        "today": day(scope.today),
    }


def drill_filters(params: QueryDict | dict) -> DrillFilters:
    """Read the drill-down filters; an unknown status or area shows nothing rather than everything."""
    section = params.get("section")
    try:
        section_id = int(section) if section not in (None, "") else None
    except ValueError:
        raise Http404 from None
    return DrillFilters(
        status=params.get("status", ""),
        section=section_id,
        area=params.get("area", ""),
        role=params.get("role", ""),
        due=params.get("due", ""),
    )


def _describe(scope: Scope, filters: DrillFilters, section: Section | None) -> list[str]:
    """Say in words what the list holds ("Quá hạn", "Mục II. Cải cách thể chế", …)."""
    parts = []
    if filters.status == DONE_FILTER:
        parts.append(_("Đã hoàn thành (đúng hạn và quá hạn)"))
    elif filters.status in OfficialStatus.values:
        parts.append(str(OfficialStatus(filters.status).label))
    elif filters.status:
        parts.append(_("Tình trạng không hợp lệ"))
    if section is not None:
        parts.append(_("Mục %(section)s") % {"section": _section_label(section)})
    if filters.area in CchcArea.values:
        parts.append(_("Lĩnh vực: %(area)s") % {"area": CchcArea(filters.area).label})
    elif filters.area:
        parts.append(_("Lĩnh vực không hợp lệ"))
    if filters.role in AssignmentRole.values:
        parts.append(_("Vai trò: %(role)s") % {"role": AssignmentRole(filters.role).label})
    if filters.due == "soon":
        parts.append(_("Đến hạn trong %(n)s ngày tới") % {"n": queries.SOON_DAYS})
    return parts


def drilldown_context(scope: Scope, filters: DrillFilters, page: str | None) -> dict:
    """The list behind a number: tasks (province, per task) or the agency's shares (per assignment).

    Queries: the section named (when one is); for a province the task table (``queries.task_table``) and the
    page's tasks; for an agency the count and the page of its shares (with their latest note).
    """
    section = _drill_section(scope, filters)
    if scope.is_agency_view:
        page_obj, rows = _assignment_rows(scope, filters, page)
    else:
        page_obj, rows = _task_rows(scope, filters, page)
    return {
        "scope": scope,
        "rows": rows,
        "page_obj": page_obj,
        "count": number(page_obj.paginator.count),
        "page_links": _drill_page_links(scope, filters, page_obj),
        "per_assignment": scope.is_agency_view,
        "description": _describe(scope, filters, section),
        "overview_url": scope.url("dashboard:overview"),
        "tasks_url": task_page_url(scope, status=filters.status, section=filters.section),
        "several_documents": len(scope.documents) > 1,
        "today": day(scope.today),
    }


def _drill_section(scope: Scope, filters: DrillFilters) -> Section | None:
    """The section the filters name, of the scope's documents (Http404 for another one), or None."""
    section = None
    if filters.section is not None:
        section = Section.objects.filter(pk=filters.section, document_id__any_of=scope.document_ids).first()
        if section is None:
            raise Http404
    return section


def _assignment_rows(scope: Scope, filters: DrillFilters, page: str | None) -> tuple[Page, list[dict]]:
    """An agency's list: the page of its matching shares (with their latest note) and their rows."""
    rows = []
    latest = ProgressUpdate.objects.filter(assignment=OuterRef("pk")).order_by("-created_at", "-pk")
    qs = queries.drill_assignments(scope, filters).annotate(latest_note=Subquery(latest.values("note")[:1]))
    page_obj = Paginator(qs, 50).get_page(page)
    for share_ in page_obj.object_list:
        rows.append(
            {
                "number": share_.task.full_number,
                "title": share_.task.title,
                "url": share_.get_absolute_url(),
                "document": share_.task.document.display_number,
                "agency": share_.agency.name,
                "role": share_.get_role_display(),
                "deadline": share_.task.deadline_text,
                "due": day(share_.effective_due),
                "status": str(OfficialStatus(share_.status).label),
                "colour": COLOURS[OfficialStatus(share_.status)],
                "progress": percent(100 if share_.state == WorkState.DONE else share_.progress),
                "note": share_.latest_note or "",
            }
        )
    return page_obj, rows


def _task_rows(scope: Scope, filters: DrillFilters, page: str | None) -> tuple[Page, list[dict]]:
    """A province's list: the page of its matching tasks and their rows."""
    rows = []
    found = queries.drill_tasks(scope, filters)
    page_obj = Paginator(found, 50).get_page(page)
    tasks = Task.objects.select_related("section", "document").in_bulk([r.pk for r in page_obj.object_list])
    for row in page_obj.object_list:
        task, status, prog = tasks[row.pk], row.status, row.progress
        rows.append(
            {
                "number": task.full_number,
                "title": task.title,
                "url": task.get_absolute_url(),
                "document": task.document.display_number,
                "agency": task.lead_text,
                "role": "",
                "deadline": task.deadline_text,
                "due": day(task.due_date),
                "status": str(OfficialStatus(status).label),
                "colour": COLOURS[OfficialStatus(status)],
                "progress": percent(prog),
                "note": "",
            }
        )
    return page_obj, rows


def drilldown_lines(user, params: QueryDict | dict, today):
    """The list behind a number as the rows of its .xlsx export (``cchc_portal.exporting``, source "dashboard:tasks"),
    with the page's filters: a province's tasks, or an agency's shares read in chunks. Raise Http404 as the page."""
    from cchc_portal.dashboards.scope import resolve_scope
    from cchc_portal.exporting import Lines

    scope = resolve_scope(user, params, today)
    filters = drill_filters(params)
    _drill_section(scope, filters)
    if scope.is_agency_view:
        shares = queries.drill_assignments(scope, filters)
        return Lines(shares.count(), _share_lines(shares))
    found = queries.drill_tasks(scope, filters)
    return Lines(len(found), _task_lines(found))


def _share_lines(shares):
    """The shares in the page's order, 2,000 at a time (with their task, section, document and agency)."""
    for share_ in shares.iterator(chunk_size=2000):
        yield [
            share_.task.document.number,
            share_.task.full_number,
            share_.task.title,
            share_.agency.name,
            share_.get_role_display(),
            share_.task.deadline_text,
            share_.effective_due,
            str(OfficialStatus(share_.status).label),
            100 if share_.state == WorkState.DONE else share_.progress,
        ]


def _task_lines(found):
    """The tasks' own fields, read a thousand at a time in the list's order."""
    for start in range(0, len(found), 1000):
        part = found[start : start + 1000]
        tasks = Task.objects.select_related("section", "document").in_bulk([r.pk for r in part])
        for row in part:
            task = tasks[row.pk]
            yield [
                task.document.number,
                task.full_number,
                task.title,
                task.lead_text,
                "",
                task.deadline_text,
                task.due_date,
                str(OfficialStatus(row.status).label),
                round(row.progress),
            ]


def _drill_page_links(scope: Scope, filters: DrillFilters, page_obj: Page) -> dict[str, str]:
    """The links to the previous and next pages of the list, with the same filters."""
    params = scope.params(
        status=filters.status, section=filters.section, area=filters.area, role=filters.role, due=filters.due
    )
    page_links = {}
    if page_obj.has_previous():
        page_links["previous"] = f"?{urlencode({**params, 'page': page_obj.previous_page_number()})}"
    if page_obj.has_next():
        page_links["next"] = f"?{urlencode({**params, 'page': page_obj.next_page_number()})}"
    return page_links


def period_from(params: QueryDict | dict, scope: Scope) -> ReportPeriod | None:
    """Read the export's period: ``period=quarter-1`` (or ``period_type=quarter&period=1``) of the scope's year."""
    value = params.get("period", "")
    if "-" not in value and params.get("period_type"):
        value = f"{params.get('period_type')}-{value or 1}"
    return ReportPeriod.parse(value, scope.reference_year)
