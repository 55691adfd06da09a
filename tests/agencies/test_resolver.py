"""The resolver maps names as documents write them to agencies or groups of the document's province."""

import pytest

from agencies.models import Agency, AgencyGroup, Province
from agencies.resolver import Resolver

pytestmark = pytest.mark.django_db


@pytest.fixture
def phu_yen(demo):
    return Resolver(Province.objects.get(code="phu-yen"))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("VP UBND tỉnh", ["Văn phòng UBND tỉnh"]),
        ("Văn phòng Ủy ban nhân dân tỉnh", ["Văn phòng UBND tỉnh"]),
        ("Sở TT&TT", ["Sở Thông tin và Truyền thông"]),
        ("Sở KH&ĐT", ["Sở Kế hoạch và Đầu tư"]),
        ("Sở KH&CN", ["Sở Khoa học và Công nghệ"]),
        ("SỞ NỘI VỤ", ["Sở Nội vụ"]),
        ("Sở Nội vụ, Sở Thông tin\nvà Truyền thông", ["Sở Nội vụ", "Sở Thông tin và Truyền thông"]),
        ("Các sở, ban, ngành tỉnh", ["Các sở, ban, ngành"]),
        ("Các sở, ban, ngành; UBND cấp huyện", ["Các sở, ban, ngành", "UBND cấp huyện"]),
        ("UBND cấp huyện, cấp xã", ["UBND cấp huyện", "UBND cấp xã"]),
        ("Các sở, ban, ngành; UBND cấp huyện; cấp xã", ["Các sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã"]),
        ("UBND các xã, phường", ["UBND cấp xã"]),
        ("UBND các huyện, thị xã, thành phố", ["UBND cấp huyện"]),
        ("các cơ quan, đơn vị có liên quan", ["Các cơ quan, đơn vị liên quan"]),
        ("Sở Thông tin và Truyền thông; Văn phòng UBND tỉnh", ["Sở Thông tin và Truyền thông", "Văn phòng UBND tỉnh"]),
    ],
)
def test_names_as_written_resolve(phu_yen, written, expected):
    resolved = phu_yen.resolve_cell(written)
    assert all(r.known for r in resolved), [r.text for r in resolved if not r.known]
    assert [r.canonical_name for r in resolved] == expected


def test_groups_are_named_as_groups(phu_yen):
    (resolved,) = phu_yen.resolve_cell("Các sở, ban, ngành")
    assert isinstance(resolved.group, AgencyGroup) and resolved.agency is None


def test_an_unknown_name_is_reported_never_dropped_never_created(phu_yen):
    before = Agency.objects.count()
    resolved = phu_yen.resolve_cell("Sở Tư pháp; Sở Du hành vũ trụ")
    assert [(r.text, r.known) for r in resolved] == [("Sở Tư pháp", True), ("Sở Du hành vũ trụ", False)]
    assert resolved[1].canonical_name == "Sở Du hành vũ trụ"
    assert Agency.objects.count() == before


def test_names_resolve_only_within_the_province(demo):
    tuyen_quang = Resolver(Province.objects.get(code="tuyen-quang"))
    (resolved,) = tuyen_quang.resolve_cell("Sở Nội vụ")
    assert resolved.agency.province.code == "tuyen-quang"
    (unknown,) = tuyen_quang.resolve_cell("Báo Phú Yên")
    assert not unknown.known


def test_a_remembered_mapping_resolves_next_time(phu_yen):
    justice = phu_yen.resolve_name("Sở Tư pháp").agency
    assert not phu_yen.resolve_name("Phòng Pháp chế tỉnh").known
    phu_yen.remember("Phòng Pháp chế tỉnh", justice)
    assert Resolver(justice.province).resolve_name("Phòng Pháp chế tỉnh").agency == justice


def test_resolving_a_cell_costs_no_query(phu_yen, django_assert_num_queries):
    with django_assert_num_queries(0):
        for _ in range(100):
            phu_yen.resolve_cell("Văn phòng UBND tỉnh; Các sở, ban, ngành; UBND cấp huyện, cấp xã")
