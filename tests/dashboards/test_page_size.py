"""A province of national size on one screen: the dashboard's HTML stays under 200 KB and goes out compressed."""

import gzip

import pytest
from django.urls import reverse

from agencies.models import User
from cchc_portal.synthetic import add_indicators, generate

pytestmark = pytest.mark.django_db
LIMIT = 200 * 1024


@pytest.fixture
def full_province():
    generate(1, prefix="big")  # 131 agencies, 3,960 tasks, 8,540 shares, a year of monthly reports
    add_indicators("big-01", 20)  # 2,620 targets and 7,860 measurements
    return User.objects.get(username="big-01-snv")


def test_the_dashboard_of_a_full_province_stays_under_200_kb_and_is_compressed(client, full_province, settings):
    client.force_login(full_province)
    response = client.get(reverse("dashboard:overview"), {"year": "2025"})
    html = response.content
    assert response.status_code == 200 and len(html) < LIMIT, len(html)
    assert len(response.context["matrix"]["rows"]) == 25  # one page of the 131 agencies
    assert "indicators" not in response.context  # judged on their own page
    zipped = client.get(reverse("dashboard:overview"), {"year": "2025"}, HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content).startswith(b"<!DOCTYPE html>")
    assert len(zipped.content) < len(html) / 4
    indicators = client.get(reverse("dashboard:indicators"), {"year": "2025"})
    assert len(indicators.content) < LIMIT, len(indicators.content)
    assert len(indicators.context["indicators"]) == 20 * 25  # the page's 25 agencies, not the 131
