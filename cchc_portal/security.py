"""Sessions, responses and logins as ASVS level 2 asks; each piece is switched on in settings.py.

- ``SessionTimeoutMiddleware``: a session ends after SESSION_IDLE_MINUTES without a request (default 30) and, in
  any case, SESSION_COOKIE_AGE after sign-in.
- ``NoStoreMiddleware``: pages and exports of signed-in users are never kept by a browser or a proxy cache.
- ``RequestSizeMiddleware``: Django itself refuses a request body above MAX_REQUEST_BYTES (413), not only nginx.
- ``RefuseNulMiddleware``: a NUL character in a parameter or form field is refused (400) before any view sees it.
- ``OfficeFriendlyAxesHandler``: django-axes locks a user name tried from one address after AXES_FAILURE_LIMIT wrong
  passwords, and the address itself after AXES_IP_FAILURE_LIMIT wrong passwords whatever the names tried.
"""

from __future__ import annotations

import time

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth import logout
from django.db.models import Sum
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

LAST_SEEN = "cchc_last_seen"
SIGNED_IN = "cchc_signed_in"
TOUCH_EVERY_SECONDS = 60  # the session is written at most once a minute, not on every request


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            last_seen, signed_in = session.get(LAST_SEEN), session.get(SIGNED_IN)
            idle = isinstance(last_seen, int) and now - last_seen > settings.SESSION_IDLE_MINUTES * 60
            # Touching the session every minute slides Django's own expiry; the maximum age counts from sign-in.
            too_old = isinstance(signed_in, int) and now - signed_in > settings.SESSION_COOKIE_AGE
            if idle or too_old:
                logout(request)  # the page then asks for a login, as for anyone signed out
            else:
                if not isinstance(signed_in, int):  # the first request of the session: Django stamped the sign-in
                    last_login = request.user.last_login
                    session[SIGNED_IN] = int(last_login.timestamp()) if last_login else now
                if not isinstance(last_seen, int) or now - last_seen >= TOUCH_EVERY_SECONDS:
                    session[LAST_SEEN] = now
        return self.get_response(request)


def stamp_sign_in(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the session starts its clocks at sign-in (written with the login itself, so a
    page right after it writes nothing more)."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN] = now
        request.session[LAST_SEEN] = now


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            limit = settings.MAX_REQUEST_BYTES // (1024 * 1024)
            return HttpResponse(
                _("Yêu cầu quá lớn: tổng dung lượng gửi lên tối đa %(mb)s MB.") % {"mb": limit},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class RefuseNulMiddleware:
    """A NUL character is never part of what a person types; PostgreSQL refuses it in text (a DataError, a 500 in
    any search or filter that passes it on). Refuse it at the door, for every parameter and form field."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "") or _has_nul(request):
            return HttpResponse(
                _("Dữ liệu gửi lên có ký tự không hợp lệ (NUL)."), status=400, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


def _has_nul(request) -> bool:
    if request.method != "POST" or request.content_type not in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return False
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.POST.lists())


class OfficeFriendlyAxesHandler(AxesDatabaseHandler):
    """Two limits in one: AXES_LOCKOUT_PARAMETERS is [["username", "ip_address"], "ip_address"]; a user name is
    locked (from that address) after AXES_FAILURE_LIMIT failures, an address after AXES_IP_FAILURE_LIMIT. A whole
    office behind one address is not locked out by one person's typos, and one address trying many names is."""

    def get_failures(self, request, credentials=None) -> int:
        per_name, per_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # Scaled so that the address reaches AXES_FAILURE_LIMIT exactly at AXES_IP_FAILURE_LIMIT failures.
        return max(per_name, per_address * settings.AXES_FAILURE_LIMIT // settings.AXES_IP_FAILURE_LIMIT)
