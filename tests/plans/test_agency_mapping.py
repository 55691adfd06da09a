"""Mapping an unknown name in the import preview: search as you type over the province's agencies and groups (there
may be thousands once every commune is known), and a province administrator creates a missing agency in place."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import Agency, AgencyLevel, User
from agencies.roles import make_province_admin, revoke_province_admin
from plans.models import Document, ImportJob
from tasks.models import Task
from tests.plans.test_import_web import confirm, small_table, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(client, demo):
    client.force_login(User.objects.get(username="sonoivu"))
    document = Document.objects.create(province=demo.province, number="36/KH-UBND", title="Kế hoạch", year=2026)
    upload(
        client,
        document,
        small_table(["1", "Số hóa hồ sơ", "Trung tâm Điều hành đô thị thông minh tỉnh", "", "Năm 2026"]),
        "b.xlsx",
    )
    return ImportJob.objects.get(document=document)


@pytest.fixture
def communes(demo):
    """Two thousand communes in the directory: the preview must not list them all."""
    Agency.objects.bulk_create(
        Agency(
            province=demo.province,
            code=f"py-xa-{n}",
            name=f"UBND xã Thử Nghiệm {n}",
            kind="commune_committee",
            level=AgencyLevel.COMMUNE,
            search_text=f"ubnd xa thu nghiem {n}",
        )
        for n in range(2000)
    )


def test_the_preview_no_longer_lists_every_agency_of_the_province(client, job, communes):
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Trung tâm Điều hành đô thị thông minh tỉnh" in page and "data-agency-search" in page
    assert page.count("UBND xã Thử Nghiệm") == 0  # before: a plain list of every agency and group


def test_typing_searches_agencies_and_groups_without_accents(client, job, communes):
    url = reverse("plans:agency_search", args=[job.pk])
    results = client.get(url, {"q": "so tu phap"}).json()["results"]
    assert [r["label"] for r in results] == ["Sở Tư pháp"] and results[0]["value"].startswith("agency:")
    results = client.get(url, {"q": "sở, ban"}).json()["results"]
    assert results and results[0]["value"].startswith("group:")
    assert len(client.get(url, {"q": "thu nghiem"}).json()["results"]) == 20  # at most 20 of the 2,000


def test_the_search_answers_in_a_constant_number_of_queries(client, job, communes, django_assert_max_num_queries):
    url = reverse("plans:agency_search", args=[job.pk])
    with django_assert_max_num_queries(8):
        client.get(url, {"q": "xa"})


def test_the_search_is_scoped_to_the_province(client, job):
    url = reverse("plans:agency_search", args=[job.pk])
    labels = [r["label"] for r in client.get(url, {"q": "so noi vu"}).json()["results"]]
    assert labels == ["Sở Nội vụ"]  # Tuyên Quang's and Bình Định's are not offered


def test_a_province_admin_creates_the_missing_agency_in_place_and_the_name_resolves(client, job):
    admin = User.objects.get(username="sonoivu")
    make_province_admin(admin)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Thêm cơ quan này vào danh bạ" in page
    response = client.post(
        reverse("plans:agency_create", args=[job.pk]),
        {"name": "Trung tâm Điều hành đô thị thông minh tỉnh"},
        HTTP_ACCEPT="application/json",
    )
    created = Agency.objects.get(province=job.document.province, name="Trung tâm Điều hành đô thị thông minh tỉnh")
    assert response.json() == {"value": f"agency:{created.pk}", "label": created.name}
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Tên cơ quan chưa xác định" not in page
    confirm(client, job)
    task = Task.objects.get(document=job.document)
    assert [a.agency for a in task.assignments.all()] == [created]


def test_creating_a_name_the_directory_has_is_refused(client, job):
    make_province_admin(User.objects.get(username="sonoivu"))
    response = client.post(
        reverse("plans:agency_create", args=[job.pk]), {"name": "sở tư pháp"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400 and "đã có trong danh bạ" in response.json()["error"]


def test_only_a_province_administrator_creates_agencies(client, job):
    revoke_province_admin(User.objects.get(username="sonoivu"))  # still a reviewer who imports
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Thêm cơ quan này vào danh bạ" not in page
    response = client.post(reverse("plans:agency_create", args=[job.pk]), {"name": "Cơ quan mới"})
    assert response.status_code == 403 and not Agency.objects.filter(name="Cơ quan mới").exists()
