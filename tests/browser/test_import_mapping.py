"""In a real browser: mapping an unknown name of an appendix by typing a few letters of the agency, then confirming."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agencies.models import User
from plans.models import Document, ImportJob
from tasks.models import Task
from tests.plans import tablefiles as tf

pytestmark = pytest.mark.browser

HEADER = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"]


def test_typing_finds_the_agency_and_the_task_is_assigned_to_it(open_as, site, tmp_path):
    sonoivu = User.objects.get(username="sonoivu")
    document = Document.objects.create(
        province=sonoivu.agency.province, number="39/KH-UBND", title="Kế hoạch", year=2026
    )
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(
        tf.xlsx([["PHỤ LỤC"], [], HEADER, ["1", "Rà soát văn bản pháp chế", "Phòng Pháp chế tỉnh", "", "Năm 2026"]])
    )
    page = open_as("sonoivu")
    page.goto(f"{site}/documents/{document.pk}/import/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Đọc và xem trước").click()
    page.wait_for_load_state("load")
    search = page.get_by_placeholder("Gõ để tìm cơ quan, nhóm…")
    search.fill("tu phap")  # no accents typed
    expect(page.locator("#map_1")).to_have_value(re.compile(r"^agency:"))  # the search answered and chose
    assert page.locator("#map_1 option:checked").inner_text().startswith("Sở Tư pháp")
    page.get_by_role("button", name="Xác nhận và ghi vào cổng").click()
    page.wait_for_load_state("load")
    job = ImportJob.objects.get(document=document)
    assert job.state == ImportJob.State.DONE, job.error
    task = Task.objects.get(document=document)
    assert [a.agency.name for a in task.assignments.select_related("agency")] == ["Sở Tư pháp"]


def test_one_click_moves_a_late_document_and_a_district_s_rows_to_their_successors(open_as, site, tmp_path):
    """Issue 12, point 6: a Phú Yên plan dated after the merger goes to Đắk Lắk, and the rows of an abolished
    district to the commune a person chooses among those that took its wards."""
    import datetime

    from agencies.models import Agency, Role

    home_affairs = Agency.objects.get(province__code="dak-lak", name="Sở Nội vụ")
    User.objects.create_user("dl_snv", password="demo12345", agency=home_affairs, role=Role.REVIEWER)
    document = Document.objects.create(
        province=Agency.objects.get(province__code="phu-yen", name="Sở Nội vụ").province,
        number="41/KH-UBND",
        title="Kế hoạch",
        year=2025,
        issued_on=datetime.date(2025, 9, 15),
    )
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(tf.xlsx([["PHỤ LỤC"], [], HEADER, ["1", "Rà soát TTHC", "UBND huyện Tuy An", "", "Quý IV/2025"]]))
    page = open_as("dl_snv")
    page.goto(f"{site}/documents/{document.pk}/import/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Đọc và xem trước").click()
    page.wait_for_load_state("load")
    page.locator("[data-move-document]").get_by_role("button", name="Chuyển sang đơn vị kế thừa").click()
    page.wait_for_load_state("load")
    expect(page.locator("[data-move-document]")).to_have_count(0)
    page.get_by_label("UBND xã Tuy An Bắc").check()
    page.locator("[data-successor-choice]").get_by_role("button", name="Chuyển sang đơn vị kế thừa").click()
    page.wait_for_load_state("load")
    expect(page.locator("[data-successors]")).to_have_count(0)
    page.get_by_role("button", name="Xác nhận và ghi vào cổng").click()
    page.wait_for_load_state("load")
    document.refresh_from_db()
    assert document.province.code == "dak-lak"
    task = Task.objects.get(document=document)
    assert [a.agency.name for a in task.assignments.select_related("agency")] == ["UBND xã Tuy An Bắc"]
