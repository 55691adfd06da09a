"""``manage.py send_reminders``: the same sweep by hand, one printed line per reminder, sent without a worker."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cchc_portal.models import Notification, Reminder, ReminderState
from tests.notifications.support import at

pytestmark = pytest.mark.django_db


def send_reminders(*args: str) -> list[str]:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue().splitlines()


def test_it_sends_in_process_and_prints_one_line_per_reminder(mailbox, justice_task, staff, colleague_elsewhere):
    lines = send_reminders("--today", "2024-03-28")
    assert lines[:2] == [
        "2024-03-28\tNhắc trước hạn\tstaff <staff@example.gov.vn>\tSở Tư pháp\t"
        "II.1 Ban hành Kế hoạch theo dõi thi hành pháp luật\tđã gửi",
        "2024-03-28\tNhắc trước hạn\tfinance_staff <finance_staff@example.gov.vn>\tSở Tài chính\t"
        "II.1 Ban hành Kế hoạch theo dõi thi hành pháp luật\tđã gửi",
    ]
    assert "2 nhắc nhở cần gửi, 2 nhận xử lý lượt này, đã gửi 2." in lines[2]
    assert len(mailbox.messages) == 2 and Notification.objects.count() == 2
    assert set(Reminder.objects.values_list("state", flat=True)) == {ReminderState.SENT}
    assert send_reminders("--today", "2024-03-28")[:-1] == []  # a second run the same day sends nothing
    assert len(mailbox.messages) == 2


def test_today_defaults_to_the_date_in_vietnam(time_machine, mailbox, justice_task, staff):
    time_machine.move_to(at("2024-03-28 06:30"), tick=False)  # 27/03 23:30 UTC: already the 28th in Vietnam
    assert send_reminders()[0].startswith("2024-03-28\tNhắc trước hạn\tstaff")


def test_a_dry_run_prints_what_would_be_sent_and_writes_nothing(mailbox, justice_task, staff, colleague_elsewhere):
    lines = send_reminders("--today", "2024-03-28", "--dry-run")
    assert lines[0] == (
        "2024-03-28\tNhắc trước hạn\tstaff <staff@example.gov.vn>\tSở Tư pháp\t"
        "II.1 Ban hành Kế hoạch theo dõi thi hành pháp luật\t(thử, chưa gửi)"
    )
    assert "2 nhắc nhở sẽ được gửi" in lines[-1]
    assert not Reminder.objects.exists() and mailbox.messages == []


def test_a_failed_send_is_reported_and_left_for_the_next_run(mailbox, justice_task, staff):
    mailbox.reject.add(staff.email)
    [line, _summary] = send_reminders("--today", "2024-03-28")
    assert line.endswith(
        "lỗi, sẽ gửi lại sau: SMTPRecipientsRefused: {'staff@example.gov.vn': (550, b'5.1.1 Mailbox unavailable')}"
    )
    reminder = Reminder.objects.get()
    assert reminder.state == ReminderState.PENDING and reminder.attempts == 1


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        send_reminders("--today", "28/03/2024")
