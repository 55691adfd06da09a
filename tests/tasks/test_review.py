"""Review: the leader submits the agency's report, a reviewer accepts it or returns it with a reason the agency
answers; an agency asks for a later deadline, a reviewer grants or refuses it. Every step is kept."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tasks import services
from tasks.models import Assignment, ExtensionRequest, OfficialStatus, Review, ReviewDecision, ReviewState, WorkState
from tests.conftest import make_agency, make_user
from tests.tasks.conftest import prefixed, report_data

pytestmark = pytest.mark.django_db
D = datetime.date
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(datetime.datetime(2024, 3, 20, 9, 0, tzinfo=VN), tick=False)
    return time_machine


def later(clock, hours: int) -> None:
    clock.move_to(datetime.datetime(2024, 3, 20, 9, 0, tzinfo=VN) + datetime.timedelta(hours=hours), tick=False)


def fresh(part: Assignment) -> Assignment:
    part.refresh_from_db()
    return part


def page(client, part) -> str:
    return client.get(reverse("tasks:detail", args=[part.task_id])).content.decode()


def submit(client, part, note=""):
    return client.post(
        reverse("tasks:submit", args=[part.pk]), prefixed(f"s{part.pk}", version=fresh(part).version, note=note)
    )


def decide(client, part, decision, reason=""):
    return client.post(
        reverse("tasks:review", args=[part.pk]),
        prefixed(f"r{part.pk}", version=fresh(part).version, decision=decision, reason=reason),
    )


def report(client, part, **values):
    return client.post(reverse("tasks:report", args=[fresh(part).pk]), report_data(part, **values))


def test_a_report_goes_from_the_agency_to_the_reviewer_and_back_until_accepted(
    client, staff, leader, reviewer, lead_part, clock
):
    # staff report; their leader submits
    client.force_login(staff)
    report(client, lead_part, state="in_progress", progress=60, note="Đã có dự thảo kế hoạch")
    assert "Lãnh đạo đơn vị sẽ gửi báo cáo này" in page(client, lead_part)
    later(clock, 1)
    client.force_login(leader)
    assert submit(client, lead_part, note="Đề nghị Sở Nội vụ xem xét").status_code == 302
    assert fresh(lead_part).review_state == ReviewState.SUBMITTED

    # the reviewer must say why a report goes back
    later(clock, 2)
    client.force_login(reviewer)
    response = decide(client, lead_part, "returned", reason="  ")
    assert "Hãy ghi lý do trả lại để cơ quan biết cần bổ sung gì." in response.content.decode()
    assert fresh(lead_part).review_state == ReviewState.SUBMITTED
    decide(client, lead_part, "returned", reason="Chưa kèm dự thảo; đề nghị bổ sung tệp dự thảo kế hoạch.")
    assert fresh(lead_part).review_state == ReviewState.RETURNED

    # the agency sees the reason; the leader cannot send it back unanswered
    later(clock, 3)
    client.force_login(leader)
    shown = page(client, lead_part)
    assert "Chưa kèm dự thảo; đề nghị bổ sung tệp dự thảo kế hoạch." in shown and 'data-testid="return-reason"' in shown
    assert "Cần có báo cáo bổ sung (trả lời ý kiến trả lại) trước khi gửi lại." in shown
    response = submit(client, lead_part)
    assert (
        "hãy bổ sung bằng một báo cáo tiến độ mới trước khi gửi lại"
        in client.get(response["Location"]).content.decode()
    )
    assert fresh(lead_part).review_state == ReviewState.RETURNED

    # staff answer with a new update; the leader resubmits; the reviewer accepts
    later(clock, 4)
    client.force_login(staff)
    report(client, lead_part, state="in_progress", progress=70, note="Đã bổ sung dự thảo theo ý kiến Sở Nội vụ")
    answer = fresh(lead_part).updates.order_by("-created_at").first()
    assert answer.answers == Review.objects.get(decision=ReviewDecision.RETURNED)
    assert fresh(lead_part).review_state == ReviewState.RETURNED  # until the leader sends it again
    later(clock, 5)
    client.force_login(leader)
    assert submit(client, lead_part).status_code == 302
    later(clock, 6)
    client.force_login(reviewer)
    decide(client, lead_part, "accepted")
    assert fresh(lead_part).review_state == ReviewState.ACCEPTED

    steps = list(
        Review.objects.filter(assignment=lead_part).order_by("created_at").values_list("decision", "actor__username")
    )
    assert steps == [
        ("submitted", "leader"),
        ("returned", "reviewer"),
        ("submitted", "leader"),
        ("accepted", "reviewer"),
    ]
    shown = page(client, lead_part)
    for text in (
        "Lãnh đạo gửi báo cáo để xem xét",
        "Trả lại báo cáo",
        "Chấp nhận báo cáo",
        "Báo cáo bổ sung",
        "Báo cáo đã được chấp nhận.",
    ):
        assert text in shown


def test_only_a_leader_submits_and_only_with_something_to_submit(client, staff, leader, lead_part):
    client.force_login(staff)
    assert submit(client, lead_part).status_code == 403
    client.force_login(leader)
    assert "Chưa có báo cáo tiến độ nào để gửi." in page(client, lead_part)
    response = submit(client, lead_part)
    assert (
        "Chưa có báo cáo tiến độ nào để gửi. Hãy báo cáo tiến độ trước."
        in client.get(response["Location"]).content.decode()
    )
    assert fresh(lead_part).review_state == ReviewState.DRAFT


def test_a_new_report_after_submission_needs_a_new_submission(client, staff, leader, lead_part):
    services.report_progress(
        lead_part, staff, lead_part.version, services.Report(state="in_progress", progress=30, note="a")
    )
    services.submit(fresh(lead_part), leader, lead_part.version)
    client.force_login(staff)
    assert "Nếu báo cáo thêm bây giờ, lãnh đạo đơn vị cần gửi lại báo cáo." in page(client, lead_part)
    report(client, lead_part, state="in_progress", progress=50, note="b")
    assert fresh(lead_part).review_state == ReviewState.DRAFT


def test_only_reviewers_decide(client, staff, leader, reviewer, lead_part):
    services.report_progress(
        lead_part, staff, lead_part.version, services.Report(state="in_progress", progress=30, note="a")
    )
    services.submit(fresh(lead_part), leader, lead_part.version)
    for person in (staff, leader):
        client.force_login(person)
        assert decide(client, lead_part, "accepted").status_code == 403
    assert fresh(lead_part).review_state == ReviewState.SUBMITTED
    assert not Review.objects.filter(decision=ReviewDecision.ACCEPTED).exists()


# --- extensions ------------------------------------------------------------------------------------


def ask(client, part, date, reason="Chờ ý kiến thẩm định của Bộ Tư pháp"):
    return client.post(
        reverse("tasks:request_extension", args=[part.pk]), prefixed(f"e{part.pk}", requested_date=date, reason=reason)
    )


def rule(client, extension, decision, note="", **extra):
    return client.post(
        reverse("tasks:decide_extension", args=[extension.pk]),
        {**prefixed(f"x{extension.pk}", decision=decision, note=note), **extra},
    )


def test_an_agency_asks_for_a_new_deadline_and_a_reviewer_grants_it(client, staff, reviewer, lead_part, clock):
    client.force_login(staff)
    page_text = ask(client, lead_part, "31/03/2024", reason="").content.decode()
    assert "Ngày đề nghị phải sau hạn hiện tại (31/03/2024)." in page_text
    assert "Hãy nêu lý do đề nghị gia hạn." in page_text
    assert ask(client, lead_part, "30/06/2024").status_code == 302
    extension = ExtensionRequest.objects.get()
    assert (extension.previous_due, extension.requested_date, extension.state) == (
        D(2024, 3, 31),
        D(2024, 6, 30),
        "pending",
    )
    assert "đang chờ quyết định" in page(client, lead_part)
    assert 'data-testid="extension-form"' not in page(client, lead_part)  # one request at a time

    later(clock, 24 * 14)  # 3 April: the task's own deadline has passed
    client.force_login(reviewer)
    assert Assignment.objects.with_status().get(pk=lead_part.pk).status == OfficialStatus.OVERDUE
    assert rule(client, extension, "grant").status_code == 302

    extension.refresh_from_db()
    part = fresh(lead_part)
    assert (extension.state, extension.decided_by, part.due_date) == ("granted", reviewer, D(2024, 6, 30))
    assert Assignment.objects.with_status().get(pk=part.pk).status == OfficialStatus.NOT_STARTED  # no longer overdue
    shown = page(client, part)
    assert "Đồng ý gia hạn" in shown and "(hạn cũ 31/03/2024, hạn đề nghị 30/06/2024)" in shown
    assert "hạn ban đầu: 31/03/2024" in shown


def test_a_refusal_says_why_and_leaves_the_deadline(client, staff, reviewer, lead_part):
    client.force_login(staff)
    ask(client, lead_part, "30/06/2024")
    extension = ExtensionRequest.objects.get()
    client.force_login(reviewer)
    assert "Hãy ghi lý do không đồng ý gia hạn." in rule(client, extension, "refuse").content.decode()
    rule(client, extension, "refuse", note="Nhiệm vụ phải xong trong quý I theo chỉ đạo của UBND tỉnh")
    extension.refresh_from_db()
    assert extension.state == "refused" and fresh(lead_part).due_date is None
    assert "Nhiệm vụ phải xong trong quý I theo chỉ đạo của UBND tỉnh" in page(client, lead_part)
    # decided once: a second decision is refused
    response = rule(client, extension, "grant")
    assert "Đề nghị gia hạn này đã được quyết định trước đó." in client.get(response["Location"]).content.decode()
    assert fresh(lead_part).due_date is None


# --- the reviewers' page ---------------------------------------------------------------------------


def test_reviewers_have_a_page_of_submitted_reports_and_pending_extension_requests(
    client, staff, leader, reviewer, lead_part, cooperating_part, colleague_elsewhere, outsider
):
    services.report_progress(
        lead_part, staff, lead_part.version, services.Report(state="in_progress", progress=30, note="a")
    )
    services.submit(fresh(lead_part), leader, lead_part.version)
    services.request_extension(cooperating_part, colleague_elsewhere, D(2024, 5, 31), "Chờ bố trí kinh phí")
    queue = reverse("tasks:review_queue")

    client.force_login(reviewer)
    shown = client.get(queue).content.decode()
    assert shown.count('data-testid="submitted-row"') == 1 and "Sở Tư pháp" in shown and "leader" in shown
    assert shown.count('data-testid="extension-row"') == 1 and "Chờ bố trí kinh phí" in shown and "31/05/2024" in shown

    extension = ExtensionRequest.objects.get()
    response = rule(client, extension, "grant", next=queue)
    assert response["Location"] == queue
    assert "Không có đề nghị gia hạn nào đang chờ." in client.get(queue).content.decode()
    assert fresh(cooperating_part).due_date == D(2024, 5, 31)

    client.force_login(outsider)  # another province's reviewer
    shown = client.get(queue).content.decode()
    assert "Không có báo cáo nào đang chờ xem xét." in shown


def test_the_decision_does_not_redirect_to_another_site(client, staff, reviewer, lead_part):
    services.request_extension(lead_part, staff, D(2024, 6, 30), "x")
    client.force_login(reviewer)
    response = rule(client, ExtensionRequest.objects.get(), "grant", next="https://evil.example/")
    assert response["Location"] == lead_part.get_absolute_url()


def test_reviewers_also_see_the_queue_link_on_the_list(client, reviewer, province):
    client.force_login(reviewer)
    assert reverse("tasks:review_queue") in client.get(reverse("tasks:list")).content.decode()
    client.force_login(make_user("dl", make_agency(province, "Sở Du lịch"), "staff"))
    assert reverse("tasks:review_queue") not in client.get(reverse("tasks:list")).content.decode()


def test_reviewers_report_on_their_own_agencys_work_like_any_agency(client, reviewer, home_affairs, justice_task):
    """Sở Nội vụ is itself assigned tasks: its reviewers can report on them (its leader submits)."""
    part = Assignment.objects.create(task=justice_task, agency=home_affairs, role="cooperating")
    client.force_login(reviewer)
    assert report(client, part, state="in_progress", progress=10, note="Sở Nội vụ phối hợp").status_code == 302
    assert fresh(part).state == WorkState.IN_PROGRESS


def test_four_eyes_a_reviewer_cannot_decide_on_a_report_of_its_own_agency_or_pen(
    client, home_affairs, reviewer, justice_task
):
    """Sở Nội vụ reports on its own task: one of its reviewers cannot accept it; a reviewer of Văn phòng UBND can."""
    from agencies.models import Role
    from tasks.models import ProgressUpdate

    own = Assignment.objects.create(
        task=justice_task, agency=home_affairs, role="cooperating", review_state=ReviewState.SUBMITTED
    )
    ProgressUpdate.objects.create(assignment=own, author=reviewer, state=WorkState.IN_PROGRESS, progress=50)
    client.force_login(reviewer)
    decide(client, own, ReviewDecision.ACCEPTED)
    assert "Không thể tự xem xét báo cáo" in page(client, own)
    assert fresh(own).review_state == ReviewState.SUBMITTED and not Review.objects.filter(assignment=own).exists()

    office = make_agency(home_affairs.province, "Văn phòng UBND tỉnh")
    other_reviewer = make_user("vp_reviewer", office, Role.REVIEWER)
    # A report another agency's reviewer wrote (a reviewer helping an agency) is not theirs to accept either.
    coop = Assignment.objects.get(task=justice_task, agency__name="Sở Tài chính")
    ProgressUpdate.objects.create(assignment=coop, author=other_reviewer, state=WorkState.IN_PROGRESS, progress=10)
    Assignment.objects.filter(pk=coop.pk).update(review_state=ReviewState.SUBMITTED)
    client.force_login(other_reviewer)
    decide(client, coop, ReviewDecision.ACCEPTED)
    assert fresh(coop).review_state == ReviewState.SUBMITTED
    decide(client, own, ReviewDecision.ACCEPTED)
    assert fresh(own).review_state == ReviewState.ACCEPTED
    client.force_login(reviewer)
    decide(client, coop, ReviewDecision.RETURNED, reason="Bổ sung tài liệu")
    assert fresh(coop).review_state == ReviewState.RETURNED
