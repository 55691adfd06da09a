"""No lost update: two people editing the same share of a task at once; the second is told and sees the new values."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Role
from tasks import services
from tasks.models import Assignment, ProgressUpdate, WorkState
from tests.conftest import make_user
from tests.tasks.conftest import prefixed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def on_20_march(time_machine):
    time_machine.move_to(datetime.datetime(2024, 3, 20, 10, 5, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False)


def form_values(html: str, part: Assignment) -> dict:
    """What the report form shows: its version, chosen state, progress and note."""
    prefix = f"a{part.pk}"
    version = re.search(rf'name="{prefix}-version" value="(\d+)"', html).group(1)
    state = re.search(rf'name="{prefix}-state" value="(\w+)"[^>]*checked', html).group(1)
    progress = re.search(rf'name="{prefix}-progress" value="(\d+)"', html).group(1)
    note = re.search(rf'<textarea name="{prefix}-note"[^>]*>\s*(.*?)</textarea>', html, re.S).group(1)
    return {"version": int(version), "state": state, "progress": int(progress), "note": note.strip()}


def post_report(client, part, version, **values):
    data = {
        "version": version,
        "state": "in_progress",
        "progress": 0,
        "note": "",
        "completed_on": "",
        "evidence_link": "",
        "evidence_number": "",
        "evidence_date": "",
    } | values
    return client.post(reverse("tasks:report", args=[part.pk]), prefixed(f"a{part.pk}", **data))


def test_the_second_to_save_is_told_and_sees_the_new_values(justice, justice_task, lead_part):
    an = Client()
    binh = Client()
    an.force_login(make_user("an", justice, Role.STAFF))
    binh.force_login(make_user("binh", justice, Role.STAFF))
    url = reverse("tasks:detail", args=[justice_task.pk])

    # both open the page
    seen_by_an = form_values(an.get(url).content.decode(), lead_part)
    seen_by_binh = form_values(binh.get(url).content.decode(), lead_part)
    assert seen_by_an["version"] == seen_by_binh["version"]

    # An saves first
    response = post_report(
        an, lead_part, seen_by_an["version"], state="in_progress", progress=40, note="An: đã có dự thảo"
    )
    assert response.status_code == 302

    # Binh, still on the old page, saves: nothing is overwritten, Binh is told, and sees An's values
    response = post_report(
        binh, lead_part, seen_by_binh["version"], state="in_progress", progress=70, note="Bình: đã lấy ý kiến"
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert (
        "Phần việc này vừa được an cập nhật lúc 10:05 20/03/2024; dưới đây là giá trị mới. Hãy kiểm tra rồi gửi lại."
        in html
    )
    # what Binh typed, next to An's values as saved
    assert 'data-testid="yours-state">Đang thực hiện<' in html and 'data-testid="yours-progress">70%<' in html
    assert 'data-testid="yours-note">Bình: đã lấy ý kiến<' in html
    assert 'data-testid="saved-progress">40%<' in html and "An: đã có dự thảo" in html
    shown = form_values(html, lead_part)
    assert (shown["state"], shown["progress"]) == ("in_progress", 40)  # An's values
    assert shown["note"] == "Bình: đã lấy ý kiến"  # what Binh typed is kept
    assert shown["version"] == Assignment.objects.get(pk=lead_part.pk).version

    lead_part.refresh_from_db()
    assert lead_part.progress == 40
    assert list(ProgressUpdate.objects.values_list("note", flat=True)) == ["An: đã có dự thảo"]

    # having checked, Binh sends again, now on top of An's report
    assert (
        post_report(binh, lead_part, shown["version"], state="in_progress", progress=70, note=shown["note"]).status_code
        == 302
    )
    lead_part.refresh_from_db()
    assert lead_part.progress == 70
    assert ProgressUpdate.objects.count() == 2


def test_a_submission_on_a_changed_report_is_stopped(client, staff, leader, lead_part):
    services.report_progress(
        lead_part, staff, lead_part.version, services.Report(state=WorkState.IN_PROGRESS, progress=30, note="a")
    )
    lead_part.refresh_from_db()
    seen = lead_part.version
    services.report_progress(
        lead_part, staff, seen, services.Report(state=WorkState.IN_PROGRESS, progress=60, note="b")
    )  # while the leader reads
    client.force_login(leader)
    response = client.post(
        reverse("tasks:submit", args=[lead_part.pk]), prefixed(f"s{lead_part.pk}", version=seen, note="Gửi")
    )
    assert response.status_code == 409
    assert "vừa được staff cập nhật" in response.content.decode()
    lead_part.refresh_from_db()
    assert lead_part.review_state == "draft"


def test_the_service_writes_nothing_on_a_stale_version(staff, lead_part):
    stale = lead_part.version
    services.report_progress(
        lead_part, staff, stale, services.Report(state=WorkState.IN_PROGRESS, progress=10, note="first")
    )
    with pytest.raises(services.StaleAssignment) as conflict:
        services.report_progress(
            lead_part, staff, stale, services.Report(state=WorkState.DONE, progress=100, note="second")
        )
    assert conflict.value.current.progress == 10
    assert conflict.value.changed_by == staff
    lead_part.refresh_from_db()
    assert (lead_part.state, lead_part.progress) == (WorkState.IN_PROGRESS, 10)
    assert ProgressUpdate.objects.count() == 1
    assert lead_part.history.count() == 2  # created, then the first report: the refused one left no trace


def test_an_admin_save_also_makes_open_forms_stale(staff, lead_part):
    stale = lead_part.version
    lead_part.progress = 5
    lead_part.save()
    with pytest.raises(services.StaleAssignment):
        services.report_progress(
            lead_part, staff, stale, services.Report(state=WorkState.IN_PROGRESS, progress=10, note="x")
        )
