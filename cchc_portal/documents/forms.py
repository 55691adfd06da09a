"""Forms of the documents pages: the appendix upload, an agency created from the import preview."""

from django import forms
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyKind, AgencyLevel
from core.text import fold
from plans.models import ImportKind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại bảng"), choices=ImportKind.choices, initial=ImportKind.TASKS, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("Tệp phụ lục (.xlsx hoặc .docx)"),
        required=False,
        help_text=_("Tối đa %(mb)s MB. Cổng tự tìm hàng tiêu đề và các cột.")
        % {"mb": settings.IMPORT_MAX_BYTES // 1024 // 1024},
    )
    pasted = forms.CharField(
        label=_("Hoặc dán bảng sao chép từ Word/Excel"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 8, "placeholder": _("Chọn cả bảng trong Word hoặc Excel, Ctrl+C, rồi Ctrl+V vào đây.")}
        ),
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
                % {
                    "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
                    "limit": settings.IMPORT_MAX_BYTES // 1024 // 1024,
                }
            )
        return data


class AgencyInPlaceForm(forms.Form):
    """An agency a document names and the province's directory lacks, created from the import preview."""

    name = forms.CharField(label=_("Tên cơ quan"), max_length=255)
    kind = forms.ChoiceField(label=_("Loại"), choices=AgencyKind.choices, required=False)
    level = forms.ChoiceField(label=_("Cấp"), choices=AgencyLevel.choices, required=False)

    def __init__(self, *args, province=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.province = province

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Hãy nhập tên cơ quan."))
        if self.province is not None and Agency.objects.filter(province=self.province, name__iexact=name).exists():
            raise forms.ValidationError(_("Cơ quan '%(name)s' đã có trong danh bạ của tỉnh.") % {"name": name})
        return name

    def save(self, province) -> Agency:
        base = slugify(f"{province.code}-{fold(self.cleaned_data['name'])}")[:50] or f"{province.code}-co-quan"
        code, n = base, 1
        while Agency.objects.filter(code=code).exists():
            n += 1
            code = f"{base}-{n}"
        return Agency.objects.create(
            province=province,
            code=code,
            name=self.cleaned_data["name"],
            kind=self.cleaned_data.get("kind") or AgencyKind.DEPARTMENT,
            level=self.cleaned_data.get("level") or AgencyLevel.PROVINCE,
        )
