"""The dashboard's figures, computed with aggregate SQL: a fixed number of queries whatever the data size.

How a task given to several agencies is counted
-----------------------------------------------
Each agency's share of a task is an ``Assignment`` with its own official status (``with_status``).

- **Per assignment** (an agency's share): the agency ranking and an agency's own dashboard count
  assignments, lead and cooperating alike; a task given to 20 departments is 20 shares.
- **Per task** (the overview of a province): a task counts once, with the status of its lead
  assignments (those of its cooperating agencies when it has no lead):

  * overdue when any lead assignment is overdue;
  * done when every lead assignment is done — late when any of them was done late;
  * in progress when a lead assignment is in progress or done (and the task is neither of the above);
  * not started otherwise. A task without any assignment is overdue once its due date has passed.

``task_status_of`` is that rule in Python (exports use it); ``per_task`` the same rule in SQL.

Cost
----
A province's page reads one ``task_table``: the per-task GROUP BY over the responsible shares (about one
per task) and the list of tasks, one row per task; the section and area counts, the overdue and
due-soon lists and the drill-down lists are taken from it in Python. The agency ranking is one GROUP BY
over all shares, counting with plain conditions (``conditions``) rather than the status CASE. An agency's
page counts its own shares in SQL. Every page therefore runs a fixed number of queries (about 20, the
session and the indicator judge included), whatever the number of tasks, shares, updates and reports.
"""

from __future__ import annotations

import datetime
import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

import core.lookups  # noqa: F401 - registers ``__any_of``
from agencies.models import Agency, AgencyGroup
from cchc_portal.dashboards import figures, sql
from cchc_portal.dashboards.periods import FREQUENCY_PERIOD, ReportPeriod
from cchc_portal.dashboards.scope import Scope
from indicators.models import Indicator, Target, TargetScope
from plans.areas import CchcArea
from plans.models import Document, PeriodicReport, ReportingDuty, Section
from tasks.models import Assignment, AssignmentRole, OfficialStatus, Task, WorkState, official_status, ongoing_q

try:  # issue 7's judge; the page says so when a deployment does not have it yet
    from indicators.judging import judge, judge_document
except ImportError:  # pragma: no cover
    judge = judge_document = None

DONE = (OfficialStatus.DONE_ON_TIME, OfficialStatus.DONE_LATE)
STATUSES = [
    OfficialStatus.DONE_ON_TIME,
    OfficialStatus.DONE_LATE,
    OfficialStatus.IN_PROGRESS,
    OfficialStatus.NOT_STARTED,
    OfficialStatus.OVERDUE,
    OfficialStatus.ONGOING,  # ongoing work without a period ("Thường xuyên"), counted apart (issue 15)
]
COLOURS = {
    OfficialStatus.DONE_ON_TIME: "green",
    OfficialStatus.DONE_LATE: "orange",
    OfficialStatus.IN_PROGRESS: "blue",
    OfficialStatus.NOT_STARTED: "grey",
    OfficialStatus.OVERDUE: "red",
    OfficialStatus.ONGOING: "teal",
}
DONE_FILTER = "done"  # the drill-down's word for "either done status"
SOON_DAYS = 30
LIST_LIMIT = 20
# Progress of one assignment: what it reports, and 100 once it is done.
# A share's due date: its own, else its task's (``with_status``'s ``effective_due``, without the status CASE).
EFFECTIVE_DUE = Coalesce(F("due_date"), F("task__due_date"))
PROGRESS = Case(When(state=WorkState.DONE, then=Value(100)), default=F("progress"), output_field=IntegerField())


def status_filter(value: str) -> list[str]:
    """Return the official statuses a drill-down ``status`` parameter means ([] when it means none)."""
    if value == DONE_FILTER:
        return list(DONE)
    return [value] if value in OfficialStatus.values else []


def task_status_of(shares: Iterable[tuple[str, str]]) -> OfficialStatus | None:
    """Return a task's status from its assignments' (role, official status); None when it has none.

    The same rule as ``per_task`` computes in SQL (the module docstring says it in words).
    """
    shares = list(shares)
    leads = [status for role, status in shares if role == AssignmentRole.LEAD] or [status for _role, status in shares]
    if not leads:
        return None
    if OfficialStatus.OVERDUE in leads:
        return OfficialStatus.OVERDUE
    if all(status in DONE for status in leads):
        return OfficialStatus.DONE_LATE if OfficialStatus.DONE_LATE in leads else OfficialStatus.DONE_ON_TIME
    if all(status == OfficialStatus.ONGOING for status in leads):
        return OfficialStatus.ONGOING
    if any(status in (OfficialStatus.IN_PROGRESS, *DONE) for status in leads):
        return OfficialStatus.IN_PROGRESS
    return OfficialStatus.NOT_STARTED


def unassigned_status(due: datetime.date | None, today: datetime.date) -> OfficialStatus:
    """Status of a task no agency is assigned to yet: nobody started it; overdue once its date is past."""
    return official_status(WorkState.NOT_STARTED, None, due, today)


# --- the two countings, in SQL ---------------------------------------------------------------------


def assignments(scope: Scope) -> QuerySet[Assignment]:
    """The assignments a scope covers, with ``status`` and ``effective_due`` on the scope's day.

    Their tasks' documents are matched by a subquery on the documents (``scope_documents``): PostgreSQL then
    walks the scope's documents, their tasks and their shares by index (province-local at 34 provinces, like
    a join on ``plans_document``). With the ids on the task's own column it scanned the shares of the whole
    country (290,000) into a hash join; with an array of the tasks' ids it guessed 20 shares instead of 8,500
    and joined the agencies and sections row by row. An agency's page starts from its own shares
    (``assignment_agency_state``).
    """
    qs = Assignment.objects.with_status(scope.today).filter(task__document_id__in=scope_documents(scope))
    if scope.is_agency_view:
        qs = qs.filter(agency_id__in=scope.agency_ids)
    return qs


def scope_documents(scope: Scope) -> QuerySet:
    """The scope's documents as a subquery (``document_id IN (SELECT id FROM plans_document WHERE id = ANY(…))``),
    which PostgreSQL joins to the documents and estimates from them (see ``assignments``)."""
    return Document.objects.filter(pk__any_of=scope.document_ids).values("pk")


def conditions(today: datetime.date) -> dict[str, Q]:
    """The official statuses as plain conditions on a share's state, completion date and ``effective_due``.

    The same rule as ``with_status`` (and ``tasks.models.official_status``), written so that counting uses a
    few comparisons per row instead of evaluating the status CASE once per counter: on 50,000 shares that
    is the difference between 200 ms and 30 ms on PostgreSQL. ``test_conditions_agree_with_with_status``
    keeps them equal.
    """
    done = Q(state=WorkState.DONE)
    past = Q(effective_due__lt=today)
    ongoing = ~done & ongoing_q() & Q(effective_due__isnull=True)
    return {
        "done": done,
        "late": done & Q(completed_on__gt=F("effective_due")),  # NULL on either side: on time
        "overdue": ~done & past,
        "ongoing": ongoing,
        "in_progress": Q(state=WorkState.IN_PROGRESS)
        & (Q(effective_due__isnull=True) | Q(effective_due__gte=today))
        & ~(ongoing_q() & Q(effective_due__isnull=True)),
        "started": Q(state__in=[WorkState.IN_PROGRESS, WorkState.DONE]),
        "ahead": ~done & Q(effective_due__gte=today),
    }


def share_counters(today: datetime.date) -> dict:
    """Aggregates over shares from which ``counts_of`` rebuilds the five statuses (one pass, no CASE)."""
    c = conditions(today)
    return {
        "n": Count("pk"),
        "n_done": Count("pk", filter=c["done"]),
        "n_late": Count("pk", filter=c["late"]),
        "n_overdue": Count("pk", filter=c["overdue"]),
        "n_active": Count("pk", filter=c["in_progress"]),
        "n_ongoing": Count("pk", filter=c["ongoing"]),
        "prog": Sum(PROGRESS),
    }


def counts_of(row: dict) -> Counts:
    """Return the status counts of a row aggregated with ``share_counters``."""
    done, late, overdue, active = row["n_done"], row["n_late"], row["n_overdue"], row["n_active"]
    ongoing = row.get("n_ongoing", 0)
    return Counts(
        {
            OfficialStatus.DONE_ON_TIME: done - late,
            OfficialStatus.DONE_LATE: late,
            OfficialStatus.IN_PROGRESS: active,
            OfficialStatus.NOT_STARTED: row["n"] - done - overdue - active - ongoing,
            OfficialStatus.OVERDUE: overdue,
            OfficialStatus.ONGOING: ongoing,
        },
        float(row["prog"] or 0),
    )


def responsible(qs: QuerySet[Assignment], document_ids: list[int]) -> QuerySet[Assignment]:
    """Keep the shares that decide their task's status: its leads, or every share of a task without a lead.

    "Without a lead" is a NOT IN over the documents' lead shares, which PostgreSQL answers with one hashed
    subplan (a correlated NOT EXISTS under an OR would probe the index once per share).
    """
    led = Assignment.objects.filter(role=AssignmentRole.LEAD, task__document_id__in=document_ids).values("task_id")
    return qs.filter(Q(role=AssignmentRole.LEAD) | ~Q(task_id__in=led))


def per_task(qs: QuerySet[Assignment], today: datetime.date) -> QuerySet:
    """Group responsible shares (``responsible``, annotated ``with_status``) by task: one row per task.

    Columns: ``tid``, ``task_status`` (the rule of the module docstring), ``n`` and ``prog_sum`` (the shares
    and their summed progress: the mean is ``prog_sum / n``),
    ``since`` (earliest due date of an overdue share) and ``next_due`` (nearest due date of an open share
    not yet past). One GROUP BY on the task alone; usable as a subquery (``.filter(task_status=…)``).
    """
    c = conditions(today)
    n = F("n")
    return (
        qs.order_by()
        .values(tid=F("task_id"))
        .annotate(
            n=Count("pk"),
            n_overdue=Count("pk", filter=c["overdue"]),
            n_done=Count("pk", filter=c["done"]),
            n_late=Count("pk", filter=c["late"]),
            n_started=Count("pk", filter=c["started"]),
            n_ongoing=Count("pk", filter=c["ongoing"]),
            prog_sum=Sum(PROGRESS),
            since=Min("effective_due", filter=c["overdue"]),
            next_due=Min("effective_due", filter=c["ahead"]),
        )
        .annotate(
            task_status=Case(
                When(n_overdue__gt=0, then=Value(OfficialStatus.OVERDUE.value)),
                When(Q(n_done=n) & Q(n_late__gt=0), then=Value(OfficialStatus.DONE_LATE.value)),
                When(n_done=n, then=Value(OfficialStatus.DONE_ON_TIME.value)),
                When(n_ongoing=n, then=Value(OfficialStatus.ONGOING.value)),
                When(n_started__gt=0, then=Value(OfficialStatus.IN_PROGRESS.value)),
                default=Value(OfficialStatus.NOT_STARTED.value),
                output_field=CharField(),
            )
        )
    )


def lead_rows(scope: Scope) -> QuerySet:
    """``per_task`` over the scope's lead shares: one row per task that has a lead (almost every task). The
    tasks it does not return are read by ``leaderless_rows`` (``task_table`` knows which)."""
    return per_task(assignments(scope).filter(role=AssignmentRole.LEAD), scope.today)


def leaderless_rows(task_ids: list[int], today: datetime.date) -> QuerySet:
    """``per_task`` over every share of the tasks given (those without a lead: all their shares decide)."""
    return per_task(Assignment.objects.with_status(today).filter(task_id__in=task_ids), today)


def unassigned_tasks(scope: Scope) -> QuerySet[Task]:
    """Tasks of the scope that no agency is assigned to (names the importer could not resolve)."""
    return Task.objects.filter(document_id__any_of=scope.document_ids).filter(
        ~Exists(Assignment.objects.filter(task=OuterRef("pk")))
    )


@dataclass
class Counts:
    """How many tasks (or assignments) have each official status, and the sum of their progress."""

    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    progress_sum: float = 0.0

    def add(self, other: Counts) -> None:
        for status, n in other.by_status.items():
            self.by_status[status] += n
        self.progress_sum += other.progress_sum

    def __getitem__(self, status: str) -> int:
        return self.by_status[status]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def done(self) -> int:
        return self.by_status[OfficialStatus.DONE_ON_TIME] + self.by_status[OfficialStatus.DONE_LATE]

    @property
    def overdue(self) -> int:
        return self.by_status[OfficialStatus.OVERDUE]

    @property
    def decided(self) -> int:
        """Work whose timeliness is known: done, or past its due date."""
        return self.done + self.overdue

    @property
    def completion(self) -> float | None:
        return 100 * self.done / self.total if self.total else None

    @property
    def on_time_rate(self) -> float | None:
        """Share done on time among the work done or overdue (None while nothing is decided)."""
        return 100 * self.by_status[OfficialStatus.DONE_ON_TIME] / self.decided if self.decided else None

    @property
    def mean_progress(self) -> float | None:
        return self.progress_sum / self.total if self.total else None


Key = tuple[int, int | None]  # (document id, section id)


class TaskRow(NamedTuple):
    """One task of a province's scope with its status as the overview counts it."""

    pk: int
    document_id: int
    section_id: int | None
    order: int
    status: str
    progress: float
    since: datetime.date | None  # earliest due date of an overdue responsible share
    next_due: datetime.date | None  # nearest due date of an open responsible share not yet past


@dataclass
class TaskTable:
    """Every task of a province's scope, in the documents' order, and their sections."""

    scope: Scope
    rows: list[TaskRow]
    sections: dict[int, Section]
    leaderless: frozenset[int] = frozenset()  # tasks without a lead share: all their shares decide

    def area(self, row: TaskRow) -> str:
        section = self.sections.get(row.section_id) if row.section_id else None
        return section.area if section else CchcArea.OTHER

    def order_key(self, row: TaskRow) -> tuple:
        section = self.sections.get(row.section_id) if row.section_id else None
        return (self.document_rank.get(row.document_id, 0), section.order if section else -1, row.order, row.pk)

    @cached_property
    def document_rank(self) -> dict[int, int]:
        return {pk: index for index, pk in enumerate(self.scope.document_ids)}

    @cached_property
    def by_pk(self) -> dict[int, TaskRow]:
        return {row.pk: row for row in self.rows}


def task_table(scope: Scope) -> TaskTable:
    """Return every task of a province's scope with its status (``per_task``), in two or three queries
    whatever the number of tasks and shares: the sections, the tasks with the per-task GROUP BY over their lead
    shares (``sql.tasks_with_leads``, the rows of ``lead_rows``) and, for the tasks without a lead, the one over
    all their shares (``leaderless_rows``); a task neither returns has no share (``unassigned_status``). The
    overview, its lists and the drill-down all read this one table, kept while the province's figures have not
    moved (``figures``: then no query at all)."""
    if not scope.documents:
        return TaskTable(scope, [], {})
    rows, sections, leaderless = figures.remember(scope.figures_key("tasks"), lambda: _task_rows(scope))
    return TaskTable(scope, rows, sections, leaderless)


def _task_rows(scope: Scope) -> tuple[list[TaskRow], dict[int, Section], frozenset[int]]:
    """The rows, sections and leaderless tasks of ``task_table``, read from the database."""
    sections = {s.pk: s for s in Section.objects.filter(document_id__any_of=scope.document_ids)}
    today = scope.today
    # Every task with its lead shares' figures, as ``_fetch(lead_rows(scope).values_list(…))`` gives them.
    tasks = sql.tasks_with_leads(scope.document_ids, today)
    leaderless = [task[0] for task in tasks if task[5] is None]
    found = {}
    if leaderless:  # tasks without a lead (or without any share): their other shares decide, if they have any
        columns = ("tid", "task_status", "n", "prog_sum", "since", "next_due")
        found = {row[0]: row[1:] for row in _fetch(leaderless_rows(leaderless, today).values_list(*columns))}
    convert = connection.vendor != "postgresql"  # SQLite returns dates as text
    rows = []
    append = rows.append
    for pk, did, sid, order, due, status, n, prog_sum, since, next_due in tasks:
        if status is None:
            got = found.get(pk)
            if got is None:
                status, prog, since, next_due = _unassigned(_date(due), today)
                append(TaskRow(pk, did, sid, order, status, prog, since, next_due))
                continue
            status, n, prog_sum, since, next_due = got
        if convert:
            since, next_due = _date(since), _date(next_due)
        append(TaskRow(pk, did, sid, order, status, (prog_sum or 0) / n, since, next_due))
    return rows, sections, frozenset(leaderless)


def _fetch(qs: QuerySet) -> list[tuple]:
    """Run a values_list query and return its raw rows: thousands of rows skip Django's per-row converters
    (PostgreSQL returns dates already; ``_date`` reads SQLite's text)."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _date(value) -> datetime.date | None:
    return datetime.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _unassigned(
    due: datetime.date | None, today: datetime.date
) -> tuple[str, float, datetime.date | None, datetime.date | None]:
    status = unassigned_status(due, today)
    return status, 0.0, due if status == OfficialStatus.OVERDUE else None, due if due and due >= today else None


def status_breakdown(scope: Scope, table: TaskTable | None = None) -> dict[Key, Counts]:
    """Count by (document, section): per task for a province (from ``task_table``), per assignment for an
    agency (one GROUP BY over its shares)."""
    breakdown: dict[Key, Counts] = defaultdict(Counts)
    if not scope.documents:
        return breakdown
    if scope.is_agency_view:  # its shares counted by ``share_counters``, written as SQL (``sql``); kept (``figures``)
        ids = sorted(scope.agency_ids)
        found = figures.remember(
            scope.figures_key(f"agency_sections:{ids}"),
            lambda: sql.agency_section_rows(ids, scope.document_ids, scope.today),
        )
        for did, sid, *counters in found:
            breakdown[(did, sid)].add(_area_counts(*counters, None))
        return breakdown
    for row in (table or task_table(scope)).rows:
        counts = breakdown[(row.document_id, row.section_id)]
        counts.by_status[row.status] += 1
        counts.progress_sum += row.progress
    return breakdown


@dataclass
class SectionFigures:
    section: Section | None
    document_id: int
    counts: Counts


@dataclass
class AreaFigures:
    area: CchcArea
    counts: Counts


@dataclass
class Progress:
    total: Counts
    sections: list[SectionFigures]
    areas: list[AreaFigures]
    per_document: dict[int, Counts]


def progress(scope: Scope, table: TaskTable | None = None) -> Progress:
    """Return the status counts in total, per section (in the documents' order) and per CCHC area."""
    if table is not None:
        sections = table.sections
    else:
        sections = {s.pk: s for s in Section.objects.filter(document_id__any_of=scope.document_ids)}
    breakdown = status_breakdown(scope, table)
    total = Counts()
    per_document: dict[int, Counts] = defaultdict(Counts)
    by_area: dict[str, Counts] = defaultdict(Counts)
    for (did, sid), counts in breakdown.items():
        total.add(counts)
        per_document[did].add(counts)
        section = sections.get(sid) if sid else None
        by_area[section.area if section else CchcArea.OTHER].add(counts)
    doc_order = {pk: index for index, pk in enumerate(scope.document_ids)}
    rows = [SectionFigures(sections.get(sid) if sid else None, did, counts) for (did, sid), counts in breakdown.items()]
    rows.sort(
        key=lambda r: (
            doc_order.get(r.document_id, 0),
            r.section is None,
            r.section.order if r.section else 0,
            r.section.pk if r.section else 0,
        )
    )
    areas = [AreaFigures(CchcArea(area), by_area[area]) for area in CchcArea.values if area in by_area]
    return Progress(total, rows, areas, dict(per_document))


# --- agencies -----------------------------------------------------------------------------------------


@dataclass
class AgencyFigures:
    agency_id: int
    name: str
    short_name: str
    successor: str
    counts: Counts
    lead: int
    reports_expected: int = 0
    reports_submitted: int = 0
    reports_on_time: int = 0
    is_reporter: bool = False
    # The agency's shares per CCHC area as counted (``AGENCY_KEYS``); ``areas`` makes them ``Counts``, for the
    # agencies the table's page shows only (a province has 1,200 agency × area cells).
    area_rows: dict[str, list] = field(default_factory=dict)

    @cached_property
    def areas(self) -> dict[str, Counts]:
        return {area: _area_counts(*figures) for area, figures in self.area_rows.items()}

    @property
    def report_completeness(self) -> float | None:
        return 100 * self.reports_submitted / self.reports_expected if self.reports_expected else None

    @property
    def report_timeliness(self) -> float | None:
        return 100 * self.reports_on_time / self.reports_expected if self.reports_expected else None

    def sort_key(self) -> tuple:
        """Best first: completion, then on-time rate, then fewest overdue, then name."""
        return (-(self.counts.completion or 0), -(self.counts.on_time_rate or 0), self.counts.overdue, self.name)

    def lateness_key(self) -> tuple:
        """Latest first: most overdue, then lowest completion, then lowest on-time rate, then name."""
        return (-self.counts.overdue, self.counts.completion or 0, self.counts.on_time_rate or 0, self.name)


AGENCY_KEYS = ("n", "n_done", "n_late", "n_overdue", "n_active", "n_ongoing", "prog", "lead")
AGENCY_NAMES = ("name", "short_name", "valid_to", "successor__name", "successor__province__name")


def _area_counts(n, done, late, overdue, active, ongoing, prog, _lead) -> Counts:
    """The ``Counts`` of one agency × area row of ``_agency_area_sums``."""
    return Counts(
        {
            OfficialStatus.DONE_ON_TIME: done - late,
            OfficialStatus.DONE_LATE: late,
            OfficialStatus.IN_PROGRESS: active,
            OfficialStatus.NOT_STARTED: n - done - overdue - active - ongoing,
            OfficialStatus.OVERDUE: overdue,
            OfficialStatus.ONGOING: ongoing,
        },
        float(prog or 0),
    )


def _agency_area_sums(scope: Scope) -> tuple[list[dict], dict[int, dict[str, list]], dict[int, dict]]:
    """Return each agency's summed counters (``share_counters`` and its lead shares, as dicts with its id), its
    shares' counters per CCHC area (``AgencyFigures.area_rows``), and (a province's page) its names: one GROUP BY
    by agency and area; a province's are kept while its figures have not moved (``figures``)."""
    if scope.is_agency_view:
        area = Coalesce(F("task__section__area"), Value(CchcArea.OTHER.value), output_field=CharField())
        by_area = _fetch(
            assignments(scope)
            .order_by()
            .values("agency_id", cell_area=area)
            .annotate(**share_counters(scope.today), lead=Count("pk", filter=Q(role=AssignmentRole.LEAD)))
            .values_list("agency_id", "cell_area", *AGENCY_KEYS)
        )
        return (*_summed(by_area), {})
    return figures.remember(scope.figures_key("agency_areas"), lambda: _province_area_sums(scope))


def _province_area_sums(scope: Scope) -> tuple[list[dict], dict[int, dict[str, list]], dict[int, dict]]:
    """``_agency_area_sums`` of a province: the same figures, written as SQL (``sql``), with the agencies' names."""
    found = sql.agency_area_rows(scope.document_ids, scope.today)
    names = {
        row[0]: dict(zip(AGENCY_NAMES, (row[10], row[11], _date(row[12]), row[13], row[14]), strict=True))
        for row in found
    }
    return (*_summed([row[:10] for row in found]), names)


def _summed(by_area: list[tuple]) -> tuple[list[dict], dict[int, dict[str, list]]]:
    """Each agency's counters summed over its areas (dicts with its id), and its counters per area."""
    areas: dict[int, dict[str, list]] = defaultdict(dict)
    sums: dict[int, list] = {}
    for agency_id, cell_area, *counters in by_area:  # 1,200 rows: no per-row converters, no object per row
        areas[agency_id][cell_area] = counters
        total = sums.get(agency_id)
        if total is None:
            sums[agency_id] = [value or 0 for value in counters]
        else:
            for index, value in enumerate(counters):
                total[index] += value or 0
    rows = [{"agency_id": agency_id, **dict(zip(AGENCY_KEYS, total, strict=True))} for agency_id, total in sums.items()]
    return rows, dict(areas)


def agency_ranking(scope: Scope, reports: ReportingFigures | None = None) -> list[AgencyFigures]:
    """Rank the agencies of the scope by their shares (per assignment): one GROUP BY over the assignments, by
    agency and CCHC area (``AgencyFigures.areas``: the dashboard's agencies × areas table), summed per agency.

    Agencies that must report but have no share are listed last, for their reports.
    """
    if not scope.documents:
        return []
    rows, areas, about = _agency_area_sums(scope)
    if not about:  # an agency's page: the names in a second, small query
        agencies = Agency.objects.filter(pk__in=[row["agency_id"] for row in rows]).values("pk", *AGENCY_NAMES)
        about = {a["pk"]: a for a in agencies}
    ranking: dict[int, AgencyFigures] = {}
    for row in rows:
        agency = about[row["agency_id"]]
        successor = ""
        if agency["successor__name"] and agency["valid_to"] and agency["valid_to"] < scope.today:  # merged away by now
            successor = f"{agency['successor__name']} ({agency['successor__province__name']})"
        ranking[row["agency_id"]] = AgencyFigures(
            row["agency_id"],
            agency["name"],
            agency["short_name"],
            successor,
            counts_of(row),
            row["lead"],
            area_rows=areas[row["agency_id"]],
        )
    if reports is not None:
        for agency_id, expected in reports.expected.items():
            figures = ranking.get(agency_id)
            if figures is None:
                figures = ranking[agency_id] = AgencyFigures(
                    agency_id, reports.names.get(agency_id, ""), "", "", Counts(), 0
                )
            figures.is_reporter = True
            figures.reports_expected = expected
            figures.reports_submitted = reports.submitted.get(agency_id, 0)
            figures.reports_on_time = reports.on_time.get(agency_id, 0)
    return sorted(ranking.values(), key=lambda f: (f.counts.total == 0, *f.sort_key()))


# --- periodic reports -----------------------------------------------------------------------------------


@dataclass
class PeriodReports:
    """Who reported for one period of one duty."""

    period: ReportPeriod
    due: datetime.date
    is_due: bool
    expected: int
    submitted: int
    on_time: int
    missing: list[tuple[int, str]]  # (agency id, name) that have not reported (or were returned)


@dataclass
class DutyFigures:
    duty: ReportingDuty
    last: PeriodReports | None
    current: PeriodReports | None
    due_periods: int


@dataclass
class ReportingFigures:
    duties: list[DutyFigures] = field(default_factory=list)
    expected: dict[int, int] = field(default_factory=dict)
    submitted: dict[int, int] = field(default_factory=dict)
    on_time: dict[int, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)


def current_and_last(kind, year: int, today: datetime.date) -> tuple[ReportPeriod | None, ReportPeriod | None]:
    """Return (current, last) periods of ``year`` on ``today``: after the year only its last period remains."""
    periods = ReportPeriod.all_of(kind, year)
    if today < periods[0].start:
        return periods[0], None
    if today > periods[-1].end:
        return None, periods[-1]
    current = ReportPeriod.containing(kind, today)
    return current, current.previous()


# The reporter groups' members: group id -> (agency id, name, valid from, valid to).
ReporterMembers = dict[int, list[tuple[int, str, datetime.date | None, datetime.date | None]]]
# The reports of the last and current periods: (duty id, period start) -> agency id -> (sent, due, state).
RecentReports = dict[tuple[int, datetime.date], dict[int, tuple]]


def reporting(scope: Scope) -> ReportingFigures:
    """Return, for each reporting duty of the scope's documents, who has reported for the last and the
    current period, and per agency how many of the year's due reports it sent (on time).

    Queries: duties (1) and their reporter groups (1), the groups' members (1), the reports counted per
    agency (1), the reports of the last and current periods (1). An agency's dashboard sees only itself.
    """
    figures = ReportingFigures()
    if not scope.documents:
        return figures
    duties = list(
        ReportingDuty.objects.filter(document_id__any_of=scope.document_ids)
        .select_related("document", "recipient")
        .prefetch_related("reporters")
        .order_by("document_id", "pk")
    )
    if not duties:
        return figures
    members = _reporter_members(scope, duties, figures)
    today = scope.today
    due_starts, wanted, plans = _duty_periods(duties, members, today, figures)
    agency_filter = Q(agency_id__in=scope.agency_ids) if scope.is_agency_view else Q()
    _count_sent_reports(duties, due_starts, agency_filter, figures)
    reports = _recent_reports(duties, wanted, agency_filter)
    for duty, current, last in plans:
        figures.duties.append(
            DutyFigures(
                duty,
                _period_reports(duty, last, members, reports, today),
                _period_reports(duty, current, members, reports, today),
                len(due_starts[duty.pk]),
            )
        )
    return figures


def _reporter_members(scope: Scope, duties: list[ReportingDuty], figures: ReportingFigures) -> ReporterMembers:
    """Return the members of the duties' reporter groups (only the scope's agency for an agency), noting their names."""
    group_ids = {g.pk for duty in duties for g in duty.reporters.all()}
    members: ReporterMembers = defaultdict(list)
    through = AgencyGroup.members.through.objects.filter(agencygroup_id__in=group_ids)
    if scope.is_agency_view:
        through = through.filter(agency_id__in=scope.agency_ids)
    for group_id, agency_id, name, valid_from, valid_to in through.values_list(
        "agencygroup_id", "agency_id", "agency__name", "agency__valid_from", "agency__valid_to"
    ):
        members[group_id].append((agency_id, name, valid_from, valid_to))
        figures.names[agency_id] = name
    return members


def _reporters(duty: ReportingDuty, day: datetime.date, members: ReporterMembers) -> dict[int, str]:
    """Return the agencies (id -> name) that owe ``duty``'s report due on ``day`` (those existing on that day)."""
    found: dict[int, str] = {}
    for group in duty.reporters.all():
        for agency_id, name, valid_from, valid_to in members[group.pk]:
            if (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to):
                found[agency_id] = name
    return found


def _duty_periods(
    duties: list[ReportingDuty], members: ReporterMembers, today: datetime.date, figures: ReportingFigures
) -> tuple[
    dict[int, list[datetime.date]],
    dict[int, list[tuple[ReportPeriod, datetime.date]]],
    list[tuple[ReportingDuty, ReportPeriod | None, ReportPeriod | None]],
]:
    """Return per duty the starts of its periods due by ``today`` (counting the reports each agency owes in
    ``figures.expected``), the current and last periods wanted, and the (duty, current, last) plans."""
    due_starts: dict[int, list[datetime.date]] = {}
    wanted: dict[int, list[tuple[ReportPeriod, datetime.date]]] = {}
    plans: list[tuple[ReportingDuty, ReportPeriod | None, ReportPeriod | None]] = []
    for duty in duties:
        kind = FREQUENCY_PERIOD[duty.frequency]
        year = duty.document.year
        due_periods = [p for p in ReportPeriod.all_of(kind, year) if p.due(duty.due_day) <= today]
        due_starts[duty.pk] = [p.start for p in due_periods]
        for period in due_periods:
            for agency_id in _reporters(duty, period.due(duty.due_day), members):
                figures.expected[agency_id] = figures.expected.get(agency_id, 0) + 1
        current, last = current_and_last(kind, year, today)
        plans.append((duty, current, last))
        wanted[duty.pk] = [(p, p.start) for p in (current, last) if p is not None]
    return due_starts, wanted, plans


def _count_sent_reports(
    duties: list[ReportingDuty],
    due_starts: dict[int, list[datetime.date]],
    agency_filter: Q,
    figures: ReportingFigures,
) -> None:
    """Count per agency the reports sent (and sent on time) for the periods due, into ``figures``."""
    counted = Q()
    for duty in duties:
        if due_starts[duty.pk]:
            counted |= Q(duty_id=duty.pk, period_start__in=due_starts[duty.pk])
    sent = Q(submitted_at__isnull=False) & ~Q(state=PeriodicReport.State.RETURNED)
    if counted:
        for row in (
            PeriodicReport.objects.filter(counted, agency_filter)
            .order_by()
            .values("agency_id")
            .annotate(
                n=Count("pk", filter=sent), in_time=Count("pk", filter=sent & Q(submitted_at__date__lte=F("due_date")))
            )
        ):
            figures.submitted[row["agency_id"]] = row["n"]
            figures.on_time[row["agency_id"]] = row["in_time"]


def _recent_reports(
    duties: list[ReportingDuty], wanted: dict[int, list[tuple[ReportPeriod, datetime.date]]], agency_filter: Q
) -> RecentReports:
    """Return the reports of the duties' last and current periods."""
    recent = Q()
    for duty in duties:
        starts = [start for _p, start in wanted[duty.pk]]
        if starts:
            recent |= Q(duty_id=duty.pk, period_start__in=starts)
    reports: RecentReports = defaultdict(dict)
    if recent:
        for duty_id, agency_id, start, submitted_at, due_date, state in PeriodicReport.objects.filter(
            recent, agency_filter
        ).values_list("duty_id", "agency_id", "period_start", "submitted_at", "due_date", "state"):
            reports[(duty_id, start)][agency_id] = (submitted_at, due_date, state)
    return reports


def _period_reports(
    duty: ReportingDuty,
    period: ReportPeriod | None,
    members: ReporterMembers,
    reports: RecentReports,
    today: datetime.date,
) -> PeriodReports | None:
    """Return who reported (on time) for one period of ``duty`` and who has not, or None without a period."""
    if period is None:
        return None
    due = period.due(duty.due_day)
    expected = _reporters(duty, due, members)
    got = reports[(duty.pk, period.start)]
    submitted = on_time = 0
    missing = []
    for agency_id, name in sorted(expected.items(), key=lambda item: item[1]):
        report = got.get(agency_id)
        if report and report[0] is not None and report[2] != PeriodicReport.State.RETURNED:
            submitted += 1
            on_time += int(_local_date(report[0]) <= report[1])
        else:
            missing.append((agency_id, name))
    return PeriodReports(period, due, due <= today, len(expected), submitted, on_time, missing)


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


# --- lists: overdue, due soon ---------------------------------------------------------------------------


@dataclass
class TaskLine:
    """One line of the overdue or due-soon list: a task, or (agency view) one of the agency's shares."""

    task: Task
    due: datetime.date | None
    agencies: list[str]
    status: str
    days: int  # days overdue (overdue list) or days left (due-soon list)


def overdue_list(scope: Scope, table: TaskTable | None = None, limit: int = LIST_LIMIT) -> list[TaskLine]:
    """The overdue work, longest overdue first: tasks (with their overdue lead agencies) for a province,
    the agency's own shares for an agency. At most ``limit`` lines; two queries (one for an agency)."""
    if not scope.documents:
        return []
    today = scope.today
    if scope.is_agency_view:
        shares = (
            assignments(scope)
            .filter(status=OfficialStatus.OVERDUE)
            .select_related("task__section", "task__document", "agency")
        )
        return [
            TaskLine(a.task, a.effective_due, [a.agency.name], OfficialStatus.OVERDUE, (today - a.effective_due).days)
            for a in shares.order_by("effective_due", "task__order", "pk")[:limit]
        ]
    return task_lists(scope, table or task_table(scope), limit)[0]


def due_soon(
    scope: Scope, table: TaskTable | None = None, limit: int = LIST_LIMIT, days: int = SOON_DAYS
) -> tuple[int, list[TaskLine]]:
    """Return how many open tasks (agency: shares) fall due in the next ``days`` days, and the nearest ones."""
    if not scope.documents:
        return 0, []
    today = scope.today
    if scope.is_agency_view:
        shares = soon_assignments(scope, days)
        lines = [
            TaskLine(a.task, a.effective_due, [a.agency.name], a.status, (a.effective_due - today).days)
            for a in shares.select_related("task__section", "task__document", "agency").order_by(
                "effective_due", "task__order", "pk"
            )[:limit]
        ]
        return shares.count(), lines
    _overdue, count, lines = task_lists(scope, table or task_table(scope), limit, days)
    return count, lines


def agency_lists(
    scope: Scope, limit: int = LIST_LIMIT, days: int = SOON_DAYS
) -> tuple[list[TaskLine], int, list[TaskLine]]:
    """An agency's overdue shares (longest overdue first), how many of its open shares fall due in the next
    ``days`` days and the nearest of them: what ``overdue_list`` and ``due_soon`` return, from one query over its
    open shares due by the horizon (an agency's own, a few hundred at most) instead of three; kept (``figures``)."""
    if not scope.documents:
        return [], 0, []
    key = scope.figures_key(f"agency_lists:{sorted(scope.agency_ids)}:{limit}:{days}")
    return figures.remember(key, lambda: _agency_lists(scope, limit, days))


def _agency_lists(scope: Scope, limit: int, days: int) -> tuple[list[TaskLine], int, list[TaskLine]]:
    today = scope.today
    horizon = today + datetime.timedelta(days=days)
    shares = (
        assignments(scope)
        .filter(effective_due__lte=horizon)
        .exclude(state=WorkState.DONE)
        .select_related("task__section", "task__document", "agency")
        .order_by("effective_due", "task__order", "pk")
    )
    overdue, soon = [], []
    for a in shares:
        if a.effective_due < today and a.status == OfficialStatus.OVERDUE:
            if len(overdue) < limit:
                overdue.append(
                    TaskLine(a.task, a.effective_due, [a.agency.name], a.status, (today - a.effective_due).days)
                )
        elif a.effective_due >= today:
            soon.append(TaskLine(a.task, a.effective_due, [a.agency.name], a.status, (a.effective_due - today).days))
    return overdue, len(soon), soon[:limit]


LINE_FIELDS = (
    "number",
    "title",
    "deadline_text",
    "due_date",
    "section__number",
    "section__path",
    "section__parent",
    "document__number",
    "document__symbol",
)


def _is_soon(row: TaskRow, horizon: datetime.date) -> bool:
    return row.next_due is not None and row.next_due <= horizon and row.status not in (OfficialStatus.OVERDUE, *DONE)


def soon_assignments(scope: Scope, days: int = SOON_DAYS) -> QuerySet[Assignment]:
    horizon = scope.today + datetime.timedelta(days=days)
    return (
        assignments(scope)
        .filter(effective_due__gte=scope.today, effective_due__lte=horizon)
        .exclude(state=WorkState.DONE)
    )


def task_lists(
    scope: Scope, table: TaskTable, limit: int = LIST_LIMIT, days: int = SOON_DAYS
) -> tuple[list[TaskLine], int, list[TaskLine]]:
    """Return a province's overdue list (longest overdue first), how many tasks fall due in the next
    ``days`` days and the nearest of them: the tasks come from ``table``; two queries load the listed tasks
    and the shares that put them on a list (overdue, or open and due within the days). Kept like the table
    (``figures``): the lines show the tasks, their documents and sections and the agencies' names only."""
    key = scope.figures_key(f"task_lists:{limit}:{days}")
    return figures.remember(key, lambda: _task_lists(scope, table, limit, days))


def _task_lists(scope: Scope, table: TaskTable, limit: int, days: int) -> tuple[list[TaskLine], int, list[TaskLine]]:
    today = scope.today
    horizon = today + datetime.timedelta(days=days)
    late_rows, soon_rows = [], []
    for r in table.rows:  # one pass over the province's 4,000 tasks (``_is_soon`` for the second list)
        if r.status == OfficialStatus.OVERDUE:
            late_rows.append(r)
        elif r.next_due is not None and r.next_due <= horizon and r.status not in DONE:
            soon_rows.append(r)
    late = heapq.nsmallest(limit, late_rows, key=lambda r: (r.since or today, *table.order_key(r)))
    soon = heapq.nsmallest(limit, soon_rows, key=lambda r: (r.next_due, *table.order_key(r)))
    soon_status = {r.pk: r.status for r in soon}
    late_ids, soon_ids = [r.pk for r in late], [r.pk for r in soon]
    if not late_ids and not soon_ids:
        return [], len(soon_rows), []
    c = conditions(today)
    # Only what a line shows (``pages._lines``: the full number, title, link, document number, deadline).
    tasks = Task.objects.select_related("section", "document").only(*LINE_FIELDS).in_bulk([*late_ids, *soon_ids])
    shares: dict[int, list[dict]] = defaultdict(list)
    # The listed tasks' shares by their ids alone (they are the scope's tasks), and of a task with a lead only
    # its lead shares: one of them put it on the list (``per_task``). A task given to 100 communes would
    # otherwise send its 100 overdue shares to be dropped here.
    listed_ids = [*late_ids, *soon_ids]
    listed = Assignment.objects.annotate(effective_due=EFFECTIVE_DUE).filter(  # no status CASE: not read
        Q(role=AssignmentRole.LEAD) | Q(task_id__any_of=[pk for pk in listed_ids if pk in table.leaderless]),
        c["overdue"] | (c["ahead"] & Q(effective_due__lte=horizon)),
        task_id__any_of=listed_ids,
    )
    for share in listed.order_by("role", "agency__name").values(
        "task_id", "role", "state", "effective_due", agency_name=F("agency__name")
    ):
        shares[share["task_id"]].append(share)

    def lines(ids: list[int], overdue: bool) -> list[TaskLine]:
        found = []
        for task_id in ids:
            due_ = [s for s in shares[task_id] if s["state"] != WorkState.DONE and s["effective_due"]]
            mine = [
                s for s in due_ if (s["effective_due"] < today if overdue else today <= s["effective_due"] <= horizon)
            ]
            leads = [s for s in mine if s["role"] == AssignmentRole.LEAD] or mine
            due = min((s["effective_due"] for s in leads), default=tasks[task_id].due_date)
            left = ((today - due).days if overdue else (due - today).days) if due else 0
            status = OfficialStatus.OVERDUE if overdue else soon_status[task_id]
            found.append(TaskLine(tasks[task_id], due, [s["agency_name"] for s in leads], status, left))
        return found

    return lines(late_ids, True), len(soon_rows), lines(soon_ids, False)


# --- drill-down -----------------------------------------------------------------------------------------


@dataclass
class DrillFilters:
    """What a drill-down list is restricted to; every field optional."""

    status: str = ""
    section: int | None = None
    area: str = ""
    role: str = ""
    due: str = ""  # "soon": falls due in the next 30 days

    def statuses(self) -> list[str]:
        return status_filter(self.status)

    def area_q(self, section: str) -> Q:
        """Return the condition "in this CCHC area" on the section at ``section``; tasks without a section
        count as "other", as the overview counts them; an unknown area matches nothing."""
        if self.area not in CchcArea.values:
            return Q(pk__in=[])
        condition = Q(**{f"{section}__area": self.area})
        if self.area == CchcArea.OTHER:
            condition |= Q(**{f"{section}__isnull": True})
        return condition


def drill_tasks(scope: Scope, filters: DrillFilters, table: TaskTable | None = None) -> list[TaskRow]:
    """The tasks behind a per-task number of a province's overview (status per task, as counted there), in
    the appendix's order; read from ``task_table``."""
    table = table or task_table(scope)
    rows = table.rows
    if filters.section is not None:
        rows = [r for r in rows if r.section_id == filters.section]
    if filters.area:
        if filters.area not in CchcArea.values:
            return []
        rows = [r for r in rows if table.area(r) == filters.area]
    if filters.status:
        statuses = set(filters.statuses())
        rows = [r for r in rows if r.status in statuses]
    if filters.due == "soon":
        horizon = scope.today + datetime.timedelta(days=SOON_DAYS)
        rows = [r for r in rows if _is_soon(r, horizon)]
    return sorted(rows, key=table.order_key)


def drill_assignments(scope: Scope, filters: DrillFilters) -> QuerySet[Assignment]:
    """The shares behind a per-assignment number (an agency's dashboard, or the ranking)."""
    qs = assignments(scope)
    if filters.section is not None:
        qs = qs.filter(task__section_id=filters.section)
    if filters.area:
        qs = qs.filter(filters.area_q("task__section"))
    if filters.status:
        statuses = filters.statuses()
        qs = qs.filter(status__in=statuses) if statuses else qs.none()
    if filters.role in AssignmentRole.values:
        qs = qs.filter(role=filters.role)
    if filters.due == "soon":
        horizon = scope.today + datetime.timedelta(days=SOON_DAYS)
        qs = qs.filter(effective_due__gte=scope.today, effective_due__lte=horizon).exclude(state=WorkState.DONE)
    return qs.select_related("task__section", "task__document", "agency").order_by(
        "task__document__year", "task__document_id", "task__section__order", "task__order", "agency__name", "pk"
    )


# --- indicators -----------------------------------------------------------------------------------------


@dataclass
class IndicatorFigures:
    judgements: list = field(default_factory=list)
    available: bool = True

    def count(self, colour: str) -> int:
        return sum(1 for j in self.judgements if j.colour == colour)


def indicator_judgements(scope: Scope, agency_ids: Iterable[int] | None = None) -> IndicatorFigures:
    """Judge the indicator targets of the scope's documents with ``indicators.judging`` (issue 7).

    One query finds the documents that have indicators; the judge's own queries follow, per such
    document (a scope holds a handful). An agency's dashboard keeps its own targets.
    """
    if judge_document is None:
        return IndicatorFigures(available=False)
    if scope.is_agency_view:
        return IndicatorFigures(_agency_judgements(scope))
    with_indicators = set(
        Indicator.objects.filter(document_id__any_of=scope.document_ids)
        .order_by()
        .values_list("document_id", flat=True)
        .distinct()
    )
    judgements = []
    for document in scope.documents:
        if document.pk in with_indicators:
            judgements.extend(judge_document(document, today=scope.today, agency_ids=agency_ids))
    return IndicatorFigures(judgements)


def _agency_judgements(scope: Scope) -> list:
    """An agency's page: only the targets that apply to it (its own, and its groups'), of all the scope's
    documents at once (the judge's two or three queries, not one set per document), in the documents' order.

    The same judgements as judging each document for the agency and keeping the agency's: province targets (and
    group targets without a group) judge nobody in particular, and a group target judges only its members; each
    judgement reads only measurements of its own target's period (and the year before)."""
    ids = list(scope.agency_ids)
    in_group = AgencyGroup.members.through.objects.filter(agencygroup_id=OuterRef("group_id"), agency_id__in=ids)
    targets = Target.objects.filter(indicator__document_id__any_of=scope.document_ids).filter(
        Q(scope=TargetScope.AGENCY, agency_id__in=ids) | Q(Exists(in_group), scope=TargetScope.GROUP)
    )
    rank = {pk: index for index, pk in enumerate(scope.document_ids)}
    judgements = [
        j
        for j in judge(targets, today=scope.today, agency_ids=ids)
        if j.agency is not None and j.agency.pk in scope.agency_ids
    ]
    judgements.sort(key=lambda j: rank.get(j.indicator.document_id, 0))  # stable: each document's own order
    return judgements
