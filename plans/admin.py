"""Admin for documents and their sections; a document's sections and tasks are reachable from it."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agencies.admin_scope import ProvinceScopedAdmin, ScopedInline, searchable
from core.admin_mixins import FoldedSearchMixin
from plans.models import Document, ImportJob, PeriodicReport, ReportingDuty, Section


class SectionInline(ScopedInline, admin.TabularInline):
    model = Section
    fields = ["number", "title", "area", "order", "task_link"]
    readonly_fields = ["task_link"]
    extra = 0
    show_change_link = True

    @admin.display(description=_("nhiệm vụ"))
    def task_link(self, section):
        if not section.pk:
            return "—"
        url = reverse("admin:tasks_task_changelist") + f"?section__id__exact={section.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Xem các nhiệm vụ của mục"))


@admin.register(Document)
class DocumentAdmin(FoldedSearchMixin, ProvinceScopedAdmin, SimpleHistoryAdmin):
    list_display = [
        "display_number",
        "doc_type",
        "title_short",
        "issued_on",
        "year",
        "is_draft",
        "task_link",
        "import_link",
    ]
    list_filter = ["province", "doc_type", "purpose", "year", "is_draft"]
    list_select_related = ["province", "issuer"]
    autocomplete_fields = ["issuer", "based_on", "followed_by", "inspected"]
    date_hierarchy = "issued_on"  # a few hundred documents per province: cheap
    inlines = [SectionInline]
    readonly_fields = ["import_link"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "province",
                    "doc_type",
                    "purpose",
                    "number",
                    "symbol",
                    "title",
                    "year",
                    "is_draft",
                    "import_link",
                ]
            },
        ),
        (_("Ban hành"), {"fields": ["issuer", "issued_on", "place", "signer", "signer_title", "file"]}),
        (
            _("Căn cứ, nơi nhận, theo dõi"),
            {"fields": ["legal_bases", "based_on", "recipients", "followed_by", "inspected", "notes"]},
        ),
    ]

    @admin.display(description=_("trích yếu"))
    def title_short(self, document):
        return document.title[:100]

    @admin.display(description=_("nhiệm vụ"))
    def task_link(self, document):
        url = reverse("admin:tasks_task_changelist") + f"?document__id__exact={document.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Các nhiệm vụ"))

    @admin.display(description=_("nhập phụ lục"))
    def import_link(self, document):
        if not document.pk:
            return _("Lưu văn bản trước, rồi nhập phụ lục.")
        url = reverse("plans:import_start", args=[document.pk])
        return format_html(
            '<a class="button" href="{}">{}</a> <a class="button" href="{}?kind=indicators">{}</a>',
            url,
            _("Nhập bảng nhiệm vụ"),
            url,
            _("Nhập bảng chỉ tiêu"),
        )


@admin.register(Section)
class SectionAdmin(ProvinceScopedAdmin):
    list_display = ["__str__", "document", "area", "order"]
    list_filter = [searchable("document"), "area"]
    list_select_related = ["document"]
    search_fields = ["title", "number"]
    autocomplete_fields = ["document", "parent"]


@admin.register(ReportingDuty)
class ReportingDutyAdmin(ProvinceScopedAdmin):
    list_display = ["document", "frequency", "recipient", "due_day"]
    list_filter = ["frequency"]
    list_select_related = ["document", "recipient"]
    autocomplete_fields = ["document", "recipient", "reporters"]
    search_fields = ["document__search_text"]


@admin.register(PeriodicReport)
class PeriodicReportAdmin(ProvinceScopedAdmin):
    list_display = ["agency", "duty", "period_start", "period_end", "due_date", "submitted_at", "state"]
    list_filter = ["state", "duty__frequency", ("period_end", admin.DateFieldListFilter)]
    list_select_related = ["agency", "duty__document", "duty__recipient"]
    autocomplete_fields = ["agency", "submitted_by", "duty"]
    search_fields = ["agency__search_text"]


@admin.register(ImportJob)
class ImportJobAdmin(ProvinceScopedAdmin):
    list_display = ["__str__", "kind", "state", "created_by", "created_at", "progress", "total"]
    list_filter = ["state", "kind"]
    list_select_related = ["document", "created_by"]
    readonly_fields = ["state", "progress", "total", "error", "result", "created_by"]
    autocomplete_fields = ["document"]
    search_fields = ["document__search_text"]
