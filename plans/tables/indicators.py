"""Turn the rows of an indicator appendix into indicators and their sub-rows."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .header import INDICATOR_REQUIRED, INDICATOR_ROLES, HeaderBand
from .model import IndicatorItem, IndicatorSubRow, IndicatorTable, RowMessage, SourceRow, TableItem
from .structure import (
    DuplicateCheck,
    SectionStack,
    data_rows,
    formula_errors,
    long_cell_errors,
    only_texts,
    require_header,
    value,
)
from .text import BULLET, EMPTY, LOWER, OTHER, ROMAN, UPPER, RowNumber, read_number, split_heading

NO_INDICATOR_HEADER = (
    "Không tìm thấy hàng tiêu đề của bảng chỉ tiêu (cần các cột như 'STT', 'Chỉ tiêu', "
    "'Đơn vị tính', 'Chỉ tiêu phấn đấu', 'Đơn vị thực hiện')."
)
_SAME_AS_PARENT = frozenset({"", "-", "–", "—"})
# "45%", "tối thiểu 40%", "trên 60%": the first share named in the sentence.
_PERCENT = re.compile(
    r"(?:(?P<qualifier>tối thiểu|ít nhất|trên|dưới|không quá|tối đa|khoảng)\s+)?(?P<value>\d+(?:[.,]\d+)?)\s*%",
    re.IGNORECASE,
)
_NUMBER_IN_TEXT = re.compile(r"(?<![\d/])(\d+(?:[.,]\d+)?)(?![\d/])")
_SUBROW_MARK = re.compile(r"^[-–—+•*]\s*")


def parse_indicator_table(rows: list[SourceRow]) -> IndicatorTable:
    """Find the header, then read indicators, their sub-rows and sections.

    A row numbered 1, 2… is an indicator; rows below it with no number
    (usually "- Các cơ quan…", sometimes in italics) are its targets per
    agency category; "-" in their unit columns means "as the indicator".
    """
    band = require_header(rows, INDICATOR_ROLES, INDICATOR_REQUIRED, NO_INDICATOR_HEADER)
    table = IndicatorTable(columns=dict(band.columns), header_rows=band.header_rows, items=[], sections=[])
    _IndicatorReader(band, table).read(data_rows(rows, band, INDICATOR_ROLES))
    return table


class _IndicatorReader:
    """Read data rows in order, attaching sub-rows to the open indicator."""

    def __init__(self, band: HeaderBand, table: IndicatorTable) -> None:
        self.band = band
        self.table = table
        self.sections = SectionStack()
        self.duplicates = DuplicateCheck()
        self.number_col = band.columns["number"]
        self.name_col = band.columns["name"]
        self.current: IndicatorItem | None = None

    def read(self, rows: Sequence[SourceRow]) -> None:
        """Read every row, then settle each indicator's units and targets."""
        for row in rows:
            self.table.errors.extend(long_cell_errors(row, self.band))
            self.table.errors.extend(formula_errors(row, self.band))
            self._read_row(row)
        for item in self.table.items:
            self._settle(item)

    def _read_row(self, row: SourceRow) -> None:
        """Read one data row as a section, an indicator or a sub-row."""
        texts = only_texts(row)
        name = row.cell(self.name_col)
        if len(texts) == 1 and (row.paragraph or set(texts) <= {self.number_col, self.name_col}):
            heading = split_heading(next(iter(texts.values())))
            if heading:  # "I. Kinh tế số" in one cell
                self._section(row, self.sections.reread(heading[0]), heading[1])
                return
            if row.paragraph:
                return
        number = self.sections.reread(read_number(row.cell(self.number_col)))
        if number.kind == OTHER and not name and (heading := split_heading(number.text)):
            number, name = heading
        if number.kind in (ROMAN, UPPER):
            self._section(row, number, name)
        elif number.kind in (EMPTY, BULLET, LOWER):
            self._subrow(row, name, texts)
        else:
            self._indicator(row, number, name)

    def _section(self, row: SourceRow, number: RowNumber, title: str) -> None:
        """Open a section; rows after it no longer belong to the last indicator."""
        self.current = None
        item = TableItem(row=row.number, kind="section", number=number.text, title=title)
        duplicate = self.duplicates.check_section(row.number, number, self.sections)
        if duplicate:
            item.warnings.append(duplicate.message)
            self.table.warnings.append(duplicate)
        self.sections.open(item, number)
        self.table.sections.append(item)

    def _indicator(self, row: SourceRow, number: RowNumber, name: str) -> None:
        """Add an indicator; its sub-rows follow."""
        columns = self.band.columns
        item = IndicatorItem(
            row=row.number,
            number=number.text,
            name=name,
            unit=value(row, columns.get("unit")),
            target=value(row, columns.get("target"), fill_down=False),
            monitoring=value(row, columns.get("monitoring")),
            implementing=value(row, columns.get("implementing")),
            section_path=self.sections.path,
        )
        if not name:
            self._warn(item, item.row, f"Hàng {row.number}: chưa có tên chỉ tiêu.")
        duplicate = self.duplicates.check(row.number, number, self.sections, "chỉ tiêu số")
        if duplicate:
            self.table.errors.append(duplicate)
        self.table.items.append(item)
        self.current = item

    def _subrow(self, row: SourceRow, name: str, texts: dict[int, str]) -> None:
        """Attach an unnumbered row to the open indicator as a per-category target."""
        marked = bool(_SUBROW_MARK.match(name)) or row.italic
        if not name or self.current is None:
            if texts:
                self.table.warnings.append(
                    RowMessage(row.number, f"Hàng {row.number}: không thuộc chỉ tiêu nào, đã bỏ qua.")
                )
            return
        columns = self.band.columns
        subrow = IndicatorSubRow(
            row=row.number,
            applies_to=_SUBROW_MARK.sub("", name).rstrip(" ;.,"),
            unit=value(row, columns.get("unit")),
            value=value(row, columns.get("target"), fill_down=False),
            monitoring=value(row, columns.get("monitoring")),
            implementing=value(row, columns.get("implementing")),
        )
        if not marked:
            self._warn(self.current, row.number, f"Hàng {row.number}: hàng không số thứ tự được coi là chỉ tiêu con.")
        self.current.subrows.append(subrow)

    def _settle(self, item: IndicatorItem) -> None:
        """Resolve "-" (same as the indicator) and check that a target exists."""
        for role in ("monitoring", "implementing"):
            own = getattr(item, role)
            inherited = "" if own in _SAME_AS_PARENT else own
            named: list[str] = []
            for subrow in item.subrows:
                if getattr(subrow, role) in _SAME_AS_PARENT:
                    setattr(subrow, role, inherited)
                elif getattr(subrow, role) not in named:
                    named.append(getattr(subrow, role))
            # Indicator 9 of Bình Định: "-" on the indicator, units on its sub-rows.
            setattr(item, role, inherited or "; ".join(named))
        for subrow in item.subrows:
            subrow.unit = "" if subrow.unit in _SAME_AS_PARENT else subrow.unit
            subrow.unit = subrow.unit or item.unit
            if not subrow.value:
                self._warn(item, subrow.row, f"Hàng {subrow.row}: chưa có giá trị chỉ tiêu cho '{subrow.applies_to}'.")
        if not item.target and not item.subrows:
            self._target_in_text(item)
        if not item.monitoring and not item.implementing:
            self._warn(item, item.row, f"Hàng {item.row}: chưa có đơn vị thực hiện.")

    def _target_in_text(self, item: IndicatorItem) -> None:
        """Flag a target written inside the sentence, with a suggestion to confirm."""
        percent = _PERCENT.search(item.name)
        numbers = [n for n in _NUMBER_IN_TEXT.findall(item.name) if not _is_year(n)]
        if not percent and not numbers:
            self._warn(item, item.row, f"Hàng {item.row}: chưa có giá trị chỉ tiêu.")
            return
        item.target_in_text = True
        message = f"Hàng {item.row}: chỉ tiêu ghi trong câu, cần xác nhận giá trị."
        if percent:
            qualifier = (percent["qualifier"] or "").lower()
            item.suggested_target = f"{qualifier} {percent['value']}%".strip()
            message = message[:-1] + f" (gợi ý: {item.suggested_target})."
        self._warn(item, item.row, message)

    def _warn(self, item: IndicatorItem, row: int, message: str) -> None:
        item.warnings.append(message)
        self.table.warnings.append(RowMessage(row, message))


def _is_year(text: str) -> bool:
    return len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100
