"""Never twice, never lost: a worker killed mid-send, two workers on one reminder, two sweeps at once.

The steps run in child processes (tests/notifications/child.py) on the test database, as separate workers
and beat processes would; the SMTP server holds a recipient's RCPT command so that a test can act while a
child is in the middle of sending.
"""

from __future__ import annotations

import datetime

import pytest

from cchc_portal.jobs import daily_sweep
from cchc_portal.models import Notification, Reminder, ReminderState
from cchc_portal.notifications.delivery import Outcome, deliver
from cchc_portal.notifications.services import run_sweep
from tasks.models import Assignment, AssignmentRole, Task
from tests.notifications.support import at, shared_database

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.services
def test_a_worker_killed_mid_send_leaves_the_reminder_to_the_next_sweep_which_delivers_it_once(
    tmp_path, time_machine, mailbox, worker, justice_task, staff
):
    time_machine.move_to(at("2024-03-28 07:00"), tick=False)
    [pk] = run_sweep().claimed
    mailbox.hold.add(staff.email)
    with shared_database(tmp_path, at("2024-03-28 07:00:05"), mailbox) as child:
        sender = child("deliver", str(pk))
        sender.go()
        assert mailbox.held.wait(30)  # the child has leased the row and is talking to the SMTP server
        sender.kill()
    reminder = Reminder.objects.get(pk=pk)
    assert reminder.state == ReminderState.PENDING and reminder.attempts == 1 and reminder.locked_until is not None
    assert mailbox.to(staff.email) == []
    assert Notification.objects.filter(reminder=reminder).count() == 1

    time_machine.move_to(at("2024-03-29 07:00"), tick=False)  # Redis would redeliver only after an hour; beat is first
    daily_sweep.delay()
    worker.wait_for(2)
    assert worker.names() == ["daily_sweep", "send_reminder"]
    mailbox.wait_for(lambda: len(mailbox.to(staff.email)) == 1)
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT and reminder.attempts == 2
    assert Notification.objects.filter(recipient=staff).count() == 1

    assert deliver(pk) == Outcome.SKIPPED  # the killed worker's message, redelivered late, does nothing
    assert len(mailbox.to(staff.email)) == 1


def test_two_workers_on_the_same_reminder_send_it_once(tmp_path, time_machine, mailbox, justice_task, staff):
    time_machine.move_to(at("2024-03-28 07:00"), tick=False)
    [pk] = run_sweep().claimed
    mailbox.hold.add(staff.email)
    with shared_database(tmp_path, at("2024-03-28 07:00:05"), mailbox) as child:
        first, second = child("deliver", str(pk)), child("deliver", str(pk))
        first.go()
        assert mailbox.held.wait(30)  # the first is mid-send
        second.go()
        assert second.result() == {"outcome": "skipped"}
        mailbox.release()
        assert first.result() == {"outcome": "sent"}
    assert len(mailbox.to(staff.email)) == 1
    reminder = Reminder.objects.get(pk=pk)
    assert reminder.state == ReminderState.SENT and reminder.attempts == 1


def test_two_sweeps_at_once_claim_each_reminder_once(
    tmp_path, mailbox, plan, section, justice, finance, staff, colleague_elsewhere
):
    for n in range(150):
        task = Task.objects.create(
            document=plan,
            section=section,
            number=str(n + 1),
            title=f"Nhiệm vụ {n + 1}",
            due_date=datetime.date(2024, 3, 31),
        )
        Assignment.objects.create(task=task, agency=justice, role=AssignmentRole.LEAD)
        Assignment.objects.create(task=task, agency=finance, role=AssignmentRole.COOPERATING)
    with shared_database(tmp_path, at("2024-03-28 07:00"), mailbox) as child:
        sweeps = [child("sweep", "2024-03-28"), child("sweep", "2024-03-28")]
        for sweep in sweeps:
            sweep.go()
        first, second = (sweep.result() for sweep in sweeps)
    assert first["planned"] == second["planned"] == 300  # both decided the same 300 reminders…
    assert not set(first["claimed"]) & set(second["claimed"])  # …and each was claimed by one of them
    assert sorted(first["claimed"] + second["claimed"]) == sorted(Reminder.objects.values_list("pk", flat=True))
    assert Reminder.objects.count() == 300
