"""Benchmark: importing 5,000 task rows vs openpyxl alone reading the same file in read_only mode.

    python bench/import_appendix.py [--rows 5000]          # SQLite in a temp dir, or DATABASE_URL

Prints openpyxl's time, the portal's read+parse time, the full import time (read, parse, resolve names, read
deadlines, write tasks, assignments and their history in one transaction, commit) and the ratios. The limit is 3×.
"""

from __future__ import annotations

import argparse
import functools
import gc
import io
import statistics
import time

from _django import setup

LIMIT = 3.0


def build_workbook(rows: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["PHỤ LỤC"])
    sheet.append(["Các nhiệm vụ cải cách hành chính (dữ liệu thử)"])
    sheet.append([])
    sheet.append(["Stt", "Tên sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"])
    leads = ["Sở Nội vụ", "Sở Tư pháp", "Văn phòng UBND tỉnh", "Sở Tài chính", "Sở Thông tin và Truyền thông"]
    deadlines = ["Quý I/2024", "Quý II/2024", "Tháng 02/2024", "Năm 2024", "Thường xuyên", "6 tháng đầu năm 2024"]
    section = 0
    for number in range(1, rows + 1):
        if number % 100 == 1:
            section += 1
            sheet.append([_roman(section), f"Nhóm nhiệm vụ {section}", None, None, None])
        sheet.append(
            [
                number % 100 or 100,
                f"Nhiệm vụ số {number}: triển khai các nội dung cải cách hành chính năm 2024",
                leads[number % len(leads)],
                "Sở Nội vụ, Văn phòng UBND tỉnh" if number % 3 else "Sở Kế hoạch và Đầu tư",
                deadlines[number % len(deadlines)],
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _roman(n: int) -> str:
    out = ""
    for value, letters in (
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out, n = out + letters, n - value
    return out


def timed(work) -> float:
    gc.collect()
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url = setup()

    from agencies.models import User

    province = _phu_yen()
    data = build_workbook(args.rows)
    documents: list = []
    user, _created = User.objects.get_or_create(username="bench-importer", defaults={"role": "admin", "is_staff": True})
    base, parse, full, web = [], [], [], []
    for _ in range(args.runs):  # interleaved, so machine load hits all three alike
        base.append(timed(functools.partial(_openpyxl_alone, data)))
        parse.append(timed(functools.partial(_read_and_parse, data)))
        full.append(timed(functools.partial(_full_import, province, data, args.rows, documents)))
        web.append(_web_import(province, data, args.rows, user, documents))
        _remove_imported(documents)
    b, p, f, w = statistics.median(base), statistics.median(parse), statistics.median(full), statistics.median(web)
    print(f"database: {url.split('@')[-1]}")
    print(f"file: {args.rows} task rows, {len(data) / 1024:.0f} KB")
    print(f"openpyxl read_only alone      {b * 1000:8.0f} ms   1.00x")
    print(f"portal read + parse           {p * 1000:8.0f} ms   {p / b:.2f}x")
    print(
        f"portal full import (writes)   {f * 1000:8.0f} ms   {f / b:.2f}x   limit {LIMIT:.0f}x -> {'OK' if f / b <= LIMIT else 'OVER'}"
    )
    print(
        f"same file through the web     {w * 1000:8.0f} ms   {w / b:.2f}x   (worker: read, store the table, preview, write)"
    )


def _phu_yen():
    """The Phú Yên province, its agencies loaded from the demo fixture when missing."""
    import json

    from agencies.models import Province
    from cchc_portal.demo import FIXTURES, DemoReport, load_agencies

    if not Province.objects.filter(code="phu-yen").exists():
        load_agencies(json.loads((FIXTURES / "agencies.json").read_text(encoding="utf-8")), DemoReport())
    return Province.objects.get(code="phu-yen")


def _openpyxl_alone(data: bytes) -> None:
    """Read every row of the file with openpyxl in read_only mode, the baseline."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    for _row in workbook.worksheets[0].iter_rows(values_only=True):
        pass
    workbook.close()


def _read_and_parse(data: bytes) -> None:
    """Read and parse the file as the portal does, without writing."""
    from plans.tables import parse_task_table, read_table

    parse_task_table(read_table(data))


def _full_import(province, data: bytes, rows: int, documents: list) -> None:
    """What the import worker does: read, preview, write, and commit (deferred key checks run at commit)."""
    from django.db import transaction

    from cchc_portal.documents import services
    from plans.models import Document

    with transaction.atomic():
        document = Document.objects.create(
            province=province, number=f"BENCH-{time.monotonic_ns()}/KH", title="Bench", year=2024
        )
        preview, result = services.import_file(document, data, "bench.xlsx", "tasks")
        assert result is not None and result["created"] == rows, (preview.errors[:3], result)
    documents.append(document)


def _web_import(province, data: bytes, rows: int, user, documents: list) -> float:
    """The same file through the web: the worker reads and stores the table, then previews and writes it; return
    the seconds the worker took."""
    from django.core.files.base import ContentFile

    from cchc_portal.documents import services
    from plans.models import Document, ImportJob

    document = Document.objects.create(
        province=province, number=f"BENCH-{time.monotonic_ns()}/KH", title="Bench", year=2024
    )
    job = ImportJob.objects.create(document=document, kind="tasks", original_name="bench.xlsx", created_by=user)
    job.file.save("bench.xlsx", ContentFile(data), save=True)
    documents.append(document)
    started = time.perf_counter()
    services.parse_job(job)
    services.apply_job(job)
    elapsed = time.perf_counter() - started
    assert job.state == ImportJob.State.DONE and job.result["created"] == rows, (job.error, job.result)
    job.file.delete(save=False)
    return elapsed


def _remove_imported(documents: list) -> None:
    """Leave the database as it was (not timed)."""
    from tasks.models import Assignment, Task

    for document in documents:
        tasks = Task.objects.filter(document=document)
        Assignment.history.filter(task_id__in=tasks.values("id")).delete()
        Task.history.filter(document_id=document.pk).delete()
        Assignment.objects.filter(task__in=tasks).delete()
        tasks.delete()
        document.sections.all().delete()
        document.imports.all().delete()
        document.delete()
    documents.clear()


if __name__ == "__main__":
    main()
