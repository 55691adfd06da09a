from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Cơ quan, đơn vị và người dùng")

    def ready(self) -> None:
        from agencies.roles import on_post_migrate

        # The "Quản trị cấp tỉnh" group, brought up to date on every migrate.
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="agencies.province_admin_group")
