"""Write the default Word template of the periodic CCHC report (docxtpl placeholders), laid out by Nghị định 30/2020.

    python manage.py build_report_template [--output PATH]

The committed file ``cchc_portal/reports/templates_docx/bao-cao-dinh-ky.docx`` is the source of truth: this command
made it once and a person may since have edited it in Word. Run it again only to start over from this layout (it
overwrites the file). The placeholders it uses are listed in ``cchc_portal.dashboards.wordreport``.

Layout (Nghị định 30/2020/NĐ-CP, Phụ lục I): A4, Times New Roman, margins 20/20/30/15 mm; the issuing body and
number on the left, the national motto and place-date on the right; the kind of document and its subject; the
recipient; the body in four parts (I. direction; II. the six CCHC areas; III. shortcomings and causes; IV. tasks of
the next period); the recipients list and the signature; the page number centred in the header from page 2; the
figures appendix on a landscape page.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from cchc_portal.dashboards.wordreport import DEFAULT_TEMPLATE

FONT = "Times New Roman"


class Command(BaseCommand):
    help = "Ghi mẫu Word mặc định của báo cáo định kỳ CCHC (ghi đè tệp mẫu)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(DEFAULT_TEMPLATE))

    def handle(self, *args, output: str, **options):
        word = _document()
        _heading(word)
        _opening(word)
        _body(word)
        _signature(word)
        _appendix(word)
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        word.save(output)
        self.stdout.write(f"Đã ghi mẫu: {output}")


def _styles(word) -> None:
    """Normal 14 pt, and the paragraph styles the template uses (a person restyles them in Word, not each line)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    normal = word.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_after = Pt(0)
    specs = [
        # name, bold, italic, size, alignment, first-line indent, space before, space after
        ("Đoạn văn", False, False, 14, WD_ALIGN_PARAGRAPH.JUSTIFY, 10, 0, 6),
        ("Đề mục 1", True, False, 14, WD_ALIGN_PARAGRAPH.JUSTIFY, 10, 6, 6),
        ("Đề mục 2", True, False, 14, WD_ALIGN_PARAGRAPH.JUSTIFY, 10, 3, 3),
        ("Gạch đầu dòng", False, False, 14, WD_ALIGN_PARAGRAPH.JUSTIFY, 10, 0, 3),
        ("Ghi chú", False, True, 14, WD_ALIGN_PARAGRAPH.JUSTIFY, 10, 0, 6),
        ("Giữa", False, False, 14, WD_ALIGN_PARAGRAPH.CENTER, 0, 0, 0),
        ("Ô bảng", False, False, 12, WD_ALIGN_PARAGRAPH.LEFT, 0, 0, 0),
        ("Ô bảng giữa", False, False, 12, WD_ALIGN_PARAGRAPH.CENTER, 0, 0, 0),
        ("Đầu bảng", True, False, 12, WD_ALIGN_PARAGRAPH.CENTER, 0, 0, 0),
        ("Nơi nhận", False, False, 11, WD_ALIGN_PARAGRAPH.LEFT, 0, 0, 0),
    ]
    for name, bold, italic, size, align, indent, before, after in specs:
        style = word.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.bold, style.font.italic, style.font.size = bold, italic, Pt(size)
        style.paragraph_format.alignment = align
        style.paragraph_format.first_line_indent = Mm(indent) if indent else None
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(before), Pt(after)


def _document():
    """A4 portrait with the decree's margins, the styles, and the page number centred in the header from page 2."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    word = Document()
    _styles(word)
    page = word.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.top_margin, page.bottom_margin, page.left_margin, page.right_margin = Mm(20), Mm(20), Mm(30), Mm(15)
    page.different_first_page_header_footer = True
    line = page.header.paragraphs[0]
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    line._p.append(field)
    return word


def _p(container, text: str = "", style: str | None = None, *, bold=None, italic=None, size=None, centre=False):
    """Add a paragraph of one run to ``container`` and return it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = container.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def _widths(table, widths: list[int]) -> None:
    """Fix the columns' widths (mm): the grid and every cell, automatic fitting off (Word and LibreOffice alike)."""
    from docx.shared import Mm

    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _first(cell, text: str, *, bold=None, size=13):
    """Put ``text`` in the first paragraph of a table cell, centred."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.font.size = bold, Pt(size)
    return paragraph


def _heading(word) -> None:
    """The heading table: issuing body, its superior and the number; national motto and place-date."""
    from docx.enum.table import WD_TABLE_ALIGNMENT

    table = word.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, [65, 100])
    left, right = table.rows[0].cells
    _first(left, "{%p if co_quan_chu_quan %}")
    _p(left, "{{ co_quan_chu_quan }}", size=13, centre=True)
    _p(left, "{%p endif %}")
    _p(left, "{{ co_quan_ban_hanh }}", bold=True, size=13, centre=True)
    _p(left, "———————", size=10, centre=True)
    _p(left, "{{ so_ky_hieu }}", size=13, centre=True)
    _first(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    _p(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, centre=True)
    _p(right, "———————————", size=10, centre=True)
    _p(right, "{{ dia_danh_ngay }}", italic=True, size=14, centre=True)


def _opening(word) -> None:
    """Kind and subject of the document, recipient, the sentence that cites the plans, the overall figures."""
    _p(word, "", "Giữa")
    _p(word, "BÁO CÁO", "Giữa", bold=True)
    _p(word, "{{ trich_yeu }}", "Giữa", bold=True)
    _p(word, "—————", "Giữa", size=10)
    _p(word, "Kính gửi: {{ kinh_gui }}", "Giữa")
    _p(word, "", "Giữa")
    _p(word, "{{ mo_dau }}", "Đoạn văn")
    _p(word, "{{ so_lieu_den_ngay }}", "Ghi chú")
    _p(word, "{{ tong_hop }}", "Đoạn văn")


def _block_loop(word, items: str, empty: str) -> None:
    """A loop over blocks (a subheading, a sentence, lines); ``empty`` is said once when there is none."""
    _p(word, "{%p for muc in " + items + " %}")
    _p(word, "{{ muc.tieu_de }}", "Đề mục 2")
    _p(word, "{%p if muc.tom_tat %}")
    _p(word, "{{ muc.tom_tat }}", "Đoạn văn")
    _p(word, "{%p endif %}")
    _p(word, "{%p for dong in muc.dong %}")
    _p(word, "{{ dong }}", "Gạch đầu dòng")
    _p(word, "{%p endfor %}")
    _p(word, "{%p endfor %}")
    _p(word, "{%p if " + empty + " %}")
    _p(word, "{{ " + empty + " }}", "Ghi chú")
    _p(word, "{%p endif %}")


def _body(word) -> None:
    """Parts I to IV and the closing sentence."""
    _p(word, "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH", "Đề mục 1")
    _block_loop(word, "chi_dao", "chi_dao_trong")
    _p(word, "II. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG CẢI CÁCH HÀNH CHÍNH", "Đề mục 1")
    _block_loop(word, "ket_qua", "ket_qua_trong")
    _p(word, "III. HẠN CHẾ, NGUYÊN NHÂN", "Đề mục 1")
    _block_loop(word, "han_che", "han_che_trong")
    _p(word, "IV. NHIỆM VỤ TRỌNG TÂM KỲ TỚI", "Đề mục 1")
    _block_loop(word, "nhiem_vu_ky_toi", "nhiem_vu_ky_toi_trong")
    _p(word, "{{ ket_thuc }}", "Đoạn văn")


def _signature(word) -> None:
    """Recipients on the left; authority, title, room for the signature and seal, and the name on the right."""

    table = word.add_table(rows=1, cols=2)
    _widths(table, [85, 80])
    recipients, signer = table.rows[0].cells
    paragraph = recipients.paragraphs[0]
    run = paragraph.add_run("Nơi nhận:")
    run.bold, run.italic = True, True
    _p(recipients, "{%p for noi in noi_nhan %}")
    _p(recipients, "{{ noi }}", "Nơi nhận")
    _p(recipients, "{%p endfor %}")
    _first(signer, "{%p if nguoi_ky.quyen_han %}")
    _p(signer, "{{ nguoi_ky.quyen_han }}", bold=True, size=14, centre=True)
    _p(signer, "{%p endif %}")
    _p(signer, "{{ nguoi_ky.chuc_vu }}", bold=True, size=14, centre=True)
    for _line in range(4):
        _p(signer, "", centre=True)
    _p(signer, "{{ nguoi_ky.ho_ten }}", bold=True, size=14, centre=True)


def _appendix(word) -> None:
    """A landscape section: the titles of the figures appendix and its table."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    section = word.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = (
        Mm(20),
        Mm(20),
        Mm(20),
        Mm(15),
    )
    _p(word, "PHỤ LỤC", "Giữa", bold=True)
    _p(word, "{{ phu_luc.tieu_de }}", "Giữa", bold=True)
    _p(word, "{{ phu_luc.kem_theo }}", "Giữa", italic=True, size=13)
    _p(word, "{{ phu_luc.so_lieu_den_ngay }}", "Giữa", italic=True, size=13)
    _p(word, "", "Giữa")
    _appendix_table(word)


APPENDIX_COLUMNS = [
    ("STT", 13, "stt", "Ô bảng giữa"),
    ("Nhiệm vụ / sản phẩm", 58, "ten", "Ô bảng"),
    ("Cơ quan chủ trì", 30, "chu_tri", "Ô bảng"),
    ("Cơ quan phối hợp", 30, "phoi_hop", "Ô bảng"),
    ("Thời gian thực hiện", 22, "thoi_han", "Ô bảng"),
    ("Tình trạng", 24, "tinh_trang", "Ô bảng"),
    ("Tiến độ (%)", 16, "tien_do", "Ô bảng giữa"),
    ("Kết quả thực hiện", 41, "ket_qua", "Ô bảng"),
    ("Tài liệu kiểm chứng", 28, "kiem_chung", "Ô bảng"),
]


def _cell(cell, text: str, style: str, width: int) -> None:
    from docx.shared import Mm

    cell.width = Mm(width)
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    if text:
        paragraph.add_run(text)


def _appendix_table(word) -> None:
    """Header row (repeated on each page), then one row per line of ``phu_luc.dong``: a band (document, section)
    merged across the table, or a task."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = word.add_table(rows=8, cols=len(APPENDIX_COLUMNS))
    table.style = "Table Grid"
    _widths(table, [width for _title, width, _key, _style in APPENDIX_COLUMNS])
    head, loop, test, band, other, task, end_test, end_loop = table.rows
    for index, (title, width, key, style) in enumerate(APPENDIX_COLUMNS):
        _cell(head.cells[index], title, "Đầu bảng", width)
        _cell(task.cells[index], "{{ r." + key + " }}", style, width)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    head._tr.get_or_add_trPr().append(repeat)
    for row, tag in [
        (loop, "{%tr for r in phu_luc.dong %}"),
        (test, "{%tr if r.nhom %}"),
        (other, "{%tr else %}"),
        (end_test, "{%tr endif %}"),
        (end_loop, "{%tr endfor %}"),
    ]:
        row.cells[0].paragraphs[0].add_run(tag)
    _cell(band.cells[0], "{{ r.stt }}", "Đầu bảng", APPENDIX_COLUMNS[0][1])
    merged = band.cells[1].merge(band.cells[-1])
    merged.paragraphs[0].style = "Ô bảng"
    run = merged.paragraphs[0].add_run("{{ r.ten }}")
    run.bold = True
