"""Benchmark: importing 5,000 task rows vs openpyxl alone reading the same file in read_only mode.

    python bench/import_appendix.py [--rows 5000]          # SQLite in a temp dir, or DATABASE_URL

Prints openpyxl's time, the portal's read+parse time, the full import time (read, parse, resolve names, read
deadlines, write tasks, assignments and their history in one transaction, commit) and the ratios. The limit is 3×.
"""

from __future__ import annotations

import argparse
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
        sheet.append([
            number % 100 or 100,
            f"Nhiệm vụ số {number}: triển khai các nội dung cải cách hành chính năm 2024",
            leads[number % len(leads)],
            "Sở Nội vụ, Văn phòng UBND tỉnh" if number % 3 else "Sở Kế hoạch và Đầu tư",
            deadlines[number % len(deadlines)],
        ])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
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

    import json

    import openpyxl
    from django.core.files.base import ContentFile
    from django.db import transaction

    from agencies.models import Province, User
    from cchc_portal.demo import FIXTURES, DemoReport, load_agencies
    from cchc_portal.documents import services
    from plans.models import Document, ImportJob
    from plans.tables import parse_task_table, read_table
    from tasks.models import Assignment, Task

    if not Province.objects.filter(code="phu-yen").exists():
        load_agencies(json.loads((FIXTURES / "agencies.json").read_text(encoding="utf-8")), DemoReport())
    province = Province.objects.get(code="phu-yen")
    data = build_workbook(args.rows)

    def openpyxl_alone() -> None:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        for _row in workbook.worksheets[0].iter_rows(values_only=True):
            pass
        workbook.close()

    def read_and_parse() -> None:
        parse_task_table(read_table(data))

    documents: list[Document] = []

    def full_import() -> None:
        """What the import worker does: read, preview, write, and commit (deferred key checks run at commit)."""
        with transaction.atomic():
            document = Document.objects.create(province=province, number=f"BENCH-{time.monotonic_ns()}/KH", title="Bench", year=2024)
            preview, result = services.import_file(document, data, "bench.xlsx", "tasks")
            assert result is not None and result["created"] == args.rows, (preview.errors[:3], result)
        documents.append(document)

    user, _created = User.objects.get_or_create(username="bench-importer", defaults={"role": "admin", "is_staff": True})

    def web_import() -> None:
        """The same file through the web: the worker reads and stores the table, then previews and writes it."""
        document = Document.objects.create(province=province, number=f"BENCH-{time.monotonic_ns()}/KH", title="Bench", year=2024)
        job = ImportJob.objects.create(document=document, kind="tasks", original_name="bench.xlsx", created_by=user)
        job.file.save("bench.xlsx", ContentFile(data), save=True)
        documents.append(document)
        started = time.perf_counter()
        services.parse_job(job)
        services.apply_job(job)
        web.append(time.perf_counter() - started)
        assert job.state == ImportJob.State.DONE and job.result["created"] == args.rows, (job.error, job.result)
        job.file.delete(save=False)

    def remove_imported() -> None:
        """Leave the database as it was (not timed)."""
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

    base, parse, full, web = [], [], [], []
    for _ in range(args.runs):  # interleaved, so machine load hits all three alike
        base.append(timed(openpyxl_alone))
        parse.append(timed(read_and_parse))
        full.append(timed(full_import))
        web_import()
        remove_imported()
    b, p, f, w = statistics.median(base), statistics.median(parse), statistics.median(full), statistics.median(web)
    print(f"database: {url.split('@')[-1]}")
    print(f"file: {args.rows} task rows, {len(data) / 1024:.0f} KB")
    print(f"openpyxl read_only alone      {b * 1000:8.0f} ms   1.00x")
    print(f"portal read + parse           {p * 1000:8.0f} ms   {p / b:.2f}x")
    print(f"portal full import (writes)   {f * 1000:8.0f} ms   {f / b:.2f}x   limit {LIMIT:.0f}x -> {'OK' if f / b <= LIMIT else 'OVER'}")
    print(f"same file through the web     {w * 1000:8.0f} ms   {w / b:.2f}x   (worker: read, store the table, preview, write)")


if __name__ == "__main__":
    main()
