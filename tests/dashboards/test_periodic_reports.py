"""Who has sent the periodic reports plan 275 asks for (section V.1: monthly, quarterly, 6-month, yearly to Sở Nội vụ).

The reporters are the recipients of the plan: "Các sở, ban, ngành" (20 departments) and "UBND cấp huyện"
(9 districts) — 29 agencies. Each report is due on the 15th of the last month of its period.
"""

import datetime

import pytest
from django.urls import reverse

from plans.models import PeriodicReport, ReportingDuty
from tests.dashboards.conftest import D, agency, at

pytestmark = pytest.mark.django_db


def send(plan, frequency, agency_name, start, end, due, sent_on, state=PeriodicReport.State.SUBMITTED):
    duty = ReportingDuty.objects.get(document=plan, frequency=frequency)
    return PeriodicReport.objects.create(
        duty=duty,
        agency=agency(agency_name),
        period_start=start,
        period_end=end,
        due_date=due,
        submitted_at=at(sent_on) if sent_on else None,
        state=state,
    )


@pytest.fixture
def reports(plan):
    send(plan, "monthly", "Sở Tư pháp", D(2024, 1, 1), D(2024, 1, 31), D(2024, 1, 15), D(2024, 1, 12))
    send(plan, "monthly", "Sở Tư pháp", D(2024, 3, 1), D(2024, 3, 31), D(2024, 3, 15), D(2024, 3, 14))
    send(plan, "monthly", "Sở Tư pháp", D(2024, 4, 1), D(2024, 4, 30), D(2024, 4, 15), D(2024, 4, 10))
    send(plan, "quarterly", "Sở Tư pháp", D(2024, 1, 1), D(2024, 3, 31), D(2024, 3, 15), D(2024, 3, 14))
    send(plan, "monthly", "Sở Nội vụ", D(2024, 4, 1), D(2024, 4, 30), D(2024, 4, 15), D(2024, 4, 20))  # five days late
    send(
        plan,
        "monthly",
        "Văn phòng UBND tỉnh",
        D(2024, 4, 1),
        D(2024, 4, 30),
        D(2024, 4, 15),
        D(2024, 4, 12),
        state=PeriodicReport.State.RETURNED,
    )  # sent back: not counted until sent again


def duties(client, user, **params):
    client.force_login(user)
    context = client.get(reverse("dashboard:overview"), params).context
    return {d["label"].split("– ")[1]: d for d in context["duties"]}, context


def test_the_last_and_current_period_of_each_duty(client, plan, sonoivu, reports, may_first):
    found, _context = duties(client, sonoivu, document=plan.pk)

    monthly = found["Hằng tháng"]
    assert (monthly["last"]["label"], monthly["last"]["due"], monthly["last"]["is_due"]) == (
        "Tháng 04/2024",
        "15/04/2024",
        True,
    )
    assert (monthly["last"]["submitted"], monthly["last"]["expected"], monthly["last"]["on_time"]) == ("2", "29", "1")
    missing = {m["name"] for m in monthly["last"]["missing"]}
    assert len(missing) == 27
    assert "Văn phòng UBND tỉnh" in missing and not {"Sở Tư pháp", "Sở Nội vụ"} & missing
    assert "UBND huyện Tuy An" in missing
    assert (monthly["current"]["label"], monthly["current"]["is_due"], monthly["current"]["submitted"]) == (
        "Tháng 05/2024",
        False,
        "0",
    )

    quarterly = found["Hằng quý"]
    assert (quarterly["last"]["label"], quarterly["last"]["submitted"]) == ("Quý I/2024", "1")
    assert quarterly["current"]["label"] == "Quý II/2024"
    assert found["6 tháng"]["last"] is None and found["6 tháng"]["current"]["label"] == "6 tháng đầu năm 2024"
    assert found["Hằng năm"]["current"]["due"] == "15/12/2024"


def test_the_ranking_shows_each_agencys_completeness_and_timeliness(client, plan, sonoivu, reports, may_first):
    """Due by 1 May: the monthly reports of January to April and the report of quarter I: 5 per agency."""
    _found, context = duties(client, sonoivu, document=plan.pk)
    rows = {row["name"]: row for row in context["ranking"]}
    assert (
        rows["Sở Tư pháp"]["reports"],
        rows["Sở Tư pháp"]["reports_share"],
        rows["Sở Tư pháp"]["reports_on_time"],
    ) == ("4/5", "80%", "80%")
    assert (rows["Sở Nội vụ"]["reports"], rows["Sở Nội vụ"]["reports_on_time"]) == ("1/5", "0%")
    assert rows["Văn phòng UBND tỉnh"]["reports"] == "0/5"
    assert rows["UBND huyện Tuy An"]["reports"] == "0/5"
    assert rows["Báo Phú Yên"]["reports"] == "—"  # not asked to report


def test_an_agency_sees_its_own_reports(client, plan, sotuphap, reports, may_first):
    found, _context = duties(client, sotuphap)
    monthly = found["Hằng tháng"]
    assert (monthly["last"]["submitted"], monthly["last"]["expected"], monthly["last"]["missing"]) == ("1", "1", [])
    assert monthly["last"]["own"] == "Cơ quan đã gửi báo cáo, đúng hạn."
    assert (monthly["current"]["submitted"], monthly["current"]["expected"]) == ("0", "1")
    assert monthly["current"]["own"] == "Cơ quan chưa gửi báo cáo."


def test_after_the_year_only_its_last_period_remains(client, plan, sonoivu, reports):
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC), tick=False):
        found, _context = duties(client, sonoivu, document=plan.pk)
    assert found["Hằng quý"]["current"] is None
    assert found["Hằng quý"]["last"]["label"] == "Quý IV/2024"
    assert found["Hằng năm"]["last"]["label"] == "Năm 2024"
