"""Every user chooses how notifications reach them by e-mail, on /notifications/settings/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cchc_portal.models import EmailMode, Notification, NotificationSettings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["staff", "leader", "reviewer"])
def test_every_role_chooses_its_e_mails(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert "Gửi e-mail ngay khi có từng việc" in page and "Gửi một e-mail tổng hợp mỗi ngày" in page
    assert f"E-mail được gửi tới địa chỉ {user.email}." in page
    response = client.post(reverse("notifications:settings"), {"email_mode": "daily"})
    assert response.status_code == 302
    assert NotificationSettings.objects.get(user=user).email_mode == EmailMode.DAILY
    client.post(reverse("notifications:settings"), {"email_mode": "none"})
    assert NotificationSettings.objects.get(user=user).email_mode == EmailMode.NONE
    assert client.post(reverse("notifications:settings"), {"email_mode": "sometimes"}).status_code == 200
    assert NotificationSettings.objects.get(user=user).email_mode == EmailMode.NONE


def test_opening_a_notification_marks_it_read_and_goes_where_it_points(client, staff, leader, justice_task):
    mine = Notification.objects.create(
        recipient=staff, kind="returned", title="Bị trả lại", url=justice_task.get_absolute_url()
    )
    theirs = Notification.objects.create(recipient=leader, kind="returned", title="Bị trả lại", url="/tasks/")
    outside = Notification.objects.create(recipient=staff, kind="returned", title="Lạ", url="https://example.com/")
    client.force_login(staff)
    response = client.get(reverse("notifications:open", args=[mine.pk]))
    assert response["Location"] == justice_task.get_absolute_url()
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[outside.pk]))["Location"] == reverse("notifications:list")
