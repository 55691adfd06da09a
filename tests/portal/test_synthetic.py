"""generate_synthetic builds provinces with the shape of a real one."""

import pytest
from django.core.management import call_command

from agencies.models import Agency, User
from cchc_portal.synthetic import generate
from plans.models import Document
from tasks.models import Assignment, ProgressUpdate, Task

pytestmark = pytest.mark.django_db


def test_one_small_province_has_the_expected_shape():
    report = generate(1, communes=10, prefix="tst")
    agencies = Agency.objects.filter(province__code="tst-01")
    assert agencies.count() == 1 + 30 + 10 == report.agencies
    plan = Document.objects.get(province__code="tst-01", number="1/KH-UBND")
    assert plan.tasks.count() == 60 and plan.sections.count() == 8
    assert Task.objects.filter(document__province__code="tst-01").count() == 60 + 40 * 30 == report.tasks
    # 40 tasks to the communes (lead + 10 members), 20 to the departments (lead + 29 others), 40 × 30 own tasks.
    assert (
        Assignment.objects.filter(task__document__province__code="tst-01").count()
        == 40 * 11 + 20 * 30 + 40 * 30
        == report.assignments
    )
    assert (
        ProgressUpdate.objects.filter(assignment__task__document__province__code="tst-01").count()
        == report.assignments * 12
        == report.updates
    )
    reviewer = User.objects.get(username="tst-01-snv")
    assert reviewer.check_password("demo12345") and reviewer.is_reviewer
    done = Assignment.objects.filter(task__document__province__code="tst-01", state="done")
    assert done.exists() and not done.filter(completed_on__isnull=True).exists()


def test_the_command_adds_provinces_after_existing_ones():
    generate(1, communes=3, prefix="syn")
    call_command("generate_synthetic", "--provinces", "1", "--communes", "3", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Agency.objects.filter(province__code="syn-02").count() == 34
