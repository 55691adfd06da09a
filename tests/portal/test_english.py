"""English is available: switching the language translates the pages, and the English catalogue is complete.

Vietnamese stays the default; the msgids are Vietnamese and ``locale/en`` holds the English catalogue.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from agencies.models import User
from plans.models import Document

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def switch_to_english(client, next_url="/tasks/"):
    response = client.post(reverse("set_language"), {"language": "en", "next": next_url})
    assert response.status_code == 302
    return response


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_logged_in_pages_switch_to_english(client, demo):
    client.force_login(User.objects.get(username="sotuphap"))
    switch_to_english(client)

    tasks_page = text(client.get("/tasks/"))
    assert '<html lang="en">' in tasks_page
    for english in (
        "My unit's tasks",
        "Overview",
        "Documents",
        "Indicators",
        "Notifications",
        "Log out",
        "Filter tasks",
    ):
        assert english in tasks_page, english
    for vietnamese in ("Nhiệm vụ của đơn vị", "Tổng quan", "Đăng xuất", "Lọc nhiệm vụ", "Thông báo"):
        assert vietnamese not in tasks_page, vietnamese

    plan_page = text(client.get(Document.objects.get(number="275/KH-UBND").get_absolute_url()))
    for english in ("Issuing agency", "Issue date", "Signer", "Lead", "Cooperating", "Deadline"):
        assert english in plan_page, english
    for vietnamese in ("Cơ quan ban hành", "Ngày ban hành", "Người ký", "Đăng xuất"):
        assert vietnamese not in plan_page, vietnamese


def test_login_page_in_english_when_logged_out(client, demo):
    switch_to_english(client, "/accounts/login/")
    login_page = text(client.get("/accounts/login/"))
    assert '<html lang="en">' in login_page
    for english in ("Log in", "Username", "Password", "Administrative reform tracking portal"):
        assert english in login_page, english
    for vietnamese in ("Đăng nhập", "Tên đăng nhập", "Mật khẩu", "Cổng theo dõi cải cách hành chính"):
        assert vietnamese not in login_page, vietnamese


def test_vietnamese_is_the_default(client, demo):
    login_page = text(client.get("/accounts/login/"))
    assert '<html lang="vi">' in login_page
    assert "Đăng nhập" in login_page
    assert "Log in" not in login_page

    client.force_login(User.objects.get(username="sotuphap"))
    tasks_page = text(client.get("/tasks/"))
    assert "Nhiệm vụ của đơn vị" in tasks_page
    assert "My unit's tasks" not in tasks_page


def test_english_catalogue_is_complete_and_compiled():
    """Every msgid has an English msgstr: a new untranslated (or fuzzy) string fails here.

    After adding strings: makemessages -l en, translate them, compilemessages -l en (and commit the .mo).
    """
    entries = parse_po(PO_FILE.read_text(encoding="utf-8"))
    header = next(e for e in entries if e["msgid"] == "" and not e["msgctxt"])
    assert "Language: en\n" in header["raw"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["raw"]
    problems = []
    for entry in entries:
        if entry is header:
            continue
        if entry["obsolete"]:
            continue
        if "fuzzy" in entry["flags"]:
            problems.append(("fuzzy", entry["msgid"]))
        if not entry["msgstr"] or any(value == "" for value in entry["msgstr"].values()):
            problems.append(("untranslated", entry["msgid"]))
        if entry["msgid_plural"] is not None and sorted(entry["msgstr"]) != ["0", "1"]:
            problems.append(("needs msgstr[0] and msgstr[1]", entry["msgid"]))
    assert not problems, f"{len(problems)} English catalogue entries need work: {problems[:20]}"
    assert len(entries) > 500
    assert MO_FILE.exists() and MO_FILE.stat().st_mtime >= PO_FILE.stat().st_mtime - 1, "run compilemessages -l en"


def _unquote(line: str) -> str:
    import ast

    return ast.literal_eval(line)


def parse_po(source: str) -> list[dict]:
    """A small .po reader (no third-party package needed): msgctxt, msgid, msgid_plural, msgstr / msgstr[n], flags, obsolete entries."""
    entries: list[dict] = []
    entry: dict | None = None
    field: tuple[str, str | None] | None = None

    def new():
        return {
            "msgctxt": None,
            "msgid": None,
            "msgid_plural": None,
            "msgstr": {},
            "flags": set(),
            "obsolete": False,
            "raw": "",
        }

    for raw_line in [*source.splitlines(), ""]:
        line = raw_line.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            if entry is not None and entry["msgid"] is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = new()
        if obsolete:
            entry["obsolete"] = True
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = _unquote(line)
            key, index = field
            if key == "msgstr":
                entry["msgstr"][index] += value
            else:
                entry[key] += value
            entry["raw"] += value
            continue
        keyword, _, rest = line.partition(" ")
        value = _unquote(rest)
        if keyword.startswith("msgstr"):
            index = keyword[7:-1] if keyword.startswith("msgstr[") else "0"
            entry["msgstr"][index] = value
            field = ("msgstr", index)
        else:
            entry[keyword] = value
            field = (keyword, None)
        entry["raw"] += value
    return entries
