"""Vietnamese folding: the search form of a text (lower case, no accents, đ→d), shared by every app's search
columns, the importers and the admin. Pure Python."""

from __future__ import annotations

import functools
import re
import unicodedata

# "đ" has no decomposition in Unicode, so accent stripping alone leaves it; "Ð"/"ð" (Icelandic eth) are
# what old Vietnamese fonts and OCR put in place of "Đ"/"đ".
_D_TABLE = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})
_FOLD_PUNCT_RE = re.compile(r"[^\w&\s]|_")
_SPACES_RE = re.compile(r"\s+")
# The combining-mark blocks; after NFD every Vietnamese diacritic (incl. horn and dot below) is in the first.
_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Return the search form of ``text``: lower case, no accents, đ→d, punctuation but '&' as spaces.

    'So Noi vu' with accents -> 'so noi vu'. Text copied from Word (NFD) folds like NFC text.

    Folding is word by word: no step of it crosses a space, so folding the words and joining them gives
    what folding the whole text gives (a hypothesis test holds the two to it), and the words of plan
    documents repeat so much that a cache of them makes an import's folding ten times faster.
    """
    if not text:
        return ""
    return " ".join([folded for folded in map(_fold_word, text.split()) if folded])


@functools.lru_cache(maxsize=4096)
def fold_cell(text: str) -> str:
    """fold() of a cell that repeats from row to row (agency names, deadlines): folded once per distinct text."""
    return fold(text)


def _fold_word(word: str) -> str:
    return _fold_cached(word) if len(word) <= 40 else _fold_text(word)


@functools.lru_cache(maxsize=65536)
def _fold_cached(word: str) -> str:
    return _fold_text(word)


def _fold_text(text: str) -> str:
    """fold() of a whole text in one go: the definition of folding."""
    lowered = unicodedata.normalize("NFC", text).lower().translate(_D_TABLE)
    bare = _COMBINING_RE.sub("", unicodedata.normalize("NFD", lowered))  # a regex: 10x the generator's speed
    return _SPACES_RE.sub(" ", _FOLD_PUNCT_RE.sub(" ", bare)).strip()
