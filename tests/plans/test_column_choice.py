"""When the portal is not sure which column is which, the preview says which column it took for what and the admin
changes it: the file is read again with the chosen columns."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import User
from cchc_portal.documents.services import table_from_json
from plans.models import Document, ImportJob
from tasks.models import Task
from tests.plans import tablefiles as tf
from tests.plans.test_import_web import confirm, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, demo):
    client.force_login(User.objects.get(username="sonoivu"))
    return client


def _job(client, demo, head, row):
    document = Document.objects.create(province=demo.province, number="38/KH-UBND", title="Kế hoạch", year=2026)
    upload(client, document, tf.xlsx([head, row]), "bang.xlsx")
    return ImportJob.objects.get(document=document)


def test_a_sure_table_shows_its_columns_folded(admin_client, demo):
    job = _job(
        admin_client,
        demo,
        ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Thời gian thực hiện"],
        ["1", "Rà soát", "Sở Tư pháp", "Năm 2026"],
    )
    page = admin_client.get(job.get_absolute_url()).content.decode()
    assert "data-columns>" in page and "chưa chắc chắn" not in page


def test_an_unsure_mapping_is_shown_open_and_the_admin_swaps_two_columns(admin_client, demo):
    # "Nội dung" and "Đề án" both look like a name here; the portal takes "Đề án" and says it is unsure.
    head = ["STT", "Nội dung", "Đề án", "Đơn vị chủ trì, phối hợp thực hiện", "Thời gian thực hiện"]
    job = _job(
        admin_client, demo, head, ["1", "Số hóa hồ sơ đất đai", "Đề án 06", "Sở Nông nghiệp và Môi trường", "Năm 2026"]
    )
    page = admin_client.get(job.get_absolute_url()).content.decode()
    assert "data-columns open" in page and "chưa chắc chắn" in page
    assert '<option value="title" selected>' in page

    response = admin_client.post(
        reverse("plans:import_columns", args=[job.pk]),
        {"col_0": "number", "col_1": "title", "col_2": "description", "col_3": "lead", "col_4": "deadline"},
        follow=True,
    )
    assert "Đã đọc lại bảng theo các cột đã chọn" in response.content.decode()
    job.refresh_from_db()
    (task,) = table_from_json(job.kind, job.table).tasks
    assert (task.title, task.description) == ("Số hóa hồ sơ đất đai", "Đề án 06")
    confirm(admin_client, job)
    assert Task.objects.get(document=job.document).title == "Số hóa hồ sơ đất đai"


def test_a_mapping_without_a_name_column_is_refused_with_a_message(admin_client, demo):
    job = _job(admin_client, demo, ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì"], ["1", "Rà soát", "Sở Tư pháp"])
    before = job.table
    response = admin_client.post(
        reverse("plans:import_columns", args=[job.pk]), {"col_0": "number", "col_2": "lead"}, follow=True
    )
    assert "Cần chọn cột số thứ tự và cột tên nhiệm vụ" in response.content.decode()
    job.refresh_from_db()
    assert job.table == before
