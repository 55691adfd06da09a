"""The task model: the official status rule, in Python and in SQL, and the constraints."""

import datetime

import pytest
from django.db import IntegrityError
from hypothesis import given, settings
from hypothesis import strategies as st

from core.text import fold
from tasks.models import Assignment, AssignmentRole, OfficialStatus, WorkState, official_status, task_search_text

D = datetime.date
DUE = D(2024, 3, 31)


@pytest.mark.parametrize(
    ("state", "completed_on", "due", "today", "expected"),
    [
        (WorkState.NOT_STARTED, None, DUE, D(2024, 3, 1), OfficialStatus.NOT_STARTED),
        (WorkState.NOT_STARTED, None, DUE, D(2024, 4, 1), OfficialStatus.OVERDUE),
        (WorkState.IN_PROGRESS, None, DUE, D(2024, 3, 31), OfficialStatus.IN_PROGRESS),  # the due day itself is in time
        (WorkState.IN_PROGRESS, None, DUE, D(2024, 4, 1), OfficialStatus.OVERDUE),
        (WorkState.DONE, D(2024, 3, 31), DUE, D(2024, 6, 1), OfficialStatus.DONE_ON_TIME),
        (WorkState.DONE, D(2024, 4, 2), DUE, D(2024, 6, 1), OfficialStatus.DONE_LATE),
        (
            WorkState.IN_PROGRESS,
            None,
            None,
            D(2030, 1, 1),
            OfficialStatus.IN_PROGRESS,
        ),  # ongoing tasks are never overdue
        (WorkState.DONE, D(2030, 1, 1), None, D(2030, 1, 1), OfficialStatus.DONE_ON_TIME),
    ],
)
def test_official_status_rule(state, completed_on, due, today, expected):
    assert official_status(state, completed_on, due, today) == expected


def test_sql_status_agrees_with_the_python_rule(justice_task, justice, finance):
    lead = Assignment.objects.get(task=justice_task, agency=justice)
    coop = Assignment.objects.get(task=justice_task, agency=finance)
    lead.state, lead.completed_on = WorkState.DONE, D(2024, 4, 5)
    lead.save()
    coop.state, coop.due_date = WorkState.IN_PROGRESS, D(2024, 6, 30)  # an extension for this agency only
    coop.save()
    for today in (D(2024, 3, 1), D(2024, 5, 1), D(2024, 7, 1)):
        rows = {a.pk: a.status for a in Assignment.objects.with_status(today)}
        for assignment in (lead, coop):
            assert rows[assignment.pk] == assignment.official_status(today)
    assert rows[lead.pk] == OfficialStatus.DONE_LATE
    assert Assignment.objects.with_status(D(2024, 5, 1)).get(pk=coop.pk).status == OfficialStatus.IN_PROGRESS


def test_an_agency_is_assigned_a_task_once(justice_task, justice):
    with pytest.raises(IntegrityError):
        Assignment.objects.create(task=justice_task, agency=justice, role=AssignmentRole.COOPERATING)


def test_done_needs_a_completion_date(justice_task, justice):
    assignment = Assignment.objects.get(task=justice_task, agency=justice)
    assignment.state = WorkState.DONE
    with pytest.raises(IntegrityError):
        assignment.save()


def test_task_number_includes_its_section(justice_task):
    assert justice_task.full_number == "II.1"
    assert str(justice_task).startswith("II.1 Ban hành")


def test_changes_are_recorded_with_before_and_after(justice_task, justice, staff):
    assignment = Assignment.objects.get(task=justice_task, agency=justice)
    assignment._history_user = staff
    assignment.progress = 40
    assignment.save()
    latest, previous = assignment.history.all()[:2]
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("progress", 0, 40)]
    assert latest.history_user == staff


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="aăâđeêoôơuưy ÀẢÃáạ\u0301\u0323 ,.-&\n\tSởNộiVụ", max_size=25), min_size=6, max_size=6)
)
def test_search_text_is_the_fold_of_the_fields_joined(fields):
    """Fields are folded apart (agency and deadline cells through a cache); the result is fold() of the whole."""
    assert task_search_text(*fields) == fold(" ".join(fields))
