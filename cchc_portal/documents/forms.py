"""Forms of the documents pages: the appendix upload."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from plans.models import ImportKind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại bảng"), choices=ImportKind.choices, initial=ImportKind.TASKS, widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("Tệp phụ lục (.xlsx hoặc .docx)"), required=False,
        help_text=_("Tối đa %(mb)s MB. Cổng tự tìm hàng tiêu đề và các cột.") % {"mb": settings.IMPORT_MAX_BYTES // 1024 // 1024},
    )
    pasted = forms.CharField(
        label=_("Hoặc dán bảng sao chép từ Word/Excel"), required=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": _("Chọn cả bảng trong Word hoặc Excel, Ctrl+C, rồi Ctrl+V vào đây.")}),
    )

    def clean(self):
        data = super().clean()
        upload, pasted = data.get("file"), (data.get("pasted") or "").strip()
        if not upload and not pasted:
            raise forms.ValidationError(_("Hãy chọn một tệp hoặc dán một bảng."))
        if upload and pasted:
            raise forms.ValidationError(_("Chỉ chọn tệp hoặc dán bảng, không cả hai."))
        if upload and upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("Tệp quá lớn (%(size)s MB); chỉ nhận tệp đến %(limit)s MB.")
                % {"size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","), "limit": settings.IMPORT_MAX_BYTES // 1024 // 1024}
            )
        return data
