"""Template context: the unread notification count and the work queues (with their counts) of the top bar."""

from __future__ import annotations

from cchc_portal.menu import top_bar


def unread(request) -> dict:
    """Offer ``unread_notifications`` and ``work_queues`` lazily: counted together in one query (the unread count on
    its partial index), only if a template reads either, and at most once per request however often they are read."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0, "work_queues": []}

    def count() -> int:
        return top_bar(request)[1]

    def queues():
        return top_bar(request)[0]

    return {"unread_notifications": count, "work_queues": queues}
