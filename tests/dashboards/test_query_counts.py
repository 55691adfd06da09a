"""Every dashboard page costs the same number of queries however many tasks, shares, updates and reports exist."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, AgencyKind
from cchc_portal.dashboards import figures
from plans.models import PeriodicReport, ReportingDuty, Section
from tasks.models import Assignment, AssignmentRole, ProgressUpdate, Task, WorkState
from tests.dashboards.conftest import D, at, person

pytestmark = pytest.mark.django_db

PAGES = [
    ("sonoivu", "dashboard:overview", {}),
    ("sonoivu", "dashboard:overview", {"year": "2024"}),
    ("sonoivu", "dashboard:tasks", {"status": "overdue"}),
    ("sonoivu", "dashboard:tasks", {"due": "soon"}),
    ("sonoivu", "dashboard:export_xlsx", {"period": "quarter-1"}),
    ("sonoivu", "dashboard:export_docx", {"period": "quarter-1"}),
    ("sotuphap", "dashboard:overview", {}),
    ("sotuphap", "dashboard:tasks", {"status": "overdue"}),
    ("sotuphap", "dashboard:export_docx", {"period": "quarter-1"}),
]


def grow(plan, tasks: int, section_number: str) -> None:
    """Add ``tasks`` tasks in a new section, each led by Sở Tư pháp with five cooperating departments, with
    progress updates on every share (half of them done), one task nobody is assigned to, and reports."""
    author = person("sotuphap")
    section = Section.objects.create(
        document=plan,
        number=section_number,
        title=f"Nhiệm vụ bổ sung {section_number}",
        order=20 + tasks,
        area="institutions",
    )
    departments = list(Agency.objects.filter(province=plan.province, kind=AgencyKind.DEPARTMENT).order_by("name")[:6])
    justice = Agency.objects.get(province=plan.province, name="Sở Tư pháp")
    cooperating = [a for a in departments if a != justice][:5]
    new = Task.objects.bulk_create(
        Task(
            document=plan,
            section=section,
            number=str(n),
            order=1000 * len(section_number) + n,
            title=f"Nhiệm vụ bổ sung số {n}",
            lead_text="Sở Tư pháp",
            deadline_text="Quý I/2024" if n % 2 else "Tháng 05/2024",
            due_date=D(2024, 3, 31) if n % 2 else D(2024, 5, 31),
            due_kind="quarter",
        )
        for n in range(1, tasks + 1)
    )
    shares = []
    for index, task in enumerate(new[:-1]):  # the last one: nobody assigned
        done = index % 2 == 0
        for agency, role in [(justice, AssignmentRole.LEAD), *((a, AssignmentRole.COOPERATING) for a in cooperating)]:
            shares.append(
                Assignment(
                    task=task,
                    agency=agency,
                    role=role,
                    state=WorkState.DONE if done else WorkState.IN_PROGRESS,
                    progress=100 if done else 50,
                    completed_on=D(2024, 3, 1) if done else None,
                )
            )
    shares = Assignment.objects.bulk_create(shares)
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            assignment=s,
            author=author,
            created_at=at(D(2024, 2, day)),
            state=s.state,
            progress=s.progress,
            note=f"Báo cáo lần {day}",
            evidence_number=f"{day}/BC" if day == 3 else "",
        )
        for s in shares
        for day in (1, 2, 3)
    )
    quarterly = ReportingDuty.objects.get(document=plan, frequency="quarterly")
    PeriodicReport.objects.bulk_create(
        PeriodicReport(
            duty=quarterly,
            agency=a,
            period_start=D(2024, 1, 1),
            period_end=D(2024, 3, 31),
            due_date=D(2024, 3, 15),
            submitted_at=at(D(2024, 3, 10)),
        )
        for a in departments
        if not PeriodicReport.objects.filter(duty=quarterly, agency=a, period_start=D(2024, 1, 1)).exists()
    )


def count_queries(client, name, params, *, kept: bool = False) -> int:
    """The queries of one page: with the province figures computed (``kept`` False: nothing kept, as after a
    write), or answered from those the previous page kept (``figures``, PostgreSQL)."""
    if not kept:
        figures.forget()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name), params)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(("username", "name", "params"), PAGES)
def test_the_cost_of_a_page_does_not_grow_with_the_data(
    client, plan, may_first, django_assert_num_queries, username, name, params
):
    """Measured on the demo plus a little of every kind of data, then again with 30 times as much: computed,
    and answered from the figures the page before kept."""
    client.force_login(person(username))
    params = {"document": str(plan.pk), **params}
    grow(plan, 4, "IX")
    count_queries(client, name, params)  # warm the caches (content types, translations)
    small = count_queries(client, name, params)
    small_kept = count_queries(client, name, params, kept=True)

    grow(plan, 120, "X")
    assert Task.objects.filter(document=plan).count() == 56 + 4 + 120
    assert ProgressUpdate.objects.filter(assignment__task__document=plan).count() == 3 * 6 * (3 + 119)

    figures.forget()
    with django_assert_num_queries(small):
        client.get(reverse(name), params)
    with django_assert_num_queries(small_kept):
        client.get(reverse(name), params)
    assert small_kept <= small <= 30  # a guard against a new query per section, agency or duty sneaking in
