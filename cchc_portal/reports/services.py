"""Periodic reports (báo cáo định kỳ) in the browser: who must report, the figures, the steps, completeness.

A ``plans.ReportingDuty`` says that the agencies of some groups report to one agency (Sở Nội vụ) every
month, quarter, six months or year of its document's year, before day ``due_day`` of the period's last
month. For each period each agency has one ``PeriodicReport``: its staff prepare it (the figures of its own
tasks and indicators for the period are filled in, the text is theirs), its leader sends it, the receiving
agency accepts it (it is then locked) or returns it with a reason, and may reopen an accepted one with a
reason. Each step is a ``PeriodicReportStep`` row and is told to the people who act next
(``core.outbox.publish``). Sở Nội vụ sees for every period who has sent, who has not and who was late
(``completeness``), as DHIS2's reporting rate summary shows it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency, AgencyGroup, Role
from cchc_portal.notifications.directory import is_standing_agency
from cchc_portal.notifications.periods import YearPeriod, period_of, year_periods
from core.outbox import publish
from core.uploads import CheckedFile
from indicators.models import Measurement, MeasurementState
from plans.models import PeriodicReport, PeriodicReportFile, PeriodicReportStep, ReportingDuty
from tasks.models import (
    Assignment,
    Occurrence,
    OfficialStatus,
    WorkState,
    agency_ids_of,
    is_ongoing,
    official_status,
)


class ReportError(Exception):
    """The step is not possible now; the message says why, in Vietnamese."""


# --------------------------------------------------------------------------------------------------
# who reports
# --------------------------------------------------------------------------------------------------


def duty_periods(duty: ReportingDuty) -> list[YearPeriod]:
    """The periods of a duty: those of its document's year."""
    return year_periods(duty.frequency, duty.due_day, duty.document.year)


def reporters(duty: ReportingDuty, day: datetime.date, members: dict[int, list[Agency]] | None = None) -> list[Agency]:
    """The agencies that owe ``duty``'s report due on ``day``: members of its groups valid then, each counted as
    the agency holding its duties that day (a merged agency's successor), the receiving agency left out.

    ``members`` (group id → agencies) spares the two queries when the caller has them.
    """
    if members is None:
        members = group_members([duty])
    receiving = duty.recipient.current(day).pk
    found: dict[int, Agency] = {}
    for group in duty.reporters.all():
        for agency in members.get(group.pk, []):
            if not agency.is_valid_on(day) and agency.successor_id is None:
                continue
            holder = agency.current(day)
            if holder.pk != receiving and holder.is_valid_on(day):
                found[holder.pk] = holder
    return sorted(found.values(), key=lambda a: a.name)


def group_members(duties: Iterable[ReportingDuty]) -> dict[int, list[Agency]]:
    """Members of the duties' groups, successors loaded (two queries)."""
    group_ids = {g.pk for duty in duties for g in duty.reporters.all()}
    members: dict[int, list[Agency]] = {}
    through = AgencyGroup.members.through.objects.filter(agencygroup_id__in=group_ids).select_related(
        "agency__successor__successor"
    )
    for row in through:
        members.setdefault(row.agencygroup_id, []).append(row.agency)
    return members


def duties_for(user) -> list[ReportingDuty]:
    """The duties a user deals with: a reviewer, every duty of the province; an agency, those it reports on."""
    duties = list(
        ReportingDuty.objects.for_user(user)
        .filter(document__is_draft=False)
        .select_related("document", "recipient__successor")
        .prefetch_related("reporters")
        .order_by("-document__year", "document_id", "frequency")
    )
    if user.is_reviewer:
        return duties
    mine = agency_ids_of(user)
    members = group_members(duties)
    owed = []
    for duty in duties:
        periods = duty_periods(duty)
        if any(a.pk in mine or user.agency_id == a.pk for p in periods for a in reporters(duty, p.due, members)):
            owed.append(duty)
    return owed


def can_decide(user, duty: ReportingDuty) -> bool:
    """Who accepts and returns: reviewers of the receiving agency (or its predecessors), and of the province's
    Sở Nội vụ when the duty names another receiver; administrators."""
    if user.is_superuser:
        return True
    if not user.is_authenticated or user.role not in (Role.REVIEWER, Role.ADMIN) or user.agency_id is None:
        return False
    if not user.sees_province(duty.document.province_id):  # own province, or one merged into it (issue 12)
        return False
    return duty.recipient.current().pk == user.agency.current().pk or is_standing_agency(user.agency)


def may_prepare(user, agency: Agency) -> bool:
    return user.is_authenticated and agency.pk in agency_ids_of(user) | {user.agency_id}


def may_send(user, agency: Agency) -> bool:
    return may_prepare(user, agency) and user.role == Role.LEADER


# --------------------------------------------------------------------------------------------------
# the figures of a period
# --------------------------------------------------------------------------------------------------

FIGURE_ORDER = [
    OfficialStatus.DONE_ON_TIME,
    OfficialStatus.DONE_LATE,
    OfficialStatus.IN_PROGRESS,
    OfficialStatus.NOT_STARTED,
    OfficialStatus.OVERDUE,
    OfficialStatus.ONGOING,
]


def compute_figures(
    agency: Agency, duty: ReportingDuty, period: YearPeriod, today: datetime.date | None = None
) -> dict:
    """The agency's tasks and indicator values for ``period``, as of its end (or today while it runs).

    Tasks: each of the agency's shares on its province's published documents that is not already done before
    the period began, with its status at that day (done on time, done late, in progress, not started,
    overdue, ongoing work); a recurring share counts each of its periods that falls due within this one.
    Indicators: the values the agency reported for periods ending within this one. Four queries.
    """
    today = today or timezone.localdate()
    as_of = min(today, period.end)
    # Once the period is over, work due by its last day and not done then is overdue.
    judged_on = as_of + datetime.timedelta(days=1) if today > period.end else today
    lineage = agency.lineage_ids()
    shares = _shares_in_period(lineage, duty, period)
    occurrences = _occurrences_due_in(shares, period)
    items = [
        _task_item(share, occ, as_of, judged_on)
        for share in shares
        for occ in (occurrences.get(share.pk, []) if share.is_recurring else [None])
    ]
    counts = {status.value: 0 for status in FIGURE_ORDER}
    for item in items:
        counts[item["status"]] += 1
    return {
        "as_of": as_of.isoformat(),
        "counts": counts,
        "tasks": items,
        "indicators": _indicator_values(lineage, period),
    }


def _shares_in_period(lineage: set[int], duty: ReportingDuty, period: YearPeriod) -> list[Assignment]:
    """The agency's shares on its province's published documents of the period's year or before, not done before
    the period began."""
    return list(
        Assignment.objects.filter(
            agency_id__in=lineage, task__document__province_id=duty.document.province_id, task__document__is_draft=False
        )
        .exclude(state=WorkState.DONE, completed_on__lt=period.start)
        .filter(task__document__year__lte=period.year)
        .select_related("task__section", "task__document")
        .order_by("task__document_id", "task__order", "task_id", "pk")
    )


def _occurrences_due_in(shares: list[Assignment], period: YearPeriod) -> dict[int, list[Occurrence]]:
    """The periods of the recurring shares that fall due within ``period``, by share."""
    occurrences: dict[int, list[Occurrence]] = {}
    for occ in Occurrence.objects.filter(
        assignment_id__in=[s.pk for s in shares if s.is_recurring], due_date__range=(period.start, period.end)
    ).order_by("due_date"):
        occurrences.setdefault(occ.assignment_id, []).append(occ)
    return occurrences


def _task_item(share: Assignment, occ: Occurrence | None, as_of: datetime.date, judged_on: datetime.date) -> dict:
    """One line of the report's task list: a share (or one period of a recurring share) as it stood on ``as_of``."""
    task = share.task
    if occ:
        state, completed, due = occ.state, occ.completed_on, occ.due_date
    else:
        state, completed, due = share.state, share.completed_on, share.effective_due_date
    if state == WorkState.DONE and completed and completed > as_of:
        state, completed = WorkState.IN_PROGRESS, None  # done after the period: not yet done then
    status = official_status(
        state, completed, due, judged_on, is_ongoing(task.due_kind, task.recurrence) and occ is None
    )
    return {
        "number": task.full_number,
        "title": task.title[:300],
        "document": task.document.display_number,
        "role": share.get_role_display(),
        "status": status.value,
        "due": due.isoformat() if due else "",
        "completed_on": completed.isoformat() if completed else "",
        "progress": 100 if state == WorkState.DONE else (share.progress if occ is None else 0),
        "url": share.get_absolute_url(),
    }


def _indicator_values(lineage: set[int], period: YearPeriod) -> list[dict]:
    """The indicator values the agency reported for periods ending within ``period`` (not those returned)."""
    measurements = (
        Measurement.objects.filter(agency_id__in=lineage, period_end__range=(period.start, period.end))
        .exclude(state=MeasurementState.RETURNED)
        .select_related("indicator")
        .order_by("indicator__document_id", "indicator__order", "period_end")
    )
    return [
        {
            "indicator": m.indicator.name[:300],
            "unit": m.indicator.unit,
            "value": format(m.value.normalize(), "f"),
            "period_end": m.period_end.isoformat(),
            "state": m.get_state_display(),
        }
        for m in measurements
    ]


@dataclass
class FigureView:
    """The figures of a report, ready for a page: counts with labels, the task list, the indicator values."""

    as_of: datetime.date | None
    counts: list[tuple[str, str, str, int]]  # status value, label, colour, count
    tasks: list[dict]
    indicators: list[dict]
    total: int = 0


def figure_view(figures: dict) -> FigureView:
    from tasks.models import STATUS_COLOURS

    counts = figures.get("counts", {})
    rows = [(s.value, str(s.label), STATUS_COLOURS[s], counts.get(s.value, 0)) for s in FIGURE_ORDER]
    tasks = []
    for item in figures.get("tasks", []):
        status = OfficialStatus(item["status"])
        tasks.append(
            {
                **item,
                "status_label": str(status.label),
                "colour": STATUS_COLOURS[status],
                "due_date": datetime.date.fromisoformat(item["due"]) if item.get("due") else None,
                "completed": datetime.date.fromisoformat(item["completed_on"]) if item.get("completed_on") else None,
            }
        )
    as_of = figures.get("as_of")
    return FigureView(
        datetime.date.fromisoformat(as_of) if as_of else None,
        rows,
        tasks,
        figures.get("indicators", []),
        sum(c[3] for c in rows),
    )


# --------------------------------------------------------------------------------------------------
# steps
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportText:
    results: str = ""
    difficulties: str = ""
    proposals: str = ""


def find(duty: ReportingDuty, agency: Agency, period: YearPeriod) -> PeriodicReport | None:
    return (
        PeriodicReport.objects.filter(duty=duty, agency_id__in=agency.lineage_ids(), period_start=period.start)
        .select_related("submitted_by", "reviewed_by")
        .order_by("-pk")
        .first()
    )


def _step(report: PeriodicReport, user, action: str, reason: str = "") -> PeriodicReportStep:
    step = PeriodicReportStep.objects.create(report=report, actor=user, action=action, reason=reason)
    publish("periodic", step.pk)
    return step


def _claim(report: PeriodicReport, states: Iterable[str], version: int | None, **changes) -> PeriodicReport:
    """Apply ``changes`` only if the report is still in one of ``states`` (and ``version``): one UPDATE."""
    rows = PeriodicReport.objects.filter(pk=report.pk, state__in=list(states))
    if version is not None:
        rows = rows.filter(version=version)
    if not rows.update(version=F("version") + 1, **changes):
        raise ReportError(_("Báo cáo vừa được người khác thay đổi. Hãy tải lại trang để xem nội dung mới nhất."))
    return PeriodicReport.objects.select_related("duty__document", "agency").get(pk=report.pk)


@transaction.atomic
def save_draft(
    duty: ReportingDuty,
    agency: Agency,
    period: YearPeriod,
    user,
    text: ReportText,
    files: Iterable[CheckedFile] = (),
    version: int | None = None,
) -> PeriodicReport:
    """Staff (or the leader) write the report's text and attach files; a sent or accepted report is locked."""
    if not may_prepare(user, agency):
        raise PermissionDenied
    report = find(duty, agency, period)
    values = {"results": text.results, "difficulties": text.difficulties, "proposals": text.proposals}
    if report is None:
        report = PeriodicReport.objects.create(
            duty=duty,
            agency=agency,
            period_start=period.start,
            period_end=period.end,
            due_date=period.due,
            state=PeriodicReport.State.DRAFT,
            **values,
        )
    else:
        if report.is_locked:
            raise ReportError(_("Báo cáo đã gửi hoặc đã được tiếp nhận nên không sửa được."))
        report = _claim(report, [PeriodicReport.State.DRAFT, PeriodicReport.State.RETURNED], version, **values)
    for checked in files:
        attachment = PeriodicReportFile(
            report=report, original_name=checked.name, content_type=checked.content_type, size=checked.upload.size
        )
        attachment.file.save(checked.name, checked.upload, save=False)
        attachment.save()
    _step(report, user, PeriodicReportStep.Action.SAVED)
    return report


@transaction.atomic
def send(
    report: PeriodicReport, user, version: int | None = None, today: datetime.date | None = None
) -> PeriodicReport:
    """The leader sends the report: its figures are fixed as they are now, and Sở Nội vụ is told."""
    if not may_send(user, report.agency):
        raise PermissionDenied
    if not (report.results.strip() or report.files.exists()):
        raise ReportError(
            _("Báo cáo chưa có nội dung: hãy ghi kết quả đạt được hoặc đính kèm tệp báo cáo trước khi gửi.")
        )
    period = period_of(report.duty.frequency, report.duty.due_day, report.period_start)
    figures = compute_figures(report.agency, report.duty, period, today)
    report = _claim(
        report,
        [PeriodicReport.State.DRAFT, PeriodicReport.State.RETURNED],
        version,
        state=PeriodicReport.State.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=user,
        figures=figures,
        return_reason="",
    )
    _step(report, user, PeriodicReportStep.Action.SENT)
    return report


@transaction.atomic
def accept(report: PeriodicReport, user) -> PeriodicReport:
    if not can_decide(user, report.duty):
        raise PermissionDenied
    report = _claim(
        report,
        [PeriodicReport.State.SUBMITTED],
        None,
        state=PeriodicReport.State.ACCEPTED,
        reviewed_by=user,
        reviewed_at=timezone.now(),
    )
    _step(report, user, PeriodicReportStep.Action.ACCEPTED)
    return report


@transaction.atomic
def return_report(report: PeriodicReport, user, reason: str) -> PeriodicReport:
    """Send a report back with a reason (required); an accepted one is reopened, which is recorded as such."""
    if not can_decide(user, report.duty):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ReportError(_("Hãy ghi lý do để cơ quan biết cần bổ sung, sửa đổi gì."))
    reopening = report.state == PeriodicReport.State.ACCEPTED
    report = _claim(
        report,
        [PeriodicReport.State.SUBMITTED, PeriodicReport.State.ACCEPTED],
        None,
        state=PeriodicReport.State.RETURNED,
        return_reason=reason,
        reviewed_by=user,
        reviewed_at=timezone.now(),
    )
    action = PeriodicReportStep.Action.REOPENED if reopening else PeriodicReportStep.Action.RETURNED
    _step(report, user, action, reason)
    return report


# --------------------------------------------------------------------------------------------------
# completeness and timeliness (DHIS2's reporting rate summary)
# --------------------------------------------------------------------------------------------------


@dataclass
class Cell:
    """One agency in one period: where its report stands."""

    report: PeriodicReport | None
    due: datetime.date
    today: datetime.date

    @property
    def sent(self) -> bool:
        return self.report is not None and self.report.is_sent

    @property
    def on_time(self) -> bool:
        return self.sent and bool(self.report.on_time)

    @property
    def code(self) -> str:
        """accepted, on_time, late, returned, draft, overdue (not sent, past due), waiting (not yet due)."""
        report = self.report
        if report is not None and report.state == PeriodicReport.State.ACCEPTED:
            return "accepted"
        if self.sent:
            return "on_time" if report.on_time else "late"
        if report is not None and report.state == PeriodicReport.State.RETURNED:
            return "returned"
        if self.due < self.today:
            return "overdue"
        return "draft" if report is not None else "waiting"

    @property
    def label(self) -> str:
        return str(CELL_LABELS[self.code])

    @property
    def colour(self) -> str:
        return CELL_COLOURS[self.code]


CELL_LABELS = {
    "accepted": gettext_lazy("Đã tiếp nhận"),
    "on_time": gettext_lazy("Đã gửi đúng hạn"),
    "late": gettext_lazy("Đã gửi, trễ hạn"),
    "returned": gettext_lazy("Bị trả lại"),
    "draft": gettext_lazy("Đang soạn"),
    "overdue": gettext_lazy("Chưa gửi, quá hạn"),
    "waiting": gettext_lazy("Chưa gửi"),
}
CELL_COLOURS = {
    "accepted": "green",
    "on_time": "blue",
    "late": "orange",
    "returned": "red",
    "draft": "grey",
    "overdue": "red",
    "waiting": "grey",
}


@dataclass
class PeriodRate:
    period: YearPeriod
    expected: int
    sent: int
    on_time: int
    accepted: int
    is_due: bool

    @property
    def completeness(self) -> int | None:
        return round(100 * self.sent / self.expected) if self.expected else None

    @property
    def timeliness(self) -> int | None:
        return round(100 * self.on_time / self.expected) if self.expected else None


@dataclass
class Completeness:
    duty: ReportingDuty
    periods: list[YearPeriod]
    rates: list[PeriodRate]
    rows: list[tuple[Agency, list[Cell | None]]] = field(default_factory=list)


def completeness(duty: ReportingDuty, today: datetime.date | None = None) -> Completeness:
    """For every period of the duty up to the current one: expected, sent, on time, accepted; and the grid of
    agencies × periods. Three queries whatever the number of agencies and periods."""
    today = today or timezone.localdate()
    members = group_members([duty])
    periods = [p for p in duty_periods(duty) if p.start <= today] or duty_periods(duty)[:1]
    reports: dict[tuple[int, datetime.date], PeriodicReport] = {}
    for report in PeriodicReport.objects.filter(duty=duty).select_related("agency__successor").order_by("pk"):
        holder = report.agency.current(report.due_date).pk if report.agency.successor_id else report.agency_id
        reports[(holder, report.period_start)] = report
    expected_by_period = {p: reporters(duty, p.due, members) for p in periods}
    agencies: dict[int, Agency] = {}
    for found in expected_by_period.values():
        for agency in found:
            agencies[agency.pk] = agency
    rates = []
    for period in periods:
        cells = [Cell(reports.get((a.pk, period.start)), period.due, today) for a in expected_by_period[period]]
        rates.append(
            PeriodRate(
                period,
                len(cells),
                sum(c.sent for c in cells),
                sum(c.on_time for c in cells),
                sum(c.code == "accepted" for c in cells),
                period.due <= today,
            )
        )
    rows = []
    for agency in sorted(agencies.values(), key=lambda a: a.name):
        row: list[Cell | None] = []
        for period in periods:
            expected = any(a.pk == agency.pk for a in expected_by_period[period])
            row.append(Cell(reports.get((agency.pk, period.start)), period.due, today) if expected else None)
        rows.append((agency, row))
    return Completeness(duty, periods, rates, rows)


# --------------------------------------------------------------------------------------------------
# what agencies sent, for the province's own periodic report
# --------------------------------------------------------------------------------------------------


@dataclass
class SentReport:
    agency: str
    duty: str
    period: str
    state: str
    submitted_at: datetime.datetime | None
    on_time: bool
    results: str
    difficulties: str
    proposals: str


def sent_for_period(document_ids: Iterable[int], start: datetime.date, end: datetime.date) -> list[SentReport]:
    """The reports agencies sent (or that were accepted) on the documents' duties for periods within
    [start, end], by agency: what the province's own report quotes. One query."""
    rows = (
        PeriodicReport.objects.filter(
            duty__document_id__in=list(document_ids),
            period_start__gte=start,
            period_end__lte=end,
            state__in=[PeriodicReport.State.SUBMITTED, PeriodicReport.State.ACCEPTED],
        )
        .select_related("agency", "duty")
        .order_by("agency__name", "period_start", "duty__frequency")
    )
    found = []
    for report in rows:
        period = period_of(report.duty.frequency, report.duty.due_day, report.period_start)
        found.append(
            SentReport(
                agency=report.agency.name,
                duty=str(report.duty.get_frequency_display()),
                period=period.label,
                state=str(report.get_state_display()),
                submitted_at=report.submitted_at,
                on_time=bool(report.on_time),
                results=report.results,
                difficulties=report.difficulties,
                proposals=report.proposals,
            )
        )
    return found
