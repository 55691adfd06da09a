"""Stream the cells of one worksheet part of an .xlsx package, three times faster than openpyxl's reader.

openpyxl (read_only) still opens the workbook: sheet list and visibility, shared strings, styles, number
formats, the date epoch. Only the sheet's <sheetData> is read here, with expat, because building openpyxl's
cell objects cost more than everything else of a 5,000-row import put together (issue 3: an import may take
at most three times openpyxl's own read). Values follow openpyxl's rules (``WorkSheetParser.parse_cell``):
shared and inline strings (phonetic runs left out), numbers cast like ``_cast_number``, dates by the
workbook's date styles, booleans, errors, ISO dates and formulas ("=" + text, shared formulas translated).
tests/plans/test_sheetxml.py compares both readers cell by cell on generated workbooks.

The XML is untrusted: entity declarations and external entities are refused, as defusedxml refuses them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any
from xml.parsers import expat

from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601

_CHUNK = 1 << 16


class UnsafeXml(ValueError):
    """The sheet declares entities (a "billion laughs" or an external entity)."""


class Cell:
    """What the table reader needs of a cell: its value as openpyxl gives it, its type and its style."""

    __slots__ = ("column", "value", "data_type", "style_id")

    def __init__(self, column: int, value: Any, data_type: str, style_id: int) -> None:
        self.column = column
        self.value = value
        self.data_type = data_type
        self.style_id = style_id


class Styles:
    """Font and number format of a style id, looked up once per id."""

    def __init__(self, workbook: Any) -> None:
        self._workbook = workbook
        self._cache: dict[int, tuple[bool, bool, str]] = {}

    def get(self, style_id: int) -> tuple[bool, bool, str]:
        """Return (bold, italic, number format) of ``style_id``."""
        found = self._cache.get(style_id)
        if found is None:
            workbook = self._workbook
            style = workbook._cell_styles[style_id]
            font = workbook._fonts[style.fontId]
            format_id = style.numFmtId
            if format_id < BUILTIN_FORMATS_MAX_SIZE:
                number_format = BUILTIN_FORMATS.get(format_id, "General")
            else:
                number_format = workbook._number_formats[format_id - BUILTIN_FORMATS_MAX_SIZE]
            found = self._cache[style_id] = (bool(font.b), bool(font.i), number_format)
        return found


def iter_sheet_rows(sheet: Any, stream: IO[bytes]) -> Iterator[tuple[int, list[Cell]]]:
    """Yield (row number, cells) for each <row> of ``sheet`` (an openpyxl read_only worksheet) in ``stream``.

    Cells without a value are left out. Raise UnsafeXml on entity declarations and expat.ExpatError on
    malformed XML.
    """
    reader = _SheetReader(sheet)
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    while chunk := stream.read(_CHUNK):
        parser.Parse(chunk, False)
        if reader.done:
            yield from reader.done
            reader.done = []
    parser.Parse(b"", True)
    yield from reader.done


def _refuse(*_args: object) -> None:
    raise UnsafeXml("entity declarations are not allowed")


class _LocalNames(dict):
    """Tag -> local name: "x:c" from generators built on the OpenXML SDK, "c" from Excel. Computed once a tag."""

    def __missing__(self, name: str) -> str:
        local = self[name] = name.rpartition(":")[2]
        return local


class _Columns(dict):
    """Column letters -> 1-based index, computed once a column."""

    def __missing__(self, letters: str) -> int:
        index = self[letters] = column_index_from_string(letters)
        return index


class _SheetReader:
    """expat handlers: collect the rows of <sheetData>, ignore everything else."""

    def __init__(self, sheet: Any) -> None:
        workbook = sheet.parent
        self.shared = sheet._shared_strings  # the workbook's own shared_strings stays empty in read_only mode
        self.date_styles = workbook._date_formats
        self.timedelta_styles = workbook._timedelta_formats
        self.epoch = workbook.epoch
        self.names = _LocalNames()
        self.columns = _Columns()
        self.done: list[tuple[int, list[Cell]]] = []
        self.in_data = False
        self.row_number = 0
        self.column = 0
        self.cells: list[Cell] = []
        self.shared_formulas: dict[str, tuple[str, str]] = {}
        self._reset_cell()

    def _reset_cell(self) -> None:
        self.cell_type = "n"
        self.style_id = 0
        self.coordinate = ""
        self.value_parts: list[str] | None = None  # collecting <v> or inline <t> text
        self.formula: list[str] | None = None  # collecting <f> text
        self.formula_attrs: dict[str, str] = {}
        self.inline: list[str] | None = None
        self.phonetic = 0
        self.target: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = self.names[name]
        if not self.in_data:
            if local == "sheetData":
                self.in_data = True
            return
        if local == "c":  # the hot path: _reset_cell() inlined
            self.value_parts = self.formula = self.inline = self.target = None
            self.phonetic = 0
            self.cell_type = attrs.get("t", "n")
            style = attrs.get("s")
            self.style_id = int(style) if style else 0
            coordinate = self.coordinate = attrs.get("r", "")
            if coordinate:
                self.column = self.columns[coordinate.rstrip("0123456789")]
            else:
                self.column += 1
        elif local == "v":
            self.value_parts = self.target = []
        elif local == "f":
            self.formula = self.target = []
            self.formula_attrs = attrs
        elif local == "is":
            self.inline = []
        elif local == "rPh":
            self.phonetic += 1
        elif local == "t":
            if self.inline is not None and not self.phonetic:
                self.target = self.inline
        elif local == "row":
            number = attrs.get("r")
            self.row_number = int(number) if number else self.row_number + 1
            self.column = 0
            self.cells = []

    def end(self, name: str) -> None:
        if not self.in_data:
            return
        local = self.names[name]
        if local in ("v", "f", "t"):
            self.target = None
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "c":
            self._finish_cell()
        elif local == "row":
            self.done.append((self.row_number, self.cells))
        elif local == "sheetData":
            self.in_data = False

    def text(self, data: str) -> None:
        if self.target is not None:
            self.target.append(data)

    def _finish_cell(self) -> None:
        data_type = self.cell_type
        value: Any = None
        if self.formula is not None:
            data_type = "f"
            value = self._formula_text()
        elif self.value_parts is not None or self.inline is not None:
            if data_type == "inlineStr":
                value = "".join(self.inline) if self.inline is not None else None
                data_type = "s" if value is not None else data_type
            else:
                value = "".join(self.value_parts or ()) or None
                if value is not None:
                    value, data_type = self._typed(value, data_type)
        if value is not None:
            self.cells.append(Cell(self.column, value, data_type, self.style_id))

    def _typed(self, text: str, data_type: str) -> tuple[Any, str]:
        if data_type == "n":
            number: float | int = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
            if self.style_id in self.date_styles:
                try:
                    return from_excel(number, self.epoch, timedelta=self.style_id in self.timedelta_styles), "d"
                except (OverflowError, ValueError):
                    return "#VALUE!", "e"
            return number, "n"
        if data_type == "s":
            return self.shared[int(text)], "s"
        if data_type == "b":
            return bool(int(text)), "b"
        if data_type == "str":
            return text, "s"
        if data_type == "d":
            return from_ISO8601(text), "d"
        return text, data_type

    def _formula_text(self) -> str:
        text = "=" + "".join(self.formula or ())
        attrs = self.formula_attrs
        if attrs.get("t") == "shared":
            index = attrs.get("si", "")
            if text != "=":
                self.shared_formulas[index] = (text, self.coordinate)
            elif index in self.shared_formulas and self.coordinate:
                master, origin = self.shared_formulas[index]
                text = Translator(master, origin).translate_formula(self.coordinate)
        return text
