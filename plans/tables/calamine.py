"""Read old Excel (.xls) and OpenDocument (.ods) workbooks with python-calamine, a maintained reader in Rust.

Provincial offices still send .xls, some send .ods. calamine gives values and merged ranges, no fonts: rows are
read without bold or italic, and the table reader finds sections from their numbers and merges (as it does for
pasted tables). Values are shown as the sheet shows them: whole numbers without ".0", dates as dd/mm/yyyy.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from itertools import islice

from .excel import _format_value, _MergeTracker
from .header import has_table_header
from .model import HEADER_SCAN_ROWS, MAX_BLANK_RUN, MAX_COLUMNS, MAX_MERGED_RANGES, READ_ROWS_CAP, SourceRow, TableError
from .structure import thousands
from .text import clean_text

TOO_BIG = (
    "Tệp bảng tính (%(kind)s) có vùng dữ liệu quá lớn (ô ở hàng hoặc cột rất xa) nên không đọc được. "
    "Hãy xóa các ô thừa, hoặc lưu lại dưới dạng .xlsx."
)
DAMAGED = "Tệp bảng tính (%(kind)s) bị hỏng hoặc không đọc được. Hãy mở tệp và lưu lại dưới dạng .xlsx."


# calamine builds a sheet's whole used range in memory: a 5 KB .xls with one stray cell at IV65536 takes 1 GB and
# an .xlsx with one at AX1048000 1.6 GB (measured here). So it runs in a child process with a memory ceiling and a
# time limit; the child sends back at most the rows the reader would read anyway.
CHILD_MEMORY_BYTES = 768 * 1024 * 1024
CHILD_SECONDS = 30
_CHILD = r"""
import datetime as dt, io, json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (__LIMIT__, __LIMIT__))
from python_calamine import CalamineWorkbook, PasswordError, SheetVisibleEnum
def plain(v):
    if isinstance(v, dt.datetime): return {"dt": v.isoformat()}
    if isinstance(v, dt.date): return {"d": v.isoformat()}
    if isinstance(v, dt.time): return {"t": v.isoformat()}
    if isinstance(v, dt.timedelta): return {"td": v.total_seconds()}
    return v
try:
    book = CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read()))
except PasswordError:
    print(json.dumps({"error": "encrypted"})); sys.exit(0)
out = []
for meta in book.sheets_metadata:
    if meta.visible != SheetVisibleEnum.Visible:
        continue
    sheet = book.get_sheet_by_name(meta.name)
    rows, kept, blank = [], 0, 0
    for values in sheet.iter_rows():
        values = [plain(v) for v in values[:__COLUMNS__]]
        rows.append(values)
        if any(v not in ("", None) for v in values):
            kept, blank = kept + 1, 0
        else:
            blank += 1
        if kept > __CAP__ or blank > __BLANK__:
            break
    merges = [[list(a), list(b)] for a, b in (sheet.merged_cell_ranges or [])][:__MERGES__ + 1]
    out.append({"name": meta.name, "start": list(sheet.start or (0, 0)), "rows": rows, "merges": merges})
print(json.dumps({"sheets": out}))
"""


def read_calamine(data: bytes, kind: str) -> list[SourceRow]:
    """Return the rows of the first visible sheet that holds a table (else the first visible sheet with data).

    ``kind`` (".xls" or ".ods") names the format in messages. Raise TableError for a damaged, encrypted, too large
    or empty workbook.
    """
    sheets = _load(data, kind)
    fallback = None
    for sheet in sheets:
        rows = _sheet_rows(sheet)
        head = list(islice(rows, HEADER_SCAN_ROWS))
        if has_table_header(head):
            return head + list(rows)
        if fallback is None and head:
            fallback = sheet
    if fallback is None:
        raise TableError("Bảng tính không có dữ liệu.", "empty")
    return list(_sheet_rows(fallback))


def _load(data: bytes, kind: str) -> list[dict]:
    """Read the visible sheets in a child process (see CHILD_MEMORY_BYTES)."""
    script = (
        _CHILD.replace("__LIMIT__", str(CHILD_MEMORY_BYTES))
        .replace("__COLUMNS__", str(MAX_COLUMNS))
        .replace("__CAP__", str(READ_ROWS_CAP))
        .replace("__BLANK__", str(MAX_BLANK_RUN))
        .replace("__MERGES__", str(MAX_MERGED_RANGES))
    )
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and script, the file on stdin
            [sys.executable, "-I", "-c", script], input=data, capture_output=True, timeout=CHILD_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise TableError(TOO_BIG % {"kind": kind}, "too_big") from exc
    if done.returncode != 0:
        if b"MemoryError" in done.stderr or done.returncode < 0 or b"memory allocation" in done.stderr:
            raise TableError(TOO_BIG % {"kind": kind}, "too_big")
        raise TableError(DAMAGED % {"kind": kind}, "corrupt")
    result = json.loads(done.stdout)
    if result.get("error") == "encrypted":
        raise TableError(
            "Tệp được đặt mật khẩu (mã hóa) nên không đọc được. Hãy mở tệp, gỡ mật khẩu rồi tải lên lại.", "encrypted"
        )
    return result["sheets"]


def _sheet_rows(sheet: dict) -> Iterator[SourceRow]:
    """Yield the non-blank rows of a sheet (Excel row numbers), merges reported as the .xlsx reader reports them."""
    ranges = [
        (first[0] + 1, first[1] + 1, last[0] + 1, last[1] + 1)
        for first, last in sheet["merges"]
        if first[1] < MAX_COLUMNS and (last[0] > first[0] or last[1] > first[1])
    ]
    if len(ranges) > MAX_MERGED_RANGES:
        raise TableError("Trang tính có quá nhiều ô gộp, không thể đọc.", "corrupt")
    merges = _MergeTracker(ranges)
    offset = sheet["start"][1]  # rows come from the first row, columns from the first used column
    count = blank_run = 0
    for index, values in enumerate(sheet["rows"]):
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
    if isinstance(value, dict):  # a date, time or duration, tagged by the child
        (tag, raw), *_rest = value.items()
        if tag == "td":  # a duration cell: shown as hours and minutes
            minutes = int(raw // 60)
            return f"{minutes // 60:02d}:{minutes % 60:02d}"
        parsed = {"dt": dt.datetime.fromisoformat, "d": dt.date.fromisoformat, "t": dt.time.fromisoformat}[tag](raw)
        return _format_value(parsed, "General")
    return _format_value(value, "General")
