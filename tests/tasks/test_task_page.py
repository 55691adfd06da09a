"""A task's page: where the task comes from, who does it, by when (as written and as understood), every report."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Role, User
from core.uploads import check_upload
from tasks import services
from tasks.models import Assignment, AssignmentRole, Task, WorkState
from tests.conftest import make_agency, make_user
from tests.tasks.conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db
D = datetime.date


def page_of(client, task) -> str:
    response = client.get(reverse("tasks:detail", args=[task.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def sotuphap(demo):
    return User.objects.get(username="sotuphap")


def test_the_page_says_where_the_task_comes_from_and_who_does_it(client, demo, sotuphap):
    task = demo.tasks.get(section__number="II", number="1")
    client.force_login(sotuphap)
    page = page_of(client, task)

    assert f'href="{demo.get_absolute_url()}" data-testid="document-link">Kế hoạch 275/KH-UBND</a>' in page
    assert "II. Cải cách thể chế" in page
    assert "Sở Tư pháp" in page and "Văn bản ghi: “Sở Tư pháp”" in page  # resolved, and as written
    assert "Văn bản ghi: “Các cơ quan, đơn vị liên quan”" in page
    cooperating = task.assignments.filter(role=AssignmentRole.COOPERATING)
    assert f"{cooperating.count()} cơ quan" in page  # the group, with its members
    assert "“Quý I/2024”" in page  # the deadline as written
    assert "Quý: <strong>31/03/2024</strong>" in page  # and as understood


def test_a_deadline_tied_to_an_event_is_marked_for_confirmation_and_an_inferred_year_is_said(client, demo, sotuphap):
    client.force_login(sotuphap)
    event = page_of(client, demo.tasks.get(section__number="VI", number="1"))
    assert "“Kỳ họp HĐND tỉnh thường kỳ giữa năm 2024”" in event
    assert "Theo sự kiện" in event and "cần xác nhận" in event

    no_year = page_of(client, demo.tasks.get(section__number="VI", number="5"))
    assert "năm suy ra từ văn bản" in no_year


def test_the_history_of_every_update_is_shown_with_author_time_status_note_and_evidence(
    client, justice_task, lead_part, staff, time_machine
):
    time_machine.move_to(datetime.datetime(2024, 3, 5, 14, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False)
    services.report_progress(
        lead_part,
        staff,
        lead_part.version,
        services.Report(state=WorkState.IN_PROGRESS, progress=30, note="Đã có dự thảo kế hoạch"),
    )
    time_machine.move_to(datetime.datetime(2024, 3, 20, 8, 15, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False)
    lead_part.refresh_from_db()
    services.report_progress(
        lead_part,
        staff,
        lead_part.version,
        services.Report(
            state=WorkState.DONE,
            progress=100,
            note="UBND tỉnh đã ban hành",
            evidence_number="45/KH-UBND",
            evidence_date=D(2024, 3, 18),
            evidence_link="https://stp.phuyen.gov.vn/ke-hoach-45",
        ),
        [check_upload(upload("Kế hoạch 45.pdf", pdf_bytes()))],
    )
    client.force_login(staff)
    page = page_of(client, justice_task)

    assert page.index("08:15 20/03/2024") < page.index("14:30 05/03/2024")  # newest first
    assert "Đang thực hiện, 30%" in page and "Đã có dự thảo kế hoạch" in page
    assert "Đã hoàn thành, 100%" in page and "hoàn thành ngày 20/03/2024" in page
    assert "staff" in page  # the author
    assert "Kế hoạch 45.pdf" in page and "Văn bản số 45/KH-UBND ngày 18/03/2024" in page
    assert 'href="https://stp.phuyen.gov.vn/ke-hoach-45" rel="noopener noreferrer nofollow"' in page
    assert '<span class="badge badge-green" data-testid="status">Hoàn thành đúng hạn</span>' in page


def test_the_lead_agency_sees_the_cooperating_agencies_updates(
    client, justice_task, staff, cooperating_part, colleague_elsewhere
):
    services.report_progress(
        cooperating_part,
        colleague_elsewhere,
        cooperating_part.version,
        services.Report(state=WorkState.IN_PROGRESS, progress=50, note="Sở Tài chính đã bố trí kinh phí"),
    )
    client.force_login(staff)
    page = page_of(client, justice_task)
    assert "Các cơ quan phối hợp" in page
    assert "Sở Tài chính đã bố trí kinh phí" in page
    assert f'action="{reverse("tasks:report", args=[cooperating_part.pk])}"' not in page  # read only


def test_a_cooperating_agency_reports_its_contribution_on_its_own_part(
    client, justice_task, lead_part, cooperating_part, colleague_elsewhere
):
    client.force_login(colleague_elsewhere)
    page = page_of(client, justice_task)
    assert f'action="{reverse("tasks:report", args=[cooperating_part.pk])}"' in page
    assert f'action="{reverse("tasks:report", args=[lead_part.pk])}"' not in page
    assert "Phần việc của đơn vị" in page


def test_reviewers_see_every_agencys_part(
    client, justice_task, reviewer, staff, lead_part, cooperating_part, colleague_elsewhere
):
    services.report_progress(
        lead_part,
        staff,
        lead_part.version,
        services.Report(state=WorkState.IN_PROGRESS, progress=10, note="Phần của Sở Tư pháp"),
    )
    services.report_progress(
        cooperating_part,
        colleague_elsewhere,
        cooperating_part.version,
        services.Report(state=WorkState.IN_PROGRESS, progress=20, note="Phần của Sở Tài chính"),
    )
    client.force_login(reviewer)
    page = page_of(client, justice_task)
    assert "Các cơ quan được giao" in page
    assert "Phần của Sở Tư pháp" in page and "Phần của Sở Tài chính" in page
    assert 'data-testid="report-form"' not in page  # reviewers do not report for agencies


def test_the_page_answers_404_for_another_agencys_task(client, justice_task, province):
    client.force_login(make_user("dl", make_agency(province, "Sở Du lịch"), Role.STAFF))
    assert client.get(reverse("tasks:detail", args=[justice_task.pk])).status_code == 404


# --- cost ------------------------------------------------------------------------------------------


def grow(task, province, author_for, agencies: int, updates: int) -> None:
    """Add ``agencies`` cooperating agencies, each with ``updates`` reports carrying a file, a submission and an extension request."""
    for i in range(agencies):
        agency = make_agency(province, f"Cơ quan phối hợp {Assignment.objects.count()}-{i}")
        part = Assignment.objects.create(task=task, agency=agency, role=AssignmentRole.COOPERATING)
        user = author_for(agency)
        for n in range(updates):
            part.refresh_from_db()
            services.report_progress(
                part,
                user,
                part.version,
                services.Report(state=WorkState.IN_PROGRESS, progress=10 + n, note=f"Báo cáo {n}"),
                [check_upload(upload(f"bc-{n}.pdf", pdf_bytes()))],
            )
        part.refresh_from_db()
        services.request_extension(part, user, D(2099, 12, 31), "Cần thêm thời gian")
        leader = make_user(f"ld-{agency.pk}", agency, Role.LEADER)
        services.submit(part, leader, part.version)


@pytest.mark.parametrize("persona", ["staff", "reviewer"])
def test_the_page_costs_the_same_queries_however_many_agencies_and_updates(
    client, request, persona, justice_task, province, staff, lead_part, django_assert_num_queries
):
    def author_for(agency):
        return make_user(f"u-{agency.pk}", agency, Role.STAFF)

    grow(justice_task, province, author_for, agencies=1, updates=1)
    services.report_progress(
        lead_part, staff, lead_part.version, services.Report(state=WorkState.IN_PROGRESS, progress=5, note="Bắt đầu")
    )
    user = request.getfixturevalue(persona)
    client.force_login(user)
    url = reverse("tasks:detail", args=[justice_task.pk])
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    small = len(queries)

    grow(justice_task, province, author_for, agencies=3, updates=3)
    with django_assert_num_queries(small):
        client.get(url)
    # session, user, lineage, task, assignments, updates, evidence, reviews, extensions, 5 histories (each its newest
    # rows only, and the rows before them that were not among them), the parts' creations, unread notifications
    assert small <= 20
    assert Task.objects.get(pk=justice_task.pk).assignments.count() == 6


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\son[a-z]+\s*=|\sstyle\s*=", re.I)


def test_the_task_pages_need_no_inline_code(client, justice_task, lead_part, staff, leader, reviewer):
    """The Content Security Policy blocks inline scripts and styles: the task pages must not depend on any."""
    services.report_progress(
        lead_part, staff, lead_part.version, services.Report(state=WorkState.IN_PROGRESS, progress=30, note="a")
    )
    lead_part.refresh_from_db()
    services.submit(lead_part, leader, lead_part.version)
    services.request_extension(lead_part, staff, D(2099, 1, 1), "b")
    for user, url in [
        (staff, reverse("tasks:list")),
        (staff, reverse("tasks:detail", args=[justice_task.pk])),
        (reviewer, reverse("tasks:detail", args=[justice_task.pk])),
        (reviewer, reverse("tasks:review_queue")),
    ]:
        client.force_login(user)
        page = client.get(url).content.decode()
        assert not INLINE.findall(page.split("<main", 1)[1]), url
