"""The demo data represents the four seed documents exactly (values counted by hand from the seeds)."""

import datetime

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from agencies.models import Agency, AgencyGroup, Alias, Role, User
from indicators.models import Indicator, Target
from plans.models import Document, ReportingDuty, Section
from tasks.models import Assignment, AssignmentRole, Task
from tests.conftest import TEST_USERS_PROVINCE

D = datetime.date

pytestmark = pytest.mark.django_db


def task(document, full_number):
    return next(t for t in document.tasks.select_related("section") if t.full_number == full_number)


def leads(task_):
    return {a.agency.name for a in task_.assignments.filter(role=AssignmentRole.LEAD).select_related("agency")}


def test_plan_275_has_its_sections_and_56_tasks(demo):
    plan = Document.objects.get(number="275/KH-UBND")
    assert (plan.doc_type, plan.year, plan.issued_on, plan.signer) == ("plan", 2024, D(2023, 12, 15), "Lê Tấn Hồ")
    assert "25/12/2023" in plan.notes  # the appendix's own date differs; kept next to the plan's
    sections = list(plan.sections.order_by("order"))
    assert [s.number for s in sections] == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
    assert [s.tasks.count() for s in sections] == [9, 6, 11, 5, 7, 8, 5, 5]
    assert sections[0].title == "Công tác chỉ đạo, điều hành CCHC"
    assert [s.area for s in sections] == [
        "direction",
        "institutions",
        "procedures",
        "apparatus",
        "civil_service",
        "public_finance",
        "digital_government",
        "communication",
    ]
    assert plan.tasks.count() == 56
    assert len(plan.legal_basis_list) == 4


def test_plan_275_tasks_keep_what_the_appendix_says(demo):
    plan = Document.objects.get(number="275/KH-UBND")
    first = task(plan, "I.1")
    assert first.lead_text == "Văn phòng UBND tỉnh, Sở Nội vụ, Sở Thông tin và Truyền thông"
    assert leads(first) == {"Văn phòng UBND tỉnh", "Sở Nội vụ", "Sở Thông tin và Truyền thông"}
    assert (first.deadline_text, first.due_kind, first.due_date) == ("Năm 2024", "year", D(2024, 12, 31))
    # "Các sở, ban, ngành liên quan" cooperate: every department gets its own share, through the group.
    coop = first.assignments.filter(role=AssignmentRole.COOPERATING).select_related("group")
    assert coop.count() >= 15 and {a.group.name for a in coop} == {"Các sở, ban, ngành"}

    feb = task(plan, "III.3")
    assert (feb.deadline_text, feb.due_date) == ("Tháng 02/2024", D(2024, 2, 29))
    assert task(plan, "II.1").due_date == D(2024, 3, 31)
    assert leads(task(plan, "II.1")) == {"Sở Tư pháp"}
    ongoing = task(plan, "III.4")
    assert (ongoing.due_kind, ongoing.due_date, ongoing.due_needs_confirmation) == ("ongoing", None, False)
    council = task(plan, "VI.1")
    assert (council.due_kind, council.due_date, council.due_needs_confirmation) == ("event", None, True)
    no_year = task(plan, "VI.5")
    assert no_year.deadline_text == "Kỳ họp HĐND thường lệ giữa năm"
    assert no_year.due_needs_confirmation
    # "Các sở, ban, ngành; UBND cấp huyện, cấp xã": three groups.
    groups = {
        a.group.name for a in task(plan, "I.7").assignments.filter(role=AssignmentRole.COOPERATING).exclude(group=None)
    }
    assert groups == {"Các sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã"}
    media = task(plan, "VIII.3")
    assert len(leads(media)) == 2 and any(name.startswith("Báo Phú Yên") for name in leads(media))
    assert not plan.tasks.exclude(unresolved_names=[]).exists()


def test_plan_275_section_ii_targets(demo):
    plan = Document.objects.get(number="275/KH-UBND")
    values = {i.name[:40]: (i.direction, [t.value for t in i.targets.all()]) for i in plan.indicators.all()}
    by_number = {i.number: i for i in plan.indicators.prefetch_related("targets")}
    assert len(by_number) == 13
    assert by_number["6"].targets.get().value == 90
    assert by_number["7"].targets.get().value == 85
    assert by_number["11"].targets.get().value == 95
    assert (by_number["13"].targets.get().value, by_number["13"].unit) == (4, "đơn vị")
    assert by_number["1"].direction == "improve" and "PAR Index" in by_number["1"].name
    assert all(t.scope == "province" for i in by_number.values() for t in i.targets.all()), values
    duties = ReportingDuty.objects.filter(document=plan)
    assert sorted(duties.values_list("frequency", flat=True)) == ["half_yearly", "monthly", "quarterly", "yearly"]
    assert {d.recipient.name for d in duties} == {"Sở Nội vụ"}


def test_binh_dinh_indicators_and_their_11_category_targets(demo):
    letter = Document.objects.get(province__code="binh-dinh", symbol="UBND-KSTT")
    assert (letter.number, letter.issued_on, letter.is_draft, letter.year) == ("", None, True, 2022)
    assert letter.display_number.startswith("…/UBND-KSTT")
    indicators = list(letter.indicators.order_by("order"))
    assert [i.number for i in indicators] == [str(n) for n in range(1, 11)]
    sub_targets = Target.objects.filter(indicator__document=letter).exclude(applies_to_text="")
    assert sub_targets.values("source_row").distinct().count() == 11
    par = indicators[0]
    assert [(t.group.name, t.value) for t in par.targets.order_by("source_row")] == [
        ("Các sở, ban, ngành", 90),
        ("Các cơ quan Trung ương đóng trên địa bàn tỉnh", 87),
        ("UBND cấp huyện", 84),
    ]
    assert [p.agency.name for p in par.parties.filter(role="monitoring")] == ["Sở Nội vụ"]
    assert [float(t.value) for t in indicators[1].targets.order_by("source_row")] == [86, 83, 80]
    seven = indicators[6]
    assert (seven.target_text, {t.value for t in seven.targets.all()}) == ("60%", {60})
    ten = indicators[9]
    assert [float(t.value) for t in ten.targets.order_by("source_row")] == [100, 90, 70]


def test_letter_4918_remediation_with_evidence_and_inspected_units(demo):
    letter = Document.objects.get(number="4918/UBND-NC")
    assert (letter.issued_on, letter.signer, letter.purpose) == (D(2021, 12, 13), "Nguyễn Văn Sơn", "remediation")
    assert letter.inspected.count() == 15
    assert letter.inspected.filter(level="province").count() == 6
    remediation = letter.tasks.filter(due_date=D(2021, 12, 30))
    assert remediation.count() == 13
    assert all(t.evidence_required and t.deadline_text == "Trước ngày 30/12/2021" for t in remediation)
    inspected_ids = set(letter.inspected.values_list("pk", flat=True))
    for t in remediation:
        assert set(t.assignments.values_list("agency_id", flat=True)) <= inspected_ids
    duties = letter.tasks.exclude(due_date=D(2021, 12, 30))
    assert duties.count() == 11 and set(duties.values_list("due_kind", flat=True)) == {"none"}


def test_phu_yen_directive_gives_duties_without_deadlines(demo):
    letter = Document.objects.get(province__code="phu-yen", number="", symbol="UBND-NC")
    assert letter.is_draft and letter.purpose == "directive"
    assert letter.tasks.count() == 11
    assert set(letter.tasks.values_list("due_kind", flat=True)) == {"none"}
    assert not letter.tasks.filter(due_needs_confirmation=True).exists()
    land = letter.sections.get(number="3").tasks.get()
    assert leads(land) == {"Sở Tài nguyên và Môi trường"}


def test_agencies_groups_and_mergers(demo):
    assert Agency.objects.filter(province__code="phu-yen", level="district").count() == 9
    assert Agency.objects.filter(province__code="tuyen-quang", level="district").count() == 7
    departments = AgencyGroup.objects.get(province__code="phu-yen", name="Các sở, ban, ngành")
    assert departments.members.filter(name="Sở Tư pháp").exists()
    ict = Agency.objects.get(province__code="tuyen-quang", name="Sở Thông tin và Truyền thông")
    assert ict.current(D(2025, 3, 1)).name == "Sở Khoa học và Công nghệ"
    assert Alias.objects.filter(province__code="phu-yen").count() > 50


def test_demo_users_have_their_roles(demo):
    expected = {
        "admin": (Role.ADMIN, None),
        "sonoivu": (Role.REVIEWER, "Sở Nội vụ"),
        "vpubnd": (Role.REVIEWER, "Văn phòng UBND tỉnh"),
        "sotuphap": (Role.STAFF, "Sở Tư pháp"),
        "sotuphap_lanhdao": (Role.LEADER, "Sở Tư pháp"),
    }
    for username, (role, agency) in expected.items():
        user = User.objects.get(username=username)
        assert (user.role, user.agency.name if user.agency else None) == (role, agency)
        assert user.agency is None or user.agency.province.code == TEST_USERS_PROVINCE
        login = RequestFactory().post("/accounts/login/")  # django-axes needs the request
        assert authenticate(login, username=username, password="demo12345") == user
    assert User.objects.get(username="admin").is_superuser


def test_loading_twice_changes_nothing(demo):
    from cchc_portal.demo import load_demo

    def counts():
        return [
            m.objects.count()
            for m in (Agency, AgencyGroup, Alias, Document, Section, Task, Assignment, Indicator, Target, User)
        ] + [Task.history.count(), Assignment.history.count()]

    before = counts()
    load_demo(create_users=True, users_province=TEST_USERS_PROVINCE)
    assert counts() == before


def test_demo_users_are_not_created_outside_demo_mode(db, settings):
    from cchc_portal.demo import load_demo

    settings.DEMO_MODE = False
    User.objects.filter(username__in=["admin", "sonoivu", "vpubnd", "sotuphap", "sotuphap_lanhdao"]).delete()
    report = load_demo()
    assert report.users == [] and not User.objects.filter(username="sonoivu").exists()
    assert Task.objects.filter(document__province__code__in=["phu-yen", "binh-dinh", "tuyen-quang"]).count() == 96


def test_the_demo_puts_its_users_in_dak_lak_which_phu_yen_merged_into(demo):
    """Phú Yên's agencies ended on 30/06/2025; the demo's accounts work where its documents now belong."""
    from cchc_portal.demo import load_demo

    load_demo(create_users=True)
    for username in ("sonoivu", "vpubnd", "sotuphap", "sotuphap_lanhdao"):
        user = User.objects.get(username=username)
        assert user.agency.province.code == "dak-lak" and not user.agency_dissolved
    assert Task.objects.for_user(User.objects.get(username="sonoivu")).filter(document=demo).count() == 56
    assert Task.objects.for_user(User.objects.get(username="sotuphap")).filter(document=demo).exists()
