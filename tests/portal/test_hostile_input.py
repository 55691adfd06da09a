"""No 500 on crafted input: every GET parameter and form field of the portal and of the admin gets hostile values
(non-ASCII digits, huge numbers, empty, NUL, very long text, impossible dates…) and must answer below 500.

Parameters are found as a person finds them: the forms and links of each page as each role sees it (portal), and
the change list's search, sorting, paging and filters plus every field of the add and change forms (admin).
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib import admin
from django.core.signals import got_request_exception
from django.urls import reverse

from agencies.models import User
from tests.portal.adminworld import form_data
from tests.portal.test_url_walk import url_for, url_names, world  # noqa: F401 - world is the walk's fixture

pytestmark = pytest.mark.django_db

HOSTILE = ["²", "٣", "9" * 30, "-1", "", "\x00", "x" * 5000, "abc", "1e309", "01/01/0001", "99999", "NaN", "<b>\u202e"]
MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
SKIP_PAGES = {"logout", "set_language", "bench_ping", "password_reset"}  # leave the session, or send e-mail


class PageParser(HTMLParser):
    """Forms (method, action, fields with values) and the query parameters of the links of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self.current: dict | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "fields": {},
            }
            self.forms.append(self.current)
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif self.current is not None and attrs.get("name"):
            name, kind = attrs["name"], attrs.get("type", "text")
            fields = self.current["fields"]
            if tag == "input" and kind in ("submit", "button", "file", "image"):
                return
            if tag == "input" and kind in ("checkbox", "radio") and "checked" not in attrs:
                fields.setdefault(name, None)
                return
            if tag == "select":
                self.select = name
                fields.setdefault(name, "")
                return
            fields[name] = attrs.get("value", "")
        elif tag == "option" and self.select and "selected" in attrs and self.current is not None:
            self.current["fields"][self.select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


class Attack:
    def __init__(self, client):
        self.client = client
        client.raise_request_exception = False  # a crash is a 500 answer, counted; the walk goes on
        self.crashes: list[str] = []
        self.parameters: set[tuple] = set()
        self.shapes: set[tuple] = set()
        self.requests = 0
        self.last_error = ""
        got_request_exception.connect(self._remember, weak=False)

    def _remember(self, sender, request=None, **kwargs):
        error = sys.exc_info()[1]
        self.last_error = f"{type(error).__name__}: {str(error)[:120]}"

    def send(self, method: str, url: str, data: dict, label: tuple):
        if label[-1] != "*":
            self.parameters.add(label)
        response = getattr(self.client, method)(url, data)
        self.requests += 1
        if response.status_code >= 500:
            shown = {k: (v[:20] if isinstance(v, str) else v) for k, v in data.items() if k == label[-1]} or label[-1]
            self.crashes.append(f"{method.upper()} {url} {shown} -> {response.status_code} {self.last_error}")
        return response

    def page(self, url: str, values: list[str]):
        """Every parameter of the page's forms and links, one at a time, with every value."""
        response = self.client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return
        page = parse(response.content.decode())
        path = urlsplit(url).path
        get_params = set()
        for href in page.links:
            parts = urlsplit(href)
            if parts.path in ("", path) and parts.query:
                get_params |= {name for name, _value in parse_qsl(parts.query, keep_blank_values=True)}
        for form in page.forms:
            action = form["action"] or url
            if urlsplit(action).path.startswith(("/i18n/", "/accounts/logout")):
                continue
            base = {k: v for k, v in form["fields"].items() if v is not None and k != "csrfmiddlewaretoken"}
            if form["method"] == "get":
                get_params |= set(form["fields"])
                continue
            self.form("post", action, base, [name for name in form["fields"] if name != "csrfmiddlewaretoken"], values)
        self.form("get", url, {}, sorted(get_params), values)

    def form(self, method: str, url: str, base: dict, names: list[str], values: list[str]):
        """Each parameter alone with a hostile value (the others as the page had them), then all of them at once
        with each hostile value: every parameter meets every value, in len(names) + len(values) requests."""
        if not names:
            return
        path = urlsplit(url).path
        # The same form repeated on a page (one per part of a task) or on another object's page is the same code:
        # tried once, keyed by its field names without the numbers of their prefixes.
        shape = (method, re.sub(r"\d+", "#", path), frozenset(re.sub(r"\d+", "#", name) for name in names))
        if shape in self.shapes:
            return
        self.shapes.add(shape)
        for index, name in enumerate(names):
            self.send(method, url, {**base, name: values[index % len(values)]}, (method.upper(), path, name))
        # All at once, but a formset's management form as the page had it: "how many rows" is tried above, alone
        # (every value at once there would only measure how long 500 rows take, thirteen times).
        together = [name for name in names if not name.endswith(MANAGEMENT)]
        for value in values:
            self.send(method, url, {**base, **dict.fromkeys(together, value)}, (method.upper(), path, "*"))


LIST_PARAMETERS = {  # plain parameters of the list pages, even where no link on the page shows them
    "tasks:list": ["document", "agency", "group", "section", "status", "page", "q", "due_within", "sort"],
    "indicators:indexes": ["year"],
    "indicators:agency": ["agency", "year"],
    "dashboard:overview": ["document", "agency", "group", "period", "year", "area"],
}
PORTAL_PAGES = sorted(set(url_names()) - SKIP_PAGES)


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_every_portal_parameter_gets_hostile_values_and_never_a_500(client, world, name):  # noqa: F811
    attack = Attack(client)
    for username in ("sotuphap", "sotuphap_lanhdao", "sonoivu"):
        client.force_login(User.objects.get(username=username))
        attack.page(url_for(name, world), HOSTILE)
        if name in LIST_PARAMETERS:
            attack.form("get", reverse(name), {}, LIST_PARAMETERS[name], HOSTILE)
        client.logout()
    print(  # noqa: T201 - the counts of the walk, for the note
        f"\nhostile input, portal {name}: {len(attack.parameters)} parameters x {len(HOSTILE)} values, "
        f"{attack.requests} requests, 500s: {len(attack.crashes)}"
    )
    assert not attack.crashes, attack.crashes[:30]


ADMIN_MODELS = sorted(model._meta.label for model in admin.site._registry)


@pytest.mark.parametrize("label", ADMIN_MODELS)
def test_every_admin_parameter_gets_hostile_values_and_never_a_500(client, demo, label):
    model_admin = next(ma for m, ma in admin.site._registry.items() if m._meta.label == label)
    opts = model_admin.model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    attack = Attack(client)
    for username in ("admin", "sonoivu"):
        user = User.objects.get(username=username)
        client.force_login(user)
        changelist = reverse(f"{base}_changelist")
        response = client.get(changelist)
        if response.status_code != 200:
            continue
        page = parse(response.content.decode())
        params = {"q", "o", "p", "_to_field", "_popup", "e", "all"}
        for href in page.links:
            parts = urlsplit(href)
            if parts.query and parts.path in ("", changelist):
                params |= {name for name, _value in parse_qsl(parts.query, keep_blank_values=True)}
        attack.form("get", changelist, {}, sorted(params), HOSTILE)
        for field in model_admin.autocomplete_fields:
            attack.form(
                "get",
                reverse("admin:autocomplete"),
                {"app_label": opts.app_label, "model_name": opts.model_name, "field_name": field},
                ["term"],
                HOSTILE,
            )
        if username != "admin" and label != "agencies.User":
            client.logout()
            continue  # a province administrator's forms are the superuser's, with fewer choices (the walk checks those)
        # Every field of the change form of the first object the user may see (the add form when there is none); of an inline,
        # its first row and its management form.
        obj = model_admin.get_queryset(_request(user)).order_by("pk").first()
        urls = [reverse(f"{base}_change", args=[obj.pk])] if obj is not None else [reverse(f"{base}_add")]
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            data = {
                k: v[-1] if len(v) == 1 else v
                for k, v in form_data(response.content.decode(), replace=("\x01", "\x01")).items()
            }
            names = [name for name in data if not re.search(r"-[1-9][0-9]*-", name)]
            attack.form("post", url, data, names, HOSTILE)
        client.logout()
    print(  # noqa: T201 - the counts of the walk, for the note
        f"\nhostile input, admin {label}: {len(attack.parameters)} parameters x {len(HOSTILE)} values, "
        f"{attack.requests} requests, 500s: {len(attack.crashes)}"
    )
    assert not attack.crashes, attack.crashes[:30]


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request
