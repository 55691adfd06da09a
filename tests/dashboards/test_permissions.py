"""Who sees which dashboard: checked on the server, for the pages and the exports alike."""

import pytest
from django.urls import reverse

from agencies.models import Agency, Province, Role
from tests.conftest import make_user
from tests.dashboards.conftest import agency

pytestmark = pytest.mark.django_db

PAGES = ["dashboard:overview", "dashboard:tasks", "dashboard:export_xlsx", "dashboard:export_docx"]


def get(client, name, **params):
    params.setdefault("period", "quarter-1")
    return client.get(reverse(name), {k: str(v) for k, v in params.items()})


@pytest.fixture
def binh_dinh_reviewer(demo):
    home_affairs = Agency.objects.get(province__code="binh-dinh", name="Sở Nội vụ")
    return make_user("bd_reviewer", home_affairs, Role.REVIEWER)


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, plan, name):
    response = get(client, name, document=plan.pk)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
def test_reviewers_of_another_province_get_404(client, plan, binh_dinh_reviewer, name):
    client.force_login(binh_dinh_reviewer)
    assert get(client, name, document=plan.pk).status_code == 404
    assert get(client, name, agency=agency("Sở Tư pháp").pk).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_an_agency_user_cannot_open_another_agency(client, plan, sotuphap, name):
    client.force_login(sotuphap)
    assert get(client, name, document=plan.pk, agency=agency("Văn phòng UBND tỉnh").pk).status_code == 404
    assert get(client, name, document=plan.pk, agency=agency("Sở Tư pháp").pk).status_code == 200
    assert get(client, name, document=plan.pk).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_reviewers_open_any_agency_of_their_province(client, plan, sonoivu, vpubnd, name):
    for reviewer in (sonoivu, vpubnd):
        client.force_login(reviewer)
        assert get(client, name, document=plan.pk).status_code == 200
        assert get(client, name, document=plan.pk, agency=agency("Sở Tư pháp").pk).status_code == 200


def test_an_agency_users_figures_are_its_own_even_without_asking(client, plan, sotuphap, may_first):
    client.force_login(sotuphap)
    context = client.get(reverse("dashboard:overview")).context
    assert context["scope"].agency.name == "Sở Tư pháp"
    assert context["total"]["count"].text == "55"  # its shares, not the province's 56 tasks


def test_exports_of_an_agency_user_hold_its_shares_only(client, plan, sotuphap, may_first):
    import io

    import openpyxl

    client.force_login(sotuphap)
    response = get(client, "dashboard:export_xlsx", document=plan.pk)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Phụ lục"]
    assert sheet.cell(row=6, column=5).value == "Vai trò của cơ quan"
    task_rows = [row for row in sheet.iter_rows(min_row=7, values_only=True) if row[6]]  # rows with a status
    assert len(task_rows) == 55  # VIII.4 is not Sở Tư pháp's
    assert sum(row[4] == "Chủ trì" for row in task_rows) == 12
    assert sum(row[4] == "Phối hợp" for row in task_rows) == 43


def test_malformed_ids_are_missing_pages(client, plan, sonoivu):
    client.force_login(sonoivu)
    assert client.get(reverse("dashboard:overview"), {"document": "abc"}).status_code == 404
    assert client.get(reverse("dashboard:overview"), {"agency": "-3"}).status_code == 404
    assert client.get(reverse("dashboard:tasks"), {"document": plan.pk, "section": "x"}).status_code == 404
    other_section = Province.objects.get(code="tuyen-quang").documents.first().sections.first()
    assert client.get(reverse("dashboard:tasks"), {"document": plan.pk, "section": other_section.pk}).status_code == 404


def test_an_unknown_period_is_not_an_export(client, plan, sonoivu):
    client.force_login(sonoivu)
    assert get(client, "dashboard:export_xlsx", document=plan.pk, period="quarter-5").status_code == 404
    assert get(client, "dashboard:export_docx", document=plan.pk, period="week-1").status_code == 404


def test_followed_documents_are_those_the_reviewers_agency_follows(client, plan, vpubnd, may_first):
    """Văn phòng UBND tỉnh keeps to the documents it follows (Document.followed_by) with ?followed=1."""
    client.force_login(vpubnd)
    context = client.get(reverse("dashboard:overview"), {"year": 2024, "followed": 1}).context
    assert [d.pk for d in context["scope"].documents] == [plan.pk]
    plan.followed_by.remove(agency("Văn phòng UBND tỉnh"))
    context = client.get(reverse("dashboard:overview"), {"year": 2024, "followed": 1}).context
    assert context["scope"].documents == [] and context["total"]["count"].text == "0"
    assert client.get(reverse("dashboard:overview"), {"year": 2024}).context["total"]["count"].text == "56"


def test_an_administrator_chooses_the_province(client, plan, may_first):
    from agencies.models import User

    client.force_login(User.objects.get(username="admin"))
    response = client.get(reverse("dashboard:overview"), {"province": plan.province_id, "year": 2024})
    assert response.status_code == 200 and response.context["total"]["count"].text == "56"
    tuyen_quang = Province.objects.get(code="tuyen-quang")
    response = client.get(reverse("dashboard:overview"), {"province": tuyen_quang.pk})
    assert response.context["scope"].province == tuyen_quang and response.context["scope"].year == 2021
    assert client.get(reverse("dashboard:overview"), {"province": 999999}).status_code == 404
    docx = client.get(reverse("dashboard:export_docx"), {"document": plan.pk, "period": "quarter-1"})
    assert docx.status_code == 200
    import io

    import docx as word

    header = word.Document(io.BytesIO(docx.content)).tables[0].rows[0].cells[0].text.split("\n")
    assert header[1] == "SỞ NỘI VỤ"  # the administrator has no agency: the province's Sở Nội vụ signs


def test_the_province_is_chosen_by_its_readable_code_too(client, plan, may_first):
    """Issue 12: ?province=dak-lak; Đắk Lắk's page includes Phú Yên's documents (merged into it)."""
    from agencies.models import User

    client.force_login(User.objects.get(username="admin"))
    response = client.get(reverse("dashboard:overview"), {"province": "dak-lak", "year": 2024})
    assert response.status_code == 200 and response.context["scope"].province.code == "dak-lak"
    assert plan in response.context["scope"].documents
    assert client.get(reverse("dashboard:overview"), {"province": "dak lak"}).status_code == 404
