"""Indicator tables as ministries and provinces write them in 2025-2026: header variants, group rows, numbering that
restarts in each group, and one indicator with a target per period."""

from __future__ import annotations

import pytest

from cchc_portal.documents.services import import_file
from indicators.models import Indicator
from plans.models import Document
from plans.tables import guess_table_kind, parse_indicator_table
from tests.plans import tablefiles as tf

TARGETS = ["Kết quả", "Mục tiêu", "Chỉ tiêu", "Chỉ tiêu phấn đấu năm 2026", "Giá trị", "Kết quả cần đạt"]
UNITS = ["Đơn vị", "Đơn vị tính"]
MONITORS = ["Cơ quan theo dõi, đánh giá", "Đơn vị theo dõi"]


def table(target="Kết quả", unit="Đơn vị", monitor="Cơ quan theo dõi, đánh giá", name="Tên chỉ tiêu"):
    return [
        ["STT", name, unit, target, monitor],
        ["I", "Chính quyền số", None, None, None],
        ["I.1", "Nhóm chỉ tiêu về dịch vụ công trực tuyến", None, None, None],
        ["1", "Tỷ lệ hồ sơ được xử lý trực tuyến toàn trình", "%", "90", "Văn phòng UBND tỉnh"],
        ["2", "Tỷ lệ thủ tục hành chính cung cấp trực tuyến", "%", "100", "Văn phòng UBND tỉnh"],
        ["I.2", "Nhóm chỉ tiêu về dữ liệu", None, None, None],
        ["1", "Số cơ sở dữ liệu dùng chung của tỉnh", "CSDL", "20", "Sở Khoa học và Công nghệ"],
        ["2", "Tỷ lệ hồ sơ được số hóa", "%", "100", "Sở Nội vụ"],
    ]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("monitor", MONITORS)
def test_every_header_variant_reads_every_target(target, unit, monitor):
    # Before: "Kết quả" and "Đơn vị" were not known, "I.1" was an indicator and the restarting "1" a duplicate:
    # the table was refused and 0 of its targets read.
    rows = tf.source_rows(table(target, unit, monitor, name="Chỉ tiêu" if target != "Chỉ tiêu" else "Tên chỉ tiêu"))
    assert guess_table_kind(rows) == "indicators"
    parsed = parse_indicator_table(rows)
    assert not parsed.errors
    assert [(i.number, i.target, i.unit) for i in parsed.items] == [
        ("1", "90", "%"),
        ("2", "100", "%"),
        ("1", "20", "CSDL"),
        ("2", "100", "%"),
    ]
    assert [i.section_path for i in parsed.items] == [("I", "I.1"), ("I", "I.1"), ("I", "I.2"), ("I", "I.2")]
    assert parsed.items[0].monitoring == "Văn phòng UBND tỉnh"


def test_a_group_row_without_a_number_is_a_group():
    rows = [
        ["TT", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu", "Đơn vị theo dõi"],
        ["", "Nhóm chỉ tiêu về thể chế", "", "", ""],
        ["1", "Tỷ lệ văn bản được rà soát", "%", "100", "Sở Tư pháp"],
        ["", "Nhóm chỉ tiêu về công vụ", "", "", ""],
        ["1", "Tỷ lệ công chức được đào tạo", "%", "80", "Sở Nội vụ"],
    ]
    parsed = parse_indicator_table(tf.source_rows(rows))
    assert not parsed.errors and [s.title for s in parsed.sections] == [
        "Nhóm chỉ tiêu về thể chế",
        "Nhóm chỉ tiêu về công vụ",
    ]
    assert len(parsed.items) == 2


def _targets(rows):
    (item,) = parse_indicator_table(tf.source_rows(rows)).items
    return [(s.value, s.year) for s in item.subrows]


def test_the_same_indicator_for_a_later_period_is_a_second_target():
    rows = [
        ["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả", "Thời hạn", "Đơn vị theo dõi"],
        ["1", "Tỷ lệ hồ sơ trực tuyến toàn trình", "%", "90", "Năm 2027", "Văn phòng UBND tỉnh"],
        ["", "Tỷ lệ hồ sơ trực tuyến toàn trình", "%", "98", "Năm 2030", "Văn phòng UBND tỉnh"],
    ]
    assert _targets(rows) == [("90", 2027), ("98", 2030)]


def test_target_columns_of_two_periods_give_two_targets():
    rows = [
        [
            "TT",
            "Tên chỉ tiêu",
            "Đơn vị tính",
            "Chỉ tiêu phấn đấu năm 2027",
            "Chỉ tiêu phấn đấu năm 2030",
            "Đơn vị theo dõi",
        ],
        ["1", "Tỷ lệ hồ sơ trực tuyến toàn trình", "%", "90", "98", "Văn phòng UBND tỉnh"],
    ]
    assert _targets(rows) == [("90", 2027), ("98", 2030)]


@pytest.mark.parametrize(
    "cell", ["90% (năm 2027); 98% (năm 2030)", "90% vào năm 2027, 98% đến năm 2030", "90% năm 2027; 98% năm 2030"]
)
def test_two_periods_written_in_one_cell_give_two_targets(cell):
    rows = [
        ["TT", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu", "Đơn vị theo dõi"],
        ["1", "Tỷ lệ hồ sơ trực tuyến", "%", cell, "Sở Nội vụ"],
    ]
    assert _targets(rows) == [("90%", 2027), ("98%", 2030)]


@pytest.mark.django_db
def test_an_indicator_with_two_periods_is_written_as_one_indicator_with_two_targets(demo):
    document = Document.objects.create(
        province=demo.province, number="37/KH-UBND", title="Kế hoạch", year=2026, purpose="indicators"
    )
    rows = [
        ["STT", "Chỉ tiêu", "Đơn vị", "Kết quả", "Thời hạn", "Cơ quan theo dõi, đánh giá"],
        ["I.1", "Nhóm chỉ tiêu về dịch vụ công", "", "", "", ""],
        ["1", "Tỷ lệ hồ sơ trực tuyến toàn trình", "%", "90", "2027", "Văn phòng UBND tỉnh"],
        ["", "Tỷ lệ hồ sơ trực tuyến toàn trình", "%", "98", "2030", "Văn phòng UBND tỉnh"],
        ["I.2", "Nhóm chỉ tiêu về dữ liệu", "", "", "", ""],
        ["1", "Số cơ sở dữ liệu dùng chung", "CSDL", "20", "2030", "Sở Khoa học và Công nghệ"],
    ]
    preview, result = import_file(document, tf.xlsx(rows), "chi-tieu.xlsx", "indicators")
    assert result == {"indicators": 2}, preview.errors
    online = Indicator.objects.get(document=document, name="Tỷ lệ hồ sơ trực tuyến toàn trình")
    assert sorted((t.year, float(t.value)) for t in online.targets.all()) == [(2027, 90.0), (2030, 98.0)]
    assert [(t.year, float(t.value)) for t in Indicator.objects.get(document=document, unit="CSDL").targets.all()] == [
        (2030, 20.0)
    ]
    # Imported again, nothing is duplicated.
    import_file(document, tf.xlsx(rows), "chi-tieu.xlsx", "indicators")
    assert online.targets.count() == 2 and Indicator.objects.filter(document=document).count() == 2
