"""The admin: every model reachable, Vietnamese, accent-insensitive search, scoped to the province."""

import pytest
from django.urls import reverse

from agencies.models import Role, User
from plans.models import Document

pytestmark = pytest.mark.django_db

MODELS = [
    "agencies/province",
    "agencies/agency",
    "agencies/agencygroup",
    "agencies/alias",
    "agencies/user",
    "plans/document",
    "plans/section",
    "plans/reportingduty",
    "plans/periodicreport",
    "tasks/task",
    "tasks/assignment",
    "tasks/progressupdate",
    "tasks/evidence",
    "indicators/indicator",
    "indicators/target",
    "indicators/measurement",
]


@pytest.fixture
def admin_client(client, demo):
    client.force_login(User.objects.get(username="admin"))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_model_has_a_changelist_and_an_add_page(admin_client, model):
    app, name = model.split("/")
    assert admin_client.get(reverse(f"admin:{app}_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{app}_{name}_add")).status_code == 200


def test_admin_speaks_vietnamese(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Quản trị Cổng CCHC" in page
    assert "Cơ quan, đơn vị" in page or "cơ quan, đơn vị" in page.lower()


def test_search_without_accents_finds_agencies(admin_client):
    page = admin_client.get(reverse("admin:agencies_agency_changelist"), {"q": "so noi vu"}).content.decode()
    assert "Sở Nội vụ" in page
    assert "Sở Tư pháp" not in page


def test_search_tasks_without_accents(admin_client):
    page = admin_client.get(reverse("admin:tasks_task_changelist"), {"q": "cong du lieu mo"}).content.decode()
    assert "Cổng dữ liệu mở tỉnh Phú Yên" in page


def test_a_task_shows_its_assignments_inline_and_a_document_its_sections(admin_client):
    plan = Document.objects.get(number="275/KH-UBND")
    task = plan.tasks.get(section__number="II", number="1")
    page = admin_client.get(reverse("admin:tasks_task_change", args=[task.pk])).content.decode()
    assert "Sở Tư pháp" in page and "assignments-TOTAL_FORMS" in page
    page = admin_client.get(reverse("admin:plans_document_change", args=[plan.pk])).content.decode()
    assert "Cải cách thể chế" in page
    assert f"section__id__exact={plan.sections.get(number='II').pk}" in page


def test_a_province_admin_sees_only_its_province(client, demo):
    from django.contrib.auth.models import Permission

    from agencies.models import Agency

    agency = Agency.objects.get(province__code="tuyen-quang", name="Sở Nội vụ")
    user = User.objects.create_user("tq_admin", password="x-12345-y", agency=agency, role=Role.ADMIN, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_document", "view_task", "view_agency"]))
    client.force_login(user)
    page = client.get(reverse("admin:plans_document_changelist")).content.decode()
    assert "4918/UBND-NC" in page and "275/KH-UBND" not in page
    plan = Document.objects.get(number="275/KH-UBND")
    assert client.get(reverse("admin:plans_document_change", args=[plan.pk])).status_code in (302, 404)
