"""Benchmark: the task page of a task shared by 101 agencies, as a year of monthly reports accumulates (issue 16).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench_history python bench/task_history.py [--years 2]

Builds one synthetic province in that database when it has none, then measures the page of its most shared task
as the reviewer (median server time and queries), writes a year of monthly reports on every part of the task
through the portal's write path (``cchc_portal.synthetic.add_history``: 1,212 reports and their history rows),
and measures again, ``--years`` times. The first measurement is the baseline of the same run; the page must not
grow with the history (ratio about 1). The conflict page (409) is the same page and is measured too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("BENCH_ROOT", Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_bench_history")
    from _django import setup

    setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from agencies.models import User
    from cchc_portal.synthetic import add_history, generate
    from tasks.models import ProgressUpdate, Task

    if not User.objects.filter(username="syn-01-snv").exists():
        generate(1)
    reviewer = User.objects.get(username="syn-01-snv")
    task = (
        Task.objects.filter(document__province__code="syn-01")
        .annotate(parts=Count("assignments"))
        .order_by("-parts", "pk")
        .first()
    )
    client = Client()
    client.force_login(reviewer)
    url = task.get_absolute_url()

    def measure() -> tuple[float, int, int]:
        for _ in range(2):
            client.get(url)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        history = ProgressUpdate.history.filter(assignment__task=task).count()
        return statistics.median(times), len(queries.captured_queries), history

    base, queries, rows = measure()
    print(
        f"task shared by {task.parts} agencies: {base:.1f} ms, {queries} queries, {rows:,} history rows of updates (baseline)"
    )
    for year in range(1, args.years + 1):
        written = add_history("syn-01", tasks=1, months=12)
        ms, queries, rows = measure()
        print(
            f"after {year} year(s) of monthly reports (+{written:,}): {ms:.1f} ms, {queries} queries, "
            f"{rows:,} history rows: {ms / base:.2f}x the baseline"
        )


if __name__ == "__main__":
    main()
