"""The fast sheet reader (plans.tables.sheetxml) gives what openpyxl's read_only reader gives, cell by cell.

openpyxl stays the reference: every workbook here is read by both and the (row, column, value, type, style)
of each cell with a value must agree. Workbooks written by openpyxl cover values, styles and formulas;
hand-written sheet XML covers what Excel and other generators write but openpyxl does not (inline and
phonetic strings, shared formulas, prefixed tags, cells and rows without "r").
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.styles import Font

from plans.tables import TableError, read_table
from plans.tables.sheetxml import UnsafeXml, iter_sheet_rows
from tests.plans import tablefiles as tf


def openpyxl_cells(data: bytes) -> list[tuple[int, int, object, str, int]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    out = []
    for row in sheet.iter_rows():
        for cell in row:
            if getattr(cell, "value", None) is not None:
                value = cell.value.text if hasattr(cell.value, "text") else cell.value  # ArrayFormula
                out.append((cell.row, cell.column, value, cell.data_type, cell._style_id))
    workbook.close()
    return out


def fast_cells(data: bytes) -> list[tuple[int, int, object, str, int]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheet = workbook.worksheets[0]
    archive = zipfile.ZipFile(io.BytesIO(data))
    with archive.open(sheet._worksheet_path.lstrip("/")) as stream:
        rows = list(iter_sheet_rows(sheet, stream))
    workbook.close()
    return [
        (number, cell.column, cell.value, cell.data_type, cell.style_id) for number, cells in rows for cell in cells
    ]


def styled_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["PHỤ LỤC", None, "Kế hoạch 275/KH-UBND"])
    sheet.append([])
    sheet.append(["Stt", "Nội dung", "Chỉ tiêu", "Ngày", "Giờ", "Đúng/sai", "Công thức"])
    sheet.append([1, "Cải cách thể chế", 0.9, dt.date(2024, 2, 29), dt.time(7, 30), True, "=SUM(A4:A5)"])
    sheet.append(
        [2.5, "Sở Nội vụ\nSở Tư pháp", 1e20, dt.datetime(2024, 3, 1, 8, 15), dt.timedelta(hours=30), False, '=A4&"x"']
    )
    sheet.append([-3, "Cong\u0301 an tỉnh", 0.123456789, None, None, None, "#N/A"])
    sheet["C4"].number_format = "0%"
    sheet["C6"].number_format = "0.00"
    sheet["E5"].number_format = "[h]:mm:ss"
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    sheet["B4"].font = Font(italic=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_values_types_and_styles_agree_with_openpyxl():
    data = styled_workbook()
    expected = openpyxl_cells(data)
    assert len(expected) == 27  # 2 + 7 + 7 + 7 + 4 cells: the test reads what it means to read
    assert fast_cells(data) == expected


SHARED_STRINGS = ["Stt", "Nội dung"]


def with_sheet(body: bytes, *, prefix: str = "") -> bytes:
    """An .xlsx whose first sheet's XML is ``body`` inside <worksheet><sheetData>, with a shared-string part
    holding SHARED_STRINGS (openpyxl itself writes inline strings, Excel writes shared ones)."""
    data = tf.xlsx([["Stt", "Nội dung"], [1, "Sở Nội vụ"]])
    name, _xml = tf.sheet_xml(data)
    tag = f"{prefix}:" if prefix else ""
    ns = f'xmlns{":" + prefix if prefix else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{tag}worksheet {ns}><{tag}sheetData>'.encode()
        + body
        + f"</{tag}sheetData></{tag}worksheet>".encode()
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    strings = "".join(f"<si><t>{text}</t></si>" for text in SHARED_STRINGS)
    parts = {
        name: xml,
        "xl/sharedStrings.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"{strings}</sst>"
        ).encode(),
        "[Content_Types].xml": source.read("[Content_Types].xml").replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        ),
        "xl/_rels/workbook.xml.rels": source.read("xl/_rels/workbook.xml.rels").replace(
            b"</Relationships>",
            b'<Relationship Id="rIdShared" Target="sharedStrings.xml" '
            b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, parts.pop(info.filename, None) or source.read(info))
        for extra, content in parts.items():
            archive.writestr(extra, content)
    return buffer.getvalue()


HANDWRITTEN = {
    "inline strings with runs and phonetic text": (
        b'<row r="1"><c r="A1" t="inlineStr"><is><r><t>Nhi\xe1\xbb\x87m </t></r><r><t xml:space="preserve">v\xe1\xbb\xa5 </t></r>'
        b'<rPh sb="0" eb="1"><t>PHONETIC</t></rPh></is></c>'
        b'<c r="C1" t="inlineStr"><is><t>S\xe1\xbb\x9f T\xc6\xb0 ph\xc3\xa1p</t></is></c></row>'
    ),
    "shared formulas": (
        b'<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>4</v></c></row>'
        b'<row r="2"><c r="B2"><f t="shared" si="0"/><v>0</v></c></row>'
        b'<row r="3"><c r="B3"><f t="shared" si="0"/><v>0</v></c><c r="C3"><f t="array" ref="C3">SUM(A1:A2)</f><v>2</v></c></row>'
    ),
    "cells and rows without r": (
        b'<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row><row><c><v>7</v></c><c/><c t="str"><v>ab</v></c></row>'
        b'<row r="9"><c t="b"><v>1</v></c><c t="e"><v>#REF!</v></c><c t="d"><v>2024-02-29T00:00:00</v></c></row>'
    ),
    "numbers as Excel writes them": (
        b'<row r="2" spans="1:4"><c r="A2"><v>1.0</v></c><c r="B2"><v>2E3</v></c><c r="C2"><v>-0</v></c>'
        b'<c r="D2" s="0"><v>12345678901234</v></c></row>'
    ),
}


@pytest.mark.parametrize("body", HANDWRITTEN.values(), ids=HANDWRITTEN.keys())
def test_what_excel_writes_agrees_with_openpyxl(body):
    data = with_sheet(body)
    expected = openpyxl_cells(data)
    assert expected, "the sheet has cells"
    assert fast_cells(data) == expected


def test_prefixed_tags_are_read_like_plain_ones():
    """Generators built on the OpenXML SDK write <x:row><x:c>; openpyxl reads none of it, Excel reads it all."""
    body = b'<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1"><x:v>5</x:v></x:c></x:row>'
    rows = [(n, [(c.column, c.value) for c in cells]) for n, cells in _read(with_sheet(body, prefix="x"))]
    assert rows == [(1, [(1, "Stt"), (2, 5)])]


def _read(data: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    with zipfile.ZipFile(io.BytesIO(data)).open(workbook.worksheets[0]._worksheet_path.lstrip("/")) as stream:
        return list(iter_sheet_rows(workbook.worksheets[0], stream))


def test_entity_declarations_are_refused_by_the_sheet_reader():
    """openpyxl's load refuses them first (defusedxml); the sheet reader refuses them on its own too."""
    data = with_sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>')
    _name, xml = tf.sheet_xml(data)
    bomb = b'<!DOCTYPE worksheet [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>' + xml.split(b"?>", 1)[1]
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    with pytest.raises(UnsafeXml):
        list(iter_sheet_rows(workbook.worksheets[0], io.BytesIO(bomb)))
    external = b'<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + xml.split(b"?>", 1)[1].replace(
        b"<v>1</v>", b"<v>&e;</v>"
    )
    with pytest.raises(UnsafeXml):
        list(iter_sheet_rows(workbook.worksheets[0], io.BytesIO(external)))
    with pytest.raises(TableError) as error:
        read_table(tf.replace_member(data, _name, bomb))
    assert error.value.code == "unsafe_xml"


def test_rows_out_of_order_are_a_damaged_file():
    data = with_sheet(b'<row r="5"><c r="A5" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>')
    with pytest.raises(TableError) as error:
        read_table(data)
    assert error.value.code == "corrupt"


cell_values = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(["=A1+1", "=SUM(A1:B2)", '=IF(A1>0,"có","không")']),
)
formats = st.sampled_from(["General", "0%", "0.00", "dd/mm/yyyy", "#,##0", "@"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=st.lists(st.lists(st.tuples(cell_values, formats, st.booleans()), max_size=6), max_size=8))
def test_any_workbook_openpyxl_writes_is_read_alike(grid):
    workbook = Workbook()
    sheet = workbook.active
    for r, row in enumerate(grid, start=1):
        for c, (value, number_format, bold) in enumerate(row, start=1):
            if isinstance(value, str) and value and not value.startswith("="):
                value = "".join(ch for ch in value if ch.isprintable())
            cell = sheet.cell(row=r, column=c, value=value)
            cell.number_format = number_format
            if bold:
                cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    assert fast_cells(data) == openpyxl_cells(data)


def test_a_table_with_shared_strings_reads_end_to_end():
    """Excel writes every text once in xl/sharedStrings.xml; openpyxl-built test files never do."""
    body = (
        b'<row r="3"><c r="A3" t="s"><v>0</v></c><c r="B3" t="s"><v>1</v></c></row>'
        b'<row r="4"><c r="A4"><v>1</v></c><c r="B4" t="s"><v>1</v></c><c r="D4"><f>A4+1</f><v>2</v></c></row>'
    )
    rows = read_table(with_sheet(body))
    assert [(r.number, r.cells, sorted(r.formula_cols)) for r in rows] == [
        (3, ["Stt", "Nội dung"], []),
        (4, ["1", "Nội dung", "", "=A4+1"], [3]),
    ]
