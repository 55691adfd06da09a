"""Load: concurrent clients update tasks on gunicorn for a while; check no error, no lost update, p95 latency.

    python bench/load.py [--clients 20] [--seconds 60]     # DATABASE_URL: the national synthetic data by default

Clients work in pairs on the same assignment (an agency's staff and its leader), so the optimistic lock is
exercised: a save on a stale version must answer 409 with the new values, never overwrite. At the end every
saved report must be in the database exactly once and each assignment's version must have moved once per
save. Then the same clients hit a bare Django view served the same way, for the requests-per-second baseline.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cchc_national"
P95_LIMIT_MS = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A tiny HTTP client with a session: cookies, CSRF, keep-alive."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{self.port}{path}",
                            "X-CSRFToken": self.cookies.get("csrftoken", "")})
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (ConnectionError, http.client.HTTPException):
                if attempt:
                    raise
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text, dict(response.getheaders())

    def login(self, username: str, password: str) -> None:
        self.request("GET", "/accounts/login/")
        status, _text, _h = self.request("POST", "/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": self.cookies["csrftoken"]})
        if status != 302:
            raise RuntimeError(f"login failed for {username}: {status}")


def start_gunicorn(port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "cchc_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "4",
         "--worker-class", "sync", "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--shared", type=int, default=4, help="clients that edit another client's assignment at the same time")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause in seconds between a user's updates (0: flat out)")
    args = parser.parse_args()
    env = {
        **os.environ, "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DB), "DEBUG": "False", "SECRET_KEY": "bench-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1", "SESSION_COOKIE_SECURE": "False", "CSRF_COOKIE_SECURE": "False", "SECURE_SSL_REDIRECT": "False",
        "SECURE_HSTS_SECONDS": "0", "BENCH_ENDPOINTS": "True", "DEMO_MODE": "False", "AXES_ENABLED": "False", "LOG_LEVEL": "WARNING",
        # The synthetic accounts share one password hashed with the fast hasher; logins are not what is measured.
        "FAST_PASSWORD_HASHER": "True",
        "DJANGO_SETTINGS_MODULE": "cchc_portal.settings",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    from django.db.models import Count, F

    from tasks.models import Assignment, ProgressUpdate

    # Most clients work on an assignment of their own; ``--shared`` of them are an agency's leader editing the
    # same assignment as that agency's staff at the same moment, so stale saves happen and must be refused.
    shared = min(args.shared, args.clients // 2)
    pairs = args.clients - shared
    # Each pair works on a task of its agency's own plan, as contact persons mostly do; one per agency.
    chosen, seen = [], set()
    # The least-reported first: a real part has a year of monthly reports, not the thousands earlier runs of this
    # script left on the first ones (the task page reads every change of a part's history; see the README).
    candidates = (
        Assignment.objects.filter(task__document__issuer_id=F("agency_id"), state="in_progress", agency__code__contains="-s")
        .annotate(reports=Count("updates")).select_related("agency", "task").order_by("reports", "pk")[: pairs * 40]
    )
    for candidate in candidates:
        if candidate.agency_id not in seen and len(chosen) < pairs:
            seen.add(candidate.agency_id)
            chosen.append(candidate)
    if len(chosen) < pairs:
        raise SystemExit("Not enough synthetic data: run python manage.py generate_synthetic --provinces 1 first.")
    before = {a.pk: (a.version, ProgressUpdate.objects.filter(assignment=a).count()) for a in chosen}

    port = free_port()
    server = start_gunicorn(port, env)
    latencies: list[float] = []
    outcomes: dict[str, int] = {"saved": 0, "conflict": 0, "error": 0}
    saved_per_assignment: dict[int, int] = {a.pk: 0 for a in chosen}
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds
    think = args.think
    rng = random.Random(7)
    version_re = {a.pk: re.compile(rf'name="a{a.pk}-version" value="(\d+)"') for a in chosen}

    def worker(assignment, username: str) -> None:
        client = Client(port)
        client.login(username, "demo12345")
        page = f"/tasks/{assignment.task_id}/"
        status, text, _ = client.request("GET", page)  # open the task once, as a person does
        match = version_re[assignment.pk].search(text)
        version = int(match.group(1)) if match else 0
        n = 0
        while time.monotonic() < deadline:
            if think:
                time.sleep(rng.uniform(0.5 * think, 1.5 * think))
            n += 1
            form = {f"a{assignment.pk}-version": str(version), f"a{assignment.pk}-state": "in_progress",
                    f"a{assignment.pk}-progress": str(10 + n % 80), f"a{assignment.pk}-note": f"{username} lần {n}",
                    "csrfmiddlewaretoken": client.cookies.get("csrftoken", "")}
            started = time.perf_counter()
            status, text, _h = client.request("POST", f"/tasks/assignments/{assignment.pk}/report/", form)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if status == 302:
                    outcomes["saved"] += 1
                    saved_per_assignment[assignment.pk] += 1
                    version += 1
                elif status == 409:  # the page shows the other person's values and the current version
                    outcomes["conflict"] += 1
                    match = version_re[assignment.pk].search(text)
                    version = int(match.group(1)) if match else version
                else:
                    outcomes["error"] += 1

    threads = [threading.Thread(target=worker, args=(a, f"{a.agency.code}-cb")) for a in chosen]
    threads += [threading.Thread(target=worker, args=(a, f"{a.agency.code}-ld")) for a in chosen[:shared]]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    lost = 0
    for assignment in chosen:
        assignment.refresh_from_db()
        version0, updates0 = before[assignment.pk]
        saved = saved_per_assignment[assignment.pk]
        updates = ProgressUpdate.objects.filter(assignment=assignment).count() - updates0
        if updates != saved or assignment.version - version0 != saved:
            lost += 1

    # Baseline: the same clients on a bare view of the same server.
    ping_count = [0]
    ping_deadline = time.monotonic() + min(10, args.seconds)

    def pinger() -> None:
        client = Client(port)
        while time.monotonic() < ping_deadline:
            status, _t, _h = client.request("GET", "/bench/ping/")
            if status == 200:
                with lock:
                    ping_count[0] += 1

    ping_threads = [threading.Thread(target=pinger) for _ in range(args.clients)]
    ping_started = time.perf_counter()
    for thread in ping_threads:
        thread.start()
    for thread in ping_threads:
        thread.join()
    ping_rps = ping_count[0] / (time.perf_counter() - ping_started)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=20)

    p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) >= 20 else max(latencies or [0])
    rps = (outcomes["saved"] + outcomes["conflict"]) / elapsed
    print(f"clients {args.clients} for {args.seconds} s on gunicorn (4 sync workers), {len(chosen)} assignments ({shared} edited by two people at once), think time {think} s")
    print(f"task updates: {outcomes['saved']} saved, {outcomes['conflict']} refused as stale (409), {outcomes['error']} errors; lost updates: {lost}")
    print(f"update latency: median {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms (limit {P95_LIMIT_MS} ms) -> {'OK' if p95 <= P95_LIMIT_MS else 'OVER'}")
    print(f"bare Django view: {ping_rps:.0f} req/s; task updates: {rps:.1f} req/s (ratio {rps / ping_rps:.3f} of the bare view)")


if __name__ == "__main__":
    main()
