"""The admin shows reminders that need attention (failed, stuck) and the record of each send."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from agencies.models import Role, User
from cchc_portal.models import Notification, Reminder, ReminderState
from cchc_portal.notifications.services import run_sweep
from tests.notifications.support import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.gov.vn", "pw-12345-abc", role=Role.ADMIN))
    return client


@pytest.fixture
def three_reminders(time_machine, justice_task, staff, leader, colleague_elsewhere):
    """Three reminders in three states: sent (finance_staff, 28/03), failed (staff, 28/03), pending (staff, 30/03)."""
    time_machine.move_to(at("2024-03-28 07:00"), tick=False)
    run_sweep()
    sent = Reminder.objects.get(recipient=colleague_elsewhere)
    Reminder.objects.filter(pk=sent.pk).update(state=ReminderState.SENT, attempts=1, sent_at=at("2024-03-28 07:01"))
    failed = Reminder.objects.get(recipient=staff)
    Reminder.objects.filter(pk=failed.pk).update(
        state=ReminderState.FAILED, attempts=5, last_error="SMTPRecipientsRefused: 550"
    )
    time_machine.move_to(at("2024-03-30 07:00"), tick=False)
    run_sweep()  # the 1-day reminder to staff, left pending
    stuck = Reminder.objects.get(recipient=staff, day=datetime.date(2024, 3, 30))
    return {"sent": sent, "failed": failed, "stuck": stuck}


def listed(admin_client, **params) -> str:
    return admin_client.get(reverse("admin:cchc_portal_reminder_changelist"), params).content.decode()


def test_failed_reminders_are_one_filter_away(admin_client, three_reminders):
    page = listed(admin_client, attention="failed")
    assert "SMTPRecipientsRefused: 550" in page
    assert "finance_staff@example.gov.vn" not in page


def test_a_reminder_pending_for_over_an_hour_shows_as_stuck(time_machine, admin_client, three_reminders):
    assert "30/03/2024" not in listed(admin_client, attention="stuck").split('id="result_list"')[-1]
    time_machine.move_to(at("2024-03-30 08:01"), tick=False)
    page = listed(admin_client, attention="stuck").split('id="result_list"')[-1]
    assert "staff@example.gov.vn" in page and "finance_staff" not in page


def test_a_reminder_s_page_shows_its_record(admin_client, three_reminders):
    failed = three_reminders["failed"]
    page = admin_client.get(reverse("admin:cchc_portal_reminder_change", args=[failed.pk])).content.decode()
    assert "SMTPRecipientsRefused: 550" in page and "Gửi lỗi" in page


def test_nobody_adds_reminders_by_hand(admin_client):
    assert admin_client.get(reverse("admin:cchc_portal_reminder_add")).status_code == 403
    assert admin_client.get(reverse("admin:cchc_portal_notification_changelist")).status_code == 200


def test_resend_puts_failed_and_stuck_ones_back_in_the_queue_but_not_sent_ones(
    time_machine, admin_client, three_reminders, django_capture_on_commit_callbacks
):
    time_machine.move_to(at("2024-03-30 08:01"), tick=False)
    chosen = [r.pk for r in three_reminders.values()]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin_client.post(
            reverse("admin:cchc_portal_reminder_changelist"),
            {"action": "resend", "_selected_action": chosen},
            follow=True,
        )
    page = response.content.decode()
    assert "Đã xếp hàng gửi lại 2 nhắc nhở." in page and "Bỏ qua 1 nhắc nhở" in page
    assert len(queued) == 2  # two jobs, published once the transaction commits (executed by the worker test)
    assert Reminder.objects.get(pk=three_reminders["failed"].pk).attempts == 0
    assert Reminder.objects.get(pk=three_reminders["sent"].pk).state == ReminderState.SENT


def test_a_province_admin_sees_only_its_province_s_reminders(client, three_reminders, other_province):
    from tests.conftest import make_agency

    agency = make_agency(other_province, "Sở Nội vụ")
    user = User.objects.create_user("b_admin", password="x-12345-y", agency=agency, role=Role.ADMIN, is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.set(Permission.objects.filter(codename__in=["view_reminder", "view_notification"]))
    client.force_login(user)
    page = client.get(reverse("admin:cchc_portal_reminder_changelist")).content.decode()
    assert "staff@example.gov.vn" not in page
    assert not Notification.objects.exists()
