"""Turn the rows of a task appendix into sections and tasks."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

from .header import TASK_REQUIRED, TASK_ROLES, HeaderBand, header_key
from .model import MAX_CELL_CHARS, MAX_ROWS, RowMessage, SourceRow, TableError, TableItem, TaskTable
from .structure import (
    DuplicateCheck,
    SectionStack,
    carries_data,
    data_rows,
    formula_errors,
    long_cell_errors,
    only_texts,
    require_header,
    sections_above,
)
from .text import ARABIC, BULLET, EMPTY, LOWER, OTHER, ROMAN, UPPER, RowNumber, read_number, split_heading

_FIELDS = ("lead", "cooperating", "deadline", "output", "note", "description")


def parse_task_table(rows: list[SourceRow], columns: dict[str, int] | None = None) -> TaskTable:
    """Find the header, then read each data row as a section or a task.

    Raise TableError when no header names a number, a title and a lead or
    deadline column (a scoring form such as "Tiêu chí chấm điểm | Điểm tối
    đa" is refused this way), or when there are too many data rows.
    Blocking problems (duplicate numbers, formulas) go to ``errors``; doubts
    (no lead, no number) to ``warnings`` and to the item's ``warnings``.
    """
    band = require_header(rows, TASK_ROLES, TASK_REQUIRED)
    if columns:
        _override(band, columns)
    table = TaskTable(
        columns=_column_map(band),
        header_rows=band.header_rows,
        items=[],
        labels={str(column): label for column, label in band.labels.items()},
        unsure=[] if columns else _unsure(band),
    )
    _TaskReader(band, table).read(rows)
    return table


ROLE_NAMES = tuple(role.name for role in TASK_ROLES)
_NO_NUMBER = read_number("")


def _override(band: HeaderBand, columns: dict[str, int]) -> None:
    """Use the columns a person chose (role -> column) instead of the ones guessed; the others become extras."""
    chosen = {role: column for role, column in columns.items() if role in ROLE_NAMES and column in band.labels}
    if not {"number", "title"} <= set(chosen):
        raise TableError("Cần chọn cột số thứ tự và cột tên nhiệm vụ.", "no_header")
    band.columns = chosen
    band.extras = {column: label for column, label in band.labels.items() if column not in chosen.values()}


def _unsure(band: HeaderBand) -> list[str]:
    """Roles whose column was taken from a loose match ("… chủ trì …" inside a longer header), or a table with both a
    name and a content column: the preview then shows which column it took for what and lets the admin change it."""
    roles = {role.name: role for role in TASK_ROLES}
    unsure = [
        name
        for name, column in band.columns.items()
        if not roles[name].matches(header_key(band.labels.get(column, "")), strict=True)
    ]
    if "description" in band.columns and "title" not in unsure:
        unsure.append("title")
    return unsure


def _column_map(band: HeaderBand) -> dict[str, int]:
    """Return role -> column, extras keyed by their header text."""
    columns = dict(band.columns)
    for column, text in band.extras.items():
        columns.setdefault(text, column)
    return columns


class _TaskReader:
    """Read data rows in order, keeping the open sections."""

    def __init__(self, band: HeaderBand, table: TaskTable) -> None:
        self.band = band
        self.table = table
        self.sections = SectionStack()
        self.duplicates = DuplicateCheck()
        self.number_col = band.columns["number"]
        self.title_col = band.columns["title"]
        # The _FIELDS columns, read in one C-level call on the row padded with blanks (a role without a column
        # reads the last pad cell, always blank): see _values.
        found = [band.columns.get(name) for name in _FIELDS]
        self.field_cols = tuple(-1 if column is None else column for column in found)
        self.pick = itemgetter(*self.field_cols)
        self.pad = [""] * (max([c for c in band.columns.values() if c is not None] + [*band.extras, 0]) + 2)
        self.extras = list(band.extras.items())

    def read(self, rows: Sequence[SourceRow]) -> None:
        """Read the data rows below the header (structure.data_rows), finding them in the same loop.

        A table that may have more than MAX_ROWS data rows is counted first (data_rows), so that it is refused before
        any row is read.
        """
        above = sections_above(rows, self.band)
        below = rows[self.band.end :]
        if len(above) + len(below) > MAX_ROWS:
            found = data_rows(rows, self.band, TASK_ROLES)
            self._read(found, len(found))
        else:
            self._read([*above, *below], len(above))

    def _read(self, rows: Sequence[SourceRow], checked: int) -> None:
        """Read every data row in order; rows from index ``checked`` on are first checked as data_rows does.

        A row that may head a section (_read_row) waits for the data row after it. The common task row is read here
        (_task, inlined: a few attribute look-ups less on each of thousands of rows)."""
        band, errors, items = self.band, self.table.errors, self.table.items
        sections, duplicates, extras = self.sections, self.duplicates, self.extras
        number_col, title_col, pick, pad = self.number_col, self.title_col, self.pick, self.pad
        waiting: SourceRow | None = None
        for index, row in enumerate(rows):
            cells = row.cells
            width = len(cells)
            length = len("".join(cells))
            number = read_number(cells[number_col]) if number_col < width else _NO_NUMBER
            kind = number.kind
            if index >= checked and (  # not data_rows' quick test: a row number and a cell over 5 characters
                kind is EMPTY or kind is OTHER or (length <= 5 * width and max(map(len, cells)) <= 5)
            ):
                if not carries_data(row, band, TASK_ROLES):
                    continue
            if waiting is not None:
                self._read_row(waiting, row)
                waiting = None
            if length > MAX_CELL_CHARS:  # else no cell is too long: one C call for the usual row
                errors.extend(long_cell_errors(row, band))  # and the cells shortened: the number read again
                kind = (number := read_number(cells[number_col]) if number_col < width else _NO_NUMBER).kind
            if row.formula_cols:
                errors.extend(formula_errors(row, band))
            if (kind is ARABIC or kind is LOWER) and width - cells.count("") > 2:  # never a section, never reread
                title = cells[title_col] if title_col < width else ""
                lead, cooperating, deadline, output, note, description = (
                    pick(cells + pad) if not row.vmerged else self._values(row)
                )
                extra = self._extra(row) if extras else {}
                item = TableItem(
                    row.number,
                    "task",
                    number.text,
                    title,
                    lead,
                    cooperating,
                    deadline,
                    output,
                    note,
                    extra,
                    0,
                    description,
                    sections.path,
                )
                if not (title and lead):
                    self._warn_missing(item)
                duplicate = duplicates.check(row.number, number, sections, "số thứ tự")
                if duplicate:
                    errors.append(duplicate)
                items.append(item)
                continue
            waiting = row
        if waiting is not None:
            self._read_row(waiting, None)

    def _read_row(self, row: SourceRow, following: SourceRow | None) -> None:
        """Read one data row as a section, a task, or nothing (with a warning)."""
        filled = len(row.cells) - row.cells.count("")
        texts = only_texts(row) if filled <= 2 else {}  # wanted only for rows with one or two texts
        if filled == 1 and self._read_single(row, *next(iter(texts.items())), following):
            return
        cells, width = row.cells, len(row.cells)
        number = self.sections.reread(read_number(cells[self.number_col] if self.number_col < width else ""))
        title = cells[self.title_col] if self.title_col < width else ""
        if not title and number.kind in (ROMAN, UPPER):  # "I" then its title merged from another column
            title = row.hmerged.get(self.title_col, "") or next(
                (text for column, text in sorted(texts.items()) if column != self.number_col), ""
            )
        if number.kind == OTHER and not title and (heading := split_heading(number.text)):
            number, title = heading  # "1. Ban hành…" typed in the number cell
        elif number.kind == EMPTY and (heading := split_heading(title)) and heading[0].kind == ARABIC:
            number, title = heading  # "1. Ban hành…" typed in the title cell
        if number.kind in (ROMAN, UPPER):
            self._section(row, number, title)
        elif (
            filled <= 2
            and set(texts) <= {self.number_col, self.title_col}
            and title
            and self._heads_section(row, number, following)
        ):
            self._section(row, number, title)
        elif number.kind in (EMPTY, BULLET) and not title:
            self._warn(row, f"Hàng {row.number}: không có số thứ tự và tên nhiệm vụ, đã bỏ qua.")
        else:
            self._task(row, number, title)

    def _read_single(self, row: SourceRow, column: int, text: str, following: SourceRow | None) -> bool:
        """Read a row with one text; return False to read it as an ordinary row."""
        if column not in (self.number_col, self.title_col) and self.title_col in row.hmerged:
            column = self.title_col  # a section title merged across the table from another column (often the 2nd)
        heading = split_heading(text) if column in (self.number_col, self.title_col) or row.paragraph else None
        if heading is None and column not in (self.number_col, self.title_col):
            # "I. Cải cách thể chế" alone in the content column (its merge lost in a paste): a section, not data
            heading = found if (found := split_heading(text)) and found[0].kind in (ROMAN, UPPER) else None
        if heading:
            number, title = heading
            typed_in_title = column == self.title_col and number.kind == ARABIC and not row.paragraph
            if typed_in_title and not self._heads_section(row, number, following):
                return False  # "1. Ban hành…" typed in the title cell: a task
            self._section(row, self.sections.reread(number), title)
            return True
        if row.paragraph:
            return True  # text between two tables that is no heading: not table data
        if column == self.title_col:
            if row.bold:  # a bold title alone: an unnumbered section
                self._section(row, RowNumber("", OTHER), text)
                return True
            return False  # a task without a number: warned in _task
        if column == self.number_col:
            number = self.sections.reread(read_number(text))
            if number.kind in (ROMAN, UPPER):
                self._section(row, number, "")
            elif number.kind == OTHER and row.bold:
                self._section(row, RowNumber("", OTHER), text)
            elif number.kind in (ARABIC, LOWER):
                self._warn(row, f"Hàng {row.number}: chỉ có số thứ tự '{text}', đã bỏ qua.")
            else:
                shown = text if len(text) <= 40 else text[:39].rstrip() + "…"
                self._warn(row, f"Hàng {row.number}: dòng '{shown}' không phải nhiệm vụ, đã bỏ qua.")
            return True
        self._warn(row, f"Hàng {row.number}: không có số thứ tự và tên nhiệm vụ, đã bỏ qua.")
        return True

    def _heads_section(self, row: SourceRow, number: RowNumber, following: SourceRow | None) -> bool:
        """Return True if a numbered row with only a title heads a section.

        It does if bold, or if the next row's number is a child ("1" then
        "1.1" or "a)") or restarts at 1 (VPCP: heading "1." above tasks "1.",
        "2."). Otherwise it is a task whose other cells were left empty (a
        draft), not a section swallowing the tasks after it.
        """
        if number.kind not in (ARABIC, LOWER):
            return False
        if row.bold:
            return True
        if following is None:
            return False
        child = read_number(following.cell(self.number_col))
        if child.kind == ARABIC and number.kind == ARABIC:
            return child.key.startswith(number.key + ".") or child.key == "1"
        return child.rank > number.rank and child.kind in (LOWER, BULLET)

    def _section(self, row: SourceRow, number: RowNumber, title: str) -> None:
        """Open a section; a number repeated under the same parent is only a warning."""
        lead, cooperating, deadline, output, note, description = self._values(row)
        extra = self._extra(row) if self.extras else {}
        item = TableItem(
            row.number, "section", number.text, title, lead, cooperating, deadline, output, note, extra, 1, description
        )
        if not title:
            self._warn_item(item, f"Hàng {row.number}: mục {number.text} chưa có tên.")
        duplicate = self.duplicates.check_section(row.number, number, self.sections)
        if duplicate:  # two "II" under one part: keep both, let a person look
            self._warn_item(item, duplicate.message)
        self.sections.open(item, number)
        self.table.items.append(item)

    def _task(self, row: SourceRow, number: RowNumber, title: str) -> None:
        """Add a task in the open section, warning about missing cells."""
        shown = "" if number.kind is EMPTY or number.kind is BULLET else number.text
        values = self.pick(row.cells + self.pad) if not row.vmerged else self._values(row)  # _values, inlined
        lead, cooperating, deadline, output, note, description = values
        extra = self._extra(row) if self.extras else {}
        item = TableItem(
            row.number,
            "task",
            shown,
            title,
            lead,
            cooperating,
            deadline,
            output,
            note,
            extra,
            0,
            description,
            self.sections.path,
        )
        if not (shown and title and lead):
            self._warn_missing(item)
        duplicate = self.duplicates.check(row.number, number, self.sections, "số thứ tự")
        if duplicate:
            self.table.errors.append(duplicate)
        self.table.items.append(item)

    def _warn_missing(self, item: TableItem) -> None:
        if not item.number:
            self._warn_item(item, f"Hàng {item.row}: chưa có số thứ tự.")
        if not item.title:
            self._warn_item(item, f"Hàng {item.row}: chưa có tên nhiệm vụ.")
        if not item.lead:
            self._warn_item(item, f"Hàng {item.row}: chưa có cơ quan chủ trì.")

    def _values(self, row: SourceRow) -> tuple[str, ...]:
        """Return the _FIELDS cells of ``row``, a vertical merge's text filling an empty cell (see structure.value)."""
        values = self.pick(row.cells + self.pad)
        if row.vmerged:
            vmerged = row.vmerged
            return tuple(text or vmerged.get(column, "") for text, column in zip(values, self.field_cols, strict=True))
        return values

    def _extra(self, row: SourceRow) -> dict[str, str]:
        """Return the non-empty extra cells of ``row`` by header (see structure.value)."""
        cells, vmerged, width = row.cells, row.vmerged, len(row.cells)
        extra = {}
        for column, header in self.extras:
            text = (cells[column] if column < width else "") or vmerged.get(column, "")
            if text:
                extra[header] = text
        return extra

    def _warn(self, row: SourceRow, message: str) -> None:
        self.table.warnings.append(RowMessage(row.number, message))

    def _warn_item(self, item: TableItem, message: str) -> None:
        item.warnings.append(message)
        self.table.warnings.append(RowMessage(item.row, message))
