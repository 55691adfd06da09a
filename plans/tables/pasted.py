"""Read a table pasted from Excel or Word (tab-separated text) into SourceRows."""

from __future__ import annotations

import re

from .model import MAX_COLUMNS, MAX_UPLOAD_BYTES, READ_ROWS_CAP, SourceRow, TableError
from .structure import thousands
from .text import clean_text

_MAX_CELL_LINES = 500
_ROW_NUMBER = re.compile(r"[IVXL]+|[A-ZĐ]|\d+(?:\.\d+)*\.?|[a-zđ]\)")


def read_pasted(text: str) -> list[SourceRow]:
    """Return the rows of tab-separated text, numbered by the line they start on.

    Excel quotes a cell holding a line break, tab or quote ("…""…"); such
    cells may span lines. Word does not quote, so a cell with several
    paragraphs splits its row over several lines: once the usual number of
    cells per row is known, a short line that cannot start a row (it does
    not begin with a row number) is joined back to the short row before it.
    """
    if len(text) > MAX_UPLOAD_BYTES:
        raise TableError("Nội dung dán vào quá lớn (giới hạn 10 MB).", "too_big")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    records = _records(text.split("\n"))
    records = _rejoin_wrapped(records)
    rows: list[SourceRow] = []
    for line, fields in records:
        cells = [clean_text(field) for field in fields[:MAX_COLUMNS]]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append(SourceRow(line, cells))
            if len(rows) > READ_ROWS_CAP:
                raise TableError(
                    f"Nội dung dán vào có hơn {thousands(READ_ROWS_CAP)} hàng, vượt quá giới hạn "
                    "10.000 hàng mỗi lần nhập.",
                    "too_many_rows",
                )
    if not rows:
        raise TableError("Nội dung dán vào không có dữ liệu.", "empty")
    return rows


def _records(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Split lines into records of fields, following Excel's quoting."""
    records: list[tuple[int, list[str]]] = []
    index = 0
    while index < len(lines):
        start = index
        fields, index = _record(lines, index)
        records.append((start + 1, fields))
    return records


def _record(lines: list[str], index: int) -> tuple[list[str], int]:
    """Parse the record starting at ``lines[index]``; return it and the next line index."""
    line = lines[index]
    fields: list[str] = []
    pos = 0
    while True:
        if line.startswith('"', pos):
            quoted = _quoted(lines, index, pos)
            if quoted is not None:
                value, index, pos = quoted
                line = lines[index]
                fields.append(value)
                if pos >= len(line):
                    return fields, index + 1
                pos += 1  # the tab after the closing quote
                continue
        tab = line.find("\t", pos)
        if tab < 0:
            fields.append(line[pos:])
            return fields, index + 1
        fields.append(line[pos:tab])
        pos = tab + 1


def _quoted(lines: list[str], index: int, pos: int) -> tuple[str, int, int] | None:
    """Read a quoted field; return (value, line index, position after it) or None.

    None means the quote does not open a well-formed quoted field (no
    closing quote followed by a tab or the end of a line): the caller then
    reads the text literally, as Word would have meant it.
    """
    parts: list[str] = []
    line = lines[index]
    pos += 1
    first = index
    while True:
        quote = line.find('"', pos)
        if quote < 0:
            # An Excel cell holds at most 32,767 characters; giving up early
            # keeps a paste full of stray quotes from costing quadratic time.
            if index + 1 >= len(lines) or index - first > _MAX_CELL_LINES:
                return None
            parts.append(line[pos:])
            parts.append("\n")
            index += 1
            line = lines[index]
            pos = 0
            continue
        if line.startswith('"', quote + 1):
            parts.append(line[pos : quote + 1])
            pos = quote + 2
            continue
        end = quote + 1
        if end < len(line) and line[end] != "\t":
            return None
        parts.append(line[pos:quote])
        return "".join(parts), index, end


def _rejoin_wrapped(records: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Join back rows that Word split at paragraph breaks inside a cell."""
    # Full rows (the header first) carry every column; split rows carry fewer.
    width = max((len(fields) for _, fields in records), default=0)
    if width < 2:
        return records
    out: list[tuple[int, list[str]]] = []
    seen_full = False
    for line, fields in records:
        if not any(field.strip() for field in fields):
            out.append((line, fields))
            continue
        previous = out[-1][1] if out else None
        joinable = (
            seen_full
            and previous is not None
            and any(field.strip() for field in previous)
            and len(previous) < width
            and len(previous) + len(fields) - 1 <= width
            and not (len(fields) >= 2 and _ROW_NUMBER.fullmatch(fields[0].strip()))
        )
        if joinable and previous is not None:
            previous[-1] = f"{previous[-1]}\n{fields[0]}"
            previous.extend(fields[1:])
            continue
        seen_full = seen_full or len(fields) == width
        out.append((line, fields))
    return out
