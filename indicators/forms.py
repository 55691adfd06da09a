"""Forms of the indicator pages: report a value with its evidence, accept or return it, set a target."""

from __future__ import annotations

import calendar
import datetime
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency, AgencyGroup
from core.uploads import ACCEPT_ATTR, check_upload
from indicators.models import Target
from indicators.services import parse_number


def check_evidence(upload) -> str:
    """Return the type of an uploaded evidence file ("pdf", "docx", "png"…); raise ValidationError when it is refused.

    The rules are the portal's for every evidence file (``core.uploads.check_upload``: size up to
    settings.UPLOAD_MAX_BYTES, PDF, Word, Excel or JPG/PNG recognised by content with ``filetype``, the name agreeing
    with the content; Word and Excel files carrying macros, and zip bombs, refused).
    """
    checked = check_upload(upload)  # macros and zip bombs included
    extension = PurePath(checked.name).suffix.lower().lstrip(".")
    return extension


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def period_choices(target: Target, today: datetime.date) -> list[tuple[str, str]]:
    """Return the reporting periods of ``target`` that have begun: every month end from its start (values are counted
    from the start of the period), the quarters named as officials name them, and the period's own end."""
    ends: list[datetime.date] = []
    year, month = target.start.year, target.start.month
    last = min(target.end, _month_end(today.year, today.month))
    while len(ends) < 120:
        day = _month_end(year, month)
        if day > last:
            break
        ends.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if target.end <= last and target.end not in ends:
        ends.append(target.end)
    calendar_year = target.start == datetime.date(target.start.year, 1, 1) and target.end == datetime.date(
        target.start.year, 12, 31
    )
    names = {3: _("Quý I/%(y)s"), 6: _("6 tháng đầu năm %(y)s"), 9: _("9 tháng năm %(y)s"), 12: _("Năm %(y)s")}
    choices = []
    for day in reversed(ends):
        if calendar_year and day.day == calendar.monthrange(day.year, day.month)[1] and day.month in names:
            label = names[day.month] % {"y": day.year}
        else:
            label = _("Đến hết tháng %(m)s/%(y)s") % {"m": day.month, "y": day.year}
        choices.append(
            (day.isoformat(), _("%(label)s (số liệu tính đến %(day)s)") % {"label": label, "day": f"{day:%d/%m/%Y}"})
        )
    return choices


class MeasurementForm(forms.Form):
    """Report the value reached at the end of a period, with the evidence that proves it."""

    period_end = forms.TypedChoiceField(label=gettext_lazy("Kỳ báo cáo"), coerce=datetime.date.fromisoformat)
    value = forms.CharField(
        label=gettext_lazy("Giá trị đạt được"),
        max_length=40,
        help_text=gettext_lazy("Chỉ ghi số, ví dụ 87,5 (không cần ghi đơn vị)."),
    )
    note = forms.CharField(
        label=gettext_lazy("Giải thích, ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.FileField(
        label=gettext_lazy("Tài liệu kiểm chứng"),
        required=False,
        error_messages={
            "empty": gettext_lazy("Tệp rỗng."),
            "required": gettext_lazy("Cần đính kèm tài liệu kiểm chứng."),
        },
    )

    def __init__(self, *args, target: Target, today: datetime.date, evidence_on_file: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period_end"].choices = period_choices(target, today)
        self.evidence_on_file = evidence_on_file
        limit = settings.UPLOAD_MAX_BYTES // 1024 // 1024
        self.fields["evidence"].help_text = _("PDF, Word, Excel hoặc ảnh JPG, PNG; tối đa %(limit)s MB.") % {
            "limit": limit
        }
        self.fields["evidence"].widget.attrs["accept"] = ACCEPT_ATTR
        if not evidence_on_file:
            self.fields["evidence"].required = True

    def clean_value(self):
        return parse_number(self.cleaned_data["value"])

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            self.evidence_extension = check_evidence(upload)
        return upload


class ReviewForm(forms.Form):
    """Accept a value, or return it with the reason the agency will read."""

    ACCEPT, RETURN = "accept", "return"
    decision = forms.ChoiceField(
        choices=[(ACCEPT, gettext_lazy("Chấp nhận")), (RETURN, gettext_lazy("Trả lại"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do trả lại"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Bắt buộc khi trả lại: đơn vị sẽ đọc lý do này để sửa và báo cáo lại."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Cần ghi lý do trả lại để đơn vị biết cần sửa gì."))
        return data


class TargetForm(forms.ModelForm):
    """Set or correct a target by hand (the monitoring unit); agencies and groups of the indicator's province only."""

    class Meta:
        model = Target
        fields = [
            "scope",
            "agency",
            "group",
            "applies_to_text",
            "year",
            "period_start",
            "period_end",
            "value",
            "value_text",
            "unit",
            "direction",
        ]
        widgets = {
            "period_start": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
            "period_end": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
        }

    def __init__(self, *args, indicator, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.indicator = indicator
        province_id = indicator.document.province_id
        self.fields["agency"].queryset = Agency.objects.filter(province_id=province_id).order_by("level", "name")
        self.fields["group"].queryset = AgencyGroup.objects.filter(province_id=province_id).order_by("name")
        self.fields["value"].localize = True
        self.fields["value"].widget.is_localized = True
        if not self.instance.pk:
            self.initial.setdefault("year", indicator.document.year)
            self.initial.setdefault("unit", indicator.unit)
            self.initial.setdefault("direction", indicator.direction)

    def clean(self):
        data = super().clean()
        if data.get("value") is None and (data.get("value_text") or "").strip():
            # A target written in words stays text (its verdict says it cannot be compared); a number is read.
            data["value"] = _number_or_none(data["value_text"])
        return data


def _number_or_none(text: str):
    try:
        return parse_number(text)
    except ValidationError:
        return None
