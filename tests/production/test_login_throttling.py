"""Guessing passwords is throttled (django-axes): five wrong passwords lock that username from that address for 15
minutes, without locking out the colleagues who share the office's address or the proxy's.
"""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.production.support import child_env, manage

pytestmark = pytest.mark.django_db

PASSWORD = "pw-12345-abc"  # tests/conftest.py make_user
LOCKED = "Tài khoản tạm thời bị khoá vì nhập sai mật khẩu 5 lần liên tiếp"


def log_in(client, username, password, **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_that_username_from_that_address(client, staff, leader):
    office = {"REMOTE_ADDR": "10.20.30.40"}
    for attempt in range(1, 5):
        response = log_in(client, "staff", f"wrong-{attempt}", **office)
        assert response.status_code == 200
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    fifth = log_in(client, "staff", "wrong-5", **office)
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()

    # The right password is refused too while the lock lasts.
    response = log_in(client, "staff", PASSWORD, **office)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not logged_in(client)
    # The admin's login is the same door.
    assert client.post(reverse("admin:login"), {"username": "staff", "password": PASSWORD}, **office).status_code == 429

    # A colleague in the same office (same address) logs in as usual.
    assert log_in(client, "leader", PASSWORD, **office).status_code == 302
    assert logged_in(client)
    client.logout()
    # So does the locked person from another computer with another address.
    assert log_in(client, "staff", PASSWORD, REMOTE_ADDR="10.20.30.41").status_code == 302
    client.logout()


def test_the_lock_ends_after_15_minutes(client, staff):
    office = {"REMOTE_ADDR": "10.20.30.40"}
    for attempt in range(5):
        log_in(client, "staff", f"wrong-{attempt}", **office)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=14), tick=False):
        assert log_in(client, "staff", PASSWORD, **office).status_code == 429
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=14 + 16), tick=False):
        assert log_in(client, "staff", PASSWORD, **office).status_code == 302
        assert logged_in(client)


def test_a_success_before_the_limit_starts_the_count_again(client, staff):
    office = {"REMOTE_ADDR": "10.20.30.40"}
    for attempt in range(4):
        log_in(client, "staff", f"typo-{attempt}", **office)
    assert log_in(client, "staff", PASSWORD, **office).status_code == 302
    client.logout()
    for attempt in range(4):
        assert log_in(client, "staff", f"typo-again-{attempt}", **office).status_code == 200
    assert log_in(client, "staff", PASSWORD, **office).status_code == 302


def proxy_settings() -> dict:
    """The throttling settings that BEHIND_PROXY=True produces (read in a fresh interpreter)."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({n: getattr(s, n, None) for n in "
        "('AXES_IPWARE_META_PRECEDENCE_ORDER', 'AXES_IPWARE_PROXY_COUNT', 'IPWARE_STRICT')}))"
    )
    result = manage("shell", "-c", code, env=child_env(BEHIND_PROXY="True"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_behind_the_proxy_the_client_address_comes_from_x_forwarded_for(client, staff, settings):
    """nginx appends the address it sees to X-Forwarded-For; gunicorn sees only nginx (127.0.0.1)."""
    for name, value in proxy_settings().items():
        setattr(settings, name, tuple(value) if isinstance(value, list) else value)
    assert settings.AXES_IPWARE_PROXY_COUNT == 0 and settings.IPWARE_STRICT is False

    def via_nginx(client_address, sent=None):
        forwarded = f"{sent}, {client_address}" if sent else client_address
        return {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": forwarded}

    for attempt in range(5):
        log_in(client, "staff", f"wrong-{attempt}", **via_nginx("203.0.113.9"))
    assert log_in(client, "staff", PASSWORD, **via_nginx("203.0.113.9")).status_code == 429
    # A guesser who forges the header is still known by the address nginx saw.
    assert log_in(client, "staff", PASSWORD, **via_nginx("203.0.113.9", sent="198.51.100.1")).status_code == 429
    # The same username from another client of the proxy is not locked: the proxy's own address is not the key.
    assert log_in(client, "staff", PASSWORD, **via_nginx("203.0.113.10")).status_code == 302


def test_throttling_can_be_switched_off_for_an_emergency():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.AXES_ENABLED)",
        env=child_env(AXES_ENABLED="False"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
