"""Shared fixtures: a small province with personas (staff, leader, reviewer, outsider), and the demo data."""

from __future__ import annotations

import datetime

import pytest

from agencies.models import Agency, AgencyGroup, AgencyKind, AgencyLevel, Alias, Province, Role, User
from plans.models import Document, Section
from tasks.models import Assignment, AssignmentRole, Task


def pytest_configure(config):
    """Jobs published by the code under test (a step's notifications) go to an in-memory broker, never to the
    broker of the portal run from this checkout (``var/broker`` or REDIS_URL), whose worker would pick them up.
    The worker tests give their own app a queue of its own on Redis."""
    from cchc_portal.celery import app

    app.conf.broker_url = "memory://"


@pytest.fixture
def province(db):
    return Province.objects.create(code="tinh-a", name="Tỉnh A")


@pytest.fixture
def other_province(db):
    return Province.objects.create(code="tinh-b", name="Tỉnh B")


def make_agency(province, name, *, kind=AgencyKind.DEPARTMENT, level=AgencyLevel.PROVINCE, code=None, **extra):
    code = code or f"{province.code}-{abs(hash(name)) % 10**8}"
    return Agency.objects.create(province=province, name=name, kind=kind, level=level, code=code, **extra)


@pytest.fixture
def home_affairs(province):
    return make_agency(province, "Sở Nội vụ", short_name="SNV")


@pytest.fixture
def justice(province):
    return make_agency(province, "Sở Tư pháp")


@pytest.fixture
def finance(province):
    return make_agency(province, "Sở Tài chính")


@pytest.fixture
def departments(province, home_affairs, justice, finance):
    group = AgencyGroup.objects.create(
        province=province, code="tinh-a-departments", name="Các sở, ban, ngành", kind="departments"
    )
    group.members.set([home_affairs, justice, finance])
    Alias.objects.create(province=province, text="Các sở, ban, ngành tỉnh", group=group)
    return group


def make_user(username, agency, role):
    return User.objects.create_user(username=username, password="pw-12345-abc", agency=agency, role=role)


@pytest.fixture
def staff(justice):
    return make_user("staff", justice, Role.STAFF)


@pytest.fixture
def leader(justice):
    return make_user("leader", justice, Role.LEADER)


@pytest.fixture
def reviewer(home_affairs):
    return make_user("reviewer", home_affairs, Role.REVIEWER)


@pytest.fixture
def colleague_elsewhere(finance):
    """Staff of another agency in the same province."""
    return make_user("finance_staff", finance, Role.STAFF)


@pytest.fixture
def outsider(other_province):
    agency = make_agency(other_province, "Sở Nội vụ")
    return make_user("outsider", agency, Role.REVIEWER)


@pytest.fixture
def plan(province):
    return Document.objects.create(
        province=province,
        doc_type="plan",
        number="1/KH-UBND",
        title="Kế hoạch CCHC năm 2024",
        year=2024,
        issued_on=datetime.date(2023, 12, 15),
    )


@pytest.fixture
def section(plan):
    return Section.objects.create(document=plan, number="II", title="Cải cách thể chế", order=1)


@pytest.fixture
def justice_task(plan, section, justice, finance):
    task = Task.objects.create(
        document=plan,
        section=section,
        number="1",
        title="Ban hành Kế hoạch theo dõi thi hành pháp luật",
        lead_text="Sở Tư pháp",
        deadline_text="Quý I/2024",
        due_date=datetime.date(2024, 3, 31),
        due_kind="quarter",
    )
    Assignment.objects.create(task=task, agency=justice, role=AssignmentRole.LEAD)
    Assignment.objects.create(task=task, agency=finance, role=AssignmentRole.COOPERATING)
    return task


# The tests are written against the 2024 world of the seed documents: the demo users work in Phú Yên, whose agencies
# ended on 30/06/2025 (the demo itself puts them in Đắk Lắk). Accounts of ended agencies are locked out
# (agencies.backends) in production; here only the tests of that rule (tests/agencies/test_succession.py) turn it on.
TEST_USERS_PROVINCE = "phu-yen"


@pytest.fixture(scope="session", autouse=True)
def _the_2024_world():
    from django.test import override_settings

    with override_settings(DISSOLVED_ACCOUNTS_LOCKED=False):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo data once per test database; tests run in transactions on top of it."""
    from cchc_portal.demo import load_demo

    with django_db_blocker.unblock():
        load_demo(create_users=True, users_province=TEST_USERS_PROVINCE)


@pytest.fixture
def demo(db):
    """The demo data (the four seed documents and three provinces), loaded through the real importers.

    Loaded once per session; a transactional test empties the database, so load again when it is gone.
    """
    from cchc_portal.demo import load_demo

    if not Document.objects.filter(number="275/KH-UBND").exists():
        load_demo(create_users=True, users_province=TEST_USERS_PROVINCE)
    return Document.objects.get(number="275/KH-UBND")


@pytest.fixture
def steps(django_capture_on_commit_callbacks):
    """Run what a workflow step queues once it commits (its notifications, their e-mails), in this process.

    ``with steps(): services.submit(...)``. The real worker path is tested with Redis in tests/notifications.
    """
    from contextlib import contextmanager

    from cchc_portal.celery import app

    @contextmanager
    def run():
        app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
        try:
            with django_capture_on_commit_callbacks(execute=True):
                yield
        finally:
            app.conf.task_always_eager, app.conf.task_eager_propagates = False, False

    return run
