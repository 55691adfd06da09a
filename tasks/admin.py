"""Admin for tasks (with their assignments inline), assignments, progress updates, evidence, reviews and
extension requests; every one keeps its history (who, when, before, after) under "Lịch sử"."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from cchc_portal.admin_mixins import FoldedSearchMixin, ProvinceScopedAdmin, ScopedInline
from tasks.models import Assignment, Evidence, ExtensionRequest, ProgressUpdate, Review, Task
from tasks.resources import AssignmentResource, TaskResource


class AssignmentInline(ScopedInline, admin.TabularInline):
    model = Assignment
    fields = ["agency", "role", "group", "state", "progress", "completed_on", "due_date", "review_state"]
    autocomplete_fields = ["agency", "group"]
    extra = 0


@admin.register(Task)
class TaskAdmin(FoldedSearchMixin, ImportExportMixin, ProvinceScopedAdmin, SimpleHistoryAdmin):
    resource_classes = [TaskResource]
    province_path = "document__province"
    list_display = ["full_number", "title_short", "document", "lead_text", "deadline_text", "due_date", "due_needs_confirmation"]
    list_filter = ["document__province", "document", "due_kind", "due_needs_confirmation", "evidence_required"]
    list_select_related = ["document", "section"]
    autocomplete_fields = ["document", "section"]
    inlines = [AssignmentInline]
    readonly_fields = ["source_row"]
    fieldsets = [
        (None, {"fields": ["document", "section", "number", "order", "title", "output", "note"]}),
        (_("Cơ quan (như văn bản ghi)"), {"fields": ["lead_text", "cooperating_text"]}),
        (_("Thời hạn"), {"fields": ["deadline_text", "due_kind", "due_date", "due_start", "recurrence", "due_year_inferred", "due_needs_confirmation", "due_note", "evidence_required"]}),
        (_("Nguồn"), {"fields": ["source_row", "extra"], "classes": ["collapse"]}),
    ]

    @admin.display(description=_("nhiệm vụ"))
    def title_short(self, task):
        return task.title[:120]


@admin.register(Assignment)
class AssignmentAdmin(ImportExportMixin, ProvinceScopedAdmin, SimpleHistoryAdmin):
    resource_classes = [AssignmentResource]
    province_path = "task__document__province"
    list_display = ["task", "agency", "role", "state", "progress", "completed_on", "due_date", "review_state"]
    list_filter = ["role", "state", "review_state", "task__document"]
    list_select_related = ["task__section", "task__document", "agency"]
    autocomplete_fields = ["task", "agency", "group"]
    search_fields = ["task__search_text", "agency__search_text"]

    def get_search_results(self, request, queryset, search_term):
        from agencies.names import fold

        for word in fold(search_term).split():
            queryset = queryset.filter(task__search_text__contains=word) | queryset.filter(agency__search_text__contains=word)
        return queryset, True


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = ["file", "original_name", "content_type", "size"]
    readonly_fields = ["original_name", "content_type", "size"]
    extra = 0


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    province_path = "assignment__task__document__province"
    list_display = ["assignment", "author", "created_at", "state", "progress"]
    list_filter = ["state"]
    list_select_related = ["assignment__task__section", "assignment__agency", "author"]
    raw_id_fields = ["assignment", "answers"]
    autocomplete_fields = ["author"]
    inlines = [EvidenceInline]
    date_hierarchy = "created_at"


@admin.register(Evidence)
class EvidenceAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    province_path = "update__assignment__task__document__province"
    list_display = ["original_name", "content_type", "size", "uploaded_at"]
    raw_id_fields = ["update"]
    search_fields = ["original_name"]


@admin.register(Review)
class ReviewAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    province_path = "assignment__task__document__province"
    list_display = ["assignment", "decision", "actor", "created_at"]
    list_filter = ["decision"]
    list_select_related = ["assignment__task__section", "assignment__agency", "actor"]
    raw_id_fields = ["assignment"]
    autocomplete_fields = ["actor"]
    date_hierarchy = "created_at"


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    province_path = "assignment__task__document__province"
    list_display = ["assignment", "previous_due", "requested_date", "state", "requested_by", "decided_by", "decided_at"]
    list_filter = ["state"]
    list_select_related = ["assignment__task__section", "assignment__agency", "requested_by", "decided_by"]
    raw_id_fields = ["assignment"]
    autocomplete_fields = ["requested_by", "decided_by"]
