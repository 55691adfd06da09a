"""Walk every admin URL of every registered model as a province administrator of province A, against objects of
another province and against accounts above it (the superuser, a staff account with more rights): GET and POST,
0 reads and 0 writes.

"Read" means a page or an answer that shows an object's marked text (``adminworld.MARKER``); "write" means any
change to any row of the portal's models or their history. Every URL pattern of the admin and every registered
model must be classified below: a new one fails ``test_every_admin_url_and_model_is_classified``.
"""

from __future__ import annotations

import json
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Province, Role, User
from tests.portal.adminworld import MARKER, SEARCH, build_foreign_world, form_data

pytestmark = pytest.mark.django_db

# What each URL of a ModelAdmin is, by the end of its name (``agencies_user_password`` -> "password").
URL_KINDS = (
    "changelist",
    "add",
    "history",
    "delete",
    "change",
    "simple_history",
    "import",
    "process_import",
    "export",
    "password_change",
    "default",  # the default Word template of the periodic report (ProvinceReportSettings), for download
    "template",  # a province's own Word template, for download
    "reassign",  # tasks' "Nhiệm vụ của đơn vị đã giải thể chờ phân lại", walked below
)
# URLs of the site itself, outside any ModelAdmin.
SITE_URLS = {
    "index",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "autocomplete",
    "jsi18n",
    "view_on_site",
    "app_list",
}
# Models a province administrator has no permission on at all: every URL must answer 403 (or send to login).
SUPERUSER_ONLY = {
    "auth.Group",
    "django_celery_beat.PeriodicTask",
    "django_celery_beat.ClockedSchedule",
    "django_celery_beat.CrontabSchedule",
    "django_celery_beat.SolarSchedule",
    "django_celery_beat.IntervalSchedule",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "agencies.Province",
}
# Models whose change list a province administrator may open (its own province's rows).
WATCHED_APPS = ("agencies", "plans", "tasks", "indicators", "cchc_portal", "auth")


def registry() -> dict[str, admin.ModelAdmin]:
    return {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}


def url_kind(name: str, model) -> str | None:
    prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
    if name == "auth_user_password_change":  # UserAdmin's own name for <id>/password/
        return "password_change"
    return name.removeprefix(prefix) if name.startswith(prefix) else None


def snapshot() -> dict[str, list]:
    """Every row of the portal's models and of their history tables."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in WATCHED_APPS and not model._meta.auto_created:
            # Signing in stamps last_login: not a write of the walk.
            rows[model._meta.label] = [
                {k: v for k, v in row.items() if k != "last_login"}
                for row in model._default_manager.order_by("pk").values()
            ]
    return rows


@pytest.fixture
def world(demo):
    province_a = Province.objects.get(code="phu-yen")
    return province_a, build_foreign_world(province_a)


def personas() -> dict[str, User]:
    return {
        "province admin": User.objects.get(username="sonoivu"),
        "staff without the role": User.objects.create_user(
            "py_staff_only", agency=User.objects.get(username="sotuphap").agency, role=Role.REVIEWER, is_staff=True
        ),
    }


class Walk:
    """Counts requests and collects leaks (marker shown) as it goes."""

    def __init__(self, client):
        self.client = client
        self.requests = 0
        self.leaks: list[str] = []
        self.crashes: list[str] = []

    def hit(self, label: str, method: str, url: str, data=None, **extra):
        response = getattr(self.client, method)(url, data or {}, **extra)
        self.requests += 1
        body = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""
        if response.status_code >= 500:
            self.crashes.append(f"{label} {method} {url} -> {response.status_code}")
        if MARKER in body or MARKER.lower() in body.lower():
            at = body.lower().index(MARKER.lower())
            self.leaks.append(f"{label} {method} {url} -> {response.status_code}: …{body[max(0, at - 150) : at + 30]}…")
        return response


def object_urls(model, model_admin, obj, foreign_history: dict) -> list[tuple[str, str]]:
    """(kind, url) of every URL of ``model_admin`` about ``obj``."""
    found = []
    for pattern in model_admin.get_urls():
        name = getattr(pattern, "name", None)
        if name is None:
            continue  # the catch-all <path:object_id>/ redirect, walked below
        kind = url_kind(name, model)
        params = set(pattern.pattern.converters)
        if not params:
            continue
        if kind == "simple_history":
            version = foreign_history.get(obj.pk)
            if version is not None:
                found.append((kind, reverse(f"admin:{name}", args=[obj.pk, version])))
        else:
            found.append((kind, reverse(f"admin:{name}", args=[obj.pk])))
    opts = model._meta
    found.append(("redirect", f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/"))
    return found


def superuser_form(superuser_client, url: str) -> dict:
    response = superuser_client.get(url)
    return form_data(response.content.decode()) if response.status_code == 200 else {}


def exported_csv(superuser_client, model, model_admin, obj) -> bytes | None:
    """The superuser's export of ``obj`` alone, as the CSV a province administrator could re-import."""
    if not hasattr(model_admin, "resource_classes"):
        return None
    resource = model_admin.resource_classes[0]()
    dataset = resource.export(queryset=model._default_manager.filter(pk=obj.pk))
    text = re.sub(MARKER, "POSTED", dataset.csv, flags=re.IGNORECASE)
    return text.encode()


def test_every_admin_url_and_model_is_classified(world):
    _province_a, foreign = world
    unknown = []
    for label, model_admin in registry().items():
        model = model_admin.model
        if label not in SUPERUSER_ONLY and label not in foreign:
            unknown.append(f"model {label}: give it an object of another province in adminworld.build_foreign_world")
        for pattern in model_admin.get_urls():
            name = getattr(pattern, "name", None)
            if name is not None and url_kind(name, model) not in URL_KINDS:
                unknown.append(f"url {name}")
    for pattern in admin.site.get_urls():
        name = getattr(pattern, "name", None)
        if name is not None and name not in SITE_URLS:
            unknown.append(f"site url {name}")
    assert not unknown, f"classify these in tests/portal/test_admin_walk.py: {unknown}"


def test_a_province_admin_reads_and_writes_nothing_of_another_province(client, world):
    province_a, foreign = world
    superuser = User.objects.get(username="admin")
    su_client = type(client)()
    su_client.force_login(superuser)
    # What a superuser's forms hold for each foreign object: posted as they are, they would write if unscoped.
    histories = {}
    forms = {}
    csvs = {}
    for label, model_admin in registry().items():
        model = model_admin.model
        for obj in foreign.get(label, []):
            history = getattr(model, "history", None)
            if history is not None and hasattr(history, "filter"):
                latest = history.filter(**{model._meta.pk.attname: obj.pk}).order_by("-history_id").first()
                histories.setdefault(label, {})[obj.pk] = latest.history_id if latest else None
            change = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
            forms[(label, obj.pk)] = superuser_form(su_client, change)
            csvs[(label, obj.pk)] = exported_csv(su_client, model, model_admin, obj)

    roles = personas()
    before = snapshot()
    counts = {"urls": set(), "objects": set(), "roles": 0}
    walk = Walk(client)
    for role, user in roles.items():
        counts["roles"] += 1
        client.force_login(user)
        for label, model_admin in registry().items():
            model = model_admin.model
            opts = model._meta
            base = f"admin:{opts.app_label}_{opts.model_name}"
            targets = foreign.get(label) or list(model._default_manager.all()[:1])
            # Lists: plain, searched for the marker, filtered on each foreign object, as a raw-id popup.
            changelist = reverse(f"{base}_changelist")
            counts["urls"].add(changelist)
            walk.hit(role, "get", changelist)
            walk.hit(role, "get", changelist, {"q": SEARCH})
            walk.hit(role, "get", changelist, {"_popup": "1", "_to_field": "id"})
            for related_label, objects in foreign.items():
                for obj in objects:
                    for field in opts.fields:
                        if field.is_relation and field.related_model._meta.label == related_label:
                            walk.hit(role, "get", changelist, {f"{field.name}__id__exact": obj.pk})
                            walk.hit(role, "get", changelist, {f"{field.name}__q": SEARCH})
            for obj in targets:
                walk.hit(
                    role,
                    "post",
                    changelist,
                    {"action": "delete_selected", "_selected_action": [obj.pk], "index": 0, "post": "yes"},
                )
            # Adding: with the foreign object's relations as initial values, and its whole form posted.
            add = reverse(f"{base}_add")
            counts["urls"].add(add)
            for obj in targets:
                data = forms.get((label, obj.pk)) or {}
                relation_initial = {k: v[0] for k, v in data.items() if v and v[0].isdigit()}
                walk.hit(role, "get", add, relation_initial)
                walk.hit(role, "post", add, data)
            # Every URL about one object: GET, and POST with what would change it.
            for obj in targets:
                counts["objects"].add((label, obj.pk))
                data = forms.get((label, obj.pk)) or {}
                for kind, url in object_urls(model, model_admin, obj, histories.get(label, {})):
                    counts["urls"].add(url)
                    walk.hit(role, "get", url)
                    if kind == "delete":
                        walk.hit(role, "post", url, {"post": "yes"})
                    elif kind == "password_change":
                        walk.hit(
                            role,
                            "post",
                            url,
                            {
                                "password1": "Dat-lai-mat-khau-9",
                                "password2": "Dat-lai-mat-khau-9",
                                "usable_password": "true",
                            },
                        )
                    else:
                        walk.hit(role, "post", url, data)
            # Imports: a file naming each foreign object, previewed then confirmed.
            if hasattr(model_admin, "resource_classes"):
                for obj in targets:
                    content = csvs.get((label, obj.pk))
                    if not content:
                        continue
                    upload = SimpleUploadedFile("bang.csv", content)
                    page = walk.hit(
                        role, "post", reverse(f"{base}_import"), {"format": "1", "resource": "0", "import_file": upload}
                    )
                    confirm = getattr(page, "context", None) and page.context.get("confirm_form")
                    if confirm is not None:
                        walk.hit(role, "post", reverse(f"{base}_process_import"), {**confirm.initial, "resource": "0"})
                    if not hasattr(model_admin, "export_action"):
                        continue  # tasks and assignments are exported in the worker (cchc_portal.exporting)
                    walk.hit(role, "get", reverse(f"{base}_export"), {"id__exact": obj.pk})
                    walk.hit(
                        role,
                        "post",
                        reverse(f"{base}_export") + f"?id__exact={obj.pk}",
                        {"format": "1", "resource": "0"},
                    )
            # Autocomplete of every relation field this admin offers, searched for the marker and empty.
            for field_name in model_admin.autocomplete_fields:
                for term in (SEARCH, ""):
                    walk.hit(
                        role,
                        "get",
                        reverse("admin:autocomplete"),
                        {
                            "app_label": opts.app_label,
                            "model_name": opts.model_name,
                            "field_name": field_name,
                            "term": term,
                        },
                    )
            # "View on site" of each foreign object.
            from django.contrib.contenttypes.models import ContentType

            content_type = ContentType.objects.get_for_model(model)
            for obj in targets:
                walk.hit(role, "get", reverse("admin:view_on_site", args=[content_type.pk, obj.pk]))
        # The page that gives a dissolved agency's open work to a successor, aimed at the other province.
        reassign = reverse("admin:tasks_assignment_reassign")
        foreign_part = foreign["tasks.Assignment"][0]
        foreign_agency = foreign["agencies.Agency"][0]
        walk.hit(role, "get", reassign)
        walk.hit(role, "get", reassign, {"agency": foreign_agency.pk})
        walk.hit(role, "post", f"{reassign}?agency={foreign_agency.pk}", {"action": "rule"})
        walk.hit(
            role,
            "post",
            reassign,
            {
                "shown": [f"{foreign_part.pk}:{foreign_part.version}:{foreign_part.agency_id}"],
                f"to_{foreign_part.pk}": foreign_agency.pk,
                "action": "move",
            },
        )
        for name in ("index",):
            walk.hit(role, "get", reverse(f"admin:{name}"))
        for app_label in WATCHED_APPS:
            walk.hit(role, "get", reverse("admin:app_list", args=[app_label]))
        client.logout()

    after = snapshot()
    changed = [label for label in before if before[label] != after[label]]
    print(  # noqa: T201 - the figures the note reports
        f"\nadmin walk: {len(counts['urls'])} URLs x {counts['roles']} roles x {len(counts['objects'])} objects, "
        f"{walk.requests} requests; leaks {len(walk.leaks)}, writes {len(changed)}, 5xx {len(walk.crashes)}"
    )
    assert not walk.crashes, walk.crashes[:20]
    assert not walk.leaks, walk.leaks[:20]
    assert not changed, changed


def test_superuser_only_models_are_closed_to_a_province_admin(client, world):
    client.force_login(User.objects.get(username="sonoivu"))
    for label in SUPERUSER_ONLY:
        model = apps.get_model(label)
        opts = model._meta
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 403, label
        assert client.post(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"), {}).status_code == 403, label


def test_the_walk_is_not_blind(client, world):
    """The same requests by a superuser do read the marked objects: the walk's test would see a leak."""
    client.force_login(User.objects.create_superuser("su_khac", password="Mat-khau-dai-12345", role=Role.ADMIN))
    for url, params in [
        (reverse("admin:agencies_agency_changelist"), {"q": SEARCH}),
        (
            reverse("admin:autocomplete"),
            {"app_label": "agencies", "model_name": "alias", "field_name": "agency", "term": SEARCH},
        ),
        (reverse("admin:plans_document_changelist"), {"q": SEARCH}),
    ]:
        walk = Walk(client)
        walk.hit("superuser", "get", url, params)
        assert len(walk.leaks) == 1, url
    data = json.loads(
        client.get(
            reverse("admin:autocomplete"),
            {"app_label": "agencies", "model_name": "alias", "field_name": "agency", "term": "noi vu"},
        ).content
    )
    assert any(
        item["text"].endswith("— Tỉnh Zuluq BIMAT") for item in data["results"]
    )  # agencies are named with their province
    assert any(item["text"] == "Sở Nội vụ — Phú Yên" for item in data["results"])
