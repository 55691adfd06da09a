"""Fixtures of the dashboard tests: plan 275 of the demo data on a chosen day, its people, and helpers.

The demo data is plan 275/KH-UBND of Phú Yên exactly as its appendix says (56 tasks in 8 sections), loaded
once per session; every test runs in a transaction on top of it, and sets its own day with time_machine.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from agencies.models import Agency, User
from cchc_portal.dashboards.scope import resolve_scope
from tasks.models import Assignment, AssignmentRole, ProgressUpdate, Task, WorkState

D = datetime.date
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MAY_FIRST = D(2024, 5, 1)


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=HCM)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plan(demo):
    """Kế hoạch 275/KH-UBND (the ``demo`` fixture returns it)."""
    return demo


@pytest.fixture
def may_first():
    """Today is 1 May 2024: the tasks of January, February and quarter I are past their due date."""
    with time_machine.travel(at(MAY_FIRST), tick=False):
        yield MAY_FIRST


def person(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def sonoivu(demo):
    return person("sonoivu")


@pytest.fixture
def vpubnd(demo):
    return person("vpubnd")


@pytest.fixture
def sotuphap(demo):
    return person("sotuphap")


def agency(name: str) -> Agency:
    return Agency.objects.get(province__code="phu-yen", name=name)


def task(plan, full_number: str) -> Task:
    section_number, number = full_number.split(".")
    return plan.tasks.select_related("section").get(section__number=section_number, number=number)


def share(plan, full_number: str, agency_name: str) -> Assignment:
    return Assignment.objects.get(task=task(plan, full_number), agency=agency(agency_name))


def finish(plan, full_number: str, agency_name: str, on: datetime.date) -> Assignment:
    """Mark an agency's share done on ``on`` (as a report would), without a progress update."""
    assignment = share(plan, full_number, agency_name)
    assignment.state, assignment.progress, assignment.completed_on = WorkState.DONE, 100, on
    assignment.save()
    return assignment


def start(plan, full_number: str, agency_name: str, progress: int = 30) -> Assignment:
    assignment = share(plan, full_number, agency_name)
    assignment.state, assignment.progress = WorkState.IN_PROGRESS, progress
    assignment.save()
    return assignment


def report(
    assignment: Assignment, author: User, when: datetime.datetime, state: str, progress: int, note: str = "", **evidence
) -> ProgressUpdate:
    return ProgressUpdate.objects.create(
        assignment=assignment, author=author, created_at=when, state=state, progress=progress, note=note, **evidence
    )


def scope_of(user: User, today: datetime.date = MAY_FIRST, **params):
    return resolve_scope(user, {k: str(v) for k, v in params.items()}, today)


LEAD = AssignmentRole.LEAD
