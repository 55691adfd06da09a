"""Excel exports of the indicator pages (openpyxl), safe to open: no cell starts a formula.

A text beginning with = + - @, a tab or a carriage return is prefixed with an apostrophe so that Excel and
LibreOffice show it as text (a name such as "=HYPERLINK(…)" typed into the portal stays harmless). Real numbers are
written as numbers, negative ones included.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from indicators.judging import Judgement

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILLS = {"green": "C6EFCE", "orange": "FFE5C2", "red": "FFC7CE", "grey": "E5E7EB"}


def safe_cell(value):
    """Return ``value`` ready for a cell: numbers and dates as they are, text neutralised if it could run as a formula."""
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _period(j: Judgement) -> str:
    return j.target.period_label


def judgement_rows(judgements: Iterable[Judgement], *, with_indicator: bool) -> tuple[list[str], list[list]]:
    """Return the header and rows shared by both exports (numbers stay numbers, dates stay dates)."""
    header = [_("STT")]
    if with_indicator:
        header += [_("Văn bản"), _("Chỉ tiêu")]
    header += [
        _("Cơ quan, đơn vị"),
        _("Mục tiêu áp dụng cho"),
        _("Kỳ"),
        _("Chiều đánh giá"),
        _("Mục tiêu"),
        _("Mục tiêu (như văn bản ghi)"),
        _("Đơn vị tính"),
        _("Giá trị đạt được"),
        _("Số liệu đến ngày"),
        _("Năm trước"),
        _("Dự báo cuối kỳ"),
        _("Đánh giá"),
        _("Chờ xác nhận"),
        _("Ghi chú"),
    ]
    rows = []
    for number, j in enumerate(judgements, start=1):
        row: list = [number]
        if with_indicator:
            row += [j.indicator.document.display_number, str(j.indicator)]
        row += [
            j.agency_name,
            j.target.applies_to_text or j.target.who,
            _period(j),
            j.target.get_direction_display(),
            j.target.value,
            j.target.value_text,
            j.target.unit,
            j.value,
            j.latest.period_end if j.latest else None,
            j.previous,
            j.projected,
            j.verdict_label,
            _("Có") if j.pending else "",
            j.note,
        ]
        rows.append(row)
    return header, rows


def workbook_response(
    filename: str,
    title: str,
    header: list[str],
    rows: list[list],
    colours: list[str] | None = None,
    verdict_column: int | None = None,
) -> HttpResponse:
    """Return an .xlsx download: a title row, a header row, the rows; every text cell passes through ``safe_cell``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Đánh giá")[:31]
    sheet.append([safe_cell(title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([safe_cell(h) for h in header])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, row in enumerate(rows):
        sheet.append([safe_cell(v) for v in row])
        if colours and verdict_column is not None and colours[index] in _FILLS:
            sheet.cell(row=index + 3, column=verdict_column).fill = PatternFill("solid", fgColor=_FILLS[colours[index]])
    for column in range(1, len(header) + 1):
        cells = [sheet.cell(row=r, column=column).value for r in range(2, min(sheet.max_row, 200) + 1)]
        width = max((len(str(v)) for v in cells if v is not None), default=8)
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def judgements_workbook(
    filename: str, title: str, judgements: list[Judgement], *, with_indicator: bool
) -> HttpResponse:
    header, rows = judgement_rows(judgements, with_indicator=with_indicator)
    verdict_column = header.index(_("Đánh giá")) + 1
    return workbook_response(filename, title, header, rows, [j.colour for j in judgements], verdict_column)
