"""In a real browser (Chromium), the Content Security Policy blocks nothing the portal or the admin needs: the browser
reports every refused script or style on its console, and only the known cosmetic losses appear there.

(Written with issue 8's production work; it lives here to share this folder's one Playwright session.)
"""

from __future__ import annotations

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from tasks.models import Task

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_page(open_as, site):
    """The administrator's window, recording what the policy refuses (as the browser reports it)."""
    page = open_as("admin")
    page.refused = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.refused.append(message.text))
    page.on("pageerror", lambda error: page.refused.append(f"error: {error}"))
    page.base = site
    return page


def visit(page, path: str) -> None:
    page.goto(page.base + path)
    page.wait_for_load_state("load")


def test_the_portal_pages_run_their_scripts_under_the_policy(admin_page):
    task = Task.objects.order_by("pk").first()
    for path in ("/dashboard/", "/tasks/", task.get_absolute_url(), "/documents/", "/indicators/", "/notifications/"):
        visit(admin_page, path)
    # The language menu is a plain form: its "English" button switches without any script.
    with admin_page.expect_navigation():
        admin_page.get_by_role("button", name="English").click()
    admin_page.wait_for_load_state("load")
    assert admin_page.locator("html").get_attribute("lang") == "en"
    assert admin_page.refused == []


def test_the_admin_runs_under_the_policy(admin_page):
    task = Task.objects.order_by("pk").first()
    for path in (
        "/admin/",
        f"/admin/tasks/task/{task.pk}/change/",
        "/admin/agencies/agency/?q=so+noi+vu",
        "/admin/tasks/task/add/",
    ):
        visit(admin_page, path)
    assert admin_page.refused == []

    # django-import-export's "select all" box works: its inline handler is allowed by its hash (see settings).
    visit(admin_page, "/admin/agencies/agency/export/")
    fields = admin_page.locator('.selectable-field-export-row input[type="checkbox"]:visible')
    assert fields.count() > 1
    admin_page.locator("input.select-toggle").uncheck()
    assert all(not fields.nth(i).is_checked() for i in range(fields.count()))
    # What that page loses is two inline styles (a bold label, a padding), nothing else.
    assert [text for text in admin_page.refused if "inline style" not in text] == []

    # The browser does report what the policy refuses: django-celery-beat's inline script (a live help text).
    admin_page.refused.clear()
    every_hour, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)
    schedule = PeriodicTask.objects.create(name="Thử", task="cchc_portal.jobs.requeue_stuck", interval=every_hour)
    visit(admin_page, f"/admin/django_celery_beat/periodictask/{schedule.pk}/change/")
    assert [text for text in admin_page.refused if "inline script" in text]
