"""Documents (plans, letters, decisions) and the sections of their appendices."""

from __future__ import annotations

import json
import uuid
import zlib
from pathlib import PurePath

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.text import fold
from plans.areas import CchcArea


class DocumentType(models.TextChoices):
    PLAN = "plan", _("Kế hoạch")
    LETTER = "letter", _("Công văn")
    DECISION = "decision", _("Quyết định")
    DIRECTIVE = "directive", _("Chỉ thị")
    NOTICE = "notice", _("Thông báo")
    REPORT = "report", _("Báo cáo")
    OTHER = "other", _("Văn bản khác")


class DocumentPurpose(models.TextChoices):
    TASKS = "tasks", _("Giao nhiệm vụ")
    INDICATORS = "indicators", _("Giao chỉ tiêu")
    REMEDIATION = "remediation", _("Khắc phục sau kiểm tra")
    DIRECTIVE = "directive", _("Chỉ đạo, đôn đốc")


class DocumentQuerySet(models.QuerySet):
    def for_user(self, user) -> DocumentQuerySet:
        """Documents of the user's province; superusers see all."""
        if user.is_superuser:
            return self
        if not user.is_authenticated or user.province_id is None:
            return self.none()
        return self.filter(province_id__in=user.province_scope())

    def search(self, text: str) -> DocumentQuerySet:
        return self.filter(search_text__contains=fold(text)) if text.strip() else self


class Document(models.Model):
    """A document that gives tasks or targets: plan 275/KH-UBND, letter 4918/UBND-NC… Drafts may lack number and date."""

    province = models.ForeignKey("agencies.Province", models.PROTECT, related_name="documents", verbose_name=_("tỉnh"))
    doc_type = models.CharField(_("loại văn bản"), max_length=12, choices=DocumentType, default=DocumentType.PLAN)
    purpose = models.CharField(_("mục đích"), max_length=12, choices=DocumentPurpose, default=DocumentPurpose.TASKS)
    number = models.CharField(
        _("số, ký hiệu"), max_length=60, blank=True, help_text=_("Ví dụ 275/KH-UBND; để trống khi là dự thảo.")
    )
    symbol = models.CharField(_("ký hiệu (khi chưa có số)"), max_length=60, blank=True)
    issuer = models.ForeignKey(
        "agencies.Agency",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_documents",
        verbose_name=_("cơ quan ban hành"),
    )
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    place = models.CharField(_("địa danh"), max_length=60, blank=True)
    signer = models.CharField(_("người ký"), max_length=100, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=100, blank=True)
    title = models.TextField(_("trích yếu"))
    year = models.PositiveSmallIntegerField(_("năm"))
    is_draft = models.BooleanField(_("dự thảo"), default=False)
    legal_bases = models.TextField(_("căn cứ"), blank=True, help_text=_("Mỗi căn cứ một dòng."))
    based_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="basis_for", verbose_name=_("căn cứ (văn bản trong cổng)")
    )
    recipients = models.TextField(_("nơi nhận"), blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    file = models.FileField(_("tệp văn bản"), upload_to="documents/%Y/", blank=True)
    followed_by = models.ManyToManyField(
        "agencies.Agency",
        blank=True,
        related_name="followed_documents",
        verbose_name=_("cơ quan theo dõi"),
        help_text=_("Cơ quan theo dõi việc thực hiện (Sở Nội vụ, Văn phòng UBND tỉnh)."),
    )
    inspected = models.ManyToManyField(
        "agencies.Agency",
        blank=True,
        related_name="inspections",
        verbose_name=_("đơn vị được kiểm tra"),
        help_text=_("Với văn bản khắc phục sau kiểm tra: các cơ quan, đơn vị đã được kiểm tra."),
    )
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        ordering = ["-year", "number", "pk"]
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "number"], condition=~Q(number=""), name="document_unique_number_per_province"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.display_number}"

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(f"{self.number} {self.symbol} {self.title}")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("plans:document", args=[self.pk])

    @property
    def display_number(self) -> str:
        """Return the number as printed; a draft shows its blank number the way documents do ("Số: /UBND-KSTT")."""
        if self.number:
            return self.number
        return f"…/{self.symbol} ({_('dự thảo')})" if self.symbol else str(_("(dự thảo, chưa có số)"))

    display_number.fget.short_description = _("số, ký hiệu")  # the admin's column title

    @property
    def legal_basis_list(self) -> list[str]:
        return [line.strip() for line in self.legal_bases.splitlines() if line.strip()]


class Section(models.Model):
    """A section of a document's appendix ("I. Công tác chỉ đạo, điều hành CCHC"); sections may nest (A > I)."""

    document = models.ForeignKey(Document, models.CASCADE, related_name="sections", verbose_name=_("văn bản"))
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("mục cha")
    )
    number = models.CharField(_("số mục"), max_length=20, blank=True)
    path = models.CharField(_("đường dẫn"), max_length=80, editable=False, help_text=_("Ví dụ A/I"))
    title = models.TextField(_("tên mục"))
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    area = models.CharField(_("lĩnh vực CCHC"), max_length=24, choices=CchcArea, default=CchcArea.OTHER)

    class Meta:
        ordering = ["document", "order", "pk"]
        verbose_name = _("mục")
        verbose_name_plural = _("mục")
        constraints = [models.UniqueConstraint(fields=["document", "path"], name="section_unique_path_per_document")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title

    def save(self, *args, **kwargs) -> None:
        self.path = f"{self.parent.path}/{self.number}" if self.parent_id else self.number
        super().save(*args, **kwargs)


class ReportFrequency(models.TextChoices):
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    HALF_YEARLY = "half_yearly", _("6 tháng")
    YEARLY = "yearly", _("Hằng năm")


#: How many months a period of each frequency spans, and its word in the URLs of the report pages.
FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}
PERIOD_URL_WORDS = {"monthly": "thang", "quarterly": "quy", "half_yearly": "6-thang", "yearly": "nam"}


def period_param(frequency: str, start) -> str:
    """The period of ``frequency`` containing ``start`` as the report pages' URLs write it: "quy-2-2024"."""
    number = (start.month - 1) // FREQUENCY_MONTHS[frequency] + 1
    return f"{PERIOD_URL_WORDS[frequency]}-{number}-{start.year}"


class ReportingDutyQuerySet(models.QuerySet):
    def for_user(self, user) -> ReportingDutyQuerySet:
        """Duties of the documents of the user's province (``Document.for_user``)."""
        return self.filter(document__in=Document.objects.for_user(user))


class ReportingDuty(models.Model):
    """A periodic report a document requires ("báo cáo định kỳ hằng tháng, quý, 6 tháng và năm gửi Sở Nội vụ")."""

    document = models.ForeignKey(Document, models.CASCADE, related_name="reporting_duties", verbose_name=_("văn bản"))
    frequency = models.CharField(_("kỳ báo cáo"), max_length=12, choices=ReportFrequency)
    recipient = models.ForeignKey(
        "agencies.Agency", models.PROTECT, related_name="reports_received", verbose_name=_("nơi nhận báo cáo")
    )
    reporters = models.ManyToManyField(
        "agencies.AgencyGroup", related_name="reporting_duties", verbose_name=_("nhóm cơ quan phải báo cáo"), blank=True
    )
    due_day = models.PositiveSmallIntegerField(
        _("hạn gửi (ngày trong tháng cuối kỳ)"),
        default=15,
        help_text=_("Ví dụ 15: báo cáo quý I gửi trước ngày 15/03."),
    )
    text = models.TextField(_("nội dung (như văn bản ghi)"), blank=True)

    objects = ReportingDutyQuerySet.as_manager()

    class Meta:
        ordering = ["document", "frequency"]
        verbose_name = _("chế độ báo cáo định kỳ")
        verbose_name_plural = _("chế độ báo cáo định kỳ")
        constraints = [
            models.UniqueConstraint(fields=["document", "frequency"], name="duty_unique_frequency_per_document")
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} – {self.recipient}"


class PeriodicReportQuerySet(models.QuerySet):
    def for_user(self, user) -> PeriodicReportQuerySet:
        """Reviewers see the reports of their province's duties; agency users their agency's (and predecessors')."""
        if user.is_superuser:
            return self
        if not user.is_authenticated or user.agency_id is None:
            return self.none()
        if user.is_reviewer:
            return self.filter(duty__document__province_id__in=user.province_scope())
        lineage = getattr(user, "_tasks_agency_ids", None)
        if lineage is None:
            lineage = user._tasks_agency_ids = user.agency.lineage_ids()
        return self.filter(agency_id__in=lineage)


class PeriodicReport(models.Model):
    """One agency's report for one period of a reporting duty: drafted by its staff, sent by its leader,
    accepted (then locked) or returned with a reason by the receiving agency (Sở Nội vụ)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Đang soạn, chưa gửi")
        SUBMITTED = "submitted", _("Đã gửi")
        ACCEPTED = "accepted", _("Đã tiếp nhận")
        RETURNED = "returned", _("Trả lại")

    duty = models.ForeignKey(ReportingDuty, models.CASCADE, related_name="reports", verbose_name=_("chế độ báo cáo"))
    agency = models.ForeignKey(
        "agencies.Agency", models.PROTECT, related_name="periodic_reports", verbose_name=_("cơ quan")
    )
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    due_date = models.DateField(_("hạn gửi"))
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "agencies.User",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="periodic_reports",
        verbose_name=_("người gửi"),
    )
    file = models.FileField(_("tệp báo cáo"), upload_to="reports/%Y/", blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    state = models.CharField(_("tình trạng"), max_length=12, choices=State, default=State.SUBMITTED)
    results = models.TextField(_("kết quả đạt được"), blank=True)
    difficulties = models.TextField(_("tồn tại, hạn chế, khó khăn"), blank=True)
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True)
    figures = models.JSONField(
        _("số liệu khi gửi"), default=dict, blank=True, help_text=_("Số liệu nhiệm vụ, chỉ tiêu của kỳ, chốt khi gửi.")
    )
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    reviewed_by = models.ForeignKey(
        "agencies.User",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_periodic_reports",
        verbose_name=_("người xem xét"),
    )
    reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)

    objects = PeriodicReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "agency__name"]
        verbose_name = _("báo cáo định kỳ")
        verbose_name_plural = _("báo cáo định kỳ")
        constraints = [
            models.UniqueConstraint(fields=["duty", "agency", "period_start"], name="report_unique_period_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency} – {self.duty.get_frequency_display()} {self.period_start:%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse(
            "reports:report", args=[self.duty_id, period_param(self.duty.frequency, self.period_start), self.agency_id]
        )

    @property
    def on_time(self) -> bool | None:
        if self.submitted_at is None:
            return None
        return timezone.localdate(self.submitted_at) <= self.due_date

    @property
    def is_sent(self) -> bool:
        return self.state in (self.State.SUBMITTED, self.State.ACCEPTED)

    @property
    def is_locked(self) -> bool:
        """Sent reports wait for the reviewer; accepted ones are final until a reviewer reopens them."""
        return self.is_sent


def report_file_path(attachment: PeriodicReportFile, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"reports/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class PeriodicReportFile(models.Model):
    """A file attached to a periodic report (the signed report, an appendix); served only to those who may read it."""

    report = models.ForeignKey(PeriodicReport, models.CASCADE, related_name="files", verbose_name=_("báo cáo"))
    file = models.FileField(_("tệp"), upload_to=report_file_path, max_length=200)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("loại nội dung"), max_length=100)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("tệp báo cáo định kỳ")
        verbose_name_plural = _("tệp báo cáo định kỳ")

    def __str__(self) -> str:
        return self.original_name


class PeriodicReportStep(models.Model):
    """One step of a periodic report, kept for ever: saved, sent, accepted, returned or reopened (with why)."""

    class Action(models.TextChoices):
        SAVED = "saved", _("Lưu dự thảo")
        SENT = "sent", _("Lãnh đạo gửi báo cáo")
        ACCEPTED = "accepted", _("Tiếp nhận")
        RETURNED = "returned", _("Trả lại")
        REOPENED = "reopened", _("Mở lại báo cáo đã tiếp nhận")

    report = models.ForeignKey(PeriodicReport, models.CASCADE, related_name="steps", verbose_name=_("báo cáo"))
    actor = models.ForeignKey(
        "agencies.User", models.PROTECT, related_name="periodic_report_steps", verbose_name=_("người thực hiện")
    )
    action = models.CharField(_("việc"), max_length=10, choices=Action)
    reason = models.TextField(_("ý kiến"), blank=True)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bước xử lý báo cáo định kỳ")
        verbose_name_plural = _("bước xử lý báo cáo định kỳ")
        constraints = [
            models.CheckConstraint(
                condition=~Q(action__in=["returned", "reopened"]) | ~Q(reason=""), name="report_step_return_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["report", "-created_at"], name="report_step_recent")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} – {self.report}"


class ImportKind(models.TextChoices):
    TASKS = "tasks", _("Bảng nhiệm vụ")
    INDICATORS = "indicators", _("Bảng chỉ tiêu")


class ImportJob(models.Model):
    """An appendix upload on its way in: parsed once, previewed, then confirmed (or abandoned).

    The parsed table is kept as JSON so that confirming does not read the file again.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Đang chờ đọc")
        PARSING = "parsing", _("Đang đọc tệp")
        READY = "ready", _("Đã đọc, chờ xác nhận")
        APPLYING = "applying", _("Đang ghi")
        DONE = "done", _("Đã nhập xong")
        FAILED = "failed", _("Lỗi")
        CANCELLED = "cancelled", _("Đã hủy")

    document = models.ForeignKey(Document, models.CASCADE, related_name="imports", verbose_name=_("văn bản"))
    kind = models.CharField(_("loại bảng"), max_length=12, choices=ImportKind, default=ImportKind.TASKS)
    file = models.FileField(_("tệp"), upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    pasted_text = models.TextField(_("bảng dán vào"), blank=True)
    created_by = models.ForeignKey(
        "agencies.User", models.PROTECT, related_name="imports", verbose_name=_("người nhập")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    state = models.CharField(_("tình trạng"), max_length=12, choices=State, default=State.PENDING)
    progress = models.PositiveIntegerField(_("đã xử lý"), default=0)
    total = models.PositiveIntegerField(_("tổng số hàng"), default=0)
    # The parsed table, kept between the preview and the confirmation: JSON compressed with zlib. A 5,000-row
    # table is 1.5 MB of JSON, 70 KB packed; stored as jsonb it cost 45 ms to write (bench/import_appendix.py).
    table_packed = models.BinaryField(_("bảng đã đọc (nén)"), null=True, blank=True, editable=False)
    error = models.TextField(_("lỗi"), blank=True)
    result = models.JSONField(_("kết quả"), null=True, blank=True, editable=False)
    # Names the preview moved to a successor ("Chuyển sang đơn vị kế thừa"), {"name as written": "agency:12"}:
    # used by this import only, never remembered as an alias (another task may go to another successor).
    mappings = models.JSONField(_("tên đã chuyển sang đơn vị kế thừa"), default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lần nhập bảng")
        verbose_name_plural = _("lần nhập bảng")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.original_name or _('bảng dán')} – {self.document}"

    def get_absolute_url(self) -> str:
        return reverse("plans:import", args=[self.pk])

    # What a finished import wrote, as its result's keys are said to a person (issue 15: no "assignments_created").
    RESULT_LABELS = {
        "created": _("Nhiệm vụ mới"),
        "updated": _("Nhiệm vụ cập nhật"),
        "unchanged": _("Nhiệm vụ không đổi"),
        "removed": _("Nhiệm vụ đã xóa"),
        "kept": _("Nhiệm vụ không còn trong tệp, được giữ lại"),
        "assignments_created": _("Lượt giao việc mới"),
        "sections_created": _("Mục mới"),
        "indicators": _("Chỉ tiêu đã ghi"),
    }

    @property
    def result_lines(self) -> list[tuple[str, object]]:
        """Return the result as (Vietnamese label, number) pairs; a key without a label is never shown raw."""
        return [(self.RESULT_LABELS.get(key, _("Mục khác")), value) for key, value in (self.result or {}).items()]

    @property
    def table(self) -> dict | None:
        return unpack_table(self.table_packed)

    @table.setter
    def table(self, value: dict | None) -> None:
        self.table_packed = pack_table(value)


def pack_table(value: dict | None) -> bytes | None:
    return None if value is None else zlib.compress(json.dumps(value, ensure_ascii=False).encode(), 1)


def unpack_table(packed: bytes | memoryview | None) -> dict | None:
    return None if packed is None else json.loads(zlib.decompress(bytes(packed)))
