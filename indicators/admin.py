"""Admin for indicators (targets and responsible units inline), targets, measurements and index results."""

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from agencies.admin_scope import ProvinceScopedAdmin, ScopedInline, searchable
from core.admin_mixins import FoldedSearchMixin
from indicators.models import IndexResult, Indicator, IndicatorParty, Measurement, Target

# Vietnamese writes "87,5": decimal inputs follow the active language's separators ("87.5" is still read).
LOCALIZED_DECIMALS = {models.DecimalField: {"localize": True}}


class TargetInline(ScopedInline, admin.TabularInline):
    model = Target
    fields = [
        "scope",
        "agency",
        "group",
        "applies_to_text",
        "year",
        "period_start",
        "period_end",
        "value",
        "value_text",
        "unit",
        "direction",
    ]
    autocomplete_fields = ["agency", "group"]
    formfield_overrides = LOCALIZED_DECIMALS
    extra = 0


class PartyInline(ScopedInline, admin.TabularInline):
    model = IndicatorParty
    fields = ["role", "agency", "group"]
    autocomplete_fields = ["agency", "group"]
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(FoldedSearchMixin, ProvinceScopedAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "document", "unit", "target_text", "direction", "index", "cumulative", "target_in_text"]
    list_filter = ["document__province", searchable("document"), "direction", "index", "target_in_text"]
    list_select_related = ["document"]
    autocomplete_fields = ["document", "section"]
    inlines = [TargetInline, PartyInline]


@admin.register(Target)
class TargetAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    formfield_overrides = LOCALIZED_DECIMALS
    list_display = [
        "indicator",
        "scope",
        "agency",
        "group",
        "applies_to_text",
        "year",
        "period_start",
        "period_end",
        "value",
        "unit",
    ]
    list_filter = ["scope", "year"]
    list_select_related = ["indicator", "agency", "group"]
    autocomplete_fields = ["indicator", "agency", "group"]
    search_fields = ["applies_to_text", "indicator__search_text"]


@admin.register(Measurement)
class MeasurementAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    formfield_overrides = LOCALIZED_DECIMALS
    list_display = ["indicator", "agency", "period_start", "period_end", "value", "state", "reported_by", "reviewed_by"]
    list_filter = ["state"]
    list_select_related = ["indicator", "agency", "reported_by", "reviewed_by"]
    autocomplete_fields = ["indicator", "target", "agency"]
    readonly_fields = ["reported_by", "reported_at", "reviewed_by", "reviewed_at", "evidence_name"]
    search_fields = ["indicator__search_text", "agency__search_text"]


@admin.register(IndexResult)
class IndexResultAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    """Published results of PAR Index, SIPAS, PAPI and PCI; the agency is empty for the province's own result."""

    formfield_overrides = LOCALIZED_DECIMALS

    list_display = ["index", "year", "province", "agency", "score", "rank", "rank_total", "source"]
    list_filter = ["index", "year", "province"]
    list_select_related = ["province", "agency"]
    autocomplete_fields = ["agency"]
    search_fields = ["agency__search_text", "source"]
    fields = ["index", "province", "agency", "year", "score", "rank", "rank_total", "source"]
