"""Forms of the task pages: report progress, submit, review, ask for and decide on a new deadline.

Dates are typed dd/mm/yyyy (text inputs: a browser's date picker follows the computer's language, which
would show mm/dd/yyyy on many machines). Every form that changes an assignment carries the ``version`` it
was rendered with (see ``tasks.services``).
"""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.dates import validate_sane_date
from core.uploads import ACCEPT_ATTR, CheckedFile, check_upload, human_size
from tasks.models import Assignment, ReviewDecision, ReviewState, WorkState
from tasks.services import Report

DATE_INPUTS = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
MAX_FILES = 10


def date_widget() -> forms.DateInput:
    return forms.DateInput(
        format="%d/%m/%Y",
        attrs={
            "placeholder": gettext_lazy("ngày/tháng/năm, ví dụ 25/12/2024"),
            "inputmode": "numeric",
            "autocomplete": "off",
        },
    )


def date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUTS,
        widget=date_widget(),
        validators=[validate_sane_date],
        error_messages={
            "invalid": gettext_lazy("Hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 25/12/2024."),
            "required": gettext_lazy("Hãy nhập ngày (ngày/tháng/năm)."),
        },
        **kwargs,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several files at once; each is checked by ``core.uploads.check_upload``; cleans to a list of CheckedFile."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTR}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[CheckedFile]:
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(uploads) > MAX_FILES:
            raise ValidationError(_("Mỗi lần chỉ gửi được tối đa %(n)s tệp.") % {"n": MAX_FILES})
        checked, errors = [], []
        for upload in uploads:
            try:
                checked.append(check_upload(upload))
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return checked


class PortalForm(forms.Form):
    """Labels without Django's trailing colon: the layout puts each label above its field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class VersionedForm(PortalForm):
    """A form that changes an assignment: it remembers the version it was rendered with."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ProgressForm(VersionedForm):
    """An agency's report on its share of a task: status, progress, what was done, evidence."""

    state = forms.ChoiceField(label=gettext_lazy("Tình trạng"), choices=WorkState.choices, widget=forms.RadioSelect)
    progress = forms.IntegerField(
        label=gettext_lazy("Tiến độ (%)"),
        min_value=0,
        max_value=100,
        help_text=gettext_lazy("Từ 0 đến 100. Khi chọn “Đã hoàn thành”, tiến độ được tính là 100%."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
        error_messages={
            "invalid": gettext_lazy("Hãy nhập tiến độ là một số từ 0 đến 100."),
            "min_value": gettext_lazy("Hãy nhập tiến độ là một số từ 0 đến 100."),
            "max_value": gettext_lazy("Hãy nhập tiến độ là một số từ 0 đến 100."),
            "required": gettext_lazy("Hãy nhập tiến độ (từ 0 đến 100)."),
        },
    )
    completed_on = date_field(
        gettext_lazy("Ngày hoàn thành"),
        required=False,
        help_text=gettext_lazy("Chỉ dùng khi đã hoàn thành; để trống là hôm nay. Không được sau hôm nay."),
    )
    note = forms.CharField(
        label=gettext_lazy("Kết quả thực hiện"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Ghi ngắn gọn việc đã làm, sản phẩm đã có, khó khăn (nếu có)."),
    )
    files = EvidenceFilesField(label=gettext_lazy("Tệp kiểm chứng"), required=False)
    evidence_link = forms.URLField(
        label=gettext_lazy("Đường dẫn kiểm chứng"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("Ví dụ địa chỉ bài viết đã đăng trên Cổng thông tin điện tử."),
    )
    evidence_number = forms.CharField(
        label=gettext_lazy("Số văn bản kiểm chứng"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Ví dụ: 123/KH-STP")}),
    )
    evidence_date = date_field(gettext_lazy("Ngày ban hành văn bản kiểm chứng"), required=False)

    def __init__(self, *args, assignment: Assignment, occurrences: list | None = None, **kwargs):
        self.assignment = assignment
        kwargs.setdefault("prefix", f"a{assignment.pk}")
        kwargs.setdefault("initial", self.initial_for(assignment))
        super().__init__(*args, **kwargs)
        if assignment.is_recurring:
            self._add_occurrence_field(occurrences)
        limit = human_size(settings.UPLOAD_MAX_BYTES)
        self.fields["files"].help_text = _(
            "Có thể chọn nhiều tệp một lần: PDF, Word (.doc, .docx), Excel (.xls, .xlsx), ảnh JPG, PNG; mỗi tệp tối đa %(limit)s."
        ) % {"limit": limit}
        if assignment.task.evidence_required:
            self.fields["files"].help_text = (
                _("Nhiệm vụ này bắt buộc có tài liệu kiểm chứng khi báo cáo hoàn thành.")
                + " "
                + self.fields["files"].help_text
            )
        if assignment.review_state == ReviewState.RETURNED:
            self.fields["note"].label = _("Trả lời ý kiến trả lại và kết quả bổ sung")
            self.fields["note"].required = True
            self.fields["note"].error_messages["required"] = _(
                "Hãy trả lời ý kiến trả lại: ghi rõ những gì đã bổ sung, sửa đổi."
            )

    def _add_occurrence_field(self, occurrences: list | None) -> None:
        """A recurring task is reported once per period: the agency says which period the report is about."""
        if occurrences is None:
            occurrences = list(self.assignment.occurrences.order_by("period_start"))
        open_ones = [o for o in occurrences if o.state != WorkState.DONE] or occurrences
        self.fields["occurrence"] = forms.TypedChoiceField(
            label=_("Kỳ báo cáo"),
            coerce=int,
            choices=[
                (
                    o.pk,
                    _("Kỳ %(start)s – %(end)s (hạn %(due)s)")
                    % {
                        "start": date_format(o.period_start, "d/m/Y"),
                        "end": date_format(o.period_end, "d/m/Y"),
                        "due": date_format(o.due_date, "d/m/Y"),
                    },
                )
                for o in open_ones
            ],
            help_text=_("Nhiệm vụ định kỳ: mỗi kỳ báo cáo một lần; “Đã hoàn thành” là hoàn thành kỳ đã chọn."),
            error_messages={"invalid_choice": _("Hãy chọn một kỳ báo cáo trong danh sách.")},
        )
        if open_ones:
            self.initial.setdefault("occurrence", open_ones[0].pk)
        self.order_fields(["version", "occurrence"])

    @staticmethod
    def initial_for(assignment: Assignment) -> dict:
        return {
            "version": assignment.version,
            "state": assignment.state,
            "progress": assignment.progress,
            "completed_on": assignment.completed_on or timezone.localdate(),
        }

    def clean_completed_on(self) -> datetime.date | None:
        day = self.cleaned_data.get("completed_on")
        today = timezone.localdate()
        if day and day > today:
            raise ValidationError(
                _("Ngày hoàn thành không được sau hôm nay (%(today)s).") % {"today": date_format(today, "d/m/Y")}
            )
        return day

    def clean_evidence_date(self) -> datetime.date | None:
        day = self.cleaned_data.get("evidence_date")
        if day and day > timezone.localdate():
            raise ValidationError(_("Ngày của văn bản kiểm chứng không được sau hôm nay."))
        return day

    def clean(self) -> dict:
        data = super().clean()
        state, progress = data.get("state"), data.get("progress")
        has_evidence = bool(data.get("files") or data.get("evidence_link") or data.get("evidence_number"))
        if data.get("evidence_number") and not data.get("evidence_date") and "evidence_date" not in self.errors:
            self.add_error(
                "evidence_date",
                _("Hãy ghi ngày ban hành của văn bản số %(number)s.") % {"number": data["evidence_number"]},
            )
        if data.get("evidence_date") and not data.get("evidence_number"):
            self.add_error("evidence_number", _("Hãy ghi số của văn bản kiểm chứng."))
        if state == WorkState.DONE and self.assignment.task.evidence_required and not has_evidence:
            self.add_error(
                "files",
                _(
                    "Nhiệm vụ này bắt buộc có tài liệu kiểm chứng: hãy đính kèm tệp, ghi đường dẫn hoặc số văn bản trước khi báo cáo hoàn thành."
                ),
            )
        if state == WorkState.NOT_STARTED and progress:
            self.add_error("state", _("Đã có tiến độ thì hãy chọn “Đang thực hiện”."))
        if state == WorkState.DONE:
            same = (data.get("completed_on") or timezone.localdate()) == self.assignment.completed_on
        else:
            same = progress == self.assignment.progress
        unchanged = state == self.assignment.state and same and "occurrence" not in self.fields
        if unchanged and not data.get("note") and not has_evidence and not self.errors:
            raise ValidationError(
                _("Báo cáo chưa có gì mới: hãy thay đổi tình trạng, tiến độ hoặc ghi kết quả thực hiện.")
            )
        return data

    def report(self) -> Report:
        data = self.cleaned_data
        return Report(
            state=data["state"],
            progress=data["progress"],
            note=data["note"].strip(),
            completed_on=data["completed_on"],
            evidence_number=data["evidence_number"].strip(),
            evidence_date=data["evidence_date"],
            evidence_link=data["evidence_link"],
            occurrence_id=data.get("occurrence"),
        )


class SubmitForm(VersionedForm):
    """The leader sends the agency's report to the reviewers."""

    note = forms.CharField(
        label=gettext_lazy("Ý kiến của lãnh đạo (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, assignment: Assignment, **kwargs):
        kwargs.setdefault("prefix", f"s{assignment.pk}")
        kwargs.setdefault("initial", {"version": assignment.version})
        super().__init__(*args, **kwargs)


class ReviewForm(VersionedForm):
    """A reviewer accepts a submitted report or returns it with a reason."""

    decision = forms.ChoiceField(
        choices=[
            (ReviewDecision.ACCEPTED, gettext_lazy("Chấp nhận")),
            (ReviewDecision.RETURNED, gettext_lazy("Trả lại")),
        ],
        widget=forms.HiddenInput,  # the two buttons carry it
    )
    reason = forms.CharField(
        label=gettext_lazy("Ý kiến (bắt buộc khi trả lại)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Khi trả lại, ghi rõ cơ quan cần bổ sung, sửa đổi những gì."),
    )

    def __init__(self, *args, assignment: Assignment, **kwargs):
        kwargs.setdefault("prefix", f"r{assignment.pk}")
        kwargs.setdefault("initial", {"version": assignment.version})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == ReviewDecision.RETURNED and not data.get("reason", "").strip():
            self.add_error("reason", _("Hãy ghi lý do trả lại để cơ quan biết cần bổ sung gì."))
        return data


class ReopenForm(VersionedForm):
    """A reviewer reopens an accepted report, saying why."""

    reason = forms.CharField(
        label=gettext_lazy("Lý do mở lại (bắt buộc)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Hãy ghi lý do mở lại để cơ quan biết cần sửa gì.")},
    )

    def __init__(self, *args, assignment: Assignment, **kwargs):
        kwargs.setdefault("prefix", f"o{assignment.pk}")
        kwargs.setdefault("initial", {"version": assignment.version})
        super().__init__(*args, **kwargs)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Hãy ghi lý do mở lại để cơ quan biết cần sửa gì."))
        return reason


class CommentForm(PortalForm):
    """A message in the task's discussion, with files if needed."""

    body = forms.CharField(
        label=gettext_lazy("Ý kiến trao đổi"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Hãy nhập nội dung ý kiến.")},
    )
    files = EvidenceFilesField(label=gettext_lazy("Tệp đính kèm"), required=False)

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError(_("Hãy nhập nội dung ý kiến."))
        return body


class BulkReviewForm(PortalForm):
    """Several submitted reports decided at once: accepted, or returned with one reason recorded on each."""

    ACCEPT, RETURN = "accepted", "returned"
    decision = forms.ChoiceField(choices=[(ACCEPT, gettext_lazy("Chấp nhận")), (RETURN, gettext_lazy("Trả lại"))])
    chosen = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Báo cáo đã chọn"),
        coerce=int,
        error_messages={"required": gettext_lazy("Hãy chọn ít nhất một báo cáo.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Ý kiến chung (bắt buộc khi trả lại)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Ý kiến được ghi vào từng báo cáo đã chọn."),
    )

    def __init__(self, *args, choices: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chosen"].choices = [(pk, pk) for pk in choices]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == self.RETURN and not data.get("reason", "").strip():
            self.add_error("reason", _("Hãy ghi lý do trả lại để các cơ quan biết cần bổ sung gì."))
        return data


class ExtensionRequestForm(PortalForm):
    """An agency asks for a later deadline, with a reason."""

    requested_date = date_field(gettext_lazy("Đề nghị gia hạn đến ngày"))
    reason = forms.CharField(
        label=gettext_lazy("Lý do"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Nêu rõ vì sao chưa thể hoàn thành đúng hạn."),
        error_messages={"required": gettext_lazy("Hãy nêu lý do đề nghị gia hạn.")},
    )

    def __init__(self, *args, assignment: Assignment, **kwargs):
        self.assignment = assignment
        kwargs.setdefault("prefix", f"e{assignment.pk}")
        super().__init__(*args, **kwargs)

    def clean_requested_date(self) -> datetime.date:
        day = self.cleaned_data["requested_date"]
        today = timezone.localdate()
        due = self.assignment.effective_due_date
        if day <= today:
            raise ValidationError(_("Ngày đề nghị phải sau hôm nay."))
        if due and day <= due:
            raise ValidationError(
                _("Ngày đề nghị phải sau hạn hiện tại (%(due)s).") % {"due": date_format(due, "d/m/Y")}
            )
        return day

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Hãy nêu lý do đề nghị gia hạn."))
        return reason


class ExtensionDecisionForm(PortalForm):
    """A reviewer grants or refuses a pending extension request."""

    decision = forms.ChoiceField(
        choices=[("grant", gettext_lazy("Đồng ý gia hạn")), ("refuse", gettext_lazy("Không đồng ý"))],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label=gettext_lazy("Ý kiến (bắt buộc khi không đồng ý)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, request_id: int, **kwargs):
        kwargs.setdefault("prefix", f"x{request_id}")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == "refuse" and not data.get("note", "").strip():
            self.add_error("note", _("Hãy ghi lý do không đồng ý gia hạn."))
        return data

    @property
    def grant(self) -> bool:
        return self.cleaned_data["decision"] == "grant"
