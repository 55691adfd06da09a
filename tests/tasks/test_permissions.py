"""Who may do what, checked on the server for every tasks URL, with GET and POST, for every kind of user.

The story: Sở Tư pháp leads a task of Tỉnh A, Sở Tài chính cooperates on it. Its staff and its leader work on
their share; Sở Nội vụ reviews; Sở Xây dựng has nothing to do with it; a reviewer of Tỉnh B sees nothing of
Tỉnh A; an anonymous visitor is sent to the login page. What a user may not see answers 404 (as if it did not
exist); what a user sees but may not do answers 403; pages that only show answer 405 to a POST. A refused
request changes nothing.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from agencies.models import Role
from core.uploads import check_upload
from tasks import services
from tasks.models import Assignment, ExtensionRequest, ProgressUpdate, Review, Task
from tests.conftest import make_agency, make_user
from tests.tasks.conftest import pdf_bytes, prefixed, report_data, upload

pytestmark = pytest.mark.django_db

PERSONAS = ["staff", "leader", "reviewer", "cooperating", "other_agency", "other_province", "anonymous"]
LOGIN = "login"

# What each persona gets: (url name, method) -> {persona: status}; the anonymous visitor always goes to login.
SEE = {"staff": 200, "leader": 200, "reviewer": 200, "cooperating": 200, "other_agency": 404, "other_province": 404}
TO_PAGE = {"staff": 302, "leader": 302, "reviewer": 302, "cooperating": 404, "other_agency": 404, "other_province": 404}
ONLY_SHOWN = dict.fromkeys(["staff", "leader", "reviewer", "cooperating", "other_agency", "other_province"], 405)
EXPECTED = {
    ("list", "get"): dict.fromkeys(
        ["staff", "leader", "reviewer", "cooperating", "other_agency", "other_province"], 200
    ),
    ("list", "post"): ONLY_SHOWN,
    ("detail", "get"): SEE,
    ("detail", "post"): ONLY_SHOWN,
    ("review_queue", "get"): {
        "staff": 403,
        "leader": 403,
        "reviewer": 200,
        "cooperating": 403,
        "other_agency": 403,
        "other_province": 200,
    },
    ("review_queue", "post"): {
        "staff": 403,
        "leader": 403,
        "reviewer": 405,
        "cooperating": 403,
        "other_agency": 403,
        "other_province": 405,
    },
    ("evidence", "get"): {  # a cooperating agency follows the lead's progress, evidence included (issue 15)
        "staff": 200,
        "leader": 200,
        "reviewer": 200,
        "cooperating": 200,
        "other_agency": 404,
        "other_province": 404,
    },
    ("evidence", "post"): ONLY_SHOWN,
    ("report", "get"): TO_PAGE,
    ("report", "post"): {
        "staff": 302,
        "leader": 302,
        "reviewer": 403,
        "cooperating": 404,
        "other_agency": 404,
        "other_province": 404,
    },
    ("submit", "get"): TO_PAGE,
    ("submit", "post"): {
        "staff": 403,
        "leader": 302,
        "reviewer": 403,
        "cooperating": 404,
        "other_agency": 404,
        "other_province": 404,
    },
    ("review", "get"): TO_PAGE,
    ("review", "post"): {
        "staff": 403,
        "leader": 403,
        "reviewer": 302,
        "cooperating": 404,
        "other_agency": 404,
        "other_province": 404,
    },
    ("request_extension", "get"): TO_PAGE,
    ("request_extension", "post"): {
        "staff": 302,
        "leader": 302,
        "reviewer": 403,
        "cooperating": 404,
        "other_agency": 404,
        "other_province": 404,
    },
    ("decide_extension", "get"): TO_PAGE,
    ("decide_extension", "post"): {
        "staff": 403,
        "leader": 403,
        "reviewer": 302,
        "cooperating": 404,
        "other_agency": 404,
        "other_province": 404,
    },
}
CASES = [(url, method, persona) for (url, method) in EXPECTED for persona in PERSONAS]


@pytest.fixture(autouse=True)
def in_march_2024(time_machine):
    time_machine.move_to(datetime.datetime(2024, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False)


@pytest.fixture
def people(staff, leader, reviewer, colleague_elsewhere, outsider, province):
    construction = make_agency(province, "Sở Xây dựng")
    return {
        "staff": staff,
        "leader": leader,
        "reviewer": reviewer,
        "cooperating": colleague_elsewhere,  # Sở Tài chính: cooperates on the task, not on Sở Tư pháp's share
        "other_agency": make_user("xaydung", construction, Role.STAFF),
        "other_province": outsider,
        "anonymous": None,
    }


@pytest.fixture
def scene(people, justice_task, lead_part):
    """Sở Tư pháp has reported once with a PDF; for the review URL its leader has submitted; for the decision
    URL it has asked for a later deadline."""
    staff = people["staff"]
    services.report_progress(
        lead_part,
        staff,
        lead_part.version,
        services.Report(state="in_progress", progress=30, note="Đã có dự thảo"),
        [check_upload(upload("du-thao.pdf", pdf_bytes()))],
    )
    lead_part.refresh_from_db()
    return {"task": justice_task, "part": lead_part, "people": people}


def prepare(url_name: str, scene) -> tuple[str, dict]:
    """Put the assignment in the state the action needs, and return its URL and the POST data a real form sends."""
    part: Assignment = scene["part"]
    people = scene["people"]
    if url_name == "review":
        services.submit(part, people["leader"], part.version)
    if url_name == "decide_extension":
        services.request_extension(part, people["staff"], datetime.date(2024, 6, 30), "Chờ ý kiến của Bộ Tư pháp")
    part.refresh_from_db()
    evidence = ProgressUpdate.objects.filter(assignment=part).first().evidence.first()
    pending = ExtensionRequest.objects.filter(assignment=part, state="pending").first()
    urls = {
        "list": (reverse("tasks:list"), {}),
        "detail": (reverse("tasks:detail", args=[part.task_id]), {}),
        "review_queue": (reverse("tasks:review_queue"), {}),
        "evidence": (reverse("tasks:evidence", args=[evidence.pk]), {}),
        "report": (
            reverse("tasks:report", args=[part.pk]),
            report_data(part, state="in_progress", progress=60, note="Đã trình ký"),
        ),
        "submit": (reverse("tasks:submit", args=[part.pk]), prefixed(f"s{part.pk}", version=part.version, note="")),
        "review": (
            reverse("tasks:review", args=[part.pk]),
            prefixed(f"r{part.pk}", version=part.version, decision="accepted", reason=""),
        ),
        "request_extension": (
            reverse("tasks:request_extension", args=[part.pk]),
            prefixed(f"e{part.pk}", requested_date="30/06/2024", reason="Chờ ý kiến của Bộ Tư pháp"),
        ),
        "decide_extension": (
            reverse("tasks:decide_extension", args=[pending.pk]) if pending else "",
            prefixed(f"x{pending.pk}", decision="grant", note="") if pending else {},
        ),
    }
    return urls[url_name]


def snapshot(part: Assignment) -> tuple:
    """Everything a POST could change."""
    part.refresh_from_db()
    return (
        part.version,
        part.state,
        part.progress,
        part.review_state,
        part.due_date,
        ProgressUpdate.objects.count(),
        Review.objects.count(),
        ExtensionRequest.objects.count(),
        ExtensionRequest.objects.filter(state="pending").count(),
    )


@pytest.mark.parametrize(("url_name", "method", "persona"), CASES)
def test_every_url_answers_each_kind_of_user_as_it_should(client, scene, url_name, method, persona):
    url, data = prepare(url_name, scene)
    user = scene["people"][persona]
    if user is not None:
        client.force_login(user)
    before = snapshot(scene["part"])

    response = client.get(url) if method == "get" else client.post(url, data)

    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(LOGIN))
        assert snapshot(scene["part"]) == before
        return
    expected = EXPECTED[(url_name, method)][persona]
    assert response.status_code == expected, response.content[:500]
    if method == "post" and expected != 302:
        assert snapshot(scene["part"]) == before, "a refused request changed something"
    if method == "post" and expected == 302:
        assert snapshot(scene["part"]) != before, "an accepted request changed nothing"
    if url_name == "list" and persona in ("other_agency", "other_province"):
        assert scene["task"].title not in response.content.decode()


def test_a_lead_agency_reads_but_cannot_change_a_cooperating_agencys_share(
    client, staff, justice_task, cooperating_part, colleague_elsewhere
):
    services.report_progress(
        cooperating_part,
        colleague_elsewhere,
        cooperating_part.version,
        services.Report(state="in_progress", progress=20, note="Đã góp ý dự thảo"),
    )
    cooperating_part.refresh_from_db()
    client.force_login(staff)

    page = client.get(reverse("tasks:detail", args=[justice_task.pk])).content.decode()
    assert "Đã góp ý dự thảo" in page  # the lead sees the contribution

    response = client.post(
        reverse("tasks:report", args=[cooperating_part.pk]), report_data(cooperating_part, progress=90, note="Sửa hộ")
    )
    assert response.status_code == 404  # but the share is not theirs to change
    cooperating_part.refresh_from_db()
    assert cooperating_part.progress == 20


def test_a_cooperating_agency_follows_the_lead_agencys_progress_but_cannot_change_it(
    client, staff, justice_task, lead_part, colleague_elsewhere
):
    """Issue 15: "phối hợp" needs the cooperating agency to see what the lead has done (it used not to)."""
    services.report_progress(
        lead_part,
        staff,
        lead_part.version,
        services.Report(state="in_progress", progress=50, note="Đã xây dựng dự thảo, gửi các sở góp ý"),
    )
    client.force_login(colleague_elsewhere)
    page = client.get(reverse("tasks:detail", args=[justice_task.pk])).content.decode()
    assert "Sở Tư pháp" in page
    assert "Đã xây dựng dự thảo, gửi các sở góp ý" in page
    response = client.post(
        reverse("tasks:report", args=[lead_part.pk]), report_data(lead_part, progress=90, note="Sửa hộ")
    )
    assert response.status_code == 404
    lead_part.refresh_from_db()
    assert lead_part.progress == 50


def test_agencies_merged_into_an_agency_bring_their_tasks(client, province, justice, plan, section):
    """Sở A was merged into Sở Tư pháp: its tasks are Sở Tư pháp's now, and its staff see and change them."""
    old = make_agency(province, "Sở Tư pháp cũ", valid_to=datetime.date(2024, 2, 29), successor=justice)
    task = Task.objects.create(document=plan, section=section, number="9", title="Nhiệm vụ của cơ quan đã sáp nhập")
    part = Assignment.objects.create(task=task, agency=old)
    client.force_login(make_user("tp_moi", justice, Role.STAFF))
    assert client.get(reverse("tasks:detail", args=[task.pk])).status_code == 200
    response = client.post(
        reverse("tasks:report", args=[part.pk]), report_data(part, progress=10, note="Tiếp nhận từ cơ quan cũ")
    )
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["staff", "leader", "reviewer", "cooperating", "other_agency", "other_province"])
def test_the_queryset_rules_agree_with_the_pages(client, people, justice_task, persona, plan, section, finance):
    """PITFALLS: for_user() filters lists, the pages check objects; both must say the same thing."""
    other = Task.objects.create(document=plan, section=section, number="2", title="Việc của Sở Tài chính")
    Assignment.objects.create(task=other, agency=finance)
    user = people[persona]
    client.force_login(user)
    listed = set(Task.objects.for_user(user).values_list("pk", flat=True))
    for task in (justice_task, other):
        shown = client.get(reverse("tasks:detail", args=[task.pk])).status_code == 200
        assert shown == (task.pk in listed)
    readable = set(Assignment.objects.readable_by(user).values_list("pk", flat=True))
    for task in Task.objects.for_user(user).filter(pk__in=[justice_task.pk, other.pk]):
        everyone = list(task.assignments.all())
        for assignment in everyone:
            assert assignment.is_readable_among(user, everyone) == (assignment.pk in readable)
