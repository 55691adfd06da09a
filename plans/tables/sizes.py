"""Bound the memory python-calamine will take for an .ods or .xls before it reads it, in this process.

calamine holds each sheet's used range as rows x columns cells (about 32 bytes each, more while it builds it):
a 5 KB .xls with one cell at IV65536 took 1 GB, an .ods with one row repeated a million times 2.5 GB (measured
here). Reading in a child process with a memory ceiling cost more than the read itself (a fork and the rows sent
back: 72 ms for an .xls calamine reads in 18 ms), so the extent is checked here instead, with byte searches over
the file, and a file above MAX_CELLS is refused before calamine sees it. (.xlsx: see xlsxparts.bound_rows.)
"""

from __future__ import annotations

import re
import struct
import zipfile
from array import array
from collections.abc import Iterator

from .model import TableError
from .xlsxparts import MAX_CELLS, TOO_BIG, read_part

DAMAGED = "Tệp bảng tính (%(kind)s) bị hỏng hoặc không đọc được. Hãy mở tệp và lưu lại dưới dạng .xlsx."

# OpenDocument ---------------------------------------------------------------------------------------------

_ROW_END = b"</table:table-row>"
_REPEAT = re.compile(rb'number-(rows|columns)-repeated="([0-9]{1,9})"')
_TRAILING_EMPTY = re.compile(rb"(?:<table:(?:covered-)?table-cell\b[^>]*/>\s*)+$")


def check_ods(archive: zipfile.ZipFile) -> None:
    """Refuse an .ods whose sheets calamine would expand beyond MAX_CELLS.

    calamine expands repeated rows and cells (number-rows-repeated, number-columns-repeated) except trailing empty
    ones, which LibreOffice writes to the end of every sheet; those are left out of the count, as calamine does.
    """
    content = read_part(archive, "content.xml")
    if _ods_bound(content):  # all sheets at once: rows of all x the widest row of all bounds each sheet's sum
        return
    total = 0
    for table in content.split(b"</table:table>"):
        total += _ods_extent(table)
        if total > MAX_CELLS:
            raise TableError(TOO_BIG % {"kind": ".ods"}, "too_big")


_SHORTEST_CELL = len(b"<table:table-cell/>")


def _ods_bound(content: bytes) -> int:
    """Return an upper bound of the cells of all sheets found at C speed, or 0 if it needs _ods_extent (repeats, or a
    bound above MAX_CELLS): each row holds at most (its length / the shortest cell element) cells."""
    if b"repeated" in content:
        return 0
    rows = content.split(_ROW_END)
    if len(rows) < 2:
        return 0
    first = rows[0][rows[0].rfind(b"<table:table-row") :]  # what precedes the first row is no cell
    widest = max(len(first), max(map(len, rows[1:-1]), default=0))
    bound = (len(rows) - 1) * (widest // _SHORTEST_CELL + 1)
    return bound if bound <= MAX_CELLS else 0


def _ods_extent(table: bytes) -> int:
    """Return rows x columns that calamine makes of one sheet, walking its rows."""
    rows = pending = width = 0
    for row in table.split(_ROW_END)[:-1]:
        start = row.rfind(b"<table:table-row")
        head_end = row.find(b">", start)
        repeat = _REPEAT.search(row, start, head_end)
        count = int(repeat[2]) if repeat else 1
        cells = row[head_end + 1 :]
        if b"repeated" in cells or b"/>" in cells[-3:]:
            cells = _TRAILING_EMPTY.sub(b"", cells)
        if b"<table:" not in cells:  # an empty row: counts only if a row with data follows
            pending += count
            continue
        rows, pending = rows + pending + count, 0
        width = max(width, _ods_width(cells))
    return rows * width


def _ods_width(cells: bytes) -> int:
    count = cells.count(b"<table:table-cell") + cells.count(b"<table:covered-table-cell")
    if b"columns-repeated" in cells:
        count += sum(int(m[2]) - 1 for m in _REPEAT.finditer(cells) if m[1] == b"columns")
    return count


# Old Excel (BIFF in an OLE2 compound file) -----------------------------------------------------------------

# Records that calamine makes a cell of (blank cells it skips): LABELSST, NUMBER, RK, BOOLERR have a fixed length;
# FORMULA, LABEL, RSTRING and MULRK a variable one. Each starts with its row and column (MULRK: its first column).
_CELL_IDS = frozenset({0x00FD, 0x0203, 0x027E, 0x0205, 0x0006, 0x0204, 0x00D6, 0x00BD})
# A cell record past row 12,288 or column 32 (or a MULRK long enough to pass column 32): one search a record type,
# each starting with a literal header that the regex engine finds at C speed, then one lookahead that refuses a near
# cell (row's high byte below 0x30, column below 32). A hit may also be such bytes inside another record; the exact
# walk then decides.
_NOT_NEAR = rb"(?!.[\x00-\x2f][\x00-\x1f]\x00)"
_FAR_CELLS = [
    *(
        re.compile(re.escape(head) + _NOT_NEAR, re.DOTALL)
        for head in (b"\xfd\x00\x0a\x00", b"\x03\x02\x0e\x00", b"\x7e\x02\x0a\x00", b"\x05\x02\x08\x00")
    ),
    *(
        re.compile(re.escape(head) + rb"[\x08-\xff][\x00-\x20]" + _NOT_NEAR, re.DOTALL)
        for head in (b"\x06\x00", b"\x04\x02", b"\xd6\x00", b"\xbd\x00")
    ),
    re.compile(rb"\xbd\x00(?:[\xc6-\xff]\x00|.[\x01-\x20])", re.DOTALL),
]
_NEAR_AREA = 12_288 * 32
_END_OF_CHAIN = 0xFFFFFFFA


def check_xls(data: bytes) -> None:
    """Refuse an .xls whose sheets calamine would expand beyond MAX_CELLS (calamine reads every sheet at open).

    Each sheet whose cells all lie above row 12,288 and left of column 32 holds at most 393,216 cells: up to five
    such sheets need no closer look. Otherwise each sheet's records are walked for its real extent.
    """
    stream = workbook_stream(data)
    offsets = _sheet_offsets(stream)
    first = min(offsets, default=len(stream))
    if len(offsets) * _NEAR_AREA <= MAX_CELLS and not any(far.search(stream, first) for far in _FAR_CELLS):
        return
    if sum(_sheet_extent(stream, offset) for offset in offsets) > MAX_CELLS:
        raise TableError(TOO_BIG % {"kind": ".xls"}, "too_big")


def _records(stream: bytes, position: int) -> Iterator[tuple[int, int, int]]:
    """Yield (record id, length, offset of its data) from ``position`` to the end of the substream (EOF record)."""
    end = len(stream) - 4
    while 0 <= position <= end:
        record, length = struct.unpack_from("<HH", stream, position)
        yield record, length, position + 4
        if record == 0x000A:  # EOF
            return
        position += 4 + length


def _sheet_offsets(stream: bytes) -> list[int]:
    """Return where each sheet's records start, from the BOUNDSHEET records of the workbook globals."""
    return [
        struct.unpack_from("<I", stream, start)[0]
        for record, length, start in _records(stream, 0)
        if record == 0x0085 and length >= 4
    ]


def _sheet_extent(stream: bytes, offset: int) -> int:
    """Walk one sheet's records: (last row + 1) x (last column + 1) of its cells."""
    rows = columns = 0
    for record, length, start in _records(stream, offset):
        if record in _CELL_IDS and length >= 4 and start + length <= len(stream):
            row, column = struct.unpack_from("<HH", stream, start)
            if record == 0x00BD and length >= 6:  # MULRK: the last column ends the record
                column = struct.unpack_from("<H", stream, start + length - 2)[0]
            rows, columns = max(rows, row + 1), max(columns, column + 1)
    return rows * columns


def ole_names(data: bytes) -> set[str] | None:
    """Return the stream names of an OLE2 file, or None if its structure cannot be read."""
    try:
        return _Ole(data).names()
    except (struct.error, IndexError, ValueError, KeyError):
        return None


def workbook_stream(data: bytes) -> bytes:
    """Return the "Workbook" (or BIFF5 "Book") stream of an OLE2 file, following its sector chain."""
    try:
        return _Ole(data).stream(("Workbook", "Book"))
    except (struct.error, IndexError, ValueError, KeyError) as exc:
        raise TableError(DAMAGED % {"kind": ".xls"}, "corrupt") from exc


class _Ole:
    """Just enough of the compound file format to read one stream (MS-CFB)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.shift, self.mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if not 7 <= self.shift <= 16 or not 2 <= self.mini_shift < self.shift:
            raise ValueError("bad sector size")
        fat_count, self.directory_start = struct.unpack_from("<II", data, 0x2C)
        self.cutoff, self.minifat_start = struct.unpack_from("<II", data, 0x38)
        difat_start, difat_count = struct.unpack_from("<II", data, 0x44)
        ids = list(struct.unpack_from("<109I", data, 0x4C))
        per_sector = (1 << self.shift) // 4 - 1
        for _ in range(difat_count):  # more FAT sector ids, in a chain of DIFAT sectors
            block = struct.unpack_from(f"<{per_sector + 1}I", self._sector(difat_start))
            ids.extend(block[:-1])
            difat_start = block[-1]
        self.fat = array("I", b"".join(self._sector(i) for i in ids[:fat_count]))

    def _sector(self, index: int) -> bytes:
        size = 1 << self.shift
        offset = (index + 1) * size
        if offset + size > len(self.data) + size:  # the last sector may be short
            raise IndexError("sector past the end of the file")
        return self.data[offset : offset + size]

    def _chain(self, start: int, table: array) -> list[int]:
        chain = []
        while start < _END_OF_CHAIN:
            chain.append(start)
            if len(chain) > len(table):
                raise ValueError("sector chain loops")
            start = table[start]
        return chain

    def _read(self, start: int) -> bytes:
        """Return the sectors of a chain, runs of consecutive sectors (the usual layout) copied in one slice."""
        size = 1 << self.shift
        parts, first, previous = [], -1, -2
        for index in [*self._chain(start, self.fat), -2]:
            if index != previous + 1:
                if first >= 0:
                    parts.append(self.data[(first + 1) * size : (previous + 2) * size])
                first = index
            previous = index
        return b"".join(parts)

    def names(self) -> set[str]:
        """Return the names of the file's storages and streams."""
        return set(self._entries())

    def _entries(self) -> dict[str, tuple[int, int, int]]:
        directory = self._read(self.directory_start)
        entries: dict[str, tuple[int, int, int]] = {}
        for offset in range(0, len(directory) - 127, 128):
            name_size, kind = struct.unpack_from("<HB", directory, offset + 0x40)
            start, size = struct.unpack_from("<II", directory, offset + 0x74)
            name = directory[offset : offset + max(name_size - 2, 0)].decode("utf-16-le", "replace")
            entries.setdefault(name, (kind, start, size))
        return entries

    def stream(self, names: tuple[str, ...]) -> bytes:
        entries = self._entries()
        _kind, root_start, _root_size = next(iter(entries.values()))
        _kind, start, size = next(entries[name] for name in names if name in entries)
        if size >= self.cutoff:
            return self._read(start)[:size]
        mini = self._read(root_start)  # small streams live in the root entry's stream, in mini sectors
        minifat = array("I", self._read(self.minifat_start))
        step = 1 << self.mini_shift
        return b"".join(mini[i * step : (i + 1) * step] for i in self._chain(start, minifat))[:size]
