"""Collective names understood by meaning, not spelling.

"UBND xã, phường, đặc khu", "UBND các phường, xã", "UBND cấp xã" and "Ủy ban nhân dân các xã, phường, đặc khu" all
mean the communes of the province; "Sở, ban, ngành có liên quan", "Các sở, ban, ngành tỉnh" its departments; "các
bộ, ngành, địa phương" the ministries and the province; "UBND các tỉnh, thành phố" the province itself. A name is
read as the set of its words (order, commas, "các", "có liên quan" do not count) and compared with what each
collective may be made of. Pure Python; the resolver maps the meaning to the province's group.
"""

from __future__ import annotations

import re

from agencies.models import GroupKind

__all__ = ["PROVINCE_ITSELF", "meaning"]

# Not a group: the province's own People's Committee ("UBND các tỉnh, thành phố" in a national plan).
PROVINCE_ITSELF = "province_itself"

# Multi-word terms first, as single tokens (the key is folded: no accents, lower case, abbreviations expanded).
_PHRASES = (
    ("uy ban nhan dan", "ubnd"),
    ("dac khu", "dackhu"),
    ("thi tran", "thitran"),
    ("thi xa", "thixa"),
    ("thanh pho", "tp"),
    ("co quan", "coquan"),
    ("don vi", "donvi"),
    ("dia phuong", "diaphuong"),
    ("lien quan", "lienquan"),
    ("truc thuoc", "tructhuoc"),
    ("trung uong", "tw"),
    ("tren dia ban", "trendiaban"),
    ("to chuc", "tochuc"),
    ("chuyen mon", "chuyenmon"),
    ("ngang bo", "ngangbo"),
    ("chinh phu", "chinhphu"),
    ("tuong duong", "tuongduong"),
)
_PHRASE_RES = tuple((re.compile(rf"\b{re.escape(phrase)}\b"), token) for phrase, token in _PHRASES)
# Words that qualify without changing what is meant.
_NOISE = frozenset({"co", "lienquan", "trendiaban", "thuoc", "tructhuoc", "cua", "toan", "hoac"})

_COMMUNE_WORDS = frozenset({"xa", "phuong", "dackhu", "thitran"})
_COMMUNE = _COMMUNE_WORDS | {"ubnd", "cap", "tinh"}
_PROVINCE = frozenset({"ubnd", "tinh", "tp", "tw"})
_DEPARTMENT = frozenset({"so", "ban", "nganh", "tinh", "tp", "ubnd", "coquan", "chuyenmon", "tuongduong", "cap"})
_MINISTRY = frozenset({"bo", "nganh", "ngangbo", "coquan", "chinhphu", "tw"})
_UNIT = frozenset({"coquan", "donvi", "tochuc", "tinh", "doanhnghiep"})


def _tokens(key: str) -> frozenset[str]:
    for pattern, token in _PHRASE_RES:
        key = pattern.sub(token, key)
    return frozenset(key.split()) - _NOISE


def meaning(key: str) -> str | None:
    """Return the GroupKind (or PROVINCE_ITSELF) a collective name's key means; None for any other name.

    ``key`` is ``agencies.names.name_key`` of the name. No query.
    """
    words = _tokens(key)
    if not words:
        return None
    if words <= _COMMUNE and words & _COMMUNE_WORDS:
        return GroupKind.COMMUNE_COMMITTEES
    if words <= _PROVINCE and "tinh" in words and words != {"tinh"}:
        return PROVINCE_ITSELF
    if "so" in words and words <= _DEPARTMENT | {"diaphuong"} and (words & {"ban", "nganh"} or words <= {"so", "tinh"}):
        return GroupKind.ALL if "diaphuong" in words else GroupKind.DEPARTMENTS
    if "bo" in words and words <= _MINISTRY | {"diaphuong", "tinh", "tp"}:
        return GroupKind.NATIONAL if words & {"diaphuong", "tinh", "tp"} else GroupKind.MINISTRIES
    if words & {"coquan", "donvi"} and words <= _UNIT | {"diaphuong"}:
        return GroupKind.ALL if "diaphuong" in words else GroupKind.RELATED
    if words <= {"diaphuong", "tinh", "ubnd"} and "diaphuong" in words:
        return GroupKind.LOCALITIES
    return None
