"""Agencies report their values with evidence; the monitoring unit accepts or returns them with a reason."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Role, User
from indicators.judging import Verdict, judge
from indicators.models import Measurement, MeasurementState, Target, TargetScope
from indicators.services import parse_number
from tests.conftest import make_user
from tests.indicators.conftest import D, at, measure

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def pdf(name="bien-ban.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def report_url(target, agency=None):
    url = reverse("indicators:report", args=[target.pk])
    return f"{url}?agency={agency.pk}" if agency else url


def post_report(client, target, agency, value="91,5", period="2024-06-30", evidence=None, note=""):
    data = {"period_end": period, "value": value, "note": note}
    if evidence is not False:
        data["evidence"] = evidence or pdf()
    return client.post(report_url(target, agency), data)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


# --- reporting ------------------------------------------------------------------------------------


@time_machine.travel(at(2024, 7, 10), tick=False)
def test_an_agency_reports_its_own_value_with_evidence(staff_client, group_target, justice, staff):
    page = staff_client.get(report_url(group_target, justice))
    assert page.status_code == 200
    html = page.content.decode()
    assert "6 tháng đầu năm 2024 (số liệu tính đến 30/06/2024)" in html and "Quý I/2024" in html
    assert "Năm 2024 (số liệu tính đến 31/12/2024)" not in html  # December has not begun

    response = post_report(staff_client, group_target, justice, value="91,5", note="Theo phần mềm một cửa")

    assert response.status_code == 302
    m = Measurement.objects.get(indicator=group_target.indicator, agency=justice)
    assert (m.value, m.period_start, m.period_end, m.state, m.reported_by) == (
        Decimal("91.5"),
        D(2024, 1, 1),
        D(2024, 6, 30),
        MeasurementState.SUBMITTED,
        staff,
    )
    assert m.evidence_name == "bien-ban.pdf" and m.evidence.name.endswith(".pdf") and m.target is None
    [j] = [j for j in judge([group_target], today=D(2024, 7, 10)) if j.agency == justice]
    assert (j.verdict, j.pending) == (Verdict.NO_DATA, m)  # waiting: not counted yet


@time_machine.travel(at(2024, 7, 10), tick=False)
def test_an_agency_cannot_report_for_another_agency(staff_client, group_target, finance):
    assert staff_client.get(report_url(group_target, finance)).status_code == 403
    assert post_report(staff_client, group_target, finance).status_code == 403
    assert not Measurement.objects.exists()


@time_machine.travel(at(2024, 7, 10), tick=False)
def test_a_target_that_does_not_apply_to_the_agency_answers_404(staff_client, indicator, justice, finance):
    other = Target.objects.create(
        indicator=indicator, scope=TargetScope.AGENCY, agency=finance, year=2024, value=Decimal("90")
    )
    assert staff_client.get(report_url(other, justice)).status_code == 404


@time_machine.travel(at(2024, 7, 10), tick=False)
def test_another_province_sees_nothing(client, outsider, group_target, justice):
    m = measure(group_target.indicator, justice, D(2024, 6, 30), 90, state=MeasurementState.SUBMITTED)
    client.force_login(outsider)
    for url in (
        report_url(group_target, justice),
        reverse("indicators:detail", args=[group_target.indicator_id]),
        reverse("indicators:export", args=[group_target.indicator_id]),
        reverse("indicators:review", args=[m.pk]),
        reverse("indicators:evidence", args=[m.pk]),
        f"{reverse('indicators:agency')}?agency={justice.pk}",
        reverse("indicators:target_new", args=[group_target.indicator_id]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("indicators:review", args=[m.pk]), {"decision": "accept"}).status_code == 404
    m.refresh_from_db()
    assert m.state == MeasurementState.SUBMITTED


@time_machine.travel(at(2024, 7, 10), tick=False)
def test_a_number_must_be_a_number_and_evidence_is_required(staff_client, group_target, justice):
    response = post_report(staff_client, group_target, justice, value="khoảng chín mươi")
    assert response.status_code == 200 and "Hãy nhập một số, ví dụ 87,5." in response.content.decode()
    response = post_report(staff_client, group_target, justice, evidence=False)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    response = post_report(staff_client, group_target, justice, period="2024-09-30")  # not begun yet
    assert response.status_code == 200
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("87,5", "87.5"),
        ("87.5", "87.5"),
        ("90%", "90"),
        ("1.500.000", "1500000"),
        ("1.500.000,5", "1500000.5"),
        ("1,500,000.5", "1500000.5"),
        (" 4 ", "4"),
        ("-2,25", "-2.25"),
    ],
)
def test_numbers_are_read_as_people_type_them(text, number):
    assert parse_number(text) == Decimal(number)


@time_machine.travel(at(2024, 7, 10), tick=False)
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bao-cao.pdf", b"MZ\x90\x00" + b"\x00" * 200, "nội dung không phải PDF"),  # a program renamed .pdf
        ("bao-cao.pdf", "Báo cáo kết quả".encode(), "nội dung không phải PDF"),  # plain text renamed .pdf
        ("anh.pdf", PNG, "nội dung là ảnh PNG"),  # the name and the content disagree
        ("chuong-trinh.exe", PDF, "không được nhận"),
        ("bao-cao.pdf", b"", "Tệp rỗng"),
    ],
)
def test_evidence_is_checked_by_its_content(staff_client, group_target, justice, name, data, message):
    response = post_report(staff_client, group_target, justice, evidence=SimpleUploadedFile(name, data))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Measurement.objects.exists()


@time_machine.travel(at(2024, 7, 10), tick=False)
def test_evidence_above_the_size_limit_is_refused(settings, staff_client, group_target, justice):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (1024 * 1024))
    response = post_report(staff_client, group_target, justice, evidence=big)
    assert "vượt giới hạn 1 MB cho mỗi tệp" in response.content.decode()
    assert not Measurement.objects.exists()


@time_machine.travel(at(2024, 7, 10), tick=False)
def test_excel_with_macros_is_refused(staff_client, group_target, justice):
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00" * 32)
    response = post_report(
        staff_client, group_target, justice, evidence=SimpleUploadedFile("so-lieu.xlsx", buffer.getvalue())
    )
    assert "có chứa macro nên không được nhận" in response.content.decode()


@time_machine.travel(at(2024, 7, 10), tick=False)
@pytest.mark.parametrize(
    ("name", "data", "extension"),
    [("so-lieu.xlsx", None, "xlsx"), ("anh-chup.png", PNG, "png"), ("bien-ban.PDF", PDF, "pdf")],
)
def test_pdf_excel_and_images_are_accepted(staff_client, group_target, justice, name, data, extension):
    response = post_report(staff_client, group_target, justice, evidence=SimpleUploadedFile(name, data or xlsx_bytes()))
    assert response.status_code == 302
    m = Measurement.objects.get()
    assert m.evidence.name.endswith("." + extension) and m.evidence_name == name


# --- accepting and returning ------------------------------------------------------------------------


@pytest.fixture
def waiting(group_target, justice, staff):
    m = measure(group_target.indicator, justice, D(2024, 6, 30), 91, state=MeasurementState.SUBMITTED, reporter=staff)
    m.evidence.save("x.pdf", SimpleUploadedFile("x.pdf", PDF), save=False)
    m.evidence_name = "bien-ban.pdf"
    m.save()
    return m


def review(client, m, decision, reason=""):
    return client.post(reverse("indicators:review", args=[m.pk]), {"decision": decision, "reason": reason})


@pytest.mark.parametrize("who", ["reviewer", "monitoring_leader"])
def test_the_monitoring_unit_accepts_a_value(request, client, waiting, group_target, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert "Chấp nhận số liệu" in client.get(reverse("indicators:review", args=[waiting.pk])).content.decode()

    assert review(client, waiting, "accept").status_code == 302

    waiting.refresh_from_db()
    assert (waiting.state, waiting.reviewed_by) == (MeasurementState.ACCEPTED, user)
    [j] = [j for j in judge([group_target], today=D(2024, 7, 10)) if j.agency == waiting.agency]
    assert (j.value, j.verdict) == (91, Verdict.ON_TRACK)


@pytest.mark.parametrize("who", ["staff", "leader", "colleague_elsewhere", "monitoring_staff"])
def test_others_cannot_accept(request, client, waiting, who, departments):
    client.force_login(request.getfixturevalue(who))
    response = review(client, waiting, "accept")
    waiting.refresh_from_db()
    assert waiting.state == MeasurementState.SUBMITTED
    # The reporting agency may look at its value (200 page, 403 on the action); a third agency does not see it at all.
    assert response.status_code == (404 if who == "colleague_elsewhere" else 403)


def test_a_leader_of_a_unit_that_does_not_monitor_cannot_accept(client, waiting, finance):
    client.force_login(make_user("finance_leader", finance, Role.LEADER))
    assert review(client, waiting, "accept").status_code == 404
    waiting.refresh_from_db()
    assert waiting.state == MeasurementState.SUBMITTED


def test_returning_needs_a_reason(client, reviewer, waiting):
    client.force_login(reviewer)
    review(client, waiting, "return", reason="   ")
    waiting.refresh_from_db()
    assert waiting.state == MeasurementState.SUBMITTED


@time_machine.travel(at(2024, 7, 10), tick=False)
def test_a_returned_value_is_seen_with_its_reason_and_reported_again(
    client, reviewer, staff, waiting, group_target, justice
):
    client.force_login(reviewer)
    review(client, waiting, "return", reason="Số liệu chưa khớp biên bản kiểm tra.")
    waiting.refresh_from_db()
    assert (waiting.state, waiting.return_reason) == (MeasurementState.RETURNED, "Số liệu chưa khớp biên bản kiểm tra.")

    client.force_login(staff)
    agency_page = client.get(reverse("indicators:agency")).content.decode()
    assert (
        "Bị trả lại" in agency_page
        and "Số liệu chưa khớp biên bản kiểm tra." in agency_page
        and "Báo cáo lại" in agency_page
    )
    form = client.get(report_url(group_target, justice)).content.decode()
    assert "Số liệu chưa khớp biên bản kiểm tra." in form

    # Reported again for the same period, without a new file: the evidence already sent stays.
    response = post_report(client, group_target, justice, value="88", evidence=False)
    assert response.status_code == 302
    again = Measurement.objects.get()
    assert (again.pk, again.value, again.state, again.evidence_name) == (
        waiting.pk,
        88,
        MeasurementState.SUBMITTED,
        "bien-ban.pdf",
    )
    assert [h.state for h in again.history.order_by("history_id")][-3:] == ["submitted", "returned", "submitted"]

    client.force_login(reviewer)
    review(client, again, "accept")
    [j] = [j for j in judge([group_target], today=D(2024, 7, 10)) if j.agency == justice]
    assert (j.value, j.verdict, j.colour) == (88, Verdict.AT_RISK, "orange")


@time_machine.travel(at(2024, 7, 10), tick=False)
def test_an_accepted_value_cannot_be_overwritten_by_the_agency(client, staff, group_target, justice):
    measure(group_target.indicator, justice, D(2024, 6, 30), 91)
    client.force_login(staff)
    response = post_report(client, group_target, justice, value="99")
    assert "Số liệu kỳ này đã được xác nhận" in response.content.decode()
    assert Measurement.objects.get().value == 91


def test_nobody_accepts_their_own_report(client, reviewer, group_target):
    province_target = Target.objects.create(
        indicator=group_target.indicator, scope=TargetScope.PROVINCE, year=2024, value=Decimal("95")
    )
    m = measure(
        province_target.indicator, None, D(2024, 6, 30), 96, state=MeasurementState.SUBMITTED, reporter=reviewer
    )
    client.force_login(reviewer)
    assert review(client, m, "accept").status_code == 403
    m.refresh_from_db()
    assert m.state == MeasurementState.SUBMITTED


def test_evidence_is_served_to_the_agency_and_the_monitoring_unit_only(
    client, waiting, staff, reviewer, colleague_elsewhere
):
    url = reverse("indicators:evidence", args=[waiting.pk])
    for user, status in ((staff, 200), (reviewer, 200), (colleague_elsewhere, 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert b"".join(response.streaming_content) == PDF
            assert 'filename="bien-ban.pdf"' in response["Content-Disposition"]


# --- the province's values (Phú Yên demo: Sở Tư pháp monitors target 5 of plan 275) ----------------------


@time_machine.travel(at(2024, 7, 10), tick=False)
def test_the_monitoring_unit_reports_the_province_value_and_a_reviewer_accepts_it(client, demo):
    target = demo.indicators.get(number="5").targets.get()
    sotuphap, sonoivu = User.objects.get(username="sotuphap"), User.objects.get(username="sonoivu")
    client.force_login(sotuphap)
    page = client.get(reverse("indicators:agency")).content.decode()
    assert "Chỉ tiêu chung của tỉnh do đơn vị theo dõi" in page and "văn bản quy phạm pháp luật" in page

    assert post_report(client, target, None, value="100").status_code == 302
    m = Measurement.objects.get(indicator=target.indicator)
    assert (m.agency, m.state, m.reported_by) == (None, MeasurementState.SUBMITTED, sotuphap)

    client.force_login(sonoivu)
    assert "Xem và xác nhận" in client.get(reverse("indicators:review_queue")).content.decode()
    assert review(client, m, "accept").status_code == 302
    [j] = judge([target], today=D(2024, 7, 10))
    assert (j.agency, j.value, j.verdict) == (None, 100, Verdict.ON_TRACK)


@time_machine.travel(at(2024, 7, 10), tick=False)
def test_a_unit_that_does_not_monitor_cannot_report_the_province_value(client, demo):
    target = demo.indicators.get(number="6").targets.get()  # monitored by Văn phòng UBND tỉnh
    client.force_login(User.objects.get(username="sotuphap"))
    assert post_report(client, target, None).status_code == 403
    assert not Measurement.objects.filter(indicator=target.indicator).exists()
