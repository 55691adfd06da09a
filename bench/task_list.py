"""Benchmark: the task list page (/tasks/) against a bare Django view, in the same process, on the national data.

    python bench/task_list.py      # DATABASE_URL: postgres://postgres@127.0.0.1:5432/cchc_national by default

Prints the median server time of /tasks/ for a reviewer (a whole province: ~8,500 assignments) and for an
agency's staff, with and without filters, and the ratio to a bare view through the same middleware.
"""

from __future__ import annotations

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


def median_ms(client, url: str, runs: int = 15) -> float:
    client.get(url)  # warm caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main() -> None:
    import django

    django.setup()
    from django.test import Client

    from agencies.models import User

    reviewer = User.objects.filter(username__endswith="-snv").order_by("username").first()
    staff = User.objects.filter(username__endswith="-s05-cb").order_by("username").first()
    if reviewer is None or staff is None:
        raise SystemExit("No synthetic data: python manage.py generate_synthetic --provinces 1")
    client = Client()
    client.force_login(reviewer)
    bare = median_ms(client, "/bench/ping/")
    rows = []
    for who, user in (("reviewer (whole province)", reviewer), ("agency staff", staff)):
        client.force_login(user)
        for label, url in (("/tasks/", "/tasks/"), ("/tasks/?status=overdue&q=cchc", "/tasks/?status=overdue&q=cchc")):
            rows.append((who, label, median_ms(client, url)))
    print(f"bare Django view                      {bare:7.1f} ms   1.0x")
    for who, label, ms in rows:
        print(f"{label:34} {who:26} {ms:7.1f} ms  {ms / bare:5.1f}x")


if __name__ == "__main__":
    main()
