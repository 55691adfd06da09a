"""Clean cell texts, fold them for matching, and read row numbers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# Characters that only disturb matching and display: line/paragraph
# separators become "\n", odd spaces a plain space, invisible ones go.
_TRANSLATE = str.maketrans(
    {
        "\r": "\n",
        "\x0b": "\n",  # Word's manual line break in clipboard text
        "\u2028": "\n",
        "\u2029": "\n",
        "\t": " ",
        "\xa0": " ",
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\xad": None,  # soft hyphen
    }
)
_SPACE_RUN = re.compile(r"[^\S\n]+")
_NEEDS_WORK = re.compile(r"[^\S ]|  |^ | $|[\u200b-\u200d\u2060\ufeff\xad]")
# A bullet typed alone on its line in Word ("-" then a line break) belongs to
# the line after it.
_BULLETS = frozenset("-+•–—*●▪◦")


def clean_text(value: str) -> str:
    """Return ``value`` NFC-normalised, stripped, space runs collapsed.

    Line breaks are kept as "\\n" (they separate agencies and bullet lines);
    blank lines are dropped and a bullet alone on a line joins the next line.
    """
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    if not _NEEDS_WORK.search(value):
        return value  # the common case: already clean
    value = value.translate(_TRANSLATE)
    if "\n" not in value:
        return _SPACE_RUN.sub(" ", value).strip()
    lines = [_SPACE_RUN.sub(" ", line).strip() for line in value.split("\n")]
    out: list[str] = []
    pending = ""
    for line in lines:
        if not line:
            continue
        if line in _BULLETS:
            pending = line
            continue
        out.append(f"{pending} {line}" if pending else line)
        pending = ""
    if pending:
        out.append(pending)
    return "\n".join(out)


_FOLD_DROP = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=8192)  # agency names and header texts repeat on every row
def fold(text: str) -> str:
    """Return ``text`` lower-cased, without diacritics or punctuation.

    "Cơ quan chủ trì tham mưu/ thực hiện" and its NFD spelling both give
    "co quan chu tri tham muu thuc hien"; "Chỉ tiêu phần đầu" (a typo in a
    real file) folds like "Chỉ tiêu phấn đấu".
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return _FOLD_DROP.sub(" ", ascii_text).strip()


# Row numbers ---------------------------------------------------------------

EMPTY = "empty"
UPPER = "upper"  # A, B, C: parts
ROMAN = "roman"  # I, II, III: sections
ARABIC = "arabic"  # 1, 2, 1.1, 2.3
LOWER = "lower"  # a), b)
BULLET = "bullet"  # -, +
OTHER = "other"  # anything else written in the number column

_ROMAN_RE = re.compile(r"[IVXL]+")
_ARABIC_RE = re.compile(r"\d{1,4}(?:\.\d{1,4}){0,4}")
_LOWER_RE = re.compile(r"[a-zđ]")
_SUB_HEADING_RE = re.compile(r"([IVXL]+|[A-ZĐ])((?:\.\d{1,3}){1,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


def roman_value(text: str) -> int:
    """Return the value of a Roman numeral up to L, or 0 if it is not one."""
    if not _ROMAN_RE.fullmatch(text):
        return 0
    total = 0
    for index, char in enumerate(text):
        value = _ROMAN_VALUES[char]
        following = _ROMAN_VALUES[text[index + 1]] if index + 1 < len(text) else 0
        total += -value if value < following else value
    # Reject non-canonical spellings such as "IIII" or "VX" by round-tripping.
    return total if total > 0 and to_roman(total) == text else 0


def to_roman(value: int) -> str:
    """Return ``value`` (1..89) as a Roman numeral."""
    out = []
    for number, letters in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while value >= number:
            out.append(letters)
            value -= number
    return "".join(out)


_RANK_ORDER = {UPPER: 0, ROMAN: 1, ARABIC: 2, LOWER: 3, BULLET: 4, OTHER: 5, EMPTY: 5}


@dataclass(frozen=True, slots=True)
class RowNumber:
    """A row number as printed, its kind and its nesting rank."""

    text: str  # as printed, trailing full stop dropped: "1." -> "1"
    kind: str
    depth: int = 0  # dots in an Arabic number: "2.3" -> 1
    # the form used to compare numbers for duplicates, computed once (read_number's cache shares the object)
    key: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.text.rstrip(".)").strip().casefold())

    @property
    def rank(self) -> tuple[int, int]:
        """Return the nesting rank: parts > Roman > Arabic (by depth) > letters."""
        return _RANK_ORDER[self.kind], self.depth


@lru_cache(maxsize=4096)  # "1" … "100", "I", "a)": the same few texts on every row of a table
def read_number(text: str) -> RowNumber:
    """Classify the text of a number cell ("I", "A", "1.", "2.3", "a)", "-")."""
    text = text.strip()
    if not text:
        return RowNumber("", EMPTY)
    if text in _BULLETS:
        return RowNumber(text, BULLET)
    bare = text[:-1].rstrip() if text.endswith(".") else text
    if _ARABIC_RE.fullmatch(bare):
        return RowNumber(bare, ARABIC, bare.count("."))
    inner = bare[:-1] if bare.endswith(")") else bare
    if inner.startswith("(") and _ARABIC_RE.fullmatch(inner[1:]):
        return RowNumber(bare, ARABIC, 0)
    if _ARABIC_RE.fullmatch(inner):
        return RowNumber(bare, ARABIC, inner.count("."))
    if sub := _SUB_HEADING_RE.fullmatch(inner):  # "III.1", "III.1.1", "A.2": a heading nested in a section
        depth = sub[2].count(".")
        return RowNumber(bare, ROMAN if roman_value(sub[1]) else UPPER, depth)
    if len(inner) == 1 and inner in "IVX":
        return RowNumber(bare, ROMAN)  # the caller may reread it as a letter
    if len(inner) == 1 and ("A" <= inner <= "Z" or inner == "Đ"):
        return RowNumber(bare, UPPER)
    if roman_value(inner):
        return RowNumber(bare, ROMAN)
    if _LOWER_RE.fullmatch(inner):
        return RowNumber(bare, LOWER)
    return RowNumber(bare, OTHER)


# "I. Kinh tế số", "1. Các nhiệm vụ…", "Phần II - Nhiệm vụ", "A) Nền móng":
# a number and a title in one cell. The title must start with a letter so
# that "1.000 hồ sơ" or "2.5%" are not split.
_HEADING_RE = re.compile(
    r"(?:(?:PHẦN|Phần|phần)\s+)?"
    r"(?P<num>(?:[IVXL]+|[A-ZĐ])(?:\.\d{1,3}){1,3}|[IVXL]+|[A-ZĐ]|\d{1,3}(?:\.\d{1,3}){0,3})"
    r"(?P<sep>\s*[.):–-]\s*|\s+)"
    r"(?P<title>[^\W\d_].*)",
    re.DOTALL,
)


def split_heading(text: str) -> tuple[RowNumber, str] | None:
    """Split "I. Kinh tế số" into (I, "Kinh tế số"), or return None."""
    match = _HEADING_RE.fullmatch(text.strip())
    if not match:
        return None
    number = read_number(match["num"])
    if number.kind in (OTHER, EMPTY, BULLET, LOWER):
        return None
    title = match["title"].strip()
    # Without punctuation only "II Cải cách…" / "A PHÁT TRIỂN…" read as
    # headings; "2 bộ dữ liệu…" is a sentence.
    if not match["sep"].strip() and (number.kind == ARABIC or not title[0].isupper()):
        return None
    return number, title
