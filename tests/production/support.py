"""Helpers of the production tests: run manage.py or gunicorn in a fresh process with a production environment."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import socket
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_SECRET = "prod-" + "k3y-" * 15  # 65 characters, many distinct: what check --deploy asks for
# Variables of the developer's shell or CI that would change what a child process sees.
OWN_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_PROXY",
    "PROXY_COUNT",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "DATA_DIR",
    "DEMO_MODE",
    "AXES_ENABLED",
    # Set by the browser tests for Playwright; check --deploy rightly refuses it (async.E001).
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def child_env(**overrides: str) -> dict[str, str]:
    """Return this process's environment without the portal's own variables, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if k not in OWN_VARIABLES and not k.endswith("_FILE")}
    env.update(overrides)
    return env


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """A production environment on a throwaway SQLite database and data folder under ``tmp_path``."""
    return child_env(
        DEBUG="False",
        SECRET_KEY=PRODUCTION_SECRET,
        ALLOWED_HOSTS="cchc.example.gov.vn,127.0.0.1",
        DATA_DIR=str(tmp_path / "data"),
        **overrides,
    )


def manage(*args: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def csp_hash(source: str) -> str:
    """Return the CSP source expression ('sha256-…') that allows exactly this inline code."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


class InlineCode(HTMLParser):
    """Collect what a strict CSP would block in a page: inline <script>/<style> bodies, on*= handlers, style=."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.script_ids: list[str] = []  # the id= of each inline script, "" when it has none
        self.styles: list[str] = []
        self.handlers: list[str] = []
        self.style_attributes: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if re.fullmatch(r"on[a-z]+", name):
                self.handlers.append(value or "")
            elif name == "style":
                self.style_attributes.append(value or "")
        if (
            tag == "script"
            and "src" not in attributes
            and attributes.get("type", "text/javascript") in ("text/javascript", "module", "application/javascript")
        ):
            self._open = "script"
            self._script_id = attributes.get("id") or ""
        elif tag == "style":
            self._open = "style"

    def handle_data(self, data):
        if self._open == "script" and data.strip():
            self.scripts.append(data)
            self.script_ids.append(self._script_id)
        elif self._open == "style" and data.strip():
            self.styles.append(data)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._open = None

    @classmethod
    def of(cls, html: str) -> InlineCode:
        parser = cls()
        parser.feed(html)
        return parser
