"""Plan 275/KH-UBND, section II: province targets judged on the province's values and on the published indexes."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from agencies.models import Agency
from indicators.judging import Verdict, judge_document
from indicators.models import Direction, IndexKind, IndexResult
from tests.indicators.conftest import D, at, measure

pytestmark = pytest.mark.django_db


def by_number(plan, today):
    return {j.indicator.number: j for j in judge_document(plan, today=today)}


def ind(plan, number: str):
    return plan.indicators.get(number=number)


def test_the_13_targets_of_section_ii_are_province_targets(demo):
    judgements = judge_document(demo, today=D(2025, 1, 15))
    assert len(judgements) == 13 and {j.agency for j in judgements} == {None}
    targets = {j.indicator.number: j.target for j in judgements}
    assert (targets["6"].value, targets["7"].value, targets["11"].value, targets["13"].value, targets["8"].value) == (
        90,
        85,
        95,
        4,
        100,
    )
    assert {targets[n].direction for n in "1234"} == {Direction.IMPROVE}
    assert (ind(demo, "1").index, ind(demo, "4").index, ind(demo, "11").cumulative, ind(demo, "13").cumulative) == (
        IndexKind.PAR,
        IndexKind.PCI,
        True,
        True,
    )


def test_after_2024_the_province_values_decide(demo):
    measure(ind(demo, "6"), None, D(2024, 12, 31), "91.3")  # satisfaction with procedures, target 90%
    measure(ind(demo, "7"), None, D(2024, 12, 31), "84.2")  # land, construction, investment: at least 85%
    measure(ind(demo, "11"), None, D(2024, 12, 31), "96.1")  # investment disbursed: 95%
    measure(ind(demo, "13"), None, D(2024, 12, 31), 3)  # self-financing public units: at least 4
    measure(ind(demo, "8"), None, D(2024, 12, 31), 100)  # new procedures published on time: 100%
    sotuphap = Agency.objects.get(province__code="phu-yen", name="Sở Tư pháp")
    measure(ind(demo, "5"), sotuphap, D(2024, 12, 31), 100)  # an agency's own value is not the province's

    result = by_number(demo, D(2025, 1, 15))

    assert [(n, result[n].verdict) for n in ("6", "7", "11", "13", "8", "5")] == [
        ("6", Verdict.MET),
        ("7", Verdict.NOT_MET),
        ("11", Verdict.MET),
        ("13", Verdict.NOT_MET),
        ("8", Verdict.MET),
        ("5", Verdict.NO_DATA),
    ]
    assert result["6"].value == Decimal("91.3") and result["7"].colour == "red"


@time_machine.travel(at(2024, 7, 20), tick=False)
def test_in_july_2024_the_half_year_values_give_the_trend(demo):
    measure(ind(demo, "11"), None, D(2024, 6, 30), 50)  # disbursement is cumulative: 50% at mid-year → ~100%
    measure(ind(demo, "13"), None, D(2024, 6, 30), 1)  # 1 unit at mid-year → ~2 by December, 4 needed
    measure(ind(demo, "6"), None, D(2024, 6, 30), 88)  # satisfaction is a level: 88 against 90, no trend yet
    measure(ind(demo, "8"), None, D(2024, 3, 31), 70)
    measure(ind(demo, "8"), None, D(2024, 6, 30), 85)  # 70 → 85: 100 reached by December

    result = by_number(demo, timezone.localdate())

    assert (result["11"].verdict, result["11"].colour, result["11"].projected) == (
        Verdict.ON_TRACK,
        "green",
        Decimal("100.55"),
    )
    assert (result["13"].verdict, result["13"].colour) == (Verdict.AT_RISK, "red")
    assert (result["6"].verdict, result["6"].colour) == (Verdict.AT_RISK, "orange")
    assert (result["8"].verdict, result["8"].colour) == (Verdict.ON_TRACK, "green")
    assert result["7"].verdict == Verdict.NO_DATA


def test_the_indexes_must_improve_on_2023(demo):
    province = demo.province
    for index, before, now in ((IndexKind.PAR, "84.35", "86.12"), (IndexKind.PCI, "65.2", "64.9")):
        IndexResult.objects.create(index=index, province=province, year=2023, score=Decimal(before))
        IndexResult.objects.create(index=index, province=province, year=2024, score=Decimal(now))
    IndexResult.objects.create(
        index=IndexKind.SIPAS, province=province, year=2024, score=Decimal("83.5")
    )  # no 2023 result

    result = by_number(demo, D(2025, 6, 1))

    assert (result["1"].verdict, result["1"].value, result["1"].previous) == (
        Verdict.MET,
        Decimal("86.12"),
        Decimal("84.35"),
    )
    assert (result["4"].verdict, result["4"].colour) == (Verdict.NOT_MET, "red")
    assert (result["2"].verdict, result["2"].note) == (Verdict.NO_DATA, "Chưa có số liệu năm trước để so sánh.")
    assert (result["3"].verdict, result["3"].note) == (
        Verdict.NO_DATA,
        "Chưa có số liệu được xác nhận.",
    )  # PAPI not yet entered
