"""No code names where a person looks (issue 15, point 8): an import's result, a task's history, an export's file
name, the admin's column and permission names, the periodic tasks' pages."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from agencies.admin_scope import permission_label
from agencies.models import AgencyGroup, User
from plans.models import Document, ImportJob
from tasks.models import Assignment
from tests.portal.vietnamese import leaks

pytestmark = pytest.mark.django_db


def test_a_finished_import_says_what_it_wrote_in_words(client, demo):
    reviewer = User.objects.get(username="sonoivu")
    plan = Document.objects.get(number="275/KH-UBND")
    job = ImportJob.objects.create(
        document=plan,
        created_by=reviewer,
        pasted_text="STT\tNhiệm vụ",
        state=ImportJob.State.DONE,
        result={"created": 8, "updated": 0, "assignments_created": 78, "sections_created": 2},
    )
    client.force_login(reviewer)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Nhiệm vụ mới: <strong>8</strong>" in page
    assert "Lượt giao việc mới: <strong>78</strong>" in page
    assert "assignments_created" not in page and "created:" not in page
    assert leaks(page, frozenset({"sonoivu"})) == []


def test_the_history_names_a_group_the_part_was_once_given_through(client, demo):
    """The part no longer points at the group: its old value is still said by name, never as "#1"."""
    staff = User.objects.get(username="sotuphap")
    part = Assignment.objects.filter(agency=staff.agency).select_related("task").first()
    group = AgencyGroup.objects.filter(province=staff.agency.province).first()
    part.group = group
    part.save()
    part.group = None
    part.save()
    client.force_login(staff)
    page = client.get(part.task.get_absolute_url()).content.decode()
    history = page.split("Lịch sử thay đổi", 1)[1]
    assert f"<del>{group.name}</del>" in history
    assert f"#{group.pk}" not in history


def test_the_periodic_report_file_is_named_in_vietnamese(client, demo):
    client.force_login(User.objects.get(username="sonoivu"))
    plan = Document.objects.get(number="275/KH-UBND")
    response = client.get(reverse("dashboard:export_xlsx"), {"document": plan.pk, "period": "quarter-4"})
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "quy-iv-nam-" in disposition and "quarter" not in disposition


def test_permissions_are_named_in_words():
    change = Permission.objects.get(codename="change_task", content_type__app_label="tasks")
    assert permission_label(change) == "Nhiệm vụ | nhiệm vụ | Sửa"
    history = Permission.objects.get(codename="view_historicaltask")
    assert permission_label(history) == "Nhiệm vụ | lịch sử nhiệm vụ | Xem"


def test_the_periodic_task_pages_name_jobs_by_what_they_do(client, demo):
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Ho_Chi_Minh"
    )
    task = PeriodicTask.objects.create(name="Quét thử", task="cchc_portal.jobs.daily_sweep", crontab=schedule)
    client.force_login(User.objects.get(username="admin"))
    listing = client.get(reverse("admin:django_celery_beat_periodictask_changelist")).content.decode()
    assert "Quét nhắc hạn hằng ngày" in listing and "Tại 07:00" in listing
    form = client.get(reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])).content.decode()
    assert '<option value="cchc_portal.jobs.daily_sweep" selected>Quét nhắc hạn hằng ngày</option>' in form
    assert leaks(listing) == [] and leaks(form) == []


def test_the_portal_never_says_ban():
    """The register of a state agency: no source text addresses a person as "bạn" (issue 15, point 8)."""
    from pathlib import Path

    from django.conf import settings

    from tests.portal.test_english import parse_po

    po = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    informal = [
        entry["msgid"]
        for entry in parse_po(po.read_text(encoding="utf-8"))
        if not entry["obsolete"] and re.search(r"\bbạn\b", entry["msgid"] or "", re.IGNORECASE)
    ]
    assert informal == []
