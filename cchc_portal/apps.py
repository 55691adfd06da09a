from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "cchc_portal"
    verbose_name = _("Cổng CCHC")

    def ready(self) -> None:
        # Register the Celery jobs in every process (web included): ``core.outbox.publish`` looks its job up by
        # name, and autodiscovery only runs when a worker starts.
        from cchc_portal import jobs  # noqa: F401
