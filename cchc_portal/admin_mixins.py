"""What every ModelAdmin of the portal shares: province scoping and accent-insensitive search."""

from __future__ import annotations

from django.contrib import admin

from agencies.names import fold


class FoldedSearchMixin:
    """Search the model's folded ``search_text`` column so "so noi vu" finds "Sở Nội vụ" (one indexed LIKE)."""

    search_field_name = "search_text"
    search_fields = ("search_text",)

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        for word in fold(search_term).split():
            queryset = queryset.filter(**{f"{self.search_field_name}__contains": word})
        return queryset, False


class ProvinceScopedAdmin(admin.ModelAdmin):
    """Scope the change list, lookups and choices to the user's province (superusers see every province).

    ``province_path`` is the lookup from the model to its province id.
    """

    province_path = "province"
    list_per_page = 50

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if request.user.province_id is None:
            return queryset.none()
        return queryset.filter(**{f"{self.province_path}_id": request.user.province_id}).distinct()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        _scope_choices(field, request)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        _scope_choices(field, request)
        return field


def _scope_choices(field, request) -> None:
    """Limit a relation field's choices to the user's province when its model has a for_user() queryset."""
    if field is None or request.user.is_superuser:
        return
    queryset = getattr(field, "queryset", None)
    if queryset is not None and hasattr(queryset, "for_user"):
        field.queryset = queryset.for_user(request.user)


class ScopedInline:
    """Inline counterpart of the province scoping for relation choices."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        _scope_choices(field, request)
        return field
