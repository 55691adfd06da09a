"""Every workflow step tells the people who act next, once, and only people who may see what it is about.

The story: Sở Tư pháp leads a task of plan 1/KH-UBND, Sở Tài chính cooperates. Its staff report, its leader
sends, Sở Nội vụ returns the report with a reason, the staff answer, the leader sends again, Sở Nội vụ
accepts. Each step is published by the service (``core.outbox``) and turned into notifications by the job
``notify_event`` once the step commits; e-mails go to a real SMTP server on loopback.
"""

from __future__ import annotations

import datetime

import pytest

from agencies.models import Role
from cchc_portal.models import EmailMode, EmailState, EventKind, Notification, NotificationSettings, ReminderKind
from cchc_portal.notifications import events
from cchc_portal.notifications.delivery import Outcome, deliver
from cchc_portal.notifications.services import run_sweep
from tasks import services
from tasks.models import Assignment
from tests.conftest import make_agency, make_user
from tests.notifications.support import at, subject_of, text_of, with_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def part(justice_task, justice):
    return Assignment.objects.get(task=justice_task, agency=justice)


@pytest.fixture
def people(staff, leader, reviewer, colleague_elsewhere, office_reviewer, mailbox):
    return {
        "staff": staff,
        "leader": leader,
        "reviewer": reviewer,
        "finance": colleague_elsewhere,
        "office": office_reviewer,
    }


def inbox(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("created_at", "pk"))


def kinds(user) -> list[str]:
    return [n.kind for n in inbox(user)]


def fresh(part: Assignment) -> Assignment:
    return Assignment.objects.select_related("task__document", "agency").get(pk=part.pk)


def report(part, user, note="Đã xây dựng dự thảo", **values):
    part = fresh(part)
    return services.report_progress(
        part,
        user,
        part.version,
        services.Report(state=values.get("state", "in_progress"), progress=values.get("progress", 50), note=note),
    )


def test_each_step_tells_the_people_who_act_next(people, part, steps, time_machine):
    time_machine.move_to(at("2024-03-01 09:00"))
    staff, leader, reviewer = people["staff"], people["leader"], people["reviewer"]

    with steps():
        report(part, staff)
    assert kinds(leader) == [EventKind.AWAITING_LEADER]  # the leader sends next
    assert kinds(reviewer) == [] and kinds(staff) == []  # nobody is told of their own step

    with steps():
        services.submit(fresh(part), leader, fresh(part).version)
    [submitted] = inbox(reviewer)
    assert submitted.kind == EventKind.SUBMITTED
    assert submitted.title == "Báo cáo chờ xem xét: Sở Tư pháp – nhiệm vụ II.1 (Kế hoạch 1/KH-UBND)"
    assert submitted.url == f"/tasks/{part.task_id}/#phan-viec-{part.pk}"  # the exact place to act
    assert kinds(people["office"]) == []  # Văn phòng UBND follows only the documents that name it

    with steps():
        services.decide(fresh(part), reviewer, fresh(part).version, "returned", "Bổ sung danh mục văn bản")
    for person in (staff, leader):
        returned = inbox(person)[-1]
        assert returned.kind == EventKind.RETURNED
        assert returned.title == "Báo cáo nhiệm vụ II.1 bị trả lại, cần bổ sung"
        assert returned.body == "Lý do: Bổ sung danh mục văn bản"

    with steps():
        report(part, staff, note="Đã bổ sung 12 văn bản", progress=80)
    assert inbox(reviewer)[-1].kind == EventKind.ANSWERED  # the reviewer who returned it
    assert inbox(reviewer)[-1].body == "Đã bổ sung 12 văn bản"
    assert kinds(leader)[-1] == EventKind.AWAITING_LEADER  # a new round: the leader must send again

    with steps():
        services.submit(fresh(part), leader, fresh(part).version)
    assert inbox(reviewer)[-1].kind == EventKind.RESUBMITTED

    with steps():
        services.decide(fresh(part), reviewer, fresh(part).version, "accepted")
    assert kinds(staff)[-1] == kinds(leader)[-1] == EventKind.ACCEPTED

    with steps():
        request = services.request_extension(fresh(part), staff, datetime.date(2024, 6, 30), "Chờ ý kiến của Bộ")
    assert inbox(reviewer)[-1].kind == EventKind.EXTENSION_ASKED
    assert inbox(reviewer)[-1].title == "Sở Tư pháp đề nghị gia hạn nhiệm vụ II.1 đến 30/06/2024"
    with steps():
        services.decide_extension(request, reviewer, grant=True)
    assert inbox(staff)[-1].title == inbox(leader)[-1].title == "Đồng ý gia hạn nhiệm vụ II.1 đến 30/06/2024"
    # The cooperating agency was not asked to act on any of this.
    assert kinds(people["finance"]) == []


def test_the_e_mails_follow_each_persons_choice(people, part, steps, mailbox, time_machine):
    time_machine.move_to(at("2024-03-01 09:00"), tick=False)
    staff, leader, reviewer = people["staff"], people["leader"], people["reviewer"]
    NotificationSettings.objects.create(user=leader, email_mode=EmailMode.DAILY)
    NotificationSettings.objects.create(user=reviewer, email_mode=EmailMode.NONE)
    report(part, staff)
    with steps():
        services.submit(fresh(part), leader, fresh(part).version)
        services.decide(fresh(part), reviewer, fresh(part).version, "returned", "Thiếu tài liệu kiểm chứng")

    [message] = mailbox.to(staff.email)  # each event: at once
    assert subject_of(message) == "[Cổng CCHC] Báo cáo nhiệm vụ II.1 bị trả lại, cần bổ sung"
    assert "Lý do: Thiếu tài liệu kiểm chứng" in text_of(message)
    assert f"https://cchc.example.gov.vn/tasks/{part.task_id}/#phan-viec-{part.pk}" in text_of(message)
    assert mailbox.to(leader.email) == []  # daily digest: not yet
    assert mailbox.to(reviewer.email) == []  # none: never
    assert Notification.objects.get(recipient=reviewer).email_state == EmailState.NONE
    assert Notification.objects.get(recipient=staff).email_state == EmailState.SENT

    # The next morning's sweep claims one digest for the leader, with the day's notifications in it.
    time_machine.move_to(at("2024-03-02 07:00"), tick=False)
    result = run_sweep()
    from cchc_portal.models import Reminder

    digest = Reminder.objects.get(recipient=leader, kind=ReminderKind.EVENTS_DIGEST)
    assert digest.pk in result.claimed
    assert deliver(digest.pk) == Outcome.SENT
    [daily] = mailbox.to(leader.email)
    assert subject_of(daily) == "[Cổng CCHC] Tổng hợp ngày 02/03/2024: 1 thông báo mới trên Cổng CCHC"
    assert "Báo cáo nhiệm vụ II.1 bị trả lại, cần bổ sung" in text_of(daily)
    assert Notification.objects.get(recipient=leader).email_state == EmailState.SENT
    # A second sweep the same day claims nothing more, and nothing is waiting any more.
    run_sweep()
    assert Reminder.objects.filter(recipient=leader, kind=ReminderKind.EVENTS_DIGEST).count() == 1
    assert len(mailbox.to(leader.email)) == 1


def test_a_step_is_notified_once_however_often_its_job_runs(people, part, steps, mailbox):
    report(part, people["staff"])
    with steps():
        review = services.submit(fresh(part), people["leader"], fresh(part).version)
    written = Notification.objects.count()
    # The job is redelivered (a worker died after writing), or two workers run it at once.
    for _ in range(3):
        assert events.notify("review", review.pk) == []  # nothing new to send
    assert Notification.objects.count() == written
    assert Notification.objects.filter(recipient=people["reviewer"], kind=EventKind.SUBMITTED).count() == 1
    assert len(mailbox.to(people["reviewer"].email)) == 1
    # A second send job for the same e-mail does nothing.
    sent = Notification.objects.get(recipient=people["reviewer"], kind=EventKind.SUBMITTED)
    assert events.deliver_email(sent.pk) == Outcome.SKIPPED
    assert len(mailbox.to(people["reviewer"].email)) == 1


def test_a_retried_step_is_notified_once(people, part, steps):
    """The leader double-clicks "Gửi báo cáo": the second request is refused and notifies nobody."""
    report(part, people["staff"])
    part = fresh(part)
    with steps():
        services.submit(part, people["leader"], part.version)
    with steps(), pytest.raises(services.WorkflowError):
        services.submit(fresh(part), people["leader"], part.version)
    assert Notification.objects.filter(recipient=people["reviewer"], kind=EventKind.SUBMITTED).count() == 1


def test_never_to_someone_who_may_not_see_the_task(people, part, justice_task, province, other_province, steps):
    """A reviewer who wrote in the discussion moves to another province; the staff of a merged-away agency."""
    staff, reviewer = people["staff"], people["reviewer"]
    with steps():
        services.add_comment(justice_task, reviewer, "Đề nghị Sở Tư pháp báo cáo sớm")
    moved = make_agency(other_province, "Sở Nội vụ tỉnh B")
    reviewer.agency = moved
    reviewer.save(update_fields=["agency"])
    tourism = with_email(make_user("tourism", make_agency(province, "Sở Du lịch"), Role.STAFF))
    with steps():
        comment = services.add_comment(justice_task, staff, "Đã gửi dự thảo, đề nghị các sở góp ý")
    assert not Notification.objects.filter(recipient=reviewer, event=f"comment:{comment.pk}").exists()
    assert not Notification.objects.filter(recipient=tourism).exists()
    assert Notification.objects.filter(recipient=people["finance"], event=f"comment:{comment.pk}").exists()

    # Whoever a builder names, ``visible`` keeps only those the task's own permission rule lets in.
    notice = events.Notice(
        "comment", "x", "t", "", "/", [staff, tourism, reviewer, people["finance"]], task=justice_task
    )
    assert {p.username for p in events.visible(notice)} == {"staff", "finance_staff"}


def test_the_report_path_costs_no_query_per_recipient(people, part, justice):
    """Each step queues one job (ids only); who gets told is worked out by the job, not by the request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def one_round() -> list[int]:
        counts = []
        for step in (
            lambda: report(part, people["staff"], note="Đã bổ sung"),
            lambda: services.submit(fresh(part), people["leader"], fresh(part).version),
            lambda: services.decide(fresh(part), people["reviewer"], fresh(part).version, "returned", "Bổ sung"),
        ):
            with CaptureQueriesContext(connection) as captured:
                step()
            counts.append(len(captured))
        return counts

    report(part, people["staff"])
    services.submit(fresh(part), people["leader"], fresh(part).version)
    services.decide(fresh(part), people["reviewer"], fresh(part).version, "returned", "Bổ sung")
    few = one_round()
    for n in range(20):  # many more people to tell: reviewers, staff and leaders of the agency
        make_user(f"reviewer{n}", people["reviewer"].agency, Role.REVIEWER)
        make_user(f"justice{n}", justice, Role.STAFF if n % 2 else Role.LEADER)
    assert one_round() == few


def test_new_assignments_after_an_import_one_message_per_agency(people, plan, steps):
    from cchc_portal.documents.services import import_file
    from tests.plans import tablefiles as tf

    rows = [
        tf.PY_HEADER,
        ["I", "Cải cách thể chế"],
        [1, "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp", "Sở Tài chính", "Quý II/2024"],
        [2, "Kiểm tra công tác văn bản", "Sở Tư pháp", "", "Quý III/2024"],
        [3, "Tự kiểm tra văn bản", "Sở Tư pháp", "", "Năm 2024"],
    ]
    with steps():
        _preview, result = import_file(plan, tf.xlsx(rows), "phu-luc.xlsx", "tasks")
    assert result["created"] == 3
    [justice_notice] = [n for n in inbox(people["staff"]) if n.kind == EventKind.ASSIGNED]
    assert justice_notice.title == "Đơn vị được giao 3 nhiệm vụ mới theo Kế hoạch 1/KH-UBND"
    assert justice_notice.url == f"/tasks/?document={plan.pk}"
    assert [n.title for n in inbox(people["finance"])] == ["Đơn vị được giao 1 nhiệm vụ mới theo Kế hoạch 1/KH-UBND"]
    assert kinds(people["leader"]) == [EventKind.ASSIGNED]


def test_someone_who_chose_no_e_mail_still_gets_reminders_in_the_portal(people, justice_task, mailbox, time_machine):
    staff = people["staff"]
    NotificationSettings.objects.create(user=staff, email_mode=EmailMode.NONE)
    time_machine.move_to(at("2024-03-28 07:00"), tick=False)  # 3 days before II.1 is due
    result = run_sweep()
    for pk in result.claimed:
        deliver(pk)
    assert Notification.objects.filter(recipient=staff, kind=ReminderKind.DUE_SOON).count() == 1
    assert mailbox.to(staff.email) == []
    assert len(mailbox.to(people["finance"].email)) == 1  # the cooperating agency's staff kept the default
