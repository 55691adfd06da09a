"""One bad row never stops the reminders: each item of a sweep succeeds or fails on its own.

Rows are written the way an old import or a direct database edit left them (bypassing today's validation):
a deadline on 01/01/0001, a document number with a line break, an e-mail address with a header in it, a
reporting duty of a frequency the code does not know. Everyone else's reminders still go out.
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from cchc_portal.models import Reminder, ReminderState
from plans.models import ReportingDuty
from tasks.models import Assignment, Task

pytestmark = pytest.mark.django_db


def send_reminders(*args: str) -> tuple[list[str], str]:
    out, err = StringIO(), StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue()


@pytest.fixture
def ancient_task(plan, section, finance):
    """A task whose deadline was stored as 01/01/0001: overdue notices used to walk back past the calendar's start."""
    task = Task.objects.create(
        document=plan, section=section, number="9", title="Nhiệm vụ ghi hạn sai", deadline_text="01/01/0001"
    )
    Task.objects.filter(pk=task.pk).update(due_date=datetime.date(1, 1, 1))
    Assignment.objects.create(task=task, agency=finance, role="lead")
    return task


def test_a_deadline_in_year_one_does_not_stop_the_sweep(
    mailbox, justice_task, ancient_task, staff, colleague_elsewhere
):
    lines, _err = send_reminders("--today", "2024-03-28")
    assert any("staff <staff@example.gov.vn>" in line and line.endswith("đã gửi") for line in lines)
    assert len(mailbox.messages) == 2


def test_a_line_break_in_a_document_number_gives_a_one_line_subject(mailbox, justice_task, staff, colleague_elsewhere):
    type(justice_task.document).objects.filter(pk=justice_task.document_id).update(
        number="1/KH-UBND\r\nBcc: ke-xau@example.com"
    )
    lines, _err = send_reminders("--today", "2024-03-28")
    assert all(line.endswith("đã gửi") for line in lines[:2])
    assert len(mailbox.messages) == 2
    for message in mailbox.messages:
        subject = message["Subject"]
        assert "\n" not in subject and "\r" not in subject and "ke-xau@example.com" not in message.get("Bcc", "")
    assert set(Reminder.objects.values_list("state", flat=True)) == {ReminderState.SENT}


def test_an_address_with_a_header_in_it_fails_alone(mailbox, justice_task, staff, colleague_elsewhere):
    type(staff).objects.filter(pk=staff.pk).update(email="staff@example.gov.vn\nBcc: ke-xau@example.com")
    lines, _err = send_reminders("--today", "2024-03-28")
    assert "gửi lỗi" in lines[0] and lines[1].endswith("đã gửi")
    assert "1 gửi lỗi" in lines[-1]
    failed = Reminder.objects.get(recipient=staff)
    assert failed.state == ReminderState.FAILED and "không hợp lệ" in failed.last_error
    assert [m["To"] for m in mailbox.messages] == ["finance_staff@example.gov.vn"]


def test_a_duty_no_rule_knows_is_logged_and_the_rest_is_sent(
    mailbox, plan, justice_task, staff, colleague_elsewhere, departments, home_affairs
):
    duty = ReportingDuty.objects.create(document=plan, frequency="quarterly", recipient=home_affairs, due_day=15)
    duty.reporters.set([departments])
    ReportingDuty.objects.filter(pk=duty.pk).update(frequency="weekly")
    lines, err = send_reminders("--today", "2024-03-28")
    assert f"reporting duty {duty.pk}: ValueError" in err
    assert len(mailbox.messages) == 2
