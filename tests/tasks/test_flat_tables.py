"""A document's tasks and the assignments with their status, exported and imported in the admin."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import User
from plans.models import Document
from tasks.models import Assignment, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, demo):
    client.force_login(User.objects.get(username="admin"))
    return client


def export(client, model: str, query: str = "") -> list[tuple]:
    url = reverse(f"admin:tasks_{model}_export") + query
    form = client.get(url).context["form"]
    ticked = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(url, {"format": "0", "resource": "0", **ticked})
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def import_csv(client, model: str, text: str):
    page = client.post(
        reverse(f"admin:tasks_{model}_import"),
        {"format": "1", "resource": "0", "import_file": SimpleUploadedFile("x.csv", text.encode())},
    )
    return page


def test_a_documents_assignments_export_with_their_official_status(admin_client):
    plan = Document.objects.get(number="275/KH-UBND")
    header, *rows = export(admin_client, "assignment", f"?task__document__id__exact={plan.pk}")
    assert "tinh_trang_chinh_thuc" in header and "so_thu_tu" in header
    assert len(rows) == Assignment.objects.filter(task__document=plan).count()
    assert {r[header.index("so_van_ban")] for r in rows} == {"275/KH-UBND"}


def test_tasks_export_keeps_the_text_as_written(admin_client):
    plan = Document.objects.get(number="275/KH-UBND")
    header, *rows = export(admin_client, "task", f"?document__id__exact={plan.pk}")
    assert len(rows) == 56
    feb = next(r for r in rows if r[header.index("deadline_text")] == "Tháng 02/2024")
    assert str(feb[header.index("due_date")])[:10] == "2024-02-29"  # a real date cell


def test_assignment_import_previews_updates_and_records_history(admin_client):
    assignment = Assignment.objects.filter(task__document__number="275/KH-UBND", role="lead").first()
    version = assignment.version
    text = f"id,state,progress,completed_on,phien_ban\n{assignment.pk},in_progress,60,,{version}\n"
    page = import_csv(admin_client, "assignment", text)
    assert page.status_code == 200 and page.context["confirm_form"] is not None
    assignment.refresh_from_db()
    assert assignment.progress == 0  # the preview wrote nothing
    admin_client.post(
        reverse("admin:tasks_assignment_process_import"), {**page.context["confirm_form"].initial, "resource": "0"}
    )
    assignment.refresh_from_db()
    assert (assignment.state, assignment.progress, assignment.version) == ("in_progress", 60, version + 1)
    assert assignment.history.first().history_user.username == "admin"


def test_invalid_rows_are_named_and_nothing_is_written(admin_client):
    first, second = Assignment.objects.filter(task__document__number="275/KH-UBND")[:2]
    text = f"id,state,progress,completed_on,phien_ban\n{first.pk},in_progress,50,,{first.version}\n{second.pk},in_progress,150,,{second.version}\n"
    page = import_csv(admin_client, "assignment", text)
    html = page.content.decode()
    assert "150" in html and page.context.get("confirm_form") is None
    first.refresh_from_db()
    assert first.progress == 0


def test_editing_a_deadline_text_rereads_the_due_date(admin_client):
    task = Task.objects.get(document__number="275/KH-UBND", section__number="II", number="1")
    text = f"id,van_ban_id,number,title,deadline_text,due_date\n{task.pk},{task.document_id},1,{task.title},Quý II/2024,31/03/2024\n"
    page = import_csv(admin_client, "task", text)
    admin_client.post(
        reverse("admin:tasks_task_process_import"), {**page.context["confirm_form"].initial, "resource": "0"}
    )
    task.refresh_from_db()
    assert (task.deadline_text, task.due_date.isoformat()) == ("Quý II/2024", "2024-06-30")
