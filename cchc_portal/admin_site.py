"""The admin app with the portal's own site (``cchc_portal.portal_site.PortalAdminSite``) as ``admin.site``."""

from django.contrib.admin.apps import AdminConfig
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext as _


def _vietnamese_boolean_icon(field_val):
    """Django's yes/no/unknown icon, its alternative text in words ("Có"), not Python's "True" (issue 15, point 8)."""
    name = {True: "yes", False: "no", None: "unknown"}[field_val]
    alt = {True: _("Có"), False: _("Không"), None: _("Chưa rõ")}[field_val]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), alt)


class PortalAdminConfig(AdminConfig):
    default_site = "cchc_portal.portal_site.PortalAdminSite"

    def ready(self):
        super().ready()
        from django.contrib.admin.templatetags import admin_list

        # Every caller (change lists, read-only fields) looks the function up in this module when it renders.
        admin_list._boolean_icon = _vietnamese_boolean_icon
