"""Locked once accepted: a task report, a periodic report, an indicator value. The agency cannot change an
accepted report; a reviewer may reopen it with a reason, which is recorded and told to the agency."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cchc_portal.models import EventKind, Notification
from tasks import services
from tasks.models import Assignment, Review, ReviewState, WorkState
from tests.tasks.conftest import prefixed, report_data

pytestmark = pytest.mark.django_db


def fresh(part) -> Assignment:
    return Assignment.objects.select_related("task__document", "agency").get(pk=part.pk)


@pytest.fixture
def accepted_done(lead_part, staff, leader, reviewer, time_machine):
    time_machine.move_to(datetime.datetime(2024, 3, 20, 9, 0, tzinfo=datetime.UTC))
    services.report_progress(
        lead_part,
        staff,
        lead_part.version,
        services.Report(state="done", progress=100, note="Đã ban hành Kế hoạch số 25"),
    )
    services.submit(fresh(lead_part), leader, fresh(lead_part).version)
    services.decide(fresh(lead_part), reviewer, fresh(lead_part).version, "accepted")
    time_machine.move_to(datetime.datetime(2024, 3, 21, 9, 0, tzinfo=datetime.UTC))
    return fresh(lead_part)


def test_the_agency_cannot_change_an_accepted_report(client, accepted_done, staff, leader):
    assert accepted_done.is_locked
    client.force_login(staff)
    page = client.get(reverse("tasks:detail", args=[accepted_done.task_id])).content.decode()
    assert "Báo cáo đã được chấp nhận và đã khóa" in page
    assert 'data-testid="report-form"' not in page
    response = client.post(
        reverse("tasks:report", args=[accepted_done.pk]),
        report_data(accepted_done, state="in_progress", progress=10, note="Sửa lại"),
    )
    assert response.status_code == 403
    with pytest.raises(services.WorkflowError):
        services.report_progress(
            accepted_done,
            staff,
            accepted_done.version,
            services.Report(state="in_progress", progress=10, note="Sửa lại"),
        )
    part = fresh(accepted_done)
    assert (part.review_state, part.state, part.progress) == (ReviewState.ACCEPTED, WorkState.DONE, 100)


def test_a_reviewer_reopens_with_a_reason_recorded_and_told(client, accepted_done, staff, leader, reviewer, steps):
    client.force_login(reviewer)
    url = reverse("tasks:reopen", args=[accepted_done.pk])
    response = client.post(url, prefixed(f"o{accepted_done.pk}", version=accepted_done.version, reason=" "))
    assert response.status_code == 200 and "Hãy ghi lý do mở lại" in response.content.decode()
    assert fresh(accepted_done).review_state == ReviewState.ACCEPTED

    with steps():
        response = client.post(
            url,
            prefixed(f"o{accepted_done.pk}", version=accepted_done.version, reason="Số văn bản kiểm chứng chưa đúng"),
        )
    assert response.status_code == 302
    part = fresh(accepted_done)
    assert part.review_state == ReviewState.RETURNED
    reopened = Review.objects.get(assignment=part, decision="reopened")
    assert (reopened.actor, reopened.reason) == (reviewer, "Số văn bản kiểm chứng chưa đúng")
    for person in (staff, leader):
        notice = Notification.objects.get(recipient=person, kind=EventKind.REOPENED)
        assert notice.body == "Lý do: Số văn bản kiểm chứng chưa đúng"
    # The agency answers and its leader sends again, as after a return.
    services.report_progress(
        part, staff, part.version, services.Report(state="done", progress=100, note="Đã sửa số văn bản")
    )
    assert fresh(part).updates.order_by("-created_at").first().answers == reopened
    services.submit(fresh(part), leader, fresh(part).version)
    assert fresh(part).review_state == ReviewState.SUBMITTED


def test_only_a_reviewer_may_reopen(client, accepted_done, staff, leader):
    for person in (staff, leader):
        client.force_login(person)
        response = client.post(
            reverse("tasks:reopen", args=[accepted_done.pk]),
            prefixed(f"o{accepted_done.pk}", version=accepted_done.version, reason="Mở lại"),
        )
        assert response.status_code == 403
    assert fresh(accepted_done).review_state == ReviewState.ACCEPTED


def test_an_accepted_progress_report_lets_the_work_go_on(lead_part, staff, leader, reviewer):
    """Accepting a report of work still in progress does not stop the agency reporting what comes next."""
    services.report_progress(
        lead_part, staff, lead_part.version, services.Report(state="in_progress", progress=40, note="Đợt 1")
    )
    services.submit(fresh(lead_part), leader, fresh(lead_part).version)
    services.decide(fresh(lead_part), reviewer, fresh(lead_part).version, "accepted")
    assert not fresh(lead_part).is_locked
    services.report_progress(
        fresh(lead_part),
        staff,
        fresh(lead_part).version,
        services.Report(state="in_progress", progress=70, note="Đợt 2"),
    )
    assert fresh(lead_part).progress == 70
    assert (
        Review.objects.filter(assignment=lead_part, decision="accepted").count() == 1
    )  # the acceptance stays on record


def test_an_accepted_indicator_value_is_locked_and_reopened_with_a_reason(demo, steps, settings, tmp_path):
    """Bình Định's indicator values: an accepted one cannot be reported again; reopening it tells the agency."""
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agencies.models import Role, User
    from indicators import services as indicator_services
    from indicators.models import Measurement, MeasurementState, Target

    settings.MEDIA_ROOT = tmp_path
    target = (
        Target.objects.filter(agency__isnull=False, indicator__document__province__code="phu-yen")
        .select_related("agency")
        .first()
    )
    if target is None:
        target = (
            Target.objects.filter(agency__isnull=False)
            .select_related("agency", "indicator__document__province")
            .first()
        )
    agency = target.agency
    province = target.indicator.document.province
    reporter = User.objects.create_user("ind_staff", agency=agency, role=Role.STAFF, email="ind@example.gov.vn")
    monitor = User.objects.create_user("ind_reviewer", agency=None, role=Role.ADMIN, is_superuser=True)
    measurement = Measurement.objects.create(
        indicator=target.indicator,
        agency=agency,
        target=None,
        period_start=target.start,
        period_end=target.end,
        value=Decimal("80"),
        reported_by=reporter,
        evidence=SimpleUploadedFile("kc.pdf", b"%PDF-1.4\n"),
    )
    indicator_services.accept_measurement(measurement, monitor)
    with pytest.raises(ValidationError):
        indicator_services.report_measurement(
            user=reporter, target=target, agency=agency, period_end=target.end, value=Decimal("90"), note="Sửa"
        )
    with steps():
        indicator_services.return_measurement(measurement, monitor, "Số liệu chưa khớp báo cáo quý")
    measurement.refresh_from_db()
    assert measurement.state == MeasurementState.RETURNED
    assert measurement.history.filter(return_reason="Số liệu chưa khớp báo cáo quý").exists()  # recorded
    notice = Notification.objects.get(recipient=reporter, kind=EventKind.MEASUREMENT)
    assert "mở lại để sửa" in notice.title and notice.body == "Lý do: Số liệu chưa khớp báo cáo quý"
    assert province.pk
