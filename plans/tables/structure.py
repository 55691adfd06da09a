"""Steps shared by the task and indicator parsers: rows, sections, duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .header import HeaderBand, Role, find_header, is_column_number_row, is_repeated_header, usable
from .model import MAX_CELL_CHARS, MAX_ROWS, SHOWN_CHARS, RowMessage, SourceRow, TableError, TableItem
from .text import ARABIC, EMPTY, LOWER, OTHER, ROMAN, UPPER, RowNumber, read_number, split_heading

NO_HEADER_MESSAGE = (
    "Không tìm thấy hàng tiêu đề của bảng (cần các cột như 'STT', 'Tên nhiệm vụ', "
    "'Cơ quan chủ trì', 'Thời gian thực hiện')."
)


def thousands(value: int) -> str:
    """Format ``value`` the Vietnamese way: 10000 -> "10.000"."""
    return f"{value:,}".replace(",", ".")


def require_header(
    rows: Sequence[SourceRow],
    roles: Sequence[Role],
    required: tuple[frozenset[str], frozenset[str]],
    message: str = NO_HEADER_MESSAGE,
) -> HeaderBand:
    """Return the header band, or raise TableError if a needed column is missing."""
    if not any(not row.is_blank for row in rows):
        raise TableError("Bảng không có dữ liệu.", "empty")
    band = find_header(rows, roles)
    if band is None:
        raise TableError(message, "no_header")
    if not usable(band, required):
        seen = ", ".join(f"'{band.labels[c]}'" for c in sorted(band.labels))
        raise TableError(f"{message} Hàng tiêu đề gần nhất chỉ có các cột {seen}.", "no_header")
    return band


def data_rows(rows: Sequence[SourceRow], band: HeaderBand, roles: Sequence[Role]) -> list[SourceRow]:
    """Return the rows below the header that carry data.

    Blank rows, rows of column numbers and headers repeated at page breaks
    are dropped (repeats are added to ``band.header_rows``). Section rows
    just above the header (a heading "1. Các nhiệm vụ…" before the first
    table) come first. Raise TableError above MAX_ROWS data rows.
    (The task reader does the same in its own loop: tasks._TaskReader.read.)
    """
    out = sections_above(rows, band)
    number_col = band.columns.get("number")
    for row in rows[band.end :]:
        cells = row.cells
        width = len(cells)
        # some cell longer than 5 characters; the joined length settles the usual row in one C call (pigeonhole)
        if (
            number_col is not None
            and number_col < width
            and (len("".join(cells)) > 5 * width or max(map(len, cells)) > 5)
        ):
            if read_number(cells[number_col]).kind not in (EMPTY, OTHER):  # a task or section row: the common case,
                out.append(row)  # no repeated header (it has a row number) nor column numbers (its texts are long)
                continue
        if carries_data(row, band, roles):
            out.append(row)
    check_row_count(out)
    return out


def carries_data(row: SourceRow, band: HeaderBand, roles: Sequence[Role]) -> bool:
    """Return False for a row below the header that is blank, column numbers or a repeated header (noted in the band).

    Rows with a row number and a cell longer than 5 characters carry data: data_rows settles them before asking.
    """
    if row.is_blank or is_column_number_row(row):
        return False
    if is_repeated_header(row, band, roles):
        band.header_rows.append(row.number)
        return False
    return True


def check_row_count(rows: Sequence[SourceRow]) -> None:
    """Raise TableError above MAX_ROWS data rows (paragraphs between a document's tables not counted)."""
    count = len(rows)
    if count > MAX_ROWS and (count := sum(1 for row in rows if not row.paragraph)) > MAX_ROWS:
        raise TableError(
            f"Bảng có {thousands(count)} hàng dữ liệu, vượt quá giới hạn {thousands(MAX_ROWS)} hàng "
            "mỗi lần nhập. Hãy chia bảng thành nhiều tệp.",
            "too_many_rows",
        )


def sections_above(rows: Sequence[SourceRow], band: HeaderBand) -> list[SourceRow]:
    """Return the section-like rows right above the first header band."""
    found: list[SourceRow] = []
    number_col = band.columns.get("number", 0)
    for row in reversed(rows[: band.start]):
        if row.is_blank:
            if found:
                break
            continue
        texts = [text for text in row.cells if text]
        single = len(texts) == 1 and split_heading(texts[0]) is not None
        numbered = read_number(row.cell(number_col)).kind in (ROMAN, UPPER) and len(texts) >= 2
        if not (single or numbered) or len(found) >= 3:
            break
        found.append(row)
    return found[::-1]


def value(row: SourceRow, column: int | None, *, fill_down: bool = True) -> str:
    """Return the text of ``column`` in a data row ("" if the column is absent).

    A cell covered by a vertical merge (a lead agency merged over several
    tasks) takes the merge's text when ``fill_down``; horizontal merges are
    never filled in data rows, so a title merged across B..F stays in B.
    """
    if column is None:
        return ""
    text = row.cell(column)
    if not text and fill_down:
        return row.vmerged.get(column, "")
    return text


def formula_errors(row: SourceRow, band: HeaderBand) -> list[RowMessage]:
    """Return an error for each mapped column whose cell holds a formula."""
    if not row.formula_cols:
        return []
    errors = []
    for column in sorted(row.formula_cols):
        label = band.label(column)
        if not label:
            continue  # outside the table: not imported
        formula = row.cell(column)
        shown = formula if len(formula) <= 40 else formula[:39] + "…"
        errors.append(
            RowMessage(
                row.number,
                f"Hàng {row.number}, cột '{label}': ô chứa công thức ({shown}), cần nhập chữ.",
                label,
            )
        )
    return errors


def long_cell_errors(row: SourceRow, band: HeaderBand) -> list[RowMessage]:
    """Return an error for each cell longer than MAX_CELL_CHARS, and shorten it in ``row``.

    A real cell of an appendix is a few sentences; a longer one is a paste gone wrong (or an attack). Refusing it
    keeps the import all or nothing, and shortening it keeps the stored table and the preview page small.
    """
    if not row.cells or max(map(len, row.cells)) <= MAX_CELL_CHARS:
        return []  # the common case, one C-level pass
    errors = []
    for column, text in enumerate(row.cells):
        if len(text) <= MAX_CELL_CHARS:
            continue
        label = band.label(column) or f"{column + 1}"
        errors.append(
            RowMessage(
                row.number,
                f"Hàng {row.number}, cột '{label}': ô dài {thousands(len(text))} ký tự, vượt quá giới hạn "
                f"{thousands(MAX_CELL_CHARS)} ký tự; hãy rút gọn nội dung ô.",
                label,
            )
        )
        row.cells[column] = text[:SHOWN_CHARS].rstrip() + "…"
    for merged in (row.hmerged, row.vmerged):
        for column, text in merged.items():
            if len(text) > MAX_CELL_CHARS:
                merged[column] = text[:SHOWN_CHARS].rstrip() + "…"
    return errors


def only_texts(row: SourceRow) -> dict[int, str]:
    """Return the non-empty cells of ``row`` by column."""
    return {column: text for column, text in enumerate(row.cells) if text}


@dataclass(slots=True)
class SectionStack:
    """Track the open sections, giving each its level and path.

    A new section closes the open ones of the same or a lower rank: parts
    (A, B) contain Roman sections, which contain Arabic ones.
    """

    stack: list[tuple[TableItem, RowNumber]] = field(default_factory=list)
    last_upper: str = ""
    roman_under_parts: bool = False
    # kept with the stack (plain attributes: read for every row, changed only by a section)
    path: tuple[str, ...] = ()  # the labels (number, else title) of the open sections
    scope: tuple[int, ...] = ()  # a key of the innermost open section, for duplicate checks

    def reread(self, number: RowNumber) -> RowNumber:
        """Read "I", "V", "X" as part letters when they follow H, U, W.

        Unless the parts hold Roman sections (Đồng Nai: A > I): then "I"
        after part H is its first section.
        """
        if number.kind == ROMAN and len(number.text) == 1 and self.last_upper and not self.roman_under_parts:
            if ord(number.text) == ord(self.last_upper) + 1:
                return RowNumber(number.text, UPPER)
        return number

    def open(self, item: TableItem, number: RowNumber) -> None:
        """Open section ``item``, setting its level and enclosing path."""
        while self.stack and self.stack[-1][1].rank >= number.rank:
            self.stack.pop()
        self.path = tuple(open_item.number or open_item.title for open_item, _ in self.stack)
        item.section_path = self.path
        if number.kind == ROMAN and any(open_number.kind == UPPER for _, open_number in self.stack):
            self.roman_under_parts = True
        self.stack.append((item, number))
        self.path = tuple(open_item.number or open_item.title for open_item, _ in self.stack)
        self.scope = tuple(open_item.row for open_item, _ in self.stack)
        item.level = len(self.stack)
        if number.kind == UPPER:
            self.last_upper = number.text

    def scope_for(self, number: RowNumber) -> tuple[int, ...]:
        """Return the scope a new section numbered ``number`` will sit in."""
        kept = [item for item, rank in ((i, n.rank) for i, n in self.stack) if rank < number.rank]
        return tuple(item.row for item in kept)

    def label_for(self, number: RowNumber) -> str:
        """Return how messages name the section that will hold ``number``."""
        kept = [item for item, open_number in self.stack if open_number.rank < number.rank]
        return (kept[-1].number or kept[-1].title) if kept else ""

    @property
    def label(self) -> str:
        """Return how messages name the innermost section ("" if none)."""
        return self.path[-1] if self.path else ""


@dataclass(slots=True)
class DuplicateCheck:
    """Find numbers used twice within one section.

    Letters ("a)", "b)") restart under each numbered item, so they are
    scoped by the last Arabic number too.
    """

    # (scope, what, kind[, parent number]) -> number key -> first row; the last group is kept at hand, since
    # consecutive tasks of one section share it
    seen: dict[tuple[object, ...], dict[str, int]] = field(default_factory=dict)
    parent: dict[tuple[int, ...], str] = field(default_factory=dict)
    _group: tuple[object, ...] = ()
    _keys: dict[str, int] = field(default_factory=dict)
    _arabic: tuple[tuple[int, ...], str] | None = None  # (scope, what) when the last group is of Arabic numbers
    _last_arabic: str | None = None  # the parent entry of _arabic's scope, written into ``parent`` when next needed

    def check(self, row: int, number: RowNumber, sections: SectionStack, what: str) -> RowMessage | None:
        """Record a task/indicator ``number`` at ``row``; return an error if seen before in its section."""
        arabic = self._arabic
        if (
            arabic is not None
            and number.kind is ARABIC
            and number.text
            and arabic[0] is sections.scope
            and arabic[1] == what
        ):  # the next task of the same section: _first's common case
            self._last_arabic = key = number.key
            first = self._keys.setdefault(key, row)
            return None if first == row else self._message(row, number, sections.label, what, first)
        first = self._first(row, number, sections.scope, what)
        return None if first is None else self._message(row, number, sections.label, what, first)

    def check_section(self, row: int, number: RowNumber, sections: SectionStack) -> RowMessage | None:
        """Record a section ``number`` under its parent; return a message if seen before there."""
        first = self._first(row, number, sections.scope_for(number), "mục")
        return None if first is None else self._message(row, number, sections.label_for(number), "mục", first)

    def _first(self, row: int, number: RowNumber, scope: tuple[int, ...], what: str) -> int | None:
        """Return the row where ``number`` was first seen in ``scope`` if not ``row`` (else None)."""
        if self._last_arabic is not None and self._arabic is not None:  # what check() left for ``parent``
            self.parent[self._arabic[0]] = self._last_arabic
            self._last_arabic = None
        kind = number.kind
        if not number.text:
            return None
        if kind == ARABIC:
            if what != "mục":
                self.parent[scope] = number.key
            group: tuple[object, ...] = (scope, what, kind)
        elif kind == LOWER:
            group = (scope, what, kind, self.parent.get(scope, ""))
        elif kind == ROMAN or kind == UPPER:
            group = (scope, what, kind)
        else:
            return None
        if group != self._group:
            self._group = group
            self._keys = self.seen.setdefault(group, {})
            self._arabic = (scope, what) if kind == ARABIC and what != "mục" else None
        first = self._keys.setdefault(number.key, row)
        return None if first == row else first

    @staticmethod
    def _message(row: int, number: RowNumber, label: str, what: str, first: int) -> RowMessage:
        where = f" trong mục {label}" if label else ""
        return RowMessage(row, f"Hàng {row}: {what} {number.text} bị trùng với hàng {first}{where}.")
