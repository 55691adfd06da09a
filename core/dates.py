"""Dates a person can mean. 01/01/0001 or the year 99999 in a deadline, a report or an import is a typo (or an
attack), and such a date made every reminder sweep fail with OverflowError: every door refuses it."""

from __future__ import annotations

import datetime

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
