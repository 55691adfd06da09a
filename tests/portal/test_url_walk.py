"""Walk every URL of the portal with every role: permissions are enforced on the server, never a crash.

Every URL pattern outside the admin must be listed in ``OBJECTS`` below: a new page that is not classified
fails this test, so nobody adds a page without deciding who may see it.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agencies.models import Agency, Role, User
from cchc_portal.models import Notification
from indicators.models import Measurement
from plans.models import Document, ImportJob, PeriodicReport, PeriodicReportFile, ReportingDuty
from tasks.models import Assignment, Comment, CommentFile, Evidence, ExtensionRequest, ProgressUpdate, Review, WorkState

pytestmark = pytest.mark.django_db

# Pages anyone may reach (the rest need a login).
PUBLIC = {
    "login",
    "logout",
    "set_language",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


def url_names() -> dict[str, str]:
    """Every named URL outside the admin, as namespace:name -> pattern."""

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), prefix + str(pattern.pattern)

    return dict(walk(get_resolver().url_patterns))


@pytest.fixture
def world(demo):
    """Objects of Phú Yên behind every parameterised URL, owned by Sở Tư pháp where an agency owns them."""
    plan = Document.objects.get(number="275/KH-UBND")
    task = plan.tasks.get(section__number="II", number="1")
    staff = User.objects.get(username="sotuphap")
    assignment = Assignment.objects.get(task=task, agency=staff.agency)
    update = ProgressUpdate.objects.create(
        assignment=assignment, author=staff, state=WorkState.IN_PROGRESS, progress=30, note="Đã dự thảo"
    )
    evidence = Evidence(update=update, original_name="du-thao.pdf", content_type="application/pdf", size=9)
    evidence.file.save("du-thao.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    extension = ExtensionRequest.objects.create(
        assignment=assignment, requested_by=staff, requested_date=datetime.date(2024, 6, 30), reason="Chờ góp ý"
    )
    job = ImportJob.objects.create(
        document=plan, created_by=User.objects.get(username="sonoivu"), pasted_text="STT\tNhiệm vụ"
    )
    notification = Notification.objects.create(recipient=staff, kind="due_soon", title="Sắp đến hạn")
    indicator = plan.indicators.order_by("order").first()
    target = indicator.targets.first()
    measurement = Measurement.objects.create(
        indicator=indicator,
        target=target,
        agency=None,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 6, 30),
        value=50,
        reported_by=staff,
    )
    comment = Comment.objects.create(task=task, author=staff, agency=staff.agency, body="Đề nghị các sở góp ý")
    comment_file = CommentFile(comment=comment, original_name="gop-y.pdf", content_type="application/pdf", size=9)
    comment_file.file.save("gop-y.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    duty = ReportingDuty.objects.get(document=plan, frequency="quarterly")
    report = PeriodicReport.objects.create(
        duty=duty,
        agency=staff.agency,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 3, 31),
        due_date=datetime.date(2024, 3, 15),
        state=PeriodicReport.State.DRAFT,
        results="Đã triển khai",
    )
    report_file = PeriodicReportFile(report=report, original_name="bao-cao.pdf", content_type="application/pdf", size=9)
    report_file.file.save("bao-cao.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    from cchc_portal.models import ExportJob

    export = ExportJob.objects.create(source="tasks", params={"status": ["overdue"]}, created_by=staff)
    period = {"duty": duty.pk, "period": "quy-1-2024"}
    own_report = {**period, "agency": staff.agency_id}
    return {
        "tasks:comment": task.pk,
        "tasks:comment_file": comment_file.pk,
        "tasks:reopen": assignment.pk,
        "reports:duty": duty.pk,
        "reports:period": period,
        "reports:report": own_report,
        "reports:send": own_report,
        "reports:decide": own_report,
        "reports:file": report_file.pk,
        "plans:document": plan.pk,
        "plans:import_start": plan.pk,
        "plans:import": job.pk,
        "plans:import_status": job.pk,
        "plans:import_confirm": job.pk,
        "plans:import_cancel": job.pk,
        "plans:agency_search": job.pk,
        "plans:agency_create": job.pk,
        "plans:import_columns": job.pk,
        "plans:import_successor": job.pk,
        "tasks:detail": task.pk,
        "tasks:report": assignment.pk,
        "tasks:submit": assignment.pk,
        "tasks:review": assignment.pk,
        "tasks:request_extension": assignment.pk,
        "tasks:decide_extension": extension.pk,
        "tasks:evidence": evidence.pk,
        "notifications:read": notification.pk,
        "notifications:open": notification.pk,
        "indicators:detail": indicator.pk,
        "indicators:export": indicator.pk,
        "indicators:target_new": {"indicator_pk": indicator.pk},
        "indicators:target_edit": {"indicator_pk": indicator.pk, "pk": target.pk},
        "indicators:target_delete": {"indicator_pk": indicator.pk, "pk": target.pk},
        "indicators:report": target.pk,
        "indicators:review": measurement.pk,
        "indicators:evidence": measurement.pk,
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "exports:job": export.pk,
        "exports:status": export.pk,
        "exports:file": export.pk,
    }


def url_for(name: str, world: dict) -> str:
    argument = world.get(name)
    if argument is None:
        return reverse(name)
    return reverse(name, kwargs=argument) if isinstance(argument, dict) else reverse(name, args=[argument])


def personas() -> dict[str, User | None]:
    py = lambda name: Agency.objects.get(province__code="phu-yen", name=name)  # noqa: E731
    tq = Agency.objects.get(province__code="tuyen-quang", name="Sở Nội vụ")
    return {
        "anonymous": None,
        "staff": User.objects.get(username="sotuphap"),
        "leader": User.objects.get(username="sotuphap_lanhdao"),
        "reviewer": User.objects.get(username="sonoivu"),
        "other agency": User.objects.create_user("finance_staff", agency=py("Sở Tài chính"), role=Role.STAFF),
        "other province": User.objects.create_user("tq_reviewer", agency=tq, role=Role.REVIEWER),
        "superuser": User.objects.get(username="admin"),
    }


def state_counts() -> list[int]:
    return [m.objects.count() for m in (ProgressUpdate, Review, ExtensionRequest, Measurement, ImportJob, Evidence)] + [
        Assignment.objects.filter(version__gt=1).count(),
        ExtensionRequest.objects.exclude(state="pending").count(),
        Notification.objects.filter(read_at__isnull=False).count(),
    ]


def test_every_page_is_classified(world):
    unknown = (
        set(url_names())
        - set(world)
        - PUBLIC
        - {
            "home",
            "plans:list",
            "tasks:list",
            "tasks:review_queue",
            "dashboard:overview",
            "dashboard:tasks",
            "dashboard:export_xlsx",
            "dashboard:export_docx",
            "dashboard:indicators",
            "exports:start",
            "notifications:list",
            "notifications:read_all",
            "indicators:home",
            "indicators:agency",
            "indicators:agency_export",
            "indicators:review_queue",
            "indicators:indexes",
            "bench_ping",
            "notifications:settings",
            "queues:leader",
            "queues:returned",
            "queues:soon",
            "reports:index",
            "tasks:review_bulk",
            "password_change",
            "password_change_done",
        }
    )
    assert not unknown, f"classify these pages in tests/portal/test_url_walk.py: {sorted(unknown)}"


def test_anonymous_users_are_sent_to_the_login_page(client, world):
    for name in url_names():
        if name in PUBLIC:
            continue
        url = url_for(name, world)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302 and response["Location"].startswith(reverse("login")), (
                name,
                method.__name__,
            )


def test_every_role_gets_an_answer_never_a_crash(client, world):
    for role, user in personas().items():
        if user is not None:
            client.force_login(user)
        for name in url_names():
            if name == "logout":
                continue
            url = url_for(name, world)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code < 500, (role, name, method, response.status_code)
        client.logout()


def test_another_province_sees_nothing_and_changes_nothing(client, world):
    outsider = personas()["other province"]
    client.force_login(outsider)
    before = state_counts()
    for name in set(world) - PUBLIC:
        url = url_for(name, world)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (403, 404, 405), (name, method, response.status_code)
    assert state_counts() == before
    # Lists show nothing of Phú Yên.
    assert "275/KH-UBND" not in client.get(reverse("plans:list")).content.decode()
    # Every province has a "Sở Tư pháp" since the directory (issue 12): the outsider's list offers its own, never
    # Phú Yên's (the agency filter lists the reviewer's province).
    page = client.get(reverse("tasks:list")).content.decode()
    choices = page[page.index('name="agency"') :]
    choices = {int(pk) for pk in re.findall(r'<option value="(\d+)"', choices[: choices.index("</select>")])}
    assert not choices & set(Agency.objects.filter(province__code="phu-yen").values_list("pk", flat=True))
    own = Agency.objects.get(province__code="tuyen-quang", name="Sở Tư pháp")
    assert own.pk in choices  # the filter does list the outsider's own agencies


def test_another_agency_of_the_province_cannot_touch_sotuphaps_work(client, world):
    client.force_login(personas()["other agency"])
    before = state_counts()
    for name in (
        "tasks:report",
        "tasks:submit",
        "tasks:review",
        "tasks:request_extension",
        "tasks:decide_extension",
        "notifications:read",
        "plans:import_start",
        "plans:import",
        "plans:import_confirm",
        "plans:agency_create",
        "plans:import_columns",
        "plans:import_successor",
        "indicators:review",
    ):
        response = client.post(url_for(name, world))
        assert response.status_code in (403, 404), (name, response.status_code)
    # Sở Tài chính cooperates on the task: it follows the lead's progress and evidence (issue 15), never changes it.
    assert client.get(url_for("tasks:evidence", world)).status_code == 200
    assert state_counts() == before
