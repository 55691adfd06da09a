"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, so Django's guard against synchronous database
access from async code must be lifted for these tests (the database work itself stays synchronous).
Tests using ``live_server`` are transactional and start from an empty database: ``site`` loads the demo data.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.conftest import TEST_USERS_PROVINCE

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SHOTS = Path(
    os.environ.get("BROWSER_SCREENSHOTS", Path(tempfile.gettempdir()) / "cchc-browser")
)  # outside the repository
PASSWORD = "demo12345"


def chromium_path() -> str | None:
    return CHROMIUM if Path(CHROMIUM).is_file() else shutil.which(CHROMIUM)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        # A fresh machine may lack Chromium; CI (.ci/run sets REQUIRE_SERVICES) must not pass without it.
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("Chromium is required here (REQUIRE_SERVICES) but not installed")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(live_server, transactional_db, settings, tmp_path):
    """The portal with the demo data and its accounts, uploads in a temporary folder."""
    from cchc_portal.demo import load_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo(create_users=True, users_province=TEST_USERS_PROVINCE)
    return live_server.url


@pytest.fixture
def open_as(browser, site):
    """Open a new browser window (its own cookies: another person, another computer) and log in as ``username``."""
    contexts = []

    def open_as(username: str, *, width: int = 1280, height: int = 900):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{site}/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture(autouse=True)
def jobs_in_the_server():
    """Run the jobs a step queues (its notifications, their e-mails) in the server process as the step commits,
    instead of publishing them to a broker nobody consumes during the browser tests."""
    from cchc_portal.celery import app

    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = False, False
