"""The province dashboard's two heavy queries, written as SQL (PostgreSQL and SQLite alike).

Both read every share of the province (8,500 at national scale): the per-task status over the lead shares
(``tasks_with_leads``, the rows ``queries.per_task`` describes, joined to every task) and the shares per agency and CCHC area
(``agency_area_rows``, the counters of ``queries.share_counters``). Built by the ORM they cost as much to compile as
to run (5 ms each, for a statement whose text never changes); written once here they only bind their parameters.
The rule is the one of ``tasks.models.official_status`` and ``queries.conditions``; the dashboard's tests check
the figures against the demo plan, and ``test_hand_written_sql_agrees_with_the_orm`` against the ORM's.

The documents are matched by ``IN (SELECT id FROM plans_document WHERE id = ANY(…))``: PostgreSQL then walks the
province's documents, their tasks and their shares by index (see ``queries.assignments``).
"""

from __future__ import annotations

import datetime

from django.db import connection

from plans.areas import CchcArea
from tasks.models import ONGOING_KINDS, AssignmentRole, DueKind, OfficialStatus, WorkState

DUE = "COALESCE(a.due_date, t.due_date)"
DONE = "a.state = %s"
ONGOING_KIND = f"(t.due_kind IN ({', '.join(['%s'] * len(ONGOING_KINDS))}) OR (t.due_kind = %s AND t.recurrence = ''))"

# Every task of the documents with, when it has lead shares, their status as ``queries.per_task`` decides it
# (overdue, done late, done on time, ongoing, in progress, not started), count, summed progress, earliest overdue
# and nearest open due date.
TASKS_WITH_LEADS = f"""
SELECT t.id, t.document_id, t.section_id, t."order", t.due_date,
       CASE WHEN n_overdue > 0 THEN %s
            WHEN n_done = n AND n_late > 0 THEN %s
            WHEN n_done = n THEN %s
            WHEN n_ongoing = n THEN %s
            WHEN n_started > 0 THEN %s
            WHEN n > 0 THEN %s END,
       n, prog_sum, since, next_due
FROM tasks_task t LEFT JOIN (
    SELECT a.task_id AS tid, COUNT(*) AS n,
           COUNT(*) FILTER (WHERE NOT {DONE} AND {DUE} < %s) AS n_overdue,
           COUNT(*) FILTER (WHERE {DONE}) AS n_done,
           COUNT(*) FILTER (WHERE {DONE} AND a.completed_on > {DUE}) AS n_late,
           COUNT(*) FILTER (WHERE a.state IN (%s, %s)) AS n_started,
           COUNT(*) FILTER (WHERE NOT {DONE} AND {ONGOING_KIND} AND {DUE} IS NULL) AS n_ongoing,
           SUM(CASE WHEN {DONE} THEN 100 ELSE a.progress END) AS prog_sum,
           MIN({DUE}) FILTER (WHERE NOT {DONE} AND {DUE} < %s) AS since,
           MIN({DUE}) FILTER (WHERE NOT {DONE} AND {DUE} >= %s) AS next_due
    FROM tasks_assignment a JOIN tasks_task t ON t.id = a.task_id
    WHERE a.role = %s AND t.document_id IN ({{documents}})
    GROUP BY a.task_id
) per_task ON per_task.tid = t.id
WHERE t.document_id IN ({{documents}})
"""  # noqa: S608 - constant fragments; every value is a bound parameter

# The counters of ``queries.share_counters`` over the shares ``a`` of tasks ``t``; parameters: today, the active
# state, today.
COUNTERS = f"""COUNT(*) AS n,
    COUNT(*) FILTER (WHERE {DONE}) AS n_done,
    COUNT(*) FILTER (WHERE {DONE} AND a.completed_on > {DUE}) AS n_late,
    COUNT(*) FILTER (WHERE NOT {DONE} AND {DUE} < %s) AS n_overdue,
    COUNT(*) FILTER (WHERE a.state = %s AND ({DUE} IS NULL OR {DUE} >= %s)
                     AND NOT ({ONGOING_KIND} AND {DUE} IS NULL)) AS n_active,
    COUNT(*) FILTER (WHERE NOT {DONE} AND {ONGOING_KIND} AND {DUE} IS NULL) AS n_ongoing,
    SUM(CASE WHEN {DONE} THEN 100 ELSE a.progress END) AS prog"""

# The counters of ``queries.share_counters`` (and the lead shares) per agency and CCHC area, with the agency's
# name, short name, end of validity and successor (name and province) read in the same query.
AGENCY_AREAS = f"""
SELECT g.agency_id, g.area, g.n, g.n_done, g.n_late, g.n_overdue, g.n_active, g.n_ongoing, g.prog, g.lead,
       ag.name, ag.short_name, ag.valid_to, su.name, sp.name
FROM (
    SELECT a.agency_id AS agency_id, COALESCE(s.area, %s) AS area,
           {COUNTERS},
           COUNT(*) FILTER (WHERE a.role = %s) AS lead
    FROM tasks_assignment a JOIN tasks_task t ON t.id = a.task_id LEFT JOIN plans_section s ON s.id = t.section_id
    WHERE t.document_id IN ({{documents}})
    GROUP BY 1, 2
) g
JOIN agencies_agency ag ON ag.id = g.agency_id
LEFT JOIN agencies_agency su ON su.id = ag.successor_id
LEFT JOIN agencies_province sp ON sp.id = su.province_id
"""  # noqa: S608 - constant fragments; every value is a bound parameter


# An agency's own shares counted per (document, section) like ``AGENCY_AREAS`` (``queries.status_breakdown``).
AGENCY_SECTIONS = f"""
SELECT t.document_id, t.section_id, {COUNTERS}
FROM tasks_assignment a JOIN tasks_task t ON t.id = a.task_id
WHERE a.agency_id IN ({{agencies}}) AND t.document_id IN ({{documents}})
GROUP BY t.document_id, t.section_id
"""  # noqa: S608 - constant fragments; every value is a bound parameter


def _documents(document_ids: list[int]) -> tuple[str, list]:
    """The documents' subquery and its parameters: one array on PostgreSQL, a list of values elsewhere."""
    if connection.vendor == "postgresql":
        return "SELECT id FROM plans_document WHERE id = ANY(%s)", [list(document_ids)]
    return ", ".join(["%s"] * len(document_ids)) or "NULL", list(document_ids)


def _ongoing() -> list:
    return [*ONGOING_KINDS, DueKind.RECURRING]


def _run(sql: str, params: list) -> list[tuple]:
    """Execute with the choices' values as plain strings (the database adapters know ``str``, not the enums)."""
    plain = [str(p) if isinstance(p, str) else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, plain)
        return cursor.fetchall()


def tasks_with_leads(document_ids: list[int], today: datetime.date) -> list[tuple]:
    """Return (task id, document id, section id, order, due date, status, shares, summed progress, since, next due)
    for every task of the documents; the last five are NULL for a task without a lead share."""
    documents, document_params = _documents(document_ids)
    done, ongoing = WorkState.DONE, _ongoing()
    statuses = [
        OfficialStatus.OVERDUE,
        OfficialStatus.DONE_LATE,
        OfficialStatus.DONE_ON_TIME,
        OfficialStatus.ONGOING,
        OfficialStatus.IN_PROGRESS,
        OfficialStatus.NOT_STARTED,
    ]
    params = [
        *statuses,
        *(done, today),  # n_overdue
        done,  # n_done
        done,  # n_late
        *(WorkState.IN_PROGRESS, WorkState.DONE),  # n_started
        *(done, *ongoing),  # n_ongoing
        done,  # prog_sum
        *(done, today, done, today),  # since, next_due
        AssignmentRole.LEAD,
        *document_params,
        *document_params,
    ]
    return _run(TASKS_WITH_LEADS.format(documents=documents), params)


def agency_area_rows(document_ids: list[int], today: datetime.date) -> list[tuple]:
    """Return (agency id, area, n, done, late, overdue, in progress, ongoing, summed progress, lead, name, short
    name, valid to, successor's name, successor's province) rows."""
    documents, document_params = _documents(document_ids)
    done, ongoing = WorkState.DONE, _ongoing()
    params = [
        CchcArea.OTHER.value,
        *(done, done),  # n_done, n_late
        *(done, today),  # n_overdue
        *(WorkState.IN_PROGRESS, today, *ongoing),  # n_active
        *(done, *ongoing),  # n_ongoing
        done,  # prog
        AssignmentRole.LEAD,
        *document_params,
    ]
    return _run(AGENCY_AREAS.format(documents=documents), params)


def agency_section_rows(agency_ids: list[int], document_ids: list[int], today: datetime.date) -> list[tuple]:
    """Return (document id, section id, n, done, late, overdue, in progress, ongoing, summed progress) rows of the
    agencies' shares (an agency's page: its lineage)."""
    documents, document_params = _documents(document_ids)
    agencies = ", ".join(["%s"] * len(agency_ids))
    done, ongoing = WorkState.DONE, _ongoing()
    params = [
        *(done, done),  # n_done, n_late
        *(done, today),  # n_overdue
        *(WorkState.IN_PROGRESS, today, *ongoing),  # n_active
        *(done, *ongoing),  # n_ongoing
        done,  # prog
        *agency_ids,
        *document_params,
    ]
    return _run(AGENCY_SECTIONS.format(agencies=agencies, documents=documents), params)
