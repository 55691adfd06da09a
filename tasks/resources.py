"""Flat tables of a document's tasks and of assignments with their status, for import and export in the admin."""

from __future__ import annotations

from import_export import fields, resources
from import_export.widgets import DateWidget, ForeignKeyWidget

from agencies.models import Agency
from cchc_portal.exports import SafeExportMixin, ScopedImportMixin
from plans.deadlines import parse_deadline
from plans.models import Document
from tasks.models import Assignment, Task

DATE = DateWidget(format="%d/%m/%Y")


class TaskResource(ScopedImportMixin, SafeExportMixin, resources.ModelResource):
    """A document's tasks. Editing ``deadline_text`` re-reads the due date unless ``due_date`` is given."""

    document = fields.Field(attribute="document", column_name="van_ban_id", widget=ForeignKeyWidget(Document))
    document_number = fields.Field(column_name="so_van_ban", readonly=True)
    section_number = fields.Field(column_name="muc", readonly=True)
    due_date = fields.Field(attribute="due_date", column_name="due_date", widget=DATE)

    class Meta:
        model = Task
        fields = ["id", "document", "document_number", "section_number", "number", "title", "output", "lead_text",
                  "cooperating_text", "deadline_text", "due_date", "due_kind", "evidence_required", "note"]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True

    def province_of(self, instance) -> int | None:
        return instance.document.province_id

    def dehydrate_document_number(self, task: Task) -> str:
        return task.document.display_number

    def dehydrate_section_number(self, task: Task) -> str:
        return task.section.path if task.section_id else ""

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk:
            previous = Task.objects.filter(pk=instance.pk).values_list("deadline_text", "due_date").first()
            if previous and previous[0] != instance.deadline_text and previous[1] == instance.due_date:
                instance.apply_deadline(parse_deadline(instance.deadline_text, default_year=instance.document.year))
        super().before_save_instance(instance, row, **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("document", "section")


class AssignmentResource(ScopedImportMixin, SafeExportMixin, resources.ModelResource):
    """Assignments with their status; an import updates state, progress and dates."""

    task = fields.Field(attribute="task", column_name="nhiem_vu_id", widget=ForeignKeyWidget(Task))
    agency = fields.Field(attribute="agency", column_name="co_quan", widget=ForeignKeyWidget(Agency, "code"))
    document_number = fields.Field(column_name="so_van_ban", readonly=True)
    task_number = fields.Field(column_name="so_thu_tu", readonly=True)
    task_title = fields.Field(column_name="nhiem_vu", readonly=True)
    agency_name = fields.Field(column_name="ten_co_quan", readonly=True)
    status = fields.Field(column_name="tinh_trang_chinh_thuc", readonly=True)
    completed_on = fields.Field(attribute="completed_on", column_name="completed_on", widget=DATE)
    due_date = fields.Field(attribute="due_date", column_name="due_date", widget=DATE)

    class Meta:
        model = Assignment
        fields = ["id", "document_number", "task", "task_number", "task_title", "agency", "agency_name", "role",
                  "state", "progress", "completed_on", "due_date", "status"]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True

    def province_of(self, instance) -> int | None:
        return instance.task.document.province_id

    def dehydrate_document_number(self, a: Assignment) -> str:
        return a.task.document.display_number

    def dehydrate_task_number(self, a: Assignment) -> str:
        return a.task.full_number

    def dehydrate_task_title(self, a: Assignment) -> str:
        return a.task.title

    def dehydrate_agency_name(self, a: Assignment) -> str:
        return a.agency.name

    def dehydrate_status(self, a: Assignment) -> str:
        return str(a.official_status().label)

    # Assignment.save() moves ``version`` on, so a browser form open on the same row is told it changed.

    def get_queryset(self):
        return super().get_queryset().select_related("task__document", "task__section", "agency")
