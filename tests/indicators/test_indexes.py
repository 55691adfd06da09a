"""PAR Index, SIPAS, PAPI and PCI results of the province and its agencies, with the change from the year before."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from agencies.models import Role, User
from indicators.models import IndexKind, IndexResult
from tests.conftest import make_user
from tests.indicators.conftest import bd_agency, binh_dinh

pytestmark = pytest.mark.django_db


def result(index, year, score, agency=None, province=None, **extra):
    return IndexResult.objects.create(
        index=index, province=province or agency.province, agency=agency, year=year, score=Decimal(score), **extra
    )


@pytest.fixture
def phu_yen_results(demo):
    """Values made up for the test (not official figures)."""
    province = demo.province
    justice = User.objects.get(username="sotuphap").agency
    home = User.objects.get(username="sonoivu").agency
    result(IndexKind.PAR, 2022, "83.10", province=province, rank=40, rank_total=63)
    result(
        IndexKind.PAR, 2023, "85.20", province=province, rank=31, rank_total=63, source="Quyết định công bố (giả định)"
    )
    result(IndexKind.PCI, 2022, "64.00", province=province)
    result(IndexKind.PCI, 2023, "63.50", province=province)
    result(IndexKind.PAR, 2022, "88.00", agency=justice)
    result(IndexKind.PAR, 2023, "90.25", agency=justice)
    result(IndexKind.PAR, 2022, "91.00", agency=home)
    result(IndexKind.PAR, 2023, "89.00", agency=home)
    return justice, home


def test_the_page_shows_each_index_with_the_change_from_the_year_before(client, phu_yen_results):
    client.force_login(User.objects.get(username="sotuphap"))

    page = client.get(reverse("indicators:indexes")).content.decode()

    assert "Chỉ số CCHC (PAR Index)" in page and "Chỉ số PCI" in page
    assert '<span class="delta delta-green">+2,1</span>' in page  # the province's PAR Index 2023 vs 2022
    assert '<span class="delta delta-red">-0,5</span>' in page  # PCI went down
    assert "31/63" in page
    assert "Của các cơ quan, đơn vị năm 2023" in page
    assert '<span class="delta delta-green">+2,25</span>' in page  # Sở Tư pháp
    assert '<span class="delta delta-red">-2</span>' in page  # Sở Nội vụ
    assert page.count("Chưa có kết quả nào được nhập.") == 2  # SIPAS and PAPI

    earlier = client.get(reverse("indicators:indexes"), {"year": 2022}).content.decode()
    assert (
        "Của các cơ quan, đơn vị năm 2022" in earlier
        and "Chưa có năm trước" in earlier
        and '<a href="?year=2023">' in earlier
    )


def test_another_province_does_not_see_these_results(client, phu_yen_results):
    client.force_login(make_user("bd_snv", bd_agency("Sở Nội vụ"), Role.REVIEWER))
    page = client.get(reverse("indicators:indexes")).content.decode()
    assert "+2,1" not in page and page.count("Chưa có kết quả nào được nhập.") == 4


def test_the_page_queries_do_not_grow_with_the_results(client, phu_yen_results, django_assert_max_num_queries):
    client.force_login(User.objects.get(username="sonoivu"))
    url = reverse("indicators:indexes")
    with django_assert_max_num_queries(6) as before:
        client.get(url)
    for agency in phu_yen_results[0].province.agencies.all()[:20]:
        for year in (2021, 2022, 2023):
            IndexResult.objects.get_or_create(
                index=IndexKind.SIPAS,
                agency=agency,
                year=year,
                defaults={"province": agency.province, "score": Decimal("80") + year % 5},
            )
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)


def test_one_result_per_index_year_and_agency_or_province(demo):
    province = demo.province
    result(IndexKind.SIPAS, 2023, "82", province=province)
    with pytest.raises(IntegrityError), transaction.atomic():
        result(IndexKind.SIPAS, 2023, "83", province=province)
    justice = User.objects.get(username="sotuphap").agency
    result(IndexKind.SIPAS, 2023, "82", agency=justice)
    with pytest.raises(IntegrityError), transaction.atomic():
        result(IndexKind.SIPAS, 2023, "84", agency=justice)


def test_an_agency_result_belongs_to_the_agency_province(demo):
    justice = User.objects.get(username="sotuphap").agency
    wrong = IndexResult(index=IndexKind.PAR, province=binh_dinh(), agency=justice, year=2023, score=Decimal("80"))
    with pytest.raises(ValidationError):
        wrong.full_clean()
    wrong.save()
    assert wrong.province == justice.province


def test_a_province_admin_enters_results_for_their_province_only(client, demo):
    user = User.objects.get(username="sonoivu")
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["add_indexresult", "view_indexresult", "change_indexresult"])
    )
    client.force_login(user)
    page = client.get(reverse("admin:indicators_indexresult_add")).content.decode()
    assert "Phú Yên" in page and "Bình Định" not in page

    response = client.post(
        reverse("admin:indicators_indexresult_add"),
        {
            "index": "papi",
            "province": user.province_id,
            "agency": "",
            "year": 2023,
            "score": "42,35",
            "rank": 25,
            "rank_total": 63,
            "source": "Báo cáo PAPI 2023",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert IndexResult.objects.get(index="papi").score == Decimal("42.35")
