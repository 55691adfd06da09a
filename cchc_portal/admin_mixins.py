"""What every ModelAdmin of the portal shares: province scoping (every admin URL), safe relation widgets,
bounded sidebar filters and accent-insensitive search.

A province administrator (``agencies.roles``) reaches only its own province through the admin: change lists,
add/change/delete forms and their relation choices, autocomplete, history and revert, import and export. The
scope of a model is its ``for_user()`` queryset when it has one, else that of the relation named by
``scope_through`` (``"document"``: the documents the user sees). Superusers see every province.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from import_export.widgets import DateWidget

import core.lookups  # noqa: F401 - registers ``__in_array``
from agencies.names import fold
from core.dates import validate_sane_date

FILTER_CHOICES = 20  # a sidebar filter lists at most this many choices; a search box finds the rest
INLINE_MAX_FORMS = 500
COUNT_CAP = 10_000  # a change list counts at most this many rows
WORKER_EXPORT_ROWS = 5_000  # an admin export above this many rows is written by the worker


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


class _ValidChoicesOnly:
    """Autocomplete widgets re-render the submitted values; a malformed one ("abc" for an id) made Django's
    widget query ``pk__in=['abc']`` and fail with a 500. Drop such values before the widget looks them up."""

    def optgroups(self, name, value, attr=None):
        field = self.field.remote_field.model._meta.pk
        valid = []
        for item in value:
            try:
                field.to_python(item)
            except (ValidationError, TypeError, ValueError):
                continue
            valid.append(item)
        return super().optgroups(name, valid, attr)


class SafeAutocompleteSelect(_ValidChoicesOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ValidChoicesOnly, AutocompleteSelectMultiple):
    pass


def _relation_formfield(model_admin, db_field, request, kwargs, multiple: bool):
    """Common part of formfield_for_foreignkey / _manytomany: safe autocomplete, scoped choices, labels."""
    related = db_field.related_model
    if db_field.name in model_admin.get_autocomplete_fields(request):
        widget = SafeAutocompleteSelectMultiple if multiple else SafeAutocompleteSelect
        kwargs["widget"] = widget(db_field, model_admin.admin_site, using=kwargs.get("using"))
    if "queryset" not in kwargs:
        queryset = scoped(related, request.user)
        if related._meta.label in ("agencies.Agency", "agencies.AgencyGroup"):
            queryset = queryset.select_related("province")
        kwargs["queryset"] = queryset
    return kwargs


def _label_choices(field) -> None:
    if field is not None and field.queryset.model._meta.label in ("agencies.Agency", "agencies.AgencyGroup"):
        field.label_from_instance = label_of


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


class CappedCountPaginator(Paginator):
    """Count at most COUNT_CAP rows (``SELECT COUNT(*) FROM (… LIMIT COUNT_CAP + 1)``): a change list of 3.5 million
    progress updates pages through the first 10,000 and says "hơn 10.000"; a search narrows the rest."""

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()  # counting needs no order: stop at the cap

    def page(self, number):
        """The page's ids first (one narrow query, no joins but the order's), then its rows with their relations:
        joining 100,000 rows of a province to their task, section, agency and author before keeping 50 took 1.2 s."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        object_list = self.object_list
        if (
            hasattr(object_list, "values_list")
            and object_list.query.select_related
            and not object_list.query.annotations
        ):
            ids = list(object_list.values_list("pk", flat=True)[bottom:top])
            rows = {
                obj.pk: obj
                for obj in object_list.model._default_manager.filter(pk__in=ids).select_related(
                    *_select_related_of(object_list)
                )
            }
            return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)
        return self._get_page(object_list[bottom:top], number, self)


def _select_related_of(queryset) -> list[str]:
    """The relation paths of a queryset's ``select_related`` (``True``, Django's "every non-null FK", gives [])."""
    tree = queryset.query.select_related
    if tree is True:
        return []

    def walk(node: dict, prefix: str) -> list[str]:
        paths = []
        for name, child in node.items():
            path = f"{prefix}{name}"
            paths += walk(child, f"{path}__") if child else [path]
        return paths

    return walk(tree, "")


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


class WorkerExportMixin:
    """django-import-export's export, for the lists it can build in a request: more than WORKER_EXPORT_ROWS rows
    (a superuser's 290,000 assignments: 108 s and 1.7 GB, past the server's 60 s) go to the worker instead, as the
    readable .xlsx of ``cchc_portal.exporting`` with the same filters, and the user is sent to its progress."""

    def export_action(self, request):
        if request.method == "POST":
            queryset = self.get_export_queryset(request)
            if queryset.order_by()[: WORKER_EXPORT_ROWS + 1].count() > WORKER_EXPORT_ROWS:
                from django.contrib import messages
                from django.shortcuts import redirect

                from cchc_portal import exporting

                job = exporting.start(request.user, f"admin:{self.model._meta.label}", request.GET.copy())
                messages.info(
                    request,
                    _("Danh sách lớn: tệp Excel được ghi nền; trang này cho biết tiến độ và đường dẫn tải tệp."),
                )
                return redirect(job)
        return super().export_action(request)


class ScopedInline(ScopedFormfieldsMixin):
    """Inline counterpart of the province scoping for relation choices.

    A posted TOTAL_FORMS of 10^30 made Django build and render its default cap of 2,000 forms (seconds of CPU for
    one request); an inline here holds at most INLINE_MAX_FORMS rows (a task given to every commune of a province).
    """

    max_num = INLINE_MAX_FORMS

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", INLINE_MAX_FORMS)
        return super().get_formset(request, obj, **kwargs)


class PortalAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete results named with their province; malformed parameters are a 404, not a 500."""

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": label_of(obj)}

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset.model._meta.label in ("agencies.Agency", "agencies.AgencyGroup"):
            queryset = queryset.select_related("province")
        return queryset


class SafeChangeListMixin:
    """A change list where a date-navigation year too large for the calendar (?issued_on__year=9…9) is a wrong
    parameter (the list says so) instead of an OverflowError."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error

    def get_ordering_field(self, field_name):
        """A relation column of a big table sorts by the related row's id (an index: the rows of each agency or
        task together), not by the related model's own order, which sorted 290,000 joined rows (0.6–1 s)."""
        if getattr(self.model_admin, "sort_relations_by_id", False):
            try:
                field = self.lookup_opts.get_field(field_name)
            except FieldDoesNotExist:
                field = None
            if field is not None and field.many_to_one:
                return field.attname
        return super().get_ordering_field(field_name)


def _safe(get_changelist):
    """Wrap a ModelAdmin's get_changelist so the class it returns (Django's or its own) gets SafeChangeListMixin."""

    def wrapped(request, **kwargs):
        changelist = get_changelist(request, **kwargs)
        return type(f"Safe{changelist.__name__}", (SafeChangeListMixin, changelist), {})

    return wrapped


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
                model_admin.get_changelist = _safe(model_admin.get_changelist)
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


def field_names(model) -> set[str]:
    return {f.name for f in model._meta.get_fields() if isinstance(f, models.Field)}


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


class SaneDateWidget(DateWidget):
    """import-export's date widget (dd/mm/yyyy) refusing impossible years, like every other door."""

    def clean(self, value, row=None, **kwargs):
        day = super().clean(value, row, **kwargs)
        validate_sane_date(day)
        return day
