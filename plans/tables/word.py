"""Read the appendix tables of a .docx document into SourceRows."""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import docx
from docx.oxml.ns import qn

from .header import has_table_header
from .model import HEADER_SCAN_ROWS, MAX_COLUMNS, READ_ROWS_CAP, SourceRow, TableError
from .structure import thousands
from .text import clean_text, to_roman

CORRUPT_DOCX = "Tài liệu Word bị hỏng hoặc không đọc được. Hãy mở tệp bằng Word và lưu lại dưới dạng .docx."
# Paragraphs kept before each table: enough for a heading such as
# "1. Các nhiệm vụ…" and the title lines above the first table.
PARAGRAPHS_BEFORE_TABLE = 3

W_P, W_TBL, W_TR, W_TC, W_R = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:r")
W_T, W_TAB, W_PTAB, W_BR, W_CR = qn("w:t"), qn("w:tab"), qn("w:ptab"), qn("w:br"), qn("w:cr")
W_NOBREAKHYPHEN, W_RPR, W_B, W_I, W_VAL = qn("w:noBreakHyphen"), qn("w:rPr"), qn("w:b"), qn("w:i"), qn("w:val")
W_SDT, W_SDTCONTENT = qn("w:sdt"), qn("w:sdtContent")
# Content that is not the paragraph's visible text: deleted runs (tracked
# changes), text boxes (and their duplicate fallback), field codes.
_SKIP = frozenset(
    {
        qn("w:del"),
        qn("w:delText"),
        qn("w:txbxContent"),
        qn("w:instrText"),
        qn("w:pPr"),
        qn("w:rPr"),
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
    }
)
_FALSE = frozenset({"0", "false", "off", "none"})


def read_docx(data: bytes) -> list[SourceRow]:
    """Return the rows of every table in body order, with the paragraphs before them.

    Rows are numbered over all tables (1-based, blank rows counted). The
    last few non-empty paragraphs before each table come as single-cell rows
    marked ``paragraph`` and numbered like the table row after them; layer 2
    keeps those that are headings. Nested tables inside a cell are ignored.

    In a whole plan (national-emblem header table, signature table, tables
    in the text), rows start at the first table with a usable header.
    """
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types on a damaged file
        raise TableError(CORRUPT_DOCX, "corrupt") from exc
    reader = _DocxReader(_Numbering.of(document))
    try:
        reader.read(document.element.body)
    except TableError:
        raise
    except Exception as exc:
        raise TableError(CORRUPT_DOCX, "corrupt") from exc
    if not reader.tables:
        raise TableError("Tài liệu Word không có bảng nào.", "empty")
    if not any(not row.paragraph for row in reader.rows):
        raise TableError("Các bảng trong tài liệu Word không có dữ liệu.", "empty")
    return reader.appendix()


@dataclass
class _DocxReader:
    numbering: _Numbering
    rows: list[SourceRow] = field(default_factory=list)
    counter: int = 0
    tables: int = 0
    data_rows: int = 0
    before: deque[tuple[str, bool, bool]] = field(default_factory=lambda: deque(maxlen=PARAGRAPHS_BEFORE_TABLE))
    starts: list[int] = field(default_factory=list)  # index in rows where each table's rows begin

    def appendix(self) -> list[SourceRow]:
        """Return the rows from the first table with a usable header (all rows if none has one)."""
        bounds = [*self.starts, len(self.rows)]
        for start, end in zip(bounds, bounds[1:], strict=False):
            table = [row for row in self.rows[start:end] if not row.paragraph]
            if has_table_header(table[:HEADER_SCAN_ROWS]):
                return self.rows[start:]
        return self.rows

    def read(self, body: Any) -> None:
        """Read the body: remember paragraphs, read tables as they come."""
        for block in _blocks(body):
            if block.tag == W_P:
                text, bold, italic = self._paragraph(block)
                if text:
                    self.before.append((text, bold, italic))
            else:
                self._table(block)

    def _table(self, table: Any) -> None:
        """Add the paragraphs kept before ``table``, then its non-blank rows."""
        self.tables += 1
        self.starts.append(len(self.rows))
        for text, bold, italic in self.before:
            self.rows.append(SourceRow(self.counter + 1, [text], bold, italic, paragraph=True))
        self.before.clear()
        open_merges: dict[int, str] = {}  # grid column -> text of the vertical merge open there
        for tr in table.iterchildren(W_TR):
            self.counter += 1
            row = self._row(tr, open_merges)
            if row.cells:
                self.data_rows += 1
                if self.data_rows > READ_ROWS_CAP:
                    raise TableError(
                        f"Tài liệu có hơn {thousands(READ_ROWS_CAP)} hàng có dữ liệu, vượt quá giới hạn "
                        "10.000 hàng mỗi lần nhập. Hãy chia bảng thành nhiều tệp.",
                        "too_many_rows",
                    )
                self.rows.append(row)

    def _row(self, tr: Any, open_merges: dict[int, str]) -> SourceRow:
        """Read one table row: gridSpan and vMerge become hmerged and vmerged."""
        row = SourceRow(self.counter, [])
        column = tr.grid_before
        style_found = False
        for tc in tr.iterchildren(W_TC):
            if column >= MAX_COLUMNS:
                break
            span = max(1, tc.grid_span)
            covered = range(column, min(column + span, MAX_COLUMNS))
            if tc.vMerge == "continue":  # python-docx would repeat the cell above
                for index in covered:
                    if open_merges.get(index):
                        row.vmerged[index] = open_merges[index]
                column += span
                continue
            text, bold, italic = self._cell(tc)
            _put(row.cells, column, text)
            for index in covered:
                if index != column and text:
                    row.hmerged[index] = text
                if tc.vMerge == "restart":
                    open_merges[index] = text
                else:
                    open_merges.pop(index, None)
            if text and not style_found:
                row.bold, row.italic, style_found = bold, italic, True
            column += span
        while row.cells and not row.cells[-1]:
            row.cells.pop()
        return row

    def _cell(self, tc: Any) -> tuple[str, bool, bool]:
        """Return the cell text (paragraphs joined by "\\n") and its first style."""
        lines = []
        bold = italic = False
        for p in tc.iterchildren(W_P):  # direct paragraphs only: nested tables are ignored
            text, p_bold, p_italic = self._paragraph(p)
            if text:
                if not lines:
                    bold, italic = p_bold, p_italic
                lines.append(text)
        return clean_text("\n".join(lines)), bold, italic

    def _paragraph(self, p: Any) -> tuple[str, bool, bool]:
        """Return the paragraph text (with its list number) and whether it starts bold/italic."""
        parts: list[str] = []
        runs: list[Any] = []
        _collect(p, parts, runs)
        text = clean_text("".join(parts))
        label = self.numbering.label(p)
        if label:  # Word's automatic numbering is not in the text
            text = f"{label} {text}".strip() if text else label
        first = runs[0] if runs else None
        return text, _flag(first, W_B), _flag(first, W_I)


def _blocks(body: Any) -> Iterator[Any]:
    """Yield the body's paragraphs and tables in order, inside content controls too."""
    for child in body.iterchildren():
        if child.tag in (W_P, W_TBL):
            yield child
        elif child.tag == W_SDT:
            content = child.find(W_SDTCONTENT)
            if content is not None:
                yield from _blocks(content)


def _collect(element: Any, parts: list[str], runs: list[Any]) -> None:
    """Gather the visible text of ``element`` and the runs that carry text."""
    for child in element.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == W_T:
            parts.append(child.text or "")
            if not runs and (child.text or "").strip():
                runs.append(child.getparent())
        elif tag in (W_TAB, W_PTAB):
            parts.append(" ")
        elif tag in (W_BR, W_CR):
            parts.append("\n")
        elif tag == W_NOBREAKHYPHEN:
            parts.append("-")
        else:
            _collect(child, parts, runs)


def _flag(run: Any, tag: str) -> bool:
    """Return True if ``run`` is directly formatted bold/italic (best effort)."""
    if run is None or run.tag != W_R:
        return False
    rpr = run.find(W_RPR)
    mark = rpr.find(tag) if rpr is not None else None
    return mark is not None and (mark.get(W_VAL) or "true").lower() not in _FALSE


def _put(cells: list[str], column: int, text: str) -> None:
    while len(cells) < column:
        cells.append("")
    cells.append(text)


@dataclass
class _Numbering:
    """Render Word's automatic list numbers ("1.", "a)", "I.") for paragraphs.

    An STT column is often numbered by Word itself, so the text is empty.
    Supports the common formats; counters are kept per list (numId) and
    deeper levels restart when a higher level advances.
    """

    # numId -> ilvl -> (start, numFmt, lvlText)
    levels: dict[str, dict[int, tuple[int, str, str]]] = field(default_factory=dict)
    counters: dict[str, list[int | None]] = field(default_factory=dict)

    @classmethod
    def of(cls, document: Any) -> _Numbering:
        """Read the list definitions of ``document`` (none if it has no numbering part)."""
        numbering = cls()
        try:
            element = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return numbering
        abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        for node in element.iterchildren(qn("w:abstractNum")):
            abstract[node.get(qn("w:abstractNumId"))] = {
                int(lvl.get(qn("w:ilvl"), "0")): _level(lvl) for lvl in node.iterchildren(qn("w:lvl"))
            }
        for num in element.iterchildren(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                numbering.levels[num.get(qn("w:numId"))] = dict(abstract.get(ref.get(W_VAL), {}))
        return numbering

    def label(self, p: Any) -> str:
        """Return the number Word shows before paragraph ``p`` ("" if not in a list), counting it."""
        ppr = p.find(qn("w:pPr"))
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if numpr is None:
            return ""
        num_id = _val(numpr, "w:numId")
        levels = self.levels.get(num_id or "")
        if not levels:
            return ""
        ilvl = int(_val(numpr, "w:ilvl") or "0")
        if ilvl not in levels:
            return ""
        counts = self.counters.setdefault(num_id or "", [None] * 9)
        start = levels[ilvl][0]
        counts[ilvl] = start if counts[ilvl] is None else (counts[ilvl] or 0) + 1
        for deeper in range(ilvl + 1, 9):
            counts[deeper] = None
        text = levels[ilvl][2]
        for index in range(9):
            marker = f"%{index + 1}"
            if marker in text:
                start_at, fmt, _ = levels.get(index, (1, "decimal", ""))
                text = text.replace(marker, _format(counts[index] or start_at, fmt))
        return "-" if levels[ilvl][1] == "bullet" else text.strip()


def _level(lvl: Any) -> tuple[int, str, str]:
    start = _val(lvl, "w:start")
    return (
        int(start) if start and start.isdigit() else 1,
        _val(lvl, "w:numFmt") or "decimal",
        _val(lvl, "w:lvlText") or "",
    )


def _val(parent: Any, tag: str) -> str | None:
    child = parent.find(qn(tag))
    return child.get(W_VAL) if child is not None else None


def _format(value: int, fmt: str) -> str:
    """Render a list counter in a Word number format (decimal, Roman, letters)."""
    if fmt == "upperRoman":
        return to_roman(value)
    if fmt == "lowerRoman":
        return to_roman(value).lower()
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "none":
        return ""
    return str(value)
