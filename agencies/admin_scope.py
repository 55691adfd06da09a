"""What every ModelAdmin of the portal shares on top of ``core.admin_mixins``: province scoping (every admin URL), safe relation widgets,
bounded sidebar filters and accent-insensitive search.

A province administrator (``agencies.roles``) reaches only its own province through the admin: change lists,
add/change/delete forms and their relation choices, autocomplete, history and revert, import and export. The
scope of a model is its ``for_user()`` queryset when it has one, else that of the relation named by
``scope_through`` (``"document"``: the documents the user sees). Superusers see every province.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

import core.lookups  # noqa: F401 - registers ``__in_array``
from core.admin_mixins import (
    FILTER_CHOICES,
    CappedCountPaginator,
    SafeAutocompleteSelect,
    SafeAutocompleteSelectMultiple,
    VietnameseHistoryHelper,
    field_names,
)
from core.dates import validate_sane_date
from core.text import fold

INLINE_MAX_FORMS = 500


# --------------------------------------------------------------------------------------------------
# scope
# --------------------------------------------------------------------------------------------------


def visible_provinces(user):
    """Provinces whose data ``user`` sees: those of the agencies ``Agency.for_user`` gives (a subquery)."""
    from agencies.models import Agency, Province

    if user.is_superuser:
        return Province.objects.all()
    return Province.objects.filter(pk__in=Agency.objects.for_user(user).values("province_id"))


def scoped(model, user, queryset=None):
    """``queryset`` (default: every row of ``model``) cut to what ``user`` may reach in the admin."""
    from agencies.models import Province, User

    queryset = model._default_manager.all() if queryset is None else queryset
    if user.is_superuser:
        return queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if model is Province:
        return queryset.filter(pk__in=visible_provinces(user).values("pk"))
    if model is User:
        from agencies.roles import manageable_users

        return manageable_users(user, queryset)
    if hasattr(queryset, "for_user"):
        return queryset.for_user(user)
    path = SCOPE_THROUGH.get(model._meta.label)
    if path is None:
        return queryset.none()  # a model nobody classified: nothing, rather than everything
    # ``in_array`` (core.lookups): the province's rows through the relation's index, not a walk of the table.
    return queryset.filter(**{f"{path}__in_array": scoped(_model_at(model, path), user).values("pk")})


# Models without a for_user() queryset reach their province through this relation (issue 14's walk test fails
# for a registered model that is neither here nor has for_user()).
SCOPE_THROUGH = {
    "agencies.Alias": "province",
    "plans.Section": "document",
    "plans.ReportingDuty": "document",
    "plans.PeriodicReport": "agency",
    "plans.ImportJob": "document",
    "tasks.ProgressUpdate": "assignment",
    "tasks.Evidence": "update__assignment",
    "tasks.Review": "assignment",
    "tasks.ExtensionRequest": "assignment",
    "indicators.IndicatorParty": "indicator",
    "cchc_portal.Reminder": "agency",
    "cchc_portal.NotificationSettings": "user",
}


def _model_at(model, path: str):
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def is_visible(model, user, pk, queryset=None) -> bool:
    """One object by primary key, within the user's scope (one query; a malformed key is simply not visible).

    ``queryset`` replaces the scope (history rows, whose object was checked already).
    """
    try:
        pk = model._meta.pk.to_python(pk)
    except ValidationError:
        return False
    if pk is None:
        return False
    return (scoped(model, user) if queryset is None else queryset).filter(pk=pk).exists()


# --------------------------------------------------------------------------------------------------
# labels and widgets
# --------------------------------------------------------------------------------------------------


def label_of(obj) -> str:
    """How an object is named in a choice: agencies and groups with their province (34 "Sở Tư pháp" exist)."""
    from agencies.models import Agency, AgencyGroup

    if isinstance(obj, Agency | AgencyGroup):
        return f"{obj.name} — {obj.province.name}"
    return str(obj)


# Relation fields where a province administrator may also pick an agency of the central level (ministries, Văn
# phòng Chính phủ…, which belong to no province): a task or an indicator given to a ministry, a group or an alias
# naming one, a document the Government issued. Choosing is all: the central level's own admin pages stay closed
# to a province administrator (AgencyAdmin's queryset is the province's).
CENTRAL_CHOICE_FIELDS = frozenset(
    {
        "tasks.assignment.agency",
        "agencies.agencygroup.members",
        "agencies.alias.agency",
        "plans.document.issuer",
        "indicators.indicatorparty.agency",
    }
)


def with_central(queryset, user, field: str):
    """Agencies ``queryset`` plus the central level's, for a field of CENTRAL_CHOICE_FIELDS ("app.model.field")."""
    if (
        user.is_superuser
        or field.lower() not in CENTRAL_CHOICE_FIELDS
        or queryset.model._meta.label != "agencies.Agency"
    ):
        return queryset
    return queryset | queryset.model._default_manager.filter(province__is_central=True)


def central_autocomplete(request) -> bool:
    """The request is the admin's autocomplete for a field of CENTRAL_CHOICE_FIELDS."""
    match = request.resolver_match
    if match is None or match.url_name != "autocomplete":
        return False
    field = ".".join(request.GET.get(k, "") for k in ("app_label", "model_name", "field_name"))
    return field.lower() in CENTRAL_CHOICE_FIELDS


def _relation_formfield(model_admin, db_field, request, kwargs, multiple: bool):
    """Common part of formfield_for_foreignkey / _manytomany: safe autocomplete, scoped choices, labels."""
    related = db_field.related_model
    if db_field.name in model_admin.get_autocomplete_fields(request):
        widget = SafeAutocompleteSelectMultiple if multiple else SafeAutocompleteSelect
        kwargs["widget"] = widget(db_field, model_admin.admin_site, using=kwargs.get("using"))
    if "queryset" not in kwargs:
        field = f"{db_field.model._meta.label_lower}.{db_field.name}"
        queryset = with_central(scoped(related, request.user), request.user, field)
        if related._meta.label in ("agencies.Agency", "agencies.AgencyGroup"):
            queryset = queryset.select_related("province")
        kwargs["queryset"] = queryset
    return kwargs


PERMISSION_ACTIONS = {"add": _("Thêm"), "change": _("Sửa"), "delete": _("Xóa"), "view": _("Xem")}


def permission_label(permission) -> str:
    """A permission as "Nhiệm vụ | nhiệm vụ | Sửa", not Django's stored English name ("Can change nhiệm vụ").

    Django writes the names of the four built-in permissions in English into the database; their codename says
    which they are. A history model's name ("historical nhiệm vụ") is said as "lịch sử nhiệm vụ".
    """
    action, _sep, _model = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if model is not None and action in PERMISSION_ACTIONS:
        history = getattr(model, "instance_type", None)  # simple-history's models point at what they record
        name = _("lịch sử %(name)s") % {"name": history._meta.verbose_name} if history else model._meta.verbose_name
        app = apps.get_app_config(model._meta.app_label).verbose_name
        return f"{app} | {name} | {PERMISSION_ACTIONS[action]}"
    return f"{permission.content_type} | {permission.name}"


def _label_choices(field) -> None:
    if field is None:
        return
    if field.queryset.model._meta.label in ("agencies.Agency", "agencies.AgencyGroup"):
        field.label_from_instance = label_of
    elif field.queryset.model._meta.label == "auth.Permission":
        field.label_from_instance = permission_label


class ScopedFormfieldsMixin:
    """Relation fields of a ModelAdmin or inline: choices within the user's scope, safe autocomplete, labels;
    date fields refuse impossible years (``core.dates``)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateField) and field is not None:
            field.validators.append(validate_sane_date)
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = _relation_formfield(self, db_field, request, kwargs, multiple=False)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        _label_choices(field)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = _relation_formfield(self, db_field, request, kwargs, multiple=True)
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        _label_choices(field)
        return field


# --------------------------------------------------------------------------------------------------
# sidebar filters
# --------------------------------------------------------------------------------------------------


class SearchableRelatedFilter(admin.FieldListFilter):
    """A relation filter that lists at most FILTER_CHOICES choices of the user's scope, with a search box for
    the rest (a document filter of the whole country listed 4,455 links). Keeps the admin's own parameter
    (``document__id__exact``), so links from other pages still filter."""

    template = "admin/cchc/searchable_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg = f"{field_path}__id__exact"
        self.search_kwarg = f"{field_path}__q"
        self.lookup_val = params.get(self.lookup_kwarg)
        self.search_val = params.get(self.search_kwarg)
        self.related_model = field.related_model
        self.request = request
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = getattr(field, "verbose_name", field_path)
        # The search text is ours, not a lookup: take it out of the parameters the change list applies.
        params.pop(self.search_kwarg, None)
        self.used_parameters.pop(self.search_kwarg, None)

    def expected_parameters(self):
        return [self.lookup_kwarg, self.search_kwarg]

    def has_output(self):
        return True

    def _value(self, raw):
        value = raw[-1] if isinstance(raw, list) else raw
        return value or ""

    def queryset(self, request, queryset):
        value = self._value(self.lookup_val)
        if not value:
            return queryset
        try:
            pk = self.related_model._meta.pk.to_python(value)
        except ValidationError:
            return queryset.none()
        return queryset.filter(**{f"{self.field_path}_id": pk})

    def choices(self, changelist):
        selected = self._value(self.lookup_val)
        text = self._value(self.search_val).strip()[:100]
        options = scoped(self.related_model, self.request.user)
        if text and "search_text" in field_names(self.related_model):
            for word in fold(text).split():
                options = options.filter(search_text__contains=word)
        if self.related_model._meta.label in ("agencies.Agency", "agencies.AgencyGroup"):
            options = options.select_related("province")
        shown = list(options[: FILTER_CHOICES + 1])
        self.more = len(shown) > FILTER_CHOICES
        self.search_text = text
        yield {
            "selected": not selected,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg, self.search_kwarg]),
            "display": _("Tất cả"),
        }
        for obj in shown[:FILTER_CHOICES]:
            yield {
                "selected": str(obj.pk) == selected,
                "query_string": changelist.get_query_string({self.lookup_kwarg: obj.pk}, [self.search_kwarg]),
                "display": label_of(obj),
            }

    def hidden_parameters(self):
        """The change list's other parameters, kept by the filter's search form."""
        return [(k, v) for k, v in self.request.GET.items() if k not in (self.search_kwarg, self.lookup_kwarg)]


def searchable(field_path: str):
    """``list_filter`` entry: ``searchable("document")``."""
    return (field_path, SearchableRelatedFilter)


# --------------------------------------------------------------------------------------------------
# the ModelAdmin base
# --------------------------------------------------------------------------------------------------


class ProvinceScopedAdmin(ScopedFormfieldsMixin, admin.ModelAdmin):
    """Scope every admin URL of a model to the user's province (superusers see every province).

    Change lists never use SELECT DISTINCT (no search or filter here spans a to-many relation), count a big
    table once (``show_full_result_count``), and their province filters show only to superusers.
    """

    list_per_page = 50
    show_full_result_count = False
    paginator = CappedCountPaginator

    def get_queryset(self, request):
        return scoped(self.model, request.user, super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Who reported, reviewed, decided: a record of the portal, not a choice among the province's accounts.
            fields += [
                f.name
                for f in self.model._meta.fields
                if f.is_relation and f.related_model is get_user_model() and f.name not in fields
            ]
        return fields

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [f for f in filters if not (isinstance(f, str) and f.split("__")[-1] == "province")]

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset, False  # search_fields of this portal never span a to-many relation

    def get_historical_record_context_helper(self, request, historical_record):
        return VietnameseHistoryHelper(self.model, historical_record)

    # django-simple-history's views look the object up with the model's default manager, not get_queryset():
    # without these, /history/ and its revert form read and rewrote other provinces' objects.
    def history_view(self, request, object_id, extra_context=None):
        if not is_visible(self.model, request.user, object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not is_visible(self.model, request.user, object_id):
            raise Http404
        history = self.model.history
        if not is_visible(
            history.model, request.user, version_id, queryset=history.filter(**{self.model._meta.pk.attname: object_id})
        ):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedInline(ScopedFormfieldsMixin):
    """Inline counterpart of the province scoping for relation choices.

    A posted TOTAL_FORMS of 10^30 made Django build and render its default cap of 2,000 forms (seconds of CPU for
    one request); an inline here holds at most INLINE_MAX_FORMS rows (a task given to every commune of a province).
    """

    max_num = INLINE_MAX_FORMS

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", INLINE_MAX_FORMS)
        return super().get_formset(request, obj, **kwargs)


# --------------------------------------------------------------------------------------------------
# flat-table imports
# --------------------------------------------------------------------------------------------------


class ScopedImportMixin:
    """django-import-export Resource mixin: a row may touch only what the importer may change in the admin.

    Each row is judged twice: the object it names as it is now (another province's agency, a superuser, an
    account with more rights than the importer: refused before any value is read) and the object as the row
    would leave it (moved to another province: refused). A refused row is named in the preview, and any invalid
    row rolls the whole file back: nothing of it is written. Subclasses say where a row's province is with
    ``province_of(instance)``; superusers may import anything.
    """

    def province_of(self, instance) -> int | None:
        raise NotImplementedError

    def import_data(self, dataset, *args, **kwargs):
        self._importer = kwargs.get("user")
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, *args, **kwargs)

    def _restricted(self) -> bool:
        user = getattr(self, "_importer", None)
        return user is not None and not user.is_superuser

    def get_or_init_instance(self, instance_loader, row):
        instance, new = super().get_or_init_instance(instance_loader, row)
        if not new and self._restricted() and not is_visible(type(instance), self._importer, instance.pk):
            raise ValidationError(
                _(
                    "Hàng này sửa một %(model)s ngoài phạm vi quản lý (của tỉnh khác, tài khoản quản trị hệ thống hoặc "
                    "có quyền cao hơn người nhập): không được nhập."
                )
                % {"model": instance._meta.verbose_name}
            )
        return instance, new

    def reachable_after(self, instance) -> bool:
        """The object as the row leaves it is still within the importer's scope."""
        return self.province_of(instance) in set(visible_provinces(self._importer).values_list("pk", flat=True))

    def import_instance(self, instance, row, **kwargs):
        # Judged before the model's own validation, whose messages could tell what another province holds.
        super().import_instance(instance, row, **kwargs)
        if self._restricted() and not self.reachable_after(instance):
            raise ValidationError(_("Chỉ được nhập dữ liệu của tỉnh mình."))
