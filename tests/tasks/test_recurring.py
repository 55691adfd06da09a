"""Recurring duties get their own deadlines: one period per month, quarter, half-year or year of the document's
validity, each with its due date, status, reminders and overdue; "Thường xuyên" without a period is counted apart."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cchc_portal.models import Reminder, ReminderKind
from cchc_portal.notifications.services import run_sweep
from plans.deadlines import parse_deadline
from plans.models import Document
from tasks import recurring, services
from tasks.models import Assignment, AssignmentRole, Occurrence, OfficialStatus, Task, WorkState
from tasks.pages import list_summary
from tests.notifications.support import at, with_email

pytestmark = pytest.mark.django_db
D = datetime.date


def task_with(plan, section, text: str, agency, number="1") -> Assignment:
    deadline = parse_deadline(text, default_year=plan.year)
    task = Task(document=plan, section=section, number=number, title=f"Nhiệm vụ “{text}”")
    task.apply_deadline(deadline)
    task.save()
    part = Assignment.objects.create(task=task, agency=agency, role=AssignmentRole.LEAD)
    recurring.sync_occurrences(task_ids=[task.pk])
    return Assignment.objects.select_related("task__document", "agency").get(pk=part.pk)


@pytest.mark.parametrize(
    ("text", "count", "first_due", "last_due"),
    [
        ("Hằng tháng", 12, D(2024, 1, 31), D(2024, 12, 31)),
        ("Hằng quý", 4, D(2024, 3, 31), D(2024, 12, 31)),
        ("Định kỳ 6 tháng", 2, D(2024, 6, 30), D(2024, 12, 31)),
        ("Hằng năm", 1, D(2024, 12, 31), D(2024, 12, 31)),
        ("Tháng 12 hằng năm", 1, D(2024, 12, 31), D(2024, 12, 31)),
        ("Trước ngày 15/12 hằng năm", 1, D(2024, 12, 15), D(2024, 12, 15)),
        ("Thường xuyên, định kỳ hằng quý báo cáo", 4, D(2024, 3, 31), D(2024, 12, 31)),
        ("Trước ngày 20 hằng tháng", 12, D(2024, 1, 20), D(2024, 12, 20)),
        ("Báo cáo trước ngày 31 hằng tháng", 12, D(2024, 1, 31), D(2024, 12, 31)),  # 29/02, 30/04… in short months
        ("hang quy", 4, D(2024, 3, 31), D(2024, 12, 31)),  # typed without accents
    ],
)
def test_each_period_has_its_own_due_date(plan, section, justice, text, count, first_due, last_due):
    part = task_with(plan, section, text, justice)
    dues = list(part.occurrences.order_by("period_start").values_list("due_date", flat=True))
    assert (len(dues), dues[0], dues[-1]) == (count, first_due, last_due)
    assert part.due_date == first_due  # the share's deadline is its earliest open period's
    if count == 12 and "31" in text:
        assert D(2024, 2, 29) in dues and D(2024, 4, 30) in dues


def test_a_missed_period_is_overdue_and_reporting_it_moves_on_to_the_next(
    client, plan, section, justice, staff, time_machine
):
    part = task_with(plan, section, "Hằng quý", justice)
    time_machine.move_to(at("2024-04-05 09:00"))
    assert part.official_status() == OfficialStatus.OVERDUE  # quarter I (due 31/03) not reported
    q1 = part.occurrences.order_by("period_start").first()
    services.report_progress(
        part,
        staff,
        part.version,
        services.Report(state="done", progress=100, note="Báo cáo quý I", occurrence_id=q1.pk),
    )
    part = Assignment.objects.select_related("task").get(pk=part.pk)
    assert part.due_date == D(2024, 6, 30)
    assert (part.state, part.progress, part.official_status()) == (
        WorkState.IN_PROGRESS,
        25,
        OfficialStatus.IN_PROGRESS,
    )
    q1.refresh_from_db()
    assert (q1.state, q1.completed_on, q1.update_id is not None) == (WorkState.DONE, D(2024, 4, 5), True)
    # The task page lists the periods and the report form asks which one is reported.
    client.force_login(staff)
    page = client.get(reverse("tasks:detail", args=[part.task_id])).content.decode()
    assert 'data-testid="occurrences"' in page and "Kỳ báo cáo" in page
    assert "01/04/2024 – 30/06/2024 (hạn 30/06/2024)" in page
    # The last period done: the share is done, completed the day the last one was.
    for occurrence in part.occurrences.exclude(state=WorkState.DONE).order_by("period_start"):
        part = Assignment.objects.select_related("task").get(pk=part.pk)
        services.report_progress(
            part,
            staff,
            part.version,
            services.Report(state="done", progress=100, occurrence_id=occurrence.pk, note="Xong"),
        )
    part = Assignment.objects.select_related("task").get(pk=part.pk)
    assert (part.state, part.progress, part.completed_on, part.due_date) == (
        WorkState.DONE,
        100,
        D(2024, 4, 5),
        D(2024, 12, 31),
    )


def test_each_period_is_reminded(plan, section, justice, staff, time_machine):
    with_email(staff)
    part = task_with(plan, section, "Hằng quý", justice)
    Occurrence.objects.filter(assignment=part, period_start=D(2024, 1, 1)).update(
        state=WorkState.DONE, completed_on=D(2024, 3, 20)
    )
    recurring.refresh_due([part.pk])
    time_machine.move_to(at("2024-06-23 07:00"), tick=False)  # 7 days before quarter II is due
    run_sweep()
    reminder = Reminder.objects.get(recipient=staff, kind=ReminderKind.DUE_SOON, assignment=part)
    assert reminder.due_date == D(2024, 6, 30)
    time_machine.move_to(at("2024-07-01 07:00"), tick=False)  # the day after: overdue
    run_sweep()
    assert Reminder.objects.get(recipient=staff, kind=ReminderKind.OVERDUE, assignment=part).due_date == D(2024, 6, 30)


def test_an_extension_moves_only_the_period_owed(plan, section, justice, staff, reviewer):
    part = task_with(plan, section, "Hằng quý", justice)
    request = services.request_extension(part, staff, D(2024, 4, 15), "Chờ số liệu quý I")
    services.decide_extension(request, reviewer, grant=True)
    dues = list(Occurrence.objects.filter(assignment=part).order_by("period_start").values_list("due_date", flat=True))
    assert dues == [D(2024, 4, 15), D(2024, 6, 30), D(2024, 9, 30), D(2024, 12, 31)]
    assert Assignment.objects.get(pk=part.pk).due_date == D(2024, 4, 15)


def test_ongoing_work_is_counted_and_shown_apart(client, plan, section, justice, staff, time_machine):
    time_machine.move_to(at("2025-06-01 09:00"))  # long after the plan's year
    part = task_with(plan, section, "Thường xuyên", justice)
    unspecified = task_with(plan, section, "Định kỳ", justice, number="2")  # recurring, but how often is not said
    assert part.official_status() == unspecified.official_status() == OfficialStatus.ONGOING
    assert not part.occurrences.exists()
    counts = list_summary(staff)["counts"]
    assert (counts[OfficialStatus.ONGOING.value], counts[OfficialStatus.NOT_STARTED.value]) == (2, 0)
    client.force_login(staff)
    page = client.get(reverse("tasks:list")).content.decode()
    assert "Thực hiện thường xuyên" in page
    # Reported done, it is done like any other.
    services.report_progress(
        part, staff, part.version, services.Report(state="done", progress=100, note="Đã thực hiện")
    )
    assert Assignment.objects.select_related("task").get(pk=part.pk).official_status() == OfficialStatus.DONE_ON_TIME


def test_an_import_gives_recurring_tasks_their_periods(plan, staff, justice, finance):
    from cchc_portal.documents.services import import_file
    from tests.plans import tablefiles as tf

    rows = [
        tf.PY_HEADER,
        ["I", "Công tác chỉ đạo, điều hành"],
        [1, "Báo cáo tình hình thực hiện", "Sở Tư pháp", "Sở Tài chính", "Hằng quý"],
        [2, "Tổng kết công tác năm", "Sở Tư pháp", "", "Tháng 12 hằng năm"],
    ]
    import_file(plan, tf.xlsx(rows), "phu-luc.xlsx", "tasks")
    quarterly = Task.objects.get(document=plan, title="Báo cáo tình hình thực hiện")
    assert Occurrence.objects.filter(assignment__task=quarterly).count() == 8  # 4 quarters × (lead + cooperating)
    yearly = Assignment.objects.get(task__title="Tổng kết công tác năm")
    assert yearly.due_date == D(2024, 12, 31)
    assert isinstance(plan, Document)


def test_the_daily_sweep_catches_up_on_a_deadline_edited_in_the_admin(plan, section, justice, time_machine):
    task = Task.objects.create(document=plan, section=section, number="5", title="Sửa trong trang quản trị")
    part = Assignment.objects.create(task=task, agency=justice)
    task.apply_deadline(parse_deadline("Hằng tháng", default_year=2024))
    task.save()
    time_machine.move_to(at("2024-01-02 07:00"), tick=False)
    run_sweep()
    assert Occurrence.objects.filter(assignment=part).count() == 12
    assert Assignment.objects.get(pk=part.pk).due_date == D(2024, 1, 31)
