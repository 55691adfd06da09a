"""The appendix reader stays close to openpyxl's own read_only speed on a 5,000-row workbook."""

from __future__ import annotations

import io
import time

import openpyxl

from plans.tables import parse_task_table, read_table
from plans.tables.text import to_roman
from tests.plans import tablefiles as tf


def five_thousand_tasks() -> bytes:
    rows: list[list[object]] = [list(row) for row in tf.PY_TITLE] + [tf.PY_HEADER]
    for number in range(1, 5001):
        if number % 100 == 1:
            rows.append([to_roman(number // 100 + 1), f"Nhóm nhiệm vụ {number // 100 + 1}", None, None, None])
        rows.append(
            [
                number % 100 or 100,
                f"Nhiệm vụ số {number}: triển khai các nội dung cải cách hành chính năm 2024",
                "Sở Nội vụ",
                "Các sở, ban, ngành; UBND cấp huyện",
                "Quý I/2024",
            ]
        )
    return tf.xlsx(rows)


def best_of(runs: int, work) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def test_reading_and_parsing_5000_rows_costs_at_most_three_times_openpyxl_alone():
    data = five_thousand_tasks()

    def openpyxl_alone() -> None:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        for _row in workbook.worksheets[0].iter_rows(values_only=True):
            pass
        workbook.close()

    def ours() -> None:
        table = parse_task_table(read_table(data))
        assert len(table.tasks) == 5000 and table.errors == []

    baseline = best_of(3, openpyxl_alone)
    full = best_of(3, ours)
    assert full / baseline <= 3, f"openpyxl {baseline:.3f} s, read+parse {full:.3f} s"
