"""Work queues in the main menu, by role, with counts; their pages; accepting or returning several reports at once.

Sở Tư pháp's staff report, its leader sends, Sở Nội vụ decides. The menu shows each person what waits for
them: reviewers "Chờ xem xét (n)", leaders "Chờ lãnh đạo gửi (n)", staff "Bị trả lại (n)" and "Sắp đến hạn
(n)". The numbers are those of the lists behind them, and the pages cost the same number of queries
whatever their length.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from agencies.models import Role
from cchc_portal.models import EventKind, Notification
from tasks import services
from tasks.models import Assignment, AssignmentRole, Review, ReviewState, Task
from tests.conftest import make_agency, make_user

pytestmark = pytest.mark.django_db
D = datetime.date


END_OF_YEAR = D(2024, 12, 31)


def new_task(plan, section, number, agency, due=END_OF_YEAR, cooperating=None) -> Assignment:
    task = Task.objects.create(
        document=plan, section=section, number=str(number), title=f"Nhiệm vụ số {number}", due_date=due
    )
    if cooperating is not None:
        Assignment.objects.create(task=task, agency=cooperating, role=AssignmentRole.COOPERATING)
    return Assignment.objects.create(task=task, agency=agency, role=AssignmentRole.LEAD)


def fresh(part) -> Assignment:
    return Assignment.objects.select_related("task__document", "agency").get(pk=part.pk)


def reported(part, staff, note="Đã triển khai") -> Assignment:
    part = fresh(part)
    services.report_progress(part, staff, part.version, services.Report(state="in_progress", progress=40, note=note))
    return fresh(part)


def submitted(part, staff, leader) -> Assignment:
    part = reported(part, staff)
    services.submit(part, leader, part.version)
    return fresh(part)


def menu(client, user) -> dict[str, int]:
    """The queues of the main menu as the page shows them: label -> count."""
    client.force_login(user)
    html = client.get(reverse("tasks:list")).content.decode()
    nav = html[html.index('class="mainnav"') : html.index("</nav>")]
    return {
        label.strip(): int(n)
        for label, n in re.findall(r'class="queue"[^>]*>([^<]+)<span class="count-pill">\((\d+)\)', nav)
    }


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2024, 3, 25, 9, 0, tzinfo=datetime.UTC))
    return D(2024, 3, 25)


def test_each_role_sees_what_waits_for_it_in_the_menu(client, plan, section, justice, staff, leader, reviewer, today):
    parts = [new_task(plan, section, n, justice, due=D(2024, 3, 28) if n < 3 else D(2024, 9, 30)) for n in range(1, 6)]
    assert menu(client, staff) == {"Bị trả lại": 0, "Sắp đến hạn": 2}  # due 28/03, in 3 days
    assert menu(client, leader) == {"Chờ lãnh đạo gửi": 0}
    assert menu(client, reviewer) == {"Chờ xem xét": 0}

    reported(parts[0], staff)
    reported(parts[1], staff)
    assert menu(client, leader) == {"Chờ lãnh đạo gửi": 2}

    services.submit(fresh(parts[0]), leader, fresh(parts[0]).version)
    services.request_extension(fresh(parts[2]), staff, D(2024, 12, 31), "Chờ ý kiến của Bộ")
    assert menu(client, leader) == {"Chờ lãnh đạo gửi": 1}
    assert menu(client, reviewer) == {"Chờ xem xét": 2}  # a report and a new deadline to decide

    services.decide(fresh(parts[0]), reviewer, fresh(parts[0]).version, "returned", "Bổ sung tài liệu")
    assert menu(client, staff) == {"Bị trả lại": 1, "Sắp đến hạn": 2}
    assert menu(client, leader) == {"Chờ lãnh đạo gửi": 1}  # returned but not answered yet: the staff act first
    reported(parts[0], staff, note="Đã bổ sung")
    assert menu(client, leader) == {"Chờ lãnh đạo gửi": 2}  # answered: the leader sends it again
    assert menu(client, reviewer) == {"Chờ xem xét": 1}


def test_the_queue_pages_list_what_the_menu_counts(client, plan, section, justice, staff, leader, reviewer, today):
    waiting = reported(new_task(plan, section, 1, justice), staff)
    returned = submitted(new_task(plan, section, 2, justice), staff, leader)
    services.decide(returned, reviewer, returned.version, "returned", "Thiếu số liệu")
    soon = new_task(plan, section, 3, justice, due=D(2024, 3, 30))

    client.force_login(leader)
    page = client.get(reverse("queues:leader")).content.decode()
    assert "Nhiệm vụ số 1" in page and "Nhiệm vụ số 2" not in page
    client.force_login(staff)
    page = client.get(reverse("queues:returned")).content.decode()
    assert "Nhiệm vụ số 2" in page and "Nhiệm vụ số 1" not in page
    page = client.get(reverse("queues:soon")).content.decode()
    assert "Nhiệm vụ số 3" in page and "Nhiệm vụ số 1" not in page
    assert soon.pk and waiting.pk


@pytest.mark.parametrize(
    ("who", "url_name", "build"),
    [
        ("reviewer", "tasks:review_queue", "submitted"),
        ("leader", "queues:leader", "reported"),
        ("staff", "queues:returned", "returned"),
        ("staff", "queues:soon", "soon"),
    ],
)
def test_queue_pages_cost_the_same_queries_however_long(
    client,
    plan,
    section,
    justice,
    finance,
    staff,
    leader,
    reviewer,
    today,
    django_assert_num_queries,
    who,
    url_name,
    build,
):
    people = {"staff": staff, "leader": leader, "reviewer": reviewer}
    made = 0

    def add(n: int) -> None:
        nonlocal made
        for _ in range(n):
            made += 1
            part = new_task(plan, section, made, justice, due=D(2024, 3, 27), cooperating=finance)
            if build == "reported":
                reported(part, staff)
            elif build in ("submitted", "returned"):
                part = submitted(part, staff, leader)
                if build == "returned":
                    services.decide(part, reviewer, part.version, "returned", "Bổ sung")

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(people[who])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(url_name)).status_code == 200
        return len(captured)

    add(1)
    small = count()
    add(12)
    with django_assert_num_queries(small):
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    print(f"{url_name} as {who}: {small} queries with 1 and with 13 rows")  # noqa: T201 - the figure for the report


def test_bulk_accept_records_a_decision_on_each_report(
    client, plan, section, justice, finance, staff, leader, reviewer, steps
):
    finance_staff = make_user("finance_staff", finance, Role.STAFF)
    finance_leader = make_user("finance_leader", finance, Role.LEADER)
    ours = [submitted(new_task(plan, section, n, justice), staff, leader) for n in (1, 2)]
    theirs = submitted(new_task(plan, section, 3, finance), finance_staff, finance_leader)
    left = submitted(new_task(plan, section, 4, justice), staff, leader)
    client.force_login(reviewer)
    with steps():
        response = client.post(
            reverse("tasks:review_bulk"),
            {"decision": "accepted", "chosen": [ours[0].pk, ours[1].pk, theirs.pk], "reason": ""},
        )
    assert response.status_code == 302
    for part in [*ours, theirs]:
        assert fresh(part).review_state == ReviewState.ACCEPTED
        assert Review.objects.filter(assignment=part, decision="accepted", actor=reviewer).count() == 1
    assert fresh(left).review_state == ReviewState.SUBMITTED
    # each agency is told about each of its reports
    assert Notification.objects.filter(recipient=staff, kind=EventKind.ACCEPTED).count() == 2
    assert Notification.objects.filter(recipient=finance_leader, kind=EventKind.ACCEPTED).count() == 1
    page = client.get(reverse("tasks:review_queue")).content.decode()
    assert "Đã chấp nhận 3 báo cáo." in page


def test_bulk_return_records_the_one_reason_on_each_report(
    client, plan, section, justice, staff, leader, reviewer, other_province
):
    parts = [submitted(new_task(plan, section, n, justice), staff, leader) for n in (1, 2, 3)]
    client.force_login(reviewer)
    # Without a reason nothing is returned.
    client.post(
        reverse("tasks:review_bulk"), {"decision": "returned", "chosen": [parts[0].pk, parts[1].pk], "reason": " "}
    )
    assert {fresh(p).review_state for p in parts} == {ReviewState.SUBMITTED}
    # A report of another province cannot be slipped in.
    elsewhere = make_agency(other_province, "Sở Tư pháp tỉnh B")
    from plans.models import Document

    other_plan = Document.objects.create(province=other_province, number="9/KH-UBND", title="Kế hoạch", year=2024)
    foreign = new_task(other_plan, None, 1, elsewhere)
    Assignment.objects.filter(pk=foreign.pk).update(review_state=ReviewState.SUBMITTED)
    client.post(
        reverse("tasks:review_bulk"),
        {
            "decision": "returned",
            "chosen": [parts[0].pk, parts[1].pk, foreign.pk],
            "reason": "Thiếu tài liệu kiểm chứng",
        },
    )
    for part in parts[:2]:
        assert fresh(part).review_state == ReviewState.RETURNED
        assert Review.objects.get(assignment=part, decision="returned").reason == "Thiếu tài liệu kiểm chứng"
    assert fresh(parts[2]).review_state == ReviewState.SUBMITTED
    assert fresh(foreign).review_state == ReviewState.SUBMITTED
    assert not Review.objects.filter(assignment=foreign).exists()


def test_staff_and_leaders_may_not_decide_in_bulk(client, plan, section, justice, staff, leader):
    part = submitted(new_task(plan, section, 1, justice), staff, leader)
    for person in (staff, leader):
        client.force_login(person)
        response = client.post(reverse("tasks:review_bulk"), {"decision": "accepted", "chosen": [part.pk]})
        assert response.status_code == 403
    assert fresh(part).review_state == ReviewState.SUBMITTED
