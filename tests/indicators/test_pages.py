"""The indicator pages: the province's list, one indicator across agencies, one agency's targets, their exports."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import AgencyGroup, Role, User
from indicators.exports import safe_cell
from indicators.models import Direction, MeasurementState, Target, TargetScope
from plans.models import Document
from tests.conftest import make_agency, make_user
from tests.indicators.conftest import D, at, bd_agency, measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(demo) -> Document:
    return Document.objects.filter(province__code="binh-dinh").exclude(indicators=None).distinct().get()


@pytest.fixture
def bd_reviewer(demo):
    return make_user("bd_snv", bd_agency("Sở Nội vụ"), Role.REVIEWER)


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context)


def read_xlsx(response):
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    return sheet, header, [dict(zip(header, row, strict=True)) for row in rows[2:]]


# --- home -------------------------------------------------------------------------------------------


@time_machine.travel(at(2023, 2, 1), tick=False)
def test_home_lists_the_indicators_of_the_province_with_counts_by_verdict(client, letter, bd_reviewer):
    measure(letter.indicators.get(number="1"), bd_agency("Sở Tư pháp"), D(2022, 12, 31), 91)
    measure(letter.indicators.get(number="1"), bd_agency("Cục Thuế tỉnh Bình Định"), D(2022, 12, 31), 80)
    measure(
        letter.indicators.get(number="1"), bd_agency("Sở Y tế"), D(2022, 12, 31), 95, state=MeasurementState.SUBMITTED
    )
    client.force_login(bd_reviewer)

    page = text(client.get(reverse("indicators:home")))

    assert "Tỷ lệ xử lý văn bản, hồ sơ công việc" in page and "Chỉ số cải cách hành chính (Par-Index)" in page
    assert "275/KH-UBND" not in page  # Phú Yên's plan belongs to another province
    assert '<span class="badge badge-green" title="Đạt">1</span>' in page
    assert '<span class="badge badge-red" title="Không đạt">1</span>' in page
    assert '<span class="badge badge-grey" title="Chưa có số liệu">37</span>' in page  # 39 agencies under indicator 1
    assert "1 số liệu chờ xác nhận" in page


def test_home_queries_do_not_grow_with_the_data(client, letter, bd_reviewer):
    client.force_login(bd_reviewer)
    url = reverse("indicators:home")
    before = queries(client, url)
    for number in ("1", "3", "10"):
        for name in ("Sở Tư pháp", "Sở Y tế", "UBND thành phố Quy Nhơn"):
            measure(letter.indicators.get(number=number), bd_agency(name), D(2022, 12, 31), 90)
    assert queries(client, url) == before <= 12


# --- one indicator across agencies --------------------------------------------------------------------


@time_machine.travel(at(2023, 2, 1), tick=False)
def test_the_indicator_page_shows_every_agency_with_filters(client, letter, bd_reviewer):
    par = letter.indicators.get(number="1")
    measure(par, bd_agency("Sở Tư pháp"), D(2022, 12, 31), "91.2")
    measure(par, bd_agency("UBND thị xã An Nhơn"), D(2022, 12, 31), 70)
    client.force_login(bd_reviewer)
    url = reverse("indicators:detail", args=[par.pk])

    page = text(client.get(url))
    assert page.count('<tr class="verdict-') == 39  # 21 departments + 7 central agencies + 11 districts
    assert "91,2" in page and "Tối thiểu (≥) 90 %" in page

    districts = AgencyGroup.objects.get(province__code="binh-dinh", name="UBND cấp huyện")
    page = text(client.get(url, {"group": districts.pk}))
    assert page.count('<tr class="verdict-') == 11 and "UBND thị xã An Nhơn" in page and "Sở Tư pháp" not in page

    page = text(client.get(url, {"verdict": "met"}))
    assert page.count('<tr class="verdict-green">') == 1 and "Sở Tư pháp" in page

    page = text(client.get(url, {"group": districts.pk, "verdict": "not_met"}))
    assert page.count('<tr class="verdict-red">') == 1 and "UBND thị xã An Nhơn" in page


def test_the_indicator_page_is_for_the_monitoring_unit_and_reviewers(client, letter):
    sipas = letter.indicators.get(number="2")  # monitored by Sở Nội vụ
    url = reverse("indicators:detail", args=[sipas.pk])
    client.force_login(make_user("bd_snv_staff", bd_agency("Sở Nội vụ"), Role.STAFF))
    assert client.get(url).status_code == 200
    client.force_login(make_user("bd_stp", bd_agency("Sở Tư pháp"), Role.STAFF))
    assert client.get(url).status_code == 403
    client.force_login(User.objects.get(username="sonoivu"))  # Phú Yên
    assert client.get(url).status_code == 404


def test_the_indicator_page_queries_do_not_grow_with_the_data(client, letter, bd_reviewer):
    indicator = letter.indicators.get(number="3")
    client.force_login(bd_reviewer)
    url = reverse("indicators:detail", args=[indicator.pk])
    before = queries(client, url)
    for group_name in ("UBND cấp xã", "UBND cấp huyện"):
        for agency in AgencyGroup.objects.get(province__code="binh-dinh", name=group_name).members.all():
            measure(indicator, agency, D(2022, 6, 30), 80)
            measure(indicator, agency, D(2022, 12, 31), 95, state=MeasurementState.SUBMITTED)
    assert queries(client, url) == before <= 14
    districts = AgencyGroup.objects.get(province__code="binh-dinh", name="UBND cấp huyện")
    assert queries(client, f"{url}?group={districts.pk}&verdict=not_met") == before + 2  # the group, its members


# --- one agency ----------------------------------------------------------------------------------------


@time_machine.travel(at(2023, 2, 1), tick=False)
def test_the_agency_page_shows_all_its_targets(client, letter):
    quy_nhon = bd_agency("UBND thành phố Quy Nhơn")
    user = make_user("quynhon", quy_nhon, Role.STAFF)
    measure(letter.indicators.get(number="1"), quy_nhon, D(2022, 12, 31), 85)
    client.force_login(user)

    page = text(client.get(reverse("indicators:agency")))

    assert "Chỉ tiêu của UBND thành phố Quy Nhơn năm 2022" in page
    # 1, 2, 3, 4, 5, 6, 7, 9 (two lines), 10: the district committees' targets.
    assert page.count('<tr class="verdict-') == 10
    assert page.count(">Báo cáo số liệu</a>") == 10  # the agency reports for each line, including a later period
    assert '<span class="badge badge-green">Đạt</span>' in page


def test_staff_see_only_their_agency_reviewers_pick_one(client, letter, bd_reviewer):
    stp = make_user("bd_stp", bd_agency("Sở Tư pháp"), Role.STAFF)
    url = reverse("indicators:agency")
    client.force_login(stp)
    assert client.get(url, {"agency": bd_agency("Sở Y tế").pk}).status_code == 404
    assert client.get(url, {"agency": User.objects.get(username="sotuphap").agency_id}).status_code == 404  # Phú Yên
    client.force_login(bd_reviewer)
    page = text(client.get(url, {"agency": bd_agency("Sở Y tế").pk, "year": 2022}))
    assert "Chỉ tiêu của Sở Y tế năm 2022" in page and '<select name="agency"' in page


def test_the_agency_page_queries_do_not_grow_with_the_data(client, letter, bd_reviewer):
    agency = bd_agency("UBND thành phố Quy Nhơn")
    client.force_login(bd_reviewer)
    url = f"{reverse('indicators:agency')}?agency={agency.pk}&year=2022"
    before = queries(client, url)
    for indicator in letter.indicators.all():
        for month in (3, 6, 9):
            measure(indicator, agency, D(2022, month, 28), 50 + month)
    assert queries(client, url) == before <= 16


# --- exports --------------------------------------------------------------------------------------------


def test_cells_that_could_run_as_formulas_are_neutralised_but_numbers_stay_numbers():
    assert [safe_cell(v) for v in ("=1+1", "+84 912", "-5 điểm", "@SUM(A1)", "\tx", "\rx", "Sở Tư pháp")] == [
        "'=1+1",
        "'+84 912",
        "'-5 điểm",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "Sở Tư pháp",
    ]
    assert [safe_cell(v) for v in (Decimal("-2.5"), -3, 0.5, None, D(2024, 6, 30))] == [
        Decimal("-2.5"),
        -3,
        0.5,
        None,
        D(2024, 6, 30),
    ]


@time_machine.travel(at(2024, 7, 10), tick=False)
def test_the_indicator_export_reads_back_with_numbers_and_no_formulas(
    client, reviewer, group_target, departments, province
):
    evil = make_agency(province, '=HYPERLINK("http://evil.example","Bấm")')
    departments.members.add(evil)
    measure(group_target.indicator, evil, D(2024, 6, 30), "91.5")
    justice = departments.members.get(name="Sở Tư pháp")
    m = measure(group_target.indicator, justice, D(2024, 6, 30), 70)
    m.note = "-5 so với quý trước"
    m.save()
    client.force_login(reviewer)

    response = client.get(reverse("indicators:export", args=[group_target.indicator_id]))

    sheet, header, rows = read_xlsx(response)
    assert sheet["A1"].value.startswith("Chỉ tiêu 1 – 1/KH-UBND")
    by_agency = {row["Cơ quan, đơn vị"]: row for row in rows}
    assert set(by_agency) == {'\'=HYPERLINK("http://evil.example","Bấm")', "Sở Tư pháp", "Sở Nội vụ", "Sở Tài chính"}
    evil_row = by_agency['\'=HYPERLINK("http://evil.example","Bấm")']
    assert (evil_row["Giá trị đạt được"], evil_row["Mục tiêu"], evil_row["Đánh giá"]) == (91.5, 90, "Đúng tiến độ")
    assert evil_row["Số liệu đến ngày"].date() == D(2024, 6, 30)
    assert by_agency["Sở Tư pháp"]["Đánh giá"] == "Có nguy cơ không đạt"
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            assert not (cell.data_type == "s" and cell.value[:1] in "=+-@\t\r"), cell.coordinate
            assert cell.data_type != "f", cell.coordinate
    numbers = [c for c in sheet[3] if isinstance(c.value, int | float)]
    assert numbers and all(c.data_type == "n" for c in numbers)


@time_machine.travel(at(2023, 2, 1), tick=False)
def test_the_indicator_export_follows_the_filters(client, letter, bd_reviewer):
    par = letter.indicators.get(number="1")
    measure(par, bd_agency("Sở Tư pháp"), D(2022, 12, 31), "91.2")
    client.force_login(bd_reviewer)
    _sheet, _header, rows = read_xlsx(client.get(reverse("indicators:export", args=[par.pk]), {"verdict": "met"}))
    assert [(r["Cơ quan, đơn vị"], r["Giá trị đạt được"], r["Đánh giá"]) for r in rows] == [("Sở Tư pháp", 91.2, "Đạt")]


@time_machine.travel(at(2023, 2, 1), tick=False)
def test_the_agency_export_lists_every_target_of_the_agency(client, letter):
    quy_nhon = bd_agency("UBND thành phố Quy Nhơn")
    measure(letter.indicators.get(number="7"), quy_nhon, D(2022, 12, 31), 55)
    client.force_login(make_user("quynhon", quy_nhon, Role.LEADER))

    _sheet, header, rows = read_xlsx(client.get(reverse("indicators:agency_export"), {"year": 2022}))

    assert header[:3] == ("STT", "Văn bản", "Chỉ tiêu") and len(rows) == 10
    [seven] = [r for r in rows if r["Chỉ tiêu"].startswith("7.")]
    assert (seven["Mục tiêu"], seven["Giá trị đạt được"], seven["Đánh giá"], seven["Mục tiêu (như văn bản ghi)"]) == (
        60,
        55,
        "Không đạt",
        "60%",
    )


# --- targets set by hand -------------------------------------------------------------------------------------


def test_the_monitoring_unit_sets_a_target_by_hand(client, monitoring_leader, indicator, justice):
    client.force_login(monitoring_leader)
    url = reverse("indicators:target_new", args=[indicator.pk])
    assert "Thêm mục tiêu" in text(client.get(url))

    response = client.post(
        url,
        {
            "scope": "agency",
            "agency": justice.pk,
            "year": 2024,
            "value": "",
            "value_text": "95,5%",
            "unit": "%",
            "direction": Direction.AT_LEAST,
            "period_start": "01/07/2024",
            "period_end": "31/12/2024",
        },
    )

    assert response.status_code == 302
    t = Target.objects.get(indicator=indicator)
    assert (t.scope, t.agency, t.value, t.start, t.end, t.period_label) == (
        TargetScope.AGENCY,
        justice,
        Decimal("95.5"),
        D(2024, 7, 1),
        D(2024, 12, 31),
        "01/07/2024 – 31/12/2024",
    )


def test_a_target_form_refuses_what_does_not_fit(client, reviewer, indicator, outsider):
    client.force_login(reviewer)
    url = reverse("indicators:target_new", args=[indicator.pk])
    page = text(client.post(url, {"scope": "agency", "year": 2024, "value": "90", "direction": "at_least"}))
    assert "Chọn cơ quan mà mục tiêu áp dụng." in page
    page = text(
        client.post(
            url, {"scope": "agency", "agency": outsider.agency_id, "year": 2024, "value": "90", "direction": "at_least"}
        )
    )
    assert "errorlist" in page  # another province's agency is not a choice
    page = text(
        client.post(
            url,
            {
                "scope": "province",
                "year": 2024,
                "value": "90",
                "direction": "at_least",
                "period_start": "31/12/2024",
                "period_end": "01/01/2024",
            },
        )
    )
    assert "Ngày kết thúc kỳ phải sau ngày bắt đầu." in page
    assert not Target.objects.filter(indicator=indicator).exists()


def test_staff_cannot_set_targets(client, staff, monitoring_staff, indicator):
    for user in (staff, monitoring_staff):
        client.force_login(user)
        assert client.get(reverse("indicators:target_new", args=[indicator.pk])).status_code == 403


def test_the_review_queue_lists_what_the_user_may_decide(
    client, reviewer, monitoring_leader, staff, group_target, justice, finance
):
    measure(group_target.indicator, justice, D(2024, 6, 30), 91, state=MeasurementState.SUBMITTED, reporter=staff)
    measure(
        group_target.indicator,
        finance,
        D(2024, 6, 30),
        91,
        state=MeasurementState.SUBMITTED,
        reporter=monitoring_leader,
    )
    client.force_login(monitoring_leader)
    page = text(client.get(reverse("indicators:review_queue")))
    assert page.count("Xem và xác nhận") == 1 and "Sở Tư pháp" in page  # not the one they reported themselves
    client.force_login(staff)
    assert "Không có số liệu nào chờ xác nhận." in text(client.get(reverse("indicators:review_queue")))
