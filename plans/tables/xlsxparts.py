"""What python-calamine does not give of an .xlsx, read as cheaply as we could show works.

calamine gives each cell's value (the cached one for a formula), merged ranges and sheet visibility. Structure
detection and display need three more things, all taken from the package with byte searches, never a second parse:

- fonts: a row whose first cell is bold is a section heading even without a number ("Nhiệm vụ khác" typed bold
  in the title column), an italic unnumbered row is an intended sub-row of an indicator;
- number formats that change what a person sees: 0.6 in a "0%" cell is "60%", 2 in "0.00" is "2.00" (dates calamine
  recognises itself);
- formulas: a formula where text is expected is refused with the formula shown, as openpyxl used to give it.

The styles part (a few KB) says which style ids carry bold, italic, a percent or a fixed-decimal format; the sheet
XML is then searched only for cells with those style ids (a header row, section rows) and for formula cells. A
sheet that has neither costs one inflate and two C-level searches. The same inflated XML bounds the sheet's used
range (calamine allocates rows x columns, so one stray cell at XFD1048576 would take gigabytes).

The XML is untrusted: a part declaring a DOCTYPE (entities) is refused before calamine sees it.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import unescape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils.cell import column_index_from_string

from .model import MAX_BLANK_RUN, TableError

UNSAFE_XML = "Tệp chứa cấu trúc XML không an toàn (khai báo thực thể) nên bị từ chối."
CORRUPT_XLSX = "Tệp Excel bị hỏng hoặc không đọc được. Hãy mở tệp bằng Excel và lưu lại dưới dạng .xlsx."
# calamine holds a sheet's whole used range in memory, about 32 bytes a cell: 2 million cells is 64 MB, four times
# the largest table the import accepts (10,500 rows of 50 columns).
MAX_CELLS = 2_000_000
TOO_BIG = (
    "Tệp bảng tính (%(kind)s) có vùng dữ liệu quá lớn (ô ở hàng hoặc cột rất xa) nên không đọc được. "
    "Hãy xóa các ô thừa, hoặc lưu lại dưới dạng .xlsx."
)

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_FIXED_DECIMALS = re.compile(r"0\.(0+)")
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
# A cell past column Z that holds something (calamine skips cells with a style only, as Excel writes for borders).
# The literal start is found at C speed; a hit elsewhere only widens the bound.
_FAR_REF = re.compile(rb'r="([A-Z]{2,3})[0-9]{1,7}"[^>]*(?<!/)>\s*<(?:\w+:)?(?:v|f|is)\b')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]{1,7})"')
_FORMULA_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)
_SHARED_INDEX = re.compile(rb'\bsi="([0-9]+)"')
_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>")
_ANY_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="')


@dataclass(slots=True)
class SheetExtras:
    """What calamine does not give of one sheet: style flags and formulas by (row, column), both 1-based."""

    fonts: dict[tuple[int, int], tuple[bool, bool]] = field(default_factory=dict)  # (bold, italic)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # number formats that change the text
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # "=…" as written


@dataclass(slots=True)
class Package:
    """The parts of an .xlsx the reader needs besides calamine: sheet paths and the interesting style ids."""

    archive: zipfile.ZipFile
    sheet_paths: dict[str, str]  # sheet name -> member name of its XML
    fonts: dict[int, tuple[bool, bool]]  # style id -> (bold, italic), only ids with either
    formats: dict[int, str]  # style id -> number format, only percent and fixed-decimal ones

    def extras(self, name: str) -> tuple[SheetExtras, bytes | None]:
        """Return the extras of sheet ``name`` and its XML if it had to be rewritten (see bound_rows)."""
        path = self.sheet_paths.get(name)
        if path is None:
            return SheetExtras(), None
        xml = read_part(self.archive, path)
        rewritten = bound_rows(xml)
        xml = rewritten if rewritten is not None else xml
        return SheetExtras(*self._styled(xml), _formulas(xml)), rewritten

    def _styled(self, xml: bytes) -> tuple[dict, dict]:
        fonts: dict[tuple[int, int], tuple[bool, bool]] = {}
        formats: dict[tuple[int, int], str] = {}
        interesting = set(self.fonts) | set(self.formats)
        if not interesting:
            return fonts, formats
        ids = b"|".join(str(i).encode() for i in sorted(interesting))
        for match in re.finditer(rb' s="(' + ids + rb')"', xml):  # a literal start: a C-speed scan
            tag = xml.rfind(b"<", 0, match.start())
            name = xml[tag + 1 : xml.find(b" ", tag)]
            ref = _REF.search(xml, tag, xml.find(b">", tag))
            if ref is None or name.rpartition(b":")[2] != b"c":
                continue  # a row's style, or a cell without its reference: left with the default style
            key = (int(ref[2]), column_index_from_string(ref[1].decode()))
            style = int(match[1])
            if style in self.fonts:
                fonts[key] = self.fonts[style]
            if style in self.formats:
                formats[key] = self.formats[style]
        return fonts, formats


def open_package(archive: zipfile.ZipFile) -> Package:
    """Read the workbook, its relationships and its styles (small parts) once per file."""
    workbook = _xml(archive, "xl/workbook.xml")
    rels = _xml(archive, "xl/_rels/workbook.xml.rels")
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_NS_PKG}Relationship")}
    paths = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        paths[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    fonts: dict[int, tuple[bool, bool]] = {}
    formats: dict[int, str] = {}
    if "xl/styles.xml" in archive.namelist():
        fonts, formats = _interesting_styles(_xml(archive, "xl/styles.xml"))
    return Package(archive, paths, fonts, formats)


def _interesting_styles(styles) -> tuple[dict[int, tuple[bool, bool]], dict[int, str]]:
    """Return the style ids (cellXfs positions) with a bold or italic font, and those with a format that shows."""
    custom = {int(n.get("numFmtId", "-1")): n.get("formatCode", "") for n in styles.iter(f"{_NS_MAIN}numFmt")}
    flags = []
    for font in styles.iter(f"{_NS_MAIN}font"):
        bold, italic = font.find(f"{_NS_MAIN}b"), font.find(f"{_NS_MAIN}i")
        flags.append((_on(bold), _on(italic)))
    fonts: dict[int, tuple[bool, bool]] = {}
    formats: dict[int, str] = {}
    xfs = styles.find(f"{_NS_MAIN}cellXfs")
    for index, xf in enumerate(xfs.iter(f"{_NS_MAIN}xf") if xfs is not None else ()):
        font_id = int(xf.get("fontId", "0") or 0)
        if font_id < len(flags) and any(flags[font_id]):
            fonts[index] = flags[font_id]
        format_id = int(xf.get("numFmtId", "0") or 0)
        code = custom.get(format_id) or BUILTIN_FORMATS.get(format_id, "General")
        if "%" in code or _FIXED_DECIMALS.search(code):
            formats[index] = code
    return fonts, formats


def _on(node) -> bool:
    return node is not None and node.get("val", "1") not in ("0", "false")


def _xml(archive: zipfile.ZipFile, name: str):
    try:
        return fromstring(archive.read(name))
    except DefusedXmlException as exc:
        raise TableError(UNSAFE_XML, "unsafe_xml") from exc
    except Exception as exc:  # a missing or malformed part: not a workbook we can read
        raise TableError(CORRUPT_XLSX, "corrupt") from exc


def read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    """Inflate a part and refuse it if it declares a DOCTYPE (where entities are declared)."""
    try:
        xml = archive.read(name)
    except Exception as exc:
        raise TableError(CORRUPT_XLSX, "corrupt") from exc
    refuse_doctype(xml)
    return xml


def refuse_doctype(xml: bytes) -> None:
    """A DOCTYPE can only come before the root element: look at the prolog, not the whole part."""
    root = re.search(rb"<[^?!]", xml)
    prolog = xml[: root.start()] if root else xml
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise TableError(UNSAFE_XML, "unsafe_xml")


def check_prologs(archive: zipfile.ZipFile) -> None:
    """Refuse any XML part of the package that declares a DOCTYPE; only the first bytes of each are inflated."""
    for info in archive.infolist():
        if info.filename.endswith((".xml", ".rels")):
            with archive.open(info) as stream:
                head = stream.read(8192)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise TableError(UNSAFE_XML, "unsafe_xml")


def _formulas(xml: bytes) -> dict[tuple[int, int], str]:
    """Return "=…" for each formula cell (shared formulas translated to their cell, as Excel shows them)."""
    if b"</f>" not in xml and b":f>" not in xml:  # every formula sheet has one (shared ones: in their first cell)
        return {}
    found: dict[tuple[int, int], str] = {}
    masters: dict[bytes, tuple[str, str]] = {}
    for match in _FORMULA_CELL.finditer(xml):
        ref = _REF.search(match[1])
        if ref is None:
            continue
        coordinate = (ref[1] + ref[2]).decode()
        text = "=" + unescape((match[3] or b"").decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"})
        shared = _SHARED_INDEX.search(match[2]) if b'"shared"' in match[2] else None
        if shared is not None and text != "=":
            masters[shared[1]] = (text, coordinate)
        elif shared is not None and shared[1] in masters:
            master, origin = masters[shared[1]]
            text = Translator(master, origin).translate_formula(coordinate)
        found[(int(ref[2]), column_index_from_string(ref[1].decode()))] = text
    return found


def bound_rows(xml: bytes) -> bytes | None:
    """Check the sheet's used range before calamine allocates it; return a shortened XML, or None if it is fine.

    Rows after a run of more than MAX_BLANK_RUN missing rows are no part of an appendix (the reader would stop
    there anyway): they are cut off. A range still above MAX_CELLS (a cell far to the right on many rows) is refused.
    """
    prefixed = b":sheetData" in xml  # tags written "x:row", "x:c" by generators built on the OpenXML SDK
    last = xml.rfind(b":row ") if prefixed else xml.rfind(b"<row")
    numbered = _ROW_NUMBER.search(xml, max(last - 8, 0))
    rows = max(int(numbered[1]) if numbered else 0, xml.count(b":row " if prefixed else b"<row"))
    columns = _width(xml, prefixed)
    if rows * columns <= MAX_CELLS:
        return None
    cut = _first_far_gap(xml)
    if cut is not None:
        close = _SHEET_DATA_END.search(xml, cut)
        xml = xml[:cut] + (xml[close.start() :] if close else b"")
        rows = max((int(m[1]) for m in _ROW_NUMBER.finditer(xml)), default=0)
    if rows * columns > MAX_CELLS:
        raise TableError(TOO_BIG % {"kind": ".xlsx"}, "too_big")
    return xml


def _width(xml: bytes, prefixed: bool) -> int:
    """Return an upper bound of the number of columns calamine will allocate."""
    widest = max((column_index_from_string(m[1].decode()) for m in _FAR_REF.finditer(xml)), default=26)
    tag = b":c" if prefixed else b"<c"
    cells = xml.count(tag + b" ") + xml.count(tag + b">")
    referenced = xml.count(tag + b' r="')
    if cells > referenced:  # "r" not written first, or not at all: count the cells that have one
        referenced = sum(1 for _ in _ANY_REF.finditer(xml))
    return max(widest, cells - referenced)  # a cell without a reference can push the row one column further


def _first_far_gap(xml: bytes) -> int | None:
    """Return the offset of the first row that follows more than MAX_BLANK_RUN missing rows, or None."""
    previous = 0
    for match in _ROW_NUMBER.finditer(xml):
        number = int(match[1])
        if number - previous - 1 > MAX_BLANK_RUN:
            return match.start()
        previous = number
    return None
