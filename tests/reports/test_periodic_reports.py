"""Periodic reports in the browser (/reports/): the agencies of "Các sở, ban, ngành" report quarterly to Sở Nội vụ
before the 15th of the quarter's last month (plan 1/KH-UBND, 2024).

Sở Tư pháp's report of quarter I is pre-filled with the figures of its tasks; its staff write the text, its leader
sends it, Sở Nội vụ sees who has sent and who was late, returns it with a reason, accepts it (locked), reopens
it with a reason. Reminders stop for an agency that has sent; the province's own report includes what was sent.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse

from agencies.models import Role
from cchc_portal.models import EventKind, Notification, Reminder, ReminderKind
from cchc_portal.notifications.services import run_sweep
from plans.models import PeriodicReport, PeriodicReportStep, ReportingDuty
from tasks import services as task_services
from tasks.models import Assignment, AssignmentRole, Task
from tests.conftest import make_user
from tests.notifications.support import at, with_email
from tests.tasks.conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def duty(plan, departments, home_affairs):
    duty = ReportingDuty.objects.create(document=plan, frequency="quarterly", recipient=home_affairs, due_day=15)
    duty.reporters.set([departments])
    return duty


@pytest.fixture
def people(staff, leader, reviewer, colleague_elsewhere):
    return {p.username: with_email(p) for p in (staff, leader, reviewer, colleague_elsewhere)}


def url(duty, agency, name="reports:report", period="quy-1-2024") -> str:
    return reverse(name, args=[duty.pk, period, agency.pk])


def report_of(duty, agency) -> PeriodicReport:
    return PeriodicReport.objects.get(duty=duty, agency=agency, period_start=D(2024, 1, 1))


@pytest.fixture
def q1_work(plan, section, justice, staff, time_machine):
    """Sở Tư pháp's tasks: II.1 (due 31/03) done on 05/03, II.2 (due 31/03) not done, II.3 (due 30/06) running."""
    time_machine.move_to(at("2024-03-05 09:00"))
    parts = []
    for number, due in (("1", D(2024, 3, 31)), ("2", D(2024, 3, 31)), ("3", D(2024, 6, 30))):
        task = Task.objects.create(
            document=plan, section=section, number=number, title=f"Nhiệm vụ {number} của Sở Tư pháp", due_date=due
        )
        parts.append(Assignment.objects.create(task=task, agency=justice, role=AssignmentRole.LEAD))
    task_services.report_progress(
        parts[0], staff, parts[0].version, task_services.Report(state="done", progress=100, note="Xong")
    )
    part = Assignment.objects.get(pk=parts[2].pk)
    task_services.report_progress(
        part, staff, part.version, task_services.Report(state="in_progress", progress=30, note="Đang làm")
    )
    return parts


def test_the_agencys_report_is_pre_filled_with_its_figures_for_the_period(
    client, duty, justice, people, q1_work, time_machine
):
    time_machine.move_to(at("2024-04-02 09:00"))  # after the quarter: figures as of 31/03
    client.force_login(people["staff"])
    response = client.get(url(duty, justice))
    assert response.status_code == 200
    counts = {label: count for _value, label, _colour, count in response.context["figures"].counts}
    assert counts["Hoàn thành đúng hạn"] == 1
    assert counts["Quá hạn"] == 1  # II.2, due 31/03
    assert counts["Đang thực hiện trong hạn"] == 1  # II.3, due 30/06
    page = response.content.decode()
    assert "Nhiệm vụ 2 của Sở Tư pháp" in page and 'data-testid="periodic-form"' in page


def test_staff_write_the_leader_sends_sso_noi_vu_accepts_and_it_is_locked(
    client, duty, justice, people, q1_work, steps, time_machine
):
    staff, leader, reviewer = people["staff"], people["leader"], people["reviewer"]
    time_machine.move_to(at("2024-03-12 09:00"))
    client.force_login(staff)
    with steps():
        response = client.post(
            url(duty, justice),
            {
                "results": "Hoàn thành kế hoạch quý I.",
                "difficulties": "Thiếu biên chế.",
                "proposals": "",
                "files": [upload("Báo cáo quý I.pdf", pdf_bytes())],
            },
        )
    assert response.status_code == 302
    report = report_of(duty, justice)
    assert (report.state, report.results, report.files.get().original_name) == (
        PeriodicReport.State.DRAFT,
        "Hoàn thành kế hoạch quý I.",
        "Báo cáo quý I.pdf",
    )
    assert Notification.objects.get(recipient=leader, kind=EventKind.AWAITING_LEADER).url == url(duty, justice)
    assert client.post(url(duty, justice, "reports:send")).status_code == 403  # staff do not send

    client.force_login(leader)
    with steps():
        client.post(url(duty, justice, "reports:send"), {"version": report.version})
    report.refresh_from_db()
    assert report.state == PeriodicReport.State.SUBMITTED and report.submitted_by == leader and report.on_time
    assert report.figures["counts"]["done_on_time"] == 1  # fixed when sent
    notice = Notification.objects.get(recipient=reviewer, kind=EventKind.PERIODIC)
    assert notice.title == "Sở Tư pháp đã gửi báo cáo định kỳ Quý I/2024"

    # Sent: the agency can no longer change it.
    client.force_login(staff)
    client.post(url(duty, justice), {"results": "Sửa sau khi gửi"})
    assert report_of(duty, justice).results == "Hoàn thành kế hoạch quý I."

    client.force_login(reviewer)
    page = client.get(reverse("reports:period", args=[duty.pk, "quy-1-2024"])).content.decode()
    assert "1/2 cơ quan đã gửi, 1 đúng hạn." in page  # Sở Tư pháp and Sở Tài chính report; Sở Nội vụ receives
    with steps():
        client.post(url(duty, justice, "reports:decide"), {"decision": "return", "reason": ""})
        assert report_of(duty, justice).state == PeriodicReport.State.SUBMITTED  # a return needs a reason
        client.post(url(duty, justice, "reports:decide"), {"decision": "return", "reason": "Bổ sung số liệu TTHC"})
    assert report_of(duty, justice).state == PeriodicReport.State.RETURNED
    assert Notification.objects.filter(
        recipient=staff, kind=EventKind.PERIODIC, body="Lý do: Bổ sung số liệu TTHC"
    ).exists()

    time_machine.move_to(at("2024-03-18 09:00"))  # resent after the due day: late
    client.force_login(leader)
    client.post(
        url(duty, justice), {"results": "Hoàn thành kế hoạch quý I; 120 TTHC.", "difficulties": "", "proposals": ""}
    )
    client.post(url(duty, justice, "reports:send"), {"version": report_of(duty, justice).version})
    client.force_login(reviewer)
    client.post(url(duty, justice, "reports:decide"), {"decision": "accept"})
    report = report_of(duty, justice)
    assert report.state == PeriodicReport.State.ACCEPTED and not report.on_time
    actions = list(report.steps.order_by("created_at", "pk").values_list("action", flat=True))
    assert actions == ["saved", "sent", "returned", "saved", "sent", "accepted"]

    # Reopened with a reason, recorded and told.
    with steps():
        client.post(url(duty, justice, "reports:decide"), {"decision": "return", "reason": "Sai số liệu tháng 3"})
    report = report_of(duty, justice)
    assert report.state == PeriodicReport.State.RETURNED
    assert report.steps.filter(action=PeriodicReportStep.Action.REOPENED, reason="Sai số liệu tháng 3").exists()
    assert Notification.objects.filter(recipient=leader, title__contains="mở lại để sửa").exists()


def test_completeness_and_timeliness_per_period(client, duty, justice, finance, home_affairs, people, time_machine):
    finance_leader = make_user("finance_leader", finance, Role.LEADER)
    time_machine.move_to(at("2024-03-10 09:00"))
    from cchc_portal.notifications.periods import parse_period
    from cchc_portal.reports import services
    from cchc_portal.reports.services import ReportText

    q1 = parse_period("quarterly", 15, "quy-1-2024")
    report = services.save_draft(duty, justice, q1, people["staff"], ReportText("Kết quả quý I"))
    services.send(report, people["leader"])
    time_machine.move_to(at("2024-03-20 09:00"))
    late = services.save_draft(duty, finance, q1, finance_leader, ReportText("Kết quả quý I của Sở Tài chính"))
    services.send(late, finance_leader)
    time_machine.move_to(at("2024-07-01 09:00"))
    q2 = parse_period("quarterly", 15, "quy-2-2024")
    services.send(
        services.save_draft(duty, justice, q2, people["leader"], ReportText("Kết quả quý II")), people["leader"]
    )

    client.force_login(people["reviewer"])
    response = client.get(reverse("reports:duty", args=[duty.pk]))
    rates = {
        rate.period.label: (rate.expected, rate.sent, rate.on_time, rate.completeness, rate.timeliness)
        for rate in response.context["summary"].rates
    }
    assert rates["Quý I/2024"] == (2, 2, 1, 100, 50)
    assert rates["Quý II/2024"] == (2, 1, 0, 50, 0)  # sent on 01/07, after 15/06
    assert rates["Quý III/2024"][:3] == (2, 0, 0)  # the current quarter, not due yet
    grid = {
        agency.name: [cell.code if cell else None for cell, _url in cells] for agency, cells in response.context["grid"]
    }
    assert grid == {"Sở Tài chính": ["late", "overdue", "waiting"], "Sở Tư pháp": ["on_time", "late", "waiting"]}
    assert home_affairs.name not in grid  # the receiving agency does not report to itself


def test_reminders_stop_for_an_agency_that_has_sent(duty, justice, finance, people, time_machine):
    from cchc_portal.notifications.periods import parse_period
    from cchc_portal.reports import services
    from cchc_portal.reports.services import ReportText

    finance_staff = people["finance_staff"]
    time_machine.move_to(at("2024-03-05 09:00"))
    q1 = parse_period("quarterly", 15, "quy-1-2024")
    services.send(services.save_draft(duty, justice, q1, people["leader"], ReportText("Đã gửi sớm")), people["leader"])
    time_machine.move_to(at("2024-03-08 07:00"), tick=False)  # 7 days before 15/03
    run_sweep()
    assert not Reminder.objects.filter(kind=ReminderKind.REPORT_DUE, agency=justice).exists()
    reminder = Reminder.objects.get(kind=ReminderKind.REPORT_DUE, recipient=finance_staff)
    assert reminder.agency == finance


def test_the_provinces_own_report_includes_what_agencies_sent(client, duty, justice, people, q1_work, time_machine):
    import openpyxl

    from cchc_portal.notifications.periods import parse_period
    from cchc_portal.reports import services
    from cchc_portal.reports.services import ReportText

    time_machine.move_to(at("2024-03-12 09:00"))
    q1 = parse_period("quarterly", 15, "quy-1-2024")
    text = ReportText("Ban hành 3 kế hoạch; rà soát 120 TTHC.", "Thiếu biên chế.", "Đề nghị tập huấn.")
    services.send(services.save_draft(duty, justice, q1, people["leader"], text), people["leader"])
    time_machine.move_to(at("2024-04-02 09:00"))
    client.force_login(people["reviewer"])
    response = client.get(
        reverse("dashboard:export_xlsx"), {"document": duty.document_id, "period": "quarter-1", "year": 2024}
    )
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["Báo cáo của các cơ quan"]
    row = [c.value for c in sheet[2]]
    assert row[0] == "Sở Tư pháp" and row[1] == "Hằng quý – Quý I/2024" and row[4] == "Có"
    assert row[5:] == ["Ban hành 3 kế hoạch; rà soát 120 TTHC.", "Thiếu biên chế.", "Đề nghị tập huấn."]
    docx_response = client.get(
        reverse("dashboard:export_docx"), {"document": duty.document_id, "period": "quarter-1", "year": 2024}
    )
    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(docx_response.content)).paragraphs)
    assert "Báo cáo của các cơ quan, đơn vị" in text
    assert "- Sở Tư pháp (Quý I/2024): Ban hành 3 kế hoạch; rà soát 120 TTHC." in text


def test_who_may_open_and_act_on_a_report(client, duty, justice, finance, people, outsider, province):
    from cchc_portal.notifications.periods import parse_period
    from cchc_portal.reports import services
    from cchc_portal.reports.services import ReportText
    from tests.conftest import make_agency

    report = services.save_draft(
        duty, justice, parse_period("quarterly", 15, "quy-1-2024"), people["staff"], ReportText("Nội bộ")
    )
    services.send(report, people["leader"])
    office_reviewer = make_user("office", make_agency(province, "Văn phòng UBND tỉnh"), Role.REVIEWER)
    cases = [
        (people["finance_staff"], "get", "reports:report", 404),  # another agency's report
        (outsider, "get", "reports:report", 404),  # another province
        (outsider, "get", "reports:duty", 404),
        (people["staff"], "post", "reports:decide", 403),
        (office_reviewer, "get", "reports:report", 200),  # reviewers of the province read
        (office_reviewer, "post", "reports:decide", 403),  # only the receiving agency decides
    ]
    for person, method, name, status in cases:
        client.force_login(person)
        target = reverse(name, args=[duty.pk]) if name == "reports:duty" else url(duty, justice, name)
        response = getattr(client, method)(target, {"decision": "accept"} if method == "post" else None)
        assert response.status_code == status, (person, name)
    assert report_of(duty, justice).state == PeriodicReport.State.SUBMITTED
    client.force_login(people["finance_staff"])
    assert client.get(reverse("reports:file", args=[1_000_000])).status_code == 404
    assert finance.pk


@pytest.mark.parametrize("page", ["reports:duty", "reports:period", "reports:index"])
def test_the_reviewers_pages_cost_the_same_queries_however_many_agencies_report(
    client, duty, departments, province, people, time_machine, django_assert_num_queries, page
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cchc_portal.notifications.periods import parse_period
    from cchc_portal.reports import services
    from cchc_portal.reports.services import ReportText
    from tests.conftest import make_agency

    time_machine.move_to(at("2024-05-02 09:00"))
    q1 = parse_period("quarterly", 15, "quy-1-2024")
    added = 0

    def more_agencies(n: int) -> None:
        nonlocal added
        for _ in range(n):
            added += 1
            agency = make_agency(province, f"UBND xã số {added}", kind="commune", level="commune")
            departments.members.add(agency)
            leader = make_user(f"xa{added}", agency, Role.LEADER)
            services.send(services.save_draft(duty, agency, q1, leader, ReportText("Kết quả")), leader)

    target = {"reports:duty": reverse("reports:duty", args=[duty.pk]), "reports:index": reverse("reports:index")}.get(
        page, reverse("reports:period", args=[duty.pk, "quy-1-2024"])
    )
    client.force_login(people["reviewer"])
    more_agencies(1)
    with CaptureQueriesContext(connection) as first:
        assert client.get(target).status_code == 200
    more_agencies(12)
    with django_assert_num_queries(len(first)):
        response = client.get(target)
    assert "UBND xã số 13" in response.content.decode() or page == "reports:index"
