"""Indicator targets of plan 275 (its section II) with their latest values, judged by ``indicators.judging``."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Indicator, Measurement, MeasurementState
from tests.dashboards.conftest import D

pytestmark = pytest.mark.django_db


def measure(plan, number: str, value: str) -> Measurement:
    indicator = Indicator.objects.get(document=plan, number=number)
    return Measurement.objects.create(
        indicator=indicator,
        agency=None,
        period_start=D(2024, 1, 1),
        period_end=D(2024, 3, 31),
        value=Decimal(value),
        state=MeasurementState.ACCEPTED,
    )


def test_targets_are_coloured_by_the_judge(client, plan, sonoivu, may_first):
    measure(plan, "6", "92")  # satisfaction with procedures, target 90%: on track
    measure(plan, "5", "95")  # legal documents issued properly, target 100%: within 10%, orange
    measure(plan, "7", "60")  # land, construction, investment procedures, target 85%: at risk

    client.force_login(sonoivu)
    context = client.get(reverse("dashboard:overview"), {"document": plan.pk}).context

    rows = {row["indicator"].split(".")[0]: row for row in context["indicators"]}
    assert len(rows) == 13  # the 13 targets of section II
    assert (rows["6"]["colour"], rows["6"]["value"], rows["6"]["target"]) == ("green", "92 %", "90 %")
    assert rows["6"]["period"] == "kỳ 01/01/2024 – 31/03/2024"
    assert rows["5"]["colour"] == "orange"
    assert rows["7"]["colour"] == "red"
    assert rows["1"]["colour"] == "grey"  # PAR Index: nothing to judge yet
    summary = {s["colour"]: s["count"] for s in context["indicator_summary"]}
    assert summary == {"green": "1", "orange": "1", "red": "1", "grey": "10"}


def test_an_agency_sees_no_province_targets(client, plan, sotuphap, may_first):
    client.force_login(sotuphap)
    context = client.get(reverse("dashboard:overview")).context
    assert context["indicators"] == []
    assert context["indicators_available"] is True


def test_an_agency_sees_the_targets_set_for_it(client, plan, sotuphap, may_first):
    from agencies.models import AgencyGroup
    from indicators.models import Target, TargetScope

    indicator = Indicator.objects.get(document=plan, number="6")
    departments = AgencyGroup.objects.get(province=plan.province, name="Các sở, ban, ngành")
    Target.objects.create(
        indicator=indicator, scope=TargetScope.GROUP, group=departments, year=2024, value=95, value_text="95"
    )
    client.force_login(sotuphap)
    rows = client.get(reverse("dashboard:overview")).context["indicators"]
    assert [(row["who"], row["target"], row["colour"]) for row in rows] == [("Sở Tư pháp", "95 %", "grey")]
