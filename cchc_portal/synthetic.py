"""Synthetic provinces for scale tests: realistic shapes, generated fast (COPY on PostgreSQL).

Per province: UBND tỉnh and about 30 departments, 100 communes, the groups "Các sở, ban, ngành" and "UBND cấp
xã"; a yearly CCHC plan of 60 tasks given to groups (each member gets its own assignment), each agency's own
plan of 30 tasks; monthly progress updates. With 34 provinces (Vietnam since 2025) that is about 290,000
assignments and 3.5 million updates. History rows are not written for synthetic data (it was never edited).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency, AgencyGroup, AgencyKind, AgencyLevel, Province, Role, User
from core.bulk import insert_rows, insert_values
from plans.areas import CchcArea
from plans.models import Document, Section
from tasks.models import Assignment, ProgressUpdate, Task, WorkState

DEPARTMENTS = [
    "Văn phòng UBND tỉnh",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Công Thương",
    "Sở Xây dựng",
    "Sở Nông nghiệp và Môi trường",
    "Sở Khoa học và Công nghệ",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Ngoại vụ",
    "Sở Dân tộc và Tôn giáo",
    "Thanh tra tỉnh",
    "Ban Quản lý Khu kinh tế",
    "Công an tỉnh",
    "Trung tâm Phục vụ hành chính công",
    "Báo và Phát thanh, Truyền hình tỉnh",
    "Kho bạc Nhà nước khu vực",
    "Bảo hiểm xã hội tỉnh",
    "Thuế tỉnh",
    "Cục Thống kê tỉnh",
    "Hải quan khu vực",
    "Bộ Chỉ huy Quân sự tỉnh",
    "Ngân hàng Nhà nước khu vực",
    "Trường Chính trị tỉnh",
    "Liên minh Hợp tác xã tỉnh",
    "Đài Khí tượng thủy văn tỉnh",
    "Ban Quản lý dự án đầu tư xây dựng",
    "Quỹ Đầu tư phát triển tỉnh",
]
SECTIONS = [
    ("I", "Công tác chỉ đạo, điều hành CCHC", CchcArea.DIRECTION),
    ("II", "Cải cách thể chế", CchcArea.INSTITUTIONS),
    ("III", "Cải cách thủ tục hành chính", CchcArea.PROCEDURES),
    ("IV", "Cải cách tổ chức bộ máy", CchcArea.APPARATUS),
    ("V", "Cải cách chế độ công vụ", CchcArea.CIVIL_SERVICE),
    ("VI", "Cải cách tài chính công", CchcArea.PUBLIC_FINANCE),
    ("VII", "Xây dựng chính quyền điện tử, chính quyền số", CchcArea.DIGITAL_GOVERNMENT),
    ("VIII", "Công tác tuyên truyền CCHC", CchcArea.COMMUNICATION),
]
DEADLINES = [
    ("Quý I/{y}", 3, 31),
    ("Quý II/{y}", 6, 30),
    ("Quý III/{y}", 9, 30),
    ("Quý IV/{y}", 12, 31),
    ("Năm {y}", 12, 31),
    ("Tháng 02/{y}", 2, 0),
]
PASSWORD = "demo12345"  # noqa: S105 - synthetic accounts for load tests


@dataclass
class SyntheticReport:
    provinces: int = 0
    agencies: int = 0
    tasks: int = 0
    assignments: int = 0
    updates: int = 0
    users: int = 0


def _due(label: str, month: int, day: int, year: int) -> tuple[str, datetime.date]:
    if day == 0:  # last day of February
        day = 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28
    return label.format(y=year), datetime.date(year, month, day)


def generate(
    provinces: int,
    *,
    year: int = 2025,
    today: datetime.date | None = None,
    updates_per_month: int = 1,
    seed: int = 2025,
    prefix: str = "syn",
    communes: int = 100,
) -> SyntheticReport:
    """Create ``provinces`` synthetic provinces; each in its own transaction (a crash keeps finished ones)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    today = today or datetime.date(year, 12, 20)
    report = SyntheticReport()
    password = make_password(PASSWORD)  # hashed once: thousands of accounts share it
    start = Province.objects.filter(code__startswith=f"{prefix}-").count()
    for index in range(start + 1, start + provinces + 1):
        with transaction.atomic():
            _province(index, year, today, updates_per_month, rng, password, prefix, report, communes)
        report.provinces += 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return report


def _province(
    index: int,
    year: int,
    today: datetime.date,
    per_month: int,
    rng: random.Random,
    password: str,
    prefix: str,
    report: SyntheticReport,
    commune_count: int = 100,
) -> None:
    code = f"{prefix}-{index:02d}"
    province = Province.objects.create(
        code=code, name=f"Tỉnh Thử nghiệm {index:02d}", valid_from=datetime.date(2025, 7, 1)
    )
    committee, departments, communes, dept_group, commune_group = _province_agencies(
        province, code, commune_count, report
    )
    _province_users(code, departments, communes, password, report)
    tasks, group_of = _province_plan_tasks(
        province, index, year, committee, departments, dept_group, commune_group, rng
    )
    own_tasks = _own_plan_tasks(province, year, (*departments, *communes), rng)
    insert_rows(Task, tasks + [t for t, _a in own_tasks], returning_ids=True)
    report.tasks += len(tasks) + len(own_tasks)
    _province_assignments(tasks, group_of, own_tasks, departments, communes, commune_group, today, rng, report)
    _province_updates(province, today, per_month, report)


def _province_agencies(
    province: Province, code: str, commune_count: int, report: SyntheticReport
) -> tuple[Agency, list[Agency], list[Agency], AgencyGroup, AgencyGroup]:
    """UBND tỉnh, its departments and communes, and the two groups of them."""
    committee = Agency.objects.create(
        province=province, code=f"{code}-ubnd", name="UBND tỉnh", kind=AgencyKind.PROVINCIAL_COMMITTEE
    )
    departments = [
        Agency(
            province=province,
            code=f"{code}-s{n:02d}",
            name=name,
            kind=AgencyKind.DEPARTMENT,
            level=AgencyLevel.PROVINCE,
            parent=committee,
        )
        for n, name in enumerate(DEPARTMENTS)
    ]
    communes = [
        Agency(
            province=province,
            code=f"{code}-x{n:03d}",
            name=f"UBND {'phường' if n % 4 == 0 else 'xã'} Thử nghiệm {n:03d}",
            kind=AgencyKind.COMMUNE_COMMITTEE,
            level=AgencyLevel.COMMUNE,
            parent=committee,
        )
        for n in range(1, commune_count + 1)
    ]
    for agency in (*departments, *communes):
        agency.search_text = agency.name.lower()
    Agency.objects.bulk_create([*departments, *communes])
    report.agencies += 1 + len(departments) + len(communes)
    dept_group = AgencyGroup.objects.create(
        province=province, code=f"{code}-departments", name="Các sở, ban, ngành", kind="departments"
    )
    dept_group.members.set(departments)
    commune_group = AgencyGroup.objects.create(
        province=province, code=f"{code}-communes", name="UBND cấp xã", kind="commune_committees"
    )
    commune_group.members.set(communes)
    return committee, departments, communes, dept_group, commune_group


def _province_users(
    code: str, departments: list[Agency], communes: list[Agency], password: str, report: SyntheticReport
) -> None:
    """The Sở Nội vụ reviewer, and a staff member and a leader for each department and commune."""
    home_affairs = departments[1]
    users = [
        User(username=f"{code}-snv", password=password, agency=home_affairs, role=Role.REVIEWER, first_name="Sở Nội vụ")
    ]
    for agency in (*departments, *communes):
        users.append(
            User(
                username=f"{agency.code}-cb",
                password=password,
                agency=agency,
                role=Role.STAFF,
                email=f"{agency.code}@example.invalid",
            )
        )
        users.append(User(username=f"{agency.code}-ld", password=password, agency=agency, role=Role.LEADER))
    User.objects.bulk_create(users, batch_size=1000)
    report.users += len(users)


def _province_plan_tasks(
    province: Province,
    index: int,
    year: int,
    committee: Agency,
    departments: list[Agency],
    dept_group: AgencyGroup,
    commune_group: AgencyGroup,
    rng: random.Random,
) -> tuple[list[Task], list[AgencyGroup]]:
    """The province's yearly plan and its 60 unsaved tasks (40 for the communes, 20 for the departments), with each one's group."""
    home_affairs = departments[1]
    plan = Document.objects.create(
        province=province,
        doc_type="plan",
        number=f"{index}/KH-UBND",
        title=f"Kế hoạch CCHC năm {year}",
        year=year,
        issued_on=datetime.date(year - 1, 12, 15),
        issuer=committee,
    )
    plan.followed_by.set([home_affairs, departments[0]])
    sections = [
        Section.objects.create(document=plan, number=n, title=t, area=a, order=i)
        for i, (n, t, a) in enumerate(SECTIONS)
    ]
    tasks: list[Task] = []
    group_of: list[AgencyGroup] = []
    for n in range(60):
        text, due = _due(*rng.choice(DEADLINES), year)
        lead = departments[n % len(departments)]
        task = Task(
            document=plan,
            section=sections[n % len(sections)],
            number=str(n // len(sections) + 1),
            order=n,
            title=f"Nhiệm vụ CCHC số {n + 1} của tỉnh năm {year}",
            lead_text=lead.name,
            cooperating_text="UBND cấp xã" if n < 40 else "Các sở, ban, ngành",
            deadline_text=text,
            due_date=due,
            due_kind="quarter",
        )
        task.search_text = task.build_search_text()
        tasks.append(task)
        group_of.append(commune_group if n < 40 else dept_group)
    return tasks, group_of


def _own_plan_tasks(
    province: Province, year: int, agencies: tuple[Agency, ...], rng: random.Random
) -> list[tuple[Task, Agency]]:
    """Each agency's own plan (saved) and its 30 unsaved tasks, assigned to itself."""
    own_plans = []
    for agency in agencies:
        own_plans.append(
            Document(
                province=province,
                doc_type="plan",
                number=f"{agency.code}/KH",
                title=f"Kế hoạch CCHC năm {year} của {agency.name}",
                year=year,
                issuer=agency,
                search_text=agency.code,
            )
        )
    Document.objects.bulk_create(own_plans)
    own_tasks: list[tuple[Task, Agency]] = []
    for agency, document in zip(agencies, own_plans, strict=True):
        for n in range(30):
            text, due = _due(*rng.choice(DEADLINES), year)
            task = Task(
                document=document,
                number=str(n + 1),
                order=n,
                title=f"Nhiệm vụ {n + 1} của {agency.name}",
                lead_text=agency.name,
                deadline_text=text,
                due_date=due,
                due_kind="quarter",
            )
            task.search_text = task.build_search_text()
            own_tasks.append((task, agency))
    return own_tasks


def _province_assignments(
    tasks: list[Task],
    group_of: list[AgencyGroup],
    own_tasks: list[tuple[Task, Agency]],
    departments: list[Agency],
    communes: list[Agency],
    commune_group: AgencyGroup,
    today: datetime.date,
    rng: random.Random,
    report: SyntheticReport,
) -> None:
    """Write the assignments: the plan's lead and each group member's share, and each own task's lead."""
    rows: list[dict] = []
    for task, group in zip(tasks, group_of, strict=True):
        lead = departments[task.order % len(departments)]
        rows.append(_assignment(task, lead, "lead", None, today, rng))
        rows.extend(
            _assignment(task, member, "cooperating", group.pk, today, rng)
            for member in (communes if group is commune_group else departments)
            if member is not lead
        )
    rows.extend(_assignment(task, agency, "lead", None, today, rng) for task, agency in own_tasks)
    insert_values(Assignment, rows)
    report.assignments += len(rows)


def _province_updates(province: Province, today: datetime.date, per_month: int, report: SyntheticReport) -> None:
    """Write monthly updates by the agency's staff, from January to the month before ``today``."""
    staff_ids = dict(User.objects.filter(agency__province=province, role=Role.STAFF).values_list("agency_id", "pk"))
    assignments = Assignment.objects.filter(task__document__province=province).values_list(
        "pk", "agency_id", "progress", "state"
    )
    months = today.month if today.day > 10 else max(1, today.month - 1)  # updates are made on the 10th
    updates: list[dict] = []
    for pk, agency_id, progress, state in assignments.iterator(chunk_size=5000):
        for month in range(1, months + 1):
            for k in range(per_month):
                share = min(progress, round(progress * month / months))
                updates.append(
                    {
                        "assignment_id": pk,
                        "author_id": staff_ids[agency_id],
                        "created_at": timezone.make_aware(datetime.datetime(today.year, month, 10 + k, 9, 0)),
                        "state": WorkState.DONE
                        if state == WorkState.DONE and month == months
                        else (WorkState.IN_PROGRESS if share else WorkState.NOT_STARTED),
                        "progress": share,
                        "note": f"Báo cáo tháng {month}",
                    }
                )
        if len(updates) >= 50_000:
            insert_values(ProgressUpdate, updates)
            report.updates += len(updates)
            updates = []
    insert_values(ProgressUpdate, updates)
    report.updates += len(updates)


def _assignment(
    task: Task, agency: Agency, role: str, group_id: int | None, today: datetime.date, rng: random.Random
) -> dict:
    """A plausible state for the day: most past-due work done (some late), some overdue, current work in progress."""
    roll = rng.random()
    if task.due_date < today:
        if roll < 0.65:
            done = task.due_date - datetime.timedelta(days=rng.randint(0, 40))
            return {
                "task_id": task.pk,
                "agency_id": agency.pk,
                "role": role,
                "group_id": group_id,
                "state": WorkState.DONE,
                "progress": 100,
                "completed_on": done,
            }
        if roll < 0.8:
            done = min(today, task.due_date + datetime.timedelta(days=rng.randint(1, 30)))
            return {
                "task_id": task.pk,
                "agency_id": agency.pk,
                "role": role,
                "group_id": group_id,
                "state": WorkState.DONE,
                "progress": 100,
                "completed_on": done,
            }
        return {
            "task_id": task.pk,
            "agency_id": agency.pk,
            "role": role,
            "group_id": group_id,
            "state": WorkState.IN_PROGRESS,
            "progress": rng.randint(10, 90),
        }
    if roll < 0.6:
        return {
            "task_id": task.pk,
            "agency_id": agency.pk,
            "role": role,
            "group_id": group_id,
            "state": WorkState.IN_PROGRESS,
            "progress": rng.randint(5, 80),
        }
    return {"task_id": task.pk, "agency_id": agency.pk, "role": role, "group_id": group_id}


def add_indicators(province_code: str, count: int = 20, *, year: int = 2025, seed: int = 2025) -> int:
    """Give a synthetic province's yearly plan ``count`` indicators, each with a target for every agency and three
    quarterly measurements per agency (20 indicators: 2,620 targets and about 7,900 measurements, the shape the
    dashboard was measured with in issue 16). Return the number of targets written."""
    from decimal import Decimal

    from indicators.models import Indicator, Measurement, MeasurementState, Target, TargetScope

    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data
    plan = Document.objects.get(province__code=province_code, number__endswith="/KH-UBND", year=year)
    agencies = list(Agency.objects.filter(province=plan.province).order_by("pk"))
    targets, measurements = [], []
    with transaction.atomic():
        for n in range(count):
            indicator = Indicator.objects.create(
                document=plan,
                number=str(n + 1),
                order=n,
                name=f"Chỉ tiêu thử nghiệm số {n + 1}",
                unit="%",
            )
            for agency in agencies:
                targets.append(
                    Target(
                        indicator=indicator,
                        scope=TargetScope.AGENCY,
                        agency=agency,
                        year=year,
                        value=Decimal(80),
                        unit="%",
                    )
                )
                for quarter in range(1, 4):
                    end = datetime.date(year, 3 * quarter, 30 if quarter in (2, 3) else 31)
                    measurements.append(
                        Measurement(
                            indicator=indicator,
                            agency=agency,
                            period_start=datetime.date(year, 1, 1),
                            period_end=end,
                            value=Decimal(rng.randint(40, 100)),
                            state=MeasurementState.ACCEPTED,
                        )
                    )
        Target.objects.bulk_create(targets, batch_size=2000)
        Measurement.objects.bulk_create(measurements, batch_size=2000)
    return len(targets)


def add_history(province_code: str, *, tasks: int = 1, months: int = 12) -> int:
    """Write ``months`` monthly reports on every part of the province's ``tasks`` most shared tasks (101 agencies
    each) through the portal's own write path (``tasks.services.report_progress``: the update, the assignment's
    new values, their historical rows and the notification step), so the task page's history is as a year of use
    leaves it. Each report is then dated to its month. Return the number of reports written."""
    from django.db.models import Count

    from tasks import services

    shared = (
        Task.objects.filter(document__province__code=province_code)
        .annotate(parts=Count("assignments"))
        .order_by("-parts", "pk")[:tasks]
    )
    staff = {u.agency_id: u for u in User.objects.filter(agency__province__code=province_code, role=Role.STAFF)}
    written = 0
    year = timezone.localdate().year
    for task in shared:
        for assignment in Assignment.objects.filter(task=task).select_related("task__document", "agency"):
            author = staff[assignment.agency_id]
            for month in range(1, months + 1):
                with transaction.atomic():
                    assignment.refresh_from_db(fields=["version", "review_state", "state"])
                    update = services.report_progress(
                        assignment,
                        author,
                        assignment.version,
                        services.Report(
                            state=WorkState.IN_PROGRESS, progress=min(95, 8 * month), note=f"Báo cáo tháng {month}"
                        ),
                    )
                    moment = timezone.make_aware(datetime.datetime(year, month, 10, 9, 0))
                    ProgressUpdate.objects.filter(pk=update.pk).update(created_at=moment)
                    ProgressUpdate.history.filter(id=update.pk).update(history_date=moment, created_at=moment)
                    last = Assignment.history.filter(id=assignment.pk).order_by("-history_id").first()
                    Assignment.history.filter(history_id=last.history_id).update(history_date=moment)
                written += 1
    return written
