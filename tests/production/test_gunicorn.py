"""The production stack in one process tree: collectstatic with DEBUG=False, then gunicorn with gunicorn.conf.py
serving the pages and the static files (WhiteNoise, compressed, cached for ever under their hashed names)."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.production.support import BASE_DIR, free_port, manage, production_env


def fetch(port: int, path: str, **headers: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def wait_until_serving(process: subprocess.Popen, port: int) -> None:
    """Poll until gunicorn answers; fail with its log if it exits first (or has not started after a minute)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("gunicorn exited: " + process.stdout.read())
        try:
            fetch(port, "/favicon.ico")
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """collectstatic and migrate into a temporary folder with DEBUG=False, then gunicorn on a free port."""
    tmp_path = tmp_path_factory.mktemp("production")
    static_root = tmp_path / "static"
    port = free_port()
    env = production_env(
        tmp_path,
        STATIC_ROOT=str(static_root),
        BEHIND_PROXY="True",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
    )
    for command in (["collectstatic", "--noinput"], ["migrate", "--noinput"]):
        result = manage(*command, env=env)
        assert result.returncode == 0, result.stderr
    process = subprocess.Popen(  # noqa: S603 - our own fixed command
        [sys.executable, "-m", "gunicorn", "cchc_portal.wsgi", "-c", "gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_serving(process, port)
        yield port, static_root
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


HTTPS = {"X-Forwarded-Proto": "https"}  # what nginx adds after terminating TLS


def test_plain_http_is_sent_to_https(served):
    port, _static = served
    status, headers, _body = fetch(port, "/accounts/login/")
    assert status == 301
    assert headers["Location"] == "https://127.0.0.1/accounts/login/"


def test_the_login_page_is_served_with_the_production_headers(served):
    port, _static = served
    status, headers, body = fetch(port, "/accounts/login/", **HTTPS)
    assert status == 200
    page = body.decode()
    assert "Đăng nhập" in page
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    cookies = headers.get_all("Set-Cookie")
    assert any(c.startswith("csrftoken=") and "Secure" in c for c in cookies)
    # Pages link the static files under their hashed (manifest) names.
    assert re.search(r'/static/css/portal\.[0-9a-f]{12}\.css"', page)
    assert re.search(r'/static/js/portal\.[0-9a-f]{12}\.js"', page)


def test_static_files_are_compressed_and_cached_for_ever(served):
    port, static_root = served
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    for name in ("css/portal.css", "js/portal.js", "admin/css/base.css"):
        status, headers, body = fetch(port, "/static/" + manifest[name], **HTTPS, **{"Accept-Encoding": "gzip"})
        assert status == 200, name
        assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"], name
        assert headers["Content-Encoding"] == "gzip", name
        assert body[:2] == b"\x1f\x8b"
    # The unhashed name is served too (a bookmark, an old page), but cached only briefly.
    status, headers, _body = fetch(port, "/static/css/portal.css", **HTTPS)
    assert status == 200
    assert "immutable" not in headers["Cache-Control"]
