"""The dashboard's list behind a number exports to .xlsx with the filters it is shown with (issue 16, point 7).

At once for a page's worth, in the worker beyond (``cchc_portal.exporting``, source "dashboard:tasks"); the file
holds exactly the rows the page lists, in its order.
"""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cchc_portal import exporting
from cchc_portal.models import ExportJob
from tests.dashboards.conftest import person

pytestmark = pytest.mark.django_db


def shown(client, query: str) -> tuple[int, list[str]]:
    """The count the page says and the numbers of its rows (first page)."""
    response = client.get(reverse("dashboard:tasks") + "?" + query)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="source" value="dashboard:tasks"' in page
    return response.context["page_obj"].paginator.count, re.findall(r'data-number="([^"]*)"', page)


def exported(client, query: str) -> tuple[ExportJob, list[tuple]]:
    client.post(reverse("exports:start"), {"source": "dashboard:tasks", "query": query})
    job = ExportJob.objects.latest("pk")
    response = client.get(reverse("exports:file", args=[job.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    return job, list(sheet.iter_rows(values_only=True))


def test_the_province_list_behind_a_number_is_exported_with_its_filters(client, plan, sonoivu, may_first):
    client.force_login(sonoivu)
    query = f"document={plan.pk}&status=overdue"
    count, numbers = shown(client, query)
    job, rows = exported(client, query)
    assert job.state == ExportJob.State.DONE and job.total == count > 0
    assert rows[0] == (
        "Văn bản",
        "Số thứ tự",
        "Nhiệm vụ",
        "Cơ quan (chủ trì)",
        "Vai trò",
        "Thời hạn (như văn bản ghi)",
        "Hạn",
        "Tình trạng",
        "Tiến độ (%)",
    )
    assert [r[1] for r in rows[1:]] == numbers  # the same tasks, in the page's order
    assert {r[7] for r in rows[1:]} == {"Quá hạn"} and {r[0] for r in rows[1:]} == {"275/KH-UBND"}


def test_an_agency_list_is_exported_per_share(client, plan, may_first):
    client.force_login(person("sotuphap"))
    query = "status=not_started&area=institutions"
    count, numbers = shown(client, query)
    _job, rows = exported(client, query)
    assert len(rows) - 1 == count > 0
    assert [r[1] for r in rows[1:]][: len(numbers)] == numbers
    assert {r[3] for r in rows[1:]} == {"Sở Tư pháp"} and {r[7] for r in rows[1:]} == {"Chưa thực hiện"}


def test_a_long_list_goes_to_the_worker(client, plan, sonoivu, may_first, monkeypatch):
    monkeypatch.setattr(exporting, "INLINE_ROWS", 10)
    client.force_login(sonoivu)
    client.post(reverse("exports:start"), {"source": "dashboard:tasks", "query": f"document={plan.pk}"})
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.PENDING and job.total == 56
    exporting.write(job.pk)  # what the worker's jobs.run_export does
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE and job.progress == 56


def test_another_agency_list_is_not_exported(client, plan, may_first):
    client.force_login(person("sotuphap"))
    other = person("sonoivu").agency_id
    response = client.post(reverse("exports:start"), {"source": "dashboard:tasks", "query": f"agency={other}"})
    assert response.status_code == 404
    assert not ExportJob.objects.exists()
