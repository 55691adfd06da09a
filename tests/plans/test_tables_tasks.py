"""Layer 2 of the appendix import: rows become sections and tasks, quirks of real appendices included."""

from __future__ import annotations

import pytest

from plans.tables import (
    MAX_ROWS,
    SourceRow,
    TableError,
    guess_table_kind,
    parse_task_table,
    read_pasted,
    read_table,
)
from tests.plans import tablefiles as tf

HEADER = ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"]


def outline(table):
    """Return (kind, number, title, path) per item: the shape a reader checks first."""
    return [(item.kind, item.number, item.title, item.section_path) for item in table.items]


def messages(entries):
    return [entry.message for entry in entries]


def parse(rows):
    return parse_task_table(tf.source_rows(rows))


# Phú Yên 275: title rows, Roman sections, header repeated at page breaks ------


PY_OUTLINE = [
    ("section", "I", "Công tác chỉ đạo, điều hành CCHC", ()),
    ("task", "1", "Ban hành các văn bản chỉ đạo, điều hành công tác CCHC năm 2024", ("I",)),
    ("task", "2", "Tổ chức kiểm tra thường xuyên và đột xuất về công tác CCHC", ("I",)),
    ("task", "3", "Theo dõi, chỉ đạo triển khai thực hiện hoàn thành đúng tiến độ các nhiệm vụ", ("I",)),
    ("section", "II", "Cải cách thể chế", ()),
    ("task", "1", "Ban hành Kế hoạch theo dõi tình hình thi hành pháp luật năm 2024", ("II",)),
    ("task", "2", "Ban hành Kế hoạch xây dựng, kiểm tra, rà soát văn bản QPPL năm 2024", ("II",)),
    ("task", "3", "Ban hành Danh mục Quyết định của UBND tỉnh quy định chi tiết năm 2024", ("II",)),
    ("section", "III", "Cải cách thủ tục hành chính", ()),
    ("task", "1", "Kế hoạch hoạt động kiểm soát thủ tục hành chính năm 2024", ("III",)),
    ("task", "2", "Duy trì chuyên mục “Dân hỏi-Thủ trưởng cơ quan trả lời”", ("III",)),
]


def test_py275_xlsx_skips_title_rows_repeated_headers_and_blank_rows():
    table = parse_task_table(read_table(tf.xlsx(tf.py275_rows())))
    assert outline(table) == PY_OUTLINE
    assert table.columns == {"number": 0, "title": 1, "lead": 2, "cooperating": 3, "deadline": 4}
    assert table.header_rows == [5, 10, 16]  # the first header and the two repeats
    assert table.errors == [] and table.warnings == []
    task = table.items[1]
    assert (task.row, task.lead, task.cooperating, task.deadline, task.level) == (
        7,
        "Văn phòng UBND tỉnh, Sở Nội vụ, Sở Thông tin và Truyền thông",
        "Các sở, ban, ngành liên quan",
        "Năm 2024",
        0,
    )


def test_py275_docx_split_into_tables_at_page_breaks_reads_the_same():
    table = parse_task_table(read_table(tf.py275_docx()))
    assert outline(table) == PY_OUTLINE
    assert table.header_rows == [1, 5, 10]
    assert [item.level for item in table.sections] == [1, 1, 1]
    assert table.errors == [] and table.warnings == []


def test_py275_pasted_from_excel_reads_the_same():
    table = parse_task_table(read_pasted(tf.tsv(tf.py275_rows())))
    assert outline(table) == PY_OUTLINE


# Header variants ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "columns"),
    [
        (["Stt", "Tên sản phẩm", "Cơ quan chủ trì tham mưu/thực hiện", "Cơ quan phối hợp", "Thời gian thực hiện"], {}),
        (["TT", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn hoàn thành"], {}),
        (["Số TT", "Nội dung", "Đơn vị thực hiện", "Phối hợp", "Thời hạn"], {}),
        (["STT", "Nhiệm vụ, giải\npháp", "Cơ quan chủ trì\nthực hiện", "Cơ quan phối hợp", "Tiến độ"], {}),
        (["STT", "Nội dung công việc", "Chủ trì", "Phối hợp", "Thời gian hoàn thành", "Sản phẩm"], {"output": 5}),
        (
            [
                "STT",
                "Tên nhiệm vụ",
                "Cơ quan thực hiện",
                "Cơ quan phối hợp",
                "Thời gian thực hiện",
                "Sản phẩm đầu ra",
                "Ghi chú",
            ],
            {"output": 5, "note": 6},
        ),
        (
            ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn", "Kết quả thực hiện"],
            {"output": 5},
        ),
        (["**STT**", "TÊN NHIỆM VỤ", "CƠ QUAN CHỦ TRÌ", "CƠ QUAN PHỐI HỢP", "THỜI GIAN THỰC HIỆN"], {}),
    ],
)
def test_column_name_variants_are_recognised(header, columns):
    row = [1, "Nhiệm vụ", "Sở Nội vụ", "Sở Tư pháp", "Năm 2024", "Kế hoạch", "Không"][: len(header)]
    table = parse([["PHỤ LỤC"], header, row])
    assert table.columns == {"number": 0, "title": 1, "lead": 2, "cooperating": 3, "deadline": 4, **columns}
    (task,) = table.items
    assert (task.number, task.title, task.lead, task.cooperating, task.deadline) == (
        "1",
        "Nhiệm vụ",
        "Sở Nội vụ",
        "Sở Tư pháp",
        "Năm 2024",
    )


def test_header_matching_ignores_diacritic_encoding():
    import unicodedata

    header = [unicodedata.normalize("NFD", text) for text in HEADER]
    assert parse([header, [1, "Nhiệm vụ", "Sở Nội vụ"]]).columns["lead"] == 2


PHAN_CONG = [
    ["STT", "Tên nhiệm vụ", "Phân công thực hiện", None, "Thời gian thực hiện"],
    [None, None, "Cơ quan chủ trì", "Cơ quan phối hợp", None],
    [1, "Nhiệm vụ", "Sở Nội vụ", "Sở Tư pháp", "Năm 2024"],
]


def test_two_row_header_with_merged_group_title_resolves_per_column():
    data = tf.xlsx([["PHỤ LỤC"], *PHAN_CONG], merges=["A2:A3", "B2:B3", "C2:D2", "E2:E3"])
    table = parse_task_table(read_table(data))
    assert table.columns == {"number": 0, "title": 1, "lead": 2, "cooperating": 3, "deadline": 4}
    assert table.header_rows == [2, 3]
    assert table.items[0].cooperating == "Sở Tư pháp"


def test_two_row_header_without_merge_information_resolves_per_column():
    table = parse_task_table(read_pasted(tf.tsv(PHAN_CONG)))
    assert table.columns == {"number": 0, "title": 1, "lead": 2, "cooperating": 3, "deadline": 4}
    assert table.header_rows == [1, 2]


def test_two_row_header_pasted_with_line_breaks_inside_header_cells():
    rows = [
        ["STT", "Tên nhiệm\nvụ", "Phân công\nthực hiện", None, "Thời gian\nthực hiện"],
        [None, None, "Cơ quan\nchủ trì", "Cơ quan\nphối hợp", None],
        [1, "Nhiệm vụ", "Sở Nội vụ", "Sở Tư pháp", "Năm 2024"],
    ]
    table = parse_task_table(read_pasted(tf.tsv(rows)))
    assert table.columns == {"number": 0, "title": 1, "lead": 2, "cooperating": 3, "deadline": 4}
    assert table.header_rows == [1, 5]  # the line each header row starts on: the first spans 4 lines


def test_two_row_header_in_word_resolves_per_column():
    merges = [((0, 0), (1, 0)), ((0, 1), (1, 1)), ((0, 2), (0, 3)), ((0, 4), (1, 4))]
    table = parse_task_table(read_table(tf.docx_bytes([tf.Table(PHAN_CONG, merges=merges)])))
    assert table.columns == {"number": 0, "title": 1, "lead": 2, "cooperating": 3, "deadline": 4}
    assert table.items[0].lead == "Sở Nội vụ"


@pytest.mark.parametrize(
    "numbers",
    [["(1)", "(2)", "(3)", "(4)", "(5)"], [1, 2, 3, 4, 5], ["1", "2", "3", "4", "(ổ)"]],
)
def test_row_of_column_numbers_is_skipped_wherever_it_appears(numbers):
    table = parse(
        [
            HEADER,
            numbers,
            ["I", "Mục một"],
            [1, "Nhiệm vụ", "Sở Nội vụ"],
            HEADER,
            numbers,
            [2, "Nhiệm vụ hai", "Sở Tư pháp"],
        ]
    )
    assert outline(table) == [
        ("section", "I", "Mục một", ()),
        ("task", "1", "Nhiệm vụ", ("I",)),
        ("task", "2", "Nhiệm vụ hai", ("I",)),
    ]
    assert table.header_rows == [1, 5]


def test_no_header_is_refused_with_the_expected_columns():
    with pytest.raises(TableError) as error:
        parse([["Báo cáo"], ["Nội dung tùy ý", "khác"], ["1", "Không phải bảng"]])
    assert error.value.message == (
        "Không tìm thấy hàng tiêu đề của bảng (cần các cột như 'STT', 'Tên nhiệm vụ', 'Cơ quan chủ trì', 'Thời gian thực hiện')."
    )


def test_header_without_title_column_is_refused():
    with pytest.raises(TableError) as error:
        parse([["STT", "Mô tả", "Cơ quan chủ trì", "Thời gian thực hiện"], [1, "Việc", "Sở Nội vụ", "2024"]])
    assert error.value.code == "no_header"
    assert "'STT', 'Mô tả', 'Cơ quan chủ trì', 'Thời gian thực hiện'" in error.value.message


def test_hai_phong_scoring_form_is_not_a_task_table():
    with pytest.raises(TableError) as error:
        parse_task_table(read_table(tf.xlsx(tf.HP_ROWS)))
    assert error.value.code == "no_header"
    assert guess_table_kind(tf.source_rows(tf.HP_ROWS)) == ""


# Sections --------------------------------------------------------------------


def test_dong_nai_parts_sections_and_numbers_restarting_per_section():
    table = parse_task_table(read_table(tf.dong_nai_xlsx()))
    assert [(i.kind, i.number, i.level, i.section_path) for i in table.items] == [
        ("section", "A", 1, ()),
        ("section", "I", 2, ("A",)),
        ("task", "1.1", 0, ("A", "I")),
        ("section", "II", 2, ("A",)),
        ("task", "2.1", 0, ("A", "II")),
        ("task", "2.2", 0, ("A", "II")),
        ("section", "III", 2, ("A",)),
        ("task", "3", 0, ("A", "III")),  # a lone "3" where the others say 1.1, 2.1
        ("section", "B", 1, ()),
        ("section", "I", 2, ("B",)),
        ("task", "1.1", 0, ("B", "I")),
        ("section", "II", 2, ("B",)),
        ("task", "2.1", 0, ("B", "II")),
        ("section", "C", 1, ()),
        ("section", "I", 2, ("C",)),
        ("task", "1.1", 0, ("C", "I")),
    ]
    assert table.columns["output"] == 5
    assert table.header_rows == [4, 16, 19, 24]  # repeats say "Nội dung" and leave STT empty
    assert table.errors == [] and table.warnings == []
    assert table.items[0].title == "PHÁT TRIỂN NỀN MÓNG CHO KINH TẾ SỐ VÀ XÃ HỘI SỐ"


def test_dong_nai_repeat_with_content_merged_over_the_stt_column():
    repeat = ["Nội dung", None, "Đơn vị thực hiện", "Đơn vị phối hợp", "Thời gian thực hiện", "Sản phẩm đầu ra"]
    table = tf.Table(
        [
            tf.DN_HEADER,
            ["B", "PHÁT TRIỂN", None, None, None, None],
            repeat,
            ["1.1", "Nhiệm vụ", "Sở Y tế", "", "2026", "Kế hoạch"],
        ],
        merges=[((1, 1), (1, 5)), ((2, 0), (2, 1))],
    )
    parsed = parse_task_table(read_table(tf.docx_bytes([table])))
    assert outline(parsed) == [("section", "B", "PHÁT TRIỂN", ()), ("task", "1.1", "Nhiệm vụ", ("B",))]
    assert parsed.header_rows == [1, 3]


def test_dong_nai_in_word_with_separate_tables_per_part():
    body = [row for row in tf.dong_nai_rows()[4:] if row]
    first, second = body[:8], body[8:]
    widen = [list(row) + [None] * (6 - len(row)) for row in [tf.DN_HEADER, *first]]
    merges = [((r, 1), (r, 5)) for r, row in enumerate(widen) if row[0] in ("A", "I", "II", "III")]
    rest = [list(row) + [None] * (6 - len(row)) for row in second]
    rest_merges = [((r, 1), (r, 5)) for r, row in enumerate(rest) if row[0] in ("B", "C", "I", "II")]
    data = tf.docx_bytes(
        [tf.Para("PHỤ LỤC"), tf.Table(widen, merges=merges), tf.Para(""), tf.Table(rest, merges=rest_merges)]
    )
    table = parse_task_table(read_table(data))
    assert [i.number for i in table.items] == [
        "A",
        "I",
        "1.1",
        "II",
        "2.1",
        "2.2",
        "III",
        "3",
        "B",
        "I",
        "1.1",
        "II",
        "2.1",
        "C",
        "I",
        "1.1",
    ]
    assert table.errors == []


def test_section_title_alone_in_first_column_with_number():
    table = parse([HEADER, ["I. Công tác chỉ đạo, điều hành"], [1, "Nhiệm vụ", "Sở Nội vụ"]])
    assert outline(table)[0] == ("section", "I", "Công tác chỉ đạo, điều hành", ())


def test_numbered_row_with_only_a_title_heads_a_section_when_children_follow():
    table = parse(
        [
            HEADER,
            [1, "Công tác chỉ đạo, điều hành"],
            ["1.1", "Ban hành kế hoạch", "Sở Nội vụ"],
            ["1.2", "Kiểm tra", "Sở Nội vụ"],
            [2, "Cải cách thể chế"],
            ["a)", "Rà soát văn bản", "Sở Tư pháp"],
            ["b)", "Kiểm tra văn bản", "Sở Tư pháp"],
        ]
    )
    assert [(i.kind, i.number, i.section_path) for i in table.items] == [
        ("section", "1", ()),
        ("task", "1.1", ("1",)),
        ("task", "1.2", ("1",)),
        ("section", "2", ()),
        ("task", "a)", ("2",)),
        ("task", "b)", ("2",)),
    ]


def test_numbered_row_with_only_a_title_and_no_children_is_a_draft_task():
    table = parse(
        [HEADER, [1, "Nhiệm vụ đầy đủ", "Sở Nội vụ"], [2, "Nhiệm vụ chưa giao"], [3, "Nhiệm vụ khác", "Sở Tư pháp"]]
    )
    assert [(i.kind, i.number, i.section_path) for i in table.items] == [
        ("task", "1", ()),
        ("task", "2", ()),
        ("task", "3", ()),
    ]
    assert messages(table.warnings) == ["Hàng 3: chưa có cơ quan chủ trì."]


def test_bold_numbered_title_row_is_a_section():
    rows = tf.source_rows([HEADER, [1, "Công tác chỉ đạo"], [1, "Nhiệm vụ", "Sở Nội vụ"]])
    rows[1].bold = True
    assert outline(parse_task_table(rows))[:2] == [
        ("section", "1", "Công tác chỉ đạo", ()),
        ("task", "1", "Nhiệm vụ", ("1",)),
    ]


def test_tasks_before_any_section_belong_to_none():
    table = parse([HEADER, [1, "Nhiệm vụ chung", "Sở Nội vụ"], ["I", "Mục một"], [1, "Nhiệm vụ", "Sở Tư pháp"]])
    assert [i.section_path for i in table.items] == [(), (), ("I",)]
    assert table.errors == []


def test_part_letters_i_after_h_stay_letters():
    rows = [HEADER] + [[letter, f"Phần {letter}"] for letter in "ABCDEFGHI"] + [[1, "Nhiệm vụ", "Sở Nội vụ"]]
    table = parse(rows)
    assert [i.level for i in table.sections] == [1] * 9
    assert table.items[-1].section_path == ("I",)


def test_roman_one_under_part_h_stays_a_section_when_parts_hold_roman_sections():
    rows = [HEADER]
    for letter in "ABCDEFGH":
        rows += [[letter, f"Phần {letter}"], ["I", f"Mục I phần {letter}"], [1, "Nhiệm vụ", "Sở Nội vụ"]]
    table = parse(rows)
    assert table.items[-1].section_path == ("H", "I")
    assert table.errors == []


def test_trailing_notes_and_numbers_without_content_are_skipped_with_warnings():
    table = parse(
        [
            HEADER,
            [1, "Nhiệm vụ", "Sở Nội vụ"],
            [2],
            ["Ghi chú: các cơ quan báo cáo kết quả về Sở Nội vụ trước ngày 15/12 hằng năm"],
        ]
    )
    assert len(table.items) == 1
    assert messages(table.warnings) == [
        "Hàng 3: chỉ có số thứ tự '2', đã bỏ qua.",
        "Hàng 4: dòng 'Ghi chú: các cơ quan báo cáo kết quả về…' không phải nhiệm vụ, đã bỏ qua.",
    ]


def test_title_merged_right_above_the_header_is_not_part_of_it():
    rows = [["PHÂN CÔNG CƠ QUAN CHỦ TRÌ THỰC HIỆN NHIỆM VỤ"], HEADER, [1, "Nhiệm vụ", "Sở Nội vụ"]]
    table = parse_task_table(read_table(tf.xlsx(rows, merges=["A1:E1"])))
    assert table.header_rows == [2]
    assert table.items[0].lead == "Sở Nội vụ"


# Numbers ------------------------------------------------------------------------


def test_duplicate_number_within_a_section_is_an_error_naming_both_rows():
    table = parse(
        [
            HEADER,
            ["II", "Cải cách thể chế"],
            [1, "Một", "Sở Tư pháp"],
            [3, "Ba", "Sở Tư pháp"],
            [3, "Ba nữa", "Sở Tư pháp"],
        ]
    )
    assert messages(table.errors) == ["Hàng 5: số thứ tự 3 bị trùng với hàng 4 trong mục II."]
    assert table.errors[0].row == 5


def test_same_numbers_in_different_sections_are_fine():
    table = parse(
        [HEADER, ["I", "Một"], [1, "A", "Sở Nội vụ"], ["II", "Hai"], [1, "B", "Sở Tư pháp"], ["1.", "C", "Sở Tư pháp"]]
    )
    assert messages(table.errors) == ["Hàng 6: số thứ tự 1 bị trùng với hàng 5 trong mục II."]


def test_letters_restart_under_each_numbered_task():
    table = parse(
        [
            HEADER,
            [1, "Một", "Sở Nội vụ"],
            ["a)", "x", "Sở Nội vụ"],
            ["b)", "y", "Sở Nội vụ"],
            [2, "Hai", "Sở Nội vụ"],
            ["a)", "z", "Sở Nội vụ"],
        ]
    )
    assert table.errors == []


def test_vpcp_numbers_with_full_stops_under_heading_paragraphs():
    table = parse_task_table(read_table(tf.vpcp_docx()))
    assert [(i.kind, i.number, i.section_path) for i in table.items] == [
        ("section", "1", ()),
        ("task", "1", ("1",)),
        ("task", "2", ("1",)),
        ("section", "2", ()),
        ("task", "1", ("2",)),
        ("task", "2", ("2",)),
    ]
    assert table.sections[1].title == "Các nhiệm vụ về chuyển đổi số quá hạn chưa hoàn thành"
    assert table.items[1].extra == {"Văn bản giao nhiệm vụ": "Thông báo số 07-TB/CQTTBCĐ ngày 15/10/2025"}
    assert table.items[1].lead == "Các cơ quan Trung ương và địa phương"
    assert table.errors == [] and table.warnings == []


def test_vpcp_in_excel_with_merged_bold_headings_reads_the_same():
    table = parse_task_table(read_table(tf.vpcp_xlsx()))
    assert [(i.kind, i.number, i.section_path) for i in table.items] == [
        ("section", "1", ()),
        ("task", "1", ("1",)),
        ("task", "2", ("1",)),
        ("section", "2", ()),
        ("task", "1", ("2",)),
        ("task", "2", ("2",)),
    ]
    assert table.columns["Văn bản giao nhiệm vụ"] == 2
    assert table.header_rows == [6, 10]


def test_empty_number_with_a_title_is_kept_with_a_warning():
    table = parse([HEADER, [None, "Nhiệm vụ không số", "Sở Nội vụ"]])
    assert outline(table) == [("task", "", "Nhiệm vụ không số", ())]
    assert messages(table.warnings) == ["Hàng 2: chưa có số thứ tự."]


def test_number_written_in_the_title_cell_is_taken():
    table = parse([HEADER, [None, "1. Nhiệm vụ có số trong tên", "Sở Nội vụ"]])
    assert outline(table) == [("task", "1", "Nhiệm vụ có số trong tên", ())]


def test_row_without_number_and_title_is_skipped():
    table = parse([HEADER, [1, "Nhiệm vụ", "Sở Nội vụ"], [None, None, "Sở Tư pháp", "ghi thêm"]])
    assert len(table.items) == 1
    assert messages(table.warnings) == ["Hàng 3: không có số thứ tự và tên nhiệm vụ, đã bỏ qua."]


# Cells ------------------------------------------------------------------------


def test_task_without_lead_gets_a_warning():
    table = parse([HEADER, [1, "Nhiệm vụ", None, "Sở Tư pháp", "Năm 2024"]])
    assert table.items[0].warnings == ["Hàng 2: chưa có cơ quan chủ trì."]
    assert messages(table.warnings) == ["Hàng 2: chưa có cơ quan chủ trì."]


def test_agencies_separated_by_commas_semicolons_and_line_breaks_stay_as_written():
    table = parse_task_table(read_table(tf.dong_nai_xlsx()))
    coop = table.items[4].cooperating
    assert coop == "Các sở, ban, ngành; UBND các phường, xã; Các\ndoanh nghiệp cung cấp dịch vụ bưu chính"
    assert table.items[-1].lead == "Sở Khoa học và\nCông nghệ"


def test_formula_in_the_lead_column_is_an_error():
    data = tf.xlsx([HEADER, [1, "Nhiệm vụ", "=DonVi!B2", "", "Năm 2024"]])
    table = parse_task_table(read_table(data))
    assert messages(table.errors) == ["Hàng 2, cột 'Cơ quan chủ trì': ô chứa công thức (=DonVi!B2), cần nhập chữ."]
    assert table.errors[0].column == "Cơ quan chủ trì"


def test_formula_outside_the_table_is_ignored():
    data = tf.xlsx([HEADER, [1, "Nhiệm vụ", "Sở Nội vụ", "", "Năm 2024", None, "=SUM(A1:A2)"]])
    assert parse_task_table(read_table(data)).errors == []


def test_lead_merged_down_over_several_tasks_is_given_to_each():
    rows = [HEADER, ["I", "Mục"], [1, "Một", "Sở Nội vụ", "", "Năm 2024"], [2, "Hai"], [3, "Ba"]]
    data = tf.xlsx(rows, merges=["C3:C5", "E3:E5"])
    table = parse_task_table(read_table(data))
    assert [(t.number, t.lead, t.deadline) for t in table.tasks] == [
        ("1", "Sở Nội vụ", "Năm 2024"),
        ("2", "Sở Nội vụ", "Năm 2024"),
        ("3", "Sở Nội vụ", "Năm 2024"),
    ]
    assert table.warnings == []


def test_vhttdl_extra_columns_and_bullet_lines():
    table = parse_task_table(read_table(tf.vhttdl_docx()))
    assert table.columns == {
        "number": 0,
        "title": 1,
        "lead": 3,
        "cooperating": 4,
        "output": 5,
        "deadline": 6,
        "Người đứng đầu chịu trách nhiệm": 2,
    }
    second = table.items[1]
    assert second.extra == {
        "Người đứng đầu chịu trách nhiệm": "Thủ trưởng các đơn vị được giao xây dựng hồ sơ công bố TTHC"
    }
    assert second.output == (
        "- Hoàn thành tái cấu trúc quy trình điện tử thuộc phạm vi quản lý của bộ.\n"
        "- Tích hợp 100% DVC trực tuyến lên Cổng DVC quốc gia."
    )
    assert second.deadline == "01/01/2026"


def test_second_result_column_becomes_an_extra():
    header = ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Sản phẩm", "Kết quả thực hiện", "Thời hạn"]
    table = parse([header, [1, "Việc", "Sở Nội vụ", "Kế hoạch", "Đã xong", "2024"]])
    assert table.items[0].output == "Kế hoạch"
    assert table.items[0].extra == {"Kết quả thực hiện": "Đã xong"}


def test_bac_ninh_indicator_list_also_reads_as_tasks():
    table = parse_task_table(read_table(tf.xlsx(tf.BN_ROWS)))
    assert table.columns == {"number": 0, "title": 1, "lead": 2}
    assert [i.number for i in table.sections] == ["I", "II"]


# Limits -------------------------------------------------------------------------


def test_more_than_max_rows_data_rows_is_refused_with_the_count():
    rows = [SourceRow(1, HEADER)] + [
        SourceRow(n + 1, [str(n), f"Nhiệm vụ {n}", "Sở Nội vụ"]) for n in range(1, MAX_ROWS + 2)
    ]
    with pytest.raises(TableError) as error:
        parse_task_table(rows)
    assert error.value.code == "too_many_rows"
    assert error.value.message.startswith("Bảng có 10.001 hàng dữ liệu, vượt quá giới hạn 10.000 hàng")


def test_exactly_max_rows_data_rows_are_accepted_from_a_paste():
    lines = ["\t".join(HEADER)] + [f"{n}\tNhiệm vụ {n}\tSở Nội vụ" for n in range(1, MAX_ROWS + 1)]
    table = parse_task_table(read_pasted("\n".join(lines)))
    assert len(table.items) == MAX_ROWS


def test_guess_table_kind():
    assert guess_table_kind(tf.source_rows(tf.py275_rows())) == "tasks"
    assert guess_table_kind(tf.source_rows(tf.binh_dinh_rows())) == "indicators"


def test_a_heading_row_looks_past_a_repeated_header_and_column_numbers_for_its_first_child():
    """Whether "1 | Nhóm…" heads a section is read from the next data row, not from the page-break rows between."""
    table = parse(
        [
            HEADER,
            ["1", "Nhóm nhiệm vụ về thể chế"],
            HEADER,
            ["(1)", "(2)", "(3)", "(4)", "(5)"],
            [],
            ["1.1", "Rà soát văn bản", "Sở Tư pháp", None, "Năm 2026"],
            ["2", "Nhiệm vụ chưa điền xong"],
            ["3", "Kiểm tra công tác cải cách", "Sở Nội vụ", None, "Năm 2026"],
        ]
    )
    assert outline(table) == [
        ("section", "1", "Nhóm nhiệm vụ về thể chế", ()),
        ("task", "1.1", "Rà soát văn bản", ("1",)),
        ("task", "2", "Nhiệm vụ chưa điền xong", ("1",)),  # "3" after it is no child: a task left half filled
        ("task", "3", "Kiểm tra công tác cải cách", ("1",)),
    ]
    assert table.header_rows == [1, 3]
    assert messages(table.warnings) == ["Hàng 7: chưa có cơ quan chủ trì."]
