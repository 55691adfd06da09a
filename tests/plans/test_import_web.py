"""An admin of Sở Nội vụ imports an appendix in the browser: upload or paste, preview, map names, confirm."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.urls import reverse

from agencies.models import Agency, Alias, Role, User
from cchc_portal.documents.services import table_from_json
from indicators.models import Indicator
from plans.models import Document, ImportJob, Section
from tasks.models import Assignment, ProgressUpdate, Task, WorkState
from tests.plans import tablefiles

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "demo"
HEADER = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def sonoivu(client, demo):
    client.force_login(User.objects.get(username="sonoivu"))
    return client


@pytest.fixture
def new_plan(demo):
    return Document.objects.create(
        province=demo.province, doc_type="plan", number="12/KH-UBND", title="Kế hoạch CCHC năm 2025", year=2025
    )


def upload(client, document, data: bytes, name: str, kind: str = "tasks"):
    url = reverse("plans:import_start", args=[document.pk])
    return client.post(url, {"kind": kind, "file": SimpleUploadedFile(name, data)}, follow=True)


def paste(client, document, text: str, kind: str = "tasks"):
    return client.post(reverse("plans:import_start", args=[document.pk]), {"kind": kind, "pasted": text}, follow=True)


def confirm(client, job, **data):
    return client.post(reverse("plans:import_confirm", args=[job.pk]), data, follow=True)


def small_table(*rows) -> bytes:
    return tablefiles.xlsx([["PHỤ LỤC"], [], HEADER, *rows])


def test_the_275_appendix_is_previewed_then_written_on_confirmation(sonoivu, new_plan):
    response = upload(sonoivu, new_plan, (FIXTURES / "kh-275-phu-luc.xlsx").read_bytes(), "phu-luc-275.xlsx")
    page = response.content.decode()
    job = ImportJob.objects.get(document=new_plan)
    assert job.state == ImportJob.State.READY and job.total == 64  # 8 sections + 56 tasks
    assert "I. Công tác chỉ đạo, điều hành CCHC" in page
    assert "Kế hoạch kiểm tra công tác kiểm soát thủ tục hành chính năm 2024" in page
    assert "29/02/2024" in page  # "Tháng 02/2024" as the portal understood it
    assert "Các sở, ban, ngành" in page and "badge-blue" in page  # a group is named as a group
    assert "cần xác nhận" in page  # the council-session deadlines
    assert not Task.objects.filter(document=new_plan).exists()  # nothing written before confirmation

    page = confirm(sonoivu, job).content.decode()
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.error
    assert "Đã nhập xong" in page
    assert Section.objects.filter(document=new_plan).count() == 8
    assert Task.objects.filter(document=new_plan).count() == 56
    assert job.result["created"] == 56
    justice_task = Task.objects.get(document=new_plan, section__number="II", number="1")
    assert [a.agency.name for a in justice_task.assignments.filter(role="lead")] == ["Sở Tư pháp"]


def test_the_preview_names_each_problem_with_its_row(sonoivu, new_plan):
    data = small_table(["1", "Nhiệm vụ có cơ quan lạ", "Phòng Pháp chế tỉnh", "", "Quý V/2025"])
    page = upload(sonoivu, new_plan, data, "bang.xlsx").content.decode()
    assert "Hàng 4" in page
    assert "Phòng Pháp chế tỉnh" in page
    assert "chưa xác định" in page.lower()


def test_a_pasted_table_imports_like_a_file(sonoivu, new_plan):
    text = tablefiles.tsv(
        [
            HEADER,
            ["I", "Cải cách thể chế", "", "", ""],
            ["1", "Rà soát văn bản", "Sở Tư pháp", "Các sở, ban, ngành", "Quý II/2025"],
        ]
    )
    paste(sonoivu, new_plan, text)
    job = ImportJob.objects.get(document=new_plan)
    assert job.state == ImportJob.State.READY
    confirm(sonoivu, job)
    task = Task.objects.get(document=new_plan)
    assert (task.section.number, task.due_date.isoformat()) == ("I", "2025-06-30")
    assert task.assignments.filter(role="cooperating").count() > 10  # each department gets its share


def test_a_word_appendix_imports(sonoivu, new_plan):
    upload(sonoivu, new_plan, tablefiles.py275_docx(), "phu-luc.docx")
    job = ImportJob.objects.get(document=new_plan)
    assert job.state == ImportJob.State.READY, job.error
    confirm(sonoivu, job)
    assert (
        Task.objects.filter(document=new_plan).count()
        == sum(1 for i in table_from_json(job.kind, job.table).items if i.kind == "task")
        > 5
    )


def test_an_unknown_name_is_mapped_and_remembered(sonoivu, new_plan):
    data = small_table(["1", "Rà soát văn bản pháp chế", "Phòng Pháp chế tỉnh", "", "Năm 2025"])
    upload(sonoivu, new_plan, data, "bang.xlsx")
    job = ImportJob.objects.get(document=new_plan)
    justice = Agency.objects.get(province=new_plan.province, name="Sở Tư pháp")
    confirm(sonoivu, job, name_1="Phòng Pháp chế tỉnh", map_1=f"agency:{justice.pk}", remember="on")
    task = Task.objects.get(document=new_plan)
    assert [a.agency for a in task.assignments.all()] == [justice]
    assert task.unresolved_names == []
    assert Alias.objects.get(province=new_plan.province, text="Phòng Pháp chế tỉnh").agency == justice
    # Next time the name resolves by itself.
    upload(sonoivu, new_plan, data, "bang-lan-2.xlsx")
    page = sonoivu.get(ImportJob.objects.latest("pk").get_absolute_url()).content.decode()
    assert "Tên cơ quan chưa xác định" not in page


def test_an_unmapped_name_stays_on_the_task_as_written(sonoivu, new_plan):
    upload(sonoivu, new_plan, small_table(["1", "Nhiệm vụ", "Phòng Pháp chế tỉnh", "", "Năm 2025"]), "bang.xlsx")
    confirm(sonoivu, ImportJob.objects.get(document=new_plan))
    task = Task.objects.get(document=new_plan)
    assert task.unresolved_names == ["Phòng Pháp chế tỉnh"] and task.lead_text == "Phòng Pháp chế tỉnh"
    assert not task.assignments.exists()


def test_reimport_updates_in_place_adds_and_lists_what_is_missing(sonoivu, new_plan):
    first = small_table(
        ["I", "Cải cách thể chế", "", "", ""],
        ["1", "Rà soát văn bản", "Sở Tư pháp", "", "Quý I/2025"],
        ["2", "Kiểm tra văn bản", "Sở Tư pháp", "", "Quý II/2025"],
        ["3", "Tập huấn pháp chế", "Sở Tư pháp", "", "Năm 2025"],
    )
    upload(sonoivu, new_plan, first, "v1.xlsx")
    confirm(sonoivu, ImportJob.objects.latest("pk"))
    by_number = {t.number: t for t in Task.objects.filter(document=new_plan)}
    # Sở Tư pháp reports progress on task 3 before the corrected file arrives.
    reported = Assignment.objects.get(task=by_number["3"])
    ProgressUpdate.objects.create(
        assignment=reported,
        author=User.objects.get(username="sotuphap"),
        state=WorkState.IN_PROGRESS,
        progress=40,
        note="Đã mở 1 lớp",
    )
    reported.state, reported.progress = WorkState.IN_PROGRESS, 40
    reported.save()

    corrected = small_table(
        ["I", "Cải cách thể chế", "", "", ""],
        ["1", "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp", "", "Quý I/2025"],  # title corrected
        ["4", "Xây dựng cơ sở dữ liệu văn bản", "Sở Tư pháp", "", "Quý IV/2025"],  # new
    )
    upload(sonoivu, new_plan, corrected, "v2.xlsx")
    job = ImportJob.objects.latest("pk")
    page = sonoivu.get(job.get_absolute_url()).content.decode()
    assert "không còn trong tệp mới" in page
    assert "Kiểm tra văn bản" in page and "Tập huấn pháp chế" in page
    # The admin removes both missing tasks; the one with reported progress is kept anyway.
    confirm(sonoivu, job, remove=[by_number["2"].pk, by_number["3"].pk])
    job.refresh_from_db()
    assert (
        job.result["updated"] == 1
        and job.result["created"] == 1
        and job.result["removed"] == 1
        and job.result["kept"] == 1
    )
    tasks = {t.number: t for t in Task.objects.filter(document=new_plan)}
    assert sorted(tasks) == ["1", "3", "4"]
    assert tasks["1"].pk == by_number["1"].pk and tasks["1"].title == "Rà soát văn bản quy phạm pháp luật"
    reported.refresh_from_db()
    assert (reported.progress, reported.updates.count()) == (40, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not a spreadsheet at all", "không phải là bảng tính Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 600, "mật khẩu"),
        (b"PK\x03\x04garbage-zip", "không phải là bảng tính Excel"),
        (tablefiles.xlsx([["Báo cáo"], ["chỉ có chữ"], ["không có bảng"]]), "Không tìm thấy hàng tiêu đề"),
    ],
)
def test_bad_files_get_a_clear_message_and_nothing_is_written(sonoivu, new_plan, data, message):
    page = upload(sonoivu, new_plan, data, "tep.xlsx").content.decode()
    job = ImportJob.objects.get(document=new_plan)
    assert job.state == ImportJob.State.FAILED
    assert message in job.error and message in page
    assert not Task.objects.filter(document=new_plan).exists()


def test_a_file_over_the_limit_is_refused(sonoivu, new_plan, settings):
    settings.IMPORT_MAX_BYTES = 1024
    page = upload(sonoivu, new_plan, b"x" * 2048, "to.xlsx").content.decode()
    assert "Tệp quá lớn" in page
    assert not ImportJob.objects.exists()


def test_duplicate_numbers_block_the_import(sonoivu, new_plan):
    data = small_table(
        ["I", "Mục", "", "", ""],
        ["1", "Việc A", "Sở Tư pháp", "", "Năm 2025"],
        ["1", "Việc B", "Sở Tư pháp", "", "Năm 2025"],
    )
    page = upload(sonoivu, new_plan, data, "trung.xlsx").content.decode()
    job = ImportJob.objects.get(document=new_plan)
    assert "trùng" in page and "disabled" in page
    confirm(sonoivu, job)  # a forged confirmation writes nothing either
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert not Task.objects.filter(document=new_plan).exists()


def test_formulas_where_text_is_expected_are_refused(sonoivu, new_plan):
    data = small_table(["1", "Việc A", '=CONCATENATE("Sở ","Tư pháp")', "", "Năm 2025"])
    page = upload(sonoivu, new_plan, data, "congthuc.xlsx").content.decode()
    assert "công thức" in page
    assert "disabled" in page


def test_ten_thousand_rows_are_refused_with_the_count(
    sonoivu, new_plan, django_capture_on_commit_callbacks, eager_celery
):
    rows = [[str(n), f"Việc {n}", "Sở Tư pháp", "", "Năm 2025"] for n in range(1, 10_002)]
    with django_capture_on_commit_callbacks(execute=True):  # a file this big is read by the worker
        upload(sonoivu, new_plan, small_table(*rows), "lon.xlsx")
    job = ImportJob.objects.get(document=new_plan)
    page = sonoivu.get(job.get_absolute_url()).content.decode()
    assert job.state == ImportJob.State.FAILED
    assert "10.001" in job.error or "10001" in job.error or "10 001" in job.error, job.error
    assert "10.001" in page or "10001" in page or "10 001" in page


def test_indicator_table_is_previewed_and_imported(sonoivu, new_plan):
    page = upload(
        sonoivu, new_plan, (FIXTURES / "binh-dinh-chi-tieu.xlsx").read_bytes(), "chi-tieu.xlsx", kind="indicators"
    ).content.decode()
    # Bình Định's agency names do not resolve in Phú Yên: the preview says so rather than guessing.
    job = ImportJob.objects.get(document=new_plan)
    assert job.state == ImportJob.State.READY and "Chỉ số cải cách hành chính" in page
    confirm(sonoivu, job)
    assert Indicator.objects.filter(document=new_plan).count() == 10


@pytest.fixture
def eager_celery():
    """Run queued jobs in-process: the real worker path is tested with Redis in tests/notifications."""
    from cchc_portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_a_large_upload_is_read_in_the_background_with_progress(
    sonoivu, new_plan, django_capture_on_commit_callbacks, eager_celery
):
    rows = [
        [str(n), f"Nhiệm vụ số {n} về cải cách hành chính", "Sở Tư pháp", "Sở Nội vụ", "Quý III/2025"]
        for n in range(1, 3001)
    ]
    data = small_table(["I", "Mục lớn", "", "", ""], *rows)
    assert len(data) > 48 * 1024
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload(sonoivu, new_plan, data, "lon.xlsx")
    job = ImportJob.objects.get(document=new_plan)
    assert job.state == ImportJob.State.PENDING
    status = sonoivu.get(reverse("plans:import_status", args=[job.pk])).json()
    assert status["state"] == "pending"
    assert "<progress" in sonoivu.get(job.get_absolute_url()).content.decode()
    for callback in callbacks:
        callback()  # the worker's turn
    job.refresh_from_db()
    assert job.state == ImportJob.State.READY and job.total == 3001
    with django_capture_on_commit_callbacks(execute=True):
        confirm(sonoivu, job)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.error
    assert sonoivu.get(reverse("plans:import_status", args=[job.pk])).json()["progress"] == 3001
    assert Task.objects.filter(document=new_plan).count() == 3000


def test_only_reviewers_and_admins_of_the_province_import(client, demo, new_plan):
    client.force_login(User.objects.get(username="sotuphap"))
    assert client.get(reverse("plans:import_start", args=[new_plan.pk])).status_code == 403
    other = Agency.objects.get(province__code="tuyen-quang", name="Sở Nội vụ")
    client.force_login(User.objects.create_user("tq", agency=other, role=Role.REVIEWER))
    assert client.get(reverse("plans:import_start", args=[new_plan.pk])).status_code == 404


def test_the_document_page_and_the_admin_link_to_the_import(sonoivu, new_plan):
    url = reverse("plans:import_start", args=[new_plan.pk])
    assert url in sonoivu.get(new_plan.get_absolute_url()).content.decode()
    sonoivu.force_login(User.objects.get(username="admin"))
    assert url in sonoivu.get(reverse("admin:plans_document_change", args=[new_plan.pk])).content.decode()


def refuse_inserts_for(agency_id: int):
    """Make the database itself refuse an assignment for one agency (a real failure in the middle of the write)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION refuse_assignment() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.agency_id = {int(agency_id)} THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_assignment BEFORE INSERT ON tasks_assignment FOR EACH ROW EXECUTE FUNCTION refuse_assignment()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_assignment BEFORE INSERT ON tasks_assignment "
                f"WHEN NEW.agency_id = {int(agency_id)} BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )


def test_confirmation_writes_every_row_or_none(sonoivu, new_plan):
    """The database refuses the very last assignment: sections and tasks already inserted are rolled back."""
    rows = [[str(n), f"Việc {n}", "Sở Tư pháp", "", "Năm 2025"] for n in range(1, 30)] + [
        ["30", "Việc cuối", "Sở Tài chính", "", "Năm 2025"]
    ]
    upload(sonoivu, new_plan, small_table(["I", "Mục", "", "", ""], *rows), "bang.xlsx")
    job = ImportJob.objects.get(document=new_plan)
    refuse_inserts_for(Agency.objects.get(province=new_plan.province, name="Sở Tài chính").pk)
    page = confirm(sonoivu, job).content.decode()
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and "không có gì được ghi" in job.error
    assert "không có gì được ghi" in page
    assert (
        not Task.objects.filter(document=new_plan).exists() and not Section.objects.filter(document=new_plan).exists()
    )


def test_the_fast_write_path_records_history_for_every_row(sonoivu, new_plan):
    upload(sonoivu, new_plan, (FIXTURES / "kh-275-phu-luc.xlsx").read_bytes(), "phu-luc-275.xlsx")
    confirm(sonoivu, ImportJob.objects.get(document=new_plan))
    tasks = Task.objects.filter(document=new_plan)
    assignments = Assignment.objects.filter(task__document=new_plan)
    assert Task.history.filter(id__in=tasks.values("id"), history_type="+").count() == 56
    assert (
        Assignment.history.filter(id__in=assignments.values("id"), history_type="+").count() == assignments.count() > 56
    )
    record = Task.history.filter(id=tasks.first().pk).get()
    assert record.title == tasks.first().title
    assert (record.history_user.username, record.history_change_reason) == ("sonoivu", "Nhập từ tệp phu-luc-275.xlsx")
    part = Assignment.history.filter(id=assignments.first().pk).get()
    assert (part.history_user.username, part.history_change_reason) == ("sonoivu", "Nhập từ tệp phu-luc-275.xlsx")
    # The task page says once who gave the task to which agencies, and from which file.
    shared = tasks.annotate(n=Count("assignments")).filter(n__gt=2).first()
    history = sonoivu.get(reverse("tasks:detail", args=[shared.pk])).context["history"]
    given = [e for e in history if e.subject == "Giao nhiệm vụ cho các cơ quan"]
    assert len(given) == 1 and given[0].who.endswith("(Nhập từ tệp phu-luc-275.xlsx)")
    assert not [e for e in history if e.subject.startswith("Phần việc của") and e.action == "created"]
