"""Admin for indicators (targets and responsible units inline), targets and measurements."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cchc_portal.admin_mixins import FoldedSearchMixin, ProvinceScopedAdmin, ScopedInline
from indicators.models import Indicator, IndicatorParty, Measurement, Target


class TargetInline(ScopedInline, admin.TabularInline):
    model = Target
    fields = ["scope", "agency", "group", "applies_to_text", "year", "value", "value_text", "unit", "direction"]
    autocomplete_fields = ["agency", "group"]
    extra = 0


class PartyInline(ScopedInline, admin.TabularInline):
    model = IndicatorParty
    fields = ["role", "agency", "group"]
    autocomplete_fields = ["agency", "group"]
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(FoldedSearchMixin, ProvinceScopedAdmin, SimpleHistoryAdmin):
    province_path = "document__province"
    list_display = ["__str__", "document", "unit", "target_text", "direction", "target_in_text"]
    list_filter = ["document__province", "document", "direction", "target_in_text"]
    list_select_related = ["document"]
    autocomplete_fields = ["document", "section"]
    inlines = [TargetInline, PartyInline]


@admin.register(Target)
class TargetAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    province_path = "indicator__document__province"
    list_display = ["indicator", "scope", "agency", "group", "applies_to_text", "year", "value", "unit"]
    list_filter = ["scope", "year"]
    list_select_related = ["indicator", "agency", "group"]
    autocomplete_fields = ["indicator", "agency", "group"]
    search_fields = ["applies_to_text", "indicator__search_text"]


@admin.register(Measurement)
class MeasurementAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    province_path = "indicator__document__province"
    list_display = ["indicator", "agency", "period_start", "period_end", "value", "state"]
    list_filter = ["state"]
    list_select_related = ["indicator", "agency"]
    autocomplete_fields = ["indicator", "agency"]
    search_fields = ["indicator__search_text", "agency__search_text"]
