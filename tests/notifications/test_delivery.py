"""Sending one claimed reminder: e-mail to a real SMTP server on loopback, the in-portal notification, the
record of each attempt, retries with backoff, and nothing twice."""

from __future__ import annotations

import datetime

import pytest

from cchc_portal.models import Notification, Reminder, ReminderKind, ReminderState
from cchc_portal.notifications.delivery import Outcome, RetryLater, deliver, retry_countdown
from cchc_portal.notifications.services import run_sweep
from tasks.models import Assignment, WorkState
from tests.notifications.support import SITE_URL, at, html_of, subject_of, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed(time_machine, justice_task, staff, colleague_elsewhere):
    """The two reminders of 28/03/2024 (3 days before ``justice_task`` is due), claimed, not yet sent."""
    time_machine.move_to(at("2024-03-28 07:00"), tick=False)
    run_sweep()
    return {r.recipient.username: r for r in Reminder.objects.select_related("recipient")}


def test_a_reminder_arrives_by_email_in_vietnamese_with_an_absolute_link(mailbox, claimed, staff, justice_task):
    reminder = claimed["staff"]
    assert deliver(reminder.pk) == Outcome.SENT
    [message] = mailbox.to(staff.email)
    assert subject_of(message) == "[Cổng CCHC] Còn 3 ngày đến hạn nhiệm vụ II.1 (Kế hoạch 1/KH-UBND)"
    assert message["From"] == "Cổng CCHC <cchc@example.gov.vn>"
    link = f"{SITE_URL}/tasks/{justice_task.pk}/"
    text, html = text_of(message), html_of(message)
    assert "Kính gửi staff," in text and "Hạn hoàn thành: 31/03/2024" in text and link in text
    assert f'href="{link}' in html and "Mở nhiệm vụ trên Cổng CCHC" in html
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT and reminder.attempts == 1 and reminder.sent_at is not None
    assert reminder.email == staff.email and reminder.locked_until is None


def test_the_reminder_also_lands_in_the_portal_notification_list(mailbox, claimed, staff, justice_task):
    deliver(claimed["staff"].pk)
    [notification] = Notification.objects.filter(recipient=staff)
    assert notification.title == "Còn 3 ngày đến hạn nhiệm vụ II.1 (Kế hoạch 1/KH-UBND)"
    assert notification.url.startswith(f"/tasks/{justice_task.pk}/") and notification.read_at is None


def test_delivering_the_same_reminder_again_sends_nothing(mailbox, claimed, staff):
    pk = claimed["staff"].pk
    assert deliver(pk) == Outcome.SENT
    assert deliver(pk) == Outcome.SKIPPED  # a redelivered or duplicated job
    assert len(mailbox.to(staff.email)) == 1
    assert Notification.objects.filter(recipient=staff).count() == 1
    assert Reminder.objects.get(pk=pk).attempts == 1


def test_a_failing_address_is_retried_with_backoff_then_marked_failed_while_others_arrive(
    time_machine, settings, mailbox, claimed, staff, colleague_elsewhere
):
    mailbox.reject.add(staff.email)
    assert deliver(claimed["finance_staff"].pk) == Outcome.SENT
    waits = []
    for _attempt in range(settings.REMINDER_MAX_ATTEMPTS - 1):
        with pytest.raises(RetryLater) as retry:
            deliver(claimed["staff"].pk)
        reminder = Reminder.objects.get(pk=claimed["staff"].pk)
        assert reminder.state == ReminderState.PENDING and "550" in reminder.last_error
        assert reminder.next_attempt_at == at("2024-03-28 07:00") + datetime.timedelta(
            seconds=sum(waits) + retry.value.countdown
        )
        waits.append(retry.value.countdown)
        time_machine.shift(retry.value.countdown)  # the job's countdown has passed
    assert waits == [60, 120, 240, 480]
    assert deliver(claimed["staff"].pk) == Outcome.FAILED
    reminder = Reminder.objects.get(pk=claimed["staff"].pk)
    assert reminder.state == ReminderState.FAILED and reminder.attempts == 5 and "550" in reminder.last_error
    assert mailbox.refused == [staff.email] * 5
    assert len(mailbox.to(colleague_elsewhere.email)) == 1
    assert deliver(claimed["staff"].pk) == Outcome.SKIPPED  # failed stays failed until an admin resends


def test_backoff_is_bounded_and_never_days_ahead(settings):
    assert [retry_countdown(n) for n in range(1, 8)] == [60, 120, 240, 480, 960, 1800, 1800]
    assert retry_countdown(50) < 3600  # below the broker's visibility_timeout: a waiting retry is never redelivered


def test_a_user_without_an_email_address_gets_the_portal_notification_only(mailbox, claimed, staff):
    type(staff).objects.filter(pk=staff.pk).update(email="")
    assert deliver(claimed["staff"].pk) == Outcome.SENT
    assert mailbox.messages == []
    assert Notification.objects.filter(recipient=staff).count() == 1
    assert Reminder.objects.get(pk=claimed["staff"].pk).email == ""


def test_work_reported_done_before_the_send_cancels_the_reminder(mailbox, claimed, staff, justice_task):
    Assignment.objects.filter(task=justice_task, agency=staff.agency).update(
        state=WorkState.DONE, progress=100, completed_on=datetime.date(2024, 3, 27)
    )
    assert deliver(claimed["staff"].pk) == Outcome.CANCELLED
    assert mailbox.messages == [] and not Notification.objects.exists()
    assert Reminder.objects.get(pk=claimed["staff"].pk).state == ReminderState.CANCELLED


def test_the_monday_digest_email_lists_the_tasks_with_links(time_machine, mailbox, justice_task, reviewer):
    time_machine.move_to(at("2024-04-01 07:00"), tick=False)
    run_sweep()
    digest = Reminder.objects.get(recipient=reviewer, kind=ReminderKind.DIGEST)
    assert deliver(digest.pk) == Outcome.SENT
    [message] = mailbox.to(reviewer.email)
    assert subject_of(message) == "[Cổng CCHC] Tổng hợp tuần 01/04/2024: 1 nhiệm vụ mới quá hạn, 0 nhiệm vụ sắp đến hạn"
    text = text_of(message)
    assert "II.1 Ban hành Kế hoạch theo dõi thi hành pháp luật — Sở Tư pháp — hạn 31/03/2024" in text
    assert f"{SITE_URL}/tasks/{justice_task.pk}/" in text and f"{SITE_URL}/tasks/{justice_task.pk}/" in html_of(message)


def test_a_periodic_report_reminder_says_which_period_to_whom_and_by_when(
    time_machine, mailbox, plan, home_affairs, departments, staff
):
    from plans.models import ReportingDuty

    duty = ReportingDuty.objects.create(document=plan, frequency="quarterly", recipient=home_affairs, due_day=15)
    duty.reporters.set([departments])
    time_machine.move_to(at("2024-03-08 07:00"), tick=False)
    run_sweep()
    reminder = Reminder.objects.get(recipient=staff, kind=ReminderKind.REPORT_DUE)
    assert deliver(reminder.pk) == Outcome.SENT
    [message] = mailbox.to(staff.email)
    assert subject_of(message) == "[Cổng CCHC] Còn 7 ngày đến hạn gửi báo cáo hằng quý kỳ 01/01/2024 – 31/03/2024"
    text = text_of(message)
    assert "Gửi Sở Nội vụ trước ngày 15/03/2024, theo Kế hoạch 1/KH-UBND." in text
    # The link opens the agency's report for that period, where it is written and sent (issue 15).
    assert f"{SITE_URL}/reports/{duty.pk}/quy-1-2024/{staff.agency_id}/" in text
