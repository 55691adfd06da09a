"""Flat tables of a document's tasks and of assignments with their status, for import and export in the admin."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from agencies.admin_scope import ScopedImportMixin
from agencies.models import Agency
from core.admin_mixins import SaneDateWidget
from core.exports import SafeExportMixin
from plans.deadlines import parse_deadline
from plans.models import Document
from tasks.models import Assignment, Task

DATE = SaneDateWidget(format="%d/%m/%Y")


class TaskResource(ScopedImportMixin, SafeExportMixin, resources.ModelResource):
    """A document's tasks. Editing ``deadline_text`` re-reads the due date unless ``due_date`` is given."""

    document = fields.Field(attribute="document", column_name="van_ban_id", widget=ForeignKeyWidget(Document))
    document_number = fields.Field(column_name="so_van_ban", readonly=True)
    section_number = fields.Field(column_name="muc", readonly=True)
    column_titles = {
        "so_van_ban": gettext_lazy("Số văn bản"),
        "muc": gettext_lazy("Mục"),
    }  # export page titles of columns that are no field
    due_date = fields.Field(attribute="due_date", column_name="due_date", widget=DATE)

    class Meta:
        model = Task
        fields = [
            "id",
            "document",
            "document_number",
            "section_number",
            "number",
            "title",
            "output",
            "lead_text",
            "cooperating_text",
            "deadline_text",
            "due_date",
            "due_kind",
            "evidence_required",
            "note",
        ]
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
    # The version the exported row had: an import over a newer report is refused (see before_save_instance).
    seen_version = fields.Field(attribute="version", column_name="phien_ban", readonly=True)
    column_titles = {  # the export page's titles of the columns that are no field
        "so_van_ban": gettext_lazy("Số văn bản"),
        "so_thu_tu": gettext_lazy("Số thứ tự nhiệm vụ"),
        "nhiem_vu": gettext_lazy("Tên nhiệm vụ"),
        "ten_co_quan": gettext_lazy("Tên cơ quan"),
        "tinh_trang_chinh_thuc": gettext_lazy("Tình trạng chính thức"),
        "phien_ban": gettext_lazy("Phiên bản đã xem"),
    }

    class Meta:
        model = Assignment
        fields = [
            "id",
            "document_number",
            "task",
            "task_number",
            "task_title",
            "agency",
            "agency_name",
            "role",
            "state",
            "progress",
            "completed_on",
            "due_date",
            "status",
            "seen_version",
        ]
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

    def before_save_instance(self, instance, row, **kwargs):
        """Refuse a row exported before the assignment's last change (its ``phien_ban``), as the portal's forms do.

        The row is locked first (the import runs in one transaction), so a report saved meanwhile waits.
        Assignment.save() then moves ``version`` on, so a form open on the same row is told it changed.
        """
        if instance.pk:
            current = (
                Assignment.objects.select_for_update().filter(pk=instance.pk).values_list("version", flat=True).first()
            )
            seen = _whole_number(row.get("phien_ban"))
            if seen is None:
                raise ValidationError(
                    _("Thiếu cột phien_ban (phiên bản khi xuất bảng): hãy xuất lại bảng rồi sửa trên tệp mới.")
                )
            if current is not None and seen != current:
                raise ValidationError(
                    _(
                        "Phần việc này đã được cập nhật sau khi bảng được xuất (phiên bản %(current)s, tệp ghi %(seen)s): "
                        "hãy xuất lại bảng để không ghi đè báo cáo mới."
                    )
                    % {"current": current, "seen": seen}
                )
        super().before_save_instance(instance, row, **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("task__document", "task__section", "agency")


def _whole_number(value) -> int | None:
    """A cell's whole number ("7", 7, 7.0); None for anything else (empty, "7a", "²")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value or "").strip().removesuffix(".0")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
