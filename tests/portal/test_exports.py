"""Lists exported to .xlsx with their filters: at once for a page's worth, in the worker beyond (issue 16)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Role, User
from cchc_portal import exporting, jobs
from cchc_portal.models import ExportJob
from cchc_portal.synthetic import generate
from tasks.models import Assignment, AssignmentRole, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def country():
    generate(2, communes=2, prefix="exp")


@pytest.fixture
def reviewer(country):
    return User.objects.get(username="exp-01-snv")


def rows_of(client, job) -> list[tuple]:
    response = client.get(reverse("exports:file", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


def test_a_filtered_task_list_is_exported_at_once_with_its_filters(client, reviewer):
    client.force_login(reviewer)
    query = "role=lead&q=thu+nghiem+002"
    shown = client.get(reverse("tasks:list") + "?" + query).context["paginator"].count
    assert 0 < shown <= exporting.INLINE_ROWS
    response = client.post(reverse("exports:start"), {"source": "tasks", "query": query})
    job = ExportJob.objects.get()
    assert response.url == job.get_absolute_url() and job.state == ExportJob.State.DONE
    rows = rows_of(client, job)
    assert rows[0][:4] == ("Văn bản", "Số thứ tự", "Nhiệm vụ", "Cơ quan")
    assert len(rows) - 1 == shown == job.progress
    assert {r[4] for r in rows[1:]} == {"Chủ trì"}
    assert all("Thử nghiệm 002" in r[2] or "Thử nghiệm 002" in r[3] for r in rows[1:])


def test_a_large_list_goes_to_the_worker_and_shows_its_progress(client, reviewer, monkeypatch):
    monkeypatch.setattr(exporting, "INLINE_ROWS", 100)
    monkeypatch.setattr(exporting, "PROGRESS_EVERY", 500)
    client.force_login(reviewer)
    client.post(reverse("exports:start"), {"source": "tasks", "query": ""})
    job = ExportJob.objects.get()
    expected = Assignment.objects.filter(task__document__province__code="exp-01").count()
    assert job.state == ExportJob.State.PENDING and job.total == expected > 100
    page = client.get(job.get_absolute_url()).content.decode()
    assert "<progress" in page and "Tải tệp" not in page
    assert client.get(reverse("exports:status", args=[job.pk])).json()["state"] == "pending"
    jobs.run_export(job.pk)  # what the worker runs
    job.refresh_from_db()
    assert (job.state, job.progress, job.total) == (ExportJob.State.DONE, expected, expected)
    assert "Tải tệp" in client.get(job.get_absolute_url()).content.decode()
    assert len(rows_of(client, job)) == expected + 1
    jobs.run_export(job.pk)  # a redelivered job writes nothing twice
    assert ExportJob.objects.get().file == job.file


def test_only_its_creator_sees_an_export(client, reviewer):
    client.force_login(reviewer)
    client.post(reverse("exports:start"), {"source": "tasks", "query": "role=lead&q=thu+nghiem+001"})
    job = ExportJob.objects.get()
    other = User.objects.get(username="exp-02-snv")
    client.force_login(other)
    for name in ("exports:job", "exports:status", "exports:file"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("exports:start"), {"source": "nothing", "query": ""}).status_code == 404


def test_a_cell_that_looks_like_a_formula_stays_text(client, reviewer):
    task = Task.objects.filter(document__province__code="exp-01", title__contains="Thử nghiệm 002").first()
    Task.objects.filter(pk=task.pk).update(title="=HYPERLINK(1)")
    client.force_login(reviewer)
    client.post(reverse("exports:start"), {"source": "tasks", "query": f"q=thu+nghiem+002&document={task.document_id}"})
    titles = [r[2] for r in rows_of(client, ExportJob.objects.get())[1:]]
    assert "'=HYPERLINK(1)" in titles


def test_the_admin_exports_its_filtered_change_list_in_the_background(client, country, monkeypatch):
    monkeypatch.setattr(exporting, "INLINE_ROWS", 100)
    root = User.objects.create_superuser("root", "root@example.invalid", "root-password-12345", role=Role.ADMIN)
    client.force_login(root)
    url = reverse("admin:tasks_assignment_changelist") + "?role__exact=lead"
    first = Assignment.objects.order_by("-pk").first()
    response = client.post(
        url, {"action": "export_in_background", "select_across": "1", "_selected_action": [first.pk], "index": 0}
    )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    leads = Assignment.objects.filter(role=AssignmentRole.LEAD).count()
    assert job.total == leads and job.state == ExportJob.State.PENDING
    jobs.run_export(job.pk)
    rows = rows_of(client, ExportJob.objects.get())
    assert len(rows) - 1 == leads and {r[4] for r in rows[1:]} == {"Chủ trì"}
    # Ticked rows only: written at once.
    ticked = list(Assignment.objects.order_by("pk").values_list("pk", flat=True)[:3])
    client.post(url, {"action": "export_in_background", "_selected_action": ticked, "index": 0})
    small = ExportJob.objects.order_by("-pk").first()
    assert small.state == ExportJob.State.DONE and small.progress == len(
        [p for p in ticked if Assignment.objects.get(pk=p).role == "lead"]
    )


def test_the_admins_own_export_of_a_big_list_goes_to_the_worker(client, country, monkeypatch):
    from cchc_portal import admin as portal_admin

    monkeypatch.setattr(portal_admin, "WORKER_EXPORT_ROWS", 10)
    monkeypatch.setattr(exporting, "INLINE_ROWS", 10)
    root = User.objects.create_superuser("root", "root@example.invalid", "root-password-12345", role=Role.ADMIN)
    client.force_login(root)
    response = client.post(
        reverse("admin:tasks_assignment_export") + "?role__exact=lead", {"format": "0", "resource": "0"}
    )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.params == {"role__exact": ["lead"]} and job.state == ExportJob.State.PENDING
    assert job.total == Assignment.objects.filter(role=AssignmentRole.LEAD).count()
