"""What a person reads on a rendered page, and the words in it that are English or code names (issue 15, point 8).

The English vocabulary is taken from the catalogues themselves, never typed by hand: every msgid of Django and of
the third-party apps the portal shows (their source language is English) and every English msgstr of the portal's
own catalogue. A word that a Vietnamese text also uses (a msgid of the portal, a Vietnamese msgstr of Django or of
``locale/vi``) is not counted: "can", "to", "in", "an"… are Vietnamese syllables too. So a text that reaches the page
without going through the Vietnamese catalogue — an English msgid of a library that has no Vietnamese translation,
a string the portal forgot to translate and wrote in English, a field or code name ("periodic_reports",
"assignments_created") — shows up here.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from html.parser import HTMLParser
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings

from tests.portal.test_english import parse_po

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
CODE_NAME = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # snake_case: a field, a key or a task name
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
HIDDEN_ELEMENTS = {"script", "style", "template", "noscript"}
# What a person does not read as a sentence: <code> holds the column headers a file must carry, exactly as written.
LITERAL_ELEMENTS = {"code"}
TIME_ZONES = frozenset(zoneinfo.available_timezones())
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

# Names, not words: the portal's demo accounts and product names a page legitimately shows as they are written.
PROPER_NAMES = {
    "admin",
    "sonoivu",
    "sotuphap",
    "lanhdao",
    "vpubnd",
    "excel",
    "word",
    "email",
    "mail",
    "pdf",
    "docx",
    "xlsx",
    "csv",
    "json",
    "cchc",
    "ubnd",
    "html",
    "url",
    "gmail",
    "example",
    "org",
    "portal",
    "local",
}


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden_depth = 0
        self.stack: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag not in VOID:
            self.stack.append(tag)
            if tag in HIDDEN_ELEMENTS | LITERAL_ELEMENTS:
                self.hidden_depth += 1
        if self.hidden_depth:
            return
        for name in ATTRIBUTES:
            if values.get(name):
                self.texts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.texts.append(values["value"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            if top in HIDDEN_ELEMENTS | LITERAL_ELEMENTS:
                self.hidden_depth -= 1
            if top == tag:
                break

    def handle_data(self, data):
        if not self.hidden_depth and data.strip():
            self.texts.append(data.strip())


def visible_texts(html: str) -> list[str]:
    """The texts of a page a person reads: text nodes and title/placeholder/aria-label/alt/button values."""
    parser = _Texts()
    parser.feed(html)
    parser.close()
    return parser.texts


def _po_files(root: Path, language: str) -> list[Path]:
    return sorted(root.glob(f"**/locale/{language}/LC_MESSAGES/django*.po"))


def _words(text: str) -> set[str]:
    text = re.sub(r"%\(\w+\)[sd]|\{\w*\}|%[sd]|<[^>]+>", " ", text)  # placeholders and markup are not words
    return {word.lower() for word in WORD.findall(text)}


@functools.cache
def vocabularies() -> tuple[frozenset[str], frozenset[str]]:
    """(English words, Vietnamese words) as the catalogues hold them."""
    own = Path(settings.BASE_DIR) / "locale"
    libraries = {Path(django.__file__).parent} | {
        Path(app.path) for app in apps.get_app_configs() if not Path(app.path).is_relative_to(settings.BASE_DIR)
    }
    english: set[str] = set()
    vietnamese: set[str] = set()
    for library in libraries:
        # Every language's file of a catalogue has the same (English) msgids: read one language per catalogue.
        one_each = {}
        for po in sorted(library.glob("**/locale/*/LC_MESSAGES/django*.po")):
            one_each.setdefault((po.parent.parent.parent, po.name), po)
        for po in one_each.values():
            for entry in parse_po(po.read_text(encoding="utf-8")):
                english |= _words(entry["msgid"] or "") | _words(entry["msgid_plural"] or "")
        for po in _po_files(library, "vi"):
            for entry in parse_po(po.read_text(encoding="utf-8")):
                vietnamese |= set().union(*(_words(value) for value in entry["msgstr"].values()), set())
    for entry in parse_po((own / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")):
        vietnamese |= _words(entry["msgid"] or "") | _words(entry["msgid_plural"] or "")
        english |= set().union(*(_words(value) for value in entry["msgstr"].values()), set())
    # The portal's own Vietnamese data (agency and place names: "UBND xã Lăng Can"): its sentences, not its keys.
    for path in sorted((Path(settings.BASE_DIR) / "fixtures").glob("**/*.json")):
        for value in re.findall(r'"((?:[^"\\]|\\.)*)"', path.read_text(encoding="utf-8")):
            if not value.isascii():
                vietnamese |= _words(value)
    # The country's directory (issue 12): the data files of agencies and the names of provinces and communes
    # ("UBND xã Ngọc Long" is no English "long").
    for path in sorted((Path(settings.BASE_DIR) / "agencies" / "data").glob("*.toml")):
        vietnamese |= {
            w for line in path.read_text(encoding="utf-8").splitlines() if not line.isascii() for w in _words(line)
        }
    import vietnam_provinces

    for unit in [*vietnam_provinces.Province.iter_all(), *vietnam_provinces.Ward.iter_all()]:
        vietnamese |= _words(unit.name)
    for po in sorted(own.glob("vi/LC_MESSAGES/django.po")):
        for entry in parse_po(po.read_text(encoding="utf-8")):
            vietnamese |= set().union(*(_words(value) for value in entry["msgstr"].values()), set())
    english = {word for word in english if len(word) >= 3 and word.isascii()}
    return frozenset(english - vietnamese - PROPER_NAMES), frozenset(vietnamese)


def leaks(html: str, names: frozenset[str] = frozenset()) -> list[str]:
    """The texts of ``html`` that hold an English word or a code name, each with what was found in it.

    ``names`` are data shown as typed (user names): they are taken out of a text before it is judged.
    """
    english, _vietnamese = vocabularies()
    found = []
    for text in visible_texts(html):
        for name in names:
            text = text.replace(name, " ")
        if "@" in text or "://" in text or text.startswith("/") or text.replace(" ", "_") in TIME_ZONES:
            continue  # an address, a path or a time zone's name is data, not a sentence
        words = sorted(_words(text) & english)
        codes = CODE_NAME.findall(text)
        if words or codes:
            found.append(f"{text[:120]!r}: {', '.join(words + codes)}")
    return found
