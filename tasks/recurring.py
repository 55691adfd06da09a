"""Recurring tasks ("Hằng tháng", "Hằng quý", "6 tháng một lần", "Tháng 12 hằng năm"): one deadline per period.

The deadline parser (``plans.deadlines``) says a task recurs and how often (``Task.recurrence``), but gives no
date. Here every share (``Assignment``) of such a task gets one ``Occurrence`` per period of its document's
validity, each with its own due date: the end of the period, or the day and month the text names ("trước
ngày 15 hằng tháng" → the 15th; "tháng 12 hằng năm" → 31/12). The share's ``due_date`` follows its earliest
period not yet reported done, so the reminders, the overdue lists and the status treat each period as a
deadline of its own, and the share is done when its last period is.

``sync_occurrences`` is idempotent (unique period per share): the import calls it for the document it wrote,
the daily sweep for every recurring task (so a deadline edited in the admin catches up within a day).
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, F, Max, Min, OuterRef, Q

from core.text import fold
from plans.deadlines import DueKind, Recurrence
from tasks.models import Assignment, Occurrence, Task, WorkState

MONTHS = {
    Recurrence.MONTHLY: 1,
    Recurrence.QUARTERLY: 3,
    Recurrence.HALF_YEARLY: 6,
    Recurrence.YEARLY: 12,
}
_DAY_RE = re.compile(r"\bngay (\d{1,2})(?: (\d{1,2})\b)?")
_MONTH_RE = re.compile(r"\bthang (\d{1,2})\b")


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    due: datetime.date


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def anchors(text: str) -> tuple[int | None, int | None]:
    """Return the (day, month) a recurring deadline names: "trước ngày 15/12 hằng năm" → (15, 12).

    "ngày 20 tháng cuối quý" → (20, None); "tháng 12 hằng năm" → (None, 12); nothing → (None, None).
    """
    key = fold(text)
    day = month = None
    found = _DAY_RE.search(key)
    if found:
        day = int(found.group(1))
        if found.group(2):
            month = int(found.group(2))
    months = [int(m) for m in _MONTH_RE.findall(key)]
    if month is None and months:
        month = months[-1]
    day = day if day and 1 <= day <= 31 else None
    month = month if month and 1 <= month <= 12 else None
    return day, month


def validity(task: Task) -> tuple[datetime.date, datetime.date]:
    """The span a recurring task runs over: the year of its document (a plan for 2024 covers 2024)."""
    year = task.document.year
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def periods(task: Task) -> list[Period]:
    """Return the periods of a recurring task with the day each is due; [] when it does not recur."""
    months = MONTHS.get(task.recurrence) if task.due_kind == DueKind.RECURRING else None
    if not months:
        return []
    first, last = validity(task)
    day, month = anchors(task.deadline_text)
    found = []
    year, start_month = first.year, first.month
    start_month -= (start_month - 1) % months  # periods start with the year: January, April, July…
    while datetime.date(year, start_month, 1) <= last:
        end_month = start_month + months - 1
        start = datetime.date(year, start_month, 1)
        end = datetime.date(year, end_month, _last_day(year, end_month))
        # A yearly duty may name its month ("tháng 12 hằng năm"); any other falls due in its period's last month.
        due_month = month if months == 12 and month else end_month
        due_day = min(day, _last_day(year, due_month)) if day else _last_day(year, due_month)
        found.append(Period(start, end, datetime.date(year, due_month, due_day)))
        start_month = end_month + 1
        if start_month > 12:
            year, start_month = year + 1, 1
    return found


def recurring_tasks() -> Q:
    return Q(due_kind=DueKind.RECURRING) & ~Q(recurrence="")


@transaction.atomic
def sync_occurrences(task_ids: list[int] | None = None, document_ids: list[int] | None = None) -> int:
    """Give every share of the recurring tasks chosen (all when neither list is given) one occurrence per period,
    then set each share's due date to its earliest open period. Return how many occurrences were created.

    Queries: the tasks (1), their shares (1), one insert, then ``refresh_due`` (2 + one UPDATE per changed share).
    """
    tasks = Task.objects.filter(recurring_tasks()).select_related("document")
    if task_ids is not None:
        tasks = tasks.filter(pk__in=task_ids)
    if document_ids is not None:
        tasks = tasks.filter(document_id__in=document_ids)
    by_task = {task.pk: periods(task) for task in tasks}
    if not by_task:
        return 0
    shares = list(Assignment.objects.filter(task_id__in=list(by_task)).values_list("pk", "task_id"))
    rows = [
        Occurrence(assignment_id=pk, period_start=p.start, period_end=p.end, due_date=p.due)
        for pk, task_id in shares
        for p in by_task[task_id]
    ]
    before = Occurrence.objects.filter(assignment_id__in=[pk for pk, _t in shares]).count()
    Occurrence.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    created = Occurrence.objects.filter(assignment_id__in=[pk for pk, _t in shares]).count() - before
    refresh_due([pk for pk, _t in shares])
    return created


def refresh_due(assignment_ids: list[int]) -> None:
    """Set each recurring share's due date to its earliest open period (the last period's once all are done)."""
    if not assignment_ids:
        return
    open_due = dict(
        Occurrence.objects.filter(assignment_id__in=assignment_ids)
        .exclude(state=WorkState.DONE)
        .values("assignment_id")
        .annotate(first=Min("due_date"))
        .values_list("assignment_id", "first")
    )
    last_due = dict(
        Occurrence.objects.filter(assignment_id__in=assignment_ids)
        .values("assignment_id")
        .annotate(last=Max("due_date"))
        .values_list("assignment_id", "last")
    )
    current = dict(Assignment.objects.filter(pk__in=assignment_ids).values_list("pk", "due_date"))
    for pk, due in current.items():
        wanted = open_due.get(pk) or last_due.get(pk)
        if wanted is not None and wanted != due:
            Assignment.objects.filter(pk=pk).update(due_date=wanted, version=F("version") + 1)


def apply_report(assignment: Assignment, occurrence: Occurrence, state: str, completed_on, update) -> dict:
    """Record a report on one period and return the share's new state, progress, completion and due date.

    Done when every period is done (completed on the last one's date); otherwise in progress once any period
    was reported; progress is the share of periods done.
    """
    done = state == WorkState.DONE
    Occurrence.objects.filter(pk=occurrence.pk).update(
        state=state, completed_on=completed_on if done else None, update=update
    )
    rows = list(Occurrence.objects.filter(assignment=assignment).values_list("state", "completed_on", "due_date"))
    total = len(rows) or 1
    finished = [r for r in rows if r[0] == WorkState.DONE]
    open_dues = [r[2] for r in rows if r[0] != WorkState.DONE]
    if len(finished) == len(rows):
        return {
            "state": WorkState.DONE,
            "progress": 100,
            "completed_on": max(r[1] for r in finished),
            "due_date": max(r[2] for r in rows),
        }
    started = any(r[0] != WorkState.NOT_STARTED for r in rows)
    return {
        "state": WorkState.IN_PROGRESS if started else WorkState.NOT_STARTED,
        "progress": round(100 * len(finished) / total),
        "completed_on": None,
        "due_date": min(open_dues),
    }


def sync_missing_occurrences() -> int:
    """``sync_occurrences`` for the recurring tasks with a share that has no period yet (one anti-join to find them)."""
    missing = (
        Assignment.objects.filter(task__due_kind=DueKind.RECURRING)
        .exclude(task__recurrence="")
        .filter(~Exists(Occurrence.objects.filter(assignment=OuterRef("pk"))))
        .values_list("task_id", flat=True)
        .distinct()
    )
    task_ids = list(missing)
    return sync_occurrences(task_ids=task_ids) if task_ids else 0
