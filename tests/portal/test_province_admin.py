"""The province administrator ("Quản trị cấp tỉnh"): runs its own province in /admin/, never more.

Each attack of issue 14 is tried as it was reported, then what a province needs is shown to work.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Agency, Role, User
from agencies.roles import PROVINCE_ADMIN_GROUP, is_province_admin, make_province_admin
from plans.models import Document
from tasks.models import Assignment, Task
from tests.portal.adminworld import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def py_admin(client, demo):
    user = User.objects.get(username="sonoivu")
    client.force_login(user)
    return user


def post_import(client, model: str, text: str):
    app = "agencies" if model in ("agency", "user") else "tasks"
    upload = SimpleUploadedFile("bang.csv", text.encode())
    return client.post(reverse(f"admin:{app}_{model}_import"), {"format": "1", "resource": "0", "import_file": upload})


def confirm(client, model: str, page):
    app = "agencies" if model in ("agency", "user") else "tasks"
    return client.post(
        reverse(f"admin:{app}_{model}_process_import"), {**page.context["confirm_form"].initial, "resource": "0"}
    )


def test_the_group_exists_after_migrate_and_the_demo_reviewers_hold_it(demo):
    group = Group.objects.get(name=PROVINCE_ADMIN_GROUP)
    codes = set(group.permissions.values_list("codename", flat=True))
    assert {"add_user", "change_user", "import_user", "change_agency", "import_task", "import_assignment"} <= codes
    assert not codes & {
        "add_group",
        "change_group",
        "add_permission",
        "change_province",
        "delete_user",
        "change_periodictask",
    }
    for username in ("sonoivu", "vpubnd"):
        user = User.objects.get(username=username)
        assert is_province_admin(user) and user.is_staff and not user.is_superuser
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == ["admin"]
    call_command("migrate", verbosity=0)  # idempotent
    assert Group.objects.filter(name=PROVINCE_ADMIN_GROUP).count() == 1


def test_ticking_is_superuser_on_ones_own_form_does_nothing(client, py_admin):
    url = reverse("admin:agencies_user_change", args=[py_admin.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page and 'name="user_permissions"' not in page
    assert 'name="is_staff"' not in page
    data = form_data(page)
    data.update(is_superuser="on", is_staff="on", user_permissions=["1", "2"], first_name="Tên mới")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    py_admin.refresh_from_db()
    assert py_admin.first_name == "Tên mới" and not py_admin.is_superuser and not py_admin.user_permissions.exists()


def test_the_superuser_and_other_provinces_users_are_out_of_reach(client, py_admin):
    admin = User.objects.get(username="admin")
    tq = User.objects.create_user(
        "tq_staff", agency=Agency.objects.get(province__code="tuyen-quang", name="Sở Nội vụ"), role=Role.STAFF
    )
    listing = client.get(reverse("admin:agencies_user_changelist")).content.decode()
    assert "sotuphap" in listing and ">admin<" not in listing and "tq_staff" not in listing
    for user in (admin, tq):
        assert client.get(reverse("admin:agencies_user_change", args=[user.pk])).status_code == 302  # "does not exist"
        response = client.post(
            reverse("admin:auth_user_password_change", args=[user.pk]),
            {"password1": "Mat-khau-moi-2024", "password2": "Mat-khau-moi-2024", "usable_password": "true"},
        )
        assert response.status_code == 404
    admin.refresh_from_db()
    assert admin.check_password("demo12345")


def test_a_user_import_row_naming_the_superuser_is_refused_and_nothing_is_written(client, py_admin):
    own = Agency.objects.get(province__code="phu-yen", name="Sở Tư pháp")
    text = (
        "username,first_name,last_name,email,phone,co_quan,role,is_active\n"
        f"moi_hop_le,Người,Mới,moi@example.invalid,,{own.code},staff,1\n"
        f"admin,Chiếm,Quyền,x@example.invalid,,{own.code},admin,1\n"
    )
    page = post_import(client, "user", text)
    html = page.content.decode()
    assert page.context.get("confirm_form") is None
    assert "ngoài phạm vi quản lý" in html
    assert not User.objects.filter(username="moi_hop_le").exists()
    assert User.objects.get(username="admin").agency_id is None


def test_adding_a_user_in_another_province_is_refused(client, py_admin):
    tq = Agency.objects.get(province__code="tuyen-quang", name="Sở Nội vụ")
    data = {
        "username": "gia_mao",
        "usable_password": "true",
        "password1": "Mat-khau-dai-2024",
        "password2": "Mat-khau-dai-2024",
        "agency": tq.pk,
        "role": "reviewer",
    }
    response = client.post(reverse("admin:agencies_user_add"), data)
    assert response.status_code == 200 and not User.objects.filter(username="gia_mao").exists()
    assert (
        "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
        or "Select a valid choice" in response.content.decode()
    )


def test_a_province_admin_creates_a_user_and_makes_a_colleague_province_admin(client, py_admin):
    own = Agency.objects.get(province__code="phu-yen", name="Sở Tư pháp")
    data = {
        "username": "canbo_moi",
        "usable_password": "true",
        "password1": "Mat-khau-dai-2024",
        "password2": "Mat-khau-dai-2024",
        "agency": own.pk,
        "role": "leader",
        "province_admin": "on",
        "email": "moi@example.invalid",
        "first_name": "Cán bộ",
        "last_name": "Mới",
    }
    response = client.post(reverse("admin:agencies_user_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="canbo_moi")
    assert (user.agency, user.role, user.is_staff, user.is_superuser) == (own, "leader", True, False)
    assert is_province_admin(user)
    # …resets its password and deactivates it.
    client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "Mat-khau-khac-2025", "password2": "Mat-khau-khac-2025", "usable_password": "true"},
    )
    user.refresh_from_db()
    assert user.check_password("Mat-khau-khac-2025")
    url = reverse("admin:agencies_user_change", args=[user.pk])
    data = form_data(client.get(url).content.decode())
    data.pop("is_active", None)
    data.pop("province_admin", None)
    assert client.post(url, data).status_code == 302
    user.refresh_from_db()
    assert not user.is_active and not user.is_staff and not is_province_admin(user)


def test_an_account_with_more_rights_than_the_province_admin_is_out_of_reach(client, py_admin):
    stronger = User.objects.create_user("manh_hon", agency=py_admin.agency, role=Role.REVIEWER, is_staff=True)
    stronger.groups.add(Group.objects.create(name="Quản trị lịch chạy"))
    assert client.get(reverse("admin:agencies_user_change", args=[stronger.pk])).status_code == 302
    page = post_import(client, "user", f"username,co_quan,role\nmanh_hon,{py_admin.agency.code},staff\n")
    assert page.context.get("confirm_form") is None and "ngoài phạm vi quản lý" in page.content.decode()


def test_import_rows_cannot_move_another_provinces_objects(client, py_admin):
    tq_agency = Agency.objects.get(province__code="tuyen-quang", name="Sở Nội vụ")
    page = post_import(
        client,
        "agency",
        f"code,tinh,name,kind,level\n{tq_agency.code},phu-yen,Sở Nội vụ bị chiếm,department,province\n",
    )
    assert page.context.get("confirm_form") is None and "ngoài phạm vi quản lý" in page.content.decode()
    tq_agency.refresh_from_db()
    assert tq_agency.province.code == "tuyen-quang"
    own_document = Document.objects.get(number="275/KH-UBND")
    tq_task = Task.objects.filter(document__province__code="tuyen-quang").first()
    page = post_import(client, "task", f"id,van_ban_id,number,title\n{tq_task.pk},{own_document.pk},1,Chiếm nhiệm vụ\n")
    assert page.context.get("confirm_form") is None and "ngoài phạm vi quản lý" in page.content.decode()
    assert Task.objects.get(pk=tq_task.pk).document.province.code == "tuyen-quang"
    # Moving one's own agency out to another province is refused too (the new values).
    own = Agency.objects.get(province__code="phu-yen", name="Sở Tư pháp")
    page = post_import(
        client, "agency", f"code,tinh,name,kind,level\n{own.code},tuyen-quang,Sở Tư pháp,department,province\n"
    )
    assert page.context.get("confirm_form") is None and "Chỉ được nhập dữ liệu của tỉnh mình" in page.content.decode()


def test_a_province_admin_imports_its_own_agencies(client, py_admin):
    page = post_import(
        client,
        "agency",
        "code,tinh,name,kind,level\npy-trung-tam-so,phu-yen,Trung tâm Chuyển đổi số,public_unit,province\n",
    )
    assert page.context["confirm_form"] is not None
    confirm(client, "agency", page)
    assert Agency.objects.get(code="py-trung-tam-so").province.code == "phu-yen"


def test_agency_choices_name_their_province(client, demo):
    client.force_login(User.objects.get(username="admin"))
    assignment = Assignment.objects.filter(task__document__number="275/KH-UBND").first()
    page = client.get(reverse("admin:tasks_assignment_change", args=[assignment.pk])).content.decode()
    assert f"{assignment.agency.name} — Phú Yên" in page


def test_a_stale_assignment_form_is_refused(client, py_admin):
    assignment = Assignment.objects.filter(task__document__number="275/KH-UBND").first()
    url = reverse("admin:tasks_assignment_change", args=[assignment.pk])
    data = form_data(client.get(url).content.decode())
    Assignment.objects.filter(pk=assignment.pk).update(state="in_progress", progress=77, version=assignment.version + 1)
    data["progress"] = ["0"]
    data["state"] = ["not_started"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "đã được người khác cập nhật" in response.content.decode()
    assignment.refresh_from_db()
    assert (assignment.state, assignment.progress) == ("in_progress", 77)
    # With the page reloaded, the same change goes through.
    data = form_data(client.get(url).content.decode())
    data["progress"] = ["80"]
    assert client.post(url, data).status_code == 302
    assignment.refresh_from_db()
    assert assignment.progress == 80


def test_a_stale_assignment_import_is_refused(client, py_admin):
    assignment = Assignment.objects.filter(task__document__number="275/KH-UBND").first()
    seen = assignment.version
    Assignment.objects.filter(pk=assignment.pk).update(progress=77, state="in_progress", version=seen + 1)
    page = post_import(client, "assignment", f"id,state,progress,phien_ban\n{assignment.pk},not_started,0,{seen}\n")
    assert page.context.get("confirm_form") is None and "hãy xuất lại bảng" in page.content.decode()
    page = post_import(client, "assignment", f"id,state,progress\n{assignment.pk},not_started,0\n")
    assert page.context.get("confirm_form") is None and "phien_ban" in page.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).progress == 77


def test_make_province_admin_needs_an_agency(demo):
    user = User.objects.create_user("khong_co_quan", role=Role.ADMIN)
    with pytest.raises(ValueError):
        make_province_admin(user)
