"""Benchmark: server time of the dashboard pages for a province of 200 agencies, 5,000 tasks and 100,000 updates.

    python bench/dashboard.py [--runs 7] [--rebuild]

Uses DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/cchc_bench_dashboard. The first run creates that
database, migrates it and fills it with bulk inserts (about a minute); later runs reuse it (``--rebuild`` drops and
builds it again). The data: 200 agencies (25 departments, 15 districts, 160 communes) in groups; two documents of 2024
(a plan of 4,000 tasks in 8 sections, one per CCHC area, and a letter of 1,000 tasks); about 10 shares per task
(50,000 assignments), two progress updates each (100,000 updates), monthly/quarterly/6-month/yearly reporting duties
with their reports, and 20 indicators with province and group targets and measurements.

On the national synthetic data (issue 16), each limited page against the raw SQL of what it shows, at 34 and at 1
province, timed interleaved in the same run, with the 34-vs-1 ratio of every figure:

    python bench/dashboard.py --province-from-synthetic --one-province-db postgres://…/cchc_one [--runs 7]

(province dashboard: ≤ 2x and < 150 ms; an agency's page: ≤ 2x; the reviewer's /tasks/: ≤ 3x; 34 vs 1: ≤ 1.5x).

Each page is requested through Django's test Client with "today" fixed at 15/09/2024 (a few warm-up requests, then
``--runs`` timed ones); the script prints the median server time, the number of queries and the ratio to the limit
of 300 ms. Exports are timed too (they have no such limit).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cchc_bench_dashboard"
LIMIT_MS = 300.0
TODAY = datetime.date(2024, 9, 15)
PLAN_NUMBER = "9001/KH-UBND"
LETTER_NUMBER = "9002/UBND-NC"
AREAS = [
    "direction",
    "institutions",
    "procedures",
    "apparatus",
    "civil_service",
    "public_finance",
    "digital_government",
    "communication",
]
SECTION_TITLES = [
    "Công tác chỉ đạo, điều hành CCHC",
    "Cải cách thể chế",
    "Cải cách thủ tục hành chính",
    "Cải cách tổ chức bộ máy",
    "Cải cách công vụ",
    "Cải cách tài chính công",
    "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
    "Công tác tuyên truyền CCHC",
]


def setup(rebuild: bool) -> str:
    """Point Django at the benchmark database (created and migrated when missing) and return its URL."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
    os.environ.setdefault("FAST_PASSWORD_HASHER", "True")
    os.environ.setdefault("DEBUG", "False")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789abcdef")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    # Production settings otherwise; the test Client speaks plain HTTP, so no redirect to HTTPS.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "False")
    os.environ.setdefault("CSRF_COOKIE_SECURE", "False")
    url = os.environ["DATABASE_URL"]
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = url.rsplit("/", 1)[1].split("?")[0]
        admin_url = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and rebuild:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = None
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Production settings, but static URLs without the collectstatic manifest (not built here).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("migrate", verbosity=0)
    return url


def build() -> None:
    """Fill the database with the province described in the module docstring (bulk inserts, one transaction)."""
    from django.db import transaction

    from agencies.models import Province

    rng = random.Random(6)
    started = time.perf_counter()
    with transaction.atomic():
        province = Province.objects.create(code="bench", name="Tỉnh Thử Nghiệm")
        agencies = _build_agencies(province)
        departments, districts, communes = agencies[:25], agencies[25:40], agencies[40:]
        groups = _build_groups(province, departments, districts, communes)
        home_affairs = departments[0]
        author = _build_users(home_affairs, departments)
        documents = _build_documents(province, home_affairs)
        sections = _build_sections(documents)
        tasks = _build_tasks(rng, documents, sections)
        shares = _build_shares(rng, tasks, agencies)
        _build_updates(rng, shares, author)
        _build_reports(
            rng, documents[0], [groups["departments"], groups["districts"]], home_affairs, departments + districts
        )
        _build_indicators(rng, documents[0], groups["districts"], districts)
    _analyze_and_report(province, started)


def _build_agencies(province) -> list:
    """Create the 200 agencies of the province: 25 departments, 15 districts and 160 communes, in that order."""
    from agencies.models import Agency

    specs = [("department", "province", f"Sở số {n:02d}") for n in range(1, 26)]
    specs += [("district_committee", "district", f"UBND huyện số {n:02d}") for n in range(1, 16)]
    specs += [("commune_committee", "commune", f"UBND xã số {n:03d}") for n in range(1, 161)]
    return Agency.objects.bulk_create(
        Agency(
            province=province,
            code=f"bench-{i}",
            name=name,
            short_name=f"S{i}" if kind == "department" else "",
            kind=kind,
            level=level,
            search_text=name.lower(),
        )
        for i, (kind, level, name) in enumerate(specs)
    )


def _build_groups(province, departments, districts, communes) -> dict:
    """Create the departments, districts and communes groups with their members, keyed by code."""
    from agencies.models import AgencyGroup

    groups = {}
    for code, name, kind, members in [
        ("departments", "Các sở, ban, ngành", "departments", departments),
        ("districts", "UBND cấp huyện", "district_committees", districts),
        ("communes", "UBND cấp xã", "commune_committees", communes),
    ]:
        group = AgencyGroup.objects.create(province=province, code=f"bench-{code}", name=name, kind=kind)
        group.members.set(members)
        groups[code] = group
    return groups


def _build_users(home_affairs, departments):
    """Create the reviewer of home affairs and a department's staff member; return the latter (the author)."""
    from agencies.models import Role, User

    User.objects.create(
        username="bench_reviewer", agency=home_affairs, role=Role.REVIEWER
    )  # logged in with force_login
    User.objects.create(username="bench_staff", agency=departments[5], role=Role.STAFF)
    return User.objects.get(username="bench_staff")


def _build_documents(province, home_affairs) -> list:
    """Create the plan and the letter of 2024, both followed by home affairs."""
    from plans.models import Document

    documents = [
        Document.objects.create(
            province=province,
            doc_type="plan",
            number=PLAN_NUMBER,
            title="Kế hoạch CCHC năm 2024 (thử)",
            year=2024,
            issued_on=datetime.date(2023, 12, 15),
            place="Tỉnh Thử Nghiệm",
        ),
        Document.objects.create(
            province=province,
            doc_type="letter",
            number=LETTER_NUMBER,
            title="V/v đôn đốc nhiệm vụ CCHC (thử)",
            year=2024,
            issued_on=datetime.date(2024, 2, 1),
        ),
    ]
    for document in documents:
        document.followed_by.set([home_affairs])
    return documents


def _build_sections(documents) -> list:
    """Create the eight sections (one per CCHC area) of each document."""
    from plans.models import Section

    sections = [
        Section(document=document, number=roman, path=roman, title=title, order=i, area=area)
        for document in documents
        for i, (roman, title, area) in enumerate(
            zip(["I", "II", "III", "IV", "V", "VI", "VII", "VIII"], SECTION_TITLES, AREAS, strict=True)
        )
    ]
    return Section.objects.bulk_create(sections)


def _build_tasks(rng, documents, sections) -> list:
    """Create the 5,000 tasks: 4,000 of the plan and 1,000 of the letter, with random due dates."""
    from tasks.models import Task

    dues = [datetime.date(2024, m, 28) for m in range(1, 13)] + [datetime.date(2024, 12, 31)] * 6 + [None] * 2
    tasks = []
    for n in range(5000):
        document_index = 0 if n < 4000 else 1
        section = sections[document_index * 8 + n % 8]
        due = rng.choice(dues)
        tasks.append(
            Task(
                document=documents[document_index],
                section=section,
                number=str(n // 8 + 1),
                order=n,
                title=f"Nhiệm vụ thử số {n}: triển khai nội dung cải cách hành chính năm 2024",
                lead_text="Sở số 01",
                cooperating_text="Các sở, ban, ngành",
                deadline_text=f"{due:%d/%m/%Y}" if due else "Thường xuyên",
                due_date=due,
                due_kind="date" if due else "ongoing",
            )
        )
    return Task.objects.bulk_create(tasks, batch_size=1000)


def _build_shares(rng, tasks, agencies) -> list:
    """Create ten shares per task among random agencies, done, in progress or not started at random."""
    from tasks.models import Assignment

    shares = []
    for task in tasks:
        chosen = rng.sample(agencies, 10)
        for index, agency in enumerate(chosen):
            roll = rng.random()
            due = task.due_date
            if roll < 0.35 and due:
                state, progress = "done", 100
                completed = due + datetime.timedelta(days=rng.randint(-60, 20))
                completed = min(completed, TODAY)
            elif roll < 0.65:
                state, progress, completed = "in_progress", rng.choice([20, 40, 60, 80]), None
            else:
                state, progress, completed = "not_started", 0, None
            shares.append(
                Assignment(
                    task=task,
                    agency=agency,
                    role="lead" if index < 1 + (task.order % 3 == 0) else "cooperating",
                    state=state,
                    progress=progress,
                    completed_on=completed,
                )
            )
    return Assignment.objects.bulk_create(shares, batch_size=5000)


def _build_updates(rng, shares, author) -> None:
    """Create two progress updates per share, at random moments of 2024."""
    from django.utils import timezone

    from tasks.models import ProgressUpdate

    updates = []
    for share in shares:
        for k in range(2):
            moment = timezone.make_aware(
                datetime.datetime(2024, 1, 10) + datetime.timedelta(days=rng.randint(0, 240), hours=k)
            )
            updates.append(
                ProgressUpdate(
                    assignment=share,
                    author=author,
                    created_at=moment,
                    state=share.state,
                    progress=share.progress,
                    note=f"Báo cáo tiến độ lần {k + 1}: đã triển khai các nội dung theo kế hoạch",
                    evidence_number=f"{k + 1}/BC" if k else "",
                )
            )
    ProgressUpdate.objects.bulk_create(updates, batch_size=10000)


def _build_reports(rng, plan, reporters, recipient, reporting_agencies) -> None:
    """Create the plan's four reporting duties and the reports sent (85 %) for the periods due by ``TODAY``."""
    from django.utils import timezone

    from cchc_portal.dashboards.periods import FREQUENCY_PERIOD, ReportPeriod
    from plans.models import PeriodicReport, ReportingDuty

    reports = []
    for frequency in ("monthly", "quarterly", "half_yearly", "yearly"):
        duty = ReportingDuty.objects.create(document=plan, frequency=frequency, recipient=recipient)
        duty.reporters.set(reporters)
        for period in ReportPeriod.all_of(FREQUENCY_PERIOD[frequency], 2024):
            due = period.due(15)
            if due > TODAY:
                continue
            for agency in reporting_agencies:
                if rng.random() < 0.85:
                    sent = due + datetime.timedelta(days=rng.randint(-5, 4))
                    reports.append(
                        PeriodicReport(
                            duty=duty,
                            agency=agency,
                            period_start=period.start,
                            period_end=period.end,
                            due_date=due,
                            submitted_at=timezone.make_aware(datetime.datetime.combine(sent, datetime.time(9))),
                        )
                    )
    PeriodicReport.objects.bulk_create(reports, batch_size=5000)


def _build_indicators(rng, plan, districts_group, districts) -> None:
    """Create the plan's 20 indicators with their targets and two quarters of accepted measurements."""
    from indicators.models import Indicator, Measurement, MeasurementState, Target, TargetScope

    measurements = []
    for n in range(1, 21):
        indicator = Indicator.objects.create(
            document=plan, number=str(n), order=n, name=f"Chỉ tiêu thử số {n}", unit="%"
        )
        Target.objects.create(indicator=indicator, scope=TargetScope.PROVINCE, year=2024, value=90, value_text="90")
        if n % 4 == 0:
            Target.objects.create(
                indicator=indicator,
                scope=TargetScope.GROUP,
                group=districts_group,
                year=2024,
                value=80,
                value_text="80",
            )
        for quarter_end in (datetime.date(2024, 3, 31), datetime.date(2024, 6, 30)):
            measurements.append(
                Measurement(
                    indicator=indicator,
                    agency=None,
                    period_start=datetime.date(2024, 1, 1),
                    period_end=quarter_end,
                    value=rng.randint(60, 100),
                    state=MeasurementState.ACCEPTED,
                )
            )
            if n % 4 == 0:
                measurements += [
                    Measurement(
                        indicator=indicator,
                        agency=a,
                        period_start=datetime.date(2024, 1, 1),
                        period_end=quarter_end,
                        value=rng.randint(60, 100),
                        state=MeasurementState.ACCEPTED,
                    )
                    for a in districts
                ]
    Measurement.objects.bulk_create(measurements)


def _analyze_and_report(province, started: float) -> None:
    """Refresh PostgreSQL's statistics, then print the build time and what was created."""
    from django.db import connection

    from agencies.models import Agency
    from tasks.models import Assignment, ProgressUpdate, Task

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"Dữ liệu thử đã tạo trong {time.perf_counter() - started:.1f} s: {Agency.objects.filter(province=province).count()} cơ quan, "
        f"{Task.objects.filter(document__province=province).count()} nhiệm vụ, {Assignment.objects.filter(task__document__province=province).count()} "
        f"phần việc, {ProgressUpdate.objects.filter(assignment__task__document__province=province).count()} báo cáo tiến độ."
    )


def measure(runs: int) -> list[tuple[str, float, float, float, int, bool]]:
    """Time each page; return (label, median ms, median CPU ms of this process, median database ms, queries,
    limited) rows. CPU and database time tell a slow page from a busy machine."""
    import time_machine

    from agencies.models import Agency, User
    from plans.models import Document

    plan = Document.objects.get(number=PLAN_NUMBER)
    staff_agency = User.objects.get(username="bench_staff").agency_id
    some_agency = Agency.objects.get(province=plan.province, name="Sở số 10").pk
    pages = _measured_pages(plan, staff_agency, some_agency)
    clients = _logged_in_clients(pages)
    results = []
    with time_machine.travel(datetime.datetime(2024, 9, 15, 2, 0, tzinfo=datetime.UTC), tick=True):
        for username, label, url, limited in pages:
            results.append((label, *_time_page(clients[username], url, runs, limited), limited))
    return results


def _measured_pages(plan, staff_agency: int, some_agency: int) -> list[tuple[str, str, str, bool]]:
    """The (username, label, url, limited by 300 ms) rows of the pages and exports ``measure`` times."""
    return [
        ("bench_reviewer", "Tổng quan một văn bản (4.000 nhiệm vụ)", f"/dashboard/?document={plan.pk}", True),
        ("bench_reviewer", "Tổng quan cả năm (5.000 nhiệm vụ)", "/dashboard/?year=2024", True),
        (
            "bench_reviewer",
            "Trang của một cơ quan (xem bởi Sở Nội vụ)",
            f"/dashboard/?year=2024&agency={some_agency}",
            True,
        ),
        ("bench_staff", "Trang của cơ quan (cán bộ đầu mối)", "/dashboard/?year=2024", True),
        ("bench_reviewer", "Danh sách nhiệm vụ quá hạn (trang 1)", "/dashboard/tasks/?year=2024&status=overdue", True),
        ("bench_reviewer", "Danh sách đến hạn trong 30 ngày", "/dashboard/tasks/?year=2024&due=soon", True),
        (
            "bench_staff",
            "Danh sách phần việc quá hạn của cơ quan",
            f"/dashboard/tasks/?year=2024&agency={staff_agency}&status=overdue",
            True,
        ),
        (
            "bench_reviewer",
            "Xuất Excel quý III (5.000 dòng)",
            "/dashboard/export/xlsx/?year=2024&period=quarter-3",
            False,
        ),
        (
            "bench_reviewer",
            "Xuất Word quý III (5.000 dòng)",
            "/dashboard/export/docx/?year=2024&period=quarter-3",
            False,
        ),
        ("bench_staff", "Xuất Word của cơ quan", "/dashboard/export/docx/?year=2024&period=quarter-3", False),
    ]


def _logged_in_clients(pages) -> dict:
    """A test Client logged in for each username of ``pages``, keyed by username."""
    from django.test import Client

    from agencies.models import User

    clients = {}
    for username in {p[0] for p in pages}:
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[username] = client
    return clients


def _time_page(client, url: str, runs: int, limited: bool) -> tuple[float, float, float, int]:
    """Warm a page up, then time it; return its median ms, median CPU ms, median database ms and query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):  # warm-up: caches, first connection, compiled templates
        assert client.get(url).status_code == 200, url
    times, cpu, database = [], [], []
    queries = 0
    for _ in range(runs if limited else max(3, runs // 2)):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
        queries = len(captured.captured_queries)
        database.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    return statistics.median(times), statistics.median(cpu), statistics.median(database), queries


# The aggregates a province's yearly dashboard cannot do without, written by hand: (1) each task's official
# status (from its lead shares, or all its shares when it has no lead), counted for the province, for each CCHC
# area and for each lead agency; (2) each agency's shares by status (the ranking). The page adds reporting
# duties, indicators, the overdue and due-soon lists, charts and rendering.
RAW_TASK_STATUSES = """
WITH shares AS (
    SELECT a.task_id, a.agency_id, a.role, a.state, a.completed_on, COALESCE(a.due_date, t.due_date) AS due
    FROM tasks_assignment a
    JOIN tasks_task t ON t.id = a.task_id
    JOIN plans_document d ON d.id = t.document_id
    WHERE d.province_id = %(province)s AND d.year = %(year)s
), led AS (SELECT DISTINCT task_id FROM shares WHERE role = 'lead'),
per_task AS (
    SELECT s.task_id, MIN(s.agency_id) FILTER (WHERE s.role = 'lead') AS lead_agency,
           CASE
             WHEN COUNT(*) FILTER (WHERE s.state <> 'done' AND s.due < %(today)s) > 0 THEN 'overdue'
             WHEN COUNT(*) FILTER (WHERE s.state = 'done') = COUNT(*)
                  AND COUNT(*) FILTER (WHERE s.state = 'done' AND s.completed_on > s.due) > 0 THEN 'done_late'
             WHEN COUNT(*) FILTER (WHERE s.state = 'done') = COUNT(*) THEN 'done_on_time'
             WHEN COUNT(*) FILTER (WHERE s.state IN ('in_progress', 'done')) > 0 THEN 'in_progress'
             ELSE 'not_started'
           END AS status
    FROM shares s
    WHERE s.role = 'lead' OR s.task_id NOT IN (SELECT task_id FROM led)
    GROUP BY s.task_id
)
SELECT sec.area, p.lead_agency, p.status, COUNT(*)
FROM per_task p
JOIN tasks_task t ON t.id = p.task_id
LEFT JOIN plans_section sec ON sec.id = t.section_id
GROUP BY GROUPING SETS ((p.status), (sec.area, p.status), (p.lead_agency, p.status))
"""
RAW_AGENCY_SHARES = """
SELECT a.agency_id, COUNT(*) AS n,
       COUNT(*) FILTER (WHERE a.state = 'done') AS done,
       COUNT(*) FILTER (WHERE a.state = 'done' AND a.completed_on > COALESCE(a.due_date, t.due_date)) AS late,
       COUNT(*) FILTER (WHERE a.state <> 'done' AND COALESCE(a.due_date, t.due_date) < %(today)s) AS overdue,
       COUNT(*) FILTER (WHERE a.state = 'in_progress' AND NOT COALESCE(a.due_date, t.due_date) < %(today)s) AS in_progress,
       SUM(a.progress) AS progress
FROM tasks_assignment a
JOIN tasks_task t ON t.id = a.task_id
JOIN plans_document d ON d.id = t.document_id
WHERE d.province_id = %(province)s AND d.year = %(year)s
GROUP BY a.agency_id
"""


# The aggregates an agency's own page shows, written by hand: its shares by official status for each section
# (the headline, the status strip and the section and area tables add these up), its overdue shares (the 20
# longest overdue, with the task and document they belong to), its open shares due in the next 30 days (how many
# and the 20 nearest), and its indicator targets with its latest accepted value of each.
RAW_AGENCY = [
    """
SELECT t.document_id, t.section_id,
       COUNT(*) FILTER (WHERE a.state = 'done' AND NOT a.completed_on > COALESCE(a.due_date, t.due_date)) AS on_time,
       COUNT(*) FILTER (WHERE a.state = 'done' AND a.completed_on > COALESCE(a.due_date, t.due_date)) AS late,
       COUNT(*) FILTER (WHERE a.state <> 'done' AND COALESCE(a.due_date, t.due_date) < %(today)s) AS overdue,
       COUNT(*) FILTER (WHERE a.state <> 'done' AND COALESCE(a.due_date, t.due_date) IS NULL
                        AND t.due_kind = 'ongoing') AS ongoing,
       COUNT(*) FILTER (WHERE a.state = 'in_progress' AND NOT COALESCE(a.due_date, t.due_date) < %(today)s) AS active,
       COUNT(*) AS n, SUM(CASE WHEN a.state = 'done' THEN 100 ELSE a.progress END) AS progress
FROM tasks_assignment a JOIN tasks_task t ON t.id = a.task_id JOIN plans_document d ON d.id = t.document_id
WHERE a.agency_id = %(agency)s AND d.province_id = %(province)s AND d.year = %(year)s
GROUP BY t.document_id, t.section_id
""",
    """
(SELECT 'overdue' AS list, t.id, t.number, t.title, t.deadline_text, d.number AS document, COALESCE(a.due_date, t.due_date) AS due
 FROM tasks_assignment a JOIN tasks_task t ON t.id = a.task_id JOIN plans_document d ON d.id = t.document_id
 WHERE a.agency_id = %(agency)s AND d.province_id = %(province)s AND d.year = %(year)s
   AND a.state <> 'done' AND COALESCE(a.due_date, t.due_date) < %(today)s
 ORDER BY due, t."order", a.id LIMIT 20)
UNION ALL
(SELECT 'soon', t.id, t.number, t.title, t.deadline_text, d.number, COALESCE(a.due_date, t.due_date) AS due
 FROM tasks_assignment a JOIN tasks_task t ON t.id = a.task_id JOIN plans_document d ON d.id = t.document_id
 WHERE a.agency_id = %(agency)s AND d.province_id = %(province)s AND d.year = %(year)s
   AND a.state <> 'done' AND COALESCE(a.due_date, t.due_date) BETWEEN %(today)s AND %(today)s + 30
 ORDER BY due, t."order", a.id LIMIT 20)
""",
    """
SELECT i.id, i.number, i.name, tg.value, m.value, m.period_end
FROM indicators_indicator i JOIN plans_document d ON d.id = i.document_id
JOIN indicators_target tg ON tg.indicator_id = i.id AND tg.agency_id = %(agency)s
LEFT JOIN LATERAL (SELECT value, period_end FROM indicators_measurement
                   WHERE indicator_id = i.id AND agency_id = %(agency)s AND state = 'accepted'
                   ORDER BY period_end DESC LIMIT 1) m ON TRUE
WHERE d.province_id = %(province)s AND d.year = %(year)s
""",
]
# The reviewer's /tasks/: the first page of the province's shares, most urgent first (overdue, then by due date,
# then without one, then done), with their task, document, section and agency; and the counts above the list
# (all, lead, cooperating, each official status).
RAW_TASK_LIST = [
    """
SELECT a.id, a.role, a.state, a.progress, a.review_state, t.number, t.title, t.deadline_text, d.number, sec.number,
       sec.title, ag.name, COALESCE(a.due_date, t.due_date) AS due
FROM tasks_assignment a JOIN tasks_task t ON t.id = a.task_id JOIN plans_document d ON d.id = t.document_id
JOIN agencies_agency ag ON ag.id = a.agency_id LEFT JOIN plans_section sec ON sec.id = t.section_id
WHERE d.province_id = %(province)s
ORDER BY CASE WHEN a.state <> 'done' AND COALESCE(a.due_date, t.due_date) < %(today)s THEN 0
              WHEN a.state = 'done' THEN 3 WHEN COALESCE(a.due_date, t.due_date) IS NOT NULL THEN 1 ELSE 2 END,
         due NULLS LAST, t.document_id, t."order", a.task_id, a.id
LIMIT 25
""",
    """
SELECT COUNT(*), COUNT(*) FILTER (WHERE a.role = 'lead'), COUNT(*) FILTER (WHERE a.role = 'cooperating'),
       COUNT(*) FILTER (WHERE a.state = 'done' AND NOT a.completed_on > COALESCE(a.due_date, t.due_date)),
       COUNT(*) FILTER (WHERE a.state = 'done' AND a.completed_on > COALESCE(a.due_date, t.due_date)),
       COUNT(*) FILTER (WHERE a.state <> 'done' AND COALESCE(a.due_date, t.due_date) < %(today)s),
       COUNT(*) FILTER (WHERE a.state <> 'done' AND COALESCE(a.due_date, t.due_date) IS NULL AND t.due_kind = 'ongoing'),
       COUNT(*) FILTER (WHERE a.state = 'in_progress' AND NOT COALESCE(a.due_date, t.due_date) < %(today)s)
FROM tasks_assignment a JOIN tasks_task t ON t.id = a.task_id JOIN plans_document d ON d.id = t.document_id
WHERE d.province_id = %(province)s
""",
]


# The province dashboard when nothing is kept (``cchc_portal.dashboards.figures``): the first view after a write to
# the province's tasks or shares. Printed for reference; the limit is judged on the page as it is served again.
AFTER_A_CHANGE = "  … ngay sau một thay đổi (tính lại số liệu)"


def measure_national(runs: int) -> dict[str, float]:
    """A synthetic province (bench/run.py, generate_synthetic): each limited page against the raw SQL of what it
    shows, timed interleaved; the figures are printed and returned, for ``main`` to compare 1 and 34 provinces."""
    import time_machine

    from agencies.models import User
    from indicators.models import Target
    from tasks.models import Assignment

    reviewer = User.objects.filter(username__endswith="-snv", username__startswith="syn-").order_by("username").first()
    if reviewer is None:
        raise SystemExit("Chưa có dữ liệu tổng hợp: python manage.py generate_synthetic --provinces 34 --indicators 20")
    staff = User.objects.filter(agency__province_id=reviewer.agency.province_id, username__endswith="-s05-cb").get()
    province, year, today = reviewer.agency.province, 2025, datetime.date(2025, 12, 20)
    shares = Assignment.objects.filter(task__document__province=province, task__document__year=year).count()
    targets = Target.objects.filter(indicator__document__province=province).count()
    params = {"province": province.pk, "year": year, "today": today, "agency": staff.agency_id}
    baselines = {
        "province": [RAW_TASK_STATUSES, RAW_AGENCY_SHARES],
        "agency": RAW_AGENCY,
        "tasks": RAW_TASK_LIST,
    }
    clients = {user.pk: _client_of(user) for user in (reviewer, staff)}
    pages = [  # (label, user, url, baseline, limit as a ratio to it; 0: no limit, printed for reference)
        ("Tổng quan cả năm của tỉnh (Sở Nội vụ)", reviewer, f"/dashboard/?year={year}", "province", 2),
        (AFTER_A_CHANGE, reviewer, f"/dashboard/?year={year}", "province", 0),
        ("Trang của một cơ quan (cán bộ đầu mối)", staff, f"/dashboard/?year={year}", "agency", 2),
        # the floor of any page with the portal's layout (top bar, menu and its counts, no figures): for reference
        ("  … trang đơn giản nhất có khung (đổi mật khẩu)", staff, "/accounts/password/", "agency", 0),
        ("Danh sách /tasks/ của Sở Nội vụ (cả tỉnh)", reviewer, "/tasks/", "tasks", 3),
        (
            "Danh sách nhiệm vụ quá hạn của tỉnh",
            reviewer,
            f"/dashboard/tasks/?year={year}&status=overdue",
            "province",
            0,
        ),
        ("Trang chỉ tiêu của tỉnh (25 cơ quan)", reviewer, f"/dashboard/indicators/?year={year}", "province", 0),
    ]
    with time_machine.travel(datetime.datetime(2025, 12, 20, 2, 0, tzinfo=datetime.UTC), tick=True):
        times, sql, sizes = _interleaved(runs, pages, clients, baselines, params)
    return _report(pages, times, sql, sizes, province, shares, targets, year, runs)


def _raw_ms(statements: list[str], params: dict) -> float:
    """Run hand-written statements one after the other, reading every row; return the milliseconds."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, params)
            assert cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def _interleaved(runs, pages, clients, baselines, params):
    """Warm up, then time ``runs`` rounds of every baseline and page in turn (machine load hits both alike)."""
    import gzip

    sizes: dict[str, tuple[int, int]] = {}

    from cchc_portal.dashboards import figures

    def page(client, url: str, label: str) -> float:
        if label == AFTER_A_CHANGE:  # as the first view after a report: nothing kept, every figure computed
            figures.forget()
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        sizes[label] = (len(response.content), len(gzip.compress(response.content)))
        return elapsed

    for _ in range(2):  # warm-up: connections, caches, compiled templates
        for statements in baselines.values():
            _raw_ms(statements, params)
        for label, user, url, _base, _limit in pages:
            page(clients[user.pk], url, label)
    times: dict[str, list[float]] = {label: [] for label, *_rest in pages}
    sql: dict[str, list[float]] = {key: [] for key in baselines}
    for _ in range(runs):
        for key, statements in baselines.items():
            sql[key].append(_raw_ms(statements, params))
        for label, user, url, _base, _limit in pages:
            times[label].append(page(clients[user.pk], url, label))
    return times, sql, sizes


def _client_of(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


BASELINE_LABELS = {
    "province": "SQL viết tay: trạng thái nhiệm vụ + phần việc theo cơ quan",
    "agency": "SQL viết tay: số liệu, danh sách, chỉ tiêu của cơ quan",
    "tasks": "SQL viết tay: trang 1 của /tasks/ + các số đếm",
}


def _report(pages, times, sql, sizes, province, shares, targets, year, runs) -> dict[str, float]:
    """Print the figures of ``measure_national`` (ms, the baseline, the ratio, HTML and gzip sizes); return them."""
    from agencies.models import Province

    count = Province.objects.count()
    print(
        f"Cơ sở dữ liệu tổng hợp: {count} tỉnh; {province.name}, năm {year}: {shares:,} phần việc, {targets:,} mục tiêu chỉ tiêu · trung vị của {runs} lần".replace(
            ",", "."
        )
    )
    figures: dict[str, float] = {}
    for key, values in sql.items():
        figures[BASELINE_LABELS[key]] = statistics.median(values)
        print(f"{BASELINE_LABELS[key]:<60} {statistics.median(values):7.1f} ms")
    for label, _user, _url, base, limit in pages:
        median, baseline = statistics.median(times[label]), figures[BASELINE_LABELS[base]]
        figures[label] = median
        raw_size, zipped = sizes[label]
        verdict = "" if not limit else (" đạt" if median <= limit * baseline else " VƯỢT") + f" (giới hạn {limit}x)"
        print(
            f"{label:<60} {median:7.1f} ms {median / baseline:5.2f}x {BASELINE_LABELS[base][14:34]}…{verdict}"
            f"   HTML {raw_size / 1024:6.1f} KB, gzip {zipped / 1024:5.1f} KB"
        )
    overview = figures[pages[0][0]]
    figures["HTML KB"] = sizes[pages[0][0]][0] / 1024
    print(
        f"province dashboard ({shares:,} shares, {count} provinces): {overview:.0f} ms "
        f"({'under' if overview < 150 else 'OVER'} 150 ms), HTML {figures['HTML KB']:.0f} KB (limit 200 KB)"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed requests per page (median reported)")
    parser.add_argument("--rebuild", action="store_true", help="drop the benchmark database and build it again")
    parser.add_argument(
        "--province-from-synthetic",
        action="store_true",
        help="measure a province of the national synthetic data (DATABASE_URL, default cchc_national) against its raw SQL",
    )
    parser.add_argument(
        "--one-province-db",
        default="",
        help="also measure a database holding one synthetic province (same shape) and compare the figures",
    )
    args = parser.parse_args()
    if args.province_from_synthetic:
        os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_national")
        setup(False)
        national = measure_national(args.runs)
        if args.one_province_db:
            from django.db import connection

            connection.close()
            connection.settings_dict["NAME"] = args.one_province_db.rsplit("/", 1)[1]
            print()
            one = measure_national(args.runs)
            print("\n34 tỉnh so với 1 tỉnh, cùng một lần chạy (giới hạn 1,5x):")
            for key, value in national.items():
                ratio = value / one[key] if one[key] else float("nan")
                print(f"  {key:<60} {one[key]:8.1f} → {value:8.1f}   {ratio:.2f}x")
        return
    url = setup(args.rebuild)
    from plans.models import Document

    if not Document.objects.filter(number=PLAN_NUMBER).exists():
        build()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Cơ sở dữ liệu: {url.rsplit('@', 1)[-1]} · hôm nay = {TODAY:%d/%m/%Y} · trung vị của {args.runs} lần")
    print(f"Tải máy lúc bắt đầu (load average 1 phút): {load:.2f} trên {os.cpu_count()} nhân")
    print(f"{'Trang':<46} {'ms':>7} {'CPU ms':>7} {'CSDL ms':>8} {'truy vấn':>9} {'/ 300 ms':>9}")
    worst = 0.0
    for label, median, cpu, database, queries, limited in measure(args.runs):
        ratio = median / LIMIT_MS
        if limited:
            worst = max(worst, ratio)
        print(
            f"{label:<46} {median:>7.1f} {cpu:>7.1f} {database:>8.1f} {queries:>9} {ratio:>8.2f}{'' if limited else '*'}"
        )
    print(
        "ms: thời gian máy chủ (trung vị); CPU ms: thời gian CPU của tiến trình Django; CSDL ms: thời gian các truy vấn."
    )
    print("* tệp xuất: không thuộc giới hạn 300 ms, ghi để tham khảo.")
    print(f"Tỷ lệ lớn nhất của các trang: {worst:.2f} ({'đạt' if worst <= 1 else 'VƯỢT'} giới hạn 300 ms)")


if __name__ == "__main__":
    main()
