"""A demo that lives in the present: Đắk Lắk's CCHC plan for the current year, with a year of agency reports.

The plan has the shape of KH 275 (its appendix is KH 275's, in today's directory: Sở TT&TT's work at Sở KH&CN, the
district committees' at the communes, the year moved to this one) and is imported by the real importer. Then every
agency's contact person and leader work through the real services, as a year would have gone until the day the demo
is loaded: reports done on time and late, work in progress and overdue, reports returned and answered, evidence,
extension requests granted, refused and pending; the notifications these steps send, and this morning's reminders.
Dates are set relative to ``today``, so the dashboard shows a living province on any date.

Idempotent: the plan is found by its number; a plan that already has reports is left as it is.
"""

from __future__ import annotations

import datetime
import logging
import random
import re
from dataclasses import dataclass, replace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Province, Role, User
from agencies.resolver import Resolver
from core.uploads import CheckedFile
from plans.models import Document
from plans.tables import parse_task_table, read_table
from tasks import importing as task_import
from tasks import services
from tasks.models import Assignment, AssignmentRole, ExtensionRequest, ProgressUpdate, Review, ReviewDecision, WorkState

PLAN_NUMBER = "01/KH-UBND"
# Today's names for the agencies KH 275 (2024) named; the rest resolve as written.
MODERN_NAMES = (
    (re.compile(r"UBND cấp huyện\s*[;,]\s*(?:UBND\s+)?cấp xã", re.IGNORECASE), "UBND xã, phường"),
    (re.compile(r"UBND cấp huyện|UBND các huyện, thị xã, thành phố", re.IGNORECASE), "UBND xã, phường"),
    (re.compile(r"UBND cấp xã", re.IGNORECASE), "UBND xã, phường"),
    (re.compile(r"Sở Thông tin và Truyền thông|Sở TT&TT", re.IGNORECASE), "Sở Khoa học và Công nghệ"),
    (re.compile(r"Sở Kế hoạch và Đầu tư|Sở KH&ĐT", re.IGNORECASE), "Sở Tài chính"),
    (re.compile(r"Sở Lao động\s*[-–,]?\s*Thương binh và Xã hội|Sở LĐ-TB&XH", re.IGNORECASE), "Sở Nội vụ"),
    (
        re.compile(r"Sở Tài nguyên và Môi trường|Sở Nông nghiệp và Phát triển nông thôn", re.IGNORECASE),
        "Sở Nông nghiệp và Môi trường",
    ),
    (re.compile(r"Sở Giao thông vận tải", re.IGNORECASE), "Sở Xây dựng"),
    (re.compile(r"Ban Dân tộc", re.IGNORECASE), "Sở Dân tộc và Tôn giáo"),
    (re.compile(r"Báo Phú Yên|Báo PY", re.IGNORECASE), "Báo và Phát thanh, Truyền hình Đắk Lắk"),
    (re.compile(r"Phú Yên"), "Đắk Lắk"),
)
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class LivingReport:
    document: Document | None = None
    tasks: int = 0
    updates: int = 0
    returned: int = 0
    extensions: int = 0
    skipped: bool = False


def _modern(text: str) -> str:
    for pattern, name in MODERN_NAMES:
        text = pattern.sub(name, text)
    return text


def _year(text: str, year: int) -> str:
    return re.sub(r"\b2024\b", str(year), re.sub(r"\b2023\b", str(year - 1), text))


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 30)))


def _people(agency: Agency) -> tuple[User, User]:
    """The agency's contact person and leader (created for the demo, without a usable password)."""
    out = []
    for suffix, role, title in (("dm", Role.STAFF, "Cán bộ đầu mối"), ("ld", Role.LEADER, "Lãnh đạo")):
        username = f"{suffix}-{agency.code}"[:150]
        user, created = User.objects.get_or_create(
            username=username, defaults={"agency": agency, "role": role, "first_name": f"{title} {agency.name}"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        out.append(user)
    return out[0], out[1]


def _demo_people(province: Province) -> dict[int, tuple[User, User]]:
    """The demo accounts stand for their agency (sotuphap, sotuphap_lanhdao) when they work in the province."""
    known = {
        u.username: u
        for u in User.objects.filter(username__in=["sotuphap", "sotuphap_lanhdao"], agency__province=province)
    }
    if len(known) == 2:
        return {known["sotuphap"].agency_id: (known["sotuphap"], known["sotuphap_lanhdao"])}
    return {}


def _reviewers(province: Province) -> list[User]:
    reviewers = list(User.objects.filter(agency__province=province, role=Role.REVIEWER).order_by("username"))
    if len({r.agency_id for r in reviewers}) < 2:
        for key, title in (("snv", "Chuyên viên Sở Nội vụ"), ("vpubnd", "Chuyên viên Văn phòng UBND tỉnh")):
            home = Agency.objects.get(province=province, directory_key=f"{province.code}:{key}")
            reviewer, created = User.objects.get_or_create(
                username=f"cv-{home.code}", defaults={"agency": home, "role": Role.REVIEWER, "first_name": title}
            )
            if created:
                reviewer.set_unusable_password()
                reviewer.save(update_fields=["password"])
            reviewers.append(reviewer)
    return reviewers


def _backdate(
    update: ProgressUpdate | None = None, review: Review | None = None, when: datetime.datetime | None = None
) -> None:
    if update is not None:
        ProgressUpdate.objects.filter(pk=update.pk).update(created_at=when)
    if review is not None:
        Review.objects.filter(pk=review.pk).update(created_at=when)


def load_living_year(appendix: bytes, today: datetime.date | None = None, *, seed: int = 275) -> LivingReport:
    """Create (once) Đắk Lắk's plan for ``today``'s year from KH 275's appendix and live its year until today."""
    today = today or timezone.localdate()
    year = today.year
    province = Province.objects.get(code="dak-lak")
    report = LivingReport()
    issuer = Agency.objects.filter(province=province, directory_key="dak-lak:ubnd").first()
    with transaction.atomic():
        document, _created = Document.objects.get_or_create(
            province=province,
            number=PLAN_NUMBER,
            year=year,
            defaults={
                "doc_type": "plan",
                "purpose": "tasks",
                "issuer": issuer,
                "issued_on": datetime.date(year - 1, 12, 15),
                "place": "Đắk Lắk",
                "signer_title": "KT. CHỦ TỊCH, PHÓ CHỦ TỊCH",
                "title": f"Kế hoạch cải cách hành chính năm {year} của tỉnh Đắk Lắk",
                "notes": "Kế hoạch mẫu của bản demo: phụ lục theo Kế hoạch 275/KH-UBND, đổi tên cơ quan theo bộ máy sau năm 2025.",
            },
        )
        report.document = document
        if ProgressUpdate.objects.filter(assignment__task__document=document).exists():
            report.skipped, report.tasks = True, document.tasks.count()
            return report
        table = parse_task_table(read_table(appendix, "kh-275-phu-luc.xlsx"))
        items = [
            replace(
                item,
                title=_year(item.title, year),
                deadline=_year(item.deadline, year),
                lead=_modern(item.lead),
                cooperating=_modern(item.cooperating),
                output=_year(item.output, year),
            )
            for item in table.items
        ]
        table = replace(table, items=items)
        resolver = Resolver(province, day=document.issued_on)
        preview = task_import.build_preview(document, table, resolver=resolver)
        task_import.apply_preview(preview, resolver=resolver)
        followers = [
            a
            for a in (resolver.resolve_name("Sở Nội vụ").agency, resolver.resolve_name("Văn phòng UBND tỉnh").agency)
            if a
        ]
        document.followed_by.set(followers)
        report.tasks = document.tasks.count()
        _live(document, province, today, random.Random(seed), report)  # noqa: S311 - a demo's dice
    return report


def _live(
    document: Document, province: Province, today: datetime.date, dice: random.Random, report: LivingReport
) -> None:
    """Walk each lead share of the plan through the year as far as ``today``."""
    reviewers = _reviewers(province)
    people = _demo_people(province)
    start = document.issued_on + datetime.timedelta(days=20)
    counters = {"past": 0, "coming": 0, "asked": 0}
    shares = (
        Assignment.objects.filter(task__document=document, role=AssignmentRole.LEAD)
        .select_related("task", "agency")
        .order_by("task__order", "pk")
    )
    for share in shares:
        if share.agency.kind == "commune_committee" and dice.random() < 0.9:
            continue  # a hundred communes: a few of them report in the demo
        staff, leader = people.get(share.agency_id) or _people(share.agency)
        due = share.effective_due_date
        # Four eyes: a reviewer of another agency decides on Sở Nội vụ's own reports.
        others = [r for r in reviewers if r.agency_id != share.agency_id] or reviewers
        reviewer = others[share.pk % len(others)]
        if due is None or start >= today:
            continue
        _one_share(share, staff, leader, reviewer, due, today, start, dice, report, counters)


def _step_day(low: datetime.date, high: datetime.date, dice: random.Random) -> datetime.date:
    if high <= low:
        return low
    return low + datetime.timedelta(days=dice.randint(0, (high - low).days))


# What became of each share, in turn (a cycle, so that every outcome shows however few shares are due).
PAST_DUE = (
    "on_time",
    "on_time",
    "late",
    "on_time",
    "returned",
    "overdue_asked",
    "on_time",
    "overdue",
    "late",
    "on_time",
)
COMING = ("granted", "refused", "progress", "pending", "progress", "nothing", "progress")


def _one_share(share, staff, leader, reviewer, due, today, start, dice, report, counters) -> None:
    midway = _step_day(start, min(today, due) - datetime.timedelta(days=1), dice)
    if due < today - datetime.timedelta(days=10):
        outcome = PAST_DUE[counters["past"] % len(PAST_DUE)]
        counters["past"] += 1
        if outcome == "on_time":
            _done(share, staff, leader, reviewer, _step_day(midway, due, dice), today, report, dice)
        elif outcome == "late":
            finished = _step_day(due + datetime.timedelta(days=3), today - datetime.timedelta(days=2), dice)
            _progress(share, staff, midway, 40, "Đang triển khai, chậm so với kế hoạch do chờ ý kiến góp ý.", report)
            _done(share, staff, leader, reviewer, finished, today, report, dice)
        elif outcome == "returned":
            _done(share, staff, leader, reviewer, _step_day(midway, due, dice), today, report, dice, returned=True)
        elif outcome == "overdue_asked":
            _progress(
                share, staff, midway, dice.choice([30, 50, 70]), "Đang hoàn thiện dự thảo, chờ ý kiến các sở.", report
            )
            _extension(share, staff, reviewer, due, today, report, decide=None)
    elif due <= today + datetime.timedelta(days=45):
        outcome = COMING[counters["coming"] % len(COMING)]
        counters["coming"] += 1
        if outcome in ("granted", "refused", "pending"):
            counters["asked"] += 1
            if counters["asked"] > 8:  # a few requests a year, not one for each share due at the year's end
                outcome = "progress"
        if outcome != "nothing":
            _progress(
                share, staff, midway, dice.choice([20, 40, 60, 80]), "Đã xây dựng dự thảo, đang lấy ý kiến.", report
            )
        if outcome in ("granted", "refused", "pending"):
            _extension(
                share, staff, reviewer, due, today, report, decide={"granted": True, "refused": False}.get(outcome)
            )
    elif dice.random() < 0.3:
        _progress(share, staff, midway, dice.choice([10, 20]), "Đã ban hành kế hoạch triển khai của cơ quan.", report)


def _fresh(share: Assignment) -> Assignment:
    return Assignment.objects.select_related("task__document", "agency").get(pk=share.pk)


def _progress(share, staff, day, progress, note, report) -> ProgressUpdate:
    share = _fresh(share)
    update = services.report_progress(
        share, staff, share.version, services.Report(state=WorkState.IN_PROGRESS, progress=progress, note=note)
    )
    _backdate(update=update, when=_at(day))
    report.updates += 1
    return update


def _done(share, staff, leader, reviewer, day, today, report, dice, *, returned: bool = False) -> None:
    share = _fresh(share)
    evidence = CheckedFile(
        SimpleUploadedFile("bao-cao-ket-qua.pdf", EVIDENCE_PDF, "application/pdf"),
        "Báo cáo kết quả.pdf",
        "application/pdf",
    )
    done = services.Report(
        state=WorkState.DONE,
        progress=100,
        note="Đã hoàn thành; gửi kèm văn bản kiểm chứng.",
        completed_on=day,
        evidence_number=f"{dice.randint(10, 300)}/BC-{share.agency.short_name or 'CQ'}"[:60],
        evidence_date=day,
    )
    update = services.report_progress(share, staff, share.version, done, files=[evidence])
    _backdate(update=update, when=_at(day))
    report.updates += 1
    sent = services.submit(_fresh(share), leader, _fresh(share).version, "Kính gửi Sở Nội vụ báo cáo kết quả.")
    sent_day = min(day + datetime.timedelta(days=1), today)
    _backdate(review=sent, when=_at(sent_day, 14))
    decided_day = min(sent_day + datetime.timedelta(days=3), today)
    if returned:
        back = services.decide(
            _fresh(share),
            reviewer,
            _fresh(share).version,
            ReviewDecision.RETURNED,
            "Đề nghị bổ sung số liệu và văn bản kiểm chứng đã ban hành.",
        )
        _backdate(review=back, when=_at(decided_day, 10))
        answer_day = min(decided_day + datetime.timedelta(days=2), today)
        share = _fresh(share)
        answer = services.report_progress(
            share, staff, share.version, replace(done, note="Đã bổ sung số liệu và văn bản kiểm chứng theo yêu cầu.")
        )
        _backdate(update=answer, when=_at(answer_day, 15))
        again = services.submit(_fresh(share), leader, _fresh(share).version, "Gửi lại sau khi bổ sung.")
        _backdate(review=again, when=_at(answer_day, 16))
        decided_day = min(answer_day + datetime.timedelta(days=2), today)
        report.returned += 1
        report.updates += 1
    accepted = services.decide(_fresh(share), reviewer, _fresh(share).version, ReviewDecision.ACCEPTED)
    _backdate(review=accepted, when=_at(decided_day, 11))


def _extension(share, staff, reviewer, due, today, report, *, decide: bool | None) -> None:
    asked = services.request_extension(
        _fresh(share),
        staff,
        due + datetime.timedelta(days=30),
        "Nội dung cần lấy ý kiến rộng rãi các cơ quan, địa phương nên cần thêm thời gian.",
    )
    ExtensionRequest.objects.filter(pk=asked.pk).update(requested_at=_at(min(due, today) - datetime.timedelta(days=5)))
    report.extensions += 1
    if decide is not None:
        services.decide_extension(
            asked, reviewer, decide, "" if decide else "Nhiệm vụ trọng tâm, đề nghị hoàn thành đúng hạn."
        )


def live_now(appendix: bytes, today: datetime.date | None = None) -> LivingReport:
    """Run ``load_living_year`` as the portal would have lived it: each step's notifications made as it commits
    (jobs run in this process; their e-mails go to memory, not to the demo's addresses), then today's reminder sweep."""
    from django.test.utils import override_settings

    from cchc_portal import jobs
    from cchc_portal.celery import app

    eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    trace = logging.getLogger("celery.app.trace")  # one "succeeded" line per job: hundreds for a year
    trace_level = trace.level
    trace.setLevel(logging.WARNING)
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            report = load_living_year(appendix, today)
            if not report.skipped:
                jobs.daily_sweep((today or timezone.localdate()).isoformat())
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates
        trace.setLevel(trace_level)
    return report
