"""Periods of a periodic report and the day each is due: pure date arithmetic, no database.

A duty says "report monthly, quarterly, every six months and yearly, before day 15 of the last month of
the period" (``ReportingDuty.due_day``): the report on quarter I is due 15/03, on the first half 15/06,
on the year 15/12. A due day beyond the end of a short month falls on its last day (31 → 29/02).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from plans.models import PERIOD_URL_WORDS, ReportFrequency

#: How many months each period spans.
MONTHS = {
    ReportFrequency.MONTHLY: 1,
    ReportFrequency.QUARTERLY: 3,
    ReportFrequency.HALF_YEARLY: 6,
    ReportFrequency.YEARLY: 12,
}


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    due: datetime.date


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def due_in_month(year: int, month: int, due_day: int) -> datetime.date:
    return datetime.date(year, month, min(max(due_day, 1), _last_day(year, month)))


def period_due_on(frequency: str, due_day: int, day: datetime.date) -> Period | None:
    """Return the period of ``frequency`` whose report is due on ``day``, or None if none is."""
    months = MONTHS[ReportFrequency(frequency)]
    if day.month % months or day != due_in_month(day.year, day.month, due_day):
        return None
    first_month = day.month - months + 1
    return Period(
        start=datetime.date(day.year, first_month, 1),
        end=datetime.date(day.year, day.month, _last_day(day.year, day.month)),
        due=day,
    )


# --------------------------------------------------------------------------------------------------
# The periods of a year, as the periodic report pages name them
# --------------------------------------------------------------------------------------------------

#: The word of a period in URLs ("quy-1-2024"); never shown as text.
URL_WORDS = PERIOD_URL_WORDS
ROMAN = ["I", "II", "III", "IV"]


@dataclass(frozen=True)
class YearPeriod:
    """One period of a duty's year: its number in the year (month 5, quarter II…), dates and due day."""

    frequency: str
    year: int
    number: int
    due_day: int

    @property
    def months(self) -> int:
        return MONTHS[ReportFrequency(self.frequency)]

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, (self.number - 1) * self.months + 1, 1)

    @property
    def end(self) -> datetime.date:
        month = self.number * self.months
        return datetime.date(self.year, month, _last_day(self.year, month))

    @property
    def due(self) -> datetime.date:
        return due_in_month(self.year, self.number * self.months, self.due_day)

    @property
    def param(self) -> str:
        """The period in URLs: "quy-1-2024", "thang-5-2024", "6-thang-2-2024", "nam-1-2024"."""
        return f"{URL_WORDS[ReportFrequency(self.frequency)]}-{self.number}-{self.year}"

    @property
    def label(self) -> str:
        """The period as reports write it: "Tháng 05/2024", "Quý I/2024", "6 tháng đầu năm 2024", "Năm 2024"."""
        from django.utils.translation import gettext as _

        frequency = ReportFrequency(self.frequency)
        if frequency == ReportFrequency.MONTHLY:
            return _("Tháng %(month)02d/%(year)s") % {"month": self.number, "year": self.year}
        if frequency == ReportFrequency.QUARTERLY:
            return _("Quý %(quarter)s/%(year)s") % {"quarter": ROMAN[self.number - 1], "year": self.year}
        if frequency == ReportFrequency.HALF_YEARLY:
            if self.number == 1:
                return _("6 tháng đầu năm %(year)s") % {"year": self.year}
            return _("6 tháng cuối năm %(year)s") % {"year": self.year}
        return _("Năm %(year)s") % {"year": self.year}


def year_periods(frequency: str, due_day: int, year: int) -> list[YearPeriod]:
    """Every period of ``frequency`` in ``year``, in order."""
    count = 12 // MONTHS[ReportFrequency(frequency)]
    return [YearPeriod(frequency, year, number, due_day) for number in range(1, count + 1)]


def period_of(frequency: str, due_day: int, start: datetime.date) -> YearPeriod:
    """The period of ``frequency`` that starts on (or contains) ``start``."""
    return YearPeriod(frequency, start.year, (start.month - 1) // MONTHS[ReportFrequency(frequency)] + 1, due_day)


def parse_period(frequency: str, due_day: int, param: str) -> YearPeriod | None:
    """Read a period from its URL form ("quy-2-2024"); None when it is not a period of ``frequency``."""
    word = URL_WORDS[ReportFrequency(frequency)]
    if not param.startswith(f"{word}-"):
        return None
    number, _sep, year = param[len(word) + 1 :].partition("-")
    if not (number.isascii() and number.isdigit() and year.isascii() and year.isdigit()):
        return None
    number_, year_ = int(number), int(year)
    if not (1 <= number_ <= 12 // MONTHS[ReportFrequency(frequency)] and 1900 <= year_ <= 2200):
        return None
    return YearPeriod(frequency, year_, number_, due_day)
