"""Reporting periods: a month, a quarter, a half-year or a year, as CCHC reports name them.

A periodic report (``plans.ReportingDuty``) is due on day ``due_day`` of the last month of its period
("15" means the report of quarter I is due on 15/03). The province's own report can be exported for any
period; ``ReportPeriod`` says its dates and how a report title names it ("quý I năm 2024").
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.models import ReportFrequency


class PeriodType(models.TextChoices):
    MONTH = "month", gettext_lazy("Tháng")
    QUARTER = "quarter", gettext_lazy("Quý")
    HALF = "half", gettext_lazy("6 tháng")
    YEAR = "year", gettext_lazy("Năm")


MONTHS_PER_PERIOD = {PeriodType.MONTH: 1, PeriodType.QUARTER: 3, PeriodType.HALF: 6, PeriodType.YEAR: 12}
PERIODS_PER_YEAR = {kind: 12 // months for kind, months in MONTHS_PER_PERIOD.items()}
FREQUENCY_PERIOD = {
    ReportFrequency.MONTHLY: PeriodType.MONTH,
    ReportFrequency.QUARTERLY: PeriodType.QUARTER,
    ReportFrequency.HALF_YEARLY: PeriodType.HALF,
    ReportFrequency.YEARLY: PeriodType.YEAR,
}
ROMAN = ["I", "II", "III", "IV"]


def last_day(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, order=True)
class ReportPeriod:
    """One period of a year: ``number`` counts from 1 (month 1–12, quarter 1–4, half 1–2, year 1)."""

    year: int
    kind: PeriodType
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= PERIODS_PER_YEAR[self.kind]:
            raise ValueError(f"{self.kind} {self.number} does not exist")

    @property
    def first_month(self) -> int:
        return (self.number - 1) * MONTHS_PER_PERIOD[self.kind] + 1

    @property
    def last_month(self) -> int:
        return self.number * MONTHS_PER_PERIOD[self.kind]

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.first_month, 1)

    @property
    def end(self) -> datetime.date:
        return last_day(self.year, self.last_month)

    def due(self, due_day: int) -> datetime.date:
        """Return the day a report on this period is due: ``due_day`` of its last month (the month's end at most)."""
        return datetime.date(self.year, self.last_month, min(max(due_day, 1), self.end.day))

    @property
    def param(self) -> str:
        """Return the value the period forms and URLs use ("quarter-1")."""
        return f"{self.kind}-{self.number}"

    @property
    def name(self) -> str:
        """Return the period as report titles write it: "tháng 5 năm 2024", "quý I năm 2024", "6 tháng đầu năm 2024"."""
        if self.kind == PeriodType.MONTH:
            return _("tháng %(month)s năm %(year)s") % {"month": self.number, "year": self.year}
        if self.kind == PeriodType.QUARTER:
            return _("quý %(quarter)s năm %(year)s") % {"quarter": ROMAN[self.number - 1], "year": self.year}
        if self.kind == PeriodType.HALF:
            if self.number == 1:
                return _("6 tháng đầu năm %(year)s") % {"year": self.year}
            return _("6 tháng cuối năm %(year)s") % {"year": self.year}
        return _("năm %(year)s") % {"year": self.year}

    @property
    def label(self) -> str:
        """Return the short label of lists and tables: "Tháng 05/2024", "Quý I/2024", "6 tháng đầu năm 2024"."""
        if self.kind == PeriodType.MONTH:
            return _("Tháng %(month)02d/%(year)s") % {"month": self.number, "year": self.year}
        if self.kind == PeriodType.QUARTER:
            return _("Quý %(quarter)s/%(year)s") % {"quarter": ROMAN[self.number - 1], "year": self.year}
        name = self.name
        return name[:1].upper() + name[1:]

    def previous(self) -> ReportPeriod | None:
        """Return the period before this one in the same year, or None for the first."""
        return ReportPeriod(self.year, self.kind, self.number - 1) if self.number > 1 else None

    def following(self) -> ReportPeriod | None:
        return (
            ReportPeriod(self.year, self.kind, self.number + 1) if self.number < PERIODS_PER_YEAR[self.kind] else None
        )

    @classmethod
    def containing(cls, kind: PeriodType, day: datetime.date) -> ReportPeriod:
        return cls(day.year, kind, (day.month - 1) // MONTHS_PER_PERIOD[kind] + 1)

    @classmethod
    def all_of(cls, kind: PeriodType, year: int) -> list[ReportPeriod]:
        return [cls(year, kind, number) for number in range(1, PERIODS_PER_YEAR[kind] + 1)]

    @classmethod
    def parse(cls, value: str, year: int) -> ReportPeriod | None:
        """Read "quarter-1" (or "month-5", "half-2", "year-1", "year"); None when it names no period."""
        kind, _sep, number = (value or "").partition("-")
        if kind not in PeriodType.values:
            return None
        try:
            return cls(year, PeriodType(kind), int(number or 1))
        except ValueError:
            return None


def period_choices(year: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the grouped choices of the period select: the months, the quarters, the halves, the year."""
    return [
        (str(PeriodType(kind).label), [(p.param, p.label) for p in ReportPeriod.all_of(PeriodType(kind), year)])
        for kind in (PeriodType.MONTH, PeriodType.QUARTER, PeriodType.HALF, PeriodType.YEAR)
    ]
