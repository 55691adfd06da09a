"""The conflict page: the 409 answer to a save on a stale version shows that one share as saved now, next to what
the user typed, and the form again with the new version, in Vietnamese, with its alert at the top (issue 16)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from agencies.models import User
from tasks import services
from tasks.models import Assignment, ReviewState
from tests.portal.vietnamese import leaks
from tests.tasks.conftest import pdf_bytes, prefixed, report_data, upload

pytestmark = pytest.mark.django_db


def stale_report(client, part, **values):
    data = report_data(part, **values)
    data[f"a{part.pk}-files"] = [upload("bao-cao.pdf", pdf_bytes())]
    return client.post(reverse("tasks:report", args=[part.pk]), data)


def test_the_conflict_page_is_vietnamese_with_its_alert_first(client, staff, leader, lead_part):
    services.report_progress(lead_part, leader, 1, services.Report(state="in_progress", progress=70, note="Đã sửa"))
    client.force_login(staff)
    response = stale_report(
        client,
        lead_part,
        version=1,
        progress=40,
        note="Cán bộ báo cáo",
        evidence_number="9/BC",
        evidence_date="19/03/2024",
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert '<html lang="vi"' in html
    assert not leaks(html, frozenset(User.objects.values_list("username", flat=True)))
    main = html[html.index('<main class="content"') :]
    # the alert comes first in the page's content, takes the focus (data-error-summary) and links to what follows
    assert re.search(r'^<main[^>]*>\s*(<ul class="messages">.*?</ul>)?\s*<p class="crumbs">', main, re.S)
    assert main.index("data-error-summary") < main.index("<h1>") < main.index('id="so-sanh"')
    assert 'role="alert"' in main and 'href="#so-sanh"' in main and 'href="#gui-lai"' in main
    assert "Tệp đã chọn (bao-cao.pdf) chưa được lưu" in main
    assert 'data-testid="yours-evidence"' in main and "số 9/BC ngày 19/03/2024" in main
    assert 'aria-invalid="true"' not in main  # nothing the user typed is wrong: only older than the share


def test_a_reviewers_stale_decision_gets_the_review_form_again(client, staff, leader, reviewer, lead_part):
    services.report_progress(lead_part, staff, 1, services.Report(state="in_progress", progress=30, note="Bản đầu"))
    services.submit(Assignment.objects.get(pk=lead_part.pk), leader, 2)
    client.force_login(reviewer)
    data = prefixed(f"r{lead_part.pk}", version=2, decision="returned", reason="Thiếu số liệu quý I")
    response = client.post(reverse("tasks:review", args=[lead_part.pk]), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="review-form"' in html and f'name="r{lead_part.pk}-version" value="3"' in html
    assert "Thiếu số liệu quý I" in html  # the reason typed, kept
    assert "vừa được leader cập nhật" in html
    assert Assignment.objects.get(pk=lead_part.pk).review_state == ReviewState.SUBMITTED  # nothing decided
