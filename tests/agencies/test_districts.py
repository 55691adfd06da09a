"""The abolished district People's Committees (issue 12, point 5): the 696 former quận, huyện, thị xã and thành phố
thuộc tỉnh from agencies/data/districts.csv, history until 30/6/2025, their successors the communes that took their
wards, and the names old documents write resolving to them on the documents' dates.

The session's demo database holds the demo provinces (Đắk Lắk, Gia Lai, Tuyên Quang and their predecessors).
"""

from __future__ import annotations

import csv
import datetime

import pytest

from agencies.directory import DATA
from agencies.models import Agency, AgencyGroup, AgencyKind, AgencyLevel, GroupKind, Province, choose_successor
from agencies.resolver import Resolver

pytestmark = pytest.mark.django_db

BEFORE = datetime.date(2024, 5, 1)
AFTER = datetime.date(2025, 9, 1)


def _rows() -> list[dict[str, str]]:
    lines = (DATA / "districts.csv").read_text(encoding="utf-8").splitlines()
    return list(csv.DictReader(line for line in lines if not line.startswith("#")))


def test_the_data_file_holds_the_696_former_districts_each_with_successors():
    rows = _rows()
    assert len(rows) == 696
    assert len({r["code"] for r in rows}) == 696
    assert len({r["province"] for r in rows}) == 63
    assert all(r["successors"].split() for r in rows)
    assert {r["name"].split()[0] for r in rows} == {"Huyện", "Quận", "Thị", "Thành"}


def test_a_former_district_is_history_of_its_province_with_the_communes_that_took_its_wards(demo):
    tuy_an = Agency.objects.get(province__code="phu-yen", name="UBND huyện Tuy An")
    assert (tuy_an.kind, tuy_an.level) == (AgencyKind.DISTRICT_COMMITTEE, AgencyLevel.DISTRICT)
    assert tuy_an.valid_to == datetime.date(2025, 6, 30)
    assert tuy_an.parent.name == "UBND tỉnh Phú Yên"
    successions = list(tuy_an.successions.select_related("successor__province"))
    assert {s.successor.name for s in successions} == {
        "UBND xã Tuy An Bắc",
        "UBND xã Tuy An Đông",
        "UBND xã Tuy An Tây",
        "UBND xã Tuy An Nam",
        "UBND xã Ô Loan",
    }
    assert {s.successor.province.code for s in successions} == {"dak-lak"}
    assert {s.on for s in successions} == {datetime.date(2025, 7, 1)}
    # Split between five communes: no main successor, a person decides where a task goes.
    assert tuy_an.successor is None and not any(s.is_main for s in successions)
    assert choose_successor(successions, "Rà soát thủ tục hành chính") is None


def test_the_demo_s_hand_made_districts_are_linked_not_duplicated(demo):
    song_cau = Agency.objects.filter(province__code="phu-yen", search_text__contains="song cau", level="district")
    assert song_cau.count() == 1
    assert song_cau.get().directory_key == "district:557"
    assert song_cau.get().successions.count() == 5


def test_each_loaded_province_has_its_districts_and_their_group(demo):
    rows = _rows()
    for code in ("dak-lak", "gia-lai", "tuyen-quang", "phu-yen", "binh-dinh", "ha-giang"):
        province = Province.objects.get(code=code)
        districts = Agency.objects.filter(province=province, kind=AgencyKind.DISTRICT_COMMITTEE)
        assert districts.count() == sum(1 for r in rows if r["province"] == code), code
        group = AgencyGroup.objects.get(province=province, kind=GroupKind.DISTRICT_COMMITTEES)
        assert set(group.members.all()) == set(districts), code


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("UBND huyện Tuy An", "UBND huyện Tuy An"),
        ("Ủy ban nhân dân huyện Tuy An", "UBND huyện Tuy An"),
        ("UBND TX Sông Cầu", "UBND thị xã Sông Cầu"),
        ("UBND TP. Tuy Hòa", "UBND thành phố Tuy Hòa"),
        ("Huyện Đồng Xuân", "UBND huyện Đồng Xuân"),
    ],
)
def test_old_documents_name_the_district_valid_on_their_date(demo, text, name):
    resolved = Resolver(Province.objects.get(code="phu-yen"), day=BEFORE).resolve_name(text)
    assert resolved.agency is not None and resolved.agency.name == name
    assert resolved.note == ""


def test_a_district_named_after_its_end_asks_a_person_which_commune(demo):
    resolved = Resolver(Province.objects.get(code="phu-yen"), day=AFTER).resolve_name("UBND huyện Tuy An")
    assert resolved.agency is None and resolved.replaced.name == "UBND huyện Tuy An"
    assert "UBND xã Tuy An Bắc" in resolved.note and "hãy chọn" in resolved.note


def test_the_successor_province_knows_its_predecessors_districts(demo):
    """A document moved from Phú Yên to Đắk Lắk still names Phú Yên's districts; they lead to their communes."""
    dak_lak = Province.objects.get(code="dak-lak")
    before = Resolver(dak_lak, day=BEFORE).resolve_name("UBND thị xã Sông Cầu")
    assert before.agency.province.code == "phu-yen"
    after = Resolver(dak_lak, day=AFTER).resolve_name("UBND thị xã Sông Cầu")
    assert after.agency is None and after.replaced.name == "UBND thị xã Sông Cầu"
    # Đắk Lắk's own districts and their group, in a document of early 2025.
    own = Resolver(dak_lak, day=datetime.date(2025, 3, 1)).resolve_cell(
        "UBND thành phố Buôn Ma Thuột; UBND các huyện, thị xã, thành phố"
    )
    assert own[0].agency.name == "UBND thành phố Buôn Ma Thuột"
    assert own[1].group.kind == GroupKind.DISTRICT_COMMITTEES and own[1].group.members.count() == 15


@pytest.mark.parametrize("text", ["UBND cấp huyện", "UBND các huyện, thị xã, thành phố", "Ủy ban nhân dân cấp huyện"])
def test_the_district_level_named_after_its_end_goes_to_the_communes_with_a_warning(demo, text):
    """Nothing silently lands on the abolished district level: a 2026 document naming it is told where it went."""
    dak_lak = Province.objects.get(code="dak-lak")
    before = Resolver(dak_lak, day=datetime.date(2025, 3, 1)).resolve_name(text)
    assert before.group.kind == GroupKind.DISTRICT_COMMITTEES and before.note == ""
    after = Resolver(dak_lak, day=datetime.date(2026, 3, 1)).resolve_name(text)
    assert after.group.kind == GroupKind.COMMUNE_COMMITTEES and after.group.province == dak_lak
    assert "01/07/2025" in after.note and after.group.name in after.note
