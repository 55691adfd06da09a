"""Names as 2025 documents write them: collectives by meaning, the central level from any province, the unit valid
on the document's day (and its successor when it had ended), and a whole import of such rows."""

from __future__ import annotations

import datetime

import pytest

from agencies.models import Agency, AgencyKind, Province, Role, User
from agencies.resolver import Resolver
from plans.models import Document
from plans.tables import parse_task_table, read_table
from tasks import importing as task_import
from tasks.models import Assignment, Task
from tests.plans import tablefiles as tf

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def dak_lak(demo):
    return Resolver(Province.objects.get(code="dak-lak"), day=DAY)


def one(resolver, text):
    (resolved,) = resolver.resolve_cell(text)
    return resolved


@pytest.mark.parametrize(
    "written",
    [
        "UBND xã, phường, đặc khu",
        "UBND các phường, xã",
        "UBND cấp xã",
        "Ủy ban nhân dân các xã, phường, đặc khu",
        "UBND các xã, phường, đặc khu có liên quan",
        "Chủ tịch UBND cấp xã",
        "UBND đặc khu, xã, phường",
        "các địa phương",
    ],
)
def test_the_commune_level_in_any_wording(dak_lak, written):
    resolved = one(dak_lak, written)
    assert resolved.group is not None and resolved.group.kind == "commune_committees", written
    assert resolved.group.province.code == "dak-lak"


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("Sở, ban, ngành liên quan", "departments"),
        ("Các sở, ban, ngành có liên quan", "departments"),
        ("sở, ban, ngành có liên quan", "departments"),
        ("Các sở, ban, ngành tỉnh", "departments"),
        ("Các sở, ngành", "departments"),
        ("các cơ quan, đơn vị, địa phương liên quan", "all"),
        ("các cơ quan, đơn vị, địa phương có liên quan", "all"),
        ("Các cơ quan, đơn vị liên quan", "related"),
        ("các bộ, ngành, địa phương", "national"),
        ("Các bộ, ngành", "ministries"),
    ],
)
def test_collectives_by_meaning(dak_lak, written, kind):
    resolved = one(dak_lak, written)
    assert resolved.group is not None and resolved.group.kind == kind, written


def test_related_keeps_its_qualifier(dak_lak):
    assert one(dak_lak, "Sở, ban, ngành có liên quan").qualifier == "liên quan"


def test_the_province_itself(dak_lak):
    for written in (
        "UBND các tỉnh, thành phố",
        "UBND các tỉnh, thành phố trực thuộc trung ương",
        "Ủy ban nhân dân các tỉnh, thành phố",
    ):
        assert one(dak_lak, written).canonical_name == "UBND tỉnh Đắk Lắk", written


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Sở KH&CN", "Sở Khoa học và Công nghệ"),
        ("Sở NN&MT", "Sở Nông nghiệp và Môi trường"),
        ("VP UBND tỉnh", "Văn phòng UBND tỉnh"),
        ("Bộ CHQS tỉnh", "Bộ Chỉ huy Quân sự tỉnh Đắk Lắk"),
        ("Sở Tư Pháp", "Sở Tư pháp"),
        ("Công an tỉnh", "Công an tỉnh Đắk Lắk"),
        ("Phường Buôn Ma Thuột", "UBND phường Buôn Ma Thuột"),
    ],
)
def test_aliases_of_the_standard_set(dak_lak, written, name):
    assert one(dak_lak, written).canonical_name == name


@pytest.mark.parametrize("code", ["dak-lak", "tuyen-quang", "phu-yen"])
def test_the_central_level_resolves_from_any_province(demo, code):
    resolver = Resolver(Province.objects.get(code=code), day=DAY)
    for written, name in (
        ("Bộ Công an", "Bộ Công an"),
        ("Văn phòng Chính phủ", "Văn phòng Chính phủ"),
        ("Thanh tra Chính phủ", "Thanh tra Chính phủ"),
        ("Ngân hàng Nhà nước", "Ngân hàng Nhà nước Việt Nam"),
    ):
        resolved = one(resolver, written)
        assert resolved.agency is not None and resolved.agency.name == name
        assert resolved.agency.province.code == "trung-uong"


def test_a_group_holds_the_real_communes(dak_lak):
    group = one(dak_lak, "UBND xã, phường, đặc khu").group
    communes = Agency.objects.filter(province__code="dak-lak", kind=AgencyKind.COMMUNE_COMMITTEE, valid_to__isnull=True)
    assert set(group.members.values_list("pk", flat=True)) == set(communes.values_list("pk", flat=True))
    assert communes.count() > 100


def test_a_merged_department_resolves_to_its_successor_with_a_note(dak_lak):
    resolved = one(dak_lak, "Sở TT&TT")
    assert (
        resolved.agency.name == "Sở Khoa học và Công nghệ" and resolved.replaced.name == "Sở Thông tin và Truyền thông"
    )
    assert "đã kết thúc hoạt động ngày 28/02/2025" in resolved.note
    # Before the merger the same name is the department itself.
    before = Resolver(Province.objects.get(code="dak-lak"), day=datetime.date(2024, 6, 1))
    assert one(before, "Sở TT&TT").agency.name == "Sở Thông tin và Truyền thông"


def test_a_split_department_follows_the_task_or_asks_a_person(dak_lak):
    (vocational,) = dak_lak.resolve_cell("Sở LĐ-TB&XH", context="Đổi mới giáo dục nghề nghiệp")
    assert vocational.agency.name == "Sở Giáo dục và Đào tạo"
    (children,) = dak_lak.resolve_cell("Sở LĐ-TB&XH", context="Bảo vệ trẻ em")
    assert children.agency.name == "Sở Y tế"
    (other,) = dak_lak.resolve_cell("Sở LĐ-TB&XH", context="Cải cách tiền lương")
    assert other.agency.name == "Sở Nội vụ"  # the main successor takes what no words decide
    (both,) = dak_lak.resolve_cell("Sở LĐ-TB&XH", context="Dạy nghề cho trẻ em")
    assert both.agency is None and not both.known and "hãy chọn cơ quan tiếp nhận" in both.note


def _document(province_code: str, day: datetime.date, number: str) -> Document:
    return Document.objects.create(
        province=Province.objects.get(code=province_code),
        doc_type="plan",
        number=number,
        title="Kế hoạch thực hiện",
        year=day.year,
        issued_on=day,
    )


def _import(document: Document, rows: list[list[str]]):
    table = parse_task_table(read_table(tf.xlsx([tf.PY_HEADER, ["I", "Nhiệm vụ"], *rows])))
    preview = task_import.build_preview(document, table)
    return preview, table


def test_a_national_row_imports_without_a_flag(demo):
    document = _document("dak-lak", DAY, "12/KH-UBND")
    preview, _table = _import(
        document,
        [
            ["1", "Triển khai Đề án 06", "Bộ Công an", "Các bộ, ngành, địa phương", "Năm 2026"],
            ["2", "Cắt giảm thủ tục hành chính", "Văn phòng Chính phủ", "UBND các tỉnh, thành phố", "Quý II/2026"],
            ["3", "Số hóa hồ sơ", "Sở KH&CN", "Sở, ban, ngành có liên quan; UBND xã, phường, đặc khu", "Năm 2026"],
        ],
    )
    assert preview.unknown_names() == {}
    assert not [w for w in preview.warnings if "chưa xác định" in w.message]


def test_a_task_given_to_the_commune_level_reaches_each_commune(demo):
    document = _document("dak-lak", DAY, "13/KH-UBND")
    preview, _table = _import(document, [["1", "Rà soát thủ tục cấp xã", "UBND cấp xã", "", "Quý III/2026"]])
    task_import.apply_preview(preview)
    task = Task.objects.get(document=document)
    communes = Agency.objects.filter(province__code="dak-lak", kind=AgencyKind.COMMUNE_COMMITTEE, valid_to__isnull=True)
    assert Assignment.objects.filter(task=task).count() == communes.count()
    commune = communes.get(short_name="Phường Buôn Ma Thuột")
    user = User.objects.create_user("bmt", password="x-12345-abcdef", agency=commune, role=Role.STAFF)
    assert Task.objects.for_user(user).filter(pk=task.pk).exists()


def test_a_task_of_a_merged_department_lands_on_its_successor_with_a_warning(demo):
    document = _document("dak-lak", DAY, "14/KH-UBND")
    preview, _table = _import(document, [["1", "Chuyển đổi số", "Sở TT&TT", "", "Năm 2026"]])
    (task,) = preview.tasks
    assert [r.canonical_name for r in task.lead] == ["Sở Khoa học và Công nghệ"]
    assert any("Sở Thông tin và Truyền thông" in w and "cơ quan kế thừa" in w for w in task.warnings)


def test_a_document_dated_after_its_province_ended_warns_and_offers_the_successor(demo):
    document = _document("phu-yen", DAY, "15/KH-UBND")
    preview, _table = _import(document, [["1", "Nhiệm vụ", "Sở Nội vụ", "", "Năm 2026"]])
    (first, *_rest) = preview.warnings
    assert "Phú Yên đã sáp nhập vào Đắk Lắk" in first.message and "dak-lak" in first.message
    # Nothing silently lands on the dissolved department: its successor in Đắk Lắk, with a note.
    (task,) = preview.tasks
    assert task.lead[0].agency.province.code == "dak-lak"


def test_a_documents_resolver_reads_names_on_its_date(demo):
    """The web import and the indicator import build their resolver from the document (its province and date)."""
    later = Resolver.for_document(_document("dak-lak", DAY, "16/KH-UBND"))
    assert one(later, "Sở TT&TT").agency.name == "Sở Khoa học và Công nghệ"
    earlier = Resolver.for_document(_document("dak-lak", datetime.date(2024, 5, 1), "17/KH-UBND"))
    assert one(earlier, "Sở TT&TT").agency.name == "Sở Thông tin và Truyền thông"
