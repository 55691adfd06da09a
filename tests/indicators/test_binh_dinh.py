"""Bình Định's 2022 letter: 10 indicators, targets per agency category, every target judged for every agency."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.models import Role
from indicators import services
from indicators.importing import apply_preview, build_preview
from indicators.judging import Verdict, count_by_verdict, judge_agency, judge_document
from indicators.models import IndexKind, IndexResult, Indicator, Measurement, MeasurementState, Target
from plans.models import Document
from plans.tables import parse_indicator_table, read_table
from tests.conftest import make_user
from tests.indicators.conftest import D, at, bd_agency, binh_dinh, measure

pytestmark = pytest.mark.django_db

WORKBOOK = Path(settings.BASE_DIR) / "fixtures" / "demo" / "binh-dinh-chi-tieu.xlsx"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def letter(demo) -> Document:
    return Document.objects.filter(province__code="binh-dinh").exclude(indicators=None).distinct().get()


def indicator(letter, number: str) -> Indicator:
    return letter.indicators.get(number=number)


def target(letter, number: str, who: str, written: str = "") -> Target:
    """The target line of indicator ``number`` for agency or group ``who`` (and the text as written, if ambiguous)."""
    lines = [t for t in indicator(letter, number).targets.select_related("agency", "group") if t.who == who]
    lines = [t for t in lines if t.applies_to_text.startswith(written)]
    assert len(lines) == 1, (number, who, lines)
    return lines[0]


def test_the_demo_appendix_imported_again_keeps_its_targets_and_the_values_reported(letter):
    before = {
        t.pk: (t.indicator.number, t.who, t.applies_to_text, t.value)
        for t in Target.objects.filter(indicator__document=letter)
    }
    justice = bd_agency("Sở Tư pháp")
    reported = measure(indicator(letter, "1"), justice, D(2022, 12, 31), "91.2")

    preview = build_preview(letter, parse_indicator_table(read_table(WORKBOOK.read_bytes(), WORKBOOK.name)))
    assert preview.ok and [i.number for i in preview.indicators] == [str(n) for n in range(1, 11)]
    assert apply_preview(preview) == 10

    after = {
        t.pk: (t.indicator.number, t.who, t.applies_to_text, t.value)
        for t in Target.objects.filter(indicator__document=letter)
    }
    assert after == before and len(after) == 36
    assert Measurement.objects.filter(pk=reported.pk).exists()
    assert (indicator(letter, "1").index, indicator(letter, "2").index, indicator(letter, "3").index) == (
        IndexKind.PAR,
        IndexKind.SIPAS,
        "",
    )
    [justice_par] = [
        j for j in judge_document(letter, today=D(2023, 2, 1)) if j.agency == justice and j.indicator.number == "1"
    ]
    assert (justice_par.verdict, justice_par.value) == (Verdict.MET, Decimal("91.2"))


def test_targets_per_category_as_the_letter_writes_them(letter):
    assert target(letter, "1", "Các sở, ban, ngành").value == 90
    assert target(letter, "1", "Các cơ quan Trung ương đóng trên địa bàn tỉnh").value == 87
    assert target(letter, "1", "UBND cấp huyện").value == 84
    assert target(letter, "2", "UBND cấp huyện").value == 80
    assert target(letter, "7", "Trung tâm Phục vụ hành chính công tỉnh").value_text == "60%"
    assert target(letter, "9", "UBND cấp huyện", "100% Phòng Tư pháp").value == 30
    assert target(letter, "9", "UBND cấp huyện", "Hồ sơ giao dịch").value == 100


@time_machine.travel(at(2023, 2, 1), tick=False)
def test_every_target_is_judged_for_every_agency_after_2022(letter):
    reviewer = make_user("bd_snv", bd_agency("Sở Nội vụ"), Role.REVIEWER)
    quy_nhon = bd_agency("UBND thành phố Quy Nhơn")
    expected = {
        # (indicator, target applies to, agency): (value, state, verdict)
        ("1", "Các sở, ban, ngành", "Sở Tư pháp"): ("91.2", MeasurementState.ACCEPTED, Verdict.MET),
        ("1", "Các cơ quan Trung ương đóng trên địa bàn tỉnh", "Cục Thuế tỉnh Bình Định"): (
            "85",
            MeasurementState.ACCEPTED,
            Verdict.NOT_MET,
        ),
        ("1", "UBND cấp huyện", "UBND thành phố Quy Nhơn"): ("90", MeasurementState.RETURNED, Verdict.NO_DATA),
        ("2", "Các sở, ban, ngành", "Sở Y tế"): ("90", MeasurementState.SUBMITTED, Verdict.NO_DATA),
        ("2", "Các cơ quan Trung ương đóng trên địa bàn tỉnh", "Công an tỉnh Bình Định"): (
            "83",
            MeasurementState.ACCEPTED,
            Verdict.MET,
        ),
        ("2", "UBND cấp huyện", "UBND thị xã An Nhơn"): ("79.5", MeasurementState.ACCEPTED, Verdict.NOT_MET),
        ("3", "Các sở, ban, ngành", "Văn phòng UBND tỉnh"): ("100", MeasurementState.ACCEPTED, Verdict.MET),
        ("3", "UBND cấp huyện", "UBND thị xã Hoài Nhơn"): ("96", MeasurementState.ACCEPTED, Verdict.NOT_MET),
        ("3", "UBND cấp xã", "UBND phường Ghềnh Ráng"): ("100", MeasurementState.ACCEPTED, Verdict.MET),
        ("5", "Các sở, ban, ngành", "Sở Tài chính"): ("72", MeasurementState.ACCEPTED, Verdict.MET),
        ("6", "UBND cấp xã", "UBND xã Nhơn Lý"): ("12", MeasurementState.ACCEPTED, Verdict.NOT_MET),
        ("7", "Trung tâm Phục vụ hành chính công tỉnh", "Trung tâm Phục vụ hành chính công tỉnh"): (
            "61",
            MeasurementState.ACCEPTED,
            Verdict.MET,
        ),
        ("7", "UBND cấp huyện", "UBND thành phố Quy Nhơn"): ("55", MeasurementState.ACCEPTED, Verdict.NOT_MET),
        ("8", "Trường Cao đẳng Y tế Bình Định", "Trường Cao đẳng Y tế Bình Định"): (
            "50",
            MeasurementState.ACCEPTED,
            Verdict.MET,
        ),
        ("8", "Các bệnh viện từ hạng 2 trở lên trên địa bàn tỉnh", "Bệnh viện Đa khoa tỉnh Bình Định"): (
            "40",
            MeasurementState.ACCEPTED,
            Verdict.NOT_MET,
        ),
        ("10", "Các phòng, ban và tương đương thuộc UBND cấp huyện", "UBND thành phố Quy Nhơn"): (
            "92",
            MeasurementState.ACCEPTED,
            Verdict.MET,
        ),
        ("10", "UBND cấp xã", "UBND phường Quang Trung"): ("65", MeasurementState.ACCEPTED, Verdict.NOT_MET),
    }
    for (number, _who, agency_name), (value, state, _verdict) in expected.items():
        measure(indicator(letter, number), bd_agency(agency_name), D(2022, 12, 31), value, state=state)
    # The Ban Quản lý Khu kinh tế is named itself and, as a department, through "Các sở, ban, ngành": one value for both.
    board = bd_agency("Ban Quản lý Khu kinh tế tỉnh")
    measure(indicator(letter, "3"), board, D(2022, 12, 31), 100)
    expected[("3", "Ban Quản lý Khu kinh tế tỉnh", board.name)] = (None, None, Verdict.MET)
    expected[("3", "Các sở, ban, ngành", board.name)] = (None, None, Verdict.MET)
    # Indicators 1 and 2 are index results: the published PAR Index and SIPAS of an agency are its values.
    IndexResult.objects.create(
        index=IndexKind.PAR, province=binh_dinh(), agency=bd_agency("Sở Xây dựng"), year=2022, score=Decimal("88.05")
    )
    IndexResult.objects.create(
        index=IndexKind.SIPAS,
        province=binh_dinh(),
        agency=bd_agency("Sở Giáo dục và Đào tạo"),
        year=2022,
        score=Decimal("90.1"),
    )
    expected[("1", "Các sở, ban, ngành", "Sở Xây dựng")] = (None, None, Verdict.NOT_MET)
    expected[("2", "Các sở, ban, ngành", "Sở Giáo dục và Đào tạo")] = (None, None, Verdict.MET)
    # Indicator 9 has two lines for the district committees: Quy Nhơn reports for the first through the portal.
    copies = target(letter, "9", "UBND cấp huyện", "100% Phòng Tư pháp")
    reporter = make_user("quynhon", quy_nhon, Role.STAFF)
    value = services.report_measurement(
        user=reporter,
        target=copies,
        agency=quy_nhon,
        period_end=D(2022, 12, 31),
        value=Decimal("35"),
        evidence=SimpleUploadedFile("bao-cao.pdf", PDF),
        evidence_extension="pdf",
    )
    services.accept_measurement(value, reviewer)
    assert value.target == copies  # the value says which of the two lines it is for
    expected[("9", "UBND cấp huyện", quy_nhon.name)] = (None, None, None)  # checked line by line below

    judgements = judge_document(letter, today=timezone.localdate())

    assert len(judgements) == 540  # every target line × every member valid in 2022
    seen = {}
    for j in judgements:
        key = (j.indicator.number, j.target.who, j.agency.name if j.agency else None)
        if key in expected and key[0] != "9":
            assert j.verdict == expected[key][2], (key, j.verdict, j.value)
            seen[key] = j
        elif key[0] == "9" and key[2] == quy_nhon.name:
            assert j.verdict == (Verdict.MET if j.target == copies else Verdict.NO_DATA)
        else:
            assert j.verdict == Verdict.NO_DATA, (key, j.value)
    assert len(seen) == len(expected) - 1
    returned = seen[("1", "UBND cấp huyện", quy_nhon.name)]
    assert returned.returned is not None and returned.value is None
    assert seen[("2", "Các sở, ban, ngành", "Sở Y tế")].pending.value == 90
    assert count_by_verdict(judgements) == {
        "met": 12,
        "not_met": 8,
        "on_track": 0,
        "at_risk": 0,
        "no_data": 520,
        "pending": 1,
    }


@time_machine.travel(at(2022, 7, 15), tick=False)
def test_while_2022_runs_the_trend_decides(letter):
    finance = bd_agency("Sở Tài chính")
    measure(indicator(letter, "5"), finance, D(2022, 3, 31), 40)
    measure(indicator(letter, "5"), finance, D(2022, 6, 30), 55)
    measure(indicator(letter, "6"), finance, D(2022, 6, 30), 10)

    judgements = judge_agency(finance, year=2022, today=timezone.localdate())
    mine = {j.indicator.number: j for j in judgements}

    assert (mine["5"].verdict, mine["5"].colour) == (
        Verdict.ON_TRACK,
        "green",
    )  # 40 → 55: about 85 by December, target 70
    assert (mine["6"].verdict, mine["6"].colour) == (Verdict.AT_RISK, "red")  # 10 of 30, no trend yet
    assert mine["4"].verdict == Verdict.NO_DATA
    assert sorted(mine, key=int) == ["1", "2", "3", "4", "5", "6", "9", "10"]  # 7 and 8 are not the departments'
    assert len(judgements) == 8  # indicator 9: only its second line applies to the departments
