"""Layer 2b of the appendix import: indicator tables (Bình Định, Bắc Ninh shapes)."""

from __future__ import annotations

import pytest

from plans.tables import TableError, parse_indicator_table, read_pasted, read_table
from tests.plans import tablefiles as tf

BD_COLUMNS = {"number": 0, "name": 1, "unit": 2, "target": 3, "monitoring": 4, "implementing": 5}
BD_IMPL = tf.BD_IMPL


def brief(table):
    """Return each indicator as (number, unit, target, [(applies_to, unit, value)])."""
    return [
        (item.number, item.unit, item.target, [(s.applies_to, s.unit, s.value) for s in item.subrows])
        for item in table.items
    ]


BD_BRIEF = [
    (
        "1",
        "",
        "",
        [
            ("Các cơ quan thuộc Ủy ban nhân dân tỉnh", "%", "90"),
            ("Các cơ quan Trung ương đóng trên địa bàn tỉnh", "%", "87"),
            ("Ủy ban nhân dân các huyện, thị xã, thành phố", "%", "84"),
        ],
    ),
    ("7", "%", "60%", []),
    (
        "9",
        "",
        "",
        [
            ("100% Phòng Tư pháp cấp huyện, Ủy ban nhân dân cấp xã cung cấp chứng thực bản sao điện tử", "%", "30"),
            ("Hồ sơ giao dịch có sử dụng thành phần “bản sao điện tử”", "%", "100"),
        ],
    ),
    (
        "10",
        "",
        "",
        [
            ("Các sở, ngành và tương đương thuộc Ủy ban nhân dân tỉnh", "%", "100"),
            ("Các phòng, ban và tương đương thuộc Ủy ban nhân dân các huyện, thị xã, thành phố", "%", "90"),
        ],
    ),
]


@pytest.mark.parametrize(
    "load",
    [
        pytest.param(lambda: read_table(tf.binh_dinh_xlsx()), id="xlsx-merged-header"),
        pytest.param(lambda: read_table(tf.binh_dinh_docx()), id="docx-gridspan-vmerge"),
        pytest.param(lambda: read_pasted(tf.tsv(tf.binh_dinh_rows())), id="pasted"),
    ],
)
def test_binh_dinh_indicators_with_sub_rows_per_agency_category(load):
    table = parse_indicator_table(load())
    assert table.columns == BD_COLUMNS
    assert brief(table) == BD_BRIEF
    assert len(table.header_rows) == 4  # two-row header, repeated with the "phần đầu" typo
    assert table.errors == [] and table.warnings == []


def test_binh_dinh_dash_means_same_unit_as_the_indicator():
    table = parse_indicator_table(read_table(tf.binh_dinh_xlsx()))
    first = table.items[0]
    assert (first.monitoring, first.implementing) == ("Sở Nội vụ", BD_IMPL)
    assert {(s.monitoring, s.implementing) for s in first.subrows} == {("Sở Nội vụ", BD_IMPL)}


def test_binh_dinh_indicator_9_takes_its_implementing_units_from_its_italic_sub_rows():
    rows = read_table(tf.binh_dinh_xlsx())
    assert [row.italic for row in rows if row.cell(1).startswith("- 100%")] == [True]
    ninth = parse_indicator_table(rows).items[2]
    assert ninth.monitoring == "Văn phòng Ủy ban nhân dân tỉnh"
    assert [s.implementing for s in ninth.subrows] == ["Ủy ban nhân dân cấp huyện, cấp xã", BD_IMPL]
    assert ninth.implementing == f"Ủy ban nhân dân cấp huyện, cấp xã; {BD_IMPL}"
    assert [s.monitoring for s in ninth.subrows] == ["Văn phòng Ủy ban nhân dân tỉnh"] * 2


def test_binh_dinh_indicator_10_continues_after_the_page_break():
    table = parse_indicator_table(read_table(tf.binh_dinh_xlsx()))
    tenth = table.items[-1]
    assert [s.row for s in tenth.subrows] == [18, 19]
    assert tenth.subrows[0].implementing == "Các cơ quan, đơn vị, địa phương trên địa bàn tỉnh"


def test_italic_sub_row_without_a_dash_is_still_a_sub_row():
    rows = tf.source_rows(
        [tf.BD_HEAD_1, tf.BD_HEAD_2, [1, "Chỉ số", None, None, "Sở Nội vụ", "-"], [None, "Các sở", "%", 90]]
    )
    rows[-1].italic = True
    item = parse_indicator_table(rows).items[0]
    assert [(s.applies_to, s.value) for s in item.subrows] == [("Các sở", "90")]
    assert item.warnings == []


def test_sub_row_without_dash_or_italics_is_kept_with_a_warning():
    rows = tf.source_rows(
        [tf.BD_HEAD_1, tf.BD_HEAD_2, [1, "Chỉ số", None, None, "Sở Nội vụ", "x"], [None, "Các sở", "%", 90]]
    )
    table = parse_indicator_table(rows)
    assert len(table.items[0].subrows) == 1
    assert [w.message for w in table.warnings] == ["Hàng 4: hàng không số thứ tự được coi là chỉ tiêu con."]


def test_bac_ninh_targets_written_inside_the_sentence_are_flagged_with_a_suggestion():
    table = parse_indicator_table(read_table(tf.xlsx(tf.BN_ROWS)))
    assert table.columns == {"number": 0, "name": 1, "implementing": 2}
    assert [(s.number, s.title, s.level) for s in table.sections] == [("I", "Kinh\ntế số", 1), ("II", "Xã hội số", 1)]
    items = {(item.section_path, item.number): item for item in table.items}
    gdp = items[(("I",), "1")]
    assert (gdp.name, gdp.target, gdp.target_in_text, gdp.suggested_target) == (
        "Kinh tế số chiếm 45% GRDP tỉnh.",
        "",
        True,
        "45%",
    )
    assert gdp.implementing == "Sở Tài chính" and gdp.monitoring == ""
    assert gdp.warnings == ["Hàng 6: chỉ tiêu ghi trong câu, cần xác nhận giá trị (gợi ý: 45%)."]
    assert items[(("I",), "4")].suggested_target == "tối thiểu 40%"
    assert items[(("II",), "13")].suggested_target == "trên 60%"
    open_data = items[(("I",), "2")]
    assert open_data.target_in_text and open_data.suggested_target == ""
    assert open_data.implementing.startswith("Sở KH&CN chủ trì hướng dẫn, tổng hợp; Các sở, ngành")
    assert table.errors == []


def test_indicator_section_number_and_title_in_separate_cells():
    rows = tf.source_rows([["TT", "Chỉ tiêu", "Chủ trì"], ["I", "Kinh tế số"], [1, "Tỷ lệ đạt 80%", "Sở Tài chính"]])
    table = parse_indicator_table(rows)
    assert [(s.number, s.title) for s in table.sections] == [("I", "Kinh tế số")]
    assert table.items[0].section_path == ("I",)


def test_indicator_without_any_target_gets_a_warning():
    rows = tf.source_rows(
        [tf.BD_HEAD_1, tf.BD_HEAD_2, [3, "Tỷ lệ thủ tục hành chính trực tuyến", "%", None, "Văn phòng", "Các sở"]]
    )
    table = parse_indicator_table(rows)
    assert table.items[0].target_in_text is False
    assert [w.message for w in table.warnings] == ["Hàng 3: chưa có giá trị chỉ tiêu."]


def test_duplicate_indicator_numbers_within_a_section_are_errors():
    rows = tf.source_rows(
        [["TT", "Chỉ tiêu", "Chủ trì"], [1, "Một 10%", "A"], [1, "Hai 20%", "B"], ["II. Khác"], [1, "Ba 30%", "C"]]
    )
    table = parse_indicator_table(rows)
    assert [e.message for e in table.errors] == ["Hàng 3: chỉ tiêu số 1 bị trùng với hàng 2."]


def test_formula_in_the_target_column_is_an_error():
    data = tf.xlsx([tf.BD_HEAD_1, tf.BD_HEAD_2, [1, "Tỷ lệ", "%", "=B9*2", "Sở Nội vụ", "Các sở"]], merges=["E1:F1"])
    table = parse_indicator_table(read_table(data))
    assert [e.message for e in table.errors] == [
        "Hàng 3, cột 'Chỉ tiêu phấn đấu năm 2022': ô chứa công thức (=B9*2), cần nhập chữ."
    ]


def test_task_table_is_not_an_indicator_table():
    with pytest.raises(TableError) as error:
        parse_indicator_table(tf.source_rows(tf.py275_rows()))
    assert error.value.code == "no_header"
    assert "bảng chỉ tiêu" in error.value.message
