"""An agency reports on its share of a task: status, progress, what was done, evidence; "done" needs a date,
and where the document demands it (letter 4918), evidence."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from agencies.models import Agency, Role
from plans.models import Document
from tasks import services
from tasks.models import Assignment, OfficialStatus, ProgressUpdate, WorkState
from tests.conftest import make_user
from tests.tasks.conftest import pdf_bytes, report_data, upload

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def on_20_march_2024(time_machine):
    time_machine.move_to(datetime.datetime(2024, 3, 20, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False)


def report(client, part, **values):
    return client.post(reverse("tasks:report", args=[part.pk]), report_data(part, **values))


def errors_of(response) -> str:
    """The page shown again, with its error messages."""
    assert response.status_code == 200
    return response.content.decode()


def test_staff_report_progress_and_see_it_on_the_page(client, staff, lead_part):
    client.force_login(staff)
    response = report(client, lead_part, state="in_progress", progress=40, note="Đã xây dựng dự thảo, đang lấy ý kiến")
    assert response.status_code == 302 and response["Location"].endswith(f"#phan-viec-{lead_part.pk}")

    lead_part.refresh_from_db()
    assert (lead_part.state, lead_part.progress, lead_part.completed_on) == (WorkState.IN_PROGRESS, 40, None)
    update = lead_part.updates.get()
    assert (update.author, update.state, update.progress, update.note) == (
        staff,
        "in_progress",
        40,
        "Đã xây dựng dự thảo, đang lấy ý kiến",
    )
    page = client.get(response["Location"]).content.decode()
    assert "Đã lưu báo cáo tiến độ." in page
    assert "Đã xây dựng dự thảo, đang lấy ý kiến" in page


def test_reporting_done_sets_the_completion_date_to_today_by_default(client, staff, lead_part):
    client.force_login(staff)
    report(client, lead_part, state="done", progress=80, note="Đã ban hành")
    lead_part.refresh_from_db()
    assert (lead_part.state, lead_part.progress, lead_part.completed_on) == (WorkState.DONE, 100, D(2024, 3, 20))
    assert lead_part.updates.get().completed_on == D(2024, 3, 20)
    assert lead_part.official_status() == OfficialStatus.DONE_ON_TIME


def test_the_completion_date_can_be_an_earlier_day_but_not_a_future_one(client, staff, lead_part):
    client.force_login(staff)
    page = errors_of(report(client, lead_part, state="done", completed_on="21/03/2024", note="Xong"))
    assert "Ngày hoàn thành không được sau hôm nay (20/03/2024)." in page
    assert not lead_part.updates.exists()

    report(client, lead_part, state="done", completed_on="15/03/2024", note="Xong từ tuần trước")
    lead_part.refresh_from_db()
    assert lead_part.completed_on == D(2024, 3, 15)


def test_moving_back_from_done_clears_the_completion_date(client, staff, lead_part):
    client.force_login(staff)
    report(client, lead_part, state="done", note="Xong")
    lead_part.refresh_from_db()
    report(client, lead_part, state="in_progress", progress=90, note="Phải sửa lại theo ý kiến UBND tỉnh")
    lead_part.refresh_from_db()
    assert (lead_part.state, lead_part.completed_on) == (WorkState.IN_PROGRESS, None)


@pytest.fixture
def remediation(demo):
    """A remediation task of letter 4918/UBND-NC (Tuyên Quang), which demands evidence, and staff of one of its agencies."""
    letter = Document.objects.get(number="4918/UBND-NC")
    task = letter.tasks.filter(evidence_required=True).order_by("order").first()
    part = task.assignments.select_related("agency").first()
    return part, make_user("tq_staff", Agency.objects.get(pk=part.agency_id), Role.STAFF)


def test_letter_4918_will_not_take_done_without_evidence(client, remediation, time_machine):
    part, user = remediation
    time_machine.move_to(datetime.datetime(2021, 12, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False)
    client.force_login(user)
    page = client.get(reverse("tasks:detail", args=[part.task_id])).content.decode()
    assert "Bắt buộc có tài liệu kiểm chứng" in page

    page = errors_of(report(client, part, state="done", note="Đã khắc phục"))
    assert (
        "Nhiệm vụ này bắt buộc có tài liệu kiểm chứng: hãy đính kèm tệp, ghi đường dẫn hoặc số văn bản trước khi báo cáo hoàn thành."
        in page
    )
    part.refresh_from_db()
    assert part.state == WorkState.NOT_STARTED and not part.updates.exists()

    # "in progress" needs no evidence yet
    assert report(client, part, state="in_progress", progress=50, note="Đang khắc phục").status_code == 302
    part.refresh_from_db()
    # the number and date of the document that proves it are enough
    response = report(
        client, part, state="done", note="Đã khắc phục", evidence_number="120/BC-SKHCN", evidence_date="15/12/2021"
    )
    assert response.status_code == 302
    part.refresh_from_db()
    assert part.state == WorkState.DONE and part.completed_on == D(2021, 12, 20)
    assert part.official_status(D(2022, 1, 5)) == OfficialStatus.DONE_ON_TIME


def test_letter_4918_takes_done_with_a_file(client, remediation, time_machine):
    part, user = remediation
    time_machine.move_to(datetime.datetime(2021, 12, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False)
    client.force_login(user)
    data = report_data(part, state="done", note="Đã khắc phục")
    data[f"a{part.pk}-files"] = [upload("bao-cao-khac-phuc.pdf", pdf_bytes())]
    assert client.post(reverse("tasks:report", args=[part.pk]), data).status_code == 302
    assert part.updates.get().evidence.get().original_name == "bao-cao-khac-phuc.pdf"


def test_nonsense_is_refused_with_plain_vietnamese(client, staff, lead_part):
    client.force_login(staff)
    assert "Đã có tiến độ thì hãy chọn “Đang thực hiện”." in errors_of(
        report(client, lead_part, state="not_started", progress=20)
    )
    assert "Báo cáo chưa có gì mới" in errors_of(report(client, lead_part, state="not_started", progress=0))
    assert "Hãy ghi ngày ban hành của văn bản số 12/BC-STP." in errors_of(
        report(client, lead_part, note="x", evidence_number="12/BC-STP")
    )
    assert "Hãy nhập ngày theo dạng ngày/tháng/năm" in errors_of(
        report(client, lead_part, state="done", completed_on="2024/31/12")
    )
    assert "Hãy nhập tiến độ là một số từ 0 đến 100." in errors_of(report(client, lead_part, progress=150))
    assert not ProgressUpdate.objects.exists()


def test_a_returned_report_needs_an_answer_in_the_note(client, staff, leader, reviewer, lead_part):
    services.report_progress(
        lead_part, staff, lead_part.version, services.Report(state="in_progress", progress=50, note="Một nửa")
    )
    lead_part.refresh_from_db()
    services.submit(lead_part, leader, lead_part.version)
    lead_part.refresh_from_db()
    services.decide(lead_part, reviewer, lead_part.version, "returned", "Thiếu danh mục văn bản")
    lead_part.refresh_from_db()
    client.force_login(staff)
    page = errors_of(report(client, lead_part, state="in_progress", progress=60, note=""))
    assert "Trả lời ý kiến trả lại và kết quả bổ sung" in page
    assert "Hãy trả lời ý kiến trả lại: ghi rõ những gì đã bổ sung, sửa đổi." in page
    assert Assignment.objects.get(pk=lead_part.pk).updates.count() == 1


def test_the_report_form_url_leads_to_the_page_when_opened(client, staff, lead_part):
    client.force_login(staff)
    response = client.get(reverse("tasks:report", args=[lead_part.pk]))
    assert response.status_code == 302 and response["Location"] == lead_part.get_absolute_url()


def test_correcting_the_completion_date_alone_is_a_change(client, staff, lead_part):
    client.force_login(staff)
    report(client, lead_part, state="done", note="Xong")
    lead_part.refresh_from_db()
    assert report(client, lead_part, state="done", completed_on="18/03/2024").status_code == 302
    lead_part.refresh_from_db()
    assert lead_part.completed_on == D(2024, 3, 18)
    assert "Báo cáo chưa có gì mới" in errors_of(report(client, lead_part, state="done", completed_on="18/03/2024"))
