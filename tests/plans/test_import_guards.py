"""Bad input and bad timing, still all or nothing: two confirmations at once, a huge cell, an impossible year."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from agencies.models import User
from cchc_portal.documents import services
from plans.models import Document, ImportJob
from plans.tables import parse_indicator_table, parse_task_table
from plans.tables.model import MAX_CELL_CHARS, SourceRow
from tasks.models import Assignment, Task
from tests.plans.test_import_web import confirm, small_table, upload

ROWS = [["I", "Cải cách thể chế", "", "", ""]] + [
    [str(n), f"Nhiệm vụ {n} về cải cách hành chính", "Sở Nội vụ", "Sở Tư pháp", "Năm 2026"] for n in range(1, 16)
]


def _read_job(demo) -> ImportJob:
    document = Document.objects.create(province=demo.province, number="31/KH-UBND", title="Kế hoạch", year=2026)
    client = Client()
    client.force_login(User.objects.get(username="sonoivu"))
    upload(client, document, small_table(*ROWS), "bang.xlsx")
    job = ImportJob.objects.get(document=document)
    assert job.state == ImportJob.State.READY, job.error
    return job


def _at_once(*works) -> list:
    """Run each work in its own thread (and database connection), started together."""
    barrier = threading.Barrier(len(works))
    results: list = [None] * len(works)

    def run(index, work):
        try:
            barrier.wait()
            results[index] = work()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_admins_confirming_at_once_write_the_tasks_once(demo):
    job = _read_job(demo)

    def confirm_as(username):
        def work():
            client = Client()
            client.force_login(User.objects.get(username=username))
            return confirm(client, job).content.decode()

        return work

    for _attempt in range(3):  # a race may be won either way: try it a few times on fresh jobs
        pages = _at_once(confirm_as("sonoivu"), confirm_as("sonoivu"))
        job.refresh_from_db()
        assert job.state == ImportJob.State.DONE, job.error
        assert Task.objects.filter(document=job.document).count() == 15
        assert Assignment.objects.filter(task__document=job.document).count() == 30
        assert sum("Đã nhập xong bảng vào văn bản" in page for page in pages) == 1
        assert sum("đã được xác nhận" in page for page in pages) == 1
        assert not any("không có gì được ghi" in page for page in pages)
        Task.objects.filter(document=job.document).delete()
        job.document.sections.all().delete()
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.READY, result=None)


@pytest.mark.django_db(transaction=True)
def test_a_job_applied_twice_at_once_by_workers_writes_once(demo):
    job = _read_job(demo)
    first, second = _at_once(
        lambda: services.apply_job(ImportJob.objects.get(pk=job.pk)),
        lambda: services.apply_job(ImportJob.objects.get(pk=job.pk)),
    )
    assert first.state == second.state == ImportJob.State.DONE
    assert Task.objects.filter(document=job.document).count() == 15
    job.refresh_from_db()
    assert job.result["created"] == 15 and job.error == ""


def _rows(*data) -> list[SourceRow]:
    return [SourceRow(number, [str(c) for c in row]) for number, row in enumerate(data, start=1)]


def test_a_cell_over_the_limit_is_refused_with_its_row_and_the_table_stays_small():
    huge = "Nội dung rất dài " * 5_000_000  # 85,000,000 characters
    table = parse_task_table(
        _rows(
            ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Thời gian thực hiện"],
            ["1", "Nhiệm vụ bình thường", "Sở Nội vụ", "Năm 2026"],
            ["2", huge, "Sở Nội vụ", "Năm 2026"],
        )
    )
    (error,) = table.errors
    assert error.row == 3 and "Hàng 3, cột 'Tên nhiệm vụ'" in error.message and "4.000 ký tự" in error.message
    assert "85.000.000" in error.message
    assert len(table.items[1].title) < 300  # the preview and the stored table carry a short excerpt, not 85 MB


def test_a_cell_at_the_limit_is_accepted():
    table = parse_task_table(
        _rows(["STT", "Tên nhiệm vụ", "Cơ quan chủ trì"], ["1", "x" * MAX_CELL_CHARS, "Sở Nội vụ"])
    )
    assert not table.errors and len(table.items[0].title) == MAX_CELL_CHARS


def test_an_indicator_cell_over_the_limit_is_refused_too():
    table = parse_indicator_table(
        _rows(["STT", "Chỉ tiêu", "Đơn vị tính", "Chỉ tiêu phấn đấu"], ["1", "Tỷ lệ " * 2000, "%", "90"])
    )
    assert any(m.row == 2 and "vượt quá giới hạn" in m.message for m in table.errors)


@pytest.mark.django_db
@pytest.mark.parametrize("deadline", ["01/01/0001", "31/12/9999", "Năm 9999", "Quý I/3024"])
def test_an_impossible_year_is_refused_at_import_with_its_row(client, demo, deadline):
    client.force_login(User.objects.get(username="sonoivu"))
    document = Document.objects.create(province=demo.province, number="32/KH-UBND", title="Kế hoạch", year=2026)
    rows = [
        ["1", "Nhiệm vụ đúng", "Sở Nội vụ", "", "Năm 2026"],
        ["2", "Nhiệm vụ có năm sai", "Sở Nội vụ", "", deadline],
    ]
    page = upload(client, document, small_table(*rows), "bang.xlsx").content.decode()
    assert "Hàng 5: thời hạn" in page and "không hợp lệ" in page
    job = ImportJob.objects.get(document=document)
    confirm(client, job)
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and not Task.objects.filter(document=document).exists()
