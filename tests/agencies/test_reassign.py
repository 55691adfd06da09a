"""The admin page where a person gives the open tasks of a dissolved agency to one of its successors (issue 12,
point 5: "ask a person when it cannot be decided").

UBND huyện Tuy An (Phú Yên) ended on 30/6/2025; its wards went to five communes of Đắk Lắk, none of them main, so
``choose_successor`` leaves its tasks to a person. Đắk Lắk's province administrator sees them (Phú Yên was merged
into Đắk Lắk); Gia Lai's does not.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from agencies.models import Agency, Role, Succession, User
from agencies.roles import make_province_admin
from plans.models import Document
from tasks.models import Assignment, Task, WorkState

pytestmark = pytest.mark.django_db

URL = reverse("admin:tasks_assignment_reassign")


def province_admin(username: str, province_code: str) -> User:
    agency = Agency.objects.get(province__code=province_code, name="Sở Nội vụ")
    user = User.objects.create_user(username, password="Mat-khau-dai-12345", agency=agency, role=Role.ADMIN)
    make_province_admin(user)
    return user


@pytest.fixture
def tuy_an(demo):
    return Agency.objects.get(province__code="phu-yen", name="UBND huyện Tuy An")


@pytest.fixture
def communes(tuy_an):
    return {s.successor.name: s.successor for s in tuy_an.successions.select_related("successor")}


@pytest.fixture
def task(tuy_an):
    document = Document.objects.create(
        province=tuy_an.province,
        number="77/KH-UBND",
        title="Kế hoạch cải cách hành chính năm 2025",
        year=2025,
        issued_on=datetime.date(2025, 1, 10),
        issuer=Agency.objects.get(province__code="phu-yen", name="Sở Nội vụ"),
    )
    return Task.objects.create(document=document, number="1", title="Rà soát thủ tục hành chính cấp huyện")


@pytest.fixture
def open_part(task, tuy_an):
    return Assignment.objects.create(task=task, agency=tuy_an, state=WorkState.IN_PROGRESS, progress=30)


@pytest.fixture
def finished_part(tuy_an):
    document = Document.objects.get(number="77/KH-UBND")
    done = Task.objects.create(document=document, number="2", title="Tổng kết năm 2024")
    return Assignment.objects.create(
        task=done, agency=tuy_an, state=WorkState.DONE, progress=100, completed_on=datetime.date(2025, 3, 1)
    )


@pytest.fixture
def dak_lak_admin(demo):
    return province_admin("qt_daklak", "dak-lak")


def move(client, assignment, agency_id, version=None):
    key = f"{assignment.pk}:{assignment.version if version is None else version}:{assignment.agency_id}"
    return client.post(URL, {"shown": [key], f"to_{assignment.pk}": str(agency_id), "action": "move"})


def test_the_list_shows_a_split_districts_open_assignment_and_not_a_finished_one(
    client, dak_lak_admin, open_part, finished_part, communes
):
    client.force_login(dak_lak_admin)
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Rà soát thủ tục hành chính cấp huyện" in body
    assert "Tổng kết năm 2024" not in body
    assert "Cần người quyết định" in body
    assert "UBND xã Ô Loan" in body  # a successor offered as a choice
    assert f'value="{open_part.pk}:{open_part.version}:{open_part.agency_id}"' in body


def test_moving_it_to_a_successor_commune_changes_the_agency_and_records_who(
    client, dak_lak_admin, open_part, communes
):
    o_loan = communes["UBND xã Ô Loan"]
    client.force_login(dak_lak_admin)
    response = move(client, open_part, o_loan.pk)
    assert response.status_code == 302
    open_part.refresh_from_db()
    assert open_part.agency == o_loan
    assert (open_part.state, open_part.progress, open_part.version) == (WorkState.IN_PROGRESS, 30, 2)
    latest = Assignment.history.filter(id=open_part.pk).order_by("-history_id").first()
    assert (latest.agency_id, latest.history_user) == (o_loan.pk, dak_lak_admin)
    after = client.get(URL).content.decode()
    assert (
        "Đã chuyển UBND huyện Tuy An – nhiệm vụ 1 “Rà soát thủ tục hành chính cấp huyện” sang UBND xã Ô Loan" in after
    )
    assert f'name="to_{open_part.pk}"' not in after  # no longer waiting


def test_one_choice_for_every_row_of_an_ended_agency(client, dak_lak_admin, open_part, task, tuy_an, communes):
    second = Assignment.objects.create(
        task=Task.objects.create(document=task.document, number="3", title="Kiểm tra công vụ"), agency=tuy_an
    )
    target = communes["UBND xã Tuy An Bắc"]
    client.force_login(dak_lak_admin)
    keys = [f"{a.pk}:{a.version}:{tuy_an.pk}" for a in (open_part, second)]
    response = client.post(URL, {"shown": keys, f"all_{tuy_an.pk}": str(target.pk), "action": "move"})
    assert response.status_code == 302
    assert set(Assignment.objects.filter(pk__in=[open_part.pk, second.pk]).values_list("agency_id", flat=True)) == {
        target.pk
    }


def test_a_choice_that_is_not_a_successor_is_refused_naming_the_row_and_nothing_is_written(
    client, dak_lak_admin, open_part, communes
):
    stranger = Agency.objects.get(province__code="dak-lak", name="Sở Tư pháp")
    history_before = Assignment.history.count()
    client.force_login(dak_lak_admin)
    response = move(client, open_part, stranger.pk)
    assert response.status_code == 400
    body = response.content.decode()
    assert "không phải là đơn vị kế thừa của UBND huyện Tuy An" in body
    assert "Rà soát thủ tục hành chính cấp huyện" in body  # the row is named
    open_part.refresh_from_db()
    assert (open_part.agency.name, open_part.version) == ("UBND huyện Tuy An", 1)
    assert Assignment.history.count() == history_before


def test_one_refused_row_refuses_the_whole_batch(client, dak_lak_admin, open_part, task, tuy_an, communes):
    other = Assignment.objects.create(
        task=Task.objects.create(document=task.document, number="4", title="Số hóa hồ sơ"), agency=tuy_an
    )
    client.force_login(dak_lak_admin)
    data = {
        "shown": [f"{open_part.pk}:1:{tuy_an.pk}", f"{other.pk}:1:{tuy_an.pk}"],
        f"to_{open_part.pk}": str(communes["UBND xã Ô Loan"].pk),
        f"to_{other.pk}": str(Agency.objects.get(province__code="dak-lak", name="Sở Tư pháp").pk),
        "action": "move",
    }
    assert client.post(URL, data).status_code == 400
    assert set(Assignment.objects.filter(pk__in=[open_part.pk, other.pk]).values_list("agency_id", flat=True)) == {
        tuy_an.pk
    }


def test_a_stale_version_is_refused_rather_than_overwritten(client, dak_lak_admin, open_part, communes):
    shown_version = open_part.version
    open_part.progress = 60
    open_part.save(update_fields=["progress"])  # someone reported after the page was shown
    client.force_login(dak_lak_admin)
    response = move(client, open_part, communes["UBND xã Ô Loan"].pk, version=shown_version)
    assert response.status_code == 400
    assert "đã được cập nhật sau khi trang này được mở" in response.content.decode()
    open_part.refresh_from_db()
    assert (open_part.agency.name, open_part.progress) == ("UBND huyện Tuy An", 60)


def test_the_rule_moves_what_it_can_decide_and_says_where(client, dak_lak_admin, open_part, tuy_an, communes):
    Succession.objects.filter(predecessor=tuy_an, successor=communes["UBND xã Tuy An Nam"]).update(is_main=True)
    client.force_login(dak_lak_admin)
    body = client.get(URL).content.decode()
    assert "Sẽ chuyển cho UBND xã Tuy An Nam" in body
    assert "Sở Tư pháp — Phú Yên" in body  # the merged departments of the demo plan follow their one successor
    response = client.post(f"{URL}?agency={tuy_an.pk}", {"action": "rule"})
    assert response.status_code == 302
    open_part.refresh_from_db()
    assert open_part.agency == communes["UBND xã Tuy An Nam"]
    latest = Assignment.history.filter(id=open_part.pk).order_by("-history_id").first()
    assert latest.history_user == dak_lak_admin


def test_the_rule_leaves_what_it_cannot_decide_to_a_person(client, dak_lak_admin, open_part, tuy_an):
    client.force_login(dak_lak_admin)
    response = client.post(f"{URL}?agency={tuy_an.pk}", {"action": "rule"})
    assert response.status_code == 400
    assert "Chưa chọn phân công nào để chuyển." in response.content.decode()
    open_part.refresh_from_db()
    assert open_part.agency == tuy_an


def test_another_provinces_admin_neither_sees_nor_moves(client, open_part, tuy_an, communes):
    gia_lai_admin = province_admin("qt_gialai", "gia-lai")
    client.force_login(gia_lai_admin)
    assert "Rà soát thủ tục hành chính cấp huyện" not in client.get(URL).content.decode()
    assert client.get(URL, {"agency": tuy_an.pk}).status_code == 404
    assert move(client, open_part, communes["UBND xã Ô Loan"].pk).status_code == 404
    open_part.refresh_from_db()
    assert open_part.agency == tuy_an


def test_staff_without_the_role_gets_403(client, open_part):
    user = User.objects.create_user(
        "chi_staff", agency=Agency.objects.get(province__code="dak-lak", name="Sở Nội vụ"), is_staff=True
    )
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_the_superuser_sees_and_moves(client, open_part, communes):
    superuser = User.objects.get(username="admin")
    client.force_login(superuser)
    assert "Rà soát thủ tục hành chính cấp huyện" in client.get(URL).content.decode()
    assert move(client, open_part, communes["UBND xã Ô Loan"].pk).status_code == 302
    open_part.refresh_from_db()
    assert open_part.agency == communes["UBND xã Ô Loan"]


def test_the_ended_agencys_page_and_the_app_index_link_to_it(client, tuy_an, open_part):
    client.force_login(User.objects.get(username="admin"))
    change = client.get(reverse("admin:agencies_agency_change", args=[tuy_an.pk])).content.decode()
    assert f"{URL}?agency={tuy_an.pk}" in change
    assert URL in client.get(reverse("admin:app_list", args=["agencies"])).content.decode()
    only = client.get(URL, {"agency": tuy_an.pk})
    assert only.status_code == 200 and "Rà soát thủ tục hành chính cấp huyện" in only.content.decode()
