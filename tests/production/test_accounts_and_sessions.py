"""Accounts and sessions as ASVS level 2 asks: password change and reset by e-mail (Django's views, in
Vietnamese), passwords of 12+ characters not in the common list, sessions that end when idle and at a maximum age,
one address trying many user names throttled; responses of signed-in users never cached; Permissions-Policy;
Django itself refuses an oversized request."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.production.test_login_throttling import LOCKED, log_in, logged_in

pytestmark = pytest.mark.django_db
PASSWORD = "pw-12345-abc"


def test_a_user_changes_their_password_with_12_characters_at_least(client, staff):
    client.force_login(staff)
    page = client.get(reverse("password_change")).content.decode()
    assert "Đổi mật khẩu" in page and "ít nhất 12 ký tự" in page
    short = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": "Ngan-123", "new_password2": "Ngan-123"}
    )
    assert "quá ngắn" in short.content.decode() or "ít nhất 12" in short.content.decode()
    common = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "password1234", "new_password2": "password1234"},
    )
    assert "quá phổ biến" in common.content.decode() or "phổ biến" in common.content.decode()
    done = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Sở-Tư-pháp-2024!", "new_password2": "Sở-Tư-pháp-2024!"},
    )
    assert done.status_code == 302 and done["Location"] == reverse("password_change_done")
    staff.refresh_from_db()
    assert staff.check_password("Sở-Tư-pháp-2024!")


def test_a_forgotten_password_is_reset_by_e_mail_once(client, staff, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://cchc.example.gov.vn"
    staff.email = "staff@example.gov.vn"
    staff.save()
    assert "Quên mật khẩu?" in client.get(reverse("login")).content.decode()
    response = client.post(reverse("password_reset"), {"email": "staff@example.gov.vn"}, HTTP_HOST="evil.example.com")
    assert response.status_code in (302, 400)  # a forged Host is refused outright (ALLOWED_HOSTS) or never used
    response = client.post(reverse("password_reset"), {"email": "staff@example.gov.vn"})
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.subject == "[Cổng CCHC] Đặt lại mật khẩu" and "Kính gửi" in message.body
    link = re.search(r"https://cchc\.example\.gov\.vn(\S+)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Đặt mật khẩu mới" in form.content.decode()
    post_to = form.redirect_chain[-1][0] if form.redirect_chain else link
    assert (
        client.post(post_to, {"new_password1": "Mật-khẩu-mới-2025", "new_password2": "Mật-khẩu-mới-2025"}).status_code
        == 302
    )
    staff.refresh_from_db()
    assert staff.check_password("Mật-khẩu-mới-2025")
    again = client.get(link, follow=True).content.decode()
    assert "không còn dùng được" in again
    # Unknown addresses get the same answer (no account enumeration) and no e-mail.
    count = len(mail.outbox)
    assert client.post(reverse("password_reset"), {"email": "khong-co@example.gov.vn"}).status_code == 302
    assert len(mail.outbox) == count


def test_a_session_ends_after_30_idle_minutes(client, staff):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert log_in(client, "staff", PASSWORD).status_code == 302
        assert client.get(reverse("tasks:list")).status_code == 200
        clock.move_to(start + datetime.timedelta(minutes=29))
        assert client.get(reverse("tasks:list")).status_code == 200  # active: the idle clock starts again
        clock.move_to(start + datetime.timedelta(minutes=29 + 31))
        response = client.get(reverse("tasks:list"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert not logged_in(client)


def test_a_session_ends_at_its_maximum_age_even_when_active(client, staff, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert log_in(client, "staff", PASSWORD).status_code == 302
        for minutes in range(20, 10 * 60, 20):  # busy all day, a request every 20 minutes
            clock.move_to(start + datetime.timedelta(minutes=minutes))
            assert client.get(reverse("tasks:list")).status_code == 200, minutes
        clock.move_to(start + datetime.timedelta(hours=10, minutes=1))
        assert client.get(reverse("tasks:list")).status_code == 302


def test_one_address_trying_many_user_names_is_locked(client, staff, settings):
    settings.AXES_IP_FAILURE_LIMIT = 12
    address = {"REMOTE_ADDR": "203.0.113.9"}
    for attempt in range(11):  # a different name each time: no single name reaches 5
        assert log_in(client, f"ten-{attempt}", "sai-mat-khau", **address).status_code == 200
    locked = log_in(client, "ten-cuoi", "sai-mat-khau", **address)
    assert locked.status_code == 429 and LOCKED in locked.content.decode()
    assert log_in(client, "staff", PASSWORD, **address).status_code == 429
    assert log_in(client, "staff", PASSWORD, REMOTE_ADDR="203.0.113.10").status_code == 302  # another address


def test_signed_in_pages_and_exports_are_not_cached(client, staff, demo):
    client.force_login(staff)
    for url in (reverse("tasks:list"), reverse("dashboard:export_xlsx"), reverse("notifications:list")):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url


def test_permissions_policy_is_sent(client):
    policy = client.get(reverse("login"))["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def test_django_refuses_an_oversized_request(client, staff, settings):
    settings.MAX_REQUEST_BYTES = 1000
    response = client.generic("POST", reverse("login"), b"x" * 2000, content_type="application/octet-stream")
    assert response.status_code == 413 and "tối đa" in response.content.decode()
