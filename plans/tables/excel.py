"""Read the appendix table of an .xlsx workbook into SourceRows."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from itertools import islice
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.utils.cell import range_boundaries

from .header import has_table_header
from .model import (
    HEADER_SCAN_ROWS,
    MAX_BLANK_RUN,
    MAX_COLUMNS,
    MAX_MERGED_RANGES,
    READ_ROWS_CAP,
    SourceRow,
    TableError,
)
from .sheetxml import Cell, Styles, UnsafeXml, iter_sheet_rows
from .structure import thousands
from .text import clean_text

CORRUPT_XLSX = "Tệp Excel bị hỏng hoặc không đọc được. Hãy mở tệp bằng Excel và lưu lại dưới dạng .xlsx."
UNSAFE_XML = "Tệp chứa cấu trúc XML không an toàn (khai báo thực thể) nên bị từ chối."

# A merge is written <mergeCell ref="B5:F5"/> after the sheet data. Its
# attribute cannot contain "<", so cutting the stream at the last "<" of a
# chunk never splits one. A regex cannot expand entities either.
_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?)"')
_CHUNK = 1 << 20
_FIXED_DECIMALS = re.compile(r"0\.(0+)")


def read_xlsx(data: bytes, archive: zipfile.ZipFile) -> list[SourceRow]:
    """Return the rows of the first visible sheet that holds a table.

    Use the first visible sheet with a recognisable header among its first
    rows, else the first visible sheet with any data. Blank rows are left
    out. Raise TableError if the workbook is unreadable or empty.
    """
    if not openpyxl.DEFUSEDXML:  # a deployment error, not the user's
        raise RuntimeError("defusedxml must be installed so that openpyxl parses XML safely.")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many types on a damaged file
        raise _damaged(exc) from exc
    try:
        return _read_workbook(workbook, archive)
    except TableError:
        raise
    except Exception as exc:  # a damaged sheet shows up only while reading it
        raise _damaged(exc) from exc
    finally:
        workbook.close()


def _damaged(exc: BaseException) -> TableError:
    """Return the error for a workbook openpyxl could not read.

    openpyxl wraps parser errors in a ValueError, so look down the chain for
    defusedxml's refusal of entities.
    """
    seen: BaseException | None = exc
    for _ in range(10):  # a bounded walk: chains can in theory loop
        if seen is None:
            break
        if isinstance(seen, DefusedXmlException | UnsafeXml):
            return TableError(UNSAFE_XML, "unsafe_xml")
        seen = seen.__cause__ or seen.__context__
    return TableError(CORRUPT_XLSX, "corrupt")


def _read_workbook(workbook: Any, archive: zipfile.ZipFile) -> list[SourceRow]:
    """Pick the sheet (see read_xlsx) and return its rows, reading it once."""
    fallback = None
    styles = Styles(workbook)
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        rows = _sheet_rows(sheet, archive, styles)
        head = list(islice(rows, HEADER_SCAN_ROWS))
        if has_table_header(head):
            return head + list(rows)  # go on reading the same stream: one pass
        rows.close()
        if fallback is None and head:
            fallback = sheet
    if fallback is None:
        raise TableError("Bảng tính không có dữ liệu.", "empty")
    return list(_sheet_rows(fallback, archive, styles))


def _sheet_rows(sheet: Any, archive: zipfile.ZipFile, styles: Styles) -> Iterator[SourceRow]:
    """Yield the non-blank rows of ``sheet``, with merges and formulas marked (see sheetxml for why not openpyxl's rows)."""
    path = getattr(sheet, "_worksheet_path", "").lstrip("/")
    merges = _MergeTracker(_merged_ranges(archive, path))
    blank_run = count = last = 0
    with archive.open(path) as stream:
        for number, cells in iter_sheet_rows(sheet, stream):
            if number <= last:  # rows out of order or repeated: a broken file, which Excel would refuse too
                raise TableError(CORRUPT_XLSX, "corrupt")
            blank_run += number - last - 1  # rows missing from the file are blank rows
            last = number
            if blank_run > MAX_BLANK_RUN:
                return  # what lies further down is no part of an appendix table
            texts, formulas, first_style = _row_texts(cells, styles)
            hmerged, vmerged = merges.row(number, texts)
            while texts and not texts[-1]:
                texts.pop()
            if not texts:
                blank_run += 1
                if blank_run > MAX_BLANK_RUN:
                    return
                continue
            blank_run = 0
            count += 1
            if count > READ_ROWS_CAP:
                raise TableError(
                    f"Bảng tính có hơn {thousands(READ_ROWS_CAP)} hàng có dữ liệu, vượt quá giới hạn "
                    "10.000 hàng mỗi lần nhập. Hãy chia bảng thành nhiều tệp.",
                    "too_many_rows",
                )
            bold, italic, _format = styles.get(first_style) if first_style is not None else (False, False, "")
            yield SourceRow(
                number=number,
                cells=texts,
                bold=bold,
                italic=italic,
                formula_cols=formulas,
                hmerged=hmerged,
                vmerged=vmerged,
            )


def _row_texts(cells: list[Cell], styles: Styles) -> tuple[list[str], frozenset[int], int | None]:
    """Return the cell texts (up to MAX_COLUMNS), the formula columns and the style of the first non-empty cell."""
    texts: list[str] = []
    formulas: set[int] = set()
    first = None
    for cell in cells:
        index = cell.column - 1
        if index >= MAX_COLUMNS:
            break
        if index > len(texts):
            texts.extend([""] * (index - len(texts)))
        raw = cell.value
        if cell.data_type == "f":
            formulas.add(index)
            text = raw
        elif isinstance(raw, str):
            text = clean_text(raw)
        else:
            text = _format_value(raw, styles.get(cell.style_id)[2] if cell.style_id else "General")
        if index < len(texts):  # a cell written twice, or out of order: the last one wins
            texts[index] = text
        else:
            texts.append(text)
        if text and first is None:
            first = cell.style_id
    return texts, frozenset(formulas), first


def _format_value(raw: object, number_format: str) -> str:
    """Render a non-text value as Excel shows it: 1.0 -> "1", 0.6 in "0%" -> "60%"."""
    if isinstance(raw, dt.datetime):
        if raw.time() == dt.time(0, 0):
            return raw.strftime("%d/%m/%Y")
        return raw.strftime("%d/%m/%Y %H:%M")
    if isinstance(raw, dt.date):
        return raw.strftime("%d/%m/%Y")
    if isinstance(raw, dt.time):
        return raw.strftime("%H:%M")
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, int | float):
        return _format_number(float(raw), number_format or "General")
    return clean_text(str(raw))


def _format_number(number: float, number_format: str) -> str:
    """Format ``number`` honouring percent and fixed-decimal formats only."""
    suffix = ""
    if "%" in number_format:
        number *= 100
        suffix = "%"
    match = _FIXED_DECIMALS.search(number_format)
    if match and suffix:
        return f"{number:.{len(match[1])}f}{suffix}"
    if match and number_format.strip() == match[0]:
        return f"{number:.{len(match[1])}f}"
    if number.is_integer() and abs(number) < 1e15:
        return f"{int(number)}{suffix}"
    return f"{number:.15g}{suffix}"


def _merged_ranges(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, int, int]]:
    """Return the merged ranges (min_row, min_col, max_row, max_col) of a sheet.

    read_only worksheets do not expose merges, so scan the sheet XML for
    <mergeCell>: a streamed byte search, far cheaper than a second parse.
    """
    path = path.lstrip("/")
    if not path:
        return []
    ranges: list[tuple[int, int, int, int]] = []
    with archive.open(path) as stream:
        tail = b""
        while True:
            chunk = stream.read(_CHUNK)
            buffer = tail + chunk
            cut = buffer.rfind(b"<") if chunk else len(buffer)
            cut = cut if cut > 0 else len(buffer)
            head, tail = buffer[:cut], buffer[cut:]
            if b"mergeCell" in head:
                ranges.extend(_parse_refs(head))
                if len(ranges) > MAX_MERGED_RANGES:
                    raise TableError("Trang tính có quá nhiều ô gộp, không thể đọc.", "corrupt")
            if not chunk:
                break
    return ranges


def _parse_refs(data: bytes) -> Iterator[tuple[int, int, int, int]]:
    """Yield the ranges of the <mergeCell ref=…> found in ``data`` (single cells left out)."""
    for match in _MERGE_CELL.finditer(data):
        min_col, min_row, max_col, max_row = range_boundaries(match[1].decode("ascii"))
        if min_col is None or min_row is None or max_col is None or max_row is None:
            continue
        if min_col <= MAX_COLUMNS and (max_row > min_row or max_col > min_col):
            yield min_row, min_col, max_row, max_col


class _MergeTracker:
    """Follow merged ranges row by row while the sheet is streamed."""

    def __init__(self, ranges: list[tuple[int, int, int, int]]) -> None:
        self.pending = sorted(ranges, reverse=True)  # pop() gives the lowest row
        self.active: list[tuple[int, int, int, int, str]] = []

    def row(self, number: int, texts: list[str]) -> tuple[dict[int, str], dict[int, str]]:
        """Return (hmerged, vmerged) for row ``number`` and blank covered cells.

        Excel shows only a merge's top-left value: other values kept in
        covered cells by some generators are hidden, so they are dropped.
        """
        if not self.pending and not self.active:
            return {}, {}
        while self.pending and self.pending[-1][0] <= number:
            min_row, min_col, max_row, max_col = self.pending.pop()
            text = texts[min_col - 1] if min_row == number and min_col <= len(texts) else ""
            self.active.append((min_row, min_col, max_row, min(max_col, MAX_COLUMNS), text))
        self.active = [merge for merge in self.active if merge[2] >= number]
        hmerged: dict[int, str] = {}
        vmerged: dict[int, str] = {}
        for min_row, min_col, _max_row, max_col, text in self.active:
            first_col = min_col + 1 if min_row == number else min_col
            target = hmerged if min_row == number else vmerged
            for column in range(first_col - 1, max_col):
                if column < len(texts):
                    texts[column] = ""
                if text:
                    target[column] = text
        return hmerged, vmerged
