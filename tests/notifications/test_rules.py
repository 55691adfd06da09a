"""Who is reminded of what, and on which day: the sweep's decisions, read from the rows it claims.

``justice_task`` (plan 1/KH-UBND) is due 31/03/2024, led by Sở Tư pháp (``staff``, ``leader``) with Sở Tài
chính cooperating (``colleague_elsewhere``); Sở Nội vụ's ``reviewer`` follows everything in the province.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Role
from cchc_portal.models import Reminder, ReminderKind
from cchc_portal.notifications.emails import compose
from cchc_portal.notifications.services import plan_reminders, run_sweep
from plans.models import PeriodicReport, ReportingDuty
from tasks.models import Assignment, AssignmentRole, Task, WorkState
from tests.conftest import make_agency, make_user
from tests.notifications.support import at, with_email

pytestmark = pytest.mark.django_db

DUE = datetime.date(2024, 3, 31)


def days(first: str, last: str) -> list[datetime.date]:
    start, end = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def sweep_each_day(time_machine, first: str, last: str) -> None:
    """Run the 07:00 sweep on every day from ``first`` to ``last``, as beat would."""
    for day in days(first, last):
        time_machine.move_to(at(f"{day} 07:00"), tick=False)
        run_sweep()


def reminded_days(user, kind) -> list[datetime.date]:
    return sorted(Reminder.objects.filter(recipient=user, kind=kind).values_list("day", flat=True))


def test_the_lead_agency_is_reminded_7_3_and_1_days_before(time_machine, justice_task, staff):
    sweep_each_day(time_machine, "2024-03-20", "2024-03-31")
    assert reminded_days(staff, ReminderKind.DUE_SOON) == [
        datetime.date(2024, 3, 24),
        datetime.date(2024, 3, 28),
        datetime.date(2024, 3, 30),
    ]
    reminder = Reminder.objects.get(recipient=staff, day=datetime.date(2024, 3, 24))
    assert (
        reminder.assignment.task == justice_task and reminder.due_date == DUE and reminder.agency.name == "Sở Tư pháp"
    )


def test_a_cooperating_agency_gets_the_3_day_reminder_only(time_machine, justice_task, colleague_elsewhere):
    sweep_each_day(time_machine, "2024-03-20", "2024-04-30")
    assert reminded_days(colleague_elsewhere, ReminderKind.DUE_SOON) == [datetime.date(2024, 3, 28)]
    assert not Reminder.objects.filter(recipient=colleague_elsewhere).exclude(kind=ReminderKind.DUE_SOON).exists()


def test_overdue_notice_on_the_first_day_then_weekly(time_machine, justice_task, staff):
    sweep_each_day(time_machine, "2024-03-31", "2024-04-30")
    assert reminded_days(staff, ReminderKind.OVERDUE) == [
        datetime.date(2024, 4, 1),
        datetime.date(2024, 4, 8),
        datetime.date(2024, 4, 15),
        datetime.date(2024, 4, 22),
        datetime.date(2024, 4, 29),
    ]


def test_escalation_to_the_leader_after_the_configured_days(time_machine, settings, justice_task, staff, leader):
    settings.ESCALATE_AFTER_DAYS = 10
    sweep_each_day(time_machine, "2024-04-01", "2024-04-30")
    assert reminded_days(leader, ReminderKind.ESCALATION) == [datetime.date(2024, 4, 10)]
    assert not Reminder.objects.filter(recipient=staff, kind=ReminderKind.ESCALATION).exists()
    assert not Reminder.objects.filter(recipient=leader).exclude(kind=ReminderKind.ESCALATION).exists()


def test_an_agency_that_reported_done_gets_nothing(time_machine, justice_task, staff, colleague_elsewhere):
    Assignment.objects.filter(task=justice_task, agency=staff.agency).update(
        state=WorkState.DONE, progress=100, completed_on=datetime.date(2024, 3, 15)
    )
    sweep_each_day(time_machine, "2024-03-20", "2024-04-30")
    assert not Reminder.objects.filter(recipient=staff).exists()
    assert reminded_days(colleague_elsewhere, ReminderKind.DUE_SOON) == [datetime.date(2024, 3, 28)]


def test_an_extension_moves_the_reminders_to_the_agency_s_own_date(time_machine, justice_task, staff):
    Assignment.objects.filter(task=justice_task, agency=staff.agency).update(due_date=datetime.date(2024, 4, 30))
    sweep_each_day(time_machine, "2024-03-20", "2024-05-01")
    assert reminded_days(staff, ReminderKind.DUE_SOON) == [
        datetime.date(2024, 4, 23),
        datetime.date(2024, 4, 27),
        datetime.date(2024, 4, 29),
    ]
    assert reminded_days(staff, ReminderKind.OVERDUE) == [datetime.date(2024, 5, 1)]


def test_an_ongoing_task_gets_no_task_reminder(time_machine, plan, section, justice, staff):
    task = Task.objects.create(
        document=plan,
        section=section,
        number="9",
        title="Thực hiện thường xuyên",
        deadline_text="Thường xuyên",
        due_kind="ongoing",
    )
    Assignment.objects.create(task=task, agency=justice, role=AssignmentRole.LEAD)
    sweep_each_day(time_machine, "2024-01-01", "2024-01-31")
    assert not Reminder.objects.filter(recipient=staff).exists()


def test_a_task_of_a_draft_document_gets_no_reminder(time_machine, plan, justice_task, staff):
    plan.is_draft = True
    plan.save()
    sweep_each_day(time_machine, "2024-03-24", "2024-04-01")
    assert not Reminder.objects.filter(recipient=staff).exists()


def test_a_task_whose_date_needs_confirmation_goes_to_reviewers_not_to_agencies(
    time_machine, justice_task, staff, reviewer
):
    justice_task.due_needs_confirmation = True
    justice_task.deadline_text = "Kỳ họp HĐND tỉnh thường kỳ giữa năm 2024"
    justice_task.save()
    sweep_each_day(time_machine, "2024-03-20", "2024-04-15")
    assert not Reminder.objects.filter(recipient=staff).exists()
    digest = Reminder.objects.get(recipient=reviewer, kind=ReminderKind.DIGEST, day=datetime.date(2024, 3, 25))
    message = compose(digest)
    assert "Thời hạn cần xác nhận (1)" in message.text
    assert "Kỳ họp HĐND tỉnh thường kỳ giữa năm 2024" in message.text


def test_the_digest_goes_out_on_mondays_only(time_machine, plan, section, justice, justice_task, reviewer):
    later = Task.objects.create(
        document=plan,
        section=section,
        number="2",
        title="Rà soát văn bản quý II",
        due_date=datetime.date(2024, 4, 12),
        due_kind="date",
    )
    Assignment.objects.create(task=later, agency=justice, role=AssignmentRole.LEAD)
    sweep_each_day(time_machine, "2024-03-18", "2024-04-14")  # every Monday has something due or overdue
    assert reminded_days(reviewer, ReminderKind.DIGEST) == [
        datetime.date(2024, 3, 18),
        datetime.date(2024, 3, 25),
        datetime.date(2024, 4, 1),
        datetime.date(2024, 4, 8),
    ]
    assert {d.weekday() for d in reminded_days(reviewer, ReminderKind.DIGEST)} == {0}


def test_the_digest_lists_what_became_overdue_and_what_falls_due_in_14_days(
    time_machine, plan, section, justice, justice_task, reviewer
):
    later = Task.objects.create(
        document=plan,
        section=section,
        number="2",
        title="Rà soát văn bản quý II",
        deadline_text="Tháng 4/2024",
        due_date=datetime.date(2024, 4, 12),
        due_kind="month",
    )
    Assignment.objects.create(task=later, agency=justice, role=AssignmentRole.LEAD)
    time_machine.move_to(at("2024-04-01 07:00"), tick=False)  # a Monday: 31/03 passed, 12/04 is 11 days away
    run_sweep()
    text = compose(Reminder.objects.get(recipient=reviewer, kind=ReminderKind.DIGEST)).text
    overdue, soon = text.split("Mới quá hạn trong tuần qua (1)")[1].split("Đến hạn trong 14 ngày tới (1)")
    assert "II.1 Ban hành Kế hoạch theo dõi thi hành pháp luật" in overdue
    assert "II.2 Rà soát văn bản quý II" in soon and "12/04/2024" in soon


def test_van_phong_ubnd_reviewers_get_the_digest_only_for_documents_it_follows(
    time_machine, plan, office, justice_task, reviewer, office_reviewer
):
    time_machine.move_to(at("2024-03-25 07:00"), tick=False)  # a Monday; 31/03 falls due within 14 days
    run_sweep()
    assert Reminder.objects.filter(recipient=reviewer, kind=ReminderKind.DIGEST).exists()  # Sở Nội vụ follows all
    assert not Reminder.objects.filter(recipient=office_reviewer).exists()
    plan.followed_by.add(office)
    time_machine.move_to(at("2024-04-01 07:00"), tick=False)
    run_sweep()
    assert reminded_days(office_reviewer, ReminderKind.DIGEST) == [datetime.date(2024, 4, 1)]


def test_a_task_of_a_merged_agency_reminds_its_successor_s_staff(time_machine, province, justice, justice_task, staff):
    successor = make_agency(province, "Sở Tư pháp và Nội chính")
    justice.valid_to, justice.successor = datetime.date(2024, 3, 1), successor
    justice.save()
    heir = with_email(make_user("heir_staff", successor, Role.STAFF))
    time_machine.move_to(at("2024-03-24 07:00"), tick=False)
    run_sweep()
    reminder = Reminder.objects.get(recipient=heir)
    assert reminder.kind == ReminderKind.DUE_SOON and reminder.agency == successor
    assert reminder.assignment.agency == justice  # the history stays with the assignment
    assert not Reminder.objects.filter(recipient=staff).exists()


@pytest.fixture
def quarterly_report(plan, home_affairs, departments):
    duty = ReportingDuty.objects.create(document=plan, frequency="quarterly", recipient=home_affairs, due_day=15)
    duty.reporters.set([departments])
    return duty


def test_periodic_report_reminders_7_and_1_days_before_stop_once_the_report_is_in(
    time_machine, quarterly_report, staff, colleague_elsewhere, reviewer
):
    sweep_each_day(time_machine, "2024-03-01", "2024-03-10")
    assert reminded_days(staff, ReminderKind.REPORT_DUE) == [datetime.date(2024, 3, 8)]
    reminder = Reminder.objects.get(recipient=staff, kind=ReminderKind.REPORT_DUE)
    assert (reminder.period_start, reminder.period_end, reminder.due_date) == (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 3, 31),
        datetime.date(2024, 3, 15),
    )
    PeriodicReport.objects.create(
        duty=quarterly_report,
        agency=staff.agency,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 3, 31),
        due_date=datetime.date(2024, 3, 15),
    )
    sweep_each_day(time_machine, "2024-03-11", "2024-03-31")
    assert reminded_days(staff, ReminderKind.REPORT_DUE) == [datetime.date(2024, 3, 8)]
    assert reminded_days(colleague_elsewhere, ReminderKind.REPORT_DUE) == [
        datetime.date(2024, 3, 8),
        datetime.date(2024, 3, 14),
    ]
    assert not Reminder.objects.filter(
        recipient=reviewer, kind=ReminderKind.REPORT_DUE
    ).exists()  # Sở Nội vụ receives it


def test_a_plan_s_reporting_duty_covers_its_own_year_only(time_machine, quarterly_report, staff):
    sweep_each_day(time_machine, "2025-03-01", "2025-03-15")
    assert not Reminder.objects.filter(recipient=staff).exists()


def test_running_the_sweep_twice_the_same_day_claims_nothing_new(
    time_machine, justice_task, staff, colleague_elsewhere
):
    time_machine.move_to(at("2024-03-28 07:00"), tick=False)
    first = run_sweep()
    second = run_sweep()
    assert len(first.claimed) == 2 and Reminder.objects.count() == 2
    assert second.planned == 2 and second.claimed == []


def test_deciding_costs_the_same_queries_for_5_or_200_tasks(
    time_machine, plan, section, justice, finance, staff, leader
):
    def add_tasks(count: int) -> None:
        for n in range(count):
            task = Task.objects.create(
                document=plan,
                section=section,
                number=str(100 + Task.objects.count()),
                title="Nhiệm vụ",
                due_date=datetime.date(2024, 3, 31) - datetime.timedelta(days=n % 40),
            )
            Assignment.objects.create(task=task, agency=justice, role=AssignmentRole.LEAD)
            Assignment.objects.create(task=task, agency=finance, role=AssignmentRole.COOPERATING)

    def queries_to_decide() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            planned = plan_reminders(datetime.date(2024, 4, 15))
        return len(captured.captured_queries), len(planned)

    add_tasks(5)
    few_queries, few = queries_to_decide()
    add_tasks(195)
    many_queries, many = queries_to_decide()
    assert many > few > 0
    assert many_queries == few_queries
