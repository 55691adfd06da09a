"""A reviewer exports the filtered task list; the list is larger than a page's worth, so the worker writes it and
the page of the export gives the file (issue 16)."""

import io

from openpyxl import load_workbook

from cchc_portal import exporting
from cchc_portal.models import ExportJob


def test_a_filtered_list_exported_in_the_background(open_as, site, shots, monkeypatch):
    monkeypatch.setattr(exporting, "INLINE_ROWS", 1)  # any list is "more than a page's worth" here
    page = open_as("sonoivu")
    page.goto(f"{site}/tasks/?status=overdue")
    listed = page.get_by_test_id("result-count").inner_text()
    page.get_by_test_id("export-xlsx").click()
    page.wait_for_url("**/exports/*/")
    job = ExportJob.objects.get()
    assert job.params == {"status": ["overdue"]} and job.total > 1
    link = page.get_by_test_id("export-file")
    link.wait_for()
    page.screenshot(path=str(shots / "export-ready.png"))
    with page.expect_download() as download:
        link.click()
    rows = list(
        load_workbook(io.BytesIO(open(download.value.path(), "rb").read()), read_only=True).active.iter_rows(
            values_only=True
        )
    )  # noqa: SIM115
    assert rows[0][5] == "Tình trạng" and {r[5] for r in rows[1:]} == {"Quá hạn"}
    assert str(len(rows) - 1) in listed.replace(".", "")
    assert ExportJob.objects.get().state == ExportJob.State.DONE
