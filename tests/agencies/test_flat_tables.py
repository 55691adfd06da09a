"""Flat tables in the admin (django-import-export): export safely, import with a preview and a confirm step."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Agency, Alias, User
from core.exports import neutralise

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, demo):
    client.force_login(User.objects.get(username="admin"))
    return client


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+84 905", "'+84 905"),
        ("-Sở", "'-Sở"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Sở Nội vụ", "Sở Nội vụ"),
        (-5, -5),
        (3.5, 3.5),
        (None, None),
        ("", ""),
    ],
)
def test_cells_that_look_like_formulas_become_text(value, expected):
    assert neutralise(value) == expected


def export_xlsx(client, model: str) -> list[tuple]:
    """Export as the admin does: the form lists the columns, all ticked."""
    form = client.get(reverse(f"admin:agencies_{model}_export")).context["form"]
    ticked = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(reverse(f"admin:agencies_{model}_export"), {"format": "0", "resource": "0", **ticked})
    assert response.status_code == 200, response.content[:500]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def test_agency_export_neutralises_formula_like_names(admin_client):
    agency = Agency.objects.get(province__code="phu-yen", name="Sở Tư pháp")
    Alias.objects.create(province=agency.province, text='=HYPERLINK("http://x")', agency=agency)
    rows = export_xlsx(admin_client, "agency")
    header, *data = rows
    assert header[:3] == ("code", "tinh", "name")
    row = next(r for r in data if r[2] == "Sở Tư pháp" and r[1] == "phu-yen")
    assert "=HYPERLINK" in row[header.index("ten_goi_khac")]
    assert all(not (isinstance(c, str) and c.startswith(("=", "+", "-", "@"))) for r in data for c in r)
    hyperlink_first = Agency.objects.create(province=agency.province, code="py-x", name="=HYPERLINK(1)")
    rows = export_xlsx(admin_client, "agency")
    assert next(r for r in rows if r[0] == hyperlink_first.code)[2] == "'=HYPERLINK(1)"


def test_agency_import_previews_then_confirms(admin_client):
    csv = (
        "code,tinh,name,short_name,kind,level,co_quan_cap_tren,hieu_luc_tu,hieu_luc_den,co_quan_ke_thua,email,ten_goi_khac\n"
        "py-trung-tam-moi,phu-yen,Trung tâm Chuyển đổi số tỉnh,TTCĐS,public_unit,province,,01/03/2025,,,,TT CĐS; Trung tâm CĐS\n"
    )
    url = reverse("admin:agencies_agency_import")
    page = admin_client.post(
        url, {"format": "1", "resource": "0", "import_file": SimpleUploadedFile("co-quan.csv", csv.encode())}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Trung tâm Chuyển đổi số tỉnh" in html
    assert not Agency.objects.filter(code="py-trung-tam-moi").exists()  # a preview writes nothing
    confirm = page.context["confirm_form"].initial
    done = admin_client.post(reverse("admin:agencies_agency_process_import"), {**confirm, "resource": "0"}, follow=True)
    assert done.status_code == 200
    agency = Agency.objects.get(code="py-trung-tam-moi")
    assert (agency.kind, agency.valid_from.isoformat(), agency.province.code) == (
        "public_unit",
        "2025-03-01",
        "phu-yen",
    )
    assert set(agency.aliases.values_list("text", flat=True)) == {"TT CĐS", "Trung tâm CĐS"}


def test_a_bad_row_is_reported_with_its_field_and_nothing_is_written(admin_client):
    csv = (
        "code,tinh,name,short_name,kind,level,co_quan_cap_tren,hieu_luc_tu,hieu_luc_den,co_quan_ke_thua,email,ten_goi_khac\n"
        "py-ok,phu-yen,Đơn vị hợp lệ,,department,province,,,,,,\n"
        "py-bad,phu-yen,Đơn vị lỗi,,department,province,,31/12/2025,01/01/2025,,,\n"
    )
    page = admin_client.post(
        reverse("admin:agencies_agency_import"),
        {"format": "1", "resource": "0", "import_file": SimpleUploadedFile("x.csv", csv.encode())},
    )
    html = page.content.decode()
    assert "Đơn vị lỗi" in html or "py-bad" in html
    assert "confirm_form" not in page.context or page.context.get("confirm_form") is None
    assert not Agency.objects.filter(code__in=["py-ok", "py-bad"]).exists()


def test_user_export_has_no_passwords(admin_client):
    header, *data = export_xlsx(admin_client, "user")
    assert "password" not in header
    assert any(r[0] == "sotuphap" for r in data)


def test_import_and_export_need_their_own_permission(client, demo):
    from django.contrib.auth.models import Permission

    from agencies.models import Role

    agency = Agency.objects.get(province__code="phu-yen", name="Sở Nội vụ")
    clerk = User.objects.create_user("clerk", agency=agency, role=Role.ADMIN, is_staff=True)
    clerk.user_permissions.set(Permission.objects.filter(codename__in=["view_agency", "change_agency"]))
    client.force_login(clerk)
    assert client.get(reverse("admin:agencies_agency_import")).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="import_agency"))
    assert client.get(reverse("admin:agencies_agency_import")).status_code == 200


def test_an_admin_cannot_import_rows_of_another_province(client, demo):
    from django.contrib.auth.models import Permission

    from agencies.models import Role

    tq = Agency.objects.get(province__code="tuyen-quang", name="Sở Nội vụ")
    clerk = User.objects.create_user("tq_clerk", agency=tq, role=Role.ADMIN, is_staff=True)
    clerk.user_permissions.set(
        Permission.objects.filter(codename__in=["view_agency", "add_agency", "change_agency", "import_agency"])
    )
    client.force_login(clerk)
    csv = "code,tinh,name,kind,level\npy-la,phu-yen,Đơn vị lạ,department,province\n"
    page = client.post(
        reverse("admin:agencies_agency_import"),
        {"format": "1", "resource": "0", "import_file": SimpleUploadedFile("x.csv", csv.encode())},
    )
    assert "Chỉ được nhập dữ liệu của tỉnh mình" in page.content.decode()
    assert page.context.get("confirm_form") is None
    assert not Agency.objects.filter(code="py-la").exists()
