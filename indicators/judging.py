"""Judge every target for every agency it applies to: met, not met, on track, at risk, or no data yet.

The dashboard calls this module: ``Verdict``, ``Judgement``, ``judge``, ``judge_document`` and ``judge_agency`` are its
public API; their signatures stay.

The rules, in the order they apply:

- Who: a province target is judged on province-level values (measurements without agency); an agency target on that
  agency's values; a group target on each member agency valid at some time during the target's period.
- Which values: a measurement counts for a target when it is of the same indicator and agency, its period ends within
  the target's period, and it names no target line or this one. Only ACCEPTED measurements count; the newest
  submitted one is shown as waiting ("chờ xác nhận"), the newest returned one with its reason.
- National indexes: when the indicator is the result of PAR Index, SIPAS, PAPI or PCI, the published result of the
  period's year (``IndexResult``) is the final value, before any measurement.
- Compared with what: the target's value; for the direction "improve", the previous year's value (the previous year's
  index result, else the last accepted value whose period ended in the year before the target's period).
- When: once the period is over, or once a value for the whole period is known, the verdict is met or not met. While
  the period runs it is on track or at risk, from the trend: with two or more accepted values, the least-squares line
  through them projected to the end of the period; with one value of a cumulative indicator (a disbursement rate, a
  number of units), that value extrapolated from zero at the start of the period (the target pro rata); with one value
  of any other indicator, the value itself, with a note that there is not yet enough data for a trend.
- Colours: green for met and on track; red for not met and at risk, except orange for "at risk" while the value is
  within 10% of what it is compared with or the trend is improving; grey for no data.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency, AgencyGroup
from indicators.models import (
    Direction,
    IndexResult,
    Indicator,
    Measurement,
    MeasurementState,
    Target,
    TargetScope,
)

CLOSE_SHARE = Decimal("0.10")  # "within 10% of the target": orange rather than red while the period runs
_CENT = Decimal("0.01")


class Verdict(models.TextChoices):
    MET = "met", gettext_lazy("Đạt")
    NOT_MET = "not_met", gettext_lazy("Không đạt")
    ON_TRACK = "on_track", gettext_lazy("Đúng tiến độ")
    AT_RISK = "at_risk", gettext_lazy("Có nguy cơ không đạt")
    NO_DATA = "no_data", gettext_lazy("Chưa có số liệu")


class Colour:
    GREEN = "green"
    ORANGE = "orange"
    RED = "red"
    GREY = "grey"


@dataclass(frozen=True)
class Judgement:
    """The verdict on one target for one agency (``agency`` None: the province as a whole)."""

    target: Target
    indicator: Indicator
    agency: Agency | None
    latest: Measurement | None
    value: Decimal | None
    verdict: Verdict
    colour: str
    # Beyond the agreed fields, for pages and exports; all optional.
    reference: Decimal | None = None  # what the value is compared with: the target value, or last year's value
    previous: Decimal | None = None  # last year's value (direction "improve")
    projected: Decimal | None = None  # the value expected at the end of the period, from the trend
    pending: Measurement | None = None  # the newest value waiting for the monitoring unit
    returned: Measurement | None = None  # the newest value sent back, with its reason
    index_result: IndexResult | None = None  # the published index result used as the value
    note: str = ""

    @property
    def verdict_label(self) -> str:
        return str(Verdict(self.verdict).label)

    @property
    def agency_name(self) -> str:
        return self.agency.name if self.agency else _("Toàn tỉnh")

    @property
    def value_source(self) -> str:
        if self.index_result is not None:
            return _("Kết quả công bố năm %(year)s") % {"year": self.index_result.year}
        if self.latest is not None:
            return _("Số liệu đến %(day)s") % {"day": f"{self.latest.period_end:%d/%m/%Y}"}
        return ""


def judge(
    targets: QuerySet[Target] | Iterable[Target], *, today: datetime.date, agency_ids: Iterable[int] | None = None
) -> list[Judgement]:
    """Return one judgement per (target, agency it applies to), targets in the given order, agencies by name.

    ``agency_ids`` keeps the agencies a page shows (a dashboard's page of 25 of a province's 131): the targets
    of other agencies are not judged and their measurements not loaded; province targets always are.

    At most four queries whatever the number of targets, agencies and measurements: the targets (with indicator,
    document, agency and group), the members of the groups, the measurements, the index results (only when an
    indicator is linked to an index).
    """
    return _Judge(_load(targets), today, agency_ids=None if agency_ids is None else set(agency_ids)).run()


def judge_document(document, *, today: datetime.date, agency_ids: Iterable[int] | None = None) -> list[Judgement]:
    """Judge every target of ``document`` (see ``judge``; at most four queries), or those of ``agency_ids``."""
    targets = Target.objects.filter(indicator__document=document)
    agency_ids = None if agency_ids is None else list(agency_ids)
    if agency_ids is not None:  # other agencies' own targets are not even loaded
        targets = targets.filter(~Q(scope=TargetScope.AGENCY) | Q(agency_id__in=agency_ids))
    return judge(targets, today=today, agency_ids=agency_ids)


def judge_agency(agency: Agency, *, year: int, today: datetime.date) -> list[Judgement]:
    """Judge the targets that apply to ``agency`` (its own, and its groups') whose period touches ``year``.

    Province targets are not included: they are judged on the province's values. At most three queries (the targets,
    with their groups as a subquery; the measurements; the index results).
    """
    targets = Target.objects.overlapping_year(year).applying_to(agency)
    return _Judge(_load(targets), today, only_agency=agency).run()


def count_by_verdict(judgements: Iterable[Judgement]) -> dict[str, int]:
    """Return {verdict value: count} with every verdict present (zeros included), plus "pending"."""
    counts = dict.fromkeys(Verdict.values, 0)
    counts["pending"] = 0
    for j in judgements:
        counts[j.verdict] += 1
        counts["pending"] += j.pending is not None
    return counts


def _load(targets: QuerySet[Target] | Iterable[Target]) -> list[Target]:
    related = ("indicator__document", "agency", "group")
    if isinstance(targets, QuerySet):
        return list(targets.select_related(*related))
    given = [t.pk for t in targets]
    loaded = Target.objects.select_related(*related).in_bulk(given)
    return [loaded[pk] for pk in given if pk in loaded]


def _year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _valid_during(agency: Agency, start: datetime.date, end: datetime.date) -> bool:
    return (agency.valid_from is None or agency.valid_from <= end) and (
        agency.valid_to is None or agency.valid_to >= start
    )


def satisfies(value: Decimal, reference: Decimal, direction: str) -> bool:
    """Return whether ``value`` reaches ``reference`` in ``direction`` ("improve": strictly higher)."""
    if direction == Direction.AT_MOST:
        return value <= reference
    if direction == Direction.EXACTLY:
        return value == reference
    if direction == Direction.IMPROVE:
        return value > reference
    return value >= reference


def _close(value: Decimal, reference: Decimal, direction: str) -> bool:
    margin = abs(reference) * CLOSE_SHARE
    if direction == Direction.AT_MOST:
        return value <= reference + margin
    if direction == Direction.EXACTLY:
        return abs(value - reference) <= margin
    return value >= reference - margin


def _improving(slope: Decimal | None, direction: str) -> bool:
    if slope is None or direction == Direction.EXACTLY:
        return False
    return slope < 0 if direction == Direction.AT_MOST else slope > 0


def _line(points: list[tuple[int, Decimal]]) -> tuple[Decimal, Decimal] | None:
    """Return (slope, intercept) of the least-squares line through ``points``, or None if all x are equal."""
    n = Decimal(len(points))
    mean_x = sum(Decimal(x) for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    sxx = sum((Decimal(x) - mean_x) ** 2 for x, _y in points)
    if not sxx:
        return None
    slope = sum((Decimal(x) - mean_x) * (y - mean_y) for x, y in points) / sxx
    return slope, mean_y - slope * mean_x


class _Judge:
    """One judging run: load what the targets need in bulk, then decide each (target, agency) pair in memory."""

    def __init__(
        self,
        targets: list[Target],
        today: datetime.date,
        only_agency: Agency | None = None,
        agency_ids: set[int] | None = None,
    ) -> None:
        self.targets = targets
        self.today = today
        self.only_agency = only_agency
        self.agency_ids = agency_ids  # None: every agency

    def run(self) -> list[Judgement]:
        if not self.targets:
            return []
        pairs = self._pairs()
        agency_ids = {self.only_agency.pk} if self.only_agency else self.agency_ids
        self.measurements = self._measurements(agency_ids)
        self.index_results = self._index_results()
        return [self._judge(target, agency) for target, agency in pairs]

    # --- loading (one query each)

    def _pairs(self) -> list[tuple[Target, Agency | None]]:
        members: dict[int, list[Agency]] = defaultdict(list)
        group_ids = {t.group_id for t in self.targets if t.scope == TargetScope.GROUP and t.group_id}
        if group_ids and self.only_agency is None:
            through = AgencyGroup.members.through.objects.filter(agencygroup_id__in=group_ids).select_related("agency")
            if self.agency_ids is not None:
                through = through.filter(agency_id__in=self.agency_ids)
            for row in through.order_by("agency__name", "agency_id"):
                members[row.agencygroup_id].append(row.agency)
        pairs: list[tuple[Target, Agency | None]] = []
        for t in self.targets:
            if t.scope == TargetScope.PROVINCE:
                pairs.append((t, None))
            elif t.scope == TargetScope.AGENCY:
                if self.agency_ids is not None and t.agency_id not in self.agency_ids:
                    continue
                if self.only_agency is None or t.agency_id == self.only_agency.pk:
                    pairs.append((t, t.agency))
            elif self.only_agency is not None:
                if _valid_during(self.only_agency, t.start, t.end):
                    pairs.append((t, self.only_agency))
            elif t.group_id is None:
                pairs.append((t, None))  # judged as "no data" with a note: nobody to judge yet
            else:
                pairs.extend((t, a) for a in members[t.group_id] if _valid_during(a, t.start, t.end))
        return pairs

    def _measurements(self, agency_ids: set[int] | None) -> dict[tuple[int, int | None], list[Measurement]]:
        earliest = _year_before(min(t.start for t in self.targets))  # the year before: direction "improve"
        latest = max(t.end for t in self.targets)
        queryset = Measurement.objects.filter(
            indicator_id__in={t.indicator_id for t in self.targets}, period_end__gte=earliest, period_end__lte=latest
        )
        if agency_ids is not None:
            queryset = queryset.filter(Q(agency_id__in=agency_ids) | Q(agency__isnull=True))
        grouped: dict[tuple[int, int | None], list[Measurement]] = defaultdict(list)
        for m in queryset.order_by("period_end", "reported_at", "pk"):
            grouped[(m.indicator_id, m.agency_id)].append(m)
        return grouped

    def _index_results(self) -> dict[tuple[str, int, int | None, int], IndexResult]:
        linked = [t for t in self.targets if t.indicator.index]
        if not linked:
            return {}
        years = {t.end.year for t in linked} | {t.end.year - 1 for t in linked}
        results = IndexResult.objects.filter(
            index__in={t.indicator.index for t in linked},
            province_id__in={t.indicator.document.province_id for t in linked},
            year__in=years,
        )
        return {(r.index, r.province_id, r.agency_id, r.year): r for r in results}

    # --- deciding

    def _judge(self, t: Target, agency: Agency | None) -> Judgement:
        indicator = t.indicator
        agency_id = agency.pk if agency else None
        base = {"target": t, "indicator": indicator, "agency": agency}
        if t.scope == TargetScope.GROUP and agency is None:
            return Judgement(
                **base,
                latest=None,
                value=None,
                verdict=Verdict.NO_DATA,
                colour=Colour.GREY,
                note=_("Chưa xác định được nhóm cơ quan mà mục tiêu áp dụng."),
            )
        own, accepted, pending, returned = self._own_values(t, agency_id)
        extra = {"pending": pending, "returned": returned}

        province_id = indicator.document.province_id
        official = (
            self.index_results.get((indicator.index, province_id, agency_id, t.end.year)) if indicator.index else None
        )
        previous = None
        if t.direction == Direction.IMPROVE:
            previous = self._previous(t, own, province_id, agency_id)
            reference = previous
        else:
            reference = t.value
        extra["previous"], extra["reference"] = previous, reference

        latest = accepted[-1] if accepted else None
        value = official.score if official else (latest.value if latest else None)
        if official:
            latest = None
        extra["index_result"] = official

        if value is None:
            note = self._no_value_note(t, pending, returned)
            return Judgement(
                **base, latest=None, value=None, verdict=Verdict.NO_DATA, colour=Colour.GREY, note=note, **extra
            )
        if reference is None:
            note = (
                _("Chưa có số liệu năm trước để so sánh.")
                if t.direction == Direction.IMPROVE
                else _("Mục tiêu chưa có giá trị bằng số để so sánh.")
            )
            return Judgement(
                **base, latest=latest, value=value, verdict=Verdict.NO_DATA, colour=Colour.GREY, note=note, **extra
            )

        final = official is not None or self.today > t.end or (latest is not None and latest.period_end >= t.end)
        if final:
            return self._final(t, value, reference, base, latest, extra)
        return self._running(t, accepted, value, reference, base, latest, extra)

    def _own_values(
        self, t: Target, agency_id: int | None
    ) -> tuple[list[Measurement], list[Measurement], Measurement | None, Measurement | None]:
        """Return the target's own measurements, the accepted ones of its period, the newest submitted and returned."""
        own = [m for m in self.measurements.get((t.indicator.pk, agency_id), ()) if m.target_id in (None, t.pk)]
        in_period = [m for m in own if t.start <= m.period_end <= t.end]
        accepted = [m for m in in_period if m.state == MeasurementState.ACCEPTED]
        pending = next((m for m in reversed(in_period) if m.state == MeasurementState.SUBMITTED), None)
        returned = next((m for m in reversed(in_period) if m.state == MeasurementState.RETURNED), None)
        return own, accepted, pending, returned

    def _no_value_note(self, t: Target, pending: Measurement | None, returned: Measurement | None) -> str:
        """Return the note explaining why a target has no value yet."""
        if self.today < t.start:
            return _("Kỳ đánh giá chưa bắt đầu.")
        if pending:
            return _("Có số liệu đang chờ đơn vị theo dõi xác nhận.")
        if returned:
            return _("Số liệu đã bị trả lại; chờ đơn vị báo cáo lại.")
        return _("Chưa có số liệu được xác nhận.")

    @staticmethod
    def _final(t: Target, value, reference, base, latest, extra) -> Judgement:
        """Return the met / not met judgement of a target whose value is final."""
        met = satisfies(value, reference, t.direction)
        return Judgement(
            **base,
            latest=latest,
            value=value,
            verdict=Verdict.MET if met else Verdict.NOT_MET,
            colour=Colour.GREEN if met else Colour.RED,
            **extra,
        )

    def _previous(self, t: Target, own: list[Measurement], province_id: int, agency_id: int | None) -> Decimal | None:
        """Return last year's value: the index result of the year before, else the last accepted value of that year."""
        if t.indicator.index:
            result = self.index_results.get((t.indicator.index, province_id, agency_id, t.end.year - 1))
            if result is not None:
                return result.score
        year_before = _year_before(t.start)
        earlier = [m for m in own if m.state == MeasurementState.ACCEPTED and year_before <= m.period_end < t.start]
        return earlier[-1].value if earlier else None

    def _running(self, t: Target, accepted, value, reference, base, latest, extra) -> Judgement:
        span = (t.end - t.start).days
        points = [((m.period_end - t.start).days, m.value) for m in accepted]
        line = _line(points) if len(points) >= 2 else None
        slope = None
        if line is not None:
            slope, intercept = line
            projected = (intercept + slope * span).quantize(_CENT, ROUND_HALF_UP)
            note = _("Dự báo theo xu hướng của %(n)s số liệu đã xác nhận.") % {"n": len(points)}
            on_track = satisfies(projected, reference, t.direction)
        elif t.indicator.cumulative:
            elapsed = Decimal(points[-1][0] + 1) / Decimal(span + 1)
            projected = (value / elapsed).quantize(_CENT, ROUND_HALF_UP)
            note = _("Mới có một số liệu: so với mục tiêu theo tỷ lệ thời gian đã qua (%(share)s%%).") % {
                "share": (elapsed * 100).quantize(Decimal("1"))
            }
            on_track = satisfies(projected, reference, t.direction)
        else:
            projected = None
            note = _("Chưa đủ dữ liệu để dự báo xu hướng (mới có một số liệu); so sánh trực tiếp với mục tiêu.")
            on_track = satisfies(value, reference, t.direction)
        extra = {**extra, "projected": projected}
        if on_track:
            return Judgement(
                **base, latest=latest, value=value, verdict=Verdict.ON_TRACK, colour=Colour.GREEN, note=note, **extra
            )
        soft = _close(value, reference, t.direction) or _improving(slope, t.direction)
        return Judgement(
            **base,
            latest=latest,
            value=value,
            verdict=Verdict.AT_RISK,
            colour=Colour.ORANGE if soft else Colour.RED,
            note=note,
            **extra,
        )
