"""Template context: which entry of the main menu is the current page (``aria-current="page"``, issue 15 point 9)."""

from __future__ import annotations

from django.urls import reverse

MENU_URLS = (
    "dashboard:overview",
    "tasks:list",
    "plans:list",
    "indicators:home",
    "reports:index",
    "notifications:list",
    "admin:index",
)


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
        urls = [reverse(name) for name in MENU_URLS]
        if not hasattr(request, "_work_queues"):
            from cchc_portal.queues import menu_counts

            request._work_queues = menu_counts(user)
        urls += [queue.url for queue in request._work_queues]
        matching = [url for url in urls if request.path.startswith(url)]
        request._menu_here = max(matching, key=len, default="")
        return request._menu_here

    return {"menu_here": here}
