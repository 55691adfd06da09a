"""Old Excel (.xls) and OpenDocument (.ods) workbooks, as provincial offices still send them, read like .xlsx."""

from __future__ import annotations

import io
import resource

import pytest
import xlwt

from plans.tables import TableError, parse_task_table, read_table
from tests.plans import tablefiles as tf

ROWS = [
    ["PHỤ LỤC"],
    [],
    ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"],
    ["I", "Cải cách thể chế", None, None, None],
    [1, "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp", "Các sở, ban, ngành", "Quý II/2026"],
    [2, "Kiểm tra công tác cải cách hành chính", "Sở Nội vụ", None, "Năm 2026"],
    ["II", "Cải cách thủ tục hành chính", None, None, None],
    [1, "Số hóa hồ sơ", "Văn phòng UBND tỉnh", "Sở Khoa học và Công nghệ", "01/4/2026 - 15/5/2026"],
]


def items(rows):
    return [
        (i.kind, i.number, i.title, i.lead, i.cooperating, i.deadline, i.section_path)
        for i in parse_task_table(rows).items
    ]


@pytest.mark.parametrize(
    "build",
    [
        lambda: tf.xls(ROWS, merges=[(3, 3, 1, 4), (6, 6, 1, 4)]),
        lambda: tf.ods(ROWS, merges={(3, 1): (1, 4), (6, 1): (1, 4)}),
    ],
    ids=["xls", "ods"],
)
def test_old_and_open_workbooks_read_like_xlsx(build):
    assert items(read_table(build())) == items(read_table(tf.xlsx(ROWS, merges=["B4:E4", "B7:E7"])))
    assert [row.number for row in read_table(build())][:2] == [1, 3]  # Excel's row numbers, blank rows left out


def test_an_xls_section_merged_across_is_reported_as_merged():
    rows = read_table(tf.xls(ROWS, merges=[(3, 3, 1, 4)]))
    section = next(row for row in rows if row.number == 4)
    assert section.cells == ["I", "Cải cách thể chế"] and section.hmerged == {
        2: "Cải cách thể chế",
        3: "Cải cách thể chế",
        4: "Cải cách thể chế",
    }


def test_whole_numbers_of_old_workbooks_have_no_decimal_point():
    rows = read_table(tf.xls(ROWS))
    assert rows[3].cells[0] == "1"


def test_a_damaged_ods_gets_a_clear_message():
    data = tf.ods(ROWS)
    broken = tf.replace_member(data, "content.xml", b"<not-xml")
    with pytest.raises(TableError) as error:
        read_table(broken)
    assert error.value.code == "corrupt" and ".ods" in error.value.message


def test_an_empty_xls_is_refused_as_empty():
    with pytest.raises(TableError) as error:
        read_table(tf.xls([[]]))
    assert error.value.code == "empty"


@pytest.mark.django_db
def test_an_xls_appendix_is_imported_through_the_web(client, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from agencies.models import User
    from plans.models import Document, ImportJob
    from tasks.models import Task

    document = Document.objects.create(province=demo.province, number="35/KH-UBND", title="Kế hoạch", year=2026)
    client.force_login(User.objects.get(username="sonoivu"))
    url = reverse("plans:import_start", args=[document.pk])
    client.post(url, {"kind": "tasks", "file": SimpleUploadedFile("phu-luc.xls", tf.xls(ROWS))}, follow=True)
    job = ImportJob.objects.get(document=document)
    assert job.state == ImportJob.State.READY, job.error
    client.post(reverse("plans:import_confirm", args=[job.pk]), follow=True)
    assert Task.objects.filter(document=document).count() == 3
    assert Task.objects.get(document=document, section__number="II").due_date.isoformat() == "2026-05-15"


def test_an_xls_with_one_cell_at_its_last_row_and_column_is_refused_not_read_into_memory():
    """5 KB on disk, 1 GB in calamine's memory: the reading child hits its ceiling and the file gets a message."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Phụ lục")
    for column, text in enumerate(["STT", "Tên nhiệm vụ", "Cơ quan chủ trì"]):
        sheet.write(0, column, text)
    sheet.write(65535, 255, "lạc")
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert len(buffer.getvalue()) < 10_000
    with pytest.raises(TableError) as error:
        read_table(buffer.getvalue())
    assert error.value.code == "too_big" and "vùng dữ liệu quá lớn" in error.value.message
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KB: this process stayed small
