"""Every response carries the security headers and a strict Content Security Policy, and pages still work under it:
no inline script runs in the portal's own pages, and the admin's few inline bits are exactly those the policy allows.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from agencies.models import User
from tests.production.support import InlineCode, csp_hash, parse_csp

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
}


def test_a_page_carries_the_security_headers_and_the_policy(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = parse_csp(response["Content-Security-Policy"])
    for directive, sources in POLICY.items():
        assert policy[directive] == sources, directive
    # Scripts: our own files, plus one exact inline handler of django-import-export (see settings).
    assert policy["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]


def test_the_portal_pages_have_no_inline_code(client, demo):
    """The policy would block inline code silently: the portal's pages must not depend on any."""
    pages = {None: [reverse("login")]}
    pages["sotuphap"] = [reverse("tasks:list"), reverse("plans:list"), reverse("notifications:list")]
    pages["sonoivu"] = [reverse("dashboard:overview"), reverse("indicators:home"), reverse("tasks:list")]
    for username, urls in pages.items():
        if username:
            client.force_login(User.objects.get(username=username))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            found = InlineCode.of(response.content.decode())
            assert (found.scripts, found.handlers, found.styles, found.style_attributes) == ([], [], [], []), url


def test_the_language_menu_works_without_an_inline_handler(client):
    page = client.get(reverse("login")).content.decode()
    # The language menu is a plain form whose buttons name the language: it needs no script at all.
    assert '<button type="submit" name="language" value="en" lang="en" class="linklike">English</button>' in page
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"


def admin_pages(user) -> list[str]:
    """Index, then for every registered model its list, add, first object's change and history pages, and the
    import and export pages where the model has them: whatever ``user`` may open."""
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        if not model_admin.has_view_or_change_permission(request):
            continue
        urls.append(reverse(f"{prefix}_changelist"))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{prefix}_add"))
        first = model._default_manager.first()
        if first is not None:
            urls.append(reverse(f"{prefix}_change", args=[first.pk]))
            urls.append(reverse(f"{prefix}_history", args=[first.pk]))
        for action in ("import", "export"):
            try:
                urls.append(reverse(f"{prefix}_{action}"))
            except NoReverseMatch:
                pass
    return urls


def test_the_admin_works_under_the_policy(client, demo, settings):
    """Load every admin page and check each inline bit against the policy actually sent.

    Django's admin has no inline script (its data goes in data- attributes of <script src>). What the policy blocks
    elsewhere is a convenience or a look, listed in ALLOWED_SCRIPT_LOSS and ALLOWED_STYLE_LOSS; the one inline event
    handler, django-import-export's "select all" box, is allowed by its hash, since without it the box does nothing.
    """
    superuser = User.objects.get(username="admin")
    client.force_login(superuser)
    seen_styles, seen_handlers = set(), set()
    pages = 0
    for url in admin_pages(superuser):
        response = client.get(url)
        assert response.status_code == 200, url
        pages += 1
        policy = parse_csp(response["Content-Security-Policy"])
        found = InlineCode.of(response.content.decode())
        assert set(found.script_ids) <= ALLOWED_SCRIPT_LOSS, url
        for handler in found.handlers:
            assert "'unsafe-hashes'" in policy["script-src"] and csp_hash(handler) in policy["script-src"], (
                url,
                handler,
            )
            seen_handlers.add(csp_hash(handler))
        seen_styles.update(found.style_attributes)
        seen_styles.update(found.styles)
    assert pages > 50
    # The policy allows no handler that the admin does not use (a stale hash after an upgrade shows here).
    allowed = {source for source in policy["script-src"] if source.startswith("'sha256-")}
    assert allowed == seen_handlers
    assert seen_styles <= ALLOWED_STYLE_LOSS, seen_styles - ALLOWED_STYLE_LOSS


# Inline scripts of third-party admin templates that script-src 'self' blocks, by id, and what is lost.
ALLOWED_SCRIPT_LOSS = {
    # django-celery-beat's periodic task form: the crontab's help text is not rewritten live as another crontab is
    # chosen; the saved schedule's plain-language reading still shows in its own read-only field.
    "periodic-task-overrides",
}

# Inline styles of third-party admin templates that style-src 'self' drops; each is cosmetic only, so the policy
# keeps styles strict rather than allowing 'unsafe-inline'.
ALLOWED_STYLE_LOSS = {
    "padding: 0;",  # import-export's export page: a paragraph's padding
    "font-weight: bold;",  # import-export's export page: the "select all" label is not bold
    "border-top: 0",  # simple-history's history list: a paginator's top border
}
