"""The list "Nhiệm vụ của đơn vị": what each user sees, the filters, the order by urgency, the colours, the pages."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, AgencyGroup, Role, User
from plans.models import Document
from tasks import services
from tasks.models import Assignment, AssignmentRole, OfficialStatus, Task, WorkState
from tasks.pages import list_summary
from tests.conftest import make_agency, make_user

pytestmark = pytest.mark.django_db
URL = reverse("tasks:list")
D = datetime.date
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def on(time_machine, day: datetime.date) -> None:
    time_machine.move_to(datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=VN), tick=False)


def listed(response) -> list[Assignment]:
    """Every assignment the list would show over all its pages."""
    return list(response.context["paginator"].object_list)


def numbers(response) -> list[str]:
    return [a.task.full_number for a in response.context["assignments"]]


@pytest.fixture
def sotuphap(demo):
    return User.objects.get(username="sotuphap")


@pytest.fixture
def sonoivu(demo):
    return User.objects.get(username="sonoivu")


# --- who sees what --------------------------------------------------------------------------------


def test_staff_see_their_agencys_tasks_with_lead_and_cooperating_apart(client, sotuphap):
    client.force_login(sotuphap)
    response = client.get(URL)
    page = response.content.decode()

    rows = listed(response)
    assert {a.agency_id for a in rows} == {sotuphap.agency_id}
    assert len(rows) == Assignment.objects.filter(agency=sotuphap.agency).count()
    counts = response.context["counts"]
    assert counts["lead"] == Assignment.objects.filter(agency=sotuphap.agency, role=AssignmentRole.LEAD).count() > 0
    assert counts["cooperating"] == len(rows) - counts["lead"] > 0
    assert f'Chủ trì <span class="count">{counts["lead"]}</span>' in page
    assert f'Phối hợp <span class="count">{counts["cooperating"]}</span>' in page

    leads = listed(client.get(URL, {"role": "lead"}))
    assert leads and {a.role for a in leads} == {AssignmentRole.LEAD}
    assert '<span class="role role-lead">Chủ trì</span>' in client.get(URL, {"role": "lead"}).content.decode()


def test_a_task_given_to_a_group_appears_for_each_member_with_its_own_part(client, demo, sotuphap):
    """III.4 of plan 275 is given to "Các sở, ban, ngành": Sở Tư pháp and Sở Tài chính each report their own part."""
    task = demo.tasks.get(section__number="III", number="4")
    departments = AgencyGroup.objects.get(province=demo.province, kind="departments")
    finance = Agency.objects.get(province=demo.province, name="Sở Tài chính")
    finance_staff = make_user("stc", finance, Role.STAFF)

    client.force_login(sotuphap)
    ours = [a for a in listed(client.get(URL, {"document": demo.pk})) if a.task_id == task.pk]
    client.force_login(finance_staff)
    listed_for_finance = [a for a in listed(client.get(URL, {"document": demo.pk})) if a.task_id == task.pk]
    # Sở Kế hoạch và Đầu tư merged into Sở Tài chính on 1/3/2025 (issue 12): its part follows, next to finance's own.
    theirs = [a for a in listed_for_finance if a.agency_id == finance.pk]
    assert {a.agency.name for a in listed_for_finance} == {"Sở Tài chính", "Sở Kế hoạch và Đầu tư"}

    assert len(ours) == len(theirs) == 1
    assert ours[0].pk != theirs[0].pk
    assert ours[0].group == theirs[0].group == departments
    # Every member has its part through the group, except Văn phòng UBND tỉnh, which the cell also names as
    # cooperating: it keeps that role (issue 13).
    office = Agency.objects.get(province=demo.province, name="Văn phòng UBND tỉnh")
    members = set(departments.members.values_list("pk", flat=True))
    assert members - {office.pk} == set(task.assignments.filter(group=departments).values_list("agency_id", flat=True))
    assert task.assignments.get(agency=office).role == "cooperating"


def test_reviewers_see_their_whole_province_and_nothing_else(client, sonoivu, demo):
    client.force_login(sonoivu)
    response = client.get(URL)
    rows = listed(response)
    assert len(rows) == Assignment.objects.filter(task__document__province=demo.province).count()
    assert {a.task.document.province_id for a in rows} == {demo.province_id}
    assert "Nhiệm vụ của các cơ quan trong tỉnh" in response.content.decode()


def test_a_reviewer_of_another_province_sees_none_of_phu_yens_tasks(client, demo):
    tuyen_quang = Document.objects.get(number="4918/UBND-NC").province
    reviewer = make_user("tq_reviewer", Agency.objects.filter(province=tuyen_quang).first(), Role.REVIEWER)
    client.force_login(reviewer)
    rows = listed(client.get(URL))
    assert rows and all(a.task.document.province_id == tuyen_quang.pk for a in rows)


def test_an_agency_without_tasks_is_told_so_kindly(client, province):
    client.force_login(make_user("moi", make_agency(province, "Sở Du lịch"), Role.STAFF))
    page = client.get(URL).content.decode()
    assert "Đơn vị chưa được giao nhiệm vụ nào." in page


# --- filters ---------------------------------------------------------------------------------------


def test_filter_by_document_and_section(client, sotuphap, demo):
    client.force_login(sotuphap)
    rows = listed(client.get(URL, {"document": demo.pk}))
    assert rows and {a.task.document_id for a in rows} == {demo.pk}

    section = demo.sections.get(number="II")
    response = client.get(URL, {"document": demo.pk, "section": section.pk})
    assert sorted(numbers(response)) == sorted(f"II.{n}" for n in range(1, 7))
    assert "275/KH-UBND – II. Cải cách thể chế" in response.content.decode()  # sections are named with their document


def test_text_search_ignores_accents_and_case(client, sotuphap):
    client.force_login(sotuphap)
    for text in ("ke hoach theo doi tinh hinh thi hanh phap luat", "KẾ HOẠCH theo dõi tình hình THI HÀNH"):
        assert numbers(client.get(URL, {"q": text})) == ["II.1"]


def test_reviewers_search_by_agency_name_too(client, sonoivu):
    """ "so tu phap" finds Sở Tư pháp's own work, and tasks whose text names Sở Tư pháp."""
    client.force_login(sonoivu)
    rows = listed(client.get(URL, {"q": "so tu phap", "role": "lead"}))
    justice_leads = set(
        Assignment.objects.filter(
            agency__name="Sở Tư pháp", agency__province=sonoivu.agency.province, role="lead"
        ).values_list("pk", flat=True)
    )
    assert justice_leads <= {a.pk for a in rows}
    assert all(
        a.agency.name == "Sở Tư pháp" or all(w in a.task.search_text for w in ("so", "tu", "phap")) for a in rows
    )


def test_filter_by_status_due_soon_and_overdue(client, sotuphap, demo, time_machine):
    on(time_machine, D(2024, 3, 20))
    client.force_login(sotuphap)
    ii1 = Assignment.objects.get(task=demo.tasks.get(section__number="II", number="1"), agency=sotuphap.agency)
    services.report_progress(
        ii1, sotuphap, ii1.version, services.Report(state=WorkState.IN_PROGRESS, progress=40, note="Đang soạn")
    )

    due_soon = listed(client.get(URL, {"due_within": "15"}))
    assert due_soon and all(D(2024, 3, 20) <= a.effective_due <= D(2024, 4, 4) for a in due_soon)
    assert {a.task.full_number for a in due_soon} >= {"II.1", "II.2", "II.4"}

    overdue = listed(client.get(URL, {"overdue": "on"}))
    assert overdue and all(a.status == OfficialStatus.OVERDUE for a in overdue)
    assert {a.task.full_number for a in overdue} >= {"III.1", "III.2", "III.3"}  # January and February tasks

    in_progress = listed(client.get(URL, {"status": OfficialStatus.IN_PROGRESS}))
    assert [a.task.full_number for a in in_progress] == ["II.1"]


def test_combined_filters_that_match_nothing_offer_to_clear_them(client, sotuphap):
    client.force_login(sotuphap)
    page = client.get(URL, {"q": "khong co nhiem vu nay"}).content.decode()
    assert "Không có nhiệm vụ nào khớp với bộ lọc." in page
    assert "Xóa bộ lọc" in page


# --- order, colours, pages -----------------------------------------------------------------------


@pytest.fixture
def five_tasks(plan, section, justice, staff):
    """Five tasks of Sở Tư pháp, on 1 April 2024: overdue, due soon, due later, no date, done."""

    def task(number, title, due=None, state=WorkState.NOT_STARTED, completed=None):
        t = Task.objects.create(document=plan, section=section, number=number, title=title, due_date=due)
        return Assignment.objects.create(task=t, agency=justice, state=state, completed_on=completed)

    return [
        task("1", "Việc đã xong", D(2024, 3, 1), WorkState.DONE, D(2024, 2, 20)),
        task("2", "Việc không có hạn"),
        task("3", "Việc hạn cuối năm", D(2024, 12, 31), WorkState.IN_PROGRESS),
        task("4", "Việc quá hạn", D(2024, 3, 15)),
        task("5", "Việc sắp đến hạn", D(2024, 4, 10)),
        task("6", "Việc xong muộn", D(2024, 3, 1), WorkState.DONE, D(2024, 3, 5)),
    ]


def test_the_most_urgent_work_comes_first(client, staff, five_tasks, time_machine):
    on(time_machine, D(2024, 4, 1))
    client.force_login(staff)
    titles = [a.task.title for a in client.get(URL).context["assignments"]]
    assert titles[:4] == ["Việc quá hạn", "Việc sắp đến hạn", "Việc hạn cuối năm", "Việc không có hạn"]
    assert set(titles[4:]) == {"Việc đã xong", "Việc xong muộn"}


def test_each_row_is_coloured_by_its_official_status_with_a_legend(client, staff, five_tasks, time_machine):
    on(time_machine, D(2024, 4, 1))
    client.force_login(staff)
    page = client.get(URL).content.decode()
    for status, colour in [
        ("overdue", "red"),
        ("in_progress", "blue"),
        ("not_started", "grey"),
        ("done_on_time", "green"),
        ("done_late", "orange"),
    ]:
        assert f'class="status-{status}"' in page
        assert f"dot-{colour}" in page  # the legend
    assert '<span class="badge badge-red">Quá hạn</span>' in page
    assert '<span class="badge badge-orange">Hoàn thành quá hạn</span>' in page
    assert "quá hạn 17 ngày" in page and "còn 9 ngày" in page


def test_long_lists_come_in_pages(client, sotuphap):
    client.force_login(sotuphap)
    total = Assignment.objects.filter(agency=sotuphap.agency).count()
    first = client.get(URL)
    assert len(first.context["assignments"]) == 25 < total
    second = client.get(URL, {"page": 2})
    assert not {a.pk for a in first.context["assignments"]} & {a.pk for a in second.context["assignments"]}
    assert "Trang 2/" in second.content.decode()


def test_filters_stay_when_changing_page(client, sonoivu):
    client.force_login(sonoivu)
    page = client.get(URL, {"role": "cooperating"}).content.decode()
    assert "?role=cooperating&amp;page=2" in page


# --- cost ------------------------------------------------------------------------------------------


def add_tasks(plan, section, justice, finance, author, count: int) -> None:
    """``count`` tasks, each led by Sở Tư pháp with Sở Tài chính cooperating, each with a report."""
    for i in range(count):
        task = Task.objects.create(
            document=plan,
            section=section,
            number=str(100 + Task.objects.count()),
            title=f"Nhiệm vụ {i}",
            due_date=D(2024, 1 + i % 12, 1),
        )
        lead = Assignment.objects.create(task=task, agency=justice)
        Assignment.objects.create(task=task, agency=finance, role=AssignmentRole.COOPERATING)
        services.report_progress(
            lead, author, lead.version, services.Report(state=WorkState.IN_PROGRESS, progress=10, note="x")
        )


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["staff", "reviewer"])
@pytest.mark.parametrize(
    "params", [{}, {"q": "nhiem vu", "status": "overdue", "document": "PLAN", "section": "SECTION", "due_within": "30"}]
)
def test_the_list_costs_the_same_queries_for_n_and_3n_tasks(
    client, request, persona, params, plan, section, justice, finance, staff, django_assert_num_queries
):
    user = request.getfixturevalue(persona)
    params = {k: {"PLAN": plan.pk, "SECTION": section.pk}.get(v, v) for k, v in params.items()}
    client.force_login(user)
    add_tasks(plan, section, justice, finance, staff, 4)
    with_n = count_queries(client, URL, params)
    add_tasks(plan, section, justice, finance, staff, 8)
    with django_assert_num_queries(with_n):
        client.get(URL, params)
    # session, user, (agency lineage), (the chosen document and section), the page's ids with their total (and, unfiltered,
    # the legend's counts), its rows, (filtered: the legend's counts), the top bar's work queues and unread notifications,
    # the documents, sections (and agencies) to choose from
    assert with_n <= 11


def test_the_unfiltered_list_counts_its_legend_with_its_page(client, sonoivu, django_assert_num_queries):
    """The page's ids and the tabs' and legend's counts come from one query; they agree with counting apart."""
    client.force_login(sonoivu)
    response = client.get(URL)
    assert response.context["counts"] == list_summary(sonoivu)["counts"]
    assert response.context["paginator"].count == response.context["counts"]["total"] > 25
    # session, user, the page with its counts, its rows, the top bar, the documents, sections and agencies to choose from
    with django_assert_num_queries(8):
        client.get(URL, {"role": "", "page": "2"})


def test_a_title_with_markup_is_shown_as_text(client, staff, plan, section, justice):
    task = Task.objects.create(document=plan, section=section, number="9", title='<b>Đề án</b> & "số hóa"')
    Assignment.objects.create(task=task, agency=justice)
    client.force_login(staff)
    page = client.get(URL).content.decode()
    assert "&lt;b&gt;Đề án&lt;/b&gt; &amp; &quot;số hóa&quot;" in page
    assert "<b>Đề án</b>" not in page


def test_another_provinces_document_cannot_be_chosen_as_a_filter(client, sotuphap):
    other = Document.objects.get(number="4918/UBND-NC")
    client.force_login(sotuphap)
    response = client.get(URL, {"document": other.pk})
    assert listed(response) == []
    assert "Lựa chọn này không còn dùng được; hãy chọn lại." in response.content.decode()
    assert other.title not in response.content.decode()
