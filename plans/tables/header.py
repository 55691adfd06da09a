"""Find the header band of an appendix table and map its columns to roles."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from .model import HEADER_SCAN_ROWS, SourceRow
from .text import EMPTY, OTHER, fold, read_number, split_heading

# How many header texts each Role remembers matching (a few per file; cleared when full).
_KNOWN_KEYS = 4096


@dataclass(frozen=True, slots=True)
class Role:
    """A column role and the header texts (folded) that name it.

    ``exact`` and ``pattern`` are strict: they also recognise a header
    repeated at a page break. ``prefixes`` and ``contains`` are lenient and
    only used to find the first header band, where a data cell cannot be
    mistaken for a header ("Sở X chủ trì, phối hợp…" contains "chu tri").
    """

    name: str
    exact: frozenset[str]
    prefixes: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    # key -> matches(key), lenient and strict: the header search asks every role about the same few texts again
    _lenient: dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)
    _strict: dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)

    def matches(self, key: str, *, strict: bool = False) -> bool:
        """Return True if the folded header text ``key`` names this role."""
        known = self._strict if strict else self._lenient
        found = known.get(key)
        if found is None:
            if len(known) >= _KNOWN_KEYS:  # the texts of every file read by this process: keep the memory bounded
                known.clear()
            found = known[key] = self._matches(key, strict)
        return found

    def _matches(self, key: str, strict: bool) -> bool:
        if key in self.exact or (self.pattern is not None and self.pattern.fullmatch(key)):
            return True
        if strict:
            return False
        return any(key.startswith(p) for p in self.prefixes) or any(f" {c} " in f" {key} " for c in self.contains)


# A footnote mark glued to a header ("Cơ quan chủ trì[1]", "Thời hạn(*)", "Ghi chú*", "Sản phẩm²", "chủ trì1").
_FOOTNOTE_MARK = re.compile(
    r"(?:\s*(?:\[\s*\w{1,3}\s*\]|\(\s*(?:\*+|\d{1,2})\s*\)|\*+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)|(?<=[^\W\d_])\d{1,2})+\s*$"
)


def without_mark(text: str) -> str:
    """Return a header text without the footnote mark glued to its end."""
    return _FOOTNOTE_MARK.sub("", text) if text else text


@lru_cache(maxsize=4096)  # the header texts and the first rows' cells, folded again for each role set and check
def header_key(text: str) -> str:
    """Return the folded header text, footnote mark dropped."""
    return fold(without_mark(text))


def _role(name: str, exact: Sequence[str], **kwargs: object) -> Role:
    return Role(name, frozenset(fold(text) for text in exact), **kwargs)  # type: ignore[arg-type]


_NUMBER = _role("number", ["STT", "TT", "Số TT", "Số thứ tự", "Thứ tự"])
_LEADISH = re.compile(r"(co quan |don vi )+(chu tri )?thuc hien( chinh)?")

TASK_ROLES: tuple[Role, ...] = (
    _NUMBER,
    # The task's name: "Tên", "Nhiệm vụ", "Dự án", "Đề án" in any combination ("Tên nhiệm vụ, đề án", "Tên đề án/dự
    # án", "Nhiệm vụ/Dự án"). A content column ("Nội dung…", "Mô tả…") is the title only when no name column exists.
    _role(
        "title",
        [
            "Tên sản phẩm",
            "Nhiệm vụ",
            "Tên nhiệm vụ",
            "Nhiệm vụ, giải pháp",
            "Chỉ tiêu",
            "Công việc",
            "Tên công việc",
        ],
        prefixes=("ten nhiem vu", "nhiem vu", "ten san pham", "ten cong viec", "ten de an", "ten du an"),
        pattern=re.compile(
            r"(?:ten(?: goi)?|nhiem vu|du an|de an|chuong trinh)"
            r"(?: (?:ten|nhiem vu|du an|de an|chuong trinh|san pham|cong viec|giai phap|va|hoac))*"
        ),
    ),
    _role(
        "description",
        ["Nội dung", "Nội dung công việc", "Nội dung nhiệm vụ", "Mô tả", "Nội dung thực hiện", "Nội dung chủ yếu"],
        prefixes=("noi dung", "mo ta"),
    ),
    _role(
        "lead",
        [
            "Cơ quan chủ trì",
            "Cơ quan chủ trì tham mưu/thực hiện",
            "Đơn vị chủ trì",
            "Đơn vị thực hiện",
            "Cơ quan chủ trì thực hiện",
            "Chủ trì",
            "Cơ quan thực hiện",
        ],
        contains=("chu tri",),
        pattern=_LEADISH,
    ),
    _role("cooperating", ["Cơ quan phối hợp", "Đơn vị phối hợp", "Phối hợp"], contains=("phoi hop",)),
    _role(
        "deadline",
        ["Thời gian thực hiện", "Thời hạn hoàn thành", "Thời hạn", "Thời gian hoàn thành", "Tiến độ"],
        prefixes=("thoi gian", "thoi han", "tien do", "han hoan thanh"),
    ),
    _role(
        "output",
        ["Sản phẩm", "Sản phẩm đầu ra", "Kết quả thực hiện", "Kết quả", "Kết quả đầu ra"],
        prefixes=("san pham", "ket qua thuc hien", "ket qua dau ra", "ket qua can dat"),
    ),
    _role("note", ["Ghi chú"], prefixes=("ghi chu",)),
)

# A target column of one period: "Chỉ tiêu phấn đấu năm 2027", "Mục tiêu đến năm 2030", "Kết quả năm 2026", "Giá trị 2030".
TARGET_YEAR = re.compile(
    r"(?:chi tieu|muc tieu|ket qua|gia tri)(?: phan dau| ke hoach| can dat| giao| muc tieu)?(?: den)?(?: het)?(?: nam)? (\d{4})"
)

INDICATOR_ROLES: tuple[Role, ...] = (
    _NUMBER,
    _role("name", ["Chỉ tiêu", "Tên chỉ tiêu", "Nội dung chỉ tiêu"], prefixes=("ten chi tieu",)),
    _role("unit", ["Đơn vị tính", "ĐVT", "Đơn vị đo", "Đơn vị"], prefixes=("don vi tinh",)),
    _role(
        "target",
        [
            "Chỉ tiêu",
            "Mục tiêu",
            "Giá trị",
            "Chỉ tiêu phấn đấu",
            "Kế hoạch",
            "Kết quả",
            "Kết quả cần đạt",
            "Giá trị mục tiêu",
        ],
        prefixes=("muc tieu", "chi tieu phan dau", "ket qua can dat", "gia tri muc tieu"),
        # "Chỉ tiêu phấn đấu năm 2022" and the real typo "phần đầu" fold alike.
        pattern=TARGET_YEAR,
    ),
    _role(
        "monitoring",
        ["Đơn vị theo dõi, hướng dẫn thực hiện", "Đơn vị theo dõi", "Cơ quan theo dõi"],
        contains=("theo doi",),
    ),
    _role(
        "year",
        ["Năm", "Thời hạn", "Thời gian", "Lộ trình", "Năm hoàn thành", "Thời gian hoàn thành"],
        prefixes=("thoi han",),
    ),
    _role(
        "implementing",
        ["Đơn vị thực hiện", "Cơ quan thực hiện", "Chủ trì", "Cơ quan chủ trì", "Đơn vị chủ trì"],
        contains=("chu tri",),
        pattern=_LEADISH,
    ),
)

# "(1)", "1", and OCR slips such as "(ổ)": parenthesised or plain digits.
_COLUMN_NUMBER = re.compile(r"\(\w{1,3}\)|\d{1,2}")
_DIGITS = re.compile(r"\(?\d{1,2}\)?")


@dataclass(slots=True)
class HeaderBand:
    """The header band found, and how its columns map to roles."""

    columns: dict[str, int]  # role -> column index
    extras: dict[int, str]  # column index -> header text, for unmatched columns
    labels: dict[int, str]  # column index -> header text as written
    header_rows: list[int]  # source row numbers of the band (repeats appended later)
    start: int  # index into rows of the band's first row
    end: int  # index into rows just after the band
    keys: frozenset[str] = field(default_factory=frozenset)  # folded header texts

    def label(self, column: int) -> str:
        """Return the header text of ``column`` for messages."""
        return self.labels.get(column, "")


def is_column_number_row(row: SourceRow) -> bool:
    """Return True for a row of column numbers: "(1) (2) (3)…" or "1 2 3 4 5"."""
    cells = row.cells
    if len(cells) < 3 or max(map(len, cells)) > 5:  # a task row has a title: decided without a regex
        return False
    texts = [text for text in cells if text]
    if len(texts) < 3 or not all(_COLUMN_NUMBER.fullmatch(text) for text in texts):
        return False
    return sum(1 for text in texts if _DIGITS.fullmatch(text)) * 2 >= len(texts)


def _row_roles(row: SourceRow, roles: Sequence[Role], *, strict: bool) -> set[str]:
    """Return the roles named by the cells of ``row``, one per cell.

    One role per cell, so that a title line such as "Phân công cơ quan chủ
    trì, phối hợp…" cannot pass for a two-column header.
    """
    found: set[str] = set()
    for column in range(row.width):
        key = header_key(row.filled(column))
        if not key:
            continue
        for role in roles:
            if role.name not in found and role.matches(key, strict=strict):
                found.add(role.name)
                break
    return found


# Columns a usable header must name: all of the first set, one of the second.
TASK_REQUIRED = (frozenset({"number", "title"}), frozenset({"lead", "deadline"}))
INDICATOR_REQUIRED = (frozenset({"number", "name"}), frozenset({"target", "implementing", "monitoring", "unit"}))


def usable(band: HeaderBand | None, required: tuple[frozenset[str], frozenset[str]]) -> bool:
    """Return True if ``band`` names every column in ``required[0]`` and one in ``required[1]``."""
    if band is None:
        return False
    found = set(band.columns)
    return required[0] <= found and bool(required[1] & found)


def has_table_header(rows: Sequence[SourceRow]) -> bool:
    """Return True if ``rows`` start with a usable task or indicator header.

    Readers use it to pick the sheet, or the first table of a whole plan
    document, that holds the appendix.
    """
    return usable(find_header(rows, TASK_ROLES), TASK_REQUIRED) or usable(
        find_header(rows, INDICATOR_ROLES), INDICATOR_REQUIRED
    )


def _spans(row: SourceRow, column: int) -> bool:
    """Return True if the cell at ``column`` is part of a horizontal merge."""
    return column in row.hmerged or (column + 1) in row.hmerged


def _joins_band(candidate: SourceRow, band_row: SourceRow, roles: Sequence[Role], *, above: bool) -> bool:
    """Return True if ``candidate`` continues the header band next to ``band_row``.

    Each text in it must name a role, repeat the band row (vertical merge),
    or be a group title merged over sub-headers ("Phân công thực hiện" over
    "Cơ quan chủ trì" | "Cơ quan phối hợp", "Trách nhiệm cụ thể" over the
    monitoring and implementing units).
    """
    if candidate.is_blank or candidate.paragraph or is_column_number_row(candidate):
        return False
    texts = [text for text in candidate.cells if text]
    if len(texts) == 1 and (above or split_heading(texts[0])):
        # One text merged across the table is a title or a heading ("1. Các
        # nhiệm vụ…"); the top row of a real band holds the texts of every
        # header merged down from it.
        return False
    new_text = anchored = False
    for column in range(candidate.width):
        text = candidate.filled(column)
        if not text:
            continue
        same = text == band_row.filled(column)
        named = any(role.matches(header_key(text)) for role in roles)
        grouped = _spans(candidate, column) if above else _spans(band_row, column)
        if not (same or named or grouped):
            return False
        new_text = new_text or not same
        anchored = anchored or same or named
    return new_text and anchored


def find_header(rows: Sequence[SourceRow], roles: Sequence[Role]) -> HeaderBand | None:
    """Find the header band among the first non-blank rows, or return None.

    The row naming most roles (at least two) anchors the band; adjacent rows
    that continue it (two-row headers) join it. Each column takes the role
    named by its lowest header text, else by the texts above it; a column
    whose role is already taken, or that names none, becomes an extra column.
    """
    scanned = list(islice((i for i, row in enumerate(rows) if row.cells), HEADER_SCAN_ROWS))  # not is_blank
    best, best_score = -1, 1
    for index in scanned:
        score = len(_row_roles(rows[index], roles, strict=False))
        if score > best_score:
            best, best_score = index, score
    if best < 0:
        return None
    start = end = best
    while start > 0 and start > best - 2 and _joins_band(rows[start - 1], rows[start], roles, above=True):
        start -= 1
    while end + 1 < len(rows) and end < best + 2 and _joins_band(rows[end + 1], rows[end], roles, above=False):
        end += 1
    band = rows[start : end + 1]
    return _map_columns(band, roles, start, end + 1)


def _map_columns(band: Sequence[SourceRow], roles: Sequence[Role], start: int, end: int) -> HeaderBand:
    """Assign a role (or extra) to each column of the header ``band``."""
    width = max(row.width for row in band)
    columns: dict[str, int] = {}
    extras: dict[int, str] = {}
    labels: dict[int, str] = {}
    keys: set[str] = set()
    for column in range(width):
        texts: list[str] = []
        for row in band:
            text = without_mark(row.filled(column).replace("\n", " "))
            if text and (not texts or texts[-1] != text):
                texts.append(text)
        if not texts:
            continue
        keys.update(header_key(text) for text in texts)
        labels[column] = texts[-1]
        role = _pick_role(texts, roles, columns)
        if role:
            columns[role] = column
        else:
            extras[column] = " - ".join(texts)
            labels[column] = extras[column]
    if "title" not in columns and header_key(labels.get(columns.get("description", -1), "")).startswith("noi dung"):
        columns["title"] = columns.pop("description")  # "Nội dung" alone is the task's name ("Mô tả" alone is not)
    return HeaderBand(
        columns=columns,
        extras=extras,
        labels=labels,
        header_rows=[row.number for row in band],
        start=start,
        end=end,
        keys=frozenset(keys),
    )


def _pick_role(texts: list[str], roles: Sequence[Role], taken: dict[str, int]) -> str:
    """Return the first free role named by the lowest text that names one."""
    for text in reversed(texts):
        key = header_key(text)
        names = [role.name for role in roles if role.matches(key)]
        if names:
            free = [name for name in names if name not in taken]
            return free[0] if free else ""
    return ""


def is_repeated_header(row: SourceRow, band: HeaderBand, roles: Sequence[Role]) -> bool:
    """Return True if ``row`` repeats the header (a printed page break).

    At least two cells must be header texts: texts of the first band or
    strict role names, so that the Đồng Nai repeat saying "Nội dung" where
    the first header said "Nhiệm vụ, giải pháp", and with its STT cell empty,
    is still recognised. The number cell must not hold a row number.
    """
    if row.paragraph:
        return False
    number_col = band.columns.get("number")
    if number_col is not None and read_number(row.cell(number_col)).kind not in (EMPTY, OTHER):
        return False  # a row number: the common case, decided without folding every cell
    hits = 0
    for column in range(row.width):
        text = row.filled(column)
        if not text:
            continue
        key = header_key(text)
        if key in band.keys or any(role.matches(key, strict=True) for role in roles):
            hits += 1
    return hits >= 2
