"""The workflow in a real browser, on the demo data of Phú Yên (plan 275/KH-UBND): each person learns what waits for
them from the menu and the notifications, and acts there.

- a report returned by Sở Nội vụ reaches Sở Tư pháp through its notification, which opens the reason;
- a periodic report is written by the staff, sent by the leader, accepted by Sở Nội vụ;
- Sở Nội vụ accepts several reports at once from its queue;
- a cooperating agency's comment, with a file, reaches the lead agency.

The jobs a step queues (its notifications) run in the server process as soon as the step commits (conftest).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agencies.models import Agency, Role, User
from cchc_portal.models import EventKind, Notification
from plans.models import Document, PeriodicReport
from tasks import services
from tasks.models import Assignment, Review, ReviewState
from tests.browser.conftest import PASSWORD
from tests.tasks.conftest import pdf_bytes

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def fresh_inboxes(site):
    """Loading the demo notified each agency of the tasks it was given; these journeys start from empty inboxes."""
    Notification.objects.all().delete()


def part(section: str, number: str, agency: str = "Sở Tư pháp") -> Assignment:
    plan = Document.objects.get(number="275/KH-UBND")
    return Assignment.objects.select_related("task__document", "agency").get(
        task__document=plan, task__section__number=section, task__number=number, agency__name=agency
    )


def submitted(section: str, number: str) -> Assignment:
    staff, leader = User.objects.get(username="sotuphap"), User.objects.get(username="sotuphap_lanhdao")
    share = part(section, number)
    services.report_progress(
        share, staff, share.version, services.Report(state="in_progress", progress=50, note="Đã triển khai")
    )
    share = part(section, number)
    services.submit(share, leader, share.version)
    return part(section, number)


def queue(page, name: str):
    return page.get_by_test_id(f"queue-{name}")


def test_a_return_reaches_the_agency_through_its_notification(open_as, site, shots):
    share = submitted("II", "1")

    reviewer = open_as("sonoivu")
    expect(queue(reviewer, "review")).to_contain_text("Chờ xem xét (1)")
    queue(reviewer, "review").click()
    reviewer.get_by_test_id("submitted-row").get_by_role("link", name=re.compile("Ban hành Kế hoạch")).click()
    form = reviewer.get_by_test_id("review-form")
    form.get_by_label("Ý kiến (bắt buộc khi trả lại)").fill("Đề nghị bổ sung danh mục văn bản cần theo dõi.")
    form.get_by_role("button", name="Trả lại để bổ sung").click()
    expect(reviewer.get_by_text("Đã trả lại báo cáo của Sở Tư pháp")).to_be_visible()

    staff = open_as("sotuphap")
    expect(staff.get_by_test_id("unread-count")).to_have_text("1")
    expect(queue(staff, "returned")).to_contain_text("Bị trả lại (1)")
    staff.get_by_role("link", name=re.compile("^Thông báo")).click()
    notice = staff.get_by_test_id("notification").first
    expect(notice).to_contain_text("Báo cáo nhiệm vụ II.1 bị trả lại, cần bổ sung")
    expect(notice).to_contain_text("Lý do: Đề nghị bổ sung danh mục văn bản cần theo dõi.")
    staff.screenshot(path=str(shots / "workflow-notification.png"), full_page=True)
    notice.get_by_role("link").first.click()
    expect(staff).to_have_url(re.compile(rf"/tasks/{share.task_id}/#phan-viec-{share.pk}$"))
    expect(staff.get_by_test_id("return-reason")).to_contain_text("Đề nghị bổ sung danh mục văn bản cần theo dõi.")
    expect(staff.get_by_test_id("unread-count")).to_have_count(0)  # opened: read
    assert Notification.objects.get(recipient__username="sotuphap", kind=EventKind.RETURNED).read_at is not None


def test_a_periodic_report_is_sent_and_accepted(open_as, site, shots):
    staff = open_as("sotuphap")
    staff.get_by_role("link", name="Báo cáo định kỳ").click()
    block = staff.locator("section.duty-block", has_text="Báo cáo Hằng quý")
    row = block.get_by_test_id("period-row").filter(has_text="Quý I/2024")
    expect(row).to_contain_text("Chưa gửi, quá hạn")
    row.get_by_role("link", name="Soạn báo cáo").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Quý I/2024 – Sở Tư pháp")
    expect(staff.get_by_test_id("figures")).to_contain_text("Quá hạn")  # pre-filled from its tasks
    form = staff.get_by_test_id("periodic-form")
    form.get_by_label("Kết quả đạt được trong kỳ").fill(
        "Ban hành Kế hoạch theo dõi thi hành pháp luật; rà soát 45 văn bản."
    )
    form.get_by_label("Tồn tại, hạn chế, khó khăn").fill("Một số nhiệm vụ quý I chậm do chờ hướng dẫn của Bộ.")
    form.get_by_label("Tệp báo cáo").set_input_files(
        [{"name": "Báo cáo quý I.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Bao cao quy I")}]
    )
    form.get_by_role("button", name="Lưu báo cáo").click()
    expect(staff.get_by_text("Đã lưu báo cáo. Lãnh đạo đơn vị sẽ xem và gửi báo cáo.")).to_be_visible()

    leader = open_as("sotuphap_lanhdao")
    expect(queue(leader, "leader")).to_contain_text("Chờ lãnh đạo gửi (1)")
    queue(leader, "leader").click()
    leader.get_by_test_id("queue-periodic").get_by_role("link").click()
    expect(leader.get_by_role("link", name="Báo cáo quý I.pdf")).to_be_visible()
    leader.get_by_test_id("send-form").get_by_role("button", name="Gửi báo cáo").click()
    expect(leader.get_by_text("Đã gửi báo cáo Quý I/2024 tới Sở Nội vụ.")).to_be_visible()
    expect(leader.get_by_test_id("report-state")).to_have_text("Đã gửi, trễ hạn")  # due 15/03/2024

    reviewer = open_as("sonoivu")
    expect(queue(reviewer, "review")).to_contain_text("Chờ xem xét (1)")
    reviewer.get_by_role("link", name=re.compile("^Thông báo")).click()
    reviewer.get_by_test_id("notification").filter(has_text="Sở Tư pháp đã gửi báo cáo định kỳ Quý I/2024").get_by_role(
        "link"
    ).first.click()
    expect(reviewer.get_by_test_id("report-results")).to_contain_text("rà soát 45 văn bản")
    reviewer.get_by_test_id("decision-form").get_by_role("button", name="Tiếp nhận báo cáo").click()
    expect(reviewer.get_by_text("Đã tiếp nhận báo cáo của Sở Tư pháp.")).to_be_visible()
    reviewer.get_by_role("link", name="Quý I/2024").first.click()
    expect(reviewer.get_by_test_id("period-summary")).to_contain_text("cơ quan đã gửi")
    reviewer.screenshot(path=str(shots / "workflow-periodic.png"), full_page=True)

    staff.reload()
    expect(staff.get_by_test_id("report-state")).to_have_text("Đã tiếp nhận")
    expect(staff.get_by_test_id("periodic-form")).to_have_count(0)  # accepted: locked
    report = PeriodicReport.objects.get(agency__name="Sở Tư pháp", duty__frequency="quarterly", period_start__month=1)
    assert report.state == PeriodicReport.State.ACCEPTED
    assert Notification.objects.filter(
        recipient__username="sotuphap", title="Báo cáo định kỳ Quý I/2024 đã được tiếp nhận"
    ).exists()


def test_bulk_accept_from_the_reviewers_queue(open_as, site, shots):
    shares = [submitted("II", number) for number in ("1", "2", "4")]
    reviewer = open_as("sonoivu")
    expect(queue(reviewer, "review")).to_contain_text("Chờ xem xét (3)")
    queue(reviewer, "review").click()
    expect(reviewer.get_by_test_id("submitted-row")).to_have_count(3)
    reviewer.get_by_label("Chọn tất cả báo cáo trên trang").check()
    reviewer.screenshot(path=str(shots / "workflow-bulk.png"), full_page=True)
    reviewer.get_by_role("button", name="Chấp nhận các báo cáo đã chọn").click()
    expect(reviewer.get_by_text("Đã chấp nhận 3 báo cáo.")).to_be_visible()
    expect(queue(reviewer, "review")).to_contain_text("Chờ xem xét (0)")
    for share in shares:
        assert Assignment.objects.get(pk=share.pk).review_state == ReviewState.ACCEPTED
        assert Review.objects.filter(assignment=share, decision="accepted").count() == 1
    staff = open_as("sotuphap")
    expect(staff.get_by_test_id("unread-count")).to_have_text("3")


def test_a_comment_reaches_the_lead_agency(open_as, site, shots):
    finance = Agency.objects.get(province__code="phu-yen", name="Sở Tài chính")
    User.objects.create_user(
        "sotaichinh", password=PASSWORD, agency=finance, role=Role.STAFF, first_name="Cán bộ Sở Tài chính"
    )
    share = part("II", "1")

    cooperating = open_as("sotaichinh")
    cooperating.goto(f"{site}/tasks/{share.task_id}/")
    form = cooperating.get_by_test_id("comment-form")
    form.get_by_label("Ý kiến trao đổi").fill("Sở Tài chính gửi góp ý dự thảo Kế hoạch, đề nghị Sở Tư pháp tổng hợp.")
    form.get_by_label("Tệp đính kèm").set_input_files(
        [{"name": "Góp ý của Sở Tài chính.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Gop y")}]
    )
    form.get_by_role("button", name="Gửi ý kiến").click()
    expect(cooperating.get_by_text("Đã gửi ý kiến")).to_be_visible()

    lead = open_as("sotuphap")
    expect(lead.get_by_test_id("unread-count")).to_have_text("1")
    lead.get_by_role("link", name=re.compile("^Thông báo")).click()
    notice = lead.get_by_test_id("notification").first
    expect(notice).to_contain_text("Cán bộ Sở Tài chính (Sở Tài chính) trao đổi về nhiệm vụ II.1")
    notice.get_by_role("link").first.click()
    comment = lead.get_by_test_id("comment").first
    expect(comment).to_contain_text("đề nghị Sở Tư pháp tổng hợp")
    expect(comment.get_by_role("link", name="Góp ý của Sở Tài chính.pdf")).to_be_visible()
    lead.screenshot(path=str(shots / "workflow-comment.png"), full_page=True)
    with lead.expect_download() as download:
        comment.get_by_role("link", name="Góp ý của Sở Tài chính.pdf").click()
    assert download.value.suggested_filename == "Góp ý của Sở Tài chính.pdf"
