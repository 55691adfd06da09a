from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "cchc_portal"
    verbose_name = _("Cổng CCHC")
