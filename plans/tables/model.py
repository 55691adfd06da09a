"""Data model, limits and the user-facing error of the appendix-table reader."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.uploads import MAX_UNCOMPRESSED_BYTES, MAX_ZIP_MEMBERS  # noqa: F401 - the table reader applies them too

# Limits. A plan appendix has tens to a few hundred rows; the limits stop
# crafted or mistaken files long before they cost a web worker its timeout.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 50
MAX_MERGED_RANGES = 20_000
# How many non-blank rows the header search looks at.
HEADER_SCAN_ROWS = 30
# Readers stop after this many non-blank rows: the data-row limit plus room
# for title rows, header bands repeated at page breaks and section rows, so
# that parse_* can still report the exact number of data rows.
READ_ROWS_CAP = MAX_ROWS + 500
# A real table never has this many blank rows in a row; a crafted sheet with
# one cell at row 1,048,576 would otherwise make us walk a million empty rows.
MAX_BLANK_RUN = 2_000


class TableError(ValueError):
    """Refuse a file or table with a clear Vietnamese sentence for the user.

    ``code`` names the reason for callers and tests (``"not_office"``,
    ``"encrypted"``, ``"legacy"``, ``"macro"``, ``"too_big"``, ``"zip_bomb"``,
    ``"too_many_rows"``, ``"empty"``, ``"no_header"``, ``"unsafe_xml"``).
    """

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(slots=True)
class SourceRow:
    """One row of the source table, as the user sees it.

    ``number`` is the Excel row number; for .docx the running row number over
    all tables (1-based); for pasted text the line where the record starts.

    ``cells`` hold cleaned texts (see ``text.clean_text``); trailing empty
    cells are dropped, so a blank row has ``cells == []``. A merged range
    keeps its text only in its first (top-left) cell; the reader reports the
    covered cells separately so that layer 2 decides where to fill them:

    - ``hmerged``: column -> text, for cells covered by a merge that starts in
      this row further left (a section title merged across B..F);
    - ``vmerged``: column -> text, for cells covered by a merge that started
      in a row above ("STT" merged over two header rows, a lead agency merged
      down over several tasks).

    Header bands are filled both ways; data rows take ``vmerged`` values for
    agency, deadline, output, note and extra columns, never for the number or
    title, and never ``hmerged`` values (layer 2 ``_value``).

    ``formula_cols`` are columns whose cell holds a formula (text "=…").
    ``paragraph`` marks a .docx paragraph found just before a table (a heading
    such as "1. Các nhiệm vụ…"); it carries the number of the table row that
    follows it.
    """

    number: int
    cells: list[str]
    bold: bool = False
    italic: bool = False
    formula_cols: frozenset[int] = frozenset()
    hmerged: dict[int, str] = field(default_factory=dict)
    vmerged: dict[int, str] = field(default_factory=dict)
    paragraph: bool = False

    def cell(self, column: int) -> str:
        """Return the cell text at ``column`` or "" past the end of the row."""
        return self.cells[column] if column < len(self.cells) else ""

    def filled(self, column: int) -> str:
        """Return the cell text, filling merged ranges both ways (for headers)."""
        text = self.cell(column)
        if text:
            return text
        return self.hmerged.get(column) or self.vmerged.get(column, "")

    @property
    def width(self) -> int:
        """Return the number of columns this row reaches, merges included."""
        last = len(self.cells)
        for merged in (self.hmerged, self.vmerged):
            if merged:
                last = max(last, max(merged) + 1)
        return last

    @property
    def is_blank(self) -> bool:
        """Return True if no cell has text (merges ignored)."""
        return not self.cells


@dataclass(slots=True)
class RowMessage:
    """An error or warning about one source row, as a full Vietnamese sentence."""

    row: int
    message: str
    column: str = ""


@dataclass(slots=True)
class TableItem:
    """A section or task row of an appendix."""

    row: int
    kind: str  # "section" | "task"
    number: str
    title: str
    lead: str = ""
    cooperating: str = ""
    deadline: str = ""
    output: str = ""
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    level: int = 1
    section_path: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TaskTable:
    """The structure found in a task appendix."""

    columns: dict[str, int]
    header_rows: list[int]
    items: list[TableItem]
    errors: list[RowMessage] = field(default_factory=list)
    warnings: list[RowMessage] = field(default_factory=list)

    @property
    def sections(self) -> list[TableItem]:
        """Return the section items."""
        return [item for item in self.items if item.kind == "section"]

    @property
    def tasks(self) -> list[TableItem]:
        """Return the task items."""
        return [item for item in self.items if item.kind == "task"]


@dataclass(slots=True)
class IndicatorSubRow:
    """A target for one category of agencies under an indicator.

    ``monitoring``/``implementing`` are resolved: "-" or empty means the
    parent indicator's value.
    """

    row: int
    applies_to: str
    unit: str
    value: str
    monitoring: str = ""
    implementing: str = ""


@dataclass(slots=True)
class IndicatorItem:
    """An indicator row with its per-category sub-rows.

    ``target`` is the value as written ("90", "60%", ""). When the target is
    only written inside the sentence (Bắc Ninh: "Kinh tế số chiếm 45% GRDP
    tỉnh."), ``target`` stays empty, ``target_in_text`` is True and
    ``suggested_target`` holds the first percentage found ("45%"), for a
    person to confirm: the portal never guesses silently.
    """

    row: int
    number: str
    name: str
    unit: str
    target: str
    monitoring: str
    implementing: str
    subrows: list[IndicatorSubRow] = field(default_factory=list)
    target_in_text: bool = False
    suggested_target: str = ""
    section_path: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class IndicatorTable:
    """The structure found in an indicator appendix."""

    columns: dict[str, int]
    header_rows: list[int]
    items: list[IndicatorItem]
    sections: list[TableItem]
    errors: list[RowMessage] = field(default_factory=list)
    warnings: list[RowMessage] = field(default_factory=list)
