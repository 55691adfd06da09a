"""What the reminder tests share besides fixtures: the clock, a real SMTP server, child processes."""

from __future__ import annotations

import asyncio
import datetime
import email
import email.policy
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing, contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.db import connection

from agencies.models import User

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
SITE_URL = "https://cchc.example.gov.vn"


def at(text: str) -> datetime.datetime:
    """An aware datetime in Vietnam's time zone: at("2024-03-28 07:00")."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


def with_email(user: User) -> User:
    user.email = f"{user.username}@example.gov.vn"
    user.first_name = user.username
    user.save(update_fields=["email", "first_name"])
    return user


class Mailbox:
    """An SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it accepts.

    ``reject``: addresses answered "550 mailbox unavailable"; ``hold``: addresses whose RCPT command is held
    until ``release()`` (the client is mid-send: a test can kill it there); ``held`` is set when that happens.
    """

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refused: list[str] = []
        self.reject: set[str] = set()
        self.hold: set[str] = set()
        self.held = threading.Event()
        self._release = asyncio.Event()
        self._changed = threading.Condition()
        self.controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook name
        if address in self.reject:
            with self._changed:
                self.refused.append(address)
                self._changed.notify_all()
            return "550 5.1.1 Mailbox unavailable"
        if address in self.hold:
            self.hold.discard(address)
            self.held.set()
            await self._release.wait()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def release(self) -> None:
        self.controller.loop.call_soon_threadsafe(self._release.set)

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in [a.addr_spec for a in m["To"].addresses]]

    def wait_for(self, predicate, timeout: float = 30) -> None:
        """Block until ``predicate()`` holds (a safety timeout, not a delay: the server notifies each change)."""
        with self._changed:
            assert self._changed.wait_for(predicate, timeout), "the SMTP server did not receive what was expected"


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subject_of(message: email.message.EmailMessage) -> str:
    """The decoded subject (Python's parser keeps the space of a header folded before its first encoded word)."""
    return str(message["Subject"]).strip()


def text_of(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


class Jobs:
    """What the embedded worker ran: (job name, final state) in order; tests wait on it, never on the clock."""

    def __init__(self) -> None:
        self.done: list[tuple[str, str]] = []
        self._changed = threading.Condition()

    def on_postrun(self, sender=None, state=None, **kwargs) -> None:
        if getattr(sender.request, "is_eager", False):
            return
        from django.db import connections

        connections.close_all()  # the worker thread's connections must not outlive the test database
        with self._changed:
            self.done.append((sender.name, state))
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 60) -> list[tuple[str, str]]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.done) >= count, timeout), f"worker ran only {self.done}"
        return self.done

    def names(self) -> list[str]:
        return [name.rsplit(".", 1)[-1] for name, _state in self.done]


CHILD = Path(__file__).with_name("child.py")


class Child:
    """A separate Python process running one reminder step (see child.py): started, told to go, killed or awaited."""

    def __init__(self, env: dict, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD), *args],
            env=env,
            cwd=django_settings.BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline().strip()
        assert line == "ready", line + self.process.stderr.read()

    def go(self) -> None:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def result(self) -> dict:
        out, err = self.process.communicate(timeout=60)
        assert self.process.returncode == 0, err
        return json.loads(out.strip().splitlines()[-1])

    def kill(self) -> None:
        """SIGKILL: no cleanup, no atexit, no rollback — as when the OOM killer or a power cut stops a worker."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        assert self.process.returncode == -signal.SIGKILL


@contextmanager
def shared_database(tmp_path: Path, now: datetime.datetime, mailbox: Mailbox):
    """Yield a function that starts a ``Child`` on the test database, at time ``now``.

    On PostgreSQL the children connect to the test database itself. On SQLite the test database lives in
    this process's memory, so the children get a file copy of it (WAL, like the embedded default) and their
    committed writes are copied back when the block ends.
    """
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
        "DJANGO_SETTINGS_MODULE": "cchc_portal.settings",
        "DATA_DIR": str(tmp_path / "data"),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mailbox.controller.port),
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": "False",
        "SITE_URL": SITE_URL,
        "REMINDER_TEST_NOW": now.isoformat(),
    }
    db = connection.settings_dict
    copy = tmp_path / "shared.sqlite3"
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        connection.ensure_connection()
        with closing(sqlite3.connect(copy)) as target:
            connection.connection.backup(target)
        env["DATABASE_URL"] = f"sqlite:///{copy}"
    yield lambda *args: Child(env, *args)
    if connection.vendor != "postgresql":
        with closing(sqlite3.connect(copy)) as source:
            source.backup(connection.connection)
