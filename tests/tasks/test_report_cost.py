"""What one progress report costs (issue 16): four queries, session and user included, with or without evidence.

Counted, on PostgreSQL: the session, the user (with the agency), the share (with its task, document and agency:
visibility and permission need no more), and one statement that claims the
version and writes the assignment's historical row, the update, its evidence and their historical rows. The
notification step is queued when it commits, as before (and its job is run here to show it still tells the leader).
SQLite and recurring tasks keep the step-by-step path: only the cost differs, the rows are the same.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Role, User
from cchc_portal.models import EventKind, Notification
from plans.models import Document
from tasks import services
from tasks.models import Assignment, Evidence, ProgressUpdate, Review, ReviewDecision, ReviewState, Task, WorkState
from tests.conftest import make_agency, make_user
from tests.tasks.conftest import pdf_bytes, report_data, upload

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement write is PostgreSQL's"),
]
ONE_REPORT = 4  # session, user, the share, the write


@pytest.fixture(autouse=True)
def on_20_march_2024(time_machine):
    # The clock stands still: the session is touched at most once a minute, never during these requests.
    time_machine.move_to(datetime.datetime(2024, 3, 20, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False)


def post_report(client, part, **values):
    return client.post(reverse("tasks:report", args=[part.pk]), report_data(part, **values))


def test_a_report_costs_four_queries_and_keeps_every_row(
    client, staff, leader, lead_part, steps, django_assert_num_queries
):
    client.force_login(staff)
    with steps(), django_assert_num_queries(ONE_REPORT):
        response = post_report(client, lead_part, state="in_progress", progress=40, note="Đã có dự thảo")
    assert response.status_code == 302 and response["Location"].endswith(f"#phan-viec-{lead_part.pk}")

    part = Assignment.objects.get(pk=lead_part.pk)
    assert (part.state, part.progress, part.review_state, part.version) == ("in_progress", 40, "draft", 2)
    update = part.updates.get()
    assert (update.author, update.state, update.progress, update.note, update.answers) == (
        staff,
        "in_progress",
        40,
        "Đã có dự thảo",
        None,
    )
    changed = part.history.order_by("-history_id").first()
    assert (changed.history_type, changed.history_user, changed.state, changed.progress) == (
        "~",
        staff,
        "in_progress",
        40,
    )
    written = update.history.get()
    assert (written.history_type, written.history_user, written.note) == ("+", staff, "Đã có dự thảo")
    # the notification step still reaches the leader, who sends next
    assert list(Notification.objects.filter(recipient=leader).values_list("kind", flat=True)) == [
        EventKind.AWAITING_LEADER
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Đã lưu báo cáo tiến độ." in page and "Đã có dự thảo" in page


def test_a_report_with_evidence_files_costs_the_same(client, staff, lead_part, django_assert_num_queries):
    client.force_login(staff)
    data = report_data(
        lead_part, state="done", note="Đã ban hành", evidence_number="25/KH-STP", evidence_date="19/03/2024"
    )
    data[f"a{lead_part.pk}-files"] = [upload("ke-hoach.pdf", pdf_bytes()), upload("phu-luc.pdf", pdf_bytes("Phu luc"))]
    with django_assert_num_queries(ONE_REPORT):
        response = client.post(reverse("tasks:report", args=[lead_part.pk]), data)
    assert response.status_code == 302

    update = ProgressUpdate.objects.get(assignment=lead_part)
    assert (update.state, update.progress, update.completed_on) == (WorkState.DONE, 100, datetime.date(2024, 3, 20))
    files = list(update.evidence.order_by("pk"))
    assert [f.original_name for f in files] == ["ke-hoach.pdf", "phu-luc.pdf"]
    assert files[1].file.read().startswith(b"%PDF")
    assert Evidence.history.filter(update_id=update.pk, history_type="+").count() == 2
    assert client.get(reverse("tasks:evidence", args=[files[0].pk])).status_code == 200


def test_an_answer_to_a_return_is_linked_to_it_in_the_same_statement(
    client, staff, leader, reviewer, lead_part, django_assert_num_queries
):
    services.report_progress(lead_part, staff, 1, services.Report(state="in_progress", progress=30, note="Bản đầu"))
    services.submit(Assignment.objects.get(pk=lead_part.pk), leader, 2)
    returned = services.decide(Assignment.objects.get(pk=lead_part.pk), reviewer, 3, "returned", "Thiếu số liệu")
    part = Assignment.objects.get(pk=lead_part.pk)
    client.force_login(staff)
    with django_assert_num_queries(ONE_REPORT):
        response = post_report(client, part, progress=60, note="Đã bổ sung số liệu")
    assert response.status_code == 302
    answer = part.updates.get(note="Đã bổ sung số liệu")
    assert answer.answers == returned and returned.decision == ReviewDecision.RETURNED
    assert Assignment.objects.get(pk=part.pk).review_state == ReviewState.RETURNED  # until the leader sends again


STALE_ANSWER = 6  # session, user, the share, its newest historical row, the task's section, the newest report


def test_the_stale_answer_reads_only_the_share_it_is_about(
    client, staff, leader, lead_part, cooperating_part, colleague_elsewhere, django_assert_num_queries
):
    """The 409 answer is the conflict page of the one share: besides the session, the user and the share the save
    reads anyway, who saved it and when (its newest historical row), the task's section (for its number "II.1") and
    the share's newest report with its evidence. Not the task page: not the other shares, timelines, change log or
    discussion, and not the top bar's counts. Nothing is tried, nothing written."""
    services.report_progress(
        cooperating_part, colleague_elsewhere, 1, services.Report(state="in_progress", progress=10, note="Phối hợp")
    )
    client.force_login(leader)
    data = report_data(
        lead_part, progress=70, note="Lãnh đạo sửa", evidence_number="25/KH-STP", evidence_date="19/03/2024"
    )
    data[f"a{lead_part.pk}-files"] = [upload("ke-hoach.pdf", pdf_bytes())]
    first = client.post(reverse("tasks:report", args=[lead_part.pk]), data)  # the staff's form still has version 1
    assert first.status_code == 302
    client.force_login(staff)
    data = report_data(lead_part, progress=40, note="Cán bộ báo cáo", evidence_link="https://stp.gov.vn/kh")
    data[f"a{lead_part.pk}-files"] = [upload("bien-ban.pdf", pdf_bytes())]
    with django_assert_num_queries(STALE_ANSWER):
        response = client.post(reverse("tasks:report", args=[lead_part.pk]), data)
    assert response.status_code == 409
    text = response.content.decode()
    assert "vừa được leader cập nhật lúc 10:00 20/03/2024" in text
    assert 'data-testid="saved-progress">70%<' in text and 'data-testid="yours-progress">40%<' in text
    assert "Lãnh đạo sửa" in text and "ke-hoach.pdf" in text and "số 25/KH-STP" in text  # the saved report
    assert "https://stp.gov.vn/kh" in text  # what the staff typed, kept in the form too
    assert "Tệp đã chọn (bien-ban.pdf) chưa được lưu: đề nghị chọn lại tệp trước khi gửi." in text
    assert f'name="a{lead_part.pk}-version" value="2"' in text  # the form again, with the new version
    assert "Phối hợp" not in text and "Trao đổi, phối hợp" not in text  # nothing else of the task
    assert f'href="{lead_part.get_absolute_url()}"' in text  # but a link to all of it
    assert ProgressUpdate.objects.filter(assignment=lead_part).count() == 1  # nothing written
    assert Assignment.objects.get(pk=lead_part.pk).version == 2


def test_a_version_that_moves_between_the_read_and_the_write_writes_nothing(staff, leader, lead_part):
    """The race the early check cannot see: the conditional UPDATE refuses, and no row of the statement lands."""
    stale = Assignment.objects.select_related("task__document", "agency").get(pk=lead_part.pk)
    services.report_progress(lead_part, leader, 1, services.Report(state="in_progress", progress=70, note="Trước"))
    with pytest.raises(services.StaleAssignment) as refused:
        services.report_progress(stale, staff, 1, services.Report(state="in_progress", progress=40, note="Sau"))
    assert refused.value.current.version == 2 and refused.value.changed_by == leader
    assert list(ProgressUpdate.objects.filter(assignment=lead_part).values_list("note", flat=True)) == ["Trước"]
    assert ProgressUpdate.history.filter(note="Sau").count() == 0
    assert Assignment.history.filter(id=lead_part.pk).count() == 2  # created, then the leader's save


# --- who may report, decided on the row read in one query ------------------------------------------------------


@pytest.fixture
def chain(province, justice, plan, section):
    """Four generations of mergers ending in Sở Tư pháp: oldest → older → old → Sở Tư pháp, one task share each."""
    agencies, successor = [], justice
    for name in ("Sở Tư pháp cũ", "Sở Tư pháp cũ hơn", "Sở Tư pháp cũ nhất"):
        successor = make_agency(province, name, valid_to=datetime.date(2024, 2, 29), successor=successor)
        agencies.append(successor)
    parts = {}
    for number, agency in enumerate([justice, *agencies], start=10):
        task = Task.objects.create(document=plan, section=section, number=str(number), title=f"Việc của {agency}")
        parts[agency.name] = Assignment.objects.create(task=task, agency=agency)
    return parts


@pytest.mark.parametrize("generation", ["Sở Tư pháp", "Sở Tư pháp cũ", "Sở Tư pháp cũ hơn", "Sở Tư pháp cũ nhất"])
def test_the_successors_staff_report_on_every_generation_merged_into_it(client, chain, justice, generation):
    """The share's own agency says whether it was merged straight into the user's; beyond that the lineage is read
    as every page reads it, one query per generation (here four: three predecessors and the one that has none)."""
    user = make_user("tp_moi", justice, Role.STAFF)
    client.force_login(user)
    part = chain[generation]
    expected = ONE_REPORT + (4 if generation in ("Sở Tư pháp cũ hơn", "Sở Tư pháp cũ nhất") else 0)
    with CaptureQueriesContext(connection) as queries:
        response = post_report(client, part, progress=10, note="Tiếp nhận")
    assert response.status_code == 302 and len(queries) == expected
    assert part.updates.get().author == user


def test_a_predecessors_staff_may_not_report_on_its_successors_work(client, chain, province):
    old = chain["Sở Tư pháp cũ"].agency
    client.force_login(make_user("tp_cu", old, Role.STAFF))
    assert post_report(client, chain["Sở Tư pháp"], progress=10, note="Không được").status_code == 404
    assert not chain["Sở Tư pháp"].updates.exists()


@pytest.fixture
def people(staff, leader, reviewer, colleague_elsewhere, outsider, province):
    return {
        "staff": staff,
        "leader": leader,
        "reviewer": reviewer,
        "cooperating": colleague_elsewhere,  # Sở Tài chính: cooperates on the task, not on Sở Tư pháp's share
        "other_agency": make_user("xaydung", make_agency(province, "Sở Xây dựng"), Role.STAFF),
        "other_province": outsider,
        "superuser": User.objects.create_superuser("root", password="pw-12345-abc", role=Role.ADMIN),
    }


@pytest.mark.parametrize(
    "persona", ["staff", "leader", "reviewer", "cooperating", "other_agency", "other_province", "superuser"]
)
def test_the_action_check_agrees_with_for_user(people, persona, justice_task, chain, outsider):
    """PITFALLS: the object check and ``for_user`` must say the same thing, for every kind of user and share."""
    elsewhere = Task.objects.create(document=Document.objects.exclude(province=justice_task.document.province).first())
    Assignment.objects.create(task=elsewhere, agency=outsider.agency)
    shares = Assignment.objects.filter(task__in=[justice_task, elsewhere, *[p.task for p in chain.values()]])
    user = people[persona]
    visible = set(Assignment.objects.for_user(user).filter(pk__in=shares).values_list("pk", flat=True))
    checked = {part.pk: part.is_visible_to(user) for part in shares.for_one_action()}
    assert len(checked) == 7 and checked == {pk: pk in visible for pk in checked}


def test_a_dissolved_agencys_account_cannot_report_after_its_end_date(client, settings, justice, lead_part):
    settings.DISSOLVED_ACCOUNTS_LOCKED = True
    user = make_user("tp_het_han", justice, Role.STAFF)
    client.force_login(user)
    assert post_report(client, lead_part, progress=20, note="Còn hạn").status_code == 302
    justice.valid_to = datetime.date(2024, 3, 19)  # ended yesterday
    justice.save()
    response = post_report(client, Assignment.objects.get(pk=lead_part.pk), progress=30, note="Hết hạn")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert list(lead_part.updates.values_list("note", flat=True)) == ["Còn hạn"]


def test_a_reviewer_sees_the_share_but_may_not_report_on_it(client, reviewer, lead_part):
    client.force_login(reviewer)
    assert post_report(client, lead_part, progress=20, note="Không phải việc của Sở Nội vụ").status_code == 403
    assert not Review.objects.exists() and not lead_part.updates.exists()
