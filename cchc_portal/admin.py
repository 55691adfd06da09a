"""Admin of the reminders (failed and stuck ones first, with a resend action), of the notifications, and of each
province's report settings (who signs the periodic Word report, and its template)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import CrontabScheduleAdmin as BeatCrontabScheduleAdmin
from django_celery_beat.admin import PeriodicTaskAdmin as BeatPeriodicTaskAdmin
from django_celery_beat.admin import PeriodicTaskForm as BeatPeriodicTaskForm
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask, SolarSchedule

from agencies.admin_scope import ProvinceScopedAdmin, permission_label
from cchc_portal.dashboards import exports, wordreport
from cchc_portal.models import (
    EmailState,
    Notification,
    NotificationSettings,
    ProvinceReportSettings,
    Reminder,
    ReminderState,
)
from core.uploads import check_upload


class AttentionFilter(admin.SimpleListFilter):
    """Reminders an admin must look at: failed for good, or pending far longer than a send takes."""

    title = _("cần xử lý")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("failed", _("Gửi lỗi")),
            ("stuck", _("Kẹt: chờ gửi quá %(minutes)s phút") % {"minutes": settings.REMINDER_STUCK_MINUTES}),
        ]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(state=ReminderState.FAILED)
        if self.value() == "stuck":
            return queryset.stuck()
        return queryset


@admin.register(Reminder)
class ReminderAdmin(ProvinceScopedAdmin):
    list_display = [
        "day",
        "kind",
        "recipient",
        "email",
        "agency",
        "target",
        "state",
        "attempts",
        "sent_at",
        "error_short",
    ]
    list_filter = [AttentionFilter, "state", "kind", ("day", admin.DateFieldListFilter)]
    list_select_related = ["recipient", "agency", "assignment__task__section__parent", "duty"]
    search_fields = ["recipient__username", "recipient__email", "email"]
    actions = ["resend"]
    readonly_fields = [
        "recipient",
        "agency",
        "kind",
        "day",
        "assignment",
        "duty",
        "period_start",
        "period_end",
        "due_date",
        "state",
        "run_id",
        "attempts",
        "last_error",
        "email",
        "created_at",
        "next_attempt_at",
        "locked_until",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False  # reminders are written by the sweep only

    @admin.display(description=_("về việc"))
    def target(self, reminder):
        if reminder.assignment_id:
            return reminder.assignment.task.full_number
        if reminder.duty_id:
            return f"{reminder.duty.get_frequency_display()} {reminder.period_start:%d/%m/%Y}"
        return "—"

    @admin.display(description=_("lỗi gần nhất"))
    def error_short(self, reminder):
        return reminder.last_error[:80]

    @admin.action(description=_("Gửi lại các nhắc nhở đã chọn (lỗi hoặc bị kẹt)"), permissions=["change"])
    def resend(self, request, queryset):
        """Put failed or stuck reminders back to pending with a fresh attempt budget, and queue them."""
        from cchc_portal.jobs import send_reminder

        now = timezone.now()
        stuck = queryset.stuck(now).values("pk")
        chosen = queryset.filter(Q(state=ReminderState.FAILED) | Q(pk__in=stuck))
        ids = list(chosen.values_list("pk", flat=True))
        with transaction.atomic():
            Reminder.objects.filter(pk__in=ids).update(
                state=ReminderState.PENDING, attempts=0, locked_until=None, next_attempt_at=now
            )
            for pk in ids:
                send_reminder.delay_on_commit(pk)
        skipped = queryset.count() - len(ids)
        self.message_user(request, _("Đã xếp hàng gửi lại %(count)s nhắc nhở.") % {"count": len(ids)}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                _("Bỏ qua %(count)s nhắc nhở đã gửi, đã hủy hoặc đang chờ gửi bình thường.") % {"count": skipped},
                messages.WARNING,
            )


@admin.register(Notification)
class NotificationAdmin(ProvinceScopedAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at", "email_state", "email_attempts"]
    list_filter = ["email_state", "kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "title"]
    readonly_fields = [
        "recipient",
        "reminder",
        "kind",
        "event",
        "title",
        "body",
        "url",
        "created_at",
        "read_at",
        "email_state",
        "email_attempts",
        "email_error",
        "emailed_at",
        "digest",
    ]
    actions = ["resend_email"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Gửi lại e-mail của các thông báo đã chọn (gửi lỗi)"), permissions=["change"])
    def resend_email(self, request, queryset):
        """Put failed e-mails back to pending with a fresh attempt budget, and queue them."""
        from cchc_portal.jobs import send_notification_email

        ids = list(queryset.filter(email_state=EmailState.FAILED).values_list("pk", flat=True))
        with transaction.atomic():
            Notification.objects.filter(pk__in=ids).update(
                email_state=EmailState.PENDING, email_attempts=0, email_locked_until=None
            )
            for pk in ids:
                send_notification_email.delay_on_commit(pk)
        self.message_user(request, _("Đã xếp hàng gửi lại %(count)s e-mail.") % {"count": len(ids)}, messages.SUCCESS)


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(ProvinceScopedAdmin):
    list_display = ["user", "email_mode", "updated_at"]
    list_filter = ["email_mode"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]


class ProvinceReportSettingsForm(forms.ModelForm):
    """The signer, the recipients and the Word template of a province's periodic report. An uploaded template must
    be a .docx that renders with the report's placeholders (``wordreport.check_template``)."""

    use_default = forms.BooleanField(
        label=_("Dùng lại mẫu mặc định"),
        required=False,
        help_text=_("Chọn để bỏ mẫu của tỉnh và dùng lại mẫu mặc định của hệ thống."),
    )

    class Meta:
        model = ProvinceReportSettings
        fields = ["province", "signer_authority", "signer_title", "signer_name", "recipients", "template"]
        widgets = {"template": forms.FileInput(attrs={"accept": ".docx"})}

    def clean_template(self):
        upload = self.cleaned_data.get("template")
        if not isinstance(upload, UploadedFile):  # unchanged
            return upload
        if not (upload.name or "").lower().endswith(".docx"):
            raise forms.ValidationError(_("Mẫu báo cáo phải là tài liệu Word (.docx)."))
        check_upload(upload)  # size, content, macros, zip bomb
        upload.seek(0)
        content = upload.read()
        upload.seek(0)
        province = self.cleaned_data.get("province") or getattr(self.instance, "province", None)
        wordreport.check_template(content, exports.sample_contexts(province))
        return upload

    def clean(self):
        data = super().clean()
        if data.get("use_default") and isinstance(data.get("template"), UploadedFile):
            raise forms.ValidationError(_("Hãy tải lên mẫu mới hoặc chọn dùng lại mẫu mặc định, không chọn cả hai."))
        return data


@admin.register(ProvinceReportSettings)
class ProvinceReportSettingsAdmin(ProvinceScopedAdmin):
    """One row per province: a province administrator sets who signs its periodic report, where it goes, and may
    replace the Word template (download the default, edit it in Word, upload it) or return to the default."""

    form = ProvinceReportSettingsForm
    list_display = ["province", "signer_title", "signer_name", "own_template", "updated_at"]
    list_select_related = ["province"]
    search_fields = ["province__name", "signer_name"]
    fields = [
        "province",
        "signer_authority",
        "signer_title",
        "signer_name",
        "recipients",
        "template_links",
        "template",
        "use_default",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "template_links"]
        return [*fields, "province"] if obj is not None else fields

    @admin.display(description=_("mẫu riêng của tỉnh"), boolean=True)
    def own_template(self, obj) -> bool:
        return bool(obj.template)

    @admin.display(description=_("mẫu đang dùng"))
    def template_links(self, obj):
        default = format_html(
            '<a href="{}">{}</a>',
            reverse("admin:cchc_portal_provincereportsettings_default"),
            _("Tải mẫu mặc định (.docx)"),
        )
        if obj is None or not obj.pk or not obj.template:
            return format_html("{} — {}", _("Mẫu mặc định"), default)
        own = format_html(
            '<a href="{}">{}</a>',
            reverse("admin:cchc_portal_provincereportsettings_template", args=[obj.pk]),
            _("Tải mẫu của tỉnh (.docx)"),
        )
        return format_html("{} — {} · {}", _("Mẫu riêng của tỉnh"), own, default)

    def save_model(self, request, obj, form, change):
        old = ProvinceReportSettings.objects.get(pk=obj.pk).template.name if change else ""
        if form.cleaned_data.get("use_default"):
            obj.template = ""
        super().save_model(request, obj, form, change)
        if old and old != obj.template.name:  # replaced or dropped: the old file is not kept
            obj.template.storage.delete(old)

    def get_urls(self):
        own = [
            path(
                "mau-mac-dinh/",
                self.admin_site.admin_view(self.default_template),
                name="cchc_portal_provincereportsettings_default",
            ),
            path(
                "<path:object_id>/mau/",
                self.admin_site.admin_view(self.province_template),
                name="cchc_portal_provincereportsettings_template",
            ),
        ]
        return own + super().get_urls()

    def default_template(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return FileResponse(
            open(wordreport.DEFAULT_TEMPLATE, "rb"),  # FileResponse closes it
            as_attachment=True,
            filename="mau-bao-cao-dinh-ky.docx",
        )

    def province_template(self, request, object_id):
        obj = self.get_object(request, object_id)  # within the user's provinces only
        if obj is None or not obj.template or not self.has_view_permission(request, obj):
            raise Http404
        return FileResponse(
            obj.template.open("rb"), as_attachment=True, filename=f"mau-bao-cao-{obj.province.code}.docx"
        )


# django-celery-beat's crontab admin shows the schedule in words from the values as posted; a value the library
# cannot describe ("-1" as a month) made the page fail with a 500 instead of showing the field's error, and so did
# a long posted time zone.
admin.site.unregister(CrontabSchedule)


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(BeatCrontabScheduleAdmin):
    fields = ("described", "minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone")
    readonly_fields = ("described",)
    list_display = ("__str__", "described")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "timezone" and field is not None:
            # Its hidden "initial" copy was read as a zone file name: 300 characters failed with OSError (a 500).
            field.show_hidden_initial = False
        return field

    @admin.display(description=_("diễn giải"))
    def described(self, schedule):
        try:
            return describe_crontab(schedule)
        except Exception:  # noqa: BLE001 - any value the describing library refuses: the form says what is wrong
            return _("(lịch chưa hợp lệ)")


# --------------------------------------------------------------------------------------------------
# Vietnamese pages for the libraries' admin (issue 15, point 8): periodic tasks named by what they do, schedules
# described in Vietnamese, permissions named in words, groups' permissions likewise.
# --------------------------------------------------------------------------------------------------

JOB_NAMES = {
    "cchc_portal.jobs.daily_sweep": _("Quét nhắc hạn hằng ngày"),
    "cchc_portal.jobs.fan_out": _("Gửi các nhắc hạn của một lượt quét"),
    "cchc_portal.jobs.send_reminder": _("Gửi một nhắc hạn"),
    "cchc_portal.jobs.requeue_stuck": _("Gửi lại nhắc hạn bị kẹt"),
    "cchc_portal.jobs.notify_event": _("Báo tin một bước xử lý"),
    "cchc_portal.jobs.send_notification_email": _("Gửi thư điện tử của một thông báo"),
    "cchc_portal.documents.jobs.parse_import": _("Đọc bảng nhập văn bản"),
    "cchc_portal.documents.jobs.apply_import": _("Ghi dữ liệu nhập văn bản"),
}


def describe_crontab(schedule) -> str:
    """A crontab in Vietnamese words ("Tại 07:00"), by cron-descriptor's Vietnamese catalogue, with its time zone."""
    from cron_descriptor import Options, get_description

    options = Options()
    options.locale_code = "vi_VN"
    options.use_24hour_time_format = True
    expression = " ".join(
        [schedule.minute, schedule.hour, schedule.day_of_month, schedule.month_of_year, schedule.day_of_week]
    )
    return f"{get_description(expression, options)} ({schedule.timezone})"


class VietnamesePeriodicTaskForm(BeatPeriodicTaskForm):
    regtask = forms.ChoiceField(label=_("Công việc"), required=False, choices=[("", "---------"), *JOB_NAMES.items()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].label = _("Công việc (tên đăng ký)")
        self.fields["task"].help_text = _("Để trống khi đã chọn công việc ở trên.")
        if self.instance.task in JOB_NAMES:
            self.initial.setdefault("regtask", self.instance.task)

    def clean(self):
        if not self.cleaned_data.get("regtask") and "task" not in self.cleaned_data:
            return self.cleaned_data  # the task field's own error says what is wrong (the library's clean fails)
        return super().clean()


class PeriodicTaskInline(admin.TabularInline):
    """The periodic tasks of a schedule, by name and by what they do (the library's shows their code names)."""

    model = PeriodicTask
    fields = ("name", "job")
    readonly_fields = fields
    can_delete = False
    extra = 0
    show_change_link = True
    verbose_name = verbose_name_plural = _("Công việc định kỳ theo lịch này")

    def has_add_permission(self, request, obj):
        return False

    @admin.display(description=_("công việc"))
    def job(self, task):
        return JOB_NAMES.get(task.task, _("(công việc khác)"))


CrontabScheduleAdmin.inlines = [PeriodicTaskInline]
for _schedule in (ClockedSchedule, IntervalSchedule, SolarSchedule):
    _library_admin = type(admin.site._registry[_schedule])
    admin.site.unregister(_schedule)
    admin.site.register(_schedule, type(_library_admin.__name__, (_library_admin,), {"inlines": [PeriodicTaskInline]}))

admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(BeatPeriodicTaskAdmin):
    form = VietnamesePeriodicTaskForm
    list_display = ("name", "job", "enabled", "scheduler", "start_time", "last_run_at", "one_off")
    list_filter = ["enabled", "one_off", "start_time", "last_run_at"]

    @admin.display(description=_("công việc"))
    def job(self, task):
        return JOB_NAMES.get(task.task, _("(công việc khác)"))

    @admin.display(description=_("lịch chạy"))
    def scheduler(self, task):
        return describe_crontab(task.crontab) if task.crontab_id else str(task.scheduler)

    @admin.display(description=_("diễn giải lịch"))
    def crontab_translation(self, task):
        return describe_crontab(task.crontab) if task.crontab_id else ""


admin.site.unregister(Group)


@admin.register(Group)
class PortalGroupAdmin(GroupAdmin):
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "permissions":
            field.label_from_instance = permission_label
        return field


# --- exports of the big change lists, in the worker (issue 16) ---------------------------------------------


@admin.action(description=_("Xuất Excel (.xlsx) các dòng đã chọn, ghi nền có tiến độ"))
def export_in_background(modeladmin, request, queryset):
    """Write the change list as filtered (scope, sidebar filters, search), or the ticked rows, to .xlsx: in the
    worker when it is more than a page's worth. django-import-export's export built the 290,000 assignments of the
    country inside the request (108 s and 1.7 GB, past the server's 60 s)."""
    from django.shortcuts import redirect

    from cchc_portal import exporting

    params = request.GET.copy()
    if request.POST.get("select_across") != "1":  # only the rows ticked on this page
        params.setlist("id__in", [",".join(str(pk) for pk in queryset.values_list("pk", flat=True))])
    job = exporting.start(request.user, f"admin:{modeladmin.model._meta.label}", params)
    return redirect(job)


WORKER_EXPORT_ROWS = 5_000  # an admin export above this many rows is written by the worker


def _worker_export(model_admin):
    """django-import-export's export, for the lists it can build in a request: more than WORKER_EXPORT_ROWS rows
    (a superuser's 290,000 assignments: 108 s and 1.7 GB, past the server's 60 s) go to the worker instead, as the
    readable .xlsx of ``cchc_portal.exporting`` with the same filters, and the user is sent to its progress."""
    library_export = model_admin.export_action

    def export_action(request):
        if request.method == "POST":
            queryset = model_admin.get_export_queryset(request)
            if queryset.order_by()[: WORKER_EXPORT_ROWS + 1].count() > WORKER_EXPORT_ROWS:
                from django.shortcuts import redirect

                from cchc_portal import exporting

                job = exporting.start(request.user, f"admin:{model_admin.model._meta.label}", request.GET.copy())
                messages.info(
                    request,
                    _("Danh sách lớn: tệp Excel được ghi nền; trang này cho biết tiến độ và đường dẫn tải tệp."),
                )
                return redirect(job)
        return library_export(request)

    return export_action


def _add_export_action() -> None:
    import tasks.admin  # noqa: F401 - registers the task admins first
    from tasks.models import Assignment, Task

    for model in (Assignment, Task):
        model_admin = admin.site._registry[model]
        model_admin.actions = [*(model_admin.actions or []), export_in_background]
        model_admin.export_action = _worker_export(model_admin)  # read when the admin's URLs are built


_add_export_action()
