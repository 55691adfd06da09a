"""Turn the rows of an indicator appendix into indicators and their sub-rows."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .header import INDICATOR_REQUIRED, INDICATOR_ROLES, TARGET_YEAR, HeaderBand, header_key
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
from .text import BULLET, EMPTY, LOWER, OTHER, ROMAN, UPPER, RowNumber, fold, read_number, split_heading

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
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
# "90% (năm 2027); 98% (năm 2030)", "90% vào năm 2027, 98% đến năm 2030": a value and its year, repeated.
_VALUE_BY_YEAR = re.compile(
    r"(?P<value>(?:tối thiểu |ít nhất |trên |dưới |không quá |tối đa )?\d+(?:[.,]\d+)?\s*%?)\s*"
    r"\(?\s*(?:vào |đến |trong |đến hết )?(?:năm\s*)(?P<year>19\d{2}|20\d{2})\s*\)?",
    re.IGNORECASE,
)
# A group row: "Nhóm chỉ tiêu về dịch vụ công" written without a number.
_GROUP_ROW = re.compile(r"^nhom (?:cac )?chi tieu\b")


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
        # Target columns of one period each: "Chỉ tiêu năm 2027" | "Chỉ tiêu năm 2030" (the first is "target").
        self.period_columns: list[tuple[int, int]] = []
        for column in sorted({*band.extras, band.columns.get("target", -1)} - {-1}):
            found = TARGET_YEAR.fullmatch(header_key(band.label(column)))
            if found:
                self.period_columns.append((column, int(found[1])))

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
        elif number.kind == EMPTY and _GROUP_ROW.match(fold(name)) and set(texts) <= {self.number_col, self.name_col}:
            self._section(row, RowNumber("", OTHER), name)  # "Nhóm chỉ tiêu …" without a number: a group
        elif self._later_period(row, number, name):
            return
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
        self._periods(item, row)
        duplicate = self.duplicates.check(row.number, number, self.sections, "chỉ tiêu số")
        if duplicate:
            self.table.errors.append(duplicate)
        self.table.items.append(item)
        self.current = item

    def _later_period(self, row: SourceRow, number: RowNumber, name: str) -> bool:
        """Read the same indicator written again for a later period (98% by 2030 after 90% by 2027) as another
        target of the open indicator; return False for any other row."""
        current = self.current
        if current is None or not name or fold(name) != fold(current.name):
            return False
        if number.kind not in (EMPTY, BULLET) and number.text != current.number:
            return False
        columns = self.band.columns
        year = _year_of(value(row, columns.get("year"), fill_down=False))
        target = value(row, columns.get("target"), fill_down=False)
        if year is None or not target:
            return False
        if not current.subrows and current.target:  # the first period becomes a target of its own, like the later ones
            current.subrows.append(
                IndicatorSubRow(
                    row=current.row, applies_to="", unit=current.unit, value=current.target, year=current.year
                )
            )
        current.subrows.append(
            IndicatorSubRow(
                row=row.number,
                applies_to="",
                unit=value(row, columns.get("unit")) or current.unit,
                value=target,
                year=year,
            )
        )
        return True

    def _periods(self, item: IndicatorItem, row: SourceRow) -> None:
        """Give an indicator one target per period the table names: several target columns with a year each, a year
        column, or "90% (năm 2027); 98% (năm 2030)" in one cell."""
        columns = self.band.columns
        if len(self.period_columns) > 1:
            for column, year in self.period_columns:
                text = value(row, column, fill_down=False)
                if text:
                    item.subrows.append(
                        IndicatorSubRow(row=row.number, applies_to="", unit=item.unit, value=text, year=year)
                    )
            item.target = "; ".join(f"{s.value} ({s.year})" for s in item.subrows) or item.target
            return
        if self.period_columns:
            item.year = self.period_columns[0][1]
        pairs = list(_VALUE_BY_YEAR.finditer(item.target))
        if len(pairs) > 1:
            for pair in pairs:
                item.subrows.append(
                    IndicatorSubRow(
                        row=row.number,
                        applies_to="",
                        unit=item.unit,
                        value=pair["value"].strip(),
                        year=int(pair["year"]),
                    )
                )
            return
        year = _year_of(value(row, columns.get("year"), fill_down=False))
        if year is not None:
            item.year = year

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


def _year_of(text: str) -> int | None:
    found = _YEAR.search(text or "")
    return int(found[1]) if found else None


def _is_year(text: str) -> bool:
    return len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100
