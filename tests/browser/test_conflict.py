"""Two people of Sở Tư pháp report on the same share at once, in a real browser: the second is stopped by the
conflict page (issue 16), which takes the focus, shows the values saved meanwhile next to the ones typed, keeps what
was typed in the form with the new version, names the file to choose again, and passes axe; saving again works."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_problems
from tests.browser.test_reporting_journey import justice_part
from tests.tasks.conftest import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_second_to_save_gets_the_conflict_page_and_saves_again(open_as, site, shots):
    part = justice_part()
    staff, leader = open_as("sotuphap"), open_as("sotuphap_lanhdao")
    for page in (staff, leader):  # both open the task before either saves
        page.goto(f"{site}{part.get_absolute_url()}")

    form = leader.get_by_test_id("report-form")
    form.get_by_label("Đang thực hiện").check()
    form.get_by_label("Tiến độ (%)").fill("70")
    form.get_by_label("Kết quả thực hiện").fill("Lãnh đạo: đã ký ban hành kế hoạch.")
    form.get_by_role("button", name="Lưu báo cáo").click()
    expect(leader.get_by_text("Đã lưu báo cáo tiến độ.")).to_be_visible()

    form = staff.get_by_test_id("report-form")
    form.get_by_label("Đang thực hiện").check()
    form.get_by_label("Tiến độ (%)").fill("40")
    form.get_by_label("Kết quả thực hiện").fill("Cán bộ: đã lấy ý kiến các sở.")
    form.get_by_label("Tệp kiểm chứng").set_input_files(
        [{"name": "Biên bản.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Bien ban")}]
    )
    form.get_by_role("button", name="Lưu báo cáo").click()

    summary = staff.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Phần việc này vừa được")
    expect(summary).to_contain_text("Tệp đã chọn (Biên bản.pdf) chưa được lưu")
    expect(staff.get_by_test_id("saved-progress")).to_have_text("70%")
    expect(staff.get_by_test_id("saved-note")).to_contain_text("Lãnh đạo: đã ký ban hành kế hoạch.")
    expect(staff.get_by_test_id("yours-progress")).to_have_text("40%")
    expect(staff.get_by_test_id("yours-note")).to_contain_text("Cán bộ: đã lấy ý kiến các sở.")
    again = staff.get_by_test_id("report-form")
    expect(again.get_by_label("Tiến độ (%)")).to_have_value("70")  # the new values
    expect(again.get_by_label("Ngày hoàn thành")).to_be_hidden()  # the form behaves as on the task page
    expect(again.get_by_label("Kết quả thực hiện")).to_have_value("Cán bộ: đã lấy ý kiến các sở.")  # kept
    expect(staff.get_by_test_id("task-link")).to_be_visible()
    staff.screenshot(path=str(shots / "conflict.png"), full_page=True)
    assert not axe_problems(staff, site)
    saved = justice_part()
    assert saved.progress == 70 and list(saved.updates.values_list("note", flat=True)) == [
        "Lãnh đạo: đã ký ban hành kế hoạch."
    ]  # nothing overwritten

    again.get_by_role("button", name="Lưu báo cáo").click()  # having checked, the staff save on top of it
    expect(staff.get_by_text("Đã lưu báo cáo tiến độ.")).to_be_visible()
    saved = justice_part()
    assert saved.progress == 70 and saved.updates.count() == 2
    assert saved.updates.order_by("-created_at").first().note == "Cán bộ: đã lấy ý kiến các sở."
