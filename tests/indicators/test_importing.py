"""What the indicator import guesses, and how a second import treats what agencies already reported."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators.importing import apply_preview, build_preview, guess_cumulative, guess_index
from indicators.models import IndexKind, Indicator, Measurement, Target
from plans.tables import IndicatorItem, IndicatorSubRow, IndicatorTable
from tests.indicators.conftest import D, measure

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "index"),
    [
        ("Chỉ số cải cách hành chính (Par-Index) của mỗi cơ quan, đơn vị, địa phương đạt:", IndexKind.PAR),
        ("Chỉ số CCHC (PAR Index) năm 2024 cải thiện hơn so với năm 2023", IndexKind.PAR),
        ("Chỉ số hài lòng về sự phục vụ hành chính (SIPAS) của mỗi cơ quan", IndexKind.SIPAS),
        ("Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI)", IndexKind.PAPI),
        ("Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)", IndexKind.PCI),
        ("Kết quả các Chỉ số Par Index, SIPAS, PAPI, PCI năm 2024 cải thiện", ""),  # several: a person decides
        ("Tỷ lệ thủ tục hành chính có yêu cầu nghĩa vụ tài chính", ""),
    ],
)
def test_the_index_an_indicator_reports_is_guessed_from_its_name(name, index):
    assert guess_index(name) == index


@pytest.mark.parametrize(
    ("name", "unit", "cumulative"),
    [
        ("Tỷ lệ thực hiện Kế hoạch giải ngân vốn đầu tư ngân sách nhà nước tỉnh", "%", True),
        ("Số đơn vị sự nghiệp công lập được giao đảm bảo chi thường xuyên", "đơn vị", True),
        ("Mức độ hài lòng của người dân, doanh nghiệp về giải quyết TTHC", "%", False),
        ("Số điểm Chỉ số PAR Index", "điểm", False),
    ],
)
def test_cumulative_values_are_guessed(name, unit, cumulative):
    assert guess_cumulative(name, unit) is cumulative


def table(*values: str) -> IndicatorTable:
    subrows = [
        IndicatorSubRow(row=2 + n, applies_to="Các sở, ban, ngành tỉnh" if n == 0 else "Sở Tư pháp", unit="%", value=v)
        for n, v in enumerate(values)
    ]
    item = IndicatorItem(
        row=1,
        number="1",
        name="Tỷ lệ hồ sơ trực tuyến",
        unit="%",
        target="",
        monitoring="Sở Nội vụ",
        implementing="Các sở, ban, ngành tỉnh",
        subrows=subrows,
    )
    return IndicatorTable(columns={}, header_rows=[], items=[item], sections=[], errors=[], warnings=[])


def test_a_second_import_updates_targets_in_place_and_keeps_reported_values(plan, departments, justice):
    apply_preview(build_preview(plan, table("80", "85")))
    group_target, justice_target = Target.objects.filter(indicator__document=plan).order_by("pk")
    m = measure(group_target.indicator, justice, D(2024, 12, 31), 81, target=justice_target)

    apply_preview(build_preview(plan, table("90")))  # the value changed; the line for Sở Tư pháp disappeared

    group_target.refresh_from_db()
    assert group_target.value == Decimal("90")
    # The line Sở Tư pháp reported against stays with its value; a line without values would have gone.
    assert Target.objects.filter(pk=justice_target.pk).exists()
    assert Measurement.objects.get(pk=m.pk).target_id == justice_target.pk
    assert Indicator.objects.filter(document=plan).count() == 1


def test_a_line_without_values_disappears_with_the_import(plan, departments, justice):
    apply_preview(build_preview(plan, table("80", "85")))
    apply_preview(build_preview(plan, table("80")))
    assert [t.value for t in Target.objects.filter(indicator__document=plan)] == [Decimal("80")]


def test_a_person_s_index_link_is_kept_by_a_new_import(plan, departments):
    apply_preview(build_preview(plan, table("80")))
    indicator = Indicator.objects.get(document=plan)
    indicator.index = IndexKind.SIPAS
    indicator.save()
    apply_preview(build_preview(plan, table("80")))
    indicator.refresh_from_db()
    assert indicator.index == IndexKind.SIPAS
