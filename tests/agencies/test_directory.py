"""The country's directory: provinces and communes from vietnam-provinces, standard agencies, the central level,
the 2025 merger history; loading is idempotent, merges with hand-made agencies and never deletes.

The session's demo database holds the demo provinces (Đắk Lắk, Gia Lai, Tuyên Quang, their predecessors and the
central level); only the first test loads the whole country.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command

from agencies.directory import load_directory, province_code
from agencies.models import Agency, AgencyGroup, AgencyKind, Alias, Province, ProvinceNotFound, Succession

pytestmark = pytest.mark.django_db


def test_the_whole_country_loads_and_a_second_load_changes_nothing(demo):
    first = load_directory()
    current = Province.objects.current(datetime.date(2026, 1, 1))
    assert current.count() == 34
    assert (
        Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, valid_from=datetime.date(2025, 7, 1)).count() == 3321
    )
    assert Province.objects.filter(is_central=False, valid_to=datetime.date(2025, 6, 30)).count() == 63 - 34
    districts = Agency.objects.filter(directory_key__startswith="district:")
    assert districts.count() == 696 and not districts.exclude(valid_to=datetime.date(2025, 6, 30)).exists()
    assert Succession.objects.filter(predecessor__in=districts).values("predecessor").distinct().count() == 696
    assert first.seconds > 0

    counts = (
        Province.objects.count(),
        Agency.objects.count(),
        AgencyGroup.objects.count(),
        Alias.objects.count(),
        Succession.objects.count(),
    )
    again = load_directory()
    assert again.provinces_added == again.agencies_added == again.groups_added == again.aliases_added == 0
    assert (
        Province.objects.count(),
        Agency.objects.count(),
        AgencyGroup.objects.count(),
        Alias.objects.count(),
        Succession.objects.count(),
    ) == counts


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Thành phố Hà Nội", "ha-noi"),
        ("Thành phố Hồ Chí Minh", "ho-chi-minh"),
        ("Đồng Tháp", "dong-thap"),
        ("Nghệ An", "nghe-an"),
        ("Đắk Lắk", "dak-lak"),
        ("Thành phố Huế", "hue"),
        ("Bà Rịa - Vũng Tàu", "ba-ria-vung-tau"),
    ],
)
def test_a_province_has_a_readable_code(name, code):
    assert province_code(name) == code


def test_a_province_is_found_by_its_code_or_its_official_number(demo):
    dak_lak = Province.objects.get(code="dak-lak")
    assert dak_lak.number == 66 and dak_lak.name == "Đắk Lắk"
    assert Province.objects.lookup("dak-lak") == dak_lak
    assert Province.objects.lookup("66") == dak_lak


def test_an_unknown_province_code_names_the_closest(demo):
    with pytest.raises(ProvinceNotFound) as error:
        Province.objects.lookup("dak lak")
    assert str(error.value) == "Không có tỉnh 'dak lak'; có phải: dak-lak?"
    with pytest.raises(CommandError, match="Không có tỉnh 'dak lak'; có phải: dak-lak"):
        call_command("load_directory", "--province", "dak lak")


def test_commune_names_are_normalised_and_named_as_committees(demo):
    # The package writes "Phường  Buôn Ma Thuột" with two spaces.
    commune = Agency.objects.get(province__code="dak-lak", short_name="Phường Buôn Ma Thuột")
    assert commune.name == "UBND phường Buôn Ma Thuột"
    assert commune.valid_from == datetime.date(2025, 7, 1) and commune.directory_key.startswith("ward:")
    assert not Agency.objects.filter(name__contains="  ").exists()


def test_each_province_has_its_standard_agencies(demo):
    names = set(Agency.objects.filter(province__code="gia-lai", valid_to__isnull=True).values_list("name", flat=True))
    for name in [
        "UBND tỉnh Gia Lai",
        "Văn phòng UBND tỉnh",
        "Sở Nội vụ",
        "Sở Tư pháp",
        "Sở Tài chính",
        "Sở Xây dựng",
        "Sở Công Thương",
        "Sở Nông nghiệp và Môi trường",
        "Sở Khoa học và Công nghệ",
        "Sở Giáo dục và Đào tạo",
        "Sở Y tế",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Thanh tra tỉnh",
        "Công an tỉnh Gia Lai",
        "Bộ Chỉ huy Quân sự tỉnh Gia Lai",
        "Trung tâm Phục vụ hành chính công tỉnh",
    ]:
        assert name in names, name
    departments = AgencyGroup.objects.get(province__code="gia-lai", kind="departments")
    assert departments.members.filter(name="Sở Nông nghiệp và Môi trường").exists()
    communes = AgencyGroup.objects.get(province__code="gia-lai", kind="commune_committees")
    assert (
        communes.members.count()
        == Agency.objects.filter(
            province__code="gia-lai", kind=AgencyKind.COMMUNE_COMMITTEE, valid_to__isnull=True
        ).count()
        > 100
    )


def test_the_merger_of_provinces_is_history_with_successors(demo):
    phu_yen = Province.objects.get(code="phu-yen")
    assert phu_yen.valid_to == datetime.date(2025, 6, 30) and phu_yen.successor.code == "dak-lak"
    ha_giang = Province.objects.get(code="ha-giang")
    assert ha_giang.successor.code == "tuyen-quang"
    # Hà Giang's departments pass to Tuyên Quang's on the merger.
    home_affairs = Agency.objects.get(province=ha_giang, name="Sở Nội vụ")
    assert home_affairs.current(datetime.date(2026, 1, 1)).province.code == "tuyen-quang"


def test_merged_departments_keep_their_history_and_successors(demo):
    old = Agency.objects.get(province__code="gia-lai", name="Sở Lao động - Thương binh và Xã hội")
    assert old.valid_to == datetime.date(2025, 2, 28)
    parts = {s.successor.name: s for s in old.successions.select_related("successor")}
    assert set(parts) == {"Sở Nội vụ", "Sở Giáo dục và Đào tạo", "Sở Y tế"}
    assert parts["Sở Nội vụ"].is_main and old.successor.name == "Sở Nội vụ"
    assert (
        Agency.objects.get(province__code="gia-lai", name="Sở Thông tin và Truyền thông").successor.name
        == "Sở Khoa học và Công nghệ"
    )


def test_the_central_level_is_loaded(demo):
    central = Province.objects.get(code="trung-uong")
    assert central.is_central
    names = set(Agency.objects.filter(province=central, valid_to__isnull=True).values_list("name", flat=True))
    assert {
        "Bộ Công an",
        "Văn phòng Chính phủ",
        "Thanh tra Chính phủ",
        "Ngân hàng Nhà nước Việt Nam",
        "Bộ Nông nghiệp và Môi trường",
        "Bộ Dân tộc và Tôn giáo",
    } <= names
    assert (
        Agency.objects.get(province=central, name="Bộ Thông tin và Truyền thông").successor.name
        == "Bộ Khoa học và Công nghệ"
    )


@pytest.fixture
def hand_made_hue(db):
    """A province an admin started by hand before the directory existed (Huế is not in the demo)."""
    hue = Province.objects.create(code="hue", name="Thành phố Huế")
    justice = Agency.objects.create(province=hue, code="hue-tp", name="Sở Tư Pháp")
    office = Agency.objects.create(province=hue, code="hue-vp", name="Văn phòng Ủy ban thành phố")
    Alias.objects.create(province=hue, text="VP UBND thành phố", agency=office)
    own = Agency.objects.create(province=hue, code="hue-ttcntt", name="Trung tâm Công nghệ thông tin Huế")
    return hue, justice, office, own


def test_a_load_merges_with_hand_made_agencies_never_duplicates_never_deletes(hand_made_hue):
    hue, justice, office, own = hand_made_hue
    report = load_directory(["hue"])
    hue.refresh_from_db()
    assert hue.number == 46
    # Matched by name ("Sở Tư Pháp" with a capital P) and by alias ("VP UBND thành phố"): linked, not duplicated.
    assert Agency.objects.filter(province=hue, name__iexact="Sở Tư pháp").count() == 1
    assert not Agency.objects.filter(province=hue, name="Văn phòng UBND thành phố").exists()
    justice.refresh_from_db()
    office.refresh_from_db()
    assert justice.directory_key == "hue:stp" and office.directory_key == "hue:vpubnd"
    assert any("Sở Tư Pháp" in line for line in report.agencies_matched)
    assert any("Trung tâm Công nghệ thông tin Huế" in line for line in report.agencies_left_alone)
    assert Agency.objects.filter(pk=own.pk).exists()
    assert report.agencies_added > 40  # the other departments and Huế's communes


def test_a_renamed_or_deleted_unit_is_not_created_again(hand_made_hue):
    hue = hand_made_hue[0]
    load_directory(["hue"])
    Agency.objects.filter(province=hue, directory_key="hue:skhcn").update(name="Sở Khoa học Công nghệ (tên mới)")
    Agency.objects.filter(province=hue, directory_key="hue:sngv").delete()  # Huế's admin: no Sở Ngoại vụ here
    before = Agency.objects.filter(province=hue).count()
    again = load_directory(["hue"])
    assert Agency.objects.filter(province=hue).count() == before
    assert again.agencies_added == 0 and again.agencies_removed_by_admin == 1
    assert Agency.objects.get(province=hue, directory_key="hue:skhcn").name == "Sở Khoa học Công nghệ (tên mới)"


def test_the_command_reports_what_it_matched_added_and_left_alone(hand_made_hue, capsys):
    call_command("load_directory", "--province", "46")
    out = capsys.readouterr().out
    assert "khớp với cơ quan đã có 2" in out and "giữ nguyên (không có trong danh mục) 1" in out
    call_command("load_directory", "--list")
    assert "dak-lak" in capsys.readouterr().out


def test_a_city_is_written_with_tp_too(hand_made_hue):
    from agencies.resolver import Resolver

    hue = hand_made_hue[0]
    load_directory(["hue"])
    resolver = Resolver(hue, day=datetime.date(2026, 1, 5))
    assert resolver.resolve_name("UBND TP").agency.name == "UBND thành phố Huế"
    assert resolver.resolve_name("UBND thành phố").agency.name == "UBND thành phố Huế"
    assert resolver.resolve_name("Công an TP").agency.name == "Công an thành phố Huế"
    assert resolver.resolve_name("Thanh tra thành phố").agency.name == "Thanh tra thành phố"
