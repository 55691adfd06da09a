"""Indicators a document sets, their targets (per agency, per category of agencies, or for the province), the values
agencies report against them, and the results of the national indexes (PAR Index, SIPAS, PAPI, PCI)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.models import AgencyGroup
from core.dates import MAX_YEAR, MIN_YEAR
from core.text import fold


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("Tối thiểu (≥)")
    AT_MOST = "at_most", _("Tối đa (≤)")
    EXACTLY = "exactly", _("Đúng bằng (=)")
    IMPROVE = "improve", _("Cải thiện so với năm trước")


class IndexKind(models.TextChoices):
    """The national indexes that rank provinces and their agencies each year."""

    PAR = "par", _("Chỉ số CCHC (PAR Index)")
    SIPAS = "sipas", _("Chỉ số hài lòng (SIPAS)")
    PAPI = "papi", _("Chỉ số PAPI")
    PCI = "pci", _("Chỉ số PCI")


def _scoped(queryset: models.QuerySet, user, province_path: str) -> models.QuerySet:
    """Rows of the user's province (superusers: all; anonymous or agency-less users: none)."""
    if user.is_superuser:
        return queryset
    if not user.is_authenticated or user.province_id is None:
        return queryset.none()
    return queryset.filter(**{f"{province_path}_id__in": user.province_scope()})


class IndicatorQuerySet(models.QuerySet):
    def for_user(self, user) -> IndicatorQuerySet:
        """Indicators of the user's province."""
        return _scoped(self, user, "document__province")


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
    index = models.CharField(
        _("chỉ số liên quan"),
        max_length=8,
        choices=IndexKind,
        blank=True,
        help_text=_(
            "Khi chỉ tiêu là kết quả một chỉ số (PAR Index, SIPAS, PAPI, PCI), kết quả chính thức của năm được dùng để đánh giá."
        ),
    )
    cumulative = models.BooleanField(
        _("số liệu cộng dồn trong kỳ"),
        default=False,
        help_text=_(
            "Giá trị tăng dần trong kỳ (ví dụ tỷ lệ giải ngân, số đơn vị): khi mới có một số liệu, "
            "so với chỉ tiêu theo tỷ lệ thời gian đã qua."
        ),
    )
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
    agency = models.ForeignKey(
        "agencies.Agency",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_roles",
        verbose_name=_("cơ quan"),
    )
    group = models.ForeignKey(
        "agencies.AgencyGroup",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_roles",
        verbose_name=_("nhóm"),
    )

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


class TargetQuerySet(models.QuerySet):
    def for_user(self, user) -> TargetQuerySet:
        """Targets of the user's province."""
        return _scoped(self, user, "indicator__document__province")

    def applying_to(self, agency) -> TargetQuerySet:
        """Targets set for ``agency`` itself or for a group it belongs to (the groups as a subquery: no duplicates)."""
        groups = AgencyGroup.objects.filter(members=agency).values("pk")
        return self.filter(Q(scope=TargetScope.AGENCY, agency=agency) | Q(scope=TargetScope.GROUP, group_id__in=groups))

    def overlapping_year(self, year: int) -> TargetQuerySet:
        """Targets whose period touches calendar ``year``; an empty period bound means the target's own year."""
        starts_by = Q(period_start__isnull=True, year__lte=year) | Q(period_start__lte=datetime.date(year, 12, 31))
        ends_after = Q(period_end__isnull=True, year__gte=year) | Q(period_end__gte=datetime.date(year, 1, 1))
        return self.filter(starts_by, ends_after)


class Target(models.Model):
    """The value an indicator must reach for the province, for every member of a group, or for one agency, in a period.

    The period is the calendar ``year`` unless ``period_start``/``period_end`` say otherwise (an empty bound follows
    the year, so changing the year moves the default period with it).
    """

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="targets", verbose_name=_("chỉ tiêu"))
    scope = models.CharField(_("phạm vi"), max_length=12, choices=TargetScope, default=TargetScope.PROVINCE)
    agency = models.ForeignKey(
        "agencies.Agency", models.PROTECT, null=True, blank=True, related_name="targets", verbose_name=_("cơ quan")
    )
    group = models.ForeignKey(
        "agencies.AgencyGroup", models.PROTECT, null=True, blank=True, related_name="targets", verbose_name=_("nhóm")
    )
    applies_to_text = models.CharField(_("áp dụng cho (như văn bản ghi)"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"))
    period_start = models.DateField(_("kỳ từ ngày"), null=True, blank=True, help_text=_("Để trống: từ 01/01 của năm."))
    period_end = models.DateField(_("kỳ đến ngày"), null=True, blank=True, help_text=_("Để trống: đến 31/12 của năm."))
    value = models.DecimalField(_("giá trị"), max_digits=18, decimal_places=4, null=True, blank=True)
    value_text = models.CharField(_("giá trị (như văn bản ghi)"), max_length=100, blank=True)
    unit = models.CharField(_("đơn vị tính"), max_length=40, blank=True, help_text=_("Ví dụ: %, đơn vị, điểm, đồng."))
    direction = models.CharField(_("chiều đánh giá"), max_length=12, choices=Direction, default=Direction.AT_LEAST)
    source_row = models.PositiveIntegerField(_("hàng trong tệp nhập"), null=True, blank=True)

    objects = TargetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "pk"]
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="province", agency__isnull=True, group__isnull=True)
                    | Q(scope="group", agency__isnull=True)
                    | Q(scope="agency", agency__isnull=False, group__isnull=True)
                ),
                name="target_scope_matches_reference",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="target_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        who = self.agency or self.group or self.applies_to_text or _("Toàn tỉnh")
        value = self.value_text or ("" if self.value is None else self.value)  # "tiếp tục cải thiện" has no number
        return f"{who}: {value} {self.unit}".strip().rstrip(":")

    def clean(self) -> None:
        errors = {}
        if self.scope == TargetScope.AGENCY and not self.agency_id:
            errors["agency"] = _("Chọn cơ quan mà mục tiêu áp dụng.")
        if self.scope == TargetScope.GROUP and not self.group_id:
            errors["group"] = _("Chọn nhóm cơ quan mà mục tiêu áp dụng.")
        if self.scope != TargetScope.AGENCY and self.agency_id:
            errors["agency"] = _("Chỉ chọn cơ quan khi phạm vi là một cơ quan.")
        if self.scope != TargetScope.GROUP and self.group_id:
            errors["group"] = _("Chỉ chọn nhóm khi phạm vi là nhóm cơ quan.")
        if self.year and not MIN_YEAR <= self.year <= MAX_YEAR:  # before date(): year 99999 is no date at all
            errors["year"] = _("Năm %(year)s không hợp lệ: năm phải trong khoảng %(min)s–%(max)s.") % {
                "year": self.year,
                "min": MIN_YEAR,
                "max": MAX_YEAR,
            }
        elif self.year and self.start > self.end:
            errors["period_end"] = _("Ngày kết thúc kỳ phải sau ngày bắt đầu.")
        province_id = self.indicator.document.province_id if self.indicator_id else None
        for field in ("agency", "group"):
            related = getattr(self, field) if getattr(self, f"{field}_id") else None
            if related is not None and province_id and related.province_id != province_id:
                errors[field] = _("Cơ quan, nhóm phải thuộc tỉnh của văn bản.")
        if errors:
            raise ValidationError(errors)

    @property
    def start(self) -> datetime.date:
        """First day of the period (1 January of the year unless set)."""
        return self.period_start or datetime.date(self.year, 1, 1)

    @property
    def end(self) -> datetime.date:
        """Last day of the period (31 December of the year unless set)."""
        return self.period_end or datetime.date(self.year, 12, 31)

    @property
    def period_label(self) -> str:
        if (self.start, self.end) == (datetime.date(self.year, 1, 1), datetime.date(self.year, 12, 31)):
            return _("Năm %(year)s") % {"year": self.year}
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"

    @property
    def who(self) -> str:
        """Whom the target applies to, as the portal understood it."""
        return str(self.agency or self.group or _("Toàn tỉnh"))


class MeasurementState(models.TextChoices):
    SUBMITTED = "submitted", _("Đã gửi")
    ACCEPTED = "accepted", _("Đã chấp nhận")
    RETURNED = "returned", _("Trả lại")


class MeasurementQuerySet(models.QuerySet):
    def for_user(self, user) -> MeasurementQuerySet:
        """Measurements of the user's province (who may act on one is decided in ``indicators.services``)."""
        return _scoped(self, user, "indicator__document__province")


class Measurement(models.Model):
    """A value an agency (or the province) reports for an indicator and period, checked by the monitoring unit.

    The value is the one reached at ``period_end`` (counted from ``period_start``). ``target`` is set only when the
    agency has several target lines on the indicator (Bình Định's indicator 9): the value then counts for that line
    alone; otherwise it counts for every target of the indicator that applies to the agency.
    """

    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="measurements", verbose_name=_("chỉ tiêu"))
    target = models.ForeignKey(
        Target,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("mục tiêu cụ thể"),
        help_text=_("Chỉ chọn khi chỉ tiêu có nhiều mục tiêu cho cùng một cơ quan."),
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("cơ quan"),
        help_text=_("Để trống: số liệu của toàn tỉnh."),
    )
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    value = models.DecimalField(_("giá trị"), max_digits=18, decimal_places=4)
    note = models.TextField(_("ghi chú"), blank=True)
    evidence = models.FileField(_("tài liệu kiểm chứng"), upload_to="measurements/%Y/", blank=True)
    evidence_name = models.CharField(_("tên tệp kiểm chứng"), max_length=255, blank=True)
    state = models.CharField(
        _("tình trạng"), max_length=12, choices=MeasurementState, default=MeasurementState.SUBMITTED
    )
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("người báo cáo"),
    )
    reported_at = models.DateTimeField(_("báo cáo lúc"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_measurements",
        verbose_name=_("người xem xét"),
    )
    reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)

    objects = MeasurementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "agency", "-period_end"]
        verbose_name = _("số liệu đo")
        verbose_name_plural = _("số liệu đo")
        # One value per indicator (or target line), agency (or the province) and period. NULLs are distinct in a
        # unique index, so each combination of "no target" / "no agency" has its own partial index.
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "agency", "period_start", "period_end"],
                condition=Q(target__isnull=True, agency__isnull=False),
                name="measurement_unique_period",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end"],
                condition=Q(target__isnull=True, agency__isnull=True),
                name="measurement_unique_province_period",
            ),
            models.UniqueConstraint(
                fields=["target", "agency", "period_start", "period_end"],
                condition=Q(target__isnull=False, agency__isnull=False),
                name="measurement_unique_target_period",
            ),
            models.UniqueConstraint(
                fields=["target", "period_start", "period_end"],
                condition=Q(target__isnull=False, agency__isnull=True),
                name="measurement_unique_target_province_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="measurement_period_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(return_reason=""), name="measurement_returned_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["indicator", "period_end"], name="measurement_indicator_end")]

    def __str__(self) -> str:
        return f"{self.indicator} – {self.agency or _('Toàn tỉnh')} – {self.value}"

    def clean(self) -> None:
        if self.target_id and self.indicator_id and self.target.indicator_id != self.indicator_id:
            raise ValidationError({"target": _("Mục tiêu phải thuộc chỉ tiêu đã chọn.")})
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("Ngày kết thúc kỳ phải sau ngày bắt đầu.")})
        if self.state == MeasurementState.RETURNED and not self.return_reason.strip():
            raise ValidationError({"return_reason": _("Cần ghi lý do khi trả lại số liệu.")})

    def get_evidence_url(self) -> str:
        return reverse("indicators:evidence", args=[self.pk]) if self.evidence else ""


class IndexResultQuerySet(models.QuerySet):
    def for_user(self, user) -> IndexResultQuerySet:
        """Results of the user's province."""
        return _scoped(self, user, "province")


class IndexResult(models.Model):
    """The published result of a national index for a year: the province's, or one agency's (agency set)."""

    index = models.CharField(_("chỉ số"), max_length=8, choices=IndexKind)
    province = models.ForeignKey(
        "agencies.Province", models.PROTECT, related_name="index_results", verbose_name=_("tỉnh")
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="index_results",
        verbose_name=_("cơ quan"),
        help_text=_("Để trống: kết quả của tỉnh."),
    )
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    score = models.DecimalField(_("điểm"), max_digits=10, decimal_places=4)
    rank = models.PositiveSmallIntegerField(_("xếp hạng"), null=True, blank=True)
    rank_total = models.PositiveSmallIntegerField(
        _("trên tổng số"), null=True, blank=True, help_text=_("Ví dụ 63 tỉnh, thành phố.")
    )
    source = models.CharField(
        _("nguồn"), max_length=255, blank=True, help_text=_("Văn bản công bố kết quả, ví dụ Quyết định số …/QĐ-BNV.")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = IndexResultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["index", "province__name", "agency__name", "-year"]
        verbose_name = _("kết quả chỉ số")
        verbose_name_plural = _("kết quả chỉ số")
        constraints = [
            models.UniqueConstraint(
                fields=["index", "province", "year"],
                condition=Q(agency__isnull=True),
                name="index_result_unique_province_year",
            ),
            models.UniqueConstraint(
                fields=["index", "agency", "year"],
                condition=Q(agency__isnull=False),
                name="index_result_unique_agency_year",
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank_total__isnull=True) | Q(rank__lte=models.F("rank_total")),
                name="index_result_rank_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_index_display()} {self.year} – {self.agency or self.province}: {self.score}"

    def save(self, *args, **kwargs) -> None:
        if self.agency_id:  # an agency's result belongs to the agency's province
            self.province_id = self.agency.province_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.agency_id and self.province_id and self.agency.province_id != self.province_id:
            raise ValidationError({"agency": _("Cơ quan phải thuộc tỉnh đã chọn.")})

    @property
    def rank_display(self) -> str:
        if self.rank is None:
            return ""
        return f"{self.rank}/{self.rank_total}" if self.rank_total else str(self.rank)
