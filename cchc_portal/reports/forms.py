"""Forms of the periodic report pages: the agency's text and files, the reviewer's decision."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc_portal.reports.services import ReportText
from tasks.forms import EvidenceFilesField, PortalForm


class ReportForm(PortalForm):
    """What the agency writes: results, shortcomings and difficulties, proposals; files (the signed report)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    results = forms.CharField(
        label=gettext_lazy("Kết quả đạt được trong kỳ"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "Những việc đã làm, kết quả nổi bật; số liệu nhiệm vụ, chỉ tiêu ở trên được tự động điền."
        ),
    )
    difficulties = forms.CharField(
        label=gettext_lazy("Tồn tại, hạn chế, khó khăn"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    proposals = forms.CharField(
        label=gettext_lazy("Đề xuất, kiến nghị"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = EvidenceFilesField(
        label=gettext_lazy("Tệp báo cáo"),
        required=False,
        help_text=gettext_lazy("Báo cáo đã ký (PDF), phụ lục (Word, Excel); có thể chọn nhiều tệp."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if (
            not self.errors
            and not any(data.get(name, "").strip() for name in ("results", "difficulties", "proposals"))
            and not data.get("files")
        ):
            raise ValidationError(_("Báo cáo chưa có nội dung: hãy ghi kết quả đạt được hoặc đính kèm tệp báo cáo."))
        return data

    def text(self) -> ReportText:
        data = self.cleaned_data
        return ReportText(data["results"].strip(), data["difficulties"].strip(), data["proposals"].strip())


class DecisionForm(PortalForm):
    """Sở Nội vụ accepts a sent report, or returns it (or reopens an accepted one) with a reason."""

    ACCEPT, RETURN = "accept", "return"
    decision = forms.ChoiceField(
        choices=[(ACCEPT, gettext_lazy("Tiếp nhận")), (RETURN, gettext_lazy("Trả lại"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=gettext_lazy("Ý kiến (bắt buộc khi trả lại hoặc mở lại)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Ghi rõ cơ quan cần bổ sung, sửa đổi những gì."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == self.RETURN and not data.get("reason", "").strip():
            self.add_error("reason", _("Hãy ghi lý do để cơ quan biết cần bổ sung, sửa đổi gì."))
        return data
