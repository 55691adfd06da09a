"""Layer 1 of the appendix import: files and pastes become clean SourceRows, unsafe files are refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import unicodedata
import zipfile

import docx
import openpyxl
import pytest

from plans.tables import MAX_COLUMNS, TableError, parse_task_table, read_pasted, read_table
from plans.tables.model import READ_ROWS_CAP
from tests.plans import tablefiles as tf

HEADER = ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"]


def by_number(rows):
    return {row.number: row for row in rows}


# Safety ----------------------------------------------------------------------


def test_openpyxl_parses_xml_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_empty_file_is_refused():
    with pytest.raises(TableError) as error:
        read_table(b"", "trong.xlsx")
    assert error.value.code == "empty"
    assert "rỗng" in error.value.message


def test_random_bytes_are_not_an_office_file():
    noise = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(64))
    with pytest.raises(TableError) as error:
        read_table(noise, "bang.xlsx")
    assert error.value.message == (
        "Tệp không phải là bảng tính Excel (.xlsx, .xls), OpenDocument (.ods) hoặc tài liệu Word (.docx) hợp lệ."
    )


def test_truncated_zip_is_not_an_office_file():
    data = tf.xlsx([HEADER, [1, "Nhiệm vụ", "Sở Nội vụ", "", "Năm 2024"]])
    with pytest.raises(TableError) as error:
        read_table(data[: len(data) // 2])
    assert error.value.code == "not_office"


def test_zip_that_is_not_ooxml_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ghi-chu.txt", "không phải Excel")
    with pytest.raises(TableError) as error:
        read_table(buffer.getvalue(), "bang.xlsx")
    assert error.value.code == "not_office"


def test_ods_like_package_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml", '<Types xmlns="x"><Default Extension="xml" ContentType="text/xml"/></Types>'
        )
    with pytest.raises(TableError) as error:
        read_table(buffer.getvalue())
    assert error.value.code == "not_office"


def ole2(*stream_names: str) -> bytes:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return header + b"".join(name.encode("utf-16-le") + b"\x00" * 40 for name in stream_names)


def test_a_damaged_xls_is_refused_with_advice_to_save_as_xlsx():
    """Old .xls workbooks are read (tests/plans/test_tables_formats.py); a damaged one gets a clear message."""
    with pytest.raises(TableError) as error:
        read_table(ole2("Workbook", "SummaryInformation"), "phu-luc.xls")
    assert error.value.code == "corrupt"
    assert ".xls" in error.value.message and ".xlsx" in error.value.message


def test_old_doc_is_refused_with_advice_to_save_as_docx():
    with pytest.raises(TableError) as error:
        read_table(ole2("WordDocument", "1Table"), "phu-luc.doc")
    assert ".doc cũ" in error.value.message and ".docx" in error.value.message


def test_password_protected_office_file_is_refused_as_encrypted():
    with pytest.raises(TableError) as error:
        read_table(ole2("EncryptionInfo", "EncryptedPackage"), "phu-luc.xlsx")
    assert error.value.code == "encrypted"
    assert error.value.message.startswith("Tệp được đặt mật khẩu")


def test_workbook_with_vba_project_is_refused():
    data = tf.xlsx([HEADER], keep_vba=True)
    with pytest.raises(TableError) as error:
        read_table(data, "phu-luc.xlsm")
    assert error.value.code == "macro"


def test_macro_enabled_content_type_is_refused_even_without_vba_part():
    data = tf.xlsx([HEADER])
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    with pytest.raises(TableError) as error:
        read_table(tf.replace_member(data, "[Content_Types].xml", types), "doi-ten.xlsx")
    assert error.value.code == "macro"


def test_zip_bomb_is_refused_before_parsing():
    data = tf.xlsx([HEADER])
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/zeros.bin", "w", force_zip64=True) as member:
            block = bytes(1 << 20)
            for _ in range(120):
                member.write(block)
    bomb = buffer.getvalue()
    assert len(bomb) < 1_000_000
    with pytest.raises(TableError) as error:
        read_table(bomb)
    assert error.value.code == "zip_bomb"
    assert "120 MB" in error.value.message


def test_upload_above_ten_megabytes_is_refused():
    with pytest.raises(TableError) as error:
        read_table(b"PK\x03\x04" + bytes(11 * 1024 * 1024))
    assert error.value.code == "too_big"
    assert "11,0 MB" in error.value.message


def without_declaration(xml: bytes) -> bytes:
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


def test_xml_entities_are_refused():
    data = tf.xlsx([HEADER])
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    bomb = b'<!DOCTYPE Types [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>' + without_declaration(types)
    with pytest.raises(TableError) as error:
        read_table(tf.replace_member(data, "[Content_Types].xml", bomb))
    assert error.value.code == "unsafe_xml"


def test_xml_entities_inside_a_sheet_are_refused():
    data = tf.xlsx([HEADER, [1, "Nhiệm vụ", "Sở Nội vụ", "", "Năm 2024"]])
    name, xml = tf.sheet_xml(data)
    xml = b'<!DOCTYPE worksheet [<!ENTITY a "aaaa">]>' + without_declaration(xml)
    with pytest.raises(TableError) as error:
        read_table(tf.replace_member(data, name, xml))
    assert error.value.code == "unsafe_xml"


def test_workbook_without_data_is_refused():
    with pytest.raises(TableError) as error:
        read_table(tf.xlsx([]))
    assert error.value.code == "empty"
    assert error.value.message == "Bảng tính không có dữ liệu."


def test_document_without_tables_is_refused():
    with pytest.raises(TableError) as error:
        read_table(tf.docx_bytes([tf.Para("Kế hoạch không có phụ lục")]))
    assert error.value.message == "Tài liệu Word không có bảng nào."


def test_reader_stops_at_its_row_cap_and_says_so():
    text = "\n".join(f"{i}\tNhiệm vụ {i}\tSở Nội vụ" for i in range(READ_ROWS_CAP + 5))
    with pytest.raises(TableError) as error:
        read_pasted(text)
    assert error.value.code == "too_many_rows"
    assert "10.000" in error.value.message


def test_format_comes_from_content_not_from_the_name():
    data = tf.xlsx([HEADER, [1, "Nhiệm vụ", "Sở Nội vụ", "", "Năm 2024"]])
    assert read_table(data, "phu-luc.docx")[1].cells[2] == "Sở Nội vụ"


def test_html_saved_as_xls_is_refused():
    page = "<html>\n<table>\n\t<tr><td>STT</td>\t<td>Tên nhiệm vụ</td></tr>\n</table></html>".encode()
    with pytest.raises(TableError) as error:
        read_table(page, "xuat-tu-phan-mem.xls")
    assert error.value.code == "not_office"


def test_saved_tab_separated_text_is_read_like_a_paste():
    data = "STT\tTên nhiệm vụ\tCơ quan chủ trì\n1\tNhiệm vụ\tSở Nội vụ\n".encode("utf-8-sig")
    assert [row.cells for row in read_table(data, "bang.txt")][1] == ["1", "Nhiệm vụ", "Sở Nội vụ"]


# Excel -------------------------------------------------------------------------


def test_xlsx_numbers_dates_and_texts_read_as_shown():
    nfd = unicodedata.normalize("NFD", "Sở Nội vụ")
    data = tf.xlsx(
        [[1, 1.0, 2.5, dt.datetime(2024, 3, 31), 0.6, "  Sở Khoa học và \n  Công nghệ ", nfd, 0.1 + 0.2, True]],
        formats={"E1": "0%"},
    )
    (row,) = read_table(data)
    assert row.cells == ["1", "1", "2.5", "31/03/2024", "60%", "Sở Khoa học và\nCông nghệ", "Sở Nội vụ", "0.3", "TRUE"]


def test_xlsx_row_numbers_are_the_excel_row_numbers():
    rows = read_table(tf.xlsx([["PHỤ LỤC"], [], [], HEADER, [1, "A", "B"]]))
    assert [row.number for row in rows] == [1, 4, 5]


def test_xlsx_horizontal_merge_keeps_text_in_first_cell():
    data = tf.xlsx([HEADER, ["I", "Cải cách thể chế"]], merges=["B2:E2"], bold=[2])
    section = read_table(data)[1]
    assert section.cells == ["I", "Cải cách thể chế"]
    assert section.hmerged == {2: "Cải cách thể chế", 3: "Cải cách thể chế", 4: "Cải cách thể chế"}
    assert section.bold


def test_xlsx_vertical_merge_is_reported_for_the_rows_below():
    data = tf.xlsx(
        [["STT", "Tên nhiệm vụ", "Phân công thực hiện", None], [None, None, "Cơ quan chủ trì", "Cơ quan phối hợp"]],
        merges=["A1:A2", "B1:B2", "C1:D1"],
    )
    top, bottom = read_table(data)
    assert top.hmerged == {3: "Phân công thực hiện"}
    assert bottom.vmerged == {0: "STT", 1: "Tên nhiệm vụ"}
    assert [bottom.filled(c) for c in range(4)] == ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp"]


def test_xlsx_values_hidden_under_a_merge_are_dropped():
    data = tf.xlsx([["Cải cách thể chế", "giá trị ẩn", "cũng ẩn"]])
    name, xml = tf.sheet_xml(data)
    xml = xml.replace(b"</worksheet>", b'<mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells></worksheet>')
    (row,) = read_table(tf.replace_member(data, name, xml))
    assert row.cells == ["Cải cách thể chế"]
    assert row.hmerged == {1: "Cải cách thể chế", 2: "Cải cách thể chế"}


def test_xlsx_formula_cells_are_marked():
    data = tf.xlsx([HEADER, ["=ROW()-1", "Nhiệm vụ", "=VLOOKUP(B2,DonVi!A:B,2,0)", "", "Năm 2024"]])
    row = read_table(data)[1]
    assert row.formula_cols == {0, 2}
    assert row.cells[2] == "=VLOOKUP(B2,DonVi!A:B,2,0)"


def test_xlsx_first_visible_sheet_with_a_table_is_used():
    data = tf.xlsx(
        [HEADER, [1, "Nhiệm vụ thật", "Sở Nội vụ", "", "Năm 2024"]],
        sheets_before=[
            ("Bảng cũ", [HEADER, [1, "Nhiệm vụ đã ẩn", "Sở Tư pháp"]], "hidden"),
            ("Hướng dẫn", [["Điền bảng ở trang tiếp theo"]], "visible"),
        ],
    )
    assert read_table(data)[1].cells[1] == "Nhiệm vụ thật"


def test_xlsx_without_any_header_falls_back_to_first_sheet_with_data():
    data = tf.xlsx([["Ghi chú"], ["Không có bảng"]], sheets_before=[("Trống", [], "visible")])
    rows = read_table(data)
    assert [row.cells for row in rows] == [["Ghi chú"], ["Không có bảng"]]
    with pytest.raises(TableError) as error:
        parse_task_table(rows)
    assert error.value.code == "no_header"


def test_xlsx_columns_past_fifty_and_a_bogus_dimension_do_not_choke():
    wide = [*HEADER, *[f"Cột {i}" for i in range(6, 71)]]
    data = tf.xlsx([wide, [1, "Nhiệm vụ", "Sở Nội vụ"]])
    name, xml = tf.sheet_xml(data)
    head, rest = xml.split(b"<dimension", 1)
    xml = head + b'<dimension ref="A1:XFD1048576"/>' + rest.split(b"/>", 1)[1]
    rows = read_table(tf.replace_member(data, name, xml))
    assert len(rows[0].cells) == MAX_COLUMNS
    assert rows[1].cells == ["1", "Nhiệm vụ", "Sở Nội vụ"]


def test_xlsx_with_too_small_dimension_is_still_read_to_the_end():
    data = tf.xlsx([HEADER, *[[i, f"Nhiệm vụ {i}", "Sở Nội vụ"] for i in range(1, 6)]])
    name, xml = tf.sheet_xml(data)
    head, rest = xml.split(b"<dimension", 1)
    xml = head + b'<dimension ref="A1"/>' + rest.split(b"/>", 1)[1]
    assert len(read_table(tf.replace_member(data, name, xml))) == 6


def test_xlsx_stray_cell_a_million_rows_down_is_ignored_quickly():
    data = tf.xlsx([HEADER, [1, "Nhiệm vụ", "Sở Nội vụ"]])
    name, xml = tf.sheet_xml(data)
    stray = b'<row r="1048000"><c r="A1048000" t="inlineStr"><is><t>lac</t></is></c></row></sheetData>'
    xml = xml.replace(b"</sheetData>", stray)
    rows = read_table(tf.replace_member(data, name, xml))
    assert [row.number for row in rows] == [1, 2]


def test_xlsx_with_only_a_cell_at_the_last_row_is_empty_and_read_quickly():
    data = tf.xlsx([["x"]])
    name, xml = tf.sheet_xml(data)
    head, rest = xml.split(b"<sheetData>", 1)
    far = b'<sheetData><row r="1048576"><c r="A1048576" t="inlineStr"><is><t>lac</t></is></c></row></sheetData>'
    xml = head + far + rest.split(b"</sheetData>", 1)[1]
    with pytest.raises(TableError) as error:
        read_table(tf.replace_member(data, name, xml))
    assert error.value.code == "empty"


# Word --------------------------------------------------------------------------


def test_docx_rows_are_numbered_over_all_tables_and_paragraphs_kept_before_tables():
    rows = read_table(
        tf.docx_bytes(
            [
                tf.Para("PHỤ LỤC", bold=True),
                tf.Table([HEADER, [1, "Nhiệm vụ một", "Sở Nội vụ"]]),
                tf.Para("", page_break=True),
                tf.Para("2. Nhóm nhiệm vụ thứ hai", bold=True),
                tf.Table([HEADER, [1, "Nhiệm vụ hai", "Sở Tư pháp"]]),
            ]
        )
    )
    assert [(row.number, row.paragraph, row.cells[0]) for row in rows] == [
        (1, True, "PHỤ LỤC"),
        (1, False, "STT"),
        (2, False, "1"),
        (3, True, "2. Nhóm nhiệm vụ thứ hai"),
        (3, False, "STT"),
        (4, False, "1"),
    ]
    assert rows[0].bold and rows[3].bold


def test_docx_of_a_whole_plan_starts_at_the_appendix_table():
    emblem = tf.Table(
        [
            ["ỦY BAN NHÂN DÂN TỈNH PHÚ YÊN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
            ["Số: 275/KH-UBND", "Độc lập - Tự do - Hạnh phúc"],
        ]
    )
    results = tf.Table([["STT", "Chỉ số", "Kết quả 2023"], *[[i, f"Chỉ số {i}", "80"] for i in range(1, 40)]])
    signature = tf.Table([[["Nơi nhận:", "- Bộ Nội vụ;", "- Lưu: VT."], "KT. CHỦ TỊCH"]])
    rows = read_table(
        tf.docx_bytes(
            [
                emblem,
                tf.Para("KẾ HOẠCH Cải cách hành chính năm 2024"),
                results,
                signature,
                tf.Para("PHỤ LỤC"),
                tf.Table([HEADER, ["I", "Mục một"], [1, "Nhiệm vụ", "Sở Nội vụ"]]),
            ]
        )
    )
    assert rows[0].cells == ["PHỤ LỤC"] and rows[0].number == 44
    assert [item.number for item in parse_task_table(rows).items] == ["I", "1"]


def test_docx_grid_span_and_vmerge_become_hmerged_and_vmerged():
    table = tf.Table(
        [
            ["STT", "Tên nhiệm vụ", "Phân công thực hiện", None],
            [None, None, "Cơ quan chủ trì", "Cơ quan phối hợp"],
            ["I", "Cải cách thể chế", None, None],
        ],
        merges=[((0, 0), (1, 0)), ((0, 1), (1, 1)), ((0, 2), (0, 3)), ((2, 1), (2, 3))],
    )
    top, bottom, section = read_table(tf.docx_bytes([table]))
    assert top.cells == ["STT", "Tên nhiệm vụ", "Phân công thực hiện"]
    assert top.hmerged == {3: "Phân công thực hiện"}
    assert bottom.cells == ["", "", "Cơ quan chủ trì", "Cơ quan phối hợp"]
    assert bottom.vmerged == {0: "STT", 1: "Tên nhiệm vụ"}
    assert section.cells == ["I", "Cải cách thể chế"]


def test_docx_cell_paragraphs_joined_with_line_breaks_and_bullets_kept_on_their_line():
    table = tf.Table([HEADER, [1, "Nhiệm vụ", ["Sở Khoa học và", "Công nghệ"], ["-", "Ý một;", "-", "Ý hai."]]])
    row = read_table(tf.docx_bytes([table]))[1]
    assert row.cells[2] == "Sở Khoa học và\nCông nghệ"
    assert row.cells[3] == "- Ý một;\n- Ý hai."


def test_docx_italic_rows_are_marked():
    table = tf.Table([HEADER, [None, "- chỉ tiêu con", "%"]], italic=[1])
    assert read_table(tf.docx_bytes([table]))[1].italic


def test_docx_nested_table_is_ignored_without_crashing():
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì"], strict=True):
        cell.text = text
    table.cell(1, 0).text = "1"
    table.cell(1, 1).text = "Nhiệm vụ có bảng con"
    inner = table.cell(1, 2).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "bảng con"
    table.cell(1, 2).paragraphs[0].text = "Sở Nội vụ"
    buffer = io.BytesIO()
    document.save(buffer)
    rows = read_table(buffer.getvalue())
    assert rows[1].cells == ["1", "Nhiệm vụ có bảng con", "Sở Nội vụ"]


def test_docx_automatic_numbering_in_the_stt_column_is_rendered():
    table = tf.Table(
        [HEADER, ["#", "Nhiệm vụ một", "Sở Nội vụ"], ["#", "Nhiệm vụ hai", "Sở Tư pháp"]], numbered_column=0
    )
    rows = read_table(tf.docx_bytes([table]))
    assert [row.cells[0] for row in rows] == ["STT", "1.", "2."]
    assert [item.number for item in parse_task_table(rows).items] == ["1", "2"]


def test_docx_tracked_deletions_and_text_boxes_are_not_text():
    document = docx.Document()
    table = document.add_table(rows=1, cols=1)
    paragraph = table.cell(0, 0).paragraphs[0]
    paragraph.add_run("Sở Nội vụ")
    deleted = docx.oxml.parse_xml(
        '<w:del xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:id="1" w:author="A">'
        "<w:r><w:delText> cũ</w:delText></w:r></w:del>"
    )
    paragraph._p.append(deleted)
    buffer = io.BytesIO()
    document.save(buffer)
    assert read_table(buffer.getvalue())[0].cells == ["Sở Nội vụ"]


# Pasted text ---------------------------------------------------------------------


def test_paste_from_excel_reads_quoted_multiline_cells_and_line_numbers():
    text = tf.tsv(
        [
            HEADER,
            [1, 'Nhiệm vụ có “ngoặc” và "nháy"', "Sở Khoa học và\nCông nghệ", "Sở Nội vụ;\nSở Tư pháp", "Năm 2024"],
            [2, "Nhiệm vụ hai", "Sở Tư pháp", "", "Quý I/2024"],
        ]
    )
    rows = read_pasted(text)
    assert [row.number for row in rows] == [1, 2, 5]  # row 2 spans lines 2-4
    assert rows[1].cells == [
        "1",
        'Nhiệm vụ có “ngoặc” và "nháy"',
        "Sở Khoa học và\nCông nghệ",
        "Sở Nội vụ;\nSở Tư pháp",
        "Năm 2024",
    ]
    assert rows[2].cells == ["2", "Nhiệm vụ hai", "Sở Tư pháp", "", "Quý I/2024"]


def test_paste_from_word_rejoins_cells_split_over_lines():
    text = (
        "STT\tTên nhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian thực hiện\n"
        "I\tCải cách thể chế\n"
        "1\tRà soát, xây dựng các quy định\n"
        "cho phù hợp với chuyển đổi số\tSở Tư pháp\tCác sở, ban, ngành\tNăm 2024\n"
        "2\tBan hành kế hoạch\tSở Khoa học và\n"
        "Công nghệ\tSở Nội vụ\tQuý I/2024\n"
    )
    rows = read_pasted(text)
    assert [row.cells for row in rows[1:]] == [
        ["I", "Cải cách thể chế"],
        [
            "1",
            "Rà soát, xây dựng các quy định\ncho phù hợp với chuyển đổi số",
            "Sở Tư pháp",
            "Các sở, ban, ngành",
            "Năm 2024",
        ],
        ["2", "Ban hành kế hoạch", "Sở Khoa học và\nCông nghệ", "Sở Nội vụ", "Quý I/2024"],
    ]


def test_paste_with_a_stray_quote_is_read_literally():
    rows = read_pasted('STT\tTên nhiệm vụ\tCơ quan chủ trì\n1\t"Dân hỏi" trên sóng Đài\tĐài PT-TH\n')
    assert rows[1].cells == ["1", '"Dân hỏi" trên sóng Đài', "Đài PT-TH"]


def test_paste_full_of_unclosed_quotes_is_read_literally_and_quickly():
    rows = read_pasted("\n".join(f'"{n}\tNhiệm vụ {n}' for n in range(5000)))
    assert rows[0].cells == ['"0', "Nhiệm vụ 0"]
    assert len(rows) == 5000


def test_empty_paste_is_refused():
    with pytest.raises(TableError) as error:
        read_pasted(" \n\t\n")
    assert error.value.code == "empty"
