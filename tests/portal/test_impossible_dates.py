"""Impossible dates (01/01/0001, the year 99999) are refused at every door: admin forms, flat-table imports,
the portal's forms. ``core.dates`` says what is possible: 1945 to 2100."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import User
from core.dates import is_sane, validate_sane_date
from tasks.models import Assignment, Task
from tests.portal.adminworld import form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "sane"),
    [
        (datetime.date(1, 1, 1), False),
        (datetime.date(1944, 12, 31), False),
        (datetime.date(1945, 1, 1), True),
        (datetime.date(2100, 12, 31), True),
        (datetime.date(2101, 1, 1), False),
        (None, True),
    ],
)
def test_what_is_a_possible_date(day, sane):
    assert is_sane(day) is sane
    if not sane:
        with pytest.raises(ValidationError, match=str(day.year)):
            validate_sane_date(day)


def test_the_admin_refuses_a_deadline_in_year_one(client, demo):
    client.force_login(User.objects.get(username="sonoivu"))
    task = Task.objects.filter(document__number="275/KH-UBND").first()
    url = reverse("admin:tasks_task_change", args=[task.pk])
    data = form_data(client.get(url).content.decode())
    data["due_date"] = ["01/01/0001"]
    response = client.post(url, data)
    assert response.status_code == 200 and "Năm 1 không hợp lệ" in response.content.decode()
    task.refresh_from_db()
    assert task.due_date is None or task.due_date.year > 1


def test_a_flat_table_import_refuses_a_deadline_in_year_one(client, demo):
    client.force_login(User.objects.get(username="admin"))
    assignment = Assignment.objects.filter(task__document__number="275/KH-UBND").first()
    text = f"id,due_date,phien_ban\n{assignment.pk},01/01/0001,{assignment.version}\n"
    page = client.post(
        reverse("admin:tasks_assignment_import"),
        {"format": "1", "resource": "0", "import_file": SimpleUploadedFile("x.csv", text.encode())},
    )
    assert page.context.get("confirm_form") is None and "không hợp lệ" in page.content.decode()
    assignment.refresh_from_db()
    assert assignment.due_date is None


def test_the_report_form_refuses_a_completion_in_year_one(client, demo):
    from tests.tasks.conftest import report_data

    staff = User.objects.get(username="sotuphap")
    assignment = Assignment.objects.filter(agency=staff.agency).first()
    client.force_login(staff)
    response = client.post(
        reverse("tasks:report", args=[assignment.pk]),
        report_data(assignment, state="done", progress=100, completed_on="01/01/0001"),
    )
    assert "Năm 1 không hợp lệ" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.completed_on is None
