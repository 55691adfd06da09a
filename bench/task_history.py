"""Benchmark: the task page of a task shared by 101 agencies, and its 409 answer, as years of monthly reports accumulate
(issue 16).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench_history python bench/task_history.py [--years 3] [--fresh]

Builds one synthetic province in that database when it has none (``--fresh`` drops the database first: a second
run on the same database would start with the history of the first), then measures, as the baseline, the page of
its most shared task as the reviewer, and the conflict page (409) the lead agency gets when it saves a report with
a stale version (median server time, queries, and the rows the queries returned). It then writes a year of monthly
reports on every part of the task through the portal's write path (``cchc_portal.synthetic.add_history``: 1,212
reports and their history rows) and measures again, ``--years`` times. Both pages must not grow with the history:
their ratio to the baseline of the same run stays about 1, and so do the rows they read.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("BENCH_ROOT", Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cchc_bench_history"


class RowCounter:
    """An execute wrapper that adds up the rows each query returned (what the page read from the database)."""

    def __init__(self) -> None:
        self.queries = 0
        self.rows = 0

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        self.queries += 1
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            self.rows += max(0, context["cursor"].rowcount)
        return result


def _drop_database(url: str) -> None:
    """Drop the benchmark's own database (``--fresh``), so the baseline has no history."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _measure(request, runs: int, expected: int) -> tuple[float, int, int, float]:
    """Median server time of ``request()`` after two warm-ups, its queries, the rows they returned, and the median
    CPU time of this process (Python and templates: less disturbed than the wall clock by a busy machine)."""
    from django.db import connection

    for _ in range(2):
        request()
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        status = request().status_code
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert status == expected, status
    counter = RowCounter()
    with connection.execute_wrapper(counter):
        request()
    return statistics.median(times), counter.queries, counter.rows, statistics.median(cpu)


def _pages(task):
    """The two requests measured: the reviewer's task page, and the lead's report saved with a stale version."""
    from django.test import Client
    from django.urls import reverse

    from agencies.models import Role, User

    reviewer, lead_client, reviewer_client = User.objects.get(username="syn-01-snv"), Client(), Client()
    reviewer_client.force_login(reviewer)
    lead = task.assignments.filter(role="lead").order_by("pk").first()
    lead_client.force_login(User.objects.filter(agency_id=lead.agency_id, role=Role.STAFF).order_by("pk").first())
    prefix = f"a{lead.pk}-"
    stale = {f"{prefix}version": 10**9, f"{prefix}state": "in_progress", f"{prefix}progress": 50, f"{prefix}note": "x"}
    report_url = reverse("tasks:report", args=[lead.pk])
    return (
        lambda: reviewer_client.get(task.get_absolute_url()),
        lambda: lead_client.post(report_url, stale),
    )


def _line(label: str, figures: tuple, base: tuple) -> str:
    ms, queries, rows, cpu = figures
    return (
        f"{label}: {ms:.1f} ms, {queries} queries, {rows:,} rows read, CPU {cpu:.1f} ms: "
        f"{ms / base[0]:.2f}x the baseline ({base[0]:.1f} ms; CPU {cpu / base[3]:.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--fresh", action="store_true", help="drop the benchmark's database first")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    if args.fresh:
        _drop_database(os.environ["DATABASE_URL"])
    from _django import setup

    setup()
    logging.disable(logging.WARNING)  # each 409 logs "Conflict: …", each login a line of django-axes
    from django.db.models import Count

    from agencies.models import User
    from cchc_portal.synthetic import add_history, generate
    from tasks.models import ProgressUpdate, Task

    if not User.objects.filter(username="syn-01-snv").exists():
        generate(1)
    task = (
        Task.objects.filter(document__province__code="syn-01")
        .annotate(parts=Count("assignments"))
        .order_by("-parts", "pk")
        .first()
    )
    if ProgressUpdate.history.filter(assignment__task=task).exists():
        sys.exit("This database already has the history of an earlier run: run again with --fresh.")
    page, conflict = _pages(task)
    base_page, base_conflict = _measure(page, args.runs, 200), _measure(conflict, args.runs, 409)
    print(f"task shared by {task.parts} agencies, no history (baseline):")
    print(_line("  task page (reviewer) baseline", base_page, base_page))
    print(_line("  409 page (lead, stale save) baseline", base_conflict, base_conflict))
    for year in range(1, args.years + 1):
        written = add_history("syn-01", tasks=1, months=12)
        rows = ProgressUpdate.history.filter(assignment__task=task).count()
        print(f"after {year} year(s) of monthly reports (+{written:,}, {rows:,} history rows of reports):")
        print(_line(f"  task page after {year} year(s)", _measure(page, args.runs, 200), base_page))
        print(_line(f"  409 page after {year} year(s)", _measure(conflict, args.runs, 409), base_conflict))


if __name__ == "__main__":
    main()
