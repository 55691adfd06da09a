"""The right columns: a name column and a content column, sections merged from the second column, nested headings,
footnote marks in headers. Each table is built here; the shapes are those of provincial plans issued in late 2025."""

from __future__ import annotations

import pytest

from plans.tables import parse_task_table, read_table
from plans.tables.header import without_mark
from tests.plans import tablefiles as tf

NAMES = [
    "Tên nhiệm vụ",
    "Tên nhiệm vụ, đề án",
    "Tên đề án/dự án",
    "Nhiệm vụ/Dự án",
    "Tên",
    "Dự án",
    "Đề án",
    "Tên nhiệm vụ, dự án, đề án",
    "Nhiệm vụ, đề án",
]
CONTENTS = ["Nội dung", "Nội dung thực hiện", "Nội dung chủ yếu", "Mô tả", "Mô tả nội dung", "Nội dung nhiệm vụ"]


def _tasks(head: list[str], n: int = 24) -> list[list[str]]:
    """24 tasks whose name and content differ, under one section."""
    out = [head, ["I", "", "", "", ""]]
    for i in range(1, n + 1):
        values = {"STT": str(i), "name": f"Đề án số {i}", "content": f"Nội dung chi tiết của đề án {i} gồm nhiều việc"}
        out.append([values.get(k, k) for k in ("STT", "name", "content", "Sở Nội vụ", "Năm 2026")])
    return out


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("content", CONTENTS)
def test_the_name_column_is_the_title_and_the_content_its_description(name, content):
    # Before: "Nội dung" won the title and 23 of 24 titles were the content, unflagged.
    rows = _tasks(["STT", name, content, "Cơ quan chủ trì", "Thời gian thực hiện"])
    table = parse_task_table(tf.source_rows(rows))
    tasks = table.tasks
    assert len(tasks) == 24 and not table.errors
    assert [t.title for t in tasks] == [f"Đề án số {i}" for i in range(1, 25)]
    assert tasks[0].description == "Nội dung chi tiết của đề án 1 gồm nhiều việc"


@pytest.mark.parametrize("content", CONTENTS)
def test_the_content_column_comes_first_and_still_the_name_wins(content):
    rows = [
        ["STT", content, "Tên nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"],
        ["1", "Nội dung dài", "Tên ngắn", "Sở Nội vụ", "Năm 2026"],
    ]
    (task,) = parse_task_table(tf.source_rows(rows)).tasks
    assert (task.title, task.description) == ("Tên ngắn", "Nội dung dài")


def test_a_content_column_alone_is_the_title():
    rows = [["STT", "Nội dung", "Cơ quan chủ trì", "Thời hạn"], ["1", "Rà soát thủ tục", "Sở Nội vụ", "Năm 2026"]]
    (task,) = parse_task_table(tf.source_rows(rows)).tasks
    assert (task.title, task.description) == ("Rà soát thủ tục", "")


def test_a_section_title_merged_from_the_second_column_is_read():
    head = ["STT", "Nội dung", "Tên nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"]
    rows = [
        head,
        [None, "I. CẢI CÁCH THỂ CHẾ", None, None, None],
        ["1", "Chi tiết", "Rà soát văn bản", "Sở Tư pháp", "Năm 2026"],
        ["II", "Cải cách thủ tục hành chính", None, None, None],
        ["1", "Chi tiết", "Số hóa hồ sơ", "Văn phòng UBND tỉnh", "Quý II/2026"],
    ]
    data = tf.xlsx(rows, merges=["B2:E2", "B4:E4"], bold=[2, 4])
    table = parse_task_table(read_table(data))
    sections = [(s.number, s.title) for s in table.sections]
    assert sections == [("I", "CẢI CÁCH THỂ CHẾ"), ("II", "Cải cách thủ tục hành chính")]
    assert [(t.section_path, t.title) for t in table.tasks] == [(("I",), "Rà soát văn bản"), (("II",), "Số hóa hồ sơ")]


@pytest.mark.parametrize("sub", ["III.1", "III.1."])
def test_nested_headings_are_sub_sections_and_numbering_restarts_in_each(sub):
    rows = [
        ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Thời gian thực hiện"],
        ["III", "Hiện đại hóa nền hành chính", None, None],
        [sub, "Nhóm nhiệm vụ về hạ tầng số", None, None],
        ["III.1.1", "Hạ tầng mạng", None, None],
        ["1", "Nâng cấp mạng diện rộng", "Sở Khoa học và Công nghệ", "Năm 2026"],
        ["III.2", "Nhóm nhiệm vụ về dữ liệu", None, None],
        ["1", "Xây dựng kho dữ liệu", "Sở Khoa học và Công nghệ", "Năm 2027"],
    ]
    table = parse_task_table(read_table(tf.xlsx(rows, italic=[3, 4, 6])))
    assert not table.errors
    assert [(s.number, s.level) for s in table.sections] == [
        ("III", 1),
        (sub.rstrip(".)"), 2),
        ("III.1.1", 3),
        ("III.2", 2),
    ]
    assert [t.section_path for t in table.tasks] == [("III", sub.rstrip(".)"), "III.1.1"), ("III", "III.2")]


def test_a_nested_heading_written_in_one_cell_is_a_sub_section():
    rows = [
        ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"],
        ["III", "Hiện đại hóa", None, None],
        ["III.1. Nhóm nhiệm vụ về dữ liệu", None, None, None],
        ["1", "Kho dữ liệu", "Sở Khoa học và Công nghệ", "Năm 2026"],
    ]
    table = parse_task_table(read_table(tf.xlsx(rows, merges=["A3:D3"])))
    assert [(s.number, s.title) for s in table.sections] == [
        ("III", "Hiện đại hóa"),
        ("III.1", "Nhóm nhiệm vụ về dữ liệu"),
    ]


@pytest.mark.parametrize(
    ("written", "clean"),
    [
        ("Cơ quan chủ trì[1]", "Cơ quan chủ trì"),
        ("Cơ quan chủ trì [1]", "Cơ quan chủ trì"),
        ("Thời gian thực hiện(*)", "Thời gian thực hiện"),
        ("Cơ quan phối hợp (2)", "Cơ quan phối hợp"),
        ("Ghi chú*", "Ghi chú"),
        ("Sản phẩm²", "Sản phẩm"),
        ("Cơ quan chủ trì1", "Cơ quan chủ trì"),
        ("Chỉ tiêu phấn đấu năm 2026", "Chỉ tiêu phấn đấu năm 2026"),
    ],
)
def test_a_footnote_mark_glued_to_a_header_is_ignored(written, clean):
    assert without_mark(written) == clean


def test_headers_with_footnote_marks_map_and_repeat():
    head = ["STT", "Tên nhiệm vụ[1]", "Cơ quan chủ trì[2]", "Cơ quan phối hợp[3]", "Thời gian thực hiện[4]"]
    rows = [
        head,
        ["1", "Rà soát", "Sở Tư pháp", "Sở Nội vụ", "Năm 2026"],
        head,
        ["2", "Kiểm tra", "Sở Nội vụ", "", "Năm 2026"],
    ]
    table = parse_task_table(tf.source_rows(rows))
    assert table.columns == {"number": 0, "title": 1, "lead": 2, "cooperating": 3, "deadline": 4}
    assert [t.title for t in table.tasks] == ["Rà soát", "Kiểm tra"]  # the repeated header is not a task


@pytest.mark.django_db
def test_the_description_is_written_on_the_task_and_shown_on_its_page(client, demo):
    from agencies.models import User
    from cchc_portal.documents.services import import_file
    from plans.models import Document
    from tasks.models import Task

    document = Document.objects.create(province=demo.province, number="33/KH-UBND", title="Kế hoạch", year=2026)
    rows = [
        ["STT", "Tên đề án/dự án", "Nội dung chủ yếu", "Cơ quan chủ trì", "Thời hạn"],
        ["1", "Đề án số hóa", "Số hóa toàn bộ hồ sơ", "Sở Nội vụ", "Năm 2026"],
    ]
    preview, result = import_file(document, tf.xlsx(rows), "bang.xlsx", "tasks")
    assert result is not None, preview.errors
    task = Task.objects.get(document=document)
    assert (task.title, task.description) == ("Đề án số hóa", "Số hóa toàn bộ hồ sơ")
    client.force_login(User.objects.get(username="sonoivu"))
    assert "Số hóa toàn bộ hồ sơ" in client.get(task.get_absolute_url()).content.decode()
