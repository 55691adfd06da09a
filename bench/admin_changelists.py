"""Benchmark: every admin change list, as a province administrator and as the superuser, on the national data.

    python manage.py generate_synthetic --provinces 34      # once, into DATABASE_URL (a few minutes)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_national python bench/admin_changelists.py [--runs 5]

For each registered model the change list is requested plain, searched, filtered by its first filter and sorted
by its first column, as each role; the median server time of each is printed against the 300 ms limit (issue 16),
with the number of SQL queries and whether any used SELECT DISTINCT. A bare view through the same middleware is
the baseline of the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_national")
os.environ.update(
    {
        "BENCH_ENDPOINTS": "True",
        "FAST_PASSWORD_HASHER": "True",
        "DJANGO_SETTINGS_MODULE": "cchc_portal.settings",
        "AXES_ENABLED": "False",
    }
)
sys.path.insert(0, str(ROOT))

LIMIT_MS = 300.0


def timed(client, url: str, runs: int) -> tuple[float, int, bool, int]:
    """Median ms of ``runs`` requests (after one warm-up), the queries of one, and whether one used DISTINCT."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # The log is a deque of at most 9,000 queries: once full, a capture's slice of it is empty (the column
    # printed 0 for every list). Start each capture from an empty log.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    status = response.status_code
    # The list's own query (the one with LIMIT), not a filter's list of choices.
    distinct = any(
        "SELECT DISTINCT" in q["sql"].upper() and "LIMIT" in q["sql"].upper() for q in queries.captured_queries
    )
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(queries.captured_queries), distinct, status


def variants(model_admin, request) -> list[tuple[str, str]]:
    """(label, query string) of the change list: plain, searched, first filter, sorted by the first column."""
    found = [("plain", "")]
    if model_admin.get_search_fields(request):
        found.append(("search", "?q=so+noi+vu"))
    changelist = model_admin.get_changelist_instance(request)
    for spec in changelist.filter_specs:
        choices = [c for c in spec.choices(changelist) if not c.get("selected") and c.get("query_string", "?") != "?"]
        if choices:
            found.append((f"filter {spec.title}", choices[min(1, len(choices) - 1)]["query_string"]))
            break
    found.append(("sorted", "?o=1"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="app_label.Model,… (default: every registered model)")
    args = parser.parse_args()
    import django

    django.setup()
    from django.contrib import admin
    from django.test import Client, RequestFactory
    from django.urls import reverse

    from agencies.models import Role, User
    from agencies.roles import make_province_admin

    reviewer = User.objects.filter(username__endswith="-snv").order_by("username").first()
    if reviewer is None:
        raise SystemExit("No synthetic data: python manage.py generate_synthetic --provinces 34")
    make_province_admin(reviewer)  # the province's Sở Nội vụ runs its admin
    superuser = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench_admin", "bench@example.invalid", "bench-admin-pw-12345", role=Role.ADMIN
    )
    client = Client()
    client.force_login(reviewer)
    bare, _queries, _distinct, _status = timed(client, "/bench/ping/", args.runs * 3)
    print(f"national data: {User.objects.count():,} users; baseline: a bare view {bare:.1f} ms")
    print(f"{'change list':44} {'as':16} {'ms':>8} {'queries':>8}  distinct  verdict")
    worst, over = 0.0, []
    for role, user in (("province admin", reviewer), ("superuser", superuser)):
        client.force_login(user)
        request = RequestFactory().get("/")
        request.user = user
        for model, model_admin in admin.site._registry.items():
            opts = model._meta
            if not model_admin.has_view_permission(request) or (args.only and opts.label not in args.only.split(",")):
                continue
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            for label, query in variants(model_admin, request):
                ms, queries, distinct, status = timed(client, url + query, args.runs)
                verdict = "ok" if ms < LIMIT_MS and status == 200 else f"OVER ({status})"
                if verdict != "ok":
                    over.append((role, opts.label, label, ms))
                worst = max(worst, ms)
                name = f"{opts.label} {label}"[:44]
                print(f"{name:44} {role:16} {ms:8.1f} {queries:8d}  {'yes' if distinct else 'no':8}  {verdict}")
    print(
        f"worst {worst:.1f} ms against the {LIMIT_MS:.0f} ms limit ({worst / bare:.0f}x the bare view); "
        f"{len(over)} change lists over the limit"
    )
    for row in over:
        print("  over:", *row)


if __name__ == "__main__":
    main()
