"""Read .xlsx, old Excel (.xls) and OpenDocument (.ods) workbooks with python-calamine, a maintained reader in Rust.

calamine gives values, merged ranges and sheet visibility. What it does not give of an .xlsx (bold and italic rows,
percent and fixed-decimal formats, formulas) comes from xlsxparts; .xls and .ods rows are read without them, and
the table reader finds sections from their numbers and merges (as it does for pasted tables). Values are shown as
the sheet shows them: whole numbers without ".0", dates as dd/mm/yyyy.

calamine reads in this process: its memory is bounded first (sizes.py, xlsxparts.bound_rows), which costs far less
than a child process did (see sizes.py for the figures).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from functools import partial
from itertools import chain, islice
from operator import ne

from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from .header import has_table_header
from .model import HEADER_SCAN_ROWS, MAX_BLANK_RUN, MAX_COLUMNS, MAX_MERGED_RANGES, READ_ROWS_CAP, SourceRow, TableError
from .sizes import DAMAGED, check_ods, check_xls
from .structure import thousands
from .text import clean_text
from .xlsxparts import CORRUPT_XLSX, Package, SheetExtras, check_prologs, open_package

ENCRYPTED = "Tệp được đặt mật khẩu (mã hóa) nên không đọc được. Hãy mở tệp, gỡ mật khẩu rồi tải lên lại."
_FIXED_DECIMALS = re.compile(r"0\.(0+)")


def read_spreadsheet(data: bytes, kind: str, archive: zipfile.ZipFile | None = None) -> list[SourceRow]:
    """Return the rows of the first visible sheet that holds a table (else the first visible sheet with data).

    ``kind`` is ".xlsx", ".xls" or ".ods"; ``archive`` is the opened zip of an .xlsx or .ods. Raise TableError for
    a damaged, encrypted, too large or empty workbook.
    """
    try:
        package = _check(data, kind, archive)
    except TableError:
        raise
    except Exception as exc:  # a damaged member (bad deflate data, CRC), a broken compound file
        raise _damaged(kind) from exc
    book = _open(data, kind)
    try:
        return _pick_sheet(book, data, kind, package)
    except TableError:
        raise
    except Exception as exc:  # a damaged sheet shows up only while reading it
        raise _damaged(kind) from exc
    finally:
        book.close()


def _check(data: bytes, kind: str, archive: zipfile.ZipFile | None) -> Package | None:
    """Refuse unsafe or oversized files before calamine reads them; return the .xlsx parts calamine does not give."""
    if kind == ".xlsx" and archive is not None:
        check_prologs(archive)
        return open_package(archive)
    if kind == ".ods" and archive is not None:
        check_ods(archive)
    else:
        check_xls(data)
    return None


def _open(data: bytes, kind: str) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        raise TableError(ENCRYPTED, "encrypted") from exc
    except BaseException as exc:  # calamine's errors, and a Rust panic (pyo3's PanicException is a BaseException)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise _damaged(kind) from exc


def _damaged(kind: str) -> TableError:
    return TableError(CORRUPT_XLSX if kind == ".xlsx" else DAMAGED % {"kind": kind}, "corrupt")


def _pick_sheet(book: CalamineWorkbook, data: bytes, kind: str, package) -> list[SourceRow]:
    """Use the first visible sheet with a recognisable header among its first rows; read the stream once."""
    fallback = None
    for meta in book.sheets_metadata:
        if meta.visible != SheetVisibleEnum.Visible or meta.typ != SheetTypeEnum.WorkSheet:
            continue
        rows = _sheet_rows(book, meta.name, package)
        head = list(islice(rows, HEADER_SCAN_ROWS))
        if has_table_header(head):
            return head + list(rows)
        if fallback is None and head:
            fallback = meta.name
    if fallback is None:
        raise TableError("Bảng tính không có dữ liệu.", "empty")
    return list(_sheet_rows(book, fallback, package))


def _sheet_rows(book: CalamineWorkbook, name: str, package) -> Iterator[SourceRow]:
    """Return the non-blank rows of a sheet (Excel row numbers), merges reported in hmerged/vmerged.

    A sheet without merges, fonts, formulas, number formats or a column offset (the common .xls and .ods, and many
    .xlsx) is converted at once (_plain_rows, _plain_source_rows); any other is streamed row by row.
    """
    extras, rewritten = package.extras(name) if package is not None else (SheetExtras(), None)
    if rewritten is not None:  # rows far below the table were cut off (xlsxparts.bound_rows)
        book = CalamineWorkbook.from_filelike(io.BytesIO(_replaced(package, name, rewritten)))
    sheet = book.get_sheet_by_name(name)
    merges = _merges(sheet.merged_cell_ranges or [])
    start = sheet.start
    offset = start[1] if start else 0  # rows come from the first row, columns from the first used column
    reader = _RowReader(extras, offset)
    if reader.special:
        return _styled_rows(reader, merges, sheet.iter_rows())
    # without a column offset, to_python() gives what iter_rows() gives (rows from the first), in one call
    rows = _plain_rows(sheet.to_python(skip_empty_area=False), reader.keep)
    if merges is not None or reader.font_rows:
        return _styled_rows(reader, merges, rows)
    found, more = _plain_source_rows(rows)
    return chain(found, _too_many_rows_raised()) if more else iter(found)


def _too_many_rows_raised() -> Iterator[SourceRow]:
    """Raise _too_many_rows() once read that far (past the rows picked for the header search)."""
    raise _too_many_rows()
    yield  # a generator: raises when the caller reads on


def _styled_rows(reader: _RowReader, merges: _MergeTracker | None, rows: Iterable[list]) -> Iterator[SourceRow]:
    """Yield the non-blank rows of a sheet with merges, fonts, formulas, number formats or a column offset."""
    if reader.special:
        rows = (reader.texts(number, values) for number, values in enumerate(rows, 1))
    count = blank_run = 0
    for number, texts in enumerate(rows, 1):
        hmerged, vmerged = merges.row(number, texts) if merges else ({}, {})
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
            raise _too_many_rows()
        bold, italic = reader.font(number, texts)
        formulas = reader.formula_cols.get(number, _NO_FORMULAS)
        yield SourceRow(number, texts, bold, italic, formulas, hmerged, vmerged)


_NO_FORMULAS: frozenset[int] = frozenset()


def _plain_source_rows(rows: list[list[str]]) -> tuple[list[SourceRow], bool]:
    """What _styled_rows yields for a plain sheet, built in one tight loop with the same blank-run limit; and whether
    more than READ_ROWS_CAP rows have text (raised once the caller gets there, as the streamed rows do)."""
    out: list[SourceRow] = []
    append = out.append
    last = 0  # the number of the last row with text
    for number, texts in enumerate(rows, 1):
        if not texts or not texts[-1]:
            while texts and not texts[-1]:
                texts.pop()
            if not texts:
                if number - last > MAX_BLANK_RUN:
                    break  # what lies further down is no part of an appendix table
                continue
        last = number
        append(SourceRow(number, texts))
    if len(out) > READ_ROWS_CAP:  # counted once at the end: the sheet is in memory already (bounded by sizes.py)
        return out[:READ_ROWS_CAP], True
    return out, False


def _too_many_rows() -> TableError:
    return TableError(
        f"Bảng tính có hơn {thousands(READ_ROWS_CAP)} hàng có dữ liệu, vượt quá giới hạn "
        "10.000 hàng mỗi lần nhập. Hãy chia bảng thành nhiều tệp.",
        "too_many_rows",
    )


def _replaced(package, name: str, xml: bytes) -> bytes:
    """Return the .xlsx with the XML of sheet ``name`` replaced (stored, not compressed: it is read at once)."""
    path = package.sheet_paths[name]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for info in package.archive.infolist():
            out.writestr(info.filename, xml if info.filename == path else package.archive.read(info))
    return buffer.getvalue()


def _merges(ranges: list) -> _MergeTracker | None:
    found = [
        (first[0] + 1, first[1] + 1, last[0] + 1, last[1] + 1)
        for first, last in ranges
        if first[1] < MAX_COLUMNS and (last[0] > first[0] or last[1] > first[1])
    ]
    if len(found) > MAX_MERGED_RANGES:
        raise TableError("Trang tính có quá nhiều ô gộp, không thể đọc.", "corrupt")
    return _MergeTracker(found) if found else None


class _RowReader:
    """Turn calamine's values into the texts a person sees, with what xlsxparts found of the sheet."""

    def __init__(self, extras: SheetExtras, offset: int) -> None:
        self.offset = offset
        self.keep = max(0, MAX_COLUMNS - offset)
        self.formats = extras.formats
        self.fonts = extras.fonts
        self.font_rows = {row for row, _column in extras.fonts}
        self.formulas: dict[int, list[tuple[int, str]]] = {}
        for (row, column), text in extras.formulas.items():
            if column <= MAX_COLUMNS:
                self.formulas.setdefault(row, []).append((column - 1, text))
        self.formula_cols = {row: frozenset(c for c, _t in cells) for row, cells in self.formulas.items()}
        self.special = bool(offset or self.formats or self.formulas)  # else plain() gives the same texts

    def texts(self, number: int, values: list) -> list[str]:
        """Return the cleaned texts of one row, from column A (formulas shown as written)."""
        texts = [
            value if value.__class__ is str else self._text(number, index, value)
            for index, value in enumerate(values[: self.keep])
        ]
        joined = "|".join(texts)
        if _needs_cleaning(joined):
            texts = [clean_text(text) for text in texts]  # else the common case: nothing to clean
        if self.offset:
            texts = [""] * self.offset + texts
        for column, formula in self.formulas.get(number, ()):
            texts.extend([""] * (column + 1 - len(texts)))
            texts[column] = formula
        return texts

    def _text(self, number: int, index: int, value: object) -> str:
        if value.__class__ is float or value.__class__ is int:
            number_format = self.formats.get((number, index + self.offset + 1)) if self.formats else None
            if number_format is None and float(value).is_integer() and abs(value) < 1e15:  # type: ignore[arg-type]
                return str(int(value))  # type: ignore[call-overload]
            return _format_number(float(value), number_format or "General")  # type: ignore[arg-type]
        return format_value(value)

    def font(self, number: int, texts: list[str]) -> tuple[bool, bool]:
        """Return (bold, italic) of the row's first cell with text."""
        if number not in self.font_rows:
            return False, False
        first = next((index for index, text in enumerate(texts) if text), 0)
        return self.fonts.get((number, first + 1), (False, False))


def _plain_rows(values: list[list], keep: int) -> list[list[str]]:
    """Return _RowReader.texts() of every row of a sheet with no column offset, number formats nor formulas.

    Done column by column: a column of text only is joined once and, when nothing in it needs cleaning (the usual
    case), kept as it is; only columns holding numbers or dates are converted, each distinct value once, and
    written back into calamine's rows (which are returned). calamine's rows all have the sheet's width (else row by
    row).
    """
    if not values or len(set(map(len, values))) != 1:
        return [_plain_row(row, keep) for row in values]
    if len(values[0]) > keep:
        values = [row[:keep] for row in values]
    for index, column in enumerate(zip(*values, strict=True)):
        # a column of a few repeated texts (agencies, deadlines) is checked once per distinct text
        distinct = set(column) if len(set(column[:64])) * 2 <= min(len(column), 64) else column
        texts = column
        try:
            joined = " ".join(filter(_NOT_EMPTY, distinct))
        except TypeError:  # numbers or dates in the column
            texts, distinct = _converted(column)
            joined = " ".join(filter(_NOT_EMPTY, distinct))
        if _spaced_needs_cleaning(joined):
            texts = [clean_text(text) for text in texts]
        if texts is not column:  # only a changed column is written back into calamine's rows
            for row, text in zip(values, texts, strict=True):
                row[index] = text
    return values


def _converted(column: tuple) -> tuple[list[str], Iterable[str]]:
    """Return the texts of a column holding numbers or dates, and its distinct texts.

    Each distinct value is converted once ("1" … "100" again and again in a number column). An int and the float
    equal to it give the same text; True == 1 does not ("TRUE"), so a column with booleans is converted cell by cell.
    """
    if bool in set(map(type, column)):
        texts = [value if value.__class__ is str else _general(value) for value in column]
        return texts, texts
    known = _Texts()
    return list(map(known.__getitem__, column)), known.values()


class _Texts(dict):
    """value -> its text, filled on first use (text stays as it is); never given booleans (see _converted)."""

    def __missing__(self, value: object) -> str:
        text = self[value] = value if value.__class__ is str else _general(value)  # type: ignore[assignment]
        return text  # type: ignore[return-value]


def _plain_row(values: list, keep: int) -> list[str]:
    texts = [value if value.__class__ is str else _general(value) for value in values[:keep]]
    if _needs_cleaning("|".join(texts)):
        return [clean_text(text) for text in texts]
    return texts


def _general(value: object) -> str:
    """The text of a value that is not text, in a cell without a number format (see _RowReader._text)."""
    if value.__class__ is float and value.is_integer() and -1e15 < value < 1e15:  # type: ignore[attr-defined]
        return str(int(value))  # type: ignore[call-overload]
    if value.__class__ is int and -(10**15) < value < 10**15:  # type: ignore[operator]
        return str(value)
    return format_value(value)


_NOT_EMPTY = partial(ne, "")  # keeps 0.0 and False, so that "".join still refuses a column that is not all text


def _spaced_needs_cleaning(joined: str) -> bool:
    """Return True unless clean_text would leave every cell as it is, for the non-empty cells joined with one space.

    A cell's own doubled, leading or trailing space then shows as two spaces: one search instead of three.
    """
    if not joined.isprintable() or "  " in joined or joined[:1] == " " or joined[-1:] == " ":
        return True
    return not joined.isascii() and not unicodedata.is_normalized("NFC", joined)


def _needs_cleaning(joined: str) -> bool:
    """Return True unless clean_text would leave every cell of the "|"-joined row as it is.

    Every character clean_text changes (line breaks, odd and invisible spaces, soft hyphens) is one str.isprintable()
    refuses: one C-level pass for the row. A "|" next to a space in a cell's own text only costs the slow path.
    """
    if not joined.isprintable() or "  " in joined or " |" in joined or "| " in joined:
        return True
    if joined[:1] == " " or joined[-1:] == " ":
        return True
    return not joined.isascii() and not unicodedata.is_normalized("NFC", joined)


def format_value(raw: object) -> str:
    """Render a value that is not text as Excel shows it in a General cell: 1.0 -> "1", a date as dd/mm/yyyy."""
    if isinstance(raw, dt.datetime):
        if raw.time() == dt.time(0, 0):
            return raw.strftime("%d/%m/%Y")
        return raw.strftime("%d/%m/%Y %H:%M")
    if isinstance(raw, dt.date):
        return raw.strftime("%d/%m/%Y")
    if isinstance(raw, dt.time):
        return raw.strftime("%H:%M")
    if isinstance(raw, dt.timedelta):  # a duration cell: shown as hours and minutes
        minutes = int(raw.total_seconds() // 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, int | float):
        return _format_number(float(raw), "General")
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
