"""The task page and its 409 answer read only the history they show (issue 16): however many reports a part has
had, they run the same queries, fetch the same rows, and PostgreSQL scans the same rows of the history tables."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tasks import services
from tasks.models import Assignment, WorkState
from tests.tasks.conftest import prefixed

pytestmark = pytest.mark.django_db
HISTORY_TABLES = ("tasks_historical", "tasks_progressupdate", "tasks_review", "tasks_extensionrequest")


class Reads:
    """An execute wrapper that keeps each SELECT with its parameters and the number of rows it returned."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, tuple, int]] = []

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.lstrip().startswith("SELECT"):
            self.queries.append((sql, tuple(params or ()), context["cursor"].rowcount))
        return result

    @property
    def rows(self) -> int:
        return sum(rows for _sql, _params, rows in self.queries)

    def scanned(self) -> int:
        """Rows PostgreSQL read from the tables of reports and history to answer the history queries (EXPLAIN
        ANALYZE of each: rows × loops of every scan node); counts of all reports are left out (a count is cheap).
        Sequential scans are turned off: the test's tables are so small that reading them whole is the planner's
        cheapest choice, which says nothing about the indexes a large table is read through."""
        total = 0
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
        for sql, params, _rows in self.queries:
            if not any(table in sql for table in HISTORY_TABLES) or "COUNT(" in sql:
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                plan = cursor.fetchone()[0]
            total += _scanned(json.loads(plan)[0]["Plan"] if isinstance(plan, str) else plan[0]["Plan"])
        return total


def _scanned(node: dict) -> int:
    own = 0
    if node.get("Relation Name", "").startswith(HISTORY_TABLES):
        own = node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
    return own + sum(_scanned(child) for child in node.get("Plans", []))


def report(part: Assignment, user, times: int) -> None:
    for n in range(times):
        services.report_progress(
            part,
            user,
            Assignment.objects.get(pk=part.pk).version,
            services.Report(state=WorkState.IN_PROGRESS, progress=n % 100, note=f"Báo cáo {n}"),
        )


def read(request) -> Reads:
    reads = Reads()
    with connection.execute_wrapper(reads):
        request()
    return reads


@pytest.fixture
def pages(reviewer, staff, lead_part, cooperating_part):
    """The reviewer's task page, and the 409 page Sở Tư pháp gets when it saves a report on a stale version."""
    url = reverse("tasks:detail", args=[lead_part.task_id])
    stale = prefixed(f"a{lead_part.pk}", version=10**6, state="in_progress", progress=50, note="x")
    as_reviewer, as_staff = Client(), Client()
    as_reviewer.force_login(reviewer)
    as_staff.force_login(staff)

    def page():
        assert as_reviewer.get(url).status_code == 200

    def conflict():
        assert as_staff.post(reverse("tasks:report", args=[lead_part.pk]), stale).status_code == 409

    return {"page": page, "conflict": conflict}


@pytest.mark.parametrize("which", ["page", "conflict"])
def test_more_reports_cost_the_same_queries_and_rows(
    pages, which, staff, lead_part, cooperating_part, colleague_elsewhere
):
    """Past what the page shows (24 reports of a part, 60 changes), 70 more reports change nothing read."""
    report(cooperating_part, colleague_elsewhere, 5)
    report(lead_part, staff, 65)
    before = read(pages[which])
    report(lead_part, staff, 70)
    after = read(pages[which])
    assert len(after.queries) == len(before.queries)
    assert after.rows == before.rows  # the rows fetched: the newest reports and changes shown, not the 140 of them


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN ANALYZE of PostgreSQL")
@pytest.mark.parametrize("which", ["page", "conflict"])
def test_the_history_queries_scan_only_the_newest_rows(pages, which, staff, lead_part):
    """Not only fetched: the rows PostgreSQL reads from the history tables do not grow with the reports."""
    report(lead_part, staff, 65)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    before = read(pages[which]).scanned()
    report(lead_part, staff, 135)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    after = read(pages[which]).scanned()
    # 135 more reports leave 405 more rows (the report, its historical row, the part's historical row): reading
    # them would add at least as many; the plans may differ a little between the two sizes, never by that much.
    assert after < before + 135
