"""The admin app with the portal's own site (``cchc_portal.portal_site.PortalAdminSite``) as ``admin.site``."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "cchc_portal.portal_site.PortalAdminSite"
