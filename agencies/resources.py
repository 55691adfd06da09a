"""Flat tables of agencies (with their aliases) and users, for import and export in the admin."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from agencies.admin_scope import ScopedImportMixin
from agencies.models import Agency, Alias, Province, User
from agencies.names import name_key
from core.admin_mixins import SaneDateWidget
from core.exports import SafeExportMixin

DATE = SaneDateWidget(format="%d/%m/%Y")


class ProvinceScopedResource(ScopedImportMixin, SafeExportMixin, resources.ModelResource):
    """A model table whose rows belong to one province."""


class AgencyResource(ProvinceScopedResource):
    province = fields.Field(attribute="province", column_name="tinh", widget=ForeignKeyWidget(Province, "code"))
    parent = fields.Field(attribute="parent", column_name="co_quan_cap_tren", widget=ForeignKeyWidget(Agency, "code"))
    successor = fields.Field(
        attribute="successor", column_name="co_quan_ke_thua", widget=ForeignKeyWidget(Agency, "code")
    )
    valid_from = fields.Field(attribute="valid_from", column_name="hieu_luc_tu", widget=DATE)
    valid_to = fields.Field(attribute="valid_to", column_name="hieu_luc_den", widget=DATE)
    aliases = fields.Field(column_name="ten_goi_khac", readonly=False)
    column_titles = {"ten_goi_khac": _("Tên gọi khác")}  # the export page's title of a column that is no field

    class Meta:
        model = Agency
        import_id_fields = ["code"]
        fields = [
            "code",
            "province",
            "name",
            "short_name",
            "kind",
            "level",
            "parent",
            "valid_from",
            "valid_to",
            "successor",
            "email",
            "aliases",
        ]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True

    def province_of(self, instance) -> int | None:
        return instance.province_id

    def dehydrate_aliases(self, agency: Agency) -> str:
        return "; ".join(alias.text for alias in agency.aliases.all())

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name == "ten_goi_khac":
            return  # written after the agency is saved
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        if kwargs.get("dry_run"):
            return
        for text in filter(None, (part.strip() for part in (row.get("ten_goi_khac") or "").split(";"))):
            Alias.objects.get_or_create(
                province=instance.province, key=name_key(text), defaults={"text": text, "agency": instance}
            )

    def get_queryset(self):
        return super().get_queryset().select_related("province", "parent", "successor").prefetch_related("aliases")


class UserResource(ProvinceScopedResource):
    agency = fields.Field(attribute="agency", column_name="co_quan", widget=ForeignKeyWidget(Agency, "code"))

    class Meta:
        model = User
        import_id_fields = ["username"]
        fields = ["username", "first_name", "last_name", "email", "phone", "agency", "role", "is_active"]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True

    def province_of(self, instance) -> int | None:
        return instance.agency.province_id if instance.agency_id else None

    def reachable_after(self, instance) -> bool:
        from agencies.roles import can_manage

        return (
            not instance.is_superuser
            and instance.agency_id is not None
            and can_manage(self._importer, User(agency_id=instance.agency_id))
        )

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            instance.set_unusable_password()  # an admin sets or sends the password; never imported
        super().before_save_instance(instance, row, **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("agency")
