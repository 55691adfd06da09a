"""Read the deadline text of an appendix row and say what it means.

Appendix tables write their deadline ("Thời gian thực hiện", "Thời hạn hoàn
thành") as free Vietnamese text: "Năm 2024", "Quý I/2024", "Tháng 02/2024",
"Trước ngày 30/12/2021", "2026 - 2030", "Thường xuyên", "Kỳ họp HĐND tỉnh
thường kỳ giữa năm 2024"... `parse_deadline` turns such a text into a
`Deadline`: what kind of deadline it is, the last day it is due (and the first
day of its period), and whether a person must confirm it. It never guesses
silently: what it cannot read with certainty is flagged with a reason.

The function is pure: no database, no Django settings (the labels below are
lazy), so the importer can call it on thousands of rows and tests can call it
without a project.

How it reads a text:

1. Normalise it into a matching key: NFKC (no-break spaces, full-width digits),
   lower case, accents removed (so "Quy I/2024", "Thuong xuyen" and texts
   copied from Word in decomposed form read the same), one space between
   words, no spaces around "/" and "-" ("Quý I/\\n2024" → "quy i/2024").
2. Blank out document numbers ("Kế hoạch số 02-KH/BCĐTW", "71/NQ-CP ngày
   01/4/2025"): their digits are neither dates nor years.
3. Events, recurring and ongoing duties are recognised by their words and have
   no single due date.
4. Otherwise every period written in the text is read, finest first (dates,
   half-years, quarters, months, year ranges, years); each match is blanked so
   a coarser reader does not read it again ("Quý I/2024" is not also
   "2024"). A period that contains another one is dropped ("trong năm 2021 …
   trước ngày 30/12/2021" is the date), and what remains decides the result.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Deadline", "DueKind", "Recurrence", "parse_deadline"]


class DueKind(models.TextChoices):
    DATE = "date", _("Ngày cụ thể")
    MONTH = "month", _("Tháng")
    QUARTER = "quarter", _("Quý")
    HALF_YEAR = "half_year", _("6 tháng")
    YEAR = "year", _("Năm")
    YEAR_RANGE = "year_range", _("Giai đoạn nhiều năm")
    RECURRING = "recurring", _("Định kỳ")
    ONGOING = "ongoing", _("Thường xuyên")
    EVENT = "event", _("Theo sự kiện")
    START = "start", _("Chỉ nêu thời điểm bắt đầu")
    NONE = "none", _("Không nêu thời hạn")
    UNKNOWN = "unknown", _("Chưa đọc được")


class Recurrence(models.TextChoices):
    NONE = "", _("Không")
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    HALF_YEARLY = "half_yearly", _("6 tháng một lần")
    YEARLY = "yearly", _("Hằng năm")


@dataclass(frozen=True)
class Deadline:
    """What a deadline text means; `text` keeps it as written (stripped)."""

    text: str
    kind: DueKind
    due_date: date | None
    start_date: date | None = None
    needs_confirmation: bool = False
    year_inferred: bool = False
    recurrence: Recurrence = Recurrence.NONE
    reason: str = ""
    impossible_year: int | None = None  # a year written that no plan can mean (0001, 9999): the import refuses it


# Reasons are shown to the admin next to the text. They are plain strings, not
# gettext calls: translating needs settings, and this module must not touch
# them (the portal's source language is Vietnamese anyway).
REASON_UNKNOWN = "Không đọc được thời hạn: cần người xác nhận."
REASON_EVENT = "Thời hạn gắn với sự kiện: cần người xác nhận ngày."
REASON_YEAR_INFERRED = "Năm không ghi trong văn bản; lấy năm của văn bản (%(year)s)."
REASON_YEAR_MISSING = "Năm không ghi trong văn bản: cần người xác nhận năm."
REASON_SEVERAL = "Văn bản nêu nhiều thời hạn; lấy thời hạn muộn nhất (%(due)s): cần người xác nhận."
REASON_INVALID = "Không đọc được thời hạn: %(what)s không tồn tại; cần người xác nhận."
REASON_BACKWARDS = (
    "Không đọc được thời hạn: giai đoạn %(first)s-%(last)s kết thúc trước khi bắt đầu; cần người xác nhận."
)
REASON_EARLY_YEAR = "“Đầu năm” được hiểu là hết quý I: cần người xác nhận."
REASON_MID_YEAR = "“Giữa năm” được hiểu là hết 6 tháng đầu năm: cần người xác nhận."
REASON_EARLY_QUARTER = "“Đầu quý” được hiểu là hết tháng đầu của quý: cần người xác nhận."
REASON_EARLY_MONTH = "“Đầu tháng” không nêu ngày: lấy cuối tháng, cần người xác nhận."
REASON_SIX_MONTHS = "“6 tháng” không nói đầu hay cuối năm: hiểu là 6 tháng đầu năm, cần người xác nhận."
REASON_TAIL = "Sau mốc hoàn thành, việc còn tiếp tục (%(tail)s): đã ghi nhận, hạn là mốc hoàn thành."
REASON_START_ONLY = "Chỉ nêu thời điểm bắt đầu (%(start)s), không nêu hạn hoàn thành: cần người xác nhận."
REASON_START_AND_DEADLINE = (
    "Văn bản nêu nhiều mốc (bắt đầu %(start)s); lấy mốc của sản phẩm đầu tiên (%(due)s): cần người xác nhận."
)
REASON_BEFORE_YEAR = "“Trước năm %(year)s” được hiểu là hết năm %(previous)s: cần người xác nhận."
REASON_FIRST_OF_SEVERAL = (
    "Văn bản nêu nhiều thời hạn cho nhiều việc; lấy thời hạn của việc đầu tiên (%(due)s): cần người xác nhận."
)
REASON_RECURRING_WITH_DATE = (
    "Văn bản vừa nêu việc thường xuyên hoặc định kỳ vừa nêu thời điểm: cần người xác nhận hạn của từng kỳ."
)
REASON_IMPOSSIBLE_YEAR = "Năm %(year)s không hợp lệ (chỉ nhận năm %(min)s–%(max)s)."
REASON_NO_PERIOD = "Định kỳ nhưng không nêu chu kỳ: cần người xác nhận."


# --- Normalisation -----------------------------------------------------------

# Every dash and minus sign Word or a PDF may produce reads as "-"; invisible
# characters (zero-width space, BOM, soft hyphen) vanish; "*" is markdown or a
# footnote mark, never part of a deadline.
_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
        "*": " ",
    }
)
_MARKS_RE = re.compile(r"[\u0300-\u036f]")  # combining accents left by NFD
_SPACES_RE = re.compile(r"\s+")
_SEP_SPACES_RE = re.compile(r" ?([/-]) ?")
# Bullets, brackets and the final full stop around the text carry no meaning.
_EDGES_RE = re.compile(r"^[\s\-+•·.,;:!?()\[\]\"'“”]+|[\s\-+•·.,;:!?()\[\]\"'“”]+$")
# Words that only say "the deadline is": dropping them lets "^" anchors work.
_FILLER_RE = re.compile(r"^(?:(?:thoi han|thoi gian|hoan thanh|thuc hien|han chot|xong) ?:? ?)+")
_DASHES_ONLY_RE = re.compile(r"[\s-]*")


def _key(text: str) -> str:
    """Return the matching key of a text: lower case, no accents, tidy spaces."""
    key = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    key = unicodedata.normalize("NFD", key).lower()
    key = _MARKS_RE.sub("", key).replace("đ", "d")
    key = _SPACES_RE.sub(" ", key)
    return _SEP_SPACES_RE.sub(r"\1", key)


# --- Document numbers ----------------------------------------------------------

# "02-KH/BCĐTW", "71/NQ-CP", "42/2022/NĐ-CP", "4918/UBND-NC": digits joined to a
# letter code. The code must not be a time word, so "2024-quý II" or
# "01/2024-tháng 3" still read. The lookbehind allows one start per token, which
# keeps the scan linear. A date right after the number ("ngày 01/4/2025") is the
# day the document was signed, not a deadline, so it goes too.
_DOC_DATE = r"(?: ngay (?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2} thang \d{1,2} nam \d{4}))?"
_DOCNUM_RE = re.compile(
    r"(?<![\w/.-])\d+(?:[/.-]\d+)*[/-]"
    r"(?!(?:qu[yi]|thang|nam|ngay|tu|den|toi|giai|va|thuong|hang|lien|dinh|moi|sau|truoc|bat|ke|trien|thuc|hoan)\b)"
    r"[a-z][a-z0-9]*(?:[/.-][a-z0-9]+)*" + _DOC_DATE
)
# "Kế hoạch số 02", "Số: 275 /KH-UBND": a number after "số" is a document number.
_NUMBERED_RE = re.compile(r"\bso:? \d+(?:[/.-][a-z0-9]+)*" + _DOC_DATE)


# --- Events, recurring and ongoing duties ------------------------------------------

# A council session happens on a date someone must look up, even when the
# text names its year ("Kỳ họp HĐND tỉnh thường kỳ giữa năm 2024"). Checked
# before recurrence: "thường kỳ" is not "định kỳ".
_EVENT_RE = re.compile(r"\bky hop\b|\bhdnd\b|\bhoi dong nhan dan\b|\bdai hoi\b")
# Conditions ("Theo yêu cầu", "Khi có văn bản hướng dẫn", "Sau khi Đề án được
# phê duyệt", "30 ngày kể từ …"). Checked after recurrence, so "Hằng quý, theo
# yêu cầu" stays recurring.
_CONDITION_RE = re.compile(r"^theo\b|\btheo yeu cau\b|\bkhi\b|\bke tu\b|\bdot xuat\b")
# Finest period first: "định kỳ hằng tháng, quý, 6 tháng và năm" is monthly.
_RECURRENCES = (
    (
        Recurrence.MONTHLY,
        re.compile(r"\b(?:hang|moi) thang\b|\bdinh ky thang\b|(?<!\d )\bthang/(?:1 |mot )?lan\b"),
    ),
    (
        Recurrence.QUARTERLY,
        re.compile(r"\b(?:hang|moi) qu[yi]\b|\bdinh ky (?:hang )?qu[yi]\b|\bqu[yi]/(?:1 |mot )?lan\b"),
    ),
    (
        Recurrence.HALF_YEARLY,
        re.compile(
            r"\b6 thang/(?:1 |mot )?lan\b|\b6 thang (?:1|mot) lan\b|\bdinh ky (?:hang )?6 thang\b"
            r"|\b(?:hang|moi) 6 thang\b|\bnua nam/(?:1 |mot )?lan\b"
        ),
    ),
    (Recurrence.YEARLY, re.compile(r"\b(?:hang|moi) nam\b|\bdinh ky (?:hang )?nam\b|\bnam/(?:1 |mot )?lan\b")),
)
_PERIODIC_RE = re.compile(r"\bdinh ky\b")
# "Hằng tuần" has no Recurrence value; weekly work is ongoing for the portal.
_ONGOING_RE = re.compile(r"\bthuong xuyen\b|\blien tuc\b|\b(?:hang|moi) (?:ngay|tuan)\b")
_YEAR_WORD_RE = re.compile(r"\bnam\b")
# A year as a person writes it in a date or after "năm"/"quý …/"/"tháng …/": checked against the sane range, so
# that "01/01/0001" or "Năm 9999" is refused instead of read (the readers below only know 19xx and 20xx).
_WRITTEN_YEAR_RE = re.compile(
    r"(?:(?<![\d/.-])\d{1,2}([/.-])\d{1,2}\1|\bnam |\bqu[yi] [ivx\d]+ ?/ ?|\bthang \d{1,2} ?/ ?)(\d{4,})(?!\d)"
)
_MIN_YEAR, _MAX_YEAR = 1945, 2100  # core.dates; this module stays free of Django and of the apps
_ANY_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


# --- Periods -------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    """One period read from the text, before its year is settled.

    `first`/`last` are months (DATE, MONTH), quarters, halves or years
    (YEAR_RANGE); `year` is None when the text does not write it.
    """

    kind: DueKind
    first: int
    last: int
    year: int | None = None
    day: int = 0
    note: str = ""
    joined: bool = False  # written as the end of a range after the previous period ("Quý I/2024 - Quý III/2024")


_Y4 = r"(?:19|20)\d{2}"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def _year(text: str | None) -> int | None:
    """Return a written year; two digits mean this century ("30/12/21")."""
    if text is None:
        return None
    return 2000 + int(text) if len(text) == 2 else int(text)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _bounds(hit: _Hit, year: int) -> tuple[date, date]:
    """Return the first and last day of a hit in a year; ValueError if impossible."""
    if hit.kind is DueKind.DATE:
        day = date(year, hit.first, hit.day)
        return day, day
    if hit.kind is DueKind.MONTH:
        return date(year, hit.first, 1), _month_end(year, hit.last)
    if hit.kind is DueKind.QUARTER:
        return date(year, 3 * hit.first - 2, 1), _month_end(year, 3 * hit.last)
    if hit.kind is DueKind.HALF_YEAR:
        return date(year, 6 * hit.first - 5, 1), _month_end(year, 6 * hit.last)
    if hit.kind is DueKind.YEAR:
        return date(year, 1, 1), date(year, 12, 31)
    return date(hit.first, 1, 1), date(hit.last, 12, 31)  # YEAR_RANGE


def _date_hit(day: str, month: str, year: str | None, written: str) -> _Hit | str:
    """Return a DATE hit, or why it cannot exist ("31/02/2024", month 13)."""
    d, m, y = int(day), int(month), _year(year)
    try:
        date(y or 2000, m, d)  # 2000 is a leap year: "29/02" without a year may exist
    except ValueError:
        return REASON_INVALID % {"what": f"ngày {written}"}
    return _Hit(DueKind.DATE, m, m, y, day=d)


def _read_iso_date(m: re.Match[str]) -> _Hit | str:
    return _date_hit(m[3], m[2], m[1], m[0])


def _read_date(m: re.Match[str]) -> _Hit | str:
    return _date_hit(m[1], m[3], m[4], m[0])


def _read_spoken_date(m: re.Match[str]) -> _Hit | str:
    return _date_hit(m[1], m[2], m[3], "/".join(part for part in (m[1], m[2], m[3]) if part))


def _read_half_year(m: re.Match[str]) -> _Hit | str:
    half = 2 if m[1] == "cuoi" else 1
    return _Hit(DueKind.HALF_YEAR, half, half, _year(m[2]), note="" if m[1] else REASON_SIX_MONTHS)


def _read_quarter(m: re.Match[str]) -> _Hit | str:
    first = _ROMAN.get(m[2]) or (int(m[2]) if m[2].isdecimal() else 0)
    last = (_ROMAN.get(m[3]) or (int(m[3]) if m[3].isdecimal() else 0)) if m[3] else first
    if not (1 <= first <= last <= 4):
        return REASON_INVALID % {"what": "quý " + "-".join(q.upper() for q in (m[2], m[3]) if q)}
    if m[1] == "dau":  # the first month of the quarter
        month = 3 * first - 2
        return _Hit(DueKind.MONTH, month, month, _year(m[4]), note=REASON_EARLY_QUARTER)
    return _Hit(DueKind.QUARTER, first, last, _year(m[4]))


def _read_month(m: re.Match[str]) -> _Hit | str:
    first = int(m[2])
    last = int(m[3]) if m[3] else first
    if not (1 <= first <= last <= 12):
        return REASON_INVALID % {"what": "tháng " + "-".join(n for n in (m[2], m[3]) if n)}
    return _Hit(DueKind.MONTH, first, last, _year(m[4]), note=REASON_EARLY_MONTH if m[1] == "dau" else "")


def _read_bare_month(m: re.Match[str]) -> _Hit | str:
    month = int(m[1])
    if not 1 <= month <= 12:
        return REASON_INVALID % {"what": f"tháng {m[0]}"}
    return _Hit(DueKind.MONTH, month, month, int(m[2]))


def _read_year_range(m: re.Match[str]) -> _Hit | str:
    first, last = int(m[1]), int(m[2])
    if last < first:
        return REASON_BACKWARDS % {"first": first, "last": last}
    if last == first:
        return _Hit(DueKind.YEAR, first, first, first)
    return _Hit(DueKind.YEAR_RANGE, first, last)


def _read_before_year(m: re.Match[str]) -> _Hit | str:
    year = int(m[1])
    return _Hit(DueKind.YEAR, 0, 0, year - 1, note=REASON_BEFORE_YEAR % {"year": year, "previous": year - 1})


def _year_hit(prefix: str | None, year: int | None) -> _Hit:
    if prefix == "dau":
        return _Hit(DueKind.QUARTER, 1, 1, year, note=REASON_EARLY_YEAR)
    if prefix == "giua":
        return _Hit(DueKind.HALF_YEAR, 1, 1, year, note=REASON_MID_YEAR)
    return _Hit(DueKind.YEAR, 0, 0, year)


def _read_year(m: re.Match[str]) -> _Hit | str:
    return _year_hit(m[1], int(m[2]))


def _read_yearless_year(m: re.Match[str]) -> _Hit | str:
    return _year_hit(m[1], None)


_PREFIX = r"(?:(dau|cuoi|giua|trong|het|ca) )?"
_QUARTER_NO = r"([ivx]+|\d{1,2})(?!\w)"
_LIST = r" ?(?:-|,|va|den|toi) ?"  # "II-III", "II và III", "01 - 02"

# Finest first; each match is blanked before the next reader runs.
_READERS = (
    # "2024-12-31" (a date cell exported by a spreadsheet)
    (re.compile(r"(?<![\d/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), _read_iso_date),
    # "30/12/2021", "15-3-2024", "15.3.2024", "30/12/21": one separator throughout,
    # so "01-02/2024" stays a month range.
    # A "-" right before is the dash of a range of dates ("01/4/2026 - 15/5/2026").
    (re.compile(r"(?<![\d/.])(?<![^\d]-)(?<!^-)(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)"), _read_date),
    # "ngày 15 tháng 3 năm 2024"
    (re.compile(rf"\bngay (\d{{1,2}}) thang (\d{{1,2}})(?:(?: nam |/)({_Y4}))?(?!\d)"), _read_spoken_date),
    # "6 tháng đầu năm 2024", "6 tháng cuối năm", "nửa đầu năm 2024", "6 tháng năm 2024"
    (re.compile(rf"\b(?:6 thang|nua)(?: (dau|cuoi))? nam(?: ?/? ?({_Y4}))?(?!\d)"), _read_half_year),
    # "Quý I/2024", "Quý 1/2024", "Quý I năm 2024", "Quý II-III/2026", "Quý II và Quý III năm 2026";
    # "quí" is an older spelling.
    (
        re.compile(
            rf"\b{_PREFIX}qu[yi] {_QUARTER_NO}(?:{_LIST}(?:qu[yi] )?{_QUARTER_NO})?"
            rf"(?: ?(?:/|-|nam) ?({_Y4}|\d{{2}})(?!\d))?"
        ),
        _read_quarter,
    ),
    # "Tháng 02/2024", "tháng 3 năm 2024", "Tháng 01-02/2024", "Tháng 3"
    (
        re.compile(
            rf"\b{_PREFIX}thang (\d{{1,2}})(?!\d)(?:{_LIST}(?:thang )?(\d{{1,2}})(?!\d))?"
            rf"(?: ?(?:/|-|nam) ?({_Y4}|\d{{2}})(?!\d))?"
        ),
        _read_month,
    ),
    # "02/2024" without the word "tháng"
    (re.compile(rf"(?<![\d/.-])(\d{{1,2}})/({_Y4})(?![\d/])"), _read_bare_month),
    # "2026 - 2030", "Giai đoạn 2021-2025", "Năm 2024-2025", "Từ năm 2024 đến năm 2025"
    (re.compile(rf"(?<![\d/.-])({_Y4}) ?(?:-|den|toi) ?(?:het )?(?:nam )?({_Y4})(?!\d)"), _read_year_range),
    # "Trước năm 2028", "Trước 2028": before that year starts
    (re.compile(rf"\btruoc (?:nam )?({_Y4})(?!\d)"), _read_before_year),
    # "Trước ngày 30/6", "30/6": a day without a year, only after a deadline word
    # or alone, so "3/4 nhiệm vụ" is not read as a date.
    (
        re.compile(r"(?:^(?=\d{1,2}[/.-]\d{1,2}$)|\b(?:ngay|truoc|den|nhat) )(\d{1,2})[/.-](\d{1,2})(?![/.-]?\d)"),
        lambda m: _date_hit(m[1], m[2], None, m[0].rsplit(" ", 1)[-1]),
    ),
    # "Năm 2024", "Cuối năm 2024", "Đầu năm 2024", "2025"
    (re.compile(rf"\b{_PREFIX}(?:nam )?(?<![\d/.-])({_Y4})(?!\d)"), _read_year),
    # "Cuối năm", "Trong năm", "Đầu năm"
    (re.compile(r"\b(dau|cuoi|giua|trong|het|ca) nam\b(?! ?\d)"), _read_yearless_year),
)


# "Quý I/2024 - Quý III/2024", "Tháng 3/2024 đến tháng 5/2024": two periods of
# one kind joined like this are one stretch, not alternatives.
_RANGE_GAP_RE = re.compile(r" ?(?:-|den|toi|den het)(?: ngay)? ?")


def _scan(key: str) -> tuple[list[_Hit], list[str]]:
    """Return the periods written in a key, and why any of them cannot exist."""
    hits, problems, _rest = _scan_rest(key)
    return hits, problems


def _scan_rest(key: str) -> tuple[list[_Hit], list[str], str]:
    """Return the periods written in a key, why any of them cannot exist, and the key with the periods blanked."""
    hits: list[_Hit] = []
    problems: list[str] = []
    for pattern, read in _READERS:
        pieces, end = [], 0
        for match in pattern.finditer(key):
            found = read(match)
            if isinstance(found, str):
                problems.append(found)
            else:
                joined = bool(pieces) and _RANGE_GAP_RE.fullmatch(key, end, match.start()) is not None
                hits.append(replace(found, joined=True) if joined else found)
            pieces.append(key[end : match.start()])
            end = match.end()
        if pieces:
            key = " # ".join([*pieces, key[end:]])
    return hits, problems, key


# --- Deciding ----------------------------------------------------------------------


def _unknown(text: str, reason: str = REASON_UNKNOWN) -> Deadline:
    return Deadline(text, DueKind.UNKNOWN, None, needs_confirmation=True, reason=reason)


def _join(reasons: list[str]) -> str:
    return " ".join(dict.fromkeys(r for r in reasons if r))


def _event(text: str, key: str, default_year: int | None) -> Deadline:
    """Return an EVENT; a session "giữa năm" without its year takes default_year."""
    inferred = bool(default_year is not None and _YEAR_WORD_RE.search(key) and not _ANY_YEAR_RE.search(key))
    reasons = [REASON_EVENT, REASON_YEAR_INFERRED % {"year": default_year} if inferred else ""]
    return Deadline(text, DueKind.EVENT, None, needs_confirmation=True, year_inferred=inferred, reason=_join(reasons))


def _contiguous(spans: list[tuple[date, date, _Hit]]) -> bool:
    """Return True if the periods follow each other without gap or overlap."""
    ordered = sorted(spans, key=lambda span: span[0])
    return all(b[0] == a[1] + timedelta(days=1) for a, b in zip(ordered, ordered[1:], strict=False))


def _combine(kept: list[tuple[date, date, _Hit]]) -> tuple[DueKind, date, date, bool, list[str]]:
    """Return (kind, start, due, is a range of dates, notes) of the periods kept: the latest is due."""
    start, due, hit = max(kept, key=lambda span: span[1])
    kind = hit.kind
    date_range = False
    notes = [h.note for _, _, h in kept]
    if len(kept) > 1:
        start = min(s for s, _, _ in kept)
        # "Quý IV/2024 - Quý I/2025" and "Quý I/2024 - Quý III/2024" are one
        # stretch ("Năm 2024 và năm 2025" is a year range); two dates, or
        # periods with a gap between them, are alternatives a person must
        # choose from.
        joined = all(h.joined for *_, h in sorted(kept, key=lambda span: span[0])[1:])
        stretch = _contiguous(kept) or joined
        if kind is not DueKind.DATE and {h.kind for *_, h in kept} == {kind} and stretch:
            kind = DueKind.YEAR_RANGE if kind is DueKind.YEAR else kind
        elif len(kept) == 2 and joined and {h.kind for *_, h in kept} == {DueKind.DATE}:
            date_range = True  # "01/4/2026 - 15/5/2026": due at its end
        else:
            notes.append(REASON_SEVERAL % {"due": due.strftime("%d/%m/%Y")})
    return kind, start, due, date_range, notes


def _decide(text: str, hits: list[_Hit], default_year: int | None) -> Deadline:
    """Settle the years of the hits and turn them into one Deadline."""
    # A period without its year takes the one year written elsewhere in the
    # text ("Quý I, năm 2024"), else the document's year, marked as inferred.
    written = {h.year for h in hits if h.year is not None and h.kind is not DueKind.YEAR_RANGE}
    text_year = written.pop() if len(written) == 1 else None
    inferred = missing = False
    spans: dict[tuple[date, date], _Hit] = {}
    for hit in hits:
        year = hit.year or text_year
        if year is None and hit.kind is not DueKind.YEAR_RANGE:
            if default_year is None:
                missing = True
                continue
            year, inferred = default_year, True
        try:
            bounds = _bounds(hit, year or 0)  # YEAR_RANGE carries its own years
        except ValueError:  # "29/02" in a year that has none, or a default_year such as 0
            what = f"ngày {hit.day:02d}/{hit.first:02d}/{year}" if hit.kind is DueKind.DATE else f"năm {year}"
            return _unknown(text, REASON_INVALID % {"what": what})
        spans.setdefault(bounds, hit)
    if not spans:  # no year anywhere and no default: keep the kind, ask for the date
        reasons = [REASON_YEAR_MISSING, *(h.note for h in hits)]
        return Deadline(text, hits[0].kind, None, needs_confirmation=True, reason=_join(reasons))

    # A period that contains another is only context: "trong năm 2021 …
    # trước ngày 30/12/2021" is due on the date.
    kept = [
        (start, due, hit)
        for (start, due), hit in spans.items()
        if not any(s >= start and d <= due and (s, d) != (start, due) for s, d in spans)
    ]
    kind, start, due, date_range, notes = _combine(kept)
    if missing:
        notes.insert(0, REASON_YEAR_MISSING)
    confirm = any(notes)
    if inferred:
        notes.insert(0, REASON_YEAR_INFERRED % {"year": default_year})
    return Deadline(
        text,
        kind,
        due,
        start_date=None if kind is DueKind.DATE and not date_range else start,
        needs_confirmation=confirm,
        year_inferred=inferred,
        reason=_join(notes),
    )


def _parse(text: str, default_year: int | None) -> Deadline:
    raw = _key(text)
    if _DASHES_ONLY_RE.fullmatch(raw):
        return Deadline(text, DueKind.NONE, None)
    key = _EDGES_RE.sub("", raw)
    key = _FILLER_RE.sub("", key)
    key = _NUMBERED_RE.sub(" # ", _DOCNUM_RE.sub(" # ", key))
    for match in _WRITTEN_YEAR_RE.finditer(key):
        year = int(match[2])
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            reason = REASON_IMPOSSIBLE_YEAR % {"year": year, "min": _MIN_YEAR, "max": _MAX_YEAR}
            return replace(_unknown(text, reason), impossible_year=year)
    if _EVENT_RE.search(key):
        return _event(text, key, default_year)
    if (milestone := _milestone_then_ongoing(text, key, default_year)) is not None:
        return milestone
    dated = bool(_ANY_YEAR_RE.search(key))  # "Hằng năm, trước ngày 15/12" is the day of each year: not a date
    for recurrence, pattern in _RECURRENCES:
        if pattern.search(key):
            if dated:  # "Hằng năm, trước ngày 15/12/2026": which date is the deadline of which period?
                return Deadline(
                    text,
                    DueKind.RECURRING,
                    None,
                    recurrence=recurrence,
                    needs_confirmation=True,
                    reason=REASON_RECURRING_WITH_DATE,
                )
            return Deadline(text, DueKind.RECURRING, None, recurrence=recurrence)
    if _PERIODIC_RE.search(key):
        return Deadline(text, DueKind.RECURRING, None, needs_confirmation=True, reason=REASON_NO_PERIOD)
    if _ONGOING_RE.search(key):
        if dated:
            return Deadline(text, DueKind.ONGOING, None, needs_confirmation=True, reason=REASON_RECURRING_WITH_DATE)
        return Deadline(text, DueKind.ONGOING, None)
    if (started := _start(text, key, default_year)) is not None:
        return started
    if _CONDITION_RE.search(key):
        return _event(text, key, default_year)
    hits, problems = _scan(key)
    if problems:  # never guess around an impossible date
        return _unknown(text, problems[0])
    if not hits:
        return _unknown(text)
    if len(hits) > 1 and (first := _first_of_several(text, key, default_year)) is not None:
        return first
    return _decide(text, hits, default_year)


# "…, sau đó duy trì thường xuyên", "… và vận hành thường xuyên", "…, thực hiện hằng năm": work that goes on after a
# milestone. The milestone before it is the deadline.
_TAIL_WORDS = {
    "thuong xuyen": "thường xuyên",
    "hang nam": "hằng năm",
    "moi nam": "hằng năm",
    "hang quy": "hằng quý",
    "hang thang": "hằng tháng",
    "lien tuc": "liên tục",
    "dinh ky": "định kỳ",
}
_TAIL_RE = re.compile(
    r"(?:,|;|\bsau do\b|\bva\b|\broi\b)[ ,;]*"
    r"(?:(?:sau do|tiep tuc|duy tri|van hanh|thuc hien|trien khai|to chuc|cap nhat|khai thac|su dung|ap dung|"
    r"bao cao|kiem tra|theo doi)[ ,]*){0,4}"
    r"(" + "|".join(_TAIL_WORDS) + r")\b"
)


def _milestone_then_ongoing(text: str, key: str, default_year: int | None) -> Deadline | None:
    """Return the deadline of a milestone followed by ongoing work, or None if the text is not written so."""
    tail = _TAIL_RE.search(key)
    if tail is None:
        return None
    hits, problems = _scan(key[: tail.start()])
    if problems or not hits:
        return None
    found = _decide(text, hits, default_year)
    reasons = [found.reason, REASON_TAIL % {"tail": _TAIL_WORDS[tail[1]]}]
    return replace(found, reason=_join(reasons))


# "Bắt đầu từ Quý II/2026", "Thực hiện từ năm 2027", "Kể từ ngày 01/7/2026", "Triển khai từ năm 2026", "Sau năm 2028":
# when work starts, not when it is due.
_START_RE = re.compile(r"\b(bat dau tu|bat dau|ke tu|tu|sau) (?=(?:ngay |nam |thang |qu[yi] )?(?:\d|[ivx]+\b))")
_CLAUSE_END_RE = re.compile(r"[,;]| va | sau do | roi ")
_RANGE_END_RE = re.compile(r"(?:\b(?:den|toi)|-) ?(?:het )?(?:ngay |nam |thang |qu[yi] )?(?:\d|[ivx]+\b)")


def _start(text: str, key: str, default_year: int | None) -> Deadline | None:
    """Return a START (or, when the text also names a deliverable, that deliverable flagged), or None."""
    match = _START_RE.search(key)
    if match is None:
        return None
    end = _CLAUSE_END_RE.search(key, match.end())
    stop = end.start() if end else len(key)
    segment = key[match.end() : stop]
    if _RANGE_END_RE.search(segment):
        return None  # "Từ quý I đến quý III/2024": a stretch, read as such below
    hits, problems = _scan(segment)
    if problems or len(hits) != 1 or hits[0].kind is DueKind.YEAR_RANGE or hits[0].first != hits[0].last:
        return None  # "Từ năm 2024 đến năm 2025" is a range; "kể từ ngày Đề án được duyệt" a condition
    period = _decide(text, hits, default_year)
    if period.due_date is None:
        return None
    if match[1] == "sau":
        begins = period.due_date + timedelta(days=1)
    else:
        begins = period.start_date or period.due_date
    shown = begins.strftime("%d/%m/%Y")
    rest, rest_problems = _scan(key[: match.start()] + " # " + key[stop:])
    if rest and not rest_problems:  # "Thí điểm năm 2026, nhân rộng từ năm 2027": the first deliverable
        found = _decide(text, rest, default_year)
        if found.due_date is not None:
            due = found.due_date.strftime("%d/%m/%Y")
            reason = _join([found.reason, REASON_START_AND_DEADLINE % {"start": shown, "due": due}])
            return replace(found, needs_confirmation=True, reason=reason)
    return Deadline(
        text,
        DueKind.START,
        None,
        start_date=begins,
        needs_confirmation=True,
        year_inferred=period.year_inferred,
        reason=REASON_START_ONLY % {"start": shown},
    )


# What a clause may hold besides its period and still be only a deadline ("trong năm 2021, trước ngày 30/12/2021").
_PERIOD_WORDS = frozenset(
    "nam quy qui thang ngay truoc trong den het va giai doan cuoi dau giua tu toi hoan thanh thuc hien xong chat "
    "nhat muon cham ca dot lan # -".split()
)
_WORD_RE = re.compile(r"[a-z]{2,}")


def _first_of_several(text: str, key: str, default_year: int | None) -> Deadline | None:
    """Return the first deliverable's deadline, flagged, when clauses name different work each with its own period
    ("Thí điểm năm 2026, nhân rộng năm 2027"); None otherwise."""
    if "," not in key and ";" not in key:
        return None
    clauses = []
    for clause in re.split(r"[,;]", key):
        hits, problems, rest = _scan_rest(clause)
        if problems:
            return None
        if hits:
            found = _decide(text, hits, default_year)
            if found.due_date is None:
                return None
            work = any(w not in _PERIOD_WORDS for w in _WORD_RE.findall(rest))
            clauses.append((found, found.start_date or found.due_date, work))
    if len(clauses) < 2 or not all(work for *_, work in clauses):
        return None
    for a, a_start, _work in clauses:  # a period inside another is that one made precise, not another deadline
        for b, b_start, _other in clauses:
            if a is not b and a_start <= b_start and b.due_date <= a.due_date:
                return None
    first = clauses[0][0]
    reason = _join([first.reason, REASON_FIRST_OF_SEVERAL % {"due": first.due_date.strftime("%d/%m/%Y")}])
    return replace(first, needs_confirmation=True, reason=reason)


def parse_deadline(text: str | date | None, *, default_year: int | None = None) -> Deadline:
    """Return what a deadline text as written in an appendix means.

    `default_year` is the year of the document: it fills in a year the text
    leaves out ("Quý I", "Trước ngày 30/6"), and the result says so. Never
    raises. Besides text, a spreadsheet date cell (date or datetime) is taken
    as that date, and any other value is read as its str().
    """
    if isinstance(text, datetime):
        text = text.date()
    if isinstance(text, date):
        written = f"{text.day:02d}/{text.month:02d}/{text.year:04d}"
        if not _MIN_YEAR <= text.year <= _MAX_YEAR:
            reason = REASON_IMPOSSIBLE_YEAR % {"year": text.year, "min": _MIN_YEAR, "max": _MAX_YEAR}
            return replace(_unknown(written, reason), impossible_year=text.year)
        return Deadline(written, DueKind.DATE, text)
    if text is None:
        text = ""
    elif not isinstance(text, str):  # an Excel number cell such as 2025
        text = str(text)
    text = text.strip()
    if len(text) > _CACHED_LENGTH:  # prose: read it, but do not keep it in memory
        return _parse(text, default_year)
    return _parse_cached(text, default_year)


# Appendices repeat the same few texts ("Năm 2024") thousands of times.
_CACHED_LENGTH = 200
_parse_cached = lru_cache(maxsize=4096)(_parse)
