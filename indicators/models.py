"""Indicators a document sets, their targets (per agency, per category of agencies, or for the province) and measurements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.names import fold


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("Tối thiểu (≥)")
    AT_MOST = "at_most", _("Tối đa (≤)")
    EXACTLY = "exactly", _("Đúng bằng (=)")
    IMPROVE = "improve", _("Cải thiện so với năm trước")


class IndicatorQuerySet(models.QuerySet):
    def for_user(self, user) -> IndicatorQuerySet:
        if user.is_superuser:
            return self
        if not user.is_authenticated or user.province_id is None:
            return self.none()
        return self.filter(document__province_id=user.province_id)


class Indicator(models.Model):
    """A measurable target line of a document ("Chỉ số CCHC (PAR Index) của mỗi cơ quan… đạt")."""

    document = models.ForeignKey("plans.Document", models.PROTECT, related_name="indicators", verbose_name=_("văn bản"))
    section = models.ForeignKey(
        "plans.Section", models.PROTECT, null=True, blank=True, related_name="indicators", verbose_name=_("mục")
    )
    number = models.CharField(_("số thứ tự"), max_length=20, blank=True)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    name = models.TextField(_("chỉ tiêu"))
    unit = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    direction = models.CharField(_("chiều đánh giá"), max_length=12, choices=Direction, default=Direction.AT_LEAST)
    target_text = models.CharField(_("chỉ tiêu (như văn bản ghi)"), max_length=255, blank=True)
    monitoring_text = models.TextField(_("đơn vị theo dõi (như văn bản ghi)"), blank=True)
    implementing_text = models.TextField(_("đơn vị thực hiện (như văn bản ghi)"), blank=True)
    target_in_text = models.BooleanField(
        _("chỉ tiêu ghi trong câu"), default=False, help_text=_("Giá trị nằm trong câu chữ, cần người xác nhận.")
    )
    source_row = models.PositiveIntegerField(_("hàng trong tệp nhập"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")

    objects = IndicatorQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        ordering = ["document", "order", "pk"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")

    def __str__(self) -> str:
        name = self.name if len(self.name) <= 80 else self.name[:77] + "…"
        return f"{self.number}. {name}" if self.number else name

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(f"{self.number} {self.name} {self.monitoring_text} {self.implementing_text}")
        super().save(*args, **kwargs)


class PartyRole(models.TextChoices):
    MONITORING = "monitoring", _("Đơn vị theo dõi, hướng dẫn")
    IMPLEMENTING = "implementing", _("Đơn vị thực hiện")


class IndicatorParty(models.Model):
    """An agency or group that monitors or implements an indicator."""

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="parties", verbose_name=_("chỉ tiêu"))
    role = models.CharField(_("vai trò"), max_length=12, choices=PartyRole)
    agency = models.ForeignKey("agencies.Agency", models.PROTECT, null=True, blank=True, related_name="indicator_roles", verbose_name=_("cơ quan"))
    group = models.ForeignKey("agencies.AgencyGroup", models.PROTECT, null=True, blank=True, related_name="indicator_roles", verbose_name=_("nhóm"))

    class Meta:
        ordering = ["indicator", "role", "pk"]
        verbose_name = _("đơn vị theo dõi/thực hiện")
        verbose_name_plural = _("đơn vị theo dõi/thực hiện")
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False, group__isnull=True) | Q(agency__isnull=True, group__isnull=False),
                name="party_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.agency or self.group}"


class TargetScope(models.TextChoices):
    PROVINCE = "province", _("Toàn tỉnh")
    GROUP = "group", _("Nhóm cơ quan")
    AGENCY = "agency", _("Một cơ quan")


class Target(models.Model):
    """The value an indicator must reach for the province, for every member of a group, or for one agency, in a period."""

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="targets", verbose_name=_("chỉ tiêu"))
    scope = models.CharField(_("phạm vi"), max_length=12, choices=TargetScope, default=TargetScope.PROVINCE)
    agency = models.ForeignKey("agencies.Agency", models.PROTECT, null=True, blank=True, related_name="targets", verbose_name=_("cơ quan"))
    group = models.ForeignKey("agencies.AgencyGroup", models.PROTECT, null=True, blank=True, related_name="targets", verbose_name=_("nhóm"))
    applies_to_text = models.CharField(_("áp dụng cho (như văn bản ghi)"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("giá trị"), max_digits=18, decimal_places=4, null=True, blank=True)
    value_text = models.CharField(_("giá trị (như văn bản ghi)"), max_length=100, blank=True)
    unit = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    direction = models.CharField(_("chiều đánh giá"), max_length=12, choices=Direction, default=Direction.AT_LEAST)
    source_row = models.PositiveIntegerField(_("hàng trong tệp nhập"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "pk"]
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="province", agency__isnull=True, group__isnull=True)
                           | Q(scope="group", agency__isnull=True)
                           | Q(scope="agency", agency__isnull=False, group__isnull=True)),
                name="target_scope_matches_reference",
            )
        ]

    def __str__(self) -> str:
        who = self.agency or self.group or self.applies_to_text or _("Toàn tỉnh")
        return f"{who}: {self.value_text or self.value} {self.unit}".strip()


class MeasurementState(models.TextChoices):
    SUBMITTED = "submitted", _("Đã gửi")
    ACCEPTED = "accepted", _("Đã chấp nhận")
    RETURNED = "returned", _("Trả lại")


class Measurement(models.Model):
    """A value an agency (or the province) reports for an indicator and period, checked by the monitoring unit."""

    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="measurements", verbose_name=_("chỉ tiêu"))
    agency = models.ForeignKey("agencies.Agency", models.PROTECT, null=True, blank=True, related_name="measurements", verbose_name=_("cơ quan"))
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    value = models.DecimalField(_("giá trị"), max_digits=18, decimal_places=4)
    note = models.TextField(_("ghi chú"), blank=True)
    evidence = models.FileField(_("tài liệu kiểm chứng"), upload_to="measurements/%Y/", blank=True)
    state = models.CharField(_("tình trạng"), max_length=12, choices=MeasurementState, default=MeasurementState.SUBMITTED)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="measurements", verbose_name=_("người báo cáo"))
    reported_at = models.DateTimeField(_("báo cáo lúc"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "agency", "-period_end"]
        verbose_name = _("số liệu đo")
        verbose_name_plural = _("số liệu đo")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "agency", "period_start", "period_end"], name="measurement_unique_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="measurement_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} – {self.agency or _('Toàn tỉnh')} – {self.value}"
