"""Build appendix workbooks, documents and pastes in memory for the table tests.

The shapes reproduce real appendices (Phú Yên 275/KH-UBND, Bình Định 2022,
Đồng Nai 179/KH-UBND, VPCP 624/TB-VPCP, Bộ VHTTDL 6225, Bắc Ninh 144/KH-UBND,
Hải Phòng 212/QĐ): texts are shortened, quirks are kept.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import docx
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from openpyxl import Workbook
from openpyxl.styles import Font

from plans.tables import SourceRow

Row = Sequence[Any]


# Builders ------------------------------------------------------------------


def xlsx(
    rows: Iterable[Row],
    *,
    merges: Iterable[str] = (),
    bold: Iterable[int] = (),
    italic: Iterable[int] = (),
    formats: dict[str, str] | None = None,
    title: str = "Phụ lục",
    sheets_before: Sequence[tuple[str, Iterable[Row], str]] = (),
    keep_vba: bool = False,
) -> bytes:
    """Return an .xlsx whose sheet ``title`` holds ``rows`` (row 1 first).

    ``merges`` are ranges like "A1:E1"; ``bold``/``italic`` are 1-based row
    numbers; ``formats`` maps a cell to a number format; ``sheets_before``
    adds (title, rows, state) sheets in front, e.g. a hidden one.
    """
    workbook = Workbook()
    first = workbook.active
    for name, sheet_rows, state in sheets_before:
        sheet = workbook.create_sheet(name)
        for row in sheet_rows:
            sheet.append(list(row))
        sheet.sheet_state = state
    sheet = workbook.create_sheet(title)
    workbook.remove(first)
    for row in rows:
        sheet.append(list(row))
    for number in bold:
        for cell in sheet[number]:
            cell.font = Font(bold=True)
    for number in italic:
        for cell in sheet[number]:
            cell.font = Font(italic=True)
    for ref, number_format in (formats or {}).items():
        sheet[ref].number_format = number_format
    for ref in merges:
        sheet.merge_cells(ref)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if keep_vba:
        data = add_members(data, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})
    return data


def add_members(data: bytes, members: dict[str, bytes]) -> bytes:
    """Return the zip ``data`` with extra members added."""
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    """Return the zip ``data`` with member ``name`` replaced by ``content``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, content if info.filename == name else source.read(info))
    return buffer.getvalue()


@dataclass
class Para:
    """A paragraph of a .docx body."""

    text: str
    bold: bool = False
    page_break: bool = False


@dataclass
class Table:
    """A .docx table: ``rows`` of cell values (a list value = paragraphs).

    ``merges`` are ((row, col), (row, col)) corners, 0-based, in the table.
    """

    rows: Sequence[Row]
    merges: Sequence[tuple[tuple[int, int], tuple[int, int]]] = ()
    bold: Iterable[int] = ()
    italic: Iterable[int] = ()
    numbered_column: int | None = None  # Word's automatic numbering in this column
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)


def docx_bytes(blocks: Sequence[Para | Table]) -> bytes:
    """Return a .docx holding ``blocks`` in order."""
    document = docx.Document()
    for block in blocks:
        if isinstance(block, Para):
            paragraph = document.add_paragraph()
            run = paragraph.add_run(block.text)
            run.bold = block.bold or None
            if block.page_break:
                paragraph.add_run().add_break(WD_BREAK.PAGE)
        else:
            _add_table(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_table(document: Any, block: Table) -> None:
    width = max(len(row) for row in block.rows)
    table = document.add_table(rows=len(block.rows), cols=width)
    bold, italic = set(block.bold), set(block.italic)
    merged = set()
    for (r1, c1), (r2, c2) in block.merges:
        table.cell(r1, c1).merge(table.cell(r2, c2))
        merged |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if (r, c) != (r1, c1)}
    num_id = _numbering(document) if block.numbered_column is not None else None
    for r, row in enumerate(block.rows):
        for c, value in enumerate(row):
            if (r, c) in merged:
                continue
            cell = table.cell(r, c)
            if c == block.numbered_column and value == "#":
                _numbered(cell.paragraphs[0], num_id)
                continue
            paragraphs = value if isinstance(value, list) else [value]
            for index, text in enumerate(paragraphs):
                paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
                run = paragraph.add_run("" if text is None else str(text))
                run.bold = (r in bold) or None
                run.italic = (r in italic) or None


def _numbering(document: Any) -> str:
    """Add a decimal list "1." to the numbering part and return its numId."""
    numbering = document.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum", {qn("w:abstractNumId"): "90"})
    level = OxmlElement("w:lvl", {qn("w:ilvl"): "0"})
    for tag, val in (("w:start", "1"), ("w:numFmt", "decimal"), ("w:lvlText", "%1.")):
        level.append(OxmlElement(tag, {qn("w:val"): val}))
    abstract.append(level)
    numbering.insert(0, abstract)
    num = OxmlElement("w:num", {qn("w:numId"): "90"})
    num.append(OxmlElement("w:abstractNumId", {qn("w:val"): "90"}))
    numbering.append(num)
    return "90"


def _numbered(paragraph: Any, num_id: str | None) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    numpr.append(OxmlElement("w:ilvl", {qn("w:val"): "0"}))
    numpr.append(OxmlElement("w:numId", {qn("w:val"): num_id or "0"}))
    ppr.append(numpr)


def tsv(rows: Iterable[Row]) -> str:
    """Return ``rows`` as Excel puts them on the clipboard (quoting multi-line cells)."""
    lines = []
    for row in rows:
        cells = []
        for value in row:
            text = "" if value is None else str(value)
            if any(char in text for char in '\t\n"'):
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        lines.append("\t".join(cells))
    return "\r\n".join(lines) + "\r\n"


# Real shapes ---------------------------------------------------------------

PY_TITLE = [
    ["PHỤ LỤC"],
    ["Các nhiệm vụ công tác cải cách hành chính năm 2024 của tỉnh Phú Yên"],
    ["Ban hành kèm theo Kế hoạch số: 275/KH-UBND ngày 25/12/2023 của UBND tỉnh"],
    [],
]
PY_HEADER = ["Stt", "Tên sản phẩm", "Cơ quan chủ trì tham mưu/thực hiện", "Cơ quan phối hợp", "Thời gian thực hiện"]
PY_HEADER_SPACED = [
    "Stt",
    "Tên sản phẩm",
    "Cơ quan chủ trì tham mưu/ thực hiện",
    "Cơ quan phối hợp",
    "Thời gian thực hiện",
]
PY_PAGES = [
    [
        ["I", "Công tác chỉ đạo, điều hành CCHC", None, None, None],
        [
            1,
            "Ban hành các văn bản chỉ đạo, điều hành công tác CCHC năm 2024",
            "Văn phòng UBND tỉnh, Sở Nội vụ, Sở Thông tin và Truyền thông",
            "Các sở, ban, ngành liên quan",
            "Năm 2024",
        ],
        [
            2,
            "Tổ chức kiểm tra thường xuyên và đột xuất về công tác CCHC",
            "Sở Nội vụ",
            "Các sở, ban, ngành; UBND cấp huyện",
            "Năm 2024",
        ],
    ],
    [
        [
            3,
            "Theo dõi, chỉ đạo triển khai thực hiện hoàn thành đúng tiến độ các nhiệm vụ",
            "Văn phòng UBND tỉnh",
            "Các sở, ban, ngành; UBND cấp huyện",
            "Năm 2024",
        ],
        ["II", "Cải cách thể chế", None, None, None],
        [
            1,
            "Ban hành Kế hoạch theo dõi tình hình thi hành pháp luật năm 2024",
            "Sở Tư pháp",
            "Các cơ quan, đơn vị liên quan",
            "Quý I/2024",
        ],
        [
            2,
            "Ban hành Kế hoạch xây dựng, kiểm tra, rà soát văn bản QPPL năm 2024",
            "Sở Tư pháp",
            "Các cơ quan, đơn vị liên quan",
            "Quý I/2024",
        ],
    ],
    [
        [
            3,
            "Ban hành Danh mục Quyết định của UBND tỉnh quy định chi tiết năm 2024",
            "Sở Tư pháp",
            "Các cơ quan, đơn vị liên quan",
            "Quý II/2024",
        ],
        ["III", "Cải cách thủ tục hành chính", None, None, None],
        [
            1,
            "Kế hoạch hoạt động kiểm soát thủ tục hành chính năm 2024",
            "Văn phòng UBND tỉnh",
            "Các sở, ban, ngành",
            "Tháng 01/2024",
        ],
        [
            2,
            "Duy trì chuyên mục “Dân hỏi-Thủ trưởng cơ quan trả lời”",
            "Đài Phát thanh - Truyền hình tỉnh; Báo Phú Yên",
            "Các sở, ban, ngành; UBND cấp huyện",
            "Năm 2024",
        ],
    ],
]


def py275_rows(repeat_header: bool = True) -> list[list[Any]]:
    """Return the 275 appendix: title rows, header, pages each repeating the header."""
    rows: list[list[Any]] = [list(row) for row in PY_TITLE]
    for index, page in enumerate(PY_PAGES):
        if index == 0 or repeat_header:
            rows.append(PY_HEADER if index % 2 == 0 else PY_HEADER_SPACED)
        rows.extend(page)
        rows.append([])  # the blank spacer Word leaves at a page break
    return rows


def py275_docx() -> bytes:
    """Return the 275 appendix as Word prints it: one table per page, each with the header."""
    blocks: list[Para | Table] = [Para(row[0], bold=True) for row in PY_TITLE if row]
    for index, page in enumerate(PY_PAGES):
        header = PY_HEADER if index % 2 == 0 else PY_HEADER_SPACED
        sections = [r + 1 for r, row in enumerate(page) if isinstance(row[0], str)]
        # Section titles are merged across the remaining columns.
        merges = [((r, 1), (r, 4)) for r in sections]
        blocks.append(Table([header, *page], merges=merges, bold=[0, *sections]))
        blocks.append(Para("", page_break=True))
    return docx_bytes(blocks)


BD_TITLE = [
    ["Phụ lục"],
    ["MỘT SỐ CHỈ TIÊU CỤ THỂ LIÊN QUAN ĐẾN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"],
    ["(kèm theo Công văn số: /UBND-KSTT ngày tháng năm 2022 của Chủ tịch UBND tỉnh)"],
]
BD_HEAD_1 = ["STT", "Chỉ tiêu", "Đơn vị tính", "Chỉ tiêu phấn đấu năm 2022", "Trách nhiệm cụ thể", None]
BD_HEAD_1_TYPO = ["STT", "Chỉ tiêu", "Đơn vị tính", "Chỉ tiêu phần đầu năm 2022", "Trách nhiệm cụ thể", None]
BD_HEAD_2 = [None, None, None, None, "Đơn vị theo dõi, hướng dẫn thực hiện", "Đơn vị thực hiện"]
BD_IMPL = "Các cơ quan chuyên môn thuộc tỉnh, Ban Quản lý Khu kinh tế tỉnh; Ủy ban nhân dân cấp huyện, cấp xã"
BD_BODY_1 = [
    [
        1,
        "Chỉ số cải cách hành chính (Par-Index) của mỗi cơ quan, đơn vị, địa phương đạt:",
        None,
        None,
        "Sở Nội vụ",
        BD_IMPL,
    ],
    [None, "- Các cơ quan thuộc Ủy ban nhân dân tỉnh;", "%", 90, "-", "-"],
    [None, "- Các cơ quan Trung ương đóng trên địa bàn tỉnh;", "%", 87, "-", "-"],
    [None, "- Ủy ban nhân dân các huyện, thị xã, thành phố.", "%", 84, "-", "-"],
    [
        7,
        "Tỷ lệ giao dịch thanh toán trực tuyến lĩnh vực đất đai",
        "%",
        "60%",
        "Văn phòng Ủy ban nhân dân tỉnh, Cục Thuế tỉnh",
        "Trung tâm Phục vụ hành chính công tỉnh",
    ],
    [
        9,
        "Dịch vụ “Chứng thực bản sao điện tử từ bản chính” trên Cổng Dịch vụ công quốc gia",
        None,
        None,
        "Văn phòng Ủy ban nhân dân tỉnh",
        "-",
    ],
    [
        None,
        "- 100% Phòng Tư pháp cấp huyện, Ủy ban nhân dân cấp xã cung cấp chứng thực bản sao điện tử",
        "%",
        30,
        "-",
        "Ủy ban nhân dân cấp huyện, cấp xã",
    ],
    [None, "- Hồ sơ giao dịch có sử dụng thành phần “bản sao điện tử”", "%", 100, "-", BD_IMPL],
    [
        10,
        "Tỷ lệ xử lý văn bản, hồ sơ công việc (trừ hồ sơ mật) trên môi trường mạng",
        None,
        None,
        "Sở Thông tin và Truyền thông",
        "Các cơ quan, đơn vị, địa phương trên địa bàn tỉnh",
    ],
]
BD_BODY_2 = [
    [None, "- Các sở, ngành và tương đương thuộc Ủy ban nhân dân tỉnh", "%", 100, "-", "-"],
    [None, "- Các phòng, ban và tương đương thuộc Ủy ban nhân dân các huyện, thị xã, thành phố.", "%", 90, "-", "-"],
]


def binh_dinh_rows() -> list[list[Any]]:
    """Return the Bình Định indicator appendix, the second page with the "phần đầu" typo."""
    return [
        *BD_TITLE,
        [],
        BD_HEAD_1,
        BD_HEAD_2,
        *BD_BODY_1,
        BD_HEAD_1_TYPO,
        BD_HEAD_2,
        *BD_BODY_2,
    ]


def binh_dinh_xlsx() -> bytes:
    """Return the Bình Định table with a merged two-row header (rows 5-6, 16-17)."""
    rows = binh_dinh_rows()
    header_rows = [i + 1 for i, row in enumerate(rows) if row and row[0] == "STT"]
    merges = []
    for top in header_rows:
        merges += [f"{col}{top}:{col}{top + 1}" for col in "ABCD"] + [f"E{top}:F{top}"]
    italic = [i + 1 for i, row in enumerate(rows) if len(row) > 1 and "100% Phòng" in str(row[1])]
    return xlsx(rows, merges=merges, bold=header_rows, italic=italic)


def binh_dinh_docx() -> bytes:
    """Return the Bình Định table in Word: two tables, gridSpan/vMerge headers, italic sub-rows."""
    merges = [((0, c), (1, c)) for c in range(4)] + [((0, 4), (0, 5))]
    first = [BD_HEAD_1, BD_HEAD_2, *BD_BODY_1]
    second = [BD_HEAD_1_TYPO, BD_HEAD_2, *BD_BODY_2]
    italic = [r for r, row in enumerate(first) if row[1] and "100% Phòng" in str(row[1])]
    return docx_bytes(
        [
            *[Para(row[0]) for row in BD_TITLE],
            Table(first, merges=merges, bold=[0, 1], italic=italic),
            Para("", page_break=True),
            Table(second, merges=merges, bold=[0, 1]),
        ]
    )


DN_HEADER = [
    "STT",
    "Nhiệm vụ, giải\npháp",
    "Đơn vị thực hiện",
    "Đơn vị phối hợp",
    "Thời gian thực\nhiện",
    "Sản phẩm đầu ra",
]
DN_REPEAT = [None, "Nội dung", "Đơn vị thực hiện", "Đơn vị phối hợp", "Thời gian thực hiện", "Sản phẩm đầu ra"]
DN_COOP = "Các sở, ban, ngành; UBND các phường, xã"


def dong_nai_rows() -> list[list[Any]]:
    """Return the Đồng Nai shape: A > I sections, 1.1 numbers, a lone "3", repeats saying "Nội dung"."""
    return [
        ["PHỤ LỤC"],
        ["DANH MỤC CÁC NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM THỰC HIỆN CHIẾN LƯỢC QUỐC GIA"],
        ["(Kèm theo Kế hoạch số 179/KH-UBND ngày 18 tháng 11 năm 2025)"],
        DN_HEADER,
        ["A", "PHÁT TRIỂN NỀN MÓNG CHO KINH TẾ SỐ VÀ XÃ HỘI SỐ"],
        ["I", "Hoàn thiện thể chế"],
        [
            "1.1",
            "Rà soát, xây dựng, sửa đổi các quy định pháp luật",
            "Sở Tư pháp",
            DN_COOP,
            "2026 - 2030",
            "Các cơ chế, chính sách",
        ],
        ["II", "Phát triển hạ tầng"],
        [
            "2.1",
            "Triển khai hạ tầng số và hạ tầng bưu chính",
            "Sở Khoa học và Công nghệ",
            "Các sở, ban, ngành; UBND các phường, xã; Các\ndoanh nghiệp cung cấp dịch vụ bưu chính",
            "2026 - 2030",
            "Chiến lược và Kế hoạch",
        ],
        [
            "2.2",
            "Triển khai chiến lược chuyển đổi số lĩnh vực giao thông",
            "Sở Xây dựng",
            DN_COOP,
            "2026 - 2030",
            "Chiến lược và Kế hoạch",
        ],
        ["III", "Phát triển nền tảng số"],
        [
            "3",
            "Xây dựng kế hoạch thúc đẩy sử dụng nền tảng số quốc gia",
            "Sở Khoa học và Công nghệ",
            DN_COOP,
            "2026",
            "Kế hoạch",
        ],
        [],
        ["B", "PHÁT TRIỂN KINH TẾ SỐ VÀ XÃ HỘI SỐ NGÀNH, LĨNH VỰC"],
        ["I", "Phát triển kinh tế số, xã hội số nông nghiệp và môi trường"],
        DN_REPEAT,
        [
            "1.1",
            "Xây dựng Kế hoạch phát triển kinh tế số trong lĩnh vực nông nghiệp",
            "Sở Nông nghiệp và Môi trường",
            DN_COOP,
            "2026 - 2030",
            "Kế hoạch",
        ],
        ["II", "Phát triển kinh tế số, xã hội số trong y tế"],
        DN_REPEAT,
        ["2.1", "Xây dựng Kế hoạch phát triển kinh tế số trong y tế", "Sở Y tế", DN_COOP, "2026 - 2030", "Kế hoạch"],
        [],
        ["C", "CÁC GIẢI PHÁP PHÁT TRIỂN KINH TẾ SỐ VÀ XÃ HỘI SỐ"],
        ["I", "Tổ chức, bộ máy, mạng lưới"],
        DN_REPEAT,
        [
            "1.1",
            "Kiện toàn Ban Chỉ đạo về phát triển khoa học, công nghệ",
            "Sở Khoa học và\nCông nghệ",
            "Các sở, ban,\nngành; UBND các phường, xã",
            "2025",
            "Quyết định",
        ],
    ]


def dong_nai_xlsx() -> bytes:
    """Return the Đồng Nai table with section titles merged across B..F."""
    rows = dong_nai_rows()
    sections = [i + 1 for i, row in enumerate(rows) if len(row) == 2 and row[0] in ("A", "B", "C", "I", "II", "III")]
    return xlsx(rows, merges=[f"B{n}:F{n}" for n in sections], bold=sections + [4])


VPCP_HEADER = ["STT", "Nhiệm vụ", "Văn bản giao\nnhiệm vụ", "Cơ quan chủ trì\nthực hiện", "Thời hạn hoàn\nthành"]
VPCP_GROUPS = [
    (
        "1. Các nhiệm vụ về khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quá hạn chưa hoàn thành",
        [
            [
                "1.",
                "Khẩn trương xây dựng kế hoạch và tổ chức triển khai thực hiện",
                "Thông báo số 07-TB/CQTTBCĐ ngày 15/10/2025",
                "Các cơ quan Trung ương và địa phương",
                "18/10/2025",
            ],
            [
                "2.",
                "Rà soát các quy định pháp luật để tháo gỡ kịp thời các điểm nghẽn",
                "Nghị quyết số 71/NQ-CP",
                "Các bộ, ngành",
                "30/06/2025",
            ],
        ],
    ),
    (
        "2. Các nhiệm vụ về chuyển đổi số quá hạn chưa hoàn thành",
        [
            [
                "1.",
                "Ban hành Chiến lược dữ liệu, Chiến lược chuyển đổi số của bộ, ngành, địa phương",
                "Thông báo số 44-TB/TGV ngày 12/9/2025",
                "Các bộ, ngành, địa phương",
                "30/09/2025",
            ],
            [
                "2.",
                "Căn cứ nhiệm vụ được giao khẩn trương rà soát, xác định nhiệm vụ",
                "Thông báo số 46-TB/TGV ngày 30/09/2025",
                "Các cơ quan, bộ, ngành và địa phương",
                "15/10/2025",
            ],
        ],
    ),
]
VPCP_TITLE = [
    "PHỤ LỤC I",
    "TỔNG HỢP CÁC NHIỆM VỤ CHẬM MUỘN THEO VĂN BẢN ĐÔN ĐỐC CỦA BAN CHỈ ĐẠO TRUNG ƯƠNG",
    "(Kèm theo Thông báo kết luận số 624/TB-VPCP ngày 16 tháng 11 năm 2025 của Văn phòng Chính phủ)",
    "Dữ liệu tính đến ngày 07/11/2025",
]


def vpcp_docx() -> bytes:
    """Return the VPCP appendix: a bold heading paragraph above each table, tasks "1.", "2."."""
    blocks: list[Para | Table] = [Para(text, bold=True) for text in VPCP_TITLE]
    for heading, rows in VPCP_GROUPS:
        blocks.append(Para(heading, bold=True))
        blocks.append(Table([VPCP_HEADER, *rows], bold=[0]))
    return docx_bytes(blocks)


def vpcp_xlsx() -> bytes:
    """Return the VPCP appendix in Excel: each heading a bold row merged across A..E."""
    rows: list[Row] = [[text] for text in VPCP_TITLE]
    merges, bold = [], []
    for heading, group in VPCP_GROUPS:
        rows.append([heading])
        merges.append(f"A{len(rows)}:E{len(rows)}")
        bold.append(len(rows))
        rows.append(VPCP_HEADER)
        rows.extend(group)
    return xlsx(rows, merges=merges, bold=bold)


VH_HEADER = [
    "STT",
    "Tên nhiệm vụ",
    "Người đứng đầu chịu trách nhiệm",
    "Cơ quan\nchủ trì",
    "Cơ quan\nphối hợp",
    "Kết quả\nthực hiện",
    "Thời hạn hoàn thành",
]
VH_ROWS = [
    [
        1,
        "Đẩy nhanh tiến độ xây dựng, làm sạch, kết nối 03/7 cơ sở dữ liệu chuyên ngành",
        "Cục trưởng các Cục: Di sản văn hóa, Bản quyền tác giả",
        "Các Cục: Di sản văn hóa, Bản quyền tác giả",
        "Trung tâm Chuyển đổi số VHTTDL",
        "Đưa vào vận hành: CSDL Đăng ký quyền tác giả; CSDL Di sản văn hóa phi vật thể",
        "Tháng 12/2025",
    ],
    [
        7,
        "Rà soát, tái cấu trúc quy trình, điện tử hóa và cung cấp toàn bộ các thủ tục hành chính",
        "Thủ trưởng các đơn vị được giao xây dựng hồ sơ công bố TTHC",
        "Các đơn vị được giao xây dựng hồ sơ công bố TTHC",
        "Văn phòng Bộ; Trung tâm Chuyển đổi số VHTTDL",
        [
            "-",
            "Hoàn thành tái cấu trúc quy trình điện tử thuộc phạm vi quản lý của bộ.",
            "-",
            "Tích hợp 100% DVC trực tuyến lên Cổng DVC quốc gia.",
        ],
        "01/01/2026",
    ],
]


def vhttdl_docx() -> bytes:
    """Return the VHTTDL appendix: extra columns, bullets typed as "-" on their own line."""
    return docx_bytes(
        [
            Para("PHỤ LỤC", bold=True),
            Para("DANH MỤC CÁC NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM TRIỂN KHAI TRONG NHỮNG THÁNG CUỐI NĂM 2025"),
            Table([VH_HEADER, *VH_ROWS], bold=[0]),
        ]
    )


BN_ROWS = [
    ["PHỤ LỤC"],
    ["PHÂN CÔNG THỰC HIỆN CÁC CHỈ TIÊU PHÁT TRIỂN KINH TẾ SỐ, XÃ HỘI SỐ ĐẾN NĂM 2030"],
    ["(Ban hành kèm theo Kế hoạch số 144/KH-UBND ngày 24 tháng 11 năm 2025 của UBND tỉnh Bắc Ninh)"],
    ["TT", "Chỉ tiêu", "Chủ trì"],
    [None, "I. Kinh\ntế số", None],
    [1, "Kinh tế số chiếm 45% GRDP tỉnh.", "Sở Tài chính"],
    [
        2,
        "Phấn đấu mỗi năm phát triển từ 05 bộ dữ liệu mở chất lượng cao; đến năm 2030 có ít nhất 20 tập dữ liệu mở",
        "Sở KH&CN chủ trì hướng dẫn, tổng hợp; Các sở, ngành, UBND cấp xã thực hiện công bố dữ liệu mở",
    ],
    [4, "Tỷ lệ doanh nghiệp có hoạt động đổi mới sáng tạo đạt tối thiểu 40%", "Sở Khoa học và Công nghệ"],
    ["II. Xã hội số"],
    [1, "Tỷ lệ phủ sóng 5G trên địa bàn đạt 100% dân số.", "Sở Khoa học và Công nghệ"],
    [
        13,
        "Tỷ trọng kinh phí từ xã hội trên kinh phí chi cho nghiên cứu phát triển (R&D) đạt trên 60%.",
        "Sở Khoa học và Công nghệ",
    ],
]

HP_ROWS = [
    ["PHIẾU ĐÁNH GIÁ, XẾP LOẠI ………"],
    ["A. KẾT QUẢ ĐÁNH GIÁ"],
    ["TT", "Tiêu chí chấm điểm", "Điểm tối đa", "Kết quả đánh giá", None, None],
    [
        None,
        None,
        None,
        "Điểm do cá nhân tự chấm",
        "Người quản lý trực tiếp đánh giá, xếp loại",
        "Cấp có thẩm quyền đánh giá, xếp loại",
    ],
    ["(1)", "(2)", "(3)", "(4)", "(5)", "(ổ)"],
    ["I", "KẾT QUẢ ĐÁNH GIÁ CHẤM ĐIỂM THEO TIÊU CHÍ CHUNG", 20],
    [1, "Chính trị tư tưởng", 5],
    ["a)", "Chấp hành chủ trương, đường lối, quy định của Đảng", "1,25"],
    ["b)", "Có quan điểm, bản lĩnh chính trị vững vàng", "1,25"],
]


def source_rows(rows: Iterable[Row]) -> list[SourceRow]:
    """Return ``rows`` as SourceRows numbered from 1, blank rows left out (as readers do)."""
    out = []
    for number, row in enumerate(rows, start=1):
        cells = ["" if value is None else str(value) for value in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            out.append(SourceRow(number, cells))
    return out


def sheet_xml(data: bytes) -> tuple[str, bytes]:
    """Return the name and XML of the (only visible) worksheet of an .xlsx."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    name = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
    return name, archive.read(name)


def xls(rows: Iterable[Row], *, merges: Iterable[tuple[int, int, int, int]] = (), title: str = "Phụ lục") -> bytes:
    """Return an old Excel 97-2003 workbook (.xls, BIFF8) holding ``rows``; ``merges`` are 0-based
    (first row, last row, first column, last column), the text in the first cell."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet(title)
    merged = {(r0, c0): (r1, c1) for r0, r1, c0, c1 in merges}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in merged:
                r1, c1 = merged[(r, c)]
                sheet.write_merge(r, r1, c, c1, value)
            elif value is not None and not any(
                r0 <= r <= rr and c0 <= c <= cc for (r0, c0), (rr, cc) in merged.items()
            ):
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ods(rows: Iterable[Row], *, merges: dict[tuple[int, int], tuple[int, int]] | None = None) -> bytes:
    """Return an OpenDocument spreadsheet (.ods) holding ``rows``; ``merges`` maps a 0-based (row, column) to the
    (rows, columns) it spans."""
    from xml.sax.saxutils import escape

    merges = merges or {}
    body = []
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            span = merges.get((r, c))
            attrs = f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"' if span else ""
            if value is None or value == "":
                cells.append(f"<table:table-cell{attrs}/>")
            elif isinstance(value, int | float):
                cells.append(
                    f'<table:table-cell office:value-type="float" office:value="{value}"{attrs}><text:p>{value}</text:p></table:table-cell>'
                )
            else:
                cells.append(
                    f'<table:table-cell office:value-type="string"{attrs}><text:p>{escape(str(value))}</text:p></table:table-cell>'
                )
        body.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Phụ lục">{"".join(body)}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
