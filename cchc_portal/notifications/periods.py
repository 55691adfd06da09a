"""Periods of a periodic report and the day each is due: pure date arithmetic, no database.

A duty says "report monthly, quarterly, every six months and yearly, before day 15 of the last month of
the period" (``ReportingDuty.due_day``): the report on quarter I is due 15/03, on the first half 15/06,
on the year 15/12. A due day beyond the end of a short month falls on its last day (31 → 29/02).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from plans.models import ReportFrequency

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
