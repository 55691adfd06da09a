"""Benchmark: exports on the national synthetic data (issue 16 point 4), each in a fresh process for its memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_national python bench/exports.py [--skip-national]

Prints, for each export, the wall time, the rows, the file size and the peak memory it added to its process
(``ru_maxrss`` after minus before), with the baseline measured in the same run:

- every assignment of the country as a superuser, written by the worker's path (``cchc_portal.exporting.write``);
- a province administrator's export of its province's assignments: the worker's path against django-import-export's
  ``AssignmentResource().export()`` (the admin's old export, built inside the request);
- the dashboard's .docx periodic report of a province (limit: 50 MiB extra memory), rendered from the docxtpl
  template (``cchc_portal.dashboards.wordreport``, the body streamed into the file). Its data needs the database's
  schema to be current (``manage.py migrate``: the report reads the province's report settings).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(kind: str) -> None:
    """Run one export in this (fresh) process and print its figures as JSON."""
    import resource
    import time

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
    import django

    django.setup()
    from django.http import QueryDict

    from agencies.models import Role, User
    from agencies.roles import make_province_admin
    from cchc_portal import exporting
    from cchc_portal.models import ExportJob

    reviewer = User.objects.get(username="syn-01-snv")
    make_province_admin(reviewer)  # the province's Sở Nội vụ runs its admin (as in bench/admin_changelists.py)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    rows, size = 0, 0
    if kind in ("national", "province"):
        user = reviewer
        if kind == "national":
            user = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
                "bench_admin", "bench@example.invalid", "bench-admin-pw-12345", role=Role.ADMIN
            )
        job = ExportJob.objects.create(source="admin:tasks.Assignment", params={}, created_by=user)
        exporting.write(job.pk)
        job.refresh_from_db()
        rows, size = job.progress, job.file.size
        job.file.delete()
        job.delete()
    elif kind == "province-import-export":
        from tasks.resources import AssignmentResource

        queryset = exporting.sources()["admin:tasks.Assignment"].rows(reviewer, QueryDict())
        dataset = AssignmentResource().export(queryset=queryset)
        content = dataset.export("xlsx")
        rows, size = len(dataset), len(content)
    elif kind == "docx":
        import datetime

        from cchc_portal.dashboards import exports, pages
        from cchc_portal.dashboards.scope import resolve_scope

        scope = resolve_scope(reviewer, {"year": "2025"}, datetime.date(2025, 12, 20))
        period = pages.period_from({"period": "quarter-4"}, scope)
        content = exports.build_docx(exports.report_data(scope, period))
        size = len(content)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "rows": rows, "bytes": size, "extra_mib": (peak - before) / 1024}))


def run(kind: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind], capture_output=True, text=True, env=os.environ, cwd=ROOT
    )
    if result.returncode:
        print(result.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{kind}: failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", default="")
    parser.add_argument("--skip-national", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_national")
    lines = []
    for kind, label in [
        ("province", "province admin: its assignments, worker path"),
        ("province-import-export", "province admin: django-import-export (baseline)"),
        ("docx", "dashboard .docx report of a province"),
        *([] if args.skip_national else [("national", "superuser: every assignment of the country")]),
    ]:
        figures = run(kind)
        lines.append((kind, figures))
        print(
            f"{label:<52} {figures['seconds']:7.1f} s  {figures['rows']:>8,} rows  "
            f"{figures['bytes'] / 1024:8.0f} KB  +{figures['extra_mib']:6.1f} MiB",
            flush=True,
        )
    found = dict(lines)
    worker, baseline = found["province"], found["province-import-export"]
    print(
        f"province export: {worker['seconds']:.1f} s and +{worker['extra_mib']:.0f} MiB vs import-export "
        f"{baseline['seconds']:.1f} s and +{baseline['extra_mib']:.0f} MiB: {worker['seconds'] / baseline['seconds']:.2f}x time"
    )
    word = found["docx"]
    verdict = "within" if word["extra_mib"] < 50 else "OVER"
    print(
        f"docx export: +{word['extra_mib']:.0f} MiB extra memory for a {word['bytes'] / 1024:.0f} KB file "
        f"(limit 50 MiB: {verdict})"
    )
    if "national" in found:
        national = found["national"]
        print(
            f"national export of all assignments: {national['rows']:,} rows in {national['seconds']:.1f} s, "
            f"+{national['extra_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
