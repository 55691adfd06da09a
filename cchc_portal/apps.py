from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "cchc_portal"
    verbose_name = _("Cổng CCHC")

    def ready(self) -> None:
        # Register the Celery jobs in every process (web included): ``core.outbox.publish`` looks its job up by
        # name, and autodiscovery only runs when a worker starts.
        from django.contrib.auth.signals import user_logged_in

        from cchc_portal import jobs  # noqa: F401
        from cchc_portal.security import stamp_sign_in

        user_logged_in.connect(stamp_sign_in, dispatch_uid="cchc_portal.stamp_sign_in")
