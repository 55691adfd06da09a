"""The admin's change lists at national scale (issue 16): a province's rows through lists of ids, no DISTINCT,
a page read in two narrow steps, searches by task and agency, columns sorted by indexed keys; the same number of
queries whatever the size.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Role, User
from agencies.roles import make_province_admin
from cchc_portal.synthetic import generate
from tasks.models import Assignment, ProgressUpdate, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def country():
    generate(2, communes=2, prefix="adm")


@pytest.fixture
def province_admin(country):
    user = User.objects.get(username="adm-01-snv")
    make_province_admin(user)
    return user


@pytest.fixture
def superuser(country):
    return User.objects.create_superuser("root", "root@example.invalid", "root-password-12345", role=Role.ADMIN)


def list_query(queries) -> str:
    """The change list's own query: the page's ids (ORDER BY … LIMIT)."""
    return next(q["sql"] for q in queries if "LIMIT 50" in q["sql"] and "COUNT(" not in q["sql"])


def test_a_province_admin_lists_only_its_provinces_updates_through_a_list_of_assignments(client, province_admin):
    client.force_login(province_admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:tasks_progressupdate_changelist"))
    assert response.status_code == 200
    shown = response.context["cl"].result_list
    assert len(shown) == 50
    assert {u.assignment.task.document.province.code for u in shown} == {"adm-01"}
    newest = ProgressUpdate.objects.filter(assignment__task__document__province__code="adm-01").order_by("-pk")[:50]
    assert [u.pk for u in shown] == [u.pk for u in newest]
    sql = list_query(queries.captured_queries)
    assert "DISTINCT" not in sql.upper()
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(" in sql


def test_a_page_of_updates_costs_the_same_queries_as_the_first(client, province_admin, django_assert_max_num_queries):
    client.force_login(province_admin)
    client.get(reverse("admin:tasks_progressupdate_changelist"))
    with django_assert_max_num_queries(9):
        response = client.get(reverse("admin:tasks_progressupdate_changelist"), {"p": "3"})
    assert len(response.context["cl"].result_list) == 50


def test_updates_are_searched_by_task_and_agency_within_the_province(client, province_admin, superuser):
    # Every agency has its own plan, "Nhiệm vụ n của UBND xã Thử nghiệm 002", in each province.
    matching = ProgressUpdate.objects.filter(assignment__task__title__contains="Thử nghiệm 002")
    for user, provinces in ((province_admin, {"adm-01"}), (superuser, {"adm-01", "adm-02"})):
        client.force_login(user)
        response = client.get(reverse("admin:tasks_progressupdate_changelist"), {"q": "cua ubnd xa thu nghiem 002"})
        shown = response.context["cl"].result_list
        assert len(shown) == 50
        expected = matching.filter(assignment__task__document__province__code__in=provinces).order_by("-pk")
        assert [u.pk for u in shown] == list(expected.values_list("pk", flat=True)[:50])
        if user == superuser:
            assert response.context["cl"].result_count == matching.count()


def test_assignments_searched_by_agency_and_sorted_by_their_relations_ids(client, province_admin):
    client.force_login(province_admin)
    response = client.get(reverse("admin:tasks_assignment_changelist"), {"q": "thu nghiem 002"})
    shown = response.context["cl"].result_list
    assert shown and {a.agency.name for a in shown} == {"UBND xã Thử nghiệm 002"}
    assert {a.task.document.province.code for a in shown} == {"adm-01"}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            reverse("admin:tasks_assignment_changelist"), {"o": "1"}
        )  # the task column (after the action checkbox)
    ids = [a.task_id for a in response.context["cl"].result_list]
    assert ids == sorted(ids)
    assert '"tasks_assignment"."task_id" ASC' in list_query(queries.captured_queries)
    response = client.get(reverse("admin:tasks_assignment_changelist"), {"o": "-2"})  # the agency column
    ids = [a.agency_id for a in response.context["cl"].result_list]
    assert ids == sorted(ids, reverse=True)


def test_tasks_of_a_province_through_its_documents(client, province_admin):
    client.force_login(province_admin)
    response = client.get(reverse("admin:tasks_task_changelist"))
    shown = response.context["cl"].result_list
    assert {t.document.province.code for t in shown} == {"adm-01"}
    assert [t.pk for t in shown] == list(
        Task.objects.filter(document__province__code="adm-01").order_by("-pk").values_list("pk", flat=True)[:50]
    )


def test_the_count_stops_at_its_cap_without_sorting(client, superuser, settings, monkeypatch):
    from core import admin_mixins

    monkeypatch.setattr(admin_mixins, "COUNT_CAP", 100)
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:tasks_assignment_changelist"))
    assert response.context["cl"].result_count == 101  # "more than 100"
    count = next(q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"] and "tasks_assignment" in q["sql"])
    assert "ORDER BY" not in count
    assert Assignment.objects.count() > 101
