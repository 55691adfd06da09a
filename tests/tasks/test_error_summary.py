"""Errors a person can see (issue 15, point 7): after a failed save the top of the page says what is wrong, with a
link to each field; what was typed stays; chosen files are named with a request to choose them again; a date that
does not exist is said so; every error is tied to its field (aria-invalid, aria-describedby)."""

from __future__ import annotations

import datetime
import re

import pytest
from django import forms
from django.urls import reverse

from core.dates import DayMonthYearField
from indicators.models import Indicator
from tests.portal.test_url_walk import personas, url_for, url_names, world  # noqa: F401 - world is a fixture
from tests.tasks.conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def summary_of(page: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


def test_a_date_that_does_not_exist_is_said_so():
    field = DayMonthYearField()
    with pytest.raises(forms.ValidationError) as february:
        field.clean("31/02/2024")
    assert february.value.messages == ["Ngày 31/02/2024 không có: tháng 2 năm 2024 chỉ có 29 ngày."]
    with pytest.raises(forms.ValidationError) as february_2023:
        field.clean("29-02-2023")
    assert february_2023.value.messages == ["Ngày 29-02-2023 không có: tháng 2 năm 2023 chỉ có 28 ngày."]
    with pytest.raises(forms.ValidationError) as month:
        field.clean("12/13/2024")
    assert month.value.messages == ["Ngày 12/13/2024 không có: tháng 13 không tồn tại (tháng chỉ từ 1 đến 12)."]
    with pytest.raises(forms.ValidationError) as words:
        field.clean("cuối quý")
    assert words.value.messages == ["Hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 25/12/2024."]
    assert field.clean("29/02/2024") == datetime.date(2024, 2, 29)
    assert field.clean("2024-02-29") == datetime.date(2024, 2, 29)


def test_a_failed_extension_request_shows_the_summary_keeps_the_text_and_ties_the_error(client, staff, lead_part):
    client.force_login(staff)
    prefix = f"e{lead_part.pk}"
    response = client.post(
        reverse("tasks:request_extension", args=[lead_part.pk]),
        {f"{prefix}-requested_date": "31/02/2024", f"{prefix}-reason": "Chờ số liệu của các huyện"},
    )
    page = response.content.decode()
    summary = summary_of(page)
    assert page.index('class="error-summary"') < page.index("<h1")  # at the top, before the page's title
    assert "Chưa thực hiện được: có 1 lỗi cần sửa" in summary
    field_id = f"id_{prefix}-requested_date"
    assert (
        f'<a href="#{field_id}">Đề nghị gia hạn đến ngày: Ngày 31/02/2024 không có: tháng 2 năm 2024 chỉ có 29 ngày.</a>'
        in summary
    )
    # What was typed is still there, and the field says it is wrong and where the message is.
    field = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', page).group(0)
    assert 'value="31/02/2024"' in field and 'aria-invalid="true"' in field
    described = re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
    assert f"{field_id}_error" in described and f'id="{field_id}_error"' in page
    assert "Chờ số liệu của các huyện" in page


def test_chosen_files_are_named_and_must_be_chosen_again(client, staff, lead_part):
    client.force_login(staff)
    prefix = f"a{lead_part.pk}"
    response = client.post(
        reverse("tasks:report", args=[lead_part.pk]),
        {
            f"{prefix}-version": lead_part.version,
            f"{prefix}-state": "in_progress",
            f"{prefix}-progress": "150",
            f"{prefix}-note": "Đã dự thảo kế hoạch",
            f"{prefix}-files": [upload("du-thao.pdf", pdf_bytes())],
        },
    )
    page = response.content.decode()
    summary = summary_of(page)
    assert "Tiến độ (%): Hãy nhập tiến độ là một số từ 0 đến 100." in summary
    assert "Tệp đã chọn (du-thao.pdf) chưa được lưu: đề nghị chọn lại tệp trước khi gửi." in summary
    assert "Đã dự thảo kế hoạch" in page  # the text typed is kept


def test_no_summary_on_a_page_without_a_failed_form(client, staff, lead_part):
    client.force_login(staff)
    page = client.get(lead_part.task.get_absolute_url()).content.decode()
    assert "error-summary" not in page


def test_the_target_form_reports_an_impossible_date_at_the_top(client, demo):
    from agencies.models import User

    client.force_login(User.objects.get(username="sonoivu"))
    indicator = Indicator.objects.filter(document__number="275/KH-UBND").order_by("order").first()
    response = client.post(
        reverse("indicators:target_new", args=[indicator.pk]),
        {
            "scope": "province",
            "year": "2024",
            "period_start": "31/04/2024",
            "period_end": "31/12/2024",
            "value": "90",
            "unit": "%",
            "direction": indicator.direction,
        },
    )
    summary = summary_of(response.content.decode())
    assert "Ngày 31/04/2024 không có: tháng 4 năm 2024 chỉ có 30 ngày." in summary
    assert 'href="#id_period_start"' in summary


def test_the_login_page_says_what_is_wrong_at_the_top(client, demo):
    page = client.post(reverse("login"), {"username": "sotuphap", "password": "sai-mat-khau"}).content.decode()
    assert "Chưa thực hiện được: có 1 lỗi cần sửa" in summary_of(page)


def test_every_page_that_answers_a_failed_form_shows_the_summary(client, world):  # noqa: F811
    """Post nothing to every URL of the portal as each role: a page that shows an error inside a form (an error
    list or a field marked invalid) also shows the summary at its top."""
    checked = 0
    for role, user in personas().items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for name in url_names():
            if name in ("logout", "set_language"):
                continue
            response = client.post(url_for(name, world), {})
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            page = response.content.decode()
            if 'class="errorlist' in page or 'aria-invalid="true"' in page:
                checked += 1
                assert 'class="error-summary"' in page, (role, name)
    assert checked >= 5
