"""Admin for provinces, agencies, groups, aliases and users, in Vietnamese, scoped to the user's province."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from agencies.models import Agency, AgencyGroup, Alias, Province, User
from agencies.names import fold
from agencies.resources import AgencyResource, UserResource
from cchc_portal.admin_mixins import FoldedSearchMixin, ProvinceScopedAdmin, ScopedInline


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "valid_from", "valid_to", "successor"]
    search_fields = ["name", "code"]


class AliasInline(ScopedInline, admin.TabularInline):
    model = Alias
    fields = ["text", "province"]
    extra = 1


@admin.register(Agency)
class AgencyAdmin(FoldedSearchMixin, ImportExportMixin, ProvinceScopedAdmin, SimpleHistoryAdmin):
    resource_classes = [AgencyResource]
    list_display = ["name", "short_name", "kind", "level", "province", "valid_from", "valid_to", "successor"]
    list_filter = ["province", "kind", "level"]
    list_select_related = ["province", "successor"]
    autocomplete_fields = ["parent", "successor"]
    inlines = [AliasInline]
    fieldsets = [
        (None, {"fields": ["province", "name", "short_name", "code", "kind", "level", "parent", "email"]}),
        (_("Hiệu lực và sáp nhập"), {"fields": ["valid_from", "valid_to", "successor"]}),
    ]


@admin.register(AgencyGroup)
class AgencyGroupAdmin(FoldedSearchMixin, ProvinceScopedAdmin):
    list_display = ["name", "kind", "province", "member_count"]
    list_filter = ["province", "kind"]
    list_select_related = ["province"]
    filter_horizontal = ["members"]
    inlines = [AliasInline]

    @admin.display(description=_("số thành viên"))
    def member_count(self, group):
        return group.members.count()


@admin.register(Alias)
class AliasAdmin(FoldedSearchMixin, ProvinceScopedAdmin):
    list_display = ["text", "agency", "group", "province"]
    list_filter = ["province"]
    list_select_related = ["agency", "group", "province"]
    autocomplete_fields = ["agency", "group"]
    search_field_name = "key"


@admin.register(User)
class PortalUserAdmin(ImportExportMixin, UserAdmin):
    resource_classes = [UserResource]
    list_display = ["username", "get_full_name", "email", "agency", "role", "is_active"]
    list_filter = ["role", "is_active", "agency__province"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Cơ quan và vai trò"), {"fields": ["agency", "role", "phone"]}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        (_("Cơ quan và vai trò"), {"fields": ["agency", "role", "email", "first_name", "last_name"]}),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(agency__province_id=request.user.province_id)

    def get_search_results(self, request, queryset, search_term):
        # Names are stored with accents: match the folded term against the folded agency column too.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset | self.get_queryset(request).filter(agency__search_text__contains=fold(search_term)), may_have_duplicates
