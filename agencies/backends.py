"""Sign-in: the accounts of an agency that has ended (merged or dissolved) may no longer act.

``ModelBackend`` asks ``user_can_authenticate`` both when a user signs in and when a session is read on each request
(``get_user``), so an account is refused from the day after its agency's end date, while it stays in the database
with its history, flagged in the admin (``PortalUserAdmin``) for an administrator to move or deactivate.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class PortalBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return not (settings.DISSOLVED_ACCOUNTS_LOCKED and getattr(user, "agency_dissolved", False))
