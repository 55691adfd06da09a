"""Helpers of the admin walk: another province full of marked objects, and the forms of admin pages as data.

Every object of province B carries MARKER in a text field (a name, a title, a note…), so a page that shows
one of them to a province administrator of A is caught by a plain substring test.
"""

from __future__ import annotations

import datetime
import re
import uuid
from html.parser import HTMLParser

from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.utils import timezone

from agencies.models import Agency, AgencyGroup, Alias, Province, Role, User
from cchc_portal.models import EmailMode, Notification, NotificationSettings, ProvinceReportSettings, Reminder
from indicators.models import IndexResult, Indicator, IndicatorParty, Measurement, Target
from plans.models import Document, ImportJob, PeriodicReport, ReportingDuty, Section
from tasks.models import Assignment, Evidence, ExtensionRequest, ProgressUpdate, Review

MARKER = "BIMAT"
SEARCH = "zuluq"  # what the walk searches for: next to the marker in every text, never the marker itself
SECRET = f"Zuluq {MARKER}"


def build_foreign_world(province_a: Province) -> dict[str, list]:
    """Objects the province administrator of ``province_a`` must never read or change: one of every model in
    another province, the superuser, and an account of A with more rights than a province administrator.

    Returns model label -> objects.
    """
    b = Province.objects.create(code="tinh-b-walk", name=f"Tỉnh {SECRET}")
    agency = Agency.objects.create(province=b, code="tb-snv", name=f"Sở Nội vụ {SECRET}", email="snv@bimat.invalid")
    group = AgencyGroup.objects.create(province=b, code="tb-sbn", name=f"Các sở {SECRET}")
    group.members.set([agency])
    alias = Alias.objects.create(province=b, text=f"SNV {SECRET}", agency=agency)
    user_b = User.objects.create_user(
        "nguoi_tinh_b", password="Bimat-12345-x", agency=agency, role=Role.REVIEWER, first_name=SECRET
    )
    superuser = User.objects.get(username="admin")
    superuser.first_name = f"{SECRET} superuser"
    superuser.save(update_fields=["first_name"])
    powerful = Group.objects.create(name=f"Nhóm {SECRET} quyền cao")
    powerful.permissions.set(
        Permission.objects.filter(codename__in=["change_group", "add_group", "change_periodictask"])
    )
    above = User.objects.create_user(
        "nguoi_quyen_cao",
        password="Bimat-12345-x",
        agency=Agency.objects.filter(province=province_a).first(),
        role=Role.ADMIN,
        first_name=f"{SECRET} cao",
        is_staff=True,
    )
    above.groups.add(powerful)
    document = Document.objects.create(
        province=b,
        number="9/KH-TB",
        title=f"Kế hoạch {SECRET}",
        year=2024,
        issued_on=datetime.date(2024, 1, 5),
        issuer=agency,
    )
    document.followed_by.set([agency])
    section = Section.objects.create(document=document, number="I", title=f"Mục {SECRET}")
    from tasks.models import Task

    task = Task.objects.create(
        document=document,
        section=section,
        number="1",
        title=f"Nhiệm vụ {SECRET}",
        deadline_text="Quý I/2024",
        due_date=datetime.date(2024, 3, 31),
    )
    assignment = Assignment.objects.create(task=task, agency=agency)
    update = ProgressUpdate.objects.create(
        assignment=assignment, author=user_b, state="in_progress", progress=40, note=SECRET
    )
    evidence = Evidence(update=update, original_name=f"{SECRET}.pdf", content_type="application/pdf", size=9)
    evidence.file.save("bimat.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    review = Review.objects.create(assignment=assignment, actor=user_b, decision="returned", reason=SECRET)
    extension = ExtensionRequest.objects.create(
        assignment=assignment, requested_by=user_b, requested_date=datetime.date(2024, 6, 30), reason=SECRET
    )
    duty = ReportingDuty.objects.create(document=document, frequency="quarterly", recipient=agency, text=SECRET)
    duty.reporters.set([group])
    report = PeriodicReport.objects.create(
        duty=duty,
        agency=agency,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 3, 31),
        due_date=datetime.date(2024, 4, 5),
        note=SECRET,
    )
    job = ImportJob.objects.create(
        document=document, created_by=user_b, pasted_text=f"STT\t{SECRET}", original_name=f"{SECRET}.xlsx"
    )
    indicator = Indicator.objects.create(document=document, number="1", name=f"Chỉ tiêu {SECRET}", unit="%")
    party = IndicatorParty.objects.create(indicator=indicator, role="monitoring", agency=agency)
    target = Target.objects.create(
        indicator=indicator, scope="agency", agency=agency, year=2024, value=90, applies_to_text=SECRET
    )
    measurement = Measurement.objects.create(
        indicator=indicator,
        agency=agency,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 6, 30),
        value=50,
        note=SECRET,
        reported_by=user_b,
    )
    index = IndexResult.objects.create(index="par", province=b, agency=agency, year=2023, score=80, source=SECRET)
    reminder = Reminder.objects.create(
        recipient=user_b,
        agency=agency,
        kind="due_soon",
        day=datetime.date(2024, 3, 24),
        assignment=assignment,
        run_id=uuid.uuid4(),
        last_error=SECRET,
        email="b@bimat.invalid",
        next_attempt_at=timezone.now(),
    )
    notification = Notification.objects.create(recipient=user_b, kind="due_soon", title=SECRET)
    settings_b = NotificationSettings.objects.create(user=user_b, email_mode=EmailMode.NONE)
    report_settings = ProvinceReportSettings.objects.create(
        province=b, signer_title="GIÁM ĐỐC", signer_name=f"Nguyễn {SECRET}", recipients=f"- {SECRET};"
    )
    report_settings.template.save("mau.docx", ContentFile(SECRET.encode()), save=True)
    return {
        "agencies.Province": [b],
        "agencies.Agency": [agency],
        "agencies.AgencyGroup": [group],
        "agencies.Alias": [alias],
        "agencies.User": [user_b, superuser, above],
        "plans.Document": [document],
        "plans.Section": [section],
        "plans.ReportingDuty": [duty],
        "plans.PeriodicReport": [report],
        "plans.ImportJob": [job],
        "tasks.Task": [task],
        "tasks.Assignment": [assignment],
        "tasks.ProgressUpdate": [update],
        "tasks.Evidence": [evidence],
        "tasks.Review": [review],
        "tasks.ExtensionRequest": [extension],
        "indicators.Indicator": [indicator],
        "indicators.IndicatorParty": [party],
        "indicators.Target": [target],
        "indicators.Measurement": [measurement],
        "indicators.IndexResult": [index],
        "cchc_portal.Reminder": [reminder],
        "cchc_portal.Notification": [notification],
        "cchc_portal.NotificationSettings": [settings_b],
        "cchc_portal.ProvinceReportSettings": [report_settings],
        "auth.Group": [powerful],
    }


class FormParser(HTMLParser):
    """The fields of the first ``<form>`` whose id ends with ``_form`` (an admin change form), as POST data."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data: dict[str, list[str]] = {}
        self.depth = 0
        self.select: str | None = None
        self.textarea: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.depth == 0 and (attrs.get("id") or "").endswith("_form"):
            self.depth = 1
            return
        if not self.depth:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("file", "submit", "button", "image"):
                return
            self.data.setdefault(name, []).append(attrs.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []

    def handle_data(self, data):
        if self.textarea:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.data.setdefault(self.textarea, []).append("".join(self.text).lstrip("\n"))
            self.textarea = None
        elif tag == "form" and self.depth:
            self.depth = 0


def form_data(html: str, replace: tuple[str, str] = (MARKER, "POSTED")) -> dict[str, list[str]]:
    """The admin form of ``html`` as it would be submitted, with ``replace`` applied to every value."""
    parser = FormParser()
    parser.feed(html)
    pattern = re.compile(re.escape(replace[0]), re.IGNORECASE)
    return {
        name: [pattern.sub(replace[1], v) for v in values]
        for name, values in parser.data.items()
        if name != "csrfmiddlewaretoken"
    }
