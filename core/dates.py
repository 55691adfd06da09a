"""Dates a person can mean. 01/01/0001 or the year 99999 in a deadline, a report or an import is a typo (or an
attack), and such a date made every reminder sweep fail with OverflowError: every door refuses it."""

from __future__ import annotations

import calendar
import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MIN_YEAR = 1945
MAX_YEAR = 2100


def is_sane_year(year: int) -> bool:
    """True for a year a plan can mean: 1945–2100."""
    return MIN_YEAR <= year <= MAX_YEAR


def is_sane_date(day: datetime.date | None) -> bool:
    """True for a date (or datetime) between 1945 and 2100; None counts as sane (an empty, optional date)."""
    return day is None or is_sane_year(day.year)


is_sane = is_sane_date  # the name the forms and models used first


def validate_sane_date(day: datetime.date | None) -> None:
    """Form and model validator: refuse a date outside 1945–2100 with a message that names the year."""
    if not is_sane_date(day):
        raise ValidationError(
            _("Năm %(year)s không hợp lệ: ngày phải nằm trong khoảng năm %(min)s–%(max)s."),
            code="date_out_of_range",
            params={"year": day.year, "min": MIN_YEAR, "max": MAX_YEAR},
        )


# --------------------------------------------------------------------------------------------------
# typed dates (issue 15, point 7): a date that does not exist is said so, not called a wrong format
# --------------------------------------------------------------------------------------------------

DATE_INPUTS = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
_DAY_FIRST = re.compile(r"\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{2}|\d{4})\s*")
_YEAR_FIRST = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*")


def nonexistent_date_error(text: str) -> ValidationError | None:
    """Return why ``text``, written like a date (dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd), names no day of
    the calendar ("31/02/2024": February 2024 has 29 days; "12/13/2024": there is no month 13); None if it is not
    written like a date at all, or if the day exists."""
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) == 2:
            year += 2000
    elif match := _YEAR_FIRST.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    written = text.strip()
    if not 1 <= month <= 12:
        return ValidationError(
            _("Ngày %(date)s không có: tháng %(month)s không tồn tại (tháng chỉ từ 1 đến 12)."),
            code="nonexistent_date",
            params={"date": written, "month": month},
        )
    if year < 1:
        return None
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return ValidationError(
            _("Ngày %(date)s không có: tháng %(month)s năm %(year)s chỉ có %(days)s ngày."),
            code="nonexistent_date",
            params={"date": written, "month": month, "year": year, "days": days},
        )
    return None


class DayMonthYearField(forms.DateField):
    """A date typed day/month/year ("25/12/2024"); "31/02/2024" is reported as a day that does not exist, any other
    unreadable text as not written day/month/year; years outside 1945–2100 are refused (``validate_sane_date``)."""

    default_error_messages = {
        "invalid": _("Hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 25/12/2024."),
        "required": _("Hãy nhập ngày (ngày/tháng/năm)."),
    }
    default_validators = [validate_sane_date]

    def __init__(self, *, input_formats=None, **kwargs):
        super().__init__(input_formats=input_formats or DATE_INPUTS, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as invalid:
            if isinstance(value, str) and (error := nonexistent_date_error(value)) is not None:
                raise error from invalid
            raise
