"""A plan is amended and its appendix imported again: rows are bound to tasks by what they are, not by number."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from agencies.models import User
from plans.models import Document, ImportJob, Section
from tasks import matching
from tasks.models import Assignment, ProgressUpdate, Task, WorkState
from tests.plans.test_import_web import confirm, small_table, upload

pytestmark = pytest.mark.django_db

FIRST = [
    ["I", "Cải cách thể chế", "", "", ""],
    ["1", "Rà soát văn bản quy phạm pháp luật do tỉnh ban hành", "Sở Tư pháp", "", "Quý II/2026"],
    ["2", "Tập huấn kỹ năng soạn thảo văn bản cho cán bộ pháp chế", "Sở Nội vụ", "Sở Tư pháp", "Quý III/2026"],
    ["3", "Kiểm tra công tác cải cách hành chính tại các sở", "Sở Nội vụ", "", "Năm 2026"],
]
# Amended: a task inserted as I.1, every number below it shifted, one title corrected by a word, one task dropped.
AMENDED = [
    ["I", "Cải cách thể chế", "", "", ""],
    ["1", "Xây dựng cơ sở dữ liệu văn bản của tỉnh", "Sở Khoa học và Công nghệ", "", "Quý IV/2026"],
    ["2", "Rà soát văn bản quy phạm pháp luật do tỉnh ban hành", "Sở Tư pháp", "", "Quý II/2026"],
    ["3", "Tập huấn kỹ năng soạn thảo văn bản cho cán bộ làm pháp chế", "Sở Nội vụ", "Sở Tư pháp", "Quý III/2026"],
]


@pytest.fixture
def sonoivu(client, demo):
    client.force_login(User.objects.get(username="sonoivu"))
    return client


@pytest.fixture
def plan(demo):
    return Document.objects.create(
        province=demo.province, doc_type="plan", number="30/KH-UBND", title="Kế hoạch CCHC 2026", year=2026
    )


def imported(client, document, rows, name="v.xlsx"):
    upload(client, document, small_table(*rows), name)
    job = ImportJob.objects.latest("pk")
    assert job.state == ImportJob.State.READY, job.error
    return job


def report(task: Task, progress: int, note: str) -> Assignment:
    assignment = task.assignments.get(role="lead")
    ProgressUpdate.objects.create(
        assignment=assignment,
        author=User.objects.get(username="sotuphap"),
        state=WorkState.IN_PROGRESS,
        progress=progress,
        note=note,
    )
    assignment.state, assignment.progress = WorkState.IN_PROGRESS, progress
    assignment.save()
    return assignment


def test_a_row_inserted_above_never_moves_a_report_to_another_task(sonoivu, plan):
    confirm(sonoivu, imported(sonoivu, plan, FIRST))
    review = Task.objects.get(document=plan, number="1")
    justice = report(review, 40, "Đã rà soát 120/300 văn bản QPPL")

    job = imported(sonoivu, plan, AMENDED, "v2.xlsx")
    page = sonoivu.get(job.get_absolute_url()).content.decode()
    # Before: every row "cập nhật", nothing "mới". After: one new, one unchanged but renumbered, one small edit.
    assert page.count('data-match="new"') == 1 and page.count('data-match="changed"') == 2
    assert "1 nhiệm vụ mới · 2 thay đổi · 0 không đổi · 1 không còn trong tệp" in page
    assert "Số thứ tự: <del>1</del> → <ins>2</ins>" in page
    assert "cho cán bộ pháp chế</del> → <ins>Tập huấn kỹ năng soạn thảo văn bản cho cán bộ làm pháp chế" in page
    assert "Kiểm tra công tác cải cách hành chính tại các sở" in page  # missing from the file

    confirm(sonoivu, job)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.error
    assert (job.result["created"], job.result["updated"], job.result["kept"]) == (1, 2, 1)
    review.refresh_from_db()
    assert (review.number, review.title) == ("2", "Rà soát văn bản quy phạm pháp luật do tỉnh ban hành")
    justice.refresh_from_db()
    assert justice.task_id == review.pk and justice.agency.name == "Sở Tư pháp"
    assert justice.updates.get().note == "Đã rà soát 120/300 văn bản QPPL" and justice.progress == 40
    newcomer = Task.objects.get(document=plan, number="1")
    assert (
        newcomer.title == "Xây dựng cơ sở dữ liệu văn bản của tỉnh"
        and not ProgressUpdate.objects.filter(assignment__task=newcomer).exists()
    )


def test_a_reported_task_retitled_beyond_a_small_edit_waits_for_a_person(sonoivu, plan):
    confirm(sonoivu, imported(sonoivu, plan, FIRST))
    review = Task.objects.get(document=plan, number="1")
    report(review, 40, "Đã rà soát 120/300 văn bản QPPL")
    rewritten = [FIRST[0], ["1", "Số hóa hồ sơ thủ tục hành chính", "Sở Tư pháp", "", "Quý II/2026"], *FIRST[2:]]

    job = imported(sonoivu, plan, rewritten, "v2.xlsx")
    page = sonoivu.get(job.get_absolute_url()).content.decode()
    assert 'name="bind_5" value="same" required' in page and 'name="bind_5" value="new" required' in page
    assert "đã có báo cáo" in page
    # Confirming without a choice writes nothing.
    page = confirm(sonoivu, job).content.decode()
    assert "hãy chọn cùng nhiệm vụ hay nhiệm vụ mới" in page
    job.refresh_from_db()
    assert job.state == ImportJob.State.READY and Task.objects.get(pk=review.pk).title == FIRST[1][1]

    confirm(sonoivu, job, bind_5="new")
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and (job.result["created"], job.result["kept"]) == (1, 1)
    review.refresh_from_db()
    assert review.title == FIRST[1][1]  # the reported task is untouched
    assert Task.objects.filter(document=plan, title="Số hóa hồ sơ thủ tục hành chính").exclude(pk=review.pk).exists()


def test_a_person_may_say_it_is_the_same_task(sonoivu, plan):
    confirm(sonoivu, imported(sonoivu, plan, FIRST))
    review = Task.objects.get(document=plan, number="1")
    report(review, 40, "Đã rà soát")
    rewritten = [
        FIRST[0],
        ["1", "Rà soát, hệ thống hóa toàn bộ văn bản của HĐND, UBND tỉnh", "Sở Tư pháp", "", "Quý II/2026"],
        *FIRST[2:],
    ]
    job = imported(sonoivu, plan, rewritten, "v2.xlsx")
    confirm(sonoivu, job, bind_5="same")
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.result["created"] == 0
    review.refresh_from_db()
    assert review.title == rewritten[1][1] and review.assignments.get(role="lead").updates.count() == 1


def test_a_task_without_reports_is_retitled_in_place(sonoivu, plan):
    confirm(sonoivu, imported(sonoivu, plan, FIRST))
    before = Task.objects.get(document=plan, number="3")
    rewritten = [*FIRST[:3], ["3", "Thanh tra công vụ đột xuất", "Sở Nội vụ", "", "Năm 2026"]]
    confirm(sonoivu, imported(sonoivu, plan, rewritten, "v2.xlsx"))
    after = Task.objects.get(document=plan, number="3")
    assert after.pk == before.pk and after.title == "Thanh tra công vụ đột xuất"


def test_an_identical_reimport_shows_every_row_unchanged_and_writes_nothing(sonoivu, plan):
    confirm(sonoivu, imported(sonoivu, plan, FIRST))
    counts = (Task.history.count(), Assignment.history.count(), Section.objects.filter(document=plan).count())
    stamps = list(Task.objects.filter(document=plan).order_by("pk").values_list("updated_at", flat=True))
    job = imported(sonoivu, plan, FIRST, "again.xlsx")
    page = sonoivu.get(job.get_absolute_url()).content.decode()
    assert (
        page.count('data-match="unchanged"') == 3
        and 'data-match="new"' not in page
        and 'data-match="changed"' not in page
    )
    confirm(sonoivu, job)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and (
        job.result["unchanged"],
        job.result["updated"],
        job.result["created"],
    ) == (3, 0, 0)
    assert (Task.history.count(), Assignment.history.count(), Section.objects.filter(document=plan).count()) == counts
    assert list(Task.objects.filter(document=plan).order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_the_cli_json_gives_each_task_its_match_and_changes(demo, plan, tmp_path):
    first, amended = tmp_path / "v1.xlsx", tmp_path / "v2.xlsx"
    first.write_bytes(small_table(*FIRST))
    amended.write_bytes(small_table(*AMENDED))
    call_command("import_appendix", str(first), "--document", plan.number, stdout=StringIO())
    out = StringIO()
    call_command("import_appendix", str(amended), "--document", plan.number, "--dry-run", "--json", stdout=out)
    data = json.loads(out.getvalue())
    tasks = {t["row"]: t for s in data["sections"] for t in s["tasks"]}
    assert tasks[5]["match"] == "new" and "changes" not in tasks[5]
    assert tasks[6]["match"] == "changed" and tasks[6]["changes"] == {"number": ["1", "2"]}
    assert tasks[7]["changes"]["number"] == ["2", "3"] and tasks[7]["changes"]["title"][1].endswith(
        "cán bộ làm pháp chế"
    )
    assert [m["title"] for m in data["missing"]] == ["Kiểm tra công tác cải cách hành chính tại các sở"]
    out = StringIO()
    call_command("import_appendix", str(first), "--document", plan.number, "--dry-run", "--json", stdout=out)
    assert {t["match"] for s in json.loads(out.getvalue())["sections"] for t in s["tasks"]} == {"unchanged"}


@pytest.mark.parametrize(
    ("old", "new", "small"),
    [
        (
            "Rà soát văn bản quy phạm pháp luật do tỉnh ban hành",
            "Rà soát các văn bản quy phạm pháp luật do tỉnh ban hành",
            True,
        ),
        (
            "Tập huấn kỹ năng soạn thảo văn bản cho cán bộ pháp chế",
            "TẬP HUẤN KỸ NĂNG SOẠN THẢO VĂN BẢN CHO CÁN BỘ PHÁP CHẾ",
            True,
        ),
        ("Kiểm tra công tác cải cách hành chính", "Kiem tra cong tac cai cach hanh chinh", True),
        ("Rà soát văn bản quy phạm pháp luật", "Số hóa hồ sơ thủ tục hành chính", False),
        ("Rà soát văn bản", "Rà soát văn bản quy phạm pháp luật do tỉnh ban hành năm 2026", False),
    ],
)
def test_what_counts_as_a_small_edit_of_a_title(old, new, small):
    assert matching.is_small_edit(old, new) is small


def test_matching_binds_moved_rows_and_asks_about_reported_ones():
    tasks = [
        matching.TaskKey(10, "I", "1", "Rà soát văn bản quy phạm pháp luật", reported=True),
        matching.TaskKey(11, "I", "2", "Tập huấn pháp chế cho cán bộ", reported=False),
        matching.TaskKey(12, "II", "1", "Kiểm tra công vụ", reported=True),
    ]
    rows = [
        matching.RowKey(1, "I", "1", "Xây dựng cơ sở dữ liệu"),
        matching.RowKey(2, "I", "2", "Rà soát văn bản quy phạm pháp luật"),
        matching.RowKey(3, "I", "3", "Tập huấn pháp chế cho các cán bộ"),
        matching.RowKey(4, "II", "1", "Thanh tra đột xuất"),
    ]
    bound = matching.bind_rows(rows, tasks)
    assert [bound[r].task_id for r in (1, 2, 3, 4)] == [None, 10, 11, None]
    assert bound[4].ask_about == 12 and bound[4].chosen == ""
    assert matching.bind_rows(rows, tasks, {4: matching.SAME})[4].task_id == 12
    assert matching.bind_rows(rows, tasks, {4: matching.NEW})[4].task_id is None


def test_the_preview_of_a_reimport_costs_the_same_queries_however_many_rows(
    sonoivu, plan, django_assert_max_num_queries
):
    from cchc_portal.documents import services

    confirm(sonoivu, imported(sonoivu, plan, FIRST))
    many = [FIRST[0], *[[str(n), f"Nhiệm vụ số {n} về cải cách", "Sở Nội vụ", "", "Năm 2026"] for n in range(1, 60)]]
    job = imported(sonoivu, plan, many, "v2.xlsx")
    with django_assert_max_num_queries(12):
        preview = services.preview_job(job)
    # Rows 1-3 take the places of the three tasks (no reports: retitled in place); the rest are new.
    assert preview.counts() == {"new": 56, "changed": 3, "unchanged": 0, "missing": 0}
