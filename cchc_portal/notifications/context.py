"""Template context: the unread notification count and the work queues (with their counts) of the top bar."""

from __future__ import annotations

from cchc_portal.models import Notification


def unread(request) -> dict:
    """Offer ``unread_notifications`` lazily: one COUNT on the partial index, only if a template reads it,
    and at most once per request however often it is read."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0, "work_queues": []}

    def count() -> int:
        if not hasattr(request, "_unread_notifications"):
            request._unread_notifications = Notification.objects.for_user(user).unread().count()
        return request._unread_notifications

    def queues():
        if not hasattr(request, "_work_queues"):
            from cchc_portal.queues import menu_counts

            request._work_queues = menu_counts(user)
        return request._work_queues

    return {"unread_notifications": count, "work_queues": queues}
