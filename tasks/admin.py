"""Admin for tasks (with their assignments inline), assignments, progress updates, evidence, reviews and
extension requests; every one keeps its history (who, when, before, after) under "Lịch sử".

An assignment's change form (and the inline of a task) carries the version it was rendered with, as the portal's
pages do: a save over someone else's newer report is refused with a message instead of overwriting it.
"""

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from agencies.admin_scope import ProvinceScopedAdmin, ScopedInline, searchable
from core.admin_mixins import FoldedSearchMixin
from core.text import fold
from tasks.models import Assignment, Evidence, ExtensionRequest, ProgressUpdate, Review, Task
from tasks.resources import AssignmentResource, TaskResource


class AssignmentAdminForm(forms.ModelForm):
    """Refuse a stale save: the row is locked (the admin's save runs in a transaction) and its version compared."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)

    class Meta:
        model = Assignment
        fields = ["task", "agency", "role", "group", "state", "progress", "completed_on", "due_date", "review_state"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed():
            seen = cleaned.get("seen_version")
            current = (
                Assignment.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True).first()
            )
            if seen is None or current != seen:
                raise forms.ValidationError(
                    _(
                        "Phần việc của %(agency)s đã được người khác cập nhật sau khi trang này được mở. "
                        "Hãy tải lại trang để xem số liệu mới rồi sửa lại nếu vẫn cần."
                    ),
                    code="stale",
                    params={"agency": self.instance.agency},
                )
        return cleaned

    def has_changed(self):
        return any(name != "seen_version" for name in self.changed_data)


class AssignmentInline(ScopedInline, admin.TabularInline):
    model = Assignment
    form = AssignmentAdminForm
    fields = ["agency", "role", "group", "state", "progress", "completed_on", "due_date", "review_state", "seen_version"]
    autocomplete_fields = ["agency", "group"]
    extra = 0


@admin.register(Task)
class TaskAdmin(FoldedSearchMixin, ImportExportMixin, ProvinceScopedAdmin, SimpleHistoryAdmin):
    resource_classes = [TaskResource]
    list_display = ["full_number", "title_short", "document", "lead_text", "deadline_text", "due_date", "due_needs_confirmation"]
    list_filter = ["document__province", searchable("document"), "due_kind", "due_needs_confirmation", "evidence_required"]
    list_select_related = ["document", "section__parent"]
    autocomplete_fields = ["document", "section"]
    inlines = [AssignmentInline]
    readonly_fields = ["source_row"]

    def get_ordering(self, request):
        # A document's tasks in their order; the whole list newest first (the primary key: no sort of every task).
        if "document__id__exact" in request.GET:
            return ["order", "pk"]
        return ["-pk"]
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
    form = AssignmentAdminForm
    list_display = ["task", "agency", "role", "state", "progress", "completed_on", "due_date", "review_state"]
    list_filter = ["role", "state", "review_state", searchable("task__document")]
    list_select_related = ["task__section__parent", "task__document", "agency"]
    autocomplete_fields = ["task", "agency", "group"]
    search_fields = ["task__search_text", "agency__search_text"]
    fields = ["task", "agency", "role", "group", "state", "progress", "completed_on", "due_date", "review_state", "seen_version"]
    ordering = ["-pk"]  # the model's order (task, role, agency name) sorts every assignment of the country

    def get_search_results(self, request, queryset, search_term):
        # Each word in the task or the agency: two joined LIKEs, no duplicates (so no DISTINCT).
        for word in fold(search_term).split():
            queryset = queryset.filter(Q(task__search_text__contains=word) | Q(agency__search_text__contains=word))
        return queryset, False


class EvidenceInline(ScopedInline, admin.TabularInline):
    model = Evidence
    fields = ["file", "original_name", "content_type", "size"]
    readonly_fields = ["original_name", "content_type", "size"]
    extra = 0


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    list_display = ["assignment", "author", "created_at", "state", "progress"]
    list_filter = ["state", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["assignment__task__section__parent", "assignment__agency", "author"]
    autocomplete_fields = ["assignment", "answers", "author"]
    search_fields = ["note"]
    inlines = [EvidenceInline]
    ordering = ["-pk"]  # newest first through the primary key: "-created_at, -pk" sorted 3.5 million rows


@admin.register(Evidence)
class EvidenceAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    list_display = ["original_name", "content_type", "size", "uploaded_at"]
    autocomplete_fields = ["update"]
    search_fields = ["original_name"]


@admin.register(Review)
class ReviewAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    list_display = ["assignment", "decision", "actor", "created_at"]
    list_filter = ["decision", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["assignment__task__section__parent", "assignment__agency", "actor"]
    autocomplete_fields = ["assignment", "actor"]
    search_fields = ["reason"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    list_display = ["assignment", "previous_due", "requested_date", "state", "requested_by", "decided_by", "decided_at"]
    list_filter = ["state"]
    list_select_related = ["assignment__task__section__parent", "assignment__agency", "requested_by", "decided_by"]
    autocomplete_fields = ["assignment", "requested_by", "decided_by"]
    search_fields = ["reason"]
