"""A task given to many agencies stays readable: others' parts show their latest reports, the rest is counted."""

import pytest
from django.urls import reverse

from agencies.models import User
from plans.models import Document
from tasks.models import ProgressUpdate, WorkState

pytestmark = pytest.mark.django_db


def test_others_parts_show_only_their_latest_reports_when_many_agencies_share_a_task(client, demo):
    task = Document.objects.get(number="275/KH-UBND").tasks.get(section__number="I", number="1")
    assert task.assignments.count() > 8
    part = task.assignments.filter(role="cooperating").select_related("agency").first()
    author = User.objects.create_user("coop", agency=part.agency, role="staff")
    for month in range(1, 7):
        ProgressUpdate.objects.create(
            assignment=part,
            author=author,
            state=WorkState.IN_PROGRESS,
            progress=month * 10,
            note=f"Báo cáo tháng {month}",
        )
    client.force_login(User.objects.get(username="sonoivu"))
    page = client.get(reverse("tasks:detail", args=[task.pk])).content.decode()
    assert "Báo cáo tháng 6" in page and "Báo cáo tháng 4" in page
    assert "Báo cáo tháng 1" not in page.split("Lịch sử thay đổi")[0]
    assert "3 mục cũ hơn" in page
    client.force_login(author)  # the agency itself sees its whole part
    own = client.get(reverse("tasks:detail", args=[task.pk])).content.decode()
    assert "Báo cáo tháng 1" in own


def test_a_part_with_years_of_reports_reads_only_those_it_shows(client, demo, monkeypatch):
    """Thirty monthly reports: the page shows the newest 24, counts the 6 older ones, and loads no more than it shows."""
    task = Document.objects.get(number="275/KH-UBND").tasks.get(section__number="II", number="1")
    part = task.assignments.get(role="lead")
    author = User.objects.get(username="sotuphap")
    for n in range(1, 31):
        ProgressUpdate.objects.create(
            assignment=part, author=author, state=WorkState.IN_PROGRESS, progress=n, note=f"Báo cáo số {n:02d}"
        )
    loaded = []
    original = ProgressUpdate.from_db.__func__

    def counting(cls, db, field_names, values):
        instance = original(cls, db, field_names, values)
        loaded.append(instance.assignment_id)
        return instance

    monkeypatch.setattr(ProgressUpdate, "from_db", classmethod(counting))
    client.force_login(author)
    page = client.get(reverse("tasks:detail", args=[task.pk])).content.decode()
    timeline = page.split("Lịch sử thay đổi")[0]
    assert "Báo cáo số 30" in timeline and "Báo cáo số 07" in timeline and "Báo cáo số 06" not in timeline
    assert "6 mục cũ hơn" in page
    assert loaded.count(part.pk) == 24  # not the 30 reports of the part
