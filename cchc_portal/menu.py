"""The top bar: its main menu, which entry is the current page (``aria-current="page"``, issue 15 point 9), and the
work queues and unread notifications it counts.

Every page draws the top bar, so it is kept cheap: the menu's URLs are reversed once (``top_bar_url``), the links
are drawn in Python (``cchc_portal.templatetags.topbar``), and the queues and the unread notifications are counted
in one query, at the first need, once per request (``top_bar``).
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy, pgettext_lazy

# The main menu's entries, in order; the work queues and the notifications follow them (base.html).
MENU = (
    ("dashboard:overview", gettext_lazy("Tổng quan")),
    ("tasks:list", gettext_lazy("Nhiệm vụ của đơn vị")),
    ("plans:list", pgettext_lazy("menu", "Văn bản")),
    ("indicators:home", pgettext_lazy("menu", "Chỉ tiêu")),
    ("reports:index", gettext_lazy("Báo cáo định kỳ")),
)
MENU_URLS = (*(name for name, _label in MENU), "notifications:list", "admin:index")


@cache
def _reversed(name: str, prefix: str, urlconf: str) -> str:
    return reverse(name, urlconf=urlconf)


def top_bar_url(name: str) -> str:
    """``reverse(name)`` for a URL without arguments (the top bar's), reversed once per script prefix and URLconf."""
    return _reversed(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def top_bar(request) -> tuple[list, int]:
    """The user's work queues with their counts, and the unread notifications: one query, at the first need."""
    if not hasattr(request, "_work_queues"):
        from cchc_portal.models import Notification
        from cchc_portal.queues import top_bar_counts

        request._work_queues, request._unread_notifications = top_bar_counts(
            request.user, Notification.objects.for_user(request.user).unread()
        )
    return request._work_queues, request._unread_notifications


def current_entry(request) -> dict:
    """Offer ``menu_here``: the menu's URL whose path is the longest prefix of the page's path ("" if none).

    Lazy: computed only when the top bar reads it; the queues' URLs come from the queues the bar shows anyway.
    """

    def here() -> str:
        if hasattr(request, "_menu_here"):
            return request._menu_here
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return ""
        urls = [top_bar_url(name) for name in MENU_URLS] + [queue.url for queue in top_bar(request)[0]]
        matching = [url for url in urls if request.path.startswith(url)]
        request._menu_here = max(matching, key=len, default="")
        return request._menu_here

    return {"menu_here": here}
