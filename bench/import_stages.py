"""Benchmark: each stage of a 5,000-row appendix import against its own baseline, measured in the same run.

    DATABASE_URL=postgres://…/cchc_bench python bench/import_stages.py [--rows 5000] [--runs 3]

1. read + parse (file -> sections and tasks) vs python-calamine's raw read of the same file to Python values;
   limit 3x, for the .xlsx and for the .xls and .ods of the same table (all three read by calamine in this process,
   see plans/tables/calamine.py); printed in wall-clock and in CPU time (the latter less disturbed by other
   processes on a busy machine). Parsing alone (the rows already read) is printed too.
2. write (tasks, assignments and their history, in one transaction) vs a bare PostgreSQL COPY of the very rows the
   import wrote into the same tables; limit 2x.
3. the old figure: the full import (read, parse, resolve, write, commit) vs openpyxl's read_only read of the file.
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import sys
import time

from _django import ROOT, setup
from import_appendix import build_workbook, timed

READ_LIMIT = 3.0
WRITE_LIMIT = 2.0
TABLES = ("tasks_task", "tasks_assignment", "tasks_historicaltask", "tasks_historicalassignment")


class Rollback(Exception):
    """Raised to leave a timed transaction without keeping what it wrote."""


def timed_both(work) -> tuple[float, float]:
    """Return (wall-clock, CPU) seconds of ``work``: calamine and the parser run in this process, on one thread."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def calamine_raw(blob: bytes) -> None:
    from python_calamine import CalamineWorkbook

    CalamineWorkbook.from_filelike(io.BytesIO(blob)).get_sheet_by_index(0).to_python()


def openpyxl_alone(data: bytes) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    for _row in workbook.worksheets[0].iter_rows(values_only=True):
        pass
    workbook.close()


def write_and_capture(province, data: bytes) -> tuple[float, dict[str, tuple[list[str], list[tuple]]]]:
    """Time apply_preview (the preview is built first, untimed); keep the rows it wrote; roll back."""
    from django.db import connection, transaction

    from plans.models import Document
    from plans.tables import parse_task_table, read_table
    from tasks import importing

    captured: dict[str, tuple[list[str], list[tuple]]] = {}
    seconds = 0.0
    try:
        with transaction.atomic():
            document = Document.objects.create(
                province=province, number=f"B-{time.monotonic_ns()}/KH", title="Bench", year=2024
            )
            preview = importing.build_preview(document, parse_task_table(read_table(data)))
            started = time.perf_counter()
            importing.apply_preview(preview)
            seconds = time.perf_counter() - started
            task_ids = "SELECT id FROM tasks_task WHERE document_id = %s"
            wheres = ("document_id = %s", f"task_id IN ({task_ids})", "document_id = %s", f"task_id IN ({task_ids})")
            with connection.cursor() as cursor:
                for table_name, where in zip(TABLES, wheres, strict=True):
                    cursor.execute(f"SELECT * FROM {table_name} WHERE {where}", [document.pk])  # noqa: S608
                    captured[table_name] = ([c.name for c in cursor.description], cursor.fetchall())
            raise Rollback
    except Rollback:
        pass
    return seconds, captured


def bare_copy(captured: dict[str, tuple[list[str], list[tuple]]]) -> float:
    """COPY the same rows into the same tables, in one transaction (rolled back)."""
    from django.db import connection, transaction

    seconds = 0.0
    try:
        with transaction.atomic():
            raw = connection.cursor().cursor
            started = time.perf_counter()
            for table_name in TABLES:
                columns, values = captured[table_name]
                names = ", ".join(f'"{c}"' for c in columns)
                with raw.copy(f"COPY {table_name} ({names}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
            seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return seconds


def full_import(province, data: bytes, rows: int) -> None:
    """What the import worker does (read, preview, write), rolled back at the end."""
    from django.db import transaction

    from cchc_portal.documents import services
    from plans.models import Document

    try:
        with transaction.atomic():
            document = Document.objects.create(
                province=province, number=f"F-{time.monotonic_ns()}/KH", title="Bench", year=2024
            )
            _preview, result = services.import_file(document, data, "bench.xlsx", "tasks")
            assert result is not None and result["created"] == rows
            raise Rollback
    except Rollback:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url = setup()
    if not url.startswith("postgres"):
        raise SystemExit("The write stage compares with PostgreSQL's COPY: set DATABASE_URL to a PostgreSQL database.")
    import json

    import openpyxl

    from agencies.models import Province
    from cchc_portal.demo import FIXTURES, DemoReport, load_agencies
    from plans.tables import parse_task_table, read_table

    if not Province.objects.filter(code="phu-yen").exists():
        load_agencies(json.loads((FIXTURES / "agencies.json").read_text(encoding="utf-8")), DemoReport())
    province = Province.objects.get(code="phu-yen")
    data = build_workbook(args.rows)
    values = list(openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows(values_only=True))
    files = {".xlsx": data, ".xls": _xls(values), ".ods": _ods(values)}
    rows = read_table(data)
    figures: dict[str, list[float]] = {k: [] for k in ("parse_only", "write", "copy", "openpyxl", "full")}
    counts = {}
    for _ in range(args.runs):  # interleaved, so machine load hits each pair alike
        for kind, blob in files.items():
            for name, work in (("raw", calamine_raw), ("parse", lambda b: parse_task_table(read_table(b)))):
                wall, cpu = timed_both(lambda work=work, blob=blob: work(blob))
                figures.setdefault(f"{name}{kind}", []).append(wall)
                figures.setdefault(f"cpu_{name}{kind}", []).append(cpu)
        figures["parse_only"].append(timed(lambda: parse_task_table(rows)))
        seconds, captured = write_and_capture(province, data)
        figures["write"].append(seconds)
        figures["copy"].append(bare_copy(captured))
        counts = {name: len(values) for name, (_columns, values) in captured.items()}
        figures["openpyxl"].append(timed(lambda: openpyxl_alone(data)))
        figures["full"].append(timed(lambda: full_import(province, data, args.rows)))
    report({k: statistics.median(v) for k, v in figures.items()}, url, args.rows, files, counts)


def report(m: dict[str, float], url: str, rows: int, files: dict[str, bytes], counts: dict[str, int]) -> None:
    def line(label: str, value: float, base: float, limit: float | None) -> None:
        verdict = f"limit {limit:.0f}x -> {'OK' if value / base <= limit else 'OVER'}" if limit else ""
        print(f"{label:52s} {value * 1000:8.0f} ms   baseline {base * 1000:7.0f} ms   {value / base:5.2f}x   {verdict}")

    sizes = ", ".join(f"{kind} {len(blob) / 1024:.0f} KB" for kind, blob in files.items())
    print(f"database: {url.split('@')[-1]}; file: {rows} task rows, {sizes}")
    print(f"rows written: {counts}")
    for kind in files:
        line(f"read + parse {kind:5s} vs calamine raw read", m[f"parse{kind}"], m[f"raw{kind}"], READ_LIMIT)
    for kind in files:  # CPU time of this process: what the other processes of a busy machine disturb least
        line(f"  same, CPU time {kind:5s}", m[f"cpu_parse{kind}"], m[f"cpu_raw{kind}"], READ_LIMIT)
    line("parse alone (rows read) vs calamine raw read .xlsx", m["parse_only"], m["raw.xlsx"], None)
    line("write tasks+assignments+history vs bare COPY", m["write"], m["copy"], WRITE_LIMIT)
    line("full import (old figure) vs openpyxl read_only", m["full"], m["openpyxl"], None)


def _xls(rows: list[tuple]) -> bytes:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Phụ lục")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ods(rows: list[tuple]) -> bytes:
    sys.path.insert(0, str(ROOT))
    from tests.plans.tablefiles import ods

    return ods(rows)


if __name__ == "__main__":
    main()
