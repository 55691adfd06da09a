"""Every page of the portal and of the admin speaks Vietnamese (issue 15, point 8).

Each role opens every page it may open (the URL walk's world, the admin's lists, add, change and history pages and
its import and export pages) in a browser that asks for English: the portal still answers in Vietnamese, and no
text of the page holds an English word or a code name (``tests/portal/vietnamese.py`` says how they are told).
The last tests show that the scan is not blind: an English string or a code name put on a page is reported.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import User
from plans.models import Document
from tests.portal.test_url_walk import personas, url_for, url_names, world  # noqa: F401 - world is a fixture
from tests.portal.vietnamese import leaks, visible_texts
from tests.production.test_security_headers import admin_pages

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
SKIP = {"logout", "set_language", "notifications:read_all", "bench_ping"}  # no page of their own


def scan(client, urls) -> tuple[int, list[str]]:
    pages, problems = 0, []
    usernames = frozenset(User.objects.values_list("username", flat=True))
    for url in urls:
        response = client.get(url, **ENGLISH_BROWSER)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        assert '<html lang="vi"' in html, url
        pages += 1
        problems += [f"{url}: {leak}" for leak in leaks(html, usernames)]
    return pages, problems


def test_every_portal_page_of_every_role_is_vietnamese(client, world):  # noqa: F811
    pages, problems = 0, []
    for role, user in personas().items():
        client.logout()
        if user is not None:
            client.force_login(user)
        counted, found = scan(client, [url_for(name, world) for name in url_names() if name not in SKIP])
        pages += counted
        problems += [f"{role} {problem}" for problem in found]
    assert pages > 100
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("username", ["admin", "sonoivu"])
def test_every_admin_page_is_vietnamese(client, demo, username):
    """The superuser and a province administrator (Sở Nội vụ of the demo) over every admin page they may open."""
    user = User.objects.get(username=username)
    client.force_login(user)
    pages, problems = scan(client, admin_pages(user))
    assert pages > (50 if username == "admin" else 20)
    assert not problems, "\n".join(problems)


def test_an_english_browser_gets_the_vietnamese_portal_and_english_stays_in_the_menu(client, demo):
    page = client.get(reverse("login"), **ENGLISH_BROWSER).content.decode()
    assert '<html lang="vi">' in page and "Đăng nhập" in page
    assert '<button type="submit" name="language" value="en" lang="en" class="linklike">English</button>' in page
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<html lang="en">' in page and "Log in" in page  # the menu's choice wins over the browser's, both ways


def test_the_scan_reports_an_english_text_on_a_real_page(client, demo, settings):
    """A page rendered in English (the menu's choice) is all leaks; a code name in a document's note is one."""
    client.force_login(User.objects.get(username="sotuphap"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    found = leaks(client.get(reverse("tasks:list")).content.decode())
    assert any("Log out" in leak for leak in found), found
    assert any("Filter tasks" in leak for leak in found), found
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert leaks(client.get(reverse("tasks:list")).content.decode()) == []

    plan = Document.objects.get(number="275/KH-UBND")
    plan.notes = "Nhập từ periodic_reports"
    plan.save(update_fields=["notes"])
    found = leaks(client.get(plan.get_absolute_url()).content.decode())
    assert any("periodic_reports" in leak for leak in found), found


def test_the_scan_reads_what_a_person_reads():
    html = (
        "<html><head><title>Cổng</title><script>var created = 1;</script><style>.import{}</style></head><body>"
        '<button title="Export">Xuất</button><input type="submit" value="Save"><input type="hidden" value="Delete">'
        '<p>Đã nhập: created: 8 / updated: 0 / assignments_created: 78</p><p>Số hiệu đầy đủ</p><img alt="Preview">'
        "</body></html>"
    )
    assert "var created = 1;" not in visible_texts(html)
    found = "\n".join(leaks(html))
    for leaked in ("Export", "Save", "created", "updated", "assignments_created", "Preview"):
        assert leaked in found, leaked
    assert "Delete" not in found  # a hidden input is not read
    assert "Số hiệu đầy đủ" not in found and "Xuất" not in found
