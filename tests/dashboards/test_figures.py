"""The province figures kept between pages (``cchc_portal.dashboards.figures``): every way of writing a province's
documents, sections, tasks or shares moves its version (PostgreSQL triggers), so a page never shows figures older
than the data; an unchanged province is answered from what was kept, without reading its shares again."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency, Province, User
from cchc_portal.dashboards import figures, queries
from cchc_portal.models import FiguresVersion
from plans.models import Document, Section
from tasks.models import Assignment, AssignmentRole, Task, WorkState
from tests.dashboards.conftest import MAY_FIRST, scope_of, share

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's; SQLite keeps nothing"),
]


def version(province_id: int) -> int:
    row = FiguresVersion.objects.filter(province_id=province_id).first()
    return row.value if row else 0


def moved(province_id: int, write) -> bool:
    before = version(province_id)
    write()
    return version(province_id) != before


def test_every_way_of_writing_moves_the_province_version_and_no_other(plan):
    province, other = plan.province_id, Province.objects.exclude(pk=plan.province_id).first().pk
    other_before = version(other)
    one = share(plan, "I.1", "Sở Nội vụ")
    task = one.task

    def save():
        one.progress = 40
        one.save()

    def bulk_create():
        taken = set(task.assignments.values_list("agency_id", flat=True))
        spare = Agency.objects.filter(province_id=province).exclude(pk__in=taken).first()
        Assignment.objects.bulk_create([Assignment(task=task, agency=spare, role=AssignmentRole.COOPERATING)])

    def plain_sql():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE tasks_task SET due_date = due_date + 1 WHERE id = %s", [task.pk])

    writes = {
        "save": save,
        "update": lambda: Assignment.objects.filter(pk=one.pk).update(progress=55),
        "bulk_create": bulk_create,
        "plain SQL": plain_sql,
        "section": lambda: Section.objects.filter(pk=task.section_id).update(title="Cải cách thể chế (sửa)"),
        "document": lambda: type(plan).objects.filter(pk=plan.pk).update(year=2025),
        "delete": lambda: Assignment.objects.filter(task=task, role=AssignmentRole.COOPERATING).delete(),
        "task": lambda: Task.objects.filter(pk=task.pk).update(title="Nhiệm vụ đã sửa"),
    }
    for name, write in writes.items():
        assert moved(province, write), name
    assert version(other) == other_before


def test_a_renamed_agency_moves_the_directory_not_the_province(plan):
    province = plan.province_id
    before = version(province)
    assert moved(
        FiguresVersion.DIRECTORY,
        lambda: Agency.objects.filter(pk=plan.followed_by.first().pk).update(name="Sở Nội vụ mới"),
    )
    assert version(province) == before


def test_kept_figures_are_answered_without_a_query_until_a_write_anywhere(sonoivu, plan, may_first):
    first = queries.task_table(scope_of(sonoivu, year=2024))
    scope = scope_of(sonoivu, year=2024)
    scope.figures_versions  # noqa: B018 - read the versions before counting
    with CaptureQueriesContext(connection) as kept:
        again = queries.task_table(scope)
    assert len(kept.captured_queries) == 0
    assert again.rows is first.rows

    overdue = sum(1 for row in first.rows if row.status == "overdue")
    with connection.cursor() as cursor:  # outside Django: the trigger still sees it
        cursor.execute(
            "UPDATE tasks_assignment SET state = 'done', progress = 100, completed_on = %s "
            "WHERE task_id IN (SELECT id FROM tasks_task WHERE document_id = %s)",
            [MAY_FIRST, plan.pk],
        )
    fresh = queries.task_table(scope_of(sonoivu, year=2024))
    assert fresh.rows is not first.rows
    assert overdue > 0
    assert sum(1 for row in fresh.rows if row.status == "overdue") == 0


def test_the_overview_page_shows_a_share_finished_by_an_update(client, sonoivu, plan, may_first):
    client.force_login(sonoivu)
    ranking = queries.agency_ranking(scope_of(sonoivu, year=2024))
    before = {f.agency_id: f.counts.done for f in ranking}
    first = client.get("/dashboard/?year=2024")
    assert first.status_code == 200
    target = share(plan, "I.1", "Sở Nội vụ")
    Assignment.objects.filter(pk=target.pk).update(state=WorkState.DONE, progress=100, completed_on=MAY_FIRST)
    after = {f.agency_id: f.counts.done for f in queries.agency_ranking(scope_of(sonoivu, year=2024))}
    assert after[target.agency_id] == before[target.agency_id] + 1
    assert client.get("/dashboard/?year=2024").content != first.content


def test_another_day_is_computed_again(sonoivu, plan):
    monday = queries.task_table(scope_of(sonoivu, MAY_FIRST, year=2024))
    later = queries.task_table(scope_of(sonoivu, MAY_FIRST.replace(month=12), year=2024))
    assert later.rows is not monday.rows
    assert sum(r.status == "overdue" for r in later.rows) > sum(r.status == "overdue" for r in monday.rows)


def test_forget_drops_everything_kept(sonoivu, plan, may_first):
    first = queries.task_table(scope_of(sonoivu, year=2024))
    figures.forget()
    assert queries.task_table(scope_of(sonoivu, year=2024)).rows is not first.rows


def test_a_plan_imported_again_through_the_web_is_counted_at_once(client, demo):
    """The import writes in bulk (no model signal): the triggers still see it."""
    from tests.plans.test_import_web import confirm
    from tests.plans.test_reimport import AMENDED, FIRST, imported

    sonoivu = User.objects.get(username="sonoivu")
    client.force_login(sonoivu)
    plan = Document.objects.create(
        province=demo.province, doc_type="plan", number="30/KH-UBND", title="Kế hoạch CCHC 2026", year=2026
    )
    june = datetime.date(2026, 6, 1)
    confirm(client, imported(client, plan, FIRST))
    first = queries.task_table(scope_of(sonoivu, june, document=plan.pk))
    assert len(first.rows) == 3

    confirm(client, imported(client, plan, AMENDED, "v2.xlsx"))
    kept = queries.task_table(scope_of(sonoivu, june, document=plan.pk))
    figures.forget()
    computed = queries.task_table(scope_of(sonoivu, june, document=plan.pk))
    assert len(kept.rows) == 4  # one new task; the one missing from the file is kept
    assert sorted(kept.rows) == sorted(computed.rows)


def test_an_agency_page_keeps_its_lists_until_one_of_its_shares_moves(sotuphap, plan, may_first):
    scope = scope_of(sotuphap, year=2024)
    overdue, _count, _soon = queries.agency_lists(scope)
    assert overdue and queries.agency_lists(scope_of(sotuphap, year=2024))[0] is overdue  # kept
    first = overdue[0]
    Assignment.objects.filter(task=first.task, agency__name="Sở Tư pháp").update(
        state=WorkState.DONE, progress=100, completed_on=MAY_FIRST
    )
    after, _count, _soon = queries.agency_lists(scope_of(sotuphap, year=2024))
    assert first.task.pk not in [line.task.pk for line in after]
