"""What the indicator pages do: who may report, accept or return a value; the writes; the data each page shows.

Views call these functions and render what they return; every query here is counted in the page tests.
"""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, AgencyGroup, Role
from core.files import removed_on_failure
from core.outbox import publish
from core.text import fold
from core.uploads import clean_name
from indicators.judging import Judgement, Verdict, count_by_verdict, judge, judge_agency
from indicators.models import (
    IndexKind,
    IndexResult,
    Indicator,
    IndicatorParty,
    Measurement,
    MeasurementState,
    PartyRole,
    Target,
    TargetScope,
)
from plans.models import Document

# --------------------------------------------------------------------------------------------------
# Who may do what. Province scoping comes first, from the for_user() querysets the views start from.
# --------------------------------------------------------------------------------------------------


def monitored_indicator_ids(user) -> set[int]:
    """Return the ids of the indicators the user's agency monitors, named itself or through a group (one query)."""
    if not user.is_authenticated or not user.agency_id:
        return set()
    return set(_monitors(user.agency_id).values_list("indicator_id", flat=True))


def can_view_indicator(user, indicator: Indicator, monitored: set[int] | None = None) -> bool:
    """Reviewers and administrators of the province, and every user of a monitoring unit of the indicator."""
    if user.is_reviewer:
        return True
    return indicator.pk in (monitored if monitored is not None else monitored_indicator_ids(user))


def can_monitor(user, indicator: Indicator, monitored: set[int] | None = None) -> bool:
    """May accept or return values and set targets: province reviewers/admins, or a monitoring unit's leader or reviewer."""
    if user.is_reviewer:
        return True
    if user.role not in (Role.LEADER, Role.REVIEWER):
        return False
    return indicator.pk in (monitored if monitored is not None else monitored_indicator_ids(user))


def can_report(user, target: Target, agency: Agency | None) -> bool:
    """An agency reports only its own values; the province's value is reported by a monitoring unit or a reviewer.

    The caller has checked that the target applies to ``agency`` (it comes from a judgement).
    """
    if agency is not None:
        return user.agency_id == agency.pk
    return target.scope == TargetScope.PROVINCE and can_view_indicator(user, target.indicator)


def can_review(user, measurement: Measurement, monitored: set[int] | None = None) -> bool:
    """A monitoring user may review a value, but not one they reported themselves (a second pair of eyes)."""
    return measurement.reported_by_id != user.pk and can_monitor(user, measurement.indicator, monitored)


def can_see_measurement(user, measurement: Measurement) -> bool:
    """The reporting agency, the monitoring units and the reviewers see a value and its evidence."""
    if measurement.agency_id is not None and measurement.agency_id == user.agency_id:
        return True
    return measurement.reported_by_id == user.pk or can_view_indicator(user, measurement.indicator)


# --------------------------------------------------------------------------------------------------
# Numbers as people type them
# --------------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def parse_number(text: str) -> Decimal:
    """Read "87,5", "87.5", "1.500.000", "1,500,000.5", "90%" as numbers; raise ValidationError otherwise.

    Vietnamese writes a decimal comma and dot thousands; both conventions are accepted: when both marks appear the
    last one is the decimal mark, a mark repeated is a thousands mark, a single one is the decimal mark.
    """
    cleaned = re.sub(r"[\s\u00a0]", "", text or "").rstrip("%")
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
    elif cleaned.count(",") > 1 or cleaned.count(".") > 1:
        cleaned = cleaned.replace(",", "").replace(".", "")
    else:
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.fullmatch(cleaned):
        raise ValidationError(_("Hãy nhập một số, ví dụ 87,5."))
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(_("Hãy nhập một số, ví dụ 87,5.")) from None


# --------------------------------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------------------------------


def _needs_target_line(target: Target, agency: Agency | None) -> bool:
    """Return True when another target line of the indicator, written differently, applies to the same agency in an
    overlapping period: then a value must say which line it is for (Bình Định's indicator 9 has two lines for the
    district committees, one on certified copies, one on files). Lines written the same way (a department named both
    itself and through "Các sở, ban, ngành") measure the same thing and share the value.
    """
    others = Target.objects.filter(indicator_id=target.indicator_id).exclude(pk=target.pk)
    others = others.filter(scope=TargetScope.PROVINCE) if agency is None else others.applying_to(agency)
    written = fold(target.applies_to_text)
    return any(o.start <= target.end and target.start <= o.end and fold(o.applies_to_text) != written for o in others)


def _monitors(agency: Agency | int) -> QuerySet:
    """Ids of the indicators ``agency`` monitors, itself or through a group, as a subquery."""
    groups = AgencyGroup.objects.filter(members=agency).values("pk")
    parties = IndicatorParty.objects.filter(role=PartyRole.MONITORING).filter(Q(agency=agency) | Q(group_id__in=groups))
    return parties.values("indicator_id")


@transaction.atomic
def report_measurement(
    *,
    user,
    target: Target,
    agency: Agency | None,
    period_end: datetime.date,
    value: Decimal,
    note: str = "",
    evidence=None,
    evidence_extension: str = "",
) -> Measurement:
    """Record the value ``agency`` (None: the province) reached at ``period_end`` for ``target``'s indicator.

    A value for the same period that is waiting or was returned is replaced (the history keeps the old one and the
    reason it was returned); an accepted one is final: ask the monitoring unit to return it first.
    Raise PermissionDenied if the user may not report it, ValidationError if the period is already accepted.
    """
    if not can_report(user, target, agency):
        raise PermissionDenied
    if not target.start <= period_end <= target.end:
        raise ValidationError(_("Kỳ báo cáo phải nằm trong kỳ của mục tiêu."))
    measurement = _measurement_to_report(target, agency, period_end)
    if not evidence and not measurement.evidence:
        raise ValidationError(_("Cần đính kèm tài liệu kiểm chứng."))
    measurement.value, measurement.note = value, note
    measurement.state = MeasurementState.SUBMITTED
    measurement.reported_by, measurement.reported_at = user, timezone.now()
    measurement.reviewed_by, measurement.reviewed_at = None, None
    _save_report(measurement, evidence, evidence_extension)
    return measurement


def _measurement_to_report(target: Target, agency: Agency | None, period_end: datetime.date) -> Measurement:
    """Return the locked measurement of that period to replace, or a new one; refuse an accepted one."""
    line = target if _needs_target_line(target, agency) else None
    measurement = (
        Measurement.objects.select_for_update(of=("self",))
        .filter(
            indicator_id=target.indicator_id,
            agency=agency,
            target=line,
            period_start=target.start,
            period_end=period_end,
        )
        .first()
    )
    if measurement is not None and measurement.state == MeasurementState.ACCEPTED:
        raise ValidationError(_("Số liệu kỳ này đã được xác nhận. Muốn sửa, đề nghị đơn vị theo dõi trả lại số liệu."))
    if measurement is None:
        measurement = Measurement(
            indicator_id=target.indicator_id,
            agency=agency,
            target=line,
            period_start=target.start,
            period_end=period_end,
        )
    return measurement


def _save_report(measurement: Measurement, evidence, evidence_extension: str) -> None:
    """Store the evidence file, if any, and save the measurement; no orphan file is left on failure."""
    with removed_on_failure() as saved:  # a refused or rolled-back report leaves no orphan file
        if evidence:
            measurement.evidence_name = clean_name(evidence.name or "")
            measurement.evidence.save(f"{uuid.uuid4().hex}.{evidence_extension or 'bin'}", evidence, save=False)
            saved.append(measurement.evidence)
        try:
            with transaction.atomic():
                measurement.save()
        except IntegrityError:  # the same first value sent twice at once: the other one won
            raise ValidationError(
                _("Số liệu kỳ này vừa được gửi từ một phiên làm việc khác. Hãy tải lại trang để xem, rồi sửa nếu cần.")
            ) from None


def _lock(measurement: Measurement) -> Measurement:
    return Measurement.objects.select_for_update(of=("self",)).select_related("indicator").get(pk=measurement.pk)


@transaction.atomic
def accept_measurement(measurement: Measurement, user) -> Measurement:
    """Accept a waiting value: from now on it counts for the verdict."""
    locked = _lock(measurement)
    if not can_review(user, locked):
        raise PermissionDenied
    if locked.state != MeasurementState.SUBMITTED:
        raise ValidationError(_("Số liệu này không ở trạng thái chờ xác nhận."))
    locked.state, locked.reviewed_by, locked.reviewed_at = MeasurementState.ACCEPTED, user, timezone.now()
    locked._history_user = user
    locked.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    _publish(locked, "accepted")
    return locked


def _publish(measurement: Measurement, action: str) -> None:
    """Tell the agency (``core.outbox``); the step is the history row just written."""
    publish("measurement", measurement.history.values_list("history_id", flat=True).latest("history_id"), action=action)


@transaction.atomic
def return_measurement(measurement: Measurement, user, reason: str) -> Measurement:
    """Send a value back to the agency with the reason (required); a returned value does not count."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Cần ghi lý do trả lại để đơn vị biết cần sửa gì."))
    locked = _lock(measurement)
    if not can_review(user, locked):
        raise PermissionDenied
    if locked.state == MeasurementState.RETURNED:
        raise ValidationError(_("Số liệu này đã được trả lại."))
    # An accepted value is locked; returning it is reopening it, recorded (history) and told like a return.
    action = "reopened" if locked.state == MeasurementState.ACCEPTED else "returned"
    locked.state, locked.return_reason = MeasurementState.RETURNED, reason
    locked.reviewed_by, locked.reviewed_at = user, timezone.now()
    locked._history_user = user
    locked.save(update_fields=["state", "return_reason", "reviewed_by", "reviewed_at"])
    _publish(locked, action)
    return locked


# --------------------------------------------------------------------------------------------------
# Page data
# --------------------------------------------------------------------------------------------------

VERDICT_ORDER = [Verdict.MET, Verdict.ON_TRACK, Verdict.AT_RISK, Verdict.NOT_MET, Verdict.NO_DATA]
VERDICT_COLOURS = {
    Verdict.MET: "green",
    Verdict.ON_TRACK: "green",
    Verdict.AT_RISK: "orange",
    Verdict.NOT_MET: "red",
    Verdict.NO_DATA: "grey",
}


@dataclass(frozen=True)
class CountCell:
    verdict: str
    label: str
    count: int
    colour: str


def count_cells(counts: dict[str, int]) -> list[CountCell]:
    """Return the counts in the pages' verdict order, each with its label and colour."""
    return [CountCell(v.value, str(v.label), counts[v], VERDICT_COLOURS[v]) for v in VERDICT_ORDER]


@dataclass
class IndicatorRow:
    indicator: Indicator
    counts: dict[str, int]
    can_view: bool

    @property
    def cells(self) -> list[CountCell]:
        return count_cells(self.counts)


@dataclass
class DocumentBlock:
    document: Document
    rows: list[IndicatorRow] = field(default_factory=list)


def home_data(user, *, today: datetime.date) -> dict:
    """Return the province's documents with their indicators and the count of judgements per verdict.

    Constant queries: indicators, the user's monitored indicators, judge()'s (targets, members, measurements, index
    results when an indicator is linked to an index), the values waiting for the user.
    """
    indicators = list(
        Indicator.objects.for_user(user)
        .select_related("document")
        .order_by("-document__year", "document_id", "order", "pk")
    )
    monitored = monitored_indicator_ids(user)
    judgements = judge(Target.objects.filter(indicator__in=[i.pk for i in indicators]).order_by("pk"), today=today)
    by_indicator: dict[int, list[Judgement]] = {}
    for j in judgements:
        by_indicator.setdefault(j.indicator.pk, []).append(j)
    blocks: dict[int, DocumentBlock] = {}
    for indicator in indicators:
        block = blocks.setdefault(indicator.document_id, DocumentBlock(indicator.document))
        block.rows.append(
            IndicatorRow(
                indicator,
                count_by_verdict(by_indicator.get(indicator.pk, [])),
                can_view_indicator(user, indicator, monitored),
            )
        )
    waiting = len(review_queue(user, monitored))
    totals = count_by_verdict(judgements)
    return {
        "blocks": list(blocks.values()),
        "waiting": waiting,
        "verdicts": VERDICT_ORDER,
        "totals": totals,
        "total_cells": count_cells(totals),
    }


def indicator_data(
    indicator: Indicator, user, *, today: datetime.date, group: AgencyGroup | None = None, verdict: str = ""
) -> dict:
    """Return every agency judged against ``indicator``, optionally only members of ``group`` or one verdict.

    Constant queries: judge()'s, the group's members, the user's monitored indicators, the targets.
    """
    judgements = judge(indicator.targets.order_by("pk"), today=today)
    counts = count_by_verdict(judgements)
    if group is not None:
        member_ids = set(group.members.values_list("pk", flat=True))
        judgements = [j for j in judgements if j.agency is not None and j.agency.pk in member_ids]
    if verdict in Verdict.values:
        judgements = [j for j in judgements if j.verdict == verdict]
    monitored = monitored_indicator_ids(user)
    return {
        "judgements": judgements,
        "counts": counts,
        "count_cells": count_cells(counts),
        "can_monitor": can_monitor(user, indicator, monitored),
        "can_report_province": can_view_indicator(user, indicator, monitored),
        "targets": list(indicator.targets.select_related("agency", "group").order_by("pk")),
    }


def agency_years(agency: Agency) -> list[int]:
    """Return the years in which targets apply to ``agency`` or it monitors province targets (one query)."""
    own = Target.objects.applying_to(agency).order_by().values_list("year", flat=True)
    monitored = (
        Target.objects.filter(scope=TargetScope.PROVINCE, indicator_id__in=_monitors(agency))
        .order_by()
        .values_list("year", flat=True)
    )
    return sorted(set(own.union(monitored)), reverse=True)


def default_year(years: list[int], today: datetime.date) -> int:
    """The latest year with targets that has started, else the current year."""
    return next((y for y in years if y <= today.year), today.year)


def monitored_province_targets(agency: Agency, year: int) -> QuerySet[Target]:
    """Province targets of ``year`` whose indicator ``agency`` monitors: it reports the province's value."""
    return (
        Target.objects.overlapping_year(year)
        .filter(scope=TargetScope.PROVINCE, indicator_id__in=_monitors(agency))
        .order_by("indicator__document_id", "indicator__order", "pk")
    )


def agency_data(agency: Agency, user, *, year: int, today: datetime.date) -> dict:
    """Return the judgements of ``agency``'s own targets and of the province targets it monitors, for ``year``.

    Constant queries: judge_agency()'s and judge()'s.
    """
    own = judge_agency(agency, year=year, today=today)
    monitored_targets = judge(monitored_province_targets(agency, year), today=today)
    is_own = user.agency_id == agency.pk
    return {
        "own": own,
        "monitored": monitored_targets,
        "counts": count_by_verdict(own),
        "count_cells": count_cells(count_by_verdict(own)),
        "can_report_own": is_own,
        "can_report_province": is_own or user.is_reviewer,
    }


def review_queue(user, monitored: set[int] | None = None) -> list[Measurement]:
    """Return the values waiting for the user's decision (the ones they may accept or return), oldest first.

    One or two queries: the user's monitored indicators (unless given) and the measurements with what the page shows.
    """
    waiting = (
        Measurement.objects.for_user(user)
        .filter(state=MeasurementState.SUBMITTED)
        .select_related("indicator__document", "agency", "target", "reported_by")
        .order_by("reported_at", "pk")
    )
    if not user.is_reviewer:
        if user.role != Role.LEADER:
            return []
        waiting = waiting.filter(indicator_id__in=monitored if monitored is not None else monitored_indicator_ids(user))
    return [m for m in waiting if m.reported_by_id != user.pk]


# --------------------------------------------------------------------------------------------------
# Index results (PAR Index, SIPAS, PAPI, PCI)
# --------------------------------------------------------------------------------------------------


@dataclass
class IndexLine:
    """One result with the previous year's, for the "Δ" column."""

    result: IndexResult
    previous: IndexResult | None

    @property
    def delta(self) -> Decimal | None:
        return self.result.score - self.previous.score if self.previous else None

    @property
    def colour(self) -> str:
        if self.delta is None or self.delta == 0:
            return "grey"
        return "green" if self.delta > 0 else "red"

    @property
    def trend_label(self) -> str:
        if self.delta is None:
            return _("Chưa có năm trước")
        if self.delta == 0:
            return _("Không đổi")
        return _("Cải thiện") if self.delta > 0 else _("Giảm")


@dataclass
class IndexBlock:
    index: str
    label: str
    province_series: list[IndexLine]
    year: int | None
    agencies: list[IndexLine]
    years: list[int]  # the years with agency results, for the year links


def index_overview(province_id: int, *, year: int | None = None) -> list[IndexBlock]:
    """Return, per index, the province's results by year and each agency's result for ``year`` (default: the
    latest year with agency results), each with the change from the year before. One query."""
    results = list(
        IndexResult.objects.filter(province_id=province_id).select_related("agency").order_by("index", "year", "pk")
    )
    by_key = {(r.index, r.agency_id, r.year): r for r in results}
    blocks = []
    for kind in IndexKind:
        mine = [r for r in results if r.index == kind]
        series = [IndexLine(r, by_key.get((kind, None, r.year - 1))) for r in mine if r.agency_id is None]
        agency_years = sorted({r.year for r in mine if r.agency_id is not None})
        shown = year if year in agency_years else (agency_years[-1] if agency_years else None)
        lines = [
            IndexLine(r, by_key.get((kind, r.agency_id, r.year - 1)))
            for r in mine
            if r.agency_id is not None and r.year == shown
        ]
        lines.sort(key=lambda line: (-line.result.score, line.result.agency.name))
        blocks.append(IndexBlock(kind.value, str(kind.label), list(reversed(series)), shown, lines, agency_years))
    return blocks
