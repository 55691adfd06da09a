"""The portal speaks Vietnamese unless the person chose English from the menu.

Django's ``LocaleMiddleware`` follows the browser's Accept-Language, so an English browser got the English portal
(issue 15, point 8). Here only the language cookie that the menu's switch (``set_language``) writes counts; a
browser's preference never does.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Activate the language chosen in the menu (its cookie), else ``LANGUAGE_CODE``; ignore Accept-Language."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # The page depends on the cookie only: no Content-Language negotiation, no Vary on Accept-Language.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
