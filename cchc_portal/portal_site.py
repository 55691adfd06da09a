"""The portal's admin site: Vietnamese titles, autocomplete named with provinces, change lists that survive
impossible parameters, a "view on site" limited to what the user sees."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.http import Http404

from agencies.admin_scope import is_visible, label_of
from core.admin_mixins import safe_changelist


class PortalAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete results named with their province; malformed parameters are a 404, not a 500."""

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": label_of(obj)}

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset.model._meta.label in ("agencies.Agency", "agencies.AgencyGroup"):
            queryset = queryset.select_related("province")
        return queryset


class PortalAdminSite(admin.AdminSite):
    """The portal's admin site: Vietnamese titles, province-aware autocomplete, a scoped "view on site"."""

    site_header = "Quản trị Cổng CCHC"
    site_title = "Cổng CCHC"
    index_title = "Quản trị dữ liệu cải cách hành chính"

    def autocomplete_view(self, request):
        return PortalAutocompleteJsonView.as_view(admin_site=self)(request)

    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, admin_class, **options)
        for model_admin in self._registry.values():  # every ModelAdmin, the libraries' too
            if not getattr(model_admin, "_safe_changelist", False):
                model_admin.get_changelist = safe_changelist(model_admin.get_changelist)
                model_admin._safe_changelist = True

    def get_urls(self):
        from django.urls import path

        urls = super().get_urls()
        # Django's "view on site" shortcut redirects to any object of the country; only to visible ones here.
        shortcut = path(
            "r/<int:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site"
        )
        return [shortcut if getattr(u, "name", None) == "view_on_site" else u for u in urls]

    def view_on_site(self, request, content_type_id, object_id):
        from django.contrib.contenttypes.models import ContentType
        from django.contrib.contenttypes.views import shortcut

        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ContentType.DoesNotExist:
            raise Http404 from None
        if model is None or model not in self._registry or not is_visible(model, request.user, object_id):
            raise Http404
        return shortcut(request, content_type_id, object_id)
