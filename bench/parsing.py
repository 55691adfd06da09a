"""Benchmark: the worst inputs of the table and deadline readers, each against a baseline measured in the same run.

    python bench/parsing.py

These were timed assertions in the tests (tests/plans/test_deadlines.py, tests/plans/test_tables.py); the tests keep
what the reader must answer, this script shows how long it takes. Baselines: a plain ``str.split`` pass over the
same text (deadlines, pastes) and openpyxl's own read of the same workbook (files). No database.
"""

from __future__ import annotations

import gc
import io
import os
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")

ADVERSARIAL = [
    "1/" * 50_000,
    "1-" * 50_000,
    "1." * 50_000,
    "quý i-" * 20_000,
    "tháng 1-" * 20_000,
    "2024-" * 20_000,
    "số 1/" * 20_000,
    "ngay 1/" * 20_000,
    "1" * 100_000,
    "năm " * 25_000,
]
HEADER = ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"]


def timed(work) -> float:
    gc.collect()
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def line(label: str, seconds: float, base: float) -> None:
    print(f"{label:48s} {seconds * 1000:8.1f} ms   baseline {base * 1000:7.1f} ms   {seconds / max(base, 1e-6):7.1f}x")


def workbook(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def openpyxl_read(data: bytes) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    for _row in book.worksheets[0].iter_rows(values_only=True):
        pass
    book.close()


def main() -> None:
    from plans.deadlines import parse_deadline
    from plans.tables import TableError, read_pasted, read_table

    print("deadlines")
    worst = max(ADVERSARIAL, key=lambda text: timed(lambda: parse_deadline(text)))
    line("  slowest crafted text (100,000 chars)", timed(lambda: parse_deadline(worst)), timed(lambda: worst.split()))
    rows = [f"Quý {('I', 'II', 'III', 'IV')[i % 4]}/{2000 + i % 50} - nhiệm vụ {i}" for i in range(5000)]
    line(
        "  5,000 distinct deadline texts",
        timed(lambda: [parse_deadline(row, default_year=2024) for row in rows]),
        timed(lambda: [row.split() for row in rows]),
    )

    print("files")
    small = workbook([HEADER, [1, "Nhiệm vụ", "Sở Nội vụ"]])
    buffer = io.BytesIO(small)
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/zeros.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(120):
            member.write(bytes(1 << 20))
    bomb = buffer.getvalue()

    def refuse_bomb() -> None:
        try:
            read_table(bomb)
        except TableError:
            return
        raise AssertionError("the zip bomb was read")

    line("  zip bomb (120 MB declared) refused", timed(refuse_bomb), timed(lambda: openpyxl_read(small)))
    wide = workbook([[*HEADER, *[f"Cột {i}" for i in range(6, 71)]], [1, "Nhiệm vụ", "Sở Nội vụ"]])
    line("  70 columns (cut at 50)", timed(lambda: read_table(wide)), timed(lambda: openpyxl_read(wide)))
    paste = "\n".join(f'"{n}\tNhiệm vụ {n}' for n in range(5000))
    line(
        "  paste of 5,000 unclosed quotes",
        timed(lambda: read_pasted(paste)),
        timed(lambda: [r.split("\t") for r in paste.splitlines()]),
    )


if __name__ == "__main__":
    main()
