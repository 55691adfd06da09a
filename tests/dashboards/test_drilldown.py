"""The list behind each number: what it holds, and the link on to the portal's task page."""

import pytest
from django.urls import reverse

from tests.dashboards.conftest import D, agency, finish

pytestmark = pytest.mark.django_db


def drill(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("dashboard:tasks"), {k: str(v) for k, v in params.items()})
    assert response.status_code == 200
    return response.context


def test_a_province_list_counts_tasks(client, plan, sonoivu, may_first):
    context = drill(client, sonoivu, document=plan.pk, status="overdue", area="procedures")
    assert [row["number"] for row in context["rows"]] == ["III.1", "III.2", "III.3", "III.7"]
    assert context["count"] == "4" and not context["per_assignment"]
    assert context["description"] == ["Quá hạn", "Lĩnh vực: Cải cách thủ tục hành chính"]
    assert {row["status"] for row in context["rows"]} == {"Quá hạn"}
    assert context["rows"][3]["agency"] == "Các sở, ban, ngành"  # the lead as the document writes it
    assert context["tasks_url"] == f"/tasks/?document={plan.pk}&status=overdue"


def test_an_agency_list_counts_its_shares(client, plan, sonoivu, may_first):
    justice = agency("Sở Tư pháp")
    finish(plan, "II.1", "Sở Tư pháp", D(2024, 3, 20))
    section = plan.sections.get(number="II")
    context = drill(client, sonoivu, document=plan.pk, agency=justice.pk, section=section.pk)
    assert context["per_assignment"] and context["count"] == "6"
    rows = {row["number"]: row for row in context["rows"]}
    assert (rows["II.1"]["status"], rows["II.1"]["progress"], rows["II.1"]["role"]) == (
        "Hoàn thành đúng hạn",
        "100%",
        "Chủ trì",
    )
    assert rows["II.2"]["status"] == "Quá hạn"
    assert context["tasks_url"] == f"/tasks/?document={plan.pk}&agency={justice.pk}&section={section.pk}"
    cooperating = drill(client, sonoivu, document=plan.pk, agency=justice.pk, role="cooperating", status="overdue")
    assert sorted(row["number"] for row in cooperating["rows"]) == [
        "III.1",
        "III.2",
        "III.3",
        "VI.7",
        "VII.3",
        "VII.4",
        "VIII.1",
    ]


def test_unknown_filters_show_nothing_rather_than_everything(client, plan, sonoivu, may_first):
    assert drill(client, sonoivu, document=plan.pk, status="lost")["count"] == "0"
    assert drill(client, sonoivu, document=plan.pk, area="weather")["count"] == "0"
    assert drill(client, sonoivu, document=plan.pk)["count"] == "56"
