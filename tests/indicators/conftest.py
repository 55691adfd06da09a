"""Fixtures of the indicator tests: an indicator of the small test province monitored by Sở Nội vụ, and helpers."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from agencies.models import Agency, Province, Role
from indicators.models import Indicator, IndicatorParty, Measurement, MeasurementState, PartyRole, Target, TargetScope
from tests.conftest import make_user

D = datetime.date
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(year: int, month: int, day: int) -> datetime.datetime:
    """Nine in the morning in Việt Nam, for time_machine.travel."""
    return datetime.datetime(year, month, day, 9, 0, tzinfo=HCM)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Evidence uploaded by the tests lands in a temporary folder, never in var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def indicator(plan, home_affairs):
    """ "Tỷ lệ hồ sơ giải quyết đúng hạn" of plan 1/KH-UBND (2024), monitored by Sở Nội vụ."""
    ind = Indicator.objects.create(document=plan, number="1", name="Tỷ lệ hồ sơ giải quyết đúng hạn", unit="%")
    IndicatorParty.objects.create(indicator=ind, role=PartyRole.MONITORING, agency=home_affairs)
    return ind


@pytest.fixture
def group_target(indicator, departments):
    """Every department must reach 90% in 2024."""
    return Target.objects.create(
        indicator=indicator,
        scope=TargetScope.GROUP,
        group=departments,
        year=2024,
        value=Decimal("90"),
        value_text="90",
        unit="%",
        applies_to_text="Các sở, ban, ngành",
    )


@pytest.fixture
def monitoring_leader(home_affairs):
    return make_user("snv_leader", home_affairs, Role.LEADER)


@pytest.fixture
def monitoring_staff(home_affairs):
    return make_user("snv_staff", home_affairs, Role.STAFF)


def measure(
    indicator,
    agency,
    end: datetime.date,
    value,
    *,
    state=MeasurementState.ACCEPTED,
    start=None,
    target=None,
    reason: str = "",
    reporter=None,
) -> Measurement:
    """A value as the portal stores it once reported (and reviewed, unless ``state`` says otherwise)."""
    if state == MeasurementState.RETURNED and not reason:
        reason = "Số liệu chưa khớp tài liệu kiểm chứng"
    return Measurement.objects.create(
        indicator=indicator,
        agency=agency,
        period_start=start or D(end.year, 1, 1),
        period_end=end,
        value=Decimal(str(value)),
        state=state,
        return_reason=reason,
        target=target,
        reported_by=reporter,
    )


def binh_dinh() -> Province:
    return Province.objects.get(code="binh-dinh")


def bd_agency(name: str) -> Agency:
    return Agency.objects.get(province__code="binh-dinh", name=name)
