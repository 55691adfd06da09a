"""Admin building blocks that own no model: safe autocomplete widgets, accent-insensitive search, a capped count,
change lists that survive impossible parameters, and the import date widget that refuses impossible years.

The province scoping that every ModelAdmin of the portal adds on top lives with the provinces, in
``agencies.admin_scope``.
"""

from __future__ import annotations

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from import_export.admin import ImportExportMixin
from import_export.forms import SelectableFieldsExportForm
from import_export.widgets import DateWidget
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from core.dates import validate_sane_date
from core.text import fold

FILTER_CHOICES = 20  # a sidebar filter lists at most this many choices; a search box finds the rest
COUNT_CAP = 10_000  # a change list counts at most this many rows


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
            related = _select_related_of(object_list)
            found = object_list.model._default_manager.filter(pk__in=ids).select_related(*related)
            rows = {obj.pk: obj for obj in found}
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


def safe_changelist(get_changelist):
    """Wrap a ModelAdmin's get_changelist so the class it returns (Django's or its own) gets SafeChangeListMixin."""

    def wrapped(request, **kwargs):
        changelist = get_changelist(request, **kwargs)
        return type(f"Safe{changelist.__name__}", (SafeChangeListMixin, changelist), {})

    return wrapped


def field_names(model) -> set[str]:
    return {f.name for f in model._meta.get_fields() if isinstance(f, models.Field)}


class SaneDateWidget(DateWidget):
    """import-export's date widget (dd/mm/yyyy) refusing impossible years, like every other door."""

    def clean(self, value, row=None, **kwargs):
        day = super().clean(value, row, **kwargs)
        validate_sane_date(day)
        return day


class VietnameseExportForm(SelectableFieldsExportForm):
    """import-export's export page with each column titled in Vietnamese (the model field's name, or the resource's
    ``column_titles`` for a column that is no field), not the attribute's code name ("Full Number")."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        column = field.column_name if field else field_name
        titles = getattr(resource, "column_titles", {})
        if column in titles:
            return str(titles[column])
        attribute = (field.attribute if field else None) or field_name
        try:
            return capfirst(resource._meta.model._meta.get_field(attribute.split("__")[0]).verbose_name)
        except FieldDoesNotExist:
            return column


class VietnameseImportExportMixin(ImportExportMixin):
    """import-export's admin with the Vietnamese export page."""

    export_form_class = VietnameseExportForm


class VietnameseHistoryHelper(HistoricalRecordContextHelper):
    """The change log of an admin history page, in words: django-simple-history shows a foreign key that was
    empty, or points to a removed row, as "Deleted <model> (pk=None)" (English and a database id)."""

    def prepare_delta_change_value(self, change, value):
        if isinstance(value, DeletedObject):
            if value.pk is None:
                return _("(để trống)")
            return _("%(model)s đã bị xóa") % {"model": capfirst(value.model._meta.verbose_name)}
        return super().prepare_delta_change_value(change, value)
