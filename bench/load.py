"""Load: concurrent clients update tasks on gunicorn for a while; check no error, no lost update, p95 latency.

    python bench/load.py [--clients 20] [--seconds 60]     # DATABASE_URL: the national synthetic data by default

Clients work in pairs on the same assignment (an agency's staff and its leader), so the optimistic lock is
exercised: a save on a stale version must answer 409 with the new values, never overwrite. At the end every
saved report must be in the database exactly once and each assignment's version must have moved once per
save. Then the same clients hit a bare Django view served the same way, for the requests-per-second baseline,
and the ratio of task updates (saves and 409 answers) to it is judged against issue 16's target (at least 0.20).
The clock starts once every user has signed in and opened the task; a client drops the "saved" message as the page a
browser is redirected to would. Last, one update is timed inside this process (the server's own time, no HTTP) and
its queries counted, session and user included, with the 409 answer's.
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
RATIO_TARGET = 0.20  # issue 16: task updates at least a fifth of a bare view's rate (4x the 4.6% measured before)


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
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://127.0.0.1:{self.port}{path}",
                    "X-CSRFToken": self.cookies.get("csrftoken", ""),
                }
            )
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
        status, _text, _h = self.request(
            "POST",
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": self.cookies["csrftoken"]},
        )
        if status != 302:
            raise RuntimeError(f"login failed for {username}: {status}")


def start_gunicorn(port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cchc_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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
    args = _parse_args()
    env = _server_env()
    _setup_django(env)
    from tasks.models import ProgressUpdate

    # Most clients work on an assignment of their own; ``--shared`` of them are an agency's leader editing the
    # same assignment as that agency's staff at the same moment, so stale saves happen and must be refused.
    shared = min(args.shared, args.clients // 2)
    pairs = args.clients - shared
    chosen = _choose_assignments(pairs)
    before = {a.pk: (a.version, ProgressUpdate.objects.filter(assignment=a).count()) for a in chosen}

    port = free_port()
    server = start_gunicorn(port, env)
    lock = threading.Lock()
    updates = _Updates(port, chosen, args.think, args.seconds, lock, lambda: workers_cpu(server.pid))
    elapsed = updates.run(shared)
    lost = _count_lost(chosen, before, updates.saved_per_assignment)
    cpu_before = workers_cpu(server.pid)
    ping_rps, pings = _ping_rps(port, args.clients, args.seconds, lock)
    ping_cpu_ms = 1000 * (workers_cpu(server.pid) - cpu_before) / max(1, pings)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=20)
    _print_results(args, chosen, shared, updates, elapsed, lost, ping_rps)
    _print_cpu(updates, ping_cpu_ms)
    _print_in_process(chosen[0])


def workers_cpu(master: int) -> float:
    """The CPU seconds (user + system) used so far by the gunicorn workers, the children of ``master`` (Linux /proc),
    those running and those already replaced (``max_requests``: the master's cutime and cstime).

    Unlike requests per second, CPU per request hardly moves when other programs share the cores."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended meanwhile
        if int(fields[1]) == master:  # ppid; utime and stime follow at 11 and 12
            total += int(fields[11]) + int(fields[12])
        elif stat.parent.name == str(master):  # cutime and cstime: its children that ended
            total += int(fields[13]) + int(fields[14])
    return total / tick


def _print_cpu(updates, ping_cpu_ms: float) -> None:
    """Print the workers' CPU per request for task updates and for the bare view (PostgreSQL's not counted)."""
    done = updates.outcomes["saved"] + updates.outcomes["conflict"]
    update_ms = 1000 * updates.cpu_spent / max(1, done)
    print(
        f"gunicorn workers' CPU per request (PostgreSQL not counted): task update {update_ms:.1f} ms, bare view "
        f"{ping_cpu_ms:.2f} ms (ratio {ping_cpu_ms / max(update_ms, 1e-9):.3f})"
    )


def _parse_args() -> argparse.Namespace:
    """The command-line options: clients, seconds, shared assignments and think time."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--shared", type=int, default=4, help="clients that edit another client's assignment at the same time"
    )
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean pause in seconds between a user's updates (0: flat out)"
    )
    return parser.parse_args()


def _server_env() -> dict:
    """The environment of this process and of gunicorn: production settings over plain HTTP, bench endpoints on."""
    return {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DB),
        "DEBUG": "False",
        "SECRET_KEY": "bench-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
        "SECURE_SSL_REDIRECT": "False",
        "SECURE_HSTS_SECONDS": "0",
        "BENCH_ENDPOINTS": "True",
        "DEMO_MODE": "False",
        "AXES_ENABLED": "False",
        "LOG_LEVEL": "WARNING",
        # The synthetic accounts share one password, hashed by the hasher in force when they were generated (the
        # default one unless FAST_PASSWORD_HASHER was set then too, and here); 20 logins are not what is measured.
        "FAST_PASSWORD_HASHER": os.environ.get("FAST_PASSWORD_HASHER", "False"),
        "DJANGO_SETTINGS_MODULE": "cchc_portal.settings",
    }


def _setup_django(env: dict) -> None:
    """Set Django up in this process with ``env``, migrate the database and collect the static files."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)


def _choose_assignments(pairs: int) -> list:
    """One in-progress assignment per agency on its own plan, the least-reported first; exit when too few."""
    from django.db.models import Count, F

    from tasks.models import Assignment

    # Each pair works on a task of its agency's own plan, as contact persons mostly do; one per agency.
    chosen, seen = [], set()
    # The least-reported first: a real part has a year of monthly reports, not the thousands earlier runs of this
    # script left on the first ones (the task page reads every change of a part's history; see the README).
    candidates = (
        Assignment.objects.filter(
            task__document__issuer_id=F("agency_id"), state="in_progress", agency__code__contains="-s"
        )
        .annotate(reports=Count("updates"))
        .select_related("agency", "task")
        .order_by("reports", "pk")[: pairs * 40]
    )
    for candidate in candidates:
        if candidate.agency_id not in seen and len(chosen) < pairs:
            seen.add(candidate.agency_id)
            chosen.append(candidate)
    if len(chosen) < pairs:
        raise SystemExit("Not enough synthetic data: run python manage.py generate_synthetic --provinces 1 first.")
    return chosen


def report_form(assignment, version: int, n: int, username: str, csrf: str) -> dict:
    """The report form of ``assignment`` as the page posts it: the version the user holds, a new progress, a note."""
    return {
        f"a{assignment.pk}-version": str(version),
        f"a{assignment.pk}-state": "in_progress",
        f"a{assignment.pk}-progress": str(10 + n % 80),
        f"a{assignment.pk}-note": f"{username} lần {n}",
        "csrfmiddlewaretoken": csrf,
    }


class _Updates:
    """The concurrent task updates: one thread per user, with their latencies and outcomes."""

    def __init__(self, port: int, chosen: list, think: float, seconds: float, lock: threading.Lock, cpu) -> None:
        self.port, self.chosen, self.think, self.seconds, self.lock = port, chosen, think, seconds, lock
        self.deadline = self.started = self.cpu_spent = 0.0
        self.cpu = cpu  # the server's CPU seconds so far
        self.ready: threading.Barrier | None = None
        self.latencies: list[float] = []
        self.latencies_of: dict[str, list[float]] = {"saved": [], "conflict": [], "error": []}
        self.outcomes: dict[str, int] = {"saved": 0, "conflict": 0, "error": 0}
        self.saved_per_assignment: dict[int, int] = {a.pk: 0 for a in chosen}
        self.rng = random.Random(7)
        self.version_re = {a.pk: re.compile(rf'name="a{a.pk}-version" value="(\d+)"') for a in chosen}

    def run(self, shared: int) -> float:
        """Run the staff of every assignment and the leaders of the first ``shared`` ones; return the seconds taken."""
        threads = [threading.Thread(target=self.worker, args=(a, f"{a.agency.code}-cb")) for a in self.chosen]
        threads += [threading.Thread(target=self.worker, args=(a, f"{a.agency.code}-ld")) for a in self.chosen[:shared]]
        # The clock starts once every user has signed in and opened the task: the window measures updates only.
        self.ready = threading.Barrier(len(threads), action=self._start_clock)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.cpu_spent = self.cpu() - self.cpu_spent
        return time.perf_counter() - self.started

    def _start_clock(self) -> None:
        self.started, self.deadline = time.perf_counter(), time.monotonic() + self.seconds
        self.cpu_spent = self.cpu()  # the CPU used so far, subtracted at the end

    def worker(self, assignment, username: str) -> None:
        """Log in as ``username``, open the task once, then save progress reports on it until the deadline."""
        client = Client(self.port)
        client.login(username, "demo12345")
        page = f"/tasks/{assignment.task_id}/"
        status, text, _ = client.request("GET", page)  # open the task once, as a person does
        match = self.version_re[assignment.pk].search(text)
        version = int(match.group(1)) if match else 0
        self.ready.wait(timeout=300)  # a user who could not sign in breaks the barrier: the run stops
        n = 0
        while time.monotonic() < self.deadline:
            if self.think:
                time.sleep(self.rng.uniform(0.5 * self.think, 1.5 * self.think))
            n += 1
            form = report_form(assignment, version, n, username, client.cookies.get("csrftoken", ""))
            started = time.perf_counter()
            status, text, _h = client.request("POST", f"/tasks/assignments/{assignment.pk}/report/", form)
            elapsed = (time.perf_counter() - started) * 1000
            # A browser follows the redirect, and the page shows (and so drops) the "saved" message; this client
            # does not follow it, so it drops the message itself instead of piling one more on every request.
            client.cookies.pop("messages", None)
            version = self._record(assignment, status, text, elapsed, version)

    def _record(self, assignment, status: int, text: str, elapsed: float, version: int) -> int:
        """Count one save's latency and outcome; return the version the user now holds."""
        with self.lock:
            self.latencies.append(elapsed)
            if status == 302:
                self.outcomes["saved"] += 1
                self.saved_per_assignment[assignment.pk] += 1
                version += 1
            elif status == 409:  # the page shows the other person's values and the current version
                self.outcomes["conflict"] += 1
                match = self.version_re[assignment.pk].search(text)
                version = int(match.group(1)) if match else version
            else:
                self.outcomes["error"] += 1
            self.latencies_of["saved" if status == 302 else "conflict" if status == 409 else "error"].append(elapsed)
        return version


def _count_lost(chosen: list, before: dict, saved_per_assignment: dict[int, int]) -> int:
    """The assignments whose reports or version did not move exactly once per save."""
    from tasks.models import ProgressUpdate

    lost = 0
    for assignment in chosen:
        assignment.refresh_from_db()
        version0, updates0 = before[assignment.pk]
        saved = saved_per_assignment[assignment.pk]
        updates = ProgressUpdate.objects.filter(assignment=assignment).count() - updates0
        if updates != saved or assignment.version - version0 != saved:
            lost += 1
    return lost


def _ping_rps(port: int, clients: int, seconds: int, lock: threading.Lock) -> tuple[float, int]:
    """Baseline: the same clients on a bare view of the same server; return its requests per second, and count."""
    ping_count = [0]
    ping_deadline = time.monotonic() + min(10, seconds)

    def pinger() -> None:
        client = Client(port)
        while time.monotonic() < ping_deadline:
            status, _t, _h = client.request("GET", "/bench/ping/")
            if status == 200:
                with lock:
                    ping_count[0] += 1

    ping_threads = [threading.Thread(target=pinger) for _ in range(clients)]
    ping_started = time.perf_counter()
    for thread in ping_threads:
        thread.start()
    for thread in ping_threads:
        thread.join()
    return ping_count[0] / (time.perf_counter() - ping_started), ping_count[0]


def _print_results(
    args, chosen: list, shared: int, updates: _Updates, elapsed: float, lost: int, ping_rps: float
) -> None:
    """Print the run's figures: saves, conflicts, errors, lost updates, latency against the limit, throughput."""
    latencies, outcomes, think = updates.latencies, updates.outcomes, args.think
    p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) >= 20 else max(latencies or [0])
    rps = (outcomes["saved"] + outcomes["conflict"]) / elapsed
    print(
        f"clients {args.clients} for {args.seconds} s on gunicorn (4 sync workers), {len(chosen)} assignments ({shared} edited by two people at once), think time {think} s"
    )
    print(
        f"task updates: {outcomes['saved']} saved, {outcomes['conflict']} refused as stale (409), {outcomes['error']} errors; lost updates: {lost}"
    )
    print(
        f"update latency: median {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms (limit {P95_LIMIT_MS} ms) -> {'OK' if p95 <= P95_LIMIT_MS else 'OVER'}"
    )
    saves, stale = updates.latencies_of["saved"] or [0], updates.latencies_of["conflict"] or [0]
    print(
        f"by outcome: saves median {statistics.median(saves):.0f} ms; stale answers (409: the conflict page of the share) "
        f"median {statistics.median(stale):.0f} ms, {100 * sum(stale) / max(1, sum(latencies)):.0f}% of the waiting"
    )
    ratio = rps / ping_rps
    # The throughput target is about clients sending flat out; with a think time the rate is the users' own.
    verdict = f"target >= {RATIO_TARGET:.2f}) -> {'OK' if ratio >= RATIO_TARGET else 'UNDER'}"
    if think:
        verdict = f"not judged: each user waits {think} s between updates)"
    print(
        f"bare Django view: {ping_rps:.0f} req/s; task updates: {rps:.1f} req/s (ratio {ratio:.3f} of the bare view, "
        + verdict
    )


def _print_in_process(assignment, runs: int = 40) -> None:
    """Time one update inside this process (Django's test client: no HTTP, no gunicorn, no CSRF check), the
    median of ``runs`` after a warm-up, wall clock and CPU, and count its queries (session and user included); then
    the 409 answer the same way (the last form posted again ``runs`` times: its version is stale)."""
    from django.test import Client

    from agencies.models import User
    from tasks.models import Assignment

    username = f"{assignment.agency.code}-cb"
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username), backend="agencies.backends.PortalBackend")
    url = f"/tasks/assignments/{assignment.pk}/report/"
    saved, stale = _Timings(), _Timings()
    for n in range(runs + 5):
        version = Assignment.objects.values_list("version", flat=True).get(pk=assignment.pk)
        form = report_form(assignment, version, n, username, "")
        response = saved.post(client, url, form, warm=n >= 5)
        client.cookies.pop("messages", None)
        if response.status_code != 302:
            raise SystemExit(f"in-process update answered {response.status_code}")
    for n in range(runs + 5):  # the same form again: its version is now stale
        response = stale.post(client, url, form, warm=n >= 5)
    print(
        f"one update in process: median {saved.wall:.1f} ms ({saved.cpu:.1f} ms CPU), {saved.queries} queries "
        f"(session and user included); the stale answer ({response.status_code}): median {stale.wall:.1f} ms "
        f"({stale.cpu:.1f} ms CPU), {stale.queries} queries"
    )


class _Timings:
    """Wall-clock and CPU milliseconds of the requests posted through it, and the queries of the last one."""

    def __init__(self) -> None:
        self.walls: list[float] = []
        self.cpus: list[float] = []
        self.queries = 0

    def post(self, client, url: str, form: dict, warm: bool):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            response = client.post(url, form)
            wall, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
        if warm:
            self.walls.append(wall)
            self.cpus.append(cpu)
        self.queries = len(queries)
        return response

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


if __name__ == "__main__":
    main()
