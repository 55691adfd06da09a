"""The real path: beat's job runs the sweep in a Celery worker on Redis, which queues one job per reminder and
delivers through a real SMTP server. Nothing is eager, nothing is mocked; the tests wait on the worker's
completed jobs and the SMTP server's messages, never on the clock."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Role
from cchc_portal.jobs import daily_sweep, requeue_stuck
from cchc_portal.models import Reminder, ReminderState
from tests.notifications.support import SITE_URL, at, subject_of, text_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def test_the_daily_sweep_runs_in_a_worker_and_each_reminder_arrives_once(
    time_machine, worker, mailbox, justice_task, staff, colleague_elsewhere
):
    time_machine.move_to(at("2024-03-28 07:00"), tick=False)
    daily_sweep.delay()  # what beat sends at 07:00
    worker.wait_for(3)
    assert worker.names() == ["daily_sweep", "send_reminder", "send_reminder"]
    mailbox.wait_for(lambda: len(mailbox.messages) == 2)
    [to_staff] = mailbox.to(staff.email)
    assert subject_of(to_staff) == "[Cổng CCHC] Còn 3 ngày đến hạn nhiệm vụ II.1 (Kế hoạch 1/KH-UBND)"
    assert f"{SITE_URL}/tasks/{justice_task.pk}/" in text_of(to_staff)
    assert len(mailbox.to(colleague_elsewhere.email)) == 1
    assert set(Reminder.objects.values_list("state", flat=True)) == {ReminderState.SENT}

    daily_sweep.delay()  # beat fires twice (two beat processes by mistake, or a restart)
    worker.wait_for(4)
    assert worker.names()[3:] == ["daily_sweep"]  # it claimed nothing, so it queued nothing
    assert len(mailbox.messages) == 2


def test_a_failing_address_is_retried_by_the_worker_then_marked_failed_while_others_arrive(
    time_machine, settings, worker, mailbox, justice_task, staff, colleague_elsewhere
):
    settings.REMINDER_RETRY_BASE_SECONDS = 0  # the backoff schedule itself is tested in test_delivery
    mailbox.reject.add(staff.email)
    time_machine.move_to(at("2024-03-28 07:00"), tick=False)
    daily_sweep.delay()
    worker.wait_for(1 + 1 + 5)  # the sweep, the good address, five attempts at the bad one
    assert [state for _name, state in worker.done].count("RETRY") == 4
    reminder = Reminder.objects.get(recipient=staff)
    assert reminder.state == ReminderState.FAILED and reminder.attempts == 5 and "550" in reminder.last_error
    assert mailbox.refused == [staff.email] * 5
    assert len(mailbox.to(colleague_elsewhere.email)) == 1
    assert Reminder.objects.get(recipient=colleague_elsewhere).state == ReminderState.SENT


def test_an_admin_resends_a_failed_reminder(time_machine, client, settings, worker, mailbox, justice_task, staff):
    settings.REMINDER_RETRY_BASE_SECONDS = 0
    mailbox.reject.add(staff.email)
    time_machine.move_to(at("2024-03-28 07:00"), tick=False)
    daily_sweep.delay()
    worker.wait_for(1 + 5)  # the sweep, five attempts
    failed = Reminder.objects.get(recipient=staff, state=ReminderState.FAILED)
    mailbox.reject.clear()  # the address was fixed
    admin = get_user_model().objects.create_superuser("root", "root@example.gov.vn", "pw-12345-abc", role=Role.ADMIN)
    client.force_login(admin)
    page = client.get(reverse("admin:cchc_portal_reminder_changelist"), {"attention": "failed"})
    assert str(staff.email) in page.content.decode()
    client.post(reverse("admin:cchc_portal_reminder_changelist"), {"action": "resend", "_selected_action": [failed.pk]})
    worker.wait_for(1 + 5 + 1)
    failed.refresh_from_db()
    assert failed.state == ReminderState.SENT and failed.attempts == 1
    assert len(mailbox.to(staff.email)) == 1


def test_a_large_sweep_is_queued_through_fan_out_jobs(
    time_machine, settings, worker, mailbox, plan, section, justice, staff
):
    from tasks.models import Assignment, Task

    settings.REMINDER_FANOUT_CHUNK = 2
    for n in range(5):
        task = Task.objects.create(
            document=plan,
            section=section,
            number=str(n + 1),
            title=f"Nhiệm vụ {n + 1}",
            due_date=at("2024-03-31 00:00").date(),
        )
        Assignment.objects.create(task=task, agency=justice)
    time_machine.move_to(at("2024-03-28 07:00"), tick=False)
    daily_sweep.delay()
    worker.wait_for(1 + 3 + 5)
    assert sorted(worker.names()) == ["daily_sweep"] + ["fan_out"] * 3 + ["send_reminder"] * 5
    mailbox.wait_for(lambda: len(mailbox.messages) == 5)
    assert sorted(subject_of(m)[-25:] for m in mailbox.messages) == sorted(
        f"nhiệm vụ II.{n + 1} (Kế hoạch 1/KH-UBND)"[-25:] for n in range(5)
    )


def test_the_command_can_hand_the_reminders_to_the_worker(
    time_machine, worker, mailbox, justice_task, staff, colleague_elsewhere
):
    time_machine.move_to(at("2024-03-28 07:00"), tick=False)
    call_command("send_reminders", "--queue")
    worker.wait_for(2)
    assert worker.names() == ["send_reminder", "send_reminder"]
    mailbox.wait_for(lambda: len(mailbox.messages) == 2)


def test_requeue_stuck_runs_in_the_worker(time_machine, worker, mailbox, justice_task, staff, colleague_elsewhere):
    from cchc_portal.notifications.services import run_sweep

    time_machine.move_to(at("2024-03-28 07:00"), tick=False)
    claimed = run_sweep().claimed  # claimed, but the process died before queueing anything
    time_machine.move_to(at("2024-03-28 08:01"), tick=False)
    requeue_stuck.delay()  # beat, every 15 minutes
    worker.wait_for(1 + len(claimed))
    mailbox.wait_for(lambda: len(mailbox.messages) == 2)
    assert set(Reminder.objects.values_list("state", flat=True)) == {ReminderState.SENT}


def test_a_workflow_step_is_told_by_the_worker_once_it_commits(worker, mailbox, justice_task, staff, leader, reviewer):
    """The leader sends a report: the request only queues ``notify_event``; the worker writes the reviewer's
    notification and queues its e-mail, which arrives once; a redelivered job adds nothing."""
    from cchc_portal.jobs import notify_event
    from cchc_portal.models import EventKind, Notification
    from tasks import services
    from tasks.models import Assignment

    part = Assignment.objects.get(task=justice_task, agency=staff.agency)
    services.report_progress(part, staff, part.version, services.Report(state="in_progress", progress=40, note="Đợt 1"))
    worker.wait_for(2)  # the leader's "chờ lãnh đạo gửi" notice, and its e-mail
    part.refresh_from_db()
    review = services.submit(part, leader, part.version)
    worker.wait_for(4)
    assert worker.names()[2:] == ["notify_event", "send_notification_email"]
    mailbox.wait_for(lambda: len(mailbox.to(reviewer.email)) == 1)
    [message] = mailbox.to(reviewer.email)
    assert subject_of(message) == "[Cổng CCHC] Báo cáo chờ xem xét: Sở Tư pháp – nhiệm vụ II.1 (Kế hoạch 1/KH-UBND)"
    assert Notification.objects.get(recipient=reviewer, kind=EventKind.SUBMITTED).email_state == "sent"

    notify_event.delay("review", review.pk, None)  # the same step again: a redelivered message
    worker.wait_for(5)
    assert worker.names()[4:] == ["notify_event"]  # nothing new to write, nothing queued
    assert len(mailbox.to(reviewer.email)) == 1
