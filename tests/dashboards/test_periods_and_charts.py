"""Reporting periods as reports name them, and charts that print and escape what they draw."""

import pytest

from cchc_portal.dashboards import charts
from cchc_portal.dashboards.formatting import number, percent
from cchc_portal.dashboards.periods import PeriodType, ReportPeriod
from tests.dashboards.conftest import D


@pytest.mark.parametrize(
    ("param", "start", "end", "due", "name", "label"),
    [
        ("month-2", D(2024, 2, 1), D(2024, 2, 29), D(2024, 2, 15), "tháng 2 năm 2024", "Tháng 02/2024"),
        ("quarter-1", D(2024, 1, 1), D(2024, 3, 31), D(2024, 3, 15), "quý I năm 2024", "Quý I/2024"),
        ("quarter-4", D(2024, 10, 1), D(2024, 12, 31), D(2024, 12, 15), "quý IV năm 2024", "Quý IV/2024"),
        ("half-1", D(2024, 1, 1), D(2024, 6, 30), D(2024, 6, 15), "6 tháng đầu năm 2024", "6 tháng đầu năm 2024"),
        ("half-2", D(2024, 7, 1), D(2024, 12, 31), D(2024, 12, 15), "6 tháng cuối năm 2024", "6 tháng cuối năm 2024"),
        ("year", D(2024, 1, 1), D(2024, 12, 31), D(2024, 12, 15), "năm 2024", "Năm 2024"),
    ],
)
def test_periods(param, start, end, due, name, label):
    period = ReportPeriod.parse(param, 2024)
    assert (period.start, period.end, period.due(15), period.name, period.label) == (start, end, due, name, label)


def test_a_due_day_past_the_months_end_is_its_last_day():
    assert ReportPeriod(2024, PeriodType.MONTH, 2).due(31) == D(2024, 2, 29)


@pytest.mark.parametrize("param", ["", "quarter-5", "month-0", "week-1", "quarter-x", "half-3"])
def test_what_names_no_period(param):
    assert ReportPeriod.parse(param, 2024) is None


def test_neighbouring_periods():
    assert ReportPeriod.containing(PeriodType.QUARTER, D(2024, 5, 1)) == ReportPeriod(2024, PeriodType.QUARTER, 2)
    assert ReportPeriod(2024, PeriodType.QUARTER, 1).previous() is None
    assert ReportPeriod(2024, PeriodType.MONTH, 12).following() is None


def test_numbers_are_written_the_vietnamese_way(settings):
    from django.utils import translation

    with translation.override("vi"):
        assert (number(1234567), percent(12.5), percent(100 * 11 / 56), percent(50.0), percent(None)) == (
            "1.234.567",
            "12,5%",
            "19,6%",
            "50%",
            "—",
        )


def test_charts_write_every_number_and_escape_labels():
    segments = [charts.Segment("Quá hạn", 11, "red"), charts.Segment("Chưa thực hiện", 45, "grey")]
    donut = charts.donut(segments, title="Tình trạng", centre="56", centre_caption="nhiệm vụ")
    assert "Quá hạn: 11 (19,6%)" in donut and "Chưa thực hiện: 45 (80,4%)" in donut
    assert 'pattern id="' in donut  # fills that survive black-and-white printing
    bars = charts.stacked_bars(
        [charts.Bar('<script>alert("x")</script> Mục & "II"', segments, "0%")], title="Theo mục", legend=segments
    )
    assert "<script>" not in bars and "&lt;script&gt;" in bars and "&amp;" in bars
    assert ">11<" in bars and ">45<" in bars  # the numbers are written on the bars


def test_a_chart_of_nothing_is_still_a_chart():
    donut = charts.donut([charts.Segment("Quá hạn", 0, "red")], title="T", centre="0", centre_caption="nhiệm vụ")
    assert donut.startswith("<svg") and "Quá hạn: 0 (—)" in donut
    one = charts.donut([charts.Segment("Quá hạn", 3, "red")], title="T", centre="3", centre_caption="nhiệm vụ")
    assert "<circle" in one  # a full ring
