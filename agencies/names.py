"""Agency names as plan appendices write them: search folding, cell splitting and matching keys.

A cell of a "Cơ quan chủ trì" / "Cơ quan phối hợp" column names one agency or several, or a collective
("Các sở, ban, ngành", "UBND cấp huyện, cấp xã"). Commas separate names but also occur inside names
("Sở Văn hóa, Thể thao và Du lịch") and collectives ("UBND các huyện, thị xã, thành phố"), so a comma or
a line break only starts a new name when the next piece begins with an agency head word ("Sở", "UBND",
"Cục"…). Pure Python on purpose: importers, the admin and the models all call it, with or without Django.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from core.text import fold, fold_cell

_SPACES_RE = re.compile(r"\s+")

__all__ = ["NamePart", "fold", "fold_cell", "key_variants", "name_key", "parse_agency_cell", "split_agency_cell"]

# --------------------------------------------------------------------------------------------------
# name_key
# --------------------------------------------------------------------------------------------------

# Abbreviations as documents write them, in folded form. Parts may be glued ("tnmt"), joined by '&'
# ("tn&mt") or by a hyphen that fold() turned into a space ("ld tb&xh"), or by "va" ("pt va th").
# Longest first, so "tt pvhcc" is read before "pvhcc".
_ABBREVIATIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("ld", "tb", "xh"), "lao dong thuong binh va xa hoi"),
    (("vh", "tt", "dl"), "van hoa the thao va du lich"),
    (("bvh", "tt", "dl"), "bo van hoa the thao va du lich"),
    (("nn", "pt", "nt"), "nong nghiep va phat trien nong thon"),
    (("nn", "ptnt"), "nong nghiep va phat trien nong thon"),
    (("tt", "pv", "hcc"), "trung tam phuc vu hanh chinh cong"),
    (("tt", "pvhcc"), "trung tam phuc vu hanh chinh cong"),
    (("ub", "mttqvn"), "uy ban mat tran to quoc viet nam"),
    (("ub", "mttq"), "uy ban mat tran to quoc"),
    (("mttq", "vn"), "mat tran to quoc viet nam"),
    (("nn", "mt"), "nong nghiep va moi truong"),
    (("tn", "mt"), "tai nguyen va moi truong"),
    (("tt", "tt"), "thong tin va truyen thong"),
    (("kh", "cn"), "khoa hoc va cong nghe"),
    (("kh", "dt"), "ke hoach va dau tu"),
    (("gd", "dt"), "giao duc va dao tao"),
    (("gt", "vt"), "giao thong van tai"),
    (("pt", "th"), "phat thanh va truyen hinh"),
    (("bo", "chqs"), "bo chi huy quan su"),
    (("bchqs",), "bo chi huy quan su"),
    (("chqs",), "chi huy quan su"),
    (("bdbp",), "bo doi bien phong"),
    (("pvhcc",), "phuc vu hanh chinh cong"),
    (("dlqgvn",), "du lich quoc gia viet nam"),
    (("mttq",), "mat tran to quoc"),
    (("ubnd",), "uy ban nhan dan"),
    (("hdnd",), "hoi dong nhan dan"),
    (("dbqh",), "dai bieu quoc hoi"),
    (("bql",), "ban quan ly"),
    (("kbnn",), "kho bac nha nuoc"),
    (("nhnn",), "ngan hang nha nuoc"),
    (("nhcsxh",), "ngan hang chinh sach xa hoi"),
    (("bhxh",), "bao hiem xa hoi"),
    (("tand",), "toa an nhan dan"),
    (("vksnd",), "vien kiem sat nhan dan"),
    (("cqcm",), "co quan chuyen mon"),
    (("cntt",), "cong nghe thong tin"),
    (("ktcn",), "ky thuat cong nghe"),
    (("kcn",), "khu cong nghiep"),
    (("kkt",), "khu kinh te"),
    (("snv",), "so noi vu"),
    (("ub",), "uy ban"),
    (("vp",), "van phong"),
    (("tw",), "trung uong"),
)
# Short forms that only mean one thing right after "Sở" ("Sở TP" is the justice department, while
# "UBND TP. Hà Nội" is a city) or before "tỉnh" ("CA tỉnh"); read before the general list.
_CONTEXT_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bso tc\b"), "so tai chinh"),
    (re.compile(r"\bso tp\b"), "so tu phap"),
    (re.compile(r"\bso nv\b"), "so noi vu"),
    (re.compile(r"\bso xd\b"), "so xay dung"),
    (re.compile(r"\bso yt\b"), "so y te"),
    (re.compile(r"\bso ct\b"), "so cong thuong"),
    (re.compile(r"\bca tinh\b"), "cong an tinh"),
)
# Read last, once "Sở TP" is taken: elsewhere TP/TX are a city / a town.
_PLACE_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\btp\b"), "thanh pho"),
    (re.compile(r"\btx\b"), "thi xa"),
)
_ABBREVIATION_JOINER = r"(?:\s*&\s*|\s+va\s+|\s*)"
_ABBREVIATION_RES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(r"(?<![a-z0-9])" + _ABBREVIATION_JOINER.join(parts) + r"(?![a-z0-9])"), expansion)
    for parts, expansion in _ABBREVIATIONS
)
# Words that carry no meaning for matching: "và"/"&" come and go between variants ("Phát thanh - Truyền
# hình" / "Phát thanh và Truyền hình"), "các" is only a plural marker ("Các sở, ban, ngành" / "sở, ban, ngành").
_FILLER_WORDS = frozenset({"va", "cac"})
# A person's title in front of the agency ("Giám đốc Trung tâm…", "Chủ tịch UBND tỉnh"): the task belongs
# to the agency, so the key drops it.
# "Trưởng"/"Chánh" only before the unit they head: "Trưởng Ban Quản lý…" keeps "Ban", and "Trường" (a school)
# folds to the same "truong".
_TITLE_RE = re.compile(
    r"^(?:pho )?(?:giam doc|cuc truong|vu truong|chi cuc truong|vien truong|thu truong|chu tich|hieu truong|bi thu"
    r"|tong bien tap|nguoi dung dau|lanh dao|truong(?= (?:ban|phong) )|chanh(?= (?:van phong|thanh tra))"
    r"|chanh an(?= toa))\s+(?=\S)"
)
_LEADING_MARK_RE = re.compile(r"^\s*(?:[-–—+•*]+\s*|\(\d{1,2}\)\s*|\d{1,2}[.)]\s+|[a-zđ]\)\s+)+")


@functools.lru_cache(maxsize=16384)  # imports repeat the same few names thousands of times
def name_key(name: str) -> str:
    """Return the matching key of one agency name: fold() plus abbreviation expansion and filler removal.

    'VP UBND tỉnh' == 'Văn phòng Ủy ban nhân dân tỉnh'; 'Sở TT&TT' == 'Sở Thông tin và Truyền thông';
    'Sở Sở Công thương' == 'Sở Công Thương'. A trailing 'tỉnh' is kept: see key_variants().
    """
    if not name:
        return ""
    key = fold(_LEADING_MARK_RE.sub("", unicodedata.normalize("NFC", name)))
    key = _TITLE_RE.sub("", key)
    for pattern, expansion in (*_CONTEXT_ABBREVIATIONS, *_ABBREVIATION_RES, *_PLACE_ABBREVIATIONS):
        key = pattern.sub(expansion, key)
    words: list[str] = []
    for word in key.replace("&", " ").split():
        # A doubled word is a typing slip ("Sở Sở Công thương", "các khu khu công nghiệp").
        if word not in _FILLER_WORDS and (not words or words[-1] != word):
            words.append(word)
    return " ".join(words)


# --------------------------------------------------------------------------------------------------
# key_variants
# --------------------------------------------------------------------------------------------------

_RELATED_RE = re.compile(r"\s+(?:co\s+)?lien quan$")
_PROVINCE_PREFIX_RE = re.compile(r"^(?:tinh|thanh pho|tp)\s+")


def _place_re(provinces: tuple[str, ...]) -> re.Pattern[str]:
    """Compile the trailing place qualifier: 'tỉnh', 'thuộc tỉnh', 'tỉnh <province>', '<province>'."""
    scope = r"(?:\s+(?:thuoc|tren dia ban|cua))?"
    if not provinces:
        return re.compile(scope + r"\s+tinh$")
    names = "|".join(re.escape(p) for p in sorted(provinces, key=len, reverse=True))
    # "thành phố" alone is part of collectives ("UBND các huyện, thị xã, thành phố"): only with the name.
    return re.compile(scope + rf"\s+(?:tinh(?:\s+(?:{names}))?|thanh pho\s+(?:{names})|(?:{names}))$")


def key_variants(name: str, province_names: tuple[str, ...] = ()) -> list[str]:
    """Return the keys to try in order, most specific first, without duplicates or empty keys.

    name_key(name); then without a trailing 'tỉnh' / 'thuộc tỉnh' / 'tỉnh <province>' / '<province>';
    then without a trailing 'liên quan' / 'có liên quan' (parse_agency_cell() keeps that as a qualifier).
    """
    base = name_key(name)
    provinces = tuple(dict.fromkeys(p for p in (_PROVINCE_PREFIX_RE.sub("", name_key(n)) for n in province_names) if p))
    place = _place_re(provinces)
    unrelated = _RELATED_RE.sub("", base)
    variants: list[str] = []
    for key in (base, place.sub("", base), unrelated, place.sub("", unrelated)):
        if key and key not in variants:
            variants.append(key)
    return variants


# --------------------------------------------------------------------------------------------------
# split_agency_cell
# --------------------------------------------------------------------------------------------------

# Words that begin an agency name when they begin a piece (case matters: "ban" in "Các sở, ban, ngành"
# continues the collective, "Ban Quản lý…" is a new agency). "Các"/"các" open a collective.
_HEAD_WORDS = tuple(
    "Sở|Văn phòng|VP|UBND|Ủy ban|Uỷ ban|UB|Ban|Các|các|Cục|Chi cục|Tổng cục|Vụ|Bộ|Bộ Chỉ huy|Trung tâm|Đài|Báo"
    "|Công an|Thuế|Kho bạc|Ngân hàng|Bảo hiểm|Trường|Bệnh viện|Tỉnh đoàn|Tỉnh ủy|Tỉnh uỷ|Thành ủy|Thành uỷ|Huyện ủy"
    "|Huyện uỷ|Đảng ủy|Đảng uỷ|Hội|Hội đồng|Liên đoàn|Liên minh|Mặt trận|Viện|Viện kiểm sát|Học viện|Thanh tra"
    "|Công ty|Tổng công ty|Hải quan|Cơ quan|Đơn vị|Phòng|Chi nhánh|Doanh nghiệp|Tòa án|Toà án|Quỹ|Đoàn|Huyện"
    "|Thị xã|Thành phố|Bưu điện|Cảnh sát|Bộ đội|Giám đốc|Thủ trưởng|Chủ tịch|Người đứng đầu".split("|")
)
# Longest first so that "Bộ Chỉ huy" wins over "Bộ"; a head must end at a word boundary ("Sở" not "Sởi").
_HEAD_RE = re.compile(
    r"^(?!Báo cáo\b|Ban hành\b)(?P<head>"
    + "|".join(re.escape(h) for h in sorted(_HEAD_WORDS, key=len, reverse=True))
    + r")(?=$|[\s,.;:()/&-])"
)
# Heads that never need a capitalised word after them to be read as a new agency.
_ALWAYS_STRONG_HEADS = frozenset({"Các", "các", "UBND", "VP", "UB"})
# A piece made only of these words names no agency on its own: it extends a collective
# ("Các sở, ban, ngành", "UBND các phường, xã có liên quan", "Cơ quan, đơn vị liên quan").
_BARE_RE = re.compile(
    r"^(?:(?:các|và|hoặc|có|liên quan|tương đương|ngang|trực thuộc|thuộc|sở|ban|ngành|bộ|cơ quan|đơn vị"
    r"|địa phương|phòng|huyện|quận|xã|phường|đặc khu|thị trấn|thị xã|thành phố|tổ chức|đoàn thể|hội|doanh nghiệp"
    r"|tỉnh|cấp)(?:\s+|$))+$",
    re.IGNORECASE,
)
_LEVEL_END_RE = re.compile(r"(?:^|\s)(?:huyện|quận|xã|phường|đặc khu|thị trấn|thị xã|thành phố)$", re.IGNORECASE)
_COLLECTIVE_START_RE = re.compile(r"^(?:[Cc]ác\s|.*\s[Cc]ác\s)")
# Ellipsis: "UBND cấp huyện, cấp xã" -> "UBND cấp xã"; "UBND cấp huyện, xã" -> "UBND cấp xã".
_CAP_PIECE_RE = re.compile(r"^cấp\s+\S")
_LEVEL_PIECE_RE = re.compile(r"^(?:xã|huyện|tỉnh|phường|quận|thị xã|thị trấn)$")
_CAP_LEVEL_END_RE = re.compile(r"^(?P<prefix>.*\S)\s+cấp\s+(?:xã|huyện|tỉnh|phường|quận|thị xã|thị trấn)$")

# A line ending like this is wrapped, whatever the next line starts with ("Sở Khoa học và\nCông nghệ",
# "UBND\ncác phường xã"); punctuation at the end leaves the decision to the punctuation.
_WRAP_END_RE = re.compile(
    r"(?:(?<!\S)(?:và|của|các|Các|cấp|thuộc|trên|tại|với|về|UBND|HĐND|VP|Sở|Ban|Cục|Vụ|Bộ Chỉ huy|Trung tâm"
    r"|Văn phòng|Ủy ban|Uỷ ban|nhân dân)|[-–&,;:.])$"
)
_BULLET_RE = re.compile(r"^(?:[-–—+•]+(?:\s+|$|(?=[^\W\d_]))|\(\d{1,2}\)\s*|\d{1,2}[.)]\s+|[a-zđ]\)\s+)")
# Labels some cells start with: "Chủ trì: Sở Nội vụ", "Phối hợp: …", "Cơ quan chủ trì thực hiện: …".
_LABEL_RE = re.compile(r"^(?:(?:cơ quan|đơn vị)\s+)?(?:chủ trì|phối hợp|thực hiện)(?:\s+thực hiện)?\s*:\s*", re.I)
_MARKUP_RE = re.compile(r"<[^>\n]{1,40}>|\*+")

# Placeholders for separators that must not split: inside parentheses and inside known names.
_P_COMMA, _P_SEMI, _P_DOT = "\ue000", "\ue001", "\ue002"
_RESTORE_TABLE = str.maketrans({_P_COMMA: ",", _P_SEMI: ";", _P_DOT: "."})
_PARENS_RE = re.compile(r"\([^()]*\)")
# Names with a comma inside, which would otherwise split inside a "Các Cục: …" list.
_COMPOUND_NAME_RES = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"Văn h(?:óa|oá)\s*,\s*Thể thao\s+(?:và|&)\s+Du lịch",
        r"VH\s*,\s*TT\s*&\s*DL",
        r"Lao động\s*,\s*Thương binh\s+(?:và|&)\s+Xã hội",
        r"Xuất bản\s*,\s*In\s+(?:và|&)\s+Phát hành",
        r"Phát thanh\s*,\s*Truyền hình",
        r"Kế hoạch\s*,\s*Tài chính",
        r"Khoa học(?:\s+công nghệ)?\s*,\s*(?:Công nghệ|Đào tạo)\s+(?:và|&)\s+Môi trường",
    )
)
# Separators inside one logical line: ';', ',', a sentence-ending '.', and "và" before a new agency.
_SEPARATOR_RE = re.compile(r"\s*([;,]|(?<!\.)\.(?!\.)(?=\s))\s*|\s+(và)\s+")
_JOINERS = {",": ", ", ".": ". ", ";": "; ", "và": " và "}
# "và" only separates two agencies before one of these heads ("Sở Tài chính và các cơ quan liên quan"), and
# never after an elected body: "Văn phòng HĐND và UBND huyện" is one office.
_AND_HEADS = frozenset(
    "Các|các|Sở|UBND|Ủy ban|Uỷ ban|Văn phòng|Cục|Chi cục|Tổng cục|Bộ|Bộ Chỉ huy|Trung tâm|Công an|Đài|Báo|Ban"
    "|Kho bạc|Ngân hàng|Thuế|Bảo hiểm".split("|")
)
_ELECTED_END_RE = re.compile(r"(?:HĐND|Hội đồng nhân dân|ĐBQH|Đại biểu Quốc hội)(?:\s+\S+)?$", re.IGNORECASE)
_HARD = "hard"

# "Các Cục: A, B" / "Cục trưởng các Cục: A; B" -> "Cục A", "Cục B" / "Cục trưởng Cục A"…
_LIST_RE = re.compile(
    r"^(?:(?P<title>(?:Phó\s+)?(?:Cục trưởng|Vụ trưởng|Giám đốc|Thủ trưởng|Hiệu trưởng|Chủ tịch|Trưởng ban"
    r"|Người đứng đầu))\s+)?[Cc]ác\s+(?P<head>(?i:sở|cục|chi cục|tổng cục|vụ|bộ|ban|trường|bệnh viện|trung tâm"
    r"|phòng|đài|viện|huyện|xã|phường|quận|hội))\s*:\s*(?P<first>.*)$",
    re.DOTALL,
)
_SCOPE_RE = re.compile(r"\btrên\s+địa\s+bàn\b")

# Role words after a name ("Sở KH&CN chủ trì hướng dẫn, tổng hợp", "… thúc đẩy, theo dõi, báo cáo chỉ tiêu")
# describe the duty, not the agency. Not after "được giao"/"để": "Các đơn vị được giao thực hiện TTHC" is a name.
_ROLE_WORDS = (
    r"chủ trì|phối hợp|thực hiện|thúc đẩy|theo dõi|hướng dẫn|tổng hợp|tham mưu|báo cáo|đôn đốc"
    r"|chịu trách nhiệm"
)
_ROLE_TAIL_RE = re.compile(rf"(?<!được)(?<!giao)(?<!để)(?<!cần)\s+(?:{_ROLE_WORDS})(?=$|[\s,.;:])")
# At the start of a piece the case does not matter: "Phối hợp với Sở Tư pháp" is a duty, not an agency.
_ROLE_START_RE = re.compile(rf"^(?:{_ROLE_WORDS})(?=$|[\s,.;:])", re.IGNORECASE)
# "phối hợp với Sở Tư pháp": the agency after the role words is kept.
_ROLE_WITH_RE = re.compile(r"^(?:(?:chủ trì|phối hợp)\s*,?\s*)+(?:(?:với|cùng)\s+)?", re.IGNORECASE)
_ROLE_PAREN_RE = re.compile(r"\s*\((?:chủ trì|phối hợp|thực hiện|b/c|báo cáo|để biết|để b/c)\)$", re.I)
_TRIM_CHARS = " \t;,.:-–—"
_LETTER_RE = re.compile(r"[^\W\d_]")


def _head(piece: str) -> str | None:
    """Return the agency head word ``piece`` starts with, if any."""
    match = _HEAD_RE.match(piece)
    return match.group("head") if match else None


def _is_strong_start(piece: str) -> bool:
    """Tell whether ``piece`` surely starts another agency: a head word followed by a proper name.

    Used where a weak head is ambiguous: "Báo chí" is an item of "Các Cục: …", "Vụ Kế hoạch" is not.
    """
    head = _head(piece)
    if head is None:
        return False
    if head in _ALWAYS_STRONG_HEADS or head.startswith(("Ủy ban nhân dân", "Uỷ ban nhân dân")):
        return True
    rest = piece[len(head) :].lstrip()
    if rest.startswith(("nhân dân", "Nhân dân")):  # "Ủy ban nhân dân…", "Tòa án nhân dân…"
        return True
    return bool(rest) and rest[0].isupper()


def _and_separates(before: str, after: str) -> bool:
    """Tell whether the "và" between ``before`` and ``after`` joins two agencies rather than two words of one."""
    return _head(after) in _AND_HEADS and _is_strong_start(after) and not _ELECTED_END_RE.search(before[-40:])


def _is_bare(piece: str) -> bool:
    """Tell whether ``piece`` only holds collective words ("ban", "ngành", "xã có liên quan")."""
    return bool(_BARE_RE.match(piece))


def _is_collective(name: str) -> bool:
    """Tell whether ``name`` is a collective that a bare piece ("ban", "thành phố") extends."""
    # "Sở, ban" (no "Các") is collective too: every piece of it is a collective word.
    return bool(
        _COLLECTIVE_START_RE.match(name)
        or _LEVEL_END_RE.search(name)
        or all(_is_bare(p.strip()) for p in name.split(","))
    )


def _starts_new(piece: str, previous: str) -> bool:
    """Tell whether ``piece`` (after a comma, '.' or 'và') starts a new name instead of continuing ``previous``."""
    if _is_bare(piece):
        # "Các sở, ban" continues; "Văn phòng UBND tỉnh, địa phương" names a second party.
        return not _is_collective(previous)
    return _head(piece) is not None


def _ellipsis(previous: str, piece: str) -> str | None:
    """Complete an elided name: "UBND cấp huyện, cấp xã" -> "UBND cấp xã"; None when not elided."""
    if _CAP_PIECE_RE.match(piece):
        at = previous.rfind(" cấp ")
        if at > 0:
            return f"{previous[:at]} {piece}"
        return None
    if _LEVEL_PIECE_RE.match(piece):
        match = _CAP_LEVEL_END_RE.match(previous)
        if match:
            return f"{match.group('prefix')} cấp {piece}"
    return None


def _clean_piece(piece: str) -> str:
    """Strip bullets, numbering ("(1) "), labels ("Chủ trì:") and stray punctuation around a piece."""
    piece = piece.strip()
    while True:
        stripped = _LABEL_RE.sub("", _BULLET_RE.sub("", piece)).lstrip(" ,;:.")
        if stripped == piece:
            return piece
        piece = stripped


def _prepare(text: str) -> str:
    """Normalise a raw cell: NFC, one kind of line break and space, no HTML/Markdown emphasis."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _MARKUP_RE.sub("", text)
    return text.replace("\u00a0", " ").replace("\t", " ").replace("\u200b", "")


def _logical_lines(text: str) -> list[str]:
    """Join the physical lines of a cell into logical lines.

    A line break separates names only before a bullet, after a blank line, or before a line that starts with
    an agency head word while the previous line does not stop mid-name ("và", "UBND", a comma…); any other
    break just wraps a long name ("Sở Khoa học và\nCông nghệ").
    """
    lines: list[str] = []
    current: str | None = None
    for raw in text.split("\n"):
        line = _SPACES_RE.sub(" ", raw).strip()
        bulleted = bool(_BULLET_RE.match(line))
        if bulleted:
            line = _clean_piece(line)
        if not line:
            if current is not None:
                lines.append(current)
            current = None
            continue
        if current is None:
            current = line
        # Only the end of the joined text matters; looking at the tail keeps long cells linear.
        elif bulleted or (not _WRAP_END_RE.search(current[-40:]) and _head(line) is not None):
            lines.append(current)
            current = line
        else:
            current = f"{current} {line}"
    if current is not None:
        lines.append(current)
    return lines


def _protect(line: str) -> str:
    """Hide separators that must not split: inside parentheses and inside known compound names."""

    def hide(match: re.Match[str]) -> str:
        return match.group(0).replace(",", _P_COMMA).replace(";", _P_SEMI).replace(".", _P_DOT)

    line = _PARENS_RE.sub(hide, line)
    for pattern in _COMPOUND_NAME_RES:
        line = pattern.sub(hide, line)
    return line


def _tokenize(line: str) -> list[tuple[str, str]]:
    """Cut one logical line into (separator before, piece); the first piece gets the hard separator."""
    tokens: list[tuple[str, str]] = []
    separator, start = _HARD, 0
    for match in _SEPARATOR_RE.finditer(line):
        kind = match.group(1) or match.group(2)
        if kind == "và" and not _and_separates(line[: match.start()], line[match.end() :]):
            continue  # "Sở Giáo dục và Đào tạo": "và" inside a name
        tokens.append((separator, line[start : match.start()]))
        separator, start = kind, match.end()
    tokens.append((separator, line[start:]))
    return tokens


def _expand_list(match: re.Match[str], tokens: list[tuple[str, str]], index: int) -> tuple[list[str], int]:
    """Expand "Các <head>: A, B" starting at ``tokens[index]``; return the names and the next token index."""
    title = f"{match.group('title')} " if match.group("title") else ""
    head = match.group("head")
    head = head[0].upper() + head[1:]
    region: list[tuple[str, str]] = []
    end = index + 1
    while end < len(tokens):
        separator, piece = tokens[end][0], _clean_piece(tokens[end][1])
        if piece and (
            separator in (_HARD, ".")
            or _is_strong_start(piece)
            or _ROLE_START_RE.match(piece)
            or (separator == ";" and piece[0].islower())
        ):
            break
        region.append((separator, piece))
        end += 1
    by_semicolon = any(separator == ";" and piece for separator, piece in region)
    if not by_semicolon:
        # In "Các sở: Tài chính, Y tế, địa phương" a lower-case piece is not a department.
        for offset, (_separator, piece) in enumerate(region):
            if piece and piece[0].islower():
                region, end = region[:offset], index + 1 + offset
                break
    items = [match.group("first").strip()] if match.group("first").strip() else []
    for separator, piece in region:
        if not piece:
            continue
        if not items or separator == ";" or (separator == "," and not by_semicolon):
            items.append(piece)
        else:
            items[-1] += _JOINERS.get(separator, " ") + piece
    if not items:
        return [tokens[index][1].strip()], end
    if not by_semicolon and _SCOPE_RE.search(items[-1]):
        # "Các trường: Đại học, Cao đẳng, Trung cấp trên địa bàn tỉnh" is one collective, kept as written.
        whole = _clean_piece(tokens[index][1]) + "".join(_JOINERS[","] + item for item in items[1:])
        return [whole], end
    names = []
    for item in items:
        already = item.casefold().startswith(head.casefold() + " ")
        names.append(f"{title}{item}" if already else f"{title}{head} {item}")
    return names, end


def _finish(name: str) -> str:
    """Restore hidden separators, drop role tails and trailing punctuation; '' when nothing names an agency."""
    name = _SPACES_RE.sub(" ", name.translate(_RESTORE_TABLE)).strip()
    if _ROLE_START_RE.match(name):
        # The whole piece describes a duty ("tổng hợp"), unless an agency follows ("phối hợp với Sở Tư pháp").
        rest = _ROLE_WITH_RE.sub("", name, count=1)
        name = rest if rest != name and _head(rest) else ""
    tail = _ROLE_TAIL_RE.search(name)
    if tail:
        name = name[: tail.start()]
        if name.count("(") > name.count(")"):  # the role words were inside a note: drop the whole note
            name = name[: name.rfind("(")]
    name = _ROLE_PAREN_RE.sub("", name).strip(_TRIM_CHARS)
    return name if _LETTER_RE.search(name) else ""


def split_agency_cell(text: str) -> list[str]:
    """Split a cell naming one or several agencies into the names as written, cleaned; order kept, no duplicates.

    'Văn phòng UBND tỉnh, Sở Nội vụ' -> two names; 'Sở Văn hóa, Thể thao và Du lịch' -> one;
    'Các sở, ban, ngành; UBND cấp huyện, cấp xã' -> 'Các sở, ban, ngành', 'UBND cấp huyện', 'UBND cấp xã'.
    """
    if not text or not text.strip():
        return []
    tokens = [token for line in _logical_lines(_prepare(text)) for token in _tokenize(_protect(line))]
    raw_names: list[str] = []
    new_name = True  # the next non-empty piece starts a name whatever it looks like
    index = 0
    while index < len(tokens):
        separator, piece = tokens[index][0], _clean_piece(tokens[index][1])
        if not piece:
            new_name = new_name or separator in (_HARD, ";")
            index += 1
            continue
        previous = raw_names[-1] if raw_names else ""
        completed = _ellipsis(previous, piece) if previous and separator in (",", ";") else None
        if completed:
            raw_names.append(completed)
        elif new_name or not raw_names or separator in (_HARD, ";") or _starts_new(piece, previous):
            list_match = _LIST_RE.match(piece)
            if list_match:
                names, index = _expand_list(list_match, tokens, index)
                raw_names.extend(names)
                new_name = True
                continue
            raw_names.append(piece)
        else:
            raw_names[-1] = previous + _JOINERS[separator] + piece
        new_name = False
        index += 1

    result: list[str] = []
    seen: set[str] = set()
    for raw in raw_names:
        name = _finish(raw)
        key = name_key(name) or name
        if name and key not in seen:
            seen.add(key)
            result.append(name)
    return result


# --------------------------------------------------------------------------------------------------
# parse_agency_cell
# --------------------------------------------------------------------------------------------------

_RELATED_TEXT_RE = re.compile(r"(?:^|\s)(?:co\s+)?lien quan$")


@dataclass(frozen=True)
class NamePart:
    """One name of a cell: as written (cleaned), its matching key, and its qualifier."""

    text: str
    key: str
    # "liên quan" when the document says "… liên quan": the resolver keeps the group but notes the subset.
    qualifier: str = ""


def parse_agency_cell(text: str) -> list[NamePart]:
    """Split a cell into NamePart items: the names as written, their keys and 'liên quan' qualifiers."""
    return [
        NamePart(name, name_key(name), "liên quan" if _RELATED_TEXT_RE.search(fold(name)) else "")
        for name in split_agency_cell(text)
    ]
