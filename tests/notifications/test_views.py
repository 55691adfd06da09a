"""The notification list: each user sees and marks only their own; the unread count sits in the top bar."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc_portal.models import Notification, ReminderKind

pytestmark = pytest.mark.django_db


def notify(user, title: str, **extra) -> Notification:
    return Notification.objects.create(
        recipient=user, kind=ReminderKind.DUE_SOON, title=title, url="/tasks/1/", **extra
    )


def test_a_user_sees_only_their_own_notifications(client, staff, colleague_elsewhere):
    notify(staff, "Còn 3 ngày đến hạn nhiệm vụ II.1")
    notify(colleague_elsewhere, "Thông báo của Sở Tài chính")
    client.force_login(staff)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Còn 3 ngày đến hạn nhiệm vụ II.1" in page
    assert "Thông báo của Sở Tài chính" not in page


def test_the_top_bar_shows_the_unread_count_with_one_query(client, staff):
    notify(staff, "Một")
    notify(staff, "Hai")
    notify(staff, "Ba", read_at="2024-03-28T08:00:00+07:00")
    client.force_login(staff)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("notifications:list")).content.decode()
    assert 'data-testid="unread-count">2</span>' in page
    counts = [
        q["sql"]
        for q in captured.captured_queries
        if "cchc_portal_notification" in q["sql"] and "COUNT" in q["sql"].upper() and "read_at" in q["sql"]
    ]
    assert len(counts) == 1  # read twice by the template, counted once
    assert 'data-testid="queue-returned"' in page and "tasks_assignment" in counts[0]  # with the work queues


def test_marking_one_read(client, staff):
    notification = notify(staff, "Còn 3 ngày")
    client.force_login(staff)
    response = client.post(reverse("notifications:read", args=[notification.pk]), {"next": "/tasks/1/"})
    assert response.status_code == 302 and response["Location"] == "/tasks/1/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_someone_else_s_notification_is_not_found(client, staff, colleague_elsewhere):
    theirs = notify(colleague_elsewhere, "Của người khác")
    client.force_login(staff)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_all_read_touches_only_one_s_own(client, staff, colleague_elsewhere):
    notify(staff, "Một")
    notify(staff, "Hai")
    theirs = notify(colleague_elsewhere, "Của người khác")
    client.force_login(staff)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "Đã đánh dấu 2 thông báo là đã đọc." in response.content.decode()
    assert not Notification.objects.filter(recipient=staff, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert 'data-testid="unread-count"' not in response.content.decode()


def test_an_outside_link_in_next_is_ignored(client, staff):
    notification = notify(staff, "Một")
    client.force_login(staff)
    response = client.post(reverse("notifications:read", args=[notification.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications:list")


def test_marking_needs_post_and_a_login(client, staff):
    notification = notify(staff, "Một")
    assert client.get(reverse("notifications:list")).status_code == 302
    client.force_login(staff)
    assert client.get(reverse("notifications:read", args=[notification.pk])).status_code == 405


def test_only_unread(client, staff):
    notify(staff, "Chưa đọc")
    notify(staff, "Đã đọc rồi", read_at="2024-03-28T08:00:00+07:00")
    client.force_login(staff)
    page = client.get(reverse("notifications:list"), {"unread": "1"}).content.decode()
    assert "Chưa đọc" in page and "Đã đọc rồi" not in page
