"""The demo lives in the present: Đắk Lắk's plan for the current year, shaped like KH 275, with a year of reports
up to the day the demo is loaded, and the notifications and reminders such a year produced."""

from __future__ import annotations

import collections
import datetime

import pytest

from agencies.models import User
from cchc_portal.demo import FIXTURES
from cchc_portal.demo_year import load_living_year
from cchc_portal.models import Notification
from tasks.models import Assignment, AssignmentRole, Evidence, ExtensionRequest, OfficialStatus, ProgressUpdate, Review

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 9, 15)


@pytest.fixture
def living(demo, settings, tmp_path, steps):
    settings.MEDIA_ROOT = tmp_path / "media"
    with steps():  # each step's notifications are made as it commits, as the worker would
        report = load_living_year((FIXTURES / "kh-275-phu-luc.xlsx").read_bytes(), TODAY)
    return report


def test_a_plan_of_the_current_year_in_the_shape_of_kh_275(living):
    document = living.document
    assert (document.province.code, document.year, document.issued_on) == ("dak-lak", 2026, datetime.date(2025, 12, 15))
    assert document.tasks.count() == 56 and document.sections.filter(parent__isnull=True).count() == 8
    assert not document.tasks.filter(due_date__year=2024).exists()
    # Today's agencies: Sở KH&CN instead of Sở TT&TT, the communes instead of the district committees.
    leads = set(
        Assignment.objects.filter(task__document=document, role=AssignmentRole.LEAD).values_list(
            "agency__name", flat=True
        )
    )
    assert "Sở Khoa học và Công nghệ" in leads and "Sở Thông tin và Truyền thông" not in leads
    assert not Assignment.objects.filter(task__document=document, agency__level="district").exists()
    assert not document.tasks.exclude(unresolved_names=[]).exists()


def test_a_realistic_year_of_reports_until_today(living):
    shares = Assignment.objects.filter(task__document=living.document, role=AssignmentRole.LEAD).select_related("task")
    statuses = collections.Counter(a.official_status(TODAY) for a in shares)
    for status in (
        OfficialStatus.DONE_ON_TIME,
        OfficialStatus.DONE_LATE,
        OfficialStatus.IN_PROGRESS,
        OfficialStatus.OVERDUE,
    ):
        assert statuses[status] > 0, (status, statuses)
    assert not ProgressUpdate.objects.filter(
        assignment__task__document=living.document, created_at__date__gt=TODAY
    ).exists()
    assert Review.objects.filter(assignment__task__document=living.document, decision="returned").exists()
    answered = ProgressUpdate.objects.filter(assignment__task__document=living.document, answers__isnull=False)
    assert answered.exists()
    assert Evidence.objects.filter(update__assignment__task__document=living.document).exists()
    states = set(
        ExtensionRequest.objects.filter(assignment__task__document=living.document).values_list("state", flat=True)
    )
    assert "pending" in states and states & {"granted", "refused"}


def test_the_year_left_its_notifications(living):
    people = User.objects.filter(agency__province__code="dak-lak")
    assert Notification.objects.filter(recipient__in=people).count() > 20


def test_loading_again_changes_nothing(living, steps):
    counts = (ProgressUpdate.objects.count(), Review.objects.count(), ExtensionRequest.objects.count())
    with steps():
        again = load_living_year((FIXTURES / "kh-275-phu-luc.xlsx").read_bytes(), TODAY)
    assert again.skipped and again.document == living.document
    assert (ProgressUpdate.objects.count(), Review.objects.count(), ExtensionRequest.objects.count()) == counts
