"""The daily reminder sweep: decide who must be reminded of what today, claim each reminder once, queue it.

Deciding is set-based: for each kind of reminder the sweep knows the due dates that trigger it today
(7, 3 and 1 days ahead; 1, 8, 15… days ago; the escalation day), and asks the database for the open
assignments whose effective due date (the assignment's own, else its task's) is one of them: two index
scans per role (``tasks_assignment.due_date``, ``task_due_date``), whatever the number of assignments.
Only the rows that match are turned into reminders in Python.

Claiming is one transaction: insert the reminders with ON CONFLICT DO NOTHING (the unique key is recipient,
kind, target and day), stamp rows left pending too long with this run's id, then select the pending rows
stamped with this run's id: those, and only those, this run queues. A second sweep the same day, or two
sweeps at once, find every key taken and queue nothing.
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Min
from django.utils import timezone

from agencies.models import Role, User
from cchc_portal.models import EmailState, Notification, Reminder, ReminderKind, ReminderState
from cchc_portal.notifications.digest import followed_documents, has_content, open_states
from cchc_portal.notifications.directory import Directory
from cchc_portal.notifications.periods import period_due_on
from core.dates import MIN_YEAR
from plans.models import PeriodicReport, ReportingDuty
from tasks.models import Assignment, AssignmentRole, Task
from tasks.recurring import sync_missing_occurrences

logger = logging.getLogger(__name__)

Dispatch = Callable[[list[int]], None]


@dataclass
class SweepResult:
    day: datetime.date
    run_id: uuid.UUID
    planned: int = 0
    claimed: list[int] = field(default_factory=list)
    requeued: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)  # kinds of reminders that could not be planned today


# --------------------------------------------------------------------------------------------------
# deciding
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    assignment_id: int
    task_id: int
    agency_id: int
    role: str
    due: datetime.date


def due_assignments(dates: Iterable[datetime.date], role: str) -> list[DueRow]:
    """Return the open assignments with ``role`` whose effective due date is one of ``dates``.

    One query (UNION ALL of an assignment-date and a task-date index scan); tasks whose date needs a
    person's confirmation, and tasks of draft documents, are left out.
    """
    dates = sorted(set(dates))
    if not dates:
        return []
    base = Assignment.objects.order_by().filter(
        state__in=open_states(), role=role, task__due_needs_confirmation=False, task__document__is_draft=False
    )
    columns = ("pk", "task_id", "agency_id", "role")
    own = base.filter(due_date__in=dates).values_list(*columns, "due_date")
    inherited = base.filter(due_date__isnull=True, task__due_date__in=dates).values_list(*columns, "task__due_date")
    return [DueRow(*row) for row in own.union(inherited, all=True)]


def earliest_due_date() -> datetime.date | None:
    """The earliest due date of any task or assignment (two index lookups): how far back overdue notices go."""
    dates = [
        Task.objects.aggregate(first=Min("due_date"))["first"],
        Assignment.objects.filter(state__in=open_states()).aggregate(first=Min("due_date"))["first"],
    ]
    dates = [d for d in dates if d is not None]
    return min(dates) if dates else None


def overdue_dates(day: datetime.date, earliest: datetime.date | None) -> list[datetime.date]:
    """Due dates whose assignments get an overdue notice today: 1 day ago, then every 7 days back.

    Never before 1945 (``core.dates``): a stray 01/01/0001 would otherwise ask for 100,000 dates and step past
    the first day the calendar has (OverflowError, for every province).
    """
    found = []
    due = day - datetime.timedelta(days=1)
    floor = max(earliest, datetime.date(MIN_YEAR, 1, 1)) if earliest is not None else None
    while floor is not None and due >= floor:
        found.append(due)
        due -= datetime.timedelta(days=7)
    return found


class Planner:
    """Turn today's due rows into unsaved ``Reminder`` rows, one per recipient, kind and task."""

    def __init__(self, day: datetime.date, directory: Directory) -> None:
        self.day = day
        self.directory = directory
        self.reminders: list[Reminder] = []
        self._seen: set[tuple] = set()
        self.failures: list[str] = []

    def isolated(self, what: str, work: Callable[[], None], *, queries: bool = False) -> None:
        """Run one item's planning; a failure is logged and counted, and the sweep goes on with the next item.

        ``queries``: the item reads the database, so it runs in a savepoint (a failed query inside leaves the
        connection usable); items planned from memory skip that round trip.
        """
        kept = len(self.reminders)
        try:
            if queries:
                with transaction.atomic():
                    work()
            else:
                work()
        except Exception as exc:  # noqa: BLE001 - one bad row must not stop the reminders of everyone else
            del self.reminders[kept:]
            logger.exception("Reminder sweep for %s: %s failed", self.day, what)
            self.failures.append(f"{what}: {type(exc).__name__}: {exc}"[:500])

    def add(self, key: tuple, **fields) -> None:
        if key not in self._seen:
            self._seen.add(key)
            self.reminders.append(Reminder(day=self.day, **fields))

    def task_reminders(self) -> None:
        day = self.day
        before = set(settings.REMINDER_DAYS_BEFORE)
        coop_before = set(settings.REMINDER_COOPERATING_DAYS_BEFORE)
        escalate = settings.ESCALATE_AFTER_DAYS
        lead_dates = [day + datetime.timedelta(days=d) for d in before]
        lead_dates += overdue_dates(day, earliest_due_date())
        lead_dates.append(day - datetime.timedelta(days=escalate))
        rows = due_assignments(lead_dates, AssignmentRole.LEAD)
        rows += due_assignments([day + datetime.timedelta(days=d) for d in coop_before], AssignmentRole.COOPERATING)
        # Lead first, then by id: two sweeps pick the same assignment when a recipient has two on one task
        # (an agency and the one it was merged into).
        rows.sort(key=lambda r: (r.role != AssignmentRole.LEAD, r.task_id, r.assignment_id))
        for row in rows:
            self.isolated(
                f"assignment {row.assignment_id}", lambda row=row: self._task_row(row, before, coop_before, escalate)
            )

    def _task_row(self, row: DueRow, before: set[int], coop_before: set[int], escalate: int) -> None:
        day = self.day
        offset = (day - row.due).days  # > 0: overdue by that many days
        kinds = []
        if offset < 0 and -offset in (before if row.role == AssignmentRole.LEAD else coop_before):
            kinds.append((ReminderKind.DUE_SOON, Role.STAFF))
        if offset > 0 and row.role == AssignmentRole.LEAD:
            if (offset - 1) % 7 == 0:
                kinds.append((ReminderKind.OVERDUE, Role.STAFF))
            if offset == escalate:
                kinds.append((ReminderKind.ESCALATION, Role.LEADER))
        for kind, role in kinds:
            agency, people = self.directory.contacts(row.agency_id, role)
            for person in people:
                self.add(
                    (person.pk, kind, "task", row.task_id),
                    recipient_id=person.pk,
                    agency_id=agency.pk,
                    kind=kind,
                    assignment_id=row.assignment_id,
                    due_date=row.due,
                    email=person.email,
                )

    def report_reminders(self) -> None:
        """Staff of every reporting agency that has not yet sent its report, 7 and 1 days before it is due."""
        duties = list(
            ReportingDuty.objects.filter(document__is_draft=False)
            .select_related("document")
            .prefetch_related("reporters__members")
        )
        for days in sorted(set(settings.REPORT_REMINDER_DAYS_BEFORE)):
            due = self.day + datetime.timedelta(days=days)
            for duty in duties:
                self.isolated(
                    f"reporting duty {duty.pk}", lambda duty=duty, due=due: self._duty(duty, due), queries=True
                )

    def _duty(self, duty: ReportingDuty, due: datetime.date) -> None:
        period = period_due_on(duty.frequency, duty.due_day, due)
        if period is None or period.end.year != duty.document.year:  # a plan's duties cover its year
            return
        receiving = self.directory.current(duty.recipient_id).pk
        reporters = {self.directory.current(m.pk).pk for g in duty.reporters.all() for m in g.members.all()}
        submitted = PeriodicReport.objects.filter(
            duty=duty,
            period_start=period.start,
            state__in=[PeriodicReport.State.SUBMITTED, PeriodicReport.State.ACCEPTED],
        ).values_list("agency_id", flat=True)
        reporters -= {self.directory.current(agency_id).pk for agency_id in submitted}
        reporters.discard(receiving)  # Sở Nội vụ does not report to itself
        for agency_id in sorted(reporters):
            _agency, people = self.directory.contacts(agency_id)
            for person in people:
                self.add(
                    (person.pk, ReminderKind.REPORT_DUE, "duty", duty.pk, period.start),
                    recipient_id=person.pk,
                    agency_id=agency_id,
                    kind=ReminderKind.REPORT_DUE,
                    duty_id=duty.pk,
                    period_start=period.start,
                    period_end=period.end,
                    due_date=due,
                    email=person.email,
                )

    def digests(self) -> None:
        """Reviewers whose agency follows documents with something to report get the Monday digest."""
        for agency_id, people in sorted(self.directory.reviewers().items()):
            self.isolated(
                f"digest of agency {agency_id}",
                lambda agency_id=agency_id, people=people: self._digest(agency_id, people),
                queries=True,
            )

    def _digest(self, agency_id: int, people: list) -> None:
        if not has_content(followed_documents(self.directory.agencies[agency_id]), self.day):
            return
        for person in people:
            self.add(
                (person.pk, ReminderKind.DIGEST),
                recipient_id=person.pk,
                agency_id=agency_id,
                kind=ReminderKind.DIGEST,
                email=person.email,
            )

    def event_digests(self, now: datetime.datetime | None = None) -> None:
        """People who chose one e-mail a day get the notifications waiting for it (two queries)."""
        now = now or timezone.now()
        waiting = (
            Notification.objects.filter(email_state=EmailState.DAILY, created_at__lte=now)
            .order_by()
            .values_list("recipient_id", flat=True)
            .distinct()
        )
        people = User.objects.filter(pk__in=waiting, is_active=True, agency__isnull=False).order_by("pk")
        for pk, agency_id, email in people.values_list("pk", "agency_id", "email"):
            self.add(
                (pk, ReminderKind.EVENTS_DIGEST),
                recipient_id=pk,
                agency_id=agency_id,
                kind=ReminderKind.EVENTS_DIGEST,
                email=email,
            )


def plan_reminders(
    day: datetime.date, directory: Directory | None = None, failures: list[str] | None = None
) -> list[Reminder]:
    """Return today's reminders, unsaved: a fixed number of queries, however many assignments exist.

    Each kind is planned on its own: one that fails (a row no rule foresaw) is logged and added to
    ``failures``, and the others are still sent.
    """
    planner = Planner(day, directory or Directory.load(day))
    phases = [planner.task_reminders, planner.report_reminders, planner.event_digests]
    if day.weekday() == settings.REMINDER_DIGEST_WEEKDAY:
        phases.append(planner.digests)
    for phase in phases:
        kept = len(planner.reminders)
        try:
            with transaction.atomic():  # a database error inside leaves the connection usable for the next kind
                phase()
        except Exception as exc:  # noqa: BLE001 - one kind's failure must not stop the others; logged and counted
            del planner.reminders[kept:]
            logger.exception("Reminder sweep for %s: planning %s failed", day, phase.__name__)
            if failures is not None:
                failures.append(f"{phase.__name__}: {type(exc).__name__}: {exc}"[:500])
    if failures is not None:
        failures.extend(planner.failures)
    return planner.reminders


# --------------------------------------------------------------------------------------------------
# claiming
# --------------------------------------------------------------------------------------------------


def _key(reminder: Reminder) -> tuple:
    return (
        reminder.recipient_id,
        reminder.kind,
        reminder.assignment_id,
        reminder.duty_id,
        reminder.period_start,
        reminder.day,
    )


def unclaimed(reminders: list[Reminder]) -> list[Reminder]:
    """The reminders no sweep has claimed yet (for --dry-run); one query per day involved."""
    days = {r.day for r in reminders}
    taken = {
        tuple(row)
        for row in Reminder.objects.filter(day__in=days).values_list(
            "recipient_id", "kind", "assignment_id", "duty_id", "period_start", "day"
        )
    }
    return [r for r in reminders if _key(r) not in taken]


def claim(reminders: list[Reminder], run_id: uuid.UUID, now: datetime.datetime) -> tuple[list[int], int]:
    """Insert the new reminders and adopt the stuck ones for ``run_id``; return (ids this run owns, adopted).

    One transaction that starts with a write (SQLite then waits for a concurrent sweep instead of failing
    on a stale snapshot); PostgreSQL makes a concurrent insert of the same key wait, then skip it.
    """
    for reminder in reminders:
        reminder.run_id, reminder.created_at, reminder.next_attempt_at = run_id, now, now
    with transaction.atomic():
        Reminder.objects.bulk_create(reminders, batch_size=2000, ignore_conflicts=True)
        adopted = Reminder.objects.stuck(now).update(run_id=run_id, next_attempt_at=now)
        owned = list(
            Reminder.objects.filter(run_id=run_id, state=ReminderState.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return owned, adopted


def _claim_retrying(reminders: list[Reminder], run_id: uuid.UUID, now: datetime.datetime) -> tuple[list[int], int]:
    """``claim``, retried a few times when SQLite reports a lock held by a concurrent writer."""
    for attempt in range(10):
        try:
            return claim(reminders, run_id, now)
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc) or attempt == 9:
                raise
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


def requeue_stuck(dispatch: Dispatch | None = None, now: datetime.datetime | None = None) -> list[int]:
    """Adopt the reminders left pending too long (a killed worker, a lost message) and queue them again."""
    return run_claim([], dispatch=dispatch, now=now)[0]


def run_claim(
    reminders: list[Reminder], *, dispatch: Dispatch | None = None, now: datetime.datetime | None = None
) -> tuple[list[int], int, uuid.UUID]:
    now = now or timezone.now()
    run_id = uuid.uuid4()
    owned, adopted = _claim_retrying(reminders, run_id, now)
    if dispatch is not None and owned:
        # The claim has committed by now (or will, with the caller's transaction): jobs see their rows.
        transaction.on_commit(lambda: dispatch(owned))
    return owned, adopted, run_id


def run_sweep(day: datetime.date | None = None, *, dispatch: Dispatch | None = None) -> SweepResult:
    """Decide today's reminders, claim them, adopt stuck ones, and hand the claimed ids to ``dispatch``.

    ``dispatch`` is ``cchc_portal.jobs.queue_reminders`` from the beat job (one Celery job per reminder),
    or None when the caller sends them itself (``send_reminders`` without ``--queue``, tests).
    """
    started = time.perf_counter()
    day = day or timezone.localdate()
    failures: list[str] = []
    try:  # recurring tasks whose shares have no periods yet (a deadline edited in the admin)
        with transaction.atomic():
            sync_missing_occurrences()
    except Exception as exc:  # noqa: BLE001 - the periods are caught up tomorrow; today's reminders still go out
        logger.exception("Reminder sweep for %s: catching up recurring periods failed", day)
        failures.append(f"sync_missing_occurrences: {type(exc).__name__}: {exc}"[:500])
    reminders = plan_reminders(day, failures=failures)
    owned, adopted, run_id = run_claim(reminders, dispatch=dispatch)
    result = SweepResult(
        day=day, run_id=run_id, planned=len(reminders), claimed=owned, requeued=adopted, failures=failures
    )
    result.seconds = time.perf_counter() - started
    logger.info(
        "Reminder sweep %s for %s: %d decided, %d claimed (%d adopted from stuck), %d kinds failed in %.2f s",
        run_id,
        day,
        result.planned,
        len(owned),
        adopted,
        len(failures),
        result.seconds,
    )
    return result
