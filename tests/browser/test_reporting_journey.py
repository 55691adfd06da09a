"""The whole journey in a real browser: Sở Tư pháp reports on a task of plan 275, its leader submits, Sở Nội vụ
returns the report with a reason, the agency answers, the leader resubmits, Sở Nội vụ accepts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from plans.models import Document
from tasks.models import Assignment, Review, ReviewState, WorkState
from tests.tasks.conftest import pdf_bytes

pytestmark = pytest.mark.browser

TITLE = "Ban hành Kế hoạch công tác theo dõi tình hình thi hành pháp luật trên địa bàn tỉnh năm 2024"


def justice_part() -> Assignment:
    plan = Document.objects.get(number="275/KH-UBND")
    return Assignment.objects.get(
        task__document=plan, task__section__number="II", task__number="1", agency__name="Sở Tư pháp"
    )


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_report_submit_return_answer_resubmit_accept(open_as, site, shots):
    # --- Sở Tư pháp's staff find the task through the filters and report with a file
    staff = open_as("sotuphap")
    expect(staff.get_by_role("heading", name="Nhiệm vụ của đơn vị")).to_be_visible()
    staff.get_by_label("Tìm", exact=True).fill("ke hoach theo doi thi hanh phap luat")
    staff.get_by_label("Vai trò", exact=True).select_option(label="Chủ trì")
    staff.get_by_role("button", name="Lọc").click()
    rows = staff.get_by_test_id("assignment-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Quá hạn")
    expect(rows.first).to_contain_text("Chủ trì")
    staff.screenshot(path=str(shots / "list.png"), full_page=True)

    rows.first.get_by_role("link", name=re.compile(r"^II\.1\. Ban hành Kế hoạch công tác theo dõi")).click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(staff.get_by_test_id("document-link")).to_have_text("Kế hoạch 275/KH-UBND")
    form = staff.get_by_test_id("report-form")
    expect(form.get_by_label("Ngày hoàn thành")).to_be_hidden()  # only when "done" is chosen
    form.get_by_label("Đang thực hiện").check()
    form.get_by_label("Tiến độ (%)").fill("60")
    form.get_by_label("Kết quả thực hiện").fill("Đã xây dựng dự thảo Kế hoạch, đang lấy ý kiến các sở.")
    form.get_by_label("Tệp kiểm chứng").set_input_files(
        [{"name": "Dự thảo kế hoạch.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Du thao ke hoach")}]
    )
    form.get_by_role("button", name="Lưu báo cáo").click()
    expect(staff.get_by_text("Đã lưu báo cáo tiến độ.")).to_be_visible()
    timeline = staff.get_by_test_id("timeline").first
    expect(timeline).to_contain_text("Đang thực hiện, 60%")
    expect(timeline.get_by_role("link", name="Dự thảo kế hoạch.pdf")).to_be_visible()
    staff.screenshot(path=str(shots / "task.png"), full_page=True)
    part = justice_part()
    assert (part.state, part.progress) == (WorkState.IN_PROGRESS, 60)
    assert part.updates.get().evidence.get().original_name == "Dự thảo kế hoạch.pdf"

    # --- the leader submits
    leader = open_as("sotuphap_lanhdao")
    leader.goto(f"{site}{part.get_absolute_url()}")
    leader.get_by_test_id("submit-form").get_by_role("button", name="Gửi báo cáo").click()
    expect(leader.get_by_text("Đã gửi báo cáo tới Sở Nội vụ")).to_be_visible()
    expect(leader.get_by_test_id("review-state").first).to_have_text("Đã gửi, chờ xem xét")
    assert justice_part().review_state == ReviewState.SUBMITTED

    # --- Sở Nội vụ finds it in its queue and returns it with a reason
    reviewer = open_as("sonoivu")
    reviewer.goto(f"{site}/tasks/review/")
    row = reviewer.get_by_test_id("submitted-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Sở Tư pháp")
    row.get_by_role("link", name="Xem xét").click()
    review = reviewer.get_by_test_id("review-form")
    review.get_by_role("button", name="Trả lại để bổ sung").click()
    expect(
        reviewer.get_by_test_id("review-form").get_by_text("Hãy ghi lý do trả lại để cơ quan biết cần bổ sung gì.")
    ).to_be_visible()
    # The summary at the top of the page says it too, with a link to the field (issue 15, point 7).
    expect(reviewer.locator("#error-summary").get_by_role("link")).to_contain_text("Hãy ghi lý do trả lại")
    reviewer.get_by_test_id("review-form").get_by_label("Ý kiến (bắt buộc khi trả lại)").fill(
        "Đề nghị bổ sung danh mục văn bản cần theo dõi."
    )
    reviewer.get_by_test_id("review-form").get_by_role("button", name="Trả lại để bổ sung").click()
    expect(reviewer.get_by_text("Đã trả lại báo cáo của Sở Tư pháp")).to_be_visible()
    assert justice_part().review_state == ReviewState.RETURNED

    # --- the staff see the reason and answer
    staff.reload()
    expect(staff.get_by_test_id("return-reason")).to_contain_text("Đề nghị bổ sung danh mục văn bản cần theo dõi.")
    form = staff.get_by_test_id("report-form")
    form.get_by_label("Tiến độ (%)").fill("80")
    form.get_by_label("Trả lời ý kiến trả lại và kết quả bổ sung").fill("Đã bổ sung danh mục 12 văn bản cần theo dõi.")
    form.get_by_role("button", name="Lưu báo cáo").click()
    expect(staff.get_by_text("Đã lưu báo cáo bổ sung.")).to_be_visible()
    expect(staff.get_by_test_id("timeline").first).to_contain_text("Báo cáo bổ sung")
    assert (
        justice_part().updates.order_by("-created_at").first().answers.reason
        == "Đề nghị bổ sung danh mục văn bản cần theo dõi."
    )

    # --- the leader resubmits
    leader.reload()
    leader.get_by_test_id("submit-form").get_by_role("button", name="Gửi lại báo cáo").click()
    expect(leader.get_by_text("Đã gửi báo cáo tới Sở Nội vụ")).to_be_visible()

    # --- Sở Nội vụ accepts
    reviewer.reload()
    reviewer.get_by_test_id("review-form").get_by_role("button", name="Chấp nhận báo cáo").click()
    expect(reviewer.get_by_text("Đã chấp nhận báo cáo của Sở Tư pháp.")).to_be_visible()
    part = justice_part()
    assert (part.review_state, part.progress) == (ReviewState.ACCEPTED, 80)
    assert list(Review.objects.filter(assignment=part).order_by("created_at").values_list("decision", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
    staff.reload()
    expect(staff.get_by_text("Báo cáo đã được chấp nhận.")).to_be_visible()
    expect(staff.locator("#lich-su")).to_contain_text("Lịch sử thay đổi")


def test_the_staff_part_works_on_a_phone(open_as, site, shots):
    phone = open_as("sotuphap", width=390, height=844)
    expect(phone.get_by_role("heading", name="Nhiệm vụ của đơn vị")).to_be_visible()
    assert no_horizontal_scroll(phone)
    phone.get_by_label("Tìm", exact=True).fill("ke hoach theo doi thi hanh")
    phone.get_by_role("button", name="Lọc").click()
    rows = phone.get_by_test_id("assignment-row")
    expect(rows.first).to_be_visible()
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(shots / "phone-list.png"), full_page=True)

    rows.first.get_by_role("link").click()
    form = phone.get_by_test_id("report-form")
    expect(form).to_be_visible()
    assert no_horizontal_scroll(phone)
    form.get_by_label("Đã hoàn thành").check()
    expect(form.get_by_label("Ngày hoàn thành")).to_be_visible()
    form.get_by_label("Kết quả thực hiện").fill("Đã ban hành Kế hoạch.")
    form.get_by_label("Số văn bản kiểm chứng").fill("45/KH-UBND")
    form.get_by_label("Ngày ban hành văn bản kiểm chứng").fill("18/03/2024")
    form.get_by_role("button", name="Lưu báo cáo").click()
    expect(phone.get_by_text("Đã lưu báo cáo tiến độ.")).to_be_visible()
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(shots / "phone-task.png"), full_page=True)
    part = Assignment.objects.filter(agency__name="Sở Tư pháp", state=WorkState.DONE).get()
    assert part.progress == 100 and part.completed_on is not None
