"""History: every change to tasks, assignments, updates, reviews and extension requests is kept (who, when,
before, after), shown on the task's page as "Lịch sử thay đổi" and in the admin."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from agencies.models import Role, User
from core.uploads import check_upload
from tasks import services
from tasks.models import Assignment, Evidence, ExtensionRequest, ProgressUpdate, Review, Task, WorkState
from tests.tasks.conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db
D = datetime.date
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def early_march(time_machine):
    """The task and its assignments exist from 1 March 2024 (autouse: before the other fixtures create them)."""
    time_machine.move_to(datetime.datetime(2024, 3, 1, 8, 0, tzinfo=VN), tick=False)


@pytest.fixture
def story(time_machine, staff, leader, reviewer, lead_part):
    """Staff report with a file, the leader submits, the reviewer returns it, the agency asks for time, granted."""

    def at(day, hour):
        time_machine.move_to(datetime.datetime(2024, 3, day, hour, 0, tzinfo=VN), tick=False)

    at(10, 9)
    services.report_progress(
        lead_part,
        staff,
        lead_part.version,
        services.Report(state=WorkState.IN_PROGRESS, progress=40, note="Dự thảo"),
        [check_upload(upload("du-thao.pdf", pdf_bytes()))],
    )
    lead_part.refresh_from_db()
    at(11, 9)
    services.submit(lead_part, leader, lead_part.version)
    lead_part.refresh_from_db()
    at(12, 9)
    services.decide(lead_part, reviewer, lead_part.version, "returned", "Thiếu phụ lục")
    lead_part.refresh_from_db()
    at(13, 9)
    extension = services.request_extension(lead_part, staff, D(2024, 5, 15), "Chờ số liệu")
    at(14, 9)
    services.decide_extension(extension, reviewer, grant=True)
    lead_part.refresh_from_db()
    return lead_part


def test_every_write_leaves_a_historical_row_with_its_author(story, staff, leader, reviewer):
    rows = list(
        story.history.order_by("history_date").values_list(
            "history_user__username", "progress", "review_state", "due_date"
        )
    )
    assert rows == [
        (None, 0, "draft", None),  # created by the import
        ("staff", 40, "draft", None),
        ("leader", 40, "submitted", None),
        ("reviewer", 40, "returned", None),
        ("reviewer", 40, "returned", D(2024, 5, 15)),
    ]
    assert ProgressUpdate.history.get().history_user == staff
    assert Evidence.history.get().history_user == staff
    assert [(r.decision, r.history_user) for r in Review.history.order_by("history_date")] == [
        ("submitted", leader),
        ("returned", reviewer),
    ]
    states = list(
        ExtensionRequest.history.order_by("history_date").values_list(
            "state", "history_user__username", "previous_due", "requested_date"
        )
    )
    assert states == [
        ("pending", "staff", D(2024, 3, 31), D(2024, 5, 15)),
        ("granted", "reviewer", D(2024, 3, 31), D(2024, 5, 15)),
    ]


def test_the_task_page_lists_the_changes_with_labels_and_old_and_new_values(client, story, staff):
    client.force_login(staff)
    page = client.get(reverse("tasks:detail", args=[story.task_id])).content.decode()
    log = page[page.index('id="lich-su"') :]
    assert "Lịch sử thay đổi" in page
    assert "Phần việc của Sở Tư pháp</strong> — sửa" in log
    assert "Tình trạng: <del>Chưa thực hiện</del> → <ins>Đang thực hiện</ins>" in log
    assert "Tiến độ (%): <del>0</del> → <ins>40</ins>" in log
    assert "Xem xét: <del>Đã gửi, chờ xem xét</del> → <ins>Trả lại, cần bổ sung</ins>" in log
    assert "Hạn riêng (gia hạn): <del>—</del> → <ins>15/05/2024</ins>" in log
    assert "Đề nghị gia hạn của Sở Tư pháp</strong> — sửa" in log
    assert "Tình trạng: <del>Chờ quyết định</del> → <ins>Đồng ý gia hạn</ins>" in log
    assert "Xem xét báo cáo của Sở Tư pháp</strong> — tạo mới" in log and "Ý kiến: <ins>Thiếu phụ lục</ins>" in log
    assert "Báo cáo tiến độ của Sở Tư pháp</strong> — tạo mới" in log
    assert log.index("14/03/2024") < log.index("10/03/2024")  # newest first
    assert "reviewer" in log and "leader" in log


def test_a_change_to_the_task_itself_is_listed(client, justice_task, staff, demo):
    admin = User.objects.get(username="admin")
    justice_task._history_user = admin
    justice_task.due_date = D(2024, 4, 30)
    justice_task.deadline_text = "Tháng 4/2024"
    justice_task.save()
    client.force_login(staff)
    page = client.get(reverse("tasks:detail", args=[justice_task.pk])).content.decode()
    assert "Nhiệm vụ</strong> — sửa" in page
    assert "Hạn hoàn thành: <del>31/03/2024</del> → <ins>30/04/2024</ins>" in page
    assert "Thời hạn (như văn bản ghi): <del>Quý I/2024</del> → <ins>Tháng 4/2024</ins>" in page


def test_long_histories_are_cut_with_a_link_to_all(client, staff, lead_part):
    for n in range(35):
        services.report_progress(
            lead_part,
            staff,
            Assignment.objects.get(pk=lead_part.pk).version,
            services.Report(state=WorkState.IN_PROGRESS, progress=n + 1, note=f"Lần {n}"),
        )
    client.force_login(staff)
    url = reverse("tasks:detail", args=[lead_part.task_id])
    short = client.get(url)
    assert len(short.context["history"]) == 60 and "Xem toàn bộ" in short.content.decode()
    assert len(client.get(url, {"lich_su": "tat-ca"}).context["history"]) == short.context["history_total"] > 60


@pytest.mark.parametrize("model", ["task", "assignment", "progressupdate", "evidence", "review", "extensionrequest"])
def test_admins_see_the_history_of_each_record(client, story, demo, model):
    client.force_login(User.objects.get(username="admin"))
    objects = {
        "task": Task,
        "assignment": Assignment,
        "progressupdate": ProgressUpdate,
        "evidence": Evidence,
        "review": Review,
        "extensionrequest": ExtensionRequest,
    }
    obj = objects[model].objects.filter(pk__in=objects[model].objects.values("pk")).order_by("-pk").first()
    response = client.get(reverse(f"admin:tasks_{model}_history", args=[obj.pk]))
    assert response.status_code == 200
    assert (
        reverse(f"admin:tasks_{model}_changelist")
        and client.get(reverse(f"admin:tasks_{model}_changelist")).status_code == 200
    )


def test_a_province_admin_sees_only_its_provinces_reviews_in_the_admin(client, story, outsider):
    outsider.role = Role.ADMIN
    outsider.is_staff = True
    outsider.save()
    from django.contrib.auth.models import Permission

    outsider.user_permissions.set(Permission.objects.filter(codename__in=["view_review", "view_extensionrequest"]))
    client.force_login(outsider)
    assert "Thiếu phụ lục" not in client.get(reverse("admin:tasks_review_changelist")).content.decode()
    assert client.get(reverse("admin:tasks_review_changelist")).context["cl"].result_count == 0


def test_the_agencies_given_the_task_by_the_import_are_one_line(client, demo):
    """Plan 275's II.1 was given to Sở Tư pháp and 24 cooperating agencies by the import: one entry says so."""
    staff = User.objects.get(username="sotuphap")
    task = demo.tasks.get(section__number="II", number="1")
    client.force_login(staff)
    history = client.get(reverse("tasks:detail", args=[task.pk])).context["history"]
    given = [e for e in history if e.subject == "Giao nhiệm vụ cho các cơ quan"]
    assert len(given) == 1
    assert [(c.label, c.new) for c in given[0].changes] == [
        ("Chủ trì", "Sở Tư pháp"),
        ("Phối hợp", f"{task.assignments.count() - 1} cơ quan"),
    ]
    assert not [e for e in history if e.subject.startswith("Phần việc của") and e.action == "created"]


def test_the_page_reads_only_the_history_rows_it_shows(client, staff, lead_part):
    """A year of monthly reports (or years of them) costs the page the same reads as a few (issue 16)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def report(times: int, start: int = 0) -> None:
        for n in range(start, start + times):
            services.report_progress(
                lead_part,
                staff,
                Assignment.objects.get(pk=lead_part.pk).version,
                services.Report(state=WorkState.IN_PROGRESS, progress=n % 100, note=f"Tháng {n}"),
            )

    client.force_login(staff)
    url = reverse("tasks:detail", args=[lead_part.task_id])
    report(5)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    report(80, start=5)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(many) == len(few)
    reads = [q["sql"] for q in many.captured_queries if "historical" in q["sql"] and '"history_date" DESC' in q["sql"]]
    assert sum("LIMIT 61" in sql for sql in reads) == 5  # one per historical model
    # The rest are bounded by the number of parts: their creations, and the row before each row read.
    assert all(" LIMIT " in sql or "history_type\" = '+'" in sql or 'history_id" IN (' in sql for sql in reads)
    assert page.context["history_total"] == "60+" and len(page.context["history"]) == 60
    # Every change of the part shown says what it was before, the oldest one read too (the row before it is read
    # only to compare with, never shown).
    part = [e for e in page.context["history"] if e.subject == "Phần việc của Sở Tư pháp" and e.action == "changed"]
    assert part and all([c.label for c in e.changes] == ["Tiến độ (%)"] for e in part)
    assert ("Tiến độ (%)", "24", "25") in [(c.label, c.old, c.new) for e in part for c in e.changes]  # the oldest
