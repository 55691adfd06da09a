"""The merger history at work: a successor province's reviewers follow their predecessors' documents and tasks, a
task of a merged department follows it to its successor, and the accounts of an agency that ended can no longer act
(their history stays)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from agencies.models import Agency, Province, Role, User
from plans.models import Document
from tasks.models import Assignment, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def dak_lak_reviewer(demo):
    agency = Agency.objects.get(province__code="dak-lak", name="Sở Nội vụ")
    return User.objects.create_user("dl_snv", password="x-12345-abcdef", agency=agency, role=Role.REVIEWER)


@pytest.fixture
def locked(settings):
    settings.DISSOLVED_ACCOUNTS_LOCKED = True  # the rule in production; the 2024 test world turns it off


def test_the_successor_provinces_reviewer_sees_its_predecessors_documents_and_tasks(
    client, demo, dak_lak_reviewer, locked
):
    sonoivu = dak_lak_reviewer
    assert demo.province.code == "phu-yen"
    assert Document.objects.for_user(sonoivu).filter(pk=demo.pk).exists()
    assert Task.objects.for_user(sonoivu).filter(document=demo).count() == 56
    assert Assignment.objects.for_user(sonoivu).filter(task__document=demo).exists()
    client.force_login(sonoivu)
    assert client.get(reverse("plans:document", args=[demo.pk])).status_code == 200
    task = demo.tasks.first()
    assert client.get(reverse("tasks:detail", args=[task.pk])).status_code == 200


def test_another_provinces_reviewer_does_not(client, demo):
    gia_lai = Agency.objects.get(province__code="gia-lai", name="Sở Nội vụ")
    reviewer = User.objects.create_user("gl", password="x-12345-abcdef", agency=gia_lai, role=Role.REVIEWER)
    assert not Document.objects.for_user(reviewer).filter(pk=demo.pk).exists()
    assert not Task.objects.for_user(reviewer).filter(document=demo).exists()
    # Gia Lai sees Bình Định's, which merged into it.
    assert Document.objects.for_user(reviewer).filter(province__code="binh-dinh").exists()
    client.force_login(reviewer)
    assert client.get(reverse("plans:document", args=[demo.pk])).status_code == 404


def test_a_task_of_a_merged_department_follows_it_to_the_successor(demo):
    """Phú Yên's Sở TT&TT merged into its Sở KH&CN (1/3/2025), which passed to Đắk Lắk's (1/7/2025)."""
    old = Agency.objects.get(province__code="phu-yen", name="Sở Thông tin và Truyền thông")
    successor = Agency.objects.get(province__code="dak-lak", name="Sở Khoa học và Công nghệ")
    assert old.current(datetime.date(2026, 1, 1)) == successor
    staff = User.objects.create_user("khcn", password="x-12345-abcdef", agency=successor, role=Role.STAFF)
    given = Task.objects.filter(document=demo, assignments__agency=old)
    assert given.exists()
    assert set(Task.objects.for_user(staff).filter(document=demo)) >= set(given)


def test_the_demo_staff_follow_phu_yens_justice_tasks(demo):
    from cchc_portal.demo import load_demo

    load_demo(create_users=True)  # as `make run` does: the demo users in Đắk Lắk
    sotuphap = User.objects.get(username="sotuphap")
    assert sotuphap.agency.province.code == "dak-lak"
    phu_yen_justice = Agency.objects.get(province__code="phu-yen", name="Sở Tư pháp")
    assert phu_yen_justice.successor == sotuphap.agency
    assert Task.objects.for_user(sotuphap).filter(assignments__agency=phu_yen_justice).exists()


@pytest.fixture
def dissolved_account(demo):
    agency = Agency.objects.get(province__code="phu-yen", name="Sở Nội vụ")
    assert agency.valid_to == datetime.date(2025, 6, 30)
    return User.objects.create_user("py_cu", password="mat-khau-12345", agency=agency, role=Role.REVIEWER)


def sign_in(client) -> bool:
    response = client.post(reverse("login"), {"username": "py_cu", "password": "mat-khau-12345"})
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_an_account_of_a_dissolved_agency_cannot_sign_in_or_act(client, dissolved_account, locked):
    assert dissolved_account.agency_dissolved
    assert not sign_in(client)
    client.force_login(dissolved_account)  # a session opened before the end date
    response = client.get(reverse("tasks:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert User.objects.filter(pk=dissolved_account.pk).exists()  # its history stays


def test_before_its_end_date_the_account_still_acts(client, dissolved_account, time_machine, locked):
    time_machine.move_to(datetime.datetime(2025, 6, 15, 9, 0))
    assert not dissolved_account.agency_dissolved
    assert sign_in(client)


def test_the_admin_flags_accounts_of_dissolved_agencies(admin_client, dissolved_account, dak_lak_reviewer):
    url = reverse("admin:agencies_user_changelist")
    page = admin_client.get(url, {"ended": "yes"}).content.decode()
    assert "py_cu" in page and "Đã kết thúc ngày 30/06/2025" in page
    assert "dl_snv" not in page
    assert "dl_snv" in admin_client.get(url, {"ended": "no"}).content.decode()


def test_the_admin_lists_the_successors_of_a_split_department(admin_client, demo):
    old = Agency.objects.get(province__code="dak-lak", name="Sở Lao động - Thương binh và Xã hội")
    page = admin_client.get(reverse("admin:agencies_agency_change", args=[old.pk])).content.decode()
    assert "giáo dục nghề nghiệp" in page


def test_province_scope_costs_no_query_of_its_own(demo, dak_lak_reviewer, django_assert_num_queries):
    sonoivu = User.objects.get(pk=dak_lak_reviewer.pk)
    with django_assert_num_queries(1):
        list(Document.objects.for_user(sonoivu).values_list("pk", flat=True))
    assert Province.objects.get(code="phu-yen").successor == sonoivu.agency.province


def test_the_successor_provinces_reviewers_are_told_about_their_predecessors_documents(demo, dak_lak_reviewer):
    from cchc_portal.notifications.events import reviewers_of

    assert dak_lak_reviewer in reviewers_of(demo)
    gia_lai = Agency.objects.get(province__code="gia-lai", name="Sở Nội vụ")
    stranger = User.objects.create_user("gl2", password="x-12345-abcdef", agency=gia_lai, role=Role.REVIEWER)
    assert stranger not in reviewers_of(demo)
