"""Reminders the daily sweep decides to send, and the in-portal notifications users read.

A ``Reminder`` is claimed (inserted) before anything is sent: its unique key (recipient, kind, target,
day) is what makes a reminder go out at most once, however many sweeps or workers run. The send job
then takes a short lease on the row, delivers, and records the outcome on it, so a reminder that is
stuck or failed is visible in the admin instead of silently lost.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Nhắc trước hạn")
    OVERDUE = "overdue", _("Thông báo quá hạn")
    ESCALATION = "escalation", _("Báo cáo lãnh đạo: quá hạn kéo dài")
    DIGEST = "digest", _("Tổng hợp hằng tuần")
    REPORT_DUE = "report_due", _("Nhắc gửi báo cáo định kỳ")
    EVENTS_DIGEST = "events", _("Thư tổng hợp thông báo trong ngày")


#: Kinds that are about one assignment (the others are about a report period, or a whole week).
ASSIGNMENT_KINDS = (ReminderKind.DUE_SOON, ReminderKind.OVERDUE, ReminderKind.ESCALATION)


class EventKind(models.TextChoices):
    """A step of the workflow that someone must know about (``cchc_portal.notifications.events``)."""

    AWAITING_LEADER = "awaiting_leader", _("Báo cáo chờ lãnh đạo gửi")
    SUBMITTED = "submitted", _("Báo cáo chờ xem xét")
    RESUBMITTED = "resubmitted", _("Báo cáo gửi lại")
    RETURNED = "returned", _("Báo cáo bị trả lại")
    ANSWERED = "answered", _("Trả lời ý kiến trả lại")
    ACCEPTED = "accepted", _("Báo cáo được chấp nhận")
    REOPENED = "reopened", _("Báo cáo được mở lại")
    EXTENSION_ASKED = "extension_asked", _("Đề nghị gia hạn")
    EXTENSION_DECIDED = "extension_decided", _("Quyết định gia hạn")
    ASSIGNED = "assigned", _("Nhiệm vụ mới được giao")
    COMMENT = "comment", _("Trao đổi về nhiệm vụ")
    PERIODIC = "periodic", _("Báo cáo định kỳ")
    MEASUREMENT = "measurement", _("Số liệu chỉ tiêu")


class EmailMode(models.TextChoices):
    """How a person wants to receive notifications by e-mail (they always appear in the portal)."""

    EACH = "each", _("Gửi e-mail ngay khi có từng việc")
    DAILY = "daily", _("Gửi một e-mail tổng hợp mỗi ngày")
    NONE = "none", _("Không gửi e-mail, chỉ xem trên Cổng")


class EmailState(models.TextChoices):
    """Where the e-mail of one notification stands (record-before-send, as reminders)."""

    NONE = "none", _("Không gửi e-mail")
    PENDING = "pending", _("Đang chờ gửi")
    DAILY = "daily", _("Chờ thư tổng hợp trong ngày")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")


class ReminderState(models.TextChoices):
    PENDING = "pending", _("Đang chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")
    CANCELLED = "cancelled", _("Đã hủy (không còn cần gửi)")


class ReminderQuerySet(models.QuerySet):
    def for_user(self, user) -> ReminderQuerySet:
        """Superusers see every reminder; everyone else only those addressed to them."""
        if user.is_superuser:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def stuck(self, now: datetime.datetime | None = None) -> ReminderQuerySet:
        """Pending rows nobody has tried for REMINDER_STUCK_MINUTES and nobody holds (one partial-index scan)."""
        now = now or timezone.now()
        cutoff = now - datetime.timedelta(minutes=settings.REMINDER_STUCK_MINUTES)
        return self.filter(state=ReminderState.PENDING, next_attempt_at__lt=cutoff).filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now)
        )


class Reminder(models.Model):
    """One reminder to one person: claimed by the sweep before it is sent, then marked sent or failed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="reminders", verbose_name=_("người nhận")
    )
    # CASCADE on purpose: a reminder is the log of its target; it must never block deleting a task or a user.
    agency = models.ForeignKey(
        "agencies.Agency",
        models.CASCADE,
        related_name="reminders",
        verbose_name=_("cơ quan"),
        help_text=_("Cơ quan mà người nhận thay mặt (cơ quan kế thừa nếu cơ quan được giao đã hợp nhất)."),
    )
    kind = models.CharField(_("loại"), max_length=12, choices=ReminderKind)
    day = models.DateField(_("ngày nhắc"))
    assignment = models.ForeignKey(
        "tasks.Assignment", models.CASCADE, null=True, blank=True, related_name="reminders", verbose_name=_("phân công")
    )
    duty = models.ForeignKey(
        "plans.ReportingDuty",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("chế độ báo cáo"),
    )
    period_start = models.DateField(_("kỳ báo cáo từ"), null=True, blank=True)
    period_end = models.DateField(_("kỳ báo cáo đến"), null=True, blank=True)
    due_date = models.DateField(_("hạn"), null=True, blank=True)
    state = models.CharField(_("tình trạng"), max_length=12, choices=ReminderState, default=ReminderState.PENDING)
    run_id = models.UUIDField(_("lượt quét"), editable=False, help_text=_("Lượt quét đã nhận gửi nhắc nhở này."))
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    email = models.CharField(_("địa chỉ e-mail"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    next_attempt_at = models.DateTimeField(
        _("lần gửi tiếp theo"), default=timezone.now, help_text=_("Khi công việc gửi được dự kiến chạy.")
    )
    locked_until = models.DateTimeField(_("đang gửi đến"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("nhắc nhở")
        verbose_name_plural = _("nhắc nhở")
        constraints = [
            # One key per target type: NULLs are distinct in a unique index, so one constraint over all
            # columns would not stop a second digest or report reminder.
            models.UniqueConstraint(
                fields=["recipient", "kind", "assignment", "day"],
                condition=Q(assignment__isnull=False),
                name="reminder_once_per_assignment_day",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "duty", "period_start", "day"],
                condition=Q(duty__isnull=False),
                name="reminder_once_per_report_period_day",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "day"],
                condition=Q(assignment__isnull=True, duty__isnull=True),
                name="reminder_once_per_digest_day",
            ),
            models.CheckConstraint(
                condition=Q(assignment__isnull=True) | Q(duty__isnull=True), name="reminder_one_target"
            ),
            models.CheckConstraint(
                condition=Q(duty__isnull=True) | Q(period_start__isnull=False), name="reminder_report_has_period"
            ),
        ]
        indexes = [
            models.Index(fields=["run_id"], name="reminder_run"),  # the sweep selects the rows it claimed
            models.Index(  # serves ReminderQuerySet.stuck() and the admin's "stuck" filter
                fields=["next_attempt_at"], condition=Q(state="pending"), name="reminder_pending_due"
            ),
            models.Index(fields=["state", "-day"], name="reminder_state_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.recipient} – {self.day:%d/%m/%Y}"

    @property
    def days_to_due(self) -> int | None:
        """Days from the reminder's day to the due date: positive before, negative once overdue."""
        return (self.due_date - self.day).days if self.due_date else None


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> NotificationQuerySet:
        """Everyone, superusers included, sees only their own notifications."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message in a user's notification list (/notifications/), with a link to what it is about.

    Reminders write one per reminder; workflow steps (a report returned, a comment…) write one per person and
    ``event`` ("review:12"): the unique (recipient, event) makes a step notify each person once, however often
    the job that writes it runs. The row is written before its e-mail is sent and records how that went.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", verbose_name=_("người nhận")
    )
    reminder = models.OneToOneField(
        Reminder, models.CASCADE, null=True, blank=True, related_name="notification", verbose_name=_("nhắc nhở")
    )
    kind = models.CharField(_("loại"), max_length=20, choices=[*ReminderKind.choices, *EventKind.choices])
    event = models.CharField(_("sự việc"), max_length=80, blank=True, editable=False)
    title = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    read_at = models.DateTimeField(_("đọc lúc"), null=True, blank=True)
    email_state = models.CharField(_("e-mail"), max_length=10, choices=EmailState, default=EmailState.NONE)
    email_attempts = models.PositiveSmallIntegerField(_("số lần gửi e-mail"), default=0)
    email_error = models.TextField(_("lỗi gửi e-mail"), blank=True)
    email_locked_until = models.DateTimeField(_("đang gửi e-mail đến"), null=True, blank=True, editable=False)
    emailed_at = models.DateTimeField(_("gửi e-mail lúc"), null=True, blank=True)
    digest = models.ForeignKey(
        Reminder,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="digested",
        verbose_name=_("thư tổng hợp"),
        help_text=_("Thư tổng hợp trong ngày đã mang thông báo này."),
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event"], condition=~Q(event=""), name="notification_once_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_recent"),
            models.Index(  # the unread count in the top bar, on every page
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(  # e-mails still to send: each-event ones, and the day's digests
                fields=["email_state", "created_at"],
                condition=Q(email_state__in=["pending", "daily"]),
                name="notification_email_due",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationSettings(models.Model):
    """A person's choice of e-mails; without a row, each event is e-mailed (the default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
        verbose_name=_("người dùng"),
    )
    email_mode = models.CharField(_("nhận e-mail"), max_length=8, choices=EmailMode, default=EmailMode.EACH)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["user"]
        verbose_name = _("cài đặt thông báo")
        verbose_name_plural = _("cài đặt thông báo")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_email_mode_display()}"


def email_modes(user_ids) -> dict[int, str]:
    """Return each user's e-mail mode (``EmailMode.EACH`` when they never chose); one query."""
    chosen = dict(NotificationSettings.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "email_mode"))
    return {pk: chosen.get(pk, EmailMode.EACH) for pk in user_ids}


class ExportJob(models.Model):
    """A spreadsheet being written: a list as its user filtered it (the task list, an admin change list).

    Larger than a page's worth, it is written by the Celery worker, row by row to a file on disk (openpyxl's
    write-only mode: bounded memory however many rows), with its progress on the row; the page of the job shows the
    bar, then the link to the file. Only its creator may see or download it.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang ghi tệp")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Lỗi")

    source = models.CharField(_("danh sách"), max_length=60)
    params = models.JSONField(_("bộ lọc"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="export_jobs", verbose_name=_("người xuất")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    state = models.CharField(_("tình trạng"), max_length=12, choices=State, default=State.PENDING)
    progress = models.PositiveIntegerField(_("đã ghi"), default=0)
    total = models.PositiveIntegerField(_("tổng số hàng"), default=0)
    file = models.FileField(_("tệp"), upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(_("tên tệp"), max_length=200, blank=True)
    error = models.TextField(_("lỗi"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lần xuất tệp")
        verbose_name_plural = _("lần xuất tệp")

    def __str__(self) -> str:
        return f"{self.filename or self.source} – {self.get_state_display()}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("exports:job", args=[self.pk])


def _report_template_path(instance, filename: str) -> str:
    """Where a province's report template is kept: its own folder, a name the portal chooses (never the upload's)."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return f"report_templates/{instance.province.code}/mau-bao-cao-{stamp}.docx"


class ProvinceReportSettingsQuerySet(models.QuerySet):
    def for_user(self, user) -> ProvinceReportSettingsQuerySet:
        """Superusers: every province; anyone else: the provinces whose data they see (their own, and those merged
        into it)."""
        from agencies.admin_scope import visible_provinces

        if user.is_superuser:
            return self
        return self.filter(province__in=visible_provinces(user).values("pk"))


class ProvinceReportSettings(models.Model):
    """What a province's periodic Word report says that the portal cannot know: who signs it, where it goes, and
    its layout when the province replaces the default template (``cchc_portal.dashboards.wordreport``)."""

    province = models.OneToOneField(
        "agencies.Province", models.PROTECT, related_name="report_settings", verbose_name=_("tỉnh")
    )
    signer_authority = models.CharField(
        _("thẩm quyền ký"),
        max_length=80,
        blank=True,
        help_text=_("Ví dụ “KT. GIÁM ĐỐC” khi cấp phó ký thay; để trống khi người đứng đầu ký."),
    )
    signer_title = models.CharField(
        _("chức vụ người ký"), max_length=100, help_text=_("Ví dụ “GIÁM ĐỐC”, “PHÓ GIÁM ĐỐC”.")
    )
    signer_name = models.CharField(_("họ và tên người ký"), max_length=100)
    recipients = models.TextField(
        _("nơi nhận"),
        blank=True,
        max_length=2000,
        help_text=_("Mỗi dòng một nơi nhận, ví dụ “- Bộ Nội vụ (b/c);”. Để trống: danh sách mặc định."),
    )
    template = models.FileField(_("mẫu báo cáo (.docx)"), upload_to=_report_template_path, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = ProvinceReportSettingsQuerySet.as_manager()

    class Meta:
        ordering = ["province__name"]
        verbose_name = _("cài đặt báo cáo của tỉnh")
        verbose_name_plural = _("cài đặt báo cáo của tỉnh")

    def __str__(self) -> str:
        return str(self.province)

    @property
    def recipient_lines(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]

    def template_bytes(self) -> bytes | None:
        """The province's own template, or None (the default one applies)."""
        if not self.template:
            return None
        with self.template.open("rb") as handle:
            return handle.read()


class FiguresVersion(models.Model):
    """How far a province's task figures have moved: the dashboard keeps the figures it computed under the versions
    of the provinces they read (``cchc_portal.dashboards.figures``), and a changed version means computing again.

    Written only by PostgreSQL triggers (migration ``0006_figures_version``) on the tables the figures read: every
    statement that inserts, changes or deletes a province's documents, sections, tasks or shares moves that
    province's version, whatever wrote it (a form, the admin, a bulk import, a management command, plain SQL);
    a change to any agency or province moves the directory's (``DIRECTORY``). Values come from one sequence, so a
    version is never given twice, even after a rollback. On SQLite there are no triggers and nothing is kept.
    """

    DIRECTORY = 0  # the row of the agencies' and provinces' names, which every province's figures show

    province_id = models.BigIntegerField(_("mã tỉnh"), primary_key=True)  # no foreign key: rows outlive provinces
    value = models.BigIntegerField(_("phiên bản"))

    class Meta:
        ordering = ["province_id"]
        verbose_name = _("phiên bản số liệu của tỉnh")
        verbose_name_plural = _("phiên bản số liệu của tỉnh")

    def __str__(self) -> str:
        return f"{self.province_id}: {self.value}"
