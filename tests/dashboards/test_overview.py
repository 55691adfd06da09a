"""The overview of plan 275/KH-UBND, against figures counted by hand from the seed appendix.

On 1 May 2024, with nobody having reported anything, the tasks due before that day are overdue. From the
appendix of plan 275 (column "Thời gian thực hiện"):

- Tháng 01/2024 (due 31/01/2024): III.1, III.2, III.7
- Tháng 02/2024 (due 29/02/2024): III.3
- Quý I/2024 (due 31/03/2024): II.1, II.2, II.4, VI.7, VII.3, VII.4, VIII.1

that is 11 tasks. The 2 ongoing ones ("Thường xuyên": III.4, III.9) are counted apart as "Thực hiện thường
xuyên" (issue 15), never as not started. The 31 tasks of "Năm 2024", those of quarters II–IV, and the 5
council sessions (VI.1–VI.5, no single date) are not started: 43.
"""

import datetime
import re

import pytest
from django.urls import reverse

from cchc_portal.dashboards import queries
from cchc_portal.dashboards.queries import DONE_FILTER
from tasks.models import OfficialStatus, Task
from tests.dashboards.conftest import D, agency, finish, scope_of, start

S = OfficialStatus
OVERDUE_ON_MAY_FIRST = ["II.1", "II.2", "II.4", "III.1", "III.2", "III.3", "III.7", "VI.7", "VII.3", "VII.4", "VIII.1"]
NO_DUE_DATE = ["VI.1", "VI.2", "VI.3", "VI.4", "VI.5"]
ONGOING = ["III.4", "III.9"]
SECTION_SIZES = {"I": 9, "II": 6, "III": 11, "IV": 5, "V": 7, "VI": 8, "VII": 5, "VIII": 5}
# Overdue per section on 1 May 2024, from the list above.
SECTION_OVERDUE = {"I": 0, "II": 3, "III": 4, "IV": 0, "V": 0, "VI": 1, "VII": 2, "VIII": 1}
SECTION_ONGOING = {"III": 2}

pytestmark = pytest.mark.django_db


def overview(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("dashboard:overview"), {k: str(v) for k, v in params.items()})
    assert response.status_code == 200
    return response.context


def statuses(context) -> dict[str, str]:
    return {row["label"]: row["count"].text for row in context["status_rows"]}


def section_counts(context) -> dict[str, tuple[str, str, str]]:
    """Section number -> (total, overdue, not started) as the page shows them."""
    return {
        row["label"].split(".")[0]: (
            row["cells"]["total"].text,
            row["cells"]["overdue"].text,
            row["cells"]["not_started"].text,
        )
        for row in context["section_rows"]
    }


def drilled_numbers(client, url) -> list[str]:
    """Return the task numbers of a drill-down list, every page of it."""
    numbers: list[str] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        numbers += [row["number"] for row in response.context["rows"]]
        following = response.context["page_links"].get("next")
        url = f"{reverse('dashboard:tasks')}{following}" if following else ""
    return numbers


def test_plan_275_on_may_first_counts_each_task_once(client, plan, sonoivu, may_first):
    context = overview(client, sonoivu, document=plan.pk)

    assert context["total"]["count"].text == "56"
    assert statuses(context) == {
        "Hoàn thành đúng hạn": "0",
        "Hoàn thành quá hạn": "0",
        "Đang thực hiện trong hạn": "0",
        "Chưa thực hiện": "43",
        "Quá hạn": "11",
        "Thực hiện thường xuyên": "2",
    }
    assert {row["label"]: row["share"] for row in context["status_rows"]}["Quá hạn"] == "19,6%"  # 11/56
    assert section_counts(context) == {
        number: (
            str(size),
            str(SECTION_OVERDUE[number]),
            str(size - SECTION_OVERDUE[number] - SECTION_ONGOING.get(number, 0)),
        )
        for number, size in SECTION_SIZES.items()
    }
    areas = {row["label"]: (row["cells"]["total"].text, row["cells"]["overdue"].text) for row in context["area_rows"]}
    assert areas == {
        "Chỉ đạo, điều hành": ("9", "0"),
        "Cải cách thể chế": ("6", "3"),
        "Cải cách thủ tục hành chính": ("11", "4"),
        "Cải cách tổ chức bộ máy": ("5", "0"),
        "Cải cách chế độ công vụ": ("7", "0"),
        "Cải cách tài chính công": ("8", "1"),
        "Chính phủ điện tử, chính phủ số": ("5", "2"),
        "Tuyên truyền": ("5", "1"),
    }
    # The overdue list: the same 11 tasks, longest overdue first (January, then February, then quarter I).
    assert sorted(line["number"] for line in context["overdue"]) == sorted(OVERDUE_ON_MAY_FIRST)
    assert [line["number"] for line in context["overdue"][:3]] == ["III.1", "III.2", "III.7"]
    assert context["overdue"][0]["days"] == "quá hạn 91 ngày"
    assert context["total"]["soon"].text == "0"  # nothing falls due between 1 and 31 May


def test_every_status_number_links_to_exactly_its_tasks(client, plan, sonoivu, may_first):
    context = overview(client, sonoivu, document=plan.pk)
    by_label = {row["label"]: row["count"].url for row in context["status_rows"]}

    assert sorted(drilled_numbers(client, by_label["Quá hạn"])) == sorted(OVERDUE_ON_MAY_FIRST)
    not_started = drilled_numbers(client, by_label["Chưa thực hiện"])
    assert len(not_started) == 43 and set(NO_DUE_DATE) <= set(not_started)
    assert sorted(drilled_numbers(client, by_label["Thực hiện thường xuyên"])) == ONGOING
    assert drilled_numbers(client, by_label["Hoàn thành đúng hạn"]) == []
    section_ii = next(row for row in context["section_rows"] if row["label"].startswith("II."))
    assert drilled_numbers(client, section_ii["cells"]["overdue"].url) == ["II.1", "II.2", "II.4"]
    assert len(drilled_numbers(client, section_ii["cells"]["total"].url)) == 6
    finance = next(row for row in context["area_rows"] if row["label"] == "Cải cách tài chính công")
    assert drilled_numbers(client, finance["cells"]["overdue"].url) == ["VI.7"]
    # And each status row also points to the portal's task page with the agreed parameters.
    overdue_row = next(row for row in context["status_rows"] if row["label"] == "Quá hạn")
    assert overdue_row["tasks_url"] == f"/tasks/?document={plan.pk}&status=overdue"


def test_figures_follow_what_agencies_report(client, plan, sonoivu, may_first):
    finish(plan, "II.1", "Sở Tư pháp", D(2024, 3, 20))  # on time (due 31/03)
    finish(plan, "II.2", "Sở Tư pháp", D(2024, 4, 10))  # late
    finish(plan, "III.1", "Văn phòng UBND tỉnh", D(2024, 1, 25))  # on time (due 31/01)
    finish(plan, "I.2", "Sở Nội vụ", D(2024, 4, 15))  # on time (due 31/12)
    start(plan, "I.1", "Văn phòng UBND tỉnh")  # one of its three leads has started
    finish(plan, "III.7", "Sở Tư pháp", D(2024, 1, 20))  # one of its 20 leads: the task stays overdue
    finish(plan, "III.2", "Sở Tư pháp", D(2024, 4, 20))  # a cooperating share: the task stays overdue

    context = overview(client, sonoivu, document=plan.pk)

    assert statuses(context) == {
        "Hoàn thành đúng hạn": "3",  # II.1, III.1, I.2
        "Hoàn thành quá hạn": "1",  # II.2
        "Đang thực hiện trong hạn": "1",  # I.1
        "Chưa thực hiện": "41",
        "Quá hạn": "8",  # II.4, III.2, III.3, III.7, VI.7, VII.3, VII.4, VIII.1
        "Thực hiện thường xuyên": "2",  # III.4, III.9
    }
    rows = {row["label"].split(".")[0]: row["cells"] for row in context["section_rows"]}
    assert [
        rows["II"][key].text
        for key in ("done_on_time", "done_late", "overdue", "not_started", "completion", "progress")
    ] == ["1", "1", "1", "3", "33,3%", "33,3%"]
    assert [rows["I"][key].text for key in ("done_on_time", "in_progress", "not_started")] == ["1", "1", "7"]
    assert [rows["III"][key].text for key in ("done_on_time", "overdue", "not_started", "ongoing")] == [
        "1",
        "3",
        "5",
        "2",
    ]
    assert context["total"]["done"].text == "4"
    assert context["total"]["completion"] == "7,1%"  # 4/56
    assert context["total"]["on_time"] == "25%"  # 3 on time / (4 done + 8 overdue)
    done = drilled_numbers(client, context["total"]["done"].url)
    assert sorted(done) == ["I.2", "II.1", "II.2", "III.1"]


def test_agency_ranking_counts_each_agencys_shares(client, plan, sonoivu, may_first):
    """Sở Tư pháp has a share in 55 of the 56 tasks (all but VIII.4, given to Văn phòng UBND tỉnh with
    Sở Nội vụ and Sở Thông tin và Truyền thông); it leads 12: II.1–II.6 by name, and III.4, III.7, IV.1, IV.2,
    IV.5, VIII.5 as one of "Các sở, ban, ngành". Its 11 overdue shares on 1 May: II.1, II.2, II.4, III.7
    (lead) and III.1, III.2, III.3, VI.7, VII.3, VII.4, VIII.1 (cooperating)."""
    context = overview(client, sonoivu, document=plan.pk)
    justice = next(row for row in context["ranking"] if row["name"] == "Sở Tư pháp")
    assert (justice["total"].text, justice["lead"].text, justice["done"].text, justice["overdue"].text) == (
        "55",
        "12",
        "0",
        "11",
    )
    assert (justice["completion"], justice["on_time"]) == ("0%", "0%")
    office = next(row for row in context["ranking"] if row["name"] == "Văn phòng UBND tỉnh")
    # Văn phòng UBND tỉnh is named as cooperating on III.4, III.7 and VIII.5, which "Các sở, ban, ngành" lead: it
    # cooperates there (issue 13), so it leads 15, not 18.
    assert (office["total"].text, office["lead"].text) == ("56", "15")

    assert len(drilled_numbers(client, justice["total"].url)) == 55
    assert len(drilled_numbers(client, justice["lead"].url)) == 12
    assert sorted(drilled_numbers(client, justice["overdue"].url)) == sorted(OVERDUE_ON_MAY_FIRST)

    finish(plan, "II.1", "Sở Tư pháp", D(2024, 3, 20))
    finish(plan, "II.2", "Sở Tư pháp", D(2024, 4, 10))
    finish(plan, "III.7", "Sở Tư pháp", D(2024, 1, 20))
    finish(plan, "III.2", "Sở Tư pháp", D(2024, 4, 20))
    context = overview(client, sonoivu, document=plan.pk)
    ranking = context["ranking"]
    justice = next(row for row in ranking if row["name"] == "Sở Tư pháp")
    assert (justice["done"].text, justice["overdue"].text) == ("4", "7")
    assert justice["completion"] == "7,3%"  # 4/55
    assert justice["on_time"] == "18,2%"  # 2 on time / (4 done + 7 overdue)
    assert justice["rank"] == "1"  # the only agency with anything done
    assert ranking[0]["name"] == "Sở Tư pháp"


def test_an_agency_sees_its_own_shares(client, plan, sotuphap, may_first):
    context = overview(client, sotuphap)  # no parameter: its agency, the latest year with documents (2024)

    assert context["scope"].agency == agency("Sở Tư pháp")
    assert context["scope"].year == 2024
    assert context["total"]["count"].text == "55"
    assert statuses(context)["Quá hạn"] == "11"
    assert statuses(context)["Chưa thực hiện"] == "42"
    assert statuses(context)["Thực hiện thường xuyên"] == "2"  # III.4, III.9
    assert context["ranking"] == []  # other agencies are not shown to an agency
    assert section_counts(context)["II"] == ("6", "3", "3")
    # Its overdue list is its own shares, longest overdue first.
    assert [line["number"] for line in context["overdue"][:4]] == ["III.1", "III.2", "III.7", "III.3"]
    assert {line["agencies"] for line in context["overdue"]} == {"Sở Tư pháp"}


def test_due_soon_lists_what_falls_due_in_the_next_30_days(client, plan, sonoivu):
    """On 10 June 2024 the quarter II tasks (II.3, VI.8, due 30/06) fall due within 30 days."""
    import time_machine

    from tests.dashboards.conftest import at

    with time_machine.travel(at(D(2024, 6, 10)), tick=False):
        context = overview(client, sonoivu, document=plan.pk)
        assert context["total"]["soon"].text == "2"
        assert [line["number"] for line in context["soon"]] == ["II.3", "VI.8"]
        assert context["soon"][0]["days"] == "còn 20 ngày"
        assert drilled_numbers(client, context["total"]["soon"].url) == ["II.3", "VI.8"]


def test_a_year_gathers_its_documents(client, plan, sonoivu, may_first):
    context = overview(client, sonoivu, year=2022)
    numbers = [d.display_number for d in context["scope"].documents]
    assert len(numbers) == 1 and "dự thảo" in numbers[0]  # Phú Yên's 2022 directive letter (a draft)
    assert context["total"]["count"].text == "11"
    assert statuses(context)["Quá hạn"] == "0"  # its tasks have no deadline

    default = overview(client, sonoivu)
    assert default["scope"].year == 2024 and [d.pk for d in default["scope"].documents] == [plan.pk]


def test_the_page_says_how_it_counts(client, plan, sonoivu, sotuphap, may_first):
    client.force_login(sonoivu)
    page = client.get(reverse("dashboard:overview"), {"document": plan.pk}).content.decode()
    assert "mỗi nhiệm vụ một lần, theo các cơ quan chủ trì" in page
    assert "đếm theo từng phần việc" in page
    client.force_login(sotuphap)
    page = client.get(reverse("dashboard:overview")).content.decode()
    assert "mỗi phần việc của cơ quan được đếm một lần" in page


def test_one_screen_figures_then_agencies_by_area_then_tabs(client, plan, sonoivu, may_first):
    client.force_login(sonoivu)
    response = client.get(reverse("dashboard:overview"), {"document": plan.pk})
    page = response.content.decode()
    # The headline figures, then the agencies × areas table, then the tabs, in that order; no charts.
    assert page.index('data-testid="kpi-total"') < page.index('data-testid="matrix"') < page.index("data-tabs")
    assert "<svg" not in page
    assert "Quá hạn: <strong>11</strong>" in page  # the status line, readable without colour
    matrix = response.context["matrix"]
    assert [str(a["label"]) for a in matrix["areas"]][:3] == [
        "Chỉ đạo, điều hành",
        "Cải cách thể chế",
        "Cải cách thủ tục hành chính",
    ]
    # Latest first: the agencies with the 11 overdue shares of the plan come first (then by name).
    ranking = queries.agency_ranking(scope_of(sonoivu, document=plan.pk))
    latest = sorted((f for f in ranking if f.counts.total), key=lambda f: f.lateness_key())
    assert latest[0].counts.overdue == max(f.counts.overdue for f in ranking) == 11
    assert [f">{f.name}</a>" in row for f, row in zip(latest, matrix["rows"], strict=False)] == [True] * len(
        matrix["rows"]
    )
    first = next(row for row in matrix["rows"] if ">Sở Tư pháp</a>" in row)
    assert 'title="Quá hạn 3 · ' in first  # section II: II.1, II.2, II.4
    # Each cell opens the agency's shares of that area.
    justice = agency("Sở Tư pháp")
    url = re.search(rf'href="([^"]*agency={justice.pk}[^"]*area=institutions[^"]*)"', first).group(1)
    assert sorted(drilled_numbers(client, url.replace("&amp;", "&"))) == [
        "II.1",
        "II.2",
        "II.3",
        "II.4",
        "II.5",
        "II.6",
    ]
    # Every script is served by the portal itself (no CDN); a CSRF token may contain any letters, so look at src.
    sources = re.findall(r'<script[^>]* src="([^"]+)"', page)
    assert sources and all(src.startswith("/static/") for src in sources)


def test_the_sql_rule_agrees_with_the_python_rule(plan, sonoivu, may_first):
    """Per task, ``per_task`` (SQL) and ``task_status_of`` (Python, used by the exports) say the same."""
    import random

    from tasks.models import Assignment, WorkState

    rng = random.Random(275)
    shares = list(Assignment.objects.filter(task__document=plan))
    for share_ in rng.sample(shares, 1200):
        share_.state = rng.choice(list(WorkState))
        share_.completed_on = (
            D(2024, 1, 1) + datetime.timedelta(days=rng.randrange(120)) if share_.state == WorkState.DONE else None
        )
        share_.due_date = D(2024, 6, 30) if rng.random() < 0.1 else None
        share_.save()
    scope = scope_of(sonoivu, document=plan.pk)
    in_sql = {row.pk: row.status for row in queries.task_table(scope).rows}
    in_python: dict[int, list] = {}
    for share_ in queries.assignments(scope):
        in_python.setdefault(share_.task_id, []).append((share_.role, share_.status))
    assert in_sql == {tid: queries.task_status_of(pairs) for tid, pairs in in_python.items()}
    # A task whose lead was removed is judged on its cooperating shares.
    leaderless = Task.objects.get(document=plan, section__number="II", number="1")
    leaderless.assignments.filter(role="lead").delete()
    shares_ = [(s.role, s.status) for s in queries.assignments(scope).filter(task=leaderless)]
    row = queries.task_table(scope).by_pk[leaderless.pk]
    assert row.status == queries.task_status_of(shares_) and shares_
    assert set(in_sql.values()) >= {S.OVERDUE, S.DONE_ON_TIME, S.DONE_LATE, S.IN_PROGRESS, S.NOT_STARTED}


def test_conditions_agree_with_with_status(plan, sonoivu, may_first):
    """The plain conditions the counters use say the same as the ``with_status`` CASE, share by share."""
    import random

    from tasks.models import Assignment, WorkState

    rng = random.Random(6)
    for share_ in Assignment.objects.filter(task__document=plan):
        share_.state = rng.choice(list(WorkState))
        share_.completed_on = (
            D(2024, 1, 1) + datetime.timedelta(days=rng.randrange(150)) if share_.state == WorkState.DONE else None
        )
        share_.due_date = rng.choice([None, None, D(2024, 4, 30), D(2024, 5, 31)])
        share_.save()
    scope = scope_of(sonoivu, document=plan.pk)
    by_status = {s: set(queries.assignments(scope).filter(status=s).values_list("pk", flat=True)) for s in S}
    c = queries.conditions(may_first)
    shares = queries.assignments(scope)
    done, late = (
        set(shares.filter(c["done"]).values_list("pk", flat=True)),
        set(shares.filter(c["late"]).values_list("pk", flat=True)),
    )
    assert late == by_status[S.DONE_LATE] and done - late == by_status[S.DONE_ON_TIME]
    assert set(shares.filter(c["overdue"]).values_list("pk", flat=True)) == by_status[S.OVERDUE]
    assert set(shares.filter(c["in_progress"]).values_list("pk", flat=True)) == by_status[S.IN_PROGRESS]
    ranking = {f.name: f.counts for f in queries.agency_ranking(scope)}
    justice = queries.assignments(scope).filter(agency__name="Sở Tư pháp")
    assert ranking["Sở Tư pháp"].by_status == {s: justice.filter(status=s).count() for s in S}


def test_done_filter_means_both_done_statuses(plan, sonoivu, may_first):
    finish(plan, "II.1", "Sở Tư pháp", D(2024, 3, 20))
    finish(plan, "II.2", "Sở Tư pháp", D(2024, 4, 10))
    scope = scope_of(sonoivu, document=plan.pk)
    done = queries.drill_tasks(scope, queries.DrillFilters(status=DONE_FILTER))
    assert sorted(Task.objects.get(pk=row.pk).full_number for row in done) == ["II.1", "II.2"]
    assert list(queries.drill_tasks(scope, queries.DrillFilters(status="nonsense"))) == []


def test_the_agency_chooser_lists_the_units_of_the_year_shown(client, plan):
    """Issue 12: a 2026 view of Đắk Lắk does not offer its districts and the departments merged away in 2025."""
    from agencies.models import Agency, Role, User

    home_affairs = Agency.objects.get(province__code="dak-lak", name="Sở Nội vụ")
    reviewer = User.objects.create_user("dl_snv", password="x-12345-abcdef", agency=home_affairs, role=Role.REVIEWER)
    now = str(overview(client, reviewer, year=2026)["agencies"])
    assert "Sở Tài chính" in now and "UBND xã Ea Kar" in now
    assert "UBND huyện Krông Pắc" not in now and "Sở Kế hoạch và Đầu tư" not in now
    before = str(overview(client, reviewer, year=2024)["agencies"])
    assert "UBND huyện Krông Pắc" in before and "Sở Kế hoạch và Đầu tư" in before and "UBND xã Ea Kar" not in before


def test_hand_written_sql_agrees_with_the_orm(plan, sonoivu, may_first):
    """``sql`` (the province page's two heavy queries as SQL) returns the rows the ORM builds, on shares of every
    kind: done on time and late, overdue, ongoing, with their own due dates."""
    import random

    from django.db.models import CharField, Count, F, Q, Value
    from django.db.models.functions import Coalesce

    from cchc_portal.dashboards import sql
    from tasks.models import Assignment, AssignmentRole, WorkState

    rng = random.Random(16)
    for share_ in rng.sample(list(Assignment.objects.filter(task__document=plan)), 600):
        share_.state = rng.choice(list(WorkState))
        share_.progress = rng.choice([0, 30, 60])
        share_.completed_on = (
            D(2024, 1, 1) + datetime.timedelta(days=rng.randrange(150)) if share_.state == "done" else None
        )
        share_.due_date = D(2024, 6, 30) if rng.random() < 0.1 else None
        share_.save()
    Task.objects.filter(document=plan, section__number="VIII").update(due_date=None, due_kind="ongoing")
    scope = scope_of(sonoivu, document=plan.pk)
    columns = ("tid", "task_status", "n", "prog_sum", "since", "next_due")
    orm = queries._fetch(queries.lead_rows(scope).values_list(*columns))
    hand = [row[:1] + row[5:] for row in sql.tasks_with_leads(scope.document_ids, scope.today) if row[5] is not None]
    assert sorted(hand) == sorted(orm) and orm
    keys = ("n", "n_done", "n_late", "n_overdue", "n_active", "n_ongoing", "prog", "lead")
    area = Coalesce(F("task__section__area"), Value("other"), output_field=CharField())
    by_area = (
        queries.assignments(scope)
        .order_by()
        .values("agency_id", cell_area=area)
        .annotate(**queries.share_counters(scope.today), lead=Count("pk", filter=Q(role=AssignmentRole.LEAD)))
        .values_list("agency_id", "cell_area", *keys)
    )
    hand = [row[:10] for row in sql.agency_area_rows(scope.document_ids, scope.today)]
    assert sorted(hand) == sorted(queries._fetch(by_area))
    assert {row[1] for row in orm} >= {"overdue", "done_on_time", "ongoing"}
    assert all(sum(row[i] for row in hand) for i in (4, 5, 6, 7))  # done late, overdue, in progress, ongoing
    # An agency's page: its shares per (document, section), as the ORM's ``share_counters`` count them.
    agency_id = max({row[0] for row in hand}, key=lambda pk: sum(row[2] for row in hand if row[0] == pk))
    by_section = (
        Assignment.objects.with_status(scope.today)
        .filter(agency_id=agency_id, task__document_id__in=scope.document_ids)
        .order_by()
        .values(did=F("task__document_id"), sid=F("task__section_id"))
        .annotate(**queries.share_counters(scope.today))
        .values_list("did", "sid", *keys[:-1])
    )
    mine = sql.agency_section_rows([agency_id], scope.document_ids, scope.today)
    assert sorted(mine, key=str) == sorted(queries._fetch(by_section), key=str) and len(mine) > 1
