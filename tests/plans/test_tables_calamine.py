""".xlsx, .xls and .ods all read by python-calamine: what structure detection took from fonts, formats and formulas
still comes out, and a file whose used range would take gigabytes is cut or refused before calamine reads it."""

from __future__ import annotations

import io
import resource
import time
import zipfile

import pytest
import xlwt
from openpyxl import Workbook
from openpyxl.styles import Font

from plans.tables import TableError, parse_indicator_table, parse_task_table, read_table
from plans.tables.calamine import _needs_cleaning
from plans.tables.text import clean_text
from tests.plans import tablefiles as tf

HEADER = ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"]


BOLD_BODY = [
    [1, "Kiểm tra công tác cải cách hành chính", "Sở Nội vụ", None, "Năm 2026"],
    [None, "Nhiệm vụ trọng tâm khác"],
    [1, "Rà soát văn bản", "Sở Tư pháp", None, "Năm 2026"],
]


def outline(table):
    return [(i.kind, i.number, i.title, i.section_path) for i in table.items]


def test_a_bold_title_alone_is_an_unnumbered_section_in_xlsx():
    rows = [HEADER, *BOLD_BODY]
    table = parse_task_table(read_table(tf.xlsx(rows, bold=[3])))
    assert outline(table) == [
        ("task", "1", "Kiểm tra công tác cải cách hành chính", ()),
        ("section", "", "Nhiệm vụ trọng tâm khác", ()),
        ("task", "1", "Rà soát văn bản", ("Nhiệm vụ trọng tâm khác",)),
    ]


def test_the_same_title_not_bold_is_a_task_without_number():
    table = parse_task_table(read_table(tf.xlsx([HEADER, *BOLD_BODY])))
    assert [i.kind for i in table.items] == ["task", "task", "task"]


def test_a_bold_numbered_title_row_in_xlsx_heads_a_section():
    rows = [HEADER, [1, "Công tác chỉ đạo"], [1, "Nhiệm vụ", "Sở Nội vụ"]]
    assert outline(parse_task_table(read_table(tf.xlsx(rows, bold=[2]))))[:2] == [
        ("section", "1", "Công tác chỉ đạo", ()),
        ("task", "1", "Nhiệm vụ", ("1",)),
    ]


def test_italic_sub_section_iii_1_is_read_alike_with_or_without_italics():
    rows = [
        ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Thời gian thực hiện"],
        ["III", "Hiện đại hóa nền hành chính", None, None],
        ["III.1", "Nhóm nhiệm vụ về hạ tầng số", None, None],
        ["1", "Nâng cấp mạng diện rộng", "Sở Khoa học và Công nghệ", "Năm 2026"],
    ]
    italic = parse_task_table(read_table(tf.xlsx(rows, italic=[3])))
    plain = parse_task_table(read_table(tf.xlsx(rows)))
    assert outline(italic) == outline(plain)
    assert [(s.number, s.level) for s in italic.sections] == [("III", 1), ("III.1", 2)]


def test_an_italic_indicator_sub_row_is_marked_in_xlsx():
    rows = [tf.BD_HEAD_1, tf.BD_HEAD_2, [1, "Chỉ số", None, None, "Sở Nội vụ", "-"], [None, "Các sở", "%", 90]]
    italic = read_table(tf.xlsx(rows, italic=[4]))
    assert [row.italic for row in italic][-1] is True
    assert parse_indicator_table(italic).warnings == []
    assert parse_indicator_table(read_table(tf.xlsx(rows))).warnings  # unmarked: kept with a warning


def test_only_the_first_cell_with_text_gives_the_row_its_font():
    data = tf.xlsx([HEADER, [None, "Mục", "Sở Nội vụ"]])
    workbook_rows = read_table(data)
    assert not workbook_rows[1].bold
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([None, "Mục", "Sở Nội vụ"])
    sheet["C2"].font = Font(bold=True)  # a bold agency, not a bold row
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert not read_table(buffer.getvalue())[1].bold


@pytest.mark.parametrize(
    ("number_format", "value", "shown"),
    [("0%", 0.6, "60%"), ("0.0%", 0.925, "92.5%"), ("0%", 1, "100%"), ("0.00", 2, "2.00"), ("General", 2.0, "2")],
)
def test_percent_and_fixed_decimal_cells_read_as_shown(number_format, value, shown):
    (row,) = read_table(tf.xlsx([["Tỷ lệ", value]], formats={"B1": number_format}))
    assert row.cells == ["Tỷ lệ", shown]


def test_a_shared_formula_is_shown_as_written_in_each_cell():
    data = tf.xlsx([HEADER, [1, "Việc A", "x"], [2, "Việc B", "y"]])
    name, xml = tf.sheet_xml(data)
    xml = xml.replace(
        b'<c r="C2" t="inlineStr"><is><t>x</t></is></c>',
        b'<c r="C2"><f t="shared" si="0" ref="C2:C3">DonVi!B2</f><v></v></c>',
    )
    xml = xml.replace(b'<c r="C3" t="inlineStr"><is><t>y</t></is></c>', b'<c r="C3"><f t="shared" si="0"/><v></v></c>')
    rows = read_table(tf.replace_member(data, name, xml))
    assert [(row.cells[2], sorted(row.formula_cols)) for row in rows[1:]] == [("=DonVi!B2", [2]), ("=DonVi!B3", [2])]


def test_a_sheet_written_with_prefixed_tags_is_read():
    data = tf.xlsx([HEADER, [1, "Việc A", "Sở Nội vụ", None, "Năm 2026"]], bold=[1])
    name, xml = tf.sheet_xml(data)
    xml = xml.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(b"</worksheet>", b"</x:worksheet>")
    for tag in (b"sheetData", b"row", b"c", b"is", b"t", b"v", b"sheetPr", b"outlinePr", b"pageSetUpPr", b"dimension"):
        xml = xml.replace(b"<" + tag + b" ", b"<x:" + tag + b" ").replace(b"<" + tag + b">", b"<x:" + tag + b">")
        xml = xml.replace(b"</" + tag + b">", b"</x:" + tag + b">")
    for tag in (b"sheetViews", b"sheetView", b"selection", b"sheetFormatPr", b"pageMargins"):
        xml = xml.replace(b"<" + tag, b"<x:" + tag).replace(b"</" + tag + b">", b"</x:" + tag + b">")
    rows = read_table(tf.replace_member(data, name, xml))
    assert rows[1].cells == ["1", "Việc A", "Sở Nội vụ", "", "Năm 2026"]


def test_every_cell_clean_text_would_change_sends_the_row_to_clean_text():
    for text in [" a", "a ", "a  b", "a\nb", "a\tb", "a\xa0b", "a\u200bb", "a\xadb", "Sở Nội vụ\u2028", "e\u0301"]:
        assert clean_text(text) == text or _needs_cleaning("|".join(["x", text, "y"])), repr(text)
    assert not _needs_cleaning("1|Sở Nội vụ|Quý II/2026")


# The same tables from the other formats ----------------------------------------------------------------------

ROWS = [
    ["PHỤ LỤC"],
    HEADER,
    ["I", "Cải cách thể chế", None, None, None],
    ["I.1", "Nhóm nhiệm vụ rà soát", None, None, None],
    [1, "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp", "Các sở, ban, ngành", "Quý II/2026"],
    [2, "Kiểm tra công tác cải cách hành chính", "Sở Nội vụ", None, "Năm 2026"],
]


@pytest.mark.parametrize("build", [tf.xls, tf.ods], ids=["xls", "ods"])
def test_sub_sections_of_xls_and_ods_come_out_as_from_xlsx(build):
    assert outline(parse_task_table(read_table(build(ROWS)))) == outline(parse_task_table(read_table(tf.xlsx(ROWS))))


def test_an_xls_with_many_sheets_is_read_from_its_first_sheet_with_a_table():
    workbook = xlwt.Workbook(encoding="utf-8")
    for name in ("Bìa", "Ghi chú"):
        workbook.add_sheet(name).write(0, 0, name)
    sheet = workbook.add_sheet("Phụ lục")
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert [t.title for t in parse_task_table(read_table(buffer.getvalue())).tasks][0].startswith("Rà soát")


# Sizes checked before calamine reads ---------------------------------------------------------------------------


def small_memory(work):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = work()
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KB
    return result, time.perf_counter() - started


def test_an_xlsx_with_a_cell_far_right_on_many_rows_is_refused_not_read_into_memory():
    data = tf.xlsx([HEADER, *[[i, f"Việc {i}", "Sở Nội vụ"] for i in range(1, 200)]])
    name, xml = tf.sheet_xml(data)
    xml = xml.replace(b"</row></sheetData>", b'<c r="XFD200" t="inlineStr"><is><t>lac</t></is></c></row></sheetData>')
    with pytest.raises(TableError) as error:
        small_memory(lambda: read_table(tf.replace_member(data, name, xml)))
    assert error.value.code == "too_big"


def test_an_xls_cell_far_down_on_a_second_sheet_is_refused_not_read_into_memory():
    workbook = xlwt.Workbook()
    workbook.add_sheet("Phụ lục").write(0, 0, "STT")
    workbook.add_sheet("Khác").write(65535, 200, "lạc")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(TableError) as error:
        small_memory(lambda: read_table(buffer.getvalue()))
    assert error.value.code == "too_big"


def ods_content(rows_xml: str) -> bytes:
    return tf.replace_member(
        tf.ods([["x"]]),
        "content.xml",
        (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
            f'<office:spreadsheet><table:table table:name="Phụ lục">{rows_xml}</table:table>'
            "</office:spreadsheet></office:body></office:document-content>"
        ).encode(),
    )


def cell(text: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def test_an_ods_row_repeated_a_million_times_before_data_is_refused_not_read_into_memory():
    data = ods_content(
        f"<table:table-row>{cell('STT')}</table:table-row>"
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="60"/>'
        f"</table:table-row><table:table-row>{cell('a') * 40}</table:table-row>"
    )
    with pytest.raises(TableError) as error:
        small_memory(lambda: read_table(data))
    assert error.value.code == "too_big" and ".ods" in error.value.message


def test_the_empty_rows_and_cells_libreoffice_writes_to_the_end_of_a_sheet_are_no_trouble():
    body = "".join(
        f"<table:table-row>{''.join(cell(str(v)) for v in row)}"
        '<table:table-cell table:number-columns-repeated="1019"/></table:table-row>'
        for row in [HEADER, [1, "Rà soát văn bản", "Sở Tư pháp", "Các sở", "Năm 2026"]]
    )
    body += '<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    rows, seconds = small_memory(lambda: read_table(ods_content(body)))
    assert rows[1].cells == ["1", "Rà soát văn bản", "Sở Tư pháp", "Các sở", "Năm 2026"]


def test_an_xlsx_part_declaring_entities_is_refused_even_outside_the_sheet():
    data = tf.xlsx([HEADER])
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml")
    bomb = b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa">]>' + styles
    with pytest.raises(TableError) as error:
        read_table(tf.replace_member(data, "xl/styles.xml", bomb))
    assert error.value.code == "unsafe_xml"


def test_cells_with_a_style_only_far_to_the_right_do_not_make_a_sheet_too_big():
    data = tf.xlsx([HEADER, *[[i, f"Việc {i}", "Sở Nội vụ"] for i in range(1, 200)]])
    name, xml = tf.sheet_xml(data)
    xml = xml.replace(b"</row></sheetData>", b'<c r="XFD200" s="0"/></row></sheetData>')
    assert len(read_table(tf.replace_member(data, name, xml))) == 200


def test_an_ods_with_one_very_wide_row_and_many_narrow_ones_is_refused_without_any_repeat():
    # 1,200 cells in one row, 2,000 rows of one cell: calamine would make 2.4 million cells of it
    data = ods_content(
        f"<table:table-row>{cell('a') * 1200}</table:table-row>"
        + f"<table:table-row>{cell('b')}</table:table-row>" * 2000
    )
    with pytest.raises(TableError) as error:
        small_memory(lambda: read_table(data))
    assert error.value.code == "too_big"


def test_a_plain_sheet_converted_column_by_column_gives_the_texts_of_the_row_by_row_reader():
    import datetime as dt

    from plans.tables.calamine import _plain_rows, _RowReader
    from plans.tables.xlsxparts import SheetExtras

    values = [
        ["STT", "Tên", "Ngày", "Cờ", "Tỉ lệ"],
        [1.0, " Rà  soát ", dt.date(2026, 3, 1), True, 0.25],
        [2.0, "Việc\u00a0hai", dt.datetime(2026, 3, 1, 8, 30), False, 1e16],
        [1.0, "", "", 1.0, float("nan")],
        ["", "", "", "", ""],
        [3, "Cải cách hành chính", "", "", -0.0],
    ]
    by_row = [_RowReader(SheetExtras(), 0).texts(n, row) for n, row in enumerate(values, 1)]
    assert _plain_rows(values, 50) == by_row
    assert by_row[1][:4] == ["1", "Rà soát", "01/03/2026", "TRUE"] and by_row[3][3] == "1"
    assert _plain_rows(values, 2) == [row[:2] for row in by_row]
    ragged = [values[0][:3], values[1][:3], values[2]]  # rows of several widths: read row by row
    assert _plain_rows(ragged, 50) == [by_row[0][:3], by_row[1][:3], by_row[2]]


@pytest.mark.parametrize(
    "value", ["lạc", 1 / 3, 7, True, xlwt.Formula("1+1")], ids=["text", "float", "int", "bool", "formula"]
)
def test_an_xls_cell_of_any_kind_far_down_and_right_is_refused_not_read_into_memory(value):
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Phụ lục")
    sheet.write(0, 0, "STT")
    sheet.write(65535, 40, value)  # 65,536 rows x 41 columns: more cells than calamine may hold
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(TableError) as error:
        small_memory(lambda: read_table(buffer.getvalue()))
    assert error.value.code == "too_big"


@pytest.mark.parametrize("far", [(12_287, 31), (40_000, 10)], ids=["near corner", "far down, narrow"])
def test_an_xls_whose_cells_fit_is_read_whether_or_not_the_quick_search_decides(far):
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Phụ lục")
    for column, text in enumerate(HEADER):
        sheet.write(0, column, text)
    sheet.write(1, 0, 1)
    sheet.write(1, 1, "Rà soát văn bản")
    sheet.write(1, 2, "Sở Tư pháp")
    sheet.write(*far, 3.5)
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read_table(buffer.getvalue())
    assert [row.number for row in rows] == [1, 2]  # the stray cell lies past a blank run: no part of the table
    assert parse_task_table(rows).tasks[0].lead == "Sở Tư pháp"
