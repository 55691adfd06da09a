"""The portal judges every target for every agency it applies to (indicators.judging)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import AgencyGroup
from indicators.judging import Verdict, count_by_verdict, judge, judge_agency, judge_document
from indicators.models import Direction, IndexKind, IndexResult, Indicator, MeasurementState, Target, TargetScope
from tests.conftest import make_agency
from tests.indicators.conftest import D, at, measure

pytestmark = pytest.mark.django_db

AFTER_2024 = D(2025, 2, 1)


def by_agency(judgements):
    return {(j.agency.name if j.agency else None): j for j in judgements}


def test_a_group_target_is_judged_for_each_member_valid_during_the_year(group_target, departments, province):
    gone = make_agency(province, "Sở Ngoại vụ", valid_to=D(2023, 12, 31))
    merged_in = make_agency(province, "Sở Nông nghiệp và Môi trường", valid_from=D(2024, 7, 1))
    departments.members.add(gone, merged_in)

    judgements = judge([group_target], today=AFTER_2024)

    assert sorted(by_agency(judgements)) == ["Sở Nông nghiệp và Môi trường", "Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp"]
    assert {j.verdict for j in judgements} == {Verdict.NO_DATA}
    assert {j.colour for j in judgements} == {"grey"}


def test_after_the_year_each_agency_has_met_or_not_met_or_no_data(group_target, justice, finance):
    measure(group_target.indicator, justice, D(2024, 6, 30), 70)
    measure(group_target.indicator, justice, D(2024, 12, 31), "92.5")
    measure(group_target.indicator, finance, D(2024, 12, 31), 89)

    result = by_agency(judge([group_target], today=AFTER_2024))

    assert (result["Sở Tư pháp"].verdict, result["Sở Tư pháp"].value, result["Sở Tư pháp"].colour) == (
        Verdict.MET,
        Decimal("92.5"),
        "green",
    )
    assert result["Sở Tư pháp"].latest.period_end == D(2024, 12, 31)
    assert (result["Sở Tài chính"].verdict, result["Sở Tài chính"].colour) == (Verdict.NOT_MET, "red")
    assert (result["Sở Nội vụ"].verdict, result["Sở Nội vụ"].value, result["Sở Nội vụ"].latest) == (
        Verdict.NO_DATA,
        None,
        None,
    )
    assert result["Sở Nội vụ"].note == "Chưa có số liệu được xác nhận."
    assert str(Verdict.NOT_MET.label) == "Không đạt"


def test_only_accepted_values_count(group_target, justice, finance, home_affairs):
    measure(group_target.indicator, justice, D(2024, 12, 31), 95, state=MeasurementState.SUBMITTED)
    measure(
        group_target.indicator, finance, D(2024, 12, 31), 95, state=MeasurementState.RETURNED, reason="Thiếu biên bản"
    )
    measure(group_target.indicator, home_affairs, D(2024, 9, 30), 80)
    waiting = measure(group_target.indicator, home_affairs, D(2024, 12, 31), 99, state=MeasurementState.SUBMITTED)

    result = by_agency(judge([group_target], today=AFTER_2024))

    justice_j = result["Sở Tư pháp"]
    assert (justice_j.verdict, justice_j.value, justice_j.pending.value) == (Verdict.NO_DATA, None, 95)
    assert justice_j.note == "Có số liệu đang chờ đơn vị theo dõi xác nhận."
    finance_j = result["Sở Tài chính"]
    assert (finance_j.verdict, finance_j.returned.return_reason) == (Verdict.NO_DATA, "Thiếu biên bản")
    # The accepted 80 counts; the 99 waiting is shown but does not count.
    home = result["Sở Nội vụ"]
    assert (home.verdict, home.value, home.pending) == (Verdict.NOT_MET, 80, waiting)
    assert count_by_verdict(result.values()) == {
        "met": 0,
        "not_met": 1,
        "on_track": 0,
        "at_risk": 0,
        "no_data": 2,
        "pending": 2,
    }


@pytest.mark.parametrize(
    ("direction", "target", "value", "verdict"),
    [
        (Direction.AT_LEAST, "90", "90", Verdict.MET),
        (Direction.AT_LEAST, "90", "89.99", Verdict.NOT_MET),
        (Direction.AT_MOST, "5", "5", Verdict.MET),
        (Direction.AT_MOST, "5", "6", Verdict.NOT_MET),
        (Direction.EXACTLY, "100", "100", Verdict.MET),
        (Direction.EXACTLY, "100", "101", Verdict.NOT_MET),
    ],
)
def test_directions(indicator, justice, direction, target, value, verdict):
    t = Target.objects.create(
        indicator=indicator,
        scope=TargetScope.AGENCY,
        agency=justice,
        year=2024,
        value=Decimal(target),
        direction=direction,
    )
    measure(indicator, justice, D(2024, 12, 31), value)

    assert judge([t], today=AFTER_2024)[0].verdict == verdict


def test_a_province_target_is_judged_on_the_province_values_only(indicator, justice):
    t = Target.objects.create(indicator=indicator, scope=TargetScope.PROVINCE, year=2024, value=Decimal("95"))
    measure(indicator, justice, D(2024, 12, 31), 99)  # an agency's value is not the province's

    assert [(j.agency, j.verdict) for j in judge([t], today=AFTER_2024)] == [(None, Verdict.NO_DATA)]

    measure(indicator, None, D(2024, 12, 31), "95.4")
    [j] = judge([t], today=AFTER_2024)
    assert (j.agency, j.verdict, j.value) == (None, Verdict.MET, Decimal("95.4"))
    assert j.agency_name == "Toàn tỉnh"


def test_improve_compares_with_the_previous_year(indicator, justice, finance, home_affairs, departments):
    t = Target.objects.create(
        indicator=indicator, scope=TargetScope.GROUP, group=departments, year=2024, direction=Direction.IMPROVE
    )
    for agency, before, now in ((justice, 80, "81.5"), (finance, 80, 80)):
        measure(indicator, agency, D(2023, 12, 31), before)
        measure(indicator, agency, D(2024, 12, 31), now)
    measure(indicator, home_affairs, D(2024, 12, 31), 90)  # nothing from 2023 to compare with

    result = by_agency(judge([t], today=AFTER_2024))

    assert (result["Sở Tư pháp"].verdict, result["Sở Tư pháp"].previous, result["Sở Tư pháp"].reference) == (
        Verdict.MET,
        80,
        80,
    )
    assert result["Sở Tài chính"].verdict == Verdict.NOT_MET  # the same value is not an improvement
    assert (result["Sở Nội vụ"].verdict, result["Sở Nội vụ"].value) == (Verdict.NO_DATA, 90)
    assert result["Sở Nội vụ"].note == "Chưa có số liệu năm trước để so sánh."


def test_a_target_without_a_number_cannot_be_compared(indicator, justice):
    t = Target.objects.create(
        indicator=indicator, scope=TargetScope.AGENCY, agency=justice, year=2024, value_text="Hoàn thành"
    )
    measure(indicator, justice, D(2024, 12, 31), 1)

    [j] = judge([t], today=AFTER_2024)
    assert (j.verdict, j.value, j.note) == (Verdict.NO_DATA, 1, "Mục tiêu chưa có giá trị bằng số để so sánh.")


def test_index_results_are_the_final_value_of_indicators_linked_to_an_index(plan, province, justice):
    par = Indicator.objects.create(
        document=plan, number="2", name="Chỉ số CCHC (PAR Index) cải thiện", index=IndexKind.PAR
    )
    province_target = Target.objects.create(
        indicator=par, scope=TargetScope.PROVINCE, year=2024, direction=Direction.IMPROVE
    )
    agency_target = Target.objects.create(
        indicator=par, scope=TargetScope.AGENCY, agency=justice, year=2024, value=Decimal("90")
    )
    IndexResult.objects.create(index=IndexKind.PAR, province=province, year=2023, score=Decimal("85.12"))
    published = IndexResult.objects.create(
        index=IndexKind.PAR, province=province, year=2024, score=Decimal("86.40"), rank=20, rank_total=63
    )
    IndexResult.objects.create(index=IndexKind.PAR, province=province, agency=justice, year=2024, score=Decimal("88.1"))
    measure(par, justice, D(2024, 12, 31), 95)  # a self-assessment: the published result wins

    # Published results are final even before the period ends on the calendar.
    province_j, agency_j = judge([province_target, agency_target], today=D(2024, 11, 1))

    assert (province_j.verdict, province_j.value, province_j.previous, province_j.index_result) == (
        Verdict.MET,
        Decimal("86.40"),
        Decimal("85.12"),
        published,
    )
    assert province_j.value_source == "Kết quả công bố năm 2024"
    assert (agency_j.verdict, agency_j.value, agency_j.latest) == (Verdict.NOT_MET, Decimal("88.1"), None)


def test_a_value_for_the_whole_period_is_final_before_the_period_ends(indicator, justice):
    t = Target.objects.create(
        indicator=indicator, scope=TargetScope.AGENCY, agency=justice, year=2024, value=Decimal("90")
    )
    measure(indicator, justice, D(2024, 12, 31), 85)

    [j] = judge([t], today=D(2024, 12, 20))
    assert j.verdict == Verdict.NOT_MET


class TestWhileThePeriodRuns:
    """On track or at risk, from the trend of the accepted values (time_machine sets the portal's today)."""

    @pytest.fixture
    def target(self, indicator, justice):
        return Target.objects.create(
            indicator=indicator, scope=TargetScope.AGENCY, agency=justice, year=2024, value=Decimal("90")
        )

    @time_machine.travel(at(2024, 7, 15), tick=False)
    def test_a_rising_trend_that_reaches_the_target_is_on_track(self, target, justice):
        measure(target.indicator, justice, D(2024, 3, 31), 70)
        measure(target.indicator, justice, D(2024, 6, 30), 80)

        [j] = judge([target], today=timezone.localdate())

        assert (j.verdict, j.colour, j.value) == (Verdict.ON_TRACK, "green", 80)
        assert j.projected > 90  # 70 → 80 in a quarter: about 100 by 31/12
        assert j.note == "Dự báo theo xu hướng của 2 số liệu đã xác nhận."

    @time_machine.travel(at(2024, 7, 15), tick=False)
    def test_a_falling_trend_far_from_the_target_is_at_risk_in_red(self, target, justice):
        measure(target.indicator, justice, D(2024, 3, 31), 75)
        measure(target.indicator, justice, D(2024, 6, 30), 70)

        [j] = judge([target], today=timezone.localdate())

        assert (j.verdict, j.colour) == (Verdict.AT_RISK, "red")
        assert j.projected < 70

    @time_machine.travel(at(2024, 7, 15), tick=False)
    def test_a_slow_rise_below_the_target_is_at_risk_in_orange(self, target, justice):
        measure(target.indicator, justice, D(2024, 3, 31), 60)
        measure(target.indicator, justice, D(2024, 6, 30), 62)

        [j] = judge([target], today=timezone.localdate())

        assert (j.verdict, j.colour) == (Verdict.AT_RISK, "orange")  # improving, but not fast enough

    @time_machine.travel(at(2024, 7, 15), tick=False)
    def test_one_value_within_ten_percent_is_at_risk_in_orange_without_a_trend(self, target, justice):
        measure(target.indicator, justice, D(2024, 6, 30), 82)

        [j] = judge([target], today=timezone.localdate())

        assert (j.verdict, j.colour, j.projected) == (Verdict.AT_RISK, "orange", None)
        assert j.note.startswith("Chưa đủ dữ liệu để dự báo xu hướng")

    @time_machine.travel(at(2024, 7, 15), tick=False)
    def test_one_value_already_at_the_target_is_on_track(self, target, justice):
        measure(target.indicator, justice, D(2024, 6, 30), 91)

        [j] = judge([target], today=timezone.localdate())

        assert (j.verdict, j.colour) == (Verdict.ON_TRACK, "green")

    @time_machine.travel(at(2024, 7, 15), tick=False)
    def test_one_value_of_a_cumulative_indicator_is_compared_pro_rata(self, target, justice):
        target.indicator.cumulative = True
        target.indicator.save()
        measure(target.indicator, justice, D(2024, 6, 30), 46)  # 182 of 366 days: 46 → 92.5 by the end

        [j] = judge([target], today=timezone.localdate())

        assert (j.verdict, j.colour, j.projected) == (Verdict.ON_TRACK, "green", Decimal("92.51"))
        assert "theo tỷ lệ thời gian đã qua (50%)" in j.note

    @time_machine.travel(at(2024, 7, 15), tick=False)
    def test_no_value_yet_is_grey(self, target):
        [j] = judge([target], today=timezone.localdate())
        assert (j.verdict, j.colour) == (Verdict.NO_DATA, "grey")

    @time_machine.travel(at(2023, 11, 1), tick=False)
    def test_a_period_not_started_has_no_data(self, target):
        [j] = judge([target], today=timezone.localdate())
        assert (j.verdict, j.note) == (Verdict.NO_DATA, "Kỳ đánh giá chưa bắt đầu.")

    @time_machine.travel(at(2024, 7, 15), tick=False)
    def test_improve_while_running_compares_the_trend_with_last_year(self, indicator, justice):
        t = Target.objects.create(
            indicator=indicator, scope=TargetScope.AGENCY, agency=justice, year=2024, direction=Direction.IMPROVE
        )
        measure(indicator, justice, D(2023, 12, 31), 80)
        measure(indicator, justice, D(2024, 6, 30), 79)

        [j] = judge([t], today=timezone.localdate())

        assert (j.verdict, j.colour, j.reference) == (Verdict.AT_RISK, "orange", 80)  # below, but within 10%


def test_a_multi_year_target_uses_its_own_period(indicator, justice):
    t = Target.objects.create(
        indicator=indicator,
        scope=TargetScope.AGENCY,
        agency=justice,
        year=2025,
        period_start=D(2021, 1, 1),
        period_end=D(2025, 12, 31),
        value=Decimal("80"),
    )
    measure(indicator, justice, D(2022, 12, 31), 50, start=D(2021, 1, 1))
    measure(indicator, justice, D(2023, 12, 31), 65, start=D(2021, 1, 1))

    [j] = judge([t], today=D(2024, 3, 1))

    assert (j.verdict, t.period_label) == (Verdict.ON_TRACK, "01/01/2021 – 31/12/2025")
    assert j.projected == Decimal("95.04")


def test_a_value_for_one_target_line_counts_for_that_line_only(indicator, justice, departments):
    """Bình Định's indicator 9: two target lines for the same agencies, each measured on its own."""
    copies = Target.objects.create(
        indicator=indicator,
        scope=TargetScope.GROUP,
        group=departments,
        year=2024,
        value=Decimal("30"),
        applies_to_text="Chứng thực bản sao điện tử tăng so với năm 2021",
    )
    files = Target.objects.create(
        indicator=indicator,
        scope=TargetScope.GROUP,
        group=departments,
        year=2024,
        value=Decimal("100"),
        applies_to_text="Hồ sơ có sử dụng bản sao điện tử",
    )
    measure(indicator, justice, D(2024, 12, 31), 35, target=copies)

    result = {(j.target.pk, j.agency.name): j for j in judge([copies, files], today=AFTER_2024)}

    assert result[(copies.pk, "Sở Tư pháp")].verdict == Verdict.MET
    assert result[(files.pk, "Sở Tư pháp")].verdict == Verdict.NO_DATA


def test_a_group_target_whose_group_was_not_resolved_is_shown_as_no_data(indicator):
    t = Target.objects.create(
        indicator=indicator,
        scope=TargetScope.GROUP,
        year=2024,
        value=Decimal("100"),
        applies_to_text="Các bệnh viện hạng 2",
    )

    [j] = judge([t], today=AFTER_2024)

    assert (j.agency, j.verdict, j.note) == (
        None,
        Verdict.NO_DATA,
        "Chưa xác định được nhóm cơ quan mà mục tiêu áp dụng.",
    )


def test_judge_agency_returns_the_targets_of_the_agency_and_its_groups_for_the_year(
    indicator, group_target, justice, finance
):
    own = Target.objects.create(
        indicator=indicator, scope=TargetScope.AGENCY, agency=justice, year=2024, value=Decimal("95")
    )
    Target.objects.create(indicator=indicator, scope=TargetScope.AGENCY, agency=finance, year=2024, value=Decimal("95"))
    Target.objects.create(indicator=indicator, scope=TargetScope.AGENCY, agency=justice, year=2023, value=Decimal("95"))
    Target.objects.create(indicator=indicator, scope=TargetScope.PROVINCE, year=2024, value=Decimal("95"))
    measure(indicator, justice, D(2024, 12, 31), 93)

    judgements = judge_agency(justice, year=2024, today=AFTER_2024)

    assert [(j.target, j.agency, j.verdict) for j in judgements] == [
        (group_target, justice, Verdict.MET),
        (own, justice, Verdict.NOT_MET),
    ]


def test_judge_document_covers_every_target_of_the_document(plan, group_target, indicator, justice):
    Target.objects.create(indicator=indicator, scope=TargetScope.PROVINCE, year=2024, value=Decimal("95"))
    assert len(judge_document(plan, today=AFTER_2024)) == 3 + 1


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as context:
        run()
    return len(context)


def test_judging_takes_the_same_few_queries_whatever_the_number_of_agencies_and_values(
    plan, indicator, group_target, departments, province, justice
):
    par = Indicator.objects.create(document=plan, number="2", name="PAR Index", index=IndexKind.PAR)
    Target.objects.create(indicator=par, scope=TargetScope.GROUP, group=departments, year=2024, value=Decimal("90"))
    Target.objects.create(indicator=indicator, scope=TargetScope.AGENCY, agency=justice, year=2024, value=Decimal("90"))
    targets = Target.objects.filter(indicator__document=plan)

    small = _queries(lambda: judge(targets, today=D(2024, 8, 1)))
    listed = _queries(lambda: judge(list(targets), today=D(2024, 8, 1))) - 1  # the list itself took a query

    communes = AgencyGroup.objects.create(
        province=province, code="tinh-a-xa", name="UBND cấp xã", kind="commune_committees"
    )
    for n in range(40):
        agency = make_agency(province, f"UBND xã số {n}", kind="commune_committee", level="commune")
        communes.members.add(agency)
        departments.members.add(agency)
        for month in (3, 6):
            measure(indicator, agency, D(2024, month, 28), 50 + n)
        IndexResult.objects.create(index=IndexKind.PAR, province=province, agency=agency, year=2024, score=80 + n % 10)
    Target.objects.create(indicator=indicator, scope=TargetScope.GROUP, group=communes, year=2024, value=Decimal("80"))

    large = _queries(lambda: judge(targets, today=D(2024, 8, 1)))

    assert small == large == listed == 4
    assert len(judge(targets, today=D(2024, 8, 1))) == 43 + 43 + 1 + 40
