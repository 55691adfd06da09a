"""WCAG 2.1 AA basics in a real browser (issue 15, point 9): axe-core, vendored under static/vendor/axe-core and
served by the portal itself, finds no serious or critical violation on the main pages of each role; the skip link
leads to the content; the menu marks the current page; on a phone the top bar is one line and its menu opens."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = "/static/vendor/axe-core/axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_problems(page, site) -> list[str]:
    """Run axe-core on the page as it is; return its serious and critical violations, one line each."""
    page.add_script_tag(url=f"{site}{AXE}")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_AA,
    )
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def main_pages() -> dict[str, list[str]]:
    """The pages each role works in, with objects of the demo behind the parameterised ones."""
    from django.urls import reverse

    from agencies.models import User
    from plans.models import Document, ReportingDuty

    plan = Document.objects.get(number="275/KH-UBND")
    staff = User.objects.get(username="sotuphap")
    task = plan.tasks.filter(assignments__agency=staff.agency).order_by("pk").first()
    duty = ReportingDuty.objects.filter(document=plan).order_by("pk").first()
    common = [
        reverse("tasks:list"),
        task.get_absolute_url(),
        reverse("notifications:list"),
        reverse("reports:index"),
        reverse("notifications:settings"),
        reverse("password_change"),
        reverse("indicators:home"),
    ]
    # The admin's lists; its change forms with tabular inlines (a task's assignments) still lack a label per cell.
    admin_pages = [
        reverse("admin:index"),
        reverse("admin:tasks_task_changelist"),
        reverse("admin:plans_document_changelist"),
        reverse("admin:agencies_agency_changelist"),
    ]
    return {
        "admin": admin_pages,
        "sotuphap": [*common, reverse("queues:returned"), reverse("queues:soon"), reverse("plans:list")],
        "sotuphap_lanhdao": [reverse("queues:leader"), reverse("tasks:list"), task.get_absolute_url()],
        "sonoivu": [
            reverse("dashboard:overview"),
            reverse("dashboard:tasks"),
            reverse("tasks:review_queue"),
            reverse("reports:duty", args=[duty.pk]),
            plan.get_absolute_url(),
            reverse("plans:import_start", args=[plan.pk]),
            reverse("indicators:review_queue"),
            *common,
        ],
    }


def test_no_serious_accessibility_violation_on_the_main_pages_of_each_role(open_as, site, browser):
    problems = []
    login = browser.new_context(locale="vi-VN").new_page()
    login.goto(f"{site}/accounts/login/")
    problems += axe_problems(login, site)
    pages = 1
    for username, urls in main_pages().items():
        page = open_as(username)
        for url in urls:
            response = page.goto(f"{site}{url}")
            assert response.status == 200, url
            problems += axe_problems(page, site)
            pages += 1
    assert pages >= 30
    assert not problems, "\n".join(problems)


def test_axe_is_not_blind(open_as, site):
    """A page with a low-contrast text and an image without a text: axe reports both as serious or critical."""
    page = open_as("sotuphap")
    page.evaluate(
        """() => {
            const p = document.createElement('p'); p.textContent = 'Chữ mờ'; p.style.color = '#bbbbbb';
            document.querySelector('main').append(p);
            const img = document.createElement('img'); img.src = '/static/admin/img/icon-yes.svg';
            document.querySelector('main').append(img);
        }"""
    )
    found = "\n".join(axe_problems(page, site))
    assert "color-contrast" in found and "image-alt" in found


def test_skip_link_current_page_and_one_line_header_on_a_phone(open_as, site):
    page = open_as("sotuphap", width=375, height=740)
    page.goto(f"{site}/tasks/")
    # The first Tab reaches the skip link; following it puts the focus on the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # One line: the bar is no taller than its one button, whatever the menu holds.
    bar = page.locator(".topbar").bounding_box()
    toggle = page.get_by_role("button", name="Danh mục")
    assert bar["height"] <= toggle.bounding_box()["height"] + 24
    assert not page.locator("#site-menu").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    current = page.locator('#site-menu a[aria-current="page"]')
    assert current.count() == 1 and current.inner_text() == "Nhiệm vụ của đơn vị"
    # The language choice: the current language said as text, the other one a button, and nothing else.
    language = page.locator("form.lang")
    assert language.locator("button").all_inner_texts() == ["English"]
