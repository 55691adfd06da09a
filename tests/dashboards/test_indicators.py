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
    overview = client.get(reverse("dashboard:overview"), {"document": plan.pk}).context
    assert "indicators" not in overview  # a province's targets have their own page: not judged on the overview
    assert overview["indicators_url"] == f"/dashboard/indicators/?document={plan.pk}"
    context = client.get(overview["indicators_url"]).context

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


def test_the_indicator_page_judges_the_province_and_one_page_of_agencies(client, plan, sonoivu, may_first):
    from agencies.models import Agency
    from indicators.models import Target, TargetScope

    indicator = Indicator.objects.get(document=plan, number="6")
    agencies = list(Agency.objects.filter(province=plan.province).order_by("name"))
    assert len(agencies) > 25
    Target.objects.bulk_create(
        Target(indicator=indicator, scope=TargetScope.AGENCY, agency=a, year=2024, value=95) for a in agencies
    )
    client.force_login(sonoivu)
    first = client.get(reverse("dashboard:indicators"), {"document": plan.pk}).context
    second = client.get(reverse("dashboard:indicators"), {"document": plan.pk, "trang": "2"}).context
    for context, shown in ((first, agencies[:25]), (second, agencies[25:50])):
        who = [row["who"] for row in context["indicators"] if row["who"] in {a.name for a in agencies}]
        assert who == [a.name for a in shown]
        assert len(context["indicators"]) == 13 + len(shown)  # the 13 province targets, then the page's agencies
