"""A discussion on each task: the lead agency, the cooperating agencies and the reviewers write there, with files,
and each comment reaches the others who follow the task; a cooperating agency sees the lead's progress."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import Role
from cchc_portal.models import EventKind, Notification
from tasks import services
from tasks.models import Assignment, Comment
from tests.conftest import make_agency, make_user
from tests.tasks.conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_leader(finance):
    return make_user("finance_leader", finance, Role.LEADER)


def test_a_comment_with_a_file_reaches_the_lead_agency(
    client, justice_task, staff, leader, colleague_elsewhere, finance_leader, reviewer, steps
):
    client.force_login(colleague_elsewhere)  # Sở Tài chính cooperates
    with steps():
        response = client.post(
            reverse("tasks:comment", args=[justice_task.pk]),
            {"body": "Sở Tài chính đã góp ý dự thảo, gửi kèm văn bản.", "files": [upload("Góp ý.pdf", pdf_bytes())]},
        )
    comment = Comment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#y-kien-{comment.pk}")
    assert comment.agency.name == "Sở Tài chính" and comment.files.get().original_name == "Góp ý.pdf"
    for person in (staff, leader, finance_leader):  # the lead agency, and the writer's own leader
        notice = Notification.objects.get(recipient=person, kind=EventKind.COMMENT)
        assert notice.title == "finance_staff (Sở Tài chính) trao đổi về nhiệm vụ II.1"
        assert notice.body == "Sở Tài chính đã góp ý dự thảo, gửi kèm văn bản."
        assert notice.url == f"/tasks/{justice_task.pk}/#y-kien-{comment.pk}"
    assert not Notification.objects.filter(recipient=colleague_elsewhere).exists()  # not to the writer
    # Sở Nội vụ has not taken part in this task yet: its reviewers are not flooded with every discussion.
    assert not Notification.objects.filter(recipient=reviewer).exists()

    client.force_login(staff)
    page = client.get(reverse("tasks:detail", args=[justice_task.pk])).content.decode()
    assert "Sở Tài chính đã góp ý dự thảo, gửi kèm văn bản." in page
    download = client.get(comment.files.get().get_absolute_url())
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_reviewer_who_takes_part_follows_the_discussion(client, justice_task, staff, reviewer, steps):
    with steps():
        services.add_comment(justice_task, reviewer, "Đề nghị báo cáo tiến độ trước ngày 15/3.")
        services.add_comment(justice_task, staff, "Sở Tư pháp sẽ báo cáo ngày 14/3.")
    assert Notification.objects.filter(recipient=reviewer, kind=EventKind.COMMENT).count() == 1


def test_only_those_who_may_see_the_task_read_and_write_its_discussion(client, justice_task, staff, outsider, province):
    comment = services.add_comment(justice_task, staff, "Nội dung trao đổi", [])
    stranger = make_user("tourism", make_agency(province, "Sở Du lịch"), Role.STAFF)
    for person in (outsider, stranger):
        client.force_login(person)
        assert client.post(reverse("tasks:comment", args=[justice_task.pk]), {"body": "Xen vào"}).status_code == 404
    assert Comment.objects.filter(task=justice_task).count() == 1 and comment.pk


def test_an_empty_comment_is_refused_with_a_message(client, justice_task, staff):
    client.force_login(staff)
    response = client.post(reverse("tasks:comment", args=[justice_task.pk]), {"body": "   "})
    assert response.status_code == 400
    assert "Hãy nhập nội dung ý kiến." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_file_of_the_discussion_is_served_only_to_those_who_see_the_task(
    client, justice_task, staff, outsider, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from core.uploads import check_upload

    comment = services.add_comment(
        justice_task, staff, "Kèm dự thảo", [check_upload(upload("Dự thảo.pdf", pdf_bytes()))]
    )
    url = comment.files.get().get_absolute_url()
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_a_cooperating_agency_sees_the_lead_and_the_lead_sees_each_cooperating_part(
    client, justice_task, staff, colleague_elsewhere, justice, finance
):
    lead = Assignment.objects.get(task=justice_task, agency=justice)
    cooperating = Assignment.objects.get(task=justice_task, agency=finance)
    services.report_progress(
        lead, staff, lead.version, services.Report(state="in_progress", progress=70, note="Đã trình UBND tỉnh")
    )
    services.report_progress(
        cooperating,
        colleague_elsewhere,
        cooperating.version,
        services.Report(state="done", progress=100, note="Đã góp ý"),
    )
    client.force_login(colleague_elsewhere)
    page = client.get(reverse("tasks:detail", args=[justice_task.pk])).content.decode()
    assert "Đã trình UBND tỉnh" in page  # the lead's progress
    client.force_login(staff)
    page = client.get(reverse("tasks:detail", args=[justice_task.pk])).content.decode()
    assert "Đã góp ý" in page  # each cooperating part
