"""A province administrator picks the central level (ministries, Văn phòng Chính phủ…, which belong to no province)
where a task, a group, an alias or a document may name it, in the admin's autocomplete and in the import's
search as you type, but cannot edit it (issue 12, point 3)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Agency, User
from plans.models import Document, ImportJob
from tests.plans import tablefiles

pytestmark = pytest.mark.django_db


@pytest.fixture
def province_admin(client, demo):
    client.force_login(User.objects.get(username="sonoivu"))  # a province administrator (demo)
    return client


def autocomplete(client, model: str, field: str, term: str) -> list[str]:
    app_label, model_name = model.split(".")
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field, "term": term},
    )
    assert response.status_code == 200
    return [item["text"] for item in json.loads(response.content)["results"]]


def test_the_admin_autocomplete_offers_the_central_level_where_a_task_may_name_it(province_admin):
    assert "Bộ Công an — Trung ương" in autocomplete(province_admin, "tasks.assignment", "agency", "cong an")
    assert "Văn phòng Chính phủ — Trung ương" in autocomplete(
        province_admin, "agencies.agencygroup", "members", "chinh phu"
    )
    assert "Bộ Công an — Trung ương" in autocomplete(province_admin, "plans.document", "issuer", "cong an")
    # Never as an account's agency, nor another province's units.
    assert not any("Trung ương" in t for t in autocomplete(province_admin, "agencies.user", "agency", "cong an"))
    assert not any("Gia Lai" in t for t in autocomplete(province_admin, "tasks.assignment", "agency", "so noi vu"))


def test_a_central_agency_chosen_in_a_form_is_accepted(province_admin):
    """The national group holds ministries: its change form must accept them as members."""
    from django.contrib.admin.sites import site

    from agencies.models import AgencyGroup

    group = AgencyGroup.objects.get(province__code="phu-yen", kind="departments")
    request = province_admin.get(reverse("admin:agencies_agencygroup_change", args=[group.pk])).wsgi_request
    model_admin = site._registry[AgencyGroup]
    form = model_admin.get_form(request, group)
    police = Agency.objects.get(province__is_central=True, name="Bộ Công an")
    assert form.base_fields["members"].queryset.filter(pk=police.pk).exists()
    assert not form.base_fields["members"].queryset.filter(province__code="gia-lai").exists()


def test_the_central_level_stays_read_only_for_a_province_admin(province_admin):
    police = Agency.objects.get(province__is_central=True, name="Bộ Công an")
    url = reverse("admin:agencies_agency_change", args=[police.pk])
    assert province_admin.get(url).status_code in (302, 404)
    province_admin.post(url, {"name": "Bộ Công an (đã sửa)", "province": police.province_id, "code": police.code})
    police.refresh_from_db()
    assert police.name == "Bộ Công an"
    changelist = province_admin.get(reverse("admin:agencies_agency_changelist"), {"q": "cong an"}).content.decode()
    assert "Bộ Công an" not in changelist


def test_the_imports_search_as_you_type_offers_the_central_level(province_admin, demo):
    document = Document.objects.create(
        province=demo.province, doc_type="plan", number="31/KH-UBND", title="Kế hoạch", year=2024
    )
    data = tablefiles.xlsx(
        [["PHỤ LỤC"], [], ["STT", "Nhiệm vụ", "Cơ quan chủ trì"], ["1", "Đề án 06", "Cục Cảnh sát QLHC về TTXH"]]
    )
    province_admin.post(
        reverse("plans:import_start", args=[document.pk]),
        {"kind": "tasks", "file": SimpleUploadedFile("a.xlsx", data)},
    )
    job = ImportJob.objects.get(document=document)
    found = json.loads(province_admin.get(reverse("plans:agency_search", args=[job.pk]), {"q": "cong an"}).content)
    labels = [row["label"] for row in found["results"]]
    assert "Bộ Công an — Trung ương" in labels
    assert "—" not in labels[0]  # the province's own units first
    police = Agency.objects.get(province__is_central=True, name="Bộ Công an")
    province_admin.post(
        reverse("plans:import_confirm", args=[job.pk]),
        {"name_1": "Cục Cảnh sát QLHC về TTXH", "map_1": f"agency:{police.pk}"},
    )
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.error
    assert document.tasks.get().assignments.get().agency == police
