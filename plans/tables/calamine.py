"""Read old Excel (.xls) and OpenDocument (.ods) workbooks with python-calamine, a maintained reader in Rust.

Provincial offices still send .xls, some send .ods. calamine gives values and merged ranges, no fonts: rows are
read without bold or italic, and the table reader finds sections from their numbers and merges (as it does for
pasted tables). Values are shown as the sheet shows them: whole numbers without ".0", dates as dd/mm/yyyy.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from itertools import islice

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetVisibleEnum

from .excel import _format_value, _MergeTracker
from .header import has_table_header
from .model import HEADER_SCAN_ROWS, MAX_BLANK_RUN, MAX_COLUMNS, MAX_MERGED_RANGES, READ_ROWS_CAP, SourceRow, TableError
from .structure import thousands
from .text import clean_text

DAMAGED = "Tệp bảng tính (%(kind)s) bị hỏng hoặc không đọc được. Hãy mở tệp và lưu lại dưới dạng .xlsx."


def read_calamine(data: bytes, kind: str) -> list[SourceRow]:
    """Return the rows of the first visible sheet that holds a table (else the first visible sheet with data).

    ``kind`` (".xls" or ".ods") names the format in messages. Raise TableError for a damaged, encrypted or empty
    workbook.
    """
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        raise TableError(
            "Tệp được đặt mật khẩu (mã hóa) nên không đọc được. Hãy mở tệp, gỡ mật khẩu rồi tải lên lại.", "encrypted"
        ) from exc
    except (CalamineError, ValueError, OSError) as exc:
        raise TableError(DAMAGED % {"kind": kind}, "corrupt") from exc
    try:
        fallback = None
        for meta in workbook.sheets_metadata:
            if meta.visible != SheetVisibleEnum.Visible:
                continue
            rows = _sheet_rows(workbook, meta.name)
            head = list(islice(rows, HEADER_SCAN_ROWS))
            if has_table_header(head):
                return head + list(rows)
            if fallback is None and head:
                fallback = meta.name
        if fallback is None:
            raise TableError("Bảng tính không có dữ liệu.", "empty")
        return list(_sheet_rows(workbook, fallback))
    except TableError:
        raise
    except (CalamineError, ValueError, OSError) as exc:  # a damaged sheet shows up only while reading it
        raise TableError(DAMAGED % {"kind": kind}, "corrupt") from exc
    finally:
        workbook.close()


def _sheet_rows(workbook: CalamineWorkbook, name: str) -> Iterator[SourceRow]:
    """Yield the non-blank rows of a sheet (Excel row numbers), merges reported as the .xlsx reader reports them."""
    sheet = workbook.get_sheet_by_name(name)
    ranges = [
        (first[0] + 1, first[1] + 1, last[0] + 1, last[1] + 1)
        for first, last in (sheet.merged_cell_ranges or [])
        if first[1] < MAX_COLUMNS and (last[0] > first[0] or last[1] > first[1])
    ]
    if len(ranges) > MAX_MERGED_RANGES:
        raise TableError("Trang tính có quá nhiều ô gộp, không thể đọc.", "corrupt")
    merges = _MergeTracker(ranges)
    offset = sheet.start[1] if sheet.start else 0  # rows come from the first row, columns from the first used column
    count = blank_run = 0
    for index, values in enumerate(sheet.iter_rows()):
        number = index + 1
        texts = [""] * offset + [_text(value) for value in values[: max(0, MAX_COLUMNS - offset)]]
        hmerged, vmerged = merges.row(number, texts)
        while texts and not texts[-1]:
            texts.pop()
        if not texts:
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                return  # what lies further down is no part of an appendix table
            continue
        blank_run = 0
        count += 1
        if count > READ_ROWS_CAP:
            raise TableError(
                f"Bảng tính có hơn {thousands(READ_ROWS_CAP)} hàng có dữ liệu, vượt quá giới hạn "
                "10.000 hàng mỗi lần nhập. Hãy chia bảng thành nhiều tệp.",
                "too_many_rows",
            )
        yield SourceRow(number=number, cells=texts, hmerged=hmerged, vmerged=vmerged)


def _text(value: object) -> str:
    if isinstance(value, str):
        return clean_text(value)
    if value is None or value == "":
        return ""
    if isinstance(value, dt.timedelta):  # a duration cell: shown as hours and minutes
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return _format_value(value, "General")
