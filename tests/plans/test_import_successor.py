"""Validity at import (issue 12, point 6): the preview of a document dated after its province's merger, or naming
a unit that had ended, offers "Chuyển sang đơn vị kế thừa": one click moves the document to the successor
province, and the rows naming a split unit (a district and its communes) go to the successor a person chooses."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Agency, Alias, Role, User
from plans.models import Document, ImportJob
from tasks.models import Assignment
from tests.plans import tablefiles

HEADER = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"]
AFTER_THE_MERGER = datetime.date(2025, 9, 15)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dak_lak_client(client, demo):
    agency = Agency.objects.get(province__code="dak-lak", name="Sở Nội vụ")
    client.force_login(User.objects.create_user("dl_snv", password="x-12345-abcdef", agency=agency, role=Role.REVIEWER))
    return client


@pytest.fixture
def late_phu_yen_plan(demo):
    """A plan filed under Phú Yên although dated after Phú Yên joined Đắk Lắk."""
    return Document.objects.create(
        province=demo.province,
        doc_type="plan",
        number="21/KH-UBND",
        title="Kế hoạch rà soát thủ tục hành chính",
        year=2025,
        issued_on=AFTER_THE_MERGER,
        issuer=Agency.objects.get(province__code="phu-yen", name="UBND tỉnh Phú Yên"),
    )


def upload(client, document) -> ImportJob:
    data = tablefiles.xlsx(
        [
            ["PHỤ LỤC"],
            [],
            HEADER,
            ["1", "Rà soát thủ tục hành chính cấp xã", "UBND huyện Tuy An", "Sở Nội vụ", "Quý IV/2025"],
            ["2", "Kiểm tra công vụ", "UBND TX Sông Cầu", "", "Quý IV/2025"],
        ]
    )
    url = reverse("plans:import_start", args=[document.pk])
    client.post(url, {"kind": "tasks", "file": SimpleUploadedFile("phu-luc.xlsx", data)})
    return ImportJob.objects.get(document=document)


def move(client, job, **data):
    return client.post(reverse("plans:import_successor", args=[job.pk]), data, follow=True).content.decode()


def test_one_click_moves_the_document_then_each_split_unit_to_the_successor_chosen(dak_lak_client, late_phu_yen_plan):
    job = upload(dak_lak_client, late_phu_yen_plan)
    page = dak_lak_client.get(job.get_absolute_url()).content.decode()
    assert "Phú Yên đã sáp nhập vào Đắk Lắk" in page and "data-move-document" in page
    assert "Chuyển sang đơn vị kế thừa" in page

    page = move(dak_lak_client, job, move="document")
    late_phu_yen_plan.refresh_from_db()
    assert late_phu_yen_plan.province.code == "dak-lak"
    assert late_phu_yen_plan.issuer.name == "UBND tỉnh Đắk Lắk"  # the issuer had ended too
    assert "Đã chuyển văn bản sang Đắk Lắk" in page and "data-move-document" not in page
    # The districts were split between communes: the page asks which one takes each district's rows.
    assert "data-successors" in page and "UBND xã Tuy An Bắc" in page and "UBND phường Sông Cầu" in page

    tuy_an_bac = Agency.objects.get(province__code="dak-lak", name="UBND xã Tuy An Bắc")
    page = move(dak_lak_client, job, name="UBND huyện Tuy An", successor=f"agency:{tuy_an_bac.pk}")
    assert "Đã chuyển các hàng ghi &#x27;UBND huyện Tuy An&#x27;" in page
    assert 'value="UBND huyện Tuy An"' not in page  # decided: no longer asked
    song_cau = Agency.objects.get(province__code="dak-lak", name="UBND phường Sông Cầu")
    move(dak_lak_client, job, name="UBND TX Sông Cầu", successor=f"agency:{song_cau.pk}")

    dak_lak_client.post(reverse("plans:import_confirm", args=[job.pk]), {"remember": "on"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.error
    leads = dict(
        Assignment.objects.filter(task__document=late_phu_yen_plan, role="lead").values_list(
            "task__number", "agency__name"
        )
    )
    assert leads == {"1": "UBND xã Tuy An Bắc", "2": "UBND phường Sông Cầu"}
    # A choice for one document is not a rule for the next one: no alias sends the district to one commune.
    assert not Alias.objects.filter(text__in=["UBND huyện Tuy An", "UBND TX Sông Cầu"]).exists()


def test_a_choice_outside_the_successors_is_refused(dak_lak_client, late_phu_yen_plan):
    job = upload(dak_lak_client, late_phu_yen_plan)
    # Not moved: the Phú Yên document still names its districts, whose successors are communes of Đắk Lắk.
    page = dak_lak_client.get(job.get_absolute_url()).content.decode()
    assert "UBND xã Tuy An Bắc" in page
    home_affairs = Agency.objects.get(province__code="dak-lak", name="Sở Nội vụ")
    page = move(dak_lak_client, job, name="UBND huyện Tuy An", successor=f"agency:{home_affairs.pk}")
    assert "hãy chọn một đơn vị kế thừa trong danh sách" in page
    job.refresh_from_db()
    assert job.mappings == {}


def test_an_account_of_the_former_province_cannot_move_the_document_into_the_successor(client, late_phu_yen_plan):
    sonoivu = User.objects.get(username="sonoivu")  # in the test world, Sở Nội vụ of Phú Yên
    client.force_login(sonoivu)
    job = upload(client, late_phu_yen_plan)
    response = client.post(reverse("plans:import_successor", args=[job.pk]), {"move": "document"})
    assert response.status_code == 403
    late_phu_yen_plan.refresh_from_db()
    assert late_phu_yen_plan.province.code == "phu-yen"


def test_a_document_of_a_province_still_in_force_is_not_offered_a_move(dak_lak_client, demo):
    plan = Document.objects.create(
        province=demo.province, doc_type="plan", number="22/KH-UBND", title="Kế hoạch", year=2024
    )
    job = upload(dak_lak_client, plan)
    page = dak_lak_client.get(job.get_absolute_url()).content.decode()
    assert "data-move-document" not in page and "data-successors" not in page
    assert "Đã chuyển" not in move(dak_lak_client, job, move="document")
    plan.refresh_from_db()
    assert plan.province.code == "phu-yen"
