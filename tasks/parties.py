"""Agency cells as real documents write them, before and after the directory's splitter (agencies.names).

The splitter cuts a cell into names at commas, semicolons and "và"; real appendices also write

- a collective without "Các": "Sở, ban, ngành liên quan" (read as the group "Các sở, ban, ngành");
- two names with no separator: "Sở Tài chính Sở Xây dựng";
- scope prose after a name: "Bộ Tài chính với các quy định về phí, lệ phí" (the prose is not a party);
- parties that are not agencies: enterprises, investors, residents, associations, socio-political organisations.
  They are kept as the task's other parties: never offered as unknown agencies to map, never dropped.

``prepare_cell`` rewrites the text before it is split; ``is_other_party`` tells the names left unknown that are not
agencies. Pure functions over text.
"""

from __future__ import annotations

import re

from core.text import fold

# "Sở, ban, ngành", "sở ban ngành", "Sở, ngành" at the start of a piece, without "Các".
_BARE_COLLECTIVE_RE = re.compile(
    r"(^|[;\n,]\s*|\s(?:và|cùng|với)\s+)(?:[Cc]ác\s+)?[Ss]ở\s*,?\s*(?:[Bb]an\s*,?\s*)?[Nn]gành(?=$|[\s,;.])"
)
# A name of a department or ministry right after another full name ("Sở Tài chính Sở Xây dựng").
_SECOND_HEAD_RE = re.compile(r"(?<=[^\W\d_])\s+(?=(?:Sở|Bộ)\s+[^\W\d_])")
_FIRST_HEAD_RE = re.compile(r"^(?:Sở|Bộ|Ban|UBND|Ủy ban|Uỷ ban|Công an|Đài|Báo|Thanh tra|Kho bạc|Cục|Chi cục)\s")
_OWNER_WORDS = ("phòng", "tra", "của", "thuộc", "và", "với", "các", "cùng", "đốc", "trực", "chủ")
_HEADS = r"(?:Sở|Bộ|UBND|Ủy ban|Uỷ ban|[Cc]ác|Văn phòng|Ban|Công an|Đài|Báo|Thanh tra|Kho bạc)"
# "… với các quy định về phí, lệ phí", "… về nội dung …", "… đối với lĩnh vực …": up to the next name or the end.
_SCOPE_RE = re.compile(
    r"\s+(?:với|về|đối với|trong|theo)\s+(?:các\s+|việc\s+|những\s+)?"
    r"(?:quy định|nội dung|lĩnh vực|vấn đề|chính sách|thủ tục|văn bản|chức năng|nhiệm vụ|phạm vi)\b"
    rf".*?(?=[;\n]|,\s*{_HEADS}\b|$)"
)

# Folded beginnings (or whole words) of parties that are not state agencies.
_PARTY_RE = re.compile(
    r"^(?:cac |nhung )?(?:"
    r"doanh nghiep|cong ty|tap doan|hop tac xa|nha dau tu|chu dau tu|nha thau|doi tac|"
    r"nguoi dan|nhan dan|cong dong|ho gia dinh|ca nhan|to chuc(?:,)? ca nhan|to chuc xa hoi|"
    r"hiep hoi|hoi |lien hiep cac hoi|cau lac bo|"
    r"mat tran|uy ban mat tran|ubmttq|mttq|uy ban mttq|doan thanh nien|tinh doan|doan tncs|"
    r"lien doan lao dong|cong doan|to chuc chinh tri|doan the|cac to chuc doan the|"
    r"ngan hang thuong mai|to chuc tin dung|co so san xuat|co so kinh doanh|"
    r"nguoi lao dong|nguoi su dung|hoc sinh|sinh vien"
    r")"
)


def prepare_cell(text: str) -> str:
    """Return the cell text rewritten so that the splitter cuts it into the names a person reads."""
    if not text:
        return text
    text = _SCOPE_RE.sub("", text)
    text = _BARE_COLLECTIVE_RE.sub(
        lambda m: f"{'; ' if m[1].strip() in ('và', 'cùng', 'với') else m[1]}Các sở, ban, ngành", text
    )
    return "; ".join(_split_glued(piece) for piece in re.split(r"\s*;\s*", text))


def _split_glued(piece: str) -> str:
    """Insert a separator between two full names written one after the other."""
    if not _FIRST_HEAD_RE.match(piece) or "," in piece:
        return piece
    out, start = [], 0
    for match in _SECOND_HEAD_RE.finditer(piece):
        before = piece[start : match.start()]
        last_word = before.rsplit(" ", 1)[-1].lower()
        if len(before.split()) >= 2 and last_word not in _OWNER_WORDS:
            out.append(before)
            start = match.end()
    out.append(piece[start:])
    return "; ".join(out)


def is_other_party(name: str) -> bool:
    """True for a party that is not a state agency (enterprises, investors, residents, associations…)."""
    return bool(_PARTY_RE.match(fold(name) + " "))
