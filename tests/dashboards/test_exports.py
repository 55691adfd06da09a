"""The periodic report of quarter I/2024 of plan 275, exported on 1 May 2024 and read back.

The figures are those of 31/03/2024, the end of the quarter: the tasks of January and February not done
by then are overdue (III.1 was done in January; III.2, III.3, III.7 were not), the quarter I tasks are
due on the last day itself and so not overdue yet; II.2, done on 10 April, was not done at the end of
the quarter.
"""

import io

import docx
import openpyxl
import pytest
from django.urls import reverse
from docx.enum.section import WD_ORIENT

from cchc_portal.dashboards.exports import neutralise
from tasks.models import WorkState
from tests.dashboards.conftest import D, at, finish, report, share, start, task

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarter_one(plan, vpubnd, sotuphap, may_first):
    """What agencies did in (and after) quarter I."""
    justice_plan = finish(plan, "II.1", "Sở Tư pháp", D(2024, 3, 20))
    report(
        justice_plan,
        sotuphap,
        at(D(2024, 3, 20)),
        WorkState.DONE,
        100,
        "- Đã ban hành Kế hoạch số 25/KH-UBND",
        evidence_link="https://example.gov.vn/kh25",
    )
    finish(plan, "II.2", "Sở Tư pháp", D(2024, 4, 10))  # after the quarter
    finish(plan, "III.1", "Văn phòng UBND tỉnh", D(2024, 1, 25))
    directions = start(plan, "I.1", "Văn phòng UBND tỉnh", progress=60)
    report(
        directions,
        vpubnd,
        at(D(2024, 3, 10)),
        WorkState.IN_PROGRESS,
        40,
        "Đã xây dựng dự thảo văn bản chỉ đạo",
        evidence_number="15/KH-VP",
        evidence_date=D(2024, 3, 8),
    )
    loud = task(plan, "VIII.2")
    loud.title = '=HYPERLINK("http://example.invalid","bấm vào đây")'
    loud.save()
    return plan


def export(client, user, kind, **params):
    client.force_login(user)
    response = client.get(reverse(f"dashboard:export_{kind}"), {k: str(v) for k, v in params.items()})
    assert response.status_code == 200
    return response


def test_the_excel_appendix_has_every_task_with_its_status_and_result(client, sonoivu, quarter_one):
    response = export(client, sonoivu, "xlsx", document=quarter_one.pk, period="quarter-1")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "bao-cao-cchc-tinh-quy-i-nam-2024.xlsx" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["Phụ lục"]

    assert [sheet.cell(row=r, column=1).value for r in range(1, 5)] == [
        "PHỤ LỤC",
        "Kết quả thực hiện công tác cải cách hành chính quý I năm 2024",
        "(Kèm theo Báo cáo …/BC-SNV của Sở Nội vụ)",
        "Số liệu tính đến ngày 31/03/2024",
    ]
    assert [c.value for c in sheet[6]] == [
        "STT",
        "Nhiệm vụ / sản phẩm",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Thời gian thực hiện",
        "Tình trạng",
        "Tiến độ (%)",
        "Kết quả thực hiện",
        "Tài liệu kiểm chứng",
    ]
    rows = [list(r) for r in sheet.iter_rows(min_row=7, values_only=True)]
    assert len(rows) == 8 + 56  # a row per section, a row per task
    assert rows[0][:2] == ["I", "Công tác chỉ đạo, điều hành CCHC"]
    first = rows[1]
    assert first[:6] == [
        "1",
        "Ban hành các văn bản chỉ đạo, điều hành, triển khai thực hiện hiệu quả các nội dung, kế hoạch, nhiệm vụ công tác cải cách hành chính năm 2024",
        "Văn phòng UBND tỉnh, Sở Nội vụ, Sở Thông tin và Truyền thông",
        "Các sở, ban, ngành liên quan",
        "Năm 2024",
        "Đang thực hiện trong hạn",  # one of its three leads had started by 31/03
    ]
    assert first[6] == 13  # (40 + 0 + 0) / 3, a number
    assert first[7] == "Đã xây dựng dự thảo văn bản chỉ đạo"
    assert first[8] == "Văn phòng UBND tỉnh: Văn bản số 15/KH-VP ngày 08/03/2024"

    by_title = {r[1]: r for r in rows if r[5]}
    section_ii = rows.index(["II", "Cải cách thể chế", None, None, None, None, None, None, None])
    justice_plan = rows[section_ii + 1]
    assert justice_plan[0] == "1" and justice_plan[5] == "Hoàn thành đúng hạn" and justice_plan[6] == 100
    assert justice_plan[7] == "'- Đã ban hành Kế hoạch số 25/KH-UBND"  # neutralised: it starts with "-"
    assert justice_plan[8] == "https://example.gov.vn/kh25"
    assert rows[section_ii + 2][5] == "Chưa thực hiện"  # II.2: done on 10 April, after the quarter
    assert '\'=HYPERLINK("http://example.invalid","bấm vào đây")' in by_title  # never a formula
    statuses = [r[5] for r in rows if r[5]]
    assert statuses.count("Hoàn thành đúng hạn") == 2  # II.1, III.1
    assert statuses.count("Quá hạn") == 3  # III.2, III.3, III.7
    assert statuses.count("Đang thực hiện trong hạn") == 1
    assert statuses.count("Chưa thực hiện") == 48
    assert statuses.count("Thực hiện thường xuyên") == 2  # III.4, III.9 (issue 15: counted apart)

    summary = workbook["Tổng hợp"]
    total = [c.value for c in summary[summary.max_row]]
    assert total == ["Tổng cộng", 56, 2, 0, 1, 48, 3, 2, 3.6]
    institutions = next(
        [c.value for c in row] for row in summary.iter_rows(min_row=5) if row[0].value == "Cải cách thể chế"
    )
    assert institutions == ["Cải cách thể chế", 6, 1, 0, 0, 5, 0, 0, 16.7]


def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def portrait_header_xml(report_) -> str:
    section = report_.sections[0]
    assert section.different_first_page_header_footer
    return section.header._element.xml


def test_the_word_report_is_laid_out_as_an_administrative_report(client, sonoivu, quarter_one):
    response = export(client, sonoivu, "docx", document=quarter_one.pk, period="quarter-1")
    assert "bao-cao-cchc-tinh-quy-i-nam-2024.docx" in response["Content-Disposition"]
    report_ = docx.Document(io.BytesIO(response.content))

    header = report_.tables[0]
    left, right = (cell.text.split("\n") for cell in header.rows[0].cells)
    assert left[:2] == ["UBND TỈNH PHÚ YÊN", "SỞ NỘI VỤ"] and left[-1] == "Số: …/BC-SNV"
    assert right[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert right[-1] == "Phú Yên, ngày … tháng … năm 2024"

    text = paragraphs(report_)
    title = text.index("BÁO CÁO")
    assert text[title + 1] == "Kết quả thực hiện công tác cải cách hành chính quý I năm 2024"
    assert "Kính gửi: Ủy ban nhân dân tỉnh Phú Yên" in text
    assert any(p.startswith("Thực hiện Kế hoạch số 275/KH-UBND ngày 15/12/2023") for p in text)
    # The outline of a periodic CCHC report, each part once, in order.
    outline = [
        "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH",
        "II. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG CẢI CÁCH HÀNH CHÍNH",
        "III. HẠN CHẾ, NGUYÊN NHÂN",
        "IV. NHIỆM VỤ TRỌNG TÂM KỲ TỚI",
        "PHỤ LỤC",
    ]
    assert [text.count(heading) for heading in outline] == [1] * 5
    assert [text.index(heading) for heading in outline] == sorted(text.index(heading) for heading in outline)
    results = text[text.index(outline[1]) : text.index(outline[2])]
    assert [p for p in results if p[:2] in {f"{n}." for n in range(1, 10)}] == [
        "1. Cải cách thể chế",
        "2. Cải cách thủ tục hành chính",
        "3. Cải cách tổ chức bộ máy hành chính nhà nước",
        "4. Cải cách chế độ công vụ",
        "5. Cải cách tài chính công",
        "6. Xây dựng và phát triển chính quyền điện tử, chính quyền số",
    ]
    direction = text[text.index(outline[0]) : text.index(outline[1])]
    assert "1. Công tác chỉ đạo, điều hành" in direction
    assert "2. Công tác thông tin, tuyên truyền cải cách hành chính" in direction
    institutions = text.index("1. Cải cách thể chế")
    assert text[institutions + 1].startswith("Kết quả thực hiện: Tổng số: 6; đã hoàn thành: 1 (đạt 16,7%)")
    assert text[institutions + 2] == (
        "- Ban hành Kế hoạch công tác theo dõi tình hình thi hành pháp luật trên địa bàn tỉnh năm 2024 (Sở Tư pháp): "
        "- Đã ban hành Kế hoạch số 25/KH-UBND"
    )
    # An area with nothing completed in the period is said once, for all of them, not under each area.
    assert not any("Chưa có nhiệm vụ hoàn thành trong kỳ" in p for p in text)
    quiet = [p for p in text if "chưa có nhiệm vụ hoàn thành trong kỳ" in p]
    assert quiet == ["Ghi chú: nội dung 3, 4, 5, 6 chưa có nhiệm vụ hoàn thành trong kỳ."]
    shortcomings = text[text.index(outline[2]) : text.index(outline[3])]
    assert shortcomings[:3] == ["III. HẠN CHẾ, NGUYÊN NHÂN", "1. Hạn chế", "Còn 3 nhiệm vụ quá hạn chưa hoàn thành:"]
    assert (
        "- Kế hoạch kiểm tra công tác kiểm soát thủ tục hành chính năm 2024 (Văn phòng UBND tỉnh; thời hạn: Tháng 02/2024)"
        in shortcomings
    )
    assert "2. Nguyên nhân" in shortcomings
    # II.3 and VI.8 fall due in quarter II: the next period's work.
    upcoming = text[text.index(outline[3]) : text.index(outline[4])]
    assert any(
        p.startswith("- Ban hành Danh mục Quyết định của UBND tỉnh quy định chi tiết năm 2024") for p in upcoming
    )
    assert any(p.endswith("của Sở Nội vụ./.") for p in upcoming)
    # Page numbers in the header, from the second page on.
    assert 'w:instr="PAGE"' in portrait_header_xml(report_)
    # The signer: no bare title; without the province's settings the line says where to give the name.
    signature = report_.tables[1].rows[0].cells
    assert signature[0].text.split("\n") == ["Nơi nhận:", "- Như trên;", "- Bộ Nội vụ (b/c);", "- Lưu: VT."]
    signer = [line for line in signature[1].text.split("\n") if line]
    assert signer == ["GIÁM ĐỐC", "(Họ và tên người ký: khai báo tại Quản trị › Cài đặt báo cáo của tỉnh)"]

    normal = report_.styles["Normal"].font
    assert (normal.name, normal.size.pt) == ("Times New Roman", 14)
    portrait, landscape = report_.sections
    assert portrait.orientation != WD_ORIENT.LANDSCAPE and landscape.orientation == WD_ORIENT.LANDSCAPE
    assert round(portrait.page_width.mm) == 210 and round(landscape.page_width.mm) == 297

    appendix = report_.tables[-1]
    assert [c.text for c in appendix.rows[0].cells][:2] == ["STT", "Nhiệm vụ / sản phẩm"]
    assert len(appendix.rows) == 1 + 8 + 56
    texts = [[c.text for c in row.cells] for row in appendix.rows]
    section_ii = next(i for i, row in enumerate(texts) if row[0] == "II")
    assert texts[section_ii][1] == "Cải cách thể chế"
    assert texts[section_ii + 1][5:7] == ["Hoàn thành đúng hạn", "100"]


def test_an_agency_exports_its_own_report_to_so_noi_vu(client, sotuphap, quarter_one):
    report_ = docx.Document(io.BytesIO(export(client, sotuphap, "docx", period="quarter-1").content))
    left = report_.tables[0].rows[0].cells[0].text.split("\n")
    assert left[:2] == ["UBND TỈNH PHÚ YÊN", "SỞ TƯ PHÁP"] and left[-1] == "Số: …/BC-STP"
    text = paragraphs(report_)
    assert "Kính gửi: Sở Nội vụ" in text
    assert any("(phần việc được giao)" in p for p in text)
    # Its 55 shares, counted each: done on time II.1; overdue its shares of January and February tasks.
    summary = text[text.index("Số liệu tính đến ngày 31/03/2024 (phần việc được giao):") + 1]
    assert summary.startswith("Tổng số: 55; đã hoàn thành: 1 (đạt 1,8%)")
    assert "quá hạn chưa hoàn thành: 4." in summary  # III.1, III.2, III.3 (cooperating), III.7 (lead)
    assert len(report_.tables[-1].rows) == 1 + 8 + 55


@pytest.mark.parametrize(
    ("period", "title"),
    [
        ("month-4", "Kết quả thực hiện công tác cải cách hành chính tháng 4 năm 2024"),
        ("half-1", "Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2024"),
        ("year-1", "Kết quả thực hiện công tác cải cách hành chính năm 2024"),
    ],
)
def test_each_kind_of_period_has_its_title(client, sonoivu, plan, may_first, period, title):
    report_ = docx.Document(io.BytesIO(export(client, sonoivu, "docx", document=plan.pk, period=period).content))
    text = paragraphs(report_)
    assert text[text.index("BÁO CÁO") + 1] == title
    sheet = openpyxl.load_workbook(
        io.BytesIO(export(client, sonoivu, "xlsx", document=plan.pk, period=period).content)
    )["Phụ lục"]
    assert sheet["A2"].value == title


def test_a_share_done_after_the_period_shows_its_state_at_the_end_of_it(client, plan, sonoivu, sotuphap, may_first):
    """Reported in progress in March, done in April: the report of March says in progress (60%)."""
    justice = share(plan, "II.6", "Sở Tư pháp")
    report(justice, sotuphap, at(D(2024, 3, 5)), WorkState.IN_PROGRESS, 60, "Đang tổ chức lớp tập huấn")
    finish(plan, "II.6", "Sở Tư pháp", D(2024, 4, 2))
    sheet = openpyxl.load_workbook(
        io.BytesIO(export(client, sonoivu, "xlsx", document=plan.pk, period="month-3").content)
    )["Phụ lục"]
    row = next(
        r
        for r in sheet.iter_rows(min_row=7, values_only=True)
        if r[1] and r[1].startswith("Tổ chức tập huấn, bồi dưỡng")
    )
    assert row[5:8] == ("Đang thực hiện trong hạn", 60, "Đang tổ chức lớp tập huấn")
    sheet = openpyxl.load_workbook(
        io.BytesIO(export(client, sonoivu, "xlsx", document=plan.pk, period="month-4").content)
    )["Phụ lục"]
    row = next(
        r
        for r in sheet.iter_rows(min_row=7, values_only=True)
        if r[1] and r[1].startswith("Tổ chức tập huấn, bồi dưỡng")
    )
    assert row[5:7] == ("Hoàn thành đúng hạn", 100)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+84 912", "'+84 912"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Sở Tư pháp", "Sở Tư pháp"),
        (-5, -5),
        (12.5, 12.5),
        (None, None),
        ("a\x07b", "ab"),
    ],
)
def test_cells_that_look_like_formulas_are_neutralised(value, expected):
    assert neutralise(value) == expected
