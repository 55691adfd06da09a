"""Admin for tasks (with their assignments inline), assignments, progress updates, evidence, reviews and
extension requests; every one keeps its history (who, when, before, after) under "Lịch sử".

An assignment's change form (and the inline of a task) carries the version it was rendered with, as the portal's
pages do: a save over someone else's newer report is refused with a message instead of overwriting it.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import SEARCH_VAR
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agencies.admin_scope import ProvinceScopedAdmin, ScopedInline, scoped, searchable
from core.admin_mixins import FoldedSearchMixin
from core.admin_mixins import VietnameseImportExportMixin as ImportExportMixin
from core.text import fold
from plans.models import Document
from tasks.models import Assignment, Evidence, ExtensionRequest, ProgressUpdate, Review, Task
from tasks.resources import AssignmentResource, TaskResource


class AssignmentAdminForm(forms.ModelForm):
    """Refuse a stale save: the row is locked (the admin's save runs in a transaction) and its version compared."""

    seen_version = forms.IntegerField(
        label=_("phiên bản đã xem"), widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1
    )

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
                Assignment.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
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
    fields = [
        "agency",
        "role",
        "group",
        "state",
        "progress",
        "completed_on",
        "due_date",
        "review_state",
        "seen_version",
    ]
    autocomplete_fields = ["agency", "group"]
    extra = 0


@admin.register(Task)
class TaskAdmin(FoldedSearchMixin, ImportExportMixin, ProvinceScopedAdmin, SimpleHistoryAdmin):
    sort_relations_by_id = True
    resource_classes = [TaskResource]
    list_display = [
        "full_number",
        "title_short",
        "document",
        "lead_text",
        "deadline_text",
        "due_date",
        "due_needs_confirmation",
    ]
    list_filter = [
        "document__province",
        searchable("document"),
        "due_kind",
        "due_needs_confirmation",
        "evidence_required",
    ]
    list_select_related = ["document", "section__parent"]
    autocomplete_fields = ["document", "section"]
    inlines = [AssignmentInline]
    readonly_fields = ["source_row"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:  # the province's documents as a list: an index scan, not a walk of every task
            queryset = queryset.filter(document_id__in_array=scoped(Document, request.user))
        return queryset

    def get_ordering(self, request):
        # A document's tasks in their order; the whole list newest first (the primary key: no sort of every task).
        if "document__id__exact" in request.GET:
            return ["order", "pk"]
        return ["-pk"]

    fieldsets = [
        (None, {"fields": ["document", "section", "number", "order", "title", "output", "note"]}),
        (_("Cơ quan (như văn bản ghi)"), {"fields": ["lead_text", "cooperating_text"]}),
        (
            _("Thời hạn"),
            {
                "fields": [
                    "deadline_text",
                    "due_kind",
                    "due_date",
                    "due_start",
                    "recurrence",
                    "due_year_inferred",
                    "due_needs_confirmation",
                    "due_note",
                    "evidence_required",
                ]
            },
        ),
        (_("Nguồn"), {"fields": ["source_row", "extra"], "classes": ["collapse"]}),
    ]

    @admin.display(description=_("nhiệm vụ"))
    def title_short(self, task):
        return task.title[:120]


@admin.register(Assignment)
class AssignmentAdmin(ImportExportMixin, ProvinceScopedAdmin, SimpleHistoryAdmin):
    resource_classes = [AssignmentResource]
    form = AssignmentAdminForm
    sort_relations_by_id = True
    list_display = ["task", "agency", "role", "state", "progress", "completed_on", "due_date", "review_state"]
    list_filter = ["role", "state", "review_state", searchable("task__document")]
    list_select_related = ["task__section__parent", "task__document", "agency"]
    autocomplete_fields = ["task", "agency", "group"]
    search_fields = ["task__search_text", "agency__search_text"]
    fields = [
        "task",
        "agency",
        "role",
        "group",
        "state",
        "progress",
        "completed_on",
        "due_date",
        "review_state",
        "seen_version",
    ]
    ordering = ["-pk"]  # the model's order (task, role, agency name) sorts every assignment of the country

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:  # the province's tasks as a list: 8,500 rows by index, not 290,000 walked
            queryset = queryset.filter(task_id__in_array=scoped(Task, request.user))
        return queryset

    def get_urls(self):
        from django.urls import path

        from tasks.admin_reassign import reassign_view

        view = self.admin_site.admin_view(lambda request: reassign_view(self, request))
        return [path("chuyen-don-vi-ke-thua/", view, name="tasks_assignment_reassign"), *super().get_urls()]

    def get_search_results(self, request, queryset, search_term):
        lookup = "in_array" if request.user.is_superuser else "in"
        return search_assignments(queryset, search_term, lookup), False


def search_assignments(queryset, search_term: str, lookup: str = "in_array"):
    """Keep the assignments whose task or agency has every word of ``search_term``: the matching tasks and
    agencies as lists of ids (their own LIKE scans), then the assignments through their indexes; no DISTINCT.

    ``lookup="in"`` when the rows are already cut by a list on the same column (a province administrator's
    scope): PostgreSQL intersects two ``= ANY(…)`` on one index column pairwise (4.9 s for 8,500 × 7,900 ids),
    while a hashed ``IN`` filters the scope's rows as they come."""
    from agencies.models import Agency

    words = fold(search_term).split()
    if not words:
        return queryset
    tasks, agencies = Task.objects.all(), Agency.objects.all()
    for word in words:
        tasks, agencies = tasks.filter(search_text__contains=word), agencies.filter(search_text__contains=word)
    return queryset.filter(Q(**{f"task_id__{lookup}": tasks}) | Q(**{f"agency_id__{lookup}": agencies}))


class EvidenceInline(ScopedInline, admin.TabularInline):
    model = Evidence
    fields = ["file", "original_name", "content_type", "size"]
    readonly_fields = ["original_name", "content_type", "size"]
    extra = 0


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    sort_relations_by_id = True
    list_display = ["assignment", "author", "created_at", "state", "progress"]
    list_filter = ["state", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["assignment__task__section__parent", "assignment__agency", "author"]
    autocomplete_fields = ["assignment", "answers", "author"]
    search_fields = ["assignment__task__search_text"]  # searched by task and agency (get_search_results)
    search_help_text = _("Tìm theo tên nhiệm vụ hoặc tên cơ quan.")
    inlines = [EvidenceInline]
    ordering = ["-pk"]  # newest first through the primary key: "-created_at, -pk" sorted 3.5 million rows

    def changelist_view(self, request, extra_context=None):
        request.update_search = request.GET.get(SEARCH_VAR, "")
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        search = getattr(request, "update_search", "")
        if request.user.is_superuser or not fold(search).split():
            return super().get_queryset(request)
        # A province administrator's search: the province's assignments that match, as one list. The scope and
        # the search as two lists on one column made PostgreSQL 15 try every pair (4.9 s).
        matching = search_assignments(scoped(Assignment, request.user), search, "in")
        return super(ProvinceScopedAdmin, self).get_queryset(request).filter(assignment_id__in_array=matching)

    def get_search_results(self, request, queryset, search_term):
        # The assignments whose task or agency has the words, as a list (a LIKE over 3.5 million notes took 1.5 s).
        if fold(search_term).split() and request.user.is_superuser:
            queryset = queryset.filter(
                assignment_id__in_array=search_assignments(Assignment.objects.all(), search_term)
            )
        elif fold(search_term).split() and getattr(request, "update_search", None) != search_term:
            queryset = queryset.filter(
                assignment_id__in=search_assignments(Assignment.objects.all(), search_term, "in")
            )
        return queryset, False


@admin.register(Evidence)
class EvidenceAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    list_display = ["original_name", "content_type", "size", "uploaded_at"]
    autocomplete_fields = ["update"]
    search_fields = ["original_name"]


@admin.register(Review)
class ReviewAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    sort_relations_by_id = True
    list_display = ["assignment", "decision", "actor", "created_at"]
    list_filter = ["decision", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["assignment__task__section__parent", "assignment__agency", "actor"]
    autocomplete_fields = ["assignment", "actor"]
    search_fields = ["reason"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ProvinceScopedAdmin, SimpleHistoryAdmin):
    sort_relations_by_id = True
    list_display = ["assignment", "previous_due", "requested_date", "state", "requested_by", "decided_by", "decided_at"]
    list_filter = ["state"]
    list_select_related = ["assignment__task__section__parent", "assignment__agency", "requested_by", "decided_by"]
    autocomplete_fields = ["assignment", "requested_by", "decided_by"]
    search_fields = ["reason"]
