"""Admin for provinces, agencies, groups, aliases and users, in Vietnamese, scoped to the user's province.

A province administrator (``agencies.roles``) manages the accounts of its province whose rights do not exceed
its own: it sets agency, role and the province-administrator role itself, resets passwords and deactivates,
but never sees superusers or other provinces' users and never gets the superuser, staff, group or permission
fields.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agencies.admin_scope import ProvinceScopedAdmin, ScopedFormfieldsMixin, ScopedInline, central_autocomplete
from agencies.models import Agency, AgencyGroup, Alias, Province, Succession, User
from agencies.resources import AgencyResource, UserResource
from agencies.roles import can_manage, is_province_admin, make_province_admin, revoke_province_admin
from core.admin_mixins import CappedCountPaginator, FoldedSearchMixin
from core.admin_mixins import VietnameseImportExportMixin as ImportExportMixin
from core.text import fold


@admin.register(Province)
class ProvinceAdmin(ProvinceScopedAdmin):
    """The 34 provinces (and the 63 before 1 July 2025): the superuser's alone."""

    list_display = ["name", "code", "valid_from", "valid_to", "successor"]
    list_select_related = ["successor"]
    search_fields = ["name", "code"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class AliasInline(ScopedInline, admin.TabularInline):
    model = Alias
    fields = ["text", "province"]
    extra = 1


class SuccessionInline(ScopedInline, admin.TabularInline):
    """The successors of an agency that ended; several when its duties were split (agencies.models.Succession)."""

    model = Succession
    fk_name = "predecessor"
    fields = ["successor", "on", "is_main", "duties"]
    autocomplete_fields = ["successor"]
    extra = 0


@admin.register(Agency)
class AgencyAdmin(FoldedSearchMixin, ImportExportMixin, ProvinceScopedAdmin, SimpleHistoryAdmin):
    resource_classes = [AgencyResource]
    list_display = ["name", "short_name", "kind", "level", "province", "valid_from", "valid_to", "successor"]
    list_filter = ["province", "kind", "level"]
    list_select_related = ["province", "successor"]
    autocomplete_fields = ["parent", "successor"]
    inlines = [AliasInline, SuccessionInline]
    fieldsets = [
        (None, {"fields": ["province", "name", "short_name", "code", "kind", "level", "parent", "email"]}),
        (_("Hiệu lực và sáp nhập"), {"fields": ["valid_from", "valid_to", "successor"]}),
    ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # An ended agency's open tasks wait for a person to give them to a successor (tasks' admin page).
        if obj is not None and obj.is_dissolved_on() and request.user.has_perm("tasks.change_assignment"):
            context["reassign_url"] = f"{reverse('admin:tasks_assignment_reassign')}?agency={obj.pk}"
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_search_results(self, request, queryset, search_term):
        # A province administrator picks ministries too where a task, a group or an alias may name them (read-only).
        if not request.user.is_superuser and central_autocomplete(request):
            queryset = queryset | Agency.objects.filter(province__is_central=True)
        return super().get_search_results(request, queryset, search_term)


@admin.register(AgencyGroup)
class AgencyGroupAdmin(FoldedSearchMixin, ProvinceScopedAdmin):
    list_display = ["name", "kind", "province", "member_count"]
    list_filter = ["province", "kind"]
    list_select_related = ["province"]
    autocomplete_fields = ["members"]
    inlines = [AliasInline]

    def get_queryset(self, request):
        # Meta.ordering does not order a GROUP BY query: without order_by the autocomplete paged an unordered list.
        return (
            super().get_queryset(request).annotate(member_total=Count("members")).order_by(*AgencyGroup._meta.ordering)
        )

    @admin.display(description=_("số thành viên"), ordering="member_total")
    def member_count(self, group):
        return group.member_total


@admin.register(Alias)
class AliasAdmin(FoldedSearchMixin, ProvinceScopedAdmin):
    list_display = ["text", "agency", "group", "province"]
    list_filter = ["province"]
    list_select_related = ["agency", "group", "province"]
    autocomplete_fields = ["agency", "group"]
    search_field_name = "key"


class ProvinceAdminField(forms.BooleanField):
    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            label=_("Quản trị cấp tỉnh"),
            help_text=_(
                "Quản trị dữ liệu, cơ quan và người dùng của tỉnh trong trang quản trị (không phải quản trị toàn hệ thống)."
            ),
            **kwargs,
        )


class RoleFormMixin(forms.Form):
    """The province-administrator box (``agencies.roles``) and, for a province administrator, a required agency."""

    province_admin = ProvinceAdminField()
    actor_is_superuser = True  # set per request by PortalUserAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["province_admin"].initial = is_province_admin(self.instance)
        if "agency" in self.fields and not self.actor_is_superuser:
            self.fields["agency"].required = True

    def clean(self):
        cleaned = super().clean()
        agency = cleaned.get("agency", self.instance.agency if self.instance.agency_id else None)
        if cleaned.get("province_admin") and agency is None:
            self.add_error("province_admin", _("Quản trị cấp tỉnh phải thuộc một cơ quan của tỉnh."))
        return cleaned


class UserChangeWithRoleForm(RoleFormMixin, UserChangeForm):
    pass


class UserAddWithRoleForm(RoleFormMixin, AdminUserCreationForm):
    pass


class DissolvedAgencyFilter(admin.SimpleListFilter):
    """Accounts whose agency has ended: they can no longer sign in (agencies.backends) and wait for an administrator."""

    title = _("cơ quan đã kết thúc")
    parameter_name = "ended"

    def lookups(self, request, model_admin):
        return [("yes", _("Cơ quan đã kết thúc hoạt động")), ("no", _("Cơ quan đang hoạt động"))]

    def queryset(self, request, queryset):
        ended = Q(agency__valid_to__lt=timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(ended)
        if self.value() == "no":
            return queryset.exclude(ended)
        return queryset


@admin.register(User)
class PortalUserAdmin(ScopedFormfieldsMixin, ImportExportMixin, UserAdmin):
    resource_classes = [UserResource]
    form = UserChangeWithRoleForm
    add_form = UserAddWithRoleForm
    list_display = ["username", "full_name", "email", "agency", "role", "is_active", "agency_state"]
    list_filter = ["role", "is_active", DissolvedAgencyFilter, "agency__province"]
    list_select_related = ["agency__province"]
    autocomplete_fields = ["agency"]
    search_fields = ["username"]
    show_full_result_count = False
    paginator = CappedCountPaginator

    @admin.display(description=_("họ và tên"))
    def full_name(self, user):
        return user.get_full_name()

    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Cơ quan và vai trò"), {"fields": ["agency", "role", "phone", "province_admin"]}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        (_("Cơ quan và vai trò"), {"fields": ["agency", "role", "email", "first_name", "last_name", "province_admin"]}),
    ]
    # What a province administrator gets: no superuser, staff, group or permission field.
    province_fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Thông tin cá nhân"), {"fields": ["first_name", "last_name", "email", "phone"]}),
        (_("Cơ quan và vai trò"), {"fields": ["agency", "role", "province_admin", "is_active"]}),
        (_("Thời điểm"), {"fields": ["last_login", "date_joined"]}),
    ]
    province_add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "usable_password", "password1", "password2"]}),
        (_("Cơ quan và vai trò"), {"fields": ["agency", "role", "province_admin", "email", "first_name", "last_name"]}),
    ]

    def get_queryset(self, request):
        from agencies.admin_scope import scoped

        return scoped(User, request.user, super().get_queryset(request))

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.province_add_fieldsets if obj is None else self.province_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["last_login", "date_joined"]

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return self.list_filter
        return ["role", "is_active", DissolvedAgencyFilter]

    @admin.display(description=_("tình trạng cơ quan"))
    def agency_state(self, user):
        if user.agency_id and user.agency.is_dissolved_on():
            return _("Đã kết thúc ngày %(day)s: tài khoản không còn đăng nhập được") % {
                "day": user.agency.valid_to.strftime("%d/%m/%Y")
            }
        return "—"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor_is_superuser": request.user.is_superuser})

    def get_search_results(self, request, queryset, search_term):
        # Names are stored with accents: every word must match the user's names (any case) or the folded agency.
        for word in search_term.split():
            folded = fold(word)
            queryset = queryset.filter(
                Q(username__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(agency__search_text__contains=folded)
            )
        return queryset, False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or can_manage(request.user, obj))

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.is_superuser = False  # the form has no such field; the last word should a request carry one anyway
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # the groups field, for a superuser, comes first
        user = form.instance
        if "province_admin" in form.changed_data:
            if form.cleaned_data["province_admin"]:
                make_province_admin(user)
            elif not user.is_superuser:
                revoke_province_admin(user)
